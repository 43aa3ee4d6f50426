//! Black-box tests: a generated tonic client against the real server on port 0, each test on
//! SQLite and on PostgreSQL.

mod access;
mod appender;
mod art30;
mod browser;
mod command_line;
mod consents;
mod disclosure_rules;
mod evidence;
mod fixtures;
mod harness;
mod joint_controllers;
mod lookups;
mod observability;
mod oidc_provider;
mod one_log_per_controller;

mod operations;
mod private_cluster;
mod queries;
mod recording;
mod registers;
mod reports;
mod resilience;
mod retention;
mod rfc9162;
mod statistics;
mod turvakielto;
mod validation;
mod web;
mod web_access_requests;
mod web_auth;
mod web_disclosures;
mod web_lookups;
mod web_overview;
mod web_registers;
mod withholding;
