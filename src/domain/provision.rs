//! Legal provisions: structured references to a Finnish statute or an EU
//! act, their stable canonical text form, and readable forms in Finnish,
//! Swedish and English.
//!
//! Canonical forms (the title is never part of them):
//! - Finnish statute: `1290/2002`, `621/1999 28`, `621/1999 28.1`,
//!   `1290/2002 13:1`, `1290/2002 13:1.2`, `380/2023 6a`
//!   (`chapter:section.subsection`).
//! - EU act: `EU:R 2016/679`, `EU:D 2019/1152`, `EU:R 2016/679 9`,
//!   `EU:R 2016/679 6.1`, `EU:R 2016/679 6.1.c` (`article.paragraph.point`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::statutes;

/// Longest accepted title, in characters.
const MAX_TITLE_CHARS: usize = 200;

/// The GDPR's default Finnish title (the acts of the statute book take theirs from
/// [`super::statutes`]).
const GDPR_TITLE_FI: &str = "yleinen tietosuoja-asetus";

/// Why a provision, or one of its parts, is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProvisionError {
    /// A Finnish statute number is not `number/year`.
    #[error("statute number must look like 1290/2002")]
    StatuteNumberFormat,
    /// A Finnish statute year is outside 1734–2100.
    #[error("statute year must be between 1734 and 2100")]
    StatuteYear,
    /// An EU act number is not `year/number`.
    #[error("EU act number must look like 2016/679")]
    EuActNumberFormat,
    /// An EU act year is outside 1958–2100.
    #[error("EU act year must be between 1958 and 2100")]
    EuActYear,
    /// The EU act kind letter is not `R` or `D`.
    #[error("EU act kind must be R (regulation) or D (directive)")]
    EuActKind,
    /// A number that must be positive is zero; names the field.
    #[error("{0} must be at least 1")]
    NotPositive(&'static str),
    /// A section is not a number with an optional letter.
    #[error("section must look like 6 or 6a")]
    SectionFormat,
    /// A section letter is not `a`–`z`.
    #[error("section letter must be a lowercase letter a–z")]
    SectionLetter,
    /// A point is not `a`–`z`.
    #[error("point must be a lowercase letter a–z")]
    PointLetter,
    /// A chapter was given without a section.
    #[error("chapter requires a section")]
    ChapterWithoutSection,
    /// A subsection was given without a section.
    #[error("subsection requires a section")]
    SubsectionWithoutSection,
    /// A paragraph was given without an article.
    #[error("paragraph requires an article")]
    ParagraphWithoutArticle,
    /// A point was given without a paragraph.
    #[error("point requires a paragraph")]
    PointWithoutParagraph,
    /// The part after a Finnish statute number is malformed.
    #[error("section part must look like 13:1.2, 28.1 or 6a")]
    FinnishLocationFormat,
    /// The part after an EU act number is malformed.
    #[error("article part must look like 6.1.c, 6.1 or 9")]
    EuLocationFormat,
    /// The canonical text does not have the overall expected shape.
    #[error("provision must look like 1290/2002 13:1.2 or EU:R 2016/679 6.1.c")]
    CanonicalFormat,
    /// The title is empty or only whitespace.
    #[error("title must not be empty")]
    TitleEmpty,
    /// The title is longer than 200 characters.
    #[error("title must be at most 200 characters")]
    TitleTooLong,
    /// The title contains control characters such as newlines.
    #[error("title must not contain control characters")]
    TitleControl,
}

/// Language of a readable rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

/// Number of a Finnish statute in the statute book, written `1290/2002`.
///
/// Orders by year, then number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatuteNumber {
    number: u32,
    year: u16,
}

impl StatuteNumber {
    /// Creates a statute number; `number` ≥ 1, `year` in 1734–2100.
    pub fn new(number: u32, year: u16) -> Result<Self, ProvisionError> {
        if number == 0 {
            return Err(ProvisionError::NotPositive("statute number"));
        }
        if !(1734..=2100).contains(&year) {
            return Err(ProvisionError::StatuteYear);
        }
        Ok(StatuteNumber { number, year })
    }

    /// Parses `number/year`, e.g. `1290/2002`.
    pub fn parse(input: &str) -> Result<Self, ProvisionError> {
        let (number, year) = split_number_pair(input).ok_or(ProvisionError::StatuteNumberFormat)?;
        StatuteNumber::new(number, year)
    }

    /// The running number within the year.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The year of the statute book.
    pub fn year(&self) -> u16 {
        self.year
    }
}

impl Ord for StatuteNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.year, self.number).cmp(&(other.year, other.number))
    }
}

impl PartialOrd for StatuteNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for StatuteNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.year)
    }
}

impl FromStr for StatuteNumber {
    type Err = ProvisionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StatuteNumber::parse(s)
    }
}

/// Number of an EU act, written year first as in `2016/679`.
///
/// Orders by year, then number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EuActNumber {
    year: u16,
    number: u32,
}

impl EuActNumber {
    /// Creates an EU act number; `year` in 1958–2100, `number` ≥ 1.
    pub fn new(year: u16, number: u32) -> Result<Self, ProvisionError> {
        if !(1958..=2100).contains(&year) {
            return Err(ProvisionError::EuActYear);
        }
        if number == 0 {
            return Err(ProvisionError::NotPositive("EU act number"));
        }
        Ok(EuActNumber { year, number })
    }

    /// Parses `year/number`, e.g. `2016/679`.
    pub fn parse(input: &str) -> Result<Self, ProvisionError> {
        let (year, number) = split_number_pair(input).ok_or(ProvisionError::EuActNumberFormat)?;
        EuActNumber::new(year, number)
    }

    /// The year of adoption.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The running number within the year.
    pub fn number(&self) -> u32 {
        self.number
    }
}

impl fmt::Display for EuActNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.year, self.number)
    }
}

impl FromStr for EuActNumber {
    type Err = ProvisionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EuActNumber::parse(s)
    }
}

