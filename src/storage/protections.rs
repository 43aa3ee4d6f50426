//! Non-disclosure for personal safety (turvakielto): marks and lifts, kept by keyed hash
//! per controller, appended and never changed (both tables refuse UPDATE and DELETE by
//! trigger), and their SQL (the same on both backends).

use std::future::Future;

use sqlx::QueryBuilder;

use crate::domain::{BusinessId, SafetyAction, SubjectHash, Timestamp};

use super::StorageError;
use super::rows::push_hashes;
use super::store::sql_impl;

/// Turvakielto decisions of a controller, by keyed hash: marks and lifts, appended.
pub trait SafetyProtections: Send + Sync {
    /// Marks the subjects with `hashes` (key id, hash) as protected at `controller`, with
    /// the disclosure that carried the mark, when and by which caller; a replay of the
    /// disclosure adds no mark.
    fn mark_safety_protected(
        &self,
        controller: &BusinessId,
        hashes: &[(u16, SubjectHash)],
        with: (i64, Timestamp, &str),
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Appends a decision made on its own about the subject with `hash` (key id, hash) at
    /// `controller`, and returns its id.
    fn decide_safety_protection(
        &self,
        controller: &BusinessId,
        hash: (u16, SubjectHash),
        decision: &NewSafetyDecision<'_>,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// The decisions at `controller` about any of `hashes`: (hash, decision id, action),
    /// in no particular order.
    fn safety_decisions(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> impl Future<Output = Result<Vec<(SubjectHash, i64, SafetyAction)>, StorageError>> + Send;
}

/// A decision made on its own, as appended.
pub struct NewSafetyDecision<'a> {
    pub action: SafetyAction,
    pub reason: &'a str,
    pub decided_by: &'a str,
    pub decided_at: Timestamp,
    pub caller: &'a str,
}

const INSERT_DECISION: &str = "INSERT INTO safety_protection_decisions (controller, \
     subject_key_id, subject_hash, action, reason, decided_by, decided_at, caller) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

sql_impl! {
    impl SafetyProtections {
        async fn mark_safety_protected(
            &self,
            controller: &BusinessId,
            hashes: &[(u16, SubjectHash)],
            (disclosure_id, at, caller): (i64, Timestamp, &str),
        ) -> Result<(), StorageError> {
            // Seven values a row: well under both backends' limits on bound parameters.
            for chunk in hashes.chunks(1_000) {
                let mut qb = QueryBuilder::<DB>::new(
                    "INSERT INTO safety_protection_decisions (controller, subject_key_id, \
                     subject_hash, action, disclosure_id, decided_at, caller) ",
                );
                qb.push_values(chunk, |mut row, (key_id, hash)| {
                    row.push_bind(controller.as_str().to_owned())
                        .push_bind(*key_id as i16)
                        .push_bind(hash.to_vec())
                        .push_bind(SafetyAction::Mark.code())
                        .push_bind(disclosure_id)
                        .push_bind(at.micros())
                        .push_bind(caller.to_owned());
                });
                // Only the one-mark-per-disclosure index can conflict: a replay.
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(&self.writer).await?;
            }
            Ok(())
        }

        async fn decide_safety_protection(
            &self,
            controller: &BusinessId,
            (key_id, hash): (u16, SubjectHash),
            decision: &NewSafetyDecision<'_>,
        ) -> Result<i64, StorageError> {
            let (id,): (i64,) = sqlx::query_as(INSERT_DECISION)
                .bind(controller.as_str().to_owned())
                .bind(key_id as i16)
                .bind(hash.to_vec())
                .bind(decision.action.code())
                .bind(decision.reason.to_owned())
                .bind(decision.decided_by.to_owned())
                .bind(decision.decided_at.micros())
                .bind(decision.caller.to_owned())
                .fetch_one(&self.writer)
                .await?;
            Ok(id)
        }

        async fn safety_decisions(
            &self,
            controller: &BusinessId,
            hashes: &[SubjectHash],
        ) -> Result<Vec<(SubjectHash, i64, SafetyAction)>, StorageError> {
            let mut decisions = Vec::new();
            for chunk in hashes.chunks(1_000) {
                let mut qb = QueryBuilder::<DB>::new(
                    "SELECT action, id, subject_hash FROM safety_protection_decisions \
                     WHERE controller = ",
                );
                qb.push_bind(controller.as_str().to_owned());
                qb.push(" AND subject_hash IN (");
                push_hashes(&mut qb, chunk);
                qb.push(")");
                let found: Vec<(i16, i64, Vec<u8>)> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                for (action, id, hash) in found {
                    let bad = |what: &str| {
                        StorageError::Corrupt(format!("turvakielto decision {id}: {what}"))
                    };
                    decisions.push((
                        SubjectHash::try_from(hash.as_slice())
                            .map_err(|_| bad("the hash is not 32 bytes"))?,
                        id,
                        SafetyAction::from_code(action.into()).ok_or_else(|| bad("action"))?,
                    ));
                }
            }
            Ok(decisions)
        }
    }
}
