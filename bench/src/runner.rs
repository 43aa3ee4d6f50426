//! Runs the scenarios one after another and measures each from outside as well: the CPU the
//! server, the database and the benchmark used (from `/proc`, see [`host`]), the server's
//! peak RSS, and, for the scenarios people wait on, the latency at fixed offered rates below
//! the saturation rate the closed loop found (see [`open_loop`](super::open_loop)).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::Scenario;
use super::api::{self, Connections};
use super::baseline::{Db, EntrySizes, Range};
use super::host;
use super::load::{self, Budget, Drive, OpError, Outcome};
use super::open_loop::Plan;
use super::report::{Cost, OpenRun, PeakRss, Report, grouped};

/// Open-loop slots per caller: calls in flight at once, over the callers' connections. A
/// closed loop keeps one call per caller in flight; the open loop may need more in a burst,
/// but not without bound.
pub const OPEN_LOOP_SLOTS_PER_CALLER: usize = 4;

/// The scenarios whose latency people wait on, measured in an open loop too; health is the
/// floor to read them against.
const OPEN_LOOP_SCENARIOS: [Scenario; 5] = [
    Scenario::Health,
    Scenario::Unary,
    Scenario::Lookup,
    Scenario::Statistics,
    Scenario::Art30,
];

/// The processes of the servers the benchmark talks to, where found.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pids {
    pub server: Option<u32>,
    pub no_tree: Option<u32>,
    pub sqlite: Option<u32>,
    /// Whether every server the benchmark talks to was found.
    pub all_found: bool,
}

impl Pids {
    fn known(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = [self.server, self.no_tree, self.sqlite]
            .into_iter()
            .flatten()
            .collect();
        pids.dedup();
        pids
    }
}

/// What the scenarios run against, opened before the first.
pub struct Bench {
    pub db: Arc<Db>,
    pub conns: Arc<Connections>,
    pub no_tree: Option<Arc<Connections>>,
    /// A SQLite server and its database, for the SQLite scenarios.
    pub sqlite: Option<(Arc<Db>, Arc<Connections>)>,
    pub controller: String,
    pub callers: usize,
    pub budget: Budget,
    pub pids: Pids,
    /// Open-loop rates, in percent of the saturation rate.
    pub open_loop: Vec<u32>,
    /// Fixed offered rate for lookups, calls/s (0: none).
    pub lookup_rate: u32,
    /// `luovutusloki`, for `verify`.
    pub luovutusloki_bin: PathBuf,
    /// The server's database, for `verify`.
    pub database_url: String,
}

/// A scenario ready to run, with what it needs.
enum Work {
    Health,
    Insert { db: Arc<Db>, bytes: usize },
    Unary(Arc<Connections>),
    Copy(EntrySizes),
    Bulk,
    Lookup(Vec<Range>),
    Statistics,
    Art30,
    GroupBy,
    Verify,
}

impl Bench {
    /// Runs `scenarios` in order, adding what each measured to `report`.
    pub async fn run_scenarios(
        &self,
        scenarios: &[Scenario],
        report: &mut Report,
    ) -> anyhow::Result<()> {
        report.ticks_per_second = host::ticks_per_second();
        let servers = self.pids.known();
        for &scenario in scenarios {
            let Some(work) = self.prepare(scenario, report).await? else {
                continue;
            };
            let server = self.server_of(scenario);
            let rss_reset = server.map(host::reset_peak_rss);
            announce(scenario, report);
            let before = host::sample(&servers, self.pids.all_found);
            let outcome = match &work {
                Work::Verify => self.verify().await?,
                work => self.work(work, Drive::Closed(self.budget)).await?,
            };
            let cpu = before.until(&host::sample(&servers, self.pids.all_found), server);
            eprintln!(
                "  {}: {} calls, {} errors, {:.0} calls/s",
                scenario.name(),
                grouped(outcome.calls),
                grouped(outcome.error_count()),
                outcome.calls_per_sec()
            );
            if OPEN_LOOP_SCENARIOS.contains(&scenario) && outcome.calls > 0 {
                self.open_loops(scenario, &work, outcome.calls_per_sec(), report)
                    .await?;
            }
            let peak_rss = server.and_then(|pid| {
                Some(PeakRss {
                    bytes: host::peak_rss(pid)?,
                    reset: rss_reset == Some(true),
                })
            });
            report.costs.push((scenario, Cost { cpu, peak_rss }));
            report.results.push((scenario, outcome));
        }
        Ok(())
    }

