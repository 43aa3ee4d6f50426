//! A small OpenID Connect provider for tests: axum on 127.0.0.1:0 with discovery,
//! `/authorize` (no page: it sends the browser straight back with a code for the user the
//! test chose), `/token` (checks the client secret, the one-time code, the redirect URI and
//! the PKCE verifier) and `/jwks` (one ES256 key made by rcgen). It can be told to
//! misbehave, for the tests that an ID token is checked.
//!
//! ```ignore
//! let provider = OidcProvider::start(vec![TestUser::new("dpo", &["tietosuoja"])]).await;
//! provider.set_next_user("dpo");
//! let settings = provider.settings(role_mapping);   // for WebSettings { oidc: Some(..) }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use luovutusloki::auth::GrantSettings;
use luovutusloki::web::oidc::{OidcSettings, pkce_challenge};
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The client the dashboard is registered as.
pub const CLIENT_ID: &str = "luovutusloki-dashboard";
pub const CLIENT_SECRET: &str = "test-client-secret";
/// The redirect URL the settings name (the app's port is not known when the settings are
/// made). The provider sends the browser back to this URL, or, after `send_back_to`, to
/// the same path and query on the app's real address, as a browser test needs.
pub const REDIRECT_URL: &str = "http://localhost/auth/callback";
const KEY_ID: &str = "test-key-1";

/// A person the provider knows: the name (`preferred_username`; `sub` is `sub-<name>`)
/// and the values of the `groups` claim.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub name: String,
    pub groups: Vec<String>,
}

