//! What a listing asks for: the period, the filters, and where a page starts.

use super::basis::LegalBasis;
use super::category::DataCategory;
use super::channel::Channel;
use super::classification::Classification;
use super::disclosure::StoredDisclosure;
use super::text::{RegisterId, TransferId};
use super::timestamp::Timestamp;

/// A half-open period `[from, to)` of occurred-at; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// Where a page starts: after the row with this (occurred_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Microseconds since the Unix epoch of the last row's time.
    pub occurred_at: i64,
    pub id: i64,
}

/// Filters of a disclosure listing; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DisclosureFilter {
    pub register: Option<RegisterId>,
    pub recipient_identifier: Option<String>,
    pub legal_basis: Option<LegalBasis>,
    pub statute: Option<String>,
    pub data_category: Option<DataCategory>,
    pub channel: Option<Channel>,
    pub transfer_id: Option<TransferId>,
    pub classification: Option<Classification>,
    pub period: Period,
}

/// A disclosure that covered a looked-up subject, with that subject's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectDisclosure {
    pub entry_id: i64,
    pub disclosure: StoredDisclosure,
}
