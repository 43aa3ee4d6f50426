//! `/access-requests`: the access request cases of a controller with their Art. 12(3)
//! deadlines, a form to register one, and each case's page (`/access-requests/{id}`, by
//! the case's id, since diary numbers may hold `/`) where its report is prepared, previewed
//! and downloaded, its time limit extended and the case marked answered.
//!
//! The identity code goes only in POST bodies: the forms post it, the preview is the answer
//! to a POST (no-store, like every page), and the download buttons post it again rather
//! than link to a URL. A bad code is named as a bad field, never echoed, and the form is
//! not filled in again with it. Every rule (roles, tenancy, the time limits, the person of
//! the case) is the use case's, in `service::access_requests`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use time::Date;

use crate::domain::access_request::{first_deadline, latest_extension};
use crate::domain::finnish_time::{self, parse_day, start_of_finnish_day};
use crate::domain::provision::Language;
use crate::domain::{AccessRequest, BusinessId, CaseEvent, Hetu, LongText, Period, ShortText};
use crate::report::{Block, Document, render_html, render_text, subject_document, to_pdf};
use crate::service::{AccessRequestError, CaseRegistration, CaseReport, ReportError};
use crate::web::params::{self, ControllerChoice, Controllers};
use crate::web::respond::{attachment, denied, failed, message, render};
use crate::web::session::unix_now;
use crate::web::viewer::{Chrome, Viewer};
use crate::web::{Lang, WebState};

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/access-requests", get(list).post(register))
        .route("/access-requests/{id}", get(case))
        .route("/access-requests/{id}/report", post(report).get(to_case))
        .route("/access-requests/{id}/extend", post(extend).get(to_case))
        .route(
            "/access-requests/{id}/answered",
            post(answered).get(to_case),
        )
}

/// The answer to a GET of a form's address (a language link of the page a POST answered):
/// the case's page, in the language the link chose (the security layer keeps it in its
/// cookie).
async fn to_case(Path(id): Path<i64>) -> Response {
    Redirect::to(&format!("/access-requests/{id}")).into_response()
}

/// One bad field, as the page names it: its label and what is wrong, in the page's language.
struct BadField {
    label: &'static str,
    problem: String,
}

/// A case as a row of the list.
struct Row {
    id: i64,
    diary_number: String,
    received: String,
    deadline: String,
    extended: bool,
    /// Days left or overdue, in words; empty once answered.
    left: String,
    overdue: bool,
    answered_on: Option<String>,
}

#[derive(Template)]
#[template(path = "web/access_requests.html")]
struct ListPage {
    c: Chrome,
    p: &'static AccessTexts,
    /// (business ID, name) of each controller the viewer may choose.
    controllers: Vec<ControllerChoice>,
    controller: String,
    rows: Vec<Row>,
    errors: Vec<BadField>,
    /// Today, `YYYY-MM-DD`: the register form's default day received.
    today: String,
}

/// The document of a preview, shaped for the page: headings one level under the page's.
struct Preview {
    doc: Document,
}

