//! The benchmark's results as Markdown, ready to paste into the README: the table of the
//! scenarios, what each cost in CPU and memory, the open-loop latencies, notes on the store
//! and its footprint, and last the table of issue 14's targets with what this run measured.

use std::fmt::Write;
use std::time::Duration;

use super::Scenario;
use super::baseline::{Footprint, RowSize};
use super::host::{CpuUse, Ticks};
use super::load::Outcome;

/// Subject entries the scale targets are stated for.
const TARGET_ENTRIES: i64 = 100_000_000;

/// What one scenario's closed loop cost, measured from outside.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub cpu: CpuUse,
    /// The driven server's peak RSS over the scenario (its open loops included).
    pub peak_rss: Option<PeakRss>,
}

/// A server's peak resident set size.
#[derive(Debug, Clone, Copy)]
pub struct PeakRss {
    pub bytes: u64,
    /// Whether the peak was reset at the scenario's start; if not, it is since the server
    /// started.
    pub reset: bool,
}

/// One open-loop run after a scenario's closed loop.
#[derive(Debug, Clone)]
pub struct OpenRun {
    pub scenario: Scenario,
    /// The offered rate in percent of the saturation rate; `None` for a fixed rate.
    pub percent: Option<u32>,
    /// Calls per second offered.
    pub offered: f64,
    pub outcome: Outcome,
}

/// Everything one run measured.
pub struct Report {
    pub backend: &'static str,
    pub callers: usize,
    pub duration: Duration,
    pub max_calls: Option<u64>,
    pub date: String,
    /// Preload done in this run: entries loaded, disclosures, outcome.
    pub preload: Option<Outcome>,
    /// Scenarios in the order they ran.
    pub results: Vec<(Scenario, Outcome)>,
    /// Scenarios not run, and why.
    pub skipped: Vec<(Scenario, String)>,
    pub row_size: Option<RowSize>,
    pub sqlite_row_size: Option<RowSize>,
    /// Store size when the lookups ran, and the preloaded subjects they were drawn from.
    pub lookup_store: Option<(i64, u64)>,
    /// Whether the planner statistics were refreshed (ANALYZE) before the lookups.
    pub analyzed: bool,
    pub footprint: Option<Footprint>,
    /// Bench tables still in the database after the clean-up (should be 0).
    pub bench_tables_left: Option<i64>,
    /// CPU and memory of each scenario's closed loop.
    pub costs: Vec<(Scenario, Cost)>,
    /// Open-loop runs, in the order they ran.
    pub open_loop: Vec<OpenRun>,
    /// Subject entries in the store when a scenario started (those whose target names a
    /// store size).
    pub stores: Vec<(Scenario, i64)>,
    /// Clock ticks per second of the CPU times.
    pub ticks_per_second: u64,
    /// Cores the machine's busy time is shared out over.
    pub cores: usize,
    pub server_pid: Option<u32>,
    pub sqlite_server_pid: Option<u32>,
}

impl Report {
    /// An empty report of a run on `backend` with `callers` for `duration` per scenario.
    pub fn new(backend: &'static str, callers: usize, duration: Duration) -> Self {
        Self {
            backend,
            callers,
            duration,
            max_calls: None,
            date: time::OffsetDateTime::now_utc().date().to_string(),
            preload: None,
            results: Vec::new(),
            skipped: Vec::new(),
            row_size: None,
            sqlite_row_size: None,
            lookup_store: None,
            analyzed: false,
            footprint: None,
            bench_tables_left: None,
            costs: Vec::new(),
            open_loop: Vec::new(),
            stores: Vec::new(),
            ticks_per_second: 0,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            server_pid: None,
            sqlite_server_pid: None,
        }
    }

    fn outcome(&self, scenario: Scenario) -> Option<&Outcome> {
        self.results
            .iter()
            .find(|(s, _)| *s == scenario)
            .map(|(_, o)| o)
    }

    fn cost(&self, scenario: Scenario) -> Option<&Cost> {
        self.costs
            .iter()
            .find(|(s, _)| *s == scenario)
            .map(|(_, c)| c)
    }

