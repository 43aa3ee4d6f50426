//! `/disclosures`: the filtered, paged list and a disclosure's detail with its entries'
//! inclusion proofs, over real HTTP on both backends.

use std::time::Duration;

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings};
use luovutusloki::grpc::proto::{self, GetCheckpointRequest, GetInclusionProofRequest};

use crate::fixtures::*;
use crate::harness::{Kind, Options, TestApp, on_both_backends};
use crate::web::{Answer, get, http};

on_both_backends!(
    the_list_filters_by_each_filter_and_pages,
    the_detail_shows_each_entrys_proof_verifying_against_the_latest_checkpoint,
    another_controllers_disclosure_is_not_found_and_a_non_auditor_is_refused,
);

/// Two declared submissions to the Incomes Register in October and, in November, one by
/// e-mail of contact details to a private person the notice does not declare.
async fn record_three(app: &mut TestApp) -> Vec<proto::RecordDisclosureResponse> {
    let mut receipts = Vec::new();
    for (transfer, first, days) in [("tulorekisteri-1", 0, 0), ("tulorekisteri-2", 10, 7)] {
        let mut submission = income_register_submission(transfer, hetus(first, 3));
        submission.occurred_at = at(OCTOBER_2026 + days * 86_400);
        let receipt = app.client.record_disclosure(submission).await.unwrap();
        receipts.push(receipt.into_inner());
    }
    let mut stray = income_register_submission("harhaluovutus", hetus(20, 1));
    stray.occurred_at = at(OCTOBER_2026 + 28 * 86_400);
    stray.channel = proto::Channel::Email.into();
    stray.data_categories = vec![
        proto::DataCategory::Identity.into(),
        proto::DataCategory::Contact.into(),
    ];
    let recipient = stray.recipient.as_mut().unwrap();
    recipient.id_type = proto::RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "Yksityinen vastaanottaja".into();
    recipient.kind = proto::RecipientKind::PrivatePerson.into();
    receipts.push(
        app.client
            .record_disclosure(stray)
            .await
            .unwrap()
            .into_inner(),
    );
    receipts
}

/// How many disclosures a list page shows.
fn rows(page: &Answer) -> usize {
    assert_eq!(page.status, 200, "{}", page.body);
    page.body.matches("class=\"disclosure\"").count()
}