    /// The open-loop runs after `scenario`'s closed loop found `saturation` calls/s.
    async fn open_loops(
        &self,
        scenario: Scenario,
        work: &Work,
        saturation: f64,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        let mut rates: Vec<(Option<u32>, f64)> = self
            .open_loop
            .iter()
            .map(|&percent| (Some(percent), saturation * f64::from(percent) / 100.0))
            .collect();
        if scenario == Scenario::Lookup && self.lookup_rate > 0 {
            rates.push((None, f64::from(self.lookup_rate)));
        }
        for (percent, rate) in rates {
            let duration = self.budget.duration.unwrap_or(Duration::from_secs(10));
            eprintln!(
                "  {} open loop: {rate:.1} calls/s offered for {} s",
                scenario.name(),
                duration.as_secs()
            );
            let plan = Plan {
                rate,
                duration,
                slots: self.callers * OPEN_LOOP_SLOTS_PER_CALLER,
            };
            let outcome = self.work(work, Drive::Open(plan)).await?;
            report.open_loop.push(OpenRun {
                scenario,
                percent,
                offered: rate,
                outcome,
            });
        }
        Ok(())
    }

    /// The server `scenario` drives, if its process is known.
    fn server_of(&self, scenario: Scenario) -> Option<u32> {
        match scenario {
            _ if !scenario.drives_server() => None,
            Scenario::UnaryNoTree => self.pids.no_tree,
            Scenario::SqliteUnary => self.pids.sqlite,
            _ => self.pids.server,
        }
    }

    /// What `scenario` needs, or `None` (with the reason in `report.skipped`) when it cannot
    /// run here.
    async fn prepare(
        &self,
        scenario: Scenario,
        report: &mut Report,
    ) -> anyhow::Result<Option<Work>> {
        let work = match scenario {
            Scenario::Health => Work::Health,
            Scenario::InsertBaseline => {
                let size = self.db.record_row_size().await?;
                let bytes = size.payload_bytes;
                report.row_size = Some(size);
                Work::Insert {
                    db: Arc::clone(&self.db),
                    bytes,
                }
            }
            Scenario::Unary => Work::Unary(Arc::clone(&self.conns)),
            Scenario::UnaryNoTree => match &self.no_tree {
                Some(conns) => Work::Unary(Arc::clone(conns)),
                None => {
                    return Ok(skip(
                        report,
                        scenario,
                        "needs --no-tree-server, a server with tamper evidence off",
                    ));
                }
            },
            Scenario::SqliteInsertBaseline | Scenario::SqliteUnary => {
                let Some((db, conns)) = &self.sqlite else {
                    return Ok(skip(
                        report,
                        scenario,
                        "needs --sqlite-server and --sqlite-database-url",
                    ));
                };
                if scenario == Scenario::SqliteUnary {
                    Work::Unary(Arc::clone(conns))
                } else {
                    let size = db.record_row_size().await?;
                    let bytes = size.payload_bytes;
                    report.sqlite_row_size = Some(size);
                    Work::Insert {
                        db: Arc::clone(db),
                        bytes,
                    }
                }
            }
            Scenario::CopyBaseline if !self.db.is_postgres() => {
                return Ok(skip(report, scenario, "COPY is PostgreSQL only"));
            }
            Scenario::CopyBaseline => Work::Copy(self.db.entry_sizes().await?),
            Scenario::Bulk => Work::Bulk,
            Scenario::Lookup => {
                let ranges = self.db.preloaded(&self.controller).await?;
                let preloaded: u64 = ranges.iter().map(|r| r.count).sum();
                if preloaded == 0 {
                    let why = format!(
                        "no subjects preloaded for controller {}: run with --preload N",
                        self.controller
                    );
                    return Ok(skip(report, scenario, why));
                }
                report.analyzed = self.db.analyze().await?;
                let entries = self.db.entry_count().await?;
                report.lookup_store = Some((entries, preloaded));
                report.stores.push((scenario, entries));
                Work::Lookup(ranges)
            }
            Scenario::Statistics | Scenario::Art30 | Scenario::Verify => {
                let entries = self.db.entry_count().await?;
                report.stores.push((scenario, entries));
                match scenario {
                    Scenario::Statistics => Work::Statistics,
                    Scenario::Art30 => Work::Art30,
                    _ => Work::Verify,
                }
            }
            Scenario::GroupByBaseline => Work::GroupBy,
        };
        Ok(Some(work))
    }

