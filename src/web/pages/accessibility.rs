//! `/accessibility`: the accessibility statement that Act 306/2019 asks of a public-sector
//! service, open to everyone (no credentials needed).
//!
//! The enforcement body of Act 306/2019: accessibility monitoring moved from the Regional
//! State Administrative Agency for Southern Finland to Traficom on 1.1.2025 (HE 71/2024;
//! the AVIs themselves ended on 1.1.2026). Checked 2026-12-01; recheck before release.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;

use crate::web::WebState;
use crate::web::respond::render;
use crate::web::viewer::{Chrome, language};

pub fn routes() -> Router<Arc<WebState>> {
    Router::new().route("/accessibility", get(accessibility))
}

#[derive(Template)]
#[template(path = "web/accessibility.html")]
struct AccessibilityPage<'a> {
    c: Chrome,
    p: &'static AccessibilityTexts,
    feedback_contact: Option<&'a str>,
}

async fn accessibility(
    State(state): State<Arc<WebState>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, uri.query());
    let page = AccessibilityPage {
        c: Chrome::plain(lang),
        p: lang.pick(&FI, &SV, &EN),
        feedback_contact: state.settings.feedback_contact.as_deref(),
    };
    render(StatusCode::OK, &page)
}

/// The accessibility statement's texts.
pub struct AccessibilityTexts {
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
    pub preparation: &'static str,
    pub preparation_text: &'static str,
}

const FI: AccessibilityTexts = AccessibilityTexts {
    statement_intro: "Tämä saavutettavuusseloste koskee luovutusloki-palvelun verkkosivuja. Seloste perustuu digitaalisten palvelujen tarjoamisesta annettuun lakiin (306/2019) ja WCAG 2.1 -ohjeiston AA-tasoon.",
    status: "Saavutettavuuden tila",
    status_text: "Sivut täyttävät saavutettavuusvaatimukset osittain.",
    not_accessible: "Sisältö, joka ei vielä ole saavutettavaa",
    not_accessible_text: "Sivuja ei ole vielä testattu ruudunlukuohjelmilla eikä käyttäjillä, jotka käyttävät avustavia teknologioita, joten emme voi vielä todeta niiden täyttävän kaikkia WCAG 2.1 AA -tason vaatimuksia. Automaattinen tarkistus löytää vain osan puutteista. Kaavioiden tiedot ovat myös taulukkoina ja CSV-tiedostoina. Ladattavat PDF-asiakirjat eivät ole rakenteistettuja (tagged PDF); sama sisältö on saatavilla HTML-muodossa.",
    preparation: "Selosteen laatiminen",
    preparation_text: "Seloste on laadittu 1.12.2026. Arvio perustuu palveluntarjoajan omaan arvioon: jokainen sivu tarkistetaan jokaisessa versiossa selaintesteissä automaattisesti axe-core-työkalulla WCAG 2.1 A- ja AA-tason ehtoja vasten, ja näppäimistöllä käytettävyys (ohituslinkki, kohdistus, kielen merkintä) testataan erikseen.",
    feedback: "Palaute",
    feedback_text: "Palveluntarjoaja ei ole vielä asettanut palauteosoitetta. Ylläpitäjän on lisättävä se ennen käyttöönottoa.",
    feedback_to: "Huomasitko puutteen? Kerro siitä meille:",
    enforcement: "Valvontaviranomainen",
    enforcement_text: "Jos et ole tyytyväinen saamaasi vastaukseen tai et saa vastausta kahden viikon kuluessa, voit tehdä ilmoituksen valvontaviranomaiselle: Liikenne- ja viestintävirasto Traficom, saavutettavuusvalvonta, www.saavutettavuusvaatimukset.fi. (Valvonta siirtyi Etelä-Suomen aluehallintovirastolta Traficomille 1.1.2025.)",
};

const SV: AccessibilityTexts = AccessibilityTexts {
    statement_intro: "Detta tillgänglighetsutlåtande gäller webbsidorna i tjänsten luovutusloki. Utlåtandet grundar sig på lagen om tillhandahållande av digitala tjänster (306/2019) och nivå AA i WCAG 2.1.",
    status: "Tillgänglighetsstatus",
    status_text: "Sidorna uppfyller tillgänglighetskraven delvis.",
    not_accessible: "Innehåll som ännu inte är tillgängligt",
    not_accessible_text: "Sidorna har ännu inte testats med skärmläsare eller av användare som använder hjälpmedel, så vi kan ännu inte konstatera att de uppfyller alla krav på nivå AA i WCAG 2.1. En automatisk granskning hittar bara en del av bristerna. Diagrammens uppgifter finns också som tabeller och CSV-filer. De nedladdningsbara PDF-dokumenten är inte strukturerade (tagged PDF); samma innehåll finns i HTML-format.",
    preparation: "Hur utlåtandet har utarbetats",
    preparation_text: "Utlåtandet har utarbetats 1.12.2026. Det grundar sig på tjänsteleverantörens egen bedömning: varje sida granskas i varje version automatiskt i webbläsartester med verktyget axe-core mot kriterierna på nivå A och AA i WCAG 2.1, och användning med tangentbord (överhoppningslänk, fokus, språkmärkning) testas separat.",
    feedback: "Respons",
    feedback_text: "Tjänsteleverantören har ännu inte angett en adress för respons. Administratören måste lägga till den före ibruktagandet.",
    feedback_to: "Har du upptäckt en brist? Meddela oss:",
    enforcement: "Tillsynsmyndighet",
    enforcement_text: "Om du inte är nöjd med svaret eller inte får svar inom två veckor kan du göra en anmälan till tillsynsmyndigheten: Transport- och kommunikationsverket Traficom, tillgänglighetstillsynen, www.tillganglighetskrav.fi. (Tillsynen överfördes från Regionförvaltningsverket i Södra Finland till Traficom 1.1.2025.)",
};

const EN: AccessibilityTexts = AccessibilityTexts {
    statement_intro: "This accessibility statement applies to the web pages of the luovutusloki service. It is based on the Act on the Provision of Digital Services (306/2019) and level AA of WCAG 2.1.",
    status: "Compliance status",
    status_text: "The pages partially meet the accessibility requirements.",
    not_accessible: "Content that is not yet accessible",
    not_accessible_text: "The pages have not yet been tested with screen readers or by users of assistive technologies, so we cannot yet state that they meet every requirement of WCAG 2.1 level AA. An automated check finds only some shortcomings. The figures of the charts are also given as tables and CSV files. The downloadable PDF documents are not tagged; the same content is available as HTML.",
    preparation: "Preparation of this statement",
    preparation_text: "This statement was prepared on 1 December 2026. It is based on the provider's own assessment: in every version, browser tests check every page automatically with the axe-core tool against the WCAG 2.1 level A and AA criteria, and keyboard use (skip link, focus, language markup) is tested separately.",
    feedback: "Feedback",
    feedback_text: "The provider has not yet set a feedback address. The operator must add one before the service is taken into use.",
    feedback_to: "Did you notice a shortcoming? Tell us:",
    enforcement: "Enforcement",
    enforcement_text: "If you are not satisfied with the reply, or get none within two weeks, you can notify the enforcement body: the Finnish Transport and Communications Agency Traficom, accessibility monitoring, www.saavutettavuusvaatimukset.fi. (Monitoring moved from the Regional State Administrative Agency for Southern Finland to Traficom on 1 January 2025.)",
};
