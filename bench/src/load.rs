//! The timed concurrent driver: N callers each run one operation after another until the
//! time or the call budget is spent; calls in flight then finish. Latency of every successful
//! call goes into a histogram in microseconds; every failure is counted by its kind.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::task::JoinSet;

use super::open_loop;

/// Longest a single call may take before it counts as a failure (`TIMEOUT`), so a stuck call
/// cannot hold a scenario open for ever.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// A caller's pause after a failed call: the API asks for a short pause after
/// RESOURCE_EXHAUSTED, and it keeps a failing target from being hammered in a tight loop.
const ERROR_PAUSE: Duration = Duration::from_millis(10);
/// Highest latency the histogram tells apart (longer ones are recorded as this).
const HISTOGRAM_MAX_MICROS: u64 = 3_600_000_000;

/// When a run stops: whichever of the limits comes first. At least one must be given.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// No call starts after this much time.
    pub duration: Option<Duration>,
    /// No more calls than this are started, counted over all callers.
    pub max_calls: Option<u64>,
}

/// How a scenario's calls are sent: each caller one after another (closed loop, to find
/// the saturation rate), or on a schedule at a fixed rate (open loop, for latency at a load).
#[derive(Debug, Clone, Copy)]
pub enum Drive {
    Closed(Budget),
    Open(open_loop::Plan),
}

/// Runs `op` as `drive` says, over `callers` callers (closed) or connections (open).
pub async fn drive<F, Fut>(callers: usize, drive: Drive, op: F) -> anyhow::Result<Outcome>
where
    F: Fn(Call) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<u64, OpError>> + Send + 'static,
{
    match drive {
        Drive::Closed(budget) => run(callers, budget, op).await,
        Drive::Open(plan) => open_loop::run(callers, plan, op).await,
    }
}

/// One call: which caller makes it and its number in the run (0, 1, 2, … over all callers).
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub caller: usize,
    pub seq: u64,
}

/// A failed call: its kind (a gRPC code name such as `RESOURCE_EXHAUSTED`, `DATABASE`,
/// `TIMEOUT`, …) and message.
#[derive(Debug, Clone)]
pub struct OpError {
    pub kind: String,
    pub message: String,
}

impl OpError {
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

impl From<tonic::Status> for OpError {
    fn from(status: tonic::Status) -> Self {
        Self::new(code_name(status.code()), status.message())
    }
}

impl From<sqlx::Error> for OpError {
    fn from(error: sqlx::Error) -> Self {
        Self::new("DATABASE", error.to_string())
    }
}

/// The canonical name of a gRPC status code, as the protocol spells it (`tonic::Code`'s
/// `Debug` is the Rust spelling, `ResourceExhausted`).
pub fn code_name(code: tonic::Code) -> String {
    use tonic::Code;
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
    .to_owned()
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Successful calls.
    pub calls: u64,
    /// Entries (subjects, rows) the successful calls reported.
    pub entries: u64,
    /// Failed calls by kind.
    pub errors: BTreeMap<String, u64>,
    /// The first failure's message, as an example.
    pub first_error: Option<String>,
    /// From the start until the last call finished.
    pub elapsed: Duration,
    /// Latency of successful calls, µs; in an open loop, from each call's intended start.
    pub latency: Histogram<u64>,
    /// Open loop only: calls that had to wait for a free slot, so started late.
    pub late: u64,
    /// Open loop only: calls never sent, because no slot was free before the run gave up.
    pub unsent: u64,
}

impl Outcome {
    pub(crate) fn empty() -> Self {
        Self {
            calls: 0,
            entries: 0,
            errors: BTreeMap::new(),
            first_error: None,
            elapsed: Duration::ZERO,
            latency: Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, 3)
                .expect("valid histogram bounds"),
            late: 0,
            unsent: 0,
        }
    }

    /// The outcome of one call that took `latency` (a run of one, such as `verify`).
    pub(crate) fn single(result: Result<u64, OpError>, latency: Duration) -> Self {
        let mut outcome = Self::empty();
        outcome.count(Ok(result), latency);
        outcome.elapsed = latency;
        outcome
    }

