//! The access request pages: cases registered, reported on and answered through the web
//! forms, with the identity code only in POST bodies, over plain HTTP/1.1 against the real
//! server on port 0, on both backends.

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings};
use luovutusloki::grpc::proto::ListAccessLookupsRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::fixtures::{hetu, income_register_submission, koko};
use crate::harness::{Database, Kind, Options, ServiceProcess, TestApp, on_both_backends};

on_both_backends!(
    a_case_is_registered_reported_on_and_answered_and_its_lookup_carries_the_diary_number,
    a_bad_identity_code_is_named_but_never_echoed_and_a_query_code_is_ignored,
    a_case_received_on_the_last_of_january_is_due_on_the_last_of_february_and_shown_overdue,
    an_auditor_sees_the_cases_but_is_refused_preparing_a_report,
    no_identity_code_reaches_the_server_log_or_the_database,
);

/// An HTTP/1.1 answer, read whole (the server closes the connection).
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A browser of one test: the server's address, its CSRF cookie, a bearer token if any.
struct Browser {
    address: String,
    csrf: String,
    token: Option<String>,
}

impl Browser {
    /// Opens `/access-requests` once to get the CSRF cookie.
    async fn open(address: String, token: Option<&str>) -> Self {
        let mut browser = Self {
            address,
            csrf: String::new(),
            token: token.map(str::to_owned),
        };
        let first = browser.get("/integrity").await;
        let cookie = first
            .head
            .lines()
            .filter_map(|line| line.strip_prefix("set-cookie: "))
            .find(|cookie| cookie.starts_with("__Host-csrf="))
            .expect("a page gives a CSRF cookie");
        browser.csrf = cookie["__Host-csrf=".len()..]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        browser
    }

    async fn send(&self, request: &str, body: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(&self.address).await.unwrap();
        let auth = self
            .token
            .as_ref()
            .map(|t| format!("\r\nAuthorization: Bearer {t}"))
            .unwrap_or_default();
        let cookie = if self.csrf.is_empty() {
            String::new()
        } else {
            format!("\r\nCookie: __Host-csrf={}", self.csrf)
        };
        let head =
            format!("{request}{auth}{cookie}\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body).await.unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.unwrap();
        let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        Answer {
            status,
            head,
            body: bytes[split + 4..].to_vec(),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(&format!("GET {path} HTTP/1.1"), b"").await
    }

    /// Posts the form `fields` (and the CSRF token) to `path`, as a same-origin browser.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut pairs: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        pairs.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        let request = format!(
            "POST {path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nOrigin: http://localhost\r\nSec-Fetch-Site: same-origin",
            body.len()
        );
        self.send(&request, body.as_bytes()).await
    }

