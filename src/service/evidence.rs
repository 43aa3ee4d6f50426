//! Tamper evidence as callers ask for it (GetCheckpoint, GetInclusionProof,
//! GetConsistencyProof, GetEntryLeaf, `luovutusloki prove`) and retention (`purge`):
//! checkpoints and consistency proofs concern the whole log; an entry, its leaf and its
//! inclusion proof only its controller.

use crate::auth::{Caller, Denied, Role};
use crate::domain::{BusinessId, Timestamp};
use crate::domain::{LeafContent, LeafRecord, PurgeReport, PurgeRequest, StoredCheckpoint};
use crate::log::Reader;
use crate::storage::{Retention, StorageError};
use crate::transparency::checkpoint::VerifierKey;
use crate::transparency::merkle::Hash;

use super::Services;

/// Why evidence could not be given.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no such checkpoint")]
    NoCheckpoint,
    #[error("no such entry")]
    NoEntry,
    /// The sizes asked for are not in the integrated tree.
    #[error("{0}")]
    OutOfRange(&'static str),
    /// An entry is damaged (half purged, or outside its disclosure); `verify` names it.
    #[error("entry {0} is damaged; run verify")]
    Damaged(i64),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

/// An entry as a leaf of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLeaf {
    pub entry_id: u64,
    pub disclosure_id: u64,
    /// The stored leaf hash once integrated, else the one the row gives.
    pub leaf_hash: Hash,
    /// The leaf's encoded data when asked for; `None` when asked for none, or purged.
    pub data: Option<Vec<u8>>,
    pub purged: bool,
}

/// An entry's inclusion proof in the tree of the size asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf: EntryLeaf,
    /// The hashes of the proof (RFC 9162, 2.1.3).
    pub hashes: Vec<Hash>,
}

impl Services {
    /// The log's read-only side, which evidence is read from.
    fn reader(&self) -> Reader<'_> {
        Reader::new(&self.store)
    }

    /// The checkpoint of the tree of `size` leaves, or the latest when `None`.
    pub async fn checkpoint(
        &self,
        caller: &Caller,
        size: Option<u64>,
    ) -> Result<StoredCheckpoint, EvidenceError> {
        caller.authorize_anywhere(Role::Verifier)?;
        self.reader()
            .checkpoint(size)
            .await?
            .ok_or(EvidenceError::NoCheckpoint)
    }

    /// Entry `entry_id` of `controller` as a leaf, with its data when `with_data`; another
    /// controller's entry is not found, as a missing one.
    pub async fn entry_leaf(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        entry_id: u64,
        with_data: bool,
    ) -> Result<EntryLeaf, EvidenceError> {
        caller.authorize(Role::Verifier, controller, None)?;
        self.keeps(controller)?;
        let id = i64::try_from(entry_id).map_err(|_| EvidenceError::NoEntry)?;
        let leaf = self
            .reader()
            .leaves(id..id + 1, with_data)
            .await?
            .into_iter()
            .find(|leaf| {
                leaf.index == id && leaf.controller.as_deref() == Some(controller.as_str())
            })
            .ok_or(EvidenceError::NoEntry)?;
        leaf_as_seen(leaf)
    }

    /// The inclusion proof of `controller`'s entry `entry_id` in the tree of `tree_size`,
    /// with the entry's leaf (and its data when `with_data`).
    pub async fn inclusion_proof(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        (entry_id, tree_size): (u64, u64),
        with_data: bool,
    ) -> Result<InclusionProof, EvidenceError> {
        let leaf = self
            .entry_leaf(caller, controller, entry_id, with_data)
            .await?;
        let hashes = self
            .reader()
            .inclusion_proof(entry_id, tree_size)
            .await?
            .ok_or(EvidenceError::OutOfRange(
                "tree_size must be above entry_id and at most the integrated tree's size",
            ))?;
        Ok(InclusionProof { leaf, hashes })
    }

    /// The consistency proof from the tree of `old_size` leaves to that of `new_size`.
    pub async fn consistency_proof(
        &self,
        caller: &Caller,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, EvidenceError> {
        caller.authorize_anywhere(Role::Verifier)?;
        self.reader()
            .consistency_proof(old_size, new_size)
            .await?
            .ok_or(EvidenceError::OutOfRange(
                "need 0 < old_size <= new_size <= the integrated tree's size",
            ))
    }

    /// Checks the whole log: every leaf against its row, the tree, and every checkpoint's
    /// signature with `key` (`luovutusloki verify`).
    pub async fn verify_log(
        &self,
        key: &VerifierKey,
        options: crate::verify::Options<'_>,
    ) -> Result<crate::verify::Report, StorageError> {
        crate::verify::verify_with(&self.store, key, options).await
    }

    /// Empties the personal content of the entries of disclosures that occurred before
    /// `before` (of `controller`, or of all), keeping their leaf hashes, and records who
    /// decided it.
    pub async fn purge(
        &self,
        caller: &Caller,
        before: Timestamp,
        controller: Option<&BusinessId>,
        requested_by: &str,
    ) -> Result<PurgeReport, EvidenceError> {
        match controller {
            Some(controller) => {
                caller.authorize(Role::Admin, controller, None)?;
                self.keeps(controller)?;
            }
            None => caller.authorize_anywhere(Role::Admin)?,
        }
        Ok(self
            .store
            .purge(&PurgeRequest {
                occurred_before: before,
                controller: controller.cloned(),
                requested_by: requested_by.to_owned(),
                at: self.now(),
            })
            .await?)
    }
}

/// The leaf as callers see it: its hash stored in full once purged, else the one the row
/// gives, if the row still gives the fingerprint it was stored with.
fn leaf_as_seen(leaf: LeafRecord) -> Result<EntryLeaf, EvidenceError> {
    if leaf.disagrees() {
        tracing::error!(
            entry = leaf.index,
            "an entry's row no longer gives its leaf hash; run verify"
        );
        return Err(EvidenceError::Damaged(leaf.index));
    }
    let leaf_hash = leaf.hash();
    let (data, purged) = match leaf.content {
        LeafContent::Present { data, .. } => (data, false),
        LeafContent::Purged => (None, true),
        LeafContent::HalfPurged | LeafContent::NoDisclosure => {
            tracing::error!(
                entry = leaf.index,
                "an entry is damaged (half purged, or outside its disclosure); run verify"
            );
            return Err(EvidenceError::Damaged(leaf.index));
        }
    };
    let leaf_hash = leaf_hash.ok_or_else(|| {
        tracing::error!(
            entry = leaf.index,
            "an entry has neither contents nor a leaf hash"
        );
        EvidenceError::Damaged(leaf.index)
    })?;
    Ok(EntryLeaf {
        entry_id: leaf.index as u64,
        disclosure_id: leaf.disclosure_id as u64,
        leaf_hash,
        data,
        purged,
    })
}
