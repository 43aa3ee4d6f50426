//! The acts the register catalogues cite: each one's official title in Finnish, Swedish and
//! English, and the dates it was in force. One table, so a document in any of the three
//! languages names an act the same way, and a disclosure made after an act's repeal can be
//! caught citing it.
//!
//! Sources: `shared/LEGAL.md` (the project's table of titles) and, for the acts it leaves
//! out, Finlex and the ministries' own pages (named per row). An act whose title could not
//! be confirmed in all three languages is not here: it has no default title and is cited by
//! its number alone, rather than by a guessed name.

use time::Date;
use time::macros::date;

use super::provision::{Language, StatuteNumber};

/// One act of the statute book.
struct Statute {
    number: u32,
    year: u16,
    fi: &'static str,
    sv: &'static str,
    en: &'static str,
    /// The day it entered into force, when known; `None` means "long before any disclosure
    /// this service records".
    in_force_from: Option<Date>,
    /// The day it ceased to be in force (the repealing act's entry into force).
    repealed_on: Option<Date>,
    /// The repealing act keeps it applying to cases begun before the repeal, so citing it
    /// after `repealed_on` is not in itself wrong.
    transitional: bool,
}

const fn act(
    number: u32,
    year: u16,
    fi: &'static str,
    sv: &'static str,
    en: &'static str,
) -> Statute {
    Statute {
        number,
        year,
        fi,
        sv,
        en,
        in_force_from: None,
        repealed_on: None,
        transitional: false,
    }
}

impl Statute {
    const fn from(mut self, day: Date) -> Self {
        self.in_force_from = Some(day);
        self
    }

    const fn repealed(mut self, day: Date) -> Self {
        self.repealed_on = Some(day);
        self
    }

    const fn with_transitional_rules(mut self) -> Self {
        self.transitional = true;
        self
    }
}

/// Every act with a known title, by number. Titles are the base forms as the statute book
/// gives them (sv without the article: "lag om …"; the citation adds "lagen").
static STATUTES: &[Statute] = &[
    // LEGAL.md's table.
    act(
        603,
        1984,
        "Työttömyyskassalaki",
        "Lag om arbetslöshetskassor",
        "Unemployment Funds Act",
    ),
    act(
        1290,
        2002,
        "Työttömyysturvalaki",
        "Lag om utkomstskydd för arbetslösa",
        "Unemployment Security Act",
    )
    .from(date!(2003 - 01 - 01)),
    // Repealed from 1.8.2024; a leave that began by 31.7.2024 runs to its end under it
    // (HE on abolishing job alternation leave; Kela and TE offices' notices, spring 2024).
    act(
        1305,
        2002,
        "Vuorotteluvapaalaki",
        "Lag om alterneringsledighet",
        "Job Alternation Leave Act",
    )
    .from(date!(2003 - 01 - 01))
    .repealed(date!(2024 - 08 - 01))
    .with_transitional_rules(),
    act(
        380,
        2023,
        "Laki työvoimapalveluiden järjestämisestä",
        "Lag om ordnande av arbetskraftsservice",
        "Act on the Organisation of Employment Services",
    )
    .from(date!(2025 - 01 - 01)),
    // Repealed by 380/2023 from 1.1.2025 (RP 207/2022: "upphävs lagen om offentlig
    // arbetskrafts- och företagsservice").
    act(
        916,
        2012,
        "Laki julkisesta työvoima- ja yrityspalvelusta",
        "Lag om offentlig arbetskrafts- och företagsservice",
        "Act on Public Employment and Business Service",
    )
    .from(date!(2013 - 01 - 01))
    .repealed(date!(2025 - 01 - 01)),
    act(
        621,
        1999,
        "Laki viranomaisten toiminnan julkisuudesta",
        "Lag om offentlighet i myndigheternas verksamhet",
        "Act on the Openness of Government Activities",
    ),
    act(
        1050,
        2018,
        "Tietosuojalaki",
        "Dataskyddslag",
        "Data Protection Act",
    )
    .from(date!(2019 - 01 - 01)),
    act(831, 1994, "Arkistolaki", "Arkivlag", "Archives Act"),
    act(
        53,
        2018,
        "Laki tulotietojärjestelmästä",
        "Lag om inkomstdatasystemet",
        "Act on the Income Information System",
    ),
    act(
        705,
        2007,
        "Ulosottokaari",
        "Utsökningsbalk",
        "Enforcement Code",
    ),
    act(
        55,
        2001,
        "Työsopimuslaki",
        "Arbetsavtalslag",
        "Employment Contracts Act",
    ),
    act(280, 2004, "Tilastolaki", "Statistiklag", "Statistics Act"),
    act(
        661,
        2009,
        "Laki väestötietojärjestelmästä ja Digi- ja väestötietoviraston varmennepalveluista",
        "Lag om befolkningsdatasystemet och Myndigheten för digitalisering och befolkningsdatas certifikattjänster",
        "Act on the Population Information System and the Certificate Services of the Digital and Population Data Services Agency",
    ),
    // Finlex (finlex.fi/en/legislation/2023/381, Swedish title) and TEM's page "Multi-sectoral
    // promotion of employment" (English title; in force from the beginning of 2025).
    act(
        381,
        2023,
        "Laki työllistymisen monialaisesta edistämisestä",
        "Lag om sektorsövergripande främjande av sysselsättningen",
        "Act on Multisectoral Promotion of Employment",
    )
    .from(date!(2025 - 01 - 01)),
    // RP 207/2022 (Swedish title, repealed by the reform) and TEM's page above ("in force
    // until the end of 2024", English title).
    act(
        1369,
        2014,
        "Laki työllistymistä edistävästä monialaisesta yhteispalvelusta",
        "Lag om sektorsövergripande samservice som främjar sysselsättningen",
        "Act on Multisectoral Joint Services Promoting Employment",
    )
    .from(date!(2015 - 01 - 01))
    .repealed(date!(2025 - 01 - 01)),
    // Finlex 805/2011 (Finnish title) and the Ministry of Justice's unofficial translation
    // "Criminal Investigation Act (805/2011)"; in force from 1.1.2014.
    act(
        805,
        2011,
        "Esitutkintalaki",
        "Förundersökningslag",
        "Criminal Investigation Act",
    )
    .from(date!(2014 - 01 - 01)),
    // Police Act (872/2011), in force from 1.1.2014 with 805/2011 and 806/2011.
    act(872, 2011, "Poliisilaki", "Polislag", "Police Act").from(date!(2014 - 01 - 01)),
];

