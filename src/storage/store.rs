//! The log's storage over any sqlx database that implements [`Dialect`]: the statements are
//! shared, the dialects differ only in how a batch finds its replays and inserts its rows.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sqlx::{Database, Executor, FromRow, IntoArguments, Pool, QueryBuilder};

use crate::domain::{
    BusinessId, Consent, ConsentInsert, Cursor, DisclosureFilter, LeafRecord, LookupFilter,
    NewConsent, NewLookup, PendingDisclosure, Period, PurgeRecord, PurgeReport, PurgeRequest,
    Receipt, Recipient, RegisterId, RollupEntry, ShortText, StoredCheckpoint, StoredDisclosure,
    StoredLookup, SubjectDisclosure, SubjectHash, Timestamp, TreeHead, WriteOutcome,
};

use super::batch::{Existing, Plan};
use super::columns::BatchColumns;
use super::consents::{CONSENT_COLUMNS, ConsentRow, INSERT_CONSENT, consents_of_query};
use super::lookups::{INSERT_LOOKUP, LookupRow, lookup_query};
use super::rollup::{RollupRow, rollup_query};
use super::rows::{self, Bind, DisclosureRow, ExistingRow, INTERN_RECIPIENT, SubjectRow};
use super::tree::{
    CHECKPOINT_COLUMNS, CheckpointRow, EntryRow, INSERT_CHECKPOINT, LIST_PURGES, LogHead, LogState,
    PurgeRow, purge_selection,
};
use super::{PoolStatus, Storage, StorageError};
use crate::transparency::merkle::{Hash, ProofPlan};

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
}

/// How often a batch is planned and tried before its transfer ids are called contended.
const WRITE_ATTEMPTS: usize = 3;

/// The log's storage on database `DB`.
pub struct SqlStore<DB: Database> {
    /// Every read and write goes through this pool; for SQLite the writes use `writer`.
    pub(super) pool: Pool<DB>,
    /// The pool writes go through: for SQLite a single connection (one writer at a time is
    /// all SQLite allows), for PostgreSQL the same pool as reads.
    pub(super) writer: Pool<DB>,
    /// Recipient ids by value; recipients are committed before they are cached and never
    /// deleted, so an entry never goes stale.
    recipients: Arc<Mutex<HashMap<Recipient, i64>>>,
    /// The head and tree as the last batch left them; `None` until read, and again after a
    /// failure that may or may not have committed. An async mutex: held across the write.
    pub(super) log: Arc<tokio::sync::Mutex<Option<LogState>>>,
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
            tree: true,
        }
    }

    /// With tamper evidence on (the default) every entry is integrated into the Merkle tree
    /// as it is stored; off, entries wait, and are integrated when it is on again.
    pub fn with_tamper_evidence(mut self, on: bool) -> Self {
        self.tree = on;
        self
    }
}

