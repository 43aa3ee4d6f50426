//! The use cases' errors as gRPC statuses: one exhaustive `From` per error enum, so a new
//! variant fails the build until it is mapped here. Internal detail is logged, never sent.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::auth::Denied;
use crate::domain::FieldViolation;
use crate::log::AppendError;
use crate::service::{
    ConsentError, DisclosureQueryError, EvidenceError, LookupQueryError, OtherLog, RecordingError,
    RegisterError, ReportError, SafetyDecisionError, WithholdingError,
};
use crate::storage::StorageError;

/// Most field violations sent in one status; they travel in a trailer, which has a size limit.
pub const MAX_VIOLATIONS: usize = 100;

/// INVALID_ARGUMENT with a `google.rpc.BadRequest` naming every bad field (up to
/// [`MAX_VIOLATIONS`], then one more saying how many were left out).
pub fn invalid_argument(violations: Vec<FieldViolation>) -> Status {
    let total = violations.len();
    let mut details = ErrorDetails::new();
    let mut names = Vec::new();
    for violation in violations.iter().take(MAX_VIOLATIONS) {
        details.add_bad_request_violation(violation.field.clone(), violation.description.clone());
        names.push(violation.field.as_str());
    }
    if total > MAX_VIOLATIONS {
        details.add_bad_request_violation(
            "",
            format!("{} more invalid fields not listed", total - MAX_VIOLATIONS),
        );
    }
    let shown = names
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = if total > 10 { ", ..." } else { "" };
    Status::with_error_details(
        Code::InvalidArgument,
        format!("{total} invalid field(s): {shown}{more}"),
        details,
    )
}

/// INVALID_ARGUMENT for one field.
pub fn invalid_field(field: &str, description: impl std::fmt::Display) -> Status {
    invalid_argument(vec![FieldViolation {
        field: field.to_owned(),
        description: description.to_string(),
    }])
}

/// INTERNAL, opaque to the caller; the detail goes to the log.
pub fn internal(error: &StorageError) -> Status {
    tracing::error!(%error, "request failed");
    Status::internal("internal error")
}

impl From<AppendError> for Status {
    fn from(error: AppendError) -> Self {
        match error {
            AppendError::QueueFull => super::guard::retry_later(
                "the write queue is full; retry after a short pause",
                std::time::Duration::from_millis(100),
            ),
            AppendError::ShuttingDown => Status::unavailable("the service is shutting down"),
            AppendError::Conflict => Status::already_exists(
                "the transfer id was already used for a different disclosure of this controller",
            ),
            AppendError::Unexpected(error) => error.into(),
        }
    }
}

impl From<StorageError> for Status {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Shared(shared) => match &*shared {
                StorageError::Contended(_) => contended(),
                StorageError::Unavailable(_) => unavailable(&shared),
                other => internal(other),
            },
            StorageError::Contended(_) => contended(),
            StorageError::Unavailable(_) => unavailable(&error),
            other => internal(&other),
        }
    }
}

/// The database is out of reach: safe to retry (a record with the same transfer id is
/// stored once, even if the lost answer was to a committed batch).
fn unavailable(error: &StorageError) -> Status {
    tracing::warn!(%error, "request failed");
    Status::with_error_details(
        Code::Unavailable,
        "the database is unavailable; retry after a short pause",
        ErrorDetails::with_retry_info(Some(std::time::Duration::from_millis(500))),
    )
}

/// Another instance kept writing at the same time: safe to retry.
fn contended() -> Status {
    Status::aborted("another instance kept writing to the log at the same time; retry")
}

/// The precondition-failure type of a call for a controller whose disclosures this log does
/// not keep (setting `controllers`); its subject is the field that named the controller.
pub const OTHER_LOG: &str = "CONTROLLER_NOT_IN_THIS_LOG";

/// FAILED_PRECONDITION: the request is well formed, but this log is bound to other
/// controllers; the caller should have gone to the controller's own instance.
impl From<OtherLog> for Status {
    fn from(error: OtherLog) -> Self {
        Status::with_error_details(
            Code::FailedPrecondition,
            error.to_string(),
            ErrorDetails::with_precondition_failure_violation(
                OTHER_LOG,
                "controller_id",
                error.to_string(),
            ),
        )
    }
}

impl From<Denied> for Status {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Unauthenticated => Status::unauthenticated(
                "credentials required: a client certificate or a bearer token of a configured caller",
            ),
            Denied::Forbidden(refusal) => Status::permission_denied(refusal.to_string()),
        }
    }
}

