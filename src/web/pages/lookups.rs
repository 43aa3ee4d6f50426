//! `/lookups`: the lookup record for auditors: who looked up a data subject, when, in which
//! case and with which call; the subject only by its keyed hash. Filterable by who asked,
//! case reference and period, and paged. The same use case, and so the same auditor rule,
//! as ListAccessLookups; the page never filters by identity code (that would itself be a
//! lookup, and a code must not travel in a URL).

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::domain::finnish_time;
use crate::domain::{LookupOperation, StoredLookup, Timestamp};
use crate::service::{LookupListing, LookupQueryError, PageRequest};
use crate::web::params::{self, Bad, ControllerChoice, Params, Problem};
use crate::web::respond::{denied, failed, render};
use crate::web::viewer::{Chrome, Viewer};
use crate::web::{Lang, WebState};

/// Lookups a page shows.
const PAGE_SIZE: u32 = 50;

pub fn routes() -> Router<Arc<WebState>> {
    Router::new().route("/lookups", get(lookups))
}

fn moment(at: Timestamp, lang: Lang) -> String {
    finnish_time::moment(at, lang.document_language())
}

/// A lookup as a row of the table.
struct LookupRow {
    at: String,
    caller: String,
    requested_by: String,
    case_reference: String,
    operation: &'static str,
    subject: String,
    period: String,
}

fn row(stored: &StoredLookup, p: &LookupsTexts, lang: Lang) -> LookupRow {
    let lookup = &stored.lookup;
    let end = |at: Option<Timestamp>| at.map(|at| moment(at, lang)).unwrap_or_default();
    let period = match (lookup.period.from, lookup.period.to) {
        (None, None) => p.whole_log.to_owned(),
        (from, to) => format!("{} – {}", end(from), end(to)),
    };
    LookupRow {
        at: moment(lookup.looked_up_at, lang),
        caller: lookup.caller.clone(),
        requested_by: lookup.context.requested_by.to_string(),
        case_reference: lookup.context.case_reference.to_string(),
        operation: match lookup.operation {
            LookupOperation::ListSubjectDisclosures => p.op_disclosures,
            LookupOperation::ListAccessLookups => p.op_lookups,
            LookupOperation::SubjectAccessReport => p.op_report,
            LookupOperation::ListConsents => p.op_consents,
        },
        subject: format!(
            "{}:{}",
            lookup.subject_key_id,
            hex::encode(lookup.subject_hash)
        ),
        period,
    }
}

#[derive(Template)]
#[template(path = "web/lookups.html")]
struct LookupsPage {
    c: Chrome,
    p: &'static LookupsTexts,
    controllers: Vec<ControllerChoice>,
    requested_by: String,
    case_reference: String,
    from: String,
    to: String,
    rows: Vec<LookupRow>,
    next: Option<String>,
    first: Option<String>,
}

