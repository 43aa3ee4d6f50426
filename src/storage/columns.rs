//! The rows a batch inserts, column by column: PostgreSQL binds each column as one array,
//! SQLite walks them row by row.

use std::collections::BTreeMap;

use crate::domain::finnish_time::finnish_day_number;
use crate::domain::{LegalProvision, PendingDisclosure, Receipt, StoredLeaf, Timestamp};

use crate::transparency::leaf::{DisclosureLeaves, LeafDisclosure};
use crate::transparency::merkle::Hash;

use super::codec::{encode_canonical, encode_provisions};
use super::integrate::{LogHead, NodeColumns};

/// New `disclosures` rows.
#[derive(Debug, Default)]
pub(super) struct DisclosureColumns {
    pub id: Vec<i64>,
    pub controller: Vec<String>,
    pub transfer_id: Vec<String>,
    pub occurred_at: Vec<i64>,
    pub recorded_at: Vec<i64>,
    pub register: Vec<String>,
    pub recipient_id: Vec<i64>,
    pub legal_basis: Vec<i16>,
    pub special_condition: Vec<Option<i16>>,
    pub data_categories: Vec<i64>,
    pub purpose: Vec<String>,
    pub channel: Vec<i16>,
    pub source_system: Vec<String>,
    pub consent_ref: Vec<Option<String>>,
    pub requester_ref: Vec<Option<String>>,
    pub withheld_until: Vec<Option<i64>>,
    pub withheld_reason: Vec<Option<String>>,
    pub subject_count: Vec<i32>,
    pub first_entry_id: Vec<i64>,
    pub request_key_id: Vec<i16>,
    pub request_digest: Vec<Vec<u8>>,
    pub provisions: Vec<String>,
    pub classification: Vec<i16>,
}

/// New `subject_entries` rows, in entry id order.
#[derive(Debug, Default)]
pub(super) struct EntryColumns {
    pub entry_id: Vec<i64>,
    pub disclosure_id: Vec<i64>,
    pub subject_hash: Vec<Vec<u8>>,
    pub sealed_subject: Vec<Vec<u8>>,
    /// What the row keeps of its leaf hash, a [`StoredLeaf::Fingerprint`]; `None` while
    /// tamper evidence is off.
    pub leaf_hash: Vec<Option<Vec<u8>>>,
    /// The whole leaf hashes, for the tree (not stored); empty while tamper evidence is off.
    pub leaves: Vec<Hash>,
}

/// The `log_head` row a batch expects to find and the one it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HeadUpdate {
    pub expected: LogHead,
    pub next: LogHead,
}

/// What a batch adds to `disclosure_rollup`: one row per key, counts summed.
#[derive(Debug, Default)]
pub(super) struct RollupColumns {
    pub controller: Vec<String>,
    pub register: Vec<String>,
    pub day: Vec<i32>,
    pub recipient_id: Vec<i64>,
    pub classification: Vec<i16>,
    pub legal_basis: Vec<i16>,
    pub channel: Vec<i16>,
    pub data_categories: Vec<i64>,
    pub provisions: Vec<String>,
    pub disclosures: Vec<i64>,
    pub entries: Vec<i64>,
    pub first_at: Vec<i64>,
    pub last_at: Vec<i64>,
}

/// A rollup row's key: controller, register, day, recipient, classification, basis,
/// channel, categories, provisions. Borrowed from the batch, so a key costs no copies until
/// it becomes a row.
type RollupKey<'a> = (&'a str, &'a str, i32, i64, i16, i16, i16, i64, String);

/// Counts, first and last occurred-at under one rollup key.
#[derive(Debug, Clone, Copy)]
struct RollupCounts {
    disclosures: i64,
    entries: i64,
    first_at: i64,
    last_at: i64,
}

impl RollupColumns {
    fn from_counts(counts: BTreeMap<RollupKey<'_>, RollupCounts>) -> Self {
        let mut c = Self::default();
        for (key, n) in counts {
            let (controller, register, day, recipient, class, basis, channel, cats, provisions) =
                key;
            c.controller.push(controller.to_owned());
            c.register.push(register.to_owned());
            c.day.push(day);
            c.recipient_id.push(recipient);
            c.classification.push(class);
            c.legal_basis.push(basis);
            c.channel.push(channel);
            c.data_categories.push(cats);
            c.provisions.push(provisions);
            c.disclosures.push(n.disclosures);
            c.entries.push(n.entries);
            c.first_at.push(n.first_at);
            c.last_at.push(n.last_at);
        }
        c
    }
}

/// Everything one batch inserts.
#[derive(Debug)]
pub(super) struct BatchColumns {
    pub disclosures: DisclosureColumns,
    pub entries: EntryColumns,
    pub rollup: RollupColumns,
    pub nodes: NodeColumns,
    pub head: HeadUpdate,
}

