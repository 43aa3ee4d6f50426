//! The commands of the `luovutusloki` binary, wired from settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::catalogue::Registers;
use crate::config::{Backend, Settings};
use crate::consents;
use crate::crypto::{Keyring, generate_key_file};
use crate::domain::finnish_time::finnish_day_number;
use crate::domain::provision::Language;
use crate::domain::{BusinessId, Hetu, LookupContext, ShortText, Timestamp};
use crate::domain::{
    Consent, ConsentDecision, ConsentScope, ConsentTerms, DataCategories, DataCategory, LongText,
    RecipientKind, RegisterId,
};
use crate::report::{
    ReportRequest, finnish_date, processing_record, render_html, render_text, start_of_finnish_day,
    subject_access_report, to_csv, to_html, to_json,
};
use crate::server::{self, ServerOptions};
use crate::statistics::{self, Bucket, Dimension};
use crate::storage::Period;
use crate::storage::Storage;
use crate::storage::{PostgresStore, SqliteStore};

/// `luovutusloki serve`: runs until SIGTERM or SIGINT.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let keys = Arc::new(keyring_or_first_key(&settings)?);
    let registers = Registers::load(&settings.registers.dir).with_context(|| {
        format!(
            "loading the register catalogue (registers.dir = {}; examples/registers has five)",
            settings.registers.dir.display()
        )
    })?;
    tracing::info!(
        registers = registers.current().len(),
        dir = %settings.registers.dir.display(),
        "register catalogue loaded"
    );
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    let options = ServerOptions {
        limits: settings.limits,
        registers,
        writer: settings.writer,
        shutdown_grace: Duration::from_secs(settings.shutdown_grace_secs),
    };
    let address = listener.local_addr()?;
    let shutdown = server::shutdown_signal();
    let reloads = server::reload_on_hangup(options.registers.clone());
    let served = match backend(&settings)? {
        Backend::Sqlite(path) => {
            let store = SqliteStore::open(&path, settings.database.max_connections)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?;
            tracing::info!(%address, database = %path.display(), key = keys.active_id(), "serving");
            server::run(listener, store, keys, options, shutdown).await
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::connect(&url, settings.database.max_connections)
                .await
                .context("connecting to PostgreSQL")?;
            tracing::info!(%address, database = "postgres", key = keys.active_id(), "serving");
            server::run(listener, store, keys, options, shutdown).await
        }
    };
    reloads.abort();
    served
}

/// `luovutusloki migrate`: applies the migrations and exits.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    match backend(&settings)? {
        Backend::Sqlite(path) => {
            SqliteStore::open(&path, 1)
                .await
                .context("migrating SQLite")?;
            println!("SQLite database {} is up to date", path.display());
        }
        Backend::Postgres(url) => {
            PostgresStore::connect(&url, 2)
                .await
                .context("migrating PostgreSQL")?;
            println!("PostgreSQL database is up to date");
        }
    }
    Ok(())
}

/// `luovutusloki keygen`: writes a new subject key file and says how to use it.
pub fn keygen(settings: &Settings, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = dir.unwrap_or_else(|| settings.key_dir());
    let (id, path) = generate_key_file(&dir)?;
    println!("wrote subject key {id} to {} (mode 0600)", path.display());
    println!("it becomes the active key for new entries unless keys.active says otherwise;");
    println!("keep every older key: entries written with it are looked up and opened with it.");
    Ok(())
}

fn backend(settings: &Settings) -> anyhow::Result<Backend> {
    settings.database.backend().map_err(anyhow::Error::msg)
}

/// The configured keyring; with nothing configured, a first key is generated under the data
/// directory so that `serve` works out of the box.
fn keyring_or_first_key(settings: &Settings) -> anyhow::Result<Keyring> {
    let nothing_configured = settings.keys.dir.is_none() && settings.keys.subject_keys.is_empty();
    if nothing_configured && settings.key_specs()?.is_empty() {
        let (id, path) = generate_key_file(&settings.key_dir())?;
        tracing::warn!(
            key = id,
            path = %path.display(),
            "no subject key was configured, so one was generated: back it up, since without it \
             the log's identity codes can be neither looked up nor opened"
        );
    }
    Ok(settings.keyring()?)
}

