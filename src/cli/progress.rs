//! Progress of a long command on standard error: how far it has come, how fast, and when it
//! will be done. On a terminal one line is rewritten every second; in a log, with
//! `--progress always`, a line is written every ten seconds. Standard output, the report,
//! is untouched.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::verify::Progress;

/// When to show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum When {
    /// When standard error is a terminal.
    #[default]
    Auto,
    Always,
    Never,
}

/// Shows a verification's progress on standard error, at most once an interval.
pub struct ProgressLine {
    started: Instant,
    last: Option<Instant>,
    /// A terminal gets its line rewritten in place; a log gets lines of their own.
    terminal: bool,
    every: Duration,
    shown: bool,
}

impl ProgressLine {
    /// A progress line for `when`, or `None` when nothing is to be shown.
    pub fn new(when: When) -> Option<Self> {
        let terminal = std::io::stderr().is_terminal();
        let show = match when {
            When::Auto => terminal,
            When::Always => true,
            When::Never => false,
        };
        show.then(|| Self {
            started: Instant::now(),
            last: None,
            terminal,
            every: if terminal {
                Duration::from_secs(1)
            } else {
                Duration::from_secs(10)
            },
            shown: false,
        })
    }

    /// Shows `progress` if the interval has passed since the last line.
    pub fn update(&mut self, progress: Progress) {
        let now = Instant::now();
        if self.last.is_some_and(|last| now - last < self.every) {
            return;
        }
        if self.last.is_none() {
            // The first line after a full interval: a fast run shows nothing.
            self.last = Some(now);
            return;
        }
        self.last = Some(now);
        self.show(&line(progress, now - self.started));
    }

    /// Ends the line on a terminal, so that what follows starts on a line of its own.
    pub fn finish(self) {
        if self.terminal && self.shown {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err);
        }
    }

    fn show(&mut self, text: &str) {
        let mut err = std::io::stderr().lock();
        // Progress is a courtesy: a closed standard error does not stop the command.
        let _ = if self.terminal {
            // Back to the line's start, and clear what a longer line left.
            write!(err, "\r{text}\x1b[K")
        } else {
            writeln!(err, "{text}")
        };
        let _ = err.flush();
        self.shown = true;
    }
}

/// `verified 1,234,567 of 10,000,000 entries (12.3%), 1,050,000 entries/s, about 8 min 19 s
/// left`.
pub fn line(progress: Progress, elapsed: Duration) -> String {
    let Progress { entries, total } = progress;
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        entries as f64 / seconds
    } else {
        0.0
    };
    let mut text = format!(
        "verified {} of {} entries",
        grouped(entries),
        grouped(total)
    );
    if total > 0 && entries <= total {
        text.push_str(&format!(
            " ({:.1}%)",
            (entries as f64 * 100.0 / total as f64).min(100.0)
        ));
    }
    text.push_str(&format!(", {} entries/s", grouped(rate.round() as u64)));
    if rate >= 1.0 && entries <= total {
        let left = Duration::from_secs_f64((total - entries) as f64 / rate);
        text.push_str(&format!(", about {} left", duration(left)));
    }
    text
}

/// `12,345,678`: the dashboard's grouping of English numbers.
fn grouped(n: u64) -> String {
    crate::web::charts::number(n, crate::web::Lang::En)
}

/// `2 h 05 min`, `8 min 19 s` or `42 s`: as precise as an estimate can be.
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(entries: u64, total: u64, seconds: u64) -> String {
        line(Progress { entries, total }, Duration::from_secs(seconds))
    }

    #[test]
    fn a_line_gives_the_count_the_share_the_rate_and_the_time_left() {
        assert_eq!(
            at(1_234_567, 10_000_000, 2),
            "verified 1,234,567 of 10,000,000 entries (12.3%), 617,284 entries/s, \
             about 14 s left"
        );
    }

    #[test]
    fn the_time_left_is_in_hours_and_minutes_or_minutes_and_seconds() {
        assert_eq!(
            at(1_000_000, 100_000_000, 60),
            "verified 1,000,000 of 100,000,000 entries (1.0%), 16,667 entries/s, \
             about 1 h 39 min left"
        );
        assert_eq!(
            at(1_000_000, 100_000_000, 1),
            "verified 1,000,000 of 100,000,000 entries (1.0%), 1,000,000 entries/s, \
             about 1 min 39 s left"
        );
    }

    #[test]
    fn more_entries_than_were_recorded_at_the_start_give_no_share_and_no_estimate() {
        assert_eq!(
            at(1_200, 1_000, 1),
            "verified 1,200 of 1,000 entries, 1,200 entries/s"
        );
    }

    #[test]
    fn an_empty_log_and_no_time_yet_divide_by_nothing() {
        assert_eq!(at(0, 0, 0), "verified 0 of 0 entries, 0 entries/s");
    }
}