    /// Counts one call that took `latency` (or timed out); returns whether it failed.
    pub(crate) fn count(
        &mut self,
        result: Result<Result<u64, OpError>, tokio::time::error::Elapsed>,
        latency: Duration,
    ) -> bool {
        let failure = match result {
            Ok(Ok(entries)) => {
                self.calls += 1;
                self.entries += entries;
                let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
                self.latency.saturating_record(micros.max(1));
                return false;
            }
            Ok(Err(error)) => error,
            Err(_) => OpError::new(
                "TIMEOUT",
                format!("no answer within {} s", CALL_TIMEOUT.as_secs()),
            ),
        };
        *self.errors.entry(failure.kind).or_default() += 1;
        self.first_error.get_or_insert(failure.message);
        true
    }

    /// Failed calls of every kind.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn calls_per_sec(&self) -> f64 {
        per_sec(self.calls, self.elapsed)
    }

    pub fn entries_per_sec(&self) -> f64 {
        per_sec(self.entries, self.elapsed)
    }

    /// Latency at quantile `q` in milliseconds (0 when nothing succeeded).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.latency.max() as f64 / 1000.0
    }

    pub(crate) fn absorb(&mut self, other: Outcome) {
        self.calls += other.calls;
        self.entries += other.entries;
        self.late += other.late;
        self.unsent += other.unsent;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.latency
            .add(&other.latency)
            .expect("histograms with the same bounds add");
    }
}

fn per_sec(n: u64, elapsed: Duration) -> f64 {
    if elapsed.is_zero() {
        0.0
    } else {
        n as f64 / elapsed.as_secs_f64()
    }
}

/// Runs `op` from `callers` concurrent tasks until `budget` is spent and every call in
/// flight has finished. `op` returns how many entries the call carried.
pub async fn run<F, Fut>(callers: usize, budget: Budget, op: F) -> anyhow::Result<Outcome>
where
    F: Fn(Call) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<u64, OpError>> + Send + 'static,
{
    anyhow::ensure!(
        budget.duration.is_some() || budget.max_calls.is_some(),
        "a run needs a duration or a call budget"
    );
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = budget.duration.map(|d| start + d);
    let mut tasks = JoinSet::new();
    for caller in 0..callers.max(1) {
        let (op, next) = (Arc::clone(&op), Arc::clone(&next));
        tasks.spawn(async move {
            let mut tally = Outcome::empty();
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if budget.max_calls.is_some_and(|max| seq >= max) {
                    break;
                }
                let began = Instant::now();
                let result = tokio::time::timeout(CALL_TIMEOUT, op(Call { caller, seq })).await;
                if tally.count(result, began.elapsed()) {
                    tokio::time::sleep(ERROR_PAUSE).await;
                }
            }
            tally
        });
    }
    let mut total = Outcome::empty();
    while let Some(tally) = tasks.join_next().await {
        total.absorb(tally?);
    }
    total.elapsed = start.elapsed();
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_the_protocol_spelling() {
        assert_eq!(
            code_name(tonic::Code::ResourceExhausted),
            "RESOURCE_EXHAUSTED"
        );
        assert_eq!(code_name(tonic::Code::Internal), "INTERNAL");
        assert_eq!(code_name(tonic::Code::Ok), "OK");
    }

    #[tokio::test]
    async fn a_call_budget_is_shared_and_failures_are_counted() {
        let budget = Budget {
            duration: None,
            max_calls: Some(100),
        };
        let outcome = run(8, budget, |call| async move {
            if call.seq % 10 == 0 {
                Err(OpError::new("RESOURCE_EXHAUSTED", "full"))
            } else {
                Ok(2)
            }
        })
        .await
        .unwrap();
        assert_eq!(outcome.calls, 90);
        assert_eq!(outcome.entries, 180);
        assert_eq!(outcome.errors.get("RESOURCE_EXHAUSTED"), Some(&10));
        assert_eq!(outcome.latency.len(), 90);
    }

    #[tokio::test]
    async fn a_run_stops_after_its_duration() {
        let budget = Budget {
            duration: Some(Duration::from_millis(200)),
            max_calls: None,
        };
        let outcome = run(4, budget, |_| async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(1)
        })
        .await
        .unwrap();
        assert!(outcome.elapsed >= Duration::from_millis(200));
        assert!(outcome.elapsed < Duration::from_secs(2));
        assert!((20..=60).contains(&outcome.calls), "{}", outcome.calls);
    }
}