    fn store(&self, scenario: Scenario) -> Option<i64> {
        self.stores
            .iter()
            .find(|(s, _)| *s == scenario)
            .map(|&(_, n)| n)
    }

    fn open_run(&self, scenario: Scenario, percent: Option<u32>) -> Option<&Outcome> {
        self.open_loop
            .iter()
            .find(|r| r.scenario == scenario && r.percent == percent && r.outcome.calls > 0)
            .map(|r| &r.outcome)
    }

    /// CPU µs per successful call of `scenario`, of what `pick` chooses.
    fn per_call_us(&self, scenario: Scenario, pick: fn(&CpuUse) -> Option<Ticks>) -> Option<f64> {
        let calls = self.outcome(scenario)?.calls;
        let ticks = pick(&self.cost(scenario)?.cpu)?;
        (calls > 0 && self.ticks_per_second > 0)
            .then(|| ticks as f64 * 1e6 / self.ticks_per_second as f64 / calls as f64)
    }

    /// Where the database works when it is not a process of its own (SQLite runs in whoever
    /// opens the file), for `scenario`.
    fn database_inside(&self, scenario: Scenario) -> Option<&'static str> {
        use Scenario::*;
        let sqlite = self.backend == "SQLite";
        match scenario {
            SqliteUnary => Some("in the server"),
            SqliteInsertBaseline => Some("in the client"),
            InsertBaseline | GroupByBaseline if sqlite => Some("in the client"),
            Verify if sqlite => Some("in the client (verify)"),
            Health | Unary | UnaryNoTree | Bulk | Lookup | Statistics | Art30 if sqlite => {
                Some("in the server")
            }
            _ => None,
        }
    }

    /// Database CPU µs per call of `scenario`, when the database is a process of its own.
    fn database_us(&self, scenario: Scenario) -> Option<f64> {
        if self.database_inside(scenario).is_some() {
            return None;
        }
        self.per_call_us(scenario, |c| c.database)
    }

    /// The whole report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        self.write(&mut out).expect("writing to a String");
        out
    }

    fn write(&self, out: &mut String) -> std::fmt::Result {
        let limit = match self.max_calls {
            Some(calls) => format!(" (at most {} calls)", grouped(calls)),
            None => String::new(),
        };
        writeln!(
            out,
            "### luovutusloki bench, {}: {}, {} callers, {} s per scenario{limit}\n",
            self.date,
            self.backend,
            self.callers,
            self.duration.as_secs()
        )?;
        writeln!(
            out,
            "| scenario | calls | errors | seconds | calls/s | entries/s | p50 ms | p99 ms | max ms |"
        )?;
        writeln!(out, "|---|--:|---|--:|--:|--:|--:|--:|--:|")?;
        for (scenario, o) in &self.results {
            let entries = if scenario.counts_entries() {
                grouped(o.entries_per_sec().round() as u64)
            } else {
                "—".into()
            };
            writeln!(
                out,
                "| {} | {} | {} | {:.2} | {} | {entries} | {:.2} | {:.2} | {:.2} |",
                scenario.name(),
                grouped(o.calls),
                errors(o),
                o.elapsed.as_secs_f64(),
                rate(o.calls_per_sec()),
                o.quantile_ms(0.5),
                o.quantile_ms(0.99),
                o.max_ms(),
            )?;
        }
        writeln!(out)?;
        self.write_costs(out)?;
        self.write_open_loop(out)?;
        self.write_notes(out)?;
        writeln!(out)?;
        write_targets(out, &self.figures())
    }

    fn write_costs(&self, out: &mut String) -> std::fmt::Result {
        if self.costs.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "| scenario | server CPU µs/call | database CPU µs/call | postgres processes µs/call \
             | rest of the machine µs/call | client CPU µs/call | machine busy | server peak RSS |"
        )?;
        writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|")?;
        let us = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.0}"));
        for (scenario, cost) in &self.costs {
            let server = if scenario.drives_server() {
                us(self.per_call_us(*scenario, |c| c.server))
            } else {
                "—".into()
            };
            let database = match self.database_inside(*scenario) {
                Some(inside) => inside.to_string(),
                None => us(self.database_us(*scenario)),
            };
            // What the machine did beside the servers, the client and PostgreSQL: how much
            // of the database column is other work.
            let rest = us(self.per_call_us(*scenario, |c| {
                c.database?.checked_sub(c.postgres.unwrap_or(0))
            }));
            let busy = match cost.cpu.machine {
                Some(t) if self.ticks_per_second > 0 && !cost.cpu.wall.is_zero() => format!(
                    "{:.0} %",
                    100.0 * t as f64
                        / (self.ticks_per_second as f64
                            * cost.cpu.wall.as_secs_f64()
                            * self.cores as f64)
                ),
                _ => "n/a".into(),
            };
            let rss = match cost.peak_rss {
                Some(p) => format!("{}{}", mb(p.bytes), if p.reset { "" } else { " ²" }),
                None => "—".into(),
            };
            writeln!(
                out,
                "| {} | {server} | {database} | {} | {rest} | {} | {busy} | {rss} |",
                scenario.name(),
                us(self.per_call_us(*scenario, |c| c.postgres)),
                us(self.per_call_us(*scenario, |c| c.client)),
            )?;
        }
        writeln!(out)
    }

    fn write_open_loop(&self, out: &mut String) -> std::fmt::Result {
        if self.open_loop.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "| open loop | offered calls/s | of saturation | achieved calls/s | calls | late | unsent | errors | p50 ms | p99 ms | max ms |"
        )?;
        writeln!(out, "|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|")?;
        for run in &self.open_loop {
            let o = &run.outcome;
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} |",
                run.scenario.name(),
                rate(run.offered),
                run.percent.map_or("fixed".into(), |p| format!("{p} %")),
                rate(o.calls_per_sec()),
                grouped(o.calls),
                grouped(o.late),
                grouped(o.unsent),
                errors(o),
                o.quantile_ms(0.5),
                o.quantile_ms(0.99),
                o.max_ms(),
            )?;
        }
        writeln!(out)
    }

    /// The figures the targets are stated in, as far as this run measured them.
    fn figures(&self) -> Figures {
        use Scenario::*;
        let ratio = |a: Option<f64>, b: Option<f64>| {
            let (a, b) = (a?, b?);
            (b > 0.0).then(|| a / b)
        };
        let calls = |s: Scenario| self.outcome(s).map(Outcome::calls_per_sec);
        let entries = |s: Scenario| self.outcome(s).map(Outcome::entries_per_sec);
        let server = |s: Scenario| self.per_call_us(s, |c| c.server);
        let postgres = |s: Scenario| {
            self.database_inside(s)
                .is_none()
                .then(|| self.per_call_us(s, |c| c.postgres))
                .flatten()
        };
        let p99 = |o: &Outcome| (o.calls > 0).then(|| o.quantile_ms(0.99));
        let sqlite = if self.outcome(SqliteUnary).is_some() {
            ratio(calls(SqliteUnary), calls(SqliteInsertBaseline))
        } else if self.backend == "SQLite" {
            ratio(calls(Unary), calls(InsertBaseline))
        } else {
            None
        };
        let at = |value: Option<f64>, store: Option<i64>| Some((value?, store?));
        Figures {
            unary_server_vs_health: ratio(server(Unary), server(Health)),
            unary_database_vs_insert: ratio(
                self.database_us(Unary),
                self.database_us(InsertBaseline),
            ),
            unary_vs_insert: ratio(calls(Unary), calls(InsertBaseline)),
            unary_open_p99_ms: self.open_run(Unary, Some(50)).and_then(p99),
            bulk_vs_copy: ratio(entries(Bulk), entries(CopyBaseline)),
            sqlite_unary_vs_insert: sqlite,
            lookup_database_us: self.database_us(Lookup),
            unary_postgres_vs_insert: ratio(postgres(Unary), postgres(InsertBaseline)),
            lookup_postgres_us: postgres(Lookup),
            lookup_fixed_rate: self
                .open_loop
                .iter()
                .find(|r| r.scenario == Lookup && r.percent.is_none())
                .map(|r| r.offered),
            lookup_open_p99_ms: at(
                self.open_run(Lookup, None).and_then(p99),
                self.store(Lookup),
            ),
            statistics_p99_ms: at(
                self.outcome(Statistics).and_then(p99),
                self.store(Statistics),
            ),
            art30_p99_ms: at(self.outcome(Art30).and_then(p99), self.store(Art30)),
            bytes_per_entry: self.footprint.as_ref().and_then(|f| {
                (f.entries > 0).then(|| (f.log_bytes as f64 / f.entries as f64, f.entries))
            }),
            peak_rss_mb: self
                .costs
                .iter()
                .filter_map(|(_, c)| c.peak_rss)
                .map(|p| p.bytes as f64 / 1e6)
                .reduce(f64::max),
            verify_per_sec: at(
                self.outcome(Verify)
                    .filter(|o| o.calls > 0)
                    .map(Outcome::entries_per_sec),
                self.store(Verify),
            ),
        }
    }

    fn write_notes(&self, out: &mut String) -> std::fmt::Result {
        if !self.costs.is_empty() {
            let pid = |pid: Option<u32>| pid.map_or("not found".into(), |p| format!("process {p}"));
            writeln!(
                out,
                "- CPU per successful call of each closed loop, from /proc ({} ticks/s): the server's \
                 ({}) from its own stat; the database's as the machine's busy time (user, nice, system, \
                 irq, softirq) minus every server's and the benchmark's; the postgres processes' as a \
                 cross-check (the whole cluster's, other databases included; those that exited during the scenario are missing); the client's own \
                 with its waited-for children. Other work on the machine counts as the database's: \
                 the rest of the machine column is the database column minus the postgres processes. Peak RSS is the driven server's VmHWM, reset \
                 (clear_refs) at the scenario's start, over its closed and open loops.",
                self.ticks_per_second,
                pid(self.server_pid),
            )?;
            if let Some(pid) = self.sqlite_server_pid {
                writeln!(out, "- SQLite server: process {pid}.")?;
            }
            if self
                .costs
                .iter()
                .any(|(_, c)| c.peak_rss.is_some_and(|p| !p.reset))
            {
                writeln!(
                    out,
                    "- ² The peak could not be reset (clear_refs not writable): peak since the server started."
                )?;
            }
        }
        if !self.open_loop.is_empty() {
            writeln!(
                out,
                "- Open loop: calls sent on a fixed schedule round-robin over the callers' connections, at \
                 most {} in flight; latency from each call's intended start (no coordinated omission). \
                 Late: calls that waited for a free slot; unsent: calls still waiting when the run gave up.",
                grouped((self.callers * super::runner::OPEN_LOOP_SLOTS_PER_CALLER) as u64)
            )?;
        }
        if let (Some(tree), Some(no_tree)) = (
            self.outcome(Scenario::Unary),
            self.outcome(Scenario::UnaryNoTree),
        ) && no_tree.calls_per_sec() > 0.0
        {
            writeln!(
                out,
                "- unary ÷ unary-no-tree: {:.2}× (tamper evidence costs at most 15%: ≥ 0.85×).",
                tree.calls_per_sec() / no_tree.calls_per_sec()
            )?;
        }
        if let Some(size) = &self.sqlite_row_size {
            writeln!(
                out,
                "- sqlite-insert-baseline row: 8-byte id + {}-byte random payload, {}.",
                size.payload_bytes, size.how
            )?;
        }
        if let Some((entries, preloaded)) = self.lookup_store {
            writeln!(
                out,
                "- Store for lookup: {} subject entries; lookups drew uniformly from {} preloaded subjects.",
                grouped(entries as u64),
                grouped(preloaded)
            )?;
            if self.analyzed {
                writeln!(
                    out,
                    "- ANALYZE of the log tables ran just before the lookups (as autovacuum would \
                     have by then), so the planner probes the subject index."
                )?;
            }
        }
        if let Some(p) = &self.preload {
            writeln!(
                out,
                "- Preload in this run: {} subject entries in {} disclosures of up to 50,000, {:.1} s ({} entries/s), errors: {}.",
                grouped(p.entries),
                grouped(p.calls),
                p.elapsed.as_secs_f64(),
                grouped(p.entries_per_sec().round() as u64),
                errors(p)
            )?;
        }
        if let Some(f) = &self.footprint {
            let per = |bytes: i64| {
                if f.entries > 0 {
                    format!("{:.0} B", bytes as f64 / f.entries as f64)
                } else {
                    "n/a".into()
                }
            };
            writeln!(
                out,
                "- Footprint ({}), {} subject entries: subject_entries with indexes {} = {} per entry; all log tables {} = {} per entry.",
                f.method,
                grouped(f.entries as u64),
                mib(f.entry_bytes as f64),
                per(f.entry_bytes),
                mib(f.log_bytes as f64),
                per(f.log_bytes)
            )?;
            if let Some(tree) = f.tree_bytes {
                writeln!(
                    out,
                    "- The Merkle tree's tables (merkle_nodes, purged_leaves), not counted above: {} = {} per entry; all log tables with them: {} per entry.",
                    mib(tree as f64),
                    per(tree),
                    per(f.log_bytes + tree)
                )?;
            }
            if let Some(file) = f.file_bytes {
                writeln!(
                    out,
                    "- Database file + WAL: {} = {} per entry (includes free pages, e.g. of the dropped bench tables).",
                    mib(file as f64),
                    per(file as i64)
                )?;
            }
        }
        if let Some(size) = &self.row_size {
            writeln!(
                out,
                "- insert-baseline row: 8-byte id + {}-byte random payload, {}.",
                size.payload_bytes, size.how
            )?;
        }
        writeln!(
            out,
            "- unary: 1 subject per call; bulk: 1,000 subjects per call; copy-baseline: 1,000 rows per COPY; \
             every call or batch is one committed transaction. Latency of successful calls only; \
             errors are counted by gRPC code (RESOURCE_EXHAUSTED included)."
        )?;
        for (scenario, why) in &self.skipped {
            writeln!(out, "- {} skipped: {why}.", scenario.name())?;
        }
        for (scenario, o) in &self.results {
            if let Some(message) = &o.first_error {
                writeln!(
                    out,
                    "- {} first error: {}",
                    scenario.name(),
                    message.replace('\n', " ")
                )?;
            }
        }
        if let Some(left) = self.bench_tables_left {
            writeln!(
                out,
                "- Bench tables dropped: {}.",
                if left == 0 {
                    "yes".to_string()
                } else {
                    format!("NO, {left} left")
                }
            )?;
        }
        Ok(())
    }
}

