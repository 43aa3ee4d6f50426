//! Withholding decisions, appended and never changed (the PostgreSQL table refuses UPDATE
//! and DELETE by trigger), and their SQL (the same on both backends).

use std::future::Future;

use sqlx::QueryBuilder;

use crate::domain::{
    BusinessId, LongText, NewWithholdingDecision, Timestamp, WithholdingAction, WithholdingDecision,
};

use super::StorageError;
use super::store::sql_impl;

const DECISION_COLUMNS: &str = "id, controller, disclosure_id, action, withheld_until, reason, \
     ground, conceal_existence, decided_at, decided_by, caller";

/// `ON CONFLICT DO NOTHING`: only the one-first-decision index can conflict, so a replayed
/// record request does not add a second first decision.
const INSERT_DECISION: &str = "INSERT INTO withholding_decisions (controller, disclosure_id, \
     action, withheld_until, reason, ground, conceal_existence, decided_at, decided_by, caller) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id";

/// A stored decision as read.
#[derive(sqlx::FromRow)]
pub(super) struct WithholdingDecisionRow {
    id: i64,
    controller: String,
    disclosure_id: i64,
    action: i16,
    withheld_until: Option<i64>,
    reason: String,
    ground: Option<String>,
    conceal_existence: i16,
    decided_at: i64,
    decided_by: String,
    caller: String,
}

impl WithholdingDecisionRow {
    fn into_domain(self) -> Result<WithholdingDecision, StorageError> {
        let bad =
            |what: &str| StorageError::Corrupt(format!("withholding decision {}: {what}", self.id));
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let long = |text: &str| LongText::parse(text).map_err(|_| bad("text"));
        Ok(WithholdingDecision {
            id: self.id,
            decision: NewWithholdingDecision {
                controller: BusinessId::parse(&self.controller).map_err(|_| bad("controller"))?,
                disclosure_id: self.disclosure_id,
                action: WithholdingAction::from_code(self.action.into())
                    .ok_or_else(|| bad("action"))?,
                until: self.withheld_until.map(time).transpose()?,
                reason: long(&self.reason)?,
                ground: self.ground.as_deref().map(long).transpose()?,
                conceal_existence: self.conceal_existence != 0,
                decided_at: time(self.decided_at)?,
                decided_by: self.decided_by,
                caller: self.caller,
            },
        })
    }
}

/// Withholding decisions.
pub trait WithholdingDecisions: Send + Sync {
    /// Appends `decision` and returns its id; a second first decision of a disclosure is
    /// not appended (`None`).
    fn append_withholding_decision(
        &self,
        decision: &NewWithholdingDecision,
    ) -> impl Future<Output = Result<Option<i64>, StorageError>> + Send;

    /// The decisions of `controller` about any of `disclosures`, in (disclosure, id) order.
    fn withholding_decisions(
        &self,
        controller: &BusinessId,
        disclosures: &[i64],
    ) -> impl Future<Output = Result<Vec<WithholdingDecision>, StorageError>> + Send;
}

sql_impl! {
    impl WithholdingDecisions {
        async fn append_withholding_decision(
            &self,
            decision: &NewWithholdingDecision,
        ) -> Result<Option<i64>, StorageError> {
            let id: Option<(i64,)> = sqlx::query_as(INSERT_DECISION)
                .bind(decision.controller.as_str().to_owned())
                .bind(decision.disclosure_id)
                .bind(decision.action.code())
                .bind(decision.until.map(Timestamp::micros))
                .bind(decision.reason.as_str().to_owned())
                .bind(decision.ground.as_ref().map(|g| g.as_str().to_owned()))
                .bind(i16::from(decision.conceal_existence))
                .bind(decision.decided_at.micros())
                .bind(decision.decided_by.clone())
                .bind(decision.caller.clone())
                .fetch_optional(&self.writer)
                .await?;
            Ok(id.map(|(id,)| id))
        }

        async fn withholding_decisions(
            &self,
            controller: &BusinessId,
            disclosures: &[i64],
        ) -> Result<Vec<WithholdingDecision>, StorageError> {
            let mut decisions = Vec::new();
            // Well under both backends' limits on bound parameters.
            for chunk in disclosures.chunks(1_000) {
                let mut qb = QueryBuilder::<DB>::new(format!(
                    "SELECT {DECISION_COLUMNS} FROM withholding_decisions WHERE controller = "
                ));
                qb.push_bind(controller.as_str().to_owned());
                qb.push(" AND disclosure_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY disclosure_id, id");
                let found: Vec<WithholdingDecisionRow> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                for row in found {
                    decisions.push(row.into_domain()?);
                }
            }
            Ok(decisions)
        }
    }
}