/// Kind of EU act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EuActKind {
    /// A regulation, `R` in the canonical form.
    Regulation,
    /// A directive, `D` in the canonical form.
    Directive,
}

impl EuActKind {
    fn letter(self) -> char {
        match self {
            EuActKind::Regulation => 'R',
            EuActKind::Directive => 'D',
        }
    }
}

/// A section (pykälä) number with an optional letter, e.g. `6` or `6a`.
///
/// Orders `6 < 6a < 6b < 7`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Section {
    number: u16,
    suffix: Option<char>,
}

impl Section {
    /// Creates a section; `number` ≥ 1, `suffix` a lowercase letter `a`–`z`.
    pub fn new(number: u16, suffix: Option<char>) -> Result<Self, ProvisionError> {
        if number == 0 {
            return Err(ProvisionError::NotPositive("section"));
        }
        if suffix.is_some_and(|c| !c.is_ascii_lowercase()) {
            return Err(ProvisionError::SectionLetter);
        }
        Ok(Section { number, suffix })
    }

    /// Parses `6` or `6a`.
    pub fn parse(input: &str) -> Result<Self, ProvisionError> {
        let (digits, suffix) = match input.char_indices().last() {
            Some((i, c)) if c.is_ascii_lowercase() => (&input[..i], Some(c)),
            _ => (input, None),
        };
        let number = parse_number(digits).ok_or(ProvisionError::SectionFormat)?;
        Section::new(number, suffix)
    }

    /// The section number.
    pub fn number(&self) -> u16 {
        self.number
    }

    /// The letter after the number, if any.
    pub fn suffix(&self) -> Option<char> {
        self.suffix
    }

    /// `6 a` style used before `§` in Finnish and Swedish text.
    fn spaced(&self) -> String {
        match self.suffix {
            Some(c) => format!("{} {c}", self.number),
            None => self.number.to_string(),
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number)?;
        if let Some(c) = self.suffix {
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl FromStr for Section {
    type Err = ProvisionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Section::parse(s)
    }
}

/// A validated reference to a Finnish statute, optionally down to a
/// subsection. Built through [`LegalProvision::finnish`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FinnishProvision {
    statute: StatuteNumber,
    chapter: Option<u16>,
    section: Option<Section>,
    subsection: Option<u16>,
    title: Option<String>,
}

impl FinnishProvision {
    /// The statute.
    pub fn statute(&self) -> StatuteNumber {
        self.statute
    }

    /// The chapter (luku), if given.
    pub fn chapter(&self) -> Option<u16> {
        self.chapter
    }

    /// The section (pykälä), if given.
    pub fn section(&self) -> Option<Section> {
        self.section
    }

    /// The subsection (momentti), if given.
    pub fn subsection(&self) -> Option<u16> {
        self.subsection
    }
}

/// A validated reference to an EU act, optionally down to a point.
/// Built through [`LegalProvision::eu`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EuProvision {
    kind: EuActKind,
    number: EuActNumber,
    article: Option<u16>,
    paragraph: Option<u16>,
    point: Option<char>,
    title: Option<String>,
}

impl EuProvision {
    /// Whether this is the General Data Protection Regulation (EU) 2016/679.
    pub fn is_gdpr(&self) -> bool {
        self.kind == EuActKind::Regulation && (self.number.year, self.number.number) == (2016, 679)
    }

    /// Regulation or directive.
    pub fn kind(&self) -> EuActKind {
        self.kind
    }

    /// The act number.
    pub fn number(&self) -> EuActNumber {
        self.number
    }

    /// The article, if given.
    pub fn article(&self) -> Option<u16> {
        self.article
    }

    /// The paragraph within the article, if given.
    pub fn paragraph(&self) -> Option<u16> {
        self.paragraph
    }

    /// The lettered point within the paragraph, if given.
    pub fn point(&self) -> Option<char> {
        self.point
    }
}

/// A legal provision: the legal basis cited for a disclosure.
///
/// The variants wrap validated structs, so every value obeys the structural
/// rules (e.g. a subsection always has a section).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LegalProvision {
    /// A Finnish statute.
    FinnishStatute(FinnishProvision),
    /// An EU regulation or directive.
    EuAct(EuProvision),
}

impl LegalProvision {
    /// Builds a Finnish statute reference.
    ///
    /// Chapter and subsection each require a section; numbers are ≥ 1; a
    /// title is trimmed and must be 1–200 characters without control
    /// characters.
    pub fn finnish(
        statute: StatuteNumber,
        chapter: Option<u16>,
        section: Option<Section>,
        subsection: Option<u16>,
        title: Option<&str>,
    ) -> Result<Self, ProvisionError> {
        if chapter == Some(0) {
            return Err(ProvisionError::NotPositive("chapter"));
        }
        if subsection == Some(0) {
            return Err(ProvisionError::NotPositive("subsection"));
        }
        if section.is_none() {
            if chapter.is_some() {
                return Err(ProvisionError::ChapterWithoutSection);
            }
            if subsection.is_some() {
                return Err(ProvisionError::SubsectionWithoutSection);
            }
        }
        Ok(LegalProvision::FinnishStatute(FinnishProvision {
            statute,
            chapter,
            section,
            subsection,
            title: validate_title(title)?,
        }))
    }

    /// Builds an EU act reference.
    ///
    /// Paragraph requires an article and point requires a paragraph; numbers
    /// are ≥ 1; the point is `a`–`z`; the title follows the same rules as in
    /// [`LegalProvision::finnish`].
    pub fn eu(
        kind: EuActKind,
        number: EuActNumber,
        article: Option<u16>,
        paragraph: Option<u16>,
        point: Option<char>,
        title: Option<&str>,
    ) -> Result<Self, ProvisionError> {
        if article == Some(0) {
            return Err(ProvisionError::NotPositive("article"));
        }
        if paragraph == Some(0) {
            return Err(ProvisionError::NotPositive("paragraph"));
        }
        if point.is_some_and(|c| !c.is_ascii_lowercase()) {
            return Err(ProvisionError::PointLetter);
        }
        if paragraph.is_some() && article.is_none() {
            return Err(ProvisionError::ParagraphWithoutArticle);
        }
        if point.is_some() && paragraph.is_none() {
            return Err(ProvisionError::PointWithoutParagraph);
        }
        Ok(LegalProvision::EuAct(EuProvision {
            kind,
            number,
            article,
            paragraph,
            point,
            title: validate_title(title)?,
        }))
    }

