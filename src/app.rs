//! The commands of the `luovutusloki` binary, wired from settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::catalogue::Registers;
use crate::config::{Backend, Settings};
use crate::crypto::{Keyring, generate_key_file};
use crate::domain::RegisterId;
use crate::domain::finnish_time::finnish_day_number;
use crate::domain::provision::Language;
use crate::domain::{BusinessId, Hetu, LookupContext, ShortText, Timestamp};
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
    match backend(&settings)? {
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
    }
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
    let code = if args.hetu == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim().to_owned()
    } else {
        args.hetu.clone()
    };
    // The error never repeats the code.
    let subject = Hetu::parse(&code).map_err(|e| anyhow::anyhow!("--hetu: {e}"))?;
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