#[derive(Template)]
#[template(path = "web/access_request.html")]
struct CasePage {
    c: Chrome,
    p: &'static AccessTexts,
    id: i64,
    diary_number: String,
    received: String,
    deadline: String,
    first_deadline: String,
    latest_extension: String,
    registered_by: String,
    answered_on: Option<String>,
    left: String,
    overdue: bool,
    events: Vec<(String, String)>,
    /// The extension form is offered while the first month runs and the case is open.
    may_extend: bool,
    errors: Vec<BadField>,
    today: String,
    /// After a preview: the document, and the form fields its download buttons post again.
    preview: Option<Preview>,
    hidden: Vec<(&'static str, String)>,
    report_lang: String,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    controller: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    controller: String,
    diary_number: String,
    received: String,
    identity_code: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ReportForm {
    identity_code: String,
    /// The code of the previewed report, sealed for its download buttons (see `report`).
    sealed_subject: String,
    from: String,
    to: String,
    language: String,
    format: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ExtendForm {
    until: String,
    reason: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AnsweredForm {
    answered_on: String,
}

fn texts(lang: Lang) -> &'static AccessTexts {
    lang.pick(&FI, &SV, &EN)
}

fn day_text(day: Date, lang: Lang) -> String {
    finnish_time::day_text(day, lang.document_language())
}

/// Days left (or overdue) in words, and whether overdue; empty once answered.
fn left_text(case: &AccessRequest, today: Date, p: &AccessTexts) -> (String, bool) {
    if case.answered_on().is_some() {
        return (String::new(), false);
    }
    match case.days_left(today) {
        0 => (p.due_today.to_owned(), false),
        n if n > 0 => (format!("{n} {}", p.days_left), false),
        n => (format!("{} {} {}", p.overdue, -n, p.days), true),
    }
}

fn row(case: &AccessRequest, today: Date, lang: Lang) -> Row {
    let p = texts(lang);
    let (left, overdue) = left_text(case, today, p);
    Row {
        id: case.id,
        diary_number: case.case.diary_number.to_string(),
        received: day_text(case.case.received, lang),
        deadline: day_text(case.deadline(), lang),
        extended: case.extended(),
        left,
        overdue,
        answered_on: case.answered_on().map(|d| day_text(d, lang)),
    }
}

async fn list(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Response {
    let chosen = query.controller.filter(|c| !c.is_empty());
    list_page(&state, viewer, chosen, StatusCode::OK, Vec::new()).await
}

async fn list_page(
    state: &WebState,
    viewer: Viewer,
    chosen: Option<String>,
    status: StatusCode,
    mut errors: Vec<BadField>,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    let acted_for = match params::acted_for(&state.services, &viewer) {
        Ok(acted_for) => acted_for,
        Err(answer) => return *answer,
    };
    let Some(text) = chosen.or_else(|| acted_for.first().map(|(id, _)| id.to_string())) else {
        return message(
            lang,
            StatusCode::OK,
            viewer.t.access_requests,
            p.no_controller,
        );
    };
    let controllers = Controllers {
        chosen: BusinessId::parse(&text).ok(),
        all: acted_for,
    };
    let Some(controller) = controllers.chosen.clone() else {
        errors.push(BadField {
            label: p.controller,
            problem: p.bad_controller.into(),
        });
        return render(
            StatusCode::BAD_REQUEST,
            &ListPage {
                c: viewer.chrome(),
                p,
                controllers: Vec::new(),
                controller: String::new(),
                rows: Vec::new(),
                errors,
                today: String::new(),
            },
        );
    };
    let cases = match state
        .services
        .access_requests(&viewer.caller, &controller)
        .await
    {
        Ok(cases) => cases,
        Err(AccessRequestError::Denied(refusal)) => return denied(lang, &refusal),
        Err(error) => return failed(lang, "listing access requests", &error),
    };
    let today = state.services.today();
    let page = ListPage {
        c: viewer.chrome(),
        p,
        controllers: controllers.choices(&controller),
        controller: controller.to_string(),
        rows: cases.iter().map(|c| row(c, today, lang)).collect(),
        errors,
        today: today.to_string(),
    };
    render(status, &page)
}

async fn register(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Form(form): Form<RegisterForm>,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    let mut errors = Vec::new();
    // A bad controller is named by the list page, which cannot show that controller's cases.
    let controller = BusinessId::parse(&form.controller).ok();
    let diary_number = ShortText::parse(form.diary_number.trim()).ok();
    if diary_number.is_none() {
        errors.push(BadField {
            label: p.diary_number,
            problem: p.bad_diary.into(),
        });
    }
    let received = parse_day(form.received.trim());
    if received.is_none() {
        errors.push(BadField {
            label: p.received,
            problem: p.bad_date.into(),
        });
    }
    let subject = identity_code(&form.identity_code, p, &mut errors);
    let chosen = Some(form.controller.clone());
    let (Some(controller), Some(diary_number), Some(received), Some(subject), true) = (
        controller,
        diary_number,
        received,
        subject,
        errors.is_empty(),
    ) else {
        return list_page(&state, viewer, chosen, StatusCode::BAD_REQUEST, errors).await;
    };
    let registration = CaseRegistration {
        controller,
        diary_number,
        received,
        subject,
    };
    match state
        .services
        .register_access_request(&viewer.caller, registration)
        .await
    {
        Ok((case, _)) => Redirect::to(&format!("/access-requests/{}", case.id)).into_response(),
        Err(error) => {
            let (status, bad) = match case_error(error, p) {
                Ok(bad) => bad,
                Err(error) => return error.respond(lang),
            };
            list_page(&state, viewer, chosen, status, vec![bad]).await
        }
    }
}

/// The identity code of a form, or a bad field that does not repeat it.
fn identity_code(text: &str, p: &AccessTexts, errors: &mut Vec<BadField>) -> Option<Hetu> {
    let parsed = Hetu::parse(text.trim()).ok();
    if parsed.is_none() {
        errors.push(BadField {
            label: p.identity_code,
            problem: p.bad_identity_code.into(),
        });
    }
    parsed
}

/// A use case's refusal that is not a bad field: answered as the page's refusal or failure.
enum Refusal {
    Denied(crate::auth::Denied),
    NotFound,
    Failed(String),
}

impl Refusal {
    fn respond(self, lang: Lang) -> Response {
        match self {
            Self::Denied(refusal) => denied(lang, &refusal),
            Self::NotFound => {
                let t = lang.texts();
                message(lang, StatusCode::NOT_FOUND, t.not_found, t.not_found_text)
            }
            Self::Failed(error) => failed(lang, "an access request", &error),
        }
    }
}

/// A use case's error as a bad field of the page (with its status), or a refusal.
fn case_error(
    error: AccessRequestError,
    p: &AccessTexts,
) -> Result<(StatusCode, BadField), Refusal> {
    let bad = |label, problem: &str| BadField {
        label,
        problem: problem.to_owned(),
    };
    Ok(match error {
        AccessRequestError::Denied(refusal)
        | AccessRequestError::Report(ReportError::Denied(refusal)) => {
            return Err(Refusal::Denied(refusal));
        }
        AccessRequestError::NotFound => return Err(Refusal::NotFound),
        AccessRequestError::DiaryNumberTaken(_) => {
            (StatusCode::CONFLICT, bad(p.diary_number, p.diary_taken))
        }
        AccessRequestError::AlreadyAnswered => {
            (StatusCode::CONFLICT, bad(p.answered_on, p.already_answered))
        }
        AccessRequestError::NotTheSubject => (
            StatusCode::BAD_REQUEST,
            bad(p.identity_code, p.not_the_subject),
        ),
        AccessRequestError::Invalid(violation) => {
            let (label, problem) = match violation.field.as_str() {
                "received" => (p.received, p.future),
                "until" => (p.until, p.bad_until),
                _ => (p.answered_on, p.bad_answered_on),
            };
            (StatusCode::BAD_REQUEST, bad(label, problem))
        }
        error => return Err(Refusal::Failed(error.to_string())),
    })
}

async fn case(State(state): State<Arc<WebState>>, viewer: Viewer, Path(id): Path<i64>) -> Response {
    case_page(&state, viewer, id, StatusCode::OK, Vec::new(), None).await
}

async fn case_page(
    state: &WebState,
    viewer: Viewer,
    id: i64,
    status: StatusCode,
    errors: Vec<BadField>,
    preview: Option<(Document, Vec<(&'static str, String)>)>,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    let case = match state.services.access_request(&viewer.caller, id).await {
        Ok(case) => case,
        Err(error) => {
            return match case_error(error, p) {
                Ok((status, bad)) => message(lang, status, viewer.t.rejected, &bad.problem),
                Err(refusal) => refusal.respond(lang),
            };
        }
    };
    let today = state.services.today();
    let (left, overdue) = left_text(&case, today, p);
    let events = case
        .events
        .iter()
        .map(|e| match &e.event {
            CaseEvent::Extended { until, reason } => (
                format!("{} {}", p.event_extended, day_text(*until, lang)),
                format!("{} ({})", reason, e.recorded_by),
            ),
            CaseEvent::Answered { on } => (
                format!("{} {}", p.event_answered, day_text(*on, lang)),
                e.recorded_by.clone(),
            ),
        })
        .collect();
    let first = first_deadline(case.case.received);
    let (preview, hidden) = match preview {
        Some((doc, hidden)) => (Some(Preview { doc }), hidden),
        None => (None, Vec::new()),
    };
    let page = CasePage {
        c: viewer.chrome(),
        p,
        id: case.id,
        diary_number: case.case.diary_number.to_string(),
        received: day_text(case.case.received, lang),
        deadline: day_text(case.deadline(), lang),
        first_deadline: day_text(first, lang),
        latest_extension: day_text(latest_extension(case.case.received), lang),
        registered_by: case.case.registered_by.clone(),
        answered_on: case.answered_on().map(|d| day_text(d, lang)),
        left,
        overdue,
        events,
        may_extend: case.answered_on().is_none() && today <= first,
        errors,
        today: today.to_string(),
        preview,
        hidden,
        report_lang: lang.to_string(),
    };
    render(status, &page)
}

/// What a report form asks for, or its bad fields (the code never among what is shown).
fn report_form(form: &ReportForm, p: &AccessTexts) -> Result<(CaseReport, Format), Vec<BadField>> {
    let mut errors = Vec::new();
    let subject = identity_code(&form.identity_code, p, &mut errors);
    let mut day = |text: &str, label| match text.trim() {
        "" => Some(None),
        text => match parse_day(text) {
            Some(day) => Some(Some(day)),
            None => {
                errors.push(BadField {
                    label,
                    problem: p.bad_date.into(),
                });
                None
            }
        },
    };
    let from = day(&form.from, p.period_from);
    let to = day(&form.to, p.period_to);
    if let (Some(Some(from)), Some(Some(to))) = (from, to)
        && to < from
    {
        errors.push(BadField {
            label: p.period_to,
            problem: p.period_reversed.into(),
        });
    }
    let language = match form.language.as_str() {
        "fi" => Some(Language::Fi),
        "sv" => Some(Language::Sv),
        "en" => Some(Language::En),
        _ => {
            errors.push(BadField {
                label: p.report_language,
                problem: p.bad_language.into(),
            });
            None
        }
    };
    let format = match form.format.as_str() {
        "" | "preview" => Format::Preview,
        "pdf" => Format::Pdf,
        "html" => Format::Html,
        "txt" => Format::Text,
        _ => {
            errors.push(BadField {
                label: p.download,
                problem: p.bad_format.into(),
            });
            Format::Preview
        }
    };
    match (subject, from, to, language) {
        (Some(subject), Some(from), Some(to), Some(language)) if errors.is_empty() => Ok((
            CaseReport {
                subject,
                period: Period {
                    from: from.map(start_of_finnish_day),
                    // The last day is included: the period ends when the next day starts.
                    to: to.and_then(|d| d.next_day()).map(start_of_finnish_day),
                },
                language,
            },
            format,
        )),
        _ => Err(errors),
    }
}

/// How long a preview's download buttons work.
const SEALED_SUBJECT_SECS: i64 = 600;

/// What a sealed code is for: this case, this caller.
fn sealed_subject_purpose(case: i64, viewer: &Viewer) -> String {
    format!("access report subject|{case}|{}", viewer.caller.name())
}

#[derive(Clone, Copy)]
enum Format {
    Preview,
    Pdf,
    Html,
    Text,
}

async fn report(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(mut form): Form<ReportForm>,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    // The download buttons of a preview send the code sealed, not in clear: a page never
    // holds an identity code, not even in a hidden field. The seal binds case and caller
    // and lasts ten minutes; a stale one is as if no code was given.
    if form.identity_code.trim().is_empty() && !form.sealed_subject.is_empty() {
        let purpose = sealed_subject_purpose(id, &viewer);
        if let Some((code, until)) = state
            .sessions
            .open::<(String, i64)>(&purpose, &form.sealed_subject)
            && unix_now() < until
        {
            form.identity_code = code;
        }
    }
    let (asked, format) = match report_form(&form, p) {
        Ok(asked) => asked,
        Err(errors) => {
            return case_page(&state, viewer, id, StatusCode::BAD_REQUEST, errors, None).await;
        }
    };
    let report = match state
        .services
        .access_request_report(&viewer.caller, id, asked)
        .await
    {
        Ok((_, report)) => report,
        Err(error) => {
            return match case_error(error, p) {
                Ok((status, bad)) => case_page(&state, viewer, id, status, vec![bad], None).await,
                Err(refusal) => refusal.respond(lang),
            };
        }
    };
    let download = |content_type: &'static str, ext: &str, body: Vec<u8>| {
        attachment(content_type, &format!("access-report-{id}.{ext}"), body)
    };
    match format {
        Format::Pdf => {
            // Laying out a PDF is CPU work: off the async workers, as the Art. 30 record's.
            let document = subject_document(&report);
            match tokio::task::spawn_blocking(move || to_pdf(&document)).await {
                Ok(Ok(pdf)) => download("application/pdf", "pdf", pdf),
                Ok(Err(error)) => failed(lang, "writing an access report as PDF", &error),
                Err(error) => failed(lang, "writing an access report as PDF", &error),
            }
        }
        Format::Html => download(
            "text/html; charset=utf-8",
            "html",
            render_html(&report).into_bytes(),
        ),
        Format::Text => download(
            "text/plain; charset=utf-8",
            "txt",
            render_text(&report).into_bytes(),
        ),
        Format::Preview => {
            // The download buttons post the same form again.
            let sealed = state.sessions.seal(
                &sealed_subject_purpose(id, &viewer),
                &(form.identity_code.trim(), unix_now() + SEALED_SUBJECT_SECS),
            );
            let hidden = vec![
                ("sealed_subject", sealed),
                ("from", form.from.trim().to_owned()),
                ("to", form.to.trim().to_owned()),
                ("language", form.language.clone()),
            ];
            let doc = subject_document(&report);
            case_page(
                &state,
                viewer,
                id,
                StatusCode::OK,
                Vec::new(),
                Some((doc, hidden)),
            )
            .await
        }
    }
}

async fn extend(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    let mut errors = Vec::new();
    let until = parse_day(form.until.trim());
    if until.is_none() {
        errors.push(BadField {
            label: p.until,
            problem: p.bad_date.into(),
        });
    }
    let reason = LongText::parse(form.reason.trim()).ok();
    if reason.is_none() {
        errors.push(BadField {
            label: p.reason,
            problem: p.bad_reason.into(),
        });
    }
    let (Some(until), Some(reason)) = (until, reason) else {
        return case_page(&state, viewer, id, StatusCode::BAD_REQUEST, errors, None).await;
    };
    let done = state
        .services
        .extend_access_request(&viewer.caller, id, until, reason)
        .await;
    after_change(&state, viewer, id, done).await
}

async fn answered(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<AnsweredForm>,
) -> Response {
    let p = texts(viewer.lang);
    let Some(on) = parse_day(form.answered_on.trim()) else {
        let errors = vec![BadField {
            label: p.answered_on,
            problem: p.bad_date.into(),
        }];
        return case_page(&state, viewer, id, StatusCode::BAD_REQUEST, errors, None).await;
    };
    let done = state
        .services
        .mark_access_request_answered(&viewer.caller, id, on)
        .await;
    after_change(&state, viewer, id, done).await
}

/// Back to the case after a change (303, so a reload does not post again), or its errors.
async fn after_change(
    state: &WebState,
    viewer: Viewer,
    id: i64,
    done: Result<AccessRequest, AccessRequestError>,
) -> Response {
    let lang = viewer.lang;
    match done {
        Ok(_) => Redirect::to(&format!("/access-requests/{id}")).into_response(),
        Err(error) => match case_error(error, texts(lang)) {
            Ok((status, bad)) => case_page(state, viewer, id, status, vec![bad], None).await,
            Err(refusal) => refusal.respond(lang),
        },
    }
}

/// The access request pages' texts.
pub struct AccessTexts {
    pub controller: &'static str,
    pub show: &'static str,
    pub no_controller: &'static str,
    pub cases: &'static str,
    pub no_cases: &'static str,
    pub diary_number: &'static str,
    pub received: &'static str,
    pub deadline: &'static str,
    pub left: &'static str,
    pub answered_on: &'static str,
    pub open: &'static str,
    pub extended: &'static str,
    pub days_left: &'static str,
    pub days: &'static str,
    pub overdue: &'static str,
    pub due_today: &'static str,
    pub register: &'static str,
    pub register_button: &'static str,
    pub identity_code: &'static str,
    pub identity_code_hint: &'static str,
    pub errors: &'static str,
    pub bad_controller: &'static str,
    pub bad_diary: &'static str,
    pub bad_date: &'static str,
    pub bad_identity_code: &'static str,
    pub future: &'static str,
    pub diary_taken: &'static str,
    pub already_answered: &'static str,
    pub not_the_subject: &'static str,
    pub case: &'static str,
    pub registered_by: &'static str,
    pub events: &'static str,
    pub event_extended: &'static str,
    pub event_answered: &'static str,
    pub prepare: &'static str,
    pub period_from: &'static str,
    pub period_to: &'static str,
    pub period_hint: &'static str,
    pub period_reversed: &'static str,
    pub report_language: &'static str,
    pub bad_language: &'static str,
    pub preview: &'static str,
    pub preview_heading: &'static str,
    pub preview_note: &'static str,
    pub download: &'static str,
    pub text_format: &'static str,
    pub bad_format: &'static str,
    pub extend: &'static str,
    pub extend_hint: &'static str,
    pub until: &'static str,
    pub bad_until: &'static str,
    pub reason: &'static str,
    pub bad_reason: &'static str,
    pub extend_button: &'static str,
    pub answer: &'static str,
    pub bad_answered_on: &'static str,
    pub answer_button: &'static str,
    pub back: &'static str,
}

const FI: AccessTexts = AccessTexts {
    controller: "Rekisterinpitäjä",
    show: "Näytä",
    no_controller: "Sinulla ei ole rooleja yhdenkään rekisterinpitäjän rekistereissä.",
    cases: "Tarkastuspyynnöt ja niiden määräpäivät",
    no_cases: "Tarkastuspyyntöjä ei ole kirjattu.",
    diary_number: "Diaarinumero",
    received: "Saapunut",
    deadline: "Määräpäivä",
    left: "Aikaa",
    answered_on: "Vastattu",
    open: "Avoin",
    extended: "(jatkettu)",
    days_left: "päivää jäljellä",
    days: "päivää",
    overdue: "MYÖHÄSSÄ",
    due_today: "Määräpäivä tänään",
    register: "Kirjaa uusi tarkastuspyyntö",
    register_button: "Kirjaa pyyntö",
    identity_code: "Henkilötunnus",
    identity_code_hint: "Henkilötunnus lähetetään vain lomakkeen mukana: se ei näy osoitteessa eikä tallennu selväkielisenä.",
    errors: "Tarkista nämä kentät",
    bad_controller: "Anna rekisterinpitäjän Y-tunnus.",
    bad_diary: "Anna diaarinumero (enintään 200 merkkiä, ei henkilötunnusta).",
    bad_date: "Anna päivämäärä muodossa VVVV-KK-PP.",
    bad_identity_code: "Henkilötunnus ei ole kelvollinen.",
    future: "Saapumispäivä ei voi olla tulevaisuudessa.",
    diary_taken: "Diaarinumerolla on jo toinen tarkastuspyyntö (eri henkilö tai saapumispäivä).",
    already_answered: "Pyyntöön on jo vastattu.",
    not_the_subject: "Henkilötunnus ei ole sen henkilön, jolle pyyntö on kirjattu.",
    case: "Tarkastuspyyntö",
    registered_by: "Kirjannut",
    events: "Käsittely",
    event_extended: "Määräaikaa jatkettu päivään",
    event_answered: "Vastattu",
    prepare: "Laadi vastaus",
    period_from: "Jakson ensimmäinen päivä",
    period_to: "Jakson viimeinen päivä",
    period_hint: "Tyhjä kenttä: koko loki.",
    period_reversed: "Viimeinen päivä ei voi olla ennen ensimmäistä.",
    report_language: "Vastauksen kieli",
    bad_language: "Valitse suomi, ruotsi tai englanti.",
    preview: "Esikatsele",
    preview_heading: "Esikatselu",
    preview_note: "Esikatselu: näin vastaus näkyy henkilölle. Haku on kirjattu hakulokiin tämän pyynnön diaarinumerolla.",
    download: "Lataa vastaus",
    text_format: "Tekstinä",
    bad_format: "Valitse PDF, HTML tai teksti.",
    extend: "Jatka määräaikaa",
    extend_hint: "Määräaikaa voi jatkaa enintään kahdella kuukaudella (EU:n yleinen tietosuoja-asetus 12 artikla 3 kohta). Henkilölle on kerrottava jatkosta ja sen syistä ensimmäisen kuukauden aikana.",
    until: "Uusi määräpäivä",
    bad_until: "Uuden määräpäivän on oltava ensimmäisen määräpäivän jälkeen ja enintään kaksi kuukautta sen jälkeen, ja jatkaa voi vain ensimmäisen kuukauden aikana.",
    reason: "Syy (kerrotaan henkilölle)",
    bad_reason: "Anna syy (enintään 1 000 merkkiä, ei henkilötunnusta).",
    extend_button: "Jatka määräaikaa",
    answer: "Merkitse vastatuksi",
    bad_answered_on: "Päivän on oltava saapumispäivän ja tämän päivän väliltä.",
    answer_button: "Merkitse vastatuksi",
    back: "Kaikki tarkastuspyynnöt",
};

const SV: AccessTexts = AccessTexts {
    controller: "Personuppgiftsansvarig",
    show: "Visa",
    no_controller: "Du har inga roller i någon personuppgiftsansvarigs register.",
    cases: "Begäranden om insyn och deras tidsfrister",
    no_cases: "Inga begäranden om insyn har registrerats.",
    diary_number: "Diarienummer",
    received: "Inkommen",
    deadline: "Tidsfrist",
    left: "Tid kvar",
    answered_on: "Besvarad",
    open: "Öppen",
    extended: "(förlängd)",
    days_left: "dagar kvar",
    days: "dagar",
    overdue: "FÖRSENAD",
    due_today: "Tidsfristen går ut i dag",
    register: "Registrera en ny begäran om insyn",
    register_button: "Registrera begäran",
    identity_code: "Personbeteckning",
    identity_code_hint: "Personbeteckningen skickas endast med formuläret: den syns inte i adressen och lagras inte i klartext.",
    errors: "Kontrollera dessa fält",
    bad_controller: "Ange den personuppgiftsansvariges FO-nummer.",
    bad_diary: "Ange diarienumret (högst 200 tecken, ingen personbeteckning).",
    bad_date: "Ange datumet som ÅÅÅÅ-MM-DD.",
    bad_identity_code: "Personbeteckningen är inte giltig.",
    future: "Ankomstdagen kan inte ligga i framtiden.",
    diary_taken: "Diarienumret hör redan till en annan begäran (annan person eller ankomstdag).",
    already_answered: "Begäran har redan besvarats.",
    not_the_subject: "Personbeteckningen är inte den persons för vilken begäran registrerades.",
    case: "Begäran om insyn",
    registered_by: "Registrerad av",
    events: "Handläggning",
    event_extended: "Tidsfristen förlängd till",
    event_answered: "Besvarad",
    prepare: "Utarbeta svaret",
    period_from: "Periodens första dag",
    period_to: "Periodens sista dag",
    period_hint: "Tomt fält: hela loggen.",
    period_reversed: "Den sista dagen kan inte ligga före den första.",
    report_language: "Svarets språk",
    bad_language: "Välj finska, svenska eller engelska.",
    preview: "Förhandsgranska",
    preview_heading: "Förhandsgranskning",
    preview_note: "Förhandsgranskning: så här ser svaret ut för personen. Sökningen har förts in i sökloggen med denna begärans diarienummer.",
    download: "Ladda ned svaret",
    text_format: "Som text",
    bad_format: "Välj PDF, HTML eller text.",
    extend: "Förläng tidsfristen",
    extend_hint: "Tidsfristen kan förlängas med högst två månader (artikel 12.3 i EU:s allmänna dataskyddsförordning). Personen ska underrättas om förlängningen och skälen till den inom den första månaden.",
    until: "Ny tidsfrist",
    bad_until: "Den nya tidsfristen ska ligga efter den första och högst två månader efter den, och förlängning är möjlig endast under den första månaden.",
    reason: "Skäl (meddelas personen)",
    bad_reason: "Ange skälet (högst 1 000 tecken, ingen personbeteckning).",
    extend_button: "Förläng tidsfristen",
    answer: "Markera som besvarad",
    bad_answered_on: "Dagen ska ligga mellan ankomstdagen och i dag.",
    answer_button: "Markera som besvarad",
    back: "Alla begäranden om insyn",
};

const EN: AccessTexts = AccessTexts {
    controller: "Controller",
    show: "Show",
    no_controller: "You have no role in any controller's registers.",
    cases: "Access requests and their deadlines",
    no_cases: "No access requests have been registered.",
    diary_number: "Diary number",
    received: "Received",
    deadline: "Deadline",
    left: "Time left",
    answered_on: "Answered",
    open: "Open",
    extended: "(extended)",
    days_left: "days left",
    days: "days",
    overdue: "OVERDUE by",
    due_today: "Due today",
    register: "Register a new access request",
    register_button: "Register the request",
    identity_code: "Personal identity code",
    identity_code_hint: "The identity code is sent only with the form: it does not appear in the address and is not stored in clear.",
    errors: "Check these fields",
    bad_controller: "Give the controller's business ID.",
    bad_diary: "Give the diary number (at most 200 characters, no identity code).",
    bad_date: "Give the date as YYYY-MM-DD.",
    bad_identity_code: "The identity code is not valid.",
    future: "The day received cannot be in the future.",
    diary_taken: "The diary number is already another request's (another person or day received).",
    already_answered: "The request has been answered already.",
    not_the_subject: "The identity code is not that of the person the request was registered for.",
    case: "Access request",
    registered_by: "Registered by",
    events: "Handling",
    event_extended: "Deadline extended to",
    event_answered: "Answered",
    prepare: "Prepare the answer",
    period_from: "First day of the period",
    period_to: "Last day of the period",
    period_hint: "Empty: the whole log.",
    period_reversed: "The last day cannot be before the first.",
    report_language: "Language of the answer",
    bad_language: "Choose Finnish, Swedish or English.",
    preview: "Preview",
    preview_heading: "Preview",
    preview_note: "Preview: this is the answer as the person will read it. The lookup is in the lookup record under this request's diary number.",
    download: "Download the answer",
    text_format: "As text",
    bad_format: "Choose PDF, HTML or text.",
    extend: "Extend the deadline",
    extend_hint: "The deadline may be extended by at most two months (Article 12(3) of the EU General Data Protection Regulation). The person must be told of the extension and its reasons within the first month.",
    until: "New deadline",
    bad_until: "The new deadline must be after the first one and at most two months after it, and it can be extended only during the first month.",
    reason: "Reason (told to the person)",
    bad_reason: "Give the reason (at most 1,000 characters, no identity code).",
    extend_button: "Extend the deadline",
    answer: "Mark as answered",
    bad_answered_on: "The day must be from the day received to today.",
    answer_button: "Mark as answered",
    back: "All access requests",
};
