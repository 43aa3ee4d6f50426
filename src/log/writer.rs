//! The single ordered writer: takes everything queued, up to a batch limit, and commits it
//! in one transaction. While one batch commits, the next one gathers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::domain::{PendingDisclosure, Timestamp, WriteOutcome};
use crate::storage::prelude::*;
use crate::storage::{StorageError, Store};
use crate::telemetry::metrics::metrics;

use super::budget::Reservation;
use super::publisher::Publisher;

/// One disclosure waiting in the queue, with where its answer goes.
pub(super) struct Job {
    pub item: PendingDisclosure,
    pub reply: oneshot::Sender<Result<WriteOutcome, Arc<StorageError>>>,
    /// The job's room in the queue, given back when the job is answered.
    pub budget: Reservation,
    /// The span of the call that recorded it (the RPC's), which the batch's span is the
    /// child of or linked to.
    pub caller: tracing::Span,
    /// Open while the job waits in the queue; the writer drops it when it takes the job
    /// into a batch.
    pub queued: tracing::Span,
}

/// Sizes of the queue and of one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriterConfig {
    /// Disclosures that may wait for the writer; beyond it callers get RESOURCE_EXHAUSTED.
    pub queue_capacity: usize,
    /// Most disclosures in one transaction.
    pub max_batch_disclosures: usize,
    /// Most subject entries in one transaction (one larger disclosure still goes alone).
    pub max_batch_subjects: usize,
    /// Most subject entries waiting in the queue, which bounds its memory; beyond it callers
    /// get RESOURCE_EXHAUSTED.
    pub max_queued_subjects: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 1024,
            max_batch_disclosures: 256,
            max_batch_subjects: 50_000,
            max_queued_subjects: 1_000_000,
        }
    }
}

/// The running writer; [`WriterHandle::finish`] waits until the queue is drained.
pub struct WriterHandle(JoinHandle<()>);

impl WriterHandle {
    /// Waits, at most `timeout`, for the writer to commit what is queued and stop. It stops
    /// once every `Recorder` clone has been dropped. Returns whether it finished in time.
    pub async fn finish(self, timeout: Duration) -> bool {
        tokio::time::timeout(timeout, self.0).await.is_ok()
    }
}

pub(super) fn spawn(
    store: Store,
    config: WriterConfig,
    publisher: Option<Publisher>,
) -> (mpsc::Sender<Job>, WriterHandle) {
    let (sender, receiver) = mpsc::channel(config.queue_capacity.max(1));
    let task = tokio::spawn(run(store, receiver, config, publisher));
    (sender, WriterHandle(task))
}

async fn run(
    store: Store,
    mut queue: mpsc::Receiver<Job>,
    config: WriterConfig,
    mut publisher: Option<Publisher>,
) {
    let mut jobs: Vec<Job> = Vec::with_capacity(config.max_batch_disclosures);
    // Set when a batch found the database out of reach. While it is set, the writer probes
    // the database briefly before each batch and answers the batch UNAVAILABLE at once if it
    // does not answer, instead of letting every batch wait out the pool's acquire timeout
    // while callers queue behind it.
    let mut unreachable = false;
    loop {
        // Wait for work, or until a checkpoint is due.
        let due = publisher.as_ref().and_then(Publisher::due);
        let first = match due {
            Some(due) => match tokio::time::timeout_at(due, queue.recv()).await {
                Ok(job) => job,
                Err(_) => {
                    if let Some(publisher) = publisher.as_mut() {
                        if unreachable && !answers(&store).await {
                            publisher.postpone();
                        } else {
                            unreachable = false;
                            publisher.publish(&store, None).await;
                        }
                    }
                    continue;
                }
            },
            None => queue.recv().await,
        };
        let Some(first) = first else { break };
        let mut subjects = first.item.subjects.len();
        jobs.push(first);
        while jobs.len() < config.max_batch_disclosures && subjects < config.max_batch_subjects {
            match queue.try_recv() {
                Ok(job) => {
                    subjects += job.item.subjects.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        metrics().dequeued(jobs.len());
        if unreachable {
            if answers(&store).await {
                tracing::info!("the database answers again");
                unreachable = false;
            } else {
                refuse_unreachable(&mut jobs);
                continue;
            }
        }
        let (batch, outcome) = commit(&store, &mut jobs, subjects).await;
        if outcome == Outcome::Unreachable {
            unreachable = true;
            // Whatever the batch did is published once the database answers again.
            if let Some(publisher) = publisher.as_mut() {
                publisher.grew();
            }
            continue;
        }
        if let Some(publisher) = publisher.as_mut() {
            // The head as this batch left it: no query unless the batch failed.
            if let Ok(head) = store.open_log().await {
                metrics().tree_size(head.size);
            }
            publisher.grew();
            if publisher.is_due() {
                publisher.publish(&store, Some(&batch)).await;
            }
        }
    }
    // What was committed last is published before the writer stops.
    if let Some(publisher) = publisher.as_mut() {
        publisher.publish(&store, None).await;
    }
    tracing::debug!("write queue closed and drained; writer stops");
}

/// How long the writer waits for the database to answer a probe while it is out of reach.
const PROBE_TIMEOUT: Duration = Duration::from_millis(250);

/// Whether the database answers a ping within [`PROBE_TIMEOUT`].
async fn answers(store: &Store) -> bool {
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, store.ping()).await,
        Ok(Ok(()))
    )
}

/// Answers every job of `jobs` that the database is out of reach, without trying it.
fn refuse_unreachable(jobs: &mut Vec<Job>) {
    let error = Arc::new(StorageError::Unavailable(
        "the database did not answer the writer's probe".into(),
    ));
    for job in jobs.drain(..) {
        let _ = job.reply.send(Err(Arc::clone(&error)));
    }
}

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Committed, or failed for reasons of its own disclosures.
    Answered,
    /// The database was out of reach; every job was answered so. The batch may still have
    /// committed (a lost answer to a commit): a retry of the same transfer id finds it.
    Unreachable,
}

