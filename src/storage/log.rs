//! The tree's upkeep on either backend: reading the head and the tree's right edge when the
//! writer starts, integrating entries that are not in the tree yet, fetching subtree hashes
//! for proofs, and reading entries back as leaves.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::ops::Range;

use sqlx::QueryBuilder;

use crate::domain::{LeafContent, LeafRecord, StoredLeaf, TreeHead};
use crate::transparency::merkle::{Frontier, Hash, NodeId, ProofPlan};

use super::StorageError;
use super::integrate::{Integration, LogHead, LogState, MIN_STORED_LEVEL, READ_HEAD};
use super::rows::{DisclosureRow, EntryRow};
use super::store::sql_impl;
use super::tree::{
    INTEGRATE_CHUNK, clusters, disclosure_range_query, disclosures_query, entries_query,
    hash_from_leaves, leaves_from_rows, leaves_of, purged_rows, purged_runs_query, set_leaf_hashes,
    stored_nodes_query,
};

/// Rows per statement when reading or writing by lists of ids (within both backends'
/// limits on bound parameters).
const LIST_CHUNK: usize = 500;

sql_impl! {
    impl {
    /// The head as committed.
    pub(super) async fn read_head(&self) -> Result<LogHead, StorageError> {
        Ok(sqlx::query_as(READ_HEAD).fetch_one(&self.writer).await?)
    }

    /// Reads the head and, with the tree on, the tree's right edge, first integrating any
    /// entries the tree does not hold yet.
    pub(super) async fn load_log(&self) -> Result<LogState, StorageError> {
        let head = self.read_head().await?;
        if !self.tree {
            return Ok(LogState {
                head,
                frontier: Frontier::empty(),
            });
        }
        let size = head.tree_size as u64;
        let ids: BTreeSet<NodeId> = Frontier::ids(size).into_iter().collect();
        let hashes = self.node_hashes(&ids).await?;
        let frontier = Frontier::from_hashes(
            size,
            Frontier::ids(size).iter().map(|id| hashes[id]).collect(),
        )
        .expect("one hash per frontier node");
        if frontier.root().as_slice() != head.tree_root.as_slice() {
            return Err(StorageError::Corrupt(format!(
                "the stored tree nodes do not give the stored root of tree size {size}; run \
                 `luovutusloki verify`"
            )));
        }
        let mut state = LogState { head, frontier };
        if state.head.tree_size < state.head.next_entry_id {
            tracing::info!(
                from = state.head.tree_size,
                to = state.head.next_entry_id,
                "integrating entries recorded without the tree"
            );
        }
        while state.head.tree_size < state.head.next_entry_id {
            if !self.integrate_chunk(&mut state).await? {
                // Another writer moved the head: start over from what it left.
                return Box::pin(self.load_log()).await;
            }
        }
        Ok(state)
    }

    /// Integrates the next chunk of entries after `state`'s tree; `false`, having written
    /// nothing, when the head was no longer as `state` says.
    async fn integrate_chunk(&self, state: &mut LogState) -> Result<bool, StorageError> {
        let from = state.head.tree_size;
        let to = (from + INTEGRATE_CHUNK).min(state.head.next_entry_id);
        let leaves = self.read_leaves(from..to, false).await?;
        let mut hashes = Vec::with_capacity(leaves.len());
        let mut missing = Vec::new();
        for (expected, leaf) in (from..to).zip(&leaves) {
            if leaf.index != expected {
                return Err(StorageError::Corrupt(format!(
                    "entry {expected} is missing; the tree cannot be extended past it"
                )));
            }
            let hash = match (&leaf.content, leaf.stored) {
                (LeafContent::Present { hash, .. }, stored) => {
                    if stored.is_some_and(|s| !s.matches(hash)) {
                        return Err(StorageError::Corrupt(format!(
                            "entry {expected}: stored leaf hash does not match its contents"
                        )));
                    }
                    if stored.is_none() {
                        let kept = StoredLeaf::fingerprint_of(hash);
                        missing.push((leaf.index, kept.as_bytes().to_vec()));
                    }
                    *hash
                }
                (_, Some(StoredLeaf::Hash(stored))) => stored,
                (_, _) => {
                    return Err(StorageError::Corrupt(format!(
                        "entry {expected} has neither contents nor a leaf hash"
                    )));
                }
            };
            hashes.push(hash);
        }
        if leaves.len() as i64 != to - from {
            return Err(StorageError::Corrupt(format!(
                "entries {from}..{to}: {} of {} are there",
                leaves.len(),
                to - from
            )));
        }
        let Integration { nodes, next } = state.integrate(hashes);

        let mut tx = self.writer.begin().await?;
        for chunk in missing.chunks(LIST_CHUNK) {
            set_leaf_hashes::<DB>("", chunk)
                .build()
                .execute(&mut *tx)
                .await?;
        }
        for start in (0..nodes.level.len()).step_by(LIST_CHUNK) {
            let end = (start + LIST_CHUNK).min(nodes.level.len());
            let mut qb = QueryBuilder::<DB>::new("INSERT INTO merkle_nodes (level, idx, hash) ");
            qb.push_values(start..end, |mut row, i| {
                row.push_bind(nodes.level[i])
                    .push_bind(nodes.idx[i])
                    .push_bind(nodes.hash[i].clone());
            });
            qb.build().execute(&mut *tx).await?;
        }
        let moved: Option<(i64,)> = sqlx::query_as(
            "UPDATE log_head SET tree_size = $1, tree_root = $2 \
             WHERE id = 1 AND tree_size = $3 AND tree_root = $4 RETURNING tree_size",
        )
        .bind(next.head.tree_size)
        .bind(next.head.tree_root.clone())
        .bind(state.head.tree_size)
        .bind(state.head.tree_root.clone())
        .fetch_optional(&mut *tx)
        .await?;
        if moved.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        *state = next;
        Ok(true)
    }

    /// The hashes of complete subtrees `ids`, all within the integrated tree.
    pub(super) async fn node_hashes(
        &self,
        ids: &BTreeSet<NodeId>,
    ) -> Result<HashMap<NodeId, Hash>, StorageError> {
        let (stored, low): (Vec<NodeId>, Vec<NodeId>) =
            ids.iter().partition(|id| id.level >= MIN_STORED_LEVEL);
        let mut hashes = HashMap::with_capacity(ids.len());
        for chunk in stored.chunks(LIST_CHUNK) {
            let rows: Vec<(i16, i64, Vec<u8>)> = stored_nodes_query::<DB>(chunk)
                .build_query_as()
                .fetch_all(&self.pool)
                .await?;
            for (level, index, hash) in rows {
                let id = NodeId {
                    level: level as u8,
                    index: index as u64,
                };
                hashes.insert(id, to_hash(&hash, || format!("tree node {id:?}"))?);
            }
        }
        // Rows with their content keep only a fingerprint of their leaf hash: the hashes of
        // the few leaves under the low subtrees are computed again from the rows.
        let mut leaves = HashMap::new();
        for range in clusters(&leaves_of(&low), 1 << MIN_STORED_LEVEL) {
            for leaf in self.read_leaves(range, false).await? {
                if leaf.disagrees() {
                    return Err(StorageError::Corrupt(format!(
                        "entry {}: its row no longer gives its leaf hash; run `luovutusloki \
                         verify`",
                        leaf.index
                    )));
                }
                if let Some(hash) = leaf.hash() {
                    leaves.insert(leaf.index, hash);
                }
            }
        }
        for id in low {
            if let Some(hash) = hash_from_leaves(id, &leaves) {
                hashes.insert(id, hash);
            }
        }
        match ids.iter().find(|id| !hashes.contains_key(id)) {
            Some(id) => Err(StorageError::Corrupt(format!(
                "tree node {id:?} (leaves {:?}) is missing",
                id.leaves()
            ))),
            None => Ok(hashes),
        }
    }

    /// The proof `plan` describes, if there is a plan and its tree of `size` leaves is
    /// integrated.
    pub(super) async fn prove(
        &self,
        plan: Option<ProofPlan>,
        size: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        let integrated = self.read_head().await?.tree_size as u64;
        let Some(plan) = plan.filter(|_| size <= integrated) else {
            return Ok(None);
        };
        let hashes = self.node_hashes(&plan.nodes()).await?;
        plan.assemble(&hashes)
            .map(Some)
            .ok_or_else(|| StorageError::Corrupt("a proof node is missing".into()))
    }

    /// The entries of `range` dropped with their partition, as rows with only a leaf hash.
    async fn purged_rows(&self, range: Range<i64>) -> Result<Vec<EntryRow>, StorageError> {
        let runs: Vec<(i64, i64, Vec<u8>)> = purged_runs_query::<DB>(range.clone())
            .build_query_as()
            .fetch_all(&self.pool)
            .await?;
        purged_rows(runs, &range)
    }

    /// The entries of `range` as leaves, in order; missing entries are left out.
    pub(super) async fn read_leaves(
        &self,
        range: Range<i64>,
        with_data: bool,
    ) -> Result<Vec<LeafRecord>, StorageError> {
        let mut entries: Vec<EntryRow> = entries_query::<DB>(range.clone())
            .build_query_as()
            .fetch_all(&self.pool)
            .await?;
        let dropped = self.purged_rows(range).await?;
        if !dropped.is_empty() {
            entries.extend(dropped);
            entries.sort_by_key(|e| e.entry_id);
        }
        let ids: BTreeSet<i64> = entries.iter().map(|e| e.disclosure_id).collect();
        let mut disclosures = BTreeMap::new();
        let queries = match (ids.first(), ids.last()) {
            // Consecutive entries are of disclosures with nearly consecutive ids: one range
            // scan reads them, where lists of ids would take a statement per 500.
            (Some(&first), Some(&last)) if last - first < 2 * ids.len() as i64 + 64 => {
                vec![disclosure_range_query::<DB>(first..=last)]
            }
            _ => ids
                .iter()
                .copied()
                .collect::<Vec<_>>()
                .chunks(LIST_CHUNK)
                .map(disclosures_query::<DB>)
                .collect(),
        };
        for mut query in queries {
            let rows: Vec<DisclosureRow> = query.build_query_as().fetch_all(&self.pool).await?;
            disclosures.extend(rows.into_iter().map(|row| (row.id(), row)));
        }
        leaves_from_rows(entries, &disclosures, with_data)
    }
    }
}

