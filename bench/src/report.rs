//! The benchmark's results as Markdown, ready to paste into the README: one table of the
//! scenarios, one of the ratios the targets are stated in, then the store and its footprint.

use std::fmt::Write;
use std::time::Duration;

use super::Scenario;
use super::baseline::{Footprint, RowSize};
use super::load::Outcome;

/// Subject entries the lookup target is stated for.
const LOOKUP_TARGET_ENTRIES: i64 = 10_000_000;
/// Lookup p99 target, ms.
const LOOKUP_TARGET_P99_MS: f64 = 10.0;

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
    /// Store size when the lookups ran, and the preloaded subjects they were drawn from.
    pub lookup_store: Option<(i64, u64)>,
    /// Whether the planner statistics were refreshed (ANALYZE) before the lookups.
    pub analyzed: bool,
    pub footprint: Option<Footprint>,
    /// Bench tables still in the database after the clean-up (should be 0).
    pub bench_tables_left: Option<i64>,
}

impl Report {
    fn outcome(&self, scenario: Scenario) -> Option<&Outcome> {
        self.results
            .iter()
            .find(|(s, _)| *s == scenario)
            .map(|(_, o)| o)
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
        self.write_ratios(out)?;
        self.write_notes(out)
    }

    fn write_ratios(&self, out: &mut String) -> std::fmt::Result {
        use Scenario::*;
        writeln!(out, "| ratio | measured | target | |")?;
        writeln!(out, "|---|--:|---|---|")?;
        let ratio = |num: Scenario, den: Scenario, entries: bool| {
            let (a, b) = (self.outcome(num)?, self.outcome(den)?);
            let (a, b) = if entries {
                (a.entries_per_sec(), b.entries_per_sec())
            } else {
                (a.calls_per_sec(), b.calls_per_sec())
            };
            (b > 0.0).then(|| a / b)
        };
        let rows = [
            (
                "unary / insert-baseline (calls/s)",
                ratio(Unary, InsertBaseline, false),
                2.0,
            ),
            ("unary / health (calls/s)", ratio(Unary, Health, false), 0.5),
            (
                "unary / unary-no-tree (calls/s)",
                ratio(Unary, UnaryNoTree, false),
                0.85,
            ),
            (
                "bulk / copy-baseline (entries/s)",
                ratio(Bulk, CopyBaseline, true),
                0.5,
            ),
        ];
        for (name, value, target) in rows {
            match value {
                Some(v) => writeln!(
                    out,
                    "| {name} | {v:.2}× | ≥ {target}× | {} |",
                    if v >= target { "met" } else { "**not met**" }
                )?,
                None => writeln!(out, "| {name} | n/a | ≥ {target}× | not measured |")?,
            }
        }
        match (self.outcome(Lookup), self.lookup_store) {
            (Some(o), Some((entries, _))) if o.calls > 0 => {
                let p99 = o.quantile_ms(0.99);
                let verdict = match (p99 < LOOKUP_TARGET_P99_MS, entries >= LOOKUP_TARGET_ENTRIES) {
                    (true, true) => "met".to_string(),
                    (false, true) => "**not met**".to_string(),
                    (true, false) => format!(
                        "met at {} entries only: rerun at {}",
                        grouped(entries as u64),
                        grouped(LOOKUP_TARGET_ENTRIES as u64)
                    ),
                    (false, false) => {
                        format!("**not met** even at {} entries", grouped(entries as u64))
                    }
                };
                writeln!(
                    out,
                    "| lookup p99 at {} subject entries | {p99:.2} ms | < {LOOKUP_TARGET_P99_MS} ms at {} entries | {verdict} |",
                    grouped(entries as u64),
                    grouped(LOOKUP_TARGET_ENTRIES as u64)
                )?;
            }
            _ => writeln!(
                out,
                "| lookup p99 | n/a | < {LOOKUP_TARGET_P99_MS} ms at {} entries | not measured |",
                grouped(LOOKUP_TARGET_ENTRIES as u64)
            )?,
        }
        writeln!(out)
    }

    fn write_notes(&self, out: &mut String) -> std::fmt::Result {
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

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(10_000_000), "10,000,000");
    }
}
