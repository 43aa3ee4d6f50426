//! Synthetic data for the benchmark: identity codes numbered 0.. (so preload and lookups agree
//! on which people exist), the business ID check digit, and the record request sent.
//!
//! The identity code and business ID rules are the public ones (the Population Information
//! Act's and the Business Information System's), written out here for the few things the
//! benchmark needs: it does not link the service, whose parsers the tests do not see either,
//! so the tests check the codes against the rules written out once more, plainly.

use std::time::{SystemTime, UNIX_EPOCH};

use prost_types::Timestamp;
use time::Date;
use time::macros::date;

use crate::proto::{
    Channel, DataCategory, LegalBasis, LegalProvision, ProvisionKind, Recipient, RecipientIdType,
    RecipientKind, RecordDisclosureRequest,
};

/// Check characters indexed by `DDMMYYZZZ mod 31`.
const CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
/// The century signs of the 1900s: since 2023 each of them makes a different person.
const SIGNS_1900S: &[u8; 6] = b"-YXWVU";
/// Birth dates run over the whole of the 1900s, so every date is in the past.
const FIRST_DAY: Date = date!(1900 - 01 - 01);
/// Days from 1900-01-01 to 1999-12-31 inclusive (1900 is no leap year).
const DAYS: u64 = 36_524;
/// Temporary individual numbers 900–999: never a real person's permanent code.
const INDIVIDUALS: u64 = 100;

/// How many distinct codes [`identity_code`] makes: 100 individual numbers × 36,524 dates
/// × 6 century signs = 21,914,400.
pub const CAPACITY: u64 = INDIVIDUALS * DAYS * SIGNS_1900S.len() as u64;

/// The `n`th synthetic temporary identity code (`n < CAPACITY`); distinct `n` give distinct
/// codes, and every code is valid.
pub fn identity_code(n: u64) -> String {
    assert!(
        n < CAPACITY,
        "identity code number {n} is beyond {CAPACITY}"
    );
    let individual = 900 + n % INDIVIDUALS;
    let rest = n / INDIVIDUALS;
    let sign = char::from(SIGNS_1900S[(rest / DAYS) as usize]);
    let day = (rest % DAYS) as i32;
    let birth =
        Date::from_julian_day(FIRST_DAY.to_julian_day() + day).expect("a day within the 1900s");
    let (dd, mm, yy) = (
        u64::from(birth.day()),
        u64::from(u8::from(birth.month())),
        (birth.year() % 100) as u64,
    );
    let number = ((dd * 100 + mm) * 100 + yy) * 1000 + individual;
    let check = char::from(CHECK_CHARS[(number % 31) as usize]);
    format!("{dd:02}{mm:02}{yy:02}{sign}{individual:03}{check}")
}

/// The codes of subjects `first..first + count` out of `population` people: subject `n`
/// is code `n % population`.
pub fn identity_codes(first: u64, count: u64, population: u64) -> Vec<String> {
    (first..first + count)
        .map(|n| identity_code(n % population))
        .collect()
}

/// This time of day, `days` days ago.
pub fn days_before_now(days: u64) -> Timestamp {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    Timestamp {
        seconds: now.as_secs() as i64 - (days * 86_400) as i64,
        nanos: 0,
    }
}

/// A well-mixed 64-bit value of `x` (the SplitMix64 finaliser): random choices that need no
/// state and no random-number crate.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The check digit of the seven-digit business ID number `number`, or `None` for the numbers
/// whose weighted sum leaves remainder 1 (never issued).
pub fn business_id_check_digit(number: u32) -> Option<u32> {
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let digits = format!("{:07}", number % 10_000_000);
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match sum % 11 {
        0 => Some(0),
        1 => None,
        r => Some(11 - r),
    }
}

/// `id` in the normalised form `NNNNNNN-C` (the old six-digit form `NNNNNN-C` gets its
/// leading zero, as the server stores it), or why it is not a business ID.
pub fn normalise_business_id(id: &str) -> Result<String, &'static str> {
    let (number, check) = id
        .split_once('-')
        .filter(|(number, check)| {
            (6..=7).contains(&number.len())
                && check.len() == 1
                && number
                    .bytes()
                    .chain(check.bytes())
                    .all(|b| b.is_ascii_digit())
        })
        .ok_or("must be seven digits, a hyphen and a check digit")?;
    let number: u32 = number.parse().expect("six or seven ASCII digits");
    match business_id_check_digit(number) {
        None => Err("remainder 1 is never issued"),
        Some(digit) if check.parse() == Ok(digit) => Ok(format!("{number:07}-{digit}")),
        Some(_) => Err("check digit does not match"),
    }
}

