//! Consents and refusals (RecordConsent, RecordConsentRefusal, WithdrawConsent,
//! GetConsent, ListConsents, `luovutusloki consents …`): storing one (a replay returns
//! what is stored), withdrawing one, reading one, and listing a subject's (a lookup by
//! identity code, so recorded first).

use crate::auth::{Caller, Denied, Role};
use crate::domain::{
    BusinessId, Consent, ConsentDecision, ConsentTerms, Hetu, LookupContext, LookupOperation,
    ShortText, Timestamp,
};
use crate::domain::{ConsentInsert, NewConsent, Period};
use crate::storage::{Consents, StorageError};

use super::Services;

/// Why a consent call failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("consent reference {0} is used for a different consent")]
    ReferenceTaken(ShortText),
    #[error("no consent {0}")]
    NotFound(ShortText),
    #[error("{0} records a refusal, not a consent")]
    Refusal(ShortText),
    /// The terms' validity does not hold (see `ConsentTerms::validity_fault`).
    #[error("valid_until {0}")]
    Validity(&'static str),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

impl Services {
    /// Stores `terms` for `subject`; the same consent again returns the stored one.
    pub async fn store_consent(
        &self,
        caller: &Caller,
        terms: ConsentTerms,
        subject: &Hetu,
    ) -> Result<Consent, ConsentError> {
        caller.authorize(Role::Recorder, &terms.controller, None)?;
        self.keeps(&terms.controller)?;
        if let Some(fault) = terms.validity_fault() {
            return Err(ConsentError::Validity(fault));
        }
        let keys = self.keys()?;
        let (subject_key_id, subject_hash) = keys.active_hash(subject);
        let outcome = self
            .store
            .insert_consent(&NewConsent {
                terms: terms.clone(),
                subject_key_id,
                subject_hash,
                recorded_at: self.now(),
                recorded_by: caller.name().to_owned(),
            })
            .await?;
        match outcome {
            ConsentInsert::Stored(stored) => Ok(stored),
            ConsentInsert::Taken(stored)
                if stored.terms == terms
                    && keys.lookup_hashes(subject).contains(&stored.subject_hash) =>
            {
                Ok(stored)
            }
            ConsentInsert::Taken(_) => Err(ConsentError::ReferenceTaken(terms.reference)),
        }
    }

    /// Withdraws the consent under `reference` from `at` (by default now) on; withdrawing
    /// again changes nothing. A refusal cannot be withdrawn.
    pub async fn withdraw_consent(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        reference: &ShortText,
        at: Option<Timestamp>,
    ) -> Result<Consent, ConsentError> {
        caller.authorize(Role::Recorder, controller, None)?;
        self.keeps(controller)?;
        let at = at.unwrap_or_else(|| self.now());
        match self.store.get_consent(controller, reference).await? {
            None => Err(ConsentError::NotFound(reference.clone())),
            Some(c) if c.terms.decision == ConsentDecision::Refused => {
                Err(ConsentError::Refusal(reference.clone()))
            }
            Some(_) => self
                .store
                .withdraw_consent(controller, reference, (at, caller.name()))
                .await?
                .ok_or_else(|| ConsentError::NotFound(reference.clone())),
        }
    }

    /// The consent or refusal under `reference`, for its recorders and auditors.
    pub async fn get_consent(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        reference: &ShortText,
    ) -> Result<Consent, ConsentError> {
        caller.authorize_one_of(&[Role::Recorder, Role::Auditor], controller)?;
        self.keeps(controller)?;
        self.store
            .get_consent(controller, reference)
            .await?
            .ok_or_else(|| ConsentError::NotFound(reference.clone()))
    }

    /// A subject's consents and refusals, after recording the lookup.
    pub async fn list_consents(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        subject: &Hetu,
        context: LookupContext,
    ) -> Result<Vec<Consent>, ConsentError> {
        caller.authorize(Role::SubjectAccess, controller, None)?;
        self.keeps(controller)?;
        self.record_lookup(
            caller,
            controller,
            subject,
            (context, LookupOperation::ListConsents, Period::default()),
            self.now(),
        )
        .await?;
        Ok(self
            .store
            .consents_of(controller, &self.keys()?.lookup_hashes(subject))
            .await?)
    }
}
