//! The store the service runs on, SQLite or PostgreSQL, chosen once when it is opened: the
//! one place that dispatches on the backend.

use std::path::PathBuf;

use sqlx::{Postgres, Sqlite};

use super::store::SqlStore;
use super::{
    Checkpoints, Consents, Disclosures, Health, LogAppend, LogRead, Lookups, PoolStatus, Retention,
    Statistics, StorageError,
};
use crate::domain::{
    BusinessId, Consent, ConsentInsert, Cursor, DisclosureFilter, LeafRecord, LookupFilter,
    NewConsent, NewLookup, PendingDisclosure, Period, PurgeRecord, PurgeReport, PurgeRequest,
    RegisterId, RollupEntry, ShortText, StoredCheckpoint, StoredDisclosure, StoredLookup,
    SubjectDisclosure, SubjectHash, Timestamp, TreeHead, WriteOutcome,
};
use crate::transparency::merkle::Hash;

/// Which database to use and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Backend {
    /// The backend a database URL names: `postgres://`, `postgresql://` or `sqlite://`.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else {
            Err("database.url must start with postgres://, postgresql:// or sqlite://".into())
        }
    }
}

/// How to open a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// Connections for reads (SQLite; writes have one of their own) or for everything
    /// (PostgreSQL, which takes at least 2).
    pub max_connections: u32,
    /// Whether entries are integrated into the Merkle tree as they are stored (see
    /// `SqlStore::with_tamper_evidence`).
    pub tamper_evidence: bool,
    /// PostgreSQL: how long a call waits for a connection (a free one, or a new one while
    /// the server is down or restarting) before it fails as unavailable. Short, so that
    /// callers of a service whose database is down hear so promptly and can retry.
    pub acquire_timeout: std::time::Duration,
    /// PostgreSQL: entries a new partition of `subject_entries` holds; a purge drops whole
    /// partitions (see `storage::partitions`).
    pub entries_per_partition: u64,
}

impl OpenOptions {
    /// The default [`OpenOptions::acquire_timeout`].
    pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);
    /// The default [`OpenOptions::entries_per_partition`].
    pub const ENTRIES_PER_PARTITION: u64 = super::partitions::DEFAULT_ENTRIES_PER_PARTITION;
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            max_connections: 1,
            tamper_evidence: true,
            acquire_timeout: Self::ACQUIRE_TIMEOUT,
            entries_per_partition: Self::ENTRIES_PER_PARTITION,
        }
    }
}

/// The log's storage, on whichever backend it was opened; cheap to clone.
#[derive(Clone)]
pub struct Store(Inner);

#[derive(Clone)]
enum Inner {
    Sqlite(SqlStore<Sqlite>),
    Postgres(SqlStore<Postgres>),
}

/// Evaluates `$body` with `$s` bound to the backend's `SqlStore`.
macro_rules! dispatch {
    ($store:expr, |$s:ident| $body:expr) => {
        match &$store.0 {
            Inner::Sqlite($s) => $body,
            Inner::Postgres($s) => $body,
        }
    };
}

/// Opens the store `backend` names and applies its migrations.
pub async fn open(backend: &Backend, options: OpenOptions) -> Result<Store, StorageError> {
    let inner = match backend {
        Backend::Sqlite(path) => Inner::Sqlite(
            SqlStore::<Sqlite>::open(path, options.max_connections)
                .await?
                .with_tamper_evidence(options.tamper_evidence),
        ),
        Backend::Postgres(url) => Inner::Postgres(
            SqlStore::<Postgres>::connect(url, options.max_connections, options.acquire_timeout)
                .await?
                .with_tamper_evidence(options.tamper_evidence)
                .with_entries_per_partition(options.entries_per_partition),
        ),
    };
    Ok(Store(inner))
}

impl Store {
    /// `sqlite` or `postgres`, for logs.
    pub fn backend_name(&self) -> &'static str {
        match &self.0 {
            Inner::Sqlite(_) => "sqlite",
            Inner::Postgres(_) => "postgres",
        }
    }
}

