//! The words of the documents in Finnish, Swedish and English.

use crate::domain::provision::Language;
use crate::domain::{Channel, DataCategory, LegalBasis, RecipientKind};

/// A data category in words a person understands.
pub fn category(lang: Language, category: DataCategory) -> &'static str {
    use DataCategory::*;
    let [fi, sv, en] = match category {
        Identity => [
            "henkilöllisyys (nimi, henkilötunnus)",
            "identitet (namn, personbeteckning)",
            "identity (name, personal identity code)",
        ],
        Contact => ["yhteystiedot", "kontaktuppgifter", "contact details"],
        Language => ["kieli", "språk", "language"],
        Gender => ["sukupuoli", "kön", "gender"],
        BankAccount => ["pankkitili", "bankkonto", "bank account"],
        Membership => ["jäsenyys", "medlemskap", "membership"],
        TradeUnion => [
            "ammattiliiton jäsenyys",
            "medlemskap i fackförbund",
            "trade union membership",
        ],
        Family => ["lapset ja perhe", "barn och familj", "children and family"],
        BenefitApplication => [
            "etuushakemukset",
            "förmånsansökningar",
            "benefit applications",
        ],
        BenefitPayment => [
            "etuuspäätökset ja -maksut",
            "förmånsbeslut och utbetalningar",
            "benefit decisions and payments",
        ],
        RecoveryAndMisuse => [
            "takaisinperintä ja väärinkäytösten selvittäminen",
            "återkrav och utredning av missbruk",
            "recovery and suspected misuse",
        ],
        IncomeAndTax => [
            "tulot ja verotus",
            "inkomster och beskattning",
            "income and tax",
        ],
        EmploymentHistory => ["työhistoria", "arbetshistorik", "employment history"],
        EducationAndSkills => [
            "koulutus ja osaaminen",
            "utbildning och kompetens",
            "education and skills",
        ],
        JobSeeking => [
            "työnhaku ja palvelutarve",
            "arbetssökande och servicebehov",
            "job seeking and service needs",
        ],
        JobOffers => ["työtarjoukset", "arbetserbjudanden", "job offers"],
        HealthAndWorkAbility => [
            "terveys ja työkyky",
            "hälsa och arbetsförmåga",
            "health and work ability",
        ],
        ResidencePermit => [
            "kansalaisuus ja oleskelulupa",
            "medborgarskap och uppehållstillstånd",
            "citizenship and residence permit",
        ],
        CallRecording => [
            "puhelu- ja viestitallenteet",
            "samtals- och meddelandeinspelningar",
            "call and message recordings",
        ],
        SocialWelfare => [
            "sosiaalihuollon tiedot",
            "socialvårdsuppgifter",
            "social welfare data",
        ],
        CaseHandling => [
            "asian käsittelyn tiedot",
            "uppgifter om ärendehandläggning",
            "case handling records",
        ],
    };
    pick(lang, [fi, sv, en])
}

pub fn basis(lang: Language, basis: LegalBasis) -> &'static str {
    let [fi, sv, en] = match basis {
        LegalBasis::Consent => [
            "suostumuksesi (tietosuoja-asetuksen 6 artiklan 1 kohdan a alakohta)",
            "ditt samtycke (artikel 6.1 a i dataskyddsförordningen)",
            "your consent (GDPR Article 6(1)(a))",
        ],
        LegalBasis::Contract => [
            "sopimus (tietosuoja-asetuksen 6 artiklan 1 kohdan b alakohta)",
            "avtal (artikel 6.1 b i dataskyddsförordningen)",
            "a contract (GDPR Article 6(1)(b))",
        ],
        LegalBasis::LegalObligation => [
            "lakisääteinen velvoite (tietosuoja-asetuksen 6 artiklan 1 kohdan c alakohta)",
            "rättslig förpliktelse (artikel 6.1 c i dataskyddsförordningen)",
            "a legal obligation (GDPR Article 6(1)(c))",
        ],
        LegalBasis::VitalInterests => [
            "elintärkeä etu (tietosuoja-asetuksen 6 artiklan 1 kohdan d alakohta)",
            "grundläggande intresse (artikel 6.1 d i dataskyddsförordningen)",
            "vital interests (GDPR Article 6(1)(d))",
        ],
        LegalBasis::PublicTask => [
            "yleisen edun mukainen tehtävä tai julkinen valta (tietosuoja-asetuksen 6 artiklan 1 kohdan e alakohta)",
            "uppgift av allmänt intresse eller myndighetsutövning (artikel 6.1 e i dataskyddsförordningen)",
            "a task in the public interest or official authority (GDPR Article 6(1)(e))",
        ],
        LegalBasis::LegitimateInterests => [
            "oikeutettu etu (tietosuoja-asetuksen 6 artiklan 1 kohdan f alakohta)",
            "berättigat intresse (artikel 6.1 f i dataskyddsförordningen)",
            "legitimate interests (GDPR Article 6(1)(f))",
        ],
    };
    pick(lang, [fi, sv, en])
}

