//! The query parameters the data pages share: the controller (by default the first the
//! caller acts for), periods of Finnish days, choices among coded values, and the 400 page
//! that names every bad field in the page's language. Values are parsed into the domain's
//! validated types here, at the edge; nothing after checks them again.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use time::Date;

use crate::domain::finnish_time::{finnish_local, parse_day, start_of_finnish_day};
use crate::domain::text::contains_identity_code_token;
use crate::domain::{BusinessId, Days, DaysError, Period, RegisterId};
use crate::service::{RegisterError, Services};

use super::lang::Lang;
use super::respond::{denied, failed, message, render};
use super::security::url_pairs;
use super::viewer::{Chrome, Viewer};

/// A page's query, decoded; empty values count as absent (an untouched form field).
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(query: Option<&str>) -> Self {
        Self(query.map(|q| url_pairs(q).collect()).unwrap_or_default())
    }

    /// The value of `key`, trimmed, unless absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Why a parameter is refused, said in the page's language by [`invalid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Date,
    BusinessId,
    RegisterId,
    Choice,
    TooLong,
    IdentityCode,
    Reversed,
    TooManyDays,
    PageToken,
    Number,
}

/// The bad fields of one request, in the order found.
#[derive(Debug, Default)]
pub struct Bad(Vec<(&'static str, Problem)>);

impl Bad {
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.push((field, problem));
    }

    /// `result`'s value, or `None` with `field` noted as bad.
    pub fn check<T, E>(
        &mut self,
        field: &'static str,
        problem: Problem,
        result: Result<T, E>,
    ) -> Option<T> {
        result.map_err(|_| self.add(field, problem)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A day `YYYY-MM-DD` of `key`, if given.
pub fn day(params: &Params, key: &'static str, bad: &mut Bad) -> Option<Date> {
    let text = params.get(key)?;
    bad.check(key, Problem::Date, parse_day(text).ok_or(()))
}

/// The days `from`..=`to`: by default from the first day of last month until today.
pub fn days(params: &Params, services: &Services, bad: &mut Bad) -> Option<Days> {
    let today = finnish_local(services.now()).date();
    let (from, to) = (day(params, "from", bad), day(params, "to", bad));
    if params.get("from").is_some() && from.is_none() || params.get("to").is_some() && to.is_none()
    {
        return None;
    }
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| first_of_last_month(to));
    match Days::new(from, to) {
        Ok(days) => Some(days),
        Err(DaysError::Reversed) => {
            bad.add("to", Problem::Reversed);
            None
        }
        Err(DaysError::TooLong) => {
            bad.add("to", Problem::TooManyDays);
            None
        }
    }
}

fn first_of_last_month(day: Date) -> Date {
    let first = day.replace_day(1).expect("every month has a first day");
    first
        .previous_day()
        .and_then(|last| last.replace_day(1).ok())
        .unwrap_or(first)
}

/// An open-ended period of Finnish days `from`..=`to`, either may be absent.
pub fn period(params: &Params, bad: &mut Bad) -> Option<Period> {
    let (from, to) = (day(params, "from", bad), day(params, "to", bad));
    if params.get("from").is_some() && from.is_none() || params.get("to").is_some() && to.is_none()
    {
        return None;
    }
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        bad.add("to", Problem::Reversed);
        return None;
    }
    Some(Period {
        from: from.map(start_of_finnish_day),
        to: to.map(|to| start_of_finnish_day(to.next_day().unwrap_or(to))),
    })
}

/// One of `all`, by its stable label, if given.
pub fn choice<T: Copy>(
    params: &Params,
    key: &'static str,
    from_label: fn(&str) -> Option<T>,
    bad: &mut Bad,
) -> Option<T> {
    let text = params.get(key)?;
    bad.check(key, Problem::Choice, from_label(text).ok_or(()))
}

/// Free text to filter by: at most 200 characters, and never an identity code (which
/// would then sit in the address bar, the history and the logs).
pub fn filter_text(params: &Params, key: &'static str, bad: &mut Bad) -> Option<String> {
    let text = params.get(key)?;
    if contains_identity_code_token(text) {
        bad.add(key, Problem::IdentityCode);
        None
    } else if text.chars().count() > 200 {
        bad.add(key, Problem::TooLong);
        None
    } else {
        Some(text.to_owned())
    }
}

/// A register id, if given.
pub fn register(params: &Params, bad: &mut Bad) -> Option<RegisterId> {
    let text = params.get("register")?;
    bad.check("register", Problem::RegisterId, RegisterId::parse(text))
}

/// The controllers the caller acts for, in catalogue order, and the one the page is about:
/// `?controller=`, else the first of them. An answer (403 or 500) when there is none.
pub struct Controllers {
    pub all: Vec<BusinessId>,
    pub chosen: Option<BusinessId>,
}

pub fn controllers(
    services: &Services,
    viewer: &Viewer,
    params: &Params,
    bad: &mut Bad,
) -> Result<Controllers, Box<Response>> {
    let registers = match services.list_registers(&viewer.caller, None) {
        Ok(registers) => registers,
        Err(RegisterError::Denied(refusal)) => return Err(Box::new(denied(viewer.lang, &refusal))),
        Err(error) => return Err(Box::new(failed(viewer.lang, "listing registers", &error))),
    };
    let mut all: Vec<BusinessId> = Vec::new();
    for register in &registers {
        for id in register.controller_ids() {
            if viewer.caller.acts_for(id) && !all.contains(id) {
                all.push(id.clone());
            }
        }
    }
    let chosen = match params.get("controller") {
        Some(text) => bad.check("controller", Problem::BusinessId, BusinessId::parse(text)),
        None => all.first().cloned(),
    };
    if chosen.is_none() && bad.is_empty() {
        // Without credentials the answer is 401, as from any use case.
        if let Err(refusal) = viewer.caller.authenticated_or_local() {
            return Err(Box::new(denied(viewer.lang, &refusal)));
        }
        let p = texts(viewer.lang);
        return Err(Box::new(message(
            viewer.lang,
            StatusCode::FORBIDDEN,
            viewer.t.denied,
            p.no_controller,
        )));
    }
    Ok(Controllers { all, chosen })
}

#[derive(Template)]
#[template(path = "web/invalid.html")]
struct InvalidPage {
    c: Chrome,
    p: &'static ParamTexts,
    fields: Vec<(&'static str, &'static str)>,
}

/// 400, naming every bad field and why, in the viewer's language.
pub fn invalid(viewer: &Viewer, bad: Bad) -> Response {
    let p = texts(viewer.lang);
    let fields = bad
        .0
        .into_iter()
        .map(|(field, problem)| (field, p.problem(problem)))
        .collect();
    render(
        StatusCode::BAD_REQUEST,
        &InvalidPage {
            // Not the viewer's layout: its language links repeat the query, bad values and all
            // (an identity code typed into a filter among them).
            c: Chrome::plain(viewer.lang),
            p,
            fields,
        },
    )
}

fn texts(lang: Lang) -> &'static ParamTexts {
    lang.pick(&FI, &SV, &EN)
}

/// The texts of the 400 page.
pub struct ParamTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub no_controller: &'static str,
    date: &'static str,
    business_id: &'static str,
    register_id: &'static str,
    choice: &'static str,
    too_long: &'static str,
    identity_code: &'static str,
    reversed: &'static str,
    too_many_days: &'static str,
    page_token: &'static str,
    number: &'static str,
}

