//! Free text and identifiers given by callers: bounded, printable, and never carrying an
//! identity code in clear (free text is stored as given, so a code in it would leak).

use std::fmt;

use super::hetu::Hetu;

/// Why a text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters or surrounding whitespace")]
    NotPrintable,
    #[error("must not contain a personal identity code")]
    ContainsIdentityCode,
    #[error("must match {0}")]
    Pattern(&'static str),
}

/// Whether `text` holds anything that parses as a personal identity code.
pub fn contains_identity_code(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 11
        && bytes.windows(11).any(|w| {
            w[..6].iter().all(u8::is_ascii_digit)
                && std::str::from_utf8(w).is_ok_and(|s| Hetu::parse(s).is_ok())
        })
}

fn check_text(input: &str, max: usize) -> Result<(), TextError> {
    if input.is_empty() {
        return Err(TextError::Empty);
    }
    if input.chars().count() > max {
        return Err(TextError::TooLong(max));
    }
    if input.trim() != input || input.chars().any(char::is_control) {
        return Err(TextError::NotPrintable);
    }
    if contains_identity_code(input) {
        return Err(TextError::ContainsIdentityCode);
    }
    Ok(())
}

/// A non-empty printable text of at most `MAX` characters with no identity code in it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        check_text(input, MAX)?;
        Ok(Self(input.to_owned()))
    }

    /// `None` for an empty input, otherwise the parsed text.
    pub fn parse_optional(input: &str) -> Result<Option<Self>, TextError> {
        if input.is_empty() {
            Ok(None)
        } else {
            Self::parse(input).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Debug for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name, reference or system name: at most 200 characters.
pub type ShortText = Text<200>;
/// A purpose or reason: at most 1,000 characters.
pub type LongText = Text<1000>;

/// The caller's id of one transfer, unique per controller: 1..=128 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransferId(String);

impl TransferId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        if input.is_empty() {
            return Err(TextError::Empty);
        }
        if input.len() > Self::MAX_LEN {
            return Err(TextError::TooLong(Self::MAX_LEN));
        }
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TextError::Pattern(
                "visible ASCII characters without spaces",
            ));
        }
        if contains_identity_code(input) {
            return Err(TextError::ContainsIdentityCode);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A register (processing activity) id: a lowercase slug such as `koko-jasenrekisteri`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegisterId(String);

impl RegisterId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        const PATTERN: &str = "[a-z0-9][a-z0-9._-]* (lowercase slug)";
        let mut bytes = input.bytes();
        match bytes.next() {
            None => return Err(TextError::Empty),
            Some(first) if !(first.is_ascii_lowercase() || first.is_ascii_digit()) => {
                return Err(TextError::Pattern(PATTERN));
            }
            Some(_) => {}
        }
        if input.len() > Self::MAX_LEN {
            return Err(TextError::TooLong(Self::MAX_LEN));
        }
        if !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
            return Err(TextError::Pattern(PATTERN));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegisterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_with_an_identity_code_inside_is_rejected() {
        let purpose = "Maksu henkilölle 131052-308T tulorekisteriin";
        assert_eq!(
            LongText::parse(purpose),
            Err(TextError::ContainsIdentityCode)
        );
        assert_eq!(
            TransferId::parse("batch-131052-308T"),
            Err(TextError::ContainsIdentityCode)
        );
    }

    #[test]
    fn text_with_a_number_that_only_looks_like_a_code_is_accepted() {
        assert!(
            LongText::parse("Maksuerä 131052-308X").is_ok(),
            "wrong check character"
        );
        assert!(LongText::parse("Työttömyysturvalaki 1290/2002 13 luku 1 §").is_ok());
    }

    #[test]
    fn over_long_and_padded_texts_are_rejected() {
        assert_eq!(
            ShortText::parse(&"a".repeat(201)),
            Err(TextError::TooLong(200))
        );
        assert!(
            ShortText::parse(&"ä".repeat(200)).is_ok(),
            "length is in characters"
        );
        assert_eq!(ShortText::parse(" x"), Err(TextError::NotPrintable));
        assert_eq!(ShortText::parse("a\nb"), Err(TextError::NotPrintable));
        assert_eq!(ShortText::parse_optional(""), Ok(None));
    }

    #[test]
    fn register_ids_are_lowercase_slugs() {
        assert!(RegisterId::parse("koko-jasenrekisteri").is_ok());
        assert!(RegisterId::parse("Koko").is_err());
        assert!(RegisterId::parse("-koko").is_err());
        assert!(RegisterId::parse("koko rekisteri").is_err());
        assert_eq!(RegisterId::parse(""), Err(TextError::Empty));
    }

    #[test]
    fn transfer_ids_are_visible_ascii() {
        assert!(TransferId::parse("tulorekisteri/2026-10/0001").is_ok());
        assert!(TransferId::parse("with space").is_err());
        assert_eq!(
            TransferId::parse(&"x".repeat(129)),
            Err(TextError::TooLong(128))
        );
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(input in ".{0,300}") {
            let _ = LongText::parse(&input);
            let _ = TransferId::parse(&input);
            let _ = RegisterId::parse(&input);
        }
    }
}
