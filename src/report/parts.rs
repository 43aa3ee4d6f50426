//! Pieces both documents show alike: a controller with its contact details and DPO, the
//! joint arrangement, the processors, declared recipients by their names in the document's
//! language.

use crate::catalogue::{Contact, Controller, Processor, Register};
use crate::domain::LegalProvision;
use crate::domain::provision::Language;

use super::i18n::{self, local, pick};

/// Contact details in one line: address, phone, e-mail, web address.
pub fn contact(lang: Language, contact: &Contact) -> String {
    let mut parts = Vec::new();
    if let Some(address) = &contact.address {
        parts.push(local(lang, address).clone());
    }
    if let Some(phone) = &contact.phone {
        parts.push(format!("{} {phone}", pick(lang, ["puh.", "tfn", "tel."])));
    }
    if let Some(email) = &contact.email {
        parts.push(format!(
            "{} {email}",
            pick(lang, ["sähköposti", "e-post", "e-mail"])
        ));
    }
    if let Some(web) = &contact.web {
        parts.push(web.clone());
    }
    parts.join(", ")
}

/// A controller's labelled lines: name, business ID, contact details, DPO.
pub fn controller_fields(lang: Language, c: &Controller) -> Vec<(String, String)> {
    let t = |texts: [&'static str; 3]| pick(lang, texts).to_owned();
    let mut business_id = c.business_id.to_string();
    if c.example {
        business_id.push_str(&t([
            " (esimerkki: tietosuojaseloste ei kerro Y-tunnusta)",
            " (exempel: dataskyddsbeskrivningen anger inte FO-numret)",
            " (an example: the privacy notice gives no business ID)",
        ]));
    }
    let mut fields = vec![
        (
            t(["Rekisterinpitäjä", "Personuppgiftsansvarig", "Controller"]),
            local(lang, &c.name).clone(),
        ),
        (t(["Y-tunnus", "FO-nummer", "Business ID"]), business_id),
    ];
    let reach = contact(lang, &c.contact);
    if !reach.is_empty() {
        fields.push((
            t(["Yhteystiedot", "Kontaktuppgifter", "Contact details"]),
            reach,
        ));
    }
    if let Some(dpo) = &c.dpo {
        let mut who = local(lang, &dpo.title).clone();
        let reach = contact(lang, &dpo.contact);
        if !reach.is_empty() {
            who.push_str(", ");
            who.push_str(&reach);
        }
        fields.push((
            t([
                "Tietosuojavastaava",
                "Dataskyddsombud",
                "Data protection officer",
            ]),
            who,
        ));
    }
    fields
}

/// The essence of a joint controllers' arrangement (Art. 26(2)), with the contact point.
pub fn joint_arrangement(lang: Language, register: &Register) -> Option<String> {
    let arrangement = register.joint_arrangement.as_ref()?;
    let mut text = local(lang, &arrangement.summary).clone();
    if let Some(point) = &arrangement.contact_point
        && let Some(c) = register
            .controllers
            .iter()
            .find(|c| &c.business_id == point)
    {
        text.push_str(&format!(
            " {} {}.",
            pick(
                lang,
                [
                    "Rekisteröityjen yhteyspiste:",
                    "Kontaktpunkt för de registrerade:",
                    "Contact point for data subjects:",
                ]
            ),
            local(lang, &c.name)
        ));
    }
    Some(text)
}

/// What a processor gets: its own description when the catalogue gives one, else the names of
/// its categories.
pub fn processor_data(lang: Language, p: &Processor) -> String {
    match &p.data_items {
        Some(items) => local(lang, items).clone(),
        None => p
            .data_categories
            .iter()
            .map(|c| i18n::category(lang, c))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Provisions as a reader reads them, with the acts' titles in `lang`.
pub fn provisions(lang: Language, provisions: &[LegalProvision]) -> String {
    provisions
        .iter()
        .map(|p| p.readable_in(lang))
        .collect::<Vec<_>>()
        .join("; ")
}
