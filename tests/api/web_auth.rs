//! Sign-in to the dashboard through an OpenID Connect provider run by the test
//! (oidc_provider.rs): the code flow with PKCE over real HTTP, the session cookie, the
//! grants of the role mapping, and every way a sign-in or a session must fail.

use std::collections::{BTreeMap, HashMap};

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings, Role, token_hash};
use luovutusloki::web::WebSettings;
use luovutusloki::web::session::{Session, SessionKeys};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::fixtures::koko;
use crate::harness::{Kind, Options, TestApp, keyring, on_both_backends};
use crate::oidc_provider::{Misbehaviour, OidcProvider, TestUser};

on_both_backends!(
    signing_in_gives_a_secure_session_cookie_and_the_page_names_the_person,
    the_role_mapping_decides_what_a_signed_in_person_may_see,
    a_person_whom_the_mapping_gives_no_grant_cannot_sign_in,
    a_page_without_credentials_sends_the_browser_to_sign_in,
    api_credentials_still_open_pages_where_sign_in_is_configured,
    a_callback_with_another_state_is_refused,
    an_injected_code_fails_on_the_pkce_verifier,
    a_code_is_redeemed_only_once,
    id_tokens_with_a_wrong_nonce_audience_expiry_or_key_are_refused,
    a_tampered_or_expired_session_is_not_accepted,
    next_may_only_name_a_page_of_this_site,
    signing_out_clears_the_session_cookie,
);

/// An HTTP/1.1 answer, read whole (the server closes the connection).
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn headers<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let name = name.to_owned();
        self.head.lines().filter_map(move |line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(&name).then(|| value.trim())
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers(name).next()
    }

    fn location(&self) -> &str {
        self.header("location").expect("a Location header")
    }

    /// The `Set-Cookie` header of cookie `name`, whole.
    fn set_cookie(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}=");
        self.headers("set-cookie").find(|c| c.starts_with(&prefix))
    }
}

/// A browser's cookie jar and the requests it sends.
#[derive(Default)]
struct Browser {
    cookies: BTreeMap<String, String>,
    /// Header lines sent with every request (a client with API credentials).
    headers: Vec<String>,
}

