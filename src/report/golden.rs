//! The golden documents in `tests/golden/`: the access report of a KOKO member and the Art. 30
//! record of every shipped register, in Finnish, Swedish and English, as HTML, text and PDF.
//! A PDF is compared twice: its laid-out text (`.pdf.txt`, what a reader sees) and its bytes
//! (the same document always gives the same file). `UPDATE_GOLDEN=1` rewrites them all.

use std::path::PathBuf;

use time::{Date, Month};

use super::document::{Block, Document};
use super::pdf::{layout, to_pdf};
use super::{
    ReportRequest, SubjectReport, annex_document, processing_record, record_document,
    subject_document, subject_report,
};
use crate::catalogue::Catalogue;
use crate::domain::finnish_time::start_of_finnish_day;
use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Channel, Classification, Country, DataCategories, DataCategory, DisclosureDetails,
    Hetu, LegalBasis, LegalProvision, LongText, LookupContext, Period, Recipient, RecipientIdType,
    RecipientIdentifier, RecipientKind, RegisterId, ShortText, StoredDisclosure, SubjectDisclosure,
    Timestamp, TransferId, Withholding, WithholdingInForce,
};

const LANGUAGES: [(Language, &str); 3] = [
    (Language::Fi, "fi"),
    (Language::Sv, "sv"),
    (Language::En, "en"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalogue() -> Catalogue {
    Catalogue::load(&root().join("examples/registers")).expect("the shipped catalogues load")
}

/// Compares `actual` with the golden file `name`; `UPDATE_GOLDEN=1` rewrites it first.
fn golden(name: &str, actual: &[u8]) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        actual == expected.as_slice(),
        "{name} differs from its golden file; if the change is meant, rewrite it with \
         UPDATE_GOLDEN=1 and read the result"
    );
}

/// The document as HTML, text and PDF (laid-out text and bytes) under `stem`.
fn golden_formats(stem: &str, document: &Document) {
    golden(&format!("{stem}.html"), document.to_html().as_bytes());
    golden(&format!("{stem}.txt"), document.to_text().as_bytes());
    golden(&format!("{stem}.pdf.txt"), layout(document).as_bytes());
    golden(
        &format!("{stem}.pdf"),
        &to_pdf(document).expect("a valid PDF/A"),
    );
}

/// `hour` o'clock Finnish time on `day`.
fn at(year: i32, month: u8, day: u8, hour: i64) -> Timestamp {
    let date = Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).unwrap();
    Timestamp::from_micros(start_of_finnish_day(date).micros() + hour * 3_600_000_000).unwrap()
}

fn recipient(id: Option<&str>, name: &str, kind: RecipientKind) -> Recipient {
    let identifier = match id {
        Some(id) => RecipientIdentifier::parse(RecipientIdType::BusinessId, id).unwrap(),
        None => RecipientIdentifier::parse(RecipientIdType::None, "").unwrap(),
    };
    Recipient {
        identifier,
        name: ShortText::parse(name).unwrap(),
        kind,
        country: Country::parse("FI").unwrap(),
    }
}

struct Made {
    entry_id: i64,
    occurred_at: Timestamp,
    recipient: Recipient,
    provisions: &'static [&'static str],
    categories: &'static [DataCategory],
    purpose: &'static str,
    channel: Channel,
    requester_reference: Option<&'static str>,
    withholding: Option<(Timestamp, &'static str)>,
    classification: Classification,
}

fn disclosure(made: Made) -> SubjectDisclosure {
    let details = DisclosureDetails {
        controller: BusinessId::parse("1234567-1").unwrap(),
        transfer_id: TransferId::parse(&format!("koko-{}", made.entry_id)).unwrap(),
        occurred_at: made.occurred_at,
        register: RegisterId::parse("koko-jasen-ja-maksurekisteri").unwrap(),
        recipient: made.recipient,
        legal_basis: LegalBasis::LegalObligation,
        special_condition: None,
        provisions: made
            .provisions
            .iter()
            .map(|p| LegalProvision::parse_canonical(p).unwrap())
            .collect(),
        data_categories: DataCategories::new(made.categories.iter().copied()).unwrap(),
        purpose: LongText::parse(made.purpose).unwrap(),
        channel: made.channel,
        source_system: ShortText::parse("maksatus").unwrap(),
        consent_reference: None,
        requester_reference: made
            .requester_reference
            .map(|r| ShortText::parse(r).unwrap()),
        withholding: made.withholding.map(|(until, reason)| Withholding {
            until,
            reason: LongText::parse(reason).unwrap(),
        }),
    };
    SubjectDisclosure {
        entry_id: made.entry_id,
        disclosure: StoredDisclosure {
            id: made.entry_id,
            details,
            recorded_at: made.occurred_at,
            subject_count: 1,
            first_entry_id: made.entry_id,
            classification: made.classification,
        },
    }
}

