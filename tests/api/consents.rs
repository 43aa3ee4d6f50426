//! Consents (seed 002): health data goes to an employment service provider only with the
//! customer's specific written consent in force; a refusal is on record too; withdrawal is not
//! retroactive.

use luovutusloki::grpc::proto::{
    ConsentDecision, GetConsentRequest, ListAccessLookupsRequest, ListConsentsRequest,
    LookupOperation, RecordDisclosureRequest, WithdrawConsentRequest,
};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, StoppedService, TestApp, on_both_backends};

on_both_backends!(
    health_data_to_a_service_provider_needs_the_subjects_consent_in_force,
    a_withdrawal_stops_later_disclosures_but_not_earlier_ones,
    a_refusal_is_on_record_and_refuses_the_disclosure,
    a_consent_must_be_the_subjects_own_and_cover_every_category,
    in_a_disclosure_of_several_subjects_each_needs_a_consent_of_their_own,
    recording_a_consent_again_returns_it_and_a_different_one_is_already_exists,
    listing_a_subjects_consents_is_a_recorded_lookup,
    the_command_line_records_withdraws_and_lists_consents,
);

const REFERENCE: &str = "suostumus-2026-0042";

async fn refusal_of(app: &mut TestApp, request: RecordDisclosureRequest) -> String {
    let refused = app.client.record_disclosure(request).await.unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
    refused.message().to_owned()
}

async fn health_data_to_a_service_provider_needs_the_subjects_consent_in_force(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let without = refusal_of(
        &mut app,
        health_data_to_service_provider("tyonantaja-1", hetu(0)),
    )
    .await;
    app.client
        .record_consent(service_provider_consent(KOKKOLA, REFERENCE, hetu(0)))
        .await
        .unwrap();
    let with = app
        .client
        .record_disclosure(health_data_to_service_provider("tyonantaja-1", hetu(0)))
        .await;

    assert!(
        without.contains("there is no consent suostumus-2026-0042"),
        "{without}"
    );
    assert!(with.is_ok(), "{with:?}");
    assert_eq!(app.db.disclosure_count().await, 1);
}

async fn a_withdrawal_stops_later_disclosures_but_not_earlier_ones(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(KOKKOLA, REFERENCE, hetu(0)))
        .await
        .unwrap();
    let withdrawn = app
        .client
        .withdraw_consent(WithdrawConsentRequest {
            controller_id: KOKKOLA.into(),
            reference: REFERENCE.into(),
            withdrawn_at: at(OCTOBER_2026 + 2 * 86_400),
        })
        .await
        .unwrap()
        .into_inner();

    // Occurred the day after the consent and before the withdrawal: still covered.
    let before = app
        .client
        .record_disclosure(health_data_to_service_provider("ennen", hetu(0)))
        .await;
    let mut later = health_data_to_service_provider("jalkeen", hetu(0));
    later.occurred_at = at(OCTOBER_2026 + 3 * 86_400);
    let after = refusal_of(&mut app, later).await;

    assert!(withdrawn.withdrawn_at.is_some());
    assert!(before.is_ok(), "{before:?}");
    assert!(
        after.contains("was withdrawn before occurred_at"),
        "{after}"
    );
}

async fn a_refusal_is_on_record_and_refuses_the_disclosure(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent_refusal(service_provider_consent(KOKKOLA, REFERENCE, hetu(0)))
        .await
        .unwrap();

    let stored = app
        .client
        .get_consent(GetConsentRequest {
            controller_id: KOKKOLA.into(),
            reference: REFERENCE.into(),
        })
        .await
        .unwrap()
        .into_inner();
    let refused = refusal_of(&mut app, health_data_to_service_provider("kielto", hetu(0))).await;
    let not_withdrawable = app
        .client
        .withdraw_consent(WithdrawConsentRequest {
            controller_id: KOKKOLA.into(),
            reference: REFERENCE.into(),
            withdrawn_at: None,
        })
        .await
        .unwrap_err();

    assert_eq!(stored.decision(), ConsentDecision::Refused);
    assert!(refused.contains("records a refusal"), "{refused}");
    assert_eq!(not_withdrawable.code(), Code::FailedPrecondition);
}

async fn a_consent_must_be_the_subjects_own_and_cover_every_category(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(KOKKOLA, REFERENCE, hetu(1)))
        .await
        .unwrap();
    let mut identity_only = service_provider_consent(KOKKOLA, "vain-henkilotiedot", hetu(0));
    identity_only.scope.as_mut().unwrap().data_categories =
        vec![luovutusloki::grpc::proto::DataCategory::Identity.into()];
    app.client.record_consent(identity_only).await.unwrap();

    let someone_elses =
        refusal_of(&mut app, health_data_to_service_provider("toisen", hetu(0))).await;
    let mut narrow = health_data_to_service_provider("suppea", hetu(0));
    narrow.consent_reference = "vain-henkilotiedot".into();
    let too_narrow = refusal_of(&mut app, narrow).await;

    assert!(
        someone_elses.contains("another data subject's"),
        "{someone_elses}"
    );
    assert!(
        too_narrow.contains("does not cover data categories health_and_work_ability"),
        "{too_narrow}"
    );
    assert_eq!(app.db.disclosure_count().await, 0);
}

