//! Independent reference implementation of the Merkle tree algorithms of
//! RFC 9162, "Certificate Transparency Version 2.0", Section 2.1
//! (§2.1.1 – §2.1.4), for use as a test oracle.
//!
//! Everything here is written straight from the text of the RFC, and on
//! purpose shares no code with any service under test:
//!
//! * §2.1.1 Merkle Tree Hash (MTH): [`leaf_hash`], [`node_hash`], [`root`].
//! * §2.1.3.1 inclusion proof `PATH(m, D_n)`: [`inclusion_proof`].
//! * §2.1.3.2 inclusion proof verification: [`verify_inclusion`].
//! * §2.1.4.1 consistency proof `PROOF(m, D_n)` / `SUBPROOF`:
//!   [`consistency_proof`].
//! * §2.1.4.2 consistency proof verification: [`verify_consistency`].
//!
//! The RFC leaves `HASH` a log parameter (§2.1.1); this module fixes it to
//! SHA-256, so `HASH_SIZE` is 32.
//!
//! The generators ([`root`], [`inclusion_proof`], [`consistency_proof`]) work
//! on a list of *leaf hashes*, i.e. on `MTH({d[i]}) = HASH(0x00 || d[i])` for
//! each entry `d[i]`, not on the raw entries; hash entries with
//! [`leaf_hash`] first. The generators follow the RFC's recursive
//! definitions literally (no iterative shortcuts, no caching), recomputing
//! every subtree hash from the leaves (O(n) hashes per call): obviously
//! faithful, but meant for test-size trees.
//!
//! The verifiers follow the RFC's step-by-step verification algorithms
//! literally, including the bit manipulation on `fn` and `sn`; see
//! [`verify_consistency`] for the cases outside `0 < m < n` that §2.1.4.2
//! leaves open (`m == n`: empty proof and equal roots; `m == 0`: false).
//!
//! Keep in mind a property of the RFC algorithms themselves: a proof binds
//! the tree size(s) only through the root hash(es). An inclusion proof for
//! `(index, size)` also verifies for another `size'` *with the same root*
//! when both sizes give the same path shape (e.g. index 0 in sizes 3 and 4),
//! and likewise for consistency proofs (e.g. sizes (4, 8) and
//! (2^63, 2^64 - 1)). So always check a proof against the root published
//! for the size it claims (see the tests
//! `inclusion_proof_binds_size_only_through_root` and
//! `consistency_edge_cases`).

use sha2::{Digest, Sha256};

/// A SHA-256 output (`HASH_SIZE` = 32 bytes, RFC 9162 §2.1.1).
#[allow(dead_code)]
pub type Hash = [u8; 32];

/// `MTH({})` = `HASH()`: the SHA-256 hash of the empty string, which is the
/// root hash of the empty tree (RFC 9162 §2.1.1).
#[allow(dead_code)]
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// Leaf hash `MTH({d[0]}) = HASH(0x00 || d[0])` (RFC 9162 §2.1.1).
#[allow(dead_code)]
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0x00u8])
        .chain_update(data)
        .finalize()
        .into()
}

/// Interior node hash `HASH(0x01 || l || r)` (RFC 9162 §2.1.1, the form used
/// by `MTH(D_n)` for n > 1 and by the verification algorithms of §2.1.3.2 and
/// §2.1.4.2).
#[allow(dead_code)]
pub fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = 0x01;
    buf[1..33].copy_from_slice(l);
    buf[33..].copy_from_slice(r);
    Sha256::digest(buf).into()
}

/// RFC 9162 §2.1.1: "For n > 1, let k be the largest power of two smaller
/// than n (i.e., k < n <= 2k)."
#[allow(dead_code)]
fn split_point(n: usize) -> usize {
    assert!(n > 1, "split point is only defined for n > 1");
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    debug_assert!(k < n && n <= 2 * k);
    k
}

/// Merkle Tree Hash `MTH(D_n)` over a list of *leaf hashes* (RFC 9162 §2.1.1):
///
/// * `MTH({}) = HASH()` (the empty tree; see [`empty_root`]);
/// * `MTH({d[0]}) = HASH(0x00 || d[0])`, which is the given leaf hash itself;
/// * for n > 1, with k the largest power of two smaller than n,
///   `MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`.
#[allow(dead_code)]
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split_point(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// Inclusion proof `PATH(m, D_n)` for the leaf at `index` = m over a list of
/// leaf hashes (RFC 9162 §2.1.3.1):
///
/// * `PATH(0, {d[0]}) = {}`;
/// * for n > 1, with k the largest power of two smaller than n,
///   `PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n])` for m < k, and
///   `PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k])` for m >= k.
///
/// The result is ordered from the leaf's sibling up to the child of the root.
///
/// # Panics
///
/// If `index >= leaves.len()`: the RFC defines `PATH(m, D_n)` only for
/// `0 <= m < n`.
#[allow(dead_code)]
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Vec<Hash> {
    assert!(
        index < leaves.len(),
        "PATH(m, D_n) is defined only for 0 <= m < n (m = {index}, n = {})",
        leaves.len()
    );
    path(index, leaves)
}

#[allow(dead_code)]
fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        // PATH(0, {d[0]}) = {}
        return Vec::new();
    }
    let k = split_point(n);
    if m < k {
        // PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n])
        let mut p = path(m, &d[..k]);
        p.push(root(&d[k..]));
        p
    } else {
        // PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k])
        let mut p = path(m - k, &d[k..]);
        p.push(root(&d[..k]));
        p
    }
}

