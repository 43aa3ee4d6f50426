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
}

const FI: AccessibilityTexts = AccessibilityTexts {
    statement_intro: "Tämä saavutettavuusseloste koskee luovutusloki-palvelun verkkosivuja. Seloste perustuu digitaalisten palvelujen tarjoamisesta annettuun lakiin (306/2019) ja WCAG 2.1 -ohjeiston AA-tasoon.",
    status: "Saavutettavuuden tila",
    status_text: "Sivut täyttävät saavutettavuusvaatimukset osittain.",
    not_accessible: "Sisältö, joka ei vielä ole saavutettavaa",
    not_accessible_text: "Hallintanäkymää rakennetaan: sivuja ei ole vielä arvioitu kokonaan WCAG 2.1 AA -tasoa vasten eikä testattu avustavilla teknologioilla. Korjaamme puutteet sitä mukaa kuin sivuja valmistuu.",
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
    not_accessible_text: "Översiktsvyn håller på att byggas: sidorna har ännu inte bedömts fullständigt mot WCAG 2.1 AA eller testats med hjälpmedel. Vi åtgärdar bristerna allteftersom sidorna blir klara.",
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
    not_accessible_text: "The dashboard is being built: the pages have not yet been fully assessed against WCAG 2.1 AA nor tested with assistive technologies. We fix shortcomings as the pages are completed.",
    feedback: "Feedback",
    feedback_text: "The provider has not yet set a feedback address. The operator must add one before the service is taken into use.",
    feedback_to: "Did you notice a shortcoming? Tell us:",
    enforcement: "Enforcement",
    enforcement_text: "If you are not satisfied with the reply, or get none within two weeks, you can notify the enforcement body: the Finnish Transport and Communications Agency Traficom, accessibility monitoring, www.saavutettavuusvaatimukset.fi. (Monitoring moved from the Regional State Administrative Agency for Southern Finland to Traficom on 1 January 2025.)",
};
