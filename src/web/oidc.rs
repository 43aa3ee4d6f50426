//! Sign-in through the organisation's OpenID Connect provider: the authorization code flow
//! with PKCE (OpenID Connect Core 1.0 §3.1, RFC 7636 S256), and nothing else of OAuth.
//!
//! `GET /auth/login?next=/path` seals a fresh `state`, `nonce` and PKCE verifier into the
//! short-lived `__Host-login` cookie and sends the browser to the provider;
//! `GET /auth/callback` checks `state` against that cookie, redeems the code with the
//! verifier at the token endpoint, validates the ID token (pinned algorithms, issuer,
//! audience, expiry, nonce, `azp`), maps the roles claim to grants by the configured role
//! mapping and sets the session cookie (session.rs). `POST /auth/logout` clears it.
//!
//! The provider's endpoints come from its discovery document, whose `issuer` must be the
//! configured one; its keys (JWKS) are fetched again when a token names a key not seen yet,
//! at most once a minute.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::{OnceCell, RwLock};

use crate::auth::GrantSettings;

use super::WebState;
use super::lang::Lang;
use super::respond::message;
use super::security::cookie;
use super::session::{Session, unix_now};
use super::viewer::language;

/// The `[web.oidc]` settings: the provider, this client, and the role mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The provider's issuer identifier, exactly as its discovery document and ID tokens
    /// give it (`https://`; `http://` only on a loopback address).
    pub issuer: String,
    pub client_id: String,
    /// For a confidential client (sent as HTTP Basic, `client_secret_basic`); unset: a
    /// public client, protected by PKCE alone.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The dashboard's public base URL followed by `/auth/callback`, as registered at the
    /// provider.
    pub redirect_url: String,
    /// Scopes asked for besides `openid` (e.g. `profile`, `groups`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The ID token claim whose values (a string or a list of strings) the role mapping
    /// maps to grants.
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// The ID token claim naming the person; `sub` when the token lacks it.
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
    /// Each value of the roles claim, and the grants it gives (as `[[auth.callers]]`
    /// grants). Values not listed give nothing; a person with no grant cannot sign in.
    #[serde(default)]
    pub role_mapping: BTreeMap<String, Vec<GrantSettings>>,
    /// PEM CA certificates that the provider's TLS certificate must chain to, for a
    /// provider under a private CA; unset: the public web PKI roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_roles_claim() -> String {
    "groups".into()
}

fn default_name_claim() -> String {
    "preferred_username".into()
}

/// How long the sign-in may take at the provider.
const LOGIN_SECONDS: i64 = 600;
const LOGIN_COOKIE: &str = "__Host-login";
const LOGIN_PURPOSE: &str = "luovutusloki login v1";
/// How often the provider's keys may be fetched again for an unknown key id.
const JWKS_REFETCH: Duration = Duration::from_secs(60);
/// The longest a call to the provider may take, and the largest answer read.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_PROVIDER_BYTES: usize = 256 * 1024;
/// Clock difference allowed with the provider for `exp` and `iat`.
const LEEWAY_SECONDS: u64 = 60;

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The client of one provider, built at start from the settings.
pub struct Oidc {
    settings: OidcSettings,
    http: HttpClient,
    provider: OnceCell<Provider>,
    keys: RwLock<Keys>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.settings.issuer)
            .field("client_id", &self.settings.client_id)
            .finish_non_exhaustive()
    }
}

