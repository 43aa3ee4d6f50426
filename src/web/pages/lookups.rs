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

use crate::domain::finnish_time::{self, finnish_local, start_of_finnish_day};
use crate::domain::{LookupOperation, Period, ShortText, StoredLookup, Timestamp};
use crate::service::{LookupListing, LookupQueryError, PageRequest};
use crate::web::fields::{self, BadFields, Params};
use crate::web::respond::{denied, failed, render};
use crate::web::viewer::{Chrome, Viewer};
use crate::web::{Lang, WebState};

use super::overview::{ControllerChoice, acted_for, choices, chosen_controller};

/// Lookups a page shows.
const PAGE_SIZE: u32 = 50;

pub fn routes() -> Router<Arc<WebState>> {
    Router::new().route("/lookups", get(lookups))
}

/// A moment in Finnish local time: `5.10.2026 klo 14.30`, `5.10.2026 kl. 14.30`,
/// `2026-10-05 14:30`.
fn moment(at: Timestamp, lang: Lang) -> String {
    let local = finnish_local(at);
    let date = finnish_time::date(at, lang.document_language());
    match lang {
        Lang::Fi => format!("{date} klo {}.{:02}", local.hour(), local.minute()),
        Lang::Sv => format!("{date} kl. {}.{:02}", local.hour(), local.minute()),
        Lang::En => format!("{date} {:02}:{:02}", local.hour(), local.minute()),
    }
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
    let f = fields::pick(lang);
    let params = Params::parse(query.as_deref());
    let ids = match acted_for(&state, &viewer, "/lookups") {
        Ok(ids) => ids,
        Err(answer) => return *answer,
    };
    let mut bad = BadFields::default();
    let controller = match chosen_controller(
        &params,
        &ids,
        p.controller,
        &mut bad,
        &viewer,
        p.no_controllers,
    ) {
        Ok(controller) => controller,
        Err(answer) => return *answer,
    };
    let mut text = |name: &'static str, label: &'static str| match params.get(name) {
        None => Some(None),
        Some(value) => bad
            .check((name, label), ShortText::parse(value), |_| {
                f.bad_text.to_owned()
            })
            .map(Some),
    };
    let requested_by = text("requested_by", p.requested_by);
    let case_reference = text("case_reference", p.case_reference);
    let from = fields::day(&params, ("from", p.from), &mut bad, lang);
    let to = fields::day(&params, ("to", p.to), &mut bad, lang);
    if let (Some(Some(first)), Some(Some(last))) = (from, to) {
        fields::days(first, last, ("to", p.to), &mut bad, lang);
    }
    let token = params.get("page").unwrap_or_default().to_owned();
    let page = PageRequest::new(PAGE_SIZE, token.clone()).expect("the page size is allowed");
    let (Some(controller), Some(requested_by), Some(case_reference), Some(from), Some(to)) =
        (controller, requested_by, case_reference, from, to)
    else {
        return fields::invalid(lang, &bad);
    };
    if !bad.is_empty() {
        return fields::invalid(lang, &bad);
    }
    let listing = LookupListing {
        subject: None,
        requested_by,
        case_reference,
        // Whole Finnish days: from the first day's start to the start of the day after the last.
        period: Period {
            from: from.map(start_of_finnish_day),
            to: to.map(|last| start_of_finnish_day(fields::next_day(last))),
        },
    };
    let found = match state
        .services
        .list_access_lookups(&viewer.caller, &controller, &listing, &page)
        .await
    {
        Ok(found) => found,
        Err(LookupQueryError::Denied(refusal)) => return denied(lang, &refusal),
        Err(LookupQueryError::PageToken(_)) => {
            let mut bad = BadFields::default();
            bad.add("page", p.page, f.stale_page);
            return fields::invalid(lang, &bad);
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
        controllers: choices(ids, &controller),
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
    pub page: &'static str,
    pub pages: &'static str,
    pub op_disclosures: &'static str,
    pub op_lookups: &'static str,
    pub op_report: &'static str,
    pub op_consents: &'static str,
    pub no_controllers: &'static str,
}

const FI: LookupsTexts = LookupsTexts {
    intro: "Jokainen haku henkilötunnuksella kirjataan ennen kuin siihen vastataan: kuka haki, milloin, missä asiassa ja millä toiminnolla. Rekisteröity näkyy vain avaimellisena tiivisteenä.",
    filters: "Rajaa hakuja",
    controller: "Rekisterinpitäjä",
    requested_by: "Pyytäjä",
    case_reference: "Asian diaarinumero",
    from: "Alkupäivä",
    to: "Loppupäivä",
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
    page: "Sivu",
    pages: "Sivut",
    op_disclosures: "henkilön luovutukset",
    op_lookups: "henkilön haut",
    op_report: "tarkastusoikeusraportti",
    op_consents: "henkilön suostumukset",
    no_controllers: "Et toimi minkään rekisterinpitäjän puolesta, joten hakuja ei ole näytettävänä.",
};

const SV: LookupsTexts = LookupsTexts {
    intro: "Varje sökning med personbeteckning registreras innan den besvaras: vem som sökte, när, i vilket ärende och med vilken funktion. Den registrerade visas bara som en nyckelbaserad hash.",
    filters: "Avgränsa sökningarna",
    controller: "Personuppgiftsansvarig",
    requested_by: "Begärd av",
    case_reference: "Ärendets diarienummer",
    from: "Första dag",
    to: "Sista dag",
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
    page: "Sida",
    pages: "Sidor",
    op_disclosures: "personens utlämnanden",
    op_lookups: "sökningar på personen",
    op_report: "rapport enligt rätten till insyn",
    op_consents: "personens samtycken",
    no_controllers: "Du företräder ingen personuppgiftsansvarig, så det finns inga sökningar att visa.",
};

const EN: LookupsTexts = LookupsTexts {
    intro: "Every lookup by identity code is recorded before it is answered: who looked, when, in which case and with which call. The data subject appears only as a keyed hash.",
    filters: "Filter the lookups",
    controller: "Controller",
    requested_by: "Requested by",
    case_reference: "Case reference",
    from: "First day",
    to: "Last day",
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
    page: "Page",
    pages: "Pages",
    op_disclosures: "the person's disclosures",
    op_lookups: "lookups of the person",
    op_report: "access report",
    op_consents: "the person's consents",
    no_controllers: "You act for no controller, so there are no lookups to show.",
};