/// Arguments of `luovutusloki report subject`.
#[derive(Debug, clap::Args)]
pub struct SubjectReportArgs {
    /// Business ID of the controller whose log is read.
    #[arg(long)]
    pub controller: String,
    /// The data subject's identity code, or `-` to read it from standard input (which keeps
    /// it out of the shell history and the process list).
    #[arg(long)]
    pub hetu: String,
    /// Language of the document.
    #[arg(long, value_enum, default_value = "fi")]
    pub lang: ReportLanguage,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// First day of the period (YYYY-MM-DD, Finnish time); unset: from the beginning.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day of the period, included (YYYY-MM-DD, Finnish time); unset: until now.
    #[arg(long)]
    pub to: Option<String>,
    /// The case the report is for, e.g. the access request's record number.
    #[arg(long = "case")]
    pub case_reference: String,
    /// Who prepares it; default: the login name ($USER).
    #[arg(long)]
    pub requested_by: Option<String>,
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
pub enum ReportFormat {
    Text,
    Html,
}

/// `luovutusloki report subject`: the access report from the configured database.
pub async fn report_subject(settings: Settings, args: SubjectReportArgs) -> anyhow::Result<()> {
    let request = report_request(&args)?;
    let keys = settings.keyring().context("loading the subject keys")?;
    let dir = args.registers.as_ref().unwrap_or(&settings.registers.dir);
    let registers = Registers::load(dir)
        .with_context(|| format!("loading the register catalogue {}", dir.display()))?;
    let catalogue = registers.current();
    let now = Timestamp::now();
    let report = match backend(&settings)? {
        Backend::Sqlite(path) => {
            let store = SqliteStore::open(&path, 1)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?;
            subject_access_report(&store, &keys, &catalogue, request, now).await
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::connect(&url, 2)
                .await
                .context("connecting to PostgreSQL")?;
            subject_access_report(&store, &keys, &catalogue, request, now).await
        }
    }
    .context("building the report")?;
    let document = match args.format {
        ReportFormat::Text => render_text(&report),
        ReportFormat::Html => render_html(&report),
    };
    print!("{document}");
    eprintln!(
        "{} disclosure(s) in the report; {} withheld from the subject and left out",
        report.entries.len(),
        report.withheld.len()
    );
    for withheld in &report.withheld {
        eprintln!(
            "  withheld until {}: {}",
            finnish_date(withheld.until, Language::Fi),
            withheld.reason
        );
    }
    Ok(())
}

fn report_request(args: &SubjectReportArgs) -> anyhow::Result<ReportRequest> {
    let subject = read_hetu(&args.hetu)?;
    let day = |flag: &str, text: &str| -> anyhow::Result<time::Date> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &format).with_context(|| format!("{flag}: expected YYYY-MM-DD"))
    };
    let from = args
        .from
        .as_deref()
        .map(|t| day("--from", t).map(start_of_finnish_day))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|t| day("--to", t).map(|d| start_of_finnish_day(d.next_day().expect("in range"))))
        .transpose()?;
    let requested_by = args
        .requested_by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "cli".into());
    Ok(ReportRequest {
        controller: BusinessId::parse(&args.controller)
            .map_err(|e| anyhow::anyhow!("--controller: {e}"))?,
        subject,
        period: Period { from, to },
        language: match args.lang {
            ReportLanguage::Fi => Language::Fi,
            ReportLanguage::Sv => Language::Sv,
            ReportLanguage::En => Language::En,
        },
        context: LookupContext {
            requested_by: ShortText::parse(&requested_by)
                .map_err(|e| anyhow::anyhow!("--requested-by: {e}"))?,
            case_reference: ShortText::parse(&args.case_reference)
                .map_err(|e| anyhow::anyhow!("--case: {e}"))?,
        },
    })
}

