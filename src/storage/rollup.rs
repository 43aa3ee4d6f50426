//! Reading `disclosure_rollup`: per-day counts under everything statistics group by.

use std::future::Future;

use super::store::sql_impl;

use std::ops::Range;

use sqlx::{Database, QueryBuilder};

use crate::domain::{BusinessId, RegisterId, RollupEntry};

use super::StorageError;
use super::rows::{Bind, RollupRow};

/// `SELECT` of the rollup rows that `controllers` recorded on `days`, optionally of one
/// register.
pub(super) fn rollup_query<DB: Database>(
    controllers: &[&BusinessId],
    register: Option<&RegisterId>,
    days: Range<i32>,
) -> QueryBuilder<DB>
where
    i32: Bind<DB>,
    String: Bind<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT x.register, x.day, r.id_type AS recipient_id_type, \
         r.identifier AS recipient_identifier, r.name AS recipient_name, \
         r.kind AS recipient_kind, r.country AS recipient_country, x.classification, \
         x.legal_basis, x.channel, x.data_categories, x.provisions, x.disclosures, x.entries, \
         x.first_at, x.last_at FROM disclosure_rollup x \
         JOIN recipients r ON r.id = x.recipient_id WHERE x.controller IN (",
    );
    let mut list = qb.separated(", ");
    for controller in controllers {
        list.push_bind(controller.as_str().to_owned());
    }
    qb.push(") AND x.day >= ")
        .push_bind(days.start)
        .push(" AND x.day < ")
        .push_bind(days.end);
    if let Some(register) = register {
        qb.push(" AND x.register = ")
            .push_bind(register.as_str().to_owned());
    }
    qb
}

/// Per-day counts of disclosures.
pub trait Statistics: Send + Sync {
    /// The per-day counts of `controller` for the Finnish local days `days` (day numbers
    /// since 1970-01-01), optionally of one register.
    fn rollup(
        &self,
        controller: &BusinessId,
        register: Option<&RegisterId>,
        days: std::ops::Range<i32>,
    ) -> impl Future<Output = Result<Vec<RollupEntry>, StorageError>> + Send;

    /// The per-day counts of `register` that any of `controllers` recorded on `days`: a
    /// joint register's, for a record of processing that covers every joint controller.
    fn joint_rollup(
        &self,
        controllers: &[&BusinessId],
        register: &RegisterId,
        days: std::ops::Range<i32>,
    ) -> impl Future<Output = Result<Vec<RollupEntry>, StorageError>> + Send;
}

sql_impl! {
    impl Statistics {
        async fn rollup(
            &self,
            controller: &BusinessId,
            register: Option<&RegisterId>,
            days: std::ops::Range<i32>,
        ) -> Result<Vec<RollupEntry>, StorageError> {
            let mut query = rollup_query::<DB>(&[controller], register, days);
            let found: Vec<RollupRow> = query.build_query_as().fetch_all(&self.pool).await?;
            found.into_iter().map(RollupRow::into_domain).collect()
        }

        async fn joint_rollup(
            &self,
            controllers: &[&BusinessId],
            register: &RegisterId,
            days: std::ops::Range<i32>,
        ) -> Result<Vec<RollupEntry>, StorageError> {
            let mut query = rollup_query::<DB>(controllers, Some(register), days);
            let found: Vec<RollupRow> = query.build_query_as().fetch_all(&self.pool).await?;
            found.into_iter().map(RollupRow::into_domain).collect()
        }
    }
}
