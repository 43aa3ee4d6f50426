//! Requests built from the seeds' disclosures, and synthetic identity codes.

use luovutusloki::grpc::proto::{
    self, Channel, DataCategory, LegalBasis, LegalProvision, ProvisionKind, Recipient,
    RecipientIdType, RecipientKind, RecordDisclosureRequest,
};
use prost_types::Timestamp;

/// Kokkolan kaupunki, controller of the employment services register (seed 002).
pub const KOKKOLA: &str = "0179377-8";

/// KEHA-keskus, joint controller of the employment services register (seed 002).
pub const KEHA: &str = "2296962-1";

/// An EXAMPLE business ID: a valid check digit on an arbitrary number, no real party's.
pub fn example_business_id(number: u32) -> String {
    let digits: Vec<u32> = format!("{:07}", number % 10_000_000)
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .collect();
    let sum: u32 = digits
        .iter()
        .zip([7, 9, 10, 5, 8, 4, 2])
        .map(|(d, w)| d * w)
        .sum();
    match sum % 11 {
        0 => format!("{:07}-0", number % 10_000_000),
        1 => example_business_id(number + 1),
        r => format!("{:07}-{}", number % 10_000_000, 11 - r),
    }
}

/// The controller used for the KOKO fund in tests (an example ID; the seed gives none).
pub fn koko() -> String {
    example_business_id(1_234_567)
}

/// A synthetic temporary identity code (individual number 900–999), unique for `n` below
/// 3,650,000: temporary codes are never a real person's permanent code.
pub fn hetu(n: u32) -> String {
    const CHECK: &[u8] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let individual = 900 + n % 100;
    let day = n / 100;
    let date = time::Date::from_calendar_date(1950, time::Month::January, 1).unwrap()
        + time::Duration::days(i64::from(day));
    let (year, month, dom) = (date.year(), u8::from(date.month()), date.day());
    let sign = if year < 2000 { '-' } else { 'A' };
    let number: u32 = format!("{dom:02}{month:02}{:02}{individual:03}", year % 100)
        .parse()
        .unwrap();
    format!(
        "{dom:02}{month:02}{:02}{sign}{individual:03}{}",
        year % 100,
        CHECK[(number % 31) as usize] as char
    )
}

/// `n` distinct synthetic identity codes starting from `first`.
pub fn hetus(first: u32, n: u32) -> Vec<String> {
    (first..first + n).map(hetu).collect()
}

pub fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

/// 2026-10-05T09:00:00Z.
pub const OCTOBER_2026: i64 = 1_791_190_800;

pub fn statute(number: &str, chapter: u32, section: &str, subsection: u32) -> LegalProvision {
    LegalProvision {
        kind: ProvisionKind::FinnishStatute.into(),
        number: number.into(),
        chapter,
        section: section.into(),
        subsection,
        ..Default::default()
    }
}

/// The Tax Administration, which also runs the Incomes Register (business ID: the example
/// the shipped catalogue gives it).
pub fn incomes_register() -> Recipient {
    Recipient {
        id_type: RecipientIdType::BusinessId.into(),
        identifier: example_business_id(9_990_008),
        name: "Verohallinto, tulorekisteriyksikkö".into(),
        kind: RecipientKind::Authority.into(),
        country: "FI".into(),
    }
}

/// The KOKO fund's monthly benefit payment report to the Incomes Register (seed 000).
pub fn income_register_submission(
    transfer_id: &str,
    subjects: Vec<String>,
) -> RecordDisclosureRequest {
    RecordDisclosureRequest {
        controller_id: koko(),
        transfer_id: transfer_id.into(),
        occurred_at: at(OCTOBER_2026),
        register_id: "koko-jasen-ja-maksurekisteri".into(),
        recipient: Some(incomes_register()),
        legal_basis: LegalBasis::LegalObligation.into(),
        special_category_condition: 0,
        provisions: vec![
            statute("53/2018", 0, "6", 0),
            statute("1290/2002", 13, "1", 2),
        ],
        data_categories: vec![
            DataCategory::Identity.into(),
            DataCategory::BenefitPayment.into(),
            DataCategory::IncomeAndTax.into(),
        ],
        purpose: "Etuusmaksujen ilmoittaminen tulorekisteriin".into(),
        channel: Channel::IncomesRegister.into(),
        source_system: "maksatus".into(),
        consent_reference: String::new(),
        requester_reference: String::new(),
        withholding: None,
        subjects,
        safety_protected_subjects: vec![],
    }
}

