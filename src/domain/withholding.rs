//! Withholding as a decision that can change (GDPR Art. 23, Tietosuojalaki 1050/2018 34 §).
//!
//! A disclosure recorded with a [`Withholding`](super::Withholding) carries it in its leaf,
//! which never changes. What the data subject is told follows the disclosure's withholding
//! *decisions*, appended one after another: the first is made with the disclosure, later
//! ones lift, extend, shorten or set it. The latest decision in force on a report's date
//! says whether, until when and why the disclosure is withheld.

use super::business_id::BusinessId;
use super::coded::coded_enum;
use super::disclosure::Withholding;
use super::text::{LongText, ShortText};
use super::timestamp::Timestamp;

coded_enum! {
    /// What a withholding decision did.
    pub enum WithholdingAction {
        /// Made with the disclosure, from its request's withholding.
        Initial = 1, "initial";
        /// Withheld a disclosure that was not withheld, or kept the date and changed the
        /// reason, ground or existence flag.
        Set = 2, "set";
        Extend = 3, "extend";
        Shorten = 4, "shorten";
        Lift = 5, "lift";
    }
}

/// What the record request says of its withholding beyond the leaf's until and reason.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WithholdingTerms {
    /// The legal ground, e.g. "esitutkinta, esitutkintalaki 805/2011".
    pub ground: Option<LongText>,
    /// Telling the subject that access is restricted would defeat the restriction's
    /// purpose (34 § 3 mom): the document says nothing of it.
    pub conceal_existence: bool,
}

/// A decision asked for (DecideWithholding): lift (`until` none) or withhold until a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithholdingChange {
    pub controller: BusinessId,
    pub disclosure_id: u64,
    pub until: Option<Timestamp>,
    pub reason: LongText,
    /// Required to withhold (checked where the request is parsed).
    pub ground: Option<LongText>,
    pub conceal_existence: bool,
    /// The official who decided.
    pub decided_by: ShortText,
}

/// A decision to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWithholdingDecision {
    pub controller: BusinessId,
    pub disclosure_id: i64,
    pub action: WithholdingAction,
    pub until: Option<Timestamp>,
    pub reason: LongText,
    pub ground: Option<LongText>,
    pub conceal_existence: bool,
    pub decided_at: Timestamp,
    /// The official; empty for the first decision, which the recording system makes.
    pub decided_by: String,
    /// The authenticated caller.
    pub caller: String,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithholdingDecision {
    pub id: i64,
    pub decision: NewWithholdingDecision,
}

/// A withholding in force at some moment: the disclosure is left out of the subject's
/// document until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithholdingInForce {
    pub until: Timestamp,
    pub reason: String,
    pub ground: Option<String>,
    pub conceal_existence: bool,
}

/// The withholding of a disclosure in force at `at`: the latest of `decisions` made by
/// then decides; without any, the leaf's `withholding` (a disclosure recorded before
/// decisions were kept, or whose first decision was not stored) with no ground.
pub fn in_force(
    leaf: Option<&Withholding>,
    decisions: &[WithholdingDecision],
    at: Timestamp,
) -> Option<WithholdingInForce> {
    let latest = decisions
        .iter()
        .filter(|d| d.decision.decided_at <= at)
        .max_by_key(|d| (d.decision.decided_at, d.id));
    match latest {
        Some(d) => {
            let d = &d.decision;
            d.until
                .filter(|until| *until > at)
                .map(|until| WithholdingInForce {
                    until,
                    reason: d.reason.to_string(),
                    ground: d.ground.as_ref().map(ToString::to_string),
                    conceal_existence: d.conceal_existence,
                })
        }
        None => leaf.filter(|w| w.until > at).map(|w| WithholdingInForce {
            until: w.until,
            reason: w.reason.to_string(),
            ground: None,
            conceal_existence: false,
        }),
    }
}

/// What a decision to withhold until `until` (none: lift) does to `current`, the
/// withholding in force when it is made; `None` when it would lift what is not withheld.
pub fn action_of(
    current: Option<&WithholdingInForce>,
    until: Option<Timestamp>,
) -> Option<WithholdingAction> {
    match (current, until) {
        (None, None) => None,
        (Some(_), None) => Some(WithholdingAction::Lift),
        (None, Some(_)) => Some(WithholdingAction::Set),
        (Some(now), Some(until)) if until > now.until => Some(WithholdingAction::Extend),
        (Some(now), Some(until)) if until < now.until => Some(WithholdingAction::Shorten),
        (Some(_), Some(_)) => Some(WithholdingAction::Set),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> Timestamp {
        Timestamp::from_parts(seconds, 0).unwrap()
    }

    fn decision(id: i64, decided_at: i64, until: Option<i64>) -> WithholdingDecision {
        WithholdingDecision {
            id,
            decision: NewWithholdingDecision {
                controller: BusinessId::parse("0179377-8").unwrap(),
                disclosure_id: 1,
                action: WithholdingAction::Set,
                until: until.map(t),
                reason: LongText::parse(&format!("decision {id}")).unwrap(),
                ground: Some(LongText::parse("esitutkinta, esitutkintalaki 805/2011").unwrap()),
                conceal_existence: id % 2 == 0,
                decided_at: t(decided_at),
                decided_by: "kasittelija-17".into(),
                caller: "local".into(),
            },
        }
    }

    fn leaf(until: i64) -> Withholding {
        Withholding {
            until: t(until),
            reason: LongText::parse("leaf").unwrap(),
        }
    }

    #[test]
    fn without_decisions_the_leafs_withholding_holds_until_its_date() {
        assert_eq!(
            in_force(Some(&leaf(100)), &[], t(50)).unwrap().reason,
            "leaf"
        );
        assert_eq!(in_force(Some(&leaf(100)), &[], t(100)), None);
        assert_eq!(in_force(None, &[], t(50)), None);
    }

    #[test]
    fn the_latest_decision_made_by_then_decides_and_a_lift_ends_it() {
        let decisions = [
            decision(1, 10, Some(100)),
            decision(2, 20, None),
            decision(3, 30, Some(200)),
        ];
        let leaf = leaf(100);
        assert_eq!(
            in_force(Some(&leaf), &decisions, t(15)).unwrap().reason,
            "decision 1"
        );
        assert_eq!(in_force(Some(&leaf), &decisions, t(25)), None, "lifted");
        let again = in_force(Some(&leaf), &decisions, t(150)).unwrap();
        assert_eq!((again.until, again.reason.as_str()), (t(200), "decision 3"));
        assert!(!again.conceal_existence);
        assert_eq!(in_force(Some(&leaf), &decisions, t(200)), None, "expired");
    }

    #[test]
    fn a_change_is_named_by_what_it_does_to_the_withholding_in_force() {
        let current = in_force(None, &[decision(1, 0, Some(100))], t(1));
        let current = current.as_ref();
        assert_eq!(action_of(current, None), Some(WithholdingAction::Lift));
        assert_eq!(
            action_of(current, Some(t(150))),
            Some(WithholdingAction::Extend)
        );
        assert_eq!(
            action_of(current, Some(t(50))),
            Some(WithholdingAction::Shorten)
        );
        assert_eq!(
            action_of(current, Some(t(100))),
            Some(WithholdingAction::Set)
        );
        assert_eq!(action_of(None, Some(t(50))), Some(WithholdingAction::Set));
        assert_eq!(action_of(None, None), None, "nothing to lift");
    }
}
