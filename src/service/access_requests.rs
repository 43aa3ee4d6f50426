//! Access request cases (GDPR Art. 15 and the time limits of Art. 12(3)): registering a
//! request as a case under its diary number, extending its time limit, preparing its
//! report, marking it answered, and listing the cases with their deadlines.
//!
//! Who may: the `subject-access` role registers, extends, prepares and answers, as it
//! answers access requests and decides their withholdings (see `withholding`). The
//! `auditor` role may list and read the cases too: they hold no identity code, and whether
//! requests are answered in time is what the data protection officer monitors (Art. 39(1)(b));
//! an auditor cannot prepare a report, which is a lookup by identity code.
//!
//! The subject is kept only as its keyed hash: a report prepared in a case must be of the
//! person the case was registered for, so a mistyped code cannot answer one person with
//! another's disclosures.

use time::Date;

use crate::auth::{Caller, Denied, Role};
use crate::domain::access_request::{first_deadline, latest_extension};
use crate::domain::finnish_time::finnish_local;
use crate::domain::provision::Language;
use crate::domain::{
    AccessRequest, BusinessId, CaseEvent, FieldViolation, Hetu, LongText, LookupContext,
    NewAccessRequest, Period, ShortText,
};
use crate::report::{ReportRequest, SubjectReport};
use crate::storage::{AccessRequests, StorageError};

use super::{ReportError, Services};

/// Why a case could not be registered, changed, read or reported on.
#[derive(Debug, thiserror::Error)]
pub enum AccessRequestError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no such access request")]
    NotFound,
    /// The diary number is another case's (received on another day, or of another person).
    #[error("diary number {0} is already the number of another access request")]
    DiaryNumberTaken(ShortText),
    #[error("the access request has been answered already")]
    AlreadyAnswered,
    /// The identity code given is not the one the case was registered for.
    #[error("the identity code is not that of the person who made this access request")]
    NotTheSubject,
    /// A field does not hold against the case or the date.
    #[error("{}", .0.description)]
    Invalid(FieldViolation),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

fn invalid(field: &str, description: impl Into<String>) -> AccessRequestError {
    AccessRequestError::Invalid(FieldViolation {
        field: field.into(),
        description: description.into(),
    })
}

/// A request to register.
#[derive(Debug, Clone)]
pub struct CaseRegistration {
    pub controller: BusinessId,
    pub diary_number: ShortText,
    pub received: Date,
    pub subject: Hetu,
}

/// What a case's report is asked for.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub subject: Hetu,
    pub period: Period,
    pub language: Language,
}

impl Services {
    /// The Finnish day today, as the use cases see it.
    pub fn today(&self) -> Date {
        finnish_local(self.now()).date()
    }

    /// Registers an access request as a case. Registering the same diary number again for
    /// the same person and day returns the case already registered (`false`: nothing new);
    /// for another person or day it is refused.
    pub async fn register_access_request(
        &self,
        caller: &Caller,
        registration: CaseRegistration,
    ) -> Result<(AccessRequest, bool), AccessRequestError> {
        caller.authorize(Role::SubjectAccess, &registration.controller, None)?;
        self.keeps(&registration.controller)?;
        if registration.received > self.today() {
            return Err(invalid("received", "must not be in the future"));
        }
        let keys = self.keys()?;
        let (subject_key_id, subject_hash) = keys.active_hash(&registration.subject);
        let case = NewAccessRequest {
            controller: registration.controller,
            diary_number: registration.diary_number,
            received: registration.received,
            subject_key_id,
            subject_hash,
            registered_at: self.now(),
            registered_by: caller.name().to_owned(),
        };
        if let Some(id) = self.store.insert_access_request(&case).await? {
            return Ok((
                AccessRequest {
                    id,
                    case,
                    events: Vec::new(),
                },
                true,
            ));
        }
        let existing = self
            .store
            .access_request_by_diary(&case.controller, &case.diary_number)
            .await?
            .ok_or_else(|| StorageError::Corrupt("a taken diary number has no case".into()))?;
        let same_person = keys
            .lookup_hashes(&registration.subject)
            .contains(&existing.case.subject_hash);
        if same_person && existing.case.received == case.received {
            Ok((existing, false))
        } else {
            Err(AccessRequestError::DiaryNumberTaken(case.diary_number))
        }
    }

