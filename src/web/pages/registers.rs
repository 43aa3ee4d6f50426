//! `/registers` and `/registers/{id}`: each register's declared disclosures, on-request
//! groups and processors beside what the log observed in a period, with the differences
//! (declared but unused, undeclared recipients and disclosures, on request), so that a DPO
//! sees what differs from the privacy notice; and `/registers/{id}/art30.{html,csv,json,pdf}`,
//! the record of processing activities as `luovutusloki report art30` and ProcessingRecord
//! give it. The rules (roles, tenancy, joint registers) are those of `processing_record`.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::catalogue::Register;
use crate::domain::finnish_time::{date, days_text};
use crate::domain::{BusinessId, Days, RegisterId};
use crate::report::names::{basis, category, local, recipient_kind};
use crate::report::{
    ObservedRecipient, ProcessingRecord, processor_data, readable_provisions, record_document,
    to_csv, to_json, to_pdf,
};
use crate::service::{ProcessingRecordQuery, RegisterError, ReportError};
use crate::web::WebState;
use crate::web::lang::Lang;
use crate::web::params::{self, Bad, ControllerChoice, Controllers, Params};
use crate::web::respond::{attachment, denied, failed, message, render};
use crate::web::viewer::{Chrome, Viewer};

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/registers", get(list))
        .route("/registers/{id}", get(register))
        .route("/registers/{id}/{document}", get(art30))
}

/// The period and controller form both pages carry.
struct PeriodForm {
    controllers: Vec<ControllerChoice>,
    from: String,
    to: String,
    /// The query that keeps controller and period, for links.
    query: String,
}

impl PeriodForm {
    fn new(controllers: &Controllers, controller: &BusinessId, days: &Days) -> Self {
        let query = serde_urlencoded::to_string([
            ("controller", controller.to_string()),
            ("from", days.first().to_string()),
            ("to", days.last().to_string()),
        ])
        .unwrap_or_default();
        Self {
            controllers: controllers.choices(controller),
            from: days.first().to_string(),
            to: days.last().to_string(),
            query,
        }
    }
}

/// What the two pages need of their query: controller, the choices, the days.
struct Asked {
    controller: BusinessId,
    form: PeriodForm,
    days: Days,
    period: String,
}

fn asked(state: &WebState, viewer: &Viewer, query: Option<&str>) -> Result<Asked, Box<Response>> {
    let params = Params::new(query);
    let mut bad = Bad::default();
    let controllers = params::controllers(&state.services, viewer, &params, &mut bad)?;
    let days = params::days(
        &params,
        &state.services,
        params::first_of_last_month,
        &mut bad,
    );
    match (controllers.chosen.clone(), days) {
        (Some(controller), Some(days)) if bad.is_empty() => Ok(Asked {
            form: PeriodForm::new(&controllers, &controller, &days),
            period: period_text(viewer.lang, &days),
            controller,
            days,
        }),
        _ => Err(Box::new(params::invalid(viewer, bad))),
    }
}

fn period_text(lang: Lang, days: &Days) -> String {
    days_text(days.first(), days.last(), lang.document_language())
}

#[derive(Template)]
#[template(path = "web/registers.html")]
struct ListPage {
    c: Chrome,
    p: &'static RegisterTexts,
    form: PeriodForm,
    controller: String,
    period: String,
    registers: Vec<RegisterRow>,
}

struct RegisterRow {
    id: String,
    name: String,
    declared: usize,
    on_request: usize,
    processors: usize,
}

