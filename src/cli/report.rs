//! `luovutusloki report …`: access reports, Art. 30 records, statistics and the lookup
//! record, from the configured database.

use std::path::PathBuf;

use anyhow::Context;
use time::Date;

use crate::config::Settings;
use crate::domain::finnish_time::date as finnish_date;
use crate::domain::provision::Language;
use crate::domain::{BusinessId, RegisterId, ShortText};
use crate::report::{
    Document, ReportRequest, annex_document, record_document, subject_document, to_csv, to_json,
    to_pdf,
};
use crate::service::{
    LookupListing, PageRequest, ProcessingRecordQuery, ReportError, StatisticsQuery,
};
use crate::statistics::{Bucket, Dimension};

use super::{Needs, business_id, caller, day, register_id, short_text};

/// The report commands.
#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// A data subject's access report (GDPR Art. 15), recorded as a lookup; the document goes
    /// to standard output (a PDF to --output), withheld disclosures are counted on standard
    /// error.
    Subject(SubjectArgs),
    /// A register's record of processing activities (GDPR Art. 30(1)), as JSON, CSV, HTML or
    /// text on standard output or PDF to --output; --annex gives the declared-versus-observed
    /// annex of the period instead.
    Art30(Art30Args),
    /// Counts of disclosures and subject entries grouped by any dimensions, per day, month
    /// or period, as CSV on standard output.
    Statistics(StatisticsArgs),
    /// The recorded lookups by identity code (who, when, which case, which subject by
    /// keyed hash), as CSV on standard output.
    Lookups(LookupsArgs),
}

/// Runs a report command.
pub async fn run(settings: Settings, command: ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Subject(args) => subject(&settings, args).await,
        ReportCommand::Art30(args) => art30(&settings, args).await,
        ReportCommand::Statistics(args) => statistics(&settings, args).await,
        ReportCommand::Lookups(args) => lookups(&settings, args).await,
    }
}