    /// Runs `work` as `drive` says.
    async fn work(&self, work: &Work, drive: Drive) -> anyhow::Result<Outcome> {
        let conns = &self.conns;
        match work {
            Work::Health => conns.health(drive).await,
            Work::Unary(conns) => conns.unary(drive).await,
            Work::Bulk => conns.bulk(drive).await,
            Work::Lookup(ranges) => conns.lookup(drive, ranges).await,
            Work::Statistics => conns.statistics(drive).await,
            Work::Art30 => conns.art30(drive).await,
            &Work::Insert { ref db, bytes } => {
                let db = Arc::clone(db);
                load::drive(self.callers, drive, move |call| {
                    let db = Arc::clone(&db);
                    async move { db.insert_row(call.seq, bytes).await }
                })
                .await
            }
            &Work::Copy(sizes) => {
                let db = Arc::clone(&self.db);
                load::drive(self.callers, drive, move |call| {
                    let db = Arc::clone(&db);
                    async move { db.copy_batch(call.seq, api::BULK_SUBJECTS, sizes).await }
                })
                .await
            }
            Work::GroupBy => {
                let db = Arc::clone(&self.db);
                let controller = self.controller.clone();
                load::drive(self.callers, drive, move |_| {
                    let (db, controller) = (Arc::clone(&db), controller.clone());
                    async move { db.group_by_year(&controller).await }
                })
                .await
            }
            Work::Verify => anyhow::bail!("verify is not a load"),
        }
    }

    /// `luovutusloki verify` of the server's database, once: one call whose entries are the
    /// store's subject entries. It runs with the benchmark's environment (the server's key
    /// directory and settings), with the database URL set to `--database-url`.
    async fn verify(&self) -> anyhow::Result<Outcome> {
        let entries = u64::try_from(self.db.entry_count().await?)?;
        let mut command = std::process::Command::new(&self.luovutusloki_bin);
        command
            .arg("verify")
            .env("LUOVUTUSLOKI_DATABASE__URL", &self.database_url);
        let began = Instant::now();
        let output = tokio::task::spawn_blocking(move || command.output())
            .await?
            .with_context(|| {
                format!(
                    "running {} verify (give --luovutusloki-bin)",
                    self.luovutusloki_bin.display()
                )
            })?;
        let result = if output.status.success() {
            Ok(entries)
        } else {
            let text = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let last = text
                .lines()
                .chain(stdout.lines())
                .last()
                .unwrap_or_default();
            Err(OpError::new("VERIFY_FAILED", last.to_owned()))
        };
        Ok(Outcome::single(result, began.elapsed()))
    }
}

/// Notes in `report` why `scenario` cannot run; no work.
fn skip(report: &mut Report, scenario: Scenario, why: impl Into<String>) -> Option<Work> {
    report.skipped.push((scenario, why.into()));
    None
}

fn announce(scenario: Scenario, report: &Report) {
    eprintln!(
        "running {} for {} s with {} callers",
        scenario.name(),
        report.duration.as_secs(),
        report.callers
    );
}
