//! The lookup record: every lookup by identity code is recorded, and committed, before it
//! is answered, since the log holds everyone's codes; and the listing of that record
//! (ListAccessLookups, `report lookups`) for auditors.

use crate::auth::{Caller, Denied, Role};
use crate::domain::{BusinessId, Hetu, LookupContext, LookupOperation, ShortText, Timestamp};
use crate::domain::{Cursor, LookupFilter, NewLookup, Period, StoredLookup};
use crate::storage::{Lookups, StorageError};

use super::Services;
use super::paging::{self, Page, PageRequest};

/// What a listing of the lookup record asks for.
#[derive(Debug, Clone, Default)]
pub struct LookupListing {
    /// Only lookups of this subject; filtering by identity code is itself a lookup of that
    /// person, made in this context.
    pub subject: Option<(Hetu, LookupContext)>,
    pub requested_by: Option<ShortText>,
    pub case_reference: Option<ShortText>,
    /// Of `looked_up_at`.
    pub period: Period,
}

/// Why the lookup record could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum LookupQueryError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("page_token {0}")]
    PageToken(&'static str),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

impl Services {
    /// Records a lookup of `subject` by `caller` before it is answered: if it cannot be
    /// recorded, the lookup is not made.
    pub(super) async fn record_lookup(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        subject: &Hetu,
        (context, operation, period): (LookupContext, LookupOperation, Period),
        at: Timestamp,
    ) -> Result<(), StorageError> {
        let (subject_key_id, subject_hash) = self.keys()?.active_hash(subject);
        // Committed with the lookups made at the same time, and only then answered.
        self.lookups
            .record(
                &self.store,
                NewLookup {
                    controller: controller.clone(),
                    looked_up_at: at,
                    operation,
                    context,
                    caller: caller.name().to_owned(),
                    subject_key_id,
                    subject_hash,
                    period,
                },
            )
            .await
    }

    /// A page of `controller`'s lookup record: auditors see it all, and who filters it by
    /// identity code needs the subject-access role and is recorded as looking that person up.
    pub async fn list_access_lookups(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        listing: &LookupListing,
        page: &PageRequest,
    ) -> Result<Page<StoredLookup>, LookupQueryError> {
        let role = match listing.subject {
            Some(_) => Role::SubjectAccess,
            None => Role::Auditor,
        };
        caller.authorize(role, controller, None)?;
        self.keeps(controller)?;
        let mut filter = LookupFilter {
            requested_by: listing.requested_by.clone(),
            case_reference: listing.case_reference.clone(),
            subject_hashes: Vec::new(),
            period: listing.period,
        };
        if let Some((subject, context)) = &listing.subject {
            self.record_lookup(
                caller,
                controller,
                subject,
                (
                    context.clone(),
                    LookupOperation::ListAccessLookups,
                    Period::default(),
                ),
                self.now(),
            )
            .await?;
            filter.subject_hashes = self.keys()?.lookup_hashes(subject);
        }
        // The hashes bind the token to the subject without putting the code in it.
        let query = format!("{controller}|{filter:?}");
        let after = paging::decode(&page.token, &query).map_err(LookupQueryError::PageToken)?;
        let found = self
            .store
            .list_lookups(controller, &filter, after, page.size() + 1)
            .await?;
        Ok(Page::of(found, page.size(), &query, |l| Cursor {
            occurred_at: l.lookup.looked_up_at.micros(),
            id: l.id,
        }))
    }
}
