//! The appender: what callers record through. Identity codes are hashed and sealed on the
//! caller's task, then a bounded queue feeds one ordered writer (`writer.rs`) that commits
//! many callers' disclosures in one transaction (group commit). A caller is answered only
//! after its transaction committed.

use super::budget::QueueBudget;
use super::error::AppendError;
use super::publisher::{self, PublishConfig};
use super::writer::{self, Job, WriterConfig, WriterHandle};

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::crypto::Keyring;
use crate::domain::{Classification, NewDisclosure, Receipt};
use crate::domain::{PendingDisclosure, WriteOutcome};
use crate::storage::{StorageError, Store};
use crate::telemetry::metrics::metrics;

/// Subjects above which sealing moves to a blocking thread, to keep the runtime responsive.
const SEAL_INLINE_MAX: usize = 2_000;

/// A recorded disclosure: its receipt, and whether it had been recorded before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub receipt: Receipt,
    pub replayed: bool,
}

/// How a caller waits for a place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Fail at once with [`AppendError::QueueFull`] when the queue is full (online callers).
    FailFast,
    /// Wait for a place (bulk import, where the stream itself applies back-pressure),
    /// within half of the queue's subject budget.
    Wait,
}

/// The handle callers record through; cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::Sender<Job>,
    budget: QueueBudget,
    keys: Arc<Keyring>,
}

impl Recorder {
    /// Starts the writer over `store`, publishing checkpoints as `publish` says (none when
    /// `None`); it runs until every `Recorder` clone is dropped, then finishes what is
    /// queued and publishes it.
    pub fn start(
        store: Store,
        keys: Arc<Keyring>,
        config: WriterConfig,
        publish: Option<PublishConfig>,
    ) -> (Self, WriterHandle) {
        let (queue, handle) = writer::spawn(store, config, publish.map(publisher::Publisher::new));
        let recorder = Self {
            queue,
            budget: QueueBudget::new(config.max_queued_subjects),
            keys,
        };
        (recorder, handle)
    }

    pub fn keys(&self) -> &Arc<Keyring> {
        &self.keys
    }

    /// Records `disclosure`, classified against its register; returns once it is committed.
    pub async fn record(
        &self,
        disclosure: NewDisclosure,
        classification: Classification,
        admission: Admission,
    ) -> Result<Recorded, AppendError> {
        // Take room in the queue before sealing, so an overloaded service sheds load cheaply.
        let budget = match admission {
            Admission::FailFast => self.budget.try_take(disclosure.subjects().len())?,
            Admission::Wait => self.budget.take(disclosure.subjects().len()).await?,
        };
        if admission == Admission::FailFast && self.queue.capacity() == 0 {
            return Err(AppendError::QueueFull);
        }
        let item = if disclosure.subjects().len() > SEAL_INLINE_MAX {
            let keys = Arc::clone(&self.keys);
            tokio::task::spawn_blocking(move || seal(&keys, disclosure, classification))
                .await
                .expect("sealing does not panic")
        } else {
            seal(&self.keys, disclosure, classification)
        };
        let (reply, answer) = oneshot::channel();
        let job = Job {
            queued: tracing::info_span!("queued", subjects = item.subjects.len() as i64),
            caller: tracing::Span::current(),
            item,
            reply,
            budget,
        };
        // Counted before it is sent, so the writer never takes out more than went in.
        metrics().queued();
        let sent = match admission {
            Admission::FailFast => self.queue.try_send(job).map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => AppendError::QueueFull,
                mpsc::error::TrySendError::Closed(_) => AppendError::ShuttingDown,
            }),
            Admission::Wait => self
                .queue
                .send(job)
                .await
                .map_err(|_| AppendError::ShuttingDown),
        };
        if let Err(error) = sent {
            metrics().dequeued(1);
            return Err(error);
        }
        let outcome = answer.await.map_err(|_| AppendError::ShuttingDown)?;
        match outcome {
            Ok(WriteOutcome::Recorded(receipt)) => Ok(Recorded {
                receipt,
                replayed: false,
            }),
            Ok(WriteOutcome::Replayed(receipt)) => Ok(Recorded {
                receipt,
                replayed: true,
            }),
            Ok(WriteOutcome::Conflict) => Err(AppendError::Conflict),
            Err(error) => Err(AppendError::Unexpected(StorageError::Shared(error))),
        }
    }
}

fn seal(
    keys: &Keyring,
    disclosure: NewDisclosure,
    classification: Classification,
) -> PendingDisclosure {
    let digests = keys.request_digests(&disclosure.fingerprint_bytes());
    let (details, subjects) = disclosure.into_parts();
    let subjects = keys.seal(&details.controller, &details.transfer_id, &subjects);
    PendingDisclosure {
        details,
        classification,
        subjects,
        digests,
        active_key: keys.active_id(),
    }
}
