//! `/disclosures`: a controller's disclosures, filtered by register, recipient, legal basis,
//! statute, data category, channel, classification and period, a page at a time; and
//! `/disclosures/{id}`: one disclosure with its entries' inclusion proofs against the latest
//! checkpoint. The same use cases, and so the same rules, as ListDisclosures,
//! GetDisclosure and GetInclusionProof. Subjects appear only as entry numbers.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::domain::finnish_time;
use crate::domain::{
    BusinessId, Channel, Classification, DataCategory, DisclosureFilter, LegalBasis,
    RecipientIdType, StoredDisclosure, Timestamp,
};
use crate::report::names::{basis, category, channel, local, recipient_kind};
use crate::report::readable_provisions;
use crate::service::{
    DisclosureProofs, DisclosureQueryError, EvidenceError, PageRequest, RegisterError,
};
use crate::web::WebState;
use crate::web::lang::Lang;
use crate::web::params::{self, Bad, ControllerChoice, Params, Problem};
use crate::web::respond::{denied, failed, message, render};
use crate::web::viewer::{Chrome, Viewer};

/// Disclosures a page shows unless `?size=` says otherwise.
const PAGE_SIZE: u32 = 50;
/// Entries whose proofs a detail page shows at a time.
const PROOFS_PER_PAGE: u32 = 20;

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/disclosures", get(list))
        .route("/disclosures/{id}", get(detail))
}

/// An option of a filter's select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    chosen: Option<T>,
    value: fn(T) -> &'static str,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: value(item).to_owned(),
            label: label(item),
            selected: chosen == Some(item),
        })
        .collect()
}

/// The filter form, filled in as asked.
struct FilterForm {
    controllers: Vec<ControllerChoice>,
    registers: Vec<Choice>,
    bases: Vec<Choice>,
    categories: Vec<Choice>,
    channels: Vec<Choice>,
    classifications: Vec<Choice>,
    recipient: String,
    statute: String,
    from: String,
    to: String,
    size: String,
}

#[derive(Template)]
#[template(path = "web/disclosures.html")]
struct ListPage {
    c: Chrome,
    p: &'static DisclosureTexts,
    form: FilterForm,
    controller: String,
    rows: Vec<Row>,
    /// The link to the next page, after the last none.
    next: Option<String>,
}

struct Row {
    id: i64,
    occurred: String,
    register: String,
    recipient: String,
    categories: String,
    basis: &'static str,
    channel: &'static str,
    classification: &'static str,
    subjects: u32,
}

fn moment(at: Timestamp, lang: Lang) -> String {
    finnish_time::moment(at, lang.document_language())
}

fn recipient_label(lang: Lang, d: &StoredDisclosure) -> String {
    let r = &d.details.recipient;
    match r.identifier.id_type() {
        RecipientIdType::None => format!(
            "{} ({})",
            r.name,
            recipient_kind(lang.document_language(), r.kind)
        ),
        _ => format!("{} ({})", r.name, r.identifier.as_str()),
    }
}

