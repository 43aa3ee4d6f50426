//! The pages' language: `?lang=` first, then the browser's Accept-Language, else Finnish.
//! Hand-written: three languages and one header need a dozen lines, not a negotiation crate.
//!
//! The enforcement body of Act 306/2019: accessibility monitoring moved from the Regional
//! State Administrative Agency for Southern Finland to Traficom on 1.1.2025 (HE 71/2024;
//! the AVIs themselves ended on 1.1.2026). Checked 2026-12-01; recheck before release.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fi,
    Sv,
    En,
}

impl Lang {
    fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fi" => Some(Self::Fi),
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// `query` (`?lang=`) if it names one of ours, else the Accept-Language entry of
    /// highest weight that does (RFC 9110 §12.5.4), else Finnish.
    pub fn choose(query: Option<&str>, accept_language: Option<&str>) -> Self {
        if let Some(lang) = query.and_then(Self::parse) {
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

    pub fn texts(self) -> &'static Texts {
        match self {
            Self::Fi => &FI,
            Self::Sv => &SV,
            Self::En => &EN,
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

/// Every text of the pages in one language.
pub struct Texts {
    pub service: &'static str,
    pub skip: &'static str,
    pub nav: &'static str,
    pub integrity: &'static str,
    pub accessibility: &'static str,
    pub tree_size: &'static str,
    pub latest: &'static str,
    pub no_checkpoint: &'static str,
    pub age: &'static str,
    pub seconds: &'static str,
    pub verifier_key: &'static str,
    pub no_key: &'static str,
    pub offline: &'static str,
    pub offline_text: &'static str,
    pub statement_intro: &'static str,
    pub status: &'static str,
    pub status_text: &'static str,
    pub not_accessible: &'static str,
    pub not_accessible_text: &'static str,
    pub feedback: &'static str,
    pub feedback_text: &'static str,
    pub feedback_to: &'static str,
    pub enforcement: &'static str,
    pub enforcement_text: &'static str,
    pub denied: &'static str,
    pub unauthenticated: &'static str,
    pub busy: &'static str,
    pub failed: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
}

const FI: Texts = Texts {
    service: "Luovutusloki",
    skip: "Siirry sisältöön",
    nav: "Sivut",
    integrity: "Lokin eheys",
    accessibility: "Saavutettavuusseloste",
    tree_size: "Merkintöjä puussa",
    latest: "Viimeisin tarkistuspiste",
    no_checkpoint: "Tarkistuspistettä ei ole vielä allekirjoitettu.",
    age: "Tarkistuspisteen ikä",
    seconds: "s",
    verifier_key: "Tarkistusavain",
    no_key: "Tarkistuspisteitä ei allekirjoiteta tässä palvelussa.",
    offline: "Näin tarkistat lokin itse",
    offline_text: "Tarkistus ei tarvitse tätä palvelua: komennot lukevat tietokantaa tai todistetiedostoa suoraan.",
    statement_intro: "Tämä saavutettavuusseloste koskee luovutusloki-palvelun verkkosivuja. Seloste perustuu digitaalisten palvelujen tarjoamisesta annettuun lakiin (306/2019) ja WCAG 2.1 -ohjeiston AA-tasoon.",
    status: "Saavutettavuuden tila",
    status_text: "Sivut täyttävät saavutettavuusvaatimukset osittain.",
    not_accessible: "Sisältö, joka ei vielä ole saavutettavaa",
    not_accessible_text: "Hallintanäkymää rakennetaan: sivuja ei ole vielä arvioitu kokonaan WCAG 2.1 AA -tasoa vasten eikä testattu avustavilla teknologioilla. Korjaamme puutteet sitä mukaa kuin sivuja valmistuu.",
    feedback: "Palaute",
    feedback_to: "Huomasitko puutteen? Kerro siitä meille:",
    feedback_text: "Palveluntarjoaja ei ole vielä asettanut palauteosoitetta. Ylläpitäjän on lisättävä se ennen käyttöönottoa.",
    enforcement: "Valvontaviranomainen",
    enforcement_text: "Jos et ole tyytyväinen saamaasi vastaukseen tai et saa vastausta kahden viikon kuluessa, voit tehdä ilmoituksen valvontaviranomaiselle: Liikenne- ja viestintävirasto Traficom, saavutettavuusvalvonta, www.saavutettavuusvaatimukset.fi. (Valvonta siirtyi Etelä-Suomen aluehallintovirastolta Traficomille 1.1.2025.)",
    denied: "Ei oikeutta",
    unauthenticated: "Tunnistetiedot eivät vastaa ketään tämän palvelun käyttäjää.",
    busy: "Liian monta pyyntöä; yritä hetken kuluttua uudelleen.",
    failed: "Sivua ei voitu näyttää. Virhe on kirjattu palvelun lokiin.",
    not_found: "Sivua ei löydy",
    not_found_text: "Osoitteessa ei ole sivua.",
};

const SV: Texts = Texts {
    service: "Utlämnandeloggen",
    skip: "Hoppa till innehållet",
    nav: "Sidor",
    integrity: "Loggens integritet",
    accessibility: "Tillgänglighetsutlåtande",
    tree_size: "Poster i trädet",
    latest: "Senaste kontrollpunkt",
    no_checkpoint: "Ingen kontrollpunkt har ännu signerats.",
    age: "Kontrollpunktens ålder",
    seconds: "s",
    verifier_key: "Verifieringsnyckel",
    no_key: "Kontrollpunkter signeras inte i denna tjänst.",
    offline: "Så här verifierar du loggen själv",
    offline_text: "Verifieringen behöver inte denna tjänst: kommandona läser databasen eller bevisfilen direkt.",
    statement_intro: "Detta tillgänglighetsutlåtande gäller webbsidorna i tjänsten luovutusloki. Utlåtandet grundar sig på lagen om tillhandahållande av digitala tjänster (306/2019) och nivå AA i WCAG 2.1.",
    status: "Tillgänglighetsstatus",
    status_text: "Sidorna uppfyller tillgänglighetskraven delvis.",
    not_accessible: "Innehåll som ännu inte är tillgängligt",
    not_accessible_text: "Översiktsvyn håller på att byggas: sidorna har ännu inte bedömts fullständigt mot WCAG 2.1 AA eller testats med hjälpmedel. Vi åtgärdar bristerna allteftersom sidorna blir klara.",
    feedback: "Respons",
    feedback_to: "Har du upptäckt en brist? Meddela oss:",
    feedback_text: "Tjänsteleverantören har ännu inte angett en adress för respons. Administratören måste lägga till den före ibruktagandet.",
    enforcement: "Tillsynsmyndighet",
    enforcement_text: "Om du inte är nöjd med svaret eller inte får svar inom två veckor kan du göra en anmälan till tillsynsmyndigheten: Transport- och kommunikationsverket Traficom, tillgänglighetstillsynen, www.tillganglighetskrav.fi. (Tillsynen överfördes från Regionförvaltningsverket i Södra Finland till Traficom 1.1.2025.)",
    denied: "Ingen behörighet",
    unauthenticated: "Inloggningsuppgifterna motsvarar ingen användare av denna tjänst.",
    busy: "För många förfrågningar; försök igen om en stund.",
    failed: "Sidan kunde inte visas. Felet har förts in i tjänstens logg.",
    not_found: "Sidan hittades inte",
    not_found_text: "Det finns ingen sida på adressen.",
};

const EN: Texts = Texts {
    service: "Disclosure log",
    skip: "Skip to content",
    nav: "Pages",
    integrity: "Log integrity",
    accessibility: "Accessibility statement",
    tree_size: "Entries in the tree",
    latest: "Latest checkpoint",
    no_checkpoint: "No checkpoint has been signed yet.",
    age: "Age of the checkpoint",
    seconds: "s",
    verifier_key: "Verifier key",
    no_key: "This service does not sign checkpoints.",
    offline: "How to verify the log yourself",
    offline_text: "Verifying needs nothing of this service: the commands read the database or the proof file directly.",
    statement_intro: "This accessibility statement applies to the web pages of the luovutusloki service. It is based on the Act on the Provision of Digital Services (306/2019) and level AA of WCAG 2.1.",
    status: "Compliance status",
    status_text: "The pages partially meet the accessibility requirements.",
    not_accessible: "Content that is not yet accessible",
    not_accessible_text: "The dashboard is being built: the pages have not yet been fully assessed against WCAG 2.1 AA nor tested with assistive technologies. We fix shortcomings as the pages are completed.",
    feedback: "Feedback",
    feedback_to: "Did you notice a shortcoming? Tell us:",
    feedback_text: "The provider has not yet set a feedback address. The operator must add one before the service is taken into use.",
    enforcement: "Enforcement",
    enforcement_text: "If you are not satisfied with the reply, or get none within two weeks, you can notify the enforcement body: the Finnish Transport and Communications Agency Traficom, accessibility monitoring, www.saavutettavuusvaatimukset.fi. (Monitoring moved from the Regional State Administrative Agency for Southern Finland to Traficom on 1 January 2025.)",
    denied: "Not allowed",
    unauthenticated: "The credentials name no caller of this service.",
    busy: "Too many requests; try again in a moment.",
    failed: "The page could not be shown. The error is in the service's log.",
    not_found: "Page not found",
    not_found_text: "There is no page at this address.",
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
