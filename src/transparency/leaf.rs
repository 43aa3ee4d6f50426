//! The canonical leaf encoding, version 1 (docs/tamper-evidence.md): the bytes a subject
//! entry's leaf hash is taken over. It covers every field of the entry and of its
//! disclosure as stored, the identity code by its keyed hash and sealed copy, and nothing
//! that storage assigns (row ids): the entry's place in the log is its place in the tree.

use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The version byte every leaf starts with.
pub const LEAF_VERSION: u8 = 1;

/// Separates provisions in their stored text (ASCII RS); storage writes them with it.
pub const RECORD: char = '\u{1e}';
/// Separates a provision's canonical form from its title (ASCII US).
pub const UNIT: char = '\u{1f}';

/// A disclosure's fields as stored: codes, microseconds since the Unix epoch and texts.
#[derive(Debug, Clone, Copy)]
pub struct LeafDisclosure<'a> {
    pub controller: &'a str,
    pub transfer_id: &'a str,
    pub register: &'a str,
    pub occurred_at: i64,
    pub recorded_at: i64,
    pub recipient_id_type: i16,
    pub recipient_identifier: &'a str,
    pub recipient_name: &'a str,
    pub recipient_kind: i16,
    pub recipient_country: &'a str,
    pub legal_basis: i16,
    pub special_condition: Option<i16>,
    /// `canonical<US>title` joined by `<RS>`, as `disclosures.provisions` keeps them.
    pub provisions: &'a str,
    pub data_categories: i64,
    pub purpose: &'a str,
    pub channel: i16,
    pub source_system: &'a str,
    pub consent_ref: Option<&'a str>,
    pub requester_ref: Option<&'a str>,
    pub withheld_until: Option<i64>,
    pub withheld_reason: Option<&'a str>,
    pub classification: i16,
    pub subject_count: i32,
}

/// Builds the leaves of one disclosure's entries: the disclosure's part of the encoding is
/// written and hashed once, then each entry adds its subject.
#[derive(Clone)]
pub struct DisclosureLeaves {
    prefix: Vec<u8>,
    /// SHA-256 having taken `0x00 || prefix`.
    hashed_prefix: Sha256,
}

impl DisclosureLeaves {
    pub fn new(d: &LeafDisclosure<'_>) -> Self {
        let mut out = Encoder(Vec::with_capacity(256));
        out.0.push(LEAF_VERSION);
        out.text(d.controller);
        out.text(d.transfer_id);
        out.text(d.register);
        out.i64(d.occurred_at);
        out.i64(d.recorded_at);
        out.code(d.recipient_id_type);
        out.text(d.recipient_identifier);
        out.text(d.recipient_name);
        out.code(d.recipient_kind);
        out.text(d.recipient_country);
        out.code(d.legal_basis);
        out.option(d.special_condition, Encoder::code);
        let provisions: Vec<&str> = if d.provisions.is_empty() {
            Vec::new()
        } else {
            d.provisions.split(RECORD).collect()
        };
        out.u32(provisions.len() as u32);
        for provision in provisions {
            let (canonical, title) = provision.split_once(UNIT).unwrap_or((provision, ""));
            out.text(canonical);
            out.option((!title.is_empty()).then_some(title), Encoder::text);
        }
        out.0
            .extend_from_slice(&(d.data_categories as u64).to_be_bytes());
        out.text(d.purpose);
        out.code(d.channel);
        out.text(d.source_system);
        out.option(d.consent_ref, Encoder::text);
        out.option(d.requester_ref, Encoder::text);
        out.option(d.withheld_until, Encoder::i64);
        out.option(d.withheld_reason, Encoder::text);
        out.code(d.classification);
        out.u32(d.subject_count as u32);
        let mut hashed_prefix = Sha256::new();
        hashed_prefix.update([0x00]);
        hashed_prefix.update(&out.0);
        Self {
            prefix: out.0,
            hashed_prefix,
        }
    }

    /// The leaf hash of the entry of `subject_hash` and `sealed_subject`.
    pub fn leaf_hash(&self, subject_hash: &[u8], sealed_subject: &[u8]) -> Hash {
        // The encoding of `Encoder::bytes`, fed straight to the hash: no buffer per entry.
        let mut hasher = self.hashed_prefix.clone();
        for part in [subject_hash, sealed_subject] {
            hasher.update((part.len() as u32).to_be_bytes());
            hasher.update(part);
        }
        hasher.finalize().into()
    }

    /// The whole leaf data of that entry, whose [`super::merkle::leaf_hash`] is
    /// [`DisclosureLeaves::leaf_hash`].
    pub fn leaf_data(&self, subject_hash: &[u8], sealed_subject: &[u8]) -> Vec<u8> {
        let mut out = Encoder(self.prefix.clone());
        out.bytes(subject_hash);
        out.bytes(sealed_subject);
        out.0
    }
}

/// Writes the encoding's primitive types: big-endian integers, length-prefixed UTF-8 and
/// bytes, and a presence byte before optional values.
struct Encoder(Vec<u8>);

