//! `/overview` and `/overview.csv`: the numbers DisclosureStatistics gives, as charts,
//! tables and CSV, under the same auditor rule.

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings};
use luovutusloki::grpc::proto::{
    DisclosureStatisticsRequest, StatisticsBucket, StatisticsDimension, StatisticsGroup,
};

use crate::fixtures::{
    KOKKOLA, health_data_to_service_provider, hetu, koko, service_provider_consent,
};
use crate::harness::{Kind, Options, TestApp, on_both_backends};
use crate::statistics::record_october;
use crate::web::{Answer, get, http};

on_both_backends!(
    the_overview_shows_the_numbers_that_grpc_gives_for_the_period,
    each_chart_downloads_as_csv_with_the_numbers_of_its_table,
    a_caller_without_the_auditor_role_is_refused_naming_the_rule,
    bad_dates_give_400_naming_each_field,
    the_swedish_and_english_overviews_have_no_finnish_words,
    consent_based_disclosures_are_highlighted_in_words_and_by_pattern,
);

fn october(extra: &str) -> String {
    format!("controller={}&from=2026-10-01&to=2026-10-31{extra}", koko())
}

async fn statistics(app: &mut TestApp, group_by: &[StatisticsDimension]) -> Vec<StatisticsGroup> {
    app.client
        .disclosure_statistics(DisclosureStatisticsRequest {
            controller_id: koko(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            group_by: group_by.iter().map(|d| (*d).into()).collect(),
            bucket: StatisticsBucket::Unspecified.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .groups
}

/// The text of the element with `id` (up to its first tag).
fn text_of(page: &Answer, id: &str) -> String {
    let after = page
        .body
        .split_once(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"))
        .1;
    let after = after.split_once('>').unwrap().1;
    after.split_once('<').unwrap().0.to_owned()
}

/// A CSV row: label, disclosures, entries, undeclared.
type CsvRow = (String, u64, u64, u64);

/// The CSV's header and its rows.
fn csv_rows(answer: &Answer) -> (Vec<String>, Vec<CsvRow>) {
    let mut lines = answer.body.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|line| {
            // Labels with commas are quoted; the numbers are the last four fields.
            let fields: Vec<&str> = line.rsplitn(5, ',').collect();
            let label = fields[4].trim_matches('"').to_owned();
            (
                label,
                fields[3].parse().unwrap(),
                fields[2].parse().unwrap(),
                fields[1].parse().unwrap(),
            )
        })
        .collect();
    (header, rows)
}

async fn the_overview_shows_the_numbers_that_grpc_gives_for_the_period(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;
    let total = statistics(&mut app, &[]).await;
    let total = &total[0];

    let page = get(&app, &format!("/overview?{}&lang=en", october(""))).await;

    assert_eq!(page.status, 200);
    assert_eq!(
        text_of(&page, "total-disclosures"),
        total.disclosures.to_string()
    );
    assert_eq!(
        text_of(&page, "total-entries"),
        total.subject_entries.to_string()
    );
    assert_eq!(text_of(&page, "total-undeclared"), "1");
    assert!(
        page.body.contains(
            "<th scope=\"row\">Verohallinto, tulorekisteriyksikkö</th><td>3</td><td>30</td>"
        ),
        "the recipient table has the Tax Administration's counts"
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">2026-10</th><td>5</td><td>35</td><td>1</td>"),
        "the month table has October"
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">Unemployment Security Act (1290/2002)</th><td>5</td>"),
        "statutes by their English titles"
    );
    assert!(page.body.contains("through the Incomes Register"));
    assert!(
        page.body
            .contains("role=\"img\" aria-labelledby=\"t-recipient d-recipient\"")
    );
    assert!(page.body.contains("<title id=\"t-recipient\">"));
    assert!(
        page.body.contains("1 (1 undeclared)"),
        "the highlight in words"
    );
    assert!(
        page.body.contains("url(#hatch-recipient)"),
        "and as a pattern"
    );
    assert!(
        !page.body.contains("style="),
        "no inline style under the CSP"
    );

    // Finnish numbers group thousands with a no-break space; a period without disclosures is
    // a page too.
    let empty = get(
        &app,
        &format!(
            "/overview?controller={}&from=2026-01-01&to=2026-01-31",
            koko()
        ),
    )
    .await;
    assert_eq!(empty.status, 200);
    assert_eq!(text_of(&empty, "total-disclosures"), "0");
    assert!(empty.body.contains("Jaksolla ei ole luovutuksia."));
    app.stop().await;
}

async fn each_chart_downloads_as_csv_with_the_numbers_of_its_table(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;
    let by_recipient = statistics(&mut app, &[StatisticsDimension::Recipient]).await;

    let csv = get(
        &app,
        &format!("/overview.csv?chart=recipient&{}&lang=en", october("")),
    )
    .await;

    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=")
    );
    let (header, rows) = csv_rows(&csv);
    assert_eq!(
        header,
        [
            "Recipient",
            "Disclosures",
            "Subject entries",
            "Undeclared disclosures",
            "Consent-based disclosures"
        ]
    );
    let mut shown: Vec<(String, u64, u64)> = rows
        .iter()
        .map(|(l, d, e, _)| (l.clone(), *d, *e))
        .collect();
    shown.sort();
    let mut expected: Vec<(String, u64, u64)> = by_recipient
        .iter()
        .map(|g| (g.values[0].label.clone(), g.disclosures, g.subject_entries))
        .collect();
    expected.sort();
    assert_eq!(shown, expected);

    let months = get(&app, &format!("/overview.csv?chart=month&{}", october(""))).await;
    let (header, rows) = csv_rows(&months);
    assert_eq!(header[0], "Kuukausi", "the header in the page's language");
    assert_eq!(rows, [("2026-10".to_owned(), 5, 35, 1)], "numbers plain");

    let unknown = get(&app, &format!("/overview.csv?chart=pie&{}", october(""))).await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("<code>chart</code>"));
    app.stop().await;
}

