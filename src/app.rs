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
    let day = |flag: &str, text: &str| -> anyhow::Result<time::Date> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &format).with_context(|| format!("{flag}: expected YYYY-MM-DD"))
    };
    let (from, to) = (day("--from", &args.from)?, day("--to", &args.to)?);
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
    let rows = match backend(&settings)? {
        Backend::Sqlite(path) => {
            let store = SqliteStore::open(&path, 1)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?;
            store.rollup(&controller, Some(&register_id), days).await
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::connect(&url, 2)
                .await
                .context("connecting to PostgreSQL")?;
            store.rollup(&controller, Some(&register_id), days).await
        }
    }
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