/// The figures issue 14's targets are stated in; `None` where this run did not measure one.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub unary_server_vs_health: Option<f64>,
    pub unary_database_vs_insert: Option<f64>,
    pub unary_vs_insert: Option<f64>,
    pub unary_open_p99_ms: Option<f64>,
    pub bulk_vs_copy: Option<f64>,
    pub sqlite_unary_vs_insert: Option<f64>,
    pub lookup_database_us: Option<f64>,
    /// The cross-checks of the two database rows, from the postgres processes' own CPU.
    pub unary_postgres_vs_insert: Option<f64>,
    pub lookup_postgres_us: Option<f64>,
    /// The fixed rate offered to lookups, calls/s.
    pub lookup_fixed_rate: Option<f64>,
    /// p99 at the fixed rate, and the store size.
    pub lookup_open_p99_ms: Option<(f64, i64)>,
    pub statistics_p99_ms: Option<(f64, i64)>,
    pub art30_p99_ms: Option<(f64, i64)>,
    /// Bytes per subject entry of all log tables, and the store size.
    pub bytes_per_entry: Option<(f64, i64)>,
    /// The largest peak RSS of the server over the scenarios, MB (10⁶ bytes).
    pub peak_rss_mb: Option<f64>,
    /// Entries per second of `verify`, and the store size.
    pub verify_per_sec: Option<(f64, i64)>,
}