async fn list(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let asked = match asked(&state, &viewer, query.as_deref()) {
        Ok(asked) => asked,
        Err(answer) => return *answer,
    };
    let registers = match state
        .services
        .list_registers(&viewer.caller, Some(&asked.controller))
    {
        Ok(registers) => registers,
        Err(RegisterError::Denied(refusal)) => return denied(lang, &refusal),
        Err(error) => return failed(lang, "listing registers for /registers", &error),
    };
    let doc = lang.document_language();
    let page = ListPage {
        c: viewer.chrome(),
        p: texts(lang),
        controller: asked.controller.to_string(),
        period: asked.period,
        form: asked.form,
        registers: registers
            .iter()
            .map(|r| RegisterRow {
                id: r.id.to_string(),
                name: local(doc, &r.name).clone(),
                declared: r.disclosures.len(),
                on_request: r.on_request.len(),
                processors: r.processors.len(),
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "web/register.html")]
struct RegisterPage {
    c: Chrome,
    p: &'static RegisterTexts,
    form: PeriodForm,
    id: String,
    name: String,
    controller: String,
    period: String,
    flags_undeclared: bool,
    disclosures: u64,
    entries: u64,
    declared: Vec<DeclaredRow>,
    observed: Vec<ObservedRow>,
    on_request: Vec<OnRequestRow>,
    processors: Vec<ProcessorRow>,
    differences: Differences,
}

struct DeclaredRow {
    recipient: String,
    provisions: String,
    categories: String,
    basis: &'static str,
    purpose: String,
    consent_required: bool,
    observed: bool,
}

struct ObservedRow {
    recipient: String,
    provisions: String,
    categories: String,
    bases: String,
    disclosures: u64,
    entries: u64,
    first: String,
    last: String,
    undeclared: u64,
    on_request: u64,
    declared: bool,
}

struct OnRequestRow {
    kind: &'static str,
    description: String,
    purpose: String,
    provisions: String,
}

struct ProcessorRow {
    name: String,
    business_id: String,
    country: String,
    data: String,
    service: String,
}

/// What differs from the privacy notice in the period.
struct Differences {
    /// Declared disclosures nothing in the period fell within.
    unused: Vec<String>,
    /// Observed recipients no declared disclosure goes to.
    undeclared_recipients: Vec<String>,
    /// Recipients of disclosures classified undeclared, with their counts.
    undeclared_disclosures: Vec<(String, u64)>,
    /// Provisions cited that the catalogue does not declare: (provision, recipient).
    undeclared_provisions: Vec<(String, String)>,
    /// Recipients of disclosures made on request, with their counts.
    on_request: Vec<(String, u64)>,
    /// Recipients of consent-based disclosures, with their counts.
    consent_based: Vec<(String, u64)>,
    third_countries: Vec<String>,
}

impl Differences {
    fn none(&self) -> bool {
        self.unused.is_empty()
            && self.undeclared_recipients.is_empty()
            && self.undeclared_disclosures.is_empty()
            && self.undeclared_provisions.is_empty()
            && self.on_request.is_empty()
    }
}

fn observed_label(lang: Lang, o: &ObservedRecipient) -> String {
    o.label_in(lang.document_language())
}

fn categories(lang: Lang, categories: crate::domain::DataCategories) -> String {
    categories
        .iter()
        .map(|c| category(lang.document_language(), c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn register_page(viewer: &Viewer, asked: Asked, record: &ProcessingRecord) -> RegisterPage {
    let lang = viewer.lang;
    let doc = lang.document_language();
    let r: &Register = &record.register;
    let declared_label = |i: usize| {
        let d = &r.disclosures[i];
        format!(
            "{} ({})",
            local(doc, &d.recipient_name),
            recipient_kind(doc, d.recipient_kind)
        )
    };
    let declared = r
        .disclosures
        .iter()
        .enumerate()
        .map(|(i, d)| DeclaredRow {
            recipient: declared_label(i),
            provisions: readable_provisions(doc, &d.provisions),
            categories: categories(lang, d.data_categories),
            basis: basis(doc, d.legal_basis),
            purpose: local(doc, &d.purpose).clone(),
            consent_required: d.consent_required,
            observed: !record.unused_indexes.contains(&i),
        })
        .collect();
    let observed: Vec<ObservedRow> = record
        .observed
        .iter()
        .map(|o| ObservedRow {
            recipient: observed_label(lang, o),
            provisions: readable_provisions(doc, &o.provisions),
            categories: categories(lang, o.data_categories),
            bases: o
                .legal_bases
                .iter()
                .map(|b| basis(doc, *b))
                .collect::<Vec<_>>()
                .join("; "),
            disclosures: o.disclosures,
            entries: o.entries,
            first: date(o.first_at, doc),
            last: date(o.last_at, doc),
            undeclared: o.undeclared_disclosures,
            on_request: o.on_request_disclosures,
            declared: r.declares_recipient(&o.recipient),
        })
        .collect();
    let counted = |count: fn(&ObservedRecipient) -> u64| {
        record
            .observed
            .iter()
            .filter(|o| count(o) > 0)
            .map(|o| (observed_label(lang, o), count(o)))
            .collect::<Vec<_>>()
    };
    let differences = Differences {
        unused: record
            .unused_indexes
            .iter()
            .map(|&i| declared_label(i))
            .collect(),
        undeclared_recipients: record
            .observed
            .iter()
            .filter(|o| !r.declares_recipient(&o.recipient))
            .map(|o| observed_label(lang, o))
            .collect(),
        undeclared_disclosures: counted(|o| o.undeclared_disclosures),
        undeclared_provisions: record
            .undeclared_provisions_labelled(|o| o.label_in(lang.document_language())),
        on_request: counted(|o| o.on_request_disclosures),
        consent_based: counted(|o| o.consent_based_disclosures),
        third_countries: record
            .observed
            .iter()
            .filter(|o| !o.recipient.country.is_eu_eea())
            .map(|o| observed_label(lang, o))
            .collect(),
    };
    RegisterPage {
        c: viewer.chrome(),
        p: texts(lang),
        id: r.id.to_string(),
        name: local(doc, &r.name).clone(),
        controller: asked.controller.to_string(),
        period: asked.period,
        form: asked.form,
        flags_undeclared: matches!(r.undeclared, crate::catalogue::UndeclaredPolicy::Flag),
        disclosures: record.disclosures,
        entries: record.entries,
        declared,
        observed,
        on_request: r
            .on_request
            .iter()
            .map(|g| OnRequestRow {
                kind: recipient_kind(doc, g.recipient_kind),
                description: local(doc, &g.description).clone(),
                purpose: local(doc, &g.purpose).clone(),
                provisions: readable_provisions(doc, &g.provisions),
            })
            .collect(),
        processors: r
            .processors
            .iter()
            .map(|p| ProcessorRow {
                name: local(doc, &p.name).clone(),
                business_id: p
                    .business_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                country: p.country.as_str().to_owned(),
                data: processor_data(doc, p),
                service: local(doc, &p.service).clone(),
            })
            .collect(),
        differences,
    }
}

/// The record of register `id` for the asked controller and days, or the answer refusing it.
async fn record_of(
    state: &WebState,
    viewer: &Viewer,
    id: &str,
    asked: &Asked,
) -> Result<ProcessingRecord, Response> {
    let lang = viewer.lang;
    let t = viewer.t;
    let not_found = || message(lang, StatusCode::NOT_FOUND, t.not_found, t.not_found_text);
    let Ok(register) = RegisterId::parse(id) else {
        return Err(not_found());
    };
    let query = ProcessingRecordQuery {
        controller: Some(asked.controller.clone()),
        register,
        days: asked.days,
    };
    match state
        .services
        .processing_record(&viewer.caller, query)
        .await
    {
        Ok(record) => Ok(record),
        Err(ReportError::Denied(refusal)) => Err(denied(lang, &refusal)),
        // Another controller's register is not this controller's business: as a missing one.
        Err(ReportError::UnknownRegister(_) | ReportError::NotController { .. }) => {
            Err(not_found())
        }
        Err(error) => Err(failed(
            lang,
            "building the record for /registers/{id}",
            &error,
        )),
    }
}

async fn register(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let asked = match asked(&state, &viewer, query.as_deref()) {
        Ok(asked) => asked,
        Err(answer) => return *answer,
    };
    let record = match record_of(&state, &viewer, &id, &asked).await {
        Ok(record) => record,
        Err(answer) => return answer,
    };
    render(StatusCode::OK, &register_page(&viewer, asked, &record))
}

async fn art30(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Path((id, document)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let Some(extension) = document.strip_prefix("art30.") else {
        return message(
            lang,
            StatusCode::NOT_FOUND,
            viewer.t.not_found,
            viewer.t.not_found_text,
        );
    };
    if !["html", "csv", "json", "pdf"].contains(&extension) {
        return message(
            lang,
            StatusCode::NOT_FOUND,
            viewer.t.not_found,
            viewer.t.not_found_text,
        );
    }
    let asked = match asked(&state, &viewer, query.as_deref()) {
        Ok(asked) => asked,
        Err(answer) => return *answer,
    };
    let record = match record_of(&state, &viewer, &id, &asked).await {
        Ok(record) => record,
        Err(answer) => return answer,
    };
    let doc = lang.document_language();
    let (content_type, bytes) = match extension {
        "html" => (
            "text/html; charset=utf-8",
            record_document(&record, doc).to_html().into_bytes(),
        ),
        "csv" => ("text/csv; charset=utf-8", to_csv(&record).into_bytes()),
        "json" => ("application/json", to_json(&record).into_bytes()),
        _ => {
            // Laying out a PDF is CPU work: off the async workers.
            let document = record_document(&record, doc);
            match tokio::task::spawn_blocking(move || to_pdf(&document)).await {
                Ok(Ok(pdf)) => ("application/pdf", pdf),
                Ok(Err(error)) => return failed(lang, "writing the Art. 30 PDF", &error),
                Err(error) => return failed(lang, "writing the Art. 30 PDF", &error),
            }
        }
    };
    let file = format!(
        "art30-{}-{}-{}.{extension}",
        record.register.id,
        asked.days.first(),
        asked.days.last()
    );
    attachment(content_type, &file, bytes)
}

fn texts(lang: Lang) -> &'static RegisterTexts {
    lang.pick(&FI, &SV, &EN)
}

/// The register pages' texts.
pub struct RegisterTexts {
    pub list_caption: &'static str,
    pub choose: &'static str,
    pub controller: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub period: &'static str,
    pub name: &'static str,
    pub id: &'static str,
    pub declared_count: &'static str,
    pub on_request_count: &'static str,
    pub processors_count: &'static str,
    pub no_registers: &'static str,
    pub disclosures: &'static str,
    pub entries: &'static str,
    pub policy: &'static str,
    pub policy_flag: &'static str,
    pub policy_reject: &'static str,
    pub differences: &'static str,
    pub no_differences: &'static str,
    pub unused: &'static str,
    pub undeclared_recipients: &'static str,
    pub undeclared_disclosures: &'static str,
    pub undeclared_provisions: &'static str,
    pub on_request_made: &'static str,
    pub consent_based: &'static str,
    pub third_countries: &'static str,
    pub declared: &'static str,
    pub observed: &'static str,
    pub nothing_observed: &'static str,
    pub on_request: &'static str,
    pub processors: &'static str,
    pub none: &'static str,
    pub recipient: &'static str,
    pub kind: &'static str,
    pub provisions: &'static str,
    pub categories: &'static str,
    pub basis: &'static str,
    pub bases: &'static str,
    pub purpose: &'static str,
    pub description: &'static str,
    pub consent_required: &'static str,
    pub in_period: &'static str,
    pub first: &'static str,
    pub last: &'static str,
    pub undeclared: &'static str,
    pub in_notice: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub business_id: &'static str,
    pub country: &'static str,
    pub data: &'static str,
    pub service: &'static str,
    pub record: &'static str,
    pub record_text: &'static str,
    pub download_html: &'static str,
    pub download_csv: &'static str,
    pub download_json: &'static str,
    pub download_pdf: &'static str,
}

const FI: RegisterTexts = RegisterTexts {
    list_caption: "Rekisterinpitäjän rekisterit",
    choose: "Rekisterinpitäjä ja jakso",
    controller: "Rekisterinpitäjä (Y-tunnus)",
    from: "Ensimmäinen päivä (VVVV-KK-PP)",
    to: "Viimeinen päivä (VVVV-KK-PP)",
    show: "Näytä",
    period: "Jakso",
    name: "Rekisteri",
    id: "Tunnus",
    declared_count: "Ilmoitettuja luovutuksia",
    on_request_count: "Pyynnöstä luovutettavien ryhmiä",
    processors_count: "Käsittelijöitä",
    no_registers: "Rekisterinpitäjällä ei ole rekistereitä luettelossa.",
    disclosures: "Luovutuksia",
    entries: "Rekisteröityjen merkintöjä",
    policy: "Ilmoittamattomat luovutukset",
    policy_flag: "kirjataan ja merkitään ilmoittamattomiksi",
    policy_reject: "hylätään",
    differences: "Erot tietosuojaselosteeseen",
    no_differences: "Jaksolla ei ole eroja selosteeseen.",
    unused: "Ilmoitettu, mutta ei havaittu jaksolla",
    undeclared_recipients: "Vastaanottajat, joita seloste ei ilmoita",
    undeclared_disclosures: "Ilmoittamattomiksi luokitellut luovutukset",
    undeclared_provisions: "Säännökset, joita seloste ei ilmoita",
    on_request_made: "Pyynnöstä tehdyt luovutukset",
    consent_based: "Suostumukseen perustuvat luovutukset",
    third_countries: "Vastaanottajat EU:n ja ETA:n ulkopuolella",
    declared: "Selosteessa ilmoitetut säännönmukaiset luovutukset",
    observed: "Jaksolla havaitut luovutukset vastaanottajittain",
    nothing_observed: "Jaksolla ei ole kirjattu luovutuksia.",
    on_request: "Pyynnöstä luovutettavat ryhmät",
    processors: "Henkilötietojen käsittelijät",
    none: "Ei yhtään.",
    recipient: "Vastaanottaja",
    kind: "Vastaanottajan laji",
    provisions: "Säännökset",
    categories: "Tietoryhmät",
    basis: "Käsittelyperuste",
    bases: "Käsittelyperusteet",
    purpose: "Tarkoitus",
    description: "Kuvaus",
    consent_required: "Vaatii suostumuksen",
    in_period: "Havaittu jaksolla",
    first: "Ensimmäinen",
    last: "Viimeisin",
    undeclared: "Ilmoittamattomia",
    in_notice: "Selosteessa",
    yes: "kyllä",
    no: "ei",
    business_id: "Y-tunnus",
    country: "Maa",
    data: "Tiedot",
    service: "Palvelu",
    record: "Seloste käsittelytoimista (tietosuoja-asetuksen 30 artikla)",
    record_text: "Seloste jaksolta ladattavana tiedostona:",
    download_html: "HTML-asiakirja",
    download_csv: "CSV-taulukko",
    download_json: "JSON-tiedosto",
    download_pdf: "PDF-asiakirja",
};

const SV: RegisterTexts = RegisterTexts {
    list_caption: "Den personuppgiftsansvariges register",
    choose: "Personuppgiftsansvarig och period",
    controller: "Personuppgiftsansvarig (FO-nummer)",
    from: "Första dagen (ÅÅÅÅ-MM-DD)",
    to: "Sista dagen (ÅÅÅÅ-MM-DD)",
    show: "Visa",
    period: "Period",
    name: "Register",
    id: "Id",
    declared_count: "Anmälda utlämnanden",
    on_request_count: "Grupper som får uppgifter på begäran",
    processors_count: "Personuppgiftsbiträden",
    no_registers: "Den personuppgiftsansvarige har inga register i katalogen.",
    disclosures: "Utlämnanden",
    entries: "Poster om registrerade",
    policy: "Oanmälda utlämnanden",
    policy_flag: "förs in och märks som oanmälda",
    policy_reject: "avvisas",
    differences: "Skillnader mot dataskyddsbeskrivningen",
    no_differences: "Perioden har inga skillnader mot beskrivningen.",
    unused: "Anmälda men inte observerade under perioden",
    undeclared_recipients: "Mottagare som beskrivningen inte anger",
    undeclared_disclosures: "Utlämnanden klassificerade som oanmälda",
    undeclared_provisions: "Bestämmelser som beskrivningen inte anger",
    on_request_made: "Utlämnanden på begäran",
    consent_based: "Utlämnanden som grundar sig på samtycke",
    third_countries: "Mottagare utanför EU och EES",
    declared: "Regelbundna utlämnanden enligt beskrivningen",
    observed: "Utlämnanden under perioden per mottagare",
    nothing_observed: "Inga utlämnanden har förts in under perioden.",
    on_request: "Grupper som får uppgifter på begäran",
    processors: "Personuppgiftsbiträden",
    none: "Inga.",
    recipient: "Mottagare",
    kind: "Typ av mottagare",
    provisions: "Bestämmelser",
    categories: "Uppgiftskategorier",
    basis: "Rättslig grund",
    bases: "Rättsliga grunder",
    purpose: "Ändamål",
    description: "Beskrivning",
    consent_required: "Kräver samtycke",
    in_period: "Observerat under perioden",
    first: "Första",
    last: "Senaste",
    undeclared: "Oanmälda",
    in_notice: "I beskrivningen",
    yes: "ja",
    no: "nej",
    business_id: "FO-nummer",
    country: "Land",
    data: "Uppgifter",
    service: "Tjänst",
    record: "Register över behandling (artikel 30 i dataskyddsförordningen)",
    record_text: "Registret för perioden som fil:",
    download_html: "HTML-dokument",
    download_csv: "CSV-tabell",
    download_json: "JSON-fil",
    download_pdf: "PDF-dokument",
};

const EN: RegisterTexts = RegisterTexts {
    list_caption: "The controller's registers",
    choose: "Controller and period",
    controller: "Controller (business ID)",
    from: "First day (YYYY-MM-DD)",
    to: "Last day (YYYY-MM-DD)",
    show: "Show",
    period: "Period",
    name: "Register",
    id: "Id",
    declared_count: "Declared disclosures",
    on_request_count: "On-request groups",
    processors_count: "Processors",
    no_registers: "The controller has no registers in the catalogue.",
    disclosures: "Disclosures",
    entries: "Subject entries",
    policy: "Undeclared disclosures",
    policy_flag: "recorded and flagged as undeclared",
    policy_reject: "refused",
    differences: "Differences from the privacy notice",
    no_differences: "Nothing in the period differs from the notice.",
    unused: "Declared but not observed in the period",
    undeclared_recipients: "Recipients the notice does not declare",
    undeclared_disclosures: "Disclosures classified as undeclared",
    undeclared_provisions: "Provisions the notice does not declare",
    on_request_made: "Disclosures made on request",
    consent_based: "Disclosures based on consent",
    third_countries: "Recipients outside the EU and EEA",
    declared: "Regular disclosures the notice declares",
    observed: "Disclosures observed in the period, by recipient",
    nothing_observed: "No disclosure was recorded in the period.",
    on_request: "On-request groups",
    processors: "Processors",
    none: "None.",
    recipient: "Recipient",
    kind: "Kind of recipient",
    provisions: "Provisions",
    categories: "Data categories",
    basis: "Legal basis",
    bases: "Legal bases",
    purpose: "Purpose",
    description: "Description",
    consent_required: "Needs consent",
    in_period: "Observed in the period",
    first: "First",
    last: "Latest",
    undeclared: "Undeclared",
    in_notice: "In the notice",
    yes: "yes",
    no: "no",
    business_id: "Business ID",
    country: "Country",
    data: "Data",
    service: "Service",
    record: "Record of processing activities (GDPR Article 30)",
    record_text: "The record of the period as a file:",
    download_html: "HTML document",
    download_csv: "CSV table",
    download_json: "JSON file",
    download_pdf: "PDF document",
};