    /// Registers a case at the KOKO fund; returns the case page's path.
    async fn register(&self, diary: &str, received: &str, code: &str) -> String {
        let answer = self
            .post(
                "/access-requests",
                &[
                    ("controller", &koko()),
                    ("diary_number", diary),
                    ("received", received),
                    ("identity_code", code),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text());
        answer.header("location").unwrap().to_owned()
    }
}

/// A Finnish day `days` before today, `YYYY-MM-DD` (days > 0 keeps clear of midnight in
/// either time zone).
fn days_ago(days: i64) -> time::Date {
    time::OffsetDateTime::now_utc().date() - time::Duration::days(days)
}

fn finnish(day: time::Date) -> String {
    format!("{}.{}.{}", day.day(), u8::from(day.month()), day.year())
}

async fn a_case_is_registered_reported_on_and_answered_and_its_lookup_carries_the_diary_number(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    let member = hetu(4711);
    app.client
        .record_disclosure(income_register_submission(
            "t-access-1",
            vec![member.clone()],
        ))
        .await
        .unwrap();
    let browser = Browser::open(app.address.to_string(), None).await;
    let received = days_ago(3);

    let case = browser
        .register("TAR/2026/17", &received.to_string(), &member)
        .await;
    assert!(case.starts_with("/access-requests/"), "{case}");
    // The same request registered again is the same case; another person's is refused.
    let again = browser
        .register("TAR/2026/17", &received.to_string(), &member)
        .await;
    assert_eq!(again, case);
    let other = browser
        .post(
            "/access-requests",
            &[
                ("controller", &koko()),
                ("diary_number", "TAR/2026/17"),
                ("received", &received.to_string()),
                ("identity_code", &hetu(4712)),
            ],
        )
        .await;
    assert_eq!(other.status, 409);
    assert!(other.text().contains("Diaarinumerolla on jo toinen"));

    let preview = browser
        .post(
            &format!("{case}/report"),
            &[
                ("identity_code", &member),
                ("from", ""),
                ("to", ""),
                ("language", "fi"),
                ("format", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert_eq!(preview.header("cache-control"), Some("no-store"));
    let page = preview.text();
    assert!(page.contains("Vastaus henkilötietojen tarkastuspyyntöön"));
    assert!(
        page.contains("Verohallinto"),
        "the preview lists the recipient"
    );
    assert!(page.contains("TAR/2026/17"));
    // The download buttons post the form again with the code sealed: the page holds no
    // identity code, not even in a hidden field. The language links lead back to the case.
    assert!(
        !page.contains(member.as_str()),
        "no identity code in the page"
    );
    let sealed = page
        .split("name=\"sealed_subject\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the download form carries the sealed code")
        .to_owned();
    assert!(page.contains("name=\"format\" value=\"pdf\""));
    let swedish = browser.get(&format!("{case}/report?lang=sv")).await;
    assert_eq!(swedish.status, 303);
    assert_eq!(swedish.header("location"), Some(case.as_str()));

    // A report prepared for another person than the case's is refused.
    let wrong_person = browser
        .post(
            &format!("{case}/report"),
            &[("identity_code", &hetu(4712)), ("language", "fi")],
        )
        .await;
    assert_eq!(wrong_person.status, 400);
    assert!(wrong_person.text().contains("ei ole sen henkilön"));

    // A sealed code that was tampered with is no code at all.
    let mut tampered = sealed.clone().into_bytes();
    tampered[30] = if tampered[30] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let refused = browser
        .post(
            &format!("{case}/report"),
            &[
                ("sealed_subject", tampered.as_str()),
                ("format", "pdf"),
                ("language", "sv"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);

    // The preview's download button: the sealed code, no code in clear.
    let pdf = browser
        .post(
            &format!("{case}/report"),
            &[
                ("sealed_subject", sealed.as_str()),
                ("language", "sv"),
                ("format", "pdf"),
            ],
        )
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert_eq!(pdf.header("cache-control"), Some("no-store"));
    assert!(
        pdf.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );

    // Each preparation is a lookup, on record under the case's diary number.
    let lookups = app
        .client
        .list_access_lookups(ListAccessLookupsRequest {
            controller_id: koko(),
            case_reference: "TAR/2026/17".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .lookups;
    assert_eq!(lookups.len(), 2, "the preview and the PDF");
    assert!(lookups.iter().all(|l| l.requested_by == "local"));

    // An extension past two months after the first limit is refused; one within it holds.
    // The limit may reach two months past the first one (89 to 92 days after receipt).
    let too_late = received + time::Duration::days(100);
    let refused = browser
        .post(
            &format!("{case}/extend"),
            &[("until", &too_late.to_string()), ("reason", "Laaja pyyntö")],
        )
        .await;
    assert_eq!(refused.status, 400);
    let until = received + time::Duration::days(60);
    let extended = browser
        .post(
            &format!("{case}/extend"),
            &[("until", &until.to_string()), ("reason", "Laaja pyyntö")],
        )
        .await;
    assert_eq!(extended.status, 303, "{}", extended.text());
    let shown = browser.get(&case).await.text();
    assert!(shown.contains(&format!("id=\"deadline\">{}", finnish(until))));

    let today = days_ago(0).to_string();
    let answered = browser
        .post(&format!("{case}/answered"), &[("answered_on", &today)])
        .await;
    assert_eq!(answered.status, 303, "{}", answered.text());
    let twice = browser
        .post(&format!("{case}/answered"), &[("answered_on", &today)])
        .await;
    assert_eq!(twice.status, 409);

    let list = browser
        .get(&format!("/access-requests?controller={}", koko()))
        .await;
    assert_eq!(list.status, 200);
    let list = list.text();
    let row = list
        .split("<tr")
        .find(|row| row.contains("TAR/2026/17"))
        .expect("the case is listed");
    assert!(row.contains(&finnish(days_ago(0))), "answered today: {row}");
    assert!(!row.contains("Avoin"));

    // The cases and their events stay as recorded.
    for sql in [
        "UPDATE access_requests SET diary_number = 'TAR/2026/18'",
        "DELETE FROM access_requests",
        "UPDATE access_request_events SET day = 0",
        "DELETE FROM access_request_events",
    ] {
        assert!(app.db.execute(sql).await.is_err(), "{sql} is refused");
    }
    app.db.assert_stores_none_of(&[member]).await;
    app.stop().await;
}

async fn a_bad_identity_code_is_named_but_never_echoed_and_a_query_code_is_ignored(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let browser = Browser::open(app.address.to_string(), None).await;
    let bad = "311299-999X";
    let refused = browser
        .post(
            "/access-requests",
            &[
                ("controller", &koko()),
                ("diary_number", "TAR/1"),
                ("received", &days_ago(1).to_string()),
                ("identity_code", bad),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    let page = refused.text();
    assert!(page.contains("Henkilötunnus ei ole kelvollinen"));
    assert!(!page.contains(bad), "the bad code is not echoed");

    let member = hetu(77);
    let case = browser
        .register("TAR/2", &days_ago(1).to_string(), &member)
        .await;
    let english = browser
        .post(
            &format!("{case}/report?lang=en"),
            &[
                ("identity_code", bad),
                ("from", "2026-13-01"),
                ("language", "de"),
            ],
        )
        .await;
    assert_eq!(english.status, 400);
    let page = english.text();
    assert!(page.contains("<html lang=\"en\">"));
    for field in [
        "Personal identity code",
        "First day of the period",
        "Language of the answer",
    ] {
        assert!(
            page.contains(&format!("<strong>{field}</strong>")),
            "{field}"
        );
    }
    assert!(!page.contains(bad));
    assert!(
        !page.contains("value=\"311299"),
        "the form is not filled in again"
    );

    // A code in a query is neither used nor repeated (not even in the language links).
    for query in [format!("hetu={member}"), format!("q={member}&page=2")] {
        let queried = browser.get(&format!("{case}?{query}")).await;
        assert_eq!(queried.status, 200);
        let page = queried.text();
        assert!(!page.contains(&member), "{query}");
        assert!(!page.contains(&member.to_lowercase()), "{query}");
    }
    app.stop().await;
}

async fn a_case_received_on_the_last_of_january_is_due_on_the_last_of_february_and_shown_overdue(
    kind: Kind,
) {
    let app = TestApp::spawn(kind).await;
    let browser = Browser::open(app.address.to_string(), None).await;
    browser.register("TAR/2026/1", "2026-01-31", &hetu(5)).await;
    let list = browser
        .get(&format!("/access-requests?controller={}&lang=en", koko()))
        .await
        .text();
    let row = list
        .split("<tr")
        .find(|row| row.contains("TAR/2026/1<"))
        .expect("the case is listed");
    assert!(row.contains("<td>2026-02-28</td>"), "{row}");
    // Overdue is said in words, not only by the row's colour.
    assert!(row.contains("OVERDUE by"), "{row}");
    assert!(row.contains("Open"));
    // The extension form is gone once the first month is over.
    let case = list
        .split("href=\"")
        .find_map(|s| s.strip_prefix("/access-requests/"))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let late = browser
        .post(
            &format!("/access-requests/{case}/extend"),
            &[("until", "2026-04-28"), ("reason", "Laaja pyyntö")],
        )
        .await;
    assert_eq!(late.status, 400);
    app.stop().await;
}

async fn an_auditor_sees_the_cases_but_is_refused_preparing_a_report(kind: Kind) {
    const CLERK: &str = "kasittelija-token-0123456789";
    const AUDITOR: &str = "tarkastaja-token-0123456789";
    let caller = |name: &str, token: &str, role: &str| CallerSettings {
        name: name.into(),
        certificate_names: vec![],
        token_sha256: vec![hex::encode(luovutusloki::auth::token_hash(token))],
        jwt_subjects: vec![],
        grants: vec![
            toml::from_str::<GrantSettings>(&format!(
                "role = \"{role}\"\ncontroller = {:?}",
                koko()
            ))
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
                    caller("kasittelija", CLERK, "subject-access"),
                    caller("tarkastaja", AUDITOR, "auditor"),
                ],
            },
            ..Options::default()
        },
    )
    .await;
    let member = hetu(99);
    let clerk = Browser::open(app.address.to_string(), Some(CLERK)).await;
    let case = clerk
        .register("TAR/2026/5", &days_ago(2).to_string(), &member)
        .await;

    let auditor = Browser::open(app.address.to_string(), Some(AUDITOR)).await;
    let list = auditor
        .get(&format!("/access-requests?controller={}", koko()))
        .await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains("TAR/2026/5"));
    assert_eq!(auditor.get(&case).await.status, 200);
    let refused = auditor
        .post(
            &format!("{case}/report"),
            &[("identity_code", &member), ("language", "fi")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text()
            .contains("ei ole roolia ”tarkastuspyyntöjen käsittelijä”"),
        "the refusal names the rule"
    );
    let not_registered = auditor
        .post(
            "/access-requests",
            &[
                ("controller", &koko()),
                ("diary_number", "TAR/2026/6"),
                ("received", &days_ago(1).to_string()),
                ("identity_code", &member),
            ],
        )
        .await;
    assert_eq!(not_registered.status, 403);
    let not_answered = auditor
        .post(
            &format!("{case}/answered"),
            &[("answered_on", &days_ago(0).to_string())],
        )
        .await;
    assert_eq!(not_answered.status, 403);
    // No credentials: no page.
    let anonymous = Browser::open(app.address.to_string(), None).await;
    assert_eq!(anonymous.get(&case).await.status, 401);
    app.stop().await;
}

async fn no_identity_code_reaches_the_server_log_or_the_database(kind: Kind) {
    let db = Database::create(kind).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = ServiceProcess::start(&db, data_dir.path(), "trace,h2=info,hyper=info");
    let member = hetu(1234);
    let mut client = service.client().await;
    client
        .record_disclosure(income_register_submission("t-log-1", vec![member.clone()]))
        .await
        .unwrap();
    drop(client);
    let browser = Browser::open(service.address.clone(), None).await;
    let case = browser
        .register("TAR/2026/9", &days_ago(1).to_string(), &member)
        .await;
    for format in ["preview", "pdf", "html", "txt"] {
        let answer = browser
            .post(
                &format!("{case}/report"),
                &[
                    ("identity_code", &member),
                    ("language", "fi"),
                    ("format", format),
                ],
            )
            .await;
        assert_eq!(answer.status, 200, "{format}");
    }
    let bad = "010101-010X";
    assert_eq!(
        browser
            .post(
                &format!("{case}/report"),
                &[("identity_code", bad), ("language", "fi")]
            )
            .await
            .status,
        400
    );

    let (status, log) = service.stop("TERM");
    assert!(status.success(), "{log}");
    assert!(log.contains("/access-requests"), "pages are logged");
    for code in [member.as_str(), bad] {
        assert!(!log.contains(code), "an identity code was logged");
    }
    db.assert_stores_none_of(&[member]).await;
}
