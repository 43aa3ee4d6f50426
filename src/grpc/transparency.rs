//! Checkpoints and leaves, domain to proto.

use crate::domain::StoredCheckpoint;
use crate::domain::Timestamp;
use crate::service::EntryLeaf;

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

pub fn leaf_to_proto(leaf: EntryLeaf) -> proto::EntryLeaf {
    proto::EntryLeaf {
        entry_id: leaf.entry_id,
        disclosure_id: leaf.disclosure_id,
        leaf_hash: leaf.leaf_hash.to_vec(),
        purged: leaf.purged,
        leaf_data: leaf.data.unwrap_or_default(),
    }
}
