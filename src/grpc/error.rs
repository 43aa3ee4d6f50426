//! Domain and storage errors as gRPC statuses. Internal detail is logged, never sent.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::domain::FieldViolation;
use crate::log::AppendError;
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
                other => internal(other),
            },
            StorageError::Contended(_) => contended(),
            other => internal(&other),
        }
    }
}

/// Another instance kept writing at the same time: safe to retry.
fn contended() -> Status {
    Status::aborted("another instance kept writing to the log at the same time; retry")
}
