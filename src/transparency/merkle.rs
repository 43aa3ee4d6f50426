//! The RFC 9162 Merkle tree (§2.1): leaf and node hashes, the right edge a log appends to,
//! and which subtrees an inclusion or consistency proof is made of.
//!
//! Subtrees are named by [`NodeId`]: level 0 is the leaves, a node at level `l` and index
//! `i` covers leaves `[i·2^l, (i+1)·2^l)`. A proof is planned as a list of leaf ranges whose
//! tree hashes are its elements; each range is made of complete subtrees, which storage
//! fetches, and [`ProofPlan::assemble`] folds them into the proof.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use sha2::{Digest, Sha256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`: the hash of a leaf whose data is `data`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: the hash of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A complete subtree: `2^level` leaves from `index · 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    /// The leaves the subtree covers.
    pub fn leaves(self) -> Range<u64> {
        let start = self.index << self.level;
        start..start + (1 << self.level)
    }

    /// Its two halves; a leaf has none.
    pub fn children(self) -> Option<(NodeId, NodeId)> {
        let level = self.level.checked_sub(1)?;
        let left = NodeId {
            level,
            index: self.index * 2,
        };
        Some((
            left,
            NodeId {
                level,
                index: left.index + 1,
            },
        ))
    }
}

/// The complete subtrees that make up `leaves`, left to right, each as large as its start
/// allows. For the ranges of a tree or of a proof (whose start is a multiple of a power of
/// two no smaller than its length) they shrink from left to right, as the binary digits of
/// the length.
pub fn decompose(leaves: Range<u64>) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    let mut start = leaves.start;
    while start < leaves.end {
        let aligned = if start == 0 {
            63
        } else {
            start.trailing_zeros()
        };
        let fits = 63 - (leaves.end - start).leading_zeros();
        let level = aligned.min(fits) as u8;
        nodes.push(NodeId {
            level,
            index: start >> level,
        });
        start += 1 << level;
    }
    nodes
}

/// The tree hash of a range made of `subtrees` (its [`decompose`]), per RFC 9162 §2.1.1: the
/// largest power of two on the left, the rest on the right.
fn fold(subtrees: &[Hash]) -> Hash {
    let mut hashes = subtrees.iter().rev();
    let Some(last) = hashes.next() else {
        return empty_root();
    };
    hashes.fold(*last, |right, left| node_hash(left, &right))
}

/// The right edge of a tree: the roots of the complete subtrees that make it up, largest
/// first. It is all a log needs to append leaves and compute roots; it is recovered from
/// storage as the hashes of [`Frontier::ids`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The empty tree.
    pub fn empty() -> Self {
        Self {
            size: 0,
            nodes: Vec::new(),
        }
    }

    /// The subtrees whose hashes make up the right edge of a tree of `size` leaves.
    pub fn ids(size: u64) -> Vec<NodeId> {
        decompose(0..size)
    }

    /// The right edge of a tree of `size` leaves, given the hashes of [`Frontier::ids`].
    pub fn from_hashes(size: u64, nodes: Vec<Hash>) -> Option<Self> {
        (nodes.len() == size.count_ones() as usize).then_some(Self { size, nodes })
    }

    /// How many leaves the tree has.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf; `completed` sees every interior node that the leaf completes.
    pub fn append(&mut self, leaf: Hash, mut completed: impl FnMut(NodeId, &Hash)) {
        let mut hash = leaf;
        let mut level = 0u8;
        let mut carry = self.size;
        while carry & 1 == 1 {
            let left = self
                .nodes
                .pop()
                .expect("a node for every set bit of the size");
            hash = node_hash(&left, &hash);
            level += 1;
            carry >>= 1;
            completed(
                NodeId {
                    level,
                    index: self.size >> level,
                },
                &hash,
            );
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// The tree's root hash.
    pub fn root(&self) -> Hash {
        fold(&self.nodes)
    }
}

/// The leaf ranges whose tree hashes make up a proof, in proof order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    ranges: Vec<Range<u64>>,
}

impl ProofPlan {
    /// `PATH(index, D[0:size])` of RFC 9162 §2.1.3.1; `None` unless `index < size`.
    pub fn inclusion(index: u64, size: u64) -> Option<Self> {
        if index >= size {
            return None;
        }
        let mut ranges = Vec::new();
        path(index, 0, size, &mut ranges);
        Some(Self { ranges })
    }

    /// `PROOF(old, D[0:new])` of RFC 9162 §2.1.4.1; `None` unless `0 < old <= new`.
    pub fn consistency(old: u64, new: u64) -> Option<Self> {
        if old == 0 || old > new {
            return None;
        }
        let mut ranges = Vec::new();
        if old < new {
            subproof(old, 0, new, true, &mut ranges);
        }
        Some(Self { ranges })
    }

    /// Every complete subtree whose hash the proof needs.
    pub fn nodes(&self) -> BTreeSet<NodeId> {
        self.ranges
            .iter()
            .flat_map(|range| decompose(range.clone()))
            .collect()
    }

    /// The proof, given the hash of every node of [`ProofPlan::nodes`]; `None` when one is
    /// missing.
    pub fn assemble(&self, hashes: &HashMap<NodeId, Hash>) -> Option<Vec<Hash>> {
        self.ranges
            .iter()
            .map(|range| {
                let subtrees = decompose(range.clone())
                    .into_iter()
                    .map(|id| hashes.get(&id).copied())
                    .collect::<Option<Vec<_>>>()?;
                Some(fold(&subtrees))
            })
            .collect()
    }
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Pushes the ranges of `PATH(m, D[start:start+n])`, from the leaf up.
fn path(m: u64, start: u64, n: u64, ranges: &mut Vec<Range<u64>>) {
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, start, k, ranges);
        ranges.push(start + k..start + n);
    } else {
        path(m - k, start + k, n - k, ranges);
        ranges.push(start..start + k);
    }
}

