//! The log's Merkle tree in the database: the head row the writer guards, the stored
//! subtrees, and entries read back as leaves (to integrate a backlog, to prove, to hand out
//! leaf data and to verify).
//!
//! A row with its personal content keeps a fingerprint of its leaf hash in
//! `subject_entries.leaf_hash`, and a purged row the whole hash; those of entries dropped
//! with their partition (PostgreSQL's retention) are in `purged_leaves`. Complete subtrees of
//! 2^[`MIN_STORED_LEVEL`] leaves and more are in `merkle_nodes`. Smaller subtrees are hashed
//! when a proof needs them from at most 16 leaves, computed again from their rows, which
//! keeps the node table an eighth of the entry count and the rows small.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use sqlx::{Database, QueryBuilder};

use crate::domain::{LeafContent, LeafRecord, StoredLeaf};
use crate::transparency::leaf::DisclosureLeaves;
use crate::transparency::merkle::{Hash, NodeId, node_hash};

use super::StorageError;
use super::rows::{Bind, DISCLOSURE_COLUMNS, DisclosureRow, EntryRow};

/// Entries integrated per transaction when catching up.
pub(super) const INTEGRATE_CHUNK: i64 = 10_000;

/// The `(level, idx) IN (…)` query for stored nodes.
pub(super) fn stored_nodes_query<DB: Database>(ids: &[NodeId]) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
    i16: Bind<DB>,
{
    let mut qb =
        QueryBuilder::new("SELECT level, idx, hash FROM merkle_nodes WHERE (level, idx) IN (");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push("(")
            .push_bind_unseparated(i16::from(id.level))
            .push_unseparated(", ")
            .push_bind_unseparated(id.index as i64)
            .push_unseparated(")");
    }
    qb.push(")");
    qb
}

/// `UPDATE subject_entries SET <set>leaf_hash = …` for each `(entry id, leaf hash)` of
/// `rows`, up to its `WHERE` (which the caller may extend with `AND …`).
pub(super) fn set_leaf_hashes<DB: Database>(set: &str, rows: &[(i64, Vec<u8>)]) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
    Vec<u8>: Bind<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "UPDATE subject_entries SET {set}leaf_hash = v.column2 FROM (VALUES "
    ));
    let mut list = qb.separated(", ");
    for (entry, hash) in rows {
        list.push("(")
            .push_bind_unseparated(*entry)
            .push_unseparated(", ")
            .push_bind_unseparated(hash.clone())
            .push_unseparated(")");
    }
    qb.push(") AS v WHERE subject_entries.entry_id = v.column1");
    qb
}

/// The entries of `range`, in order.
pub(super) fn entries_query<DB: Database>(range: Range<i64>) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT entry_id, disclosure_id, subject_hash, sealed_subject, leaf_hash \
         FROM subject_entries WHERE entry_id >= ",
    );
    qb.push_bind(range.start)
        .push(" AND entry_id < ")
        .push_bind(range.end)
        .push(" ORDER BY entry_id");
    qb
}

/// The runs of dropped entries' leaf hashes (`purged_leaves`) that reach into `range`: the
/// run that starts at or before its start, and those that start within it.
pub(super) fn purged_runs_query<DB: Database>(range: Range<i64>) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT first_entry_id, disclosure_id, hashes FROM purged_leaves WHERE first_entry_id < ",
    );
    qb.push_bind(range.end)
        .push(
            " AND first_entry_id >= COALESCE((SELECT MAX(first_entry_id) FROM purged_leaves \
             WHERE first_entry_id <= ",
        )
        .push_bind(range.start)
        .push("), ")
        .push_bind(range.start)
        .push(") ORDER BY first_entry_id");
    qb
}

/// The entries of runs read by [`purged_runs_query`] that are in `range`, as rows with
/// their leaf hash and no personal content.
pub(super) fn purged_rows(
    runs: Vec<(i64, i64, Vec<u8>)>,
    range: &Range<i64>,
) -> Result<Vec<EntryRow>, StorageError> {
    let mut rows = Vec::new();
    for (first, disclosure_id, hashes) in runs {
        if hashes.len() % 32 != 0 {
            return Err(StorageError::Corrupt(format!(
                "the purged leaf hashes from entry {first} are not whole hashes"
            )));
        }
        for (entry_id, hash) in (first..).zip(hashes.chunks_exact(32)) {
            if range.contains(&entry_id) {
                rows.push(EntryRow {
                    entry_id,
                    disclosure_id,
                    subject_hash: None,
                    sealed_subject: None,
                    leaf_hash: Some(hash.to_vec()),
                });
            }
        }
    }
    Ok(rows)
}

