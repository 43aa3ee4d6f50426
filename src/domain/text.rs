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

/// Whether `text`, free text written by a person, holds a personal identity code: eleven
/// characters that parse as one and are not glued to a digit on either side. Letters may
/// touch it (`HETU131052-308T` is caught), so may spaces, punctuation, quotes and brackets.
/// A code inside a longer run of digits (a nanosecond timestamp, a long numeric id) is not a
/// code written by anyone: the run, not the code, is the token. See `docs/benchmarks.md`
/// for the false-positive rate this leaves on machine identifiers.
pub fn contains_identity_code(text: &str) -> bool {
    contains_code_between(text, |c| c.is_ascii_digit())
}

/// Whether `text`, a machine identifier (a transfer id), holds a personal identity code as
/// a token of its own: not glued to an ASCII letter or digit on either side. Identifiers are
/// made of runs of letters and digits (UUIDs, ULIDs, hex digests); a code-shaped stretch in
/// the middle of such a run is an accident of the alphabet, while a code between separators
/// (`batch-131052-308T`, `x/131052-308T`) is a code.
pub fn contains_identity_code_token(text: &str) -> bool {
    contains_code_between(text, |c| c.is_ascii_alphanumeric())
}

/// Whether some eleven bytes of `text` parse as an identity code with no character for which
/// `glued` holds right before or after them. Hand-written: no crate finds Finnish identity
/// codes, and a regex would still need `Hetu::parse` for the date and the check character.
fn contains_code_between(text: &str, glued: fn(char) -> bool) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 11
        && bytes.windows(11).enumerate().any(|(start, w)| {
            // The window starts on an ASCII digit, so `start` is a character boundary, and
            // a window that is valid UTF-8 ends on one.
            w[..6].iter().all(u8::is_ascii_digit)
                && std::str::from_utf8(w).is_ok_and(|s| Hetu::parse(s).is_ok())
                && !text[..start].chars().next_back().is_some_and(glued)
                && !text[start + 11..].chars().next().is_some_and(glued)
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

/// The caller's id of one transfer, unique per controller: 1..=128 visible ASCII characters,
/// with no identity code as a token of its own ([`contains_identity_code_token`]).
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
        if contains_identity_code_token(input) {
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
#[path = "text_false_positives.rs"]
mod text_false_positives;

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

    /// A valid identity code with any century sign (day 1..=28, so every month has it).
    pub(super) fn code_of(day: u32, month: u32, year: u32, sign: char, individual: u32) -> String {
        const CHECK: &[u8] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
        let number = (day * 10_000 + month * 100 + year) * 1000 + individual;
        let check = CHECK[(number % 31) as usize] as char;
        format!("{day:02}{month:02}{year:02}{sign}{individual:03}{check}")
    }

    fn any_code() -> impl Strategy<Value = String> {
        (1..=28u32, 1..=12u32, 0..=99u32, 0..13usize, 2..=999u32).prop_map(
            |(day, month, year, sign, individual)| {
                let sign = "+-YXWVUABCDEF".as_bytes()[sign] as char;
                code_of(day, month, year, sign, individual)
            },
        )
    }

    #[test]
    fn a_code_among_words_and_punctuation_is_caught_in_free_text() {
        for text in [
            "hetu:131052-308T",
            "HETU131052-308T",
            "(131052-308T)",
            "\"131052-308T\"",
            "henkilö 131052-308t, maksu",
            "131052-308T:n tiedot",
        ] {
            assert_eq!(
                LongText::parse(text),
                Err(TextError::ContainsIdentityCode),
                "{text}"
            );
        }
    }

    #[test]
    fn a_code_shaped_stretch_inside_a_run_of_digits_is_not_a_code() {
        // A nanosecond timestamp whose last six digits and the counter after it read as
        // 131052-308T would be refused by a search of every substring.
        let id = "hetu-1764551299123131052-308T";
        assert!(ShortText::parse(id).is_ok());
        assert!(TransferId::parse(id).is_ok());
        assert!(TransferId::parse("20261201-000123").is_ok());
    }

    #[test]
    fn a_transfer_id_refuses_a_code_between_separators_but_not_inside_a_token() {
        assert_eq!(
            TransferId::parse("batch/131052-308T/1"),
            Err(TextError::ContainsIdentityCode)
        );
        assert!(TransferId::parse("F3AB131052-308TB7").is_ok());
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
        fn any_real_code_between_separators_is_caught(
            code in any_code(),
            before in "[ (\\[\"':/,;=-]{0,1}",
            after in "[ )\\]\"',.;:/-]{0,1}",
        ) {
            let text = format!("x{before}{code}{after}y");
            prop_assert!(contains_identity_code(&text), "{}", text);
        }

        #[test]
        fn parsing_any_text_never_panics(input in ".{0,300}") {
            let _ = LongText::parse(&input);
            let _ = TransferId::parse(&input);
            let _ = RegisterId::parse(&input);
        }
    }
}
