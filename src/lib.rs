//! luovutusloki, the disclosure log: records every disclosure of personal data that a
//! controller makes and answers from that record who received what, under which law.
//!
//! Dependency direction: `grpc → log → domain ← storage`. Input becomes validated
//! [`domain`] types at the gRPC edge; identity codes are hashed and sealed by [`crypto`]
//! before they reach the single ordered writer of the [`log`]'s appender, which commits many
//! callers' disclosures in one transaction through the [`storage`] role traits (SQLite or
//! PostgreSQL, chosen once by `storage::open`).

pub mod app;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod grpc;
pub mod log;
pub mod report;
pub mod retention;
pub mod service;
pub mod statistics;
pub mod storage;
pub mod telemetry;
pub mod transparency;
pub mod verify;
