//! Finnish personal identity code (henkilötunnus): parsing, validation and
//! the normalised form used for hashing and encryption.
//!
//! Hand-written because no maintained crate covers the century signs added
//! in the 2023 reform (`Y X W V U` and `B C D E F`).
//!
//! The code is sensitive: `Hetu` has no `Display`, its `Debug` is redacted,
//! and no error message ever contains any part of the input.

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

/// Check characters indexed by `DDMMYYZZZ mod 31`.
const CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// A validated Finnish personal identity code in normalised form.
///
/// The century sign is kept as given: since 2023 `010594Y9032` and
/// `010594-9032` are different people, so they compare unequal.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Hetu {
    code: [u8; 11],
}

/// Why an input is not a valid personal identity code.
///
/// Messages deliberately never include the input or any part of it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HetuError {
    /// The input is not exactly 11 characters long.
    #[error("must be 11 characters")]
    Length,
    /// A position that must hold a digit holds something else.
    #[error("must contain only digits where digits are expected")]
    NotDigit,
    /// The seventh character is not a known century sign.
    #[error("century sign must be one of + - Y X W V U A B C D E F")]
    CenturySign,
    /// Day, month and century do not form a real calendar date.
    #[error("date of birth does not exist")]
    BirthDate,
    /// The individual number is 000 or 001.
    #[error("individual number must be 002–999")]
    IndividualNumber,
    /// The last character is not the one the checksum requires.
    #[error("check character does not match")]
    CheckCharacter,
}

impl Hetu {
    /// Parses and validates a personal identity code.
    ///
    /// ASCII lowercase letters are upper-cased; whitespace is not trimmed and
    /// makes the input invalid.
    pub fn parse(input: &str) -> Result<Hetu, HetuError> {
        let mut code = [0u8; 11];
        let mut len = 0;
        for ch in input.chars() {
            if len == code.len() {
                return Err(HetuError::Length);
            }
            // Any non-ASCII character is kept as a placeholder so that the
            // length is counted in characters, then fails a later check.
            code[len] = if ch.is_ascii() {
                (ch as u8).to_ascii_uppercase()
            } else {
                0
            };
            len += 1;
        }
        if len != code.len() {
            return Err(HetuError::Length);
        }

        if (0..6).chain(7..10).any(|i| !code[i].is_ascii_digit()) {
            return Err(HetuError::NotDigit);
        }
        birth_date_of(&code)?;
        if individual_number(&code) < 2 {
            return Err(HetuError::IndividualNumber);
        }
        if code[10] != check_char(&code) {
            return Err(HetuError::CheckCharacter);
        }
        Ok(Hetu { code })
    }

    /// The normalised code; meant only for hashing or encryption, never for
    /// logs or display.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.code).expect("a parsed code is ASCII")
    }

    /// The date of birth encoded in the code.
    pub fn birth_date(&self) -> Date {
        birth_date_of(&self.code).expect("a parsed code has a valid date")
    }

    /// Whether the individual number is in the temporary range 900–999.
    pub fn is_temporary(&self) -> bool {
        individual_number(&self.code) >= 900
    }
}

impl FromStr for Hetu {
    type Err = HetuError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hetu::parse(s)
    }
}

impl fmt::Debug for Hetu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hetu(**redacted**)")
    }
}

/// Value of the ASCII digits `code[range]`; callers have checked they are digits.
fn digits(code: &[u8; 11], range: std::ops::Range<usize>) -> u32 {
    code[range]
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
}

fn individual_number(code: &[u8; 11]) -> u32 {
    digits(code, 7..10)
}

fn century(sign: u8) -> Option<i32> {
    match sign {
        b'+' => Some(1800),
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => Some(1900),
        b'A'..=b'F' => Some(2000),
        _ => None,
    }
}

fn birth_date_of(code: &[u8; 11]) -> Result<Date, HetuError> {
    let century = century(code[6]).ok_or(HetuError::CenturySign)?;
    let day = digits(code, 0..2) as u8;
    let month = Month::try_from(digits(code, 2..4) as u8).map_err(|_| HetuError::BirthDate)?;
    let year = century + digits(code, 4..6) as i32;
    Date::from_calendar_date(year, month, day).map_err(|_| HetuError::BirthDate)
}

