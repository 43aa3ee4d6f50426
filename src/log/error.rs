//! Why an append failed.

use crate::storage::StorageError;

/// Why a disclosure was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("the write queue is full")]
    QueueFull,
    #[error("the service is shutting down")]
    ShuttingDown,
    #[error("the transfer id was already used for a different disclosure")]
    Conflict,
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}
