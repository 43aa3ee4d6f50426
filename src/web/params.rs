//! The query parameters the data pages share: the controller a page is about (by default the
//! first the caller acts for) and the selector's choices, periods of Finnish days, choices
//! among coded values, free text, and the 400 page that names every bad field, by its label
//! and its name, in the page's language. Values are parsed into the domain's validated types
//! here, at the edge; nothing after checks them again.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use time::Date;

use crate::domain::finnish_time::{finnish_local, parse_day, start_of_finnish_day};
use crate::domain::text::contains_identity_code_token;
use crate::domain::{BusinessId, Days, DaysError, Period, RegisterId, ShortText};
use crate::report::i18n;
use crate::service::{RegisterError, Services};

use super::charts;
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

    /// The first non-empty value of `key`, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .map(|(k, v)| (k, v.trim()))
            .find(|(k, v)| *k == key && !v.is_empty())
            .map(|(_, v)| v)
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
    Text,
    IdentityCode,
    Reversed,
    TooManyDays,
    PageToken,
    Number,
}

/// The bad fields of one request, by their names in the URL, in the order found.
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

    /// 400 naming this one field.
    pub fn only(viewer: &Viewer, field: &'static str, problem: Problem) -> Response {
        let mut bad = Self::default();
        bad.add(field, problem);
        invalid(viewer, bad)
    }
}

/// A day `YYYY-MM-DD` of `key`, if given.
pub fn day(params: &Params, key: &'static str, bad: &mut Bad) -> Option<Date> {
    let text = params.get(key)?;
    bad.check(key, Problem::Date, parse_day(text).ok_or(()))
}

/// `from` and `to` as days, each `None` when absent; `Err` when either is bad (noted).
fn from_to(params: &Params, bad: &mut Bad) -> Result<(Option<Date>, Option<Date>), ()> {
    let (from, to) = (day(params, "from", bad), day(params, "to", bad));
    if params.get("from").is_some() && from.is_none() || params.get("to").is_some() && to.is_none()
    {
        return Err(());
    }
    Ok((from, to))
}

/// The days `from`..=`to`: by default until today, and from `default_first` of the last day
/// (each page has its own default span).
pub fn days(
    params: &Params,
    services: &Services,
    default_first: fn(Date) -> Date,
    bad: &mut Bad,
) -> Option<Days> {
    let (from, to) = from_to(params, bad).ok()?;
    let to = to.unwrap_or_else(|| finnish_local(services.now()).date());
    span(from.unwrap_or_else(|| default_first(to)), to, bad)
}

/// The days `from`..=`to`, or `None` with `to` noted as bad (before `from`, or too many days).
fn span(from: Date, to: Date, bad: &mut Bad) -> Option<Days> {
    let problem = match Days::new(from, to) {
        Ok(days) => return Some(days),
        Err(DaysError::Reversed) => Problem::Reversed,
        Err(DaysError::TooLong) => Problem::TooManyDays,
    };
    bad.add("to", problem);
    None
}

/// The first day of the month before `day`'s.
pub fn first_of_last_month(day: Date) -> Date {
    let first = day.replace_day(1).expect("every month has a first day");
    first
        .previous_day()
        .and_then(|last| last.replace_day(1).ok())
        .unwrap_or(first)
}

/// An open-ended period of whole Finnish days `from`..=`to`, either may be absent.
pub fn period(params: &Params, bad: &mut Bad) -> Option<Period> {
    let (from, to) = from_to(params, bad).ok()?;
    if let (Some(from), Some(to)) = (from, to) {
        span(from, to, bad)?;
    }
    Some(Period {
        from: from.map(start_of_finnish_day),
        // Up to the start of the day after the last.
        to: to.map(|to| start_of_finnish_day(to.next_day().unwrap_or(to))),
    })
}

/// One of a coded type's values, by its stable label, if given.
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