async fn a_caller_without_the_auditor_role_is_refused_naming_the_rule(kind: Kind) {
    const TOKEN: &str = "kirjaaja-token-0123456789";
    let grant: GrantSettings =
        toml::from_str(&format!("role = \"recorder\"\ncontroller = {:?}", koko())).unwrap();
    let recorder = CallerSettings {
        name: "kirjaaja".into(),
        certificate_names: vec![],
        token_sha256: vec![hex::encode(luovutusloki::auth::token_hash(TOKEN))],
        jwt_subjects: vec![],
        grants: vec![grant],
    };
    let app = TestApp::spawn_with(
        kind,
        Options {
            auth: AuthSettings {
                public_verifier: false,
                jwt_issuers: vec![],
                callers: vec![recorder],
            },
            ..Options::default()
        },
    )
    .await;
    let as_recorder = |path: String| {
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

    let page = as_recorder("/overview".into()).await;
    let csv = as_recorder(format!("/overview.csv?chart=month&{}", october(""))).await;

    assert_eq!(page.status, 403);
    assert!(
        page.body
            .contains("ei ole roolia ”tarkastaja” rekisterinpitäjälle"),
        "the refusal names the rule: {}",
        page.body
    );
    assert_eq!(csv.status, 403);
    assert_eq!(get(&app, "/overview").await.status, 401);
    app.stop().await;
}

async fn bad_dates_give_400_naming_each_field(kind: Kind) {
    let app = TestApp::spawn(kind).await;

    let bad_from = get(&app, "/overview?from=2026-13-01&to=nope&lang=en").await;
    let reversed = get(&app, "/overview?from=2026-10-31&to=2026-10-01").await;
    let bad_controller = get(&app, "/overview?controller=123").await;

    assert_eq!(bad_from.status, 400);
    assert!(
        bad_from
            .body
            .contains("<strong>First day</strong> (<code>from</code>)")
    );
    assert!(
        bad_from
            .body
            .contains("<strong>Last day</strong> (<code>to</code>)")
    );
    assert!(bad_from.body.contains("Give a date as YYYY-MM-DD."));
    assert_eq!(reversed.status, 400);
    assert!(reversed.body.contains("<code>to</code>"));
    assert!(!reversed.body.contains("<code>from</code>"));
    assert!(
        reversed
            .body
            .contains("Loppupäivä ei voi olla ennen alkupäivää.")
    );
    assert_eq!(bad_controller.status, 400);
    assert!(bad_controller.body.contains("<code>controller</code>"));
    app.stop().await;
}

async fn the_swedish_and_english_overviews_have_no_finnish_words(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;
    let finnish_words = [
        "Luovutukset",
        "Yhteensä",
        "Näytä",
        "Rekisterinpitäjä",
        "Kuukausi",
        "Vastaanottaja",
        "Säädös",
        "ilmoittamatonta",
        "Työttömyysturvalaki",
        "tulorekisterin kautta",
    ];

    let finnish = get(&app, &format!("/overview?{}", october(""))).await;
    assert!(
        finnish.body.contains("Työttömyysturvalaki"),
        "the test can fail"
    );
    for lang in ["sv", "en"] {
        let page = get(&app, &format!("/overview?{}&lang={lang}", october(""))).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
        for word in finnish_words {
            assert!(!page.body.contains(word), "{lang} page has {word:?}");
        }
    }
    let swedish = get(&app, &format!("/overview?{}&lang=sv", october(""))).await;
    assert!(
        swedish
            .body
            .contains("lagen om utkomstskydd för arbetslösa (1290/2002)")
    );
    app.stop().await;
}

async fn consent_based_disclosures_are_highlighted_in_words_and_by_pattern(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(
            KOKKOLA,
            "suostumus-2026-0042",
            hetu(1),
        ))
        .await
        .unwrap();
    app.client
        .record_disclosure(health_data_to_service_provider("hv-1", hetu(1)))
        .await
        .unwrap();

    let page = get(
        &app,
        &format!("/overview?controller={KOKKOLA}&from=2026-10-01&to=2026-10-31&lang=en"),
    )
    .await;

    assert_eq!(page.status, 200);
    assert_eq!(text_of(&page, "total-consent"), "1");
    assert!(
        page.body
            .contains("<strong>Consent-based disclosures: 1.</strong>")
    );
    assert!(page.body.contains("1 (1 consent-based)"));
    assert!(page.body.contains("url(#dots-recipient)"));
    assert!(
        page.body
            .contains("Dotted part: consent-based disclosures.")
    );
    assert!(page.body.contains(
        "<th scope=\"row\">Esimerkkivalmennus Oy</th><td>1</td><td>1</td><td>0</td><td>1</td>"
    ));
    app.stop().await;
}
