//! Storage: one trait, two sqlx backends (SQLite, the embedded default, and PostgreSQL for
//! production), each with its own embedded migrations. The only place that imports sqlx.

mod batch;
mod columns;
mod consents;
mod log;
mod lookups;
mod open;
mod postgres;
mod rollup;
mod rows;
mod sqlite;
mod store;
mod tree;

use std::future::Future;

pub use open::{Backend, OpenOptions, Store, open};

use crate::domain::{
    BusinessId, Consent, ConsentInsert, Cursor, DisclosureFilter, LeafRecord, LookupFilter,
    NewConsent, NewLookup, PendingDisclosure, Period, PurgeRecord, PurgeReport, PurgeRequest,
    RegisterId, RollupEntry, ShortText, StoredCheckpoint, StoredDisclosure, StoredLookup,
    SubjectDisclosure, SubjectHash, Timestamp, TreeHead, WriteOutcome,
};
use crate::transparency::merkle::Hash;

/// Why storage failed. The detail is for the log, never for the caller.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database or its driver failed (a lost connection, a failed statement, a failed
    /// migration); the source says how.
    #[error("database: {0}")]
    Unexpected(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("stored row does not decode: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Config(String),
    /// Other writers kept moving the log head, or taking the batch's transfer ids, while it
    /// was being planned.
    #[error("another writer kept moving the log head or taking transfer ids; tried {0} times")]
    Contended(usize),
    /// One batch failure reported to each of its callers.
    #[error(transparent)]
    Shared(#[from] std::sync::Arc<StorageError>),
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        Self::Unexpected(Box::new(error))
    }
}

impl From<sqlx::migrate::MigrateError> for StorageError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Unexpected(Box::new(error))
    }
}

/// One connection pool's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// `main`, or `read` and `write` where writes have a pool of their own (SQLite).
    pub name: &'static str,
    /// Open connections, idle or in use.
    pub size: u32,
    pub idle: usize,
}

