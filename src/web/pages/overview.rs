//! `/overview`: what a controller disclosed in a period, per month and by recipient,
//! statute, data category and channel, with undeclared and consent-based disclosures
//! highlighted; every chart also as a table and as CSV (`/overview.csv`). The counts come
//! from the statistics use case (DisclosureStatistics), with the auditor rule it applies.
//!
//! The default period is the twelve calendar months up to today: the month just ended is
//! one column and one table row of it, beside the trend a DPO reads a month against, and
//! one link narrows the whole page to that month ("what did we disclose last month, to
//! whom, under which law").

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use time::{Date, Month};

use crate::domain::finnish_time::{self, finnish_local};
use crate::domain::provision::LegalProvision;
use crate::domain::{BusinessId, Channel, Classification, DataCategory, Days, LegalBasis};
use crate::report::i18n;
use crate::service::{ReportError, StatisticsQuery};
use crate::statistics::{Bucket, Dimension, Group};
use crate::web::charts::{self, Drawing, Figure, Highlight};
use crate::web::params::{self, Bad, ControllerChoice, Params, Problem};
use crate::web::respond::{attachment, denied, failed, render};
use crate::web::viewer::{Chrome, Viewer};
use crate::web::{Lang, WebState};

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/overview", get(overview))
        .route("/overview.csv", get(overview_csv))
}

/// The charts of the page, in order; `name` is the `chart` of the CSV link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chart {
    Month,
    Recipient,
    Statute,
    Category,
    Channel,
}

impl Chart {
    const ALL: [Chart; 5] = [
        Chart::Month,
        Chart::Recipient,
        Chart::Statute,
        Chart::Category,
        Chart::Channel,
    ];

    fn name(self) -> &'static str {
        match self {
            Chart::Month => "month",
            Chart::Recipient => "recipient",
            Chart::Statute => "statute",
            Chart::Category => "category",
            Chart::Channel => "channel",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    fn dimension(self) -> Option<Dimension> {
        match self {
            Chart::Month => None,
            Chart::Recipient => Some(Dimension::Recipient),
            Chart::Statute => Some(Dimension::Statute),
            Chart::Category => Some(Dimension::DataCategory),
            Chart::Channel => Some(Dimension::Channel),
        }
    }

    /// What the chart's rows are, as the first column's heading.
    fn column(self, p: &OverviewTexts) -> &'static str {
        match self {
            Chart::Month => p.month,
            Chart::Recipient => p.recipient,
            Chart::Statute => p.statute,
            Chart::Category => p.category,
            Chart::Channel => p.channel,
        }
    }

    fn heading(self, p: &OverviewTexts) -> &'static str {
        match self {
            Chart::Month => p.by_month,
            Chart::Recipient => p.by_recipient,
            Chart::Statute => p.by_statute,
            Chart::Category => p.by_category,
            Chart::Channel => p.by_channel,
        }
    }
}

/// One row of a chart's table: a month or a value of its dimension.
#[derive(Debug, Clone, Default)]
struct Row {
    label: String,
    disclosures: u64,
    entries: u64,
    undeclared: u64,
    consent: u64,
}

/// Whether a statistics group counts undeclared or consent-based disclosures.
fn highlights(group: &Group) -> (bool, bool) {
    let has = |dimension: Dimension, key: &str| {
        group
            .values
            .iter()
            .any(|v| v.dimension == dimension && v.key == key)
    };
    (
        has(
            Dimension::Classification,
            Classification::Undeclared.label(),
        ),
        has(Dimension::LegalBasis, LegalBasis::Consent.label()),
    )
}

/// A value of `dimension` as a reader of `lang` names it: statutes by their titles,
/// categories and channels by the documents' words, recipients by their recorded names.
fn readable(dimension: Dimension, key: &str, label: &str, lang: Lang) -> String {
    let doc = lang.document_language();
    match dimension {
        Dimension::Statute => LegalProvision::parse_canonical(key)
            .map(|act| act.readable_in(doc))
            .unwrap_or_else(|_| key.to_owned()),
        Dimension::DataCategory => DataCategory::from_label(key)
            .map(|c| i18n::category(doc, c).to_owned())
            .unwrap_or_else(|| label.to_owned()),
        Dimension::Channel => Channel::from_label(key)
            .map(|c| i18n::channel(doc, c).to_owned())
            .unwrap_or_else(|| label.to_owned()),
        _ => label.to_owned(),
    }
}

