//! Non-disclosure for personal safety (turvakielto): under Laki väestötietojärjestelmästä
//! 661/2009 36 §, the contact details of a protected person may be disclosed only to
//! authorities. A record request marks its protected subjects by position; the mark is kept
//! by keyed hash, per controller, so that every later disclosure of the person by the
//! controller is checked too, marked again or not.
//!
//! Decisions (docs/api.md, "Turvakielto"):
//! - A mark is kept with an *accepted* disclosure, after it is committed; a refused request
//!   stores nothing, as every refused request. If storing the mark fails after the commit,
//!   the call fails and the caller's retry (a replay of the same transfer id) stores it.
//! - A mark is a decision that can change (DecideSafetyProtection): a mark without a
//!   disclosure (e.g. when the population register reports a new turvakielto) or a lift,
//!   each appended with its reason and who decided; the latest decision about the person at
//!   the controller, under any subject key, is in force. A later disclosure that marks the
//!   person again is a new mark.
//! - Who decides on its own: the `subject-access` role at the controller. Marking or lifting
//!   names the person by identity code, as only that role's calls do, and it is the role that
//!   already decides withholdings, i.e. what the person's own data may reach; the recorder
//!   only marks with a disclosure (a recording system must not be able to remove a
//!   protection), the auditor only reads.

use std::collections::HashMap;

use crate::auth::{Caller, Denied, Role};
use crate::domain::{
    BusinessId, DataCategory, NewDisclosure, RecipientKind, SafetyAction, SafetyChange,
    SafetyDecision, SubjectHash, Withholding,
};
use crate::domain::{DisclosureDetails, WithholdingTerms};
use crate::log::Recorded;
use crate::storage::{NewSafetyDecision, SafetyProtections, StorageError};

use super::{RecordingError, Services};

/// What is kept beside an accepted disclosure, outside its leaf.
pub(super) struct Beside {
    controller: BusinessId,
    caller: String,
    /// The subjects the request marks protected, by active key id and hash.
    safety_marks: Vec<(u16, SubjectHash)>,
    /// The withholding the disclosure is recorded with, and its ground and flag: the
    /// disclosure's first withholding decision.
    first_withholding: Option<(Withholding, WithholdingTerms)>,
}

/// Whether `details` carries contact data to a recipient that is not an authority: what a
/// protected person's data must never do (661/2009 36 §).
fn contact_to_non_authority(details: &DisclosureDetails) -> bool {
    details.data_categories.contains(DataCategory::Contact)
        && details.recipient.kind != RecipientKind::Authority
}

/// Why a turvakielto decision was not made.
#[derive(Debug, thiserror::Error)]
pub enum SafetyDecisionError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("the person has no turvakielto in force at the controller: there is nothing to lift")]
    NothingToLift,
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

/// The latest decision (id, action) about each hash that has one.
type Latest = HashMap<SubjectHash, (i64, SafetyAction)>;

/// Whether the latest decision about a person, known by `hashes` (one per subject key), is
/// a mark.
fn in_force(latest: &Latest, hashes: &[SubjectHash]) -> bool {
    hashes
        .iter()
        .filter_map(|h| latest.get(h))
        .max_by_key(|(id, _)| *id)
        .is_some_and(|(_, action)| *action == SafetyAction::Mark)
}

impl Services {
    /// Appends the turvakielto decision `change` asks for: a mark, or a lift of the mark in
    /// force.
    pub async fn decide_safety_protection(
        &self,
        caller: &Caller,
        change: SafetyChange,
    ) -> Result<SafetyDecision, SafetyDecisionError> {
        caller.authorize(Role::SubjectAccess, &change.controller, None)?;
        self.keeps(&change.controller)?;
        let keys = self.keys()?;
        if change.action == SafetyAction::Lift {
            let hashes = keys.lookup_hashes(&change.subject);
            let latest = self
                .latest_safety_decisions(&change.controller, &hashes)
                .await?;
            if !in_force(&latest, &hashes) {
                return Err(SafetyDecisionError::NothingToLift);
            }
        }
        let decided_at = self.now();
        let id = self
            .store
            .decide_safety_protection(
                &change.controller,
                keys.active_hash(&change.subject),
                &NewSafetyDecision {
                    action: change.action,
                    reason: change.reason.as_str(),
                    decided_by: change.decided_by.as_str(),
                    decided_at,
                    caller: caller.name(),
                },
            )
            .await?;
        Ok(SafetyDecision {
            id,
            action: change.action,
            reason: change.reason,
            decided_at,
            decided_by: change.decided_by,
            caller: caller.name().to_owned(),
        })
    }

    async fn latest_safety_decisions(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> Result<Latest, StorageError> {
        let mut latest = Latest::new();
        for (hash, id, action) in self.store.safety_decisions(controller, hashes).await? {
            let entry = latest.entry(hash).or_insert((id, action));
            if id > entry.0 {
                *entry = (id, action);
            }
        }
        Ok(latest)
    }

    /// Refuses `disclosure` when it carries contact data to a recipient that is not an
    /// authority and any of its subjects is protected, by this request's mark or one kept
    /// before; otherwise returns what to keep beside it once it is accepted, if anything.
    pub(super) async fn check_safety_protection(
        &self,
        caller: &Caller,
        disclosure: &NewDisclosure,
    ) -> Result<Option<Beside>, RecordingError> {
        let details = disclosure.details();
        let subjects = disclosure.subjects();
        let marked = &disclosure.marks().safety_protected;
        let keys = self.keys()?;
        if contact_to_non_authority(details) {
            let hashes: Vec<Vec<SubjectHash>> =
                subjects.iter().map(|s| keys.lookup_hashes(s)).collect();
            let all: Vec<SubjectHash> = hashes.iter().flatten().copied().collect();
            let latest = self
                .latest_safety_decisions(&details.controller, &all)
                .await?;
            let protected: Vec<usize> = (0..subjects.len())
                .filter(|i| marked.binary_search(i).is_ok() || in_force(&latest, &hashes[*i]))
                .collect();
            if !protected.is_empty() {
                return Err(RecordingError::SafetyProtected(protected));
            }
        }
        if marked.is_empty() && details.withholding.is_none() {
            // The usual record: nothing to keep, nothing allocated for it.
            return Ok(None);
        }
        Ok(Some(Beside {
            controller: details.controller.clone(),
            caller: caller.name().to_owned(),
            safety_marks: marked
                .iter()
                .map(|&i| keys.active_hash(&subjects[i]))
                .collect(),
            first_withholding: details
                .withholding
                .clone()
                .map(|w| (w, disclosure.marks().withholding.clone())),
        }))
    }

    /// Keeps `beside` with the disclosure `recorded` (again, harmlessly, on a replay).
    pub(super) async fn keep_beside(
        &self,
        beside: Option<Beside>,
        recorded: &Recorded,
    ) -> Result<(), RecordingError> {
        let Some(beside) = beside else {
            return Ok(());
        };
        let receipt = &recorded.receipt;
        let controller = beside.controller;
        if !beside.safety_marks.is_empty() {
            self.store
                .mark_safety_protected(
                    &controller,
                    &beside.safety_marks,
                    (receipt.disclosure_id, receipt.recorded_at, &beside.caller),
                )
                .await?;
        }
        if let Some((withholding, terms)) = beside.first_withholding {
            self.keep_first_withholding_decision(
                controller,
                (receipt.disclosure_id, receipt.recorded_at),
                withholding,
                terms,
                beside.caller,
            )
            .await?;
        }
        Ok(())
    }
}