/// Arguments of `luovutusloki report art30`.
#[derive(Debug, clap::Args)]
pub struct Art30Args {
    /// Business ID of the controller whose record it is; needed only when the register has
    /// joint controllers.
    #[arg(long)]
    pub controller: Option<String>,
    /// The register's id.
    #[arg(long)]
    pub register: String,
    /// First day of the period (YYYY-MM-DD, Finnish time).
    #[arg(long)]
    pub from: String,
    /// Last day of the period, included (YYYY-MM-DD, Finnish time).
    #[arg(long)]
    pub to: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: Art30Format,
    /// Directory of register catalogue files (overrides registers.dir).
    #[arg(long)]
    pub registers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Art30Format {
    Json,
    Csv,
    Html,
}

/// `luovutusloki report art30`: a register's Art. 30 record from the configured database.
pub async fn report_art30(settings: Settings, args: Art30Args) -> anyhow::Result<()> {
    let register_id =
        RegisterId::parse(&args.register).map_err(|e| anyhow::anyhow!("--register: {e}"))?;
    let (from, to) = (cli_day("--from", &args.from)?, cli_day("--to", &args.to)?);
    anyhow::ensure!(from <= to, "--to must not be before --from");
    let days = finnish_day_number(start_of_finnish_day(from))
        ..finnish_day_number(start_of_finnish_day(to)) + 1;
    let dir = args.registers.as_ref().unwrap_or(&settings.registers.dir);
    let catalogue = Registers::load(dir)
        .with_context(|| format!("loading the register catalogue {}", dir.display()))?
        .current();
    let register = catalogue
        .get(&register_id)
        .with_context(|| format!("no register {register_id} in {}", dir.display()))?;
    let controller = match (&args.controller, register.controllers.as_slice()) {
        (Some(id), _) => BusinessId::parse(id).map_err(|e| anyhow::anyhow!("--controller: {e}"))?,
        (None, [only]) => only.business_id.clone(),
        (None, _) => anyhow::bail!(
            "register {register_id} has joint controllers: give --controller with one of them"
        ),
    };
    anyhow::ensure!(
        register.is_controlled_by(&controller),
        "{controller} is not a controller of register {register_id}"
    );
    let rows = with_store(
        &settings,
        RollupRead {
            controller: &controller,
            register: Some(&register_id),
            days,
        },
    )
    .await
    .context("reading the log")?;
    let record = processing_record(Arc::clone(register), &rows, (from, to), Timestamp::now());
    let document = match args.format {
        Art30Format::Json => to_json(&record),
        Art30Format::Csv => to_csv(&record),
        Art30Format::Html => to_html(&record),
    };
    print!("{document}");
    Ok(())
}

/// `luovutusloki registers check`: validates a catalogue directory and lists its registers;
/// what `serve` and a reload would load.
pub fn registers_check(settings: &Settings, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = dir.unwrap_or_else(|| settings.registers.dir.clone());
    let registers = Registers::load(&dir)?;
    let catalogue = registers.current();
    for register in catalogue.registers() {
        let controllers: Vec<String> = register
            .controllers
            .iter()
            .map(|c| {
                let example = if c.example { ", example ID" } else { "" };
                format!("{} ({}{example})", c.name, c.business_id)
            })
            .collect();
        println!(
            "{}: {} — {} declared disclosures, {} on-request groups, undeclared: {}; {}",
            register.id,
            register.name.fi,
            register.disclosures.len(),
            register.on_request.len(),
            match register.undeclared {
                crate::catalogue::UndeclaredPolicy::Flag => "flag",
                crate::catalogue::UndeclaredPolicy::Reject => "reject",
            },
            controllers.join(", ")
        );
    }
    println!("{} registers in {}: valid", catalogue.len(), dir.display());
    Ok(())
}

/// A statistics dimension on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum GroupBy {
    Register,
    Recipient,
    RecipientKind,
    Statute,
    DataCategory,
    Channel,
    Classification,
    LegalBasis,
}

impl From<GroupBy> for Dimension {
    fn from(g: GroupBy) -> Self {
        match g {
            GroupBy::Register => Dimension::Register,
            GroupBy::Recipient => Dimension::Recipient,
            GroupBy::RecipientKind => Dimension::RecipientKind,
            GroupBy::Statute => Dimension::Statute,
            GroupBy::DataCategory => Dimension::DataCategory,
            GroupBy::Channel => Dimension::Channel,
            GroupBy::Classification => Dimension::Classification,
            GroupBy::LegalBasis => Dimension::LegalBasis,
        }
    }
}

/// The time step of statistics on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Step {
    Period,
    Day,
    Month,
}

/// Arguments of `luovutusloki report statistics`.
#[derive(Debug, clap::Args)]
pub struct StatisticsArgs {
    /// Business ID of the controller.
    #[arg(long)]
    pub controller: String,
    /// Only this register.
    #[arg(long)]
    pub register: Option<String>,
    /// First day of the period (YYYY-MM-DD, Finnish time).
    #[arg(long)]
    pub from: String,
    /// Last day of the period, included (YYYY-MM-DD, Finnish time).
    #[arg(long)]
    pub to: String,
    /// Dimensions to group by, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub group_by: Vec<GroupBy>,
    /// Time step of the groups.
    #[arg(long, value_enum, default_value = "period")]
    pub step: Step,
}

/// Parses a Finnish local day given on the command line.
fn cli_day(flag: &str, text: &str) -> anyhow::Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).with_context(|| format!("{flag}: expected YYYY-MM-DD"))
}