impl BatchColumns {
    /// The rows of `inserts`: each new disclosure with its receipt (ids final) and recipient
    /// id, with leaf hashes when `leaves`. The head and nodes are the caller's to fill.
    pub fn new<'a>(
        inserts: impl IntoIterator<Item = (&'a PendingDisclosure, &'a Receipt, i64)>,
        recorded_at: Timestamp,
        leaves: bool,
        head: &LogHead,
    ) -> Self {
        let mut columns = Self {
            disclosures: DisclosureColumns::default(),
            entries: EntryColumns::default(),
            rollup: RollupColumns::default(),
            nodes: NodeColumns::default(),
            head: HeadUpdate {
                expected: head.clone(),
                next: head.clone(),
            },
        };
        let mut rollup: BTreeMap<RollupKey<'a>, RollupCounts> = BTreeMap::new();
        for (item, receipt, recipient_id) in inserts {
            let d = &item.details;
            // Each provision's canonical form is made once, for all three places it goes.
            let canonical: Vec<String> =
                d.provisions.iter().map(LegalProvision::canonical).collect();
            columns.push(item, receipt, recipient_id, recorded_at, &canonical, leaves);
            let at = d.occurred_at.micros();
            let key = (
                d.controller.as_str(),
                d.register.as_str(),
                finnish_day_number(d.occurred_at),
                recipient_id,
                item.classification.code(),
                d.legal_basis.code(),
                d.channel.code(),
                d.data_categories.mask(),
                encode_canonical(&canonical),
            );
            let counts = rollup.entry(key).or_insert(RollupCounts {
                disclosures: 0,
                entries: 0,
                first_at: at,
                last_at: at,
            });
            counts.disclosures += 1;
            counts.entries += i64::from(receipt.subject_count);
            counts.first_at = counts.first_at.min(at);
            counts.last_at = counts.last_at.max(at);
        }
        columns.rollup = RollupColumns::from_counts(rollup);
        columns
    }

    fn push(
        &mut self,
        item: &PendingDisclosure,
        receipt: &Receipt,
        recipient_id: i64,
        recorded_at: Timestamp,
        canonical: &[String],
        leaves: bool,
    ) {
        let d = &item.details;
        let provisions = encode_provisions(canonical, &d.provisions);
        let leaves = leaves.then(|| {
            DisclosureLeaves::new(&LeafDisclosure {
                controller: d.controller.as_str(),
                transfer_id: d.transfer_id.as_str(),
                register: d.register.as_str(),
                occurred_at: d.occurred_at.micros(),
                recorded_at: recorded_at.micros(),
                recipient_id_type: d.recipient.identifier.id_type().code(),
                recipient_identifier: d.recipient.identifier.as_str(),
                recipient_name: d.recipient.name.as_str(),
                recipient_kind: d.recipient.kind.code(),
                recipient_country: d.recipient.country.as_str(),
                legal_basis: d.legal_basis.code(),
                special_condition: d.special_condition.map(|s| s.code()),
                provisions: &provisions,
                data_categories: d.data_categories.mask(),
                purpose: d.purpose.as_str(),
                channel: d.channel.code(),
                source_system: d.source_system.as_str(),
                consent_ref: d.consent_reference.as_ref().map(|t| t.as_str()),
                requester_ref: d.requester_reference.as_ref().map(|t| t.as_str()),
                withheld_until: d.withholding.as_ref().map(|w| w.until.micros()),
                withheld_reason: d.withholding.as_ref().map(|w| w.reason.as_str()),
                classification: item.classification.code(),
                subject_count: receipt.subject_count as i32,
            })
        });
        let c = &mut self.disclosures;
        c.id.push(receipt.disclosure_id);
        c.controller.push(d.controller.as_str().to_owned());
        c.transfer_id.push(d.transfer_id.as_str().to_owned());
        c.occurred_at.push(d.occurred_at.micros());
        c.recorded_at.push(recorded_at.micros());
        c.register.push(d.register.as_str().to_owned());
        c.recipient_id.push(recipient_id);
        c.legal_basis.push(d.legal_basis.code());
        c.special_condition
            .push(d.special_condition.map(|s| s.code()));
        c.data_categories.push(d.data_categories.mask());
        c.purpose.push(d.purpose.as_str().to_owned());
        c.channel.push(d.channel.code());
        c.source_system.push(d.source_system.as_str().to_owned());
        c.consent_ref
            .push(d.consent_reference.as_ref().map(|t| t.as_str().to_owned()));
        c.requester_ref.push(
            d.requester_reference
                .as_ref()
                .map(|t| t.as_str().to_owned()),
        );
        c.withheld_until
            .push(d.withholding.as_ref().map(|w| w.until.micros()));
        c.withheld_reason
            .push(d.withholding.as_ref().map(|w| w.reason.as_str().to_owned()));
        c.subject_count.push(receipt.subject_count as i32);
        c.first_entry_id.push(receipt.first_entry_id);
        c.request_key_id.push(item.active_key as i16);
        c.request_digest.push(item.stored_digest().to_vec());
        c.provisions.push(provisions);
        c.classification.push(item.classification.code());

        let e = &mut self.entries;
        for (n, subject) in item.subjects.iter().enumerate() {
            e.entry_id.push(receipt.first_entry_id + n as i64);
            e.disclosure_id.push(receipt.disclosure_id);
            e.subject_hash.push(subject.hash.to_vec());
            e.sealed_subject.push(subject.sealed.clone());
            let leaf = leaves
                .as_ref()
                .map(|l| l.leaf_hash(&subject.hash, &subject.sealed));
            e.leaf_hash
                .push(leaf.map(|hash| StoredLeaf::fingerprint_of(&hash).as_bytes().to_vec()));
            e.leaves.extend(leaf);
        }
    }
}
