//! Consents as use cases, shared by the gRPC service and the command line: storing one
//! (a replay returns what is stored), withdrawing one, and listing a subject's (a lookup by
//! identity code, so recorded first).

use crate::crypto::Keyring;
use crate::domain::{
    BusinessId, Consent, ConsentDecision, ConsentTerms, Hetu, LookupContext, LookupOperation,
    ShortText, Timestamp,
};
use crate::domain::{ConsentInsert, NewConsent, Period};
use crate::lookups;
use crate::storage::prelude::*;
use crate::storage::{StorageError, Store};

/// Why a consent call failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    #[error("consent reference {0} is used for a different consent")]
    ReferenceTaken(ShortText),
    #[error("no consent {0}")]
    NotFound(ShortText),
    #[error("{0} records a refusal, not a consent")]
    Refusal(ShortText),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Stores `terms` for `subject`; the same consent again returns the stored one.
pub async fn store(
    store: &Store,
    keys: &Keyring,
    caller: &str,
    terms: ConsentTerms,
    subject: &Hetu,
    now: Timestamp,
) -> Result<Consent, ConsentError> {
    let (subject_key_id, subject_hash) = keys.active_hash(subject);
    let outcome = store
        .insert_consent(&NewConsent {
            terms: terms.clone(),
            subject_key_id,
            subject_hash,
            recorded_at: now,
            recorded_by: caller.to_owned(),
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

/// Withdraws the consent under `reference` from `at` on; withdrawing again changes nothing.
pub async fn withdraw(
    store: &Store,
    caller: &str,
    controller: &BusinessId,
    reference: &ShortText,
    at: Timestamp,
) -> Result<Consent, ConsentError> {
    match store.get_consent(controller, reference).await? {
        None => Err(ConsentError::NotFound(reference.clone())),
        Some(c) if c.terms.decision == ConsentDecision::Refused => {
            Err(ConsentError::Refusal(reference.clone()))
        }
        Some(_) => store
            .withdraw_consent(controller, reference, (at, caller))
            .await?
            .ok_or_else(|| ConsentError::NotFound(reference.clone())),
    }
}

/// A subject's consents and refusals, after recording the lookup.
pub async fn list(
    store: &Store,
    keys: &Keyring,
    caller: &str,
    controller: &BusinessId,
    subject: &Hetu,
    context: LookupContext,
    now: Timestamp,
) -> Result<Vec<Consent>, StorageError> {
    lookups::record(
        store,
        keys,
        caller,
        controller,
        subject,
        (context, LookupOperation::ListConsents, Period::default()),
        now,
    )
    .await?;
    store
        .consents_of(controller, &keys.lookup_hashes(subject))
        .await
}