impl Browser {
    async fn send(
        &mut self,
        address: &str,
        method: &str,
        target: &str,
        form: Option<&str>,
    ) -> Answer {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let cookies = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut head =
            format!("{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {cookies}\r\n"));
        }
        for line in &self.headers {
            head.push_str(&format!("{line}\r\n"));
        }
        let body = form.unwrap_or("");
        if form.is_some() {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let answer = Answer {
            status: head.split(' ').nth(1).unwrap().parse().unwrap(),
            head: head.to_owned(),
            body: body.to_owned(),
        };
        for set in answer.headers("set-cookie") {
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        answer
    }

    async fn get(&mut self, app: &TestApp, target: &str) -> Answer {
        self.send(&app.address.to_string(), "GET", target, None)
            .await
    }

    /// Follows an absolute `http://host:port/path` URL (the provider's).
    async fn follow(&mut self, url: &str) -> Answer {
        let rest = url.strip_prefix("http://").expect("an http URL");
        let (address, target) = rest.split_at(rest.find('/').unwrap());
        self.send(address, "GET", target, None).await
    }

    /// Starts signing in for `next`: the app's redirect to the provider, and the
    /// provider's back to the callback, whose path and query this returns.
    async fn start_sign_in(&mut self, app: &TestApp, next: &str) -> String {
        let login = self
            .get(app, &format!("/auth/login?next={}", urlencode(next)))
            .await;
        assert_eq!(login.status, 303, "{}", login.body);
        let back = self.follow(login.location()).await;
        assert_eq!(back.status, 302, "{}", back.body);
        let location = back.location();
        location[location.find("/auth/callback").unwrap()..].to_owned()
    }

    /// Signs in through the provider and answers the callback's answer.
    async fn sign_in(&mut self, app: &TestApp, next: &str) -> Answer {
        let callback = self.start_sign_in(app, next).await;
        self.get(app, &callback).await
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap()[1..].to_owned()
}

fn grant(role: Role) -> GrantSettings {
    GrantSettings {
        role,
        controller: koko(),
        registers: None,
    }
}

/// The provider's users: a verifier, a recorder, and someone in no mapped group.
async fn provider() -> OidcProvider {
    OidcProvider::start(vec![
        TestUser::new("tarkastaja", &["staff", "log-verifiers"]),
        TestUser::new("kirjaaja", &["recorders"]),
        TestUser::new("vieras", &["guests"]),
    ])
    .await
}

/// An app whose pages sign in through `provider`, with no configured API callers.
async fn app_signing_in_with(kind: Kind, provider: &OidcProvider) -> TestApp {
    let mapping = BTreeMap::from([
        ("log-verifiers".to_owned(), vec![grant(Role::Verifier)]),
        ("recorders".to_owned(), vec![grant(Role::Recorder)]),
    ]);
    TestApp::spawn_with(
        kind,
        Options {
            web: WebSettings {
                oidc: Some(provider.settings(mapping)),
                ..WebSettings::default()
            },
            ..Options::default()
        },
    )
    .await
}

async fn signing_in_gives_a_secure_session_cookie_and_the_page_names_the_person(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    provider.send_back_to(app.address);
    let mut browser = Browser::default();
    let login = browser
        .get(&app, "/auth/login?next=%2Fintegrity%3Flang%3Den")
        .await;
    let back = browser.follow(login.location()).await;
    assert!(
        back.location()
            .starts_with(&format!("http://{}/auth/callback?", app.address)),
        "{}",
        back.location()
    );

    let callback = browser.follow(back.location()).await;

    assert_eq!(callback.status, 303, "{}", callback.body);
    assert_eq!(callback.location(), "/integrity?lang=en");
    let cookie = callback.set_cookie("__Host-session").expect("a session");
    for attribute in [
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        callback
            .set_cookie("__Host-login")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the login cookie is done with"
    );
    let page = browser.get(&app, "/integrity?lang=en").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Signed in as"), "{}", page.body);
    assert!(page.body.contains("tarkastaja"));
}

async fn the_role_mapping_decides_what_a_signed_in_person_may_see(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;

    let mut verifier = Browser::default();
    provider.set_next_user("tarkastaja");
    assert_eq!(verifier.sign_in(&app, "/integrity").await.status, 303);
    let mut recorder = Browser::default();
    provider.set_next_user("kirjaaja");
    assert_eq!(recorder.sign_in(&app, "/integrity").await.status, 303);

    assert_eq!(verifier.get(&app, "/integrity").await.status, 200);
    let refused = recorder.get(&app, "/integrity?lang=en").await;
    assert_eq!(refused.status, 403, "a recorder is no verifier");
    assert!(
        refused
            .body
            .contains("kirjaaja does not have the “verifier” role"),
        "{}",
        refused.body
    );
}

async fn a_person_whom_the_mapping_gives_no_grant_cannot_sign_in(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    provider.set_next_user("vieras");
    let mut browser = Browser::default();

    let callback = browser.sign_in(&app, "/integrity").await;

    assert_eq!(callback.status, 403);
    assert!(callback.set_cookie("__Host-session").is_none());
    assert_eq!(browser.get(&app, "/integrity").await.status, 303);
}

async fn a_page_without_credentials_sends_the_browser_to_sign_in(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;

    let page = Browser::default().get(&app, "/integrity?lang=sv").await;

    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/auth/login?next=%2Fintegrity%3Flang%3Dsv");
}

async fn api_credentials_still_open_pages_where_sign_in_is_configured(kind: Kind) {
    let provider = provider().await;
    let mapping = BTreeMap::from([("log-verifiers".to_owned(), vec![grant(Role::Verifier)])]);
    let app = TestApp::spawn_with(
        kind,
        Options {
            auth: AuthSettings {
                callers: vec![CallerSettings {
                    name: "valvonta".into(),
                    certificate_names: vec![],
                    token_sha256: vec![hex::encode(token_hash("valvonnan-avain"))],
                    jwt_subjects: vec![],
                    grants: vec![grant(Role::Verifier)],
                }],
                ..AuthSettings::default()
            },
            web: WebSettings {
                oidc: Some(provider.settings(mapping)),
                ..WebSettings::default()
            },
            ..Options::default()
        },
    )
    .await;
    let mut client = Browser::default();
    client
        .headers
        .push("Authorization: Bearer valvonnan-avain".into());

    let page = client.get(&app, "/integrity?lang=en").await;

    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("valvonta"),
        "signed in as the API caller"
    );
    let mut wrong = Browser::default();
    wrong.headers.push("Authorization: Bearer another".into());
    assert_eq!(
        wrong.get(&app, "/integrity").await.status,
        401,
        "credentials that name no one are refused, not sent to sign in"
    );
}

async fn a_callback_with_another_state_is_refused(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    let mut browser = Browser::default();
    let callback = browser.start_sign_in(&app, "/integrity").await;
    let forged = callback.replace("state=", "state=x");

    let answer = browser.get(&app, &forged).await;

    assert_eq!(answer.status, 400);
    assert!(answer.set_cookie("__Host-session").is_none());
    // Nor does the real callback work afterwards: the login cookie was cleared.
    assert_eq!(browser.get(&app, &callback).await.status, 400);
}

