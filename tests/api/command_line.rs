//! The command line as a front end of the same use cases: its rules are the service's, and
//! its exit status says why a command failed.

use crate::fixtures::*;
use crate::harness::{Kind, StoppedService, on_both_backends};

on_both_backends!(
    statistics_over_more_than_ten_years_are_refused_on_the_command_line_as_over_grpc,
    a_failed_command_exits_with_a_status_that_says_why,
);

/// Runs the binary; returns its exit status and standard error.
fn fail(store: &StoppedService, args: &[&str]) -> (Option<i32>, String) {
    let output = store.command(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn statistics_over_more_than_ten_years_are_refused_on_the_command_line_as_over_grpc(
    kind: Kind,
) {
    let store = StoppedService::with(kind, vec![]).await;
    let statistics = |from: &str, to: &str| {
        fail(
            &store,
            &[
                "report",
                "statistics",
                "--controller",
                &koko(),
                "--from",
                from,
                "--to",
                to,
            ],
        )
    };

    let (ten_years, _) = statistics("2016-01-01", "2026-01-07");
    let (longer, stderr) = statistics("2016-01-01", "2026-01-08");

    assert_eq!(ten_years, Some(0), "3,660 days are allowed");
    assert_eq!(longer, Some(2), "{stderr}");
    assert!(stderr.contains("--to"), "{stderr}");
    assert!(stderr.contains("3660 days"), "{stderr}");
}

async fn a_failed_command_exits_with_a_status_that_says_why(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-exit", vec![hetu(0)])],
    )
    .await;

    let reversed = fail(
        &store,
        &[
            "report",
            "art30",
            "--register",
            "koko-jasen-ja-maksurekisteri",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        ],
    );
    let no_consent = fail(
        &store,
        &[
            "consents",
            "show",
            "--controller",
            &koko(),
            "--reference",
            "SUOSTUMUS-404",
        ],
    );
    let no_register = fail(
        &store,
        &[
            "report",
            "art30",
            "--register",
            "no-such-register",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ],
    );
    let no_checkpoint = fail(
        &store,
        &[
            "prove",
            "consistency",
            "--old-size",
            "1",
            "--new-size",
            "999",
        ],
    );

    assert_eq!(reversed.0, Some(2), "a bad argument: {}", reversed.1);
    assert_eq!(no_consent.0, Some(3), "not found: {}", no_consent.1);
    assert!(
        no_consent.1.contains("no consent SUOSTUMUS-404"),
        "{}",
        no_consent.1
    );
    assert_eq!(no_register.0, Some(3), "not found: {}", no_register.1);
    assert_eq!(no_checkpoint.0, Some(3), "not found: {}", no_checkpoint.1);
}