/// The months from `days`' first to its last, as `(year, month)`.
fn months(days: &Days) -> Vec<(i32, Month)> {
    let mut months = Vec::new();
    let (mut year, mut month) = (days.first().year(), days.first().month());
    while (year, month as u8) <= (days.last().year(), days.last().month() as u8) {
        months.push((year, month));
        if month == Month::December {
            year += 1;
        }
        month = month.next();
    }
    months
}

fn month_label((year, month): (i32, Month), lang: Lang) -> String {
    match lang {
        Lang::Fi | Lang::Sv => format!("{}/{year}", month as u8),
        Lang::En => format!("{year}-{:02}", month as u8),
    }
}

/// The rows of `chart` for `query`'s controller and days, through the statistics use case.
async fn chart_rows(
    state: &WebState,
    viewer: &Viewer,
    chart: Chart,
    controller: &BusinessId,
    days: Days,
) -> Result<Vec<Row>, ReportError> {
    let mut group_by: Vec<Dimension> = chart.dimension().into_iter().collect();
    group_by.extend([Dimension::Classification, Dimension::LegalBasis]);
    let query = StatisticsQuery {
        controller: controller.clone(),
        register: None,
        days,
        group_by,
        bucket: match chart {
            Chart::Month => Bucket::Month,
            _ => Bucket::Whole,
        },
    };
    let groups = state.services.statistics(&viewer.caller, &query).await?;
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for group in &groups {
        let (key, label) = match chart.dimension() {
            None => (group.period.clone(), String::new()),
            Some(dimension) => {
                let value = group
                    .values
                    .iter()
                    .find(|v| v.dimension == dimension)
                    .expect("grouped by the chart's dimension");
                (
                    value.key.clone(),
                    readable(dimension, &value.key, &value.label, viewer.lang),
                )
            }
        };
        let (undeclared, consent) = highlights(group);
        let row = rows.entry(key).or_insert_with(|| Row {
            label,
            ..Row::default()
        });
        row.disclosures += group.disclosures;
        row.entries += group.entries;
        row.undeclared += if undeclared { group.disclosures } else { 0 };
        row.consent += if consent { group.disclosures } else { 0 };
    }
    Ok(match chart {
        // Every month of the period, the empty ones too, in order.
        Chart::Month => months(&days)
            .into_iter()
            .map(|(year, month)| {
                let key = format!("{year}-{:02}", month as u8);
                let found = rows.remove(&key).unwrap_or_default();
                Row {
                    label: month_label((year, month), viewer.lang),
                    ..found
                }
            })
            .collect(),
        _ => {
            let mut rows: Vec<Row> = rows.into_values().collect();
            rows.sort_by(|a, b| {
                b.disclosures
                    .cmp(&a.disclosures)
                    .then_with(|| a.label.cmp(&b.label))
            });
            rows
        }
    })
}

/// What the page is about: whose, which days, and the choices of the selector.
struct Scope {
    controller: BusinessId,
    controller_name: String,
    days: Days,
    controllers: Vec<ControllerChoice>,
}

/// The controller and the days the query asks for, with their defaults; a 400 page naming
/// every bad parameter, or the answer when the viewer acts for no controller.
fn scope(state: &WebState, viewer: &Viewer, params: &Params) -> Result<Scope, Box<Response>> {
    let mut bad = Bad::default();
    let controllers = params::controllers(&state.services, viewer, params, &mut bad)?;
    let days = params::days(params, &state.services, twelve_months_before, &mut bad);
    match (controllers.chosen.clone(), days) {
        (Some(controller), Some(days)) if bad.is_empty() => Ok(Scope {
            controllers: controllers.choices(&controller),
            controller_name: controllers.name(&controller),
            controller,
            days,
        }),
        _ => Err(Box::new(params::invalid(viewer, bad))),
    }
}