/// Opens the configured store and runs `read` on it.
async fn with_store<T>(settings: &Settings, read: impl AsyncStoreRead<T>) -> anyhow::Result<T> {
    match backend(settings)? {
        Backend::Sqlite(path) => {
            let store = SqliteStore::open(&path, 1)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?;
            Ok(read.run(&store).await?)
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::connect(&url, 2)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(read.run(&store).await?)
        }
    }
}

/// A read of the store, for [`with_store`].
trait AsyncStoreRead<T> {
    async fn run<S: Storage>(self, store: &S) -> Result<T, crate::storage::StorageError>;
}

struct RollupRead<'a> {
    controller: &'a BusinessId,
    register: Option<&'a RegisterId>,
    days: std::ops::Range<i32>,
}

impl AsyncStoreRead<Vec<crate::storage::RollupEntry>> for RollupRead<'_> {
    async fn run<S: Storage>(
        self,
        store: &S,
    ) -> Result<Vec<crate::storage::RollupEntry>, crate::storage::StorageError> {
        store
            .rollup(self.controller, self.register, self.days)
            .await
    }
}

/// `luovutusloki report statistics`: grouped counts as CSV on standard output.
pub async fn report_statistics(settings: Settings, args: StatisticsArgs) -> anyhow::Result<()> {
    let controller =
        BusinessId::parse(&args.controller).map_err(|e| anyhow::anyhow!("--controller: {e}"))?;
    let register = args
        .register
        .as_deref()
        .map(|r| RegisterId::parse(r).map_err(|e| anyhow::anyhow!("--register: {e}")))
        .transpose()?;
    let (from, to) = (cli_day("--from", &args.from)?, cli_day("--to", &args.to)?);
    anyhow::ensure!(from <= to, "--to must not be before --from");
    let days = finnish_day_number(start_of_finnish_day(from))
        ..finnish_day_number(start_of_finnish_day(to)) + 1;
    let rows = with_store(
        &settings,
        RollupRead {
            controller: &controller,
            register: register.as_ref(),
            days,
        },
    )
    .await?;
    let group_by: Vec<Dimension> = args.group_by.iter().map(|&g| g.into()).collect();
    let bucket = match args.step {
        Step::Period => Bucket::Whole,
        Step::Day => Bucket::Day,
        Step::Month => Bucket::Month,
    };
    let mut out = csv::Writer::from_writer(std::io::stdout());
    let mut header = vec!["period".to_owned()];
    header.extend(args.group_by.iter().map(|g| {
        clap::ValueEnum::to_possible_value(g)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }));
    header.extend(["disclosures".to_owned(), "subject_entries".to_owned()]);
    out.write_record(&header)?;
    for group in statistics::aggregate(&rows, &group_by, bucket) {
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
    #[arg(long)]
    pub controller: String,
    /// First day (YYYY-MM-DD, Finnish time); unset: from the beginning.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD, Finnish time); unset: until now.
    #[arg(long)]
    pub to: Option<String>,
    /// Only lookups by this staff member or system.
    #[arg(long)]
    pub requested_by: Option<String>,
    /// Only lookups of this case.
    #[arg(long = "case")]
    pub case_reference: Option<String>,
}

struct LookupsRead<'a> {
    controller: &'a BusinessId,
    filter: &'a crate::storage::LookupFilter,
}

impl AsyncStoreRead<Vec<crate::storage::StoredLookup>> for LookupsRead<'_> {
    async fn run<S: Storage>(
        self,
        store: &S,
    ) -> Result<Vec<crate::storage::StoredLookup>, crate::storage::StorageError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_lookups(self.controller, self.filter, after, 1_000)
                .await?;
            let full = page.len() == 1_000;
            after = page.last().map(|l| crate::storage::Cursor {
                occurred_at: l.lookup.looked_up_at.micros(),
                id: l.id,
            });
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }
}

/// `luovutusloki report lookups`: the recorded lookups by identity code, as CSV.
pub async fn report_lookups(settings: Settings, args: LookupsArgs) -> anyhow::Result<()> {
    let controller =
        BusinessId::parse(&args.controller).map_err(|e| anyhow::anyhow!("--controller: {e}"))?;
    let text = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| ShortText::parse(v).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
            .transpose()
    };
    let from = args
        .from
        .as_deref()
        .map(|t| cli_day("--from", t).map(start_of_finnish_day))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|t| cli_day("--to", t).map(|d| start_of_finnish_day(d.next_day().expect("in range"))))
        .transpose()?;
    let filter = crate::storage::LookupFilter {
        requested_by: text("--requested-by", &args.requested_by)?,
        case_reference: text("--case", &args.case_reference)?,
        subject_hashes: Vec::new(),
        period: Period { from, to },
    };
    let lookups = with_store(
        &settings,
        LookupsRead {
            controller: &controller,
            filter: &filter,
        },
    )
    .await?;
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

