//! Conversions and look-ups of the tamper-evidence RPCs.

use tonic::Status;

use crate::domain::{BusinessId, Timestamp};
use crate::domain::{LeafContent, LeafRecord, StoredCheckpoint};
use crate::log::Reader;
use crate::storage::Store;

use super::convert::to_proto_timestamp;
use super::proto;

pub fn checkpoint_to_proto(checkpoint: StoredCheckpoint) -> proto::Checkpoint {
    proto::Checkpoint {
        tree_size: checkpoint.size,
        root_hash: checkpoint.root.to_vec(),
        signed_at: Timestamp::from_micros(checkpoint.signed_at)
            .ok()
            .map(to_proto_timestamp),
        note: checkpoint.note,
    }
}

/// The checkpoint of `size` leaves, or the latest when `size` is 0.
pub async fn checkpoint(store: &Store, size: u64) -> Result<proto::Checkpoint, Status> {
    Reader::new(store)
        .checkpoint((size > 0).then_some(size))
        .await?
        .map(checkpoint_to_proto)
        .ok_or_else(|| Status::not_found("no such checkpoint"))
}

/// Entry `entry_id` of `controller` as a leaf; NOT_FOUND when it is another controller's
/// or there is none.
pub async fn entry_leaf(
    store: &Store,
    controller: &BusinessId,
    entry_id: u64,
    with_data: bool,
) -> Result<LeafRecord, Status> {
    let not_found = || Status::not_found("no such entry");
    let id = i64::try_from(entry_id).map_err(|_| not_found())?;
    Reader::new(store)
        .leaves(id..id + 1, with_data)
        .await?
        .into_iter()
        .find(|leaf| leaf.index == id && leaf.controller.as_deref() == Some(controller.as_str()))
        .ok_or_else(not_found)
}

/// The leaf as the client sees it: the stored leaf hash once integrated, else the one the
/// row gives.
pub fn leaf_to_proto(leaf: LeafRecord) -> Result<proto::EntryLeaf, Status> {
    let (computed, data) = match leaf.content {
        LeafContent::Present { hash, data } => (Some(hash), data),
        LeafContent::Purged => (None, None),
        LeafContent::HalfPurged | LeafContent::NoDisclosure => {
            tracing::error!(
                entry = leaf.index,
                "an entry is damaged (half purged, or outside its disclosure); run verify"
            );
            return Err(Status::internal("internal error"));
        }
    };
    let hash = leaf.stored.or(computed).ok_or_else(|| {
        tracing::error!(
            entry = leaf.index,
            "an entry has neither contents nor a leaf hash"
        );
        Status::internal("internal error")
    })?;
    Ok(proto::EntryLeaf {
        entry_id: leaf.index as u64,
        disclosure_id: leaf.disclosure_id as u64,
        leaf_hash: hash.to_vec(),
        purged: data.is_none(),
        leaf_data: data.unwrap_or_default(),
    })
}
