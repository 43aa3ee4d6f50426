//! The words of the access report in Finnish, Swedish and English.

use crate::domain::provision::Language;
use crate::domain::{Channel, DataCategory, LegalBasis, RecipientKind};

/// Fixed texts of the report.
pub struct Words {
    pub lang: &'static str,
    pub title: &'static str,
    pub controller: &'static str,
    pub case: &'static str,
    pub period: &'static str,
    pub whole_log: &'static str,
    pub generated: &'static str,
    pub none: &'static str,
    /// Followed by the count.
    pub disclosed_times: &'static str,
    pub business_id: &'static str,
    pub data: &'static str,
    pub purpose: &'static str,
    pub basis: &'static str,
    pub provisions: &'static str,
    pub channel: &'static str,
    pub register: &'static str,
    pub footer: &'static str,
}

const FI: Words = Words {
    lang: "fi",
    title: "Selvitys henkilötietojesi luovutuksista",
    controller: "Rekisterinpitäjä",
    case: "Asia",
    period: "Aikaväli",
    whole_log: "kaikki tallennetut luovutukset",
    generated: "Laadittu",
    none: "Tietojasi ei ole luovutettu tänä aikana.",
    disclosed_times: "Tietojasi on luovutettu näin monta kertaa:",
    business_id: "Y-tunnus",
    data: "Luovutetut tiedot",
    purpose: "Käyttötarkoitus",
    basis: "Peruste",
    provisions: "Säännökset",
    channel: "Luovutustapa",
    register: "Rekisteri",
    footer: "Selvitys perustuu EU:n yleisen tietosuoja-asetuksen 15 artiklaan: sinulla on oikeus \
             tietää, kenelle tietojasi on luovutettu. Kysyttävää? Ota yhteyttä rekisterinpitäjään.",
};

const SV: Words = Words {
    lang: "sv",
    title: "Redogörelse för utlämnanden av dina personuppgifter",
    controller: "Personuppgiftsansvarig",
    case: "Ärende",
    period: "Period",
    whole_log: "alla registrerade utlämnanden",
    generated: "Upprättad",
    none: "Dina uppgifter har inte lämnats ut under perioden.",
    disclosed_times: "Dina uppgifter har lämnats ut så här många gånger:",
    business_id: "FO-nummer",
    data: "Utlämnade uppgifter",
    purpose: "Ändamål",
    basis: "Grund",
    provisions: "Bestämmelser",
    channel: "Sätt",
    register: "Register",
    footer: "Redogörelsen grundar sig på artikel 15 i EU:s allmänna dataskyddsförordning: du har \
             rätt att få veta till vem dina uppgifter har lämnats ut. Frågor? Kontakta den \
             personuppgiftsansvarige.",
};

const EN: Words = Words {
    lang: "en",
    title: "Report on disclosures of your personal data",
    controller: "Controller",
    case: "Case",
    period: "Period",
    whole_log: "all recorded disclosures",
    generated: "Prepared",
    none: "Your data has not been disclosed in this period.",
    disclosed_times: "Your data has been disclosed this many times:",
    business_id: "Business ID",
    data: "Data disclosed",
    purpose: "Purpose",
    basis: "Legal basis",
    provisions: "Provisions",
    channel: "Channel",
    register: "Register",
    footer: "This report is given under Article 15 of the EU General Data Protection Regulation: \
             you have the right to know to whom your data has been disclosed. Questions? Contact \
             the controller.",
};

pub fn words(lang: Language) -> &'static Words {
    match lang {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

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

fn pick(lang: Language, [fi, sv, en]: [&'static str; 3]) -> &'static str {
    match lang {
        Language::Fi => fi,
        Language::Sv => sv,
        Language::En => en,
    }
}
