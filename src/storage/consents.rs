//! Consents and refusals, and their SQL (the same on both backends).

use sqlx::{Database, QueryBuilder};

use crate::domain::{
    BusinessId, Consent, ConsentDecision, ConsentScope, ConsentTerms, DataCategories, LongText,
    RecipientKind, ShortText, SubjectHash, Timestamp,
};

use super::StorageError;
use super::rows::{Bind, push_hashes};

pub(super) const CONSENT_COLUMNS: &str = "id, given_at, valid_until, withdrawn_at, recorded_at, \
     data_categories, decision, recipient_kind, subject_key_id, controller, reference, \
     recipient_id, purpose, document_reference, subject_hash, recorded_by, withdrawn_by";

pub(super) const INSERT_CONSENT: &str = "INSERT INTO consents (given_at, valid_until, \
     recorded_at, data_categories, decision, recipient_kind, subject_key_id, controller, \
     reference, recipient_id, purpose, document_reference, subject_hash, recorded_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (controller, reference) DO NOTHING RETURNING id";

/// A consent as read, before decoding.
#[derive(sqlx::FromRow)]
pub(super) struct ConsentRow {
    id: i64,
    given_at: i64,
    valid_until: Option<i64>,
    withdrawn_at: Option<i64>,
    recorded_at: i64,
    data_categories: i64,
    decision: i16,
    recipient_kind: i16,
    subject_key_id: i16,
    controller: String,
    reference: String,
    recipient_id: Option<String>,
    purpose: String,
    document_reference: String,
    subject_hash: Vec<u8>,
    recorded_by: String,
    withdrawn_by: Option<String>,
}

impl ConsentRow {
    pub fn into_domain(self) -> Result<Consent, StorageError> {
        let bad = |what: &str| StorageError::Corrupt(format!("consent {}: {what}", self.id));
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let short = |text: &str| ShortText::parse(text).map_err(|_| bad("text"));
        Ok(Consent {
            id: self.id,
            terms: ConsentTerms {
                controller: BusinessId::parse(&self.controller).map_err(|_| bad("controller"))?,
                reference: short(&self.reference)?,
                decision: ConsentDecision::from_code(self.decision.into())
                    .ok_or_else(|| bad("decision"))?,
                scope: ConsentScope {
                    recipient_kind: RecipientKind::from_code(self.recipient_kind.into())
                        .ok_or_else(|| bad("recipient kind"))?,
                    recipient_id: self
                        .recipient_id
                        .as_deref()
                        .map(|id| BusinessId::parse(id).map_err(|_| bad("recipient id")))
                        .transpose()?,
                    data_categories: DataCategories::from_mask(self.data_categories)
                        .ok_or_else(|| bad("data categories"))?,
                    purpose: LongText::parse(&self.purpose).map_err(|_| bad("purpose"))?,
                },
                given_at: time(self.given_at)?,
                valid_until: self.valid_until.map(time).transpose()?,
                document_reference: short(&self.document_reference)?,
            },
            withdrawn_at: self.withdrawn_at.map(time).transpose()?,
            recorded_at: time(self.recorded_at)?,
            recorded_by: self.recorded_by,
            withdrawn_by: self.withdrawn_by,
            subject_key_id: u16::try_from(self.subject_key_id).map_err(|_| bad("key id"))?,
            subject_hash: self
                .subject_hash
                .as_slice()
                .try_into()
                .map_err(|_| bad("subject hash"))?,
        })
    }
}

/// `SELECT` of a controller's consents of subjects with any of `hashes`.
pub(super) fn consents_of_query<DB: Database>(
    controller: &BusinessId,
    hashes: &[SubjectHash],
) -> QueryBuilder<DB>
where
    String: Bind<DB>,
    Vec<u8>: Bind<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {CONSENT_COLUMNS} FROM consents WHERE controller = "
    ));
    qb.push_bind(controller.as_str().to_owned());
    qb.push(" AND subject_hash IN (");
    push_hashes(&mut qb, hashes);
    qb.push(") ORDER BY given_at, id");
    qb
}
