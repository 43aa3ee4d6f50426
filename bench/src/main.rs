//! `luovutusloki-bench`: drives a running luovutusloki server over loopback with N concurrent
//! callers and sets what it measures against baselines on the same database: plain
//! single-row INSERTs, COPY batches (PostgreSQL) and the server's own health check (the gRPC
//! floor). Prints one Markdown report.
//!
//! A client like any other: it speaks the public gRPC API through a client generated from
//! `proto/` by its own build script, and does not link the service's library. Besides the
//! API it reads the server's database (store size, preloaded ranges, row sizes, footprint)
//! and writes bench tables of its own there for the baselines; see [`baseline`].
//!
//! Bench tables are created at the start and dropped at the end (also after an error or
//! Ctrl-C). Preloaded disclosures stay: they are the store the lookups run on, and a rerun
//! loads only what is missing.

mod api;
mod baseline;
mod host;
mod load;
mod open_loop;
mod report;
mod runner;
mod subjects;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Parser;

use api::Connections;
use baseline::Db;
use load::{Budget, Outcome};
use report::{Report, grouped};
use runner::{Bench, Pids};
use subjects::DEFAULT_CONTROLLER;

/// The client of the API, generated from `proto/luovutusloki/v1` by `build.rs`.
mod proto {
    tonic::include_proto!("luovutusloki.v1");
}

/// Benchmark a running luovutusloki server over loopback against baselines on its database.
#[derive(Parser)]
#[command(name = "luovutusloki-bench", version, about)]
pub struct BenchArgs {
    /// The running server to drive; loopback addresses only.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// The server's database (postgres://… or sqlite://path), for the baselines, the store
    /// size and the footprint.
    #[arg(long)]
    pub database_url: String,
    /// Concurrent callers, each with its own connection (gRPC and database).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub callers: u32,
    /// Seconds per scenario; calls in flight then finish.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub duration: u64,
    /// Also stop a scenario after this many calls.
    #[arg(long)]
    pub calls: Option<u64>,
    /// Fill the store through the API up to this many subject entries before the scenarios;
    /// entries already there count. 0: use what is there.
    #[arg(long, default_value_t = 0)]
    pub preload: u64,
    /// The people the preload's subjects are: subject n is the (n mod population)th
    /// synthetic identity code, so each person is in preload / population disclosures.
    #[arg(long, default_value_t = subjects::CAPACITY)]
    pub population: u64,
    /// The preload's disclosures occur in recording order over this many days up to today.
    #[arg(long, default_value_t = 365)]
    pub preload_days: u64,
    /// Scenarios to run, in this order (copy-baseline needs PostgreSQL).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "health,insert-baseline,unary,copy-baseline,bulk,lookup"
    )]
    pub scenarios: Vec<Scenario>,
    /// A second server, started with tamper evidence off (`LUOVUTUSLOKI_TRANSPARENCY__ENABLED=
    /// false`) on a database of its own, for the unary-no-tree scenario.
    #[arg(long)]
    pub no_tree_server: Option<String>,
    /// Business ID (Y-tunnus) of the controller the benchmark records for.
    #[arg(long, default_value = DEFAULT_CONTROLLER)]
    pub controller: String,
    /// The server's process id, for its CPU time and peak RSS; found from --server's port
    /// when not given.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// A SQLite server, for the sqlite-insert-baseline and sqlite-unary scenarios (added to
    /// --scenarios when not listed); needs --sqlite-database-url.
    #[arg(long, requires = "sqlite_database_url")]
    pub sqlite_server: Option<String>,
    /// The SQLite server's database (sqlite://path).
    #[arg(long, requires = "sqlite_server")]
    pub sqlite_database_url: Option<String>,
    /// The SQLite server's process id; found from --sqlite-server's port when not given.
    #[arg(long)]
    pub sqlite_server_pid: Option<u32>,
    /// Open-loop offered rates after the closed loop of health, unary, lookup, statistics
    /// and art30, in percent of the saturation rate it measured.
    #[arg(long, value_delimiter = ',', default_value = "25,50,75",
          value_parser = clap::value_parser!(u32).range(1..=200))]
    pub open_loop: Vec<u32>,
    /// No open-loop runs.
    #[arg(long, conflicts_with = "open_loop")]
    pub no_open_loop: bool,
    /// A fixed offered rate for lookups, calls/s, after the percentages (0: none).
    #[arg(long, default_value_t = 1000)]
    pub lookup_rate: u32,
    /// The `luovutusloki` binary for the verify scenario (default: next to this one).
    #[arg(long)]
    pub luovutusloki_bin: Option<PathBuf>,
}

