//! Appending to the log: a batch of disclosures sequenced, deduplicated and integrated in one transaction.

use std::collections::HashMap;
use std::future::Future;

use sqlx::{Database, Executor, FromRow, IntoArguments};

use crate::domain::{PendingDisclosure, Receipt, Timestamp, TreeHead, WriteOutcome};

use super::StorageError;
use super::batch::{Existing, Plan};
use super::columns::BatchColumns;
use super::integrate::LogState;
use super::rows::{Bind, ExistingRow, INTERN_RECIPIENT};
use super::store::{Inserted, SqlStore, sql_impl};

/// How often a batch is planned and tried before its transfer ids are called contended.
const WRITE_ATTEMPTS: usize = 3;

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

/// Appending to the log: a batch of disclosures sequenced, deduplicated and integrated in one transaction.
pub trait LogAppend: Send + Sync {
    /// Writes a batch in one transaction and returns each item's outcome, in order. Either
    /// every recorded item is committed or none is.
    fn write_batch(
        &self,
        batch: &[PendingDisclosure],
        recorded_at: Timestamp,
    ) -> impl Future<Output = Result<Vec<WriteOutcome>, StorageError>> + Send;

    /// Reads the log head and, with tamper evidence on, integrates the entries the tree does
    /// not hold yet (recorded with it off, or before it existed), so that the first
    /// checkpoint covers them. The writer calls it before its first batch anyway; the
    /// server calls it at start. Returns the integrated tree's head, as the last batch left
    /// it once loaded (no query then).
    fn open_log(&self) -> impl Future<Output = Result<TreeHead, StorageError>> + Send;
}

sql_impl! {
    impl LogAppend {
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
                let mut after = LogState {
                    head: rows.head.next.clone(),
                    frontier: state.frontier.clone(),
                };
                if self.tree {
                    let integration = after.integrate(rows.entries.leaves.iter().copied());
                    rows.nodes = integration.nodes;
                    after = integration.next;
                    rows.head.next = after.head.clone();
                }
                self.make_entry_room(rows.head.next.next_entry_id).await?;
                let inserted = DB::insert_new(&self.writer, rows).await;
                match inserted {
                    Ok(Inserted::Yes) => {
                        *log = Some(after);
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

        async fn open_log(&self) -> Result<TreeHead, StorageError> {
            let mut log = self.log.lock().await;
            if log.is_none() {
                *log = Some(self.load_log().await?);
            }
            TreeHead::try_from(&log.as_ref().expect("loaded").head)
        }
    }
}

sql_impl! {
    impl {
    /// Makes sure entries up to `end` have a partition to go to; asks the database only
    /// when the room last seen is running out.
    async fn make_entry_room(&self, end: i64) -> Result<(), StorageError> {
        use std::sync::atomic::Ordering;
        let known = self.entry_room.load(Ordering::Relaxed);
        if end + self.entries_per_partition / 4 <= known {
            return Ok(());
        }
        let room = DB::ensure_entry_room(&self.writer, end, self.entries_per_partition).await;
        match room {
            Ok(room) => self.entry_room.store(room, Ordering::Relaxed),
            // Making a partition ahead of need may wait for a lock and time out; the batch
            // goes on while the room it needs is there.
            Err(error) if end <= known => {
                tracing::warn!(%error, "could not make an entry partition yet; will try again");
            }
            Err(error) => return Err(error.into()),
        }
        Ok(())
    }
    }
}