/// The first day of the month eleven months before `day`'s: twelve calendar months.
fn twelve_months_before(day: Date) -> Date {
    let mut year = day.year();
    let mut month = day.month();
    for _ in 0..11 {
        if month == Month::January {
            year -= 1;
        }
        month = month.previous();
    }
    Date::from_calendar_date(year, month, 1).expect("the first of a month exists")
}

fn first_of_month(day: Date) -> Date {
    day.replace_day(1).expect("the first of a month exists")
}

/// The query of a page or a CSV of this scope.
fn scope_query(controller: &BusinessId, first: Date, last: Date) -> String {
    serde_urlencoded::to_string([
        ("controller", controller.to_string()),
        ("from", first.to_string()),
        ("to", last.to_string()),
    ])
    .unwrap_or_default()
}

/// A chart as the page shows it.
struct ChartView {
    name: &'static str,
    heading: &'static str,
    column: &'static str,
    title: String,
    desc: String,
    note: Option<&'static str>,
    drawing: Option<Drawing>,
    rows: Vec<RowView>,
    csv: String,
    hatched: bool,
    dotted: bool,
}

/// A table row with its numbers written for the reader.
struct RowView {
    label: String,
    disclosures: String,
    entries: String,
    undeclared: String,
    consent: String,
    highlighted: bool,
}

/// A link that narrows the page to a common period.
struct PeriodLink {
    label: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "web/overview.html")]
struct OverviewPage {
    c: Chrome,
    p: &'static OverviewTexts,
    controllers: Vec<ControllerChoice>,
    controller_name: String,
    from: String,
    to: String,
    period: String,
    presets: Vec<PeriodLink>,
    disclosures: String,
    entries: String,
    undeclared: String,
    consent: String,
    any_undeclared: bool,
    any_consent: bool,
    charts: Vec<ChartView>,
}

fn refused(lang: Lang, error: ReportError) -> Response {
    match error {
        ReportError::Denied(refusal) => denied(lang, &refusal),
        error => failed(lang, "reading statistics for /overview", &error),
    }
}

fn view(
    chart: Chart,
    rows: &[Row],
    lang: Lang,
    p: &'static OverviewTexts,
    csv: String,
) -> ChartView {
    let words = Highlight {
        undeclared: p.undeclared_short,
        consent: p.consent_short,
    };
    let figures: Vec<Figure> = rows
        .iter()
        .map(|row| Figure {
            label: row.label.clone(),
            value: row.disclosures,
            undeclared: row.undeclared,
            consent: row.consent,
        })
        .collect();
    let n = |v: u64| charts::number(v, lang);
    let largest = rows.iter().max_by_key(|r| r.disclosures);
    let desc = match (chart, largest) {
        (_, None) => p.nothing.to_owned(),
        (Chart::Month, Some(top)) => format!(
            "{}: {}. {}: {} ({}).",
            p.total,
            n(rows.iter().map(|r| r.disclosures).sum()),
            p.largest,
            top.label,
            n(top.disclosures)
        ),
        (_, Some(top)) => format!(
            "{}: {}. {}: {} ({}).",
            p.groups,
            n(rows.len() as u64),
            p.largest,
            top.label,
            n(top.disclosures)
        ),
    };
    let drawing = match chart {
        Chart::Month => Some(charts::columns(&figures, lang)),
        _ if figures.is_empty() => None,
        _ => Some(charts::rows(&figures, lang, &words)),
    };
    ChartView {
        name: chart.name(),
        heading: chart.heading(p),
        column: chart.column(p),
        title: format!("{}: {}", chart.heading(p), p.measure),
        desc,
        note: match chart {
            Chart::Statute => Some(p.statute_note),
            Chart::Category => Some(p.category_note),
            _ => None,
        },
        drawing,
        hatched: rows.iter().any(|r| r.undeclared > 0),
        dotted: rows.iter().any(|r| r.consent > 0),
        rows: rows
            .iter()
            .map(|r| RowView {
                label: r.label.clone(),
                disclosures: n(r.disclosures),
                entries: n(r.entries),
                undeclared: n(r.undeclared),
                consent: n(r.consent),
                highlighted: r.undeclared > 0 || r.consent > 0,
            })
            .collect(),
        csv,
    }
}

