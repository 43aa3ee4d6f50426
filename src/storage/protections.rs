//! Non-disclosure marks for personal safety (turvakielto), kept by keyed hash per
//! controller, appended and never changed, and their SQL (the same on both backends).

use std::future::Future;

use sqlx::QueryBuilder;

use crate::domain::{BusinessId, SubjectHash, Timestamp};

use super::StorageError;
use super::rows::push_hashes;
use super::store::sql_impl;

/// Protected persons of a controller, by keyed hash.
pub trait SafetyProtections: Send + Sync {
    /// Marks the subjects with `hashes` (key id, hash) as protected at `controller`, with
    /// the disclosure that carried the mark, when and by which caller; a subject marked
    /// already stays as first marked.
    fn mark_safety_protected(
        &self,
        controller: &BusinessId,
        hashes: &[(u16, SubjectHash)],
        with: (i64, Timestamp, &str),
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Which of `hashes` are marked protected at `controller`.
    fn safety_protected(
        &self,
        controller: &BusinessId,
        hashes: &[SubjectHash],
    ) -> impl Future<Output = Result<Vec<SubjectHash>, StorageError>> + Send;
}

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
                    "INSERT INTO safety_protections (controller, subject_key_id, subject_hash, \
                     disclosure_id, marked_at, caller) ",
                );
                qb.push_values(chunk, |mut row, (key_id, hash)| {
                    row.push_bind(controller.as_str().to_owned())
                        .push_bind(*key_id as i16)
                        .push_bind(hash.to_vec())
                        .push_bind(disclosure_id)
                        .push_bind(at.micros())
                        .push_bind(caller.to_owned());
                });
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(&self.writer).await?;
            }
            Ok(())
        }

        async fn safety_protected(
            &self,
            controller: &BusinessId,
            hashes: &[SubjectHash],
        ) -> Result<Vec<SubjectHash>, StorageError> {
            let mut marked = Vec::new();
            for chunk in hashes.chunks(1_000) {
                let mut qb = QueryBuilder::<DB>::new(
                    "SELECT subject_key_id, disclosure_id, subject_hash FROM safety_protections \
                     WHERE controller = ",
                );
                qb.push_bind(controller.as_str().to_owned());
                qb.push(" AND subject_hash IN (");
                push_hashes(&mut qb, chunk);
                qb.push(")");
                let found: Vec<(i16, i64, Vec<u8>)> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                for (_, _, hash) in found {
                    marked.push(SubjectHash::try_from(hash.as_slice()).map_err(|_| {
                        StorageError::Corrupt("a safety protection's hash is not 32 bytes".into())
                    })?);
                }
            }
            Ok(marked)
        }
    }
}
