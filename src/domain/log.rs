//! The log's nouns: a disclosure on its way in and what became of it, the tree head and its
//! signed checkpoints, entries read back as leaves, and purges of personal content.

use super::business_id::BusinessId;
use super::classification::Classification;
use super::disclosure::{DisclosureDetails, Receipt};
use super::subject::SealedSubject;
use super::timestamp::Timestamp;

/// A SHA-256 tree hash (RFC 9162); the same as `transparency::merkle::Hash`.
pub type TreeHash = [u8; 32];

/// A validated disclosure with its subjects sealed, ready to be written.
#[derive(Debug, Clone)]
pub struct PendingDisclosure {
    pub details: DisclosureDetails,
    /// Against its register's catalogue; not part of the request, so not of its digest.
    pub classification: Classification,
    pub subjects: Vec<SealedSubject>,
    /// Keyed digests of the request under every key (see `Keyring::request_digests`).
    pub digests: Vec<(u16, [u8; 32])>,
    /// The key the subjects were sealed with and whose digest is stored.
    pub active_key: u16,
}

impl PendingDisclosure {
    /// The request's digest under key `key_id`, if it was made under that key.
    pub fn digest_under(&self, key_id: u16) -> Option<&[u8; 32]> {
        self.digests
            .iter()
            .find(|(id, _)| *id == key_id)
            .map(|(_, d)| d)
    }

    /// The digest stored with the disclosure: the one under the active key.
    pub fn stored_digest(&self) -> &[u8; 32] {
        self.digest_under(self.active_key)
            .expect("a digest for the active key")
    }

    /// What makes it unique: (controller, transfer id).
    pub fn key(&self) -> (&str, &str) {
        (
            self.details.controller.as_str(),
            self.details.transfer_id.as_str(),
        )
    }
}

/// What happened to one item of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Newly recorded.
    Recorded(Receipt),
    /// The same request had been recorded before: the original receipt.
    Replayed(Receipt),
    /// The transfer id was used before for a different disclosure.
    Conflict,
}

/// The integrated tree as committed: how many leaves, and its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: TreeHash,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: TreeHash,
    /// Microseconds since the Unix epoch.
    pub signed_at: i64,
    /// The signed note (C2SP tlog-checkpoint).
    pub note: String,
}

/// An entry read back as a leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafRecord {
    /// The entry id: its index in the tree.
    pub index: i64,
    pub disclosure_id: i64,
    /// The controller of its disclosure, when the disclosure is there.
    pub controller: Option<std::sync::Arc<str>>,
    /// What the row keeps of its leaf hash; `None` if the entry is not integrated yet.
    pub stored: Option<StoredLeaf>,
    pub content: LeafContent,
}

impl LeafRecord {
    /// The entry's leaf hash: the one stored in full, else the one its row gives, unless
    /// that disagrees with the stored fingerprint ([`LeafRecord::disagrees`]).
    pub fn hash(&self) -> Option<TreeHash> {
        match (&self.stored, &self.content) {
            (Some(StoredLeaf::Hash(hash)), _) => Some(*hash),
            _ if self.disagrees() => None,
            (_, LeafContent::Present { hash, .. }) => Some(*hash),
            _ => None,
        }
    }

    /// Whether the row gives a leaf hash that is not the one it keeps a fingerprint of:
    /// the row was changed.
    pub fn disagrees(&self) -> bool {
        match (&self.stored, &self.content) {
            (Some(stored @ StoredLeaf::Fingerprint(_)), LeafContent::Present { hash, .. }) => {
                !stored.matches(hash)
            }
            _ => false,
        }
    }
}

/// Length of a [`StoredLeaf::Fingerprint`].
pub const LEAF_FINGERPRINT_LEN: usize = 8;

/// What an entry's row keeps of its leaf hash. A row with its personal content keeps the
/// hash's first [`LEAF_FINGERPRINT_LEN`] bytes: the whole hash is computed again from the
/// row when needed, and the fingerprint is only there to tell which entry was changed when
/// one was (the tree and its signed checkpoints are what show that something was). A purge
/// stores the whole hash as it empties the row, since nothing is left to compute it from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoredLeaf {
    /// The whole leaf hash: purged entries, and those recorded before fingerprints.
    Hash(TreeHash),
    /// The first bytes of the leaf hash.
    Fingerprint([u8; LEAF_FINGERPRINT_LEN]),
}

impl StoredLeaf {
    /// What a row with its content keeps of `hash`.
    pub fn fingerprint_of(hash: &TreeHash) -> Self {
        let mut fingerprint = [0; LEAF_FINGERPRINT_LEN];
        fingerprint.copy_from_slice(&hash[..LEAF_FINGERPRINT_LEN]);
        Self::Fingerprint(fingerprint)
    }

    /// Reads a stored column: 32 bytes are a whole hash, 8 a fingerprint.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if let Ok(hash) = TreeHash::try_from(bytes) {
            Some(Self::Hash(hash))
        } else {
            <[u8; LEAF_FINGERPRINT_LEN]>::try_from(bytes)
                .ok()
                .map(Self::Fingerprint)
        }
    }

    /// The stored bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Hash(hash) => hash,
            Self::Fingerprint(fingerprint) => fingerprint,
        }
    }

    /// Whether `hash` is the leaf hash this was kept of.
    pub fn matches(&self, hash: &TreeHash) -> bool {
        hash.starts_with(self.as_bytes())
    }
}

/// What an entry's row holds of what its leaf covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafContent {
    /// Everything: the leaf hash computed from the row, and the leaf data when asked for.
    Present {
        hash: TreeHash,
        data: Option<Vec<u8>>,
    },
    /// Its personal content was purged; only the stored leaf hash is left.
    Purged,
    /// Only one of the subject hash and the sealed copy is there.
    HalfPurged,
    /// Its disclosure is missing, or does not count this entry among its own.
    NoDisclosure,
}

