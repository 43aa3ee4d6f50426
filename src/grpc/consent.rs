//! Consents, proto to domain and back.

use crate::domain::consent::validity_fault;
use crate::domain::{
    BusinessId, Consent, ConsentDecision, ConsentScope, ConsentTerms, DataCategories, DataCategory,
    FieldViolation, Hetu, LongText, RecipientKind, ShortText, Timestamp, Violations,
};

use super::convert::{optional_code, timestamp, to_proto_timestamp};
use super::proto;

/// A parsed consent or refusal, with its subject.
pub struct ConsentRequest {
    pub terms: ConsentTerms,
    pub subject: Hetu,
}

fn scope(scope: Option<proto::ConsentScope>, v: &mut Violations) -> Option<ConsentScope> {
    let proto::ConsentScope {
        recipient_kind,
        recipient_id,
        data_categories,
        purpose,
    } = scope.unwrap_or_default();
    let kind = v.check(
        "scope.recipient_kind",
        optional_code(recipient_kind, RecipientKind::from_code)
            .and_then(|k| k.ok_or_else(|| "is required".to_owned())),
    );
    let recipient_id = v.check(
        "scope.recipient_id",
        (!recipient_id.is_empty())
            .then(|| BusinessId::parse(&recipient_id))
            .transpose(),
    );
    let mut categories = Vec::new();
    for (i, code) in data_categories.into_iter().enumerate() {
        if let Some(c) = v.check(
            format!("scope.data_categories[{i}]"),
            DataCategory::from_code(code).ok_or("unknown data category"),
        ) {
            categories.push(c);
        }
    }
    let categories = v.check(
        "scope.data_categories",
        DataCategories::new(categories).ok_or("give at least one"),
    );
    let purpose = v.check("scope.purpose", LongText::parse(&purpose));
    Some(ConsentScope {
        recipient_kind: kind?,
        recipient_id: recipient_id?,
        data_categories: categories?,
        purpose: purpose?,
    })
}

/// Parses a consent (or, with `Refused`, a refusal), naming every bad field.
pub fn consent_request(
    request: proto::RecordConsentRequest,
    decision: ConsentDecision,
) -> Result<ConsentRequest, Vec<FieldViolation>> {
    let proto::RecordConsentRequest {
        controller_id,
        reference,
        subject,
        scope: proto_scope,
        given_at,
        valid_until,
        document_reference,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let reference = v.check("reference", ShortText::parse(&reference));
    let subject = v.check("subject", Hetu::parse(&subject));
    let scope = scope(proto_scope, &mut v);
    let given_at = v.check(
        "given_at",
        timestamp(given_at)
            .map_err(|e| e.to_string())
            .and_then(|t| t.ok_or_else(|| "is required".to_owned())),
    );
    let valid_until = v.check("valid_until", timestamp(valid_until));
    if let Some(fault) = validity_fault(decision, given_at, valid_until.flatten()) {
        v.add("valid_until", fault);
    }
    let document_reference = v.check("document_reference", ShortText::parse(&document_reference));
    let parsed = (|| {
        Some(ConsentRequest {
            terms: ConsentTerms {
                controller: controller?,
                reference: reference?,
                decision,
                scope: scope?,
                given_at: given_at?,
                valid_until: valid_until?,
                document_reference: document_reference?,
            },
            subject: subject?,
        })
    })();
    v.finish(parsed)
}

/// Parses the controller and reference that name a consent.
pub fn consent_key(
    controller_id: &str,
    reference: &str,
) -> Result<(BusinessId, ShortText), Vec<FieldViolation>> {
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(controller_id));
    let reference = v.check("reference", ShortText::parse(reference));
    v.finish(controller.zip(reference))
}

pub fn consent_to_proto(consent: &Consent) -> proto::Consent {
    let terms = &consent.terms;
    let at = |t: Option<Timestamp>| t.map(to_proto_timestamp);
    proto::Consent {
        id: consent.id as u64,
        controller_id: terms.controller.to_string(),
        reference: terms.reference.to_string(),
        decision: terms.decision.code().into(),
        scope: Some(proto::ConsentScope {
            recipient_kind: terms.scope.recipient_kind.code().into(),
            recipient_id: terms
                .scope
                .recipient_id
                .as_ref()
                .map(|id| id.to_string())
                .unwrap_or_default(),
            data_categories: terms
                .scope
                .data_categories
                .iter()
                .map(|c| c.code().into())
                .collect(),
            purpose: terms.scope.purpose.to_string(),
        }),
        given_at: Some(to_proto_timestamp(terms.given_at)),
        valid_until: at(terms.valid_until),
        withdrawn_at: at(consent.withdrawn_at),
        document_reference: terms.document_reference.to_string(),
        recorded_at: Some(to_proto_timestamp(consent.recorded_at)),
        recorded_by: consent.recorded_by.clone(),
        withdrawn_by: consent.withdrawn_by.clone().unwrap_or_default(),
    }
}