impl TestUser {
    pub fn new(name: &str, groups: &[&str]) -> Self {
        Self {
            name: name.into(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }
}

/// How the next ID tokens go wrong, for the tests that the dashboard checks them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Misbehaviour {
    #[default]
    None,
    /// A nonce other than the one the authorization request carried.
    WrongNonce,
    /// Issued for another client.
    WrongAudience,
    /// Expired an hour ago.
    Expired,
    /// Signed under a key id that the key set does not have.
    UnknownKid,
}

struct Pending {
    user: TestUser,
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct ProviderState {
    issuer: String,
    users: Vec<TestUser>,
    next_user: Mutex<String>,
    codes: Mutex<HashMap<String, Pending>>,
    misbehaviour: Mutex<Misbehaviour>,
    /// `http://<address>` that replaces the redirect URL's origin in `/authorize`'s answer.
    send_back_to: Mutex<Option<String>>,
    key: EncodingKey,
    jwk: serde_json::Value,
}

/// A running provider; dropping it stops it.
pub struct OidcProvider {
    state: Arc<ProviderState>,
    task: JoinHandle<()>,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl OidcProvider {
    /// Starts a provider that knows `users`; the first is the one signed in until
    /// `set_next_user` names another.
    pub async fn start(users: Vec<TestUser>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let key = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap();
        let point = pair.public_key_raw();
        assert_eq!(point.len(), 65, "an uncompressed P-256 point");
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": KEY_ID,
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        let state = Arc::new(ProviderState {
            issuer,
            next_user: Mutex::new(users.first().map(|u| u.name.clone()).unwrap_or_default()),
            users,
            codes: Mutex::new(HashMap::new()),
            misbehaviour: Mutex::new(Misbehaviour::None),
            send_back_to: Mutex::new(None),
            key,
            jwk,
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/jwks", get(jwks))
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { state, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> String {
        self.state.issuer.clone()
    }

    /// The user whom the next authorization request signs in.
    pub fn set_next_user(&self, name: &str) {
        assert!(
            self.state.users.iter().any(|u| u.name == name),
            "{name} is not a user of the provider"
        );
        *self.state.next_user.lock().unwrap() = name.to_owned();
    }

    /// Sends browsers back to the app at `address` (its `/auth/callback`) rather than to
    /// the settings' placeholder origin; the token request still names the configured
    /// redirect URL, as the app sends it.
    pub fn send_back_to(&self, address: std::net::SocketAddr) {
        *self.state.send_back_to.lock().unwrap() = Some(format!("http://{address}"));
    }

    /// How the ID tokens issued from now on go wrong.
    pub fn misbehave(&self, how: Misbehaviour) {
        *self.state.misbehaviour.lock().unwrap() = how;
    }

    /// `[web.oidc]` settings for this provider: a confidential client, roles from the
    /// `groups` claim mapped by `role_mapping`.
    pub fn settings(&self, role_mapping: BTreeMap<String, Vec<GrantSettings>>) -> OidcSettings {
        let toml = format!(
            "issuer = {:?}\nclient_id = {CLIENT_ID:?}\nclient_secret = {CLIENT_SECRET:?}\n\
             redirect_url = {REDIRECT_URL:?}\nscopes = [\"profile\", \"groups\"]\n",
            self.issuer()
        );
        let mut settings: OidcSettings = toml::from_str(&toml).unwrap();
        settings.role_mapping = role_mapping;
        settings
    }

    /// Issues a code as `/authorize` does, for a PKCE challenge the test chose (an
    /// attacker's code, to inject into someone else's callback).
    pub fn code_for_challenge(&self, challenge: &str, nonce: &str) -> String {
        let user = self.state.next();
        let code = random();
        self.state.codes.lock().unwrap().insert(
            code.clone(),
            Pending {
                user,
                nonce: nonce.into(),
                challenge: challenge.into(),
                redirect_uri: REDIRECT_URL.into(),
            },
        );
        code
    }
}

impl ProviderState {
    fn next(&self) -> TestUser {
        let name = self.next_user.lock().unwrap().clone();
        self.users
            .iter()
            .find(|u| u.name == name)
            .cloned()
            .expect("the next user is known")
    }
}

fn random() -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).unwrap();
    URL_SAFE_NO_PAD.encode(bytes)
}

fn json_answer(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

async fn discovery(State(state): State<Arc<ProviderState>>) -> Response {
    let issuer = &state.issuer;
    json_answer(
        StatusCode::OK,
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }),
    )
}

async fn jwks(State(state): State<Arc<ProviderState>>) -> Response {
    json_answer(StatusCode::OK, json!({ "keys": [state.jwk] }))
}

async fn authorize(
    State(state): State<Arc<ProviderState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    let well_formed = field("response_type") == "code"
        && field("client_id") == CLIENT_ID
        && field("code_challenge_method") == "S256"
        && field("scope").split(' ').any(|s| s == "openid")
        && !field("state").is_empty()
        && !field("nonce").is_empty()
        && !field("code_challenge").is_empty()
        && !field("redirect_uri").is_empty();
    if !well_formed {
        return (StatusCode::BAD_REQUEST, "malformed authorization request").into_response();
    }
    let code = random();
    state.codes.lock().unwrap().insert(
        code.clone(),
        Pending {
            user: state.next(),
            nonce: field("nonce"),
            challenge: field("code_challenge"),
            redirect_uri: field("redirect_uri"),
        },
    );
    let query = serde_urlencoded::to_string([("code", code), ("state", field("state"))]).unwrap();
    let redirect = field("redirect_uri");
    let redirect = match &*state.send_back_to.lock().unwrap() {
        Some(origin) => match redirect.find("/auth/callback") {
            Some(at) => format!("{origin}{}", &redirect[at..]),
            None => redirect,
        },
        None => redirect,
    };
    let location = format!("{redirect}?{query}");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn refuse(error: &str) -> Response {
    json_answer(StatusCode::BAD_REQUEST, json!({ "error": error }))
}

async fn token(
    State(state): State<Arc<ProviderState>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(basic.as_str())
    {
        return json_answer(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "invalid_client" }),
        );
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    if field("grant_type") != "authorization_code" {
        return refuse("unsupported_grant_type");
    }
    // One-time: the code is gone whatever follows.
    let Some(pending) = state.codes.lock().unwrap().remove(&field("code")) else {
        return refuse("invalid_grant");
    };
    if field("redirect_uri") != pending.redirect_uri
        || pkce_challenge(&field("code_verifier")) != pending.challenge
    {
        return refuse("invalid_grant");
    }
    let misbehaviour = *state.misbehaviour.lock().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({
        "iss": state.issuer,
        "sub": format!("sub-{}", pending.user.name),
        "aud": if misbehaviour == Misbehaviour::WrongAudience { "another-client" } else { CLIENT_ID },
        "iat": now,
        "exp": if misbehaviour == Misbehaviour::Expired { now - 3600 } else { now + 300 },
        "nonce": if misbehaviour == Misbehaviour::WrongNonce { "another-nonce".to_owned() } else { pending.nonce },
        "preferred_username": pending.user.name,
        "groups": pending.user.groups,
    });
    let mut head = Header::new(Algorithm::ES256);
    head.kid = Some(if misbehaviour == Misbehaviour::UnknownKid {
        "unknown-key".into()
    } else {
        KEY_ID.into()
    });
    let id_token = jsonwebtoken::encode(&head, &claims, &state.key).unwrap();
    json_answer(
        StatusCode::OK,
        json!({
            "access_token": random(),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }),
    )
}