    /// Parses the canonical form produced by [`LegalProvision::canonical`].
    ///
    /// Strict: no extra whitespace and no leading zeros, so a successful
    /// parse of `s` always gives back `s` from `canonical()`. The result has
    /// no title; add one with [`LegalProvision::with_title`].
    pub fn parse_canonical(input: &str) -> Result<Self, ProvisionError> {
        if let Some(rest) = input.strip_prefix("EU:") {
            let mut parts = rest.split(' ');
            let kind = match parts.next() {
                Some("R") => EuActKind::Regulation,
                Some("D") => EuActKind::Directive,
                _ => return Err(ProvisionError::EuActKind),
            };
            let number = EuActNumber::parse(parts.next().ok_or(ProvisionError::CanonicalFormat)?)?;
            let location = parts.next();
            if parts.next().is_some() {
                return Err(ProvisionError::CanonicalFormat);
            }
            let (article, paragraph, point) = match location {
                Some(text) => parse_eu_location(text)?,
                None => (None, None, None),
            };
            return LegalProvision::eu(kind, number, article, paragraph, point, None);
        }

        let mut parts = input.split(' ');
        let statute = StatuteNumber::parse(parts.next().unwrap_or_default())?;
        let location = parts.next();
        if parts.next().is_some() {
            return Err(ProvisionError::CanonicalFormat);
        }
        let (chapter, section, subsection) = match location {
            Some(text) => parse_finnish_location(text)?,
            None => (None, None, None),
        };
        LegalProvision::finnish(statute, chapter, section, subsection, None)
    }

    /// Whether `other` is this provision or lies under it: `1290/2002` covers all of the
    /// act, `1290/2002 13:1` covers `1290/2002 13:1.2` but not `1290/2002 13:10`. Titles
    /// do not matter.
    pub fn covers(&self, other: &LegalProvision) -> bool {
        // Provisions of different acts never cover each other: most comparisons (a
        // disclosure's provisions against every one a register declares, on each record)
        // end here, without building the canonical forms.
        if !self.same_act(other) {
            return false;
        }
        let (outer, inner) = (self.canonical(), other.canonical());
        match inner.strip_prefix(outer.as_str()) {
            Some(rest) => rest.is_empty() || rest.starts_with([' ', '.', ':']),
            None => false,
        }
    }

    /// Whether both are provisions of the same act (the same [`Self::statute_key`]).
    fn same_act(&self, other: &LegalProvision) -> bool {
        match (self, other) {
            (LegalProvision::FinnishStatute(a), LegalProvision::FinnishStatute(b)) => {
                a.statute == b.statute
            }
            (LegalProvision::EuAct(a), LegalProvision::EuAct(b)) => {
                a.kind == b.kind && a.number == b.number
            }
            _ => false,
        }
    }

    /// Whether this is GDPR Art. 28 or lies under it: the article that binds a processor to
    /// its controller, never a legal basis for disclosing data.
    pub fn is_processor_article(&self) -> bool {
        match self {
            LegalProvision::EuAct(p) => p.is_gdpr() && p.article == Some(28),
            LegalProvision::FinnishStatute(_) => false,
        }
    }

    /// Returns the provision with its explicit title replaced (or removed
    /// with `None`), validated as in the constructors.
    pub fn with_title(mut self, title: Option<&str>) -> Result<Self, ProvisionError> {
        let title = validate_title(title)?;
        match &mut self {
            LegalProvision::FinnishStatute(p) => p.title = title,
            LegalProvision::EuAct(p) => p.title = title,
        }
        Ok(self)
    }

    /// The stable machine form, e.g. `1290/2002 13:1.2` or
    /// `EU:R 2016/679 6.1.c`. Never includes the title.
    pub fn canonical(&self) -> String {
        let mut text = self.statute_key();
        match self {
            LegalProvision::FinnishStatute(p) => {
                if let Some(section) = p.section {
                    text.push(' ');
                    if let Some(chapter) = p.chapter {
                        text.push_str(&format!("{chapter}:"));
                    }
                    text.push_str(&section.to_string());
                    if let Some(subsection) = p.subsection {
                        text.push_str(&format!(".{subsection}"));
                    }
                }
            }
            LegalProvision::EuAct(p) => {
                if let Some(article) = p.article {
                    text.push_str(&format!(" {article}"));
                    if let Some(paragraph) = p.paragraph {
                        text.push_str(&format!(".{paragraph}"));
                    }
                    if let Some(point) = p.point {
                        text.push_str(&format!(".{point}"));
                    }
                }
            }
        }
        text
    }

    /// The act alone, for filtering by statute: `1290/2002` or
    /// `EU:R 2016/679`.
    pub fn statute_key(&self) -> String {
        match self {
            LegalProvision::FinnishStatute(p) => p.statute.to_string(),
            LegalProvision::EuAct(p) => format!("EU:{} {}", p.kind.letter(), p.number),
        }
    }

    /// The title given explicitly, if any (what should be stored).
    pub fn given_title(&self) -> Option<&str> {
        match self {
            LegalProvision::FinnishStatute(p) => p.title.as_deref(),
            LegalProvision::EuAct(p) => p.title.as_deref(),
        }
    }

    /// The explicit title, or else the act's Finnish title from the statute table
    /// ([`super::statutes`]), or the GDPR's.
    pub fn title(&self) -> Option<&str> {
        self.given_title().or_else(|| match self {
            LegalProvision::FinnishStatute(p) => statutes::title(&p.statute, Language::Fi),
            LegalProvision::EuAct(p) if p.is_gdpr() => Some(GDPR_TITLE_FI),
            LegalProvision::EuAct(_) => None,
        })
    }

