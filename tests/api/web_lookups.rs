//! `/lookups`: the lookup record for auditors, as ListAccessLookups gives it, filtered and
//! paged, with subjects by keyed hash only.

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings};
use luovutusloki::grpc::proto::{
    ListAccessLookupsRequest, ListSubjectDisclosuresRequest, LookupContext,
};

use crate::fixtures::{hetu, hetus, income_register_submission, koko};
use crate::harness::{Kind, Options, TestApp, on_both_backends};
use crate::web::{get, http};

on_both_backends!(
    a_lookup_made_through_the_api_is_listed_by_its_case_and_never_by_identity_code,
    the_lookup_list_pages_and_keeps_its_filters,
    only_an_auditor_sees_the_lookup_record,
    bad_filters_give_400_naming_each_field,
);

async fn look_up(app: &mut TestApp, subject: String, requested_by: &str, case_reference: &str) {
    app.client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            controller_id: koko(),
            subject,
            context: Some(LookupContext {
                requested_by: requested_by.into(),
                case_reference: case_reference.into(),
            }),
            ..Default::default()
        })
        .await
        .unwrap();
}

/// The case references of the table, in order.
fn cases(body: &str) -> Vec<String> {
    body.split("<td class=\"case\">")
        .skip(1)
        .map(|rest| rest.split_once('<').unwrap().0.to_owned())
        .collect()
}

async fn a_lookup_made_through_the_api_is_listed_by_its_case_and_never_by_identity_code(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_disclosure(income_register_submission("koko-1", hetus(0, 2)))
        .await
        .unwrap();
    look_up(&mut app, hetu(0), "liisa", "TAR-1/2026").await;
    look_up(&mut app, hetu(1), "pekka", "TAR-2/2026").await;
    let listed = app
        .client
        .list_access_lookups(ListAccessLookupsRequest {
            controller_id: koko(),
            case_reference: "TAR-1/2026".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .lookups;

    let all = get(&app, &format!("/lookups?controller={}&lang=en", koko())).await;
    let one = get(
        &app,
        &format!("/lookups?controller={}&case_reference=TAR-1%2F2026", koko()),
    )
    .await;

    assert_eq!(all.status, 200);
    assert_eq!(
        cases(&all.body),
        ["TAR-1/2026", "TAR-2/2026"],
        "oldest first"
    );
    assert_eq!(one.status, 200);
    assert_eq!(cases(&one.body), ["TAR-1/2026"]);
    assert!(one.body.contains("liisa") && !one.body.contains("pekka"));
    assert!(one.body.contains("henkilön luovutukset"));
    for finnish in ["Pyytäjä", "Näytä", "henkilön", "Hakujen valvonta"] {
        assert!(
            !all.body.contains(finnish),
            "the English page has {finnish:?}"
        );
    }
    assert!(all.body.contains("Requested by"));
    let hash = hex::encode(&listed[0].subject_hash);
    assert!(one.body.contains(&hash), "the subject by its keyed hash");
    for page in [&all, &one] {
        for code in hetus(0, 2) {
            assert!(!page.body.contains(&code), "an identity code on the page");
        }
    }
    app.stop().await;
}

async fn the_lookup_list_pages_and_keeps_its_filters(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    for i in 0..52 {
        look_up(&mut app, hetu(i), "liisa", &format!("TAR-{i}")).await;
    }
    look_up(&mut app, hetu(99), "pekka", "TAR-P").await;

    let first = get(
        &app,
        &format!("/lookups?controller={}&requested_by=liisa", koko()),
    )
    .await;
    let next = first
        .body
        .split_once("rel=\"next\"")
        .map(|(before, _)| before.rsplit_once("href=\"").unwrap().1)
        .map(|href| {
            href.split_once('"')
                .unwrap()
                .0
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .expect("a link to the next page");
    let second = get(&app, &next).await;
    let tampered = get(
        &app,
        &next.replace("requested_by=liisa", "requested_by=pekka"),
    )
    .await;

    assert_eq!(cases(&first.body).len(), 50);
    assert!(next.contains("requested_by=liisa"));
    assert_eq!(cases(&second.body), ["TAR-50", "TAR-51"]);
    assert!(!second.body.contains("rel=\"next\""));
    assert_eq!(tampered.status, 400, "a page token belongs to its filters");
    assert!(tampered.body.contains("<code>page</code>"));
    app.stop().await;
}

async fn only_an_auditor_sees_the_lookup_record(kind: Kind) {
    const AUDITOR: &str = "tarkastaja-token-0123456789";
    const RECORDER: &str = "kirjaaja-token-0123456789";
    let caller = |name: &str, token: &str, role: &str| CallerSettings {
        name: name.into(),
        certificate_names: vec![],
        token_sha256: vec![hex::encode(luovutusloki::auth::token_hash(token))],
        jwt_subjects: vec![],
        grants: vec![
            toml::from_str::<GrantSettings>(&format!("role = {role:?}\ncontroller = {:?}", koko()))
                .unwrap(),
        ],
    };
    let app = TestApp::spawn_with(
        kind,
        Options {
            auth: AuthSettings {
                public_verifier: false,
                jwt_issuers: vec![],
                callers: vec![
                    caller("tarkastaja", AUDITOR, "auditor"),
                    caller("kirjaaja", RECORDER, "recorder"),
                ],
            },
            ..Options::default()
        },
    )
    .await;
    let as_caller = |token: &'static str| {
        let app = &app;
        async move {
            http(
                app,
                &format!("GET /lookups HTTP/1.1\r\nAuthorization: Bearer {token}"),
                b"",
            )
            .await
        }
    };

    let auditor = as_caller(AUDITOR).await;
    let recorder = as_caller(RECORDER).await;

    assert_eq!(auditor.status, 200);
    assert!(auditor.body.contains("Ei hakuja näillä rajauksilla."));
    assert_eq!(recorder.status, 403);
    assert!(
        recorder
            .body
            .contains("ei ole roolia ”tarkastaja” rekisterinpitäjälle")
    );
    app.stop().await;
}

async fn bad_filters_give_400_naming_each_field(kind: Kind) {
    let app = TestApp::spawn(kind).await;

    let bad = get(
        &app,
        &format!(
            "/lookups?controller={}&from=1.10.2026&case_reference={}&lang=sv",
            koko(),
            "x".repeat(201)
        ),
    )
    .await;

    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("<code>from</code>"));
    assert!(bad.body.contains("<code>case_reference</code>"));
    assert!(bad.body.contains("Ange ett datum i formen ÅÅÅÅ-MM-DD."));
    assert!(!bad.body.contains("<code>to</code>"));
    app.stop().await;
}