fn category_names(lang: Lang, d: &StoredDisclosure) -> String {
    d.details
        .data_categories
        .iter()
        .map(|c| category(lang.document_language(), c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn classification_name(p: &DisclosureTexts, classification: Classification) -> &'static str {
    match classification {
        Classification::Declared => p.declared,
        Classification::OnRequest => p.on_request,
        Classification::Undeclared => p.undeclared,
    }
}

async fn list(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    let doc = lang.document_language();
    let params = Params::new(query.as_deref());
    let mut bad = Bad::default();
    let controllers = match params::controllers(&state.services, &viewer, &params, &mut bad) {
        Ok(controllers) => controllers,
        Err(answer) => return *answer,
    };
    let filter = DisclosureFilter {
        register: params::register(&params, &mut bad),
        recipient_identifier: params::filter_text(&params, "recipient", &mut bad),
        legal_basis: params::choice(&params, "basis", LegalBasis::from_label, &mut bad),
        statute: params::filter_text(&params, "statute", &mut bad),
        data_category: params::choice(&params, "category", DataCategory::from_label, &mut bad),
        channel: params::choice(&params, "channel", Channel::from_label, &mut bad),
        transfer_id: None,
        classification: params::choice(
            &params,
            "classification",
            Classification::from_label,
            &mut bad,
        ),
        period: params::period(&params, &mut bad).unwrap_or_default(),
    };
    let size = match params.get("size") {
        None => Some(PAGE_SIZE),
        Some(text) => bad.check(
            "size",
            Problem::Number,
            text.parse::<u32>().map_err(|_| ()).and_then(|n| match n {
                0 => Err(()),
                n => Ok(n),
            }),
        ),
    };
    let token = params.get("page").unwrap_or_default().to_owned();
    let page =
        size.and_then(|size| bad.check("size", Problem::Number, PageRequest::new(size, token)));
    let (Some(controller), Some(page), true) = (controllers.chosen.clone(), page, bad.is_empty())
    else {
        return params::invalid(&viewer, bad);
    };
    let found = match state
        .services
        .list_disclosures(&viewer.caller, &controller, &filter, &page)
        .await
    {
        Ok(found) => found,
        Err(DisclosureQueryError::Denied(refusal)) => return denied(lang, &refusal),
        Err(DisclosureQueryError::PageToken(_)) => {
            return Bad::only(&viewer, "page", Problem::PageToken);
        }
        Err(error) => return failed(lang, "listing disclosures for /disclosures", &error),
    };
    let registers = match state
        .services
        .list_registers(&viewer.caller, Some(&controller))
    {
        Ok(registers) => registers,
        Err(RegisterError::Denied(refusal)) => return denied(lang, &refusal),
        Err(error) => return failed(lang, "listing registers for /disclosures", &error),
    };
    let next = (!found.next_token.is_empty()).then(|| {
        let mut pairs: Vec<(&str, &str)> = [
            "controller",
            "register",
            "recipient",
            "basis",
            "statute",
            "category",
            "channel",
            "classification",
            "from",
            "to",
            "size",
        ]
        .into_iter()
        .filter_map(|key| params.get(key).map(|value| (key, value)))
        .collect();
        let controller = controller.to_string();
        if params.get("controller").is_none() {
            pairs.insert(0, ("controller", &controller));
        }
        pairs.push(("page", &found.next_token));
        format!(
            "/disclosures?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let form = FilterForm {
        controllers: controllers.choices(&controller),
        registers: registers
            .iter()
            .map(|r| Choice {
                value: r.id.to_string(),
                label: local(doc, &r.name).clone(),
                selected: filter.register.as_ref() == Some(&r.id),
            })
            .collect(),
        bases: choices(
            LegalBasis::ALL,
            filter.legal_basis,
            LegalBasis::label,
            |b| basis(doc, b).to_owned(),
        ),
        categories: choices(
            DataCategory::ALL,
            filter.data_category,
            DataCategory::label,
            |c| category(doc, c).to_owned(),
        ),
        channels: choices(Channel::ALL, filter.channel, Channel::label, |c| {
            channel(doc, c).to_owned()
        }),
        classifications: choices(
            Classification::ALL,
            filter.classification,
            Classification::label,
            |c| classification_name(p, c).to_owned(),
        ),
        recipient: filter.recipient_identifier.clone().unwrap_or_default(),
        statute: filter.statute.clone().unwrap_or_default(),
        from: params.get("from").unwrap_or_default().to_owned(),
        to: params.get("to").unwrap_or_default().to_owned(),
        size: page.size().to_string(),
    };
    let rows = found
        .items
        .iter()
        .map(|d| Row {
            id: d.id,
            occurred: moment(d.details.occurred_at, lang),
            register: d.details.register.to_string(),
            recipient: recipient_label(lang, d),
            categories: category_names(lang, d),
            basis: basis(doc, d.details.legal_basis),
            channel: channel(doc, d.details.channel),
            classification: classification_name(p, d.classification),
            subjects: d.subject_count,
        })
        .collect();
    let page = ListPage {
        c: viewer.chrome(),
        p,
        form,
        controller: controller.to_string(),
        rows,
        next,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "web/disclosure.html")]
struct DetailPage {
    c: Chrome,
    p: &'static DisclosureTexts,
    id: i64,
    controller: String,
    fields: Vec<(&'static str, String)>,
    subjects: u32,
    proofs: Proofs,
}

/// The proofs section: the proofs, or why there are none.
enum Proofs {
    Shown {
        checkpoint_size: Option<u64>,
        rows: Vec<ProofRow>,
        first: u32,
        last: u32,
        next: Option<String>,
    },
    Refused(String),
}

struct ProofRow {
    entry: u32,
    leaf_index: u64,
    tree_size: Option<u64>,
    leaf_hash: String,
    path: Vec<String>,
    verifies: bool,
}

async fn detail(
    State(state): State<Arc<WebState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = viewer.lang;
    let p = texts(lang);
    let doc = lang.document_language();
    let t = viewer.t;
    let not_found = || message(lang, StatusCode::NOT_FOUND, t.not_found, t.not_found_text);
    let Ok(id) = id.parse::<u64>() else {
        return not_found();
    };
    let params = Params::new(query.as_deref());
    let mut bad = Bad::default();
    let controllers = match params::controllers(&state.services, &viewer, &params, &mut bad) {
        Ok(controllers) => controllers,
        Err(answer) => return *answer,
    };
    let first = match params.get("entry") {
        None => Some(0),
        Some(text) => bad.check("entry", Problem::Number, text.parse::<u32>()),
    };
    let (Some(controller), Some(first), true) = (controllers.chosen, first, bad.is_empty()) else {
        return params::invalid(&viewer, bad);
    };
    let disclosure = match state
        .services
        .get_disclosure(&viewer.caller, &controller, id)
        .await
    {
        Ok(disclosure) => disclosure,
        Err(DisclosureQueryError::Denied(refusal)) => return denied(lang, &refusal),
        Err(DisclosureQueryError::NotFound) => return not_found(),
        Err(error) => return failed(lang, "reading a disclosure for /disclosures/{id}", &error),
    };
    let end = first.saturating_add(PROOFS_PER_PAGE);
    let proofs = match state
        .services
        .disclosure_proofs(&viewer.caller, &disclosure, first..end)
        .await
    {
        Ok(proofs) => shown(
            proofs,
            &controller,
            id,
            first,
            end,
            disclosure.subject_count,
        ),
        // An auditor who is not a verifier still sees the disclosure, and why no proofs.
        Err(EvidenceError::Denied(refusal)) => {
            Proofs::Refused(crate::web::refusal::say_denied(lang, &refusal))
        }
        Err(error) => return failed(lang, "reading proofs for /disclosures/{id}", &error),
    };
    let d = &disclosure.details;
    let mut fields = vec![
        (p.transfer, d.transfer_id.as_str().to_owned()),
        (p.occurred, moment(d.occurred_at, lang)),
        (p.recorded, moment(disclosure.recorded_at, lang)),
        (p.register, d.register.to_string()),
        (p.recipient, recipient_label(lang, &disclosure)),
        (p.kind, recipient_kind(doc, d.recipient.kind).to_owned()),
        (p.country, d.recipient.country.as_str().to_owned()),
        (p.basis, basis(doc, d.legal_basis).to_owned()),
    ];
    if let Some(condition) = d.special_condition {
        let point = char::from(b'a' + (condition.code() - 1) as u8);
        fields.push((p.special, format!("{}({point})", p.art9)));
    }
    fields.extend([
        (p.provisions, readable_provisions(doc, &d.provisions)),
        (p.categories, category_names(lang, &disclosure)),
        (p.purpose, d.purpose.to_string()),
        (p.channel, channel(doc, d.channel).to_owned()),
        (p.source, d.source_system.to_string()),
        (
            p.classification,
            classification_name(p, disclosure.classification).to_owned(),
        ),
    ]);
    if let Some(reference) = &d.consent_reference {
        fields.push((p.consent, reference.to_string()));
    }
    if let Some(reference) = &d.requester_reference {
        fields.push((p.requester, reference.to_string()));
    }
    if let Some(withholding) = &d.withholding {
        fields.push((p.withheld_until, moment(withholding.until, lang)));
    }
    let page = DetailPage {
        c: viewer.chrome(),
        p,
        id: disclosure.id,
        controller: controller.to_string(),
        fields,
        subjects: disclosure.subject_count,
        proofs,
    };
    render(StatusCode::OK, &page)
}

fn shown(
    proofs: DisclosureProofs,
    controller: &BusinessId,
    id: u64,
    first: u32,
    end: u32,
    subjects: u32,
) -> Proofs {
    let checkpoint_size = proofs.checkpoint.as_ref().map(|c| c.size);
    let rows = proofs
        .entries
        .into_iter()
        .map(|e| ProofRow {
            entry: e.position + 1,
            leaf_index: e.entry_id,
            tree_size: e.proof.as_ref().and(checkpoint_size),
            leaf_hash: e
                .proof
                .as_ref()
                .map(|proof| hex::encode(proof.leaf.leaf_hash))
                .unwrap_or_default(),
            path: e
                .proof
                .map(|proof| proof.hashes.iter().map(hex::encode).collect())
                .unwrap_or_default(),
            verifies: e.verifies,
        })
        .collect();
    let next =
        (end < subjects).then(|| format!("/disclosures/{id}?controller={controller}&entry={end}"));
    Proofs::Shown {
        checkpoint_size,
        rows,
        first: first.min(subjects) + u32::from(first < subjects),
        last: end.min(subjects),
        next,
    }
}

fn texts(lang: Lang) -> &'static DisclosureTexts {
    lang.pick(&FI, &SV, &EN)
}

/// The disclosure pages' texts.
pub struct DisclosureTexts {
    pub filters: &'static str,
    pub controller: &'static str,
    pub register: &'static str,
    pub any: &'static str,
    pub recipient_id: &'static str,
    pub basis: &'static str,
    pub statute: &'static str,
    pub statute_hint: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub classification: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub size: &'static str,
    pub search: &'static str,
    pub caption: &'static str,
    pub none_found: &'static str,
    pub occurred: &'static str,
    pub recipient: &'static str,
    pub categories: &'static str,
    pub subjects: &'static str,
    pub details: &'static str,
    pub next_page: &'static str,
    pub declared: &'static str,
    pub on_request: &'static str,
    pub undeclared: &'static str,
    pub disclosure: &'static str,
    pub transfer: &'static str,
    pub recorded: &'static str,
    pub kind: &'static str,
    pub country: &'static str,
    pub special: &'static str,
    pub art9: &'static str,
    pub provisions: &'static str,
    pub purpose: &'static str,
    pub source: &'static str,
    pub consent: &'static str,
    pub requester: &'static str,
    pub withheld_until: &'static str,
    pub proofs: &'static str,
    pub proofs_text: &'static str,
    pub no_checkpoint: &'static str,
    pub checkpoint_size: &'static str,
    pub proofs_caption: &'static str,
    pub showing: &'static str,
    pub entry: &'static str,
    pub leaf_index: &'static str,
    pub tree_size: &'static str,
    pub leaf_hash: &'static str,
    pub path: &'static str,
    pub verifies: &'static str,
    pub verified: &'static str,
    pub not_verified: &'static str,
    pub not_yet: &'static str,
    pub empty_path: &'static str,
    pub next_entries: &'static str,
    pub proofs_refused: &'static str,
    pub back: &'static str,
}

const FI: DisclosureTexts = DisclosureTexts {
    filters: "Rajaa luovutuksia",
    controller: "Rekisterinpitäjä (Y-tunnus)",
    register: "Rekisteri",
    any: "kaikki",
    recipient_id: "Vastaanottajan tunniste (esim. Y-tunnus)",
    basis: "Käsittelyperuste",
    statute: "Säädös",
    statute_hint: "esim. 1290/2002 tai EU:R 2016/679",
    category: "Tietoryhmä",
    channel: "Luovutustapa",
    classification: "Suhde selosteeseen",
    from: "Ensimmäinen päivä (VVVV-KK-PP)",
    to: "Viimeinen päivä (VVVV-KK-PP)",
    size: "Luovutuksia sivulla",
    search: "Hae",
    caption: "Rekisterinpitäjän luovutukset",
    none_found: "Rajauksella ei löytynyt luovutuksia.",
    occurred: "Aika",
    recipient: "Vastaanottaja",
    categories: "Tietoryhmät",
    subjects: "Rekisteröityjä",
    details: "Tiedot",
    next_page: "Seuraava sivu",
    declared: "ilmoitettu",
    on_request: "pyynnöstä",
    undeclared: "ilmoittamaton",
    disclosure: "Luovutus",
    transfer: "Siirron tunniste",
    recorded: "Kirjattu",
    kind: "Vastaanottajan laji",
    country: "Maa",
    special: "Erityisten tietoryhmien peruste",
    art9: "tietosuoja-asetuksen 9 artiklan 2 kohta ",
    provisions: "Säännökset",
    purpose: "Tarkoitus",
    source: "Lähdejärjestelmä",
    consent: "Suostumuksen tunniste",
    requester: "Pyytäjän viite",
    withheld_until: "Salattu rekisteröidyltä asti",
    proofs: "Merkintöjen todisteet",
    proofs_text: "Jokainen rekisteröity on lokissa oma merkintänsä, tässä vain numerollaan. Todiste osoittaa, että merkintä on viimeisimmän tarkistuspisteen puussa.",
    no_checkpoint: "Tarkistuspistettä ei ole vielä allekirjoitettu.",
    checkpoint_size: "Viimeisimmän tarkistuspisteen puun koko",
    proofs_caption: "Merkintöjen sisältymistodisteet",
    showing: "Merkinnät",
    entry: "Merkintä",
    leaf_index: "Lehden indeksi",
    tree_size: "Puun koko",
    leaf_hash: "Lehden tiiviste",
    path: "Todistepolku",
    verifies: "Todiste pätee",
    verified: "pätee",
    not_verified: "EI päde",
    not_yet: "ei vielä tarkistuspisteessä",
    empty_path: "tyhjä (puussa yksi lehti)",
    next_entries: "Seuraavat merkinnät",
    proofs_refused: "Todisteita ei näytetä:",
    back: "Takaisin luovutuksiin",
};

const SV: DisclosureTexts = DisclosureTexts {
    filters: "Avgränsa utlämnanden",
    controller: "Personuppgiftsansvarig (FO-nummer)",
    register: "Register",
    any: "alla",
    recipient_id: "Mottagarens identifierare (t.ex. FO-nummer)",
    basis: "Rättslig grund",
    statute: "Författning",
    statute_hint: "t.ex. 1290/2002 eller EU:R 2016/679",
    category: "Uppgiftskategori",
    channel: "Sätt att lämna ut",
    classification: "Förhållande till beskrivningen",
    from: "Första dagen (ÅÅÅÅ-MM-DD)",
    to: "Sista dagen (ÅÅÅÅ-MM-DD)",
    size: "Utlämnanden per sida",
    search: "Sök",
    caption: "Den personuppgiftsansvariges utlämnanden",
    none_found: "Inga utlämnanden motsvarar avgränsningen.",
    occurred: "Tid",
    recipient: "Mottagare",
    categories: "Uppgiftskategorier",
    subjects: "Registrerade",
    details: "Uppgifter",
    next_page: "Nästa sida",
    declared: "anmält",
    on_request: "på begäran",
    undeclared: "oanmält",
    disclosure: "Utlämnande",
    transfer: "Överföringens id",
    recorded: "Infört",
    kind: "Typ av mottagare",
    country: "Land",
    special: "Grund för särskilda kategorier",
    art9: "artikel 9.2 i dataskyddsförordningen, led ",
    provisions: "Bestämmelser",
    purpose: "Ändamål",
    source: "Källsystem",
    consent: "Samtyckets id",
    requester: "Beställarens referens",
    withheld_until: "Hemlig för den registrerade till",
    proofs: "Posternas bevis",
    proofs_text: "Varje registrerad är en egen post i loggen, här endast med sitt nummer. Beviset visar att posten finns i trädet för den senaste kontrollpunkten.",
    no_checkpoint: "Ingen kontrollpunkt har ännu signerats.",
    checkpoint_size: "Trädets storlek vid den senaste kontrollpunkten",
    proofs_caption: "Posternas inklusionsbevis",
    showing: "Poster",
    entry: "Post",
    leaf_index: "Lövets index",
    tree_size: "Trädets storlek",
    leaf_hash: "Lövets hash",
    path: "Bevisväg",
    verifies: "Beviset håller",
    verified: "håller",
    not_verified: "håller INTE",
    not_yet: "ännu inte i en kontrollpunkt",
    empty_path: "tom (ett löv i trädet)",
    next_entries: "Nästa poster",
    proofs_refused: "Bevisen visas inte:",
    back: "Tillbaka till utlämnandena",
};

const EN: DisclosureTexts = DisclosureTexts {
    filters: "Filter disclosures",
    controller: "Controller (business ID)",
    register: "Register",
    any: "any",
    recipient_id: "Recipient's identifier (e.g. business ID)",
    basis: "Legal basis",
    statute: "Statute",
    statute_hint: "e.g. 1290/2002 or EU:R 2016/679",
    category: "Data category",
    channel: "Channel",
    classification: "Standing against the notice",
    from: "First day (YYYY-MM-DD)",
    to: "Last day (YYYY-MM-DD)",
    size: "Disclosures per page",
    search: "Search",
    caption: "The controller's disclosures",
    none_found: "No disclosure matches the filters.",
    occurred: "Time",
    recipient: "Recipient",
    categories: "Data categories",
    subjects: "Subjects",
    details: "Details",
    next_page: "Next page",
    declared: "declared",
    on_request: "on request",
    undeclared: "undeclared",
    disclosure: "Disclosure",
    transfer: "Transfer id",
    recorded: "Recorded",
    kind: "Kind of recipient",
    country: "Country",
    special: "Condition for special categories",
    art9: "GDPR Article 9(2)",
    provisions: "Provisions",
    purpose: "Purpose",
    source: "Source system",
    consent: "Consent reference",
    requester: "Requester's reference",
    withheld_until: "Withheld from the subject until",
    proofs: "Proofs of the entries",
    proofs_text: "Each subject is an entry of its own in the log, shown here only by its number. A proof shows that the entry is in the tree of the latest checkpoint.",
    no_checkpoint: "No checkpoint has been signed yet.",
    checkpoint_size: "Tree size of the latest checkpoint",
    proofs_caption: "Inclusion proofs of the entries",
    showing: "Entries",
    entry: "Entry",
    leaf_index: "Leaf index",
    tree_size: "Tree size",
    leaf_hash: "Leaf hash",
    path: "Audit path",
    verifies: "Proof verifies",
    verified: "verifies",
    not_verified: "does NOT verify",
    not_yet: "not yet in a checkpoint",
    empty_path: "empty (one leaf in the tree)",
    next_entries: "Next entries",
    proofs_refused: "Proofs are not shown:",
    back: "Back to the disclosures",
};