async fn overview(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let p = lang.pick(&FI, &SV, &EN);
    let params = Params::new(query.as_deref());
    let scope = match scope(&state, &viewer, &params) {
        Ok(scope) => scope,
        Err(answer) => return *answer,
    };
    let (first, last) = (scope.days.first(), scope.days.last());
    let mut charts = Vec::new();
    let mut totals = Row::default();
    for chart in Chart::ALL {
        let rows = match chart_rows(&state, &viewer, chart, &scope.controller, scope.days).await {
            Ok(rows) => rows,
            Err(error) => return refused(lang, error),
        };
        if chart == Chart::Month {
            for row in &rows {
                totals.disclosures += row.disclosures;
                totals.entries += row.entries;
                totals.undeclared += row.undeclared;
                totals.consent += row.consent;
            }
        }
        let csv = format!(
            "/overview.csv?chart={}&{}",
            chart.name(),
            scope_query(&scope.controller, first, last)
        );
        charts.push(view(chart, &rows, lang, p, csv));
    }
    let today = finnish_local(state.services.now()).date();
    let previous_last = first_of_month(today) - time::Duration::days(1);
    let preset = |label, first, last| PeriodLink {
        label,
        href: format!("/overview?{}", scope_query(&scope.controller, first, last)),
    };
    let presets = vec![
        preset(
            p.previous_month,
            first_of_month(previous_last),
            previous_last,
        ),
        preset(p.this_month, first_of_month(today), today),
        preset(p.twelve_months, twelve_months_before(today), today),
        preset(
            p.this_year,
            Date::from_calendar_date(today.year(), Month::January, 1).expect("1 January"),
            today,
        ),
    ];
    let doc = lang.document_language();
    let n = |v: u64| charts::number(v, lang);
    let page = OverviewPage {
        c: viewer.chrome(),
        p,
        controllers: scope.controllers,
        controller_name: scope.controller_name,
        from: first.to_string(),
        to: last.to_string(),
        period: finnish_time::days_text(first, last, doc),
        presets,
        disclosures: n(totals.disclosures),
        entries: n(totals.entries),
        undeclared: n(totals.undeclared),
        consent: n(totals.consent),
        any_undeclared: totals.undeclared > 0,
        any_consent: totals.consent > 0,
        charts,
    };
    render(StatusCode::OK, &page)
}

