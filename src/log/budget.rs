//! Room in the write queue, counted in subject entries: what bounds the queue's memory
//! whatever the sizes of the disclosures in it.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use super::error::AppendError;

/// Online callers take room or are refused at once; waiting callers (bulk import) may hold
/// at most half of it between them, so an import never crowds out the payment systems.
#[derive(Debug, Clone)]
pub(super) struct QueueBudget {
    all: Arc<Semaphore>,
    waiting: Arc<Semaphore>,
    max: u32,
}

/// Room held by one queued disclosure until its caller is answered.
#[derive(Debug)]
pub(super) struct Reservation {
    _all: OwnedSemaphorePermit,
    _waiting: Option<OwnedSemaphorePermit>,
}

impl QueueBudget {
    pub fn new(max_subjects: usize) -> Self {
        let max = u32::try_from(max_subjects.max(2)).unwrap_or(u32::MAX);
        Self {
            all: Arc::new(Semaphore::new(max as usize)),
            waiting: Arc::new(Semaphore::new((max / 2) as usize)),
            max,
        }
    }

    /// A disclosure larger than a whole budget takes all of it, so it goes alone.
    fn share(&self, subjects: usize, of: u32) -> u32 {
        u32::try_from(subjects).unwrap_or(u32::MAX).min(of)
    }

    /// Takes room for `subjects` now, or fails with [`AppendError::QueueFull`].
    pub fn try_take(&self, subjects: usize) -> Result<Reservation, AppendError> {
        let permit = Arc::clone(&self.all)
            .try_acquire_many_owned(self.share(subjects, self.max))
            .map_err(|e| match e {
                TryAcquireError::NoPermits => AppendError::QueueFull,
                TryAcquireError::Closed => AppendError::ShuttingDown,
            })?;
        Ok(Reservation {
            _all: permit,
            _waiting: None,
        })
    }

    /// Waits for room for `subjects` within the waiting callers' half.
    pub async fn take(&self, subjects: usize) -> Result<Reservation, AppendError> {
        let closed = |_| AppendError::ShuttingDown;
        let waiting = Arc::clone(&self.waiting)
            .acquire_many_owned(self.share(subjects, self.max / 2))
            .await
            .map_err(closed)?;
        let all = Arc::clone(&self.all)
            .acquire_many_owned(self.share(subjects, self.max / 2))
            .await
            .map_err(closed)?;
        Ok(Reservation {
            _all: all,
            _waiting: Some(waiting),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_callers_are_refused_only_when_the_budget_is_spent() {
        let budget = QueueBudget::new(1_000);
        let held = budget.try_take(600).unwrap();
        assert!(matches!(budget.try_take(600), Err(AppendError::QueueFull)));
        drop(held);
        assert!(budget.try_take(600).is_ok());
    }

    #[tokio::test]
    async fn waiting_callers_leave_half_the_budget_to_online_callers() {
        let budget = QueueBudget::new(1_000);
        let _import = budget.take(5_000).await.unwrap();
        assert!(budget.try_take(500).is_ok(), "the other half is free");
        let second_import =
            tokio::time::timeout(std::time::Duration::from_millis(50), budget.take(1)).await;
        assert!(
            second_import.is_err(),
            "imports wait while their half is in use"
        );
    }

    #[test]
    fn a_disclosure_larger_than_the_budget_still_fits_alone() {
        let budget = QueueBudget::new(1_000);
        assert!(budget.try_take(50_000).is_ok());
    }
}
