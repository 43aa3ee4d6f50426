//! PostgreSQL, for production: entries are inserted from arrays with `UNNEST`, one statement
//! per batch whatever its size.

use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgConnection, PgPoolOptions};

use super::StorageError;
use super::store::{Dialect, EntryColumns, SqlStore};

/// The log's storage in PostgreSQL.
pub type PostgresStore = SqlStore<Postgres>;

impl Dialect for Postgres {
    const BEGIN_WRITE: &'static str = "BEGIN";

    async fn insert_entries(
        conn: &mut PgConnection,
        entries: EntryColumns,
    ) -> Result<(), sqlx::Error> {
        if entries.entry_ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO subject_entries (entry_id, disclosure_id, subject_hash, sealed_subject) \
             SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::bytea[], $4::bytea[])",
        )
        .bind(entries.entry_ids)
        .bind(entries.disclosure_ids)
        .bind(entries.hashes)
        .bind(entries.sealed)
        .execute(conn)
        .await?;
        Ok(())
    }
}

impl SqlStore<Postgres> {
    /// Connects to `url` and applies the migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StorageError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self::from_pools(pool.clone(), pool))
    }
}
