//! Recording a disclosure (RecordDisclosure, ImportDisclosures): every rule a disclosure
//! must pass before it is appended to the log, in the order they are checked.
//!
//! 1. The caller records as itself: its name is the source system
//!    ([`Services::source_system_for`], which a front end asks before it parses).
//! 2. The request parses into a [`NewDisclosure`] (every bad field named at once; the front
//!    end's job, with [`Services::limits`] and [`Services::now`]).
//! 3. The caller has the recorder role at the controller, in the register.
//! 4. This log keeps the controller's disclosures: a log bound to controllers (setting
//!    `controllers`) refuses another's ([`Services::keeps`]) and stores nothing of it.
//! 5. The register is in the catalogue and the controller is one of its controllers.
//! 6. A disclosure of a special category (Art. 9) rests on an Art. 9(2) condition that the
//!    register declares (`special_conditions`), whatever its classification and policy.
//! 7. The register declares the disclosure: a regular disclosure covers it, or it carries a
//!    requester's reference and matches an on-request group (recipient kind, provisions, and
//!    only categories the register holds). Otherwise it is undeclared, and refused, or
//!    recorded and flagged, as the register's policy says.
//! 8. Contact data of a person with a non-disclosure for personal safety (turvakielto, marked
//!    in this request or before) goes only to authorities (`protection.rs`).
//! 9. A disclosure on consent (Art. 6(1)(a) or 9(2)(a)), or one the register makes only on
//!    consent, has each subject's consent in force at occurred-at covering the recipient and
//!    every category: on request or undeclared alike.
//! 10. The appender seals the identity codes and commits it (a replay returns the receipt);
//!     then the safety marks and the first withholding decision are kept beside it.

use crate::auth::{Caller, Denied, Role};
use crate::catalogue::UndeclaredPolicy;
use crate::crypto::SubjectHash;
use crate::domain::{
    Classification, Consent, ConsentDecision, DisclosureDetails, FieldViolation, LegalBasis,
    NewDisclosure, RegisterId, SpecialCategoryCondition,
};
use crate::log::{Admission, AppendError, Recorded};
use crate::storage::{Consents, StorageError};

use super::Services;

