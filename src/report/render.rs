//! The access report as a [`Document`]: every item Art. 15 asks for, in one language, with
//! recurring disclosures grouped and the entry ids in an annex. HTML and plain text come from
//! the templates, PDF from `pdf.rs`; all three from this one document.

use time::Date;

use crate::catalogue::Register;
use crate::domain::finnish_time::{date, finnish_local};
use crate::domain::provision::Language;
use crate::domain::text::contains_identity_code;
use crate::domain::{RecipientIdType, Timestamp};

use super::document::{Block, Document, Section, Table};
use super::i18n::{self, local, pick};
use super::parts;
use super::subject::{DisclosureGroup, ReportEntry, SubjectReport};

pub(super) fn day(day: Date, lang: Language) -> String {
    match lang {
        Language::Fi | Language::Sv => {
            format!("{}.{}.{}", day.day(), u8::from(day.month()), day.year())
        }
        Language::En => day.to_string(),
    }
}

fn period(report: &SubjectReport) -> String {
    let lang = report.language;
    // The period is half-open; its last day is the one before `to`.
    let last_day = |to: Timestamp| {
        Timestamp::from_micros(to.micros() - 1)
            .map(|t| date(t, lang))
            .unwrap_or_default()
    };
    match (report.period.from, report.period.to) {
        (None, None) => pick(
            lang,
            [
                "kaikki tallennetut luovutukset",
                "alla registrerade utlämnanden",
                "all recorded disclosures",
            ],
        )
        .to_owned(),
        (Some(from), Some(to)) => format!("{}–{}", date(from, lang), last_day(to)),
        (Some(from), None) => format!("{}–", date(from, lang)),
        (None, Some(to)) => format!("–{}", last_day(to)),
    }
}