/// A short text of the domain (a name, a case reference), if given.
pub fn short_text(params: &Params, key: &'static str, bad: &mut Bad) -> Option<ShortText> {
    let text = params.get(key)?;
    bad.check(key, Problem::Text, ShortText::parse(text))
}

/// A register id, if given.
pub fn register(params: &Params, bad: &mut Bad) -> Option<RegisterId> {
    let text = params.get("register")?;
    bad.check("register", Problem::RegisterId, RegisterId::parse(text))
}

/// A controller the viewer may choose on a page's form.
pub struct ControllerChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The controllers the caller acts for, from the registers the registers use case lets it
/// see, in catalogue order and named in the page's language, and the one the page is about:
/// `?controller=`, else the first of them. Whether the viewer may see that controller's data
/// is left to the page's own use case.
pub struct Controllers {
    pub all: Vec<(BusinessId, String)>,
    pub chosen: Option<BusinessId>,
}

impl Controllers {
    /// The selector's choices, with `chosen` selected.
    pub fn choices(&self, chosen: &BusinessId) -> Vec<ControllerChoice> {
        self.all
            .iter()
            .map(|(id, name)| ControllerChoice {
                id: id.to_string(),
                name: name.clone(),
                selected: id == chosen,
            })
            .collect()
    }

