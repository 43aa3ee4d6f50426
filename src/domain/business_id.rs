//! Finnish business ID (Y-tunnus): parsing, check-digit validation and the
//! normalised `NNNNNNN-C` form.
//!
//! Hand-written because no maintained crate covers the Y-tunnus check digit.

use std::fmt;
use std::str::FromStr;

/// Weights applied to the seven digits before the check digit.
const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];

/// A validated Finnish business ID in normalised `NNNNNNN-C` form.
///
/// Ordering is that of the normalised text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessId {
    digits: [u8; 9],
}

/// Why an input is not a valid business ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BusinessIdError {
    /// The input is not seven (or the old six) digits, a hyphen and one digit.
    #[error("must be seven digits, a hyphen and a check digit")]
    Format,
    /// The digits weigh to remainder 1, for which no ID is ever issued.
    #[error("remainder 1 is never issued")]
    RemainderOne,
    /// The check digit is not the one the weighted sum requires.
    #[error("check digit does not match")]
    CheckDigit,
}

impl BusinessId {
    /// Parses and validates a business ID.
    ///
    /// Accepts `NNNNNNN-C` and the old six-digit form `NNNNNN-C`, which is
    /// left-padded with a zero. Whitespace is not trimmed.
    pub fn parse(input: &str) -> Result<BusinessId, BusinessIdError> {
        let bytes = input.as_bytes();
        let mut digits = [b'0'; 9];
        match bytes.len() {
            9 => digits.copy_from_slice(bytes),
            8 => digits[1..].copy_from_slice(bytes),
            _ => return Err(BusinessIdError::Format),
        }
        let well_formed = digits[7] == b'-'
            && digits[..7].iter().all(u8::is_ascii_digit)
            && digits[8].is_ascii_digit();
        if !well_formed {
            return Err(BusinessIdError::Format);
        }

        let sum: u32 = digits[..7]
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let expected = match sum % 11 {
            0 => 0,
            1 => return Err(BusinessIdError::RemainderOne),
            r => 11 - r,
        };
        if u32::from(digits[8] - b'0') != expected {
            return Err(BusinessIdError::CheckDigit);
        }
        Ok(BusinessId { digits })
    }

    /// The normalised `NNNNNNN-C` form.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("a parsed business ID is ASCII")
    }
}

impl FromStr for BusinessId {
    type Err = BusinessIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BusinessId::parse(s)
    }
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BusinessId").field(&self.as_str()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_business_ids_parse() {
        for id in ["0179377-8", "2296962-1", "9990008-3", "9990009-1"] {
            assert_eq!(BusinessId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn old_six_digit_form_is_padded_with_a_zero() {
        let id = BusinessId::parse("179377-8").unwrap();
        assert_eq!(id.as_str(), "0179377-8");
        assert_eq!(id, BusinessId::parse("0179377-8").unwrap());
    }

    #[test]
    fn display_and_debug_show_the_code() {
        let id: BusinessId = "2296962-1".parse().unwrap();
        assert_eq!(id.to_string(), "2296962-1");
        assert_eq!(format!("{id:?}"), "BusinessId(\"2296962-1\")");
    }

    #[test]
    fn ordering_follows_the_normalised_text() {
        let small = BusinessId::parse("179377-8").unwrap();
        let large = BusinessId::parse("2296962-1").unwrap();
        assert!(small < large);
    }

    #[test]
    fn malformed_input_is_rejected_as_format() {
        for input in [
            "",
            "2296962",
            "22969621",
            "2296962-",
            "2296962-12",
            " 2296962-1",
            "2296962-1 ",
            "2296962_1",
            "22969a2-1",
            "2296962-x",
            "79377-8",
            "+296962-1",
            "229696２-1",
        ] {
            assert_eq!(
                BusinessId::parse(input),
                Err(BusinessIdError::Format),
                "{input:?}"
            );
        }
    }

    #[test]
    fn wrong_check_digit_is_rejected() {
        assert_eq!(
            BusinessId::parse("2296962-2"),
            Err(BusinessIdError::CheckDigit)
        );
    }

    #[test]
    fn remainder_one_is_rejected_whatever_the_check_digit() {
        // Only the last digit weighs: 6 * 2 = 12, and 12 mod 11 = 1.
        for check in 0..=9 {
            assert_eq!(
                BusinessId::parse(&format!("0000006-{check}")),
                Err(BusinessIdError::RemainderOne)
            );
        }
    }

    fn seven_digits() -> impl Strategy<Value = (String, Option<u32>)> {
        proptest::collection::vec(0u32..10, 7).prop_map(|ds| {
            let sum: u32 = ds.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
            let check = match sum % 11 {
                0 => Some(0),
                1 => None,
                r => Some(11 - r),
            };
            (
                ds.iter().map(|d| char::from(b'0' + *d as u8)).collect(),
                check,
            )
        })
    }

    proptest! {
        #[test]
        fn generated_valid_ids_parse_and_round_trip((body, check) in seven_digits()) {
            let Some(check) = check else { return Ok(()) };
            let text = format!("{body}-{check}");
            let id = BusinessId::parse(&text).unwrap();
            prop_assert_eq!(id.as_str(), text.as_str());
            prop_assert_eq!(id.to_string().parse::<BusinessId>(), Ok(id));
        }

        #[test]
        fn any_other_check_digit_fails((body, check) in seven_digits(), other in 0u32..10) {
            prop_assume!(Some(other) != check);
            let text = format!("{body}-{other}");
            prop_assert!(BusinessId::parse(&text).is_err());
        }

        #[test]
        fn arbitrary_input_never_panics(input in any::<String>()) {
            let _ = BusinessId::parse(&input);
        }
    }
}
