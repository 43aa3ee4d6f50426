//! Turvakielto (non-disclosure for personal safety, Laki väestötietojärjestelmästä
//! 661/2009 36 §) as a decision that can change: marks and lifts appended per controller
//! and subject, the latest in force.

use super::business_id::BusinessId;
use super::coded::coded_enum;
use super::hetu::Hetu;
use super::text::{LongText, ShortText};
use super::timestamp::Timestamp;

coded_enum! {
    /// What a turvakielto decision did.
    pub enum SafetyAction {
        /// The person is protected from then on.
        Mark = 1, "mark";
        /// The protection ended (e.g. the population register lifted the turvakielto).
        Lift = 2, "lift";
    }
}

/// A decision asked for (DecideSafetyProtection), made on its own, without a disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyChange {
    pub controller: BusinessId,
    pub subject: Hetu,
    pub action: SafetyAction,
    /// Why, e.g. "DVV:n ilmoitus 3.11.2026: turvakielto päättynyt".
    pub reason: LongText,
    /// The official who decided (not an identity code).
    pub decided_by: ShortText,
}

/// A decision as made: what, why, when and by whom; the subject only as the caller named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyDecision {
    pub id: i64,
    pub action: SafetyAction,
    pub reason: LongText,
    pub decided_at: Timestamp,
    pub decided_by: ShortText,
    /// The authenticated caller that made it.
    pub caller: String,
}