/// A legal basis as a record states it, not addressed to the data subject.
pub fn basis_in_record(lang: Language, legal_basis: LegalBasis) -> &'static str {
    match legal_basis {
        LegalBasis::Consent => pick(
            lang,
            [
                "rekisteröidyn suostumus (tietosuoja-asetuksen 6 artiklan 1 kohdan a alakohta)",
                "den registrerades samtycke (artikel 6.1 a i dataskyddsförordningen)",
                "the data subject's consent (GDPR Article 6(1)(a))",
            ],
        ),
        other => basis(lang, other),
    }
}

pub fn channel(lang: Language, channel: Channel) -> &'static str {
    let [fi, sv, en] = match channel {
        Channel::IncomesRegister => [
            "tulorekisterin kautta",
            "via inkomstregistret",
            "through the Incomes Register",
        ],
        Channel::SuomiFiXRoad => [
            "Suomi.fi-palveluväylän kautta",
            "via Suomi.fi-tjänstekanalen",
            "through the Suomi.fi data exchange layer",
        ],
        Channel::FileTransfer => ["tiedostosiirtona", "som filöverföring", "by file transfer"],
        Channel::Email => ["sähköpostilla", "per e-post", "by e-mail"],
        Channel::Paper => ["paperilla", "på papper", "on paper"],
        Channel::Other => ["muulla tavalla", "på annat sätt", "by other means"],
    };
    pick(lang, [fi, sv, en])
}

/// The kind of a recipient, for recipients without a business ID.
pub fn recipient_kind(lang: Language, kind: RecipientKind) -> &'static str {
    let [fi, sv, en] = match kind {
        RecipientKind::Authority => ["viranomainen", "myndighet", "authority"],
        RecipientKind::Fund => ["kassa tai rahasto", "kassa eller fond", "fund"],
        RecipientKind::PensionInstitution => {
            ["eläkelaitos", "pensionsanstalt", "pension institution"]
        }
        RecipientKind::ServiceProvider => {
            ["palveluntuottaja", "tjänsteproducent", "service provider"]
        }
        RecipientKind::Employer => ["työnantaja", "arbetsgivare", "employer"],
        RecipientKind::Union => ["ammattiliitto", "fackförbund", "trade union"],
        RecipientKind::Processor => [
            "henkilötietojen käsittelijä",
            "personuppgiftsbiträde",
            "processor",
        ],
        RecipientKind::PrivatePerson => ["yksityishenkilö", "privatperson", "private person"],
    };
    pick(lang, [fi, sv, en])
}