    /// A citation a reader of `lang` expects, with the act's title in that language
    /// (from [`super::statutes`]; the GDPR by its name) and grammatical in that language:
    /// - fi: `Työttömyysturvalaki (1290/2002) 13 luku 1 § 2 mom.`,
    ///   `EU:n yleisen tietosuoja-asetuksen (2016/679) 6 artiklan 1 kohdan c alakohta`
    /// - sv: `13 kap. 1 § 2 mom. lagen om utkomstskydd för arbetslösa (1290/2002)`,
    ///   `artikel 6.1 c i EU:s allmänna dataskyddsförordning (2016/679)`
    /// - en: `Unemployment Security Act (1290/2002), chapter 13, section 1, subsection 2`,
    ///   `Article 6(1)(c) of the General Data Protection Regulation (EU) 2016/679`
    ///
    /// An act the table does not know is cited by its number (a title given with the
    /// provision is used in Finnish only, the language titles are given in).
    pub fn readable_in(&self, lang: Language) -> String {
        match self {
            LegalProvision::FinnishStatute(p) => {
                let title = statutes::title(&p.statute, lang)
                    .or_else(|| (lang == Language::Fi).then(|| self.given_title()).flatten());
                cite_finnish(p, title, lang)
            }
            LegalProvision::EuAct(p) => cite_eu(p, lang),
        }
    }

    /// A human-readable form in the given language.
    ///
    /// Only the Finnish form includes the title (see [`LegalProvision::title`]),
    /// because the known titles are Finnish names: before the statute number
    /// for Finnish statutes, in parentheses after the act number for EU acts.
    /// - fi: `Työttömyysturvalaki 1290/2002 13 luku 1 § 2 mom`,
    ///   `Asetus (EU) 2016/679 (yleinen tietosuoja-asetus) 6 artikla 1 kohta c alakohta`
    /// - sv: `1290/2002 13 kap. 1 § 2 mom.`, `Förordning (EU) 2016/679 artikel 6.1 c`
    /// - en: `Act 1290/2002, chapter 13, section 1, subsection 2`,
    ///   `Regulation (EU) 2016/679, Article 6(1)(c)`
    pub fn readable(&self, lang: Language) -> String {
        match self {
            LegalProvision::FinnishStatute(p) => self.readable_finnish(p, lang),
            LegalProvision::EuAct(p) => self.readable_eu(p, lang),
        }
    }

    fn readable_finnish(&self, p: &FinnishProvision, lang: Language) -> String {
        let mut parts = Vec::new();
        match lang {
            Language::Fi => {
                parts.extend(self.title().map(str::to_owned));
                parts.push(p.statute.to_string());
                parts.extend(p.chapter.map(|c| format!("{c} luku")));
                parts.extend(p.section.map(|s| format!("{} §", s.spaced())));
                parts.extend(p.subsection.map(|m| format!("{m} mom")));
                parts.join(" ")
            }
            Language::Sv => {
                parts.push(p.statute.to_string());
                parts.extend(p.chapter.map(|c| format!("{c} kap.")));
                parts.extend(p.section.map(|s| format!("{} §", s.spaced())));
                parts.extend(p.subsection.map(|m| format!("{m} mom.")));
                parts.join(" ")
            }
            Language::En => {
                parts.push(format!("Act {}", p.statute));
                parts.extend(p.chapter.map(|c| format!("chapter {c}")));
                parts.extend(p.section.map(|s| format!("section {s}")));
                parts.extend(p.subsection.map(|m| format!("subsection {m}")));
                parts.join(", ")
            }
        }
    }

    fn readable_eu(&self, p: &EuProvision, lang: Language) -> String {
        let kind = match (lang, p.kind) {
            (Language::Fi, EuActKind::Regulation) => "Asetus",
            (Language::Fi, EuActKind::Directive) => "Direktiivi",
            (Language::Sv, EuActKind::Regulation) => "Förordning",
            (Language::Sv, EuActKind::Directive) => "Direktiv",
            (Language::En, EuActKind::Regulation) => "Regulation",
            (Language::En, EuActKind::Directive) => "Directive",
        };
        let mut text = format!("{kind} (EU) {}", p.number);
        if lang == Language::Fi
            && let Some(title) = self.title()
        {
            text.push_str(&format!(" ({title})"));
        }
        let Some(article) = p.article else {
            return text;
        };
        match lang {
            Language::Fi => {
                text.push_str(&format!(" {article} artikla"));
                if let Some(paragraph) = p.paragraph {
                    text.push_str(&format!(" {paragraph} kohta"));
                }
                if let Some(point) = p.point {
                    text.push_str(&format!(" {point} alakohta"));
                }
            }
            Language::Sv => {
                text.push_str(&format!(" artikel {article}"));
                if let Some(paragraph) = p.paragraph {
                    text.push_str(&format!(".{paragraph}"));
                }
                if let Some(point) = p.point {
                    text.push_str(&format!(" {point}"));
                }
            }
            Language::En => {
                text.push_str(&format!(", Article {article}"));
                if let Some(paragraph) = p.paragraph {
                    text.push_str(&format!("({paragraph})"));
                }
                if let Some(point) = p.point {
                    text.push_str(&format!("({point})"));
                }
            }
        }
        text
    }
}

/// A Finnish act's citation in `lang`, with `title` when known.
fn cite_finnish(p: &FinnishProvision, title: Option<&str>, lang: Language) -> String {
    let number = p.statute.to_string();
    match lang {
        Language::Fi => {
            let mut parts = vec![match title {
                Some(title) => format!("{title} ({number})"),
                None => number,
            }];
            parts.extend(p.chapter.map(|c| format!("{c} luku")));
            parts.extend(p.section.map(|s| format!("{} §", s.spaced())));
            parts.extend(p.subsection.map(|m| format!("{m} mom.")));
            parts.join(" ")
        }
        Language::Sv => {
            let mut parts = Vec::new();
            parts.extend(p.chapter.map(|c| format!("{c} kap.")));
            parts.extend(p.section.map(|s| format!("{} §", s.spaced())));
            parts.extend(p.subsection.map(|m| format!("{m} mom.")));
            parts.push(match title {
                Some(title) => format!("{} ({number})", swedish_definite(title)),
                None => number,
            });
            parts.join(" ")
        }
        Language::En => {
            let mut parts = vec![match title {
                Some(title) => format!("{title} ({number})"),
                None => format!("Act {number}"),
            }];
            parts.extend(p.chapter.map(|c| format!("chapter {c}")));
            parts.extend(p.section.map(|s| format!("section {s}")));
            parts.extend(p.subsection.map(|m| format!("subsection {m}")));
            parts.join(", ")
        }
    }
}

