//! `/registers`: declared beside observed with the differences, and the Art. 30 record as
//! the same files that gRPC and the command line give, over real HTTP on both backends.

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings};
use luovutusloki::grpc::proto::{self, ProcessingRecordRequest};

use crate::fixtures::*;
use crate::harness::{Kind, Options, TestApp, on_both_backends};
use crate::web::{Answer, get, http};

on_both_backends!(
    the_register_page_shows_declared_beside_observed_and_an_undeclared_disclosure_as_a_difference,
    the_art30_files_are_the_ones_grpc_gives_for_the_same_period,
    a_caller_without_the_auditor_role_is_refused_naming_the_rule,
    bad_parameters_are_named_and_another_controllers_register_is_not_found,
);

const KOKO_REGISTER: &str = "koko-jasen-ja-maksurekisteri";
const OCTOBER: &str = "from=2026-10-01&to=2026-10-31";

/// Two declared submissions to the Incomes Register and one to a private person the
/// notice does not declare (the register's policy is `flag`: it is recorded, as undeclared).
async fn record_october(app: &mut TestApp) {
    for (transfer, first) in [("tulorekisteri-1", 0), ("tulorekisteri-2", 10)] {
        app.client
            .record_disclosure(income_register_submission(transfer, hetus(first, 3)))
            .await
            .unwrap();
    }
    let mut stray = income_register_submission("harhaluovutus", hetus(20, 1));
    let recipient = stray.recipient.as_mut().unwrap();
    recipient.id_type = proto::RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "Yksityinen vastaanottaja".into();
    recipient.kind = proto::RecipientKind::PrivatePerson.into();
    // A provision the notice does not declare either.
    stray
        .provisions
        .push(crate::fixtures::statute("621/1999", 0, "16", 0));
    app.client.record_disclosure(stray).await.unwrap();
}

/// The text of the element with `id` up to its closing tag `end`.
fn element<'a>(page: &'a Answer, id: &str, end: &str) -> &'a str {
    let start = page
        .body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {}", page.body));
    let rest = &page.body[start..];
    &rest[..rest.find(end).unwrap()]
}

fn assert_no_identity_code(page: &Answer) {
    for n in 0..30 {
        assert!(!page.body.contains(&hetu(n)), "identity code {n} on a page");
    }
}

async fn the_register_page_shows_declared_beside_observed_and_an_undeclared_disclosure_as_a_difference(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;

    let list = get(&app, &format!("/registers?controller={}&{OCTOBER}", koko())).await;
    let page = get(
        &app,
        &format!("/registers/{KOKO_REGISTER}?controller={}&{OCTOBER}", koko()),
    )
    .await;

    assert_eq!(list.status, 200);
    assert!(
        list.body
            .contains(&format!("href=\"/registers/{KOKO_REGISTER}?"))
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<html lang=\"fi\">"));
    assert!(element(&page, "disclosures", "</dd>").ends_with(">3"));
    assert!(element(&page, "entries", "</dd>").ends_with(">7"));
    // Observed: both recipients, the Incomes Register in the notice and the person not.
    let observed = element(&page, "observed-table", "</table>");
    assert!(
        observed.contains("Verohallinto, tulorekisteriyksikkö (") && observed.contains(">kyllä<")
    );
    assert!(observed.contains("Yksityinen vastaanottaja (yksityishenkilö)"));
    // The differences: the undeclared recipient and its undeclared disclosure, and the
    // declared disclosures nothing fell within.
    assert!(
        element(&page, "undeclared-recipients", "</ul>")
            .contains("Yksityinen vastaanottaja (yksityishenkilö)")
    );
    assert!(
        element(&page, "undeclared-disclosures", "</ul>")
            .contains("Yksityinen vastaanottaja (yksityishenkilö): 1")
    );
    // The undeclared provision, its recipient's kind in Finnish too.
    let provisions = element(&page, "undeclared-provisions", "</ul>");
    assert!(
        provisions.contains("621/1999") && provisions.contains("(yksityishenkilö)"),
        "{provisions}"
    );
    let unused = element(&page, "unused", "</ul>");
    assert!(unused.contains("Eläketurvakeskus"), "{unused}");
    assert!(
        !unused.contains("Verohallinto, tulorekisteriyksikkö"),
        "{unused}"
    );
    assert!(element(&page, "declared-table", "</table>").contains("Eläketurvakeskus"));
    assert!(
        page.body
            .contains(&format!("/registers/{KOKO_REGISTER}/art30.csv?"))
    );
    assert_no_identity_code(&page);

    // Wholly in the language asked for.
    let english = get(
        &app,
        &format!(
            "/registers/{KOKO_REGISTER}?controller={}&{OCTOBER}&lang=en",
            koko()
        ),
    )
    .await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Differences from the privacy notice"));
    assert!(element(&english, "unused", "</ul>").contains("Finnish Centre for Pensions"));
    assert!(!english.body.contains("Erot tietosuojaselosteeseen"));

    // Another period: nothing observed, every declared disclosure unused.
    let november = get(
        &app,
        &format!(
            "/registers/{KOKO_REGISTER}?controller={}&from=2026-11-01&to=2026-11-30",
            koko()
        ),
    )
    .await;
    assert!(element(&november, "disclosures", "</dd>").ends_with(">0"));
    assert!(element(&november, "unused", "</ul>").contains("Verohallinto, tulorekisteriyksikkö"));
    app.stop().await;
}

