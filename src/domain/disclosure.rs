//! A disclosure: one transfer of personal data to one recipient under one legal basis at one
//! moment, from one register of one controller, covering one or many data subjects.

use std::collections::HashMap;

use super::basis::{LegalBasis, SpecialCategoryCondition};
use super::business_id::BusinessId;
use super::category::DataCategories;
use super::channel::Channel;
use super::classification::Classification;
use super::hetu::Hetu;
use super::provision::LegalProvision;
use super::recipient::Recipient;
use super::text::{LongText, RegisterId, ShortText, TransferId};
use super::timestamp::Timestamp;
use super::violation::{FieldViolation, Violations};
use super::withholding::WithholdingTerms;

/// Art. 23 restriction: left out of the data subject's access report until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withholding {
    pub until: Timestamp,
    pub reason: LongText,
}

/// Everything about a disclosure except its data subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureDetails {
    pub controller: BusinessId,
    pub transfer_id: TransferId,
    pub occurred_at: Timestamp,
    pub register: RegisterId,
    pub recipient: Recipient,
    pub legal_basis: LegalBasis,
    pub special_condition: Option<SpecialCategoryCondition>,
    pub provisions: Vec<LegalProvision>,
    pub data_categories: DataCategories,
    pub purpose: LongText,
    pub channel: Channel,
    pub source_system: ShortText,
    pub consent_reference: Option<ShortText>,
    pub requester_reference: Option<ShortText>,
    pub withholding: Option<Withholding>,
}

impl DisclosureDetails {
    /// Most provisions one disclosure may cite.
    pub const MAX_PROVISIONS: usize = 32;

    /// The rules that tie fields together, each broken one named by its field.
    fn check_rules(&self, violations: &mut Violations) {
        let special = self.data_categories.has_special();
        match (special, self.special_condition) {
            (true, None) => violations.add(
                "special_category_condition",
                "is required when a special category (Art. 9) is disclosed",
            ),
            (false, Some(_)) => violations.add(
                "special_category_condition",
                "must be unspecified when no special category (Art. 9) is disclosed",
            ),
            _ => {}
        }
        let consent_based = self.legal_basis == LegalBasis::Consent
            || self.special_condition == Some(SpecialCategoryCondition::ExplicitConsent);
        if consent_based && self.consent_reference.is_none() {
            violations.add(
                "consent_reference",
                "is required for a disclosure based on consent",
            );
        }
        if self.legal_basis.requires_provision() && self.provisions.is_empty() {
            violations.add(
                "provisions",
                "at least one is required when the basis is a legal obligation or public task",
            );
        }
        if self
            .provisions
            .iter()
            .any(LegalProvision::is_processor_article)
        {
            violations.add(
                "provisions",
                "GDPR Art. 28 (processors) is never a legal basis for a disclosure; a transfer \
                 to a processor is recorded with recipient kind processor under the \
                 controller's own provisions",
            );
        }
        if self.provisions.len() > Self::MAX_PROVISIONS {
            violations.add(
                "provisions",
                format!("must be at most {}", Self::MAX_PROVISIONS),
            );
        }
        if let Some(withholding) = &self.withholding
            && withholding.until <= self.occurred_at
        {
            violations.add("withholding.until", "must be after occurred_at");
        }
    }
}

/// A validated disclosure waiting to be recorded, with its data subjects in request order.
#[derive(Debug, Clone)]
pub struct NewDisclosure {
    details: DisclosureDetails,
    subjects: Vec<Hetu>,
    /// What is kept beside the entry, outside its leaf and fingerprint (see [`SubjectMarks`]).
    marks: SubjectMarks,
}

/// What a record request says about its subjects and withholding that is kept beside the
/// logged entry, not in it: the leaf and the replay fingerprint do not cover it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectMarks {
    /// Positions in the subjects of persons with a non-disclosure for personal safety
    /// (turvakielto, 661/2009 36 §), ascending, each once.
    pub safety_protected: Vec<usize>,
    /// The ground and existence flag of the disclosure's withholding, if it has one.
    pub withholding: WithholdingTerms,
}

impl SubjectMarks {
    /// Parses `positions` (field `safety_protected_subjects`) against `subject_count`
    /// subjects: each in range, none repeated, every bad one named in `violations`.
    pub fn safety_positions(
        positions: &[u32],
        subject_count: usize,
        violations: &mut Violations,
    ) -> Vec<usize> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, &position) in positions.iter().enumerate() {
            let field = format!("safety_protected_subjects[{i}]");
            let position = position as usize;
            if position >= subject_count {
                violations.add(
                    field,
                    format!("must be the position of one of the {subject_count} subjects"),
                );
            } else if !seen.insert(position) {
                violations.add(field, "repeats a position");
            }
        }
        seen.into_iter().collect()
    }
}

