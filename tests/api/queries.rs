//! Reading the log: filters, keyset pagination, subject lookups, tenancy, health, reflection.

use luovutusloki::grpc::proto::{
    self, Disclosure, GetDisclosureRequest, ListDisclosuresRequest, ListSubjectDisclosuresRequest,
    RecordDisclosureRequest,
};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, TestApp, on_both_backends};

on_both_backends!(
    listing_pages_through_every_disclosure_in_a_stable_order,
    each_listing_filter_selects_only_matching_disclosures,
    a_subject_is_found_in_every_disclosure_of_the_period_and_no_other,
    another_controllers_disclosures_are_invisible,
    health_and_both_reflection_versions_answer,
    a_listing_with_several_bad_fields_names_each,
);

/// Records five disclosures a day apart, alternating recipient kind and register.
async fn record_week(app: &mut TestApp) -> Vec<RecordDisclosureRequest> {
    let mut requests = Vec::new();
    for day in 0..5u32 {
        let mut request = income_register_submission(&format!("tr-day-{day}"), hetus(day * 10, 3));
        request.occurred_at = at(OCTOBER_2026 + i64::from(day) * 86_400);
        if day % 2 == 1 {
            request.register_id = "koko-etuusrekisteri".into();
            request.channel = proto::Channel::SuomiFiXRoad.into();
            request.provisions = vec![statute("1290/2002", 13, "3", 0)];
            request.data_categories = vec![proto::DataCategory::EmploymentHistory.into()];
            request.recipient.as_mut().unwrap().identifier = example_business_id(9_990_009);
            request.recipient.as_mut().unwrap().name = "Eläketurvakeskus".into();
            request.recipient.as_mut().unwrap().kind =
                proto::RecipientKind::PensionInstitution.into();
        }
        app.client.record_disclosure(request.clone()).await.unwrap();
        requests.push(request);
    }
    requests
}

async fn list(app: &mut TestApp, request: ListDisclosuresRequest) -> Vec<Disclosure> {
    app.client
        .list_disclosures(request)
        .await
        .unwrap()
        .into_inner()
        .disclosures
}

fn transfer_ids(found: &[Disclosure]) -> Vec<&str> {
    found.iter().map(|d| d.transfer_id.as_str()).collect()
}

async fn listing_pages_through_every_disclosure_in_a_stable_order(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_week(&mut app).await;

    let mut seen = Vec::new();
    let mut page_token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .client
            .list_disclosures(ListDisclosuresRequest {
                controller_id: koko(),
                page_size: 2,
                page_token,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        pages += 1;
        seen.extend(page.disclosures.into_iter().map(|d| d.transfer_id));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }

    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["tr-day-0", "tr-day-1", "tr-day-2", "tr-day-3", "tr-day-4"]
    );
}

