//! Web pages on the gRPC listener (issue 13, first step): `/integrity` and
//! `/accessibility`, rendered on the server by askama templates in fi/sv/en. Routes only
//! call the use cases in `Services`; who may see a page is decided there, as for gRPC.

mod lang;

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::auth::{Authenticator, Caller, Denied};
use crate::service::{EvidenceError, Services};

pub use lang::Lang;
use lang::Texts;

/// Resolves the caller of an HTTP request from its headers and connection (the same
/// credentials as gRPC: bearer token or JWT, else the mTLS client certificate).
pub type ResolveCaller = fn(&Authenticator, &HeaderMap, &Extensions) -> Result<Caller, Denied>;

/// The `[web]` settings.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSettings {
    /// Where feedback on accessibility goes (an address or a web form), shown in the
    /// accessibility statement; unset, the statement says the operator must set it.
    pub feedback_contact: Option<String>,
}

/// What the pages need; built once by the server.
pub struct WebState {
    pub services: Services,
    pub auth: Arc<Authenticator>,
    pub resolve_caller: ResolveCaller,
    /// The checkpoint verifier key (C2SP note verifier), when checkpoints are signed.
    pub verifier_key: Option<String>,
    pub settings: WebSettings,
}

/// The strict policy: nothing inline, nothing from elsewhere, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// The pages, with the static CSS and a 404 page as fallback.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/integrity", get(integrity))
        .route("/accessibility", get(accessibility))
        .route("/static/style.css", get(style))
        .fallback(not_found)
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(Arc::new(state))
}

async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../templates/web/style.css"),
    )
}

type Params = Query<HashMap<String, String>>;

fn language(params: &Params, headers: &HeaderMap) -> Lang {
    Lang::choose(
        params.get("lang").map(String::as_str),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    )
}

#[derive(Template)]
#[template(path = "web/integrity.html")]
struct IntegrityPage<'a> {
    lang: Lang,
    t: &'a Texts,
    tree_size: u64,
    note: Option<String>,
    age_seconds: Option<i64>,
    verifier_key: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "web/accessibility.html")]
struct AccessibilityPage<'a> {
    lang: Lang,
    t: &'a Texts,
    feedback_contact: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "web/message.html")]
struct MessagePage<'a> {
    lang: Lang,
    t: &'a Texts,
    title: &'a str,
    message: &'a str,
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering a page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn message(lang: Lang, status: StatusCode, title: &str, text: &str) -> Response {
    let page = MessagePage {
        lang,
        t: lang.texts(),
        title,
        message: text,
    };
    render(status, &page)
}

async fn integrity(
    State(state): State<Arc<WebState>>,
    params: Params,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let lang = language(&params, &headers);
    let t = lang.texts();
    let caller = match (state.resolve_caller)(&state.auth, &headers, &extensions) {
        Ok(caller) => caller,
        Err(_) => return message(lang, StatusCode::UNAUTHORIZED, t.denied, t.unauthenticated),
    };
    if let Err(wait) = caller.admit() {
        let mut busy = message(lang, StatusCode::TOO_MANY_REQUESTS, t.busy, t.busy);
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return busy;
    }
    // The same use case, and so the same rule, as GetCheckpoint.
    let (tree_size, note, age_seconds) = match state.services.checkpoint(&caller, None).await {
        Ok(checkpoint) => {
            let age = (state.services.now().micros() - checkpoint.signed_at) / 1_000_000;
            (checkpoint.size, Some(checkpoint.note), Some(age.max(0)))
        }
        Err(EvidenceError::NoCheckpoint) => (0, None, None),
        Err(EvidenceError::Denied(denied)) => {
            return message(lang, StatusCode::FORBIDDEN, t.denied, &denied.to_string());
        }
        Err(error) => {
            tracing::error!(%error, "reading the latest checkpoint for /integrity");
            return message(lang, StatusCode::INTERNAL_SERVER_ERROR, t.failed, t.failed);
        }
    };
    let page = IntegrityPage {
        lang,
        t,
        tree_size,
        note,
        age_seconds,
        verifier_key: state.verifier_key.as_deref(),
    };
    render(StatusCode::OK, &page)
}

async fn accessibility(
    State(state): State<Arc<WebState>>,
    params: Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&params, &headers);
    let page = AccessibilityPage {
        lang,
        t: lang.texts(),
        feedback_contact: state.settings.feedback_contact.as_deref(),
    };
    render(StatusCode::OK, &page)
}

async fn not_found(params: Params, headers: HeaderMap) -> Response {
    let lang = language(&params, &headers);
    let t = lang.texts();
    message(lang, StatusCode::NOT_FOUND, t.not_found, t.not_found_text)
}