/// The endpoints of the discovery document.
#[derive(Debug, Deserialize)]
struct Provider {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

struct Keys {
    set: JwkSet,
    fetched: Option<Instant>,
}

/// What the login cookie carries between `/auth/login` and `/auth/callback`.
#[derive(Serialize, Deserialize)]
struct LoginState {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    expires: i64,
}

/// Why a sign-in failed: logged in full, shown as one of the page's texts.
#[derive(Debug, thiserror::Error)]
enum SignInError {
    /// No login cookie, or one that expired or does not match `state`.
    #[error("sign-in state: {0}")]
    State(&'static str),
    #[error("the provider refused: {0}")]
    Refused(String),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the ID token is not valid: {0}")]
    Token(String),
    #[error("no grant for {0}")]
    NoGrant(String),
}

/// Whether `uri` may be called: `https`, or `http` to a loopback address only.
fn allowed(uri: &Uri) -> bool {
    match uri.scheme_str() {
        Some("https") => uri.host().is_some(),
        Some("http") => uri.host().is_some_and(|host| {
            host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }),
        _ => false,
    }
}

fn checked_uri(what: &str, text: &str) -> Result<Uri, String> {
    let uri: Uri = text
        .parse()
        .map_err(|e| format!("{what} {text:?} is not a URL: {e}"))?;
    if !allowed(&uri) {
        return Err(format!(
            "{what} {text:?} must be https:// (http:// only on a loopback address)"
        ));
    }
    Ok(uri)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `next` if it is a path on this site (not `//host`, no backslash, no scheme).
fn local_path(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    local.then_some(next)
}

impl Oidc {
    /// Checks the settings (URLs, role mapping, CA file) and builds the client; the
    /// provider is asked nothing until the first sign-in.
    pub fn new(settings: &OidcSettings) -> Result<Self, String> {
        let mut settings = settings.clone();
        checked_uri("[web.oidc] issuer", &settings.issuer)?;
        settings.issuer = settings.issuer.trim_end_matches('/').to_owned();
        let redirect = checked_uri("[web.oidc] redirect_url", &settings.redirect_url)?;
        if redirect.path() != "/auth/callback" {
            return Err(format!(
                "[web.oidc] redirect_url {:?} must end in /auth/callback",
                settings.redirect_url
            ));
        }
        if settings.client_id.trim().is_empty() {
            return Err("[web.oidc] client_id is empty".into());
        }
        for (value, grants) in &settings.role_mapping {
            for grant in grants {
                grant
                    .parse(&format!("[web.oidc.role_mapping] {value:?}"))
                    .map_err(|e| e.to_string())?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        match &settings.ca_file {
            Some(path) => {
                use rustls::pki_types::CertificateDer;
                use rustls::pki_types::pem::PemObject;
                let certificates = CertificateDer::pem_file_iter(path)
                    .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| format!("[web.oidc] ca_file {}: {e}", path.display()))?;
                let (added, _) = roots.add_parsable_certificates(certificates);
                if added == 0 {
                    return Err(format!(
                        "[web.oidc] ca_file {} holds no CA certificate",
                        path.display()
                    ));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS for the OpenID provider: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        // http:// is enabled for loopback issuers only; `allowed` refuses every other.
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            settings,
            http: Client::builder(TokioExecutor::new()).build(connector),
            provider: OnceCell::new(),
            keys: RwLock::new(Keys {
                set: JwkSet { keys: Vec::new() },
                fetched: None,
            }),
        })
    }

    async fn call(&self, request: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes), String> {
        if !allowed(request.uri()) {
            return Err(format!("{} is neither https nor loopback", request.uri()));
        }
        let uri = request.uri().clone();
        let answer = tokio::time::timeout(PROVIDER_TIMEOUT, async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| format!("{uri}: {e}"))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_PROVIDER_BYTES)
                .collect()
                .await
                .map_err(|e| format!("{uri}: reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, body))
        })
        .await
        .map_err(|_| format!("{uri}: no answer in {PROVIDER_TIMEOUT:?}"))??;
        Ok(answer)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        let request = Request::get(url)
            .header(header::ACCEPT, "application/json")
            .body(Full::default())
            .map_err(|e| format!("{url}: {e}"))?;
        let (status, body) = self.call(request).await?;
        if !status.is_success() {
            return Err(format!("{url}: HTTP {status}"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
    }

    /// The discovery document, fetched once (again after a failure).
    async fn provider(&self) -> Result<&Provider, SignInError> {
        self.provider
            .get_or_try_init(|| async {
                let url = format!("{}/.well-known/openid-configuration", self.settings.issuer);
                let provider: Provider = self.get_json(&url).await?;
                if provider.issuer != self.settings.issuer {
                    return Err(format!(
                        "the discovery document names issuer {:?}, not the configured {:?}",
                        provider.issuer, self.settings.issuer
                    ));
                }
                for (what, url) in [
                    ("authorization_endpoint", &provider.authorization_endpoint),
                    ("token_endpoint", &provider.token_endpoint),
                    ("jwks_uri", &provider.jwks_uri),
                ] {
                    checked_uri(what, url)?;
                }
                Ok(provider)
            })
            .await
            .map_err(SignInError::Unreachable)
    }

    /// The provider's key `kid`, fetching the key set again if it is not known yet (at
    /// most once a minute, so forged key ids cannot make us hammer the provider).
    async fn key(&self, jwks_uri: &str, kid: &str) -> Result<Jwk, SignInError> {
        {
            let keys = self.keys.read().await;
            if let Some(jwk) = keys.set.find(kid) {
                return Ok(jwk.clone());
            }
            if keys.fetched.is_some_and(|at| at.elapsed() < JWKS_REFETCH) {
                return Err(SignInError::Token(format!("unknown key id {kid:?}")));
            }
        }
        let mut keys = self.keys.write().await;
        // Another sign-in may have fetched them while this one waited.
        if keys.fetched.is_none_or(|at| at.elapsed() >= JWKS_REFETCH) {
            keys.fetched = Some(Instant::now());
            keys.set = self
                .get_json(jwks_uri)
                .await
                .map_err(SignInError::Unreachable)?;
        }
        keys.set
            .find(kid)
            .cloned()
            .ok_or_else(|| SignInError::Token(format!("unknown key id {kid:?}")))
    }

    /// The URL of the provider's sign-in page for `login`.
    async fn authorization_url(&self, login: &LoginState) -> Result<String, SignInError> {
        let provider = self.provider().await?;
        let scope = std::iter::once("openid")
            .chain(self.settings.scopes.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", &self.settings.client_id),
            ("redirect_uri", &self.settings.redirect_url),
            ("scope", &scope),
            ("state", &login.state),
            ("nonce", &login.nonce),
            ("code_challenge", &pkce_challenge(&login.verifier)),
            ("code_challenge_method", "S256"),
        ])
        .expect("strings encode");
        let separator = if provider.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!(
            "{}{separator}{query}",
            provider.authorization_endpoint
        ))
    }

    /// Redeems `code` and validates the ID token: its claims.
    async fn redeem(
        &self,
        code: &str,
        login: &LoginState,
    ) -> Result<serde_json::Map<String, serde_json::Value>, SignInError> {
        let provider = self.provider().await?;
        let form = serde_urlencoded::to_string([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.settings.redirect_url),
            ("code_verifier", &login.verifier),
            ("client_id", &self.settings.client_id),
        ])
        .expect("strings encode");
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(&provider.token_endpoint)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(secret) = &self.settings.client_secret {
            // RFC 6749 §2.3.1: both parts form-encoded before Basic encoding.
            let pair = format!(
                "{}:{}",
                form_encode(&self.settings.client_id),
                form_encode(secret.expose_secret())
            );
            request = request.header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(pair)),
            );
        }
        let request = request
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| SignInError::Unreachable(e.to_string()))?;
        let (status, body) = self.call(request).await.map_err(SignInError::Unreachable)?;
        if !status.is_success() {
            let error = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_default();
            return Err(SignInError::Refused(format!(
                "token endpoint: HTTP {status} {error}"
            )));
        }
        #[derive(Deserialize)]
        struct TokenAnswer {
            id_token: String,
        }
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|e| SignInError::Refused(format!("token endpoint: {e}")))?;
        self.validate(provider, &answer.id_token, &login.nonce)
            .await
    }

