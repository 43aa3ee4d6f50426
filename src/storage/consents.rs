//! Consents and refusals, and their SQL (the same on both backends).

use std::future::Future;

use crate::domain::{ConsentInsert, NewConsent};

use super::store::sql_impl;

use sqlx::{Database, QueryBuilder};

use crate::domain::{BusinessId, Consent, ShortText, SubjectHash, Timestamp};

use super::StorageError;
use super::rows::{Bind, ConsentRow, push_hashes};

pub(super) const CONSENT_COLUMNS: &str = "id, given_at, valid_until, withdrawn_at, recorded_at, \
     data_categories, decision, recipient_kind, subject_key_id, controller, reference, \
     recipient_id, purpose, document_reference, subject_hash, recorded_by, withdrawn_by";

pub(super) const INSERT_CONSENT: &str = "INSERT INTO consents (given_at, valid_until, \
     recorded_at, data_categories, decision, recipient_kind, subject_key_id, controller, \
     reference, recipient_id, purpose, document_reference, subject_hash, recorded_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (controller, reference) DO NOTHING RETURNING id";

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

/// Consents and refusals.
pub trait Consents: Send + Sync {
    /// Stores a consent or refusal unless its reference is taken.
    fn insert_consent(
        &self,
        consent: &NewConsent,
    ) -> impl Future<Output = Result<ConsentInsert, StorageError>> + Send;

    /// Marks a given consent withdrawn at `at` by caller `by`, if it is not already;
    /// returns the consent as stored afterwards, or `None` when there is none.
    fn withdraw_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
        at_by: (Timestamp, &str),
    ) -> impl Future<Output = Result<Option<Consent>, StorageError>> + Send;

    /// The consent or refusal under `reference`.
    fn get_consent(
        &self,
        controller: &BusinessId,
        reference: &ShortText,
    ) -> impl Future<Output = Result<Option<Consent>, StorageError>> + Send;

    /// Every consent and refusal of `controller` for subjects with any of `hashes`.
    fn consents_of(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> impl Future<Output = Result<Vec<Consent>, StorageError>> + Send;
}

sql_impl! {
    impl Consents {
        async fn insert_consent(&self, consent: &NewConsent) -> Result<ConsentInsert, StorageError> {
            let terms = &consent.terms;
            let scope = &terms.scope;
            let inserted: Option<(i64,)> = sqlx::query_as(INSERT_CONSENT)
                .bind(terms.given_at.micros())
                .bind(terms.valid_until.map(|t| t.micros()))
                .bind(consent.recorded_at.micros())
                .bind(scope.data_categories.mask())
                .bind(terms.decision.code())
                .bind(scope.recipient_kind.code())
                .bind(consent.subject_key_id as i16)
                .bind(terms.controller.as_str().to_owned())
                .bind(terms.reference.as_str().to_owned())
                .bind(scope.recipient_id.as_ref().map(|id| id.as_str().to_owned()))
                .bind(scope.purpose.as_str().to_owned())
                .bind(terms.document_reference.as_str().to_owned())
                .bind(consent.subject_hash.to_vec())
                .bind(consent.recorded_by.clone())
                .fetch_optional(&self.writer)
                .await?;
            let stored = self
                .get_consent(&terms.controller, &terms.reference)
                .await?
                .ok_or_else(|| StorageError::Corrupt("a consent vanished after its insert".into()))?;
            Ok(match inserted {
                Some(_) => ConsentInsert::Stored(stored),
                None => ConsentInsert::Taken(stored),
            })
        }

        async fn withdraw_consent(
            &self,
            controller: &BusinessId,
            reference: &ShortText,
            (at, by): (Timestamp, &str),
        ) -> Result<Option<Consent>, StorageError> {
            sqlx::query(
                "UPDATE consents SET withdrawn_at = $1, withdrawn_by = $4 WHERE controller = $2 \
                 AND reference = $3 AND decision = 1 AND withdrawn_at IS NULL",
            )
            .bind(at.micros())
            .bind(controller.as_str().to_owned())
            .bind(reference.as_str().to_owned())
            .bind(by.to_owned())
            .execute(&self.writer)
            .await?;
            self.get_consent(controller, reference).await
        }

        async fn get_consent(
            &self,
            controller: &BusinessId,
            reference: &ShortText,
        ) -> Result<Option<Consent>, StorageError> {
            let sql = format!(
                "SELECT {CONSENT_COLUMNS} FROM consents WHERE controller = $1 AND reference = $2"
            );
            // Composed from constants only.
            let row: Option<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(controller.as_str().to_owned())
                .bind(reference.as_str().to_owned())
                .fetch_optional(&self.pool)
                .await?;
            row.map(ConsentRow::into_domain).transpose()
        }

        async fn consents_of(
            &self,
            controller: &BusinessId,
            hashes: &[SubjectHash],
        ) -> Result<Vec<Consent>, StorageError> {
            let mut consents = Vec::new();
            // Well under both backends' limits on bound parameters.
            for chunk in hashes.chunks(1_000) {
                let mut query = consents_of_query::<DB>(controller, chunk);
                let found: Vec<ConsentRow> = query.build_query_as().fetch_all(&self.pool).await?;
                for row in found {
                    consents.push(row.into_domain()?);
                }
            }
            Ok(consents)
        }
    }
}
