//! Purging personal content past its retention, and the record of purges.

use std::future::Future;
use std::ops::Range;

use sqlx::{Database, QueryBuilder};

use crate::domain::{LeafContent, LeafRecord, PurgeRecord, PurgeReport, PurgeRequest};

use super::StorageError;
use super::rows::{Bind, PurgeRow};
use super::store::sql_impl;
use super::tree::set_leaf_hashes;

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

/// Rows per statement when emptying by lists of ids (within both backends' limits on bound
/// parameters).
const LIST_CHUNK: usize = 500;

/// Entries read at a time to compute the leaf hashes a purge keeps.
const READ_CHUNK: i64 = 10_000;

/// The entries of `candidates` (`(first, end)` of each disclosure) within `bounds`, as
/// ranges of at most [`READ_CHUNK`] entries: consecutive disclosures' entries are read
/// together.
fn entry_ranges(candidates: Vec<(i64, i64)>, bounds: Range<i64>) -> Vec<Range<i64>> {
    let mut merged: Vec<Range<i64>> = Vec::new();
    let mut clipped: Vec<Range<i64>> = candidates
        .into_iter()
        .map(|(first, end)| first.max(bounds.start)..end.min(bounds.end))
        .filter(|range| !range.is_empty())
        .collect();
    clipped.sort_by_key(|range| range.start);
    for range in clipped {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
        .into_iter()
        .flat_map(|range| {
            (range.start..range.end)
                .step_by(READ_CHUNK as usize)
                .map(move |start| start..(start + READ_CHUNK).min(range.end))
        })
        .collect()
}

/// What each entry that still has personal content keeps once emptied: its whole leaf
/// hash, computed from the row before it goes; and the entries that cannot give it (a
/// damaged row, which `verify` reports), emptied all the same, keeping what they have.
fn kept_leaf_hashes(leaves: Vec<LeafRecord>) -> (Vec<(i64, Vec<u8>)>, Vec<i64>) {
    let mut keep = Vec::new();
    let mut lost = Vec::new();
    for leaf in leaves {
        if matches!(
            leaf.content,
            LeafContent::Purged | LeafContent::NoDisclosure
        ) {
            continue;
        }
        match leaf.hash() {
            Some(hash) => keep.push((leaf.index, hash.to_vec())),
            None => {
                tracing::error!(
                    entry = leaf.index,
                    "an expired entry's row does not give its leaf hash; it is emptied all the \
                     same; run verify"
                );
                lost.push(leaf.index);
            }
        }
    }
    (keep, lost)
}

/// The end of a statement that empties the entries `ids` (in order): only those still
/// holding personal content, within their range so that PostgreSQL reads only their
/// partitions; returning the ids emptied.
fn push_still_there<DB: Database>(qb: &mut QueryBuilder<DB>, mut ids: impl Iterator<Item = i64>)
where
    i64: Bind<DB>,
{
    let first = ids.next().unwrap_or_default();
    let last = ids.last().unwrap_or(first);
    qb.push(" AND subject_entries.entry_id >= ")
        .push_bind(first)
        .push(" AND subject_entries.entry_id <= ")
        .push_bind(last)
        .push(
            " AND (subject_entries.subject_hash IS NOT NULL \
             OR subject_entries.sealed_subject IS NOT NULL) \
             RETURNING subject_entries.entry_id",
        );
}

/// The entries of `rows` as a purge's count and range.
fn report_of(rows: &[(i64,)]) -> PurgeReport {
    rows.iter()
        .fold(PurgeReport::default(), |report, (entry,)| {
            report.and(PurgeReport {
                entries: 1,
                range: Some((*entry, *entry)),
            })
        })
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
                None => DB::drop_expired_entries(self, request).await?,
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
            let mut candidates = QueryBuilder::<DB>::new("");
            push_candidates(&mut candidates, &scope);
            candidates.push(
                "SELECT first_entry_id, first_entry_id + subject_count FROM candidates \
                 ORDER BY first_entry_id",
            );
            let candidates: Vec<(i64, i64)> =
                candidates.build_query_as().fetch_all(&mut *tx).await?;
            let mut emptied = PurgeReport::default();
            for range in entry_ranges(candidates, scope.live_from..scope.tree_size) {
                // Read outside the transaction: an entry's content only ever changes to
                // empty, so what is read is what its leaf hash was computed from.
                let leaves = self.read_leaves(range, false).await?;
                let (keep, lost) = kept_leaf_hashes(leaves);
                for chunk in keep.chunks(LIST_CHUNK) {
                    let mut qb = set_leaf_hashes::<DB>(
                        "subject_hash = NULL, sealed_subject = NULL, ",
                        chunk,
                    );
                    push_still_there(&mut qb, chunk.iter().map(|(entry, _)| *entry));
                    let rows: Vec<(i64,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
                    emptied = emptied.and(report_of(&rows));
                }
                for chunk in lost.chunks(LIST_CHUNK) {
                    let mut qb = QueryBuilder::<DB>::new(
                        "UPDATE subject_entries SET subject_hash = NULL, sealed_subject = NULL \
                         WHERE entry_id IN (",
                    );
                    let mut list = qb.separated(", ");
                    for entry in chunk {
                        list.push_bind(*entry);
                    }
                    qb.push(")");
                    push_still_there(&mut qb, chunk.iter().copied());
                    let rows: Vec<(i64,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
                    emptied = emptied.and(report_of(&rows));
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StoredLeaf;

    fn leaf(index: i64, stored: Option<StoredLeaf>, content: LeafContent) -> LeafRecord {
        LeafRecord {
            index,
            disclosure_id: 1,
            controller: None,
            stored,
            content,
        }
    }

    fn present(hash: [u8; 32]) -> LeafContent {
        LeafContent::Present { hash, data: None }
    }

    #[test]
    fn consecutive_disclosures_are_read_together_in_chunks_within_the_bounds() {
        let ranges = entry_ranges(vec![(5, 8), (0, 5), (8, 9), (20, 30), (40, 50)], 2..45);
        assert_eq!(ranges, [2..9, 20..30, 40..45]);
        let big = entry_ranges(vec![(0, 25_000)], 0..100_000);
        assert_eq!(big, [0..10_000, 10_000..20_000, 20_000..25_000]);
        assert!(entry_ranges(vec![(50, 60)], 0..50).is_empty());
    }

    #[test]
    fn an_emptied_entry_keeps_its_whole_leaf_hash_and_a_damaged_one_what_it_has() {
        let (a, b) = ([1; 32], [2; 32]);
        let (keep, lost) = kept_leaf_hashes(vec![
            leaf(0, Some(StoredLeaf::fingerprint_of(&a)), present(a)),
            leaf(1, Some(StoredLeaf::Hash(b)), present(a)),
            leaf(2, Some(StoredLeaf::Hash(b)), LeafContent::Purged),
            leaf(3, Some(StoredLeaf::fingerprint_of(&b)), present(a)),
            leaf(
                4,
                Some(StoredLeaf::fingerprint_of(&b)),
                LeafContent::HalfPurged,
            ),
            leaf(5, Some(StoredLeaf::Hash(b)), LeafContent::HalfPurged),
        ]);
        assert_eq!(keep, [(0, a.to_vec()), (1, b.to_vec()), (5, b.to_vec())]);
        assert_eq!(lost, [3, 4]);
    }
}
