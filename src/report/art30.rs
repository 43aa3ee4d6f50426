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

use super::render::escape;

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
}

impl ObservedRecipient {
    fn label(&self) -> String {
        recipient_label(&self.recipient)
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
        if row.classification == Classification::Undeclared {
            observed.undeclared_disclosures += n;
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
    let undeclared_provisions = observed
        .iter()
        .flat_map(|o| {
            o.provisions
                .iter()
                .filter(|p| !register.declares_provision(p))
                .map(move |p| (p.canonical(), o.label()))
        })
        .collect();
    let unused_declarations = register
        .disclosures
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(d, _)| format!("{} ({})", d.recipient_name.fi, d.recipient_kind.label()))
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
    ProcessingRecord {
        register,
        from,
        to,
        generated_at,
        observed,
        undeclared_recipients,
        undeclared_provisions,
        unused_declarations,
        consent_based,
        third_countries,
        disclosures,
        entries,
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
            if d.consent_required {
                "consent required".into()
            } else {
                String::new()
            },
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

fn html_list(out: &mut String, title: &str, items: &[String]) {
    out.push_str(&format!("<h2>{}</h2>\n", escape(title)));
    if items.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    out.push_str("<ul>\n");
    for item in items {
        out.push_str(&format!("<li>{}</li>\n", escape(item)));
    }
    out.push_str("</ul>\n");
}

/// The record as a self-contained HTML document (in English; names as the catalogue gives
/// them).
pub fn to_html(record: &ProcessingRecord) -> String {
    let r = &record.register;
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Record of processing: {}</title>\n<style>\nbody {{ font-family: sans-serif; \
         margin: 2em; }}\ntable {{ border-collapse: collapse; }}\ntd, th {{ border: 1px solid \
         #999; padding: 0.3em; vertical-align: top; }}\n</style>\n</head>\n<body>\n",
        escape(&r.name.en)
    ));
    out.push_str(&format!(
        "<h1>Record of processing activities (GDPR Art. 30(1)): {}</h1>\n<p>{} ({}), {} to {}. \
         Controllers: {}.</p>\n",
        escape(&r.name.en),
        escape(&r.name.fi),
        escape(r.id.as_str()),
        record.from,
        record.to,
        escape(
            &r.controllers
                .iter()
                .map(|c| format!("{} {}", c.name.fi, c.business_id))
                .collect::<Vec<_>>()
                .join(", ")
        )
    ));
    html_list(&mut out, "Purposes", &r.purposes.en);
    html_list(
        &mut out,
        "Categories of data subjects",
        &r.subject_categories.en,
    );
    html_list(
        &mut out,
        "Categories of personal data",
        &labels(r.data_categories)
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    );
    html_list(&mut out, "Retention", std::slice::from_ref(&r.retention.en));
    html_list(
        &mut out,
        "Transfers outside the EU/EEA (declared)",
        &r.third_country_transfers,
    );
    out.push_str(
        "<h2>Declared and observed recipients</h2>\n<table>\n<tr><th></th><th>Recipient</th>\
                  <th>Provisions</th><th>Data categories</th><th>Disclosures</th>\
                  <th>Subject entries</th><th>First</th><th>Last</th></tr>\n",
    );
    for d in &r.disclosures {
        out.push_str(&format!(
            "<tr><td>declared</td><td>{}</td><td>{}</td><td>{}</td><td></td><td></td><td></td><td></td></tr>\n",
            escape(&format!("{} ({})", d.recipient_name.fi, d.recipient_kind.label())),
            escape(&canonical(&d.provisions).join("; ")),
            escape(&labels(d.data_categories).join(", ")),
        ));
    }
    for o in &record.observed {
        out.push_str(&format!(
            "<tr><td>observed</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&o.label()),
            escape(&canonical(&o.provisions).join("; ")),
            escape(&labels(o.data_categories).join(", ")),
            o.disclosures,
            o.entries,
            rfc3339(o.first_at),
            rfc3339(o.last_at),
        ));
    }
    out.push_str("</table>\n");
    out.push_str(&format!(
        "<p>In all: {} disclosures, {} subject entries.</p>\n",
        record.disclosures, record.entries
    ));
    html_list(
        &mut out,
        "Observed but undeclared recipients",
        &record.undeclared_recipients,
    );
    html_list(
        &mut out,
        "Observed but undeclared provisions",
        &record
            .undeclared_provisions
            .iter()
            .map(|(p, r)| format!("{p} (to {r})"))
            .collect::<Vec<_>>(),
    );
    html_list(
        &mut out,
        "Declared but not used in the period",
        &record.unused_declarations,
    );
    html_list(
        &mut out,
        "Consent-based disclosures",
        &record
            .consent_based
            .iter()
            .map(|(r, n)| format!("{r}: {n}"))
            .collect::<Vec<_>>(),
    );
    html_list(
        &mut out,
        "Observed recipients outside the EU/EEA",
        &record.third_countries,
    );
    out.push_str("</body>\n</html>\n");
    out
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
