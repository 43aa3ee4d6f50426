//! Registers of the catalogue, domain to proto.

use crate::catalogue::{Contact, Localized, Register, UndeclaredPolicy};

use super::convert::provision_to_proto;
use super::proto;

fn text(value: &Localized<String>) -> proto::LocalizedText {
    proto::LocalizedText {
        fi: value.fi.clone(),
        sv: value.sv.clone(),
        en: value.en.clone(),
    }
}

fn list(value: &Localized<Vec<String>>) -> proto::LocalizedList {
    proto::LocalizedList {
        fi: value.fi.clone(),
        sv: value.sv.clone(),
        en: value.en.clone(),
    }
}

fn contact(value: &Contact) -> proto::Contact {
    proto::Contact {
        address: value.address.as_ref().map(text),
        phone: value.phone.clone().unwrap_or_default(),
        email: value.email.clone().unwrap_or_default(),
        web: value.web.clone().unwrap_or_default(),
    }
}

pub fn register_to_proto(register: &Register) -> proto::Register {
    let undeclared_policy = match register.undeclared {
        UndeclaredPolicy::Flag => proto::UndeclaredPolicy::Flag,
        UndeclaredPolicy::Reject => proto::UndeclaredPolicy::Reject,
    };
    proto::Register {
        id: register.id.to_string(),
        name: Some(text(&register.name)),
        controllers: register
            .controllers
            .iter()
            .map(|c| proto::RegisterController {
                business_id: c.business_id.to_string(),
                name: c.name.fi.clone(),
                example: c.example,
                names: Some(text(&c.name)),
                contact: Some(contact(&c.contact)),
                dpo: c.dpo.as_ref().map(|dpo| proto::DataProtectionOfficer {
                    title: Some(text(&dpo.title)),
                    contact: Some(contact(&dpo.contact)),
                }),
            })
            .collect(),
        undeclared_policy: undeclared_policy.into(),
        source: register.source.clone(),
        purposes: Some(list(&register.purposes)),
        legal_bases: register
            .legal_bases
            .iter()
            .map(|b| b.code().into())
            .collect(),
        special_conditions: register
            .special_conditions
            .iter()
            .map(|c| c.code().into())
            .collect(),
        subject_categories: Some(list(&register.subject_categories)),
        data_categories: register
            .data_categories
            .iter()
            .map(|c| c.code().into())
            .collect(),
        retention: Some(text(&register.retention)),
        third_country_transfers: register.third_country_transfers.clone(),
        disclosures: register
            .disclosures
            .iter()
            .map(|d| proto::DeclaredDisclosure {
                recipient_name: d.recipient_name.fi.clone(),
                recipient_names: Some(text(&d.recipient_name)),
                recipient_kind: d.recipient_kind.code().into(),
                recipient_id: d
                    .recipient_id
                    .as_ref()
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                example_id: d.example_id,
                provisions: d.provisions.iter().map(provision_to_proto).collect(),
                data_categories: d.data_categories.iter().map(|c| c.code().into()).collect(),
                purpose: Some(text(&d.purpose)),
                legal_basis: d.legal_basis.code().into(),
                consent_required: d.consent_required,
            })
            .collect(),
        on_request: register
            .on_request
            .iter()
            .map(|g| proto::OnRequestGroup {
                recipient_kind: g.recipient_kind.code().into(),
                description: Some(text(&g.description)),
                purpose: Some(text(&g.purpose)),
                provisions: g.provisions.iter().map(provision_to_proto).collect(),
            })
            .collect(),
        sources: Some(list(&register.sources)),
        automated_decisions: Some(text(&register.automated_decisions)),
        security_measures: Some(list(&register.security_measures)),
        joint_arrangement: register
            .joint_arrangement
            .as_ref()
            .map(|j| proto::JointArrangement {
                summary: Some(text(&j.summary)),
                contact_point: j
                    .contact_point
                    .as_ref()
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                shared_records: j.shared_records,
            }),
        processors: register
            .processors
            .iter()
            .map(|p| proto::Processor {
                name: Some(text(&p.name)),
                business_id: p
                    .business_id
                    .as_ref()
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                example_id: p.example_id,
                country: p.country.to_string(),
                data_categories: p.data_categories.iter().map(|c| c.code().into()).collect(),
                data_items: p.data_items.as_ref().map(text),
                service: Some(text(&p.service)),
            })
            .collect(),
    }
}
