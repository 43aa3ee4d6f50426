//! SQLite, the embedded default: one database file in WAL mode, every commit synced.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite};

use super::StorageError;
use super::store::{Dialect, EntryColumns, SqlStore};

/// The log's storage in a SQLite file.
pub type SqliteStore = SqlStore<Sqlite>;

/// Rows per entry `INSERT`: 4 parameters a row, under SQLite's limit of 32,766.
const ENTRY_ROWS_PER_STATEMENT: usize = 8000;

impl Dialect for Sqlite {
    // Take the write lock up front: a deferred transaction that reads first and then writes
    // fails at once with SQLITE_BUSY when another connection holds the lock, instead of
    // waiting for the busy timeout.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    async fn insert_entries(
        conn: &mut SqliteConnection,
        entries: EntryColumns,
    ) -> Result<(), sqlx::Error> {
        let EntryColumns {
            entry_ids,
            disclosure_ids,
            hashes,
            sealed,
        } = entries;
        let mut rows = entry_ids
            .into_iter()
            .zip(disclosure_ids)
            .zip(hashes.into_iter().zip(sealed))
            .peekable();
        while rows.peek().is_some() {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO subject_entries (entry_id, disclosure_id, subject_hash, sealed_subject) ",
            );
            insert.push_values(
                rows.by_ref().take(ENTRY_ROWS_PER_STATEMENT),
                |mut b, ((entry_id, disclosure_id), (hash, sealed))| {
                    b.push_bind(entry_id)
                        .push_bind(disclosure_id)
                        .push_bind(hash)
                        .push_bind(sealed);
                },
            );
            insert.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}

impl SqlStore<Sqlite> {
    /// Opens (creating it and its directory if needed) the database file at `path` and
    /// applies the migrations.
    pub async fn open(path: &Path, readers: u32) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StorageError::Config(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before it is acknowledged, even across a power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // SQLite allows one writer at a time; one connection makes that explicit.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&writer).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .connect_with(options)
            .await?;
        Ok(Self::from_pools(pool, writer))
    }
}
