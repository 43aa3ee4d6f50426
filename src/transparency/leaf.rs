//! The canonical leaf encoding, version 1 (docs/tamper-evidence.md): the bytes a subject
//! entry's leaf hash is taken over. It covers every field of the entry and of its
//! disclosure as stored, the identity code by its keyed hash and sealed copy, and nothing
//! that storage assigns (row ids): the entry's place in the log is its place in the tree.
//! [`DecodedLeaf`] reads it back, for whoever checks a leaf field by field (and the fuzzer).

use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The version byte every leaf starts with.
pub const LEAF_VERSION: u8 = 1;

/// Separates provisions in their stored text (ASCII RS); storage writes them with it.
pub const RECORD: char = '\u{1e}';
/// Separates a provision's canonical form from its title (ASCII US).
pub const UNIT: char = '\u{1f}';

/// A disclosure's fields as stored: codes, microseconds since the Unix epoch and texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A leaf's data read back: the disclosure's fields as stored, and the entry's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedLeaf<'a> {
    /// Every field but the provisions, whose stored text is rebuilt in `provisions`.
    fields: LeafDisclosure<'a>,
    provisions: String,
    pub subject_hash: &'a [u8],
    pub sealed_subject: &'a [u8],
}

/// Why bytes are not leaf data of version 1; names the field where decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafDecodeError {
    #[error("leaf version {0} is not {LEAF_VERSION}")]
    Version(u8),
    #[error("leaf data ends inside {0}")]
    Truncated(&'static str),
    #[error("{0} is not UTF-8")]
    NotUtf8(&'static str),
    #[error("the presence byte of {0} is neither 0 nor 1")]
    Presence(&'static str),
    /// A text that the stored provisions text could not hold: a canonical form with a
    /// separator, a title with RS, or a title present but empty.
    #[error("{0} cannot be part of a stored provisions text")]
    Provision(&'static str),
    #[error("{0} bytes follow the sealed subject")]
    Trailing(usize),
}

impl<'a> DecodedLeaf<'a> {
    /// Decodes what [`DisclosureLeaves::leaf_data`] writes, strictly: whatever decodes
    /// encodes back to the same bytes, and every leaf the encoder writes decodes.
    pub fn decode(data: &'a [u8]) -> Result<Self, LeafDecodeError> {
        let mut input = Decoder(data);
        let version = input.take("version", 1)?[0];
        if version != LEAF_VERSION {
            return Err(LeafDecodeError::Version(version));
        }
        let controller = input.text("controller")?;
        let transfer_id = input.text("transfer_id")?;
        let register = input.text("register")?;
        let occurred_at = input.i64("occurred_at")?;
        let recorded_at = input.i64("recorded_at")?;
        let recipient_id_type = input.code("recipient_id_type")?;
        let recipient_identifier = input.text("recipient_identifier")?;
        let recipient_name = input.text("recipient_name")?;
        let recipient_kind = input.code("recipient_kind")?;
        let recipient_country = input.text("recipient_country")?;
        let legal_basis = input.code("legal_basis")?;
        let special_condition = input.option("special_condition", Decoder::code)?;
        let provisions = input.provisions()?;
        let data_categories = input.i64("data_categories")?;
        let fields = LeafDisclosure {
            controller,
            transfer_id,
            register,
            occurred_at,
            recorded_at,
            recipient_id_type,
            recipient_identifier,
            recipient_name,
            recipient_kind,
            recipient_country,
            legal_basis,
            special_condition,
            provisions: "",
            data_categories,
            purpose: input.text("purpose")?,
            channel: input.code("channel")?,
            source_system: input.text("source_system")?,
            consent_ref: input.option("consent_ref", Decoder::text)?,
            requester_ref: input.option("requester_ref", Decoder::text)?,
            withheld_until: input.option("withheld_until", Decoder::i64)?,
            withheld_reason: input.option("withheld_reason", Decoder::text)?,
            classification: input.code("classification")?,
            subject_count: input.u32("subject_count")? as i32,
        };
        let subject_hash = input.bytes("subject_hash")?;
        let sealed_subject = input.bytes("sealed_subject")?;
        if !input.0.is_empty() {
            return Err(LeafDecodeError::Trailing(input.0.len()));
        }
        Ok(Self {
            fields,
            provisions,
            subject_hash,
            sealed_subject,
        })
    }

    /// The disclosure's fields as stored, provisions as `canonical<US>title` joined by `<RS>`.
    pub fn disclosure(&self) -> LeafDisclosure<'_> {
        LeafDisclosure {
            provisions: &self.provisions,
            ..self.fields
        }
    }

    /// The leaf data encoded again from the decoded fields.
    pub fn leaf_data(&self) -> Vec<u8> {
        DisclosureLeaves::new(&self.disclosure()).leaf_data(self.subject_hash, self.sealed_subject)
    }
}

/// Reads what [`Encoder`] writes, naming the field in its errors.
struct Decoder<'a>(&'a [u8]);

impl<'a> Decoder<'a> {
    fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], LeafDecodeError> {
        if self.0.len() < n {
            return Err(LeafDecodeError::Truncated(field));
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], LeafDecodeError> {
        Ok(self.take(field, N)?.try_into().expect("took N bytes"))
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, LeafDecodeError> {
        self.array(field).map(u32::from_be_bytes)
    }

    fn i64(&mut self, field: &'static str) -> Result<i64, LeafDecodeError> {
        self.array(field).map(i64::from_be_bytes)
    }

    fn code(&mut self, field: &'static str) -> Result<i16, LeafDecodeError> {
        self.array(field).map(i16::from_be_bytes)
    }

    fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], LeafDecodeError> {
        let len = self.u32(field)?;
        self.take(field, len as usize)
    }

    fn text(&mut self, field: &'static str) -> Result<&'a str, LeafDecodeError> {
        std::str::from_utf8(self.bytes(field)?).map_err(|_| LeafDecodeError::NotUtf8(field))
    }

    fn option<T>(
        &mut self,
        field: &'static str,
        decode: impl FnOnce(&mut Self, &'static str) -> Result<T, LeafDecodeError>,
    ) -> Result<Option<T>, LeafDecodeError> {
        match self.take(field, 1)?[0] {
            0 => Ok(None),
            1 => decode(self, field).map(Some),
            _ => Err(LeafDecodeError::Presence(field)),
        }
    }

    /// The provision list, as the stored text [`DisclosureLeaves::new`] splits it from. A
    /// title the encoder would not write (empty, or holding RS) or a canonical form holding
    /// a separator is refused, so that the text splits back into the same list.
    fn provisions(&mut self) -> Result<String, LeafDecodeError> {
        let count = self.u32("provision count")?;
        let mut text = String::new();
        for n in 0..count {
            let canonical = self.text("provision")?;
            let title = self.option("provision title", Decoder::text)?;
            if canonical.contains([RECORD, UNIT]) {
                return Err(LeafDecodeError::Provision("provision"));
            }
            if title.is_some_and(|t| t.is_empty() || t.contains(RECORD)) {
                return Err(LeafDecodeError::Provision("provision title"));
            }
            if n > 0 {
                text.push(RECORD);
            }
            text.push_str(canonical);
            text.push(UNIT);
            text.push_str(title.unwrap_or_default());
        }
        Ok(text)
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

    const PINNED: &str = "0100000009313233343536372d3100000003742d310000000e657475757372656b6973746572690006\
             0a24181e400000060a241825e120000100000009393939303030382d330000000c5665726f68616c6c\
             696e746f0001000000024649000300000000010000000935332f32303138203600000000000000000600\
             000001700001000000086d616b736174757300010000000456482d310000000100000002000000\
             02abab00000001cd";

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
        assert_eq!(hex::encode(leaves.leaf_data(&[0xAB; 2], &[0xCD])), PINNED);
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

    #[test]
    fn the_pinned_leaf_decodes_into_its_fields() {
        let data = hex::decode(PINNED).unwrap();
        let leaf = DecodedLeaf::decode(&data).unwrap();
        let expected = LeafDisclosure {
            provisions: "53/2018 6\u{1f}",
            purpose: "p",
            ..disclosure()
        };
        assert_eq!(leaf.disclosure(), expected);
        assert_eq!(
            (leaf.subject_hash, leaf.sealed_subject),
            (&[0xAB; 2][..], &[0xCD][..])
        );
        assert_eq!(leaf.leaf_data(), data);
    }

    #[test]
    fn every_cut_of_a_leaf_is_refused_as_truncated() {
        let data = hex::decode(PINNED).unwrap();
        for len in 0..data.len() {
            let refused = DecodedLeaf::decode(&data[..len]).unwrap_err();
            assert!(
                matches!(refused, LeafDecodeError::Truncated(_)),
                "{len}: {refused}"
            );
        }
    }

    #[test]
    fn a_leaf_with_bytes_after_it_or_another_version_is_refused() {
        let mut data = hex::decode(PINNED).unwrap();
        data.push(0);
        assert_eq!(
            DecodedLeaf::decode(&data),
            Err(LeafDecodeError::Trailing(1))
        );
        data.pop();
        data[0] = 2;
        assert_eq!(DecodedLeaf::decode(&data), Err(LeafDecodeError::Version(2)));
    }

    #[test]
    fn a_presence_byte_other_than_zero_or_one_is_refused() {
        let mut data = hex::decode(PINNED).unwrap();
        data[96] = 2; // special_condition (docs/tamper-evidence.md, offset 96)
        assert_eq!(
            DecodedLeaf::decode(&data),
            Err(LeafDecodeError::Presence("special_condition"))
        );
    }

    #[test]
    fn a_provision_list_the_stored_text_cannot_hold_is_refused() {
        let with_provision = |canonical: &str, title: Option<&str>| {
            let mut out = Encoder(Vec::new());
            out.u32(1);
            out.text(canonical);
            out.option(title, Encoder::text);
            Decoder(&out.0).provisions()
        };
        assert_eq!(
            with_provision("53/2018 6", None).unwrap(),
            "53/2018 6\u{1f}"
        );
        for (canonical, title) in [
            ("a\u{1e}b", None),
            ("a\u{1f}b", None),
            ("a", Some("")),
            ("a", Some("t\u{1e}")),
        ] {
            assert!(
                matches!(
                    with_provision(canonical, title),
                    Err(LeafDecodeError::Provision(_))
                ),
                "{canonical:?} {title:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn every_leaf_the_encoder_writes_decodes_and_encodes_again_to_the_same_bytes(
            provisions in "[a\u{1e}\u{1f}]{0,8}",
            purpose in ".{0,4}",
            special_condition in proptest::option::of(proptest::num::i16::ANY),
            withheld_until in proptest::option::of(proptest::num::i64::ANY),
            consent_ref in proptest::option::of(".{0,3}"),
            subject_count in proptest::num::i32::ANY,
            data_categories in proptest::num::i64::ANY,
            subject in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        ) {
            let d = LeafDisclosure {
                provisions: &provisions,
                purpose: &purpose,
                special_condition,
                withheld_until,
                consent_ref: consent_ref.as_deref(),
                subject_count,
                data_categories,
                ..disclosure()
            };
            let data = DisclosureLeaves::new(&d).leaf_data(&subject, &subject[subject.len() / 2..]);
            let decoded = DecodedLeaf::decode(&data);
            proptest::prop_assert!(decoded.is_ok(), "{decoded:?}");
            proptest::prop_assert_eq!(decoded.unwrap().leaf_data(), data);
        }
    }
}