/// Pushes the ranges of `SUBPROOF(m, D[start:start+n], complete)`.
fn subproof(m: u64, start: u64, n: u64, complete: bool, ranges: &mut Vec<Range<u64>>) {
    if m == n {
        if !complete {
            ranges.push(start..start + n);
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, start, k, complete, ranges);
        ranges.push(start + k..start + n);
    } else {
        subproof(m - k, start + k, n - k, false, ranges);
        ranges.push(start..start + k);
    }
}

/// Checks that `leaf` is leaf `index` of the tree of `size` leaves with root `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Checks that the tree of `new` leaves with root `new_root` extends the tree of `old`
/// leaves with root `old_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> bool {
    if old == 0 || old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if old.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (old - 1, new - 1);
    if f & 1 == 1 {
        while f & 1 == 1 {
            f >>= 1;
            s >>= 1;
        }
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && fr == *old_root && sr == *new_root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// MTH by the recursive definition of RFC 9162 §2.1.1, over leaf hashes.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    /// Every subtree hash of `leaves`, computed from the leaves.
    fn all_nodes(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
        let mut nodes = HashMap::new();
        let mut level: Vec<Hash> = leaves.to_vec();
        let mut height = 0u8;
        while !level.is_empty() {
            for (i, h) in level.iter().enumerate() {
                nodes.insert(
                    NodeId {
                        level: height,
                        index: i as u64,
                    },
                    *h,
                );
            }
            level = level
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            height += 1;
        }
        nodes
    }

    #[test]
    fn the_empty_tree_has_the_hash_of_the_empty_string() {
        assert_eq!(
            hex::encode(Frontier::empty().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn appending_leaf_by_leaf_gives_the_root_of_the_definition() {
        let all = leaves(70);
        let mut frontier = Frontier::empty();
        for (n, leaf) in all.iter().enumerate() {
            frontier.append(*leaf, |_, _| {});
            assert_eq!(
                frontier.root(),
                reference_root(&all[..=n]),
                "size {}",
                n + 1
            );
        }
    }

    #[test]
    fn appending_reports_each_completed_node_once_with_its_hash() {
        let all = leaves(37);
        let expected = all_nodes(&all);
        let mut seen = HashMap::new();
        let mut frontier = Frontier::empty();
        for leaf in &all {
            frontier.append(*leaf, |id, hash| {
                assert!(seen.insert(id, *hash).is_none(), "{id:?} twice");
            });
        }
        let interior = expected.iter().filter(|(id, _)| id.level > 0).count();
        assert_eq!(seen.len(), interior);
        for (id, hash) in seen {
            assert_eq!(expected[&id], hash, "{id:?}");
        }
    }

    #[test]
    fn a_frontier_is_recovered_from_the_hashes_of_its_ids() {
        let all = leaves(45);
        let nodes = all_nodes(&all);
        let mut grown = Frontier::empty();
        for leaf in &all {
            grown.append(*leaf, |_, _| {});
        }
        let hashes = Frontier::ids(45).iter().map(|id| nodes[id]).collect();
        assert_eq!(Frontier::from_hashes(45, hashes), Some(grown));
        assert_eq!(Frontier::from_hashes(45, vec![]), None);
    }

    #[test]
    fn decomposition_covers_the_range_with_aligned_subtrees() {
        for start in 0..40u64 {
            for end in start..80 {
                let mut next = start;
                for id in decompose(start..end) {
                    let covered = id.leaves();
                    assert_eq!(covered.start, next);
                    assert_eq!(covered.start % (1 << id.level), 0);
                    next = covered.end;
                }
                assert_eq!(next, end);
            }
        }
    }

    #[test]
    fn planned_proofs_verify_for_every_size_and_index() {
        let all = leaves(64);
        let nodes = all_nodes(&all);
        for size in 1..=64u64 {
            let root = reference_root(&all[..size as usize]);
            for index in 0..size {
                let plan = ProofPlan::inclusion(index, size).unwrap();
                let proof = plan.assemble(&nodes).unwrap();
                assert!(
                    verify_inclusion(index, size, &all[index as usize], &proof, &root),
                    "inclusion {index} in {size}"
                );
                let other = &all[(index as usize + 1) % 64];
                assert!(!verify_inclusion(index, size, other, &proof, &root));
                if let Some(first) = proof.first() {
                    let mut bent = proof.clone();
                    bent[0] = leaf_hash(first);
                    assert!(!verify_inclusion(
                        index,
                        size,
                        &all[index as usize],
                        &bent,
                        &root
                    ));
                }
            }
            for old in 1..=size {
                let plan = ProofPlan::consistency(old, size).unwrap();
                let proof = plan.assemble(&nodes).unwrap();
                let old_root = reference_root(&all[..old as usize]);
                assert!(
                    verify_consistency(old, size, &proof, &old_root, &root),
                    "consistency {old} to {size}"
                );
                if old < size {
                    assert!(!verify_consistency(old, size, &proof, &root, &root));
                }
            }
        }
    }

    #[test]
    fn impossible_proofs_are_not_planned() {
        assert_eq!(ProofPlan::inclusion(3, 3), None);
        assert_eq!(ProofPlan::consistency(0, 3), None);
        assert_eq!(ProofPlan::consistency(4, 3), None);
    }
}
