//! The open-loop driver: calls are sent on a fixed schedule, at a given rate, whatever the
//! answers do, and each call's latency runs from the instant it was *meant* to start. A
//! closed loop (see [`load`](super::load)) waits for an answer before the next call, so a slow
//! answer holds back the calls behind it and hides their wait (coordinated omission); here a
//! call that cannot start on time still counts from its intended instant.
//!
//! Calls in flight are bounded by a number of slots, so an overloaded server cannot make the
//! benchmark pile up calls without end: a call due while every slot is busy waits for one
//! and counts as late (and its wait is in its latency). Calls still waiting when the run
//! gives up are counted as unsent.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
// Tokio's clock, so that the tests can run it paused and exact.
use tokio::time::Instant;

use super::load::{CALL_TIMEOUT, Call, OpError, Outcome};

/// When each call of an open-loop run is meant to start: `start + i / rate`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub start: Instant,
    /// Calls per second, > 0.
    pub rate: f64,
}

impl Schedule {
    /// The intended start of call `i`.
    pub fn at(&self, i: u64) -> Instant {
        self.start + Duration::from_secs_f64(i as f64 / self.rate)
    }

    /// How many calls are due in the first `duration`: those with `i / rate < duration`.
    pub fn calls_within(&self, duration: Duration) -> u64 {
        (duration.as_secs_f64() * self.rate).ceil() as u64
    }
}

/// An open-loop run: `rate` calls per second for `duration`, at most `slots` in flight.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub rate: f64,
    pub duration: Duration,
    pub slots: usize,
}

/// Sends `op`'s calls on `plan`'s schedule, round-robin over `callers` connections, and
/// waits for all of them. Calls still without a slot one `plan.duration` after the schedule's
/// end are not sent (`unsent`).
pub async fn run<F, Fut>(callers: usize, plan: Plan, op: F) -> anyhow::Result<Outcome>
where
    F: Fn(Call) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<u64, OpError>> + Send + 'static,
{
    anyhow::ensure!(
        plan.rate > 0.0 && plan.rate.is_finite(),
        "an open loop needs a rate above zero, not {}",
        plan.rate
    );
    let schedule = Schedule {
        start: Instant::now(),
        rate: plan.rate,
    };
    let due = schedule.calls_within(plan.duration);
    let give_up = schedule.start + 2 * plan.duration;
    let slots = Arc::new(Semaphore::new(plan.slots.max(1)));
    let mut total = Outcome::empty();
    let mut tasks = JoinSet::new();
    for seq in 0..due {
        let intended = schedule.at(seq);
        tokio::time::sleep_until(intended).await;
        let permit = match Arc::clone(&slots).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                total.late += 1;
                let wait = Arc::clone(&slots).acquire_owned();
                match tokio::time::timeout_at(give_up, wait).await {
                    Ok(permit) => permit?,
                    Err(_) => {
                        total.unsent = due - seq;
                        total.late -= 1;
                        break;
                    }
                }
            }
        };
        let call = op(Call {
            caller: seq as usize % callers.max(1),
            seq,
        });
        tasks.spawn(async move {
            let result = tokio::time::timeout(CALL_TIMEOUT, call).await;
            drop(permit);
            (result, intended.elapsed())
        });
        // Count finished calls as we go, so the set holds only those in flight.
        while let Some(done) = tasks.try_join_next() {
            let (result, latency) = done?;
            total.count(result, latency);
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (result, latency) = done?;
        total.count(result, latency);
    }
    total.elapsed = schedule.start.elapsed();
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_meant_to_start_at_even_intervals_from_the_start() {
        let schedule = Schedule {
            start: Instant::now(),
            rate: 250.0,
        };
        assert_eq!(schedule.at(0), schedule.start);
        assert_eq!(schedule.at(1) - schedule.start, Duration::from_millis(4));
        assert_eq!(schedule.at(250) - schedule.start, Duration::from_secs(1));
        assert_eq!(schedule.calls_within(Duration::from_secs(2)), 500);
        assert_eq!(schedule.calls_within(Duration::from_millis(1_001)), 251);
    }

    // On a paused clock: sleeps end exactly when due, whatever the machine's load.
    #[tokio::test(start_paused = true)]
    async fn a_call_that_starts_late_counts_its_wait_in_its_latency() {
        // One slot, a call every 10 ms, and each call takes 20 ms: call i is meant to start
        // at 10·i ms but can only start at 20·i ms, when the call before it has finished.
        let plan = Plan {
            rate: 100.0,
            duration: Duration::from_millis(50),
            slots: 1,
        };
        let outcome = run(1, plan, |_| async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(1)
        })
        .await
        .unwrap();
        assert_eq!(outcome.calls, 5);
        assert_eq!(outcome.late, 4);
        assert_eq!(outcome.unsent, 0);
        // The last call (i = 4) answers at 100 ms and was meant to start at 40 ms: 60 ms,
        // though the call itself took 20.
        assert!(outcome.max_ms() >= 60.0, "max {} ms", outcome.max_ms());
        // The first call started on time.
        assert!(
            outcome.latency.min() < 40_000,
            "min {} µs",
            outcome.latency.min()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn calls_that_find_no_slot_before_the_run_gives_up_are_unsent() {
        let plan = Plan {
            rate: 100.0,
            duration: Duration::from_millis(30),
            slots: 1,
        };
        // The first call holds the only slot past the give-up time (twice the duration).
        let outcome = run(1, plan, |call| async move {
            if call.seq == 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(OpError::new("UNAVAILABLE", "down"))
        })
        .await
        .unwrap();
        assert_eq!(outcome.errors.get("UNAVAILABLE"), Some(&1));
        assert_eq!(outcome.unsent, 2);
        assert_eq!(outcome.late, 0);
        assert_eq!(outcome.calls, 0);
    }
}
