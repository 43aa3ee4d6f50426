//! luovutusloki, the disclosure log: records every disclosure of personal data that a
//! controller makes and answers from that record who received what, under which law.
//!
//! Dependency direction: `grpc, cli → service → log, report, catalogue → storage → domain`.
//! A front end ([`grpc`], [`cli`]) parses its input into validated [`domain`] types and
//! calls one use case of [`service`], which owns the rules and what gets recorded. Recording
//! goes through the [`log`]'s appender: identity codes are hashed and sealed by [`crypto`],
//! and one ordered writer commits many callers' disclosures in one transaction through the
//! [`storage`] role traits (SQLite or PostgreSQL, chosen once by `storage::open`).
//! `docs/architecture.md` follows a record's path through these layers.

pub mod app;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
#[doc(hidden)]
pub mod fuzzing;
pub mod grpc;
pub mod lifecycle;
pub mod log;
pub mod report;
pub mod retention;
pub mod service;
pub mod statistics;
pub mod storage;
pub mod telemetry;
pub mod transparency;
pub mod verify;
pub mod web;