    /// The cases of `controller`: open ones first, each part by deadline.
    pub async fn access_requests(
        &self,
        caller: &Caller,
        controller: &BusinessId,
    ) -> Result<Vec<AccessRequest>, AccessRequestError> {
        caller.authorize_one_of(&[Role::SubjectAccess, Role::Auditor], controller)?;
        self.keeps(controller)?;
        let mut cases = self.store.access_requests(controller).await?;
        cases.sort_by_key(|c| (c.answered_on().is_some(), c.deadline(), c.id));
        Ok(cases)
    }

    /// Case `id`, for its controller's staff and auditors.
    pub async fn access_request(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<AccessRequest, AccessRequestError> {
        let case = self.case_for(caller, id).await?;
        caller.authorize_one_of(&[Role::SubjectAccess, Role::Auditor], &case.case.controller)?;
        Ok(case)
    }

    /// Extends case `id`'s time limit to `until`, for `reason` (Art. 12(3)): only while the
    /// first month runs, since the person must be told within it, and at most two months
    /// past the first limit.
    pub async fn extend_access_request(
        &self,
        caller: &Caller,
        id: i64,
        until: Date,
        reason: LongText,
    ) -> Result<AccessRequest, AccessRequestError> {
        let case = self.case_for(caller, id).await?;
        caller.authorize(Role::SubjectAccess, &case.case.controller, None)?;
        if case.answered_on().is_some() {
            return Err(AccessRequestError::AlreadyAnswered);
        }
        let first = first_deadline(case.case.received);
        if self.today() > first {
            return Err(invalid(
                "until",
                format!(
                    "the time limit can be extended only within the first month, which ended on {first}"
                ),
            ));
        }
        let latest = latest_extension(case.case.received);
        if until <= first || until > latest {
            return Err(invalid(
                "until",
                format!("must be after {first} and no later than {latest}"),
            ));
        }
        self.store
            .append_case_event(
                case.id,
                &CaseEvent::Extended { until, reason },
                (self.now(), caller.name()),
            )
            .await?;
        self.access_request(caller, id).await
    }

    /// Marks case `id` answered on `on`: once, on a day from its receipt to today.
    pub async fn mark_access_request_answered(
        &self,
        caller: &Caller,
        id: i64,
        on: Date,
    ) -> Result<AccessRequest, AccessRequestError> {
        let case = self.case_for(caller, id).await?;
        caller.authorize(Role::SubjectAccess, &case.case.controller, None)?;
        if on < case.case.received || on > self.today() {
            return Err(invalid(
                "answered_on",
                format!(
                    "must be from the day received ({}) to today",
                    case.case.received
                ),
            ));
        }
        self.store
            .append_case_event(
                case.id,
                &CaseEvent::Answered { on },
                (self.now(), caller.name()),
            )
            .await?
            .ok_or(AccessRequestError::AlreadyAnswered)?;
        self.access_request(caller, id).await
    }

    /// The access report of case `id`: the person must be the case's; the lookup is
    /// recorded with the case's diary number as its reference and the caller as requester.
    pub async fn access_request_report(
        &self,
        caller: &Caller,
        id: i64,
        asked: CaseReport,
    ) -> Result<(AccessRequest, SubjectReport), AccessRequestError> {
        let case = self.case_for(caller, id).await?;
        caller.authorize(Role::SubjectAccess, &case.case.controller, None)?;
        if !self
            .keys()?
            .lookup_hashes(&asked.subject)
            .contains(&case.case.subject_hash)
        {
            return Err(AccessRequestError::NotTheSubject);
        }
        let requested_by = ShortText::parse(caller.name())
            .map_err(|_| StorageError::Config("a caller's name is not a short text".into()))?;
        let request = ReportRequest {
            controller: case.case.controller.clone(),
            subject: asked.subject,
            period: asked.period,
            language: asked.language,
            context: LookupContext {
                requested_by,
                case_reference: case.case.diary_number.clone(),
            },
            received: Some(case.case.received),
        };
        let report = self.subject_access_report(caller, request).await?;
        Ok((case, report))
    }

    /// Case `id` if the caller acts for its controller at all; whether another controller
    /// has a case of that number is not the caller's business.
    async fn case_for(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<AccessRequest, AccessRequestError> {
        caller.authenticated_or_local()?;
        match self.store.access_request(id).await? {
            Some(case) if caller.acts_for(&case.case.controller) => Ok(case),
            _ => Err(AccessRequestError::NotFound),
        }
    }
}