impl NewDisclosure {
    /// Checks the rules between fields and over the subjects; `violations` already holds the
    /// problems found while parsing the fields, and every problem is returned together.
    pub fn new(
        details: Option<DisclosureDetails>,
        subjects: Vec<Option<Hetu>>,
        max_subjects: usize,
        mut violations: Violations,
    ) -> Result<Self, Vec<FieldViolation>> {
        if subjects.is_empty() {
            violations.add("subjects", "at least one data subject is required");
        }
        if subjects.len() > max_subjects {
            violations.add("subjects", format!("must be at most {max_subjects}"));
        }
        let mut first_seen = HashMap::with_capacity(subjects.len());
        for (position, subject) in subjects.iter().enumerate() {
            if let Some(code) = subject
                && let Some(first) = first_seen.insert(code, position)
            {
                violations.add(
                    format!("subjects[{position}]"),
                    format!("repeats subjects[{first}]"),
                );
            }
        }
        drop(first_seen);
        if let Some(details) = &details {
            details.check_rules(&mut violations);
        }
        match (details, violations.is_empty()) {
            (Some(details), true) => Ok(Self {
                details,
                subjects: subjects
                    .into_iter()
                    .map(|s| s.expect("no violations"))
                    .collect(),
                marks: SubjectMarks::default(),
            }),
            _ => Err(violations.into_vec()),
        }
    }

    pub fn details(&self) -> &DisclosureDetails {
        &self.details
    }

    pub fn subjects(&self) -> &[Hetu] {
        &self.subjects
    }

    /// With `marks` kept beside it (positions checked by [`SubjectMarks::safety_positions`]).
    pub fn with_marks(mut self, marks: SubjectMarks) -> Self {
        self.marks = marks;
        self
    }

    pub fn marks(&self) -> &SubjectMarks {
        &self.marks
    }

    /// The details and the subjects, taken apart.
    pub fn into_parts(self) -> (DisclosureDetails, Vec<Hetu>) {
        (self.details, self.subjects)
    }
}

/// A disclosure as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDisclosure {
    pub id: i64,
    pub details: DisclosureDetails,
    pub recorded_at: Timestamp,
    pub subject_count: u32,
    pub first_entry_id: i64,
    /// Against its register's catalogue when it was recorded.
    pub classification: Classification,
}

/// What recording a disclosure stored: its id, its subjects' entry ids and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub disclosure_id: i64,
    /// Subject i got entry `first_entry_id + i`.
    pub first_entry_id: i64,
    pub subject_count: u32,
    pub recorded_at: Timestamp,
}

impl NewDisclosure {
    /// Deterministic bytes of the whole request, subjects included, so that an identical
    /// replay can be told from a different disclosure under the same transfer id. They hold
    /// identity codes: only ever pass them to a keyed digest.
    pub fn fingerprint_bytes(&self) -> Vec<u8> {
        let d = &self.details;
        let mut out = Fingerprint(Vec::with_capacity(512 + 12 * self.subjects.len()));
        out.0.push(1); // version
        out.text(d.controller.as_str());
        out.text(d.transfer_id.as_str());
        out.int(d.occurred_at.micros());
        out.text(d.register.as_str());
        out.int(d.recipient.identifier.id_type().code().into());
        out.text(d.recipient.identifier.as_str());
        out.text(d.recipient.name.as_str());
        out.int(d.recipient.kind.code().into());
        out.text(d.recipient.country.as_str());
        out.int(d.legal_basis.code().into());
        out.int(d.special_condition.map_or(0, |c| c.code().into()));
        out.int(d.provisions.len() as i64);
        for provision in &d.provisions {
            out.text(&provision.canonical());
            out.optional(provision.given_title());
        }
        out.int(d.data_categories.mask());
        out.text(d.purpose.as_str());
        out.int(d.channel.code().into());
        out.text(d.source_system.as_str());
        out.optional(d.consent_reference.as_ref().map(|t| t.as_str()));
        out.optional(d.requester_reference.as_ref().map(|t| t.as_str()));
        match &d.withholding {
            Some(w) => {
                out.int(w.until.micros());
                out.text(w.reason.as_str());
            }
            None => out.int(i64::MIN),
        }
        out.int(self.subjects.len() as i64);
        for subject in &self.subjects {
            out.0.extend_from_slice(subject.as_str().as_bytes());
        }
        out.0
    }
}

/// Length-prefixed, so no two different field sequences give the same bytes.
struct Fingerprint(Vec<u8>);

impl Fingerprint {
    fn int(&mut self, value: i64) {
        self.0.extend_from_slice(&value.to_be_bytes());
    }

    fn text(&mut self, value: &str) {
        self.0
            .extend_from_slice(&(value.len() as u32).to_be_bytes());
        self.0.extend_from_slice(value.as_bytes());
    }

    fn optional(&mut self, value: Option<&str>) {
        match value {
            Some(text) => {
                self.0.push(1);
                self.text(text);
            }
            None => self.0.push(0),
        }
    }
}