    /// OpenID Connect Core §3.1.3.7, for the code flow.
    async fn validate(
        &self,
        provider: &Provider,
        id_token: &str,
        nonce: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, SignInError> {
        let bad = |what: String| SignInError::Token(what);
        let head = jsonwebtoken::decode_header(id_token).map_err(|e| bad(e.to_string()))?;
        if !matches!(
            head.alg,
            Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA
        ) {
            return Err(bad(format!("algorithm {:?} is not allowed", head.alg)));
        }
        let kid = head.kid.ok_or_else(|| bad("no key id".into()))?;
        let jwk = self.key(&provider.jwks_uri, &kid).await?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| bad(format!("key {kid:?}: {e}")))?;
        let mut validation = Validation::new(head.alg);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            id_token,
            &key,
            &validation,
        )
        .map_err(|e| bad(e.to_string()))?
        .claims;
        let sent_nonce = claims.get("nonce").and_then(|n| n.as_str()).unwrap_or("");
        if !bool::from(sent_nonce.as_bytes().ct_eq(nonce.as_bytes())) {
            return Err(bad("the nonce is not the one sent".into()));
        }
        let several_audiences = claims
            .get("aud")
            .and_then(|aud| aud.as_array())
            .is_some_and(|list| list.len() > 1);
        let azp = claims.get("azp").and_then(|azp| azp.as_str());
        if (several_audiences || azp.is_some()) && azp != Some(self.settings.client_id.as_str()) {
            return Err(bad("azp is not this client".into()));
        }
        Ok(claims)
    }

    /// The person's name and grants by the role mapping.
    fn grants_of(
        &self,
        claims: &serde_json::Map<String, serde_json::Value>,
    ) -> (String, Vec<GrantSettings>) {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(|v| v.as_str())
                .filter(|s| !s.trim().is_empty())
        };
        let name = text(&self.settings.name_claim)
            .or_else(|| text("sub"))
            .unwrap_or_default()
            .to_owned();
        let values: Vec<&str> = match claims.get(&self.settings.roles_claim) {
            Some(serde_json::Value::String(one)) => vec![one.as_str()],
            Some(serde_json::Value::Array(many)) => {
                many.iter().filter_map(|value| value.as_str()).collect()
            }
            _ => Vec::new(),
        };
        let mut grants: Vec<GrantSettings> = Vec::new();
        for value in values {
            for grant in self.settings.role_mapping.get(value).into_iter().flatten() {
                if !grants.contains(grant) {
                    grants.push(grant.clone());
                }
            }
        }
        (name, grants)
    }
}