impl<DB> Storage for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    i64: Bind<DB>,
    i32: Bind<DB>,
    i16: Bind<DB>,
    String: Bind<DB>,
    Vec<u8>: Bind<DB>,
    Option<i64>: Bind<DB>,
    Option<i16>: Bind<DB>,
    Option<String>: Bind<DB>,
    for<'r> DisclosureRow: FromRow<'r, DB::Row>,
    for<'r> SubjectRow: FromRow<'r, DB::Row>,
    for<'r> ExistingRow: FromRow<'r, DB::Row>,
    for<'r> LookupRow: FromRow<'r, DB::Row>,
    for<'r> ConsentRow: FromRow<'r, DB::Row>,
    for<'r> RollupRow: FromRow<'r, DB::Row>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> EntryRow: FromRow<'r, DB::Row>,
    for<'r> LogHead: FromRow<'r, DB::Row>,
    for<'r> CheckpointRow: FromRow<'r, DB::Row>,
    for<'r> PurgeRow: FromRow<'r, DB::Row>,
    for<'r> (i16, i64, Vec<u8>): FromRow<'r, DB::Row>,
    for<'r> (i64, Option<Vec<u8>>): FromRow<'r, DB::Row>,
    for<'r> (Option<i64>, Option<i64>, i64): FromRow<'r, DB::Row>,
{
    async fn write_batch(
        &self,
        batch: &[PendingDisclosure],
        recorded_at: Timestamp,
    ) -> Result<Vec<WriteOutcome>, StorageError> {
        // First assume every transfer id is new and the head is where the last batch left
        // it, which needs one statement; only when that fails, look up what changed and plan
        // again. Another instance writing meanwhile can change it again, hence the bound.
        let mut log = self.log.lock().await;
        let mut existing = HashMap::new();
        for _ in 0..WRITE_ATTEMPTS {
            let plan = Plan::new(batch, &existing);
            if plan.inserts.is_empty() {
                return Ok(plan.outcomes(&[]));
            }
            if log.is_none() {
                *log = Some(self.load_log().await?);
            }
            let state = log.as_ref().expect("loaded");
            let recipient_ids = recipient_ids(self, batch, &plan.inserts).await?;
            let head = &state.head;
            let receipts = plan.receipts(
                batch,
                head.next_disclosure_id,
                head.next_entry_id,
                recorded_at,
            );
            let inserted = plan.inserts.iter().map(|&i| &batch[i]);
            let mut rows = BatchColumns::new(
                inserted
                    .zip(&receipts)
                    .zip(recipient_ids)
                    .map(|((item, receipt), recipient)| (item, receipt, recipient)),
                recorded_at,
                self.tree,
                head,
            );
            let next = &mut rows.head.next;
            next.next_disclosure_id += rows.disclosures.id.len() as i64;
            next.next_entry_id += rows.entries.entry_id.len() as i64;
            let mut frontier = state.frontier.clone();
            if self.tree {
                let leaves = rows.entries.leaf_hash.iter().map(|leaf| {
                    <Hash>::try_from(leaf.as_deref().expect("leaves with the tree on"))
                        .expect("32 bytes")
                });
                LogState::grow(&mut frontier, leaves, &mut rows.nodes, &mut rows.head.next);
            }
            let next = rows.head.next.clone();
            let inserted = DB::insert_new(&self.writer, rows).await;
            match inserted {
                Ok(Inserted::Yes) => {
                    *log = Some(LogState {
                        head: next,
                        frontier,
                    });
                    return Ok(plan.outcomes(&receipts));
                }
                Ok(Inserted::HeadMoved) => *log = None,
                Ok(Inserted::TransferTaken) => {
                    let keys = batch
                        .iter()
                        .map(|item| {
                            (
                                item.details.controller.as_str().to_owned(),
                                item.details.transfer_id.as_str().to_owned(),
                            )
                        })
                        .collect();
                    existing = DB::find_existing(&self.pool, keys)
                        .await?
                        .into_iter()
                        .map(|row| {
                            Ok((
                                (row.controller.clone(), row.transfer_id.clone()),
                                existing_from(row)?,
                            ))
                        })
                        .collect::<Result<_, StorageError>>()?;
                }
                Err(error) => {
                    // It may have committed: read the head again before the next batch.
                    *log = None;
                    return Err(error.into());
                }
            }
        }
        Err(StorageError::Contended(WRITE_ATTEMPTS))
    }

    async fn get_disclosure(
        &self,
        controller: &BusinessId,
        id: i64,
    ) -> Result<Option<StoredDisclosure>, StorageError> {
        let sql = format!(
            "SELECT {} FROM disclosures d JOIN recipients r ON r.id = d.recipient_id \
             WHERE d.controller = $1 AND d.id = $2",
            rows::DISCLOSURE_COLUMNS
        );
        // Composed from constants only.
        let row: Option<DisclosureRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(controller.as_str().to_owned())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(row.into_domain()?)),
            None => Ok(None),
        }
    }

    async fn list_disclosures(
        &self,
        controller: &BusinessId,
        filter: &DisclosureFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<StoredDisclosure>, StorageError> {
        let mut query = rows::list_query::<DB>(controller, filter, after, limit);
        let found: Vec<DisclosureRow> = query.build_query_as().fetch_all(&self.pool).await?;
        decode(found)
    }

    async fn list_subject_disclosures(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
        period: Period,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<SubjectDisclosure>, StorageError> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = rows::subject_query::<DB>(controller, hashes, period, after, limit);
        let found: Vec<SubjectRow> = query.build_query_as().fetch_all(&self.pool).await?;
        found
            .into_iter()
            .map(|row| {
                Ok(SubjectDisclosure {
                    entry_id: row.entry_id,
                    disclosure: row.disclosure.into_domain()?,
                })
            })
            .collect()
    }

    async fn record_lookup(&self, lookup: &NewLookup) -> Result<i64, StorageError> {
        let (id,): (i64,) = sqlx::query_as(INSERT_LOOKUP)
            .bind(lookup.looked_up_at.micros())
            .bind(lookup.period.from.map(|t| t.micros()))
            .bind(lookup.period.to.map(|t| t.micros()))
            .bind(lookup.operation.code())
            .bind(lookup.subject_key_id as i16)
            .bind(lookup.controller.as_str().to_owned())
            .bind(lookup.context.requested_by.as_str().to_owned())
            .bind(lookup.context.case_reference.as_str().to_owned())
            .bind(lookup.subject_hash.to_vec())
            .bind(lookup.caller.clone())
            .fetch_one(&self.writer)
            .await?;
        Ok(id)
    }

    async fn list_lookups(
        &self,
        controller: &BusinessId,
        filter: &LookupFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<StoredLookup>, StorageError> {
        let mut query = lookup_query::<DB>(controller, filter, after, limit);
        let found: Vec<LookupRow> = query.build_query_as().fetch_all(&self.pool).await?;
        found.into_iter().map(LookupRow::into_domain).collect()
    }

    async fn insert_consent(&self, consent: &NewConsent) -> Result<ConsentInsert, StorageError> {
        let terms = &consent.terms;
        let scope = &terms.scope;
        let inserted: Option<(i64,)> = sqlx::query_as(INSERT_CONSENT)
            .bind(terms.given_at.micros())
            .bind(terms.valid_until.map(|t| t.micros()))
            .bind(consent.recorded_at.micros())
            .bind(scope.data_categories.mask())
            .bind(terms.decision.code())
            .bind(scope.recipient_kind.code())
            .bind(consent.subject_key_id as i16)
            .bind(terms.controller.as_str().to_owned())
            .bind(terms.reference.as_str().to_owned())
            .bind(scope.recipient_id.as_ref().map(|id| id.as_str().to_owned()))
            .bind(scope.purpose.as_str().to_owned())
            .bind(terms.document_reference.as_str().to_owned())
            .bind(consent.subject_hash.to_vec())
            .bind(consent.recorded_by.clone())
            .fetch_optional(&self.writer)
            .await?;
        let stored = self
            .get_consent(&terms.controller, &terms.reference)
            .await?
            .ok_or_else(|| StorageError::Corrupt("a consent vanished after its insert".into()))?;
        Ok(match inserted {
            Some(_) => ConsentInsert::Stored(stored),
            None => ConsentInsert::Taken(stored),
        })
    }

    async fn withdraw_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
        (at, by): (Timestamp, &str),
    ) -> Result<Option<Consent>, StorageError> {
        sqlx::query(
            "UPDATE consents SET withdrawn_at = $1, withdrawn_by = $4 WHERE controller = $2 \
             AND reference = $3 AND decision = 1 AND withdrawn_at IS NULL",
        )
        .bind(at.micros())
        .bind(controller.as_str().to_owned())
        .bind(reference.as_str().to_owned())
        .bind(by.to_owned())
        .execute(&self.writer)
        .await?;
        self.get_consent(controller, reference).await
    }

    async fn get_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
    ) -> Result<Option<Consent>, StorageError> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE controller = $1 AND reference = $2"
        );
        // Composed from constants only.
        let row: Option<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(controller.as_str().to_owned())
            .bind(reference.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(ConsentRow::into_domain).transpose()
    }

    async fn consents_of(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> Result<Vec<Consent>, StorageError> {
        let mut consents = Vec::new();
        // Well under both backends' limits on bound parameters.
        for chunk in hashes.chunks(1_000) {
            let mut query = consents_of_query::<DB>(controller, chunk);
            let found: Vec<ConsentRow> = query.build_query_as().fetch_all(&self.pool).await?;
            for row in found {
                consents.push(row.into_domain()?);
            }
        }
        Ok(consents)
    }

    async fn rollup(
        &self,
        controller: &BusinessId,
        register: Option<&RegisterId>,
        days: std::ops::Range<i32>,
    ) -> Result<Vec<RollupEntry>, StorageError> {
        let mut query = rollup_query::<DB>(controller, register, days);
        let found: Vec<RollupRow> = query.build_query_as().fetch_all(&self.pool).await?;
        found.into_iter().map(RollupRow::into_domain).collect()
    }

    fn pool_status(&self) -> Vec<PoolStatus> {
        let status = |name, pool: &Pool<DB>| PoolStatus {
            name,
            size: pool.size(),
            idle: pool.num_idle(),
        };
        if DB::SEPARATE_WRITER {
            vec![status("read", &self.pool), status("write", &self.writer)]
        } else {
            vec![status("main", &self.pool)]
        }
    }

    async fn open_log(&self) -> Result<TreeHead, StorageError> {
        let mut log = self.log.lock().await;
        if log.is_none() {
            *log = Some(self.load_log().await?);
        }
        TreeHead::try_from(&log.as_ref().expect("loaded").head)
    }

    async fn tree_head(&self) -> Result<TreeHead, StorageError> {
        TreeHead::try_from(&self.read_head().await?)
    }

    async fn add_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<bool, StorageError> {
        let stored: Option<(i64,)> = sqlx::query_as(INSERT_CHECKPOINT)
            .bind(checkpoint.size as i64)
            .bind(checkpoint.root.to_vec())
            .bind(checkpoint.signed_at)
            .bind(checkpoint.note.clone())
            .fetch_optional(&self.writer)
            .await?;
        Ok(stored.is_some())
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StorageError> {
        let sql =
            format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT 1");
        // Composed from constants only.
        let row: Option<CheckpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_optional(&self.pool)
            .await?;
        row.map(CheckpointRow::into_domain).transpose()
    }

    async fn checkpoints(
        &self,
        after_size: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredCheckpoint>, StorageError> {
        let sql = format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE tree_size > $1 \
             ORDER BY tree_size LIMIT $2"
        );
        // Composed from constants only.
        let rows: Vec<CheckpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(after_size.map_or(-1, |s| s as i64))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(CheckpointRow::into_domain).collect()
    }

    async fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        self.prove(ProofPlan::inclusion(index, size), size).await
    }

    async fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        self.prove(ProofPlan::consistency(old, new), new).await
    }

    async fn leaves(
        &self,
        range: std::ops::Range<i64>,
        with_data: bool,
    ) -> Result<Vec<LeafRecord>, StorageError> {
        self.read_leaves(range, with_data).await
    }

    async fn purge(&self, request: &PurgeRequest) -> Result<PurgeReport, StorageError> {
        let mut tx = self.writer.begin().await?;
        let mut count =
            QueryBuilder::<DB>::new("SELECT MIN(e.entry_id), MAX(e.entry_id), COUNT(*)");
        purge_selection(&mut count, request);
        let (first, last, entries): (Option<i64>, Option<i64>, i64) =
            count.build_query_as().fetch_one(&mut *tx).await?;
        let mut empty = QueryBuilder::<DB>::new(
            "UPDATE subject_entries SET subject_hash = NULL, sealed_subject = NULL \
             WHERE entry_id IN (SELECT e.entry_id",
        );
        purge_selection(&mut empty, request);
        empty.push(")");
        empty.build().execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO purges (purged_at, occurred_before, entries, first_entry_id, \
             last_entry_id, requested_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(request.at.micros())
        .bind(request.occurred_before.micros())
        .bind(entries)
        .bind(first)
        .bind(last)
        .bind(request.requested_by.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PurgeReport {
            entries: entries as u64,
            range: first.zip(last),
        })
    }

    async fn purges(&self) -> Result<Vec<PurgeRecord>, StorageError> {
        let rows: Vec<PurgeRow> = sqlx::query_as(LIST_PURGES).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(PurgeRecord::from).collect())
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// The recipient id of each of `inserts`, storing recipients not seen before. A
/// recipient is stored once and never deleted, so one stored for a batch that then
/// fails is harmless.
async fn recipient_ids<DB>(
    store: &SqlStore<DB>,
    batch: &[PendingDisclosure],
    inserts: &[usize],
) -> Result<Vec<i64>, StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    i16: Bind<DB>,
    String: Bind<DB>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    let mut ids = Vec::with_capacity(inserts.len());
    for &i in inserts {
        let recipient = &batch[i].details.recipient;
        let cached = store
            .recipients
            .lock()
            .expect("not poisoned")
            .get(recipient)
            .copied();
        let id = match cached {
            Some(id) => id,
            None => {
                let mut conn = store.writer.acquire().await?;
                let (id,): (i64,) = sqlx::query_as(INTERN_RECIPIENT)
                    .bind(recipient.identifier.id_type().code())
                    .bind(recipient.identifier.as_str().to_owned())
                    .bind(recipient.name.as_str().to_owned())
                    .bind(recipient.kind.code())
                    .bind(recipient.country.as_str().to_owned())
                    .fetch_one(&mut *conn)
                    .await?;
                store
                    .recipients
                    .lock()
                    .expect("not poisoned")
                    .insert(recipient.clone(), id);
                id
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

/// Decodes `found` into domain types.
fn decode(found: Vec<DisclosureRow>) -> Result<Vec<StoredDisclosure>, StorageError> {
    found.into_iter().map(DisclosureRow::into_domain).collect()
}

fn existing_from(row: ExistingRow) -> Result<Existing, StorageError> {
    let bad = || StorageError::Corrupt(format!("disclosure {}: receipt", row.id));
    Ok(Existing {
        receipt: Receipt {
            disclosure_id: row.id,
            first_entry_id: row.first_entry_id,
            subject_count: u32::try_from(row.subject_count).map_err(|_| bad())?,
            recorded_at: Timestamp::from_micros(row.recorded_at).map_err(|_| bad())?,
        },
        key_id: u16::try_from(row.request_key_id).map_err(|_| bad())?,
        digest: row.request_digest,
    })
}
