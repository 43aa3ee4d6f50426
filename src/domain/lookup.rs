//! Lookups by identity code: who looks up a data subject, why, and with what.

use super::business_id::BusinessId;
use super::coded::coded_enum;
use super::query::Period;
use super::subject::SubjectHash;
use super::text::ShortText;
use super::timestamp::Timestamp;

coded_enum! {
    /// The call a lookup by identity code was made with.
    pub enum LookupOperation {
        ListSubjectDisclosures = 1, "list_subject_disclosures";
        ListAccessLookups = 2, "list_access_lookups";
        SubjectAccessReport = 3, "subject_access_report";
        ListConsents = 4, "list_consents";
    }
}

/// Who looks up a data subject, and in which case; required for every lookup by code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LookupContext {
    pub requested_by: ShortText,
    pub case_reference: ShortText,
}

/// A lookup to record, before it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLookup {
    pub controller: BusinessId,
    pub looked_up_at: Timestamp,
    pub operation: LookupOperation,
    pub context: LookupContext,
    /// The authenticated caller that made it (`local` on an open service); `requested_by`
    /// is who that caller says asked.
    pub caller: String,
    /// The subject by its hash under the active key.
    pub subject_key_id: u16,
    pub subject_hash: SubjectHash,
    /// The period the lookup asked about.
    pub period: Period,
}

/// A recorded lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLookup {
    pub id: i64,
    pub lookup: NewLookup,
}

/// Filters of a lookup listing; empty or `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LookupFilter {
    pub requested_by: Option<ShortText>,
    pub case_reference: Option<ShortText>,
    /// The subject's hashes under every key.
    pub subject_hashes: Vec<SubjectHash>,
    /// Of `looked_up_at`.
    pub period: Period,
}
