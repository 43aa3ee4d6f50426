//! Turning a page or a refusal into an answer.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Denied;

use super::lang::Lang;
use super::viewer::Chrome;

#[derive(Template)]
#[template(path = "web/message.html")]
struct MessagePage<'a> {
    c: Chrome,
    title: &'a str,
    message: &'a str,
}

/// `page` rendered, or 500 (logged) when the template fails.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering a page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A file to download: `body` as `content_type`, saved as `filename` (ASCII, no quotes).
pub fn attachment(content_type: &'static str, filename: &str, body: Vec<u8>) -> Response {
    let mut answer = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        answer
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    answer
}

/// A page with a title and one message (errors, refusals).
pub fn message(lang: Lang, status: StatusCode, title: &str, text: &str) -> Response {
    let page = MessagePage {
        c: Chrome::plain(lang),
        title,
        message: text,
    };
    render(status, &page)
}

/// A refusal by a use case's rule: 401 without credentials, else 403 naming the rule.
pub fn denied(lang: Lang, denied: &Denied) -> Response {
    let t = lang.texts();
    match denied {
        Denied::Unauthenticated => {
            message(lang, StatusCode::UNAUTHORIZED, t.denied, t.unauthenticated)
        }
        Denied::Forbidden(refusal) => message(
            lang,
            StatusCode::FORBIDDEN,
            t.denied,
            &super::refusal::say(lang, refusal),
        ),
    }
}

/// An unexpected failure: logged with `what` was being done; the page says only that it failed.
pub fn failed(lang: Lang, what: &str, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "{what}");
    let t = lang.texts();
    message(lang, StatusCode::INTERNAL_SERVER_ERROR, t.failed, t.failed)
}
