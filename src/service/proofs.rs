//! A disclosure's entries with their inclusion proofs against the latest checkpoint, and
//! whether each proof verifies: what an auditor looking at one disclosure asks of the log.
//! The same rules as GetCheckpoint and GetInclusionProof (the verifier role for the
//! disclosure's controller); the subjects appear only as entry numbers.

use std::ops::Range;

use crate::auth::Caller;
use crate::domain::{StoredCheckpoint, StoredDisclosure};
use crate::transparency::merkle::verify_inclusion;

use super::Services;
use super::evidence::{EvidenceError, InclusionProof};

/// One entry of a disclosure and its proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProof {
    /// The subject's position in the disclosure, from 0.
    pub position: u32,
    /// The entry's id: its leaf index in the tree.
    pub entry_id: u64,
    /// The proof in the latest checkpoint's tree; `None` while the checkpoint does not yet
    /// cover the entry.
    pub proof: Option<InclusionProof>,
    /// The proof leads from the entry's leaf hash to the checkpoint's root.
    pub verifies: bool,
}

/// Entries of one disclosure with their proofs, and the checkpoint they are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureProofs {
    /// The latest checkpoint; `None` before the first is signed.
    pub checkpoint: Option<StoredCheckpoint>,
    pub entries: Vec<EntryProof>,
}

impl Services {
    /// The proofs of the entries of `disclosure` at `positions` (clipped to its subjects)
    /// in the tree of the latest checkpoint.
    pub async fn disclosure_proofs(
        &self,
        caller: &Caller,
        disclosure: &StoredDisclosure,
        positions: Range<u32>,
    ) -> Result<DisclosureProofs, EvidenceError> {
        let controller = &disclosure.details.controller;
        let checkpoint = match self.checkpoint(caller, None).await {
            Ok(checkpoint) => Some(checkpoint),
            Err(EvidenceError::NoCheckpoint) => None,
            Err(error) => return Err(error),
        };
        let end = positions.end.min(disclosure.subject_count);
        let mut entries = Vec::new();
        for position in positions.start..end {
            let entry_id = u64::try_from(disclosure.first_entry_id + i64::from(position))
                .map_err(|_| EvidenceError::NoEntry)?;
            let covered = checkpoint.as_ref().filter(|c| c.size > entry_id);
            let (proof, verifies) = match covered {
                Some(checkpoint) => {
                    let proof = self
                        .inclusion_proof(caller, controller, (entry_id, checkpoint.size), false)
                        .await?;
                    let verifies = verify_inclusion(
                        entry_id,
                        checkpoint.size,
                        &proof.leaf.leaf_hash,
                        &proof.hashes,
                        &checkpoint.root,
                    );
                    (Some(proof), verifies)
                }
                None => {
                    // Not yet in a signed tree: still the caller's to see only as a verifier.
                    self.entry_leaf(caller, controller, entry_id, false).await?;
                    (None, false)
                }
            };
            entries.push(EntryProof {
                position,
                entry_id,
                proof,
                verifies,
            });
        }
        Ok(DisclosureProofs {
            checkpoint,
            entries,
        })
    }
}
