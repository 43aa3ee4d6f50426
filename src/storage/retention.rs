//! Purging personal content past its retention, and the record of purges.

use std::future::Future;

use sqlx::{Database, QueryBuilder};

use crate::domain::{PurgeRecord, PurgeReport, PurgeRequest};

use super::StorageError;
use super::rows::{Bind, PurgeRow};
use super::store::sql_impl;

pub(super) const LIST_PURGES: &str = "SELECT purged_at, occurred_before, entries, first_entry_id, \
     last_entry_id, requested_by FROM purges ORDER BY id";

/// The entries a purge empties: integrated, not yet empty, of disclosures before the date.
pub(super) fn purge_selection<DB: Database>(qb: &mut QueryBuilder<DB>, request: &PurgeRequest)
where
    i64: Bind<DB>,
    String: Bind<DB>,
{
    qb.push(
        " FROM subject_entries e JOIN disclosures d ON d.id = e.disclosure_id \
         WHERE e.entry_id < (SELECT tree_size FROM log_head WHERE id = 1) \
         AND (e.subject_hash IS NOT NULL OR e.sealed_subject IS NOT NULL) AND d.occurred_at < ",
    );
    qb.push_bind(request.occurred_before.micros());
    if let Some(controller) = &request.controller {
        qb.push(" AND d.controller = ")
            .push_bind(controller.as_str().to_owned());
    }
}

/// Purging personal content past its retention, and the record of purges.
pub trait Retention: Send + Sync {
    /// Empties the personal content of the entries `request` names, keeping their leaf
    /// hashes, and records the purge; in one transaction.
    fn purge(
        &self,
        request: &PurgeRequest,
    ) -> impl Future<Output = Result<PurgeReport, StorageError>> + Send;

    /// Every recorded purge, oldest first.
    fn purges(&self) -> impl Future<Output = Result<Vec<PurgeRecord>, StorageError>> + Send;
}

sql_impl! {
    impl Retention {
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
    }
}