/// The default controller: the sequential example number 1234567 with its check digit (the
/// weighted sum is 153, remainder 10, check digit 1). Not a real party's.
pub const DEFAULT_CONTROLLER: &str = "1234567-1";

/// The recipient's business ID: an EXAMPLE standing for the Tax Administration, which runs
/// the Incomes Register. No seed gives it; a deployment configures real recipients.
const TAX_ADMINISTRATION: &str = "9990008-3";

/// The register the benchmark records into (seed 000's, in `examples/registers`).
pub const REGISTER: &str = "koko-jasen-ja-maksurekisteri";

/// Recipients the benchmark's disclosures go to, as a benefit fund's do (business IDs:
/// EXAMPLES, as in `examples/registers/koko-jasen-ja-maksurekisteri.toml`).
const RECIPIENTS: [(&str, &str, RecipientKind); 5] = [
    (
        TAX_ADMINISTRATION,
        "Verohallinto, tulorekisteriyksikkö",
        RecipientKind::Authority,
    ),
    (
        "9990009-1",
        "Eläketurvakeskus",
        RecipientKind::PensionInstitution,
    ),
    ("9990003-2", "Kansaneläkelaitos", RecipientKind::Authority),
    (
        "9990005-9",
        "Työttömyysvakuutusrahasto",
        RecipientKind::Fund,
    ),
    ("9990006-7", "Finanssivalvonta", RecipientKind::Authority),
];

/// Channels the benchmark's disclosures use.
const CHANNELS: [Channel; 3] = [
    Channel::IncomesRegister,
    Channel::SuomiFiXRoad,
    Channel::FileTransfer,
];