impl From<RecordingError> for Status {
    fn from(error: RecordingError) -> Self {
        match error {
            RecordingError::Invalid(violations) => invalid_argument(violations),
            RecordingError::Denied(denied) => denied.into(),
            RecordingError::OtherLog(other) => other.into(),
            RecordingError::ForeignSourceSystem(_) => Status::permission_denied(error.to_string()),
            RecordingError::UnknownRegister(_)
            | RecordingError::NotController { .. }
            | RecordingError::Undeclared { .. }
            | RecordingError::SpecialCondition { .. }
            | RecordingError::ConsentReference(_)
            | RecordingError::NoConsent(_)
            | RecordingError::SafetyProtected(_) => Status::failed_precondition(error.to_string()),
            RecordingError::Append(append) => append.into(),
            RecordingError::NotRecording => {
                tracing::error!(%error, "request failed");
                Status::internal("internal error")
            }
            RecordingError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<ConsentError> for Status {
    fn from(error: ConsentError) -> Self {
        match error {
            ConsentError::Denied(denied) => denied.into(),
            ConsentError::OtherLog(other) => other.into(),
            ConsentError::ReferenceTaken(_) => Status::already_exists(error.to_string()),
            ConsentError::NotFound(_) => Status::not_found(error.to_string()),
            ConsentError::Refusal(_) => Status::failed_precondition(error.to_string()),
            ConsentError::Validity(fault) => invalid_field("valid_until", fault),
            ConsentError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<DisclosureQueryError> for Status {
    fn from(error: DisclosureQueryError) -> Self {
        match error {
            DisclosureQueryError::Denied(denied) => denied.into(),
            DisclosureQueryError::OtherLog(other) => other.into(),
            DisclosureQueryError::NotFound => Status::not_found(error.to_string()),
            DisclosureQueryError::PageToken(why) => invalid_field("page_token", why),
            DisclosureQueryError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<LookupQueryError> for Status {
    fn from(error: LookupQueryError) -> Self {
        match error {
            LookupQueryError::Denied(denied) => denied.into(),
            LookupQueryError::OtherLog(other) => other.into(),
            LookupQueryError::PageToken(why) => invalid_field("page_token", why),
            LookupQueryError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<ReportError> for Status {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Denied(denied) => denied.into(),
            ReportError::OtherLog(other) => other.into(),
            ReportError::UnknownRegister(_) => Status::not_found(error.to_string()),
            ReportError::NotController { .. } => Status::failed_precondition(error.to_string()),
            ReportError::ControllerNeeded(_) => invalid_field("controller_id", error),
            ReportError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<RegisterError> for Status {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::Denied(denied) => denied.into(),
            RegisterError::NotFound(_) => Status::not_found(error.to_string()),
            RegisterError::NotReloaded(why) => Status::failed_precondition(why),
            RegisterError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<EvidenceError> for Status {
    fn from(error: EvidenceError) -> Self {
        match error {
            EvidenceError::Denied(denied) => denied.into(),
            EvidenceError::OtherLog(other) => other.into(),
            EvidenceError::NoCheckpoint | EvidenceError::NoEntry => {
                Status::not_found(error.to_string())
            }
            EvidenceError::OutOfRange(why) => Status::out_of_range(why),
            EvidenceError::Damaged(_) => Status::internal("internal error"),
            EvidenceError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<SafetyDecisionError> for Status {
    fn from(error: SafetyDecisionError) -> Self {
        match error {
            SafetyDecisionError::Denied(denied) => denied.into(),
            SafetyDecisionError::OtherLog(other) => other.into(),
            SafetyDecisionError::NothingToLift => Status::failed_precondition(error.to_string()),
            SafetyDecisionError::Unexpected(storage) => storage.into(),
        }
    }
}

impl From<WithholdingError> for Status {
    fn from(error: WithholdingError) -> Self {
        match error {
            WithholdingError::Denied(denied) => denied.into(),
            WithholdingError::OtherLog(other) => other.into(),
            WithholdingError::NotFound => Status::not_found(error.to_string()),
            WithholdingError::NothingToLift => Status::failed_precondition(error.to_string()),
            WithholdingError::Invalid(violation) => invalid_argument(vec![violation]),
            WithholdingError::Unexpected(storage) => storage.into(),
        }
    }
}
