//! The dashboard in a real browser: headless Chromium (Debian's `chromium`, driven over
//! WebDriver by its `chromium-driver`) against the real server on port 0, on both backends.
//! On every page a scenario visits it runs axe-core (vendored in `vendor/`, the WCAG 2.0 and
//! 2.1 A and AA rules) expecting no violation, and saves a screenshot to
//! `<target dir>/dashboard-screenshots/<backend>-<page>.png`. axe covers only part of WCAG,
//! so the scenarios also check by keyboard: the skip link, focus, the page's language.
//!
//! Without chromium and chromedriver the scenarios are skipped with a message, except in CI
//! (env `CI` set), where `.ci/run` installs them and their absence is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use luovutusloki::auth::{GrantSettings, Role};
use luovutusloki::grpc::proto::{
    DisclosureStatisticsRequest, ProcessingRecordRequest, ReportLanguage,
};
use luovutusloki::web::WebSettings;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, MutexGuard};

use crate::fixtures::{hetu, hetus, income_register_submission, koko, to_pre_trial_investigation};
use crate::harness::{Database, Kind, Options, TestApp, on_both_backends};
use crate::oidc_provider::{OidcProvider, TestUser};

on_both_backends!(
    the_public_pages_pass_axe_and_work_by_keyboard_in_each_language,
    a_dpo_signs_in_sees_the_apis_numbers_downloads_the_record_and_prepares_an_access_report,
    a_person_without_the_role_is_refused_the_page,
);

/// axe-core 4.14.1, unmodified (see `vendor/README.md`).
const AXE: &str = include_str!("vendor/axe.min.js");

/// One browser at a time: the machines have two cores, and a Chromium per test would
/// starve the servers under test.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

/// `program`'s path in a directory of `PATH`, if any.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Where the screenshots go: `dashboard-screenshots` in the target directory.
fn screenshot_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| manifest.join("target"), |dir| manifest.join(dir));
    target.join("dashboard-screenshots")
}