/// The address of the next page's link, if there is one.
fn next_page(page: &Answer) -> Option<String> {
    let after = page
        .body
        .split_once("id=\"next-page\" rel=\"next\" href=\"")?
        .1;
    // The page writes `&` as an entity, as the browser reads it.
    Some(
        after
            .split_once('"')?
            .0
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

fn assert_no_identity_code(page: &Answer) {
    for n in 0..30 {
        assert!(!page.body.contains(&hetu(n)), "identity code {n} on a page");
    }
}

async fn the_list_filters_by_each_filter_and_pages(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_three(&mut app).await;
    let list = |filters: String| {
        let app = &app;
        async move {
            get(
                app,
                &format!("/disclosures?controller={}&{filters}", koko()),
            )
            .await
        }
    };

    let all = list("from=2026-10-01".into()).await;
    assert_eq!(rows(&all), 3);
    assert!(all.body.contains("<html lang=\"fi\">"));
    assert!(all.body.contains("ilmoittamaton") && all.body.contains("sähköpostilla"));
    assert_no_identity_code(&all);
    let by_category = list("category=contact".into()).await;
    assert_eq!(rows(&by_category), 1);
    assert!(by_category.body.contains("Yksityinen vastaanottaja"));
    let incomes_register = example_business_id(9_990_008);
    assert_eq!(
        rows(&list(format!("recipient={incomes_register}")).await),
        2
    );
    assert_eq!(rows(&list("classification=undeclared".into()).await), 1);
    assert_eq!(rows(&list("classification=declared".into()).await), 2);
    assert_eq!(rows(&list("channel=email".into()).await), 1);
    assert_eq!(rows(&list("basis=legal_obligation".into()).await), 3);
    assert_eq!(rows(&list("basis=consent".into()).await), 0);
    assert_eq!(rows(&list("statute=1290/2002".into()).await), 3);
    assert_eq!(rows(&list("statute=872/2011".into()).await), 0);
    assert_eq!(
        rows(&list("register=koko-jasen-ja-maksurekisteri".into()).await),
        3
    );
    assert_eq!(
        rows(&list("register=kokkola-tyollisyyspalvelut".into()).await),
        0
    );
    // Finnish days: 5 and 12 October, 2 November.
    assert_eq!(rows(&list("from=2026-11-01".into()).await), 1);
    assert_eq!(rows(&list("to=2026-10-31".into()).await), 2);
    assert_eq!(rows(&list("from=2026-10-12&to=2026-10-12".into()).await), 1);

    // One a page: the next page's link carries the filters and the token.
    let first = list("size=1&classification=declared&from=2026-10-01".into()).await;
    assert_eq!(rows(&first), 1);
    let next = next_page(&first).expect("a next page");
    assert!(next.contains("classification=declared") && next.contains("page="));
    let last = get(&app, &next).await;
    assert_eq!(rows(&last), 1);
    assert!(next_page(&last).is_none(), "both declared ones are shown");
    let everything = list("size=2".into()).await;
    let second = get(&app, &next_page(&everything).expect("a second page")).await;
    assert_eq!(rows(&everything) + rows(&second), 3);
    assert!(second.body.contains("Yksityinen vastaanottaja"));

    // Every bad parameter is named, in the page's language; an identity code is refused.
    let bad = list(format!(
        "category=ei-ole&from=2026-02-30&classification=x&size=0&recipient={}&lang=en",
        hetu(1)
    ))
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Invalid request"));
    for field in ["category", "from", "classification", "size", "recipient"] {
        assert!(
            bad.body.contains(&format!("<code>{field}</code>")),
            "{field}: {}",
            bad.body
        );
    }
    assert_no_identity_code(&bad);
    let stale = list("page=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()).await;
    assert_eq!(stale.status, 400);
    assert!(stale.body.contains("<code>page</code>"));
    app.stop().await;
}

async fn the_detail_shows_each_entrys_proof_verifying_against_the_latest_checkpoint(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let receipts = record_three(&mut app).await;
    // The checkpoint may be a moment behind the replies.
    let mut size = 0;
    for _ in 0..100 {
        let latest = app
            .client
            .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
            .await;
        if let Ok(latest) = latest
            && latest.get_ref().tree_size == 7
        {
            size = 7;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(size, 7, "a checkpoint of all seven entries");
    let second = &receipts[1];
    let grpc_proof = app
        .client
        .get_inclusion_proof(GetInclusionProofRequest {
            controller_id: koko(),
            entry_id: second.first_entry_id + 1,
            tree_size: 7,
        })
        .await
        .unwrap()
        .into_inner();

    let page = get(
        &app,
        &format!(
            "/disclosures/{}?controller={}&lang=en",
            second.disclosure_id,
            koko()
        ),
    )
    .await;

    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("tulorekisteri-2"));
    assert!(page.body.contains("id=\"checkpoint-size\">7<"));
    let table = page
        .body
        .split_once("id=\"proof-table\"")
        .unwrap()
        .1
        .split_once("</table>")
        .unwrap()
        .0;
    assert_eq!(
        table.matches("<td class=\"verdict\">verifies</td>").count(),
        3
    );
    assert!(!table.contains("does NOT verify"));
    assert!(table.contains(&hex::encode(&grpc_proof.leaf_hash)));
    for hash in &grpc_proof.hashes {
        assert!(
            table.contains(&hex::encode(hash)),
            "the audit path is on the page"
        );
    }
    for entry in second.first_entry_id..second.first_entry_id + 3 {
        assert!(table.contains(&format!("<td class=\"number\">{entry}</td>")));
    }
    assert_no_identity_code(&page);
    app.stop().await;
}

async fn another_controllers_disclosure_is_not_found_and_a_non_auditor_is_refused(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let receipts = record_three(&mut app).await;
    let id = receipts[0].disclosure_id;

    assert_eq!(
        get(&app, &format!("/disclosures/{id}?controller={KOKKOLA}"))
            .await
            .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &format!("/disclosures/{}?controller={}", id + 100, koko())
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(&app, &format!("/disclosures/{id}?controller={}", koko()))
            .await
            .status,
        200
    );
    let db = app.stop().await;

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
    let app = TestApp::start(db, options).await;
    let as_verifier = |path: String| {
        let app = &app;
        async move {
            http(
                app,
                &format!("GET {path} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}"),
                b"",
            )
            .await
        }
    };

    let list = as_verifier("/disclosures?lang=en".into()).await;
    let detail = as_verifier(format!("/disclosures/{id}")).await;

    // Each page names the rule in its own language.
    let rule_en = format!(
        "tarkastaja does not have the “auditor” role for controller {}",
        koko()
    );
    let rule_fi = format!(
        "Käyttäjällä tarkastaja ei ole roolia ”tarkastaja” rekisterinpitäjälle {}",
        koko()
    );
    assert_eq!(list.status, 403);
    assert!(list.body.contains(&rule_en), "{}", list.body);
    assert_eq!(detail.status, 403);
    assert!(detail.body.contains(&rule_fi), "{}", detail.body);
    app.stop().await;
}
