//! Per-day counts of disclosures, what statistics and the Article 30 record are made from.

use super::basis::LegalBasis;
use super::category::DataCategories;
use super::channel::Channel;
use super::classification::Classification;
use super::provision::LegalProvision;
use super::recipient::Recipient;
use super::text::RegisterId;
use super::timestamp::Timestamp;

/// Disclosures of one Finnish local day that agree on everything statistics group by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupEntry {
    pub register: RegisterId,
    /// Days since 1970-01-01 of the Finnish local date.
    pub day: i32,
    pub recipient: Recipient,
    pub classification: Classification,
    pub legal_basis: LegalBasis,
    pub channel: Channel,
    pub data_categories: DataCategories,
    pub provisions: Vec<LegalProvision>,
    pub disclosures: i64,
    pub entries: i64,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}
