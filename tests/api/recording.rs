//! Recording disclosures: read-back, large disclosures, idempotency, concurrency, import.

use std::collections::HashSet;

use futures_util::future::join_all;
use luovutusloki::grpc::proto::{GetDisclosureRequest, ListSubjectDisclosuresRequest};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, TestApp, on_both_backends};

on_both_backends!(
    a_recorded_disclosure_reads_back_as_recorded,
    a_disclosure_of_ten_thousand_subjects_is_recorded_whole,
    an_identical_replay_returns_the_original_result,
    a_different_disclosure_under_a_used_transfer_id_is_already_exists,
    sixty_four_concurrent_callers_leave_exactly_every_entry,
    replays_conflicts_and_new_disclosures_sent_together_each_get_their_own_answer,
    an_import_stream_reports_every_message,
    health_data_with_explicit_consent_is_recorded_with_its_condition,
);

async fn a_recorded_disclosure_reads_back_as_recorded(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let request = income_register_submission("tr-2026-10", hetus(0, 3));

    let receipt = app
        .client
        .record_disclosure(request.clone())
        .await
        .unwrap()
        .into_inner();
    let stored = app
        .client
        .get_disclosure(GetDisclosureRequest {
            controller_id: koko(),
            disclosure_id: receipt.disclosure_id,
        })
        .await
        .unwrap()
        .into_inner();

    assert_eq!(receipt.subject_count, 3);
    assert_eq!(stored.id, receipt.disclosure_id);
    assert_eq!(stored.first_entry_id, receipt.first_entry_id);
    assert_eq!(stored.recorded_at, receipt.recorded_at);
    assert_eq!(stored.transfer_id, request.transfer_id);
    assert_eq!(stored.occurred_at, request.occurred_at);
    assert_eq!(stored.recipient, request.recipient);
    assert_eq!(stored.register_id, request.register_id);
    assert_eq!(stored.legal_basis, request.legal_basis);
    assert_eq!(stored.data_categories, request.data_categories);
    assert_eq!(stored.purpose, request.purpose);
    assert_eq!(stored.channel, request.channel);
    assert_eq!(stored.source_system, request.source_system);
    let canonical: Vec<_> = stored
        .provisions
        .iter()
        .map(|p| p.canonical.as_str())
        .collect();
    assert_eq!(canonical, ["53/2018 6", "1290/2002 13:1.2"]);
    assert_eq!(
        stored.provisions[1].readable,
        "Työttömyysturvalaki 1290/2002 13 luku 1 § 2 mom"
    );

    let by_subject = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: koko(),
            subject: hetu(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_subject.disclosures.len(), 1);
    assert_eq!(
        by_subject.disclosures[0].entry_id,
        receipt.first_entry_id + 1
    );
    assert_eq!(
        by_subject.disclosures[0].disclosure.as_ref().unwrap().id,
        receipt.disclosure_id
    );
}

async fn a_disclosure_of_ten_thousand_subjects_is_recorded_whole(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let receipt = app
        .client
        .record_disclosure(income_register_submission("tr-big", hetus(0, 10_000)))
        .await
        .unwrap()
        .into_inner();

    assert_eq!(receipt.subject_count, 10_000);
    assert_eq!(app.db.entry_count().await, 10_000);
    let last = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: koko(),
            subject: hetu(9_999),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(last.disclosures[0].entry_id, receipt.first_entry_id + 9_999);
}

async fn an_identical_replay_returns_the_original_result(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let request = income_register_submission("tr-retry", hetus(0, 5));

    let first = app.client.record_disclosure(request.clone()).await.unwrap();
    let again = app.client.record_disclosure(request).await.unwrap();

    assert!(first.metadata().get("x-luovutusloki-replayed").is_none());
    assert_eq!(
        again.metadata().get("x-luovutusloki-replayed").unwrap(),
        "true"
    );
    assert_eq!(again.into_inner(), first.into_inner());
    assert_eq!(app.db.entry_count().await, 5);
    assert_eq!(app.db.disclosure_count().await, 1);
}

async fn a_different_disclosure_under_a_used_transfer_id_is_already_exists(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_disclosure(income_register_submission("tr-dup", hetus(0, 5)))
        .await
        .unwrap();

    let other_subjects = app
        .client
        .record_disclosure(income_register_submission("tr-dup", hetus(5, 5)))
        .await
        .unwrap_err();
    let mut other_purpose = income_register_submission("tr-dup", hetus(0, 5));
    other_purpose.purpose = "Jotain muuta".into();
    let other_purpose = app
        .client
        .record_disclosure(other_purpose)
        .await
        .unwrap_err();

    assert_eq!(other_subjects.code(), Code::AlreadyExists);
    assert_eq!(other_purpose.code(), Code::AlreadyExists);
    assert_eq!(app.db.entry_count().await, 5);
}