/// Consistency proof `PROOF(m, D_n) = SUBPROOF(m, D_n, true)` between the
/// tree of the first `m` leaves and the tree of all n leaves
/// (RFC 9162 §2.1.4.1), where, with k the largest power of two smaller than n:
///
/// * `SUBPROOF(m, D_m, true) = {}`;
/// * `SUBPROOF(m, D_m, false) = {MTH(D_m)}`;
/// * for m < n and m <= k: `SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])`;
/// * for m < n and m > k: `SUBPROOF(m, D_n, b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])`.
///
/// The RFC defines `PROOF` for `0 < m < n`; for `m == n` the same recursion
/// gives `SUBPROOF(n, D_n, true) = {}`, the empty proof, which is what this
/// returns (§2.1.4 speaks of consistency for `m <= n`).
///
/// # Panics
///
/// If `m == 0` or `m > leaves.len()`.
#[allow(dead_code)]
pub fn consistency_proof(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    assert!(
        m > 0 && m <= leaves.len(),
        "PROOF(m, D_n) is defined only for 0 < m <= n here (m = {m}, n = {})",
        leaves.len()
    );
    subproof(m, leaves, true)
}

#[allow(dead_code)]
fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b {
            // SUBPROOF(m, D_m, true) = {}
            Vec::new()
        } else {
            // SUBPROOF(m, D_m, false) = {MTH(D_m)}
            vec![root(d)]
        };
    }
    // m < n, hence n > 1.
    let k = split_point(n);
    if m <= k {
        // SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        let mut p = subproof(m, &d[..k], b);
        p.push(root(&d[k..]));
        p
    } else {
        // SUBPROOF(m, D_n, b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
        let mut p = subproof(m - k, &d[k..], false);
        p.push(root(&d[..k]));
        p
    }
}

/// "LSB(x)": whether the least significant bit of `x` is set.
#[allow(dead_code)]
fn lsb(x: u64) -> bool {
    x & 1 == 1
}

