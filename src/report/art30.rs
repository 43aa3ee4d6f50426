//! The record of processing activities (GDPR Art. 30(1)) for one register: the declared side
//! from its catalogue, the observed side from the log's per-day counts, and where they differ.
//! Exported as JSON, CSV and HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::json;
use time::Date;

use crate::catalogue::{Register, UndeclaredPolicy};
use crate::domain::RollupEntry;
use crate::domain::{
    Classification, DataCategories, LegalBasis, LegalProvision, Recipient, RecipientIdType,
    Timestamp,
};

use super::document::{Block, Document, Section, Table};
use super::i18n::{self, local, pick};
use super::parts;
use crate::domain::finnish_time::date;
use crate::domain::provision::Language;

/// What was disclosed to one recipient in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedRecipient {
    pub recipient: Recipient,
    /// Every provision cited, in canonical order.
    pub provisions: Vec<LegalProvision>,
    /// Every category disclosed.
    pub data_categories: DataCategories,
    pub legal_bases: BTreeSet<LegalBasis>,
    pub disclosures: u64,
    pub entries: u64,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
    /// Disclosures classified undeclared when they were recorded.
    pub undeclared_disclosures: u64,
    /// Disclosures based on consent, or declared as needing it.
    pub consent_based_disclosures: u64,
    /// Disclosures classified on request (an on-request group) when they were recorded.
    pub on_request_disclosures: u64,
}

impl ObservedRecipient {
    fn label(&self) -> String {
        recipient_label(&self.recipient)
    }

    /// As [`Self::label`], with the kind in the document's language rather than as its code.
    pub fn label_in(&self, lang: Language) -> String {
        let r = &self.recipient;
        match r.identifier.id_type() {
            RecipientIdType::None => {
                format!("{} ({})", r.name, i18n::recipient_kind(lang, r.kind))
            }
            _ => self.label(),
        }
    }
}

fn recipient_label(r: &Recipient) -> String {
    match r.identifier.id_type() {
        RecipientIdType::None => format!("{} ({})", r.name, r.kind.label()),
        _ => format!("{} ({})", r.name, r.identifier.as_str()),
    }
}

/// The Art. 30 record of one register over a period of Finnish local days.
#[derive(Debug, Clone)]
pub struct ProcessingRecord {
    pub register: Arc<Register>,
    /// First and last day, both included.
    pub from: Date,
    pub to: Date,
    pub generated_at: Timestamp,
    pub observed: Vec<ObservedRecipient>,
    /// Observed recipients no declared disclosure goes to.
    pub undeclared_recipients: Vec<String>,
    /// Provisions cited that nothing in the catalogue declares: (provision, recipient).
    pub undeclared_provisions: Vec<(String, String)>,
    /// Declared disclosures nothing in the period fell within.
    pub unused_declarations: Vec<String>,
    /// The same, as indexes into `register.disclosures`, for documents in any language.
    pub unused_indexes: Vec<usize>,
    /// Recipients of consent-based disclosures, with their counts.
    pub consent_based: Vec<(String, u64)>,
    /// Recipients outside the EU/EEA.
    pub third_countries: Vec<String>,
    pub disclosures: u64,
    pub entries: u64,
}

