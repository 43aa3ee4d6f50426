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
//! - A mark is not lifted through this service: the table is append-only, and a lift would
//!   be a row of its own, decided by a role; until then the controller stays on the side of
//!   protection.

use std::collections::HashSet;

use crate::auth::Caller;
use crate::domain::{
    BusinessId, DataCategory, NewDisclosure, RecipientKind, SubjectHash, Withholding,
};
use crate::domain::{DisclosureDetails, WithholdingTerms};
use crate::log::Recorded;
use crate::storage::SafetyProtections;

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

impl Services {
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
            let kept: HashSet<SubjectHash> = self
                .store
                .safety_protected(&details.controller, &all)
                .await?
                .into_iter()
                .collect();
            let protected: Vec<usize> = (0..subjects.len())
                .filter(|i| {
                    marked.binary_search(i).is_ok() || hashes[*i].iter().any(|h| kept.contains(h))
                })
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