impl ParamTexts {
    fn problem(&self, problem: Problem) -> &'static str {
        match problem {
            Problem::Date => self.date,
            Problem::BusinessId => self.business_id,
            Problem::RegisterId => self.register_id,
            Problem::Choice => self.choice,
            Problem::TooLong => self.too_long,
            Problem::IdentityCode => self.identity_code,
            Problem::Reversed => self.reversed,
            Problem::TooManyDays => self.too_many_days,
            Problem::PageToken => self.page_token,
            Problem::Number => self.number,
        }
    }
}

const FI: ParamTexts = ParamTexts {
    title: "Virheellinen pyyntö",
    intro: "Seuraavat kentät eivät kelpaa:",
    no_controller: "Et toimi minkään rekisterinpitäjän puolesta, jonka rekisterit ovat luettelossa.",
    date: "päivämäärä muodossa VVVV-KK-PP",
    business_id: "Y-tunnus muodossa 1234567-8, tarkistusmerkki oikein",
    register_id: "rekisterin tunnus (pienet kirjaimet, numerot, - . _)",
    choice: "jokin lomakkeen vaihtoehdoista",
    too_long: "enintään 200 merkkiä",
    identity_code: "ei saa sisältää henkilötunnusta",
    reversed: "ei saa olla ennen alkupäivää",
    too_many_days: "jakso saa olla enintään 3 660 päivää",
    page_token: "sivun tunniste kuuluu toiseen hakuun tai on rikki; aloita ensimmäiseltä sivulta",
    number: "kokonaisluku sallitulla välillä",
};

const SV: ParamTexts = ParamTexts {
    title: "Felaktig begäran",
    intro: "Följande fält duger inte:",
    no_controller: "Du agerar inte för någon personuppgiftsansvarig vars register finns i katalogen.",
    date: "ett datum i formen ÅÅÅÅ-MM-DD",
    business_id: "FO-nummer i formen 1234567-8, med rätt kontrolltecken",
    register_id: "registrets id (små bokstäver, siffror, - . _)",
    choice: "ett av formulärets alternativ",
    too_long: "högst 200 tecken",
    identity_code: "får inte innehålla en personbeteckning",
    reversed: "får inte vara före första dagen",
    too_many_days: "perioden får vara högst 3 660 dagar",
    page_token: "sidans märke hör till en annan sökning eller är trasigt; börja från första sidan",
    number: "ett heltal inom det tillåtna intervallet",
};

const EN: ParamTexts = ParamTexts {
    title: "Invalid request",
    intro: "These fields are not valid:",
    no_controller: "You act for no controller whose registers are in the catalogue.",
    date: "a date written YYYY-MM-DD",
    business_id: "a business ID written 1234567-8, with the right check digit",
    register_id: "a register id (lowercase letters, digits, - . _)",
    choice: "one of the form's options",
    too_long: "at most 200 characters",
    identity_code: "must not contain an identity code",
    reversed: "must not be before the first day",
    too_many_days: "the period may be at most 3,660 days",
    page_token: "the page token belongs to another listing or is broken; start from the first page",
    number: "a whole number in the allowed range",
};