/// Builds the record of `register` from its rollup rows of the period.
pub fn processing_record(
    register: Arc<Register>,
    rows: &[RollupEntry],
    (from, to): (Date, Date),
    generated_at: Timestamp,
) -> ProcessingRecord {
    let mut by_recipient: BTreeMap<String, ObservedRecipient> = BTreeMap::new();
    let mut used = vec![false; register.disclosures.len()];
    for row in rows {
        for (i, declared) in register.disclosures.iter().enumerate() {
            if declared.covers(&row.recipient, &row.provisions, row.data_categories) {
                used[i] = true;
            }
        }
        let consent_based = row.legal_basis == LegalBasis::Consent
            || register.disclosures.iter().any(|d| {
                d.consent_required && d.covers(&row.recipient, &row.provisions, row.data_categories)
            });
        let key = recipient_label(&row.recipient);
        let observed = by_recipient
            .entry(key)
            .or_insert_with(|| ObservedRecipient {
                recipient: row.recipient.clone(),
                provisions: Vec::new(),
                data_categories: row.data_categories,
                legal_bases: BTreeSet::new(),
                disclosures: 0,
                entries: 0,
                first_at: row.first_at,
                last_at: row.last_at,
                undeclared_disclosures: 0,
                consent_based_disclosures: 0,
                on_request_disclosures: 0,
            });
        for provision in &row.provisions {
            if !observed.provisions.contains(provision) {
                observed.provisions.push(provision.clone());
            }
        }
        observed.data_categories = DataCategories::new(
            observed
                .data_categories
                .iter()
                .chain(row.data_categories.iter()),
        )
        .expect("at least one category");
        observed.legal_bases.insert(row.legal_basis);
        let (n, entries) = (row.disclosures as u64, row.entries as u64);
        observed.disclosures += n;
        observed.entries += entries;
        observed.first_at = observed.first_at.min(row.first_at);
        observed.last_at = observed.last_at.max(row.last_at);
        match row.classification {
            Classification::Undeclared => observed.undeclared_disclosures += n,
            Classification::OnRequest => observed.on_request_disclosures += n,
            Classification::Declared => {}
        }
        if consent_based {
            observed.consent_based_disclosures += n;
        }
    }
    let mut observed: Vec<ObservedRecipient> = by_recipient.into_values().collect();
    for o in &mut observed {
        o.provisions.sort_by_key(LegalProvision::canonical);
    }
    let undeclared_recipients = observed
        .iter()
        .filter(|o| !register.declares_recipient(&o.recipient))
        .map(ObservedRecipient::label)
        .collect();
    let unused_indexes: Vec<usize> = (0..used.len()).filter(|i| !used[*i]).collect();
    let unused_declarations = unused_indexes
        .iter()
        .map(|i| &register.disclosures[*i])
        .map(|d| format!("{} ({})", d.recipient_name.fi, d.recipient_kind.label()))
        .collect();
    let consent_based = observed
        .iter()
        .filter(|o| o.consent_based_disclosures > 0)
        .map(|o| (o.label(), o.consent_based_disclosures))
        .collect();
    let third_countries = observed
        .iter()
        .filter(|o| !o.recipient.country.is_eu_eea())
        .map(ObservedRecipient::label)
        .collect();
    let disclosures = observed.iter().map(|o| o.disclosures).sum();
    let entries = observed.iter().map(|o| o.entries).sum();
    let mut record = ProcessingRecord {
        register,
        from,
        to,
        generated_at,
        observed,
        undeclared_recipients,
        undeclared_provisions: Vec::new(),
        unused_declarations,
        unused_indexes,
        consent_based,
        third_countries,
        disclosures,
        entries,
    };
    record.undeclared_provisions = record.undeclared_provisions_labelled(ObservedRecipient::label);
    record
}

impl ProcessingRecord {
    /// The provisions cited that nothing in the catalogue declares, each with the recipient
    /// it was cited for, labelled by `label` (a document labels it in its language).
    pub fn undeclared_provisions_labelled(
        &self,
        label: impl Fn(&ObservedRecipient) -> String,
    ) -> Vec<(String, String)> {
        let label = &label;
        self.observed
            .iter()
            .flat_map(|o| {
                o.provisions
                    .iter()
                    .filter(|p| !self.register.declares_provision(p))
                    .map(move |p| (p.canonical(), label(o)))
            })
            .collect()
    }
}

fn labels(categories: DataCategories) -> Vec<&'static str> {
    categories.iter().map(|c| c.label()).collect()
}

fn canonical(provisions: &[LegalProvision]) -> Vec<String> {
    provisions.iter().map(LegalProvision::canonical).collect()
}

