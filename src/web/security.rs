//! What every page answer carries and every state-changing request must pass: the strict
//! headers, and the defence against cross-site request forgery.
//!
//! CSRF defence, on every request that is not GET or HEAD, whoever the caller: a browser
//! sends cookies, client certificates and (on an open local service) nothing at all on its
//! own, so each of these could otherwise be made to act by another site.
//! - `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` or `none`, and
//!   `Origin`, when sent, must be this host (or `null` beside `Sec-Fetch-Site:
//!   same-origin`, as browsers send it under `Referrer-Policy: no-referrer`);
//! - the form must carry the token of the `__Host-csrf` cookie (a double-submit token: the
//!   `__Host-` prefix keeps other hosts, subdomains included, from setting the cookie).
//!
//! Every page request without the cookie gets one; the pages put the token in their forms.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// The strict policy: nothing inline, nothing from elsewhere, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// The largest form a page accepts.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

pub const CSRF_COOKIE: &str = "__Host-csrf";
pub const CSRF_FIELD: &str = "csrf";
pub const LANG_COOKIE: &str = "lang";

/// The request's CSRF token, for the forms of its page.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Adds the strict headers to every answer of the web router.
pub async fn secure_headers(mut response: Response) -> Response {
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
    // Pages show personal and case data: never from a shared or the browser's cache.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The value of cookie `name` in the request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

fn is_token(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Gives the request its CSRF token (a new cookie when it has none), refuses a
/// state-changing request that fails the checks above, and keeps a `?lang=` choice.
pub async fn csrf_and_language(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let existing = cookie(&parts.headers, CSRF_COOKIE)
        .filter(|token| is_token(token))
        .map(str::to_owned);
    let safe = parts.method == Method::GET || parts.method == Method::HEAD;
    let body = if safe {
        body
    } else {
        match checked_body(&parts.headers, existing.as_deref(), body).await {
            Ok(bytes) => Body::from(bytes),
            Err(status) => return refusal(&parts.headers, status),
        }
    };
    let token = existing.clone().unwrap_or_else(new_token);
    let chosen_lang = parts
        .uri
        .query()
        .and_then(|query| {
            url_pairs(query).find_map(|(key, value)| (key == "lang").then_some(value))
        })
        .and_then(|value| super::Lang::parse(&value));
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none() {
        let cookie = format!("{CSRF_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    if let Some(lang) = chosen_lang {
        let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The pairs of a query string or form body, decoded.
pub fn url_pairs(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_str::<Vec<(String, String)>>(text)
        .unwrap_or_default()
        .into_iter()
}

/// The body of a state-changing request, if it passes the CSRF checks.
async fn checked_body(
    headers: &HeaderMap,
    cookie_token: Option<&str>,
    body: Body,
) -> Result<axum::body::Bytes, StatusCode> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = header("sec-fetch-site")
        && site != "same-origin"
        && site != "none"
    {
        return Err(StatusCode::FORBIDDEN);
    }
    // Under our `Referrer-Policy: no-referrer` a browser sends `Origin: null` even with a
    // form of this site (Fetch: "append a request `Origin` header"); its `Sec-Fetch-Site`,
    // checked above, then tells where the form came from.
    if let Some(origin) = header("origin")
        && !(origin == "null" && header("sec-fetch-site") == Some("same-origin"))
    {
        let host = header("host").unwrap_or_default();
        let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
        if origin_host != host {
            return Err(StatusCode::FORBIDDEN);
        }
    }
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)?;
    let sent = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| url_pairs(text).find(|(key, _)| key == CSRF_FIELD))
        .map(|(_, value)| value);
    match (cookie_token, sent) {
        (Some(expected), Some(sent)) if bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) => {
            Ok(bytes)
        }
        _ => Err(StatusCode::FORBIDDEN),
    }
}

fn refusal(headers: &HeaderMap, status: StatusCode) -> Response {
    let lang = super::viewer::language(headers, None);
    let t = lang.texts();
    let text = if status == StatusCode::PAYLOAD_TOO_LARGE {
        t.failed
    } else {
        t.csrf_failed
    };
    let mut response = super::respond::message(lang, status, t.rejected, text);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others_by_its_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=sv; __Host-csrf=abc; x__Host-csrf=no"),
        );
        assert_eq!(cookie(&headers, CSRF_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, LANG_COOKIE), Some("sv"));
        assert_eq!(cookie(&headers, "other"), None);
    }

    #[test]
    fn new_tokens_are_43_url_safe_characters_and_differ() {
        let (a, b) = (new_token(), new_token());
        assert!(is_token(&a) && is_token(&b));
        assert_ne!(a, b);
    }
}