/// A Swedish act title in the definite form a citation uses: "Lag om X" becomes
/// "lagen om X", "Arbetsavtalslag" "arbetsavtalslagen", "Utsökningsbalk" "utsökningsbalken".
fn swedish_definite(title: &str) -> String {
    let mut chars = title.chars();
    let first: String = chars
        .next()
        .into_iter()
        .flat_map(char::to_lowercase)
        .collect();
    let rest = chars.as_str();
    match rest.find(' ') {
        // "Lag om …": the head noun is the first word.
        Some(space) => format!("{first}{}en{}", &rest[..space], &rest[space..]),
        None => format!("{first}{rest}en"),
    }
}

/// An EU act's citation in `lang`: the GDPR by its name, another act by kind and number.
fn cite_eu(p: &EuProvision, lang: Language) -> String {
    let number = p.number;
    match lang {
        Language::Fi => {
            // Every part but the last is in the genitive: "6 artiklan 1 kohdan c alakohta".
            let mut parts: Vec<(String, String)> = Vec::new();
            if let Some(article) = p.article {
                parts.push((format!("{article} artikla"), format!("{article} artiklan")));
            }
            if let Some(paragraph) = p.paragraph {
                parts.push((format!("{paragraph} kohta"), format!("{paragraph} kohdan")));
            }
            if let Some(point) = p.point {
                parts.push((format!("{point} alakohta"), format!("{point} alakohdan")));
            }
            let (act, act_genitive) = match (p.is_gdpr(), p.kind) {
                (true, _) => (
                    format!("EU:n yleinen tietosuoja-asetus ({number})"),
                    format!("EU:n yleisen tietosuoja-asetuksen ({number})"),
                ),
                (false, EuActKind::Regulation) => (
                    format!("Asetus (EU) {number}"),
                    format!("Asetuksen (EU) {number}"),
                ),
                (false, EuActKind::Directive) => (
                    format!("Direktiivi (EU) {number}"),
                    format!("Direktiivin (EU) {number}"),
                ),
            };
            let Some(((last, _), earlier)) = parts.split_last() else {
                return act;
            };
            let mut text = act_genitive;
            for (_, genitive) in earlier {
                text.push(' ');
                text.push_str(genitive);
            }
            text.push(' ');
            text.push_str(last);
            text
        }
        Language::Sv => {
            let act = match (p.is_gdpr(), p.kind) {
                (true, _) => format!("EU:s allmänna dataskyddsförordning ({number})"),
                (false, EuActKind::Regulation) => format!("förordning (EU) {number}"),
                (false, EuActKind::Directive) => format!("direktiv (EU) {number}"),
            };
            let Some(article) = p.article else {
                return act;
            };
            let mut location = format!("artikel {article}");
            if let Some(paragraph) = p.paragraph {
                location.push_str(&format!(".{paragraph}"));
            }
            if let Some(point) = p.point {
                location.push_str(&format!(" {point}"));
            }
            format!("{location} i {act}")
        }
        Language::En => {
            let act = match (p.is_gdpr(), p.kind) {
                (true, _) => format!("General Data Protection Regulation (EU) {number}"),
                (false, EuActKind::Regulation) => format!("Regulation (EU) {number}"),
                (false, EuActKind::Directive) => format!("Directive (EU) {number}"),
            };
            let Some(article) = p.article else {
                return act;
            };
            let act = if p.is_gdpr() {
                format!("the {act}")
            } else {
                act
            };
            let mut location = format!("Article {article}");
            if let Some(paragraph) = p.paragraph {
                location.push_str(&format!("({paragraph})"));
            }
            if let Some(point) = p.point {
                location.push_str(&format!("({point})"));
            }
            format!("{location} of {act}")
        }
    }
}

/// Parses a positive-looking decimal without sign or leading zeros; zero
/// itself is returned so callers can report it by name.
fn parse_number<T: FromStr>(text: &str) -> Option<T> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

fn split_number_pair<A: FromStr, B: FromStr>(text: &str) -> Option<(A, B)> {
    let (first, second) = text.split_once('/')?;
    Some((parse_number(first)?, parse_number(second)?))
}

type FinnishLocation = (Option<u16>, Option<Section>, Option<u16>);

/// Parses `[chapter:]section[.subsection]`.
fn parse_finnish_location(text: &str) -> Result<FinnishLocation, ProvisionError> {
    let bad = || ProvisionError::FinnishLocationFormat;
    let (chapter, rest) = match text.split_once(':') {
        Some((chapter, rest)) => (Some(parse_number(chapter).ok_or_else(bad)?), rest),
        None => (None, text),
    };
    let (section, subsection) = match rest.split_once('.') {
        Some((section, subsection)) => (section, Some(parse_number(subsection).ok_or_else(bad)?)),
        None => (rest, None),
    };
    Ok((chapter, Some(Section::parse(section)?), subsection))
}

type EuLocation = (Option<u16>, Option<u16>, Option<char>);

/// Parses `article[.paragraph[.point]]`.
fn parse_eu_location(text: &str) -> Result<EuLocation, ProvisionError> {
    let bad = || ProvisionError::EuLocationFormat;
    let mut parts = text.split('.');
    let article = parts.next().and_then(parse_number).ok_or_else(bad)?;
    let paragraph = match parts.next() {
        Some(p) => Some(parse_number(p).ok_or_else(bad)?),
        None => None,
    };
    let point = match parts.next() {
        Some(p) => {
            let mut chars = p.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => return Err(bad()),
            }
        }
        None => None,
    };
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((Some(article), paragraph, point))
}