/// A target's bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    AtMost(f64),
    AtLeast(f64),
    Below(f64),
}

/// Whether a target was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Yes,
    No,
    NotMeasured,
}

impl Bound {
    pub fn verdict(self, measured: Option<f64>) -> Verdict {
        let Some(v) = measured else {
            return Verdict::NotMeasured;
        };
        let met = match self {
            Self::AtMost(bound) => v <= bound,
            Self::AtLeast(bound) => v >= bound,
            Self::Below(bound) => v < bound,
        };
        if met { Verdict::Yes } else { Verdict::No }
    }
}

/// One row of the target table.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub what: &'static str,
    /// The measurement before the work.
    pub now: &'static str,
    pub target: &'static str,
    pub bound: Bound,
    /// The figure the verdict is on.
    pub value: Option<f64>,
    /// How the measurement is shown.
    pub shown: String,
    /// The store size, for targets stated at [`TARGET_ENTRIES`].
    pub store: Option<i64>,
}

impl TargetRow {
    pub fn verdict(&self) -> Verdict {
        self.bound.verdict(self.value)
    }
}

/// The rows of issue 14's target table from `f`.
pub fn target_rows(f: &Figures) -> Vec<TargetRow> {
    let times = |v: Option<f64>| v.map(|v| format!("{v:.2}×"));
    // The database rows show the postgres processes' own CPU beside the measure.
    let cross_check = |shown: Option<String>, postgres: Option<String>| match (shown, postgres) {
        (Some(shown), Some(postgres)) => Some(format!("{shown} (postgres processes: {postgres})")),
        (shown, _) => shown,
    };
    let micros = |v: Option<f64>| v.map(|v| format!("{v:.0} µs"));
    let row = |what, now, target, bound, value: Option<f64>, shown: Option<String>| TargetRow {
        what,
        now,
        target,
        bound,
        value,
        shown: shown.unwrap_or_else(|| "not measured".into()),
        store: None,
    };
    let at_store = |mut row: TargetRow, store: Option<i64>| {
        row.store = store;
        row
    };
    let reports = match (f.statistics_p99_ms, f.art30_p99_ms) {
        (Some((s, n)), Some((a, _))) => Some((s.max(a), format!("{s:.1} / {a:.1} ms p99"), n)),
        _ => None,
    };
    vec![
        row(
            "unary: server CPU per record ÷ server CPU per health check",
            "3.2×",
            "≤ 1.5×",
            Bound::AtMost(1.5),
            f.unary_server_vs_health,
            times(f.unary_server_vs_health),
        ),
        row(
            "unary: database CPU per record ÷ per single-row INSERT transaction",
            "0.77×",
            "≤ 0.25×",
            Bound::AtMost(0.25),
            f.unary_database_vs_insert,
            cross_check(
                times(f.unary_database_vs_insert),
                times(f.unary_postgres_vs_insert),
            ),
        ),
        row(
            "unary calls/s ÷ single-row INSERT baseline calls/s",
            "0.58×",
            "≥ 1.5×",
            Bound::AtLeast(1.5),
            f.unary_vs_insert,
            times(f.unary_vs_insert),
        ),
        row(
            "unary open-loop p99 at 50% of saturation",
            "not measured",
            "≤ 5 ms",
            Bound::AtMost(5.0),
            f.unary_open_p99_ms,
            f.unary_open_p99_ms.map(|v| format!("{v:.2} ms")),
        ),
        row(
            "bulk entries/s ÷ COPY rows/s",
            "0.87×",
            "≥ 1.0×",
            Bound::AtLeast(1.0),
            f.bulk_vs_copy,
            times(f.bulk_vs_copy),
        ),
        row(
            "SQLite unary ÷ SQLite single-row commit",
            "1.24×",
            "≥ 2×",
            Bound::AtLeast(2.0),
            f.sqlite_unary_vs_insert,
            times(f.sqlite_unary_vs_insert),
        ),
        row(
            "lookup: database CPU per lookup",
            "≈ 500 µs",
            "≤ 100 µs",
            Bound::AtMost(100.0),
            f.lookup_database_us,
            cross_check(micros(f.lookup_database_us), micros(f.lookup_postgres_us)),
        ),
        at_store(
            row(
                "lookup p99 at 1,000/s offered, 100 M entries",
                "not measured",
                "< 10 ms",
                Bound::Below(10.0),
                f.lookup_open_p99_ms.map(|(v, _)| v),
                f.lookup_open_p99_ms.map(|(v, n)| {
                    let offered = f.lookup_fixed_rate.unwrap_or(0.0);
                    format!("{v:.2} ms at {}/s, {} entries", rate(offered), grouped_i(n))
                }),
            ),
            f.lookup_open_p99_ms.map(|(_, n)| n),
        ),
        at_store(
            row(
                "a year's statistics and Art. 30 record, 100 M entries",
                "79 / 81 ms p99 at 10 M",
                "< 100 ms",
                Bound::Below(100.0),
                reports.as_ref().map(|(v, _, _)| *v),
                reports
                    .as_ref()
                    .map(|(_, shown, n)| format!("{shown} at {} entries", grouped_i(*n))),
            ),
            reports.as_ref().map(|(_, _, n)| *n),
        ),
        row(
            "bytes per subject entry, all log tables",
            "244 B at 10 M",
            "≤ 200 B",
            Bound::AtMost(200.0),
            f.bytes_per_entry.map(|(v, _)| v),
            f.bytes_per_entry
                .map(|(v, n)| format!("{v:.0} B at {} entries", grouped_i(n))),
        ),
        row(
            "server RSS at full load",
            "not measured",
            "≤ 200 MB",
            Bound::AtMost(200.0),
            f.peak_rss_mb,
            f.peak_rss_mb.map(|v| format!("{v:.1} MB")),
        ),
        at_store(
            row(
                "`verify`, entries per second",
                "600 k/s at 10 M",
                "≥ 1 M/s",
                Bound::AtLeast(1e6),
                f.verify_per_sec.map(|(v, _)| v),
                f.verify_per_sec
                    .map(|(v, n)| format!("{}/s at {} entries", grouped(v as u64), grouped_i(n))),
            ),
            f.verify_per_sec.map(|(_, n)| n),
        ),
    ]
}