    /// The chosen controller's name, else its business ID.
    pub fn name(&self, id: &BusinessId) -> String {
        self.all
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

/// The controllers the caller acts for and this log keeps, from the registers the registers
/// use case lets it see, in catalogue order, named in the page's language; the answer instead (403 or 500)
/// when that use case refuses or fails.
pub fn acted_for(
    services: &Services,
    viewer: &Viewer,
) -> Result<Vec<(BusinessId, String)>, Box<Response>> {
    let lang = viewer.lang;
    let registers = match services.list_registers(&viewer.caller, None) {
        Ok(registers) => registers,
        Err(RegisterError::Denied(refusal)) => return Err(Box::new(denied(lang, &refusal))),
        Err(error) => return Err(Box::new(failed(lang, "listing registers", &error))),
    };
    let mut all: Vec<(BusinessId, String)> = Vec::new();
    for register in &registers {
        for c in &register.controllers {
            if viewer.caller.acts_for(&c.business_id)
                && services.log_controllers().keeps(&c.business_id)
                && !all.iter().any(|(id, _)| id == &c.business_id)
            {
                let name = i18n::local(lang.document_language(), &c.name).clone();
                all.push((c.business_id.clone(), name));
            }
        }
    }
    Ok(all)
}

/// The controllers of the page, or the answer instead of the page (401, 403 or 500) when the
/// caller acts for none.
pub fn controllers(
    services: &Services,
    viewer: &Viewer,
    params: &Params,
    bad: &mut Bad,
) -> Result<Controllers, Box<Response>> {
    let lang = viewer.lang;
    let all = acted_for(services, viewer)?;
    let chosen = match params.get("controller") {
        Some(text) => bad.check("controller", Problem::BusinessId, BusinessId::parse(text)),
        None => all.first().map(|(id, _)| id.clone()),
    };
    if chosen.is_none() && bad.is_empty() {
        // Without credentials the answer is 401, as from any use case.
        if let Err(refusal) = viewer.caller.authenticated_or_local() {
            return Err(Box::new(denied(lang, &refusal)));
        }
        return Err(Box::new(message(
            lang,
            StatusCode::FORBIDDEN,
            viewer.t.denied,
            texts(lang).no_controller,
        )));
    }
    Ok(Controllers { all, chosen })
}

/// One bad field as the 400 page shows it.
struct BadField {
    name: &'static str,
    label: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "web/invalid.html")]
struct InvalidPage {
    c: Chrome,
    p: &'static ParamTexts,
    fields: Vec<BadField>,
}

/// 400, naming every bad field, by its label and its name, and why, in the viewer's language.
pub fn invalid(viewer: &Viewer, bad: Bad) -> Response {
    let p = texts(viewer.lang);
    let fields = bad
        .0
        .into_iter()
        .map(|(name, problem)| BadField {
            name,
            label: p.labels.of(name),
            reason: p.reason(problem, viewer.lang),
        })
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

/// The texts of the shared parameters in `lang`: the fields' labels, the 400 page's words.
pub fn texts(lang: Lang) -> &'static ParamTexts {
    lang.pick(&FI, &SV, &EN)
}

/// The labels of the parameters the pages share, for their forms and the 400 page.
pub struct Labels {
    pub controller: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub register: &'static str,
    pub recipient: &'static str,
    pub basis: &'static str,
    pub statute: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub classification: &'static str,
    pub requested_by: &'static str,
    pub case_reference: &'static str,
    pub chart: &'static str,
    pub size: &'static str,
    pub page: &'static str,
    pub entry: &'static str,
}

impl Labels {
    /// The label of the parameter `name`; a name no page uses stands for itself.
    fn of(&self, name: &'static str) -> &'static str {
        match name {
            "controller" => self.controller,
            "from" => self.from,
            "to" => self.to,
            "register" => self.register,
            "recipient" => self.recipient,
            "basis" => self.basis,
            "statute" => self.statute,
            "category" => self.category,
            "channel" => self.channel,
            "classification" => self.classification,
            "requested_by" => self.requested_by,
            "case_reference" => self.case_reference,
            "chart" => self.chart,
            "size" => self.size,
            "page" => self.page,
            "entry" => self.entry,
            other => other,
        }
    }
}

/// The texts of the shared parameters and the 400 page.
pub struct ParamTexts {
    pub labels: Labels,
    pub title: &'static str,
    pub intro: &'static str,
    pub back: &'static str,
    pub no_controller: &'static str,
    date: &'static str,
    business_id: &'static str,
    register_id: &'static str,
    choice: &'static str,
    too_long: &'static str,
    text: &'static str,
    identity_code: &'static str,
    reversed: &'static str,
    /// Followed by [`Days::MAX`].
    too_many_days: &'static str,
    page_token: &'static str,
    number: &'static str,
}

impl ParamTexts {
    fn reason(&self, problem: Problem, lang: Lang) -> String {
        match problem {
            Problem::Date => self.date,
            Problem::BusinessId => self.business_id,
            Problem::RegisterId => self.register_id,
            Problem::Choice => self.choice,
            Problem::TooLong => self.too_long,
            Problem::Text => self.text,
            Problem::IdentityCode => self.identity_code,
            Problem::Reversed => self.reversed,
            Problem::TooManyDays => {
                let max = charts::number(Days::MAX.unsigned_abs().into(), lang);
                return format!("{} {max}.", self.too_many_days);
            }
            Problem::PageToken => self.page_token,
            Problem::Number => self.number,
        }
        .to_owned()
    }
}

pub const FI: ParamTexts = ParamTexts {
    labels: Labels {
        controller: "Rekisterinpitäjä",
        from: "Alkupäivä",
        to: "Loppupäivä",
        register: "Rekisteri",
        recipient: "Vastaanottajan tunniste",
        basis: "Käsittelyperuste",
        statute: "Säädös",
        category: "Tietoryhmä",
        channel: "Luovutustapa",
        classification: "Suhde selosteeseen",
        requested_by: "Pyytäjä",
        case_reference: "Asian diaarinumero",
        chart: "Kaavio",
        size: "Luovutuksia sivulla",
        page: "Sivu",
        entry: "Merkintä",
    },
    title: "Virheellinen pyyntö",
    intro: "Seuraavat kentät on korjattava:",
    back: "Palaa edelliselle sivulle ja korjaa kentät.",
    no_controller: "Et toimi minkään rekisterinpitäjän puolesta, jonka rekisterit ovat luettelossa.",
    date: "Anna päivämäärä muodossa VVVV-KK-PP.",
    business_id: "Anna Y-tunnus muodossa 1234567-8 oikealla tarkistusmerkillä.",
    register_id: "Anna rekisterin tunnus (pienet kirjaimet, numerot, - . _).",
    choice: "Valitse jokin lomakkeen vaihtoehdoista.",
    too_long: "Enintään 200 merkkiä.",
    text: "Teksti on liian pitkä tai sisältää kiellettyjä merkkejä.",
    identity_code: "Ei saa sisältää henkilötunnusta.",
    reversed: "Loppupäivä ei voi olla ennen alkupäivää.",
    too_many_days: "Jakso voi olla enintään päiviä:",
    page_token: "Sivulinkki kuuluu toiseen hakuun tai on rikki; aloita haku alusta.",
    number: "Anna kokonaisluku sallitulla välillä.",
};

pub const SV: ParamTexts = ParamTexts {
    labels: Labels {
        controller: "Personuppgiftsansvarig",
        from: "Första dag",
        to: "Sista dag",
        register: "Register",
        recipient: "Mottagarens identifierare",
        basis: "Rättslig grund",
        statute: "Författning",
        category: "Uppgiftskategori",
        channel: "Sätt att lämna ut",
        classification: "Förhållande till beskrivningen",
        requested_by: "Begärd av",
        case_reference: "Ärendets diarienummer",
        chart: "Diagram",
        size: "Utlämnanden per sida",
        page: "Sida",
        entry: "Post",
    },
    title: "Felaktig begäran",
    intro: "Följande fält måste rättas:",
    back: "Gå tillbaka till föregående sida och rätta fälten.",
    no_controller: "Du agerar inte för någon personuppgiftsansvarig vars register finns i katalogen.",
    date: "Ange ett datum i formen ÅÅÅÅ-MM-DD.",
    business_id: "Ange FO-numret i formen 1234567-8, med rätt kontrolltecken.",
    register_id: "Ange registrets id (små bokstäver, siffror, - . _).",
    choice: "Välj ett av formulärets alternativ.",
    too_long: "Högst 200 tecken.",
    text: "Texten är för lång eller innehåller otillåtna tecken.",
    identity_code: "Får inte innehålla en personbeteckning.",
    reversed: "Sista dagen får inte vara före första dagen.",
    too_many_days: "Perioden får omfatta högst så många dagar:",
    page_token: "Sidlänken hör till en annan sökning eller är trasig; börja om sökningen.",
    number: "Ange ett heltal inom det tillåtna intervallet.",
};

pub const EN: ParamTexts = ParamTexts {
    labels: Labels {
        controller: "Controller",
        from: "First day",
        to: "Last day",
        register: "Register",
        recipient: "Recipient's identifier",
        basis: "Legal basis",
        statute: "Statute",
        category: "Data category",
        channel: "Channel",
        classification: "Standing against the notice",
        requested_by: "Requested by",
        case_reference: "Case reference",
        chart: "Chart",
        size: "Disclosures per page",
        page: "Page",
        entry: "Entry",
    },
    title: "Invalid request",
    intro: "These fields need correcting:",
    back: "Go back to the previous page and correct the fields.",
    no_controller: "You act for no controller whose registers are in the catalogue.",
    date: "Give a date as YYYY-MM-DD.",
    business_id: "Give a business ID as 1234567-8, with the right check digit.",
    register_id: "Give a register id (lowercase letters, digits, - . _).",
    choice: "Pick one of the form's options.",
    too_long: "At most 200 characters.",
    text: "The text is too long or has characters that are not allowed.",
    identity_code: "Must not contain an identity code.",
    reversed: "The last day must not be before the first day.",
    too_many_days: "The period may span at most this many days:",
    page_token: "The page link belongs to another search or is broken; start the search again.",
    number: "Give a whole number in the allowed range.",
};