/// A KOKO member over 2025–2026: the fund's monthly reports to the Incomes Register, one
/// disclosure to the Finnish Centre for Pensions, one to an enforcement authority on its
/// request, and one to a pre-trial investigation that is still withheld.
/// With `concealed`, the withholding's ground says that even its existence may not be told.
pub(super) fn koko_member(language: Language, concealed: bool) -> SubjectReport {
    member_since(2025, 24, language, concealed)
}

/// The KOKO member's report with `extra` disclosures besides.
fn koko_member_with(language: Language, extra: Vec<SubjectDisclosure>) -> SubjectReport {
    member_with(2025, 24, language, false, extra)
}

/// The member's monthly reports for `months` months from January of `first_year` on (the
/// period starts then), besides the other three disclosures.
fn member_since(
    first_year: i32,
    months: i32,
    language: Language,
    concealed: bool,
) -> SubjectReport {
    member_with(first_year, months, language, concealed, Vec::new())
}

fn member_with(
    first_year: i32,
    months: i32,
    language: Language,
    concealed: bool,
    extra: Vec<SubjectDisclosure>,
) -> SubjectReport {
    use DataCategory::*;
    let incomes_register = recipient(
        Some("9990008-3"),
        "Verohallinto, tulorekisteriyksikkö",
        RecipientKind::Authority,
    );
    let mut found: Vec<SubjectDisclosure> = (0..months)
        .map(|n| {
            let (year, month) = (first_year + n / 12, (n % 12) as u8 + 1);
            disclosure(Made {
                // Each month's report is one batch of tens of thousands of members.
                entry_id: 100_000 + i64::from(n) * 41_250,
                occurred_at: at(year, month, 5, 9),
                recipient: incomes_register.clone(),
                provisions: &["53/2018", "1290/2002"],
                categories: &[Identity, BenefitPayment, IncomeAndTax],
                purpose: "Etuusmaksujen ilmoittaminen tulorekisteriin",
                channel: Channel::IncomesRegister,
                requester_reference: None,
                withholding: None,
                classification: Classification::Declared,
            })
        })
        .collect();
    found.push(disclosure(Made {
        entry_id: 512_345,
        occurred_at: at(2025, 9, 12, 14),
        recipient: recipient(
            Some("9990009-1"),
            "Eläketurvakeskus",
            RecipientKind::PensionInstitution,
        ),
        provisions: &["1290/2002"],
        categories: &[Identity, BenefitPayment],
        purpose: "Ansaintarekisterin ylläpito",
        channel: Channel::SuomiFiXRoad,
        requester_reference: None,
        withholding: None,
        classification: Classification::Declared,
    }));
    found.push(disclosure(Made {
        entry_id: 731_002,
        occurred_at: at(2026, 2, 17, 11),
        recipient: recipient(None, "Ulosottolaitos", RecipientKind::Authority),
        provisions: &["705/2007 3:64"],
        categories: &[Identity, BenefitPayment, BankAccount],
        purpose: "Ulosottoasian selvittäminen",
        channel: Channel::SuomiFiXRoad,
        requester_reference: Some("UO/2026/48213"),
        withholding: None,
        classification: Classification::OnRequest,
    }));
    found.push(disclosure(Made {
        entry_id: 802_777,
        occurred_at: at(2026, 10, 2, 13),
        recipient: recipient(None, "Poliisi, esitutkinta", RecipientKind::Authority),
        provisions: &["621/1999 26"],
        categories: &[Identity, BenefitPayment],
        purpose: "Esitutkinta",
        channel: Channel::SuomiFiXRoad,
        requester_reference: Some("5500/R/12345/26"),
        withholding: Some((
            at(2027, 6, 30, 0),
            "Esitutkinta, tietopyyntö 5500/R/12345/26",
        )),
        classification: Classification::OnRequest,
    }));
    found.extend(extra);
    found.sort_by_key(|f| (f.disclosure.details.occurred_at, f.entry_id));
    let request = ReportRequest {
        controller: BusinessId::parse("1234567-1").unwrap(),
        subject: Hetu::parse("131052-308T").unwrap(),
        period: Period {
            from: Some(at(first_year, 1, 1, 0)),
            to: Some(at(2027, 1, 1, 0)),
        },
        language,
        context: LookupContext {
            requested_by: ShortText::parse("Maija Käsittelijä").unwrap(),
            case_reference: ShortText::parse("KOKO/TAR/2026/0042").unwrap(),
        },
        received: Some(Date::from_calendar_date(2026, Month::November, 9).unwrap()),
    };
    // The pre-trial disclosure's withholding as decided when it was recorded: its ground may
    // be told, its existence need not be concealed.
    let decided = |d: &StoredDisclosure, now: Timestamp| {
        d.details
            .withholding
            .as_ref()
            .filter(|w| w.until > now)
            .map(|w| WithholdingInForce {
                until: w.until,
                reason: w.reason.to_string(),
                ground: Some(PRE_TRIAL_GROUND.to_owned()),
                conceal_existence: concealed,
            })
    };
    subject_report(request, found, decided, &catalogue(), at(2026, 11, 24, 10))
}

