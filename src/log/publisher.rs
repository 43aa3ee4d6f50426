//! Publishing: signs a checkpoint of the tree the writer grows, after each batch or at most
//! once an interval, and stores it. A checkpoint is only stored if it names the committed
//! head (see `storage::Checkpoints::add_checkpoint`), so two stored checkpoints can never disagree.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::domain::StoredCheckpoint;
use crate::domain::Timestamp;
use crate::storage::Store;
use crate::storage::prelude::*;
use crate::telemetry::metrics::metrics;
use crate::transparency::checkpoint::{Checkpoint, SigningKey};

/// What checkpoints are signed with and how often.
#[derive(Debug, Clone)]
pub struct PublishConfig {
    pub key: Arc<SigningKey>,
    /// The log's name, the checkpoint's first line.
    pub origin: String,
    /// Longest time a committed entry waits for a checkpoint; zero: after every batch.
    pub interval: Duration,
}

/// The publishing state kept by the writer task.
pub(super) struct Publisher {
    config: PublishConfig,
    /// When the next checkpoint is due; `None` while nothing new is committed.
    due: Option<Instant>,
    /// The size of the last checkpoint stored by this process.
    published: u64,
}

impl Publisher {
    /// Due at once, so a head left unpublished by a crash is published on start.
    pub fn new(config: PublishConfig) -> Self {
        Self {
            config,
            due: Some(Instant::now()),
            published: 0,
        }
    }

    /// Notes that a batch was committed.
    pub fn grew(&mut self) {
        if self.due.is_none() {
            self.due = Some(Instant::now() + self.config.interval);
        }
    }

    /// When the next checkpoint is due, if one is.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Whether a checkpoint is due now.
    pub fn is_due(&self) -> bool {
        self.due.is_some_and(|due| due <= Instant::now())
    }

    /// Signs and stores a checkpoint of the committed head, unless it is published already.
    /// A failure is logged and tried again an interval later: entries stay committed, only
    /// their publication waits.
    ///
    /// Its span (`checkpoint`) is the child of `batch`, the span of the batch whose commit
    /// made it due, when there is one; a checkpoint published when its interval ran out, at
    /// start or at shutdown starts a trace of its own.
    pub async fn publish(&mut self, store: &Store, batch: Option<&tracing::Span>) {
        self.due = None;
        let span = tracing::info_span!(
            parent: batch.and_then(tracing::Span::id),
            "checkpoint",
            tree_size = tracing::field::Empty,
            stored = tracing::field::Empty,
        );
        match self.try_publish(store).instrument(span).await {
            Ok(()) => {}
            Err(error) => {
                tracing::error!(%error, "publishing a checkpoint failed; trying again later");
                self.postpone();
            }
        }
    }

    /// Puts the next checkpoint off by an interval (at least a second), as after a failure.
    pub fn postpone(&mut self) {
        self.due = Some(Instant::now() + self.config.interval.max(Duration::from_secs(1)));
    }

    async fn try_publish(&mut self, store: &Store) -> anyhow::Result<()> {
        // The head as this writer left it, without a query; if another writer moved it
        // since, `add_checkpoint` refuses the checkpoint.
        let head = store.open_log().await?;
        if head.size == 0 || head.size <= self.published {
            return Ok(());
        }
        let checkpoint = Checkpoint::new(self.config.origin.clone(), head.size, head.root);
        let note = self.config.key.sign(&checkpoint)?;
        let signed_at = Timestamp::now().micros();
        let stored = store
            .add_checkpoint(&StoredCheckpoint {
                size: head.size,
                root: head.root,
                signed_at,
                note,
            })
            .await?;
        tracing::debug!(size = head.size, stored, "checkpoint");
        let span = tracing::Span::current();
        span.record("tree_size", head.size as i64);
        span.record("stored", stored);
        // A checkpoint not stored (another writer's head) does not make the newest younger.
        if stored {
            metrics().checkpoint_signed(signed_at);
        }
        self.published = head.size;
        Ok(())
    }
}
