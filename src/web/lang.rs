//! The pages' language: `?lang=` first, then the `lang` cookie that a `?lang=` choice sets,
//! then the browser's Accept-Language, else Finnish. Hand-written: three languages and one
//! header need a dozen lines, not a negotiation crate.
//!
//! The texts every page shares (layout, navigation, errors) are here; each page keeps its
//! own texts in its module, as `fi`/`sv`/`en` constants of a struct of its own.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fi,
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fi" => Some(Self::Fi),
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// `chosen` (`?lang=`, else the cookie) if it names one of ours, else the
    /// Accept-Language entry of highest weight that does (RFC 9110 §12.5.4), else Finnish.
    pub fn choose(chosen: Option<&str>, accept_language: Option<&str>) -> Self {
        if let Some(lang) = chosen.and_then(Self::parse) {
            return lang;
        }
        let mut best: Option<(f32, Self)> = None;
        for entry in accept_language.unwrap_or("").split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Self::Fi, |(_, lang)| lang)
    }

    /// The texts every page shares.
    pub fn texts(self) -> &'static Texts {
        self.pick(&FI, &SV, &EN)
    }

    /// One of three, by language: how a page picks its own texts.
    pub fn pick<T: ?Sized>(self, fi: &'static T, sv: &'static T, en: &'static T) -> &'static T {
        match self {
            Self::Fi => fi,
            Self::Sv => sv,
            Self::En => en,
        }
    }

    /// The language's name in itself, for the language links.
    pub fn endonym(self) -> &'static str {
        self.pick("Suomeksi", "På svenska", "In English")
    }

    /// The language of the documents (access report, Art. 30 record) in this language.
    pub fn document_language(self) -> crate::domain::provision::Language {
        match self {
            Self::Fi => crate::domain::provision::Language::Fi,
            Self::Sv => crate::domain::provision::Language::Sv,
            Self::En => crate::domain::provision::Language::En,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Fi => "fi",
            Self::Sv => "sv",
            Self::En => "en",
        })
    }
}

/// The texts every page shares, in one language.
pub struct Texts {
    pub service: &'static str,
    pub skip: &'static str,
    pub nav: &'static str,
    pub integrity: &'static str,
    pub accessibility: &'static str,
    pub denied: &'static str,
    pub unauthenticated: &'static str,
    pub busy: &'static str,
    pub failed: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub overview: &'static str,
    pub registers: &'static str,
    pub disclosures: &'static str,
    pub access_requests: &'static str,
    pub lookup_audit: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub sign_in: &'static str,
    pub languages: &'static str,
    pub local_mode: &'static str,
    pub rejected: &'static str,
    pub csrf_failed: &'static str,
}

const FI: Texts = Texts {
    service: "Luovutusloki",
    skip: "Siirry sisältöön",
    nav: "Sivut",
    integrity: "Lokin eheys",
    accessibility: "Saavutettavuusseloste",
    denied: "Ei oikeutta",
    unauthenticated: "Tunnistetiedot eivät vastaa ketään tämän palvelun käyttäjää.",
    busy: "Liian monta pyyntöä; yritä hetken kuluttua uudelleen.",
    failed: "Sivua ei voitu näyttää. Virhe on kirjattu palvelun lokiin.",
    not_found: "Sivua ei löydy",
    not_found_text: "Osoitteessa ei ole sivua.",
    overview: "Yleiskuva",
    registers: "Rekisterit",
    disclosures: "Luovutukset",
    access_requests: "Tarkastuspyynnöt",
    lookup_audit: "Hakujen valvonta",
    signed_in_as: "Kirjautuneena:",
    sign_out: "Kirjaudu ulos",
    sign_in: "Kirjaudu sisään",
    languages: "Kieli",
    local_mode: "Paikallinen käyttö: palvelussa ei ole määritetty käyttäjiä, joten jokaisella tämän koneen käyttäjällä on kaikki roolit.",
    rejected: "Pyyntö hylättiin",
    csrf_failed: "Lomake oli vanhentunut tai se lähetettiin toiselta sivustolta. Lataa sivu uudelleen ja yritä uudestaan.",
};

const SV: Texts = Texts {
    service: "Utlämnandeloggen",
    skip: "Hoppa till innehållet",
    nav: "Sidor",
    integrity: "Loggens integritet",
    accessibility: "Tillgänglighetsutlåtande",
    denied: "Ingen behörighet",
    unauthenticated: "Inloggningsuppgifterna motsvarar ingen användare av denna tjänst.",
    busy: "För många förfrågningar; försök igen om en stund.",
    failed: "Sidan kunde inte visas. Felet har förts in i tjänstens logg.",
    not_found: "Sidan hittades inte",
    not_found_text: "Det finns ingen sida på adressen.",
    overview: "Översikt",
    registers: "Register",
    disclosures: "Utlämnanden",
    access_requests: "Begäranden om insyn",
    lookup_audit: "Tillsyn över sökningar",
    signed_in_as: "Inloggad:",
    sign_out: "Logga ut",
    sign_in: "Logga in",
    languages: "Språk",
    local_mode: "Lokal användning: inga användare har konfigurerats i tjänsten, så varje användare på denna dator har alla roller.",
    rejected: "Begäran avvisades",
    csrf_failed: "Formuläret hade gått ut eller skickades från en annan webbplats. Ladda om sidan och försök igen.",
};

const EN: Texts = Texts {
    service: "Disclosure log",
    skip: "Skip to content",
    nav: "Pages",
    integrity: "Log integrity",
    accessibility: "Accessibility statement",
    denied: "Not allowed",
    unauthenticated: "The credentials name no caller of this service.",
    busy: "Too many requests; try again in a moment.",
    failed: "The page could not be shown. The error is in the service's log.",
    not_found: "Page not found",
    not_found_text: "There is no page at this address.",
    overview: "Overview",
    registers: "Registers",
    disclosures: "Disclosures",
    access_requests: "Access requests",
    lookup_audit: "Lookup audit",
    signed_in_as: "Signed in as",
    sign_out: "Sign out",
    sign_in: "Sign in",
    languages: "Language",
    local_mode: "Local use: the service has no configured callers, so every user of this machine has every role.",
    rejected: "Request refused",
    csrf_failed: "The form had expired or was sent from another site. Reload the page and try again.",
};

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn the_query_wins_then_the_heaviest_accepted_language_then_finnish() {
        assert_eq!(Lang::choose(Some("sv"), Some("en")), Lang::Sv);
        assert_eq!(
            Lang::choose(Some("de"), Some("de, en;q=0.5, sv;q=0.8")),
            Lang::Sv
        );
        assert_eq!(Lang::choose(None, Some("en-GB")), Lang::En);
        assert_eq!(Lang::choose(None, Some("de, fr")), Lang::Fi);
        assert_eq!(Lang::choose(None, None), Lang::Fi);
    }
}
