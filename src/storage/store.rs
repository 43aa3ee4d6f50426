//! The log's storage over any sqlx database that implements [`Dialect`]: the statements are
//! shared, the dialects differ only in how a batch finds its replays and inserts its rows.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sqlx::{Database, Executor, FromRow, IntoArguments, Pool};

use crate::crypto::SubjectHash;
use crate::domain::{
    BusinessId, Consent, Receipt, Recipient, RegisterId, ShortText, StoredDisclosure, Timestamp,
};

use super::batch::{Existing, PendingDisclosure, Plan, WriteOutcome};
use super::columns::BatchColumns;
use super::consents::{
    CONSENT_COLUMNS, ConsentInsert, ConsentRow, INSERT_CONSENT, NewConsent, consents_of_query,
};
use super::lookups::{
    INSERT_LOOKUP, LookupFilter, LookupRow, NewLookup, StoredLookup, lookup_query,
};
use super::rollup::{RollupEntry, RollupRow, rollup_query};
use super::rows::{self, Bind, DisclosureRow, ExistingRow, INTERN_RECIPIENT, SubjectRow};
use super::{Cursor, DisclosureFilter, Period, Storage, StorageError, SubjectDisclosure};

/// The first ids a batch was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FirstIds {
    pub disclosure: i64,
    pub entry: i64,
}

/// What differs between the SQL backends.
pub(super) trait Dialect: Database {
    /// The stored disclosures with any of these (controller, transfer id) keys.
    fn find_existing(
        pool: &Pool<Self>,
        keys: Vec<(String, String)>,
    ) -> impl Future<Output = Result<Vec<ExistingRow>, sqlx::Error>> + Send;

    /// In one atomic step: unless a disclosure with the key of one of `rows` is stored
    /// already, reserves ids for them from `log_head`, adds the first reserved ids to the
    /// rows' ids (which count from 0) and inserts them. Returns the first ids, or `None`,
    /// having written nothing, when a key was taken.
    fn insert_new(
        pool: &Pool<Self>,
        rows: BatchColumns,
    ) -> impl Future<Output = Result<Option<FirstIds>, sqlx::Error>> + Send;
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
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            recipients: Arc::clone(&self.recipients),
        }
    }
}

impl<DB: Database> SqlStore<DB> {
    pub(super) fn from_pools(pool: Pool<DB>, writer: Pool<DB>) -> Self {
        Self {
            pool,
            writer,
            recipients: Arc::default(),
        }
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
{
    async fn write_batch(
        &self,
        batch: &[PendingDisclosure],
        recorded_at: Timestamp,
    ) -> Result<Vec<WriteOutcome>, StorageError> {
        // First assume every transfer id is new, which needs one statement; only when one
        // was taken, look up the stored ones and plan again. Another instance writing the
        // same transfer id meanwhile can take one again, hence the bounded loop.
        let mut existing = HashMap::new();
        for _ in 0..WRITE_ATTEMPTS {
            let plan = Plan::new(batch, &existing);
            if plan.inserts.is_empty() {
                return Ok(plan.outcomes(&[]));
            }
            let recipient_ids = recipient_ids(self, batch, &plan.inserts).await?;
            let relative = plan.receipts(batch, 0, 0, recorded_at);
            let inserted = plan.inserts.iter().map(|&i| &batch[i]);
            let rows = BatchColumns::new(
                inserted
                    .zip(&relative)
                    .zip(recipient_ids)
                    .map(|((item, receipt), recipient)| (item, receipt, recipient)),
                recorded_at,
            );
            if let Some(first) = DB::insert_new(&self.writer, rows).await? {
                let receipts = plan.receipts(batch, first.disclosure, first.entry, recorded_at);
                return Ok(plan.outcomes(&receipts));
            }
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
        at: Timestamp,
    ) -> Result<Option<Consent>, StorageError> {
        sqlx::query(
            "UPDATE consents SET withdrawn_at = $1 WHERE controller = $2 AND reference = $3 \
             AND decision = 1 AND withdrawn_at IS NULL",
        )
        .bind(at.micros())
        .bind(controller.as_str().to_owned())
        .bind(reference.as_str().to_owned())
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
