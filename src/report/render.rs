//! The access report as a document a person can read without help, in plain text and in
//! HTML. Both come from the same lines, so they always say the same.

use std::fmt::Write;

use crate::domain::provision::Language;
use crate::domain::{RecipientIdType, Timestamp};

use super::i18n::{self, Words};
use super::subject::{ReportEntry, SubjectReport};
use crate::domain::finnish_time::date;

/// A labelled line of the document.
struct Field {
    label: &'static str,
    value: String,
}

fn header(report: &SubjectReport, w: &Words) -> Vec<Field> {
    let controller = match &report.controller_name {
        Some(name) => format!("{name} ({} {})", w.business_id, report.controller),
        None => format!("{} {}", w.business_id, report.controller),
    };
    vec![
        Field {
            label: w.controller,
            value: controller,
        },
        Field {
            label: w.case,
            value: report.case_reference.clone(),
        },
        Field {
            label: w.period,
            value: period(report, w),
        },
        Field {
            label: w.generated,
            value: date(report.generated_at, report.language),
        },
    ]
}

fn period(report: &SubjectReport, w: &Words) -> String {
    let lang = report.language;
    // The period is half-open; its last day is the one before `to`.
    let last_day = |to: Timestamp| {
        Timestamp::from_micros(to.micros() - 1)
            .map(|t| date(t, lang))
            .unwrap_or_default()
    };
    match (report.period.from, report.period.to) {
        (None, None) => w.whole_log.to_owned(),
        (Some(from), Some(to)) => format!("{}–{}", date(from, lang), last_day(to)),
        (Some(from), None) => format!("{}–", date(from, lang)),
        (None, Some(to)) => format!("–{}", last_day(to)),
    }
}

/// The heading of one entry: date and recipient.
fn heading(entry: &ReportEntry, lang: Language, w: &Words) -> String {
    let r = &entry.recipient;
    let who = match r.identifier.id_type() {
        RecipientIdType::BusinessId => {
            format!("{} ({} {})", r.name, w.business_id, r.identifier.as_str())
        }
        RecipientIdType::None => format!("{} ({})", r.name, i18n::recipient_kind(lang, r.kind)),
        _ => format!("{} ({})", r.name, r.identifier.as_str()),
    };
    format!("{} – {who}", date(entry.occurred_at, lang))
}

fn fields(entry: &ReportEntry, lang: Language, w: &Words) -> Vec<Field> {
    let data = entry
        .data_categories
        .iter()
        .map(|c| i18n::category(lang, c))
        .collect::<Vec<_>>()
        .join(", ");
    let provisions = entry
        .provisions
        .iter()
        .map(|p| p.readable(lang))
        .collect::<Vec<_>>()
        .join("; ");
    let mut fields = vec![
        Field {
            label: w.data,
            value: data,
        },
        Field {
            label: w.purpose,
            value: entry.purpose.clone(),
        },
        Field {
            label: w.basis,
            value: i18n::basis(lang, entry.legal_basis).to_owned(),
        },
    ];
    if !provisions.is_empty() {
        fields.push(Field {
            label: w.provisions,
            value: provisions,
        });
    }
    fields.push(Field {
        label: w.channel,
        value: i18n::channel(lang, entry.channel).to_owned(),
    });
    fields.push(Field {
        label: w.register,
        value: entry
            .register_name
            .clone()
            .unwrap_or_else(|| entry.register.to_string()),
    });
    fields
}

fn summary(report: &SubjectReport, w: &Words) -> String {
    match report.entries.len() {
        0 => w.none.to_owned(),
        n => format!("{} {n}", w.disclosed_times),
    }
}

/// The report as plain text.
pub fn render_text(report: &SubjectReport) -> String {
    let lang = report.language;
    let w = i18n::words(lang);
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", w.title);
    for field in header(report, w) {
        let _ = writeln!(out, "{}: {}", field.label, field.value);
    }
    let _ = writeln!(out, "\n{}\n", summary(report, w));
    for (n, entry) in report.entries.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", n + 1, heading(entry, lang, w));
        for field in fields(entry, lang, w) {
            let _ = writeln!(out, "   {}: {}", field.label, field.value);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", w.footer);
    out
}

/// Escapes text for HTML element content and attribute values. Five characters; a
/// templating crate would bring far more than this needs.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn definition_list(out: &mut String, fields: &[Field]) {
    out.push_str("<dl>\n");
    for field in fields {
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(field.label),
            escape(&field.value)
        );
    }
    out.push_str("</dl>\n");
}

