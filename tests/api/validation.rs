//! Bad requests: INVALID_ARGUMENT naming every bad field, nothing stored, no code echoed.

use luovutusloki::grpc::proto::{self, RecordDisclosureRequest};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, Options, TestApp, on_both_backends};

on_both_backends!(
    each_kind_of_bad_input_is_rejected_naming_its_field_and_stores_nothing,
    every_bad_field_of_one_request_is_named_at_once,
    a_bad_code_deep_in_a_large_disclosure_is_named_by_position,
    a_message_over_the_size_limit_is_out_of_range_and_stores_nothing,
    a_disclosure_over_the_subject_limit_is_rejected,
);

/// The fields named in a status's BadRequest details.
fn good() -> RecordDisclosureRequest {
    income_register_submission("tr-valid", hetus(0, 2))
}

/// (what is wrong, the request, the field that must be named)
fn bad_requests() -> Vec<(&'static str, RecordDisclosureRequest, &'static str)> {
    let with = |f: &dyn Fn(&mut RecordDisclosureRequest)| {
        let mut r = good();
        f(&mut r);
        r
    };
    vec![
        (
            "bad check character",
            with(&|r| r.subjects[1] = "131052-308U".into()),
            "subjects[1]",
        ),
        (
            "impossible date",
            with(&|r| r.subjects[0] = "310252-308T".into()),
            "subjects[0]",
        ),
        (
            "bad business id",
            with(&|r| r.controller_id = "0179377-9".into()),
            "controller_id",
        ),
        (
            "bad recipient business id",
            with(&|r| r.recipient.as_mut().unwrap().identifier = "1234567-8".into()),
            "recipient.identifier",
        ),
        ("no subjects", with(&|r| r.subjects.clear()), "subjects"),
        ("unknown enum value", with(&|r| r.channel = 99), "channel"),
        (
            "unknown category",
            with(&|r| r.data_categories.push(77)),
            "data_categories[3]",
        ),
        (
            "missing legal basis",
            with(&|r| r.legal_basis = 0),
            "legal_basis",
        ),
        (
            "missing recipient",
            with(&|r| r.recipient = None),
            "recipient",
        ),
        (
            "missing occurred_at",
            with(&|r| r.occurred_at = None),
            "occurred_at",
        ),
        (
            "missing transfer id",
            with(&|r| r.transfer_id.clear()),
            "transfer_id",
        ),
        (
            "over-long purpose",
            with(&|r| r.purpose = "x".repeat(1001)),
            "purpose",
        ),
        (
            "over-long recipient name",
            with(&|r| r.recipient.as_mut().unwrap().name = "n".repeat(201)),
            "recipient.name",
        ),
        (
            "occurred_at far in the future",
            with(&|r| {
                r.occurred_at = at(time::OffsetDateTime::now_utc().unix_timestamp() + 86_400)
            }),
            "occurred_at",
        ),
        (
            "bad statute number",
            with(&|r| r.provisions[0].number = "53-2018".into()),
            "provisions[0].number",
        ),
        (
            "subsection without section",
            with(&|r| r.provisions[1].section.clear()),
            "provisions[1]",
        ),
        (
            "special category without Art. 9 condition",
            with(&|r| {
                r.data_categories
                    .push(proto::DataCategory::HealthAndWorkAbility.into())
            }),
            "special_category_condition",
        ),
        (
            "identity code in free text",
            with(&|r| r.purpose = format!("Maksu {}", hetu(5))),
            "purpose",
        ),
        (
            "repeated subject",
            with(&|r| r.subjects.push(hetu(0))),
            "subjects[2]",
        ),
    ]
}

async fn each_kind_of_bad_input_is_rejected_naming_its_field_and_stores_nothing(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    for (what, request, field) in bad_requests() {
        let subjects = request.subjects.clone();
        let status = app.client.record_disclosure(request).await.unwrap_err();

        assert_eq!(status.code(), Code::InvalidArgument, "{what}: {status:?}");
        assert!(
            bad_fields(&status).iter().any(|f| f == field),
            "{what}: {:?}",
            bad_fields(&status)
        );
        let text = format!("{status:?}");
        for code in &subjects {
            assert!(
                !text.contains(code.as_str()),
                "{what}: the error echoes an identity code"
            );
            assert!(
                !text.contains(&code[..6]),
                "{what}: the error echoes a birth date"
            );
        }
    }

    assert_eq!(app.db.disclosure_count().await, 0);
    assert_eq!(app.db.entry_count().await, 0);
    app.client
        .record_disclosure(good())
        .await
        .expect("the unchanged request is valid");
}

async fn every_bad_field_of_one_request_is_named_at_once(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = good();
    request.controller_id = "x".into();
    request.register_id = "Not A Slug".into();
    request.subjects[1] = "010101-0000".into();
    request.recipient.as_mut().unwrap().country = "Finland".into();

    let status = app.client.record_disclosure(request).await.unwrap_err();

    let mut fields = bad_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "controller_id",
            "recipient.country",
            "register_id",
            "subjects[1]"
        ]
    );
}

async fn a_bad_code_deep_in_a_large_disclosure_is_named_by_position(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut subjects = hetus(0, 50_000);
    subjects[4_711] = "131052-308U".into();

    let status = app
        .client
        .record_disclosure(income_register_submission("tr-large", subjects))
        .await
        .unwrap_err();

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["subjects[4711]"]);
    assert_eq!(app.db.entry_count().await, 0);
}

async fn a_message_over_the_size_limit_is_out_of_range_and_stores_nothing(kind: Kind) {
    let limits = luovutusloki::service::Limits {
        max_message_bytes: 16 * 1024,
        ..Default::default()
    };
    let mut app = TestApp::spawn_with(
        kind,
        Options {
            limits,
            ..Options::default()
        },
    )
    .await;

    let status = app
        .client
        .record_disclosure(income_register_submission("tr-huge", hetus(0, 2_000)))
        .await
        .unwrap_err();

    assert_eq!(status.code(), Code::OutOfRange);
    assert_eq!(app.db.entry_count().await, 0);
    app.client
        .record_disclosure(income_register_submission("tr-small", hetus(0, 10)))
        .await
        .expect("a message under the limit is recorded");
}

async fn a_disclosure_over_the_subject_limit_is_rejected(kind: Kind) {
    let limits = luovutusloki::service::Limits {
        max_subjects: 100,
        ..Default::default()
    };
    let mut app = TestApp::spawn_with(
        kind,
        Options {
            limits,
            ..Options::default()
        },
    )
    .await;

    let status = app
        .client
        .record_disclosure(income_register_submission("tr-many", hetus(0, 101)))
        .await
        .unwrap_err();

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["subjects"]);
    assert_eq!(app.db.entry_count().await, 0);
}
