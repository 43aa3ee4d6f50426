//! The record of lookups by identity code, and its SQL (the same on both backends).

use std::future::Future;

use super::store::sql_impl;

use sqlx::{Database, QueryBuilder};

use crate::domain::{BusinessId, Cursor, LookupFilter, NewLookup, StoredLookup};

use super::StorageError;
use super::rows::{Bind, LookupRow, push_hashes, push_page, push_period};

pub(super) const INSERT_LOOKUP: &str = "INSERT INTO access_lookups (looked_up_at, period_from, \
     period_to, operation, subject_key_id, controller, requested_by, case_reference, \
     subject_hash, caller) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

/// The start of a multi-row `INSERT` of lookups, in [`INSERT_LOOKUP`]'s column order.
const INSERT_LOOKUPS: &str = "INSERT INTO access_lookups (looked_up_at, period_from, \
     period_to, operation, subject_key_id, controller, requested_by, case_reference, \
     subject_hash, caller) ";

/// `SELECT` of one page of a lookup listing, ordered by (looked_up_at, id).
pub(super) fn lookup_query<DB: Database>(
    controller: &BusinessId,
    filter: &LookupFilter,
    after: Option<Cursor>,
    limit: u32,
) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
    String: Bind<DB>,
    Vec<u8>: Bind<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT id, looked_up_at, period_from, period_to, operation, subject_key_id, controller, \
         requested_by, case_reference, subject_hash, caller FROM access_lookups WHERE controller = ",
    );
    qb.push_bind(controller.as_str().to_owned());
    if let Some(requested_by) = &filter.requested_by {
        qb.push(" AND requested_by = ")
            .push_bind(requested_by.as_str().to_owned());
    }
    if let Some(case_reference) = &filter.case_reference {
        qb.push(" AND case_reference = ")
            .push_bind(case_reference.as_str().to_owned());
    }
    if !filter.subject_hashes.is_empty() {
        qb.push(" AND subject_hash IN (");
        push_hashes(&mut qb, &filter.subject_hashes);
        qb.push(")");
    }
    push_period(&mut qb, "looked_up_at", filter.period);
    push_page(&mut qb, ("looked_up_at", "id"), after, limit);
    qb
}

/// The record of lookups by identity code.
pub trait Lookups: Send + Sync {
    /// Records a lookup by identity code, committed before this returns; returns its id.
    fn record_lookup(
        &self,
        lookup: &NewLookup,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Records several lookups in one statement, all committed together before this
    /// returns, or none.
    fn record_lookups(
        &self,
        lookups: &[NewLookup],
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Up to `limit` recorded lookups of `controller` matching `filter`, after `after`,
    /// ordered by (looked_up_at, id).
    fn list_lookups(
        &self,
        controller: &BusinessId,
        filter: &LookupFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredLookup>, StorageError>> + Send;
}

sql_impl! {
    impl Lookups {
        async fn record_lookup(&self, lookup: &NewLookup) -> Result<i64, StorageError> {
            let (id,): (i64,) = sqlx::query_as(INSERT_LOOKUP)
                .bind(lookup.looked_up_at.micros())
                .bind(lookup.period.from.map(|t| t.micros()))
                .bind(lookup.period.to.map(|t| t.micros()))
                .bind(lookup.operation.code())
                .bind(lookup.subject_key_id as i16)
                .bind(lookup.controller.as_str().to_owned())
                .bind(lookup.context.requested_by.as_str().to_owned())
                .bind(lookup.context.case_reference.as_str().to_owned())
                .bind(lookup.subject_hash.to_vec())
                .bind(lookup.caller.clone())
                .fetch_one(&self.writer)
                .await?;
            Ok(id)
        }

        async fn record_lookups(&self, lookups: &[NewLookup]) -> Result<(), StorageError> {
            if lookups.is_empty() {
                return Ok(());
            }
            let mut qb = QueryBuilder::<DB>::new(INSERT_LOOKUPS);
            qb.push_values(lookups, |mut row, lookup| {
                row.push_bind(lookup.looked_up_at.micros())
                    .push_bind(lookup.period.from.map(|t| t.micros()))
                    .push_bind(lookup.period.to.map(|t| t.micros()))
                    .push_bind(lookup.operation.code())
                    .push_bind(lookup.subject_key_id as i16)
                    .push_bind(lookup.controller.as_str().to_owned())
                    .push_bind(lookup.context.requested_by.as_str().to_owned())
                    .push_bind(lookup.context.case_reference.as_str().to_owned())
                    .push_bind(lookup.subject_hash.to_vec())
                    .push_bind(lookup.caller.clone());
            });
            // One statement: one implicit transaction, committed before it returns.
            qb.build().execute(&self.writer).await?;
            Ok(())
        }

        async fn list_lookups(
            &self,
            controller: &BusinessId,
            filter: &LookupFilter,
            after: Option<Cursor>,
            limit: u32,
        ) -> Result<Vec<StoredLookup>, StorageError> {
            let mut query = lookup_query::<DB>(controller, filter, after, limit);
            let found: Vec<LookupRow> = query.build_query_as().fetch_all(&self.pool).await?;
            found.into_iter().map(LookupRow::into_domain).collect()
        }
    }
}
