//! Lookups by identity code: who looks up a data subject, why, and with what.

use super::coded::coded_enum;
use super::text::ShortText;

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
