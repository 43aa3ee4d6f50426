//! Who is looking at a page, and in which language: the extractor every page handler takes.
//! The caller comes from the same credentials as a gRPC call (a bearer token or JWT, else
//! the mutual TLS client certificate; on an open local service, the local caller), so the
//! use cases in `Services` decide what the page may show, as for gRPC.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Caller;

use super::WebState;
use super::lang::{Lang, Texts};
use super::respond::message;
use super::security::{CsrfToken, LANG_COOKIE, cookie, url_pairs};
use super::session::{Session, unix_now};

/// The viewer of one page: caller, language, and what the layout shows.
pub struct Viewer {
    pub caller: Caller,
    pub lang: Lang,
    /// The texts every page shares, in `lang`.
    pub t: &'static Texts,
    /// The token the page's forms carry (see `security`).
    pub csrf: String,
    /// The path of the page, for the navigation and the language links.
    path: String,
    /// The query of the page without `lang`, kept by the language links.
    query: Vec<(String, String)>,
}

/// The language of a request: `?lang=`, else the cookie, else Accept-Language.
pub fn language(headers: &HeaderMap, query: Option<&str>) -> Lang {
    let chosen =
        query.and_then(|q| url_pairs(q).find_map(|(key, value)| (key == "lang").then_some(value)));
    let chosen = chosen.or_else(|| cookie(headers, LANG_COOKIE).map(str::to_owned));
    Lang::choose(
        chosen.as_deref(),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    )
}

impl FromRequestParts<Arc<WebState>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<WebState>,
    ) -> Result<Self, Self::Rejection> {
        let lang = language(&parts.headers, parts.uri.query());
        let t = lang.texts();
        let caller = match caller(parts, state) {
            Ok(caller) => caller,
            Err(NoCaller::SignIn) => {
                let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
                let location = super::oidc::login_location(target);
                return Err((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response());
            }
            Err(NoCaller::Refused) => {
                return Err(message(
                    lang,
                    StatusCode::UNAUTHORIZED,
                    t.denied,
                    t.unauthenticated,
                ));
            }
        };
        if let Err(wait) = caller.admit() {
            let mut busy = message(lang, StatusCode::TOO_MANY_REQUESTS, t.busy, t.busy);
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            busy.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            return Err(busy);
        }
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|token| token.0.clone())
            .unwrap_or_default();
        let query = parts
            .uri
            .query()
            .map(|q| {
                url_pairs(q)
                    .filter(|(key, value)| key != "lang" && !may_hold_identity_code(key, value))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            caller,
            lang,
            t,
            csrf,
            path: parts.uri.path().to_owned(),
            query,
        })
    }
}

enum NoCaller {
    /// Sign in first: a page request without credentials where sign-in is configured.
    SignIn,
    Refused,
}

/// The caller of a page: the session's person, else the gRPC credentials. Where sign-in is
/// configured, the open service's local caller and the anonymous caller do not see pages:
/// a page GET is sent to sign in, anything else is refused.
fn caller(parts: &Parts, state: &WebState) -> Result<Caller, NoCaller> {
    if state.oidc.is_some()
        && let Some(session) = Session::from_headers(&parts.headers, &state.sessions, unix_now())
    {
        return Ok(session.caller(&state.auth));
    }
    let caller = (state.resolve_caller)(&state.auth, &parts.headers, &parts.extensions)
        .map_err(|_| NoCaller::Refused)?;
    if state.oidc.is_some() && !caller.is_authenticated() {
        let page = parts.method == Method::GET || parts.method == Method::HEAD;
        return Err(if page {
            NoCaller::SignIn
        } else {
            NoCaller::Refused
        });
    }
    Ok(caller)
}

/// Whether a query pair may carry an identity code, which the language links must not
/// repeat into the page: codes are sent only in POST bodies, and a query that holds one
/// anyway (a hand-made or old link) is not echoed.
fn may_hold_identity_code(key: &str, value: &str) -> bool {
    matches!(key, "hetu" | "subject" | "identity_code")
        || crate::domain::text::contains_identity_code_token(value)
        || crate::domain::Hetu::parse(value.trim()).is_ok()
}

/// A link of the navigation.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// A link to this page in another language.
pub struct LangLink {
    pub href: String,
    pub lang: Lang,
    pub label: &'static str,
}

/// What the layout (`templates/web/base.html`) shows around every page: each page's
/// template struct has it as its field `c`.
pub struct Chrome {
    pub lang: Lang,
    pub t: &'static Texts,
    pub nav: Vec<NavLink>,
    pub languages: Vec<LangLink>,
    /// The name shown as signed in.
    pub user: Option<String>,
    /// The service is open to every local user (no callers configured).
    pub local: bool,
    /// The token of the page's forms.
    pub csrf: String,
}

impl Chrome {
    /// The layout of a page shown before (or without) knowing its viewer: errors.
    pub fn plain(lang: Lang) -> Self {
        Self::build(lang, "", &[], None, false, String::new())
    }

    fn build(
        lang: Lang,
        path: &str,
        query: &[(String, String)],
        user: Option<String>,
        local: bool,
        csrf: String,
    ) -> Self {
        let t = lang.texts();
        let nav = [
            ("/overview", t.overview),
            ("/registers", t.registers),
            ("/disclosures", t.disclosures),
            ("/access-requests", t.access_requests),
            ("/lookups", t.lookup_audit),
            ("/integrity", t.integrity),
            ("/accessibility", t.accessibility),
        ]
        .into_iter()
        .map(|(href, label)| NavLink {
            href,
            label,
            current: path == href || path.starts_with(&format!("{href}/")),
        })
        .collect();
        let languages = Lang::ALL
            .into_iter()
            .filter(|&other| other != lang)
            .map(|other| {
                let mut query = query.to_vec();
                query.push(("lang".into(), other.to_string()));
                let query = serde_urlencoded::to_string(&query).unwrap_or_default();
                LangLink {
                    href: format!("{path}?{query}"),
                    lang: other,
                    label: other.endonym(),
                }
            })
            .collect();
        Self {
            lang,
            t,
            nav,
            languages,
            user,
            local,
            csrf,
        }
    }
}

impl Viewer {
    /// The layout of this viewer's page.
    pub fn chrome(&self) -> Chrome {
        let user = self
            .caller
            .is_authenticated()
            .then(|| self.caller.name().to_owned());
        let local = self.caller.name() == "local" && !self.caller.is_authenticated();
        Chrome::build(
            self.lang,
            &self.path,
            &self.query,
            user,
            local,
            self.csrf.clone(),
        )
    }
}