/// Months as runs: "1–12/2025", "11/2025–2/2026", "3/2026".
pub(super) fn months(times: &[Timestamp]) -> String {
    let mut months: Vec<i32> = times
        .iter()
        .map(|t| {
            let d = finnish_local(*t).date();
            d.year() * 12 + i32::from(u8::from(d.month())) - 1
        })
        .collect();
    months.sort_unstable();
    months.dedup();
    let show = |m: i32| (m.rem_euclid(12) + 1, m.div_euclid(12));
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for m in months {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == m => *end = m,
            _ => runs.push((m, m)),
        }
    }
    runs.into_iter()
        .map(|(start, end)| {
            let ((m1, y1), (m2, y2)) = (show(start), show(end));
            if start == end {
                format!("{m1}/{y1}")
            } else if y1 == y2 {
                format!("{m1}–{m2}/{y1}")
            } else {
                format!("{m1}/{y1}–{m2}/{y2}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids as runs: "17, 20–23".
pub(super) fn id_runs(ids: impl IntoIterator<Item = i64>) -> String {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for id in ids {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == id => *end = id,
            _ => runs.push((id, id)),
        }
    }
    runs.into_iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The recipient as the subject reads it: name and business ID, or name and kind. A recipient
/// on request follows its group's description, its recorded name being a proper noun
/// ("Utsökningsmyndigheter: Ulosottolaitos"); a business ID that is the catalogue's example
/// says so, lest it be read as the recipient's real one.
fn recipient(entry: &ReportEntry, lang: Language) -> String {
    let r = &entry.recipient;
    let mut name = entry
        .recipient_name
        .clone()
        .unwrap_or_else(|| r.name.to_string());
    if let Some(group) = &entry.recipient_group {
        name = format!("{group}: {name}");
    }
    match r.identifier.id_type() {
        RecipientIdType::BusinessId => {
            let example = if entry.example_id {
                pick(
                    lang,
                    [", esimerkkitunnus", ", exempelnummer", ", an example ID"],
                )
            } else {
                ""
            };
            format!(
                "{} ({} {}{example})",
                name,
                pick(lang, ["Y-tunnus", "FO-nummer", "business ID"]),
                r.identifier.as_str()
            )
        }
        RecipientIdType::None if entry.recipient_group.is_some() => name,
        RecipientIdType::None => format!("{} ({})", name, i18n::recipient_kind(lang, r.kind)),
        _ => format!("{} ({})", name, r.identifier.as_str()),
    }
}

/// Text as the log recorded it, which has no translation (an undeclared disclosure's purpose,
/// a withholding decision's ground): quoted, after a label in the document's language, so that
/// it is never read as the document's own prose.
pub(super) fn as_recorded(lang: Language, text: &str) -> String {
    format!(
        "{} {}",
        pick(
            lang,
            [
                "kirjauksen mukaan:",
                "enligt registreringen, oöversatt:",
                "as recorded, untranslated:",
            ]
        ),
        quoted(lang, text)
    )
}

/// Quotation marks as each language sets them.
fn quoted(lang: Language, text: &str) -> String {
    match lang {
        Language::Fi | Language::Sv => format!("”{text}”"),
        Language::En => format!("“{text}”"),
    }
}

fn group_fields(group: &DisclosureGroup, lang: Language) -> Vec<(String, String)> {
    let first = group.first();
    let count = group.entries.len();
    let when = if count == 1 {
        date(first.occurred_at, lang)
    } else {
        let times: Vec<Timestamp> = group.entries.iter().map(|e| e.occurred_at).collect();
        format!(
            "{}–{} ({}: {})",
            date(first.occurred_at, lang),
            date(group.last().occurred_at, lang),
            pick(lang, ["kuukaudet", "månader", "months"]),
            months(&times)
        )
    };
    let label = |texts: [&'static str; 3]| pick(lang, texts).to_owned();
    let mut fields = vec![
        (
            label([
                "Luovutuskerrat",
                "Antal utlämnanden",
                "Number of disclosures",
            ]),
            count.to_string(),
        ),
        (label(["Ajankohta", "Tidpunkt", "When"]), when),
        (
            label(["Luovutetut tiedot", "Utlämnade uppgifter", "Data disclosed"]),
            first
                .data_categories
                .iter()
                .map(|c| i18n::category(lang, c))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            label(["Käyttötarkoitus", "Ändamål", "Purpose"]),
            if first.purpose_as_recorded {
                as_recorded(lang, &first.purpose)
            } else {
                first.purpose.clone()
            },
        ),
        (
            label(["Oikeusperuste", "Rättslig grund", "Legal basis"]),
            i18n::basis(lang, first.legal_basis).to_owned(),
        ),
    ];
    if !first.provisions.is_empty() {
        fields.push((
            label(["Säännökset", "Bestämmelser", "Provisions"]),
            parts::provisions(lang, &first.provisions),
        ));
    }
    let mut means = i18n::channel(lang, first.channel).to_owned();
    if first.on_request {
        means.push_str(pick(
            lang,
            [
                ", vastaanottajan pyynnöstä",
                ", på mottagarens begäran",
                ", at the recipient's request",
            ],
        ));
    }
    fields.push((
        label(["Luovutustapa", "Utlämningssätt", "Means of disclosure"]),
        means,
    ));
    fields.push((
        label(["Rekisteri", "Register", "Register"]),
        first
            .register_name
            .clone()
            .unwrap_or_else(|| first.register.to_string()),
    ));
    fields
}

fn header(report: &SubjectReport) -> Vec<(String, String)> {
    let lang = report.language;
    let label = |texts: [&'static str; 3]| pick(lang, texts).to_owned();
    let mut header = match &report.controller_details {
        Some(c) => parts::controller_fields(lang, c),
        None => vec![(
            label(["Y-tunnus", "FO-nummer", "Business ID"]),
            report.controller.to_string(),
        )],
    };
    header.push((
        label(["Diaarinumero", "Diarienummer", "Reference number"]),
        report.case_reference.clone(),
    ));
    if let Some(received) = report.received {
        header.push((
            label([
                "Pyyntö vastaanotettu",
                "Begäran mottagen",
                "Request received",
            ]),
            day(received, lang),
        ));
    }
    header.push((
        label(["Päiväys", "Datum", "Date"]),
        date(report.generated_at, lang),
    ));
    // The staff member's name came through a short text, which refuses identity codes; it
    // is checked again here because the document leaves the house.
    if !contains_identity_code(&report.answered_by) {
        header.push((
            label(["Vastauksen laatija", "Svaret upprättat av", "Answered by"]),
            report.answered_by.clone(),
        ));
    }
    header.push((
        label(["Tarkastelujakso", "Period", "Period covered"]),
        period(report),
    ));
    header
}

/// Who will receive data: each register's declared regular disclosures, its processors and
/// its on-request groups.
fn future_recipients(register: &Register, lang: Language, section: &mut Section) {
    let third_parties: Vec<String> = register
        .disclosures
        .iter()
        .map(|d| {
            let provisions = parts::provisions(lang, &d.provisions);
            let mut item = format!(
                "{}: {}",
                local(lang, &d.recipient_name),
                local(lang, &d.purpose)
            );
            if !provisions.is_empty() {
                item.push_str(&format!(" ({provisions})"));
            }
            item
        })
        .collect();
    if !third_parties.is_empty() {
        section.push(Block::Paragraph(
            pick(
                lang,
                [
                    "Säännönmukaiset luovutukset:",
                    "Regelbundna utlämnanden:",
                    "Regular disclosures:",
                ],
            )
            .to_owned(),
        ));
        section.push(Block::List(third_parties));
    }
    let processors: Vec<String> = register
        .processors
        .iter()
        .map(|p| {
            format!(
                "{}: {} ({})",
                local(lang, &p.name),
                local(lang, &p.service),
                parts::processor_data(lang, p)
            )
        })
        .collect();
    if !processors.is_empty() {
        section.push(Block::Paragraph(
            pick(
                lang,
                [
                    "Henkilötietojen käsittelijät, jotka käsittelevät tietoja rekisterinpitäjän \
                     lukuun:",
                    "Personuppgiftsbiträden som behandlar uppgifterna för den \
                     personuppgiftsansvariges räkning:",
                    "Processors, who process the data on the controller's behalf:",
                ],
            )
            .to_owned(),
        ));
        section.push(Block::List(processors));
    }
    let on_request: Vec<String> = register
        .on_request
        .iter()
        .map(|g| local(lang, &g.description).clone())
        .collect();
    if !on_request.is_empty() {
        section.push(Block::Paragraph(
            pick(
                lang,
                [
                    "Pyynnöstä tietoja voidaan luovuttaa niille, joilla on siihen laissa säädetty \
                     oikeus:",
                    "På begäran kan uppgifter lämnas ut till dem som har lagstadgad rätt till \
                     dem:",
                    "On request, data may be disclosed to those with a statutory right to them:",
                ],
            )
            .to_owned(),
        ));
        section.push(Block::List(on_request));
    }
}

/// The access report as a document.
pub fn subject_document(report: &SubjectReport) -> Document {
    let lang = report.language;
    let (code, page_word) = i18n::lang_code(lang);
    let t = |texts: [&'static str; 3]| pick(lang, texts).to_owned();
    let groups = report.groups();
    let several = report.registers.len() > 1;
    let mut sections = Vec::new();

    sections.push(
        Section::new(t(["Pyyntösi", "Din begäran", "Your request"])).paragraph(t([
            "Pyysit saada tietää, mitä henkilötietojasi käsittelemme ja kenelle niitä on \
         luovutettu (EU:n yleisen tietosuoja-asetuksen 15 artikla). Tässä vastauksessa \
         kerrotaan luovutukset, jotka luovutuslokimme osoittaa tarkastelujaksolta, sekä \
         tiedot käsittelystä, joihin sinulla on oikeus.",
            "Du har begärt att få veta vilka personuppgifter om dig vi behandlar och till vem de \
         har lämnats ut (artikel 15 i EU:s allmänna dataskyddsförordning). Detta svar \
         redogör för de utlämnanden som vår logg visar under perioden och för de uppgifter \
         om behandlingen som du har rätt att få.",
            "You asked which of your personal data we process and to whom they have been \
         disclosed (Article 15 of the EU General Data Protection Regulation). This answer \
         sets out the disclosures our disclosure log shows for the period covered and the \
         information on the processing you are entitled to.",
        ])),
    );

    let mut disclosed = Section::new(t([
        "Kenelle tietojasi on luovutettu",
        "Till vem dina uppgifter har lämnats ut",
        "To whom your data have been disclosed",
    ]));
    if groups.is_empty() {
        disclosed.push(Block::Paragraph(t([
            "Lokissa ei ole tietojesi luovutuksia tarkastelujaksolta.",
            "Loggen visar inga utlämnanden av dina uppgifter under perioden.",
            "The log shows no disclosures of your data in the period covered.",
        ])));
    } else {
        disclosed.push(Block::Paragraph(t([
            "Samanlaiset toistuvat luovutukset (sama vastaanottaja, tiedot, peruste ja \
             säännökset) on koottu yhdeksi kohdaksi.",
            "Likadana återkommande utlämnanden (samma mottagare, uppgifter, grund och \
             bestämmelser) har sammanförts till en punkt.",
            "Recurring disclosures of the same kind (same recipient, data, basis and \
             provisions) are shown as one item.",
        ])));
        for (n, group) in groups.iter().enumerate() {
            disclosed.push(Block::Subheading(format!(
                "{}. {}",
                n + 1,
                recipient(group.first(), lang)
            )));
            disclosed.push(Block::Fields(group_fields(group, lang)));
        }
    }
    sections.push(disclosed);

    let restricted = report.restriction_disclosed();
    if !restricted.is_empty() {
        // The decision's ground; a decision without one is explained by its reason.
        // Both are free text as the decision recorded them, so quoted.
        let mut grounds: Vec<&str> = restricted
            .iter()
            .map(|w| {
                w.ground
                    .as_deref()
                    .unwrap_or(&w.reason)
                    .trim_end_matches('.')
            })
            .collect();
        grounds.sort_unstable();
        grounds.dedup();
        let grounds = quoted(lang, &grounds.join("; "));
        sections.push(
            Section::new(t([
                "Tarkastusoikeuden rajoitus",
                "Begränsning av rätten till insyn",
                "Restriction of the right of access",
            ]))
            .paragraph(format!(
                "{} {grounds}.",
                t([
                    "Oikeuttasi saada tietoja on rajoitettu osittain (tietosuoja-asetuksen 23 \
                     artikla, tietosuojalain 1050/2018 34 §): kaikkia luovutuksia ei kerrota \
                     tässä vastauksessa. Rajoituksen syy päätöksen \
                     kirjauksen mukaan:",
                    "Din rätt till insyn har begränsats delvis (artikel 23 i \
                     dataskyddsförordningen, 34 § i dataskyddslagen 1050/2018): alla \
                     utlämnanden redovisas inte i detta svar. Skälet till begränsningen enligt \
                     beslutet, oöversatt:",
                    "Your right of access is restricted in part (GDPR Article 23, section 34 \
                     of the Data Protection Act 1050/2018): not every disclosure is shown in \
                     this answer. The reason for the restriction, as the decision records it \
                     (untranslated):",
                ])
            ))
            .paragraph(t([
                "Voit pyytää, että rajoitetut tiedot saatetaan tietosuojavaltuutetun \
                 tiedoksi (tietosuojalain 34 §). Tietosuojavaltuutetun yhteystiedot ovat \
                 jäljempänä.",
                "Du kan begära att de begränsade uppgifterna lämnas till dataombudsmannen \
                 (34 § i dataskyddslagen). Dataombudsmannens kontaktuppgifter finns nedan.",
                "You may ask for the restricted information to be passed to the Data \
                 Protection Ombudsman (section 34 of the Data Protection Act). The \
                 Ombudsman's contact details are below.",
            ])),
        );
    }

    if !report.registers.is_empty() {
        let mut future = Section::new(t([
            "Kenelle tietoja luovutetaan jatkossa",
            "Till vem uppgifter lämnas ut framöver",
            "To whom data will be disclosed",
        ]));
        for register in &report.registers {
            if several {
                future.push(Block::Subheading(local(lang, &register.name).clone()));
            }
            future_recipients(register, lang, &mut future);
        }
        sections.push(future);

        let mut purposes = Section::new(t([
            "Käsittelyn tarkoitukset",
            "Ändamålen med behandlingen",
            "Purposes of the processing",
        ]));
        let mut categories = Section::new(t([
            "Käsiteltävät henkilötiedot",
            "Personuppgifter som behandlas",
            "Categories of personal data",
        ]));
        let mut retention = Section::new(t(["Säilytysaika", "Lagringstid", "Retention period"]));
        for register in &report.registers {
            if several {
                let name = local(lang, &register.name).clone();
                purposes.push(Block::Subheading(name.clone()));
                categories.push(Block::Subheading(name.clone()));
                retention.push(Block::Subheading(name));
            }
            purposes.push(Block::List(local(lang, &register.purposes).clone()));
            categories.push(Block::List(
                register
                    .data_categories
                    .iter()
                    .map(|c| i18n::category(lang, c).to_owned())
                    .collect(),
            ));
            retention.push(Block::Paragraph(local(lang, &register.retention).clone()));
        }
        sections.extend([purposes, categories, retention]);

        let mut sources = Section::new(t([
            "Mistä tiedot saadaan",
            "Varifrån uppgifterna kommer",
            "Where the data come from",
        ]));
        let mut automated = Section::new(t([
            "Automaattinen päätöksenteko ja profilointi",
            "Automatiserat beslutsfattande och profilering",
            "Automated decision-making and profiling",
        ]));
        let mut joint = Section::new(t([
            "Yhteisrekisterinpitäjät",
            "Gemensamt personuppgiftsansvariga",
            "Joint controllers",
        ]));
        for register in &report.registers {
            if several {
                let name = local(lang, &register.name).clone();
                sources.push(Block::Subheading(name.clone()));
                automated.push(Block::Subheading(name));
            }
            let from = local(lang, &register.sources);
            if !from.is_empty() {
                sources.push(Block::List(from.clone()));
            }
            let statement = local(lang, &register.automated_decisions);
            if !statement.is_empty() {
                automated.push(Block::Paragraph(statement.clone()));
            }
            if let Some(arrangement) = parts::joint_arrangement(lang, register) {
                joint.push(Block::Paragraph(arrangement));
            }
        }
        for section in [sources, automated, joint] {
            if section
                .blocks
                .iter()
                .any(|b| !matches!(b, Block::Subheading(_)))
            {
                sections.push(section);
            }
        }

        let transfers: Vec<String> = report
            .registers
            .iter()
            .flat_map(|r| r.third_country_transfers.iter().cloned())
            .collect();
        let mut abroad = Section::new(t([
            "Siirrot EU:n ja ETA:n ulkopuolelle",
            "Överföringar utanför EU och EES",
            "Transfers outside the EU/EEA",
        ]));
        if transfers.is_empty() {
            abroad.push(Block::Paragraph(t([
                "Tietojasi ei siirretä EU:n tai Euroopan talousalueen ulkopuolelle.",
                "Dina uppgifter överförs inte utanför EU eller Europeiska ekonomiska \
                 samarbetsområdet.",
                "Your data are not transferred outside the EU or the European Economic Area.",
            ])));
        } else {
            abroad.push(Block::List(transfers));
        }
        sections.push(abroad);
    }

    let mut rights = Section::new(t(["Oikeutesi", "Dina rättigheter", "Your rights"]));
    rights.push(Block::Paragraph(t([
        "Sinulla on tietosuoja-asetuksen mukaan myös",
        "Enligt dataskyddsförordningen har du också",
        "Under the GDPR you also have",
    ])));
    let [a, b, c, d, contact] = i18n::rights(lang);
    rights.push(Block::List(
        [a, b, c, d].iter().map(|s| s.to_string()).collect(),
    ));
    rights.push(Block::Paragraph(contact.to_owned()));
    sections.push(rights);
    sections.push(
        Section::new(t([
            "Oikeus tehdä valitus tietosuojavaltuutetulle",
            "Rätt att klaga hos dataombudsmannen",
            "Right to lodge a complaint with the Data Protection Ombudsman",
        ]))
        .paragraph(i18n::ombudsman(lang)),
    );

    if !groups.is_empty() {
        let mut annex = Section::new(t([
            "Liite: luovutusten lokimerkinnät",
            "Bilaga: utlämnandenas loggposter",
            "Annex: log entries of the disclosures",
        ]));
        annex.annex = true;
        annex.push(Block::Note(t([
            "Jokainen luovutus on kirjattu muuttumattomaan, allekirjoitettuun lokiin. \
             Merkinnän numerolla rekisterinpitäjä voi osoittaa, että kirjaus on lokissa \
             muuttumattomana.",
            "Varje utlämnande har förts in i en oföränderlig, signerad logg. Med postens \
             nummer kan den personuppgiftsansvarige visa att posten finns oförändrad i loggen.",
            "Every disclosure is recorded in an append-only, signed log. With an entry's \
             number the controller can prove that the entry is in the log unchanged.",
        ])));
        annex.push(Block::Table(Table {
            headers: vec![
                t(["Kohta", "Punkt", "Item"]),
                t(["Lokimerkinnät", "Loggposter", "Log entries"]),
            ],
            rows: groups
                .iter()
                .enumerate()
                .map(|(n, g)| {
                    vec![
                        (n + 1).to_string(),
                        id_runs(g.entries.iter().map(|e| e.entry_id)),
                    ]
                })
                .collect(),
            small: true,
        }));
        sections.push(annex);
    }

    Document {
        lang: code,
        title: t([
            "Vastaus henkilötietojen tarkastuspyyntöön",
            "Svar på begäran om tillgång till personuppgifter",
            "Response to your request for access to personal data",
        ]),
        header: header(report),
        sections,
        page_word,
        date: report.generated_at,
    }
}

/// The report as plain text.
pub fn render_text(report: &SubjectReport) -> String {
    subject_document(report).to_text()
}

/// The report as a self-contained HTML document.
pub fn render_html(report: &SubjectReport) -> String {
    subject_document(report).to_html()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_micros(seconds * 1_000_000).unwrap()
    }

    #[test]
    fn months_are_shown_as_runs() {
        // 15th of Jan..Dec 2025 and Jan, Feb, Apr 2026, Finnish time.
        let mut times: Vec<Timestamp> =
            (0..12).map(|m| at(1_736_899_200 + m * 2_629_746)).collect();
        times.push(at(1_768_435_200)); // 15.1.2026
        times.push(at(1_771_113_600)); // 15.2.2026
        times.push(at(1_776_211_200)); // 15.4.2026
        assert_eq!(months(&times), "1/2025–2/2026, 4/2026");
        assert_eq!(months(&times[..12]), "1–12/2025");
    }

    #[test]
    fn entry_ids_are_shown_as_runs() {
        assert_eq!(id_runs([7, 3, 4, 5, 9]), "3–5, 7, 9");
    }
}
