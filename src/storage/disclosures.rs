//! Reading recorded disclosures.

use std::future::Future;

use crate::domain::{
    BusinessId, Cursor, DisclosureFilter, Period, RegisterId, StoredDisclosure, SubjectDisclosure,
    SubjectHash,
};

use super::StorageError;
use super::rows::{self, DisclosureRow, SubjectRow};
use super::store::sql_impl;

/// Decodes `found` into domain types.
fn decode(found: Vec<DisclosureRow>) -> Result<Vec<StoredDisclosure>, StorageError> {
    found.into_iter().map(DisclosureRow::into_domain).collect()
}

/// Reading recorded disclosures.
pub trait Disclosures: Send + Sync {
    /// One disclosure of `controller`.
    fn get_disclosure(
        &self,
        controller: &BusinessId,
        id: i64,
    ) -> impl Future<Output = Result<Option<StoredDisclosure>, StorageError>> + Send;

    /// Up to `limit` disclosures of `controller` matching `filter`, after `after`, ordered by
    /// (occurred_at, id).
    fn list_disclosures(
        &self,
        controller: &BusinessId,
        filter: &DisclosureFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredDisclosure>, StorageError>> + Send;

    /// Up to `limit` disclosures covering a subject with any of `hashes`, ordered by
    /// (occurred_at, entry id): those `controller` recorded, and those any controller recorded
    /// in one of `joint_registers` (joint registers whose records are shared).
    fn list_subject_disclosures(
        &self,
        controller: &BusinessId,
        joint_registers: &[RegisterId],
        hashes: &[SubjectHash],
        period: Period,
        after: Option<Cursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SubjectDisclosure>, StorageError>> + Send;

    /// The first controller in business-ID order with disclosures stored, after `after` when
    /// given: one probe of the index that starts with the controller, so that which
    /// controllers a log holds is read without reading the log.
    fn next_controller(
        &self,
        after: Option<&BusinessId>,
    ) -> impl Future<Output = Result<Option<BusinessId>, StorageError>> + Send;
}

sql_impl! {
    impl Disclosures {
        async fn get_disclosure(
            &self,
            controller: &BusinessId,
            id: i64,
        ) -> Result<Option<StoredDisclosure>, StorageError> {
            let sql = format!(
                "SELECT {} FROM disclosures d JOIN recipients r ON r.id = d.recipient_id \
                 WHERE d.controller = $1 AND d.id = $2",
                rows::DISCLOSURE_COLUMNS
            );
            // Composed from constants only.
            let row: Option<DisclosureRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(controller.as_str().to_owned())
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            match row {
                Some(row) => Ok(Some(row.into_domain()?)),
                None => Ok(None),
            }
        }

        async fn list_disclosures(
            &self,
            controller: &BusinessId,
            filter: &DisclosureFilter,
            after: Option<Cursor>,
            limit: u32,
        ) -> Result<Vec<StoredDisclosure>, StorageError> {
            let mut query = rows::list_query::<DB>(controller, filter, after, limit);
            let found: Vec<DisclosureRow> = query.build_query_as().fetch_all(&self.pool).await?;
            decode(found)
        }

        async fn list_subject_disclosures(
            &self,
            controller: &BusinessId,
            joint_registers: &[RegisterId],
            hashes: &[SubjectHash],
            period: Period,
            after: Option<Cursor>,
            limit: u32,
        ) -> Result<Vec<SubjectDisclosure>, StorageError> {
            if hashes.is_empty() {
                return Ok(Vec::new());
            }
            let mut query = rows::subject_query::<DB>(controller, joint_registers, hashes, period, after, limit);
            let found: Vec<SubjectRow> = query.build_query_as().fetch_all(&self.pool).await?;
            found
                .into_iter()
                .map(|row| {
                    Ok(SubjectDisclosure {
                        entry_id: row.entry_id,
                        disclosure: row.disclosure.into_domain()?,
                    })
                })
                .collect()
        }

        async fn next_controller(
            &self,
            after: Option<&BusinessId>,
        ) -> Result<Option<BusinessId>, StorageError> {
            // Every stored controller sorts after "": the first probe needs no second query.
            let after = after.map_or(String::new(), |id| id.as_str().to_owned());
            let found: Option<(String,)> = sqlx::query_as(
                "SELECT controller FROM disclosures WHERE controller > $1 \
                 ORDER BY controller LIMIT 1",
            )
            .bind(after)
            .fetch_optional(&self.pool)
            .await?;
            found
                .map(|(text,)| {
                    BusinessId::parse(&text).map_err(|e| {
                        StorageError::Corrupt(format!("stored controller {text:?}: {e}"))
                    })
                })
                .transpose()
        }
    }
}