/// Arguments of `luovutusloki report subject`.
#[derive(Debug, clap::Args)]
pub struct SubjectArgs {
    /// Business ID of the controller whose log is read.
    #[arg(long, value_parser = business_id)]
    pub controller: BusinessId,
    /// The data subject's identity code, or `-` to read it from standard input (which keeps
    /// it out of the shell history and the process list).
    #[arg(long)]
    pub hetu: String,
    /// Language of the document.
    #[arg(long, value_enum, default_value = "fi")]
    pub lang: ReportLanguage,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SubjectFormat,
    /// First day of the period (YYYY-MM-DD, Finnish time); unset: from the beginning.
    #[arg(long, value_parser = day)]
    pub from: Option<Date>,
    /// Last day of the period, included (YYYY-MM-DD, Finnish time); unset: until now.
    #[arg(long, value_parser = day)]
    pub to: Option<Date>,
    /// The case the report is for: the access request's diary number.
    #[arg(long = "case", value_parser = short_text)]
    pub case_reference: ShortText,
    /// When the access request was received (YYYY-MM-DD), shown in the document.
    #[arg(long, value_parser = day)]
    pub received: Option<Date>,
    /// File to write the document to (required for PDF); default: standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Who prepares it; default: the login name ($USER).
    #[arg(long, value_parser = short_text)]
    pub requested_by: Option<ShortText>,
    /// Directory of register catalogue files, for register names (overrides registers.dir).
    #[arg(long)]
    pub registers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportLanguage {
    Fi,
    Sv,
    En,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SubjectFormat {
    Text,
    Html,
    Pdf,
}

/// Writes `document` as `format` to `output`, or to standard output; a PDF needs a file.
fn write_document(
    document: &Document,
    format: SubjectFormat,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let bytes = match format {
        SubjectFormat::Text => document.to_text().into_bytes(),
        SubjectFormat::Html => document.to_html().into_bytes(),
        SubjectFormat::Pdf => to_pdf(document)?,
    };
    match (output, format) {
        (Some(path), _) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?
        }
        (None, SubjectFormat::Pdf) => {
            return Err(anyhow::Error::new(super::Usage(
                "a PDF is written to a file: give --output".into(),
            )));
        }
        (None, _) => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}

fn language(lang: ReportLanguage) -> Language {
    match lang {
        ReportLanguage::Fi => Language::Fi,
        ReportLanguage::Sv => Language::Sv,
        ReportLanguage::En => Language::En,
    }
}

async fn subject(settings: &Settings, args: SubjectArgs) -> anyhow::Result<()> {
    let request = ReportRequest {
        controller: args.controller,
        subject: super::read_hetu(&args.hetu)?,
        period: super::period(args.from, args.to),
        language: language(args.lang),
        context: super::lookup_context(args.requested_by, args.case_reference)?,
        received: args.received,
    };
    if matches!(args.format, SubjectFormat::Pdf) && args.output.is_none() {
        return Err(anyhow::Error::new(super::Usage(
            "a PDF is written to a file: give --output".into(),
        )));
    }
    let needs = Needs::default()
        .keys(settings)?
        .registers(settings, args.registers.as_deref())?;
    let report = {
        let services = super::services(settings, needs).await?;
        services.subject_access_report(&caller(), request).await
    }
    .context("building the report")?;
    write_document(
        &subject_document(&report),
        args.format,
        args.output.as_deref(),
    )?;
    eprintln!(
        "{} disclosure(s) in the report; {} withheld from the subject and left out",
        report.entries.len(),
        report.withheld.len()
    );
    for withheld in &report.withheld {
        // What the document says of it (Tietosuojalaki 34 §), so the staff member knows.
        let told = if withheld.conceal_existence {
            "not mentioned in the document".to_owned()
        } else {
            format!(
                "the document says access is restricted: {}",
                withheld.ground.as_deref().unwrap_or(&withheld.reason)
            )
        };
        eprintln!(
            "  withheld until {}: {}; {told}",
            finnish_date(withheld.until, Language::Fi),
            withheld.reason
        );
    }
    Ok(())
}

/// Arguments of `luovutusloki report art30`.
#[derive(Debug, clap::Args)]
pub struct Art30Args {
    /// Business ID of the controller whose record it is; needed only when the register has
    /// joint controllers.
    #[arg(long, value_parser = business_id)]
    pub controller: Option<BusinessId>,
    /// The register's id.
    #[arg(long, value_parser = register_id)]
    pub register: RegisterId,
    /// First day of the period (YYYY-MM-DD, Finnish time).
    #[arg(long, value_parser = day)]
    pub from: Date,
    /// Last day of the period, included (YYYY-MM-DD, Finnish time).
    #[arg(long, value_parser = day)]
    pub to: Date,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: Art30Format,
    /// Language of the HTML, text and PDF documents.
    #[arg(long, value_enum, default_value = "fi")]
    pub lang: ReportLanguage,
    /// The annex for internal audit (declared beside observed) instead of the record.
    #[arg(long)]
    pub annex: bool,
    /// File to write the document to (required for PDF); default: standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Directory of register catalogue files (overrides registers.dir).
    #[arg(long)]
    pub registers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Art30Format {
    Json,
    Csv,
    Html,
    Text,
    Pdf,
}

async fn art30(settings: &Settings, args: Art30Args) -> anyhow::Result<()> {
    if matches!(args.format, Art30Format::Pdf) && args.output.is_none() {
        return Err(anyhow::Error::new(super::Usage(
            "a PDF is written to a file: give --output".into(),
        )));
    }
    let query = ProcessingRecordQuery {
        controller: args.controller,
        register: args.register,
        days: super::days(args.from, args.to)?,
    };
    let needs = Needs::default().registers(settings, args.registers.as_deref())?;
    let record = {
        let services = super::services(settings, needs).await?;
        services
            .processing_record(&caller(), query)
            .await
            .map_err(|error| match error {
                ReportError::ControllerNeeded(register) => {
                    anyhow::Error::new(super::Usage(format!(
                        "register {register} has joint controllers: give --controller with one \
                         of them"
                    )))
                }
                other => anyhow::Error::new(other),
            })
    }?;
    let lang = language(args.lang);
    let document = || match args.annex {
        true => annex_document(&record, lang),
        false => record_document(&record, lang),
    };
    let format = match args.format {
        Art30Format::Json | Art30Format::Csv => {
            let data = match args.format {
                Art30Format::Json => to_json(&record),
                _ => to_csv(&record),
            };
            return match args.output {
                Some(path) => std::fs::write(&path, data)
                    .with_context(|| format!("writing {}", path.display())),
                None => {
                    print!("{data}");
                    Ok(())
                }
            };
        }
        Art30Format::Html => SubjectFormat::Html,
        Art30Format::Text => SubjectFormat::Text,
        Art30Format::Pdf => SubjectFormat::Pdf,
    };
    write_document(&document(), format, args.output.as_deref())
}

/// Arguments of `luovutusloki report statistics`.
#[derive(Debug, clap::Args)]
pub struct StatisticsArgs {
    /// Business ID of the controller.
    #[arg(long, value_parser = business_id)]
    pub controller: BusinessId,
    /// Only this register.
    #[arg(long, value_parser = register_id)]
    pub register: Option<RegisterId>,
    /// First day of the period (YYYY-MM-DD, Finnish time).
    #[arg(long, value_parser = day)]
    pub from: Date,
    /// Last day of the period, included (YYYY-MM-DD, Finnish time).
    #[arg(long, value_parser = day)]
    pub to: Date,
    /// Dimensions to group by, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub group_by: Vec<Dimension>,
    /// Time step of the groups.
    #[arg(long, value_enum, default_value = "period")]
    pub step: Bucket,
}

async fn statistics(settings: &Settings, args: StatisticsArgs) -> anyhow::Result<()> {
    let query = StatisticsQuery {
        controller: args.controller,
        register: args.register,
        days: super::days(args.from, args.to)?,
        group_by: args.group_by,
        bucket: args.step,
    };
    let groups = {
        let services = super::services(settings, Needs::default()).await?;
        services.statistics(&caller(), &query).await
    }?;
    let mut out = csv::Writer::from_writer(std::io::stdout());
    let mut header = vec!["period".to_owned()];
    header.extend(query.group_by.iter().map(|d| {
        clap::ValueEnum::to_possible_value(d)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }));
    header.extend(["disclosures".to_owned(), "subject_entries".to_owned()]);
    out.write_record(&header)?;
    for group in groups {
        let mut record = vec![group.period];
        record.extend(group.values.into_iter().map(|v| v.label));
        record.extend([group.disclosures.to_string(), group.entries.to_string()]);
        out.write_record(&record)?;
    }
    out.flush()?;
    Ok(())
}

/// Arguments of `luovutusloki report lookups`.
#[derive(Debug, clap::Args)]
pub struct LookupsArgs {
    /// Business ID of the controller.
    #[arg(long, value_parser = business_id)]
    pub controller: BusinessId,
    /// First day (YYYY-MM-DD, Finnish time); unset: from the beginning.
    #[arg(long, value_parser = day)]
    pub from: Option<Date>,
    /// Last day, included (YYYY-MM-DD, Finnish time); unset: until now.
    #[arg(long, value_parser = day)]
    pub to: Option<Date>,
    /// Only lookups by this staff member or system.
    #[arg(long, value_parser = short_text)]
    pub requested_by: Option<ShortText>,
    /// Only lookups of this case.
    #[arg(long = "case", value_parser = short_text)]
    pub case_reference: Option<ShortText>,
}

async fn lookups(settings: &Settings, args: LookupsArgs) -> anyhow::Result<()> {
    let listing = LookupListing {
        subject: None,
        requested_by: args.requested_by,
        case_reference: args.case_reference,
        period: super::period(args.from, args.to),
    };
    let lookups = {
        let services = super::services(settings, Needs::default()).await?;
        let mut all = Vec::new();
        let mut page = PageRequest::first_of_most();
        loop {
            let found = services
                .list_access_lookups(&caller(), &args.controller, &listing, &page)
                .await?;
            all.extend(found.items);
            if found.next_token.is_empty() {
                break all;
            }
            page.token = found.next_token;
        }
    };
    let mut out = csv::Writer::from_writer(std::io::stdout());
    out.write_record([
        "id",
        "looked_up_at",
        "operation",
        "requested_by",
        "case_reference",
        "subject_key_id",
        "subject_hash",
    ])?;
    for stored in lookups {
        let l = &stored.lookup;
        out.write_record([
            stored.id.to_string(),
            l.looked_up_at.micros().to_string(),
            l.operation.label().to_owned(),
            l.context.requested_by.to_string(),
            l.context.case_reference.to_string(),
            l.subject_key_id.to_string(),
            hex::encode(l.subject_hash),
        ])?;
    }
    out.flush()?;
    Ok(())
}