async fn overview_csv(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let p = lang.pick(&FI, &SV, &EN);
    let params = Params::new(query.as_deref());
    let chart = match params.get("chart").map(|name| (name, Chart::parse(name))) {
        Some((_, Some(chart))) => chart,
        _ => {
            return Bad::only(&viewer, "chart", Problem::Choice);
        }
    };
    let scope = match scope(&state, &viewer, &params) {
        Ok(scope) => scope,
        Err(answer) => return *answer,
    };
    let rows = match chart_rows(&state, &viewer, chart, &scope.controller, scope.days).await {
        Ok(rows) => rows,
        Err(error) => return refused(lang, error),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut lines = vec![[
        chart.column(p).to_owned(),
        p.disclosures.to_owned(),
        p.entries.to_owned(),
        p.undeclared.to_owned(),
        p.consent.to_owned(),
    ]];
    for (i, row) in rows.iter().enumerate() {
        let label = match chart {
            // A month as a spreadsheet reads it, whatever the language.
            Chart::Month => months(&scope.days)
                .get(i)
                .map(|(year, month)| format!("{year}-{:02}", *month as u8))
                .unwrap_or_default(),
            _ => row.label.clone(),
        };
        lines.push([
            label,
            row.disclosures.to_string(),
            row.entries.to_string(),
            row.undeclared.to_string(),
            row.consent.to_string(),
        ]);
    }
    for line in &lines {
        if let Err(error) = writer.write_record(line) {
            return failed(lang, "writing the overview CSV", &error);
        }
    }
    let body = match writer.into_inner() {
        Ok(body) => body,
        Err(error) => return failed(lang, "writing the overview CSV", &error),
    };
    let filename = format!(
        "overview-{}-{}-{}-{}.csv",
        chart.name(),
        scope.controller,
        scope.days.first(),
        scope.days.last()
    );
    attachment("text/csv; charset=utf-8", &filename, body)
}

/// The overview page's texts.
pub struct OverviewTexts {
    pub intro: &'static str,
    pub choose: &'static str,
    pub controller: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub presets: &'static str,
    pub previous_month: &'static str,
    pub this_month: &'static str,
    pub twelve_months: &'static str,
    pub this_year: &'static str,
    pub summary: &'static str,
    pub period: &'static str,
    pub disclosures: &'static str,
    pub entries: &'static str,
    pub undeclared: &'static str,
    pub consent: &'static str,
    pub undeclared_short: &'static str,
    pub consent_short: &'static str,
    pub undeclared_note: &'static str,
    pub consent_note: &'static str,
    pub by_month: &'static str,
    pub by_recipient: &'static str,
    pub by_statute: &'static str,
    pub by_category: &'static str,
    pub by_channel: &'static str,
    pub month: &'static str,
    pub recipient: &'static str,
    pub statute: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub measure: &'static str,
    pub total: &'static str,
    pub largest: &'static str,
    pub groups: &'static str,
    pub nothing: &'static str,
    pub key_hatched: &'static str,
    pub key_dotted: &'static str,
    pub statute_note: &'static str,
    pub category_note: &'static str,
    pub csv: &'static str,
}

const FI: OverviewTexts = OverviewTexts {
    intro: "Mitä rekisterinpitäjä on luovuttanut valitulla jaksolla, kenelle ja minkä säädöksen nojalla.",
    choose: "Rekisterinpitäjä ja jakso",
    controller: params::FI.labels.controller,
    from: params::FI.labels.from,
    to: params::FI.labels.to,
    show: "Näytä",
    presets: "Valmiit jaksot",
    previous_month: "Edellinen kuukausi",
    this_month: "Kuluva kuukausi",
    twelve_months: "12 kuukautta",
    this_year: "Kuluva vuosi",
    summary: "Yhteenveto",
    period: "Jakso",
    disclosures: "Luovutuksia",
    entries: "Rekisteröityjen merkintöjä",
    undeclared: "Ilmoittamattomia luovutuksia",
    consent: "Suostumukseen perustuvia luovutuksia",
    undeclared_short: "ilmoittamatonta",
    consent_short: "suostumukseen perustuvaa",
    undeclared_note: "Ilmoittamaton luovutus ei vastaa mitään tietosuojaselosteessa ilmoitettua säännönmukaista luovutusta: tarkista sen peruste.",
    consent_note: "Suostumukseen perustuvan luovutuksen edellytys lakkaa, jos suostumus peruutetaan.",
    by_month: "Luovutukset kuukausittain",
    by_recipient: "Luovutukset vastaanottajittain",
    by_statute: "Luovutukset säädöksittäin",
    by_category: "Luovutukset tietoryhmittäin",
    by_channel: "Luovutukset luovutustavoittain",
    month: "Kuukausi",
    recipient: "Vastaanottaja",
    statute: "Säädös",
    category: "Tietoryhmä",
    channel: "Luovutustapa",
    measure: "luovutusten määrä",
    total: "Yhteensä",
    largest: "Suurin",
    groups: "Rivejä",
    nothing: "Jaksolla ei ole luovutuksia.",
    key_hatched: "Vinoviivoitettu osa: ilmoittamattomat luovutukset.",
    key_dotted: "Pisteytetty osa: suostumukseen perustuvat luovutukset.",
    statute_note: "Luovutus, jossa mainitaan useampi säädös, lasketaan jokaisen säädöksen kohdalle.",
    category_note: "Luovutus, jossa on useampi tietoryhmä, lasketaan jokaisen tietoryhmän kohdalle.",
    csv: "Lataa taulukko CSV-tiedostona",
};

const SV: OverviewTexts = OverviewTexts {
    intro: "Vad den personuppgiftsansvarige har lämnat ut under perioden, till vem och med stöd av vilken författning.",
    choose: "Personuppgiftsansvarig och period",
    controller: params::SV.labels.controller,
    from: params::SV.labels.from,
    to: params::SV.labels.to,
    show: "Visa",
    presets: "Färdiga perioder",
    previous_month: "Föregående månad",
    this_month: "Innevarande månad",
    twelve_months: "12 månader",
    this_year: "Innevarande år",
    summary: "Sammanfattning",
    period: "Period",
    disclosures: "Utlämnanden",
    entries: "Poster om registrerade",
    undeclared: "Ej anmälda utlämnanden",
    consent: "Utlämnanden som grundar sig på samtycke",
    undeclared_short: "ej anmälda",
    consent_short: "på samtycke",
    undeclared_note: "Ett ej anmält utlämnande motsvarar inget regelbundet utlämnande som dataskyddsbeskrivningen anger: kontrollera dess grund.",
    consent_note: "Ett utlämnande som grundar sig på samtycke saknar grund om samtycket återkallas.",
    by_month: "Utlämnanden per månad",
    by_recipient: "Utlämnanden per mottagare",
    by_statute: "Utlämnanden per författning",
    by_category: "Utlämnanden per uppgiftsgrupp",
    by_channel: "Utlämnanden per överföringssätt",
    month: "Månad",
    recipient: "Mottagare",
    statute: "Författning",
    category: "Uppgiftsgrupp",
    channel: "Överföringssätt",
    measure: "antal utlämnanden",
    total: "Totalt",
    largest: "Störst",
    groups: "Rader",
    nothing: "Inga utlämnanden under perioden.",
    key_hatched: "Snedstreckad del: ej anmälda utlämnanden.",
    key_dotted: "Prickad del: utlämnanden som grundar sig på samtycke.",
    statute_note: "Ett utlämnande som nämner flera författningar räknas under var och en.",
    category_note: "Ett utlämnande med flera uppgiftsgrupper räknas under var och en.",
    csv: "Ladda ner tabellen som CSV-fil",
};

const EN: OverviewTexts = OverviewTexts {
    intro: "What the controller disclosed in the period, to whom, and under which law.",
    choose: "Controller and period",
    controller: params::EN.labels.controller,
    from: params::EN.labels.from,
    to: params::EN.labels.to,
    show: "Show",
    presets: "Common periods",
    previous_month: "Previous month",
    this_month: "This month",
    twelve_months: "12 months",
    this_year: "This year",
    summary: "Summary",
    period: "Period",
    disclosures: "Disclosures",
    entries: "Subject entries",
    undeclared: "Undeclared disclosures",
    consent: "Consent-based disclosures",
    undeclared_short: "undeclared",
    consent_short: "consent-based",
    undeclared_note: "An undeclared disclosure matches no regular disclosure the privacy notice declares: check what it rests on.",
    consent_note: "A consent-based disclosure loses its ground if the consent is withdrawn.",
    by_month: "Disclosures per month",
    by_recipient: "Disclosures by recipient",
    by_statute: "Disclosures by statute",
    by_category: "Disclosures by data category",
    by_channel: "Disclosures by channel",
    month: "Month",
    recipient: "Recipient",
    statute: "Statute",
    category: "Data category",
    channel: "Channel",
    measure: "number of disclosures",
    total: "Total",
    largest: "Largest",
    groups: "Rows",
    nothing: "No disclosures in the period.",
    key_hatched: "Hatched part: undeclared disclosures.",
    key_dotted: "Dotted part: consent-based disclosures.",
    statute_note: "A disclosure citing several statutes counts under each of them.",
    category_note: "A disclosure of several data categories counts under each of them.",
    csv: "Download the table as CSV",
};