/// What the benchmark can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// `grpc.health.v1.Health/Check`: the gRPC floor.
    Health,
    /// Single-row INSERTs of record-sized rows, one transaction each.
    InsertBaseline,
    /// RecordDisclosure with one subject.
    Unary,
    /// The same against `--no-tree-server`: what the tree and checkpoints cost.
    UnaryNoTree,
    /// COPY of 1,000 entry-sized rows, one transaction each (PostgreSQL).
    CopyBaseline,
    /// RecordDisclosure with 1,000 subjects.
    Bulk,
    /// ListSubjectDisclosures of preloaded subjects.
    Lookup,
    /// DisclosureStatistics of the last 365 days by recipient and statute, per month.
    Statistics,
    /// The same counts by a plain GROUP BY over the entry table joined to disclosures.
    GroupByBaseline,
    /// ProcessingRecord of the benchmark's register for the last 365 days.
    Art30,
    /// `luovutusloki verify` of the whole log, once.
    Verify,
    /// Single-row INSERTs on --sqlite-database-url, one transaction each.
    SqliteInsertBaseline,
    /// RecordDisclosure with one subject, on --sqlite-server.
    SqliteUnary,
}

impl Scenario {
    /// The name on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::InsertBaseline => "insert-baseline",
            Self::Unary => "unary",
            Self::UnaryNoTree => "unary-no-tree",
            Self::CopyBaseline => "copy-baseline",
            Self::Bulk => "bulk",
            Self::Lookup => "lookup",
            Self::Statistics => "statistics",
            Self::GroupByBaseline => "group-by-baseline",
            Self::Art30 => "art30",
            Self::Verify => "verify",
            Self::SqliteInsertBaseline => "sqlite-insert-baseline",
            Self::SqliteUnary => "sqlite-unary",
        }
    }

    /// Whether the scenario calls a server (the baselines and verify do not).
    fn drives_server(self) -> bool {
        !matches!(
            self,
            Self::InsertBaseline
                | Self::CopyBaseline
                | Self::GroupByBaseline
                | Self::SqliteInsertBaseline
                | Self::Verify
        )
    }

    /// Whether entries per second mean something (subject entries or entry-sized rows).
    fn counts_entries(self) -> bool {
        matches!(
            self,
            Self::Unary
                | Self::UnaryNoTree
                | Self::CopyBaseline
                | Self::Bulk
                | Self::Verify
                | Self::SqliteUnary
        )
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(BenchArgs::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One readable line with its causes, not a backtrace.
            eprintln!("luovutusloki-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark and prints its report to stdout (progress goes to stderr).
async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let controller = check_controller(&args.controller)?;
    api::check_loopback(&args.server)?;
    for server in [&args.no_tree_server, &args.sqlite_server]
        .into_iter()
        .flatten()
    {
        api::check_loopback(server)?;
    }
    let mut scenarios = Vec::new();
    let sqlite_scenarios = [Scenario::SqliteInsertBaseline, Scenario::SqliteUnary];
    let implied = args.sqlite_server.is_some().then_some(sqlite_scenarios);
    for &scenario in args.scenarios.iter().chain(implied.iter().flatten()) {
        if !scenarios.contains(&scenario) {
            scenarios.push(scenario);
        }
    }
    let callers = args.callers as usize;
    let run_millis = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64;
    let (population, preload_days) = (args.population, args.preload_days);
    let open = |server: String| {
        let controller = controller.clone();
        async move {
            anyhow::Ok(
                Connections::open(server, callers, controller, run_millis)
                    .await?
                    .with_preload_shape(population, preload_days),
            )
        }
    };

    let db = Arc::new(Db::connect(&args.database_url, args.callers).await?);
    let conns = Arc::new(open(args.server.clone()).await?);
    db.open_connections(callers).await?;
    let no_tree = match (
        &args.no_tree_server,
        scenarios.contains(&Scenario::UnaryNoTree),
    ) {
        (Some(server), true) => Some(Arc::new(open(server.clone()).await?)),
        _ => None,
    };
    let sqlite = match (&args.sqlite_server, &args.sqlite_database_url) {
        (Some(server), Some(url)) => {
            let sqlite_db = Arc::new(Db::connect(url, args.callers).await?);
            anyhow::ensure!(
                !sqlite_db.is_postgres(),
                "--sqlite-database-url must be sqlite://…"
            );
            sqlite_db.open_connections(callers).await?;
            Some((sqlite_db, Arc::new(open(server.clone()).await?)))
        }
        _ => None,
    };
    let pids = find_pids(&args, no_tree.is_some());

    let mut report = Report::new(
        db.backend_name(),
        callers,
        Duration::from_secs(args.duration),
    );
    report.max_calls = args.calls;
    report.server_pid = pids.server;
    report.sqlite_server_pid = pids.sqlite;
    if args.preload > 0 {
        report.preload = preload(&db, &conns, args.preload, &controller).await?;
    }

    let copy = scenarios.contains(&Scenario::CopyBaseline) && db.is_postgres();
    if copy || scenarios.contains(&Scenario::InsertBaseline) {
        db.create_bench_tables(copy)
            .await
            .context("creating the bench tables")?;
    }
    if let Some((sqlite_db, _)) = &sqlite {
        sqlite_db
            .create_bench_tables(false)
            .await
            .context("creating the bench table on SQLite")?;
    }
    let bench = Bench {
        db: Arc::clone(&db),
        conns,
        no_tree,
        sqlite,
        controller,
        callers,
        budget: Budget {
            duration: Some(report.duration),
            max_calls: args.calls,
        },
        pids,
        open_loop: if args.no_open_loop {
            Vec::new()
        } else {
            args.open_loop
        },
        lookup_rate: args.lookup_rate,
        luovutusloki_bin: match args.luovutusloki_bin {
            Some(path) => path,
            None => std::env::current_exe()?.with_file_name("luovutusloki"),
        },
        database_url: args.database_url,
    };
    let ran = tokio::select! {
        ran = bench.run_scenarios(&scenarios, &mut report) => ran,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    // The bench tables go whatever happened above.
    let mut dropped = db.drop_bench_tables().await;
    if let Some((sqlite_db, _)) = &bench.sqlite {
        dropped = dropped.and(sqlite_db.drop_bench_tables().await);
        sqlite_db.close().await;
    }
    report.bench_tables_left = db.bench_tables_left().await.ok();
    if ran.is_ok() && dropped.is_ok() {
        // Without it the report is still worth printing.
        report.footprint = db
            .footprint()
            .await
            .inspect_err(|e| eprintln!("measuring the footprint failed: {e:#}"))
            .ok();
    }
    db.close().await;
    print!("{}", report.to_markdown());
    ran?;
    dropped.context("dropping the bench tables")
}

/// The server processes, as given or found from their ports.
fn find_pids(args: &BenchArgs, no_tree: bool) -> Pids {
    let find = |server: &Option<String>, given: Option<u32>| {
        let server = server.as_deref()?;
        given.or_else(|| host::listener_pid(api::port_of(server)?))
    };
    let server = find(&Some(args.server.clone()), args.server_pid);
    let no_tree_pid = if no_tree {
        find(&args.no_tree_server, None)
    } else {
        None
    };
    let sqlite = find(&args.sqlite_server, args.sqlite_server_pid);
    let all_found = server.is_some()
        && (!no_tree || no_tree_pid.is_some())
        && (args.sqlite_server.is_none() || sqlite.is_some());
    for (name, url, pid) in [
        ("--server", Some(&args.server), server),
        ("--sqlite-server", args.sqlite_server.as_ref(), sqlite),
    ] {
        match (url, pid) {
            (Some(url), Some(pid)) => eprintln!("{name} {url}: process {pid}"),
            (Some(url), None) => eprintln!(
                "{name} {url}: its process was not found (give its pid); no CPU or RSS of it"
            ),
            (None, _) => {}
        }
    }
    Pids {
        server,
        no_tree: no_tree_pid,
        sqlite,
        all_found,
    }
}

/// Records preload disclosures until the store holds `target` subject entries. Returns the
/// preload's outcome, or `None` when the store was big enough already.
async fn preload(
    db: &Db,
    conns: &Arc<Connections>,
    target: u64,
    controller: &str,
) -> anyhow::Result<Option<Outcome>> {
    let existing = u64::try_from(db.entry_count().await?)?;
    if existing >= target {
        eprintln!(
            "store has {} subject entries (≥ {}): nothing to preload",
            grouped(existing),
            grouped(target)
        );
        return Ok(None);
    }
    let missing = target - existing;
    // New subject numbers start after every earlier preload's; with `--population` below
    // their count, they are people seen before.
    let first = db
        .preloaded(controller)
        .await?
        .iter()
        .map(|r| r.first + r.count)
        .max()
        .unwrap_or(0);
    let chunks = api::preload_chunks(first, missing);
    eprintln!(
        "preloading {} subject entries ({} already there) in {} disclosures, {} at a time",
        grouped(missing),
        grouped(existing),
        chunks.len(),
        api::PRELOAD_CALLERS
    );
    let outcome = conns.preload(chunks).await?;
    if outcome.error_count() > 0 {
        eprintln!(
            "preload: {} disclosures failed ({}); lookups use what was recorded",
            outcome.error_count(),
            outcome.first_error.as_deref().unwrap_or_default()
        );
    }
    Ok(Some(outcome))
}

/// The business ID in normalised form (as the server stores it), or an error that gives the
/// right check digit when only it is wrong.
fn check_controller(id: &str) -> anyhow::Result<String> {
    let error = match subjects::normalise_business_id(id) {
        Ok(valid) => return Ok(valid),
        Err(error) => error,
    };
    let hint = id
        .split_once('-')
        .and_then(|(number, _)| number.parse().ok())
        .and_then(subjects::business_id_check_digit)
        .map(|digit| format!(" (the check digit of that number is {digit})"))
        .unwrap_or_default();
    anyhow::bail!("--controller {id}: {error}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_controller_is_checked_and_normalised() {
        assert_eq!(check_controller(DEFAULT_CONTROLLER).unwrap(), "1234567-1");
        // The old six-digit form gets its leading zero, as the server stores it.
        assert_eq!(check_controller("179377-8").unwrap(), "0179377-8");
        let wrong = check_controller("1234567-8").unwrap_err().to_string();
        assert!(wrong.contains("check digit of that number is 1"), "{wrong}");
        assert!(check_controller("1234567").is_err());
    }
}