fn validate_title(title: Option<&str>) -> Result<Option<String>, ProvisionError> {
    let Some(title) = title else {
        return Ok(None);
    };
    let title = title.trim();
    if title.is_empty() {
        return Err(ProvisionError::TitleEmpty);
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(ProvisionError::TitleTooLong);
    }
    if title.chars().any(char::is_control) {
        return Err(ProvisionError::TitleControl);
    }
    Ok(Some(title.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(text: &str) -> LegalProvision {
        LegalProvision::parse_canonical(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn documented_canonical_forms_round_trip() {
        for text in [
            "1290/2002",
            "1290/2002 13:1.2",
            "1290/2002 13:1",
            "621/1999 28",
            "621/1999 28.1",
            "380/2023 6a",
            "380/2023 2:6a.3",
            "EU:R 2016/679",
            "EU:D 2019/1152",
            "EU:R 2016/679 6.1.c",
            "EU:R 2016/679 6.1",
            "EU:R 2016/679 9",
        ] {
            assert_eq!(parsed(text).canonical(), text);
        }
    }

    #[test]
    fn a_provision_covers_itself_and_what_lies_under_it() {
        let p = |s| LegalProvision::parse_canonical(s).unwrap();
        assert!(p("1290/2002").covers(&p("1290/2002 13:1.2")));
        assert!(p("1290/2002 13:1").covers(&p("1290/2002 13:1.2")));
        assert!(p("1290/2002 13:1").covers(&p("1290/2002 13:1")));
        assert!(!p("1290/2002 13:1").covers(&p("1290/2002 13:10")));
        assert!(!p("1290/2002 13:1").covers(&p("1290/2002 13:1a")));
        assert!(!p("1290/2002 13:1.2").covers(&p("1290/2002 13:1")));
        assert!(!p("290/2002").covers(&p("1290/2002")));
        assert!(p("EU:R 2016/679 6").covers(&p("EU:R 2016/679 6.1.c")));
        assert!(!p("EU:R 2016/679 6").covers(&p("EU:R 2016/679 60")));
    }

    #[test]
    fn canonical_form_parses_into_the_expected_structure() {
        let expected = LegalProvision::finnish(
            StatuteNumber::new(1290, 2002).unwrap(),
            Some(13),
            Some(Section::new(1, None).unwrap()),
            Some(2),
            None,
        )
        .unwrap();
        assert_eq!(parsed("1290/2002 13:1.2"), expected);

        let LegalProvision::EuAct(eu) = parsed("EU:R 2016/679 6.1.c") else {
            panic!("expected an EU act");
        };
        assert_eq!(eu.kind(), EuActKind::Regulation);
        assert_eq!((eu.number().year(), eu.number().number()), (2016, 679));
        assert_eq!(
            (eu.article(), eu.paragraph(), eu.point()),
            (Some(6), Some(1), Some('c'))
        );
    }

    #[test]
    fn statute_key_is_the_act_alone() {
        assert_eq!(parsed("1290/2002 13:1.2").statute_key(), "1290/2002");
        assert_eq!(parsed("EU:R 2016/679 6.1.c").statute_key(), "EU:R 2016/679");
    }

    #[test]
    fn finnish_subsection_reads_in_each_language() {
        let p = parsed("1290/2002 13:1.2");
        assert_eq!(
            p.readable(Language::Fi),
            "Työttömyysturvalaki 1290/2002 13 luku 1 § 2 mom"
        );
        assert_eq!(p.readable(Language::Sv), "1290/2002 13 kap. 1 § 2 mom.");
        assert_eq!(
            p.readable(Language::En),
            "Act 1290/2002, chapter 13, section 1, subsection 2"
        );
    }

    #[test]
    fn finnish_reading_without_known_title_starts_with_the_number() {
        let p = parsed("1/2020 13:1.2");
        assert_eq!(p.title(), None);
        assert_eq!(p.readable(Language::Fi), "1/2020 13 luku 1 § 2 mom");
    }

    #[test]
    fn section_letter_is_spaced_in_finnish_and_swedish() {
        let p = parsed("380/2023 6a");
        assert_eq!(
            p.readable(Language::Fi),
            "Laki työvoimapalveluiden järjestämisestä 380/2023 6 a §"
        );
        assert_eq!(p.readable(Language::Sv), "380/2023 6 a §");
        assert_eq!(p.readable(Language::En), "Act 380/2023, section 6a");
    }

    #[test]
    fn eu_point_reads_in_each_language() {
        let p = parsed("EU:R 2016/679 6.1.c");
        assert_eq!(
            p.readable(Language::Fi),
            "Asetus (EU) 2016/679 (yleinen tietosuoja-asetus) 6 artikla 1 kohta c alakohta"
        );
        assert_eq!(
            p.readable(Language::Sv),
            "Förordning (EU) 2016/679 artikel 6.1 c"
        );
        assert_eq!(
            p.readable(Language::En),
            "Regulation (EU) 2016/679, Article 6(1)(c)"
        );
    }

    #[test]
    fn a_finnish_act_is_cited_with_its_title_in_each_language() {
        let p = parsed("1290/2002 13:1.2");
        assert_eq!(
            p.readable_in(Language::Fi),
            "Työttömyysturvalaki (1290/2002) 13 luku 1 § 2 mom."
        );
        assert_eq!(
            p.readable_in(Language::Sv),
            "13 kap. 1 § 2 mom. lagen om utkomstskydd för arbetslösa (1290/2002)"
        );
        assert_eq!(
            p.readable_in(Language::En),
            "Unemployment Security Act (1290/2002), chapter 13, section 1, subsection 2"
        );
    }

    #[test]
    fn a_swedish_title_of_one_word_takes_the_definite_ending() {
        assert_eq!(
            parsed("1050/2018 34").readable_in(Language::Sv),
            "34 § dataskyddslagen (1050/2018)"
        );
        assert_eq!(
            parsed("705/2007 3:64").readable_in(Language::Sv),
            "3 kap. 64 § utsökningsbalken (705/2007)"
        );
        assert_eq!(
            parsed("53/2018").readable_in(Language::Sv),
            "lagen om inkomstdatasystemet (53/2018)"
        );
    }

    #[test]
    fn a_gdpr_article_is_cited_grammatically_in_each_language() {
        let p = parsed("EU:R 2016/679 6.1.c");
        assert_eq!(
            p.readable_in(Language::Fi),
            "EU:n yleisen tietosuoja-asetuksen (2016/679) 6 artiklan 1 kohdan c alakohta"
        );
        assert_eq!(
            p.readable_in(Language::Sv),
            "artikel 6.1 c i EU:s allmänna dataskyddsförordning (2016/679)"
        );
        assert_eq!(
            p.readable_in(Language::En),
            "Article 6(1)(c) of the General Data Protection Regulation (EU) 2016/679"
        );
        assert_eq!(
            parsed("EU:R 2016/679 9").readable_in(Language::Fi),
            "EU:n yleisen tietosuoja-asetuksen (2016/679) 9 artikla"
        );
        assert_eq!(
            parsed("EU:R 2016/679").readable_in(Language::En),
            "General Data Protection Regulation (EU) 2016/679"
        );
    }

    #[test]
    fn an_act_without_a_known_title_is_cited_by_its_number() {
        let p = parsed("1/2020 6a.2");
        assert_eq!(p.readable_in(Language::Fi), "1/2020 6 a § 2 mom.");
        assert_eq!(p.readable_in(Language::Sv), "6 a § 2 mom. 1/2020");
        assert_eq!(
            p.readable_in(Language::En),
            "Act 1/2020, section 6a, subsection 2"
        );
        assert_eq!(
            parsed("EU:D 2019/1152 4.1").readable_in(Language::En),
            "Article 4(1) of Directive (EU) 2019/1152"
        );
        assert_eq!(
            parsed("EU:D 2019/1152 4.1").readable_in(Language::Fi),
            "Direktiivin (EU) 2019/1152 4 artiklan 1 kohta"
        );
    }

    #[test]
    fn eu_directive_without_title_or_article_reads_plainly() {
        let p = parsed("EU:D 2019/1152");
        assert_eq!(p.readable(Language::Fi), "Direktiivi (EU) 2019/1152");
        assert_eq!(p.readable(Language::Sv), "Direktiv (EU) 2019/1152");
        assert_eq!(p.readable(Language::En), "Directive (EU) 2019/1152");
        assert_eq!(
            parsed("EU:R 2016/679 9").readable(Language::En),
            "Regulation (EU) 2016/679, Article 9"
        );
    }

    #[test]
    fn explicit_title_wins_over_the_built_in_table_and_is_trimmed() {
        let p = parsed("1290/2002 13:1")
            .with_title(Some("  Unemployment Security Act "))
            .unwrap();
        assert_eq!(p.title(), Some("Unemployment Security Act"));
        assert_eq!(p.given_title(), Some("Unemployment Security Act"));
        assert_eq!(p.canonical(), "1290/2002 13:1");
        assert_eq!(parsed("1290/2002").given_title(), None);
        assert_eq!(parsed("1290/2002").title(), Some("Työttömyysturvalaki"));
    }

    #[test]
    fn structural_rules_are_enforced() {
        let statute = StatuteNumber::new(1290, 2002).unwrap();
        let section = Some(Section::new(1, None).unwrap());
        let gdpr = EuActNumber::new(2016, 679).unwrap();
        let r = EuActKind::Regulation;
        let cases = [
            (
                LegalProvision::finnish(statute, None, None, Some(2), None),
                ProvisionError::SubsectionWithoutSection,
            ),
            (
                LegalProvision::finnish(statute, Some(13), None, None, None),
                ProvisionError::ChapterWithoutSection,
            ),
            (
                LegalProvision::finnish(statute, Some(0), section, None, None),
                ProvisionError::NotPositive("chapter"),
            ),
            (
                LegalProvision::finnish(statute, None, section, Some(0), None),
                ProvisionError::NotPositive("subsection"),
            ),
            (
                LegalProvision::eu(r, gdpr, None, Some(1), None, None),
                ProvisionError::ParagraphWithoutArticle,
            ),
            (
                LegalProvision::eu(r, gdpr, Some(6), None, Some('c'), None),
                ProvisionError::PointWithoutParagraph,
            ),
            (
                LegalProvision::eu(r, gdpr, Some(6), Some(1), Some('C'), None),
                ProvisionError::PointLetter,
            ),
            (
                LegalProvision::eu(r, gdpr, Some(0), None, None, None),
                ProvisionError::NotPositive("article"),
            ),
        ];
        for (result, expected) in cases {
            assert_eq!(result, Err(expected));
        }
        assert!(LegalProvision::eu(r, gdpr, Some(9), None, None, None).is_ok());
    }

    #[test]
    fn number_parts_are_validated() {
        assert_eq!(
            StatuteNumber::new(0, 2002),
            Err(ProvisionError::NotPositive("statute number"))
        );
        assert_eq!(
            StatuteNumber::new(1, 1733),
            Err(ProvisionError::StatuteYear)
        );
        assert_eq!(
            StatuteNumber::new(1, 2101),
            Err(ProvisionError::StatuteYear)
        );
        assert!(StatuteNumber::new(1, 1734).is_ok());
        assert_eq!(
            Section::new(0, None),
            Err(ProvisionError::NotPositive("section"))
        );
        assert_eq!(
            Section::new(6, Some('A')),
            Err(ProvisionError::SectionLetter)
        );
        assert_eq!(Section::parse("6A"), Err(ProvisionError::SectionFormat));
        assert_eq!(Section::parse("a"), Err(ProvisionError::SectionFormat));
        assert_eq!("6a".parse::<Section>().unwrap().to_string(), "6a");
        assert_eq!(
            EuActNumber::parse("679/2016"),
            Err(ProvisionError::EuActYear)
        );
    }

    #[test]
    fn titles_are_validated() {
        let p = parsed("1290/2002");
        assert_eq!(
            p.clone().with_title(Some("   ")),
            Err(ProvisionError::TitleEmpty)
        );
        assert_eq!(
            p.clone().with_title(Some(&"ä".repeat(201))),
            Err(ProvisionError::TitleTooLong)
        );
        assert!(p.clone().with_title(Some(&"ä".repeat(200))).is_ok());
        assert_eq!(
            p.with_title(Some("line\nbreak")),
            Err(ProvisionError::TitleControl)
        );
    }

    #[test]
    fn malformed_canonical_text_is_rejected_with_a_named_problem() {
        let cases = [
            ("", ProvisionError::StatuteNumberFormat),
            ("1290-2002", ProvisionError::StatuteNumberFormat),
            ("01290/2002", ProvisionError::StatuteNumberFormat),
            ("0/2002", ProvisionError::NotPositive("statute number")),
            ("1290/1600", ProvisionError::StatuteYear),
            (" 1290/2002", ProvisionError::StatuteNumberFormat),
            ("1290/2002 ", ProvisionError::SectionFormat),
            ("1290/2002  13", ProvisionError::CanonicalFormat),
            ("1290/2002 13 1", ProvisionError::CanonicalFormat),
            ("1290/2002 13:", ProvisionError::SectionFormat),
            ("1290/2002 :1", ProvisionError::FinnishLocationFormat),
            ("1290/2002 1.2.3", ProvisionError::FinnishLocationFormat),
            ("1290/2002 13:1:2", ProvisionError::SectionFormat),
            ("EU:X 2016/679", ProvisionError::EuActKind),
            ("EU:r 2016/679", ProvisionError::EuActKind),
            ("EU:R", ProvisionError::CanonicalFormat),
            ("EU:R 679/2016", ProvisionError::EuActYear),
            ("EU:R 2016-679", ProvisionError::EuActNumberFormat),
            ("EU:R 2016/679 6.1.cc", ProvisionError::EuLocationFormat),
            ("EU:R 2016/679 6.1.c.1", ProvisionError::EuLocationFormat),
            ("EU:R 2016/679 6..c", ProvisionError::EuLocationFormat),
            ("EU:R 2016/679 6.1.C", ProvisionError::PointLetter),
        ];
        for (input, expected) in cases {
            assert_eq!(
                LegalProvision::parse_canonical(input),
                Err(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn statute_numbers_order_by_year_then_number() {
        let older = StatuteNumber::parse("1290/2002").unwrap();
        let newer = StatuteNumber::parse("53/2018").unwrap();
        assert!(older < newer);
        assert!(Section::parse("6").unwrap() < Section::parse("6a").unwrap());
        assert!(Section::parse("6a").unwrap() < Section::parse("7").unwrap());
    }

    fn finnish_provision() -> impl Strategy<Value = LegalProvision> {
        (
            1u32..100_000,
            1734u16..=2100,
            proptest::option::of(1u16..500),
            proptest::option::of((
                1u16..1000,
                proptest::option::of(proptest::char::range('a', 'z')),
            )),
            proptest::option::of(1u16..20),
        )
            .prop_map(|(number, year, chapter, section, subsection)| {
                let section = section.map(|(n, s)| Section::new(n, s).unwrap());
                let (chapter, subsection) = if section.is_some() {
                    (chapter, subsection)
                } else {
                    (None, None)
                };
                let statute = StatuteNumber::new(number, year).unwrap();
                LegalProvision::finnish(statute, chapter, section, subsection, None).unwrap()
            })
    }

    fn eu_provision() -> impl Strategy<Value = LegalProvision> {
        (
            prop_oneof![Just(EuActKind::Regulation), Just(EuActKind::Directive)],
            1958u16..=2100,
            1u32..10_000,
            proptest::option::of(1u16..200),
            proptest::option::of(1u16..20),
            proptest::option::of(proptest::char::range('a', 'z')),
        )
            .prop_map(|(kind, year, number, article, paragraph, point)| {
                let paragraph = article.and(paragraph);
                let point = paragraph.and(point);
                let number = EuActNumber::new(year, number).unwrap();
                LegalProvision::eu(kind, number, article, paragraph, point, None).unwrap()
            })
    }

    fn any_provision() -> impl Strategy<Value = LegalProvision> {
        prop_oneof![finnish_provision(), eu_provision()]
    }

    proptest! {
        #[test]
        fn generated_provisions_round_trip_through_canonical(p in any_provision()) {
            let text = p.canonical();
            prop_assert_eq!(LegalProvision::parse_canonical(&text), Ok(p));
        }

        #[test]
        fn title_survives_a_round_trip_beside_the_canonical_form(
            p in any_provision(),
            title in "[A-Za-zåäöÅÄÖ][A-Za-zåäö -]{0,40}",
        ) {
            let p = p.with_title(Some(&title)).unwrap();
            let back = LegalProvision::parse_canonical(&p.canonical())
                .unwrap()
                .with_title(p.given_title())
                .unwrap();
            prop_assert_eq!(back, p);
        }

        #[test]
        fn anything_that_parses_is_already_canonical(input in "(EU:[RDX] (19|20)[0-9]{2}/[0-9]{1,4}|[0-9]{1,4}/(17|18|19|20)[0-9]{2})( [0-9a-c:.]{0,8})?") {
            if let Ok(p) = LegalProvision::parse_canonical(&input) {
                prop_assert_eq!(p.canonical(), input);
            }
        }

        #[test]
        fn arbitrary_input_never_panics(input in any::<String>()) {
            if let Ok(p) = LegalProvision::parse_canonical(&input) {
                for lang in [Language::Fi, Language::Sv, Language::En] {
                    let _ = p.readable(lang);
                }
            }
        }
    }
}