/// The target table: one row per target of issue 14, with this run's measurement.
fn write_targets(out: &mut String, figures: &Figures) -> std::fmt::Result {
    writeln!(
        out,
        "| target (issue 14) | now (issue) | target | measured | met |"
    )?;
    writeln!(out, "|---|--:|--:|--:|---|")?;
    for row in target_rows(figures) {
        let met = match (row.verdict(), row.store) {
            (Verdict::NotMeasured, _) => "not measured".to_string(),
            (verdict, Some(n)) if n < TARGET_ENTRIES => format!(
                "{} at {} entries; the target is at 100 M",
                if verdict == Verdict::Yes {
                    "yes"
                } else {
                    "**no**"
                },
                grouped_i(n)
            ),
            (Verdict::Yes, _) => "yes".into(),
            (Verdict::No, _) => "**no**".into(),
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {met} |",
            row.what, row.now, row.target, row.shown
        )?;
    }
    Ok(())
}

fn errors(o: &Outcome) -> String {
    if o.errors.is_empty() {
        return "0".into();
    }
    let kinds: Vec<String> = o
        .errors
        .iter()
        .map(|(kind, n)| format!("{kind} {}", grouped(*n)))
        .collect();
    format!("{} ({})", grouped(o.error_count()), kinds.join(", "))
}