/// The report as a self-contained HTML document.
pub fn render_html(report: &SubjectReport) -> String {
    let lang = report.language;
    let w = i18n::words(lang);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>\nbody {{ font-family: sans-serif; max-width: 45em; \
         margin: 2em auto; line-height: 1.4; }}\ndt {{ font-weight: bold; }}\n\
         dd {{ margin: 0 0 0.4em 0; }}\nli {{ margin-bottom: 1.2em; }}\n</style>\n</head>\n<body>",
        w.lang,
        escape(w.title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(w.title));
    definition_list(&mut out, &header(report, w));
    let _ = writeln!(out, "<p>{}</p>", escape(&summary(report, w)));
    if !report.entries.is_empty() {
        out.push_str("<ol>\n");
        for entry in &report.entries {
            let _ = writeln!(out, "<li>\n<h2>{}</h2>", escape(&heading(entry, lang, w)));
            definition_list(&mut out, &fields(entry, lang, w));
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    let _ = writeln!(out, "<p>{}</p>\n</body>\n</html>", escape(w.footer));
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::domain::Period;
    use crate::domain::{
        BusinessId, Channel, Country, DataCategories, DataCategory, LegalBasis, LegalProvision,
        Recipient, RecipientIdentifier, RecipientKind, RegisterId, ShortText,
    };
    use crate::report::subject::Withheld;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_micros(seconds * 1_000_000).unwrap()
    }

    fn recipient(id_type: RecipientIdType, id: &str, name: &str, kind: RecipientKind) -> Recipient {
        Recipient {
            identifier: RecipientIdentifier::parse(id_type, id).unwrap(),
            name: ShortText::parse(name).unwrap(),
            kind,
            country: Country::parse("FI").unwrap(),
        }
    }

    fn provision(canonical: &str) -> LegalProvision {
        LegalProvision::parse_canonical(canonical).unwrap()
    }

    /// A KOKO member's year: the Incomes Register, the Finnish Centre for Pensions and an
    /// enforcement authority; one pre-trial disclosure still withheld.
    fn member_report(language: Language) -> SubjectReport {
        let register = RegisterId::parse("koko-jasen-ja-maksurekisteri").unwrap();
        let name = match language {
            Language::Fi => "Jäsentieto- ja maksurekisteri",
            Language::Sv => "Medlems- och betalningsregister",
            Language::En => "Member and payment register",
        };
        let entry = |occurred_at,
                     recipient,
                     provisions: &[&str],
                     categories: &[DataCategory],
                     purpose: &str,
                     channel| ReportEntry {
            entry_id: 0,
            occurred_at,
            register: register.clone(),
            register_name: Some(name.to_owned()),
            recipient,
            provisions: provisions.iter().map(|p| provision(p)).collect(),
            data_categories: DataCategories::new(categories.iter().copied()).unwrap(),
            purpose: purpose.to_owned(),
            legal_basis: LegalBasis::LegalObligation,
            channel,
        };
        SubjectReport {
            controller: BusinessId::parse("1234567-1").unwrap(),
            controller_name: Some("Korkeasti koulutettujen kassa KOKO".into()),
            case_reference: "TAR-2026-0042".into(),
            language,
            period: Period {
                from: Some(at(1_767_218_400)), // 1.1.2026 00:00 EET
                to: Some(at(1_798_754_400)),   // 1.1.2027 00:00 EET
            },
            generated_at: at(1_795_510_800), // 24.11.2026
            entries: vec![
                entry(
                    at(1_791_190_800),
                    recipient(
                        RecipientIdType::BusinessId,
                        "0245437-2",
                        "Verohallinto, tulorekisteriyksikkö",
                        RecipientKind::Authority,
                    ),
                    &["53/2018 6", "1290/2002 13:1.2"],
                    &[
                        DataCategory::Identity,
                        DataCategory::BenefitPayment,
                        DataCategory::IncomeAndTax,
                    ],
                    "Etuusmaksujen ilmoittaminen tulorekisteriin",
                    Channel::IncomesRegister,
                ),
                entry(
                    at(1_792_000_000),
                    recipient(
                        RecipientIdType::BusinessId,
                        "0117005-2",
                        "Eläketurvakeskus",
                        RecipientKind::PensionInstitution,
                    ),
                    &["1290/2002 13:3"],
                    &[DataCategory::Identity, DataCategory::EmploymentHistory],
                    "Ansaintarekisterin ylläpito <eläkkeet & etuudet>",
                    Channel::SuomiFiXRoad,
                ),
                entry(
                    at(1_793_000_000),
                    recipient(
                        RecipientIdType::None,
                        "",
                        "Ulosottolaitos",
                        RecipientKind::Authority,
                    ),
                    &["705/2007 3:64"],
                    &[DataCategory::Identity, DataCategory::BankAccount],
                    "Ulosottoasian selvittäminen",
                    Channel::SuomiFiXRoad,
                ),
            ],
            withheld: vec![Withheld {
                disclosure_id: 4,
                entry_id: 7,
                occurred_at: at(1_794_000_000),
                until: at(1_830_000_000),
                reason: "Esitutkinta kesken (tietosuojalaki 34 §)".into(),
                ground: Some("esitutkinta, esitutkintalaki 805/2011".into()),
                conceal_existence: false,
            }],
        }
    }

    /// Compares `actual` with the golden file `name`; `UPDATE_GOLDEN=1` rewrites it.
    fn golden(name: &str, actual: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, actual).unwrap();
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1", path.display()));
        assert_eq!(actual, expected, "{name} differs from its golden file");
    }

    #[test]
    fn the_member_report_reads_as_its_golden_files_in_every_language() {
        for (language, code) in [
            (Language::Fi, "fi"),
            (Language::Sv, "sv"),
            (Language::En, "en"),
        ] {
            let report = member_report(language);
            golden(&format!("subject-report.{code}.txt"), &render_text(&report));
            golden(
                &format!("subject-report.{code}.html"),
                &render_html(&report),
            );
        }
    }

    #[test]
    fn a_withheld_disclosure_is_not_in_the_document() {
        let report = member_report(Language::Fi);
        for document in [render_text(&report), render_html(&report)] {
            assert!(!document.contains("Esitutkinta"));
            assert!(document.contains("Tietojasi on luovutettu näin monta kertaa: 3"));
        }
    }

    #[test]
    fn html_escapes_what_it_shows() {
        let html = render_html(&member_report(Language::En));
        assert!(html.contains("&lt;eläkkeet &amp; etuudet&gt;"));
        assert!(!html.contains("<eläkkeet"));
    }
}
