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
mod load;
mod report;
mod subjects;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Parser;

use api::Connections;
use baseline::Db;
use load::{Budget, Outcome};
use report::{Report, grouped};
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
        }
    }

    /// Whether entries per second mean something (subject entries or entry-sized rows).
    fn counts_entries(self) -> bool {
        matches!(
            self,
            Self::Unary | Self::UnaryNoTree | Self::CopyBaseline | Self::Bulk
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
    if let Some(server) = &args.no_tree_server {
        api::check_loopback(server)?;
    }
    let mut scenarios = Vec::new();
    for scenario in args.scenarios {
        if !scenarios.contains(&scenario) {
            scenarios.push(scenario);
        }
    }
    let callers = args.callers as usize;
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH)?;

    let db = Arc::new(Db::connect(&args.database_url, args.callers).await?);
    let conns = Arc::new(
        Connections::open(
            &args.server,
            callers,
            controller.clone(),
            since_epoch.as_millis() as u64,
        )
        .await?,
    );
    db.open_connections(callers).await?;
    let no_tree = match (
        &args.no_tree_server,
        scenarios.contains(&Scenario::UnaryNoTree),
    ) {
        (Some(server), true) => Some(Arc::new(
            Connections::open(
                server,
                callers,
                controller.clone(),
                since_epoch.as_millis() as u64,
            )
            .await?,
        )),
        _ => None,
    };

    let mut report = Report {
        backend: db.backend_name(),
        callers,
        duration: Duration::from_secs(args.duration),
        max_calls: args.calls,
        date: time::OffsetDateTime::now_utc().date().to_string(),
        preload: None,
        results: Vec::new(),
        skipped: Vec::new(),
        row_size: None,
        lookup_store: None,
        analyzed: false,
        footprint: None,
        bench_tables_left: None,
    };
    if args.preload > 0 {
        report.preload = preload(&db, &conns, args.preload, &controller).await?;
    }

    let budget = Budget {
        duration: Some(report.duration),
        max_calls: args.calls,
    };
    let copy = scenarios.contains(&Scenario::CopyBaseline) && db.is_postgres();
    if copy || scenarios.contains(&Scenario::InsertBaseline) {
        db.create_bench_tables(copy)
            .await
            .context("creating the bench tables")?;
    }
    let ran = tokio::select! {
        ran = run_scenarios(&scenarios, &db, (&conns, no_tree.as_ref()), budget, &controller, &mut report) => ran,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    // The bench tables go whatever happened above.
    let dropped = db.drop_bench_tables().await;
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
    // New codes start after every earlier preload's, so each preloaded subject is distinct.
    let first = db
        .preloaded(controller)
        .await?
        .iter()
        .map(|r| r.first + r.count)
        .max()
        .unwrap_or(0);
    anyhow::ensure!(
        first + missing <= subjects::CAPACITY,
        "preloading {missing} more subjects after code #{first} would exceed the {} synthetic codes",
        subjects::CAPACITY
    );
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

async fn run_scenarios(
    scenarios: &[Scenario],
    db: &Arc<Db>,
    (conns, no_tree): (&Arc<Connections>, Option<&Arc<Connections>>),
    budget: Budget,
    controller: &str,
    report: &mut Report,
) -> anyhow::Result<()> {
    for &scenario in scenarios {
        let outcome = match scenario {
            Scenario::Health => {
                announce(scenario, report);
                conns.health(budget).await?
            }
            Scenario::InsertBaseline => {
                let size = db.record_row_size().await?;
                let bytes = size.payload_bytes;
                report.row_size = Some(size);
                announce(scenario, report);
                let db = Arc::clone(db);
                load::run(report.callers, budget, move |call| {
                    let db = Arc::clone(&db);
                    async move { db.insert_row(call.seq, bytes).await }
                })
                .await?
            }
            Scenario::Unary => {
                announce(scenario, report);
                conns.unary(budget).await?
            }
            Scenario::UnaryNoTree => {
                let Some(no_tree) = no_tree else {
                    report.skipped.push((
                        scenario,
                        "needs --no-tree-server, a server with tamper evidence off".into(),
                    ));
                    continue;
                };
                announce(scenario, report);
                no_tree.unary(budget).await?
            }
            Scenario::CopyBaseline if !db.is_postgres() => {
                report
                    .skipped
                    .push((scenario, "COPY is PostgreSQL only".into()));
                continue;
            }
            Scenario::CopyBaseline => {
                let sizes = db.entry_sizes().await?;
                announce(scenario, report);
                let db = Arc::clone(db);
                load::run(report.callers, budget, move |call| {
                    let db = Arc::clone(&db);
                    async move { db.copy_batch(call.seq, api::BULK_SUBJECTS, sizes).await }
                })
                .await?
            }
            Scenario::Bulk => {
                announce(scenario, report);
                conns.bulk(budget).await?
            }
            Scenario::Lookup => {
                let ranges = db.preloaded(controller).await?;
                let preloaded: u64 = ranges.iter().map(|r| r.count).sum();
                if preloaded == 0 {
                    report.skipped.push((
                        scenario,
                        format!(
                            "no subjects preloaded for controller {controller}: run with --preload N"
                        ),
                    ));
                    continue;
                }
                report.analyzed = db.analyze().await?;
                let entries = db.entry_count().await?;
                report.lookup_store = Some((entries, preloaded));
                announce(scenario, report);
                conns.lookup(budget, &ranges).await?
            }
            Scenario::Statistics => {
                announce(scenario, report);
                conns.statistics(budget).await?
            }
            Scenario::Art30 => {
                announce(scenario, report);
                conns.art30(budget).await?
            }
            Scenario::GroupByBaseline => {
                announce(scenario, report);
                let db = Arc::clone(db);
                let controller = controller.to_owned();
                load::run(report.callers, budget, move |_| {
                    let (db, controller) = (Arc::clone(&db), controller.clone());
                    async move { db.group_by_year(&controller).await }
                })
                .await?
            }
        };
        eprintln!(
            "  {}: {} calls, {} errors, {:.0} calls/s",
            scenario.name(),
            grouped(outcome.calls),
            grouped(outcome.error_count()),
            outcome.calls_per_sec()
        );
        report.results.push((scenario, outcome));
    }
    Ok(())
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

fn announce(scenario: Scenario, report: &Report) {
    eprintln!(
        "running {} for {} s with {} callers",
        scenario.name(),
        report.duration.as_secs(),
        report.callers
    );
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
