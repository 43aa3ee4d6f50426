//! The leaf decoder: leaf data that decodes encodes back to the same bytes, through the
//! encoder the log writes leaves with, and its leaf hash is the hash of those bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luovutusloki::transparency::leaf::{DecodedLeaf, DisclosureLeaves};
use luovutusloki::transparency::merkle::leaf_hash;

fuzz_target!(|data: &[u8]| {
    let Ok(leaf) = DecodedLeaf::decode(data) else {
        return;
    };
    assert_eq!(leaf.leaf_data(), data);
    let leaves = DisclosureLeaves::new(&leaf.disclosure());
    assert_eq!(
        leaves.leaf_hash(leaf.subject_hash, leaf.sealed_subject),
        leaf_hash(data)
    );
});