fn form_encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|pair| pair[1..].to_owned())
        .unwrap_or_default()
}

/// `/auth/login`, `/auth/callback` and `/auth/logout`.
pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
}

/// The sign-in pages' texts.
pub struct SignInTexts {
    pub failed: &'static str,
    pub bad_next: &'static str,
    pub state: &'static str,
    pub refused: &'static str,
    pub unreachable: &'static str,
    pub no_grant: &'static str,
    pub not_configured: &'static str,
    pub signed_out: &'static str,
    pub signed_out_text: &'static str,
}

const FI: SignInTexts = SignInTexts {
    failed: "Kirjautuminen epäonnistui",
    bad_next: "Kirjautumisen jälkeen voidaan palata vain tämän palvelun sivulle.",
    state: "Kirjautuminen vanhentui tai aloitettiin toisessa ikkunassa. Aloita kirjautuminen uudelleen.",
    refused: "Tunnistuspalvelu ei vahvistanut kirjautumista. Aloita kirjautuminen uudelleen.",
    unreachable: "Organisaation tunnistuspalveluun ei saatu yhteyttä. Yritä hetken kuluttua uudelleen.",
    no_grant: "Käyttäjätunnuksellasi ei ole tämän palvelun käyttöoikeuksia. Pyydä niitä pääkäyttäjältä.",
    not_configured: "Tässä palvelussa ei ole määritetty kirjautumista.",
    signed_out: "Olet kirjautunut ulos",
    signed_out_text: "Istunto tässä palvelussa on päättynyt. Sulje selain päättääksesi myös kirjautumisen organisaation tunnistuspalveluun.",
};

const SV: SignInTexts = SignInTexts {
    failed: "Inloggningen misslyckades",
    bad_next: "Efter inloggningen kan man bara återvända till en sida i den här tjänsten.",
    state: "Inloggningen gick ut eller påbörjades i ett annat fönster. Börja om inloggningen.",
    refused: "Identifieringstjänsten bekräftade inte inloggningen. Börja om inloggningen.",
    unreachable: "Organisationens identifieringstjänst kunde inte nås. Försök igen om en stund.",
    no_grant: "Ditt användarkonto har inga behörigheter i den här tjänsten. Be huvudanvändaren om dem.",
    not_configured: "Ingen inloggning har konfigurerats i den här tjänsten.",
    signed_out: "Du har loggat ut",
    signed_out_text: "Sessionen i den här tjänsten har avslutats. Stäng webbläsaren för att också avsluta inloggningen i organisationens identifieringstjänst.",
};

const EN: SignInTexts = SignInTexts {
    failed: "Sign-in failed",
    bad_next: "After signing in, only a page of this service can be returned to.",
    state: "The sign-in expired or was started in another window. Start signing in again.",
    refused: "The sign-in service did not confirm the sign-in. Start signing in again.",
    unreachable: "The organisation's sign-in service could not be reached. Try again in a moment.",
    no_grant: "Your account has no rights in this service. Ask the administrator for them.",
    not_configured: "Sign-in is not configured in this service.",
    signed_out: "You have signed out",
    signed_out_text: "Your session in this service has ended. Close the browser to end the sign-in at your organisation's sign-in service too.",
};

