//! The log's storage over any sqlx database that implements [`Dialect`]: the statements are
//! shared, the dialects differ only in how a batch finds its replays and inserts its rows.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sqlx::{Database, Pool};

use crate::domain::{PurgeReport, PurgeRequest, Recipient};

use super::StorageError;
use super::columns::BatchColumns;
use super::integrate::LogState;
use super::rows::ExistingRow;

/// What became of one attempt to insert a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inserted {
    /// Committed.
    Yes,
    /// Nothing written: a transfer id of the batch was taken.
    TransferTaken,
    /// Nothing written: `log_head` was not as the batch expected (another writer).
    HeadMoved,
}

/// What differs between the SQL backends.
pub(super) trait Dialect: Database {
    /// Whether writes go through a pool of their own (`SqlStore::writer`).
    const SEPARATE_WRITER: bool;

    /// The stored disclosures with any of these (controller, transfer id) keys.
    fn find_existing(
        pool: &Pool<Self>,
        keys: Vec<(String, String)>,
    ) -> impl Future<Output = Result<Vec<ExistingRow>, sqlx::Error>> + Send;

    /// In one atomic step: unless a disclosure with the key of one of `rows` is stored
    /// already or `log_head` is not `rows.head.expected`, moves `log_head` to
    /// `rows.head.next` and inserts the rows.
    fn insert_new(
        pool: &Pool<Self>,
        rows: BatchColumns,
    ) -> impl Future<Output = Result<Inserted, sqlx::Error>> + Send;

    /// Makes sure entries up to `end` can be stored, making room of `size` entries at a
    /// time where the backend keeps entries in partitions; returns up to where there is
    /// room.
    fn ensure_entry_room(
        pool: &Pool<Self>,
        end: i64,
        size: i64,
    ) -> impl Future<Output = Result<i64, sqlx::Error>> + Send;

    /// Where entries are kept in partitions: drops those whose disclosures all occurred
    /// before the request's date, keeping their leaf hashes in `purged_leaves`, each with
    /// a record in `purges` in its own transaction.
    fn drop_expired_entries(
        store: &SqlStore<Self>,
        request: &PurgeRequest,
    ) -> impl Future<Output = Result<PurgeReport, StorageError>> + Send;
}

/// The log's storage on database `DB`.
pub struct SqlStore<DB: Database> {
    /// Every read and write goes through this pool; for SQLite the writes use `writer`.
    pub(super) pool: Pool<DB>,
    /// The pool writes go through: for SQLite a single connection (one writer at a time is
    /// all SQLite allows), for PostgreSQL the same pool as reads.
    pub(super) writer: Pool<DB>,
    /// Recipient ids by value; recipients are committed before they are cached and never
    /// deleted, so an entry never goes stale.
    pub(super) recipients: Arc<Mutex<HashMap<Recipient, i64>>>,
    /// The head and tree as the last batch left them; `None` until read, and again after a
    /// failure that may or may not have committed. An async mutex: held across the write.
    pub(super) log: Arc<tokio::sync::Mutex<Option<LogState>>>,
    /// Entries a new partition holds (PostgreSQL).
    pub(super) entries_per_partition: i64,
    /// Up to which entry id partitions exist, as last seen; 0 until first asked.
    pub(super) entry_room: Arc<std::sync::atomic::AtomicI64>,
    /// Whether batches get leaf hashes and tree nodes (tamper evidence on).
    pub(super) tree: bool,
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            recipients: Arc::clone(&self.recipients),
            log: Arc::clone(&self.log),
            entries_per_partition: self.entries_per_partition,
            entry_room: Arc::clone(&self.entry_room),
            tree: self.tree,
        }
    }
}

impl<DB: Database> SqlStore<DB> {
    pub(super) fn from_pools(pool: Pool<DB>, writer: Pool<DB>) -> Self {
        Self {
            pool,
            writer,
            recipients: Arc::default(),
            log: Arc::default(),
            entries_per_partition: super::partitions::DEFAULT_ENTRIES_PER_PARTITION as i64,
            entry_room: Arc::default(),
            tree: true,
        }
    }

    /// New partitions of entries hold `size` entries (PostgreSQL).
    pub fn with_entries_per_partition(mut self, size: u64) -> Self {
        self.entries_per_partition = size.clamp(1, i64::MAX as u64) as i64;
        self
    }

    /// With tamper evidence on (the default) every entry is integrated into the Merkle tree
    /// as it is stored; off, entries wait, and are integrated when it is on again.
    pub fn with_tamper_evidence(mut self, on: bool) -> Self {
        self.tree = on;
        self
    }
}

/// Implements a role trait (`impl Trait { … }`) or inherent methods (`impl { … }`) for
/// `SqlStore<DB>` on every dialect, with the bounds sqlx needs spelled out once, here.
macro_rules! sql_impl {
    (impl $($role:ident)? { $($body:tt)* }) => {
        // The bounds name the storage's private row types; nothing private leaks through
        // the methods themselves.
        #[allow(private_bounds)]
        impl<DB> $($role for)? $crate::storage::store::SqlStore<DB>
        where
            DB: $crate::storage::store::Dialect,
            for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
            DB::Arguments: sqlx::IntoArguments<DB>,
            i64: $crate::storage::rows::Bind<DB>,
            i32: $crate::storage::rows::Bind<DB>,
            i16: $crate::storage::rows::Bind<DB>,
            String: $crate::storage::rows::Bind<DB>,
            Vec<u8>: $crate::storage::rows::Bind<DB>,
            Option<i64>: $crate::storage::rows::Bind<DB>,
            Option<i16>: $crate::storage::rows::Bind<DB>,
            Option<String>: $crate::storage::rows::Bind<DB>,
            for<'r> $crate::storage::rows::DisclosureRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::SubjectRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::ExistingRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::LookupRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::ConsentRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::RollupRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::EntryRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::integrate::LogHead: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::CheckpointRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::rows::PurgeRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::withholdings::WithholdingDecisionRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::access_requests::AccessRequestRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::storage::access_requests::CaseEventRow: sqlx::FromRow<'r, DB::Row>,
            for<'r> (i64, i64): sqlx::FromRow<'r, DB::Row>,
            for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
            for<'r> (String,): sqlx::FromRow<'r, DB::Row>,
            for<'r> (i16, i64, Vec<u8>): sqlx::FromRow<'r, DB::Row>,
            for<'r> (i64, i64, Vec<u8>): sqlx::FromRow<'r, DB::Row>,
            for<'r> (i64, Option<Vec<u8>>): sqlx::FromRow<'r, DB::Row>,
            for<'r> (Option<i64>, Option<i64>, i64): sqlx::FromRow<'r, DB::Row>,
        {
            $($body)*
        }
    };
}
pub(super) use sql_impl;