async fn an_injected_code_fails_on_the_pkce_verifier(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    let mut victim = Browser::default();
    let callback = victim.start_sign_in(&app, "/integrity").await;
    let state = query_of(&callback)["state"].clone();
    // A code the attacker obtained for a verifier of their own.
    let attacker_code =
        provider.code_for_challenge(&luovutusloki::web::oidc::pkce_challenge("attacker"), "n");

    let answer = victim
        .get(
            &app,
            &format!("/auth/callback?code={attacker_code}&state={state}"),
        )
        .await;

    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(answer.set_cookie("__Host-session").is_none());
}

async fn a_code_is_redeemed_only_once(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    let mut browser = Browser::default();
    let callback = browser.start_sign_in(&app, "/integrity").await;
    let login_cookie = browser.cookies["__Host-login"].clone();
    assert_eq!(browser.get(&app, &callback).await.status, 303);

    let mut replay = Browser::default();
    replay.cookies.insert("__Host-login".into(), login_cookie);
    let answer = replay.get(&app, &callback).await;

    assert_eq!(answer.status, 401);
    assert!(answer.set_cookie("__Host-session").is_none());
}

async fn id_tokens_with_a_wrong_nonce_audience_expiry_or_key_are_refused(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    for wrong in [
        Misbehaviour::WrongNonce,
        Misbehaviour::WrongAudience,
        Misbehaviour::Expired,
        Misbehaviour::UnknownKid,
    ] {
        provider.misbehave(wrong);
        let mut browser = Browser::default();

        let answer = browser.sign_in(&app, "/integrity").await;

        assert_eq!(answer.status, 401, "{wrong:?}: {}", answer.body);
        assert!(answer.set_cookie("__Host-session").is_none(), "{wrong:?}");
    }
    // The same flow with a proper token works: the refusals were the token's.
    provider.misbehave(Misbehaviour::None);
    assert_eq!(Browser::default().sign_in(&app, "/").await.status, 303);
}

async fn a_tampered_or_expired_session_is_not_accepted(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    let mut browser = Browser::default();
    browser.sign_in(&app, "/integrity").await;
    let sealed = browser.cookies["__Host-session"].clone();
    let mut tampered = sealed.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let keys = SessionKeys::from_keyring(&keyring());
    let now = luovutusloki::web::session::unix_now();
    let expired = Session::new(
        "tarkastaja".into(),
        vec![grant(Role::Verifier)],
        now - 9 * 3600,
    );
    let fresh = Session::new("tarkastaja".into(), vec![grant(Role::Verifier)], now);

    for (what, cookie, status) in [
        ("as set", sealed, 200),
        ("tampered", String::from_utf8(tampered).unwrap(), 303),
        ("expired", expired.seal(&keys), 303),
        ("sealed by the service's key", fresh.seal(&keys), 200),
        (
            "sealed by another key",
            fresh.seal(&SessionKeys::random()),
            303,
        ),
    ] {
        let mut other = Browser::default();
        other.cookies.insert("__Host-session".into(), cookie);
        assert_eq!(other.get(&app, "/integrity").await.status, status, "{what}");
    }
}

async fn next_may_only_name_a_page_of_this_site(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    for foreign in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let answer = Browser::default()
            .get(&app, &format!("/auth/login?next={}", urlencode(foreign)))
            .await;

        assert_eq!(answer.status, 400, "{foreign}");
        assert!(answer.set_cookie("__Host-login").is_none(), "{foreign}");
    }
}

async fn signing_out_clears_the_session_cookie(kind: Kind) {
    let provider = provider().await;
    let app = app_signing_in_with(kind, &provider).await;
    let mut browser = Browser::default();
    browser.sign_in(&app, "/integrity").await;
    let page = browser.get(&app, "/integrity").await;
    assert_eq!(page.status, 200);
    let csrf = browser.cookies["__Host-csrf"].clone();
    assert!(
        page.body.contains(&format!("value=\"{csrf}\"")),
        "the layout's form carries it"
    );

    let without_token = browser
        .send(&app.address.to_string(), "POST", "/auth/logout", Some(""))
        .await;
    assert_eq!(without_token.status, 403, "the CSRF check comes first");
    let out = browser
        .send(
            &app.address.to_string(),
            "POST",
            "/auth/logout",
            Some(&format!("csrf={csrf}")),
        )
        .await;

    assert_eq!(out.status, 200);
    let cleared = out
        .set_cookie("__Host-session")
        .expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(browser.get(&app, "/integrity").await.status, 303);
}

fn query_of(target: &str) -> HashMap<String, String> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str(query).unwrap()
}
