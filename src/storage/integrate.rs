//! The one integrator: from the tree's right edge and the hashes of the leaves that follow
//! it, the subtree nodes to store and the head that results. Both ways entries reach the
//! tree go through it: the write path (`append.rs`), which commits the result with its batch
//! under the dialect's compare-and-set of `log_head`, and the start-up catch-up (`log.rs`),
//! which commits it chunk by chunk under the same compare-and-set of the tree's size and
//! root.

use sqlx::FromRow;

use crate::domain::TreeHead;
use crate::transparency::merkle::{Frontier, Hash};

use super::StorageError;

/// Subtrees of this level and above are stored; smaller ones are hashed from leaves.
pub(super) const MIN_STORED_LEVEL: u8 = 4;

/// The `log_head` row: the next ids to give out and the tree's size and root.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(super) struct LogHead {
    pub next_disclosure_id: i64,
    pub next_entry_id: i64,
    pub tree_size: i64,
    pub tree_root: Vec<u8>,
}

pub(super) const READ_HEAD: &str =
    "SELECT next_disclosure_id, next_entry_id, tree_size, tree_root FROM log_head WHERE id = 1";

/// New `merkle_nodes` rows: the stored subtrees that integrated leaves complete.
#[derive(Debug, Default)]
pub(super) struct NodeColumns {
    pub level: Vec<i16>,
    pub idx: Vec<i64>,
    pub hash: Vec<Vec<u8>>,
}

/// What the single writer knows of the log between batches.
#[derive(Debug, Clone)]
pub(super) struct LogState {
    pub head: LogHead,
    /// The right edge of the tree of `head.tree_size` leaves.
    pub frontier: Frontier,
}

/// What integrating leaves gives: the nodes to store, and the state once they are stored.
#[derive(Debug)]
pub(super) struct Integration {
    pub nodes: NodeColumns,
    pub next: LogState,
}

impl LogState {
    /// Integrates `leaves` after this state's tree; the head's ids stay as they are.
    pub fn integrate(&self, leaves: impl IntoIterator<Item = Hash>) -> Integration {
        let mut frontier = self.frontier.clone();
        let mut nodes = NodeColumns::default();
        for leaf in leaves {
            frontier.append(leaf, |id, hash| {
                if id.level >= MIN_STORED_LEVEL {
                    nodes.level.push(i16::from(id.level));
                    nodes.idx.push(id.index as i64);
                    nodes.hash.push(hash.to_vec());
                }
            });
        }
        let head = LogHead {
            tree_size: frontier.size() as i64,
            tree_root: frontier.root().to_vec(),
            ..self.head.clone()
        };
        Integration {
            nodes,
            next: LogState { head, frontier },
        }
    }
}

impl TryFrom<&LogHead> for TreeHead {
    type Error = StorageError;

    fn try_from(head: &LogHead) -> Result<Self, StorageError> {
        Ok(Self {
            size: head.tree_size as u64,
            root: Hash::try_from(head.tree_root.as_slice())
                .map_err(|_| StorageError::Corrupt("log head: tree root".into()))?,
        })
    }
}