impl Encoder {
    fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_be_bytes());
    }

    fn i64(&mut self, value: i64) {
        self.0.extend_from_slice(&value.to_be_bytes());
    }

    /// A stored code: never negative, at most 65,535.
    fn code(&mut self, value: i16) {
        self.0.extend_from_slice(&(value as u16).to_be_bytes());
    }

    fn bytes(&mut self, value: &[u8]) {
        self.u32(value.len() as u32);
        self.0.extend_from_slice(value);
    }

    fn text(&mut self, value: &str) {
        self.bytes(value.as_bytes());
    }

    fn option<T>(&mut self, value: Option<T>, encode: impl FnOnce(&mut Self, T)) {
        match value {
            None => self.0.push(0),
            Some(value) => {
                self.0.push(1);
                encode(self, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transparency::merkle::leaf_hash;

    fn disclosure() -> LeafDisclosure<'static> {
        LeafDisclosure {
            controller: "1234567-1",
            transfer_id: "t-1",
            register: "etuusrekisteri",
            occurred_at: 1_700_000_000_000_000,
            recorded_at: 1_700_000_000_500_000,
            recipient_id_type: 1,
            recipient_identifier: "9990008-3",
            recipient_name: "Verohallinto",
            recipient_kind: 1,
            recipient_country: "FI",
            legal_basis: 3,
            special_condition: None,
            provisions: "1290/2002 13:1.2\u{1f}Työttömyysturvalaki\u{1e}53/2018 6\u{1f}",
            data_categories: 0b110,
            purpose: "verotus",
            channel: 1,
            source_system: "maksatus",
            consent_ref: None,
            requester_ref: Some("VH-1"),
            withheld_until: None,
            withheld_reason: None,
            classification: 1,
            subject_count: 2,
        }
    }

    #[test]
    fn the_leaf_hash_is_the_hash_of_the_leaf_data() {
        let leaves = DisclosureLeaves::new(&disclosure());
        let data = leaves.leaf_data(&[7; 32], b"sealed");
        assert_eq!(leaves.leaf_hash(&[7; 32], b"sealed"), leaf_hash(&data));
    }

    #[test]
    fn the_encoding_is_pinned() {
        // Computed independently (Python struct.pack) from docs/tamper-evidence.md.
        let d = LeafDisclosure {
            provisions: "53/2018 6\u{1f}",
            purpose: "p",
            ..disclosure()
        };
        let leaves = DisclosureLeaves::new(&d);
        assert_eq!(
            hex::encode(leaves.leaf_data(&[0xAB; 2], &[0xCD])),
            "0100000009313233343536372d3100000003742d310000000e657475757372656b6973746572690006\
             0a24181e400000060a241825e120000100000009393939303030382d330000000c5665726f68616c6c\
             696e746f0001000000024649000300000000010000000935332f32303138203600000000000000000600\
             000001700001000000086d616b736174757300010000000456482d310000000100000002000000\
             02abab00000001cd"
        );
        assert_eq!(
            hex::encode(leaves.leaf_hash(&[0xAB; 2], &[0xCD])),
            "60c0b2fd010b96b5a92ef105cf323ea5f1ddf0e3ca3e5469be08045d8fb0c8fc"
        );
    }

    #[test]
    fn every_field_changes_the_leaf() {
        let base = DisclosureLeaves::new(&disclosure()).leaf_hash(&[1; 32], b"s");
        let variants = [
            LeafDisclosure {
                controller: "7654321-1",
                ..disclosure()
            },
            LeafDisclosure {
                transfer_id: "t-2",
                ..disclosure()
            },
            LeafDisclosure {
                register: "x",
                ..disclosure()
            },
            LeafDisclosure {
                occurred_at: 1,
                ..disclosure()
            },
            LeafDisclosure {
                recorded_at: 1,
                ..disclosure()
            },
            LeafDisclosure {
                recipient_id_type: 2,
                ..disclosure()
            },
            LeafDisclosure {
                recipient_identifier: "x",
                ..disclosure()
            },
            LeafDisclosure {
                recipient_name: "x",
                ..disclosure()
            },
            LeafDisclosure {
                recipient_kind: 2,
                ..disclosure()
            },
            LeafDisclosure {
                recipient_country: "SE",
                ..disclosure()
            },
            LeafDisclosure {
                legal_basis: 4,
                ..disclosure()
            },
            LeafDisclosure {
                special_condition: Some(1),
                ..disclosure()
            },
            LeafDisclosure {
                provisions: "53/2018 6\u{1f}",
                ..disclosure()
            },
            LeafDisclosure {
                data_categories: 0b10,
                ..disclosure()
            },
            LeafDisclosure {
                purpose: "x",
                ..disclosure()
            },
            LeafDisclosure {
                channel: 2,
                ..disclosure()
            },
            LeafDisclosure {
                source_system: "x",
                ..disclosure()
            },
            LeafDisclosure {
                consent_ref: Some("c"),
                ..disclosure()
            },
            LeafDisclosure {
                requester_ref: None,
                ..disclosure()
            },
            LeafDisclosure {
                withheld_until: Some(5),
                ..disclosure()
            },
            LeafDisclosure {
                withheld_reason: Some("r"),
                ..disclosure()
            },
            LeafDisclosure {
                classification: 2,
                ..disclosure()
            },
            LeafDisclosure {
                subject_count: 3,
                ..disclosure()
            },
        ];
        for (n, variant) in variants.iter().enumerate() {
            let hash = DisclosureLeaves::new(variant).leaf_hash(&[1; 32], b"s");
            assert_ne!(hash, base, "variant {n}");
        }
        let leaves = DisclosureLeaves::new(&disclosure());
        assert_ne!(leaves.leaf_hash(&[2; 32], b"s"), base);
        assert_ne!(leaves.leaf_hash(&[1; 32], b"t"), base);
    }
}