fn rate(per_sec: f64) -> String {
    if per_sec >= 100.0 {
        grouped(per_sec.round() as u64)
    } else {
        format!("{per_sec:.1}")
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn grouped_i(n: i64) -> String {
    grouped(n.max(0) as u64)
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(figures: &Figures) -> Vec<(&'static str, Verdict)> {
        target_rows(figures)
            .into_iter()
            .map(|row| (row.what, row.verdict()))
            .collect()
    }

    #[test]
    fn a_target_whose_figure_was_not_measured_says_so() {
        let rows = target_rows(&Figures::default());
        assert_eq!(rows.len(), 12);
        for row in &rows {
            assert_eq!(row.verdict(), Verdict::NotMeasured, "{}", row.what);
            assert_eq!(row.shown, "not measured");
        }
    }

    #[test]
    fn targets_are_met_on_the_right_side_of_their_bound() {
        let figures = Figures {
            unary_server_vs_health: Some(1.5),
            unary_database_vs_insert: Some(0.77),
            unary_vs_insert: Some(1.6),
            unary_open_p99_ms: Some(5.01),
            lookup_open_p99_ms: Some((10.0, 2_000_000)),
            statistics_p99_ms: Some((40.0, 2_000_000)),
            art30_p99_ms: Some((120.0, 2_000_000)),
            peak_rss_mb: Some(87.0),
            verify_per_sec: Some((1_200_000.0, 100_000_000)),
            ..Figures::default()
        };
        let verdicts = verdicts(&figures);
        let of = |prefix: &str| {
            verdicts
                .iter()
                .find(|(what, _)| what.starts_with(prefix))
                .map(|&(_, v)| v)
                .unwrap()
        };
        // "≤ 1.5×" includes 1.5; "< 10 ms" does not include 10.
        assert_eq!(of("unary: server CPU"), Verdict::Yes);
        assert_eq!(of("unary: database CPU"), Verdict::No);
        assert_eq!(of("unary calls/s"), Verdict::Yes);
        assert_eq!(of("unary open-loop"), Verdict::No);
        assert_eq!(of("lookup p99"), Verdict::No);
        // The slower of the two reports decides.
        assert_eq!(of("a year's statistics"), Verdict::No);
        assert_eq!(of("server RSS"), Verdict::Yes);
        assert_eq!(of("`verify`"), Verdict::Yes);
        assert_eq!(of("bulk"), Verdict::NotMeasured);
    }

    #[test]
    fn a_target_stated_at_100_million_entries_says_at_what_size_it_was_measured() {
        let mut out = String::new();
        let figures = Figures {
            lookup_fixed_rate: Some(1_000.0),
            lookup_open_p99_ms: Some((3.2, 2_000_000)),
            ..Figures::default()
        };
        write_targets(&mut out, &figures).unwrap();
        let line = out.lines().find(|l| l.contains("lookup p99")).unwrap();
        assert!(
            line.contains("3.20 ms at 1,000/s, 2,000,000 entries"),
            "{line}"
        );
        assert!(
            line.ends_with("| yes at 2,000,000 entries; the target is at 100 M |"),
            "{line}"
        );
        let line = out.lines().find(|l| l.contains("bulk")).unwrap();
        assert!(line.ends_with("| not measured | not measured |"), "{line}");
    }

    #[test]
    fn cpu_per_call_is_the_ticks_over_the_successful_calls() {
        let mut report = Report::new("PostgreSQL", 8, Duration::from_secs(2));
        report.ticks_per_second = 100;
        report.cores = 2;
        let mut outcome = Outcome::empty();
        outcome.calls = 1_000;
        report.results.push((Scenario::Unary, outcome));
        let cpu = CpuUse {
            wall: Duration::from_secs(2),
            machine: Some(180),
            server: Some(50),
            database: Some(90),
            client: Some(40),
            postgres: Some(70),
        };
        report.costs.push((
            Scenario::Unary,
            Cost {
                cpu,
                peak_rss: None,
            },
        ));
        // 50 ticks of 10 ms over 1,000 calls: 500 µs a call.
        assert_eq!(
            report.per_call_us(Scenario::Unary, |c| c.server),
            Some(500.0)
        );
        assert_eq!(report.database_us(Scenario::Unary), Some(900.0));
        assert_eq!(report.per_call_us(Scenario::Health, |c| c.server), None);
        let table = report.to_markdown();
        // Machine busy: 180 ticks of 2 cores × 2 s × 100 ticks/s = 45 %.
        assert!(
            table.contains("| unary | 500 | 900 | 700 | 200 | 400 | 45 % | — |"),
            "{table}"
        );
    }

    #[test]
    fn on_sqlite_the_database_works_inside_the_server_or_the_client() {
        let sqlite = Report::new("SQLite", 8, Duration::from_secs(2));
        assert_eq!(
            sqlite.database_inside(Scenario::Unary),
            Some("in the server")
        );
        assert_eq!(
            sqlite.database_inside(Scenario::InsertBaseline),
            Some("in the client")
        );
        assert_eq!(sqlite.database_us(Scenario::Unary), None);
        let postgres = Report::new("PostgreSQL", 8, Duration::from_secs(2));
        assert_eq!(postgres.database_inside(Scenario::Unary), None);
        assert_eq!(
            postgres.database_inside(Scenario::SqliteUnary),
            Some("in the server")
        );
        assert_eq!(
            postgres.database_inside(Scenario::SqliteInsertBaseline),
            Some("in the client")
        );
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(10_000_000), "10,000,000");
    }
}