fn rfc3339(at: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.micros()) * 1_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The record as JSON.
pub fn to_json(record: &ProcessingRecord) -> String {
    let r = &record.register;
    let declared: Vec<_> = r
        .disclosures
        .iter()
        .map(|d| {
            json!({
                "recipient": d.recipient_name.fi,
                "recipient_kind": d.recipient_kind.label(),
                "recipient_id": d.recipient_id.as_ref().map(|id| id.to_string()),
                "example_id": d.example_id,
                "provisions": canonical(&d.provisions),
                "data_categories": labels(d.data_categories),
                "purpose": d.purpose.en,
                "legal_basis": d.legal_basis.label(),
                "consent_required": d.consent_required,
            })
        })
        .collect();
    let observed: Vec<_> = record
        .observed
        .iter()
        .map(|o| {
            json!({
                "recipient": o.recipient.name.to_string(),
                "recipient_id": o.recipient.identifier.as_str(),
                "recipient_kind": o.recipient.kind.label(),
                "country": o.recipient.country.as_str(),
                "provisions": canonical(&o.provisions),
                "data_categories": labels(o.data_categories),
                "legal_bases": o.legal_bases.iter().map(|b| b.label()).collect::<Vec<_>>(),
                "disclosures": o.disclosures,
                "subject_entries": o.entries,
                "first_disclosure": rfc3339(o.first_at),
                "last_disclosure": rfc3339(o.last_at),
                "undeclared_disclosures": o.undeclared_disclosures,
                "consent_based_disclosures": o.consent_based_disclosures,
            })
        })
        .collect();
    let value = json!({
        "register": {
            "id": r.id.to_string(),
            "name": { "fi": r.name.fi, "sv": r.name.sv, "en": r.name.en },
            "controllers": r.controllers.iter().map(|c| json!({
                "business_id": c.business_id.to_string(), "name": c.name.fi, "example": c.example,
            })).collect::<Vec<_>>(),
            "purposes": r.purposes.en,
            "legal_bases": r.legal_bases.iter().map(|b| b.label()).collect::<Vec<_>>(),
            "subject_categories": r.subject_categories.en,
            "data_categories": labels(r.data_categories),
            "retention": r.retention.en,
            "third_country_transfers": r.third_country_transfers,
            "undeclared_policy": match r.undeclared { UndeclaredPolicy::Flag => "flag", UndeclaredPolicy::Reject => "reject" },
            "source": r.source,
        },
        "period": { "from": record.from.to_string(), "to": record.to.to_string() },
        "generated_at": rfc3339(record.generated_at),
        "declared": declared,
        "observed": observed,
        "totals": { "disclosures": record.disclosures, "subject_entries": record.entries },
        "differences": {
            "undeclared_recipients": record.undeclared_recipients,
            "undeclared_provisions": record.undeclared_provisions.iter().map(|(p, r)| json!({"provision": p, "recipient": r})).collect::<Vec<_>>(),
            "unused_declarations": record.unused_declarations,
            "consent_based": record.consent_based.iter().map(|(r, n)| json!({"recipient": r, "disclosures": n})).collect::<Vec<_>>(),
            "third_country_recipients": record.third_countries,
        },
    });
    serde_json::to_string_pretty(&value).expect("a JSON value serialises")
}

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading apostrophe (OWASP's advice for CSV injection).
fn safe_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// The record as CSV: one row per declared disclosure, observed recipient and difference.
pub fn to_csv(record: &ProcessingRecord) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        [
            "section",
            "recipient",
            "recipient_id",
            "recipient_kind",
            "provisions",
            "data_categories",
            "legal_bases",
            "disclosures",
            "subject_entries",
            "first_disclosure",
            "last_disclosure",
            "note",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for d in &record.register.disclosures {
        rows.push(vec![
            "declared".into(),
            d.recipient_name.fi.clone(),
            d.recipient_id
                .as_ref()
                .map(|id| id.to_string())
                .unwrap_or_default(),
            d.recipient_kind.label().into(),
            canonical(&d.provisions).join("; "),
            labels(d.data_categories).join("; "),
            d.legal_basis.label().into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            [
                (d.consent_required, "consent required"),
                (d.example_id, "example ID"),
            ]
            .iter()
            .filter(|(applies, _)| *applies)
            .map(|(_, note)| *note)
            .collect::<Vec<_>>()
            .join("; "),
        ]);
    }
    for o in &record.observed {
        let mut notes = Vec::new();
        if o.undeclared_disclosures > 0 {
            notes.push(format!("{} undeclared", o.undeclared_disclosures));
        }
        if o.consent_based_disclosures > 0 {
            notes.push(format!("{} consent-based", o.consent_based_disclosures));
        }
        rows.push(vec![
            "observed".into(),
            o.recipient.name.to_string(),
            o.recipient.identifier.as_str().to_owned(),
            o.recipient.kind.label().into(),
            canonical(&o.provisions).join("; "),
            labels(o.data_categories).join("; "),
            o.legal_bases
                .iter()
                .map(|b| b.label())
                .collect::<Vec<_>>()
                .join("; "),
            o.disclosures.to_string(),
            o.entries.to_string(),
            rfc3339(o.first_at),
            rfc3339(o.last_at),
            notes.join("; "),
        ]);
    }
    let difference = |note: &str, recipient: &str, provisions: &str| {
        let mut row = vec![String::new(); 12];
        row[0] = "difference".into();
        row[1] = recipient.to_owned();
        row[4] = provisions.to_owned();
        row[11] = note.to_owned();
        row
    };
    for r in &record.undeclared_recipients {
        rows.push(difference("undeclared recipient", r, ""));
    }
    for (p, r) in &record.undeclared_provisions {
        rows.push(difference("undeclared provision", r, p));
    }
    for d in &record.unused_declarations {
        rows.push(difference("declared, not used in the period", d, ""));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let row: Vec<String> = row.iter().map(|cell| safe_cell(cell)).collect();
        writer.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("flushing to memory"))
        .expect("CSV of UTF-8 cells is UTF-8")
}

/// The record as a self-contained HTML document in `lang` (without the annex).
pub fn to_html(record: &ProcessingRecord, lang: Language) -> String {
    record_document(record, lang).to_html()
}

fn category_names(categories: DataCategories, lang: Language) -> String {
    categories
        .iter()
        .map(|c| i18n::category(lang, c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The record of processing activities (Art. 30(1)(a)–(g)) as the controller hands it to the
/// Data Protection Ombudsman: from the catalogue only, wholly in `lang`.
pub fn record_document(record: &ProcessingRecord, lang: Language) -> Document {
    let r = &record.register;
    let (code, page_word) = i18n::lang_code(lang);
    let t = |texts: [&'static str; 3]| pick(lang, texts).to_owned();
    let name = local(lang, &r.name).clone();
    let mut sections = Vec::new();

    let mut controllers = Section::new(t([
        "Rekisterinpitäjä ja yhteystiedot",
        "Personuppgiftsansvarig och kontaktuppgifter",
        "Controller and contact details",
    ]));
    if r.controllers.len() > 1 {
        controllers.push(Block::Paragraph(t([
            "Rekisterillä on yhteisrekisterinpitäjät (tietosuoja-asetuksen 26 artikla):",
            "Registret har gemensamt personuppgiftsansvariga (artikel 26 i \
             dataskyddsförordningen):",
            "The register has joint controllers (GDPR Article 26):",
        ])));
    }
    for c in &r.controllers {
        controllers.push(Block::Fields(parts::controller_fields(lang, c)));
    }
    if let Some(arrangement) = parts::joint_arrangement(lang, r) {
        controllers.push(Block::Paragraph(format!(
            "{} {arrangement}",
            t([
                "Yhteisrekisterinpitäjien järjestely:",
                "Arrangemang mellan de gemensamt personuppgiftsansvariga:",
                "The joint controllers' arrangement:",
            ])
        )));
    }
    sections.push(controllers);

    let mut purposes = Section::new(t([
        "Käsittelyn tarkoitukset ja oikeusperusteet",
        "Ändamålen med behandlingen och rättslig grund",
        "Purposes of the processing and legal bases",
    ]));
    purposes.push(Block::List(local(lang, &r.purposes).clone()));
    purposes.push(Block::Paragraph(format!(
        "{} {}.",
        t(["Oikeusperusteet:", "Rättslig grund:", "Legal bases:"]),
        r.legal_bases
            .iter()
            .map(|b| i18n::basis_in_record(lang, *b))
            .collect::<Vec<_>>()
            .join("; ")
    )));
    sections.push(purposes);

    let mut subjects = Section::new(t([
        "Rekisteröityjen ryhmät",
        "Kategorier av registrerade",
        "Categories of data subjects",
    ]));
    subjects.push(Block::List(local(lang, &r.subject_categories).clone()));
    sections.push(subjects);
    let mut data = Section::new(t([
        "Henkilötietoryhmät",
        "Kategorier av personuppgifter",
        "Categories of personal data",
    ]));
    data.push(Block::List(
        r.data_categories
            .iter()
            .map(|c| i18n::category(lang, c).to_owned())
            .collect(),
    ));
    sections.push(data);

    let mut recipients = Section::new(t([
        "Vastaanottajien ryhmät",
        "Kategorier av mottagare",
        "Categories of recipients",
    ]));
    let recipient_header = vec![
        t(["Vastaanottaja", "Mottagare", "Recipient"]),
        t(["Tiedot", "Uppgifter", "Data"]),
        t(["Säännökset", "Bestämmelser", "Provisions"]),
        t(["Oikeusperuste", "Rättslig grund", "Legal basis"]),
    ];
    let regular: Vec<Vec<String>> = r
        .disclosures
        .iter()
        .map(|d| {
            let mut basis = i18n::basis_in_record(lang, d.legal_basis).to_owned();
            // A consent basis says it already; another basis with a consent condition does not.
            if d.consent_required && d.legal_basis != LegalBasis::Consent {
                basis.push_str(&t([
                    "; edellyttää rekisteröidyn suostumusta",
                    "; kräver den registrerades samtycke",
                    "; requires the data subject's consent",
                ]));
            }
            vec![
                format!(
                    "{}: {}",
                    local(lang, &d.recipient_name),
                    local(lang, &d.purpose)
                ),
                category_names(d.data_categories, lang),
                parts::provisions(lang, &d.provisions),
                basis,
            ]
        })
        .collect();
    recipients.push(Block::Subheading(t([
        "Säännönmukaiset luovutukset",
        "Regelbundna utlämnanden",
        "Regular disclosures",
    ])));
    if regular.is_empty() {
        recipients.push(Block::Paragraph(t([
            "Ei säännönmukaisia luovutuksia.",
            "Inga regelbundna utlämnanden.",
            "No regular disclosures.",
        ])));
    } else {
        recipients.push(Block::Table(Table {
            headers: recipient_header.clone(),
            rows: regular,
            small: false,
        }));
    }
    if !r.on_request.is_empty() {
        recipients.push(Block::Subheading(t([
            "Pyynnöstä tehtävät luovutukset",
            "Utlämnanden på begäran",
            "Disclosures on request",
        ])));
        recipients.push(Block::List(
            r.on_request
                .iter()
                .map(|g| {
                    let provisions = parts::provisions(lang, &g.provisions);
                    let item = format!(
                        "{}: {}",
                        local(lang, &g.description),
                        local(lang, &g.purpose)
                    );
                    if provisions.is_empty() {
                        item
                    } else {
                        format!("{item} ({provisions})")
                    }
                })
                .collect(),
        ));
    }
    let processors: Vec<Vec<String>> = r
        .processors
        .iter()
        .map(|p| {
            vec![
                format!("{}: {}", local(lang, &p.name), local(lang, &p.service)),
                parts::processor_data(lang, p),
                p.country.as_str().to_owned(),
            ]
        })
        .collect();
    if !processors.is_empty() {
        recipients.push(Block::Subheading(t([
            "Henkilötietojen käsittelijät (tietosuoja-asetuksen 28 artikla)",
            "Personuppgiftsbiträden (artikel 28 i dataskyddsförordningen)",
            "Processors (GDPR Article 28)",
        ])));
        recipients.push(Block::Table(Table {
            headers: vec![
                t(["Käsittelijä", "Personuppgiftsbiträde", "Processor"]),
                t(["Tiedot", "Uppgifter", "Data"]),
                t(["Maa", "Land", "Country"]),
            ],
            rows: processors,
            small: false,
        }));
    }
    recipients.push(Block::Subheading(t([
        "Vastaanottajat kolmansissa maissa",
        "Mottagare i tredjeländer",
        "Recipients in third countries",
    ])));
    let abroad: Vec<String> = r
        .processors
        .iter()
        .filter(|p| !p.country.is_eu_eea())
        .map(|p| format!("{} ({})", local(lang, &p.name), p.country.as_str()))
        .chain(
            record
                .observed
                .iter()
                .filter(|o| !o.recipient.country.is_eu_eea())
                .map(|o| o.label_in(lang)),
        )
        .collect();
    if abroad.is_empty() {
        recipients.push(Block::Paragraph(t([
            "Ei vastaanottajia EU:n tai ETA:n ulkopuolella.",
            "Inga mottagare utanför EU eller EES.",
            "No recipients outside the EU/EEA.",
        ])));
    } else {
        recipients.push(Block::List(abroad));
    }
    sections.push(recipients);

    let mut transfers = Section::new(t([
        "Siirrot kolmansiin maihin ja suojatoimet",
        "Överföringar till tredjeländer och skyddsåtgärder",
        "Transfers to third countries and safeguards",
    ]));
    if r.third_country_transfers.is_empty() {
        transfers.push(Block::Paragraph(t([
            "Henkilötietoja ei siirretä EU:n tai ETA:n ulkopuolelle.",
            "Personuppgifter överförs inte utanför EU eller EES.",
            "Personal data are not transferred outside the EU/EEA.",
        ])));
    } else {
        transfers.push(Block::List(r.third_country_transfers.clone()));
    }
    sections.push(transfers);

    sections.push(
        Section::new(t([
            "Tietojen poistamisen määräajat",
            "Tidsfrister för radering",
            "Time limits for erasure",
        ]))
        .paragraph(local(lang, &r.retention).clone()),
    );
    let mut security = Section::new(t([
        "Tekniset ja organisatoriset turvatoimet",
        "Tekniska och organisatoriska säkerhetsåtgärder",
        "Technical and organisational security measures",
    ]));
    let measures = local(lang, &r.security_measures);
    if measures.is_empty() {
        security.push(Block::Paragraph(t([
            "Rekisterin kuvauksessa ei ole tietoa turvatoimista.",
            "Registerbeskrivningen innehåller inga uppgifter om säkerhetsåtgärder.",
            "The register's description gives no security measures.",
        ])));
    } else {
        security.push(Block::List(measures.clone()));
    }
    sections.push(security);

    Document {
        lang: code,
        title: format!(
            "{}: {name}",
            t([
                "Seloste käsittelytoimista (tietosuoja-asetuksen 30 artiklan 1 kohta)",
                "Register över behandling (artikel 30.1 i dataskyddsförordningen)",
                "Record of processing activities (GDPR Article 30(1))",
            ])
        ),
        header: vec![
            (t(["Rekisteri", "Register", "Register"]), name),
            (t(["Tunnus", "Beteckning", "Identifier"]), r.id.to_string()),
            (
                t(["Päiväys", "Datum", "Date"]),
                date(record.generated_at, lang),
            ),
        ],
        sections,
        page_word,
        date: record.generated_at,
    }
}

/// The annex for internal audit: what the log shows was disclosed in the period beside what
/// the catalogue declares, and where the two differ. Not part of the record itself.
pub fn annex_document(record: &ProcessingRecord, lang: Language) -> Document {
    let (code, page_word) = i18n::lang_code(lang);
    let t = |texts: [&'static str; 3]| pick(lang, texts).to_owned();
    let name = local(lang, &record.register.name).clone();
    let when = |at: Timestamp| date(at, lang);
    let mut observed = Section::new(t([
        "Havaitut luovutukset vastaanottajittain",
        "Observerade utlämnanden per mottagare",
        "Observed disclosures by recipient",
    ]));
    if record.observed.is_empty() {
        observed.push(Block::Paragraph(t([
            "Lokissa ei ole luovutuksia jaksolta.",
            "Loggen visar inga utlämnanden under perioden.",
            "The log shows no disclosures in the period.",
        ])));
    } else {
        observed.push(Block::Table(Table {
            headers: vec![
                t(["Vastaanottaja", "Mottagare", "Recipient"]),
                t(["Säännökset", "Bestämmelser", "Provisions"]),
                t(["Tiedot", "Uppgifter", "Data"]),
                t(["Luovutuksia", "Utlämnanden", "Disclosures"]),
                t(["Rekisteröityjä", "Registrerade", "Subject entries"]),
                t(["Ensimmäinen", "Första", "First"]),
                t(["Viimeinen", "Sista", "Last"]),
            ],
            rows: record
                .observed
                .iter()
                .map(|o| {
                    vec![
                        o.label_in(lang),
                        canonical(&o.provisions).join("; "),
                        category_names(o.data_categories, lang),
                        o.disclosures.to_string(),
                        o.entries.to_string(),
                        when(o.first_at),
                        when(o.last_at),
                    ]
                })
                .collect(),
            small: true,
        }));
        observed.push(Block::Paragraph(format!(
            "{} {}, {} {}.",
            t([
                "Yhteensä luovutuksia",
                "Utlämnanden sammanlagt",
                "In all, disclosures"
            ]),
            record.disclosures,
            t(["rekisteröityjä", "registrerade", "subject entries"]),
            record.entries
        )));
    }
    let list = |heading: [&'static str; 3], items: Vec<String>| {
        let mut section = Section::new(t(heading));
        if items.is_empty() {
            section.push(Block::Paragraph(t(["Ei yhtään.", "Inga.", "None."])));
        } else {
            section.push(Block::List(items));
        }
        section
    };
    let sections = vec![
        observed,
        list(
            [
                "Vastaanottajat, joita seloste ei ilmoita",
                "Mottagare som registret inte anger",
                "Observed recipients the record does not declare",
            ],
            record
                .observed
                .iter()
                .filter(|o| !record.register.declares_recipient(&o.recipient))
                .map(|o| o.label_in(lang))
                .collect(),
        ),
        list(
            [
                "Säännökset, joita seloste ei ilmoita",
                "Bestämmelser som registret inte anger",
                "Observed provisions the record does not declare",
            ],
            record
                .observed
                .iter()
                .flat_map(|o| {
                    o.provisions
                        .iter()
                        .filter(|p| !record.register.declares_provision(p))
                        .map(move |p| format!("{} → {}", p.canonical(), o.label_in(lang)))
                })
                .collect(),
        ),
        list(
            [
                "Ilmoitetut luovutukset, joita ei tehty jaksolla",
                "Angivna utlämnanden som inte gjordes under perioden",
                "Declared disclosures not made in the period",
            ],
            record
                .unused_indexes
                .iter()
                .map(|i| &record.register.disclosures[*i])
                .map(|d| {
                    format!(
                        "{} ({})",
                        local(lang, &d.recipient_name),
                        i18n::recipient_kind(lang, d.recipient_kind)
                    )
                })
                .collect(),
        ),
        list(
            [
                "Suostumukseen perustuvat luovutukset",
                "Utlämnanden som grundar sig på samtycke",
                "Consent-based disclosures",
            ],
            record
                .observed
                .iter()
                .filter(|o| o.consent_based_disclosures > 0)
                .map(|o| format!("{}: {}", o.label_in(lang), o.consent_based_disclosures))
                .collect(),
        ),
        list(
            [
                "Havaitut vastaanottajat EU:n/ETA:n ulkopuolella",
                "Observerade mottagare utanför EU/EES",
                "Observed recipients outside the EU/EEA",
            ],
            record
                .observed
                .iter()
                .filter(|o| !o.recipient.country.is_eu_eea())
                .map(|o| o.label_in(lang))
                .collect(),
        ),
    ];
    let period = format!(
        "{}–{}",
        super::render::day(record.from, lang),
        super::render::day(record.to, lang)
    );
    Document {
        lang: code,
        title: format!(
            "{}: {name}",
            t([
                "Liite sisäiseen valvontaan: ilmoitetut ja havaitut luovutukset",
                "Bilaga för intern kontroll: angivna och observerade utlämnanden",
                "Annex for internal audit: declared and observed disclosures",
            ])
        ),
        header: vec![
            (t(["Rekisteri", "Register", "Register"]), name),
            (t(["Jakso", "Period", "Period"]), period),
            (
                t(["Päiväys", "Datum", "Date"]),
                date(record.generated_at, lang),
            ),
        ],
        sections,
        page_word,
        date: record.generated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+358"), "'+358");
        assert_eq!(safe_cell("-1"), "'-1");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("Verohallinto"), "Verohallinto");
    }
}