/// Commits `jobs` together and answers each; if the batch fails, tries each job alone, so
/// one failing disclosure cannot fail the others (unless the database is out of reach,
/// which fails them all at once); `entries` is their subjects in all. Returns the batch's
/// span and how it ended.
async fn commit(store: &Store, jobs: &mut Vec<Job>, entries: usize) -> (tracing::Span, Outcome) {
    let span = batch_span(jobs, entries);
    // Each reply keeps its job's queue budget until it is sent. A job's wait in the queue
    // (its `queued` span) ends here.
    let (items, replies): (Vec<PendingDisclosure>, Vec<_>) = jobs
        .drain(..)
        .map(|job| {
            drop(job.queued);
            (job.item, (job.reply, job.budget))
        })
        .unzip();
    let started = Instant::now();
    let written = store
        .write_batch(&items, Timestamp::now())
        .instrument(span.clone())
        .await;
    match written {
        Ok(outcomes) => {
            metrics().batch_committed(items.len(), entries, started.elapsed());
            for ((reply, _budget), outcome) in replies.into_iter().zip(outcomes) {
                // A caller that gave up no longer listens; its record is committed anyway.
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(error) if error.is_unavailable() => {
            tracing::warn!(%error, size = items.len(), "the database is out of reach; the batch is refused");
            let error = Arc::new(error);
            for (reply, _budget) in replies {
                let _ = reply.send(Err(Arc::clone(&error)));
            }
            return (span, Outcome::Unreachable);
        }
        Err(error) if items.len() == 1 => {
            tracing::error!(%error, "writing a disclosure failed");
            let (reply, _budget) = replies.into_iter().next().expect("one");
            let _ = reply.send(Err(Arc::new(error)));
        }
        Err(error) => {
            tracing::warn!(%error, size = items.len(), "batch failed; writing its disclosures one by one");
            for (item, (reply, _budget)) in items.into_iter().zip(replies) {
                let outcome = retry_alone(store, item).await;
                let _ = reply.send(outcome);
            }
        }
    }
    (span, Outcome::Answered)
}

/// The span of committing one batch. A batch serves many calls, and a span has one parent:
/// the batch's span is the child of the first call's span (the call whose arrival opened
/// the batch), so that a trace of one call alone, the usual case at low load, shows the
/// commit it waited for; every other call of the batch is linked to it (`follows_from`,
/// which becomes an OpenTelemetry span link). Each call's own trace shows its time in the
/// queue (`queued`) and, through the link, the commit that answered it. A span per call
/// for the shared commit would repeat the same work in every trace and cost a span per
/// call on the hot path.
fn batch_span(jobs: &[Job], entries: usize) -> tracing::Span {
    let first = jobs.first().map(|job| &job.caller);
    let span = tracing::info_span!(
        parent: first.and_then(tracing::Span::id),
        "commit",
        // Signed: tracing-opentelemetry exports unsigned integers as strings.
        disclosures = jobs.len() as i64,
        entries = entries as i64,
    );
    for job in jobs.iter().skip(1) {
        span.follows_from(&job.caller);
    }
    span
}

async fn retry_alone(
    store: &Store,
    item: PendingDisclosure,
) -> Result<crate::domain::WriteOutcome, Arc<crate::storage::StorageError>> {
    // A short pause lets a transient fault (a lost connection, a lock conflict) clear.
    tokio::time::sleep(Duration::from_millis(10)).await;
    match store
        .write_batch(std::slice::from_ref(&item), Timestamp::now())
        .await
    {
        Ok(mut outcomes) => Ok(outcomes.pop().expect("one outcome per item")),
        Err(error) => {
            tracing::error!(%error, "writing a disclosure failed");
            Err(Arc::new(error))
        }
    }
}