fn texts(lang: Lang) -> &'static SignInTexts {
    lang.pick(&FI, &SV, &EN)
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for value in cookies {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn clear_login_cookie() -> String {
    format!("{LOGIN_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

fn failure(lang: Lang, error: &SignInError) -> Response {
    let p = texts(lang);
    let (status, text) = match error {
        SignInError::State(_) => (StatusCode::BAD_REQUEST, p.state),
        SignInError::Refused(_) | SignInError::Token(_) => (StatusCode::UNAUTHORIZED, p.refused),
        SignInError::Unreachable(_) => (StatusCode::BAD_GATEWAY, p.unreachable),
        SignInError::NoGrant(_) => (StatusCode::FORBIDDEN, p.no_grant),
    };
    match error {
        SignInError::Unreachable(_) => tracing::error!(%error, "dashboard sign-in"),
        _ => tracing::warn!(%error, "dashboard sign-in refused"),
    }
    with_cookies(
        message(lang, status, p.failed, text),
        &[clear_login_cookie()],
    )
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login(
    State(state): State<Arc<WebState>>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let lang = language(&headers, uri.query());
    let p = texts(lang);
    let Some(oidc) = &state.oidc else {
        return message(lang, StatusCode::NOT_FOUND, p.failed, p.not_configured);
    };
    let next = query.next.as_deref().unwrap_or("/");
    let Some(next) = local_path(next) else {
        return message(lang, StatusCode::BAD_REQUEST, p.failed, p.bad_next);
    };
    let login = LoginState {
        state: random_token(),
        nonce: random_token(),
        verifier: random_token(),
        next: next.to_owned(),
        expires: unix_now() + LOGIN_SECONDS,
    };
    let url = match oidc.authorization_url(&login).await {
        Ok(url) => url,
        Err(error) => return failure(lang, &error),
    };
    // Lax, so that the browser sends it on the provider's redirect back to the callback.
    let cookie = format!(
        "{LOGIN_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={LOGIN_SECONDS}",
        state.sessions.seal(LOGIN_PURPOSE, &login)
    );
    with_cookies(see_other(&url), &[cookie])
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let lang = language(&headers, None);
    let Some(oidc) = &state.oidc else {
        let p = texts(lang);
        return message(lang, StatusCode::NOT_FOUND, p.failed, p.not_configured);
    };
    match sign_in(oidc, &state, &headers, query).await {
        Ok((session, next)) => with_cookies(
            see_other(&next),
            &[session.set_cookie(&state.sessions), clear_login_cookie()],
        ),
        Err(error) => failure(lang, &error),
    }
}

async fn sign_in(
    oidc: &Oidc,
    state: &WebState,
    headers: &HeaderMap,
    query: CallbackQuery,
) -> Result<(Session, String), SignInError> {
    let login: LoginState = cookie(headers, LOGIN_COOKIE)
        .and_then(|sealed| state.sessions.open(LOGIN_PURPOSE, sealed))
        .ok_or(SignInError::State("no valid login cookie"))?;
    if login.expires <= unix_now() {
        return Err(SignInError::State("the login cookie expired"));
    }
    let sent_state = query.state.unwrap_or_default();
    if !bool::from(sent_state.as_bytes().ct_eq(login.state.as_bytes())) {
        return Err(SignInError::State("state does not match the login cookie"));
    }
    if let Some(error) = query.error {
        return Err(SignInError::Refused(format!("authorization: {error}")));
    }
    let code = query
        .code
        .filter(|code| !code.is_empty())
        .ok_or_else(|| SignInError::Refused("no code".into()))?;
    let claims = oidc.redeem(&code, &login).await?;
    let (name, grants) = oidc.grants_of(&claims);
    if name.is_empty() {
        return Err(SignInError::Token("no name and no sub".into()));
    }
    if grants.is_empty() {
        return Err(SignInError::NoGrant(name));
    }
    tracing::info!(user = %name, grants = grants.len(), "signed in to the dashboard");
    Ok((Session::new(name, grants, unix_now()), login.next))
}

async fn logout(headers: HeaderMap, uri: Uri) -> Response {
    // The CSRF check (security.rs) has already passed: this is a form of this site.
    let lang = language(&headers, uri.query());
    let p = texts(lang);
    with_cookies(
        message(lang, StatusCode::OK, p.signed_out, p.signed_out_text),
        &[Session::clear_cookie()],
    )
}

/// Where an anonymous page request goes when sign-in is configured.
pub fn login_location(path_and_query: &str) -> String {
    let query = serde_urlencoded::to_string([("next", path_and_query)]).expect("strings encode");
    format!("/auth/login?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_accepted_as_next() {
        assert_eq!(local_path("/integrity?lang=sv"), Some("/integrity?lang=sv"));
        for foreign in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(local_path(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn plain_http_is_allowed_to_loopback_only() {
        for ok in [
            "https://login.example.fi/realms/x",
            "http://127.0.0.1:8080",
            "http://[::1]:80/x",
            "http://localhost/",
        ] {
            assert!(allowed(&ok.parse().unwrap()), "{ok}");
        }
        for bad in ["http://login.example.fi/", "http://10.0.0.1/", "ftp://x/"] {
            assert!(!allowed(&bad.parse().unwrap()), "{bad}");
        }
    }

    #[test]
    fn the_pkce_challenge_is_that_of_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
