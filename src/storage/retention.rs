//! Purging personal content past its retention, and the record of purges.

use std::future::Future;

use futures_util::TryStreamExt;
use sqlx::{Database, QueryBuilder};

use crate::domain::{PurgeRecord, PurgeReport, PurgeRequest};

use super::StorageError;
use super::rows::{Bind, PurgeRow};
use super::store::sql_impl;

pub(super) const LIST_PURGES: &str = "SELECT purged_at, occurred_before, entries, first_entry_id, \
     last_entry_id, requested_by FROM purges ORDER BY id";

/// The disclosures whose entries a purge must look at, as `candidates (first_entry_id,
/// subject_count)`: those of its scope that occurred in `[since, before)`, and those recorded
/// after `head` that occurred before `since`. The purge before (`since`, `head`) emptied the
/// rest, so each purge reads about what occurred since the last, through the index on
/// (controller, occurred_at) (every controller's, found by skipping through that index),
/// and the primary key past `head`.
fn push_candidates<DB: Database>(qb: &mut QueryBuilder<DB>, scope: &Scope<'_>)
where
    i64: Bind<DB>,
    String: Bind<DB>,
{
    let controller = |qb: &mut QueryBuilder<DB>| match scope.controller {
        Some(controller) => {
            qb.push("controller = ").push_bind(controller.to_owned());
        }
        None => {
            qb.push("controller IN (SELECT c FROM controllers WHERE c IS NOT NULL)");
        }
    };
    qb.push(
        "WITH RECURSIVE controllers (c) AS (SELECT MIN(controller) FROM disclosures \
         UNION ALL SELECT (SELECT MIN(controller) FROM disclosures WHERE controller > c) \
         FROM controllers WHERE c IS NOT NULL), \
         candidates (first_entry_id, subject_count) AS (\
         SELECT first_entry_id, subject_count FROM disclosures WHERE ",
    );
    controller(qb);
    qb.push(" AND occurred_at >= ")
        .push_bind(scope.since)
        .push(" AND occurred_at < ")
        .push_bind(scope.before)
        .push(" UNION ALL SELECT first_entry_id, subject_count FROM disclosures WHERE id > ")
        .push_bind(scope.head)
        .push(" AND occurred_at < ")
        .push_bind(scope.since.min(scope.before))
        .push(" AND ");
    controller(qb);
    qb.push(") ");
}

/// Which entries a purge looks at row by row.
struct Scope<'a> {
    controller: Option<&'a str>,
    before: i64,
    since: i64,
    head: i64,
    /// Entries below this were dropped with their partitions.
    live_from: i64,
    /// Entries from this on are not in the tree yet, and are left alone.
    tree_size: i64,
}

/// Purging personal content past its retention, and the record of purges.
pub trait Retention: Send + Sync {
    /// Empties the personal content of the entries `request` names, keeping their leaf
    /// hashes, and records the purge: each dropped partition in a transaction with its
    /// record, then the remaining rows in one with theirs.
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
            let before = request.occurred_before.micros();
            let controller = request.controller.as_ref().map(|c| c.as_str());
            // Whole partitions first (PostgreSQL), then what is left row by row.
            let dropped = match controller {
                None => DB::drop_expired_entries(&self.writer, request).await?,
                Some(_) => PurgeReport::default(),
            };
            let mut tx = self.writer.begin().await?;
            let (tree_size, next_disclosure): (i64, i64) = sqlx::query_as(
                "SELECT tree_size, next_disclosure_id FROM log_head WHERE id = 1",
            )
            .fetch_one(&mut *tx)
            .await?;
            // The last disclosure whose entries are all in the tree: the next purge looks
            // again at every disclosure after it.
            let head: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(id), 0) FROM disclosures \
                 WHERE id < $1 AND first_entry_id + subject_count <= $2",
            )
            .bind(next_disclosure)
            .bind(tree_size)
            .fetch_one(&mut *tx)
            .await?;
            let mut last = QueryBuilder::<DB>::new(
                "SELECT occurred_before, head_disclosure_id FROM purges \
                 WHERE head_disclosure_id IS NOT NULL AND (controller IS NULL",
            );
            if let Some(controller) = controller {
                last.push(" OR controller = ").push_bind(controller.to_owned());
            }
            last.push(") ORDER BY id DESC LIMIT 1");
            let (since, since_head) = last
                .build_query_as::<(i64, i64)>()
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or((i64::MIN, i64::MAX));
            let live_from: i64 = sqlx::query_scalar(
                "SELECT COALESCE((SELECT first_entry_id + length(hashes) / 32 FROM purged_leaves \
                 ORDER BY first_entry_id DESC LIMIT 1), 0)",
            )
            .fetch_one(&mut *tx)
            .await?;
            let scope = Scope {
                controller,
                before,
                since,
                head: since_head,
                live_from,
                tree_size,
            };
            let mut empty = QueryBuilder::<DB>::new("");
            push_candidates(&mut empty, &scope);
            empty
                .push(
                    "UPDATE subject_entries SET subject_hash = NULL, sealed_subject = NULL \
                     FROM candidates c WHERE subject_entries.entry_id >= c.first_entry_id \
                     AND subject_entries.entry_id < c.first_entry_id + c.subject_count \
                     AND subject_entries.entry_id >= ",
                )
                .push_bind(scope.live_from)
                .push(" AND subject_entries.entry_id < ")
                .push_bind(scope.tree_size)
                .push(
                    " AND (subject_entries.subject_hash IS NOT NULL \
                     OR subject_entries.sealed_subject IS NOT NULL) \
                     RETURNING subject_entries.entry_id",
                );
            let mut rows = empty.build_query_as::<(i64,)>().fetch(&mut *tx);
            let mut emptied = PurgeReport::default();
            while let Some((entry,)) = rows.try_next().await? {
                emptied = emptied.and(PurgeReport {
                    entries: 1,
                    range: Some((entry, entry)),
                });
            }
            drop(rows);
            let (first, last) = emptied.range.unzip();
            sqlx::query(
                "INSERT INTO purges (purged_at, occurred_before, entries, first_entry_id, \
                 last_entry_id, requested_by, controller, head_disclosure_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(request.at.micros())
            .bind(before)
            .bind(emptied.entries as i64)
            .bind(first)
            .bind(last)
            .bind(request.requested_by.clone())
            .bind(controller.map(str::to_owned))
            .bind(head)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(dropped.and(emptied))
        }

        async fn purges(&self) -> Result<Vec<PurgeRecord>, StorageError> {
            let rows: Vec<PurgeRow> = sqlx::query_as(LIST_PURGES).fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(PurgeRecord::from).collect())
        }
    }
}