async fn in_a_disclosure_of_several_subjects_each_needs_a_consent_of_their_own(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(KOKKOLA, "s-0", hetu(0)))
        .await
        .unwrap();
    app.client
        .record_consent(service_provider_consent(KOKKOLA, "s-2", hetu(2)))
        .await
        .unwrap();
    let mut three = health_data_to_service_provider("kolme", hetu(0));
    three.subjects = hetus(0, 3);

    let refused = refusal_of(&mut app, three.clone()).await;
    app.client
        .record_consent(service_provider_consent(KOKKOLA, "s-1", hetu(1)))
        .await
        .unwrap();
    let accepted = app.client.record_disclosure(three).await;

    assert!(refused.ends_with("for subjects[1]"), "{refused}");
    assert!(accepted.is_ok(), "{accepted:?}");
}

async fn recording_a_consent_again_returns_it_and_a_different_one_is_already_exists(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let consent = service_provider_consent(KOKKOLA, REFERENCE, hetu(0));

    let first = app
        .client
        .record_consent(consent.clone())
        .await
        .unwrap()
        .into_inner();
    let again = app
        .client
        .record_consent(consent.clone())
        .await
        .unwrap()
        .into_inner();
    let other_subject = app
        .client
        .record_consent(service_provider_consent(KOKKOLA, REFERENCE, hetu(1)))
        .await
        .unwrap_err();

    assert_eq!(again, first);
    assert_eq!(other_subject.code(), Code::AlreadyExists);
}

async fn listing_a_subjects_consents_is_a_recorded_lookup(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(KOKKOLA, "a", hetu(0)))
        .await
        .unwrap();
    app.client
        .record_consent_refusal(service_provider_consent(KOKKOLA, "b", hetu(0)))
        .await
        .unwrap();
    app.client
        .record_consent(service_provider_consent(KOKKOLA, "c", hetu(1)))
        .await
        .unwrap();

    let listed = app
        .client
        .list_consents(ListConsentsRequest {
            controller_id: KOKKOLA.into(),
            subject: hetu(0),
            context: access_case(),
        })
        .await
        .unwrap()
        .into_inner()
        .consents;
    let lookups = app
        .client
        .list_access_lookups(ListAccessLookupsRequest {
            controller_id: KOKKOLA.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .lookups;

    let references: Vec<_> = listed.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(references, ["a", "b"]);
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].operation(), LookupOperation::ListConsents);
}

async fn the_command_line_records_withdraws_and_lists_consents(kind: Kind) {
    let store = StoppedService::with(kind, Vec::new()).await;
    let code = hetu(0);
    let record = |verb: &str, reference: &str| {
        store.run(&[
            "consents",
            verb,
            "--controller",
            KOKKOLA,
            "--reference",
            reference,
            "--hetu",
            &code,
            "--recipient-kind",
            "employer",
            "--categories",
            "identity,health_and_work_ability",
            "--purpose",
            "Työkyvyn huomioiminen",
            "--given",
            "2026-10-05",
            "--document",
            "ASIAKIRJA-118",
        ])
    };

    let recorded = record("record", "s-1");
    let refused = record("refuse", "s-2");
    let withdrawn = store.run(&[
        "consents",
        "withdraw",
        "--controller",
        KOKKOLA,
        "--reference",
        "s-1",
        "--at",
        "2026-11-01",
    ]);
    let mut list = store
        .command(&[
            "consents",
            "list",
            "--controller",
            KOKKOLA,
            "--hetu",
            "-",
            "--case",
            "TAR-9",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        writeln!(list.stdin.take().unwrap(), "{code}").unwrap();
    }
    let listed = String::from_utf8(list.wait_with_output().unwrap().stdout).unwrap();
    let lookups = store.run(&[
        "report",
        "lookups",
        "--controller",
        KOKKOLA,
        "--case",
        "TAR-9",
    ]);

    assert!(
        recorded.starts_with("s-1 given given 2026-10-05"),
        "{recorded}"
    );
    assert!(refused.starts_with("s-2 refused"), "{refused}");
    assert!(withdrawn.contains("withdrawn 2026-11-01"), "{withdrawn}");
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(lookups.contains(",list_consents,"), "{lookups}");
    assert!(!listed.contains(&code) && !lookups.contains(&code));
}
