//! The log's read-only side: the integrated tree's head, its signed checkpoints, proofs
//! against them, entries read back as leaves, and the record of purges. What the gRPC
//! transparency handlers, `prove` and `verify` read; it cannot change the log.

use std::ops::Range;

use crate::domain::{LeafRecord, PurgeRecord, StoredCheckpoint, TreeHead};
use crate::storage::{Checkpoints, LogRead, Retention, StorageError, Store};
use crate::transparency::merkle::Hash;

/// Reads the log in a store; cheap to make, one per call.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    store: &'a Store,
}

impl<'a> Reader<'a> {
    pub fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The integrated tree as committed.
    pub async fn tree_head(&self) -> Result<TreeHead, StorageError> {
        self.store.tree_head().await
    }

    /// How many entries have been recorded, integrated or not.
    pub async fn entries_recorded(&self) -> Result<u64, StorageError> {
        self.store.entries_recorded().await
    }

    /// The checkpoint of the tree of `size` leaves, or the latest when `None`.
    pub async fn checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<StoredCheckpoint>, StorageError> {
        self.store.checkpoint(size).await
    }

    /// The checkpoint of the largest tree.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StorageError> {
        self.store.latest_checkpoint().await
    }

    /// Up to `limit` checkpoints of trees larger than `after_size`, smallest first.
    pub async fn checkpoints(
        &self,
        after_size: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredCheckpoint>, StorageError> {
        self.store.checkpoints(after_size, limit).await
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves; `None` unless
    /// `index < size <=` the integrated size.
    pub async fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        self.store.inclusion_proof(index, size).await
    }

    /// The consistency proof from the tree of `old` leaves to that of `new`; `None` unless
    /// `0 < old <= new <=` the integrated size.
    pub async fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<Option<Vec<Hash>>, StorageError> {
        self.store.consistency_proof(old, new).await
    }

    /// The entries with ids in `range` as leaves, in order (missing ones left out), with
    /// their leaf data when `with_data`.
    pub async fn leaves(
        &self,
        range: Range<i64>,
        with_data: bool,
    ) -> Result<Vec<LeafRecord>, StorageError> {
        self.store.leaves(range, with_data).await
    }

    /// Every recorded purge, oldest first.
    pub async fn purges(&self) -> Result<Vec<PurgeRecord>, StorageError> {
        self.store.purges().await
    }
}