impl LogAppend for Store {
    async fn write_batch(
        &self,
        batch: &[PendingDisclosure],
        recorded_at: Timestamp,
    ) -> Result<Vec<WriteOutcome>, StorageError> {
        dispatch!(self, |s| s.write_batch(batch, recorded_at).await)
    }

    async fn open_log(&self) -> Result<TreeHead, StorageError> {
        dispatch!(self, |s| s.open_log().await)
    }
}

impl LogRead for Store {
    async fn tree_head(&self) -> Result<TreeHead, StorageError> {
        dispatch!(self, |s| s.tree_head().await)
    }

    async fn entries_recorded(&self) -> Result<u64, StorageError> {
        dispatch!(self, |s| s.entries_recorded().await)
    }

    async fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        dispatch!(self, |s| s.inclusion_proof(index, size).await)
    }

    async fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        dispatch!(self, |s| s.consistency_proof(old, new).await)
    }

    async fn leaves(
        &self,
        range: std::ops::Range<i64>,
        with_data: bool,
    ) -> Result<Vec<LeafRecord>, StorageError> {
        dispatch!(self, |s| s.leaves(range, with_data).await)
    }
}

impl Checkpoints for Store {
    async fn add_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<bool, StorageError> {
        dispatch!(self, |s| s.add_checkpoint(checkpoint).await)
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StorageError> {
        dispatch!(self, |s| s.latest_checkpoint().await)
    }

    async fn checkpoints(
        &self,
        after_size: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredCheckpoint>, StorageError> {
        dispatch!(self, |s| s.checkpoints(after_size, limit).await)
    }
}

impl Disclosures for Store {
    async fn get_disclosure(
        &self,
        controller: &BusinessId,
        id: i64,
    ) -> Result<Option<StoredDisclosure>, StorageError> {
        dispatch!(self, |s| s.get_disclosure(controller, id).await)
    }

    async fn list_disclosures(
        &self,
        controller: &BusinessId,
        filter: &DisclosureFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<StoredDisclosure>, StorageError> {
        dispatch!(self, |s| s
            .list_disclosures(controller, filter, after, limit)
            .await)
    }

    async fn list_subject_disclosures(
        &self,
        controller: &BusinessId,
        joint_registers: &[RegisterId],
        hashes: &[SubjectHash],
        period: Period,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<SubjectDisclosure>, StorageError> {
        dispatch!(self, |s| s
            .list_subject_disclosures(controller, joint_registers, hashes, period, after, limit)
            .await)
    }

    async fn next_controller(
        &self,
        after: Option<&BusinessId>,
    ) -> Result<Option<BusinessId>, StorageError> {
        dispatch!(self, |s| s.next_controller(after).await)
    }
}

impl Consents for Store {
    async fn insert_consent(&self, consent: &NewConsent) -> Result<ConsentInsert, StorageError> {
        dispatch!(self, |s| s.insert_consent(consent).await)
    }

    async fn withdraw_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
        at_by: (Timestamp, &str),
    ) -> Result<Option<Consent>, StorageError> {
        dispatch!(self, |s| s
            .withdraw_consent(controller, reference, at_by)
            .await)
    }

    async fn get_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
    ) -> Result<Option<Consent>, StorageError> {
        dispatch!(self, |s| s.get_consent(controller, reference).await)
    }

    async fn consents_of(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> Result<Vec<Consent>, StorageError> {
        dispatch!(self, |s| s.consents_of(controller, hashes).await)
    }
}

impl Lookups for Store {
    async fn record_lookup(&self, lookup: &NewLookup) -> Result<i64, StorageError> {
        dispatch!(self, |s| s.record_lookup(lookup).await)
    }

    async fn record_lookups(&self, lookups: &[NewLookup]) -> Result<(), StorageError> {
        dispatch!(self, |s| s.record_lookups(lookups).await)
    }

    async fn list_lookups(
        &self,
        controller: &BusinessId,
        filter: &LookupFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<StoredLookup>, StorageError> {
        dispatch!(self, |s| s
            .list_lookups(controller, filter, after, limit)
            .await)
    }
}

impl Statistics for Store {
    async fn rollup(
        &self,
        controller: &BusinessId,
        register: Option<&RegisterId>,
        days: std::ops::Range<i32>,
    ) -> Result<Vec<RollupEntry>, StorageError> {
        dispatch!(self, |s| s.rollup(controller, register, days).await)
    }

    async fn joint_rollup(
        &self,
        controllers: &[&BusinessId],
        register: &RegisterId,
        days: std::ops::Range<i32>,
    ) -> Result<Vec<RollupEntry>, StorageError> {
        dispatch!(self, |s| s.joint_rollup(controllers, register, days).await)
    }
}

impl Retention for Store {
    async fn purge(&self, request: &PurgeRequest) -> Result<PurgeReport, StorageError> {
        dispatch!(self, |s| s.purge(request).await)
    }

    async fn purges(&self) -> Result<Vec<PurgeRecord>, StorageError> {
        dispatch!(self, |s| s.purges().await)
    }
}

impl Health for Store {
    fn pool_status(&self) -> Vec<PoolStatus> {
        dispatch!(self, |s| s.pool_status())
    }

    async fn ping(&self) -> Result<(), StorageError> {
        dispatch!(self, |s| s.ping().await)
    }

    async fn close(&self) -> () {
        dispatch!(self, |s| s.close().await)
    }
}

impl super::SafetyProtections for Store {
    async fn mark_safety_protected(
        &self,
        controller: &BusinessId,
        hashes: &[(u16, SubjectHash)],
        with: (i64, Timestamp, &str),
    ) -> Result<(), StorageError> {
        dispatch!(self, |s| s
            .mark_safety_protected(controller, hashes, with)
            .await)
    }

    async fn decide_safety_protection(
        &self,
        controller: &BusinessId,
        hash: (u16, SubjectHash),
        decision: &super::protections::NewSafetyDecision<'_>,
    ) -> Result<i64, StorageError> {
        dispatch!(self, |s| s
            .decide_safety_protection(controller, hash, decision)
            .await)
    }

    async fn safety_decisions(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> Result<Vec<(SubjectHash, i64, crate::domain::SafetyAction)>, StorageError> {
        dispatch!(self, |s| s.safety_decisions(controller, hashes).await)
    }
}

impl super::WithholdingDecisions for Store {
    async fn append_withholding_decision(
        &self,
        decision: &crate::domain::NewWithholdingDecision,
    ) -> Result<Option<i64>, StorageError> {
        dispatch!(self, |s| s.append_withholding_decision(decision).await)
    }

    async fn withholding_decisions(
        &self,
        controller: &BusinessId,
        disclosures: &[i64],
    ) -> Result<Vec<crate::domain::WithholdingDecision>, StorageError> {
        dispatch!(self, |s| s
            .withholding_decisions(controller, disclosures)
            .await)
    }
}

impl super::AccessRequests for Store {
    async fn insert_access_request(
        &self,
        case: &crate::domain::NewAccessRequest,
    ) -> Result<Option<i64>, StorageError> {
        dispatch!(self, |s| s.insert_access_request(case).await)
    }

    async fn access_request_by_diary(
        &self,
        controller: &BusinessId,
        diary_number: &ShortText,
    ) -> Result<Option<crate::domain::AccessRequest>, StorageError> {
        dispatch!(self, |s| s
            .access_request_by_diary(controller, diary_number)
            .await)
    }

    async fn access_request(
        &self,
        id: i64,
    ) -> Result<Option<crate::domain::AccessRequest>, StorageError> {
        dispatch!(self, |s| s.access_request(id).await)
    }

    async fn access_requests(
        &self,
        controller: &BusinessId,
    ) -> Result<Vec<crate::domain::AccessRequest>, StorageError> {
        dispatch!(self, |s| s.access_requests(controller).await)
    }

    async fn append_case_event(
        &self,
        request: i64,
        event: &crate::domain::CaseEvent,
        at_by: (Timestamp, &str),
    ) -> Result<Option<i64>, StorageError> {
        dispatch!(self, |s| s.append_case_event(request, event, at_by).await)
    }
}
