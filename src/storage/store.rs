//! The log's storage over any sqlx database that implements [`Dialect`]: the statements are
//! shared, the dialects differ only in how a batch finds its replays and inserts its rows.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sqlx::{Database, Executor, FromRow, IntoArguments, Pool};

use crate::crypto::SubjectHash;
use crate::domain::{BusinessId, Receipt, Recipient, StoredDisclosure, Timestamp};

use super::batch::{Existing, PendingDisclosure, Plan, WriteOutcome};
use super::columns::BatchColumns;
use super::rows::{
    self, Bind, DisclosureRow, ExistingRow, INTERN_RECIPIENT, RESERVE_IDS, SubjectRow,
};
use super::{Cursor, DisclosureFilter, Period, Storage, StorageError, SubjectDisclosure};

/// What differs between the SQL backends.
pub(super) trait Dialect: Database {
    /// The statement that opens a write transaction.
    const BEGIN_WRITE: &'static str;

    /// The stored disclosures with the (controller, transfer id) of any batch item.
    fn find_existing(
        conn: &mut Self::Connection,
        batch: &[PendingDisclosure],
    ) -> impl Future<Output = Result<Vec<ExistingRow>, sqlx::Error>> + Send;

    /// Inserts a batch's rows within the open transaction `conn`.
    fn insert_batch(
        conn: &mut Self::Connection,
        rows: BatchColumns,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// The log's storage on database `DB`.
pub struct SqlStore<DB: Database> {
    /// Every read and write goes through this pool; for SQLite the writes use `writer`.
    pub(super) pool: Pool<DB>,
    /// The pool writes go through: for SQLite a single connection (one writer at a time is
    /// all SQLite allows), for PostgreSQL the same pool as reads.
    pub(super) writer: Pool<DB>,
    /// Recipient ids by value; only committed rows are cached, and recipients are never
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
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    async fn write_batch(
        &self,
        batch: &[PendingDisclosure],
        recorded_at: Timestamp,
    ) -> Result<Vec<WriteOutcome>, StorageError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;

        let found = DB::find_existing(&mut tx, batch).await?;
        let existing = found
            .into_iter()
            .map(|row| {
                Ok((
                    (row.controller.clone(), row.transfer_id.clone()),
                    existing_from(row)?,
                ))
            })
            .collect::<Result<HashMap<_, _>, StorageError>>()?;
        let plan = Plan::new(batch, &existing);
        if plan.inserts.is_empty() {
            tx.commit().await?;
            return Ok(plan.outcomes(&[]));
        }

        let entry_count = plan.entry_count(batch);
        let (next_disclosure, next_entry): (i64, i64) = sqlx::query_as(RESERVE_IDS)
            .bind(plan.inserts.len() as i64)
            .bind(entry_count)
            .fetch_one(&mut *tx)
            .await?;
        let first_disclosure = next_disclosure - plan.inserts.len() as i64;
        let first_entry = next_entry - entry_count;
        let receipts = plan.receipts(batch, first_disclosure, first_entry, recorded_at);

        let mut new_recipients = Vec::new();
        let mut recipient_ids = Vec::with_capacity(plan.inserts.len());
        for &i in &plan.inserts {
            let recipient = &batch[i].details.recipient;
            let cached = self
                .recipients
                .lock()
                .expect("not poisoned")
                .get(recipient)
                .copied();
            let id = match cached {
                Some(id) => id,
                None => {
                    let (id,): (i64,) = sqlx::query_as(INTERN_RECIPIENT)
                        .bind(recipient.identifier.id_type().code())
                        .bind(recipient.identifier.as_str().to_owned())
                        .bind(recipient.name.as_str().to_owned())
                        .bind(recipient.kind.code())
                        .bind(recipient.country.as_str().to_owned())
                        .fetch_one(&mut *tx)
                        .await?;
                    new_recipients.push((recipient.clone(), id));
                    id
                }
            };
            recipient_ids.push(id);
        }

        let inserted = plan.inserts.iter().map(|&i| &batch[i]);
        let rows = BatchColumns::new(
            inserted
                .zip(&receipts)
                .zip(recipient_ids)
                .map(|((item, receipt), recipient)| (item, receipt, recipient)),
            recorded_at,
        );
        DB::insert_batch(&mut tx, rows).await?;
        tx.commit().await?;

        self.recipients
            .lock()
            .expect("not poisoned")
            .extend(new_recipients);
        Ok(plan.outcomes(&receipts))
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

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
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