async fn lookups(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let p = lang.pick(&FI, &SV, &EN);
    let params = Params::new(query.as_deref());
    let mut bad = Bad::default();
    let controllers = match params::controllers(&state.services, &viewer, &params, &mut bad) {
        Ok(controllers) => controllers,
        Err(answer) => return *answer,
    };
    let listing = LookupListing {
        subject: None,
        requested_by: params::short_text(&params, "requested_by", &mut bad),
        case_reference: params::short_text(&params, "case_reference", &mut bad),
        period: params::period(&params, &mut bad).unwrap_or_default(),
    };
    let token = params.get("page").unwrap_or_default().to_owned();
    let page = PageRequest::new(PAGE_SIZE, token.clone()).expect("the page size is allowed");
    let (Some(controller), true) = (controllers.chosen.clone(), bad.is_empty()) else {
        return params::invalid(&viewer, bad);
    };
    let found = match state
        .services
        .list_access_lookups(&viewer.caller, &controller, &listing, &page)
        .await
    {
        Ok(found) => found,
        Err(LookupQueryError::Denied(refusal)) => return denied(lang, &refusal),
        Err(LookupQueryError::PageToken(_)) => {
            return Bad::only(&viewer, "page", Problem::PageToken);
        }
        Err(error) => return failed(lang, "listing lookups for /lookups", &error),
    };
    let keep = |name: &str| params.get(name).unwrap_or_default().to_owned();
    let filters = [
        ("controller", controller.to_string()),
        ("requested_by", keep("requested_by")),
        ("case_reference", keep("case_reference")),
        ("from", keep("from")),
        ("to", keep("to")),
    ];
    let link = |token: Option<&str>| {
        let mut pairs: Vec<(&str, String)> = filters
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .cloned()
            .collect();
        pairs.extend(token.map(|t| ("page", t.to_owned())));
        format!(
            "/lookups?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let page = LookupsPage {
        c: viewer.chrome(),
        p,
        controllers: controllers.choices(&controller),
        requested_by: keep("requested_by"),
        case_reference: keep("case_reference"),
        from: keep("from"),
        to: keep("to"),
        rows: found.items.iter().map(|l| row(l, p, lang)).collect(),
        next: (!found.next_token.is_empty()).then(|| link(Some(&found.next_token))),
        first: (!token.is_empty()).then(|| link(None)),
    };
    render(StatusCode::OK, &page)
}

/// The lookup audit page's texts.
pub struct LookupsTexts {
    pub intro: &'static str,
    pub filters: &'static str,
    pub controller: &'static str,
    pub requested_by: &'static str,
    pub case_reference: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub caption: &'static str,
    pub at: &'static str,
    pub caller: &'static str,
    pub operation: &'static str,
    pub subject: &'static str,
    pub subject_note: &'static str,
    pub period: &'static str,
    pub whole_log: &'static str,
    pub none: &'static str,
    pub next: &'static str,
    pub first: &'static str,
    pub pages: &'static str,
    pub op_disclosures: &'static str,
    pub op_lookups: &'static str,
    pub op_report: &'static str,
    pub op_consents: &'static str,
}

const FI: LookupsTexts = LookupsTexts {
    intro: "Jokainen haku henkilötunnuksella kirjataan ennen kuin siihen vastataan: kuka haki, milloin, missä asiassa ja millä toiminnolla. Rekisteröity näkyy vain avaimellisena tiivisteenä.",
    filters: "Rajaa hakuja",
    controller: params::FI.labels.controller,
    requested_by: params::FI.labels.requested_by,
    case_reference: params::FI.labels.case_reference,
    from: params::FI.labels.from,
    to: params::FI.labels.to,
    show: "Näytä",
    caption: "Haut vanhimmasta uusimpaan",
    at: "Aika",
    caller: "Käyttäjä",
    operation: "Toiminto",
    subject: "Rekisteröity (avain:tiiviste)",
    subject_note: "Tiiviste on laskettu henkilötunnuksesta salaisella avaimella; sama henkilö saa saman tiivisteen saman avaimen aikana.",
    period: "Haettu jakso",
    whole_log: "koko loki",
    none: "Ei hakuja näillä rajauksilla.",
    next: "Seuraava sivu",
    first: "Ensimmäinen sivu",
    pages: "Sivut",
    op_disclosures: "henkilön luovutukset",
    op_lookups: "henkilön haut",
    op_report: "tarkastusoikeusraportti",
    op_consents: "henkilön suostumukset",
};

const SV: LookupsTexts = LookupsTexts {
    intro: "Varje sökning med personbeteckning registreras innan den besvaras: vem som sökte, när, i vilket ärende och med vilken funktion. Den registrerade visas bara som en nyckelbaserad hash.",
    filters: "Avgränsa sökningarna",
    controller: params::SV.labels.controller,
    requested_by: params::SV.labels.requested_by,
    case_reference: params::SV.labels.case_reference,
    from: params::SV.labels.from,
    to: params::SV.labels.to,
    show: "Visa",
    caption: "Sökningar från den äldsta till den senaste",
    at: "Tid",
    caller: "Användare",
    operation: "Funktion",
    subject: "Registrerad (nyckel:hash)",
    subject_note: "Hashen är beräknad från personbeteckningen med en hemlig nyckel; samma person får samma hash så länge nyckeln är densamma.",
    period: "Sökt period",
    whole_log: "hela loggen",
    none: "Inga sökningar med dessa avgränsningar.",
    next: "Nästa sida",
    first: "Första sidan",
    pages: "Sidor",
    op_disclosures: "personens utlämnanden",
    op_lookups: "sökningar på personen",
    op_report: "rapport enligt rätten till insyn",
    op_consents: "personens samtycken",
};

const EN: LookupsTexts = LookupsTexts {
    intro: "Every lookup by identity code is recorded before it is answered: who looked, when, in which case and with which call. The data subject appears only as a keyed hash.",
    filters: "Filter the lookups",
    controller: params::EN.labels.controller,
    requested_by: params::EN.labels.requested_by,
    case_reference: params::EN.labels.case_reference,
    from: params::EN.labels.from,
    to: params::EN.labels.to,
    show: "Show",
    caption: "Lookups, oldest first",
    at: "Time",
    caller: "User",
    operation: "Call",
    subject: "Data subject (key:hash)",
    subject_note: "The hash is computed from the identity code with a secret key; one person has one hash for as long as the key stays the same.",
    period: "Period asked about",
    whole_log: "the whole log",
    none: "No lookups match these filters.",
    next: "Next page",
    first: "First page",
    pages: "Pages",
    op_disclosures: "the person's disclosures",
    op_lookups: "lookups of the person",
    op_report: "access report",
    op_consents: "the person's consents",
};