/// A plain HTTP/1.1 GET with `cookies` (a `Cookie` header value): status, content type,
/// body. For what a browser downloads rather than shows, and for chromedriver's `/status`.
async fn http_get(url: &str, cookies: &str) -> Result<(u16, String, Vec<u8>), String> {
    let client = HttpClient::builder(TokioExecutor::new()).build(HttpConnector::new());
    let mut request = http::Request::get(url);
    if !cookies.is_empty() {
        request = request.header(http::header::COOKIE, cookies);
    }
    let request = request
        .body(Empty::<&'static [u8]>::new())
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes()
        .to_vec();
    Ok((status, content_type, body))
}

/// A chromedriver process of this test run, killed with the browsers it started when
/// dropped, so that a failing test leaves no process behind.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    async fn start(binary: &Path) -> Self {
        // The port is free when chosen but could be taken before chromedriver binds it:
        // then chromedriver exits, and a second port is tried.
        for _ in 0..2 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .expect("a free port")
                .port();
            let mut command = Command::new(binary);
            command
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // A process group of its own, so that Drop ends the browsers with it.
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
            let child = command.spawn().expect("chromedriver starts");
            let mut driver = Self {
                child,
                url: format!("http://127.0.0.1:{port}"),
            };
            if driver.ready().await {
                return driver;
            }
        }
        panic!("chromedriver did not become ready on two ports");
    }

    /// Polls `/status` until the driver says it is ready; false when it exited.
    async fn ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            if let Ok((200, _, body)) = http_get(&format!("{}/status", self.url), "").await {
                let status: Value = serde_json::from_slice(&body).unwrap_or_default();
                if status["value"]["ready"] == json!(true) {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver at {} not ready in 30 s", self.url);
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group's id is the driver's pid; the browsers it started are in it.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium on one test server, with the pages' checks.
pub struct Browser {
    client: Client,
    /// The server's origin, `http://127.0.0.1:PORT`.
    base: String,
    /// `sqlite` or `postgres`: the screenshots' prefix.
    backend: &'static str,
    shots: PathBuf,
    /// The browser's profile, removed when the test ends.
    _profile: tempfile::TempDir,
    _driver: Chromedriver,
    _turn: MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts a browser for `app`; `None` (after saying why) when chromium is not
    /// installed and this is not CI.
    pub async fn open(kind: Kind, app: &TestApp) -> Option<Self> {
        let (Some(chromium), Some(driver)) = (on_path("chromium"), on_path("chromedriver")) else {
            let why = "chromium and chromedriver are not on PATH (Debian: apt-get install \
                       chromium chromium-driver; .ci/run installs them)";
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("skipping the browser test: {why}");
            return None;
        };
        let turn = ONE_BROWSER.lock().await;
        let driver = Chromedriver::start(&driver).await;
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    // CI runs as root, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--no-first-run",
                    "--window-size=1280,1024",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a browser session");
        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots).unwrap();
        Some(Self {
            client,
            base: format!("http://{}", app.address),
            backend: match kind {
                Kind::Sqlite => "sqlite",
                Kind::Postgres => "postgres",
            },
            shots,
            _profile: profile,
            _driver: driver,
            _turn: turn,
        })
    }

    /// Ends the browser session (the driver and its processes end on drop).
    pub async fn close(self) {
        let Self { client, .. } = self;
        client.close().await.expect("the browser session closes");
    }

    /// Opens `path` on the server.
    pub async fn visit(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("opening {path}: {e}"));
    }

    /// Fetches the link `selector` finds as a download: its `href` read in the page,
    /// fetched over plain HTTP with the browser's cookies (status, content type, body).
    pub async fn download(&self, selector: &str) -> (u16, String, Vec<u8>) {
        let link = self
            .client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("the link {selector}: {e}"));
        let href = link.attr("href").await.unwrap().expect("an href");
        let url = self
            .client
            .current_url()
            .await
            .unwrap()
            .join(&href)
            .unwrap();
        let cookies: Vec<String> = self
            .client
            .get_all_cookies()
            .await
            .unwrap()
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect();
        http_get(url.as_str(), &cookies.join("; "))
            .await
            .unwrap_or_else(|e| panic!("downloading {url}: {e}"))
    }

    /// Types `text` into the input `selector` finds.
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("the input {selector}: {e}"))
            .send_keys(text)
            .await
            .unwrap();
    }

    /// Clicks what `selector` finds.
    pub async fn click(&self, selector: &str) {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("{selector}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// The texts of every element `selector` finds.
    pub async fn texts(&self, selector: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(selector)).await.unwrap() {
            texts.push(element.text().await.unwrap());
        }
        texts
    }

    /// Runs `script` (a function body) in the page.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("running {script:?}: {e}"))
    }

    /// Sends a DevTools command to the browser; its result.
    async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Every URL in the tab's session history (what Back and Forward go through).
    pub async fn history(&self) -> Vec<String> {
        let history = self.cdp("Page.getNavigationHistory", json!({})).await;
        history["entries"]
            .as_array()
            .expect("history entries")
            .iter()
            .map(|entry| entry["url"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The path of the page shown, with its query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The `lang` attribute of the page's root element.
    pub async fn lang(&self) -> String {
        let lang = self.eval("return document.documentElement.lang;").await;
        lang.as_str().unwrap_or_default().to_owned()
    }

    /// The page's `<h1>`.
    pub async fn heading(&self) -> String {
        let heading = self.client.find(Locator::Css("h1")).await.unwrap();
        heading.text().await.unwrap()
    }

    /// Presses and releases `key` on the keyboard, wherever the focus is.
    pub async fn press(&self, key: Key) {
        let key = char::from(key);
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// What has the focus: tag, id, class, href.
    pub async fn focused(&self) -> Value {
        self.eval(
            "const e = document.activeElement; \
             return {tag: e.tagName.toLowerCase(), id: e.id, class: e.className, \
                     href: e.getAttribute('href')};",
        )
        .await
    }

    /// Follows the link to this page in `lang`.
    pub async fn switch_language(&self, lang: &str) {
        let link = format!("nav a[hreflang='{lang}']");
        self.client
            .find(Locator::Css(&link))
            .await
            .unwrap_or_else(|e| panic!("the link to {lang}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// The WCAG 2.0 and 2.1 A and AA violations axe finds on the page shown, one line each:
    /// the rule, its impact, what it asks and the elements (CSS selectors).
    pub async fn axe_violations(&self) -> Vec<String> {
        // Injected by WebDriver, the script is not subject to the page's CSP; the
        // returned promise is awaited by the driver.
        let script = format!(
            "{AXE}\nreturn axe.run(document, {{runOnly: {{type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}, resultTypes: ['violations']}})\
             .then(r => ({{version: axe.version, violations: r.violations.map(v => \
             ({{id: v.id, impact: v.impact, help: v.help, \
             nodes: v.nodes.map(n => n.target.join(' '))}}))}}));"
        );
        let result = self.eval(&script).await;
        assert_eq!(result["version"], "4.14.1", "the vendored axe ran");
        let text = |value: &Value| value.as_str().unwrap_or("?").to_owned();
        result["violations"]
            .as_array()
            .expect("axe's violations")
            .iter()
            .map(|v| {
                let nodes: Vec<String> = v["nodes"].as_array().unwrap().iter().map(text).collect();
                format!(
                    "{} ({}): {}; at {}",
                    text(&v["id"]),
                    text(&v["impact"]),
                    text(&v["help"]),
                    nodes.join(", ")
                )
            })
            .collect()
    }

    /// Fails when axe finds any violation on the page shown, listing them all.
    pub async fn assert_accessible(&self, page: &str) {
        let violations = self.axe_violations().await;
        assert!(
            violations.is_empty(),
            "axe found WCAG violations on {page} ({}):\n  {}",
            self.path().await,
            violations.join("\n  ")
        );
    }

    /// Saves the whole page, beyond the window's height, as `<backend>-<page>.png` in the
    /// screenshot directory.
    pub async fn screenshot(&self, page: &str) {
        // WebDriver's screenshot shows only the window, which headless Chromium keeps
        // within its screen.
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true}),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("the screenshot's data"))
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG of {page}");
        let file = self.shots.join(format!("{}-{page}.png", self.backend));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }

    /// The checks every page gets: in `lang`, accessible, and photographed as `page`.
    pub async fn check_page(&self, page: &str, lang: &str) {
        assert_eq!(self.lang().await, lang, "the language of {page}");
        self.assert_accessible(page).await;
        self.screenshot(page).await;
    }

    /// The first Tab stop of a freshly loaded page is the skip link; following it moves
    /// the focus to the main content, and the focused link is visibly outlined.
    pub async fn assert_skip_link_works(&self) {
        self.press(Key::Tab).await;
        let focused = self.focused().await;
        assert_eq!(focused["class"], "skip", "the first tab stop: {focused}");
        assert_eq!(focused["href"], "#main");
        let shown = self
            .eval(
                "const e = document.activeElement, s = getComputedStyle(e), \
                 r = e.getBoundingClientRect(); \
                 return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), \
                         inView: r.width > 0 && r.left >= 0 && r.top >= 0 \
                                 && r.right <= innerWidth};",
            )
            .await;
        assert_eq!(shown["inView"], true, "the focused skip link is on screen");
        assert_ne!(shown["outline"], "none", "the focus is visible");
        assert!(shown["width"].as_f64().unwrap() >= 2.0, "a thick outline");
        self.press(Key::Enter).await;
        let focused = self.focused().await;
        assert_eq!(
            focused["tag"], "main",
            "the skip link moves the focus to main"
        );
        assert_eq!(focused["id"], "main");
    }
}

/// A command of Chromium's DevTools protocol, sent through chromedriver: for what WebDriver
/// has no command for (the whole page's screenshot, the session history).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A server with a few disclosures recorded, so the pages have something to show.
async fn app_with_disclosures(kind: Kind) -> TestApp {
    let mut app = TestApp::spawn(kind).await;
    for (transfer, first) in [("browser-1", 0), ("browser-2", 10)] {
        app.client
            .record_disclosure(income_register_submission(transfer, hetus(first, 3)))
            .await
            .unwrap();
    }
    app
}

async fn the_public_pages_pass_axe_and_work_by_keyboard_in_each_language(kind: Kind) {
    let app = app_with_disclosures(kind).await;
    let Some(browser) = Browser::open(kind, &app).await else {
        return;
    };

    browser.visit("/integrity?lang=fi").await;
    browser.assert_skip_link_works().await;
    browser.check_page("integrity-fi", "fi").await;

    browser.switch_language("sv").await;
    assert_eq!(browser.path().await, "/integrity?lang=sv", "the same page");
    browser.check_page("integrity-sv", "sv").await;

    // The choice is kept (in a cookie) on the next page.
    browser.visit("/accessibility").await;
    browser.check_page("accessibility-sv", "sv").await;
    assert!(browser.heading().await.contains("Tillgänglighet"));
    browser.switch_language("en").await;
    assert_eq!(browser.path().await, "/accessibility?lang=en");
    browser.assert_skip_link_works().await;
    browser.check_page("accessibility-en", "en").await;

    let history = browser.history().await;
    assert!(
        history
            .iter()
            .any(|url| url.ends_with("/integrity?lang=sv")),
        "{history:?}"
    );

    browser.visit("/no/such/page").await;
    browser.check_page("not-found-en", "en").await;

    // The check itself can fail: an image without a text alternative is caught.
    browser
        .eval("document.querySelector('main').append(document.createElement('img'));")
        .await;
    let violations = browser.axe_violations().await;
    assert!(
        violations
            .iter()
            .any(|v| v.starts_with("image-alt (critical)")),
        "{violations:?}"
    );

    browser.close().await;
}

/// The people of the provider: a data protection officer and a recorder.
const DPO: &str = "tietosuojavastaava";
const RECORDER: &str = "kirjaaja";

/// The provider the signed-in scenarios run, knowing the DPO and the recorder.
async fn provider() -> OidcProvider {
    OidcProvider::start(vec![
        TestUser::new(DPO, &["tietosuoja"]),
        TestUser::new(RECORDER, &["kirjaajat"]),
    ])
    .await
}

/// A dashboard whose staff sign in through `provider`: the DPO's group maps to the auditor,
/// subject-access and verifier roles at the KOKO fund, the recorders' to recording only.
/// Three October disclosures are on record.
async fn dashboard_signing_in_with(kind: Kind, provider: &OidcProvider) -> TestApp {
    let grant = |role| GrantSettings {
        role,
        controller: koko(),
        registers: None,
    };
    let mapping = BTreeMap::from([
        (
            "tietosuoja".to_owned(),
            vec![
                grant(Role::Auditor),
                grant(Role::SubjectAccess),
                grant(Role::Verifier),
            ],
        ),
        ("kirjaajat".to_owned(), vec![grant(Role::Recorder)]),
    ]);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut oidc = provider.settings(mapping);
    // The browser follows the provider's redirect itself, so it must lead to this server.
    oidc.redirect_url = format!("http://{}/auth/callback", listener.local_addr().unwrap());
    let options = Options {
        web: WebSettings {
            oidc: Some(oidc),
            ..WebSettings::default()
        },
        ..Options::default()
    };
    let mut app = TestApp::start_on(listener, Database::create(kind).await, options).await;
    for (transfer, first, subjects) in [("lokakuu-1", 0, 3), ("lokakuu-2", 10, 4)] {
        app.client
            .record_disclosure(income_register_submission(transfer, hetus(first, subjects)))
            .await
            .unwrap();
    }
    app.client
        .record_disclosure(to_pre_trial_investigation("esitutkinta-1", hetu(20)))
        .await
        .unwrap();
    app
}

/// The text of the element `selector` finds.
async fn text_of(browser: &Browser, selector: &str) -> String {
    browser
        .client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .text()
        .await
        .unwrap()
}

/// A number as the pages show it (perhaps with thousands separators).
fn number(text: &str) -> u64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a number: {text:?}"))
}

async fn a_dpo_signs_in_sees_the_apis_numbers_downloads_the_record_and_prepares_an_access_report(
    kind: Kind,
) {
    let provider = provider().await;
    provider.set_next_user(DPO);
    let mut app = dashboard_signing_in_with(kind, &provider).await;
    let Some(browser) = Browser::open(kind, &app).await else {
        return;
    };
    let october = format!("controller={}&from=2026-10-01&to=2026-10-31", koko());

    // No session yet: the page sends the browser to the provider, which sends it back
    // signed in, to the page it asked for.
    let overview = format!("/overview?{october}&lang=fi");
    browser.visit(&overview).await;
    assert_eq!(browser.path().await, overview, "back on the page asked for");
    assert_eq!(text_of(&browser, "header .user").await, DPO);
    browser.assert_skip_link_works().await;

    // The overview's totals are the API's.
    let statistics = app
        .client
        .disclosure_statistics(DisclosureStatisticsRequest {
            controller_id: koko(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let disclosures: u64 = statistics.groups.iter().map(|g| g.disclosures).sum();
    let entries: u64 = statistics.groups.iter().map(|g| g.subject_entries).sum();
    assert_eq!((disclosures, entries), (3, 8), "the recorded disclosures");
    assert_eq!(
        number(&text_of(&browser, "#total-disclosures").await),
        disclosures
    );
    assert_eq!(number(&text_of(&browser, "#total-entries").await), entries);
    browser.check_page("overview", "fi").await;
    // The per-month chart's table as CSV: October's row has the same totals.
    let (status, content_type, csv) = browser.download("a[href*='chart=month']").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let csv = String::from_utf8(csv).unwrap();
    let october_row = format!("2026-10,{disclosures},{entries},");
    assert!(
        csv.lines().any(|row| row.starts_with(&october_row)),
        "{october_row} in {csv}"
    );

    // A bad period is a page naming each bad field, in the page's language.
    browser
        .visit(&format!(
            "/overview?controller={}&from=2026-13-01&to=eilen&lang=sv",
            koko()
        ))
        .await;
    let bad = browser.texts("ul.bad-fields li").await;
    assert_eq!(bad.len(), 2, "{bad:?}");
    browser.check_page("overview-bad-period-sv", "sv").await;
    browser.visit(&overview).await;

    // The registers, then KOKO's register and its record of processing, downloaded as a
    // browser would, with the session's cookies.
    browser.visit(&format!("/registers?{october}")).await;
    browser.check_page("registers", "fi").await;
    browser
        .client
        .find(Locator::Css(
            "a[href^='/registers/koko-jasen-ja-maksurekisteri']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        browser
            .path()
            .await
            .starts_with("/registers/koko-jasen-ja-maksurekisteri?")
    );
    browser.check_page("register", "fi").await;
    let record = app
        .client
        .processing_record(ProcessingRecordRequest {
            controller_id: koko(),
            register_id: "koko-jasen-ja-maksurekisteri".into(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            language: ReportLanguage::Fi.into(),
            with_pdf: false,
        })
        .await
        .unwrap()
        .into_inner();
    let (status, content_type, csv) = browser.download("a[href*='/art30.csv']").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv, record.csv, "the download is the API's record");
    assert!(
        csv.lines()
            .any(|row| row.starts_with("declared,Verohallinto"))
    );
    let (status, content_type, pdf) = browser.download("a[href*='/art30.pdf']").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");

    // The disclosures, one of them in detail with its proofs.
    browser.visit(&format!("/disclosures?{october}")).await;
    browser.check_page("disclosures", "fi").await;
    browser
        .client
        .find(Locator::Css("a.disclosure"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(browser.path().await.starts_with("/disclosures/"));
    browser.check_page("disclosure", "fi").await;

    // An access request: registered, then its report prepared and previewed. The identity
    // code is typed into the forms, and goes only in their POST bodies.
    let subject = hetu(1);
    let diary = "TSV-2026-41";
    browser
        .visit(&format!("/access-requests?controller={}", koko()))
        .await;
    browser.check_page("access-requests", "fi").await;
    browser.type_into("#diary_number", diary).await;
    browser.type_into("#identity_code", &subject).await;
    browser.click("form.case-form button[type='submit']").await;
    browser
        .client
        .wait()
        .for_element(Locator::Css("form[action$='/report']"))
        .await
        .unwrap();
    let case = browser.path().await;
    assert!(case.starts_with("/access-requests/"), "{case}");
    assert_eq!(
        text_of(&browser, "h1").await,
        format!("Tarkastuspyyntö {diary}")
    );
    browser.check_page("access-request", "fi").await;
    browser.type_into("#identity_code", &subject).await;
    browser
        .click("form[action$='/report'] button[value='preview']")
        .await;
    browser
        .client
        .wait()
        .for_element(Locator::Css("section.preview"))
        .await
        .unwrap();
    let preview = text_of(&browser, "section.preview article").await;
    assert!(
        preview.contains("Verohallinto"),
        "the subject's disclosure: {preview}"
    );
    assert!(
        !preview.contains("Poliisi"),
        "another person's disclosure: {preview}"
    );
    browser.check_page("access-report", "fi").await;
    let source = browser.client.source().await.unwrap();
    assert!(
        !source.contains(&subject),
        "the code is not echoed in the page"
    );
    let history = browser.history().await;
    assert!(
        history.iter().any(|url| url.ends_with(&case)),
        "{history:?}"
    );
    assert!(
        !history.iter().any(|url| url.contains(&subject)),
        "the identity code is in no address of the history: {history:?}"
    );

    // The lookup the report made is on the audit page, under the case's diary number.
    browser
        .visit(&format!("/lookups?controller={}", koko()))
        .await;
    let cases: Vec<String> = browser.texts("#lookups td.case").await;
    assert!(cases.iter().any(|c| c == diary), "{cases:?}");
    browser.check_page("lookups", "fi").await;
    browser.visit("/integrity").await;
    browser.check_page("integrity-signed-in", "fi").await;

    // Signing out ends the session: a page asks for sign-in again.
    browser
        .client
        .find(Locator::Css("form.session button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.check_page("signed-out", "fi").await;
    let cookies = browser.client.get_all_cookies().await.unwrap();
    assert!(
        !cookies.iter().any(|c| c.name() == "__Host-session"),
        "no session cookie left"
    );

    browser.close().await;
}

async fn a_person_without_the_role_is_refused_the_page(kind: Kind) {
    let provider = provider().await;
    provider.set_next_user(RECORDER);
    let app = dashboard_signing_in_with(kind, &provider).await;
    let Some(browser) = Browser::open(kind, &app).await else {
        return;
    };

    // A recorder may sign in (the mapping gives a grant) but not see the overview.
    browser
        .visit(&format!("/overview?controller={}&lang=en", koko()))
        .await;
    assert_eq!(text_of(&browser, "h1").await, "Not allowed");
    let said = text_of(&browser, "main").await;
    assert!(
        said.contains(RECORDER) && said.contains("“auditor”"),
        "the page names the person and the role: {said}"
    );
    browser.check_page("refused-en", "en").await;

    // The same in Finnish, wholly.
    browser.switch_language("fi").await;
    assert_eq!(text_of(&browser, "h1").await, "Ei oikeutta");
    let said = text_of(&browser, "main").await;
    assert!(
        said.contains(RECORDER) && said.contains("tarkastaja") && !said.contains("auditor"),
        "the reason in Finnish: {said}"
    );
    browser.check_page("refused-fi", "fi").await;

    browser.close().await;
}
