//! The lookup record as a use case: every lookup by identity code is recorded, and
//! committed, before it is answered, since the log holds everyone's codes.

use crate::crypto::Keyring;
use crate::domain::{BusinessId, Hetu, LookupContext, LookupOperation, Timestamp};
use crate::domain::{NewLookup, Period};
use crate::storage::prelude::*;
use crate::storage::{StorageError, Store};

/// Records a lookup of `subject` made with `operation`; a lookup that cannot be recorded
/// must not be made.
pub async fn record(
    store: &Store,
    keys: &Keyring,
    caller: &str,
    controller: &BusinessId,
    subject: &Hetu,
    (context, operation, period): (LookupContext, LookupOperation, Period),
    now: Timestamp,
) -> Result<(), StorageError> {
    let (subject_key_id, subject_hash) = keys.active_hash(subject);
    store
        .record_lookup(&NewLookup {
            controller: controller.clone(),
            looked_up_at: now,
            operation,
            context,
            caller: caller.to_owned(),
            subject_key_id,
            subject_hash,
            period,
        })
        .await?;
    Ok(())
}
