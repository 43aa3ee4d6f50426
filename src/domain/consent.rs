//! Consents of data subjects to disclosures, and recorded refusals (seed 002 requires the
//! refusal to be on record too).

use super::business_id::BusinessId;
use super::category::DataCategories;
use super::coded::coded_enum;
use super::recipient::{Recipient, RecipientIdType, RecipientKind};
use super::text::{LongText, ShortText};
use super::timestamp::Timestamp;

coded_enum! {
    /// Whether the subject gave or refused consent.
    pub enum ConsentDecision {
        Given = 1, "given";
        Refused = 2, "refused";
    }
}

/// To whom and what a consent lets be disclosed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsentScope {
    pub recipient_kind: RecipientKind,
    /// Only this recipient when given; otherwise any recipient of the kind.
    pub recipient_id: Option<BusinessId>,
    pub data_categories: DataCategories,
    pub purpose: LongText,
}

impl ConsentScope {
    /// Whether `recipient` is one this scope lets data go to.
    pub fn covers_recipient(&self, recipient: &Recipient) -> bool {
        recipient.kind == self.recipient_kind
            && self.recipient_id.as_ref().is_none_or(|id| {
                recipient.identifier.id_type() == RecipientIdType::BusinessId
                    && recipient.identifier.as_str() == id.as_str()
            })
    }
}

/// A consent or refusal as recorded, without the subject (kept by keyed hash only).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsentTerms {
    pub controller: BusinessId,
    /// The controller's reference, unique per controller; disclosures cite it.
    pub reference: ShortText,
    pub decision: ConsentDecision,
    pub scope: ConsentScope,
    /// When it was given (or refused).
    pub given_at: Timestamp,
    pub valid_until: Option<Timestamp>,
    /// The signed document, e.g. its record number.
    pub document_reference: ShortText,
}

/// A stored consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: i64,
    pub terms: ConsentTerms,
    pub withdrawn_at: Option<Timestamp>,
    pub recorded_at: Timestamp,
    /// The authenticated caller that recorded it, and the one that withdrew it.
    pub recorded_by: String,
    pub withdrawn_by: Option<String>,
    /// The subject's keyed hash under key `subject_key_id`.
    pub subject_key_id: u16,
    pub subject_hash: [u8; 32],
}

/// Why a consent's validity does not hold, if it does not: a refusal has none, and a
/// consent's must end after it was given. The fault is always `valid_until`'s.
pub fn validity_fault(
    decision: ConsentDecision,
    given_at: Option<Timestamp>,
    valid_until: Option<Timestamp>,
) -> Option<&'static str> {
    match (decision, given_at, valid_until) {
        (ConsentDecision::Refused, _, Some(_)) => Some("a refusal has no validity"),
        (_, Some(given), Some(until)) if until <= given => Some("must be after given_at"),
        _ => None,
    }
}

impl ConsentTerms {
    /// Why these terms' validity does not hold, if it does not (see [`validity_fault`]).
    pub fn validity_fault(&self) -> Option<&'static str> {
        validity_fault(self.decision, Some(self.given_at), self.valid_until)
    }
}

impl Consent {
    /// Whether a consent (not a refusal) is in force at `at`: given by then, not expired and
    /// not withdrawn yet. Withdrawal is not retroactive.
    pub fn in_force_at(&self, at: Timestamp) -> bool {
        self.terms.decision == ConsentDecision::Given
            && self.terms.given_at <= at
            && self.terms.valid_until.is_none_or(|until| at < until)
            && self.withdrawn_at.is_none_or(|withdrawn| at < withdrawn)
    }
}

/// A consent to store, with its subject by keyed hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub terms: ConsentTerms,
    pub subject_key_id: u16,
    pub subject_hash: [u8; 32],
    pub recorded_at: Timestamp,
    /// The authenticated caller recording it.
    pub recorded_by: String,
}

/// What storing a consent did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentInsert {
    Stored(Consent),
    /// The reference was taken: the consent stored under it.
    Taken(Consent),
}