fn to_hash(bytes: &[u8], what: impl FnOnce() -> String) -> Result<Hash, StorageError> {
    Hash::try_from(bytes).map_err(|_| StorageError::Corrupt(what()))
}

/// Reading the integrated tree: its head, proofs, and entries as leaves.
pub trait LogRead: Send + Sync {
    /// The integrated tree as committed.
    fn tree_head(&self) -> impl Future<Output = Result<TreeHead, StorageError>> + Send;

    /// How many entries have been recorded (the next entry id), integrated or not.
    fn entries_recorded(&self) -> impl Future<Output = Result<u64, StorageError>> + Send;

    /// The inclusion proof of leaf `index` in the tree of `size` leaves; `None` unless
    /// `index < size <= ` the integrated size.
    fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> impl Future<Output = Result<Option<Vec<Hash>>, StorageError>> + Send;

    /// The consistency proof from the tree of `old` leaves to that of `new`; `None` unless
    /// `0 < old <= new <=` the integrated size.
    fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> impl Future<Output = Result<Option<Vec<Hash>>, StorageError>> + Send;

    /// The entries with ids in `range` as leaves, in order (missing ones left out), with
    /// their leaf data when `with_data`.
    fn leaves(
        &self,
        range: std::ops::Range<i64>,
        with_data: bool,
    ) -> impl Future<Output = Result<Vec<LeafRecord>, StorageError>> + Send;
}

sql_impl! {
    impl LogRead {
        async fn tree_head(&self) -> Result<TreeHead, StorageError> {
            TreeHead::try_from(&self.read_head().await?)
        }

        async fn entries_recorded(&self) -> Result<u64, StorageError> {
            Ok(self.read_head().await?.next_entry_id.max(0) as u64)
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
    }
}