/// What the log needs from a database.
pub trait Storage: Clone + Send + Sync + 'static {
    /// Writes a batch in one transaction and returns each item's outcome, in order. Either
    /// every recorded item is committed or none is.
    fn write_batch(
        &self,
        batch: &[PendingDisclosure],
        recorded_at: Timestamp,
    ) -> impl Future<Output = Result<Vec<WriteOutcome>, StorageError>> + Send;

    /// One disclosure of `controller`.
    fn get_disclosure(
        &self,
        controller: &BusinessId,
        id: i64,
    ) -> impl Future<Output = Result<Option<StoredDisclosure>, StorageError>> + Send;

    /// Up to `limit` disclosures of `controller` matching `filter`, after `after`, ordered by
    /// (occurred_at, id).
    fn list_disclosures(
        &self,
        controller: &BusinessId,
        filter: &DisclosureFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredDisclosure>, StorageError>> + Send;

    /// Up to `limit` disclosures of `controller` covering a subject with any of `hashes`,
    /// ordered by (occurred_at, entry id).
    fn list_subject_disclosures(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
        period: Period,
        after: Option<Cursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SubjectDisclosure>, StorageError>> + Send;

    /// Records a lookup by identity code, committed before this returns; returns its id.
    fn record_lookup(
        &self,
        lookup: &NewLookup,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Up to `limit` recorded lookups of `controller` matching `filter`, after `after`,
    /// ordered by (looked_up_at, id).
    fn list_lookups(
        &self,
        controller: &BusinessId,
        filter: &LookupFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredLookup>, StorageError>> + Send;

    /// Stores a consent or refusal unless its reference is taken.
    fn insert_consent(
        &self,
        consent: &NewConsent,
    ) -> impl Future<Output = Result<ConsentInsert, StorageError>> + Send;

    /// Marks a given consent withdrawn at `at` by caller `by`, if it is not already;
    /// returns the consent as stored afterwards, or `None` when there is none.
    fn withdraw_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
        at_by: (Timestamp, &str),
    ) -> impl Future<Output = Result<Option<Consent>, StorageError>> + Send;

    /// The consent or refusal under `reference`.
    fn get_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
    ) -> impl Future<Output = Result<Option<Consent>, StorageError>> + Send;

    /// Every consent and refusal of `controller` for subjects with any of `hashes`.
    fn consents_of(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> impl Future<Output = Result<Vec<Consent>, StorageError>> + Send;

    /// The per-day counts of `controller` for the Finnish local days `days` (day numbers
    /// since 1970-01-01), optionally of one register.
    fn rollup(
        &self,
        controller: &BusinessId,
        register: Option<&RegisterId>,
        days: std::ops::Range<i32>,
    ) -> impl Future<Output = Result<Vec<RollupEntry>, StorageError>> + Send;

    /// Reads the log head and, with tamper evidence on, integrates the entries the tree does
    /// not hold yet (recorded with it off, or before it existed), so that the first
    /// checkpoint covers them. The writer calls it before its first batch anyway; the
    /// server calls it at start. Returns the integrated tree's head, as the last batch left
    /// it once loaded (no query then).
    fn open_log(&self) -> impl Future<Output = Result<TreeHead, StorageError>> + Send;

    /// The integrated tree as committed.
    fn tree_head(&self) -> impl Future<Output = Result<TreeHead, StorageError>> + Send;

    /// Stores `checkpoint` if its size and root are the committed tree head's and no
    /// checkpoint of that size is stored; says whether it was stored.
    fn add_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// The checkpoint of the largest tree.
    fn latest_checkpoint(
        &self,
    ) -> impl Future<Output = Result<Option<StoredCheckpoint>, StorageError>> + Send;

    /// Up to `limit` checkpoints of trees larger than `after_size`, smallest first.
    fn checkpoints(
        &self,
        after_size: Option<u64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredCheckpoint>, StorageError>> + Send;

    /// The checkpoint of the tree of `size` leaves, or the latest when `None`.
    fn checkpoint(
        &self,
        size: Option<u64>,
    ) -> impl Future<Output = Result<Option<StoredCheckpoint>, StorageError>> + Send {
        async move {
            match size {
                None => self.latest_checkpoint().await,
                Some(size) => Ok(self
                    .checkpoints(size.checked_sub(1), 1)
                    .await?
                    .into_iter()
                    .find(|c| c.size == size)),
            }
        }
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves; `None` unless
    /// `index < size <= ` the integrated size.
    fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> impl Future<Output = Result<Option<Vec<Hash>>, StorageError>> + Send;

    /// The consistency proof from the tree of `old` leaves to that of `new`; `None` unless
    /// `0 < old <= new <=` the integrated size.
    fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> impl Future<Output = Result<Option<Vec<Hash>>, StorageError>> + Send;

    /// The entries with ids in `range` as leaves, in order (missing ones left out), with
    /// their leaf data when `with_data`.
    fn leaves(
        &self,
        range: std::ops::Range<i64>,
        with_data: bool,
    ) -> impl Future<Output = Result<Vec<LeafRecord>, StorageError>> + Send;

    /// Empties the personal content of the entries `request` names, keeping their leaf
    /// hashes, and records the purge; in one transaction.
    fn purge(
        &self,
        request: &PurgeRequest,
    ) -> impl Future<Output = Result<PurgeReport, StorageError>> + Send;

    /// Every recorded purge, oldest first.
    fn purges(&self) -> impl Future<Output = Result<Vec<PurgeRecord>, StorageError>> + Send;

    /// The connection pools' state, for metrics.
    fn pool_status(&self) -> Vec<PoolStatus>;

    /// Checks that the database answers (for health checks).
    fn ping(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Closes the connections, waiting for those in use.
    fn close(&self) -> impl Future<Output = ()> + Send;
}