fn find(statute: &StatuteNumber) -> Option<&'static Statute> {
    STATUTES
        .iter()
        .find(|s| s.number == statute.number() && s.year == statute.year())
}

/// The act's official title in `lang`, if the table knows it.
pub fn title(statute: &StatuteNumber, lang: Language) -> Option<&'static str> {
    find(statute).map(|s| match lang {
        Language::Fi => s.fi,
        Language::Sv => s.sv,
        Language::En => s.en,
    })
}

/// The day the act ceased to be in force, if it has been repealed.
pub fn repealed_on(statute: &StatuteNumber) -> Option<Date> {
    find(statute).and_then(|s| s.repealed_on)
}

/// The day the act entered into force, when the table knows it.
pub fn in_force_from(statute: &StatuteNumber) -> Option<Date> {
    find(statute).and_then(|s| s.in_force_from)
}

/// Whether a disclosure made on `day` may cite the act: it had entered into force and had not
/// been repealed, or its transitional rules keep it applying. An act the table does not know
/// is taken to be in force (the table is not the statute book).
pub fn in_force_on(statute: &StatuteNumber, day: Date) -> bool {
    let Some(s) = find(statute) else {
        return true;
    };
    let started = s.in_force_from.is_none_or(|from| from <= day);
    let not_repealed = s.transitional || s.repealed_on.is_none_or(|repeal| day < repeal);
    started && not_repealed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> StatuteNumber {
        StatuteNumber::parse(text).unwrap()
    }

    #[test]
    fn every_act_has_a_title_in_each_language() {
        for s in STATUTES {
            for text in [s.fi, s.sv, s.en] {
                assert!(!text.trim().is_empty(), "{}/{}", s.number, s.year);
            }
        }
    }

    #[test]
    fn no_act_is_listed_twice() {
        for (i, a) in STATUTES.iter().enumerate() {
            assert!(
                STATUTES[i + 1..]
                    .iter()
                    .all(|b| (a.number, a.year) != (b.number, b.year)),
                "{}/{}",
                a.number,
                a.year
            );
        }
    }

    #[test]
    fn the_income_information_act_has_its_official_title() {
        let act = number("53/2018");
        assert_eq!(
            title(&act, Language::Fi),
            Some("Laki tulotietojärjestelmästä")
        );
        assert_eq!(
            title(&act, Language::Sv),
            Some("Lag om inkomstdatasystemet")
        );
        assert_eq!(
            title(&act, Language::En),
            Some("Act on the Income Information System")
        );
    }

    #[test]
    fn the_public_employment_act_is_in_force_until_its_repeal() {
        let act = number("916/2012");
        assert_eq!(repealed_on(&act), Some(date!(2025 - 01 - 01)));
        assert!(in_force_on(&act, date!(2024 - 12 - 31)));
        assert!(!in_force_on(&act, date!(2025 - 01 - 01)));
    }

    #[test]
    fn an_act_is_not_in_force_before_it_enters_into_force() {
        let act = number("380/2023");
        assert!(!in_force_on(&act, date!(2024 - 12 - 31)));
        assert!(in_force_on(&act, date!(2025 - 01 - 01)));
    }

    #[test]
    fn transitional_rules_keep_a_repealed_act_citable() {
        let act = number("1305/2002");
        assert_eq!(repealed_on(&act), Some(date!(2024 - 08 - 01)));
        assert!(in_force_on(&act, date!(2025 - 01 - 15)));
    }

    #[test]
    fn an_unknown_act_has_no_title_and_is_taken_to_be_in_force() {
        let act = number("1/2020");
        assert_eq!(title(&act, Language::Fi), None);
        assert!(in_force_on(&act, date!(2026 - 12 - 01)));
    }
}
