//! Tamper evidence: every subject entry is a leaf of an append-only RFC 9162 Merkle tree,
//! whose heads are published as signed checkpoints (C2SP tlog-checkpoint), so that anyone
//! holding a checkpoint and the verifier key can check that entries were neither altered,
//! removed nor slipped in afterwards. The log keeps three things apart, each with its own
//! guarantee: an entry is *sequenced* (given its index) and *integrated* (its leaf and the
//! tree nodes it completes stored) in the transaction that stores it, and *published* when
//! a checkpoint covering it is signed and stored.

pub mod checkpoint;
pub mod leaf;
pub mod merkle;