const PRE_TRIAL_GROUND: &str =
    "esitutkinta on kesken, ja tiedon antaminen voisi vaarantaa rikoksen selvittämisen";

#[test]
fn the_koko_member_report_reads_as_its_golden_files_in_every_language_and_format() {
    for (language, code) in LANGUAGES {
        let document = subject_document(&koko_member(language, false));
        golden_formats(&format!("subject-koko.{code}"), &document);
    }
}

#[test]
fn ten_years_of_monthly_reports_are_one_item_and_the_document_stays_a_few_pages() {
    let report = member_since(2017, 120, Language::Fi, false);

    let groups = report.groups();
    let text = subject_document(&report).to_text();
    let pages = layout(&subject_document(&report))
        .lines()
        .filter(|l| l.starts_with("--- "))
        .count();

    assert_eq!(report.entries.len(), 122);
    assert_eq!(groups.len(), 3);
    assert_eq!(groups[0].entries.len(), 120);
    assert!(text.contains("Luovutuskerrat: 120"));
    assert!(text.contains("kuukaudet: 1/2017–12/2026"));
    assert!(pages <= 6, "{pages} pages");
}

#[test]
fn a_restriction_whose_existence_may_not_be_told_leaves_no_trace_and_no_total() {
    for (language, _) in LANGUAGES {
        let told = subject_document(&koko_member(language, false));
        let concealed = subject_document(&koko_member(language, true));

        assert!(told.to_text().contains(PRE_TRIAL_GROUND));
        assert!(!concealed.to_text().contains(PRE_TRIAL_GROUND));
        // Exactly the restriction notice is gone; nothing else differs, so no total or
        // count betrays the concealed disclosure.
        let notice: Vec<_> = told
            .sections
            .iter()
            .filter(|s| !concealed.sections.contains(s))
            .collect();
        assert_eq!(notice.len(), 1);
        assert!(format!("{:?}", notice[0]).contains(PRE_TRIAL_GROUND));
        let mut without_notice = told.clone();
        without_notice.sections.retain(|s| s != notice[0]);
        assert_eq!(without_notice, concealed);
    }
}

/// The item of the report's disclosures to `recipient` (recorded name), as text.
fn item_of(report: &SubjectReport, recorded_name: &str) -> String {
    let document = subject_document(report);
    let blocks = &document.sections[1].blocks;
    let at = blocks
        .iter()
        .position(|b| matches!(b, Block::Subheading(h) if h.contains(recorded_name)))
        .unwrap_or_else(|| panic!("no item for {recorded_name}: {blocks:?}"));
    format!("{:?}", &blocks[at..=at + 1])
}

#[test]
fn a_disclosure_on_request_shows_its_group_and_purpose_in_the_reports_language() {
    let expected = [
        (
            "Ulosottoviranomaiset: Ulosottolaitos",
            "Vastaanottajan lakisääteisen",
        ),
        (
            "Utsökningsmyndigheter: Ulosottolaitos",
            "Fullgörandet av mottagarens",
        ),
        (
            "Enforcement authorities: Ulosottolaitos",
            "Carrying out the recipient's",
        ),
    ];
    for ((language, _), (heading, purpose)) in LANGUAGES.into_iter().zip(expected) {
        let item = item_of(&koko_member(language, false), "Ulosottolaitos");

        assert!(item.contains(heading), "{item}");
        assert!(item.contains(purpose), "{item}");
        assert!(!item.contains("Ulosottoasian selvittäminen"), "{item}");
    }
}