/// The text of `lang` among the three.
pub fn pick(lang: Language, [fi, sv, en]: [&'static str; 3]) -> &'static str {
    match lang {
        Language::Fi => fi,
        Language::Sv => sv,
        Language::En => en,
    }
}

/// The catalogue's text in `lang`.
pub fn local<T>(lang: Language, text: &crate::catalogue::Localized<T>) -> &T {
    match lang {
        Language::Fi => &text.fi,
        Language::Sv => &text.sv,
        Language::En => &text.en,
    }
}

/// The document's `lang` attribute and its word for a page ("sivu 1/3").
pub fn lang_code(lang: Language) -> (&'static str, &'static str) {
    match lang {
        Language::Fi => ("fi", "sivu"),
        Language::Sv => ("sv", "sida"),
        Language::En => ("en", "page"),
    }
}

/// The Data Protection Ombudsman, the supervisory authority in Finland (Art. 15(1)(f), 77),
/// with the contact details its office publishes (tietosuoja.fi, "Yhteystiedot", checked
/// December 2026).
pub fn ombudsman(lang: Language) -> &'static str {
    pick(
        lang,
        [
            "Sinulla on oikeus tehdä valitus valvontaviranomaiselle, jos katsot, että \
             henkilötietojesi käsittelyssä rikotaan tietosuojasäännöksiä (tietosuoja-asetuksen \
             77 artikla). Suomessa valvontaviranomainen on tietosuojavaltuutettu: \
             Tietosuojavaltuutetun toimisto, postiosoite PL 800, 00531 Helsinki, käyntiosoite \
             Lintulahdenkuja 4, 00530 Helsinki, puhelinvaihde 029 566 6700, sähköposti \
             tietosuoja@om.fi, www.tietosuoja.fi.",
            "Du har rätt att lämna in klagomål till tillsynsmyndigheten om du anser att \
             behandlingen av dina personuppgifter strider mot dataskyddsbestämmelserna \
             (artikel 77 i dataskyddsförordningen). I Finland är tillsynsmyndigheten \
             dataombudsmannen: Dataombudsmannens byrå, postadress PB 800, 00531 Helsingfors, \
             besöksadress Fågelviksgränden 4, 00530 Helsingfors, telefonväxel 029 566 6700, \
             e-post tietosuoja@om.fi, www.tietosuoja.fi.",
            "You have the right to lodge a complaint with the supervisory authority if you \
             consider that the processing of your personal data infringes data protection law \
             (GDPR Article 77). In Finland the supervisory authority is the Data Protection \
             Ombudsman: Office of the Data Protection Ombudsman, postal address P.O. Box 800, \
             00531 Helsinki, visiting address Lintulahdenkuja 4, 00530 Helsinki, telephone \
             +358 29 566 6700, e-mail tietosuoja@om.fi, www.tietosuoja.fi.",
        ],
    )
}

/// The subject's rights besides access (Art. 15(1)(e)).
pub fn rights(lang: Language) -> [&'static str; 5] {
    match lang {
        Language::Fi => [
            "oikeus vaatia virheellisen tiedon oikaisemista (16 artikla)",
            "oikeus vaatia tietojen poistamista (17 artikla); oikeus ei koske tietoja, joiden \
             käsittely perustuu lakisääteiseen velvoitteeseen tai viranomaistehtävään",
            "oikeus vaatia käsittelyn rajoittamista (18 artikla)",
            "oikeus vastustaa käsittelyä, joka perustuu yleistä etua koskevaan tehtävään tai \
             oikeutettuun etuun (21 artikla)",
            "Pyynnöt voit osoittaa rekisterinpitäjälle tai sen tietosuojavastaavalle.",
        ],
        Language::Sv => [
            "rätt att begära rättelse av felaktiga uppgifter (artikel 16)",
            "rätt att begära radering (artikel 17); rätten gäller inte uppgifter som behandlas \
             för att fullgöra en rättslig förpliktelse eller en myndighetsuppgift",
            "rätt att begära begränsning av behandlingen (artikel 18)",
            "rätt att invända mot behandling som grundar sig på en uppgift av allmänt intresse \
             eller på berättigat intresse (artikel 21)",
            "Begäran kan riktas till den personuppgiftsansvarige eller dess dataskyddsombud.",
        ],
        Language::En => [
            "the right to have inaccurate data rectified (Article 16)",
            "the right to erasure (Article 17); it does not apply to data processed to comply \
             with a legal obligation or to perform a public task",
            "the right to restriction of processing (Article 18)",
            "the right to object to processing based on a task in the public interest or on \
             legitimate interests (Article 21)",
            "Send your request to the controller or its data protection officer.",
        ],
    }
}