/// Sorted entry ids grouped into ranges with gaps of at most `gap` inside each.
pub(super) fn clusters(ids: &[i64], gap: i64) -> Vec<Range<i64>> {
    let mut ranges: Vec<Range<i64>> = Vec::new();
    for &id in ids {
        match ranges.last_mut() {
            Some(last) if id < last.end + gap => last.end = last.end.max(id + 1),
            _ => ranges.push(id..id + 1),
        }
    }
    ranges
}

/// The disclosures with `ids`, with their recipients.
pub(super) fn disclosures_query<DB: Database>(ids: &[i64]) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {DISCLOSURE_COLUMNS} FROM disclosures d JOIN recipients r ON r.id = d.recipient_id \
         WHERE d.id IN ("
    ));
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
    qb
}

/// The disclosures with ids in `ids`, with their recipients.
pub(super) fn disclosure_range_query<DB: Database>(
    ids: std::ops::RangeInclusive<i64>,
) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {DISCLOSURE_COLUMNS} FROM disclosures d JOIN recipients r ON r.id = d.recipient_id \
         WHERE d.id >= "
    ));
    qb.push_bind(*ids.start())
        .push(" AND d.id <= ")
        .push_bind(*ids.end());
    qb
}

/// Every leaf a set of low subtrees is hashed from.
pub(super) fn leaves_of(ids: &[NodeId]) -> Vec<i64> {
    let leaves: BTreeSet<i64> = ids
        .iter()
        .flat_map(|id| id.leaves())
        .map(|leaf| leaf as i64)
        .collect();
    leaves.into_iter().collect()
}

/// The hash of complete subtree `id` from its leaves' hashes.
pub(super) fn hash_from_leaves(id: NodeId, leaves: &HashMap<i64, Hash>) -> Option<Hash> {
    match id.children() {
        None => leaves.get(&(id.index as i64)).copied(),
        Some((left, right)) => Some(node_hash(
            &hash_from_leaves(left, leaves)?,
            &hash_from_leaves(right, leaves)?,
        )),
    }
}

/// The disclosure whose entries are being turned into leaves.
struct Current<'a> {
    row: &'a DisclosureRow,
    controller: Arc<str>,
    /// Made at its first entry that is not purged.
    leaves: Option<DisclosureLeaves>,
}

/// Turns entry rows and their disclosures into leaves, computing each leaf hash from the
/// row; with `with_data`, also the leaf data.
pub(super) fn leaves_from_rows(
    entries: Vec<EntryRow>,
    disclosures: &BTreeMap<i64, DisclosureRow>,
    with_data: bool,
) -> Result<Vec<LeafRecord>, StorageError> {
    // A disclosure's entries are consecutive: its part of the encoding is hashed once a run.
    let mut current: Option<Current<'_>> = None;
    let mut leaves = Vec::with_capacity(entries.len());
    for row in entries {
        let stored = row
            .leaf_hash
            .as_deref()
            .map(|h| {
                StoredLeaf::from_bytes(h).ok_or_else(|| {
                    StorageError::Corrupt(format!("entry {}: leaf hash", row.entry_id))
                })
            })
            .transpose()?;
        let disclosure = match disclosures.get(&row.disclosure_id) {
            None => None,
            Some(d) => {
                if current.as_ref().is_none_or(|c| c.row.id() != d.id()) {
                    current = Some(Current {
                        row: d,
                        controller: d.controller().into(),
                        leaves: None,
                    });
                }
                current.as_mut()
            }
        };
        let controller = disclosure.as_ref().map(|c| Arc::clone(&c.controller));
        let own = disclosure.filter(|c| c.row.entries().contains(&row.entry_id));
        let content = match (own, &row.subject_hash, &row.sealed_subject) {
            (None, _, _) => LeafContent::NoDisclosure,
            (Some(_), None, None) => LeafContent::Purged,
            (Some(_), None, Some(_)) | (Some(_), Some(_), None) => LeafContent::HalfPurged,
            (Some(c), Some(subject), Some(sealed)) => {
                let leaves = c
                    .leaves
                    .get_or_insert_with(|| DisclosureLeaves::new(&c.row.leaf()));
                LeafContent::Present {
                    hash: leaves.leaf_hash(subject, sealed),
                    data: with_data.then(|| leaves.leaf_data(subject, sealed)),
                }
            }
        };
        leaves.push(LeafRecord {
            index: row.entry_id,
            disclosure_id: row.disclosure_id,
            controller,
            stored,
            content,
        });
    }
    Ok(leaves)
}
