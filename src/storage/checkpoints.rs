//! The signed checkpoints of the tree.

use std::future::Future;

use crate::domain::StoredCheckpoint;

use super::StorageError;
use super::rows::CheckpointRow;
use super::store::sql_impl;

pub(super) const CHECKPOINT_COLUMNS: &str = "tree_size, root_hash, signed_at, note";

/// Stores a checkpoint only if it is of the head as committed, so no checkpoint can name a
/// root the log does not have; one per size.
pub(super) const INSERT_CHECKPOINT: &str = "INSERT INTO checkpoints (tree_size, root_hash, \
     signed_at, note) SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM log_head \
     WHERE id = 1 AND tree_size = $1 AND tree_root = $2) \
     ON CONFLICT (tree_size) DO NOTHING RETURNING tree_size";

/// The signed checkpoints of the tree.
pub trait Checkpoints: Send + Sync {
    /// Stores `checkpoint` if its size and root are the committed tree head's and no
    /// checkpoint of that size is stored; says whether it was stored.
    fn add_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// The checkpoint of the largest tree.
    fn latest_checkpoint(
        &self,
    ) -> impl Future<Output = Result<Option<StoredCheckpoint>, StorageError>> + Send;

    /// Up to `limit` checkpoints of trees larger than `after_size`, smallest first.
    fn checkpoints(
        &self,
        after_size: Option<u64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredCheckpoint>, StorageError>> + Send;

    /// The checkpoint of the tree of `size` leaves, or the latest when `None`.
    fn checkpoint(
        &self,
        size: Option<u64>,
    ) -> impl Future<Output = Result<Option<StoredCheckpoint>, StorageError>> + Send {
        async move {
            match size {
                None => self.latest_checkpoint().await,
                Some(size) => Ok(self
                    .checkpoints(size.checked_sub(1), 1)
                    .await?
                    .into_iter()
                    .find(|c| c.size == size)),
            }
        }
    }
}

sql_impl! {
    impl Checkpoints {
        async fn add_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<bool, StorageError> {
            let stored: Option<(i64,)> = sqlx::query_as(INSERT_CHECKPOINT)
                .bind(checkpoint.size as i64)
                .bind(checkpoint.root.to_vec())
                .bind(checkpoint.signed_at)
                .bind(checkpoint.note.clone())
                .fetch_optional(&self.writer)
                .await?;
            Ok(stored.is_some())
        }

        async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StorageError> {
            let sql =
                format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT 1");
            // Composed from constants only.
            let row: Option<CheckpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_optional(&self.pool)
                .await?;
            row.map(CheckpointRow::into_domain).transpose()
        }

        async fn checkpoints(
            &self,
            after_size: Option<u64>,
            limit: u32,
        ) -> Result<Vec<StoredCheckpoint>, StorageError> {
            let sql = format!(
                "SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE tree_size > $1 \
                 ORDER BY tree_size LIMIT $2"
            );
            // Composed from constants only.
            let rows: Vec<CheckpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(after_size.map_or(-1, |s| s as i64))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter().map(CheckpointRow::into_domain).collect()
        }
    }
}