/// A benefit fund's disclosure covering `subjects`. `variant` spreads disclosures the way a
/// year of real ones spread: over the last 365 days, five recipients, three channels and two
/// sets of provisions (so statistics and Art. 30 records read about 11,000 per-day rows a
/// year, not one).
pub fn disclosure(
    controller: &str,
    transfer_id: String,
    subjects: Vec<String>,
    variant: u64,
) -> RecordDisclosureRequest {
    let days_ago = variant % 365;
    let (recipient_id, recipient_name, recipient_kind) = RECIPIENTS[(variant / 365 % 5) as usize];
    let channel = CHANNELS[(variant / 1_825 % 3) as usize];
    let statute = |number: &str, chapter, section: &str, subsection| LegalProvision {
        kind: ProvisionKind::FinnishStatute.into(),
        number: number.into(),
        chapter,
        section: section.into(),
        subsection,
        ..Default::default()
    };
    RecordDisclosureRequest {
        controller_id: controller.into(),
        transfer_id,
        occurred_at: Some(days_before_now(days_ago)),
        register_id: REGISTER.into(),
        recipient: Some(Recipient {
            id_type: RecipientIdType::BusinessId.into(),
            identifier: recipient_id.into(),
            name: recipient_name.into(),
            kind: recipient_kind.into(),
            country: "FI".into(),
        }),
        legal_basis: LegalBasis::LegalObligation.into(),
        special_category_condition: 0,
        provisions: if (variant / 5_475).is_multiple_of(2) {
            vec![
                statute("53/2018", 0, "6", 0),
                statute("1290/2002", 13, "1", 2),
            ]
        } else {
            vec![statute("1290/2002", 13, "1", 0)]
        },
        data_categories: vec![
            DataCategory::Identity.into(),
            DataCategory::BenefitPayment.into(),
            DataCategory::IncomeAndTax.into(),
        ],
        purpose: "Etuusmaksujen ilmoittaminen tulorekisteriin".into(),
        channel: channel.into(),
        source_system: "maksatus".into(),
        consent_reference: String::new(),
        requester_reference: String::new(),
        withholding: None,
        subjects,
        safety_protected_subjects: vec![],
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Checks `code` by the rules of a valid temporary identity code, independently of how
    /// [`identity_code`] builds one: a real birth date under a known century sign,
    /// individual number 900–999, and the check character of `DDMMYYZZZ mod 31`.
    fn check_temporary_code(code: &str) -> Result<(), String> {
        let bytes = code.as_bytes();
        if bytes.len() != 11 || !code.is_ascii() {
            return Err("must be 11 ASCII characters".into());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u32, String> {
            code[range]
                .parse()
                .map_err(|_| "digits expected".to_owned())
        };
        let (dd, mm, yy) = (digits(0..2)?, digits(2..4)?, digits(4..6)?);
        let individual = digits(7..10)?;
        let century = match bytes[6] {
            b'+' => 1800,
            b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
            b'A' | b'B' | b'C' | b'D' | b'E' | b'F' => 2000,
            _ => return Err("unknown century sign".into()),
        };
        let month = time::Month::try_from(mm as u8).map_err(|e| e.to_string())?;
        Date::from_calendar_date(century + yy as i32, month, dd as u8)
            .map_err(|e| format!("date of birth: {e}"))?;
        if !(900..=999).contains(&individual) {
            return Err("not a temporary individual number".into());
        }
        let number = (dd * 10_000 + mm * 100 + yy) * 1000 + individual;
        if bytes[10] != CHECK_CHARS[(number % 31) as usize] {
            return Err("check character does not match".into());
        }
        Ok(())
    }

    /// Numbers at the edges of every field: individual number, day, year, century sign.
    fn edge_numbers() -> impl Iterator<Item = u64> {
        let per_sign = INDIVIDUALS * DAYS;
        (0..6)
            .flat_map(move |s| {
                let base = s * per_sign;
                [
                    base,
                    base + 99,
                    base + 100,
                    base + per_sign - 100,
                    base + per_sign - 1,
                ]
            })
            .chain([CAPACITY - 1])
    }

    #[test]
    fn codes_are_valid_temporary_codes() {
        let sample = (0..200_000).chain((0..200_000).map(|i| mix(i) % CAPACITY));
        for n in sample.chain(edge_numbers()) {
            let code = identity_code(n);
            check_temporary_code(&code).unwrap_or_else(|e| panic!("code #{n}: {e}"));
            // Upper case throughout: the normalised form.
            assert_eq!(
                code.to_ascii_uppercase(),
                code,
                "already in normalised form"
            );
        }
    }

    #[test]
    fn codes_are_distinct() {
        let per_sign = INDIVIDUALS * DAYS;
        // A whole century under one sign, and the same dates under every other sign.
        let numbers = (0..per_sign).chain((1..6).flat_map(|s| s * per_sign..s * per_sign + 1000));
        let mut seen = HashSet::new();
        for n in numbers {
            assert!(seen.insert(identity_code(n)), "code #{n} repeats");
        }
        assert_eq!(seen.len() as u64, per_sign + 5 * 1000);
    }

    #[test]
    fn capacity_exceeds_ten_million() {
        const { assert!(CAPACITY >= 10_000_000) };
        assert_eq!(
            FIRST_DAY.to_julian_day() + DAYS as i32 - 1,
            date!(1999 - 12 - 31).to_julian_day()
        );
    }

    #[test]
    fn business_id_check_digits() {
        assert_eq!(business_id_check_digit(1_234_567), Some(1));
        assert_eq!(business_id_check_digit(179_377), Some(8)); // Kokkolan kaupunki
        assert_eq!(business_id_check_digit(245_437), Some(2)); // Verohallinto
        assert_eq!(business_id_check_digit(0), Some(0));
        // 0999999 weighs 342, remainder 1: never issued.
        assert_eq!(business_id_check_digit(999_999), None);
        for id in [DEFAULT_CONTROLLER, TAX_ADMINISTRATION] {
            assert_eq!(normalise_business_id(id).as_deref(), Ok(id), "{id}");
        }
        let (number, check) = DEFAULT_CONTROLLER.split_once('-').unwrap();
        assert_eq!(
            business_id_check_digit(number.parse().unwrap()),
            check.parse().ok()
        );
    }

    #[test]
    fn mix_spreads_consecutive_inputs() {
        let picks: HashSet<u64> = (0..10_000).map(|i| mix(i) % 1_000_000).collect();
        assert!(picks.len() > 9_900);
    }
}
