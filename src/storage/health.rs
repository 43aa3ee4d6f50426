//! The connections: their state, a ping, closing them.

use std::future::Future;

use sqlx::Pool;

use super::store::sql_impl;
use super::{PoolStatus, StorageError};

/// The connections: their state, a ping, closing them.
pub trait Health: Send + Sync {
    /// The connection pools' state, for metrics.
    fn pool_status(&self) -> Vec<PoolStatus>;

    /// Checks that the database answers (for health checks).
    fn ping(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Closes the connections, waiting for those in use.
    fn close(&self) -> impl Future<Output = ()> + Send;
}

sql_impl! {
    impl Health {
        fn pool_status(&self) -> Vec<PoolStatus> {
            let status = |name, pool: &Pool<DB>| PoolStatus {
                name,
                size: pool.size(),
                idle: pool.num_idle(),
            };
            if DB::SEPARATE_WRITER {
                vec![status("read", &self.pool), status("write", &self.writer)]
            } else {
                vec![status("main", &self.pool)]
            }
        }

        async fn ping(&self) -> Result<(), StorageError> {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        }

        async fn close(&self) {
            self.writer.close().await;
            self.pool.close().await;
        }
    }
}
