//! Lookups by identity code are themselves on record: who looked up whom, when, and why.

use luovutusloki::grpc::proto::{
    AccessLookup, ListAccessLookupsRequest, ListSubjectDisclosuresRequest, LookupContext,
    LookupOperation,
};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, TestApp, on_both_backends};

on_both_backends!(
    every_lookup_by_identity_code_appears_in_the_lookup_list,
    a_lookup_without_its_context_is_refused_and_not_made,
    another_controllers_lookups_are_invisible,
    lookups_made_at_the_same_time_are_each_recorded_once,
);

fn context(requested_by: &str, case_reference: &str) -> Option<LookupContext> {
    Some(LookupContext {
        requested_by: requested_by.into(),
        case_reference: case_reference.into(),
    })
}

async fn look_up(app: &mut TestApp, subject: String, context: Option<LookupContext>) {
    app.client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            controller_id: koko(),
            subject,
            context,
            ..Default::default()
        })
        .await
        .unwrap();
}

async fn lookups(app: &mut TestApp, request: ListAccessLookupsRequest) -> Vec<AccessLookup> {
    app.client
        .list_access_lookups(request)
        .await
        .unwrap()
        .into_inner()
        .lookups
}

fn cases(found: &[AccessLookup]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|l| (l.requested_by.as_str(), l.case_reference.as_str()))
        .collect()
}

async fn every_lookup_by_identity_code_appears_in_the_lookup_list(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_disclosure(income_register_submission("koko-1", hetus(0, 2)))
        .await
        .unwrap();
    look_up(&mut app, hetu(0), context("liisa", "TAR-1")).await;
    look_up(&mut app, hetu(1), context("pekka", "TAR-2")).await;
    look_up(&mut app, hetu(0), context("pekka", "TAR-3")).await;

    let all = lookups(
        &mut app,
        ListAccessLookupsRequest {
            controller_id: koko(),
            ..Default::default()
        },
    )
    .await;
    let by_pekka = lookups(
        &mut app,
        ListAccessLookupsRequest {
            controller_id: koko(),
            requested_by: "pekka".into(),
            ..Default::default()
        },
    )
    .await;
    let of_subject = lookups(
        &mut app,
        ListAccessLookupsRequest {
            controller_id: koko(),
            subject: hetu(0),
            context: context("tietosuojavastaava", "VALVONTA-7"),
            ..Default::default()
        },
    )
    .await;

    assert_eq!(
        cases(&all),
        [("liisa", "TAR-1"), ("pekka", "TAR-2"), ("pekka", "TAR-3")]
    );
    assert!(
        all.iter()
            .all(|l| l.operation() == LookupOperation::ListSubjectDisclosures)
    );
    assert_eq!(
        all[0].subject_hash, all[2].subject_hash,
        "one person, one hash"
    );
    assert_ne!(all[0].subject_hash, all[1].subject_hash);
    assert_eq!(cases(&by_pekka), [("pekka", "TAR-2"), ("pekka", "TAR-3")]);
    assert_eq!(
        cases(&of_subject),
        [
            ("liisa", "TAR-1"),
            ("pekka", "TAR-3"),
            ("tietosuojavastaava", "VALVONTA-7")
        ],
        "looking up someone's lookups is a lookup too"
    );
    assert_eq!(
        of_subject[2].operation(),
        LookupOperation::ListAccessLookups
    );
}

async fn a_lookup_without_its_context_is_refused_and_not_made(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let refused = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            controller_id: koko(),
            subject: hetu(0),
            ..Default::default()
        })
        .await
        .unwrap_err();

    assert_eq!(refused.code(), Code::InvalidArgument);
    let fields = bad_fields(&refused);
    assert_eq!(fields, ["context.requested_by", "context.case_reference"]);
    assert_eq!(
        app.db.scalar("SELECT COUNT(*) FROM access_lookups").await,
        0
    );
}

async fn another_controllers_lookups_are_invisible(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    look_up(&mut app, hetu(0), context("liisa", "TAR-1")).await;

    let theirs = lookups(
        &mut app,
        ListAccessLookupsRequest {
            controller_id: KOKKOLA.into(),
            ..Default::default()
        },
    )
    .await;

    assert!(theirs.is_empty());
}

async fn lookups_made_at_the_same_time_are_each_recorded_once(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_disclosure(income_register_submission("koko-1", hetus(0, 4)))
        .await
        .unwrap();

    // Enough at once that they share commits of the lookup record.
    let calls = (0..40).map(|n| {
        let mut client = app.client.clone();
        async move {
            client
                .list_subject_disclosures(ListSubjectDisclosuresRequest {
                    controller_id: koko(),
                    subject: hetu(n % 4),
                    context: context("liisa", &format!("TAR-{n}")),
                    ..Default::default()
                })
                .await
                .map(|answer| answer.into_inner().disclosures.len())
        }
    });
    let answers = futures_util::future::join_all(calls).await;

    assert!(answers.iter().all(|a| matches!(a, Ok(1))), "{answers:?}");
    let found = lookups(
        &mut app,
        ListAccessLookupsRequest {
            controller_id: koko(),
            page_size: 100,
            ..Default::default()
        },
    )
    .await;
    let mut recorded: Vec<&str> = found.iter().map(|l| l.case_reference.as_str()).collect();
    recorded.sort_unstable();
    let mut made: Vec<String> = (0..40).map(|n| format!("TAR-{n}")).collect();
    made.sort_unstable();
    assert_eq!(recorded, made, "each lookup once, none lost");
}