async fn sixty_four_concurrent_callers_leave_exactly_every_entry(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let channel = app.channel().await;
    const CALLERS: u32 = 64;
    const RECORDS: u32 = 20_000;

    let callers = (0..CALLERS).map(|caller| {
        let mut client = luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient::new(
            channel.clone(),
        );
        async move {
            let mut receipts = Vec::new();
            for n in (caller..RECORDS).step_by(CALLERS as usize) {
                let request = income_register_submission(&format!("tr-{n}"), vec![hetu(n)]);
                receipts.push(
                    client
                        .record_disclosure(request)
                        .await
                        .unwrap()
                        .into_inner(),
                );
            }
            receipts
        }
    });
    let receipts: Vec<_> = join_all(callers).await.into_iter().flatten().collect();

    assert_eq!(receipts.len(), RECORDS as usize);
    let entry_ids: HashSet<u64> = receipts.iter().map(|r| r.first_entry_id).collect();
    assert_eq!(
        entry_ids.len(),
        RECORDS as usize,
        "every caller got its own entry"
    );
    assert_eq!(app.db.entry_count().await, i64::from(RECORDS));
    assert_eq!(app.db.disclosure_count().await, i64::from(RECORDS));
    assert_eq!(
        app.db.max_entry_id().await,
        i64::from(RECORDS) - 1,
        "entry ids are dense from 0"
    );
}

async fn replays_conflicts_and_new_disclosures_sent_together_each_get_their_own_answer(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let channel = app.channel().await;
    let client = || {
        luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient::new(channel.clone())
    };
    const EACH: u32 = 32;
    let stored = |n: u32| income_register_submission(&format!("tr-old-{n}"), vec![hetu(n)]);
    let mut originals = Vec::new();
    for n in 0..EACH {
        originals.push(
            client()
                .record_disclosure(stored(n))
                .await
                .unwrap()
                .into_inner(),
        );
    }

    // Sent at once, so that the writer's batches mix stored and new transfer ids, and a new
    // one twice in the same batch.
    let replays = (0..EACH).map(|n| {
        let mut client = client();
        async move { client.record_disclosure(stored(n)).await }
    });
    let conflicts = (0..EACH).map(|n| {
        let mut client = client();
        let mut request = stored(n);
        request.purpose = "Jotain muuta".into();
        async move { client.record_disclosure(request).await }
    });
    let fresh = (0..2 * EACH).map(|n| {
        let mut client = client();
        let request =
            income_register_submission(&format!("tr-new-{}", n / 2), vec![hetu(1000 + n / 2)]);
        async move { client.record_disclosure(request).await }
    });
    let (replays, conflicts, fresh) =
        tokio::join!(join_all(replays), join_all(conflicts), join_all(fresh));

    for (replay, original) in replays.into_iter().zip(&originals) {
        let replay = replay.unwrap();
        assert_eq!(
            replay.metadata().get("x-luovutusloki-replayed").unwrap(),
            "true"
        );
        assert_eq!(&replay.into_inner(), original);
    }
    for conflict in conflicts {
        assert_eq!(conflict.unwrap_err().code(), Code::AlreadyExists);
    }
    let fresh: Vec<_> = fresh.into_iter().map(|r| r.unwrap().into_inner()).collect();
    for pair in fresh.chunks(2) {
        assert_eq!(
            pair[0], pair[1],
            "the same new request twice is recorded once"
        );
    }
    assert_eq!(app.db.disclosure_count().await, i64::from(2 * EACH));
    assert_eq!(app.db.entry_count().await, i64::from(2 * EACH));
    assert_eq!(
        app.db.max_entry_id().await,
        i64::from(2 * EACH) - 1,
        "no entry id was skipped"
    );
}

async fn an_import_stream_reports_every_message(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut bad = income_register_submission("imp-bad", vec!["010101-0000".into()]);
    bad.controller_id = "123".into();
    let messages = vec![
        income_register_submission("imp-1", hetus(0, 2)),
        bad,
        income_register_submission("imp-2", hetus(2, 2)),
        income_register_submission("imp-1", hetus(0, 2)),
        income_register_submission("imp-2", hetus(9, 2)),
    ];

    let response = app
        .client
        .import_disclosures(tokio_stream::iter(messages))
        .await
        .unwrap()
        .into_inner();

    let codes: Vec<i32> = response.results.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [
            0,
            Code::InvalidArgument as i32,
            0,
            0,
            Code::AlreadyExists as i32
        ]
    );
    let indexes: Vec<u32> = response.results.iter().map(|r| r.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4]);
    let fields: HashSet<&str> = response.results[1]
        .violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert!(
        fields.contains("controller_id") && fields.contains("subjects[0]"),
        "{fields:?}"
    );
    assert!(response.results[3].replayed);
    assert_eq!(response.results[3].recorded, response.results[0].recorded);
    assert_eq!(
        (response.recorded, response.replayed, response.failed),
        (2, 1, 2)
    );
    assert_eq!(app.db.entry_count().await, 4);
}

async fn health_data_with_explicit_consent_is_recorded_with_its_condition(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(
            KOKKOLA,
            "suostumus-2026-0042",
            hetu(42),
        ))
        .await
        .unwrap();
    let request = health_data_to_service_provider("tr-consent", hetu(42));

    let receipt = app
        .client
        .record_disclosure(request.clone())
        .await
        .unwrap()
        .into_inner();
    let stored = app
        .client
        .get_disclosure(GetDisclosureRequest {
            controller_id: KOKKOLA.into(),
            disclosure_id: receipt.disclosure_id,
        })
        .await
        .unwrap()
        .into_inner();

    assert_eq!(
        stored.special_category_condition,
        request.special_category_condition
    );
    assert_eq!(stored.consent_reference, "suostumus-2026-0042");
    let mut without_reference = request;
    without_reference.transfer_id = "tr-consent-2".into();
    without_reference.consent_reference.clear();
    let status = app
        .client
        .record_disclosure(without_reference)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}