#[test]
fn an_undeclared_disclosure_quotes_its_recorded_purpose_under_a_label_in_the_reports_language() {
    let undeclared = disclosure(Made {
        entry_id: 900_001,
        occurred_at: at(2026, 3, 3, 10),
        recipient: recipient(
            None,
            "Asianajotoimisto Esimerkki",
            RecipientKind::ServiceProvider,
        ),
        provisions: &["1290/2002"],
        categories: &[DataCategory::Identity],
        purpose: "Perintäasian hoitaminen",
        channel: Channel::SuomiFiXRoad,
        requester_reference: None,
        withholding: None,
        classification: Classification::Undeclared,
    });
    let expected = [
        "kirjauksen mukaan: ”Perintäasian hoitaminen”",
        "enligt registreringen, oöversatt: ”Perintäasian hoitaminen”",
        "as recorded, untranslated: “Perintäasian hoitaminen”",
    ];
    for ((language, _), quoted) in LANGUAGES.into_iter().zip(expected) {
        let report = koko_member_with(language, vec![undeclared.clone()]);

        let item = item_of(&report, "Asianajotoimisto Esimerkki");

        assert!(item.contains(quoted), "{item}");
    }
}

#[test]
fn a_disclosure_on_request_to_groups_the_catalogue_cannot_tell_apart_names_no_group_but_their_shared_purpose()
 {
    // KOKO's authority groups other than enforcement name no provisions: a request citing the
    // Openness Act falls within each of them alike.
    let police = disclosure(Made {
        entry_id: 900_002,
        occurred_at: at(2026, 4, 7, 10),
        recipient: recipient(None, "Poliisi", RecipientKind::Authority),
        provisions: &["621/1999 26"],
        categories: &[DataCategory::Identity],
        purpose: "Poliisin tietopyyntö",
        channel: Channel::SuomiFiXRoad,
        requester_reference: Some("POL/2026/1"),
        withholding: None,
        classification: Classification::OnRequest,
    });

    let report = koko_member_with(Language::Sv, vec![police]);
    let item = item_of(&report, "Poliisi");

    assert!(item.contains("Poliisi (myndighet)"), "{item}");
    assert!(
        item.contains("Fullgörandet av mottagarens lagstadgade uppgift"),
        "{item}"
    );
    assert!(!item.contains("Poliisin tietopyyntö"), "{item}");
}

#[test]
fn the_record_of_each_shipped_register_reads_as_its_golden_files() {
    let catalogue = catalogue();
    assert!(catalogue.len() >= 5, "the shipped registers are read");
    let generated_at = at(2026, 11, 24, 10);
    let days = (
        Date::from_calendar_date(2026, Month::January, 1).unwrap(),
        Date::from_calendar_date(2026, Month::October, 31).unwrap(),
    );
    for register in catalogue.registers() {
        let record = processing_record(register.clone(), &[], days, generated_at);
        for (language, code) in LANGUAGES {
            let stem = format!("art30-{}.{code}", register.id);
            golden_formats(&stem, &record_document(&record, language));
        }
        golden(
            &format!("art30-{}.csv", register.id),
            super::to_csv(&record).as_bytes(),
        );
    }
}

/// KOKO's record of January–October 2026, a period with no disclosures logged.
fn koko_record_without_disclosures() -> super::ProcessingRecord {
    let catalogue = catalogue();
    let register = catalogue
        .get(&RegisterId::parse("koko-jasen-ja-maksurekisteri").unwrap())
        .unwrap();
    let days = (
        Date::from_calendar_date(2026, Month::January, 1).unwrap(),
        Date::from_calendar_date(2026, Month::October, 31).unwrap(),
    );
    processing_record(register.clone(), &[], days, at(2026, 11, 24, 10))
}

#[test]
fn the_audit_annex_is_a_document_of_its_own() {
    let record = koko_record_without_disclosures();
    let annex = annex_document(&record, Language::Fi).to_text();
    let main = record_document(&record, Language::Fi).to_text();
    assert!(annex.contains("Liite sisäiseen valvontaan"));
    assert!(annex.contains("Ilmoitetut luovutukset, joita ei tehty jaksolla"));
    assert!(!main.contains("Liite sisäiseen valvontaan"));
    assert!(!main.contains("havaitut"));
}

#[test]
fn the_audit_annex_names_unused_declarations_in_its_own_language() {
    let record = koko_record_without_disclosures();

    let annex = annex_document(&record, Language::Sv).to_text();

    assert!(
        annex.contains("Pensionsskyddscentralen (pensionsanstalt)"),
        "{annex}"
    );
    assert!(!annex.contains("Eläketurvakeskus"), "{annex}");
    assert!(!annex.contains("pension_institution"), "{annex}");
}