/// The identity code given as `--hetu`, or read from standard input for `-`. The error
/// never repeats the code.
fn read_hetu(arg: &str) -> anyhow::Result<Hetu> {
    let code = if arg == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim().to_owned()
    } else {
        arg.to_owned()
    };
    Hetu::parse(&code).map_err(|e| anyhow::anyhow!("--hetu: {e}"))
}

/// Arguments naming one consent.
#[derive(Debug, clap::Args)]
pub struct ConsentKeyArgs {
    /// Business ID of the controller.
    #[arg(long)]
    pub controller: String,
    /// The controller's reference of the consent.
    #[arg(long)]
    pub reference: String,
}

/// Arguments of `luovutusloki consents record` and `refuse`.
#[derive(Debug, clap::Args)]
pub struct ConsentArgs {
    #[command(flatten)]
    pub key: ConsentKeyArgs,
    /// The data subject's identity code, or `-` to read it from standard input.
    #[arg(long)]
    pub hetu: String,
    /// Kind of recipient the consent is for (e.g. employer, service_provider).
    #[arg(long)]
    pub recipient_kind: String,
    /// Only this recipient (business ID); unset: any recipient of the kind.
    #[arg(long)]
    pub recipient_id: Option<String>,
    /// Data categories, comma-separated (docs/data-categories.md).
    #[arg(long, value_delimiter = ',', required = true)]
    pub categories: Vec<String>,
    /// What the data may be used for.
    #[arg(long)]
    pub purpose: String,
    /// Day the consent was given or refused (YYYY-MM-DD, Finnish time).
    #[arg(long)]
    pub given: String,
    /// Last day of validity, included (consents only).
    #[arg(long)]
    pub valid_until: Option<String>,
    /// The signed document's reference.
    #[arg(long)]
    pub document: String,
}