/// The KOKO fund's disclosure of a member's payments to the police on request, for a
/// pre-trial investigation (withheld from the member by the tests that need it).
pub fn to_pre_trial_investigation(transfer_id: &str, subject: String) -> RecordDisclosureRequest {
    let mut police = income_register_submission(transfer_id, vec![subject]);
    let recipient = police.recipient.as_mut().unwrap();
    recipient.id_type = RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "Poliisi".into();
    police.requester_reference = "POL-2026-77".into();
    police.provisions = vec![statute("872/2011", 4, "3", 0)];
    police.purpose = "Esitutkinta".into();
    police
}

/// A disclosure of health data to an employment service provider, which the customer's
/// specific written consent allows (seed 002).
pub fn health_data_to_service_provider(
    transfer_id: &str,
    subject: String,
) -> RecordDisclosureRequest {
    RecordDisclosureRequest {
        controller_id: KOKKOLA.into(),
        transfer_id: transfer_id.into(),
        occurred_at: at(OCTOBER_2026 + 86_400),
        register_id: "kokkola-tyollisyyspalvelut".into(),
        recipient: Some(Recipient {
            id_type: RecipientIdType::BusinessId.into(),
            identifier: example_business_id(7_654_321),
            name: "Esimerkkivalmennus Oy".into(),
            kind: RecipientKind::ServiceProvider.into(),
            country: "FI".into(),
        }),
        legal_basis: LegalBasis::Consent.into(),
        special_category_condition: proto::SpecialCategoryCondition::ExplicitConsent.into(),
        provisions: vec![statute("380/2023", 0, "", 0)],
        data_categories: vec![
            DataCategory::Identity.into(),
            DataCategory::HealthAndWorkAbility.into(),
        ],
        purpose: "Työkyvyn huomioiminen työllistymistä tukevassa palvelussa".into(),
        channel: Channel::Email.into(),
        source_system: "asiakastietojarjestelma".into(),
        consent_reference: "suostumus-2026-0042".into(),
        requester_reference: String::new(),
        withholding: None,
        subjects: vec![subject],
        safety_protected_subjects: vec![],
    }
}

/// The context of a lookup by identity code: a staff member answering an access request.
pub fn access_case() -> Option<proto::LookupContext> {
    Some(proto::LookupContext {
        requested_by: "kasittelija-17".into(),
        case_reference: "TAR-2026-0042".into(),
    })
}

/// The fields an INVALID_ARGUMENT names, in order.
pub fn bad_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// A customer's specific written consent to disclose identity and health data to employment
/// service providers, given the day before `health_data_to_service_provider` happens (seed 002).
pub fn service_provider_consent(
    controller: &str,
    reference: &str,
    subject: String,
) -> proto::RecordConsentRequest {
    proto::RecordConsentRequest {
        controller_id: controller.into(),
        reference: reference.into(),
        subject,
        scope: Some(proto::ConsentScope {
            recipient_kind: RecipientKind::ServiceProvider.into(),
            recipient_id: String::new(),
            data_categories: vec![
                DataCategory::Identity.into(),
                DataCategory::HealthAndWorkAbility.into(),
            ],
            purpose: "Työkyvyn huomioiminen työllistymistä tukevassa palvelussa".into(),
        }),
        given_at: at(OCTOBER_2026),
        valid_until: None,
        document_reference: "ASIAKIRJA-2026-118".into(),
    }
}