async fn the_art30_files_are_the_ones_grpc_gives_for_the_same_period(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;
    let record = app
        .client
        .processing_record(ProcessingRecordRequest {
            controller_id: koko(),
            register_id: KOKO_REGISTER.into(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            language: proto::ReportLanguage::Fi.into(),
            with_pdf: false,
        })
        .await
        .unwrap()
        .into_inner();
    let file = |extension: &str| {
        format!(
            "/registers/{KOKO_REGISTER}/art30.{extension}?controller={}&{OCTOBER}",
            koko()
        )
    };

    let csv = get(&app, &file("csv")).await;
    let json = get(&app, &file("json")).await;
    let html = get(&app, &file("html")).await;
    let pdf = get(&app, &file("pdf")).await;

    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(
        csv.header("content-disposition"),
        Some(
            "attachment; filename=\"art30-koko-jasen-ja-maksurekisteri-2026-10-01-2026-10-31.csv\""
        )
    );
    assert_eq!(csv.body, record.csv);
    assert!(csv.body.contains("difference,Yksityinen vastaanottaja"));
    // The same record but for the moment it was made.
    let without_time = |text: &str| {
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value.as_object_mut().unwrap().remove("generated_at");
        value
    };
    assert_eq!(json.status, 200);
    assert_eq!(without_time(&json.body), without_time(&record.json));
    assert_eq!(html.status, 200);
    assert!(html.body.contains("Seloste käsittelytoimista"));
    assert!(
        html.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with("%PDF-"));
    for answer in [&csv, &json, &html] {
        assert_no_identity_code(answer);
    }
    // No such document.
    let other = get(
        &app,
        &format!("/registers/{KOKO_REGISTER}/art30.exe?controller={}", koko()),
    )
    .await;
    assert_eq!(other.status, 404);
    app.stop().await;
}

async fn a_caller_without_the_auditor_role_is_refused_naming_the_rule(kind: Kind) {
    const TOKEN: &str = "vain-tarkastaja-0123456789";
    let grant: GrantSettings =
        toml::from_str(&format!("role = \"verifier\"\ncontroller = {:?}", koko())).unwrap();
    let options = Options {
        auth: AuthSettings {
            public_verifier: false,
            jwt_issuers: vec![],
            callers: vec![CallerSettings {
                name: "tarkastaja".into(),
                certificate_names: vec![],
                token_sha256: vec![hex::encode(luovutusloki::auth::token_hash(TOKEN))],
                jwt_subjects: vec![],
                grants: vec![grant],
            }],
        },
        ..Options::default()
    };
    let app = TestApp::spawn_with(kind, options).await;

    let refused = http(
        &app,
        &format!(
            "GET /registers/{KOKO_REGISTER}?{OCTOBER}&lang=en HTTP/1.1\r\nAuthorization: Bearer {TOKEN}"
        ),
        b"",
    )
    .await;
    let record = http(
        &app,
        &format!(
            "GET /registers/{KOKO_REGISTER}/art30.csv?{OCTOBER} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}"
        ),
        b"",
    )
    .await;

    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains(&format!(
            "tarkastaja does not have the “auditor” role for controller {}",
            koko()
        )),
        "{}",
        refused.body
    );
    assert_eq!(record.status, 403);
    assert_eq!(
        get(&app, &format!("/registers/{KOKO_REGISTER}"))
            .await
            .status,
        401
    );
    app.stop().await;
}

async fn bad_parameters_are_named_and_another_controllers_register_is_not_found(kind: Kind) {
    let app = TestApp::spawn(kind).await;

    let bad = get(
        &app,
        &format!("/registers/{KOKO_REGISTER}?controller=123&from=2026-13-01&to=eilen&lang=sv"),
    )
    .await;
    let reversed = get(
        &app,
        &format!(
            "/registers/{KOKO_REGISTER}?controller={}&from=2026-10-31&to=2026-10-01&lang=en",
            koko()
        ),
    )
    .await;
    let elsewhere = get(
        &app,
        &format!(
            "/registers/kokkola-tyollisyyspalvelut?controller={}&{OCTOBER}",
            koko()
        ),
    )
    .await;
    let unknown = get(&app, &format!("/registers/ei-ole?controller={}", koko())).await;

    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("<html lang=\"sv\">"));
    assert!(bad.body.contains("Felaktig begäran"));
    for field in ["controller", "from", "to"] {
        assert!(
            bad.body.contains(&format!("<code>{field}</code>")),
            "{field}: {}",
            bad.body
        );
    }
    assert_eq!(reversed.status, 400);
    assert!(
        reversed
            .body
            .contains("<strong>Last day</strong> (<code>to</code>): The last day must not be before the first day.")
    );
    assert_eq!(elsewhere.status, 404);
    assert_eq!(unknown.status, 404);
    app.stop().await;
}
