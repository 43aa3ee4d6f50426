//! Storage: small role traits (appending to the log, reading it, checkpoints, disclosures,
//! consents, lookups, statistics, retention, health), each implemented once over
//! `SqlStore<DB>` for both sqlx backends (SQLite, the embedded default, and PostgreSQL for
//! production), which differ only where their SQL must (`sqlite.rs`, `postgres.rs`). The
//! backend is chosen once, by [`open`], and [`Store`] dispatches to it. The only place that
//! imports sqlx.

mod access_requests;
mod append;
mod batch;
mod checkpoints;
mod codec;
mod columns;
mod consents;
mod disclosures;
mod health;
mod integrate;
mod log;
mod lookups;
mod open;
mod partitions;
mod postgres;
mod protections;
mod retention;
mod rollup;
mod rows;
mod sqlite;
mod store;
mod tree;
mod withholdings;

pub use access_requests::AccessRequests;
pub use append::LogAppend;
pub use checkpoints::Checkpoints;
pub use consents::Consents;
pub use disclosures::Disclosures;
pub use health::Health;
pub use log::LogRead;
pub use lookups::Lookups;
pub use open::{Backend, OpenOptions, Store, open};
pub use protections::{NewSafetyDecision, SafetyProtections};
pub use retention::Retention;
pub use rollup::Statistics;
pub use withholdings::WithholdingDecisions;

/// Every role trait, for `use crate::storage::prelude::*` where a caller uses several.
pub mod prelude {
    pub use super::{
        AccessRequests, Checkpoints, Consents, Disclosures, Health, LogAppend, LogRead, Lookups,
        Retention, SafetyProtections, Statistics, WithholdingDecisions,
    };
}

/// Why storage failed. The detail is for the log, never for the caller.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database or its driver failed (a lost connection, a failed statement, a failed
    /// migration); the source says how.
    #[error("database: {0}")]
    Unexpected(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database cannot be reached or is going away (refused or lost connections, no
    /// connection within the acquire timeout, a server shutting down or starting up): the
    /// same call may succeed once it is back.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("stored row does not decode: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Config(String),
    /// Other writers kept moving the log head, or taking the batch's transfer ids, while it
    /// was being planned.
    #[error("another writer kept moving the log head or taking transfer ids; tried {0} times")]
    Contended(usize),
    /// One batch failure reported to each of its callers.
    #[error(transparent)]
    Shared(#[from] std::sync::Arc<StorageError>),
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            Self::Unavailable(Box::new(error))
        } else {
            Self::Unexpected(Box::new(error))
        }
    }
}

/// Whether `error` says the database is out of reach rather than that the statement failed.
fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception), and 57P01..57P03: the server is shutting
        // down (fast or immediate), crashed, or is starting up.
        sqlx::Error::Database(error) => error.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl StorageError {
    /// Whether the database was out of reach: retrying later may succeed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::Shared(shared) => shared.is_unavailable(),
            _ => false,
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StorageError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Unexpected(Box::new(error))
    }
}

/// One connection pool's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// `main`, or `read` and `write` where writes have a pool of their own (SQLite).
    pub name: &'static str,
    /// Open connections, idle or in use.
    pub size: u32,
    pub idle: usize,
}
