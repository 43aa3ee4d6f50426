//! The web pages on the gRPC listener: plain HTTP/1.1 over a TcpStream against the real
//! server on port 0, beside gRPC and gRPC-Web on the same port.

use std::time::Duration;

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings};
use luovutusloki::grpc::proto::GetCheckpointRequest;
use luovutusloki::service::Limits;
use luovutusloki::web::WebSettings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::fixtures::{hetus, income_register_submission, koko};
use crate::harness::{Kind, Options, TestApp, on_both_backends};

on_both_backends!(
    the_integrity_page_shows_the_tree_size_that_grpc_gives,
    the_integrity_page_follows_the_checkpoint_rule_of_grpc,
    a_caller_over_its_rate_gets_429_with_retry_after,
    a_form_is_refused_without_the_token_of_its_cookie_or_from_another_site,
    with_their_own_address_the_pages_leave_the_grpc_listener,
);

/// An HTTP/1.1 answer, read whole (the server closes the connection).
pub(crate) struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends `request` (without the final blank line) and reads the answer.
pub(crate) async fn http(app: &TestApp, request: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    let head = format!("{request}\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

pub(crate) async fn get(app: &TestApp, path: &str) -> Answer {
    http(app, &format!("GET {path} HTTP/1.1"), b"").await
}

/// The tree size `/integrity` shows.
fn shown_tree_size(page: &Answer) -> u64 {
    let after = page.body.split_once("id=\"tree-size\">").unwrap().1;
    after.split_once('<').unwrap().0.parse().unwrap()
}

async fn the_integrity_page_shows_the_tree_size_that_grpc_gives(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    for (transfer, first) in [("t1", 0), ("t2", 1)] {
        app.client
            .record_disclosure(income_register_submission(transfer, hetus(first, 1)))
            .await
            .unwrap();
    }
    // The checkpoint may be a moment behind the replies.
    let mut checkpoint = None;
    for _ in 0..100 {
        let latest = app
            .client
            .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
            .await
            .map(tonic::Response::into_inner);
        if let Ok(latest) = latest
            && latest.tree_size == 2
        {
            checkpoint = Some(latest);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let checkpoint = checkpoint.expect("a checkpoint of both disclosures");

    let page = get(&app, "/integrity").await;
    assert_eq!(page.status, 200);
    assert_eq!(shown_tree_size(&page), checkpoint.tree_size);
    assert!(page.body.contains("<html lang=\"fi\">"));
    let first_line = checkpoint.note.lines().next().unwrap();
    assert!(page.body.contains(first_line), "the note is on the page");
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));

    let swedish = get(&app, "/integrity?lang=sv").await;
    assert!(swedish.body.contains("<html lang=\"sv\">"));
    let english = http(
        &app,
        "GET /accessibility HTTP/1.1\r\nAccept-Language: de, en;q=0.8",
        b"",
    )
    .await;
    assert_eq!(english.status, 200);
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("306/2019"));
    assert!(english.body.contains("The operator must add one"));

    let style = get(&app, "/static/style.css").await;
    assert_eq!(style.status, 200);
    assert!(
        style
            .header("content-type")
            .unwrap()
            .starts_with("text/css")
    );

    let unknown = get(&app, "/no/such/page").await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(unknown.header("grpc-status").is_none());

    // gRPC-Web over HTTP/1.1 on the same port: an empty HealthCheckRequest in one frame.
    let health = http(
        &app,
        "POST /grpc.health.v1.Health/Check HTTP/1.1\r\n\
         Content-Type: application/grpc-web+proto\r\nContent-Length: 5",
        &[0, 0, 0, 0, 0],
    )
    .await;
    assert_eq!(health.status, 200);
    assert!(
        health
            .header("content-type")
            .unwrap()
            .starts_with("application/grpc-web")
    );
    // The message says SERVING (field 1 = 1); the trailer frame carries status 0.
    assert!(health.body.contains("\u{8}\u{1}"));
    assert!(health.body.contains("grpc-status:0"));
    app.stop().await;
}

async fn the_integrity_page_follows_the_checkpoint_rule_of_grpc(kind: Kind) {
    const VERIFIER_TOKEN: &str = "tarkastus-token-0123456789";
    let grant: GrantSettings =
        toml::from_str(&format!("role = \"verifier\"\ncontroller = {:?}", koko())).unwrap();
    let verifier = CallerSettings {
        name: "tarkastus".into(),
        certificate_names: vec![],
        token_sha256: vec![hex::encode(luovutusloki::auth::token_hash(VERIFIER_TOKEN))],
        jwt_subjects: vec![],
        grants: vec![grant],
    };
    let options = |public_verifier| Options {
        auth: AuthSettings {
            public_verifier,
            jwt_issuers: vec![],
            callers: vec![verifier.clone()],
        },
        web: WebSettings {
            feedback_contact: Some("saavutettavuus@koko.example".into()),
            ..WebSettings::default()
        },
        ..Options::default()
    };

    let app = TestApp::spawn_with(kind, options(false)).await;
    // No credentials: unauthenticated, as GetCheckpoint's UNAUTHENTICATED.
    assert_eq!(get(&app, "/integrity").await.status, 401);
    let wrong = http(
        &app,
        "GET /integrity HTTP/1.1\r\nAuthorization: Bearer wrong",
        b"",
    )
    .await;
    assert_eq!(wrong.status, 401);
    let with_token = http(
        &app,
        &format!("GET /integrity HTTP/1.1\r\nAuthorization: Bearer {VERIFIER_TOKEN}"),
        b"",
    )
    .await;
    assert_eq!(with_token.status, 200);
    // The accessibility statement is for everyone, with the configured feedback contact.
    let statement = get(&app, "/accessibility").await;
    assert_eq!(statement.status, 200);
    assert!(statement.body.contains("saavutettavuus@koko.example"));
    let db = app.stop().await;

    let app = TestApp::start(db, options(true)).await;
    assert_eq!(get(&app, "/integrity").await.status, 200);
    app.stop().await;
}

async fn a_caller_over_its_rate_gets_429_with_retry_after(kind: Kind) {
    let app = TestApp::spawn_with(
        kind,
        Options {
            limits: Limits {
                caller_calls_per_second: 1,
                caller_burst: 1,
                ..Limits::default()
            },
            ..Options::default()
        },
    )
    .await;
    assert_eq!(get(&app, "/integrity").await.status, 200);
    let over = get(&app, "/integrity").await;
    assert_eq!(over.status, 429);
    assert_eq!(over.header("retry-after"), Some("1"));
    app.stop().await;
}

async fn a_form_is_refused_without_the_token_of_its_cookie_or_from_another_site(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    let page = get(&app, "/integrity").await;
    let cookie = page
        .head
        .lines()
        .filter_map(|line| line.strip_prefix("set-cookie: "))
        .find(|cookie| cookie.starts_with("__Host-csrf="))
        .expect("a page gives a CSRF cookie");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"));
    let token = cookie["__Host-csrf=".len()..].split(';').next().unwrap();
    let post = |headers: String, body: String| {
        let app = &app;
        async move {
            let request = format!(
                "POST /integrity HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}{headers}",
                body.len()
            );
            http(app, &request, body.as_bytes()).await.status
        }
    };
    let with_cookie = format!("\r\nCookie: __Host-csrf={token}");
    // Without the field, with another token, from another site: refused before any page.
    assert_eq!(post(with_cookie.clone(), "a=1".into()).await, 403);
    assert_eq!(
        post(with_cookie.clone(), format!("csrf={}", "x".repeat(43))).await,
        403
    );
    assert_eq!(post(String::new(), format!("csrf={token}")).await, 403);
    let cross_site = format!("{with_cookie}\r\nSec-Fetch-Site: cross-site");
    assert_eq!(post(cross_site, format!("csrf={token}")).await, 403);
    let foreign = format!("{with_cookie}\r\nOrigin: https://evil.example");
    assert_eq!(post(foreign, format!("csrf={token}")).await, 403);
    // With the cookie's token from this origin the form reaches the router (which has no
    // POST at /integrity).
    let same = format!("{with_cookie}\r\nOrigin: http://localhost\r\nSec-Fetch-Site: same-origin");
    assert_eq!(post(same, format!("csrf={token}")).await, 405);
}

async fn with_their_own_address_the_pages_leave_the_grpc_listener(kind: Kind) {
    // A free port: bound, read and let go (the server binds it again at start).
    let web_address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = TestApp::spawn_with(
        kind,
        Options {
            web: WebSettings {
                listen: Some(web_address),
                ..WebSettings::default()
            },
            ..Options::default()
        },
    )
    .await;
    // The server binds the pages' address as it starts, after the gRPC listener.
    let mut on_web = None;
    for _ in 0..100 {
        match TcpStream::connect(web_address).await {
            Ok(stream) => {
                on_web = Some(stream);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    let mut on_web = on_web.expect("the pages' own address answers");
    on_web
        .write_all(b"GET /integrity HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    on_web.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("id=\"tree-size\""));
    // The gRPC listener has no pages now, and still answers gRPC.
    assert_eq!(get(&app, "/integrity").await.status, 404);
    let mut client = app.client.clone();
    let checkpoint = client.get_checkpoint(GetCheckpointRequest::default()).await;
    assert!(checkpoint.is_ok() || checkpoint.unwrap_err().code() == tonic::Code::NotFound);
    app.stop().await;
}