/// Verifies that the leaf hash `leaf` is at `index` ("leaf_index") in the tree
/// of `size` leaves ("tree_size") whose root is `root` ("root_hash"), given
/// the inclusion proof `proof` ("inclusion_path"), by the algorithm of
/// RFC 9162 §2.1.3.2, step by step:
///
/// 1. If `leaf_index >= tree_size`, fail.
/// 2. Set `fn` to `leaf_index` and `sn` to `tree_size - 1`.
/// 3. Set `r` to `hash`.
/// 4. For each value `p` in `inclusion_path`:
///    a. if `sn` is 0, stop and fail;
///    b. if `LSB(fn)` is set or `fn == sn`: set `r` to `HASH(0x01 || p || r)`,
///    then, if `LSB(fn)` is not set, right-shift `fn` and `sn` equally until
///    `LSB(fn)` is set or `fn` is 0; otherwise set `r` to
///    `HASH(0x01 || r || p)`;
///    c. right-shift both `fn` and `sn` once.
/// 5. Succeed iff `sn` is 0 and `r` equals `root_hash`.
///
/// A proof that is too long fails at 4a, one that is too short fails at 5
/// (`sn != 0`).
#[allow(dead_code)]
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    // Step 1.
    if index >= size {
        return false;
    }
    // Step 2.
    let mut f_n = index;
    let mut s_n = size - 1;
    // Step 3.
    let mut r = *leaf;
    // Step 4.
    for p in proof {
        // 4a.
        if s_n == 0 {
            return false;
        }
        // 4b.
        if lsb(f_n) || f_n == s_n {
            // 4b.i
            r = node_hash(p, &r);
            // 4b.ii
            if !lsb(f_n) {
                while !(lsb(f_n) || f_n == 0) {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            // Otherwise, i.
            r = node_hash(&r, p);
        }
        // 4c.
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 5.
    s_n == 0 && r == *root
}

/// Verifies that the tree of `m` leaves ("first") with root `old_root`
/// ("first_hash") is a prefix of the tree of `n` leaves ("second") with root
/// `new_root` ("second_hash"), given the consistency proof `proof`
/// ("consistency_path").
///
/// Edge cases, which the step-by-step algorithm of RFC 9162 §2.1.4.2 does not
/// cover because it requires `0 < first < second`:
///
/// * `m == 0`: false (the RFC defines no consistency proof from the empty
///   tree; §2.1.4.1 defines `PROOF(m, D_n)` for `0 < m < n`);
/// * `m > n`: false;
/// * `m == n`: true iff `proof` is empty and `old_root == new_root` (the proof
///   is `SUBPROOF(m, D_m, true) = {}`, §2.1.4.1, and the two tree heads must
///   then be the same tree).
///
/// For `0 < m < n`, the algorithm of §2.1.4.2 exactly:
///
/// 1. If `consistency_path` is empty, fail.
/// 2. If `first` is an exact power of 2, prepend `first_hash` to
///    `consistency_path`.
/// 3. Set `fn` to `first - 1` and `sn` to `second - 1`.
/// 4. If `LSB(fn)` is set, right-shift `fn` and `sn` equally until `LSB(fn)`
///    is not set.
/// 5. Set both `fr` and `sr` to the first value of `consistency_path`.
/// 6. For each subsequent value `c` in `consistency_path`:
///    a. if `sn` is 0, stop and fail;
///    b. if `LSB(fn)` is set or `fn == sn`: set `fr` to `HASH(0x01 || c || fr)`
///    and `sr` to `HASH(0x01 || c || sr)`, then, if `LSB(fn)` is not set,
///    right-shift `fn` and `sn` equally until `LSB(fn)` is set or `fn` is 0;
///    otherwise set `sr` to `HASH(0x01 || sr || c)`;
///    c. right-shift both `fn` and `sn` once.
/// 7. Succeed iff `fr == first_hash`, `sr == second_hash` and `sn == 0`.
#[allow(dead_code)]
pub fn verify_consistency(
    m: u64,
    n: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> bool {
    if m == 0 || m > n {
        return false;
    }
    if m == n {
        return proof.is_empty() && old_root == new_root;
    }
    // Now 0 < first < second, as §2.1.4.2 requires.
    // Step 1.
    if proof.is_empty() {
        return false;
    }
    // Step 2.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if m.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    // Step 3.
    let mut f_n = m - 1;
    let mut s_n = n - 1;
    // Step 4.
    while lsb(f_n) {
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 5.
    let mut fr = path[0];
    let mut sr = path[0];
    // Step 6.
    for c in &path[1..] {
        // 6a.
        if s_n == 0 {
            return false;
        }
        // 6b.
        if lsb(f_n) || f_n == s_n {
            // 6b.i
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            // 6b.ii
            if !lsb(f_n) {
                while !(lsb(f_n) || f_n == 0) {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            // Otherwise, i.
            sr = node_hash(&sr, c);
        }
        // 6c.
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 7.
    fr == *old_root && sr == *new_root && s_n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hx(s: &str) -> Vec<u8> {
        assert_eq!(s.len() & 1, 0, "odd hex length: {s}");
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("bad hex"))
            .collect()
    }

    fn h(s: &str) -> Hash {
        hx(s).try_into().expect("a hash is 32 bytes")
    }

    /// Distinct leaf hashes for the exhaustive tests.
    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect()
    }

    fn flip(x: &Hash, byte: usize, bit: u8) -> Hash {
        let mut y = *x;
        y[byte] ^= 1 << bit;
        y
    }

    // ---------------------------------------------------------------------
    // Known-answer vectors.
    //
    // Source: transparency-dev/merkle, `testonly/constants.go`
    // (`LeafInputs`, `NodeHashes`, `RootHashes`, `EmptyRootHash`), which are
    // the RFC 6962 test vectors also used by google/certificate-transparency
    // and Chromium's CT log verifier tests.
    // ---------------------------------------------------------------------

    const LEAF_INPUTS: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    /// `RootHashes()`: roots of the trees of the first 0..=8 `LEAF_INPUTS`.
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// `NodeHashes()`: hashes of all complete subtrees, by level then index.
    const NODE_HASHES: [&[&str]; 4] = [
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        &[
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        &[
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    fn vector_leaves() -> Vec<Hash> {
        LEAF_INPUTS.iter().map(|s| leaf_hash(&hx(s))).collect()
    }

    #[test]
    fn empty_tree_root_is_sha256_of_empty_string() {
        assert_eq!(root(&[]), h(ROOTS[0]));
        assert_eq!(empty_root(), h(ROOTS[0]));
    }

    #[test]
    fn known_leaf_hashes() {
        let l = vector_leaves();
        for (i, want) in NODE_HASHES[0].iter().enumerate() {
            assert_eq!(l[i], h(want), "leaf hash {i}");
        }
    }

    #[test]
    fn known_roots_sizes_0_to_8() {
        let l = vector_leaves();
        for (size, want) in ROOTS.iter().enumerate() {
            assert_eq!(root(&l[..size]), h(want), "root of size {size}");
        }
    }

    #[test]
    fn known_complete_subtree_hashes() {
        let l = vector_leaves();
        for (level, row) in NODE_HASHES.iter().enumerate() {
            let width = 1usize << level;
            for (i, want) in row.iter().enumerate() {
                let got = root(&l[i * width..(i + 1) * width]);
                assert_eq!(got, h(want), "node level {level} index {i}");
            }
        }
    }

    #[test]
    fn node_hash_is_domain_separated_from_leaf_hash() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let mut concat = Vec::new();
        concat.extend_from_slice(&a);
        concat.extend_from_slice(&b);
        assert_ne!(node_hash(&a, &b), leaf_hash(&concat));
        assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
    }

    // ---------------------------------------------------------------------
    // Known proofs with literal hashes.
    //
    // Source: transparency-dev/merkle, `proof/verify_test.go`
    // (`inclusionProofs`, `consistencyProofs`; the leaf numbers there are
    // 1-based, converted to 0-based indices here) and the corruption probes
    // of `corruptInclusionProof` / `corruptConsistencyProof` in the same file.
    // ---------------------------------------------------------------------

    /// (0-based index, tree size, proof).
    const KNOWN_INCLUSION: [(usize, usize, &[&str]); 5] = [
        (0, 1, &[]),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    /// (size1, size2, proof).
    const KNOWN_CONSISTENCY: [(usize, usize, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    /// `sha256SomeHash` in transparency-dev/merkle `proof/verify_test.go`.
    const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

    #[test]
    fn known_inclusion_proofs() {
        let l = vector_leaves();
        let some = h(SOME_HASH);
        let empty = h(ROOTS[0]);
        for (index, size, want) in KNOWN_INCLUSION {
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            let rt = h(ROOTS[size]);
            let (i, n) = (index as u64, size as u64);
            let leaf = l[index];

            assert_eq!(
                inclusion_proof(index, &l[..size]),
                want,
                "PATH({index}, D[{size}])"
            );
            assert!(verify_inclusion(i, n, &leaf, &want, &rt), "{index}/{size}");

            // Corruption probes (after corruptInclusionProof).
            let mut bad: Vec<(u64, u64, Hash, Vec<Hash>, Hash, String)> = vec![
                (
                    i.wrapping_sub(1),
                    n,
                    leaf,
                    want.clone(),
                    rt,
                    "index - 1".into(),
                ),
                (i + 1, n, leaf, want.clone(), rt, "index + 1".into()),
                (i ^ 2, n, leaf, want.clone(), rt, "index ^ 2".into()),
                (i, n * 2, leaf, want.clone(), rt, "size * 2".into()),
                (i, n / 2, leaf, want.clone(), rt, "size / 2".into()),
                (
                    i,
                    n,
                    leaf_hash(b"WrongLeaf"),
                    want.clone(),
                    rt,
                    "wrong leaf".into(),
                ),
                (i, n, leaf, want.clone(), empty, "empty root".into()),
                (i, n, leaf, want.clone(), some, "random root".into()),
                (
                    i,
                    n,
                    leaf,
                    [want.clone(), vec![rt]].concat(),
                    rt,
                    "trailing root".into(),
                ),
                (
                    i,
                    n,
                    leaf,
                    [vec![rt], want.clone()].concat(),
                    rt,
                    "preceding root".into(),
                ),
                (
                    i,
                    n,
                    leaf,
                    [want.clone(), vec![[0; 32]]].concat(),
                    rt,
                    "trailing zero".into(),
                ),
                (
                    i,
                    n,
                    leaf,
                    [vec![[0; 32]], want.clone()].concat(),
                    rt,
                    "preceding zero".into(),
                ),
            ];
            for j in 0..want.len() {
                let mut p = want.clone();
                p[j][0] ^= 8;
                bad.push((i, n, leaf, p, rt, format!("proof[{j}] bit 3")));
            }
            if !want.is_empty() {
                let p = want[..want.len() - 1].to_vec();
                bad.push((i, n, leaf, p, rt, "removed component".into()));
            }
            if want.len() > 1 {
                let p = [vec![want[0], some], want[1..].to_vec()].concat();
                bad.push((i, n, leaf, p, rt, "inserted component".into()));
            }
            for (bi, bn, bleaf, bp, broot, desc) in bad {
                assert!(
                    !verify_inclusion(bi, bn, &bleaf, &bp, &broot),
                    "{index}/{size}: accepted corrupted probe: {desc}"
                );
            }
        }
    }

    #[test]
    fn known_consistency_proofs() {
        let l = vector_leaves();
        for (size1, size2, want) in KNOWN_CONSISTENCY {
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            let (r1, r2) = (h(ROOTS[size1]), h(ROOTS[size2]));
            let (m, n) = (size1 as u64, size2 as u64);

            assert_eq!(
                consistency_proof(size1, &l[..size2]),
                want,
                "PROOF({size1}, D[{size2}])"
            );
            assert!(verify_consistency(m, n, &want, &r1, &r2), "{size1}/{size2}");
            if want.is_empty() {
                continue;
            }

            // Corruption probes (after corruptConsistencyProof).
            let wrong = leaf_hash(b"WrongRoot");
            let mut bad: Vec<(u64, u64, Hash, Hash, Vec<Hash>, String)> = vec![
                (m - 1, n, r1, r2, want.clone(), "size1 - 1".into()),
                (m + 1, n, r1, r2, want.clone(), "size1 + 1".into()),
                (m ^ 2, n, r1, r2, want.clone(), "size1 ^ 2".into()),
                (m, n * 2, r1, r2, want.clone(), "size2 * 2".into()),
                (m, n / 2, r1, r2, want.clone(), "size2 / 2".into()),
                (m, n, wrong, r2, want.clone(), "wrong root1".into()),
                (m, n, r1, wrong, want.clone(), "wrong root2".into()),
                (m, n, r2, r1, want.clone(), "swapped roots".into()),
                (m, n, r1, r2, vec![], "empty proof".into()),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [want.clone(), vec![[0; 32]]].concat(),
                    "trailing zero".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [want.clone(), vec![r1]].concat(),
                    "trailing root1".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [want.clone(), vec![r2]].concat(),
                    "trailing root2".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [vec![[0; 32]], want.clone()].concat(),
                    "preceding zero".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [vec![r1], want.clone()].concat(),
                    "preceding root1".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [vec![r2], want.clone()].concat(),
                    "preceding root2".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    [vec![want[0]], want.clone()].concat(),
                    "preceding proof[0]".into(),
                ),
                (
                    m,
                    n,
                    r1,
                    r2,
                    want[..want.len() - 1].to_vec(),
                    "truncated proof".into(),
                ),
            ];
            for j in 0..want.len() {
                let mut p = want.clone();
                p[j][0] ^= 16;
                bad.push((m, n, r1, r2, p, format!("proof[{j}] bit 4")));
            }
            for (bm, bn, br1, br2, bp, desc) in bad {
                assert!(
                    !verify_consistency(bm, bn, &bp, &br1, &br2),
                    "{size1}/{size2}: accepted corrupted probe: {desc}"
                );
            }
        }
    }

    // ---------------------------------------------------------------------
    // Structural vectors: which subtrees make up each proof.
    //
    // 1. RFC 9162 §2.1.5 ("Example"), the 7-leaf tree with leaves a..f, d6=j,
    //    g = MTH(D[0:2]), h = MTH(D[2:4]), i = MTH(D[4:6]), k = MTH(D[0:4]),
    //    l = MTH(D[4:7]).
    // 2. transparency-dev/merkle `proof/proof_test.go` (`TestInclusion`,
    //    `TestConsistency`), whose node ids `id(level, index)` denote
    //    MTH(D[index << level : (index + 1) << level]) and whose
    //    `rehash(begin, end, ...)` folds ids[begin..end] into the single
    //    (incomplete) subtree they cover.
    // ---------------------------------------------------------------------

    type Range = (usize, usize);

    fn hashes_of(l: &[Hash], ranges: &[Range]) -> Vec<Hash> {
        ranges.iter().map(|&(a, b)| root(&l[a..b])).collect()
    }

    /// Converts transparency-dev node ids (with an optional rehash span) to
    /// leaf ranges.
    fn ids(nodes: &[(u32, usize)], rehash: Option<(usize, usize)>) -> Vec<Range> {
        let ranges: Vec<Range> = nodes
            .iter()
            .map(|&(level, index)| (index << level, (index + 1) << level))
            .collect();
        match rehash {
            None => ranges,
            Some((b, e)) => {
                let lo = ranges[b..e].iter().map(|r| r.0).min().unwrap();
                let hi = ranges[b..e].iter().map(|r| r.1).max().unwrap();
                let covered: usize = ranges[b..e].iter().map(|r| r.1 - r.0).sum();
                assert_eq!(covered, hi - lo, "rehash span must be contiguous");
                let mut out = ranges[..b].to_vec();
                out.push((lo, hi));
                out.extend_from_slice(&ranges[e..]);
                out
            }
        }
    }

    #[test]
    fn rfc9162_section_2_1_5_example() {
        let l = leaves(7);
        let (a, b, c, d, e, f, j) = ((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7));
        let (g, hh, i, k, ll) = ((0, 2), (2, 4), (4, 6), (0, 4), (4, 7));
        let _ = (a, b, e);
        assert_eq!(root(&l), node_hash(&root(&l[0..4]), &root(&l[4..7])));

        // "The inclusion proof for d0 is [b, h, l]." etc.
        for (index, want) in [
            (0, vec![b, hh, ll]),
            (3, vec![c, g, ll]),
            (4, vec![f, j, k]),
            (6, vec![i, k]),
        ] {
            let p = inclusion_proof(index, &l);
            assert_eq!(p, hashes_of(&l, &want), "inclusion proof for d{index}");
            assert!(verify_inclusion(index as u64, 7, &l[index], &p, &root(&l)));
        }

        // "PROOF(3, D[7]) = [c, d, g, l]", "PROOF(4, D[7]) = [l]",
        // "PROOF(6, D[7]) = [i, j, k]".
        for (m, want) in [(3, vec![c, d, g, ll]), (4, vec![ll]), (6, vec![i, j, k])] {
            let p = consistency_proof(m, &l);
            assert_eq!(p, hashes_of(&l, &want), "PROOF({m}, D[7])");
            assert!(verify_consistency(
                m as u64,
                7,
                &p,
                &root(&l[..m]),
                &root(&l)
            ));
        }
    }

    #[test]
    fn transparency_dev_inclusion_structure() {
        type Case = (
            usize,
            usize,
            &'static [(u32, usize)],
            Option<(usize, usize)>,
        );
        let cases: [Case; 18] = [
            (1, 0, &[], None),
            (2, 0, &[(0, 1)], None),
            (2, 1, &[(0, 0)], None),
            (3, 1, &[(0, 0), (0, 2)], None),
            (7, 0, &[(0, 1), (1, 1), (0, 6), (1, 2)], Some((2, 4))),
            (7, 1, &[(0, 0), (1, 1), (0, 6), (1, 2)], Some((2, 4))),
            (7, 2, &[(0, 3), (1, 0), (0, 6), (1, 2)], Some((2, 4))),
            (7, 3, &[(0, 2), (1, 0), (0, 6), (1, 2)], Some((2, 4))),
            (7, 4, &[(0, 5), (0, 6), (2, 0)], None),
            (7, 5, &[(0, 4), (0, 6), (2, 0)], None),
            (7, 6, &[(1, 2), (2, 0)], None),
            (4, 2, &[(0, 3), (1, 0)], None),
            (5, 3, &[(0, 2), (1, 0), (0, 4)], None),
            (6, 3, &[(0, 2), (1, 0), (1, 2)], None),
            (6, 4, &[(0, 5), (2, 0)], None),
            (
                15,
                10,
                &[(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)],
                Some((2, 4)),
            ),
            (
                31,
                24,
                &[(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)],
                Some((2, 4)),
            ),
            (
                95,
                81,
                &[
                    (0, 80),
                    (1, 41),
                    (2, 21),
                    (0, 94),
                    (1, 46),
                    (2, 22),
                    (4, 4),
                    (6, 0),
                ],
                Some((3, 6)),
            ),
        ];
        let l = leaves(95);
        for (size, index, nodes, rehash) in cases {
            let want = hashes_of(&l, &ids(nodes, rehash));
            let got = inclusion_proof(index, &l[..size]);
            assert_eq!(got, want, "PATH({index}, D[{size}])");
            assert!(verify_inclusion(
                index as u64,
                size as u64,
                &l[index],
                &got,
                &root(&l[..size])
            ));
        }
    }

    #[test]
    fn transparency_dev_consistency_structure() {
        type Case = (
            usize,
            usize,
            &'static [(u32, usize)],
            Option<(usize, usize)>,
        );
        let cases: [Case; 25] = [
            (1, 2, &[(0, 1)], None),
            (1, 4, &[(0, 1), (1, 1)], None),
            (1, 6, &[(0, 1), (1, 1), (1, 2)], None),
            (2, 3, &[(0, 2)], None),
            (2, 8, &[(1, 1), (2, 1)], None),
            (
                3,
                7,
                &[(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)],
                Some((3, 5)),
            ),
            (4, 7, &[(0, 6), (1, 2)], Some((0, 2))),
            (5, 7, &[(0, 4), (0, 5), (0, 6), (2, 0)], None),
            (6, 7, &[(1, 2), (0, 6), (2, 0)], None),
            (7, 8, &[(0, 6), (0, 7), (1, 2), (2, 0)], None),
            (1, 1, &[], None),
            (2, 2, &[], None),
            (3, 3, &[], None),
            (4, 4, &[], None),
            (5, 5, &[], None),
            (7, 7, &[], None),
            (8, 8, &[], None),
            (2, 4, &[(1, 1)], None),
            (3, 5, &[(0, 2), (0, 3), (1, 0), (0, 4)], None),
            (3, 6, &[(0, 2), (0, 3), (1, 0), (1, 2)], None),
            (4, 6, &[(1, 2)], None),
            (1, 7, &[(0, 1), (1, 1), (0, 6), (1, 2)], Some((2, 4))),
            (
                10,
                15,
                &[(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)],
                Some((2, 4)),
            ),
            (
                24,
                31,
                &[(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)],
                Some((1, 4)),
            ),
            (
                81,
                95,
                &[
                    (0, 80),
                    (0, 81),
                    (1, 41),
                    (2, 21),
                    (0, 94),
                    (1, 46),
                    (2, 22),
                    (4, 4),
                    (6, 0),
                ],
                Some((4, 7)),
            ),
        ];
        let l = leaves(95);
        for (size1, size2, nodes, rehash) in cases {
            let want = hashes_of(&l, &ids(nodes, rehash));
            let got = consistency_proof(size1, &l[..size2]);
            assert_eq!(got, want, "PROOF({size1}, D[{size2}])");
            assert!(verify_consistency(
                size1 as u64,
                size2 as u64,
                &got,
                &root(&l[..size1]),
                &root(&l[..size2])
            ));
        }
    }

    // ---------------------------------------------------------------------
    // Edge cases the RFC defines.
    // ---------------------------------------------------------------------

    #[test]
    fn inclusion_edge_cases() {
        let l = leaves(4);
        let r = root(&l);
        let p = inclusion_proof(1, &l);
        // §2.1.3.2 step 1: leaf_index >= tree_size fails.
        assert!(!verify_inclusion(4, 4, &l[1], &p, &r));
        assert!(!verify_inclusion(5, 4, &l[1], &p, &r));
        assert!(!verify_inclusion(0, 0, &l[0], &[], &empty_root()));
        assert!(!verify_inclusion(0, 0, &empty_root(), &[], &empty_root()));
        assert!(!verify_inclusion(u64::MAX, u64::MAX, &l[0], &p, &r));
        // Single-leaf tree: the proof is empty and the root is the leaf hash.
        let one = &l[..1];
        assert!(inclusion_proof(0, one).is_empty());
        assert!(verify_inclusion(0, 1, &l[0], &[], &l[0]));
        assert!(!verify_inclusion(0, 1, &l[0], &[], &l[1]));
        assert!(!verify_inclusion(0, 1, &l[0], &[l[1]], &l[0])); // too long: 4a
        // Too short: fails at step 5 (sn != 0).
        assert!(!verify_inclusion(
            1,
            4,
            &l[1],
            &p[..1],
            &node_hash(&l[0], &l[1])
        ));
        // Too long: fails at step 4a.
        let long = [p.clone(), vec![r]].concat();
        assert!(!verify_inclusion(1, 4, &l[1], &long, &node_hash(&r, &r)));
        // Large indices do not overflow.
        assert!(!verify_inclusion(u64::MAX - 1, u64::MAX, &l[0], &p, &r));
    }

    #[test]
    #[should_panic(expected = "PATH(m, D_n) is defined only for 0 <= m < n")]
    fn inclusion_proof_out_of_range_panics() {
        let _ = inclusion_proof(3, &leaves(3));
    }

    #[test]
    #[should_panic(expected = "PROOF(m, D_n) is defined only for 0 < m <= n")]
    fn consistency_proof_from_empty_tree_panics() {
        let _ = consistency_proof(0, &leaves(3));
    }

    #[test]
    #[should_panic(expected = "PROOF(m, D_n) is defined only for 0 < m <= n")]
    fn consistency_proof_m_greater_than_n_panics() {
        let _ = consistency_proof(4, &leaves(3));
    }

    #[test]
    fn consistency_edge_cases() {
        let l = leaves(8);
        let e = empty_root();
        let (r1, r2, r8) = (root(&l[..1]), root(&l[..2]), root(&l));
        // m == 0: false, whatever the proof and roots.
        assert!(!verify_consistency(0, 0, &[], &e, &e));
        assert!(!verify_consistency(0, 8, &[], &e, &r8));
        assert!(!verify_consistency(0, 8, &[r8], &e, &r8));
        // m > n: false.
        assert!(!verify_consistency(2, 1, &[], &r2, &r1));
        assert!(!verify_consistency(2, 1, &[l[1]], &r2, &r1));
        // m == n: true iff the proof is empty and the roots are equal.
        assert!(consistency_proof(8, &l).is_empty());
        assert!(verify_consistency(8, 8, &[], &r8, &r8));
        assert!(verify_consistency(1, 1, &[], &r1, &r1));
        assert!(!verify_consistency(8, 8, &[], &r8, &r2));
        assert!(!verify_consistency(8, 8, &[r8], &r8, &r8));
        assert!(!verify_consistency(1, 1, &[e], &e, &e));
        // 0 < m < n with an empty proof: step 1 fails it, even when m is a
        // power of two and the "proof" would otherwise be just first_hash.
        assert!(!verify_consistency(1, 2, &[], &r1, &r2));
        assert!(!verify_consistency(4, 8, &[], &root(&l[..4]), &r8));
        // m a power of two: first_hash is prepended (step 2), so the proof
        // must not contain it again.
        let p = consistency_proof(4, &l);
        assert_eq!(p, vec![root(&l[4..])]);
        let r4 = root(&l[..4]);
        assert!(verify_consistency(4, 8, &p, &r4, &r8));
        assert!(!verify_consistency(4, 8, &[r4, p[0]], &r4, &r8));
        // Large sizes do not overflow.
        assert!(!verify_consistency(u64::MAX - 1, u64::MAX, &p, &r4, &r8));
        // Like inclusion proofs, consistency proofs bind the sizes only
        // through the roots: (2^63, 2^64 - 1) has the same shape as (4, 8)
        // (old tree = left child of the new root, one right sibling), so the
        // 4/8 proof and roots pass for it. Always check against the roots
        // published for the claimed sizes.
        assert!(verify_consistency(1 << 63, u64::MAX, &p, &r4, &r8));
    }

    // ---------------------------------------------------------------------
    // Exhaustive round trips for every tree of 1..=64 leaves.
    // ---------------------------------------------------------------------

    const MAX: usize = 64;

    /// Trees up to this size get the full sweep of wrong indices and sizes;
    /// larger ones a representative set (keeps debug-build test time low:
    /// unoptimised SHA-256 is slow).
    const FULL: usize = 16;

    /// Wrong values to try in place of the correct `x` (an index or a size)
    /// in a tree of `n` leaves, at most `hi`: everything up to `2n + 2` for
    /// small trees, otherwise neighbours, a bit flip, halving and doubling.
    fn wrong_values(x: usize, n: usize, hi: usize) -> Vec<usize> {
        let mut v: Vec<usize> = if n <= FULL {
            (0..=hi.min(2 * n + 2)).collect()
        } else {
            [
                0,
                x.saturating_sub(1),
                x + 1,
                x ^ 2,
                x / 2,
                2 * x,
                n,
                n + 1,
                2 * n.next_power_of_two(),
            ]
            .into_iter()
            .filter(|&w| w <= hi)
            .collect()
        };
        v.sort_unstable();
        v.dedup();
        v.retain(|&w| w != x);
        v
    }

    /// Bit positions to flip in proof element `j`.
    fn flips(j: usize, n: usize) -> Vec<(usize, u8)> {
        if n <= FULL {
            vec![(0, 0), (13, 5), (31, 7)]
        } else {
            vec![(j % 32, (j % 8) as u8)]
        }
    }

    /// For each sibling in PATH(m, D_n), bottom-up, whether it is on the left,
    /// derived from the recursive definition of §2.1.3.1 alone (independently
    /// of the `fn`/`sn` arithmetic of §2.1.3.2).
    fn path_shape(m: usize, n: usize) -> Vec<bool> {
        if n == 1 {
            return Vec::new();
        }
        let k = split_point(n);
        if m < k {
            let mut s = path_shape(m, k);
            s.push(false);
            s
        } else {
            let mut s = path_shape(m - k, n - k);
            s.push(true);
            s
        }
    }

    #[test]
    fn exhaustive_inclusion() {
        let l = leaves(2 * MAX + 2);
        let roots: Vec<Hash> = (0..=2 * MAX + 2).map(|n| root(&l[..n])).collect();
        for n in 1..=MAX {
            let rt = roots[n];
            for i in 0..n {
                let p = inclusion_proof(i, &l[..n]);
                let (iu, nu) = (i as u64, n as u64);
                assert_eq!(p.len(), path_shape(i, n).len());
                assert!(verify_inclusion(iu, nu, &l[i], &p, &rt), "{i}/{n}");

                // A flipped bit in each proof element, the leaf or the root.
                for j in 0..p.len() {
                    for (byte, bit) in flips(j, n) {
                        let mut q = p.clone();
                        q[j] = flip(&q[j], byte, bit);
                        assert!(!verify_inclusion(iu, nu, &l[i], &q, &rt), "{i}/{n} p[{j}]");
                    }
                }
                assert!(!verify_inclusion(iu, nu, &flip(&l[i], 0, 0), &p, &rt));
                assert!(!verify_inclusion(iu, nu, &l[i], &p, &flip(&rt, 31, 7)));

                // Too short, too long, reordered.
                if !p.is_empty() {
                    assert!(!verify_inclusion(iu, nu, &l[i], &p[..p.len() - 1], &rt));
                    assert!(!verify_inclusion(iu, nu, &l[i], &p[1..], &rt));
                }
                assert!(!verify_inclusion(
                    iu,
                    nu,
                    &l[i],
                    &[p.clone(), vec![rt]].concat(),
                    &rt
                ));
                assert!(!verify_inclusion(
                    iu,
                    nu,
                    &l[i],
                    &[vec![l[i]], p.clone()].concat(),
                    &rt
                ));
                if p.len() > 1 {
                    let mut q = p.clone();
                    q.swap(0, 1);
                    assert!(!verify_inclusion(iu, nu, &l[i], &q, &rt));
                }

                // Wrong index (same tree, same root): always rejected, since
                // within one tree the path shape identifies the leaf.
                for wi in wrong_values(i, n, n + 1) {
                    assert!(
                        !verify_inclusion(wi as u64, nu, &l[i], &p, &rt),
                        "{i}/{n} accepted as index {wi}"
                    );
                }
                // A different leaf at the right index is rejected.
                assert!(!verify_inclusion(iu, nu, &l[(i + 1) % n + n], &p, &rt));

                // Wrong size, checked against the root of that size, as a
                // client checking against a signed tree head would: rejected.
                for ws in wrong_values(n, n, 2 * MAX + 2) {
                    assert!(
                        !verify_inclusion(iu, ws as u64, &l[i], &p, &roots[ws]),
                        "{i}/{n} accepted for size {ws} against that size's root"
                    );
                }
            }
        }
    }

    /// With the *same* root, §2.1.3.2 accepts a wrong size exactly when the
    /// wrong size gives the same path shape (PATH of §2.1.3.1), e.g. index 0
    /// in sizes 3 and 4. This documents that an inclusion proof binds the
    /// tree size only through the root hash, and checks the `fn`/`sn`
    /// arithmetic against the recursive definition.
    #[test]
    fn inclusion_proof_binds_size_only_through_root() {
        let l = leaves(4);
        let p = inclusion_proof(0, &l);
        assert!(verify_inclusion(0, 4, &l[0], &p, &root(&l)));
        assert!(verify_inclusion(0, 3, &l[0], &p, &root(&l)));
        assert!(!verify_inclusion(0, 3, &l[0], &p, &root(&l[..3])));

        const N: usize = 32;
        let l = leaves(N);
        for n in 1..=N {
            let rt = root(&l[..n]);
            for i in 0..n {
                let p = inclusion_proof(i, &l[..n]);
                let shape = path_shape(i, n);
                for ws in 1..=2 * N + 2 {
                    let expect = ws > i && path_shape(i, ws) == shape;
                    assert_eq!(
                        verify_inclusion(i as u64, ws as u64, &l[i], &p, &rt),
                        expect,
                        "proof for {i}/{n} checked as {i}/{ws} against the same root"
                    );
                }
            }
        }
    }

    #[test]
    fn exhaustive_consistency() {
        let l = leaves(2 * MAX + 1);
        let roots: Vec<Hash> = (0..=2 * MAX + 1).map(|n| root(&l[..n])).collect();
        let junk = leaf_hash(b"junk");
        for n in 1..=MAX {
            for m in 1..=n {
                let p = consistency_proof(m, &l[..n]);
                let (mu, nu) = (m as u64, n as u64);
                let (r1, r2) = (roots[m], roots[n]);
                assert!(verify_consistency(mu, nu, &p, &r1, &r2), "{m}/{n}");
                // §2.1.4.1: at most ceil(log2(n)) + 1 nodes.
                let ceil_log2 = (usize::BITS - (n - 1).leading_zeros()) as usize;
                assert!(p.len() <= ceil_log2 + 1, "{m}/{n}: proof too long");
                assert_eq!(p.is_empty(), m == n, "{m}/{n}");

                // A flipped bit in each proof element or either root.
                for j in 0..p.len() {
                    for (byte, bit) in flips(j, n) {
                        let mut q = p.clone();
                        q[j] = flip(&q[j], byte, bit);
                        assert!(!verify_consistency(mu, nu, &q, &r1, &r2), "{m}/{n} p[{j}]");
                    }
                }
                assert!(!verify_consistency(mu, nu, &p, &flip(&r1, 0, 0), &r2));
                assert!(!verify_consistency(mu, nu, &p, &r1, &flip(&r2, 31, 7)));
                if r1 != r2 {
                    assert!(!verify_consistency(mu, nu, &p, &r2, &r1));
                }

                // Too short, too long, reordered.
                if !p.is_empty() {
                    assert!(!verify_consistency(mu, nu, &p[..p.len() - 1], &r1, &r2));
                    assert!(!verify_consistency(mu, nu, &p[1..], &r1, &r2));
                }
                let extras = if n <= FULL {
                    vec![junk, r1, r2]
                } else {
                    vec![r1]
                };
                for extra in extras {
                    let longer = [p.clone(), vec![extra]].concat();
                    assert!(!verify_consistency(mu, nu, &longer, &r1, &r2), "{m}/{n}");
                    let longer = [vec![extra], p.clone()].concat();
                    assert!(!verify_consistency(mu, nu, &longer, &r1, &r2), "{m}/{n}");
                }
                if p.len() > 1 {
                    let mut q = p.clone();
                    q.swap(0, 1);
                    assert!(!verify_consistency(mu, nu, &q, &r1, &r2));
                }

                // Wrong old size or new size, each checked against the root of
                // the size claimed: rejected.
                for wm in wrong_values(m, n, n + 1) {
                    assert!(
                        !verify_consistency(wm as u64, nu, &p, &roots[wm], &r2),
                        "{m}/{n} accepted as {wm}/{n}"
                    );
                }
                for wn in wrong_values(n, n, 2 * MAX + 1) {
                    assert!(
                        !verify_consistency(mu, wn as u64, &p, &r1, &roots[wn]),
                        "{m}/{n} accepted as {m}/{wn}"
                    );
                }
                // A tree that is not an extension of the first one (a fork
                // that rewrote leaf m - 1): neither the honest proof nor one
                // computed from the fork verifies against the old root.
                if m < n && (n <= 2 * FULL || m % 4 == 1) {
                    let mut forked = l[..n].to_vec();
                    forked[m - 1] = junk;
                    assert!(!verify_consistency(mu, nu, &p, &r1, &root(&forked)));
                    let fp = consistency_proof(m, &forked);
                    assert!(!verify_consistency(mu, nu, &fp, &r1, &root(&forked)));
                }
            }
        }
    }

    /// Cross-check: the §2.1.2 stack algorithm ("Verifying a Tree Head Given
    /// Entries") computes the same root as the recursive MTH of §2.1.1.
    #[test]
    fn section_2_1_2_stack_algorithm_matches_mth() {
        let l = leaves(MAX + 36);
        for n in 1..=l.len() {
            let mut stack: Vec<Hash> = Vec::new();
            for (i, leaf) in l[..n].iter().enumerate() {
                stack.push(*leaf);
                let merge_count = (i as u64).trailing_ones();
                for _ in 0..merge_count {
                    let right = stack.pop().unwrap();
                    let left = stack.pop().unwrap();
                    stack.push(node_hash(&left, &right));
                }
            }
            while stack.len() > 1 {
                let right = stack.pop().unwrap();
                let left = stack.pop().unwrap();
                stack.push(node_hash(&left, &right));
            }
            assert_eq!(stack[0], root(&l[..n]), "size {n}");
        }
    }
}
