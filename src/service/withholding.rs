//! Withholding as a decision that can change (DecideWithholding, ListWithholdingDecisions;
//! GDPR Art. 23, Tietosuojalaki 1050/2018 34 §). A disclosure's withholding at record time
//! is its first decision; later decisions lift, extend, shorten or set it, each appended
//! with its reason, ground and who decided. The logged entry and its leaf never change; the
//! access report follows the latest decision in force on its date.
//!
//! Who decides: the `subject-access` role at the controller. Whether a restriction still
//! holds is decided when an access request is answered (34 §: only as far as and as long as
//! necessary), and the staff who answer them hold that role; the auditor only reads the
//! decisions, the recorder only makes the first one, with the disclosure.

use std::collections::{BTreeMap, HashMap};

use crate::auth::{Caller, Denied, Role};
use crate::domain::withholding::{action_of, in_force};
use crate::domain::{
    BusinessId, FieldViolation, NewWithholdingDecision, StoredDisclosure, SubjectDisclosure,
    Timestamp, Withholding, WithholdingAction, WithholdingChange, WithholdingDecision,
    WithholdingInForce, WithholdingTerms,
};
use crate::storage::{Disclosures, StorageError, WithholdingDecisions};

use super::Services;

/// Why a withholding decision was not made or read.
#[derive(Debug, thiserror::Error)]
pub enum WithholdingError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no such disclosure")]
    NotFound,
    #[error("the disclosure is not withheld: there is nothing to lift")]
    NothingToLift,
    /// A field of the decision does not hold against the time it is made.
    #[error("{}", .0.description)]
    Invalid(FieldViolation),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

/// The withholding decisions of some disclosures, by disclosure id.
#[derive(Debug, Default)]
pub struct DecisionsByDisclosure(HashMap<i64, Vec<WithholdingDecision>>);

impl DecisionsByDisclosure {
    /// The withholding of `disclosure` in force at `at`.
    pub fn in_force(
        &self,
        disclosure: &StoredDisclosure,
        at: Timestamp,
    ) -> Option<WithholdingInForce> {
        let decisions = self.0.get(&disclosure.id).map_or(&[][..], Vec::as_slice);
        in_force(disclosure.details.withholding.as_ref(), decisions, at)
    }
}

impl Services {
    /// Appends the first decision of disclosure `id` of `controller`, recorded at `at` with
    /// `withholding` and `terms`; a replay appends nothing.
    pub(super) async fn keep_first_withholding_decision(
        &self,
        controller: BusinessId,
        (id, at): (i64, Timestamp),
        withholding: Withholding,
        terms: WithholdingTerms,
        caller: String,
    ) -> Result<(), StorageError> {
        self.store
            .append_withholding_decision(&NewWithholdingDecision {
                controller,
                disclosure_id: id,
                action: WithholdingAction::Initial,
                until: Some(withholding.until),
                reason: withholding.reason,
                ground: terms.ground,
                conceal_existence: terms.conceal_existence,
                decided_at: at,
                decided_by: String::new(),
                caller,
            })
            .await?;
        Ok(())
    }

    /// Appends the decision `change` asks for, named by what it does to the withholding in
    /// force now: set, extend, shorten or lift.
    pub async fn decide_withholding(
        &self,
        caller: &Caller,
        change: WithholdingChange,
    ) -> Result<WithholdingDecision, WithholdingError> {
        caller.authorize(Role::SubjectAccess, &change.controller, None)?;
        self.keeps(&change.controller)?;
        let now = self.now();
        if let Some(until) = change.until
            && until <= now
        {
            return Err(WithholdingError::Invalid(FieldViolation {
                field: "until".into(),
                description: "must be in the future; leave it unset to lift the withholding".into(),
            }));
        }
        let disclosure = self
            .disclosure_of(&change.controller, change.disclosure_id)
            .await?;
        let decisions = self
            .decisions_of(&change.controller, &[disclosure.id])
            .await?;
        let current = decisions.in_force(&disclosure, now);
        let action =
            action_of(current.as_ref(), change.until).ok_or(WithholdingError::NothingToLift)?;
        let decision = NewWithholdingDecision {
            controller: change.controller,
            disclosure_id: disclosure.id,
            action,
            until: change.until,
            reason: change.reason,
            ground: change.ground,
            conceal_existence: change.conceal_existence,
            decided_at: now,
            decided_by: change.decided_by.to_string(),
            caller: caller.name().to_owned(),
        };
        let id = self
            .store
            .append_withholding_decision(&decision)
            .await?
            .ok_or_else(|| StorageError::Corrupt("a later decision was taken as a first".into()))?;
        Ok(WithholdingDecision { id, decision })
    }

    /// The withholding decisions of disclosure `id`, oldest first, for its auditors and
    /// the staff who answer access requests.
    pub async fn withholding_decisions(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        id: u64,
    ) -> Result<Vec<WithholdingDecision>, WithholdingError> {
        caller.authorize_one_of(&[Role::Auditor, Role::SubjectAccess], controller)?;
        self.keeps(controller)?;
        let disclosure = self.disclosure_of(controller, id).await?;
        Ok(self
            .store
            .withholding_decisions(controller, &[disclosure.id])
            .await?)
    }

    /// The withholding decisions of `disclosures` of `controller`.
    pub(super) async fn decisions_of(
        &self,
        controller: &BusinessId,
        disclosures: &[i64],
    ) -> Result<DecisionsByDisclosure, StorageError> {
        let mut by_disclosure: HashMap<i64, Vec<WithholdingDecision>> = HashMap::new();
        for decision in self
            .store
            .withholding_decisions(controller, disclosures)
            .await?
        {
            by_disclosure
                .entry(decision.decision.disclosure_id)
                .or_default()
                .push(decision);
        }
        Ok(DecisionsByDisclosure(by_disclosure))
    }

    /// The withholding decisions of every disclosure in `found`, asked of each recording
    /// controller (a joint register's disclosures may be another controller's).
    pub(super) async fn decisions_of_found(
        &self,
        found: &[SubjectDisclosure],
    ) -> Result<DecisionsByDisclosure, StorageError> {
        let mut ids: BTreeMap<&BusinessId, Vec<i64>> = BTreeMap::new();
        for item in found {
            ids.entry(&item.disclosure.details.controller)
                .or_default()
                .push(item.disclosure.id);
        }
        let mut all = DecisionsByDisclosure::default();
        for (controller, mut ids) in ids {
            ids.sort_unstable();
            ids.dedup();
            all.0.extend(self.decisions_of(controller, &ids).await?.0);
        }
        Ok(all)
    }

    async fn disclosure_of(
        &self,
        controller: &BusinessId,
        id: u64,
    ) -> Result<StoredDisclosure, WithholdingError> {
        let id = i64::try_from(id).map_err(|_| WithholdingError::NotFound)?;
        self.store
            .get_disclosure(controller, id)
            .await?
            .ok_or(WithholdingError::NotFound)
    }
}