/// Which entries a purge empties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRequest {
    /// Entries of disclosures that occurred before this.
    pub occurred_before: Timestamp,
    /// Only this controller's, or every controller's.
    pub controller: Option<BusinessId>,
    /// Who decided it, for the purge record.
    pub requested_by: String,
    /// When.
    pub at: Timestamp,
}

/// What a purge, or a step of one, emptied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub entries: u64,
    /// The first and last entry emptied.
    pub range: Option<(i64, i64)>,
}

impl PurgeReport {
    /// Both steps' together.
    pub fn and(self, other: PurgeReport) -> PurgeReport {
        PurgeReport {
            entries: self.entries + other.entries,
            range: match (self.range, other.range) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (a, b) => a.or(b),
            },
        }
    }
}

/// A recorded purge; times in microseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRecord {
    pub purged_at: i64,
    pub occurred_before: i64,
    pub entries: i64,
    pub first_entry_id: Option<i64>,
    pub last_entry_id: Option<i64>,
    pub requested_by: String,
}

impl PurgeRecord {
    /// Whether the purge emptied entry `index` (or at least covered its id range).
    pub fn covers(&self, index: i64) -> bool {
        matches!((self.first_entry_id, self.last_entry_id), (Some(first), Some(last)) if (first..=last).contains(&index))
    }
}

/// The controllers whose disclosures a log keeps. Unbound (the default), one log takes any
/// controller's; bound, it takes only these, so that each controller's log can have its own
/// tree, origin and database and grow on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogControllers {
    /// Sorted and without repeats; empty: any controller.
    bound: Vec<BusinessId>,
}

impl LogControllers {
    /// A log of any controller's disclosures.
    pub fn any() -> Self {
        Self::default()
    }

    /// A log of these controllers' disclosures only; none given: any controller's.
    pub fn only(controllers: impl IntoIterator<Item = BusinessId>) -> Self {
        let mut bound: Vec<BusinessId> = controllers.into_iter().collect();
        bound.sort();
        bound.dedup();
        Self { bound }
    }

    /// Whether the log is bound to some controllers.
    pub fn is_bound(&self) -> bool {
        !self.bound.is_empty()
    }

    /// Whether the log keeps `controller`'s disclosures.
    pub fn keeps(&self, controller: &BusinessId) -> bool {
        self.bound.is_empty() || self.bound.binary_search(controller).is_ok()
    }

    /// The controllers it is bound to, in order; empty when unbound.
    pub fn bound(&self) -> &[BusinessId] {
        &self.bound
    }
}

impl std::fmt::Display for LogControllers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.bound.is_empty() {
            return f.write_str("any controller");
        }
        let ids: Vec<&str> = self.bound.iter().map(BusinessId::as_str).collect();
        f.write_str(&ids.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> BusinessId {
        BusinessId::parse(text).unwrap()
    }

    #[test]
    fn an_unbound_log_keeps_any_controller() {
        assert!(LogControllers::any().keeps(&id("0179377-8")));
        assert!(!LogControllers::any().is_bound());
    }

    #[test]
    fn a_bound_log_keeps_its_controllers_only() {
        let log = LogControllers::only([id("2296962-1"), id("0179377-8"), id("2296962-1")]);
        assert!(log.keeps(&id("0179377-8")));
        assert!(log.keeps(&id("2296962-1")));
        assert!(!log.keeps(&id("1234567-1")));
        assert_eq!(log.to_string(), "0179377-8, 2296962-1");
    }

    #[test]
    fn a_fingerprint_matches_its_own_hash_only() {
        let hash: TreeHash = std::array::from_fn(|i| i as u8);
        let kept = StoredLeaf::fingerprint_of(&hash);
        assert_eq!(kept.as_bytes(), &hash[..LEAF_FINGERPRINT_LEN]);
        assert!(kept.matches(&hash));
        let mut other = hash;
        other[3] ^= 1;
        assert!(!kept.matches(&other));
        other = hash;
        other[31] ^= 1;
        assert!(kept.matches(&other), "only the first bytes are kept");
        assert!(!StoredLeaf::Hash(hash).matches(&other));
    }

    #[test]
    fn a_stored_leaf_is_read_back_by_its_length() {
        let hash: TreeHash = [7; 32];
        assert_eq!(StoredLeaf::from_bytes(&hash), Some(StoredLeaf::Hash(hash)));
        assert_eq!(
            StoredLeaf::from_bytes(&hash[..8]),
            Some(StoredLeaf::Fingerprint([7; 8]))
        );
        assert_eq!(StoredLeaf::from_bytes(&hash[..16]), None);
        assert_eq!(StoredLeaf::from_bytes(&[]), None);
    }

    #[test]
    fn a_leaf_s_hash_is_the_whole_stored_one_else_the_one_its_row_gives() {
        let record = |stored, content| LeafRecord {
            index: 0,
            disclosure_id: 0,
            controller: None,
            stored,
            content,
        };
        let present = |hash| LeafContent::Present { hash, data: None };
        let (a, b) = ([1; 32], [2; 32]);
        assert_eq!(
            record(Some(StoredLeaf::Hash(a)), present(b)).hash(),
            Some(a)
        );
        assert_eq!(
            record(Some(StoredLeaf::fingerprint_of(&b)), present(b)).hash(),
            Some(b)
        );
        assert_eq!(record(None, present(b)).hash(), Some(b));
        assert_eq!(
            record(Some(StoredLeaf::Hash(a)), LeafContent::Purged).hash(),
            Some(a)
        );
        assert_eq!(
            record(Some(StoredLeaf::fingerprint_of(&a)), LeafContent::Purged).hash(),
            None
        );
    }
}