fn check_char(code: &[u8; 11]) -> u8 {
    let n = digits(code, 0..6) * 1000 + individual_number(code);
    CHECK_CHARS[(n % 31) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: &[&str] = &[
        "131052-308T",
        "010594Y9032",
        "010594Y9021",
        "020594X903P",
        "020594X902N",
        "030594W903B",
        "030694W9024",
        "040594V9030",
        "050594U903M",
        "050594U902L",
        "010516B903X",
        "010516B902W",
        "020516C903K",
        "020516C902J",
        "030516D9037",
        "030516D9026",
        "010501E9032",
        "020502E902X",
        "020503F9037",
        "020504A902E",
        "020504B904H",
    ];

    #[test]
    fn known_valid_codes_parse_and_keep_their_form() {
        for code in VALID {
            let hetu = Hetu::parse(code).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(hetu.as_str(), *code);
        }
    }

    #[test]
    fn ordinary_code_gives_its_birth_date() {
        let hetu: Hetu = "131052-308T".parse().unwrap();
        assert_eq!(
            hetu.birth_date(),
            Date::from_calendar_date(1952, Month::October, 13).unwrap()
        );
        assert!(!hetu.is_temporary());
    }

    #[test]
    fn new_century_signs_map_to_their_centuries() {
        let years = [("010594Y9032", 1994), ("010516B903X", 2016)];
        for (code, year) in years {
            assert_eq!(Hetu::parse(code).unwrap().birth_date().year(), year);
        }
    }

    #[test]
    fn plus_sign_means_the_1800s() {
        let code = with_check("010100+002");
        assert_eq!(Hetu::parse(&code).unwrap().birth_date().year(), 1800);
    }

    #[test]
    fn temporary_individual_number_is_accepted_and_marked() {
        let hetu = Hetu::parse("010594Y9032").unwrap();
        assert!(hetu.is_temporary());
    }

    #[test]
    fn lowercase_letters_are_upper_cased() {
        let hetu = Hetu::parse("010594y9032").unwrap();
        assert_eq!(hetu.as_str(), "010594Y9032");
        let hetu = Hetu::parse("131052-308t").unwrap();
        assert_eq!(hetu.as_str(), "131052-308T");
    }

    #[test]
    fn codes_differing_only_by_century_sign_are_different_people() {
        let new = Hetu::parse("010594Y9032").unwrap();
        let old = Hetu::parse("010594-9032").unwrap();
        assert_ne!(new, old);
        assert_eq!(new.birth_date(), old.birth_date());
    }

    #[test]
    fn whitespace_is_not_trimmed() {
        assert_eq!(Hetu::parse(" 131052-308T"), Err(HetuError::Length));
        assert_eq!(Hetu::parse("131052-308T\n"), Err(HetuError::Length));
        assert_eq!(Hetu::parse("131052 308T"), Err(HetuError::CenturySign));
    }

    #[test]
    fn each_kind_of_fault_gives_its_own_error() {
        let cases = [
            ("", HetuError::Length),
            ("131052-308", HetuError::Length),
            ("1310a2-308T", HetuError::NotDigit),
            ("131052-3o8T", HetuError::NotDigit),
            ("131052G308T", HetuError::CenturySign),
            ("310294-9032", HetuError::BirthDate),
            ("011394-9032", HetuError::BirthDate),
            ("000194-9032", HetuError::BirthDate),
            ("131052-000T", HetuError::IndividualNumber),
            ("131052-001T", HetuError::IndividualNumber),
            ("131052-308U", HetuError::CheckCharacter),
            ("131052-308G", HetuError::CheckCharacter),
            ("131052-308ä", HetuError::CheckCharacter),
        ];
        for (input, expected) in cases {
            assert_eq!(Hetu::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn leap_day_exists_only_in_leap_years() {
        assert!(Hetu::parse(&with_check("290200A002")).is_ok());
        assert_eq!(
            Hetu::parse(&with_check("290201A002")),
            Err(HetuError::BirthDate)
        );
        assert_eq!(
            Hetu::parse(&with_check("290200-002")),
            Err(HetuError::BirthDate)
        );
    }

    #[test]
    fn error_messages_never_contain_any_part_of_the_input() {
        let bad = [
            "131052-308",
            "131052-308TT",
            "131052G308T",
            "310294-9032",
            "131052-001T",
            "131052-308U",
            "1310a2-308T",
        ];
        for input in bad {
            let err = Hetu::parse(input).unwrap_err();
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains(&input[..6]), "{text}");
                assert!(!text.contains(&input[7..10]), "{text}");
            }
        }
    }

    #[test]
    fn debug_output_is_redacted() {
        let hetu = Hetu::parse("131052-308T").unwrap();
        let debug = format!("{hetu:?}");
        assert_eq!(debug, "Hetu(**redacted**)");
        assert!(!format!("{:?}", Some(hetu)).contains("131052"));
    }

    fn with_check(first_ten: &str) -> String {
        let mut code = [0u8; 11];
        code[..10].copy_from_slice(first_ten.as_bytes());
        let check = check_char(&code);
        format!("{first_ten}{}", check as char)
    }

    fn valid_code() -> impl Strategy<Value = String> {
        let first = Date::from_calendar_date(1800, Month::January, 1)
            .unwrap()
            .to_julian_day();
        let last = Date::from_calendar_date(2099, Month::December, 31)
            .unwrap()
            .to_julian_day();
        (first..=last, 0usize..6, 2u32..=999).prop_map(|(julian, sign_index, individual)| {
            let date = Date::from_julian_day(julian).unwrap();
            let signs: &[u8] = match date.year() / 100 {
                18 => b"+",
                19 => b"-YXWVU",
                _ => b"ABCDEF",
            };
            let sign = signs[sign_index % signs.len()] as char;
            with_check(&format!(
                "{:02}{:02}{:02}{sign}{individual:03}",
                date.day(),
                u8::from(date.month()),
                date.year() % 100,
            ))
        })
    }

    proptest! {
        #[test]
        fn generated_valid_codes_parse_and_round_trip(code in valid_code()) {
            let hetu = Hetu::parse(&code).unwrap();
            prop_assert_eq!(hetu.as_str(), code.as_str());
            prop_assert_eq!(Hetu::parse(hetu.as_str()), Ok(hetu));
        }

        #[test]
        fn any_other_check_character_is_rejected(code in valid_code(), index in 0usize..31) {
            let replacement = CHECK_CHARS[index];
            prop_assume!(replacement != code.as_bytes()[10]);
            let mut wrong = code.into_bytes();
            wrong[10] = replacement;
            let wrong = String::from_utf8(wrong).unwrap();
            prop_assert_eq!(Hetu::parse(&wrong), Err(HetuError::CheckCharacter));
        }

        #[test]
        fn arbitrary_input_never_panics(input in any::<String>()) {
            let _ = Hetu::parse(&input);
        }

        #[test]
        fn arbitrary_eleven_character_input_never_panics(input in "[0-9A-Za-z+\\-]{11}") {
            if let Ok(hetu) = Hetu::parse(&input) {
                let _ = hetu.birth_date();
            }
        }
    }
}