/// Why a disclosure was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("invalid {}", fields(.0))]
    Invalid(Vec<FieldViolation>),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("caller {0} records as source system {0}, not as another")]
    ForeignSourceSystem(String),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error("register {0} is not in the register catalogue")]
    UnknownRegister(RegisterId),
    #[error("{controller} is not a controller of register {register}")]
    NotController {
        controller: crate::domain::BusinessId,
        register: RegisterId,
    },
    #[error(
        "undeclared disclosure refused: register {register} rejects undeclared disclosures, and declares no such disclosure: {why}"
    )]
    Undeclared { register: RegisterId, why: String },
    /// Special categories disclosed under an Art. 9(2) condition the register does not
    /// declare.
    #[error(
        "special-category rule: register {register} does not declare the Art. 9(2) condition {condition} (special_conditions), and a special category (Art. 9) may be disclosed only under one it declares"
    )]
    SpecialCondition {
        register: RegisterId,
        condition: &'static str,
    },
    /// The consent the disclosure names does not allow it.
    #[error("consent rule: consent_reference: {0}")]
    ConsentReference(String),
    /// These subjects (by position) have no consent that allows it.
    #[error(
        "consent rule: no consent in force at occurred_at covers the recipient and every data category for {}",
        positions(.0)
    )]
    NoConsent(Vec<usize>),
    /// These subjects (by position) have a non-disclosure for personal safety, and the
    /// disclosure carries contact data to a recipient that is not an authority.
    #[error(
        "contact data of a person with a non-disclosure for personal safety (turvakielto) may \
         be disclosed only to authorities (Laki väestötietojärjestelmästä 661/2009 36 §): {}",
        positions(.0)
    )]
    SafetyProtected(Vec<usize>),
    /// The appender did not take it (queue full, shutting down, transfer id taken).
    #[error(transparent)]
    Append(#[from] AppendError),
    /// These services were built without a recorder: a wiring fault.
    #[error("this process does not record disclosures")]
    NotRecording,
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

/// The violations' fields, comma-separated.
fn fields(violations: &[FieldViolation]) -> String {
    let names: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
    names.join(", ")
}

/// `subjects[i]` for the first twenty positions, then how many more.
fn positions(uncovered: &[usize]) -> String {
    let shown: Vec<String> = uncovered
        .iter()
        .take(20)
        .map(|i| format!("subjects[{i}]"))
        .collect();
    let more = uncovered.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

impl Services {
    /// The source system `caller` records as, given the request's `given` one: an
    /// authenticated caller records as itself (an empty one becomes its name, another is
    /// refused); the local caller of an open service names its own.
    pub fn source_system_for<'a>(
        &self,
        caller: &'a Caller,
        given: &'a str,
    ) -> Result<&'a str, RecordingError> {
        if !caller.is_authenticated() || given == caller.name() {
            return Ok(given);
        }
        if given.is_empty() {
            return Ok(caller.name());
        }
        Err(RecordingError::ForeignSourceSystem(
            caller.name().to_owned(),
        ))
    }

    /// Records `disclosure` for `caller`, checking every rule above (the source system
    /// again, in case the front end did not ask).
    pub async fn record_disclosure(
        &self,
        caller: &Caller,
        disclosure: NewDisclosure,
        admission: Admission,
    ) -> Result<Recorded, RecordingError> {
        let details = disclosure.details();
        if caller.is_authenticated() && details.source_system.as_str() != caller.name() {
            return Err(RecordingError::ForeignSourceSystem(
                caller.name().to_owned(),
            ));
        }
        caller.authorize(Role::Recorder, &details.controller, Some(&details.register))?;
        self.keeps(&details.controller)?;
        let (classification, needs_consent) = self.classify(details)?;
        // Turvakielto (no consent lifts it), and what is kept beside the entry once it is
        // accepted: the marks and the first withholding decision (service/protection.rs).
        let beside = self.check_safety_protection(caller, &disclosure).await?;
        if needs_consent {
            self.check_consents(&disclosure).await?;
        }
        let recorder = self.recorder.as_ref().ok_or(RecordingError::NotRecording)?;
        let recorded = recorder
            .record(disclosure, classification, admission)
            .await?;
        self.keep_beside(beside, &recorded).await?;
        Ok(recorded)
    }

    /// Checks `details` against its register (rules 5 to 7 above): the register must be in
    /// the catalogue and the controller one of its controllers; a special category needs a
    /// condition the register declares; an undeclared disclosure is refused or flagged as the
    /// register says. Also says whether the disclosure needs consent (rule 9).
    fn classify(
        &self,
        details: &DisclosureDetails,
    ) -> Result<(Classification, bool), RecordingError> {
        let catalogue = self.catalogue()?;
        let register = catalogue
            .get(&details.register)
            .ok_or_else(|| RecordingError::UnknownRegister(details.register.clone()))?;
        if !register.is_controlled_by(&details.controller) {
            return Err(RecordingError::NotController {
                controller: details.controller.clone(),
                register: details.register.clone(),
            });
        }
        if let Some(condition) = details.special_condition
            && !register.special_conditions.contains(&condition)
        {
            return Err(RecordingError::SpecialCondition {
                register: details.register.clone(),
                condition: condition.label(),
            });
        }
        let needs_consent = details.legal_basis == LegalBasis::Consent
            || details.special_condition == Some(SpecialCategoryCondition::ExplicitConsent)
            || register.requires_consent(details);
        match register.classify(details) {
            Ok(classification) => Ok((classification, needs_consent)),
            Err(_) if register.undeclared == UndeclaredPolicy::Flag => {
                Ok((Classification::Undeclared, needs_consent))
            }
            Err(undeclared) => Err(RecordingError::Undeclared {
                register: details.register.clone(),
                why: undeclared.to_string(),
            }),
        }
    }

    /// Checks that each subject of `disclosure` has a consent in force at occurred-at that
    /// covers the recipient and every data category. With one subject and a consent
    /// reference, the referenced consent must be that one, and the refusal says what is
    /// wrong with it; with several, each subject needs a consent of their own.
    async fn check_consents(&self, disclosure: &NewDisclosure) -> Result<(), RecordingError> {
        let d = disclosure.details();
        let keys = self.keys()?;
        let subjects: Vec<Vec<SubjectHash>> = disclosure
            .subjects()
            .iter()
            .map(|s| keys.lookup_hashes(s))
            .collect();
        if let ([hashes], Some(reference)) = (subjects.as_slice(), &d.consent_reference) {
            let consent = self.store.get_consent(&d.controller, reference).await?;
            let reason = match consent {
                None => Some(format!(
                    "there is no consent {reference} of this controller"
                )),
                Some(consent) => why_not_covered(&consent, hashes, d),
            };
            return match reason {
                None => Ok(()),
                Some(reason) => Err(RecordingError::ConsentReference(reason)),
            };
        }
        let all: Vec<SubjectHash> = subjects.iter().flatten().copied().collect();
        let consents = self.store.consents_of(&d.controller, &all).await?;
        let uncovered: Vec<usize> = subjects
            .iter()
            .enumerate()
            .filter(|(_, hashes)| {
                !consents
                    .iter()
                    .any(|c| why_not_covered(c, hashes, d).is_none())
            })
            .map(|(i, _)| i)
            .collect();
        if uncovered.is_empty() {
            Ok(())
        } else {
            Err(RecordingError::NoConsent(uncovered))
        }
    }
}

/// Why `consent` does not let `disclosure` be made to the subject with `hashes`, if it
/// does not.
fn why_not_covered(
    consent: &Consent,
    hashes: &[SubjectHash],
    disclosure: &DisclosureDetails,
) -> Option<String> {
    let terms = &consent.terms;
    let reference = &terms.reference;
    let at = disclosure.occurred_at;
    if !hashes.contains(&consent.subject_hash) {
        return Some(format!("consent {reference} is another data subject's"));
    }
    if terms.decision == ConsentDecision::Refused {
        return Some(format!("{reference} records a refusal of consent"));
    }
    if terms.given_at > at {
        return Some(format!("consent {reference} was given after occurred_at"));
    }
    if terms.valid_until.is_some_and(|until| until <= at) {
        return Some(format!("consent {reference} had expired by occurred_at"));
    }
    if consent.withdrawn_at.is_some_and(|w| w <= at) {
        return Some(format!(
            "consent {reference} was withdrawn before occurred_at"
        ));
    }
    let scope = &terms.scope;
    if !scope.covers_recipient(&disclosure.recipient) {
        return Some(format!("consent {reference} does not cover the recipient"));
    }
    let missing: Vec<&str> = disclosure
        .data_categories
        .iter()
        .filter(|c| !scope.data_categories.contains(*c))
        .map(|c| c.label())
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "consent {reference} does not cover data categories {}",
            missing.join(", ")
        ));
    }
    None
}