async fn each_listing_filter_selects_only_matching_disclosures(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_week(&mut app).await;
    let all = || ListDisclosuresRequest {
        controller_id: koko(),
        ..Default::default()
    };
    let odd = ["tr-day-1", "tr-day-3"];
    let even = ["tr-day-0", "tr-day-2", "tr-day-4"];

    let cases: Vec<(&str, ListDisclosuresRequest, Vec<&str>)> = vec![
        (
            "register",
            ListDisclosuresRequest {
                register_id: "koko-etuusrekisteri".into(),
                ..all()
            },
            odd.to_vec(),
        ),
        (
            "recipient",
            ListDisclosuresRequest {
                recipient_identifier: example_business_id(9_990_009),
                ..all()
            },
            odd.to_vec(),
        ),
        (
            "statute",
            ListDisclosuresRequest {
                statute: "53/2018".into(),
                ..all()
            },
            even.to_vec(),
        ),
        (
            "statute shared by all",
            ListDisclosuresRequest {
                statute: "1290/2002".into(),
                ..all()
            },
            {
                let mut v = even.to_vec();
                v.extend(odd);
                v.sort();
                v
            },
        ),
        (
            "data category",
            ListDisclosuresRequest {
                data_category: proto::DataCategory::EmploymentHistory.into(),
                ..all()
            },
            odd.to_vec(),
        ),
        (
            "channel",
            ListDisclosuresRequest {
                channel: proto::Channel::IncomesRegister.into(),
                ..all()
            },
            even.to_vec(),
        ),
        (
            "legal basis",
            ListDisclosuresRequest {
                legal_basis: proto::LegalBasis::Consent.into(),
                ..all()
            },
            vec![],
        ),
        (
            "transfer id",
            ListDisclosuresRequest {
                transfer_id: "tr-day-2".into(),
                ..all()
            },
            vec!["tr-day-2"],
        ),
        (
            "period",
            ListDisclosuresRequest {
                occurred_from: at(OCTOBER_2026 + 86_400),
                occurred_to: at(OCTOBER_2026 + 3 * 86_400),
                ..all()
            },
            vec!["tr-day-1", "tr-day-2"],
        ),
    ];

    for (what, request, expected) in cases {
        let found = list(&mut app, request).await;
        assert_eq!(transfer_ids(&found), expected, "filter by {what}");
    }
    let bad = app
        .client
        .list_disclosures(ListDisclosuresRequest {
            data_category: 99,
            ..all()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
}

async fn a_subject_is_found_in_every_disclosure_of_the_period_and_no_other(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let person = hetu(500);
    let june = OCTOBER_2026 - 120 * 86_400;
    for month in 0..4i64 {
        let mut request = income_register_submission(
            &format!("tr-m{month}"),
            vec![hetu(600 + month as u32), person.clone()],
        );
        request.occurred_at = at(june + month * 30 * 86_400);
        app.client.record_disclosure(request).await.unwrap();
    }
    app.client
        .record_disclosure(income_register_submission("tr-other", hetus(700, 5)))
        .await
        .unwrap();

    let found = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: koko(),
            subject: person.clone(),
            occurred_from: at(june + 86_400),
            occurred_to: at(june + 100 * 86_400),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    let ids: Vec<&str> = found
        .disclosures
        .iter()
        .map(|s| s.disclosure.as_ref().unwrap().transfer_id.as_str())
        .collect();
    assert_eq!(ids, ["tr-m1", "tr-m2", "tr-m3"]);
    let bad = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: koko(),
            subject: "131052-308U".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(!bad.message().contains("131052"));
}

async fn another_controllers_disclosures_are_invisible(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let receipt = app
        .client
        .record_disclosure(income_register_submission("tr-1", hetus(0, 1)))
        .await
        .unwrap()
        .into_inner();

    let get = app
        .client
        .get_disclosure(GetDisclosureRequest {
            controller_id: KOKKOLA.into(),
            disclosure_id: receipt.disclosure_id,
        })
        .await
        .unwrap_err();
    let listed = list(
        &mut app,
        ListDisclosuresRequest {
            controller_id: KOKKOLA.into(),
            ..Default::default()
        },
    )
    .await;
    let by_subject = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: KOKKOLA.into(),
            subject: hetu(0),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    assert_eq!(get.code(), Code::NotFound);
    assert!(listed.is_empty());
    assert!(by_subject.disclosures.is_empty());
}

async fn health_and_both_reflection_versions_answer(kind: Kind) {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_reflection::pb::{v1, v1alpha};

    let app = TestApp::spawn(kind).await;
    let channel = app.channel().await;

    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "luovutusloki.v1.DisclosureLog".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut responses = v1::server_reflection_client::ServerReflectionClient::new(channel.clone())
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let listed = format!("{:?}", responses.message().await.unwrap().unwrap());
    assert!(listed.contains("luovutusloki.v1.DisclosureLog"), "{listed}");

    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut responses = v1alpha::server_reflection_client::ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let listed = format!("{:?}", responses.message().await.unwrap().unwrap());
    assert!(listed.contains("luovutusloki.v1.DisclosureLog"), "{listed}");
}

async fn a_listing_with_several_bad_fields_names_each(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let status = app
        .client
        .list_disclosures(ListDisclosuresRequest {
            controller_id: "0179377-9".into(),
            register_id: "Not A Slug".into(),
            channel: 42,
            occurred_from: at(OCTOBER_2026),
            occurred_to: at(OCTOBER_2026 - 1),
            page_size: 5_000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    let subject_status = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: "x".into(),
            subject: "131052-308U".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();

    let fields = |status: &tonic::Status| {
        let mut fields = bad_fields(status);
        fields.sort();
        fields
    };
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        fields(&status),
        [
            "channel",
            "controller_id",
            "occurred_to",
            "page_size",
            "register_id"
        ]
    );
    assert_eq!(fields(&subject_status), ["controller_id", "subject"]);
    assert!(!format!("{subject_status:?}").contains("131052"));
}
