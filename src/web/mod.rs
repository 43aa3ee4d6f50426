//! The dashboard: web pages on the gRPC listener, rendered on the server by askama
//! templates in fi/sv/en, with no script. Each page lives in `pages/`, takes a
//! [`viewer::Viewer`] (the caller from the same credentials as gRPC, and the language) and
//! calls the use cases in `Services`; who may see what is decided there, as for gRPC.
//! `security` adds the strict headers to every answer and guards every state-changing
//! request against cross-site forgery.

pub mod charts;
mod lang;
pub mod oidc;
mod pages;
mod params;
pub mod refusal;
pub mod respond;
pub mod security;
pub mod session;
pub mod viewer;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::auth::{Authenticator, Caller, Denied};
use crate::service::Services;

pub use lang::Lang;

/// Resolves the caller of an HTTP request from its headers and connection (the same
/// credentials as gRPC: bearer token or JWT, else the mTLS client certificate).
pub type ResolveCaller =
    fn(&Authenticator, &HeaderMap, &axum::http::Extensions) -> Result<Caller, Denied>;

/// The `[web]` settings.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSettings {
    /// The pages' own address; unset, they are served on the gRPC listener. Off loopback it
    /// needs `[tls]`, as the gRPC listener does.
    pub listen: Option<std::net::SocketAddr>,
    /// Where feedback on accessibility goes (an address or a web form), shown in the
    /// accessibility statement; unset, the statement says the operator must set it.
    pub feedback_contact: Option<String>,
    /// Sign-in through the organisation's OpenID Connect provider (`[web.oidc]`); unset,
    /// pages take the same credentials as gRPC only (or none, on an open local service).
    pub oidc: Option<oidc::OidcSettings>,
}

/// What the pages need; built once by the server.
pub struct WebState {
    pub services: Services,
    pub auth: Arc<Authenticator>,
    pub resolve_caller: ResolveCaller,
    /// The checkpoint verifier key (C2SP note verifier), when checkpoints are signed.
    pub verifier_key: Option<String>,
    pub settings: WebSettings,
    /// The sign-in client, when `[web.oidc]` is set.
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// The keys of the session and login cookies.
    pub sessions: Arc<session::SessionKeys>,
}

/// The pages, with the static CSS and a 404 page as fallback.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/overview") }))
        .merge(pages::access_requests::routes())
        .merge(pages::integrity::routes())
        .merge(pages::overview::routes())
        .merge(pages::lookups::routes())
        .merge(pages::accessibility::routes())
        .merge(oidc::routes())
        .merge(pages::registers::routes())
        .merge(pages::disclosures::routes())
        .route("/static/style.css", get(style))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(security::csrf_and_language))
        .layer(axum::middleware::map_response(security::secure_headers))
        .with_state(Arc::new(state))
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/web/style.css"),
    )
}

async fn not_found(request: Request) -> Response {
    let lang = viewer::language(request.headers(), request.uri().query());
    let t = lang.texts();
    respond::message(lang, StatusCode::NOT_FOUND, t.not_found, t.not_found_text)
}
