//! A page's query parameters turned into domain values at the edge, and the 400 page that
//! names every bad one in the page's language (as gRPC names every bad field).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use time::{Date, Duration};

use crate::domain::finnish_time::parse_day;
use crate::domain::{Days, DaysError};

use super::Lang;
use super::respond::render;
use super::security::url_pairs;
use super::viewer::Chrome;

/// A page's query parameters; an empty value counts as absent (an empty form field).
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        Self(query.map(|q| url_pairs(q).collect()).unwrap_or_default())
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.trim())
    }
}

/// One bad parameter: its name in the URL, its label on the page, and what is wrong.
pub struct BadField {
    pub name: &'static str,
    pub label: &'static str,
    pub reason: String,
}

/// The bad parameters of one request.
#[derive(Default)]
pub struct BadFields(pub Vec<BadField>);

impl BadFields {
    pub fn add(&mut self, name: &'static str, label: &'static str, reason: impl Into<String>) {
        self.0.push(BadField {
            name,
            label,
            reason: reason.into(),
        });
    }

    /// `parsed`, or `None` with the field noted as bad.
    pub fn check<T, E>(
        &mut self,
        (name, label): (&'static str, &'static str),
        parsed: Result<T, E>,
        reason: impl FnOnce(E) -> String,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(name, label, reason(error));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A day parameter `YYYY-MM-DD`, if given; noted as bad when it is not a date.
pub fn day(
    params: &Params,
    (name, label): (&'static str, &'static str),
    bad: &mut BadFields,
    lang: Lang,
) -> Option<Option<Date>> {
    match params.get(name) {
        None => Some(None),
        Some(text) => bad
            .check((name, label), parse_day(text).ok_or(()), |()| {
                pick(lang).not_a_date.to_owned()
            })
            .map(Some),
    }
}

/// The span of days from `first` to `last`; a bad span is the fault of `last_field`.
pub fn days(
    first: Date,
    last: Date,
    last_field: (&'static str, &'static str),
    bad: &mut BadFields,
    lang: Lang,
) -> Option<Days> {
    let t = pick(lang);
    bad.check(last_field, Days::new(first, last), |error| match error {
        DaysError::Reversed => t.reversed.to_owned(),
        DaysError::TooLong => format!("{} {}.", t.too_long, Days::MAX),
    })
}

/// The day after `day`, for half-open periods of Finnish days.
pub fn next_day(day: Date) -> Date {
    day + Duration::days(1)
}

#[derive(Template)]
#[template(path = "web/invalid_fields.html")]
struct InvalidPage<'a> {
    c: Chrome,
    p: &'static FieldTexts,
    fields: &'a [BadField],
}

/// 400 with a page naming each bad field.
pub fn invalid(lang: Lang, bad: &BadFields) -> Response {
    let page = InvalidPage {
        c: Chrome::plain(lang),
        p: pick(lang),
        fields: &bad.0,
    };
    render(StatusCode::BAD_REQUEST, &page)
}

/// The words of field checks in `lang`.
pub fn pick(lang: Lang) -> &'static FieldTexts {
    lang.pick(&FI, &SV, &EN)
}

/// The words of field checks, shared by the pages.
pub struct FieldTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub back: &'static str,
    pub not_a_date: &'static str,
    pub reversed: &'static str,
    pub too_long: &'static str,
    pub not_a_business_id: &'static str,
    pub bad_text: &'static str,
    pub unknown_value: &'static str,
    pub stale_page: &'static str,
}

pub const FI: FieldTexts = FieldTexts {
    title: "Virheellinen haku",
    intro: "Seuraavat kentät on korjattava:",
    back: "Palaa edelliselle sivulle ja korjaa kentät.",
    not_a_date: "Anna päivämäärä muodossa VVVV-KK-PP.",
    reversed: "Loppupäivä ei voi olla ennen alkupäivää.",
    too_long: "Jakso voi olla enintään päiviä:",
    not_a_business_id: "Anna Y-tunnus muodossa 1234567-8.",
    bad_text: "Teksti on liian pitkä tai sisältää kiellettyjä merkkejä.",
    unknown_value: "Tuntematon arvo.",
    stale_page: "Sivulinkki ei kuulu tähän hakuun; aloita haku alusta.",
};

pub const SV: FieldTexts = FieldTexts {
    title: "Felaktig sökning",
    intro: "Följande fält måste rättas:",
    back: "Gå tillbaka till föregående sida och rätta fälten.",
    not_a_date: "Ange ett datum i formen ÅÅÅÅ-MM-DD.",
    reversed: "Slutdagen kan inte vara före startdagen.",
    too_long: "Perioden får omfatta högst så många dagar:",
    not_a_business_id: "Ange FO-numret i formen 1234567-8.",
    bad_text: "Texten är för lång eller innehåller otillåtna tecken.",
    unknown_value: "Okänt värde.",
    stale_page: "Sidlänken hör inte till denna sökning; börja om sökningen.",
};

pub const EN: FieldTexts = FieldTexts {
    title: "Invalid search",
    intro: "These fields need correcting:",
    back: "Go back to the previous page and correct the fields.",
    not_a_date: "Give a date as YYYY-MM-DD.",
    reversed: "The last day cannot come before the first day.",
    too_long: "The period may span at most this many days:",
    not_a_business_id: "Give a business ID as 1234567-8.",
    bad_text: "The text is too long or has characters that are not allowed.",
    unknown_value: "Unknown value.",
    stale_page: "The page link does not belong to this search; start the search again.",
};