/// The `luovutusloki consents` commands.
#[derive(Debug, clap::Subcommand)]
pub enum ConsentsCommand {
    /// Record a data subject's consent.
    Record(ConsentArgs),
    /// Record that a data subject refused consent.
    Refuse(ConsentArgs),
    /// Withdraw a consent from a day on (not retroactively).
    Withdraw {
        #[command(flatten)]
        key: ConsentKeyArgs,
        /// Day of withdrawal (YYYY-MM-DD, Finnish time); default: now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Show one consent or refusal.
    Show {
        #[command(flatten)]
        key: ConsentKeyArgs,
    },
    /// A data subject's consents and refusals; a recorded lookup.
    List {
        /// Business ID of the controller.
        #[arg(long)]
        controller: String,
        /// The data subject's identity code, or `-` to read it from standard input.
        #[arg(long)]
        hetu: String,
        /// The case the lookup belongs to.
        #[arg(long = "case")]
        case_reference: String,
        /// Who looks up; default: the login name ($USER).
        #[arg(long)]
        requested_by: Option<String>,
    },
}

fn consent_key(key: &ConsentKeyArgs) -> anyhow::Result<(BusinessId, ShortText)> {
    Ok((
        BusinessId::parse(&key.controller).map_err(|e| anyhow::anyhow!("--controller: {e}"))?,
        ShortText::parse(&key.reference).map_err(|e| anyhow::anyhow!("--reference: {e}"))?,
    ))
}

fn consent_terms(args: &ConsentArgs, decision: ConsentDecision) -> anyhow::Result<ConsentTerms> {
    let (controller, reference) = consent_key(&args.key)?;
    let categories = args
        .categories
        .iter()
        .map(|c| {
            DataCategory::from_label(c)
                .ok_or_else(|| anyhow::anyhow!("--categories: unknown category {c}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let valid_until = args
        .valid_until
        .as_deref()
        .map(|t| {
            cli_day("--valid-until", t)
                .map(|d| start_of_finnish_day(d.next_day().expect("in range")))
        })
        .transpose()?;
    anyhow::ensure!(
        decision == ConsentDecision::Given || valid_until.is_none(),
        "--valid-until: a refusal has no validity"
    );
    Ok(ConsentTerms {
        controller,
        reference,
        decision,
        scope: ConsentScope {
            recipient_kind: RecipientKind::from_label(&args.recipient_kind).ok_or_else(|| {
                anyhow::anyhow!("--recipient-kind: unknown kind {}", args.recipient_kind)
            })?,
            recipient_id: args
                .recipient_id
                .as_deref()
                .map(|id| BusinessId::parse(id).map_err(|e| anyhow::anyhow!("--recipient-id: {e}")))
                .transpose()?,
            data_categories: DataCategories::new(categories)
                .ok_or_else(|| anyhow::anyhow!("--categories: give at least one"))?,
            purpose: LongText::parse(&args.purpose)
                .map_err(|e| anyhow::anyhow!("--purpose: {e}"))?,
        },
        given_at: start_of_finnish_day(cli_day("--given", &args.given)?),
        valid_until,
        document_reference: ShortText::parse(&args.document)
            .map_err(|e| anyhow::anyhow!("--document: {e}"))?,
    })
}

/// One consent as a line: reference, decision, dates, scope, document.
fn consent_line(c: &Consent) -> String {
    let day = |t: Option<Timestamp>| t.map(|t| finnish_date(t, Language::En)).unwrap_or_default();
    let scope = &c.terms.scope;
    format!(
        "{} {} given {} valid-until {} withdrawn {} to {}{} of {} ({}) document {}",
        c.terms.reference,
        c.terms.decision.label(),
        finnish_date(c.terms.given_at, Language::En),
        day(c.terms.valid_until),
        day(c.withdrawn_at),
        scope.recipient_kind.label(),
        scope
            .recipient_id
            .as_ref()
            .map(|id| format!(" {id}"))
            .unwrap_or_default(),
        scope
            .data_categories
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(","),
        scope.purpose,
        c.terms.document_reference,
    )
}

/// The consent commands, against the configured database.
pub async fn consents_command(settings: Settings, command: ConsentsCommand) -> anyhow::Result<()> {
    match backend(&settings)? {
        Backend::Sqlite(path) => {
            let store = SqliteStore::open(&path, 1)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?;
            run_consents(&settings, &store, command).await
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::connect(&url, 2)
                .await
                .context("connecting to PostgreSQL")?;
            run_consents(&settings, &store, command).await
        }
    }
}

async fn run_consents<S: Storage>(
    settings: &Settings,
    store: &S,
    command: ConsentsCommand,
) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let consents = match command {
        ConsentsCommand::Record(args) => {
            let terms = consent_terms(&args, ConsentDecision::Given)?;
            let keys = settings.keyring().context("loading the subject keys")?;
            vec![consents::store(store, &keys, terms, &read_hetu(&args.hetu)?, now).await?]
        }
        ConsentsCommand::Refuse(args) => {
            let terms = consent_terms(&args, ConsentDecision::Refused)?;
            let keys = settings.keyring().context("loading the subject keys")?;
            vec![consents::store(store, &keys, terms, &read_hetu(&args.hetu)?, now).await?]
        }
        ConsentsCommand::Withdraw { key, at } => {
            let (controller, reference) = consent_key(&key)?;
            let at = at
                .as_deref()
                .map(|t| cli_day("--at", t).map(start_of_finnish_day))
                .transpose()?
                .unwrap_or(now);
            vec![consents::withdraw(store, &controller, &reference, at).await?]
        }
        ConsentsCommand::Show { key } => {
            let (controller, reference) = consent_key(&key)?;
            let found = store.get_consent(&controller, &reference).await?;
            vec![found.with_context(|| format!("no consent {reference}"))?]
        }
        ConsentsCommand::List {
            controller,
            hetu,
            case_reference,
            requested_by,
        } => {
            let controller =
                BusinessId::parse(&controller).map_err(|e| anyhow::anyhow!("--controller: {e}"))?;
            let requested_by = requested_by
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "cli".into());
            let context = LookupContext {
                requested_by: ShortText::parse(&requested_by)
                    .map_err(|e| anyhow::anyhow!("--requested-by: {e}"))?,
                case_reference: ShortText::parse(&case_reference)
                    .map_err(|e| anyhow::anyhow!("--case: {e}"))?,
            };
            let keys = settings.keyring().context("loading the subject keys")?;
            consents::list(store, &keys, &controller, &read_hetu(&hetu)?, context, now).await?
        }
    };
    for consent in &consents {
        println!("{}", consent_line(consent));
    }
    Ok(())
}
