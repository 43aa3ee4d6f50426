//! Reading the log's disclosures: one by id and filtered pages for auditors
//! (GetDisclosure, ListDisclosures), and a data subject's disclosures for the staff who
//! answer access requests (ListSubjectDisclosures), recorded as a lookup first.

use crate::auth::{Caller, Denied, Role};
use crate::domain::{BusinessId, Hetu, LookupContext, LookupOperation, StoredDisclosure};
use crate::domain::{Cursor, DisclosureFilter, Period, SubjectDisclosure};
use crate::storage::{Disclosures, StorageError};

use super::Services;
use super::paging::{self, Page, PageRequest};

/// Why disclosures could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DisclosureQueryError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no such disclosure")]
    NotFound,
    #[error("page_token {0}")]
    PageToken(&'static str),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

/// Whose disclosures a subject listing asks for, over which period, and why.
#[derive(Debug, Clone)]
pub struct SubjectListing {
    pub subject: Hetu,
    pub period: Period,
    pub context: LookupContext,
}

impl Services {
    /// Disclosure `id` of `controller`; another controller's is not found, as a missing one.
    pub async fn get_disclosure(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        id: u64,
    ) -> Result<StoredDisclosure, DisclosureQueryError> {
        caller.authorize(Role::Auditor, controller, None)?;
        self.keeps(controller)?;
        let id = i64::try_from(id).map_err(|_| DisclosureQueryError::NotFound)?;
        self.store
            .get_disclosure(controller, id)
            .await?
            .ok_or(DisclosureQueryError::NotFound)
    }

    /// A page of `controller`'s disclosures matching `filter`, in (occurred-at, id) order.
    pub async fn list_disclosures(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        filter: &DisclosureFilter,
        page: &PageRequest,
    ) -> Result<Page<StoredDisclosure>, DisclosureQueryError> {
        caller.authorize(Role::Auditor, controller, filter.register.as_ref())?;
        self.keeps(controller)?;
        let query = format!("{controller}|{filter:?}");
        let after = paging::decode(&page.token, &query).map_err(DisclosureQueryError::PageToken)?;
        let found = self
            .store
            .list_disclosures(controller, filter, after, page.size() + 1)
            .await?;
        Ok(Page::of(found, page.size(), &query, |d| Cursor {
            occurred_at: d.details.occurred_at.micros(),
            id: d.id,
        }))
    }

    /// A page of the disclosures of one data subject's data, each with the subject's entry;
    /// the lookup is recorded before anything is read. They are `controller`'s own, and those
    /// of its joint registers whose records are shared, whoever recorded them.
    pub async fn list_subject_disclosures(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        listing: SubjectListing,
        page: &PageRequest,
    ) -> Result<Page<SubjectDisclosure>, DisclosureQueryError> {
        caller.authorize(Role::SubjectAccess, controller, None)?;
        self.keeps(controller)?;
        let SubjectListing {
            subject,
            period,
            context,
        } = listing;
        self.record_lookup(
            caller,
            controller,
            &subject,
            (context, LookupOperation::ListSubjectDisclosures, period),
            self.now(),
        )
        .await?;
        let hashes = self.keys()?.lookup_hashes(&subject);
        let joint = super::reports::shared_registers(&*self.catalogue()?, controller);
        // The hashes bind the token to this subject without putting the code in it.
        let query = format!("{controller}|{}|{period:?}", hex::encode(hashes[0]));
        let after = paging::decode(&page.token, &query).map_err(DisclosureQueryError::PageToken)?;
        let found = self
            .store
            .list_subject_disclosures(controller, &joint, &hashes, period, after, page.size() + 1)
            .await?;
        Ok(Page::of(found, page.size(), &query, |s| Cursor {
            occurred_at: s.disclosure.details.occurred_at.micros(),
            id: s.entry_id,
        }))
    }
}
