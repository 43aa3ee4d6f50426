//! Reading `disclosure_rollup`: per-day counts under everything statistics group by.

use std::future::Future;

use super::store::sql_impl;

use std::ops::Range;

use sqlx::{Database, QueryBuilder};

use crate::domain::{
    BusinessId, Channel, Classification, Country, DataCategories, LegalBasis, Recipient,
    RecipientIdType, RecipientIdentifier, RecipientKind, RegisterId, RollupEntry, ShortText,
    Timestamp,
};

use super::StorageError;
use super::columns::decode_canonical;
use super::rows::Bind;

#[derive(sqlx::FromRow)]
pub(super) struct RollupRow {
    register: String,
    day: i32,
    recipient_id_type: i16,
    recipient_identifier: String,
    recipient_name: String,
    recipient_kind: i16,
    recipient_country: String,
    classification: i16,
    legal_basis: i16,
    channel: i16,
    data_categories: i64,
    provisions: String,
    disclosures: i64,
    entries: i64,
    first_at: i64,
    last_at: i64,
}

impl RollupRow {
    pub fn into_domain(self) -> Result<RollupEntry, StorageError> {
        let bad = |what: &str| StorageError::Corrupt(format!("rollup of day {}: {what}", self.day));
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let id_type = RecipientIdType::from_code(self.recipient_id_type.into())
            .ok_or_else(|| bad("recipient id type"))?;
        Ok(RollupEntry {
            register: RegisterId::parse(&self.register).map_err(|_| bad("register"))?,
            day: self.day,
            recipient: Recipient {
                identifier: RecipientIdentifier::parse(id_type, &self.recipient_identifier)
                    .map_err(|_| bad("recipient identifier"))?,
                name: ShortText::parse(&self.recipient_name).map_err(|_| bad("recipient"))?,
                kind: RecipientKind::from_code(self.recipient_kind.into())
                    .ok_or_else(|| bad("recipient kind"))?,
                country: Country::parse(&self.recipient_country).map_err(|_| bad("country"))?,
            },
            classification: Classification::from_code(self.classification.into())
                .ok_or_else(|| bad("classification"))?,
            legal_basis: LegalBasis::from_code(self.legal_basis.into())
                .ok_or_else(|| bad("legal basis"))?,
            channel: Channel::from_code(self.channel.into()).ok_or_else(|| bad("channel"))?,
            data_categories: DataCategories::from_mask(self.data_categories)
                .ok_or_else(|| bad("data categories"))?,
            provisions: decode_canonical(&self.provisions).ok_or_else(|| bad("provisions"))?,
            disclosures: self.disclosures,
            entries: self.entries,
            first_at: time(self.first_at)?,
            last_at: time(self.last_at)?,
        })
    }
}

/// `SELECT` of a controller's rollup rows for `days`, optionally of one register.
pub(super) fn rollup_query<DB: Database>(
    controller: &BusinessId,
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
         JOIN recipients r ON r.id = x.recipient_id WHERE x.controller = ",
    );
    qb.push_bind(controller.as_str().to_owned());
    qb.push(" AND x.day >= ")
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
}

sql_impl! {
    impl Statistics {
        async fn rollup(
            &self,
            controller: &BusinessId,
            register: Option<&RegisterId>,
            days: std::ops::Range<i32>,
        ) -> Result<Vec<RollupEntry>, StorageError> {
            let mut query = rollup_query::<DB>(controller, register, days);
            let found: Vec<RollupRow> = query.build_query_as().fetch_all(&self.pool).await?;
            found.into_iter().map(RollupRow::into_domain).collect()
        }
    }
}
