//! The benchmark's own connection to the server's database: the raw-database baselines
//! (single-row INSERTs, COPY batches) in bench tables created for the run and dropped after
//! it, and what the benchmark reads from the log tables (store size, preloaded ranges, row
//! sizes, storage footprint).
//!
//! The bench tables are the benchmark's own, not copies of the service's: each stands for
//! the least a database must do for what one call stores, so that a call's rate can be set
//! against it. `bench_baseline` is one row as big as a one-subject record (measured from the
//! log, see [`Db::record_row_size`]); `bench_copy` is one subject entry as a plain design
//! would keep it: two ids, the lookup hash and the sealed code, a primary key and a B-tree on
//! the hash. The log's own tables are read by name only (the SQL below says which); if the
//! service renames one, the query fails and says so rather than measuring something else.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::load::OpError;

/// The byte sizes of a subject entry's lookup hash and sealed identity code, the two values
/// a `bench_copy` row carries besides its ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntrySizes {
    pub hash: usize,
    pub sealed: usize,
}

impl EntrySizes {
    /// The sizes when the log holds no entry to measure them from: a 32-byte hash (an
    /// HMAC-SHA-256, as the README describes the lookup hash), and a code sealed with
    /// XChaCha20-Poly1305 under a numbered key: 2-byte key number + 24-byte nonce + the
    /// 11-character code + 16-byte tag = 53 bytes.
    pub const ASSUMED: Self = Self {
        hash: 32,
        sealed: 2 + 24 + 11 + 16,
    };
}

/// The tables that hold the log itself, the footprint's "all log tables" (each with its
/// indexes): what a disclosure and its subject entries occupy, without the tables of other
/// features (consents, lookup records, statistics roll-ups, the Merkle tree). A table
/// missing from the database is an error, not a zero.
const LOG_TABLES: [&str; 4] = ["log_head", "recipients", "disclosures", "subject_entries"];

/// The tables of the log's Merkle tree: its stored subtrees, and the leaf hashes of
/// dropped partitions.
const TREE_TABLES: [&str; 2] = ["merkle_nodes", "purged_leaves"];

/// Transfer ids of preload disclosures: `bench-preload-<first code>+<count>`.
pub const PRELOAD_PREFIX: &str = "bench-preload-";

/// The server's database, with a pool of one connection per caller.
pub enum Db {
    Postgres(PgPool),
    Sqlite { pool: SqlitePool, path: PathBuf },
}

/// A run of consecutive preloaded identity codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub first: u64,
    pub count: u64,
}

/// Storage used by the log.
#[derive(Debug, Clone)]
pub struct Footprint {
    /// Subject entries in the store.
    pub entries: i64,
    /// `subject_entries` with its indexes, bytes.
    pub entry_bytes: i64,
    /// All log tables with their indexes, bytes.
    pub log_bytes: i64,
    /// The tables of the Merkle tree ([`TREE_TABLES`]) with their indexes, bytes; not
    /// part of `log_bytes`.
    pub tree_bytes: Option<i64>,
    /// SQLite only: the database file plus its WAL, bytes.
    pub file_bytes: Option<u64>,
    /// How the sizes were measured.
    pub method: &'static str,
}

/// The size of a baseline row's payload and how it was found.
#[derive(Debug, Clone)]
pub struct RowSize {
    pub payload_bytes: usize,
    pub how: String,
}

/// Payload when the log holds no rows to measure, from a PostgreSQL measurement of the
/// bench's own requests: 240 bytes of disclosure row (ids, times, codes, controller, transfer
/// id, register, purpose, source system, the 32-byte request digest) and 127 bytes of entry
/// row (two ids, 32-byte hash, 53-byte sealed code), minus the baseline row's own 36 bytes.
const FALLBACK_PAYLOAD: usize = 330;

impl Db {
    /// Connects to `url` (`postgres://…` or `sqlite://path`) with up to `connections`
    /// connections. A SQLite database must already exist: the server creates it.
    ///
    /// Statement logging is off: the benchmark measures latency itself, and waits for
    /// SQLite's write lock would otherwise flood the terminal with slow-statement warnings.
    pub async fn connect(url: &str, connections: u32) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Without the NOTICEs of `DROP TABLE IF EXISTS` on a clean database.
            let options = PgConnectOptions::from_str(url)
                .context("--database-url")?
                .options([("client_min_messages", "warning")])
                .disable_statement_logging();
            let pool = PgPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Self::Postgres(pool))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            let path = PathBuf::from(path);
            // The service's settings: WAL, every commit synced, wait for the write lock.
            let options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(false)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .disable_statement_logging();
            let pool = SqlitePoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .with_context(|| {
                    format!(
                        "opening SQLite database {} (start the server first)",
                        path.display()
                    )
                })?;
            Ok(Self::Sqlite { pool, path })
        } else {
            anyhow::bail!("--database-url must start with postgres://, postgresql:// or sqlite://")
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "PostgreSQL",
            Self::Sqlite { .. } => "SQLite",
        }
    }

    /// Opens `n` connections at once, so connecting is not timed in a scenario.
    pub async fn open_connections(&self, n: usize) -> anyhow::Result<()> {
        match self {
            Self::Postgres(pool) => {
                let conns = futures_util::future::try_join_all((0..n).map(|_| pool.acquire()));
                drop(conns.await.context("opening PostgreSQL connections")?);
            }
            Self::Sqlite { pool, .. } => {
                let conns = futures_util::future::try_join_all((0..n).map(|_| pool.acquire()));
                drop(conns.await.context("opening SQLite connections")?);
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Self::Postgres(pool) => pool.close().await,
            Self::Sqlite { pool, .. } => pool.close().await,
        }
    }

    /// Subject entries in the store.
    pub async fn entry_count(&self) -> anyhow::Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM subject_entries";
        let count = match self {
            Self::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
            Self::Sqlite { pool, .. } => sqlx::query_scalar(SQL).fetch_one(pool).await,
        };
        count.context("counting subject entries (is this the server's database?)")
    }

    /// Refreshes PostgreSQL's planner statistics of the log tables; returns whether it did.
    ///
    /// Right after a load autovacuum has often not analysed the tables yet, and without
    /// statistics the planner walks all of the controller's disclosures for each lookup
    /// instead of probing the subject index: a measurement of a state no running store is in.
    pub async fn analyze(&self) -> anyhow::Result<bool> {
        let Self::Postgres(pool) = self else {
            return Ok(false);
        };
        sqlx::query("ANALYZE log_head, recipients, disclosures, subject_entries")
            .execute(pool)
            .await
            .context("analysing the log tables")?;
        Ok(true)
    }

    /// The code ranges recorded by earlier preloads for `controller`.
    pub async fn preloaded(&self, controller: &str) -> anyhow::Result<Vec<Range>> {
        let ids: Vec<String> = match self {
            Self::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT transfer_id FROM disclosures \
                     WHERE controller = $1 AND transfer_id LIKE 'bench-preload-%'",
                )
                .bind(controller)
                .fetch_all(pool)
                .await
            }
            Self::Sqlite { pool, .. } => {
                sqlx::query_scalar(
                    "SELECT transfer_id FROM disclosures \
                     WHERE controller = ? AND transfer_id LIKE 'bench-preload-%'",
                )
                .bind(controller)
                .fetch_all(pool)
                .await
            }
        }
        .context("reading the preloaded disclosures")?;
        let mut ranges: Vec<Range> = ids.iter().filter_map(|id| parse_preload_id(id)).collect();
        ranges.sort_by_key(|r| r.first);
        Ok(ranges)
    }

    /// The sizes of the newest (unpurged) subject entry's hash and sealed code, as stored;
    /// the assumed sizes when the log has no entry yet.
    pub async fn entry_sizes(&self) -> anyhow::Result<EntrySizes> {
        const SQL: &str = "SELECT length(subject_hash), length(sealed_subject) \
             FROM subject_entries WHERE length(sealed_subject) > 0 \
             ORDER BY entry_id DESC LIMIT 1";
        let newest: Option<(i32, i32)> = match self {
            Self::Postgres(pool) => sqlx::query_as(SQL).fetch_optional(pool).await,
            Self::Sqlite { pool, .. } => sqlx::query_as(SQL).fetch_optional(pool).await,
        }
        .context("measuring a subject entry")?;
        Ok(match newest {
            Some((hash, sealed)) => EntrySizes {
                hash: usize::try_from(hash)?,
                sealed: usize::try_from(sealed)?,
            },
            None => EntrySizes::ASSUMED,
        })
    }

    /// The baseline row's payload size: what one single-subject record stores, a disclosure
    /// row and an entry row, averaged over the newest rows of the log.
    pub async fn record_row_size(&self) -> anyhow::Result<RowSize> {
        let (disclosure, entry): (Option<f64>, Option<f64>) = match self {
            Self::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT \
                       (SELECT avg(pg_column_size(d.*))::float8 FROM \
                          (SELECT * FROM disclosures ORDER BY id DESC LIMIT 1000) d), \
                       (SELECT avg(pg_column_size(e.*))::float8 FROM \
                          (SELECT * FROM subject_entries ORDER BY entry_id DESC LIMIT 1000) e)",
                )
                .fetch_one(pool)
                .await?
            }
            Self::Sqlite { pool, .. } => {
                // Record payload bytes on the tables' leaf pages, per row.
                let stat = sqlx::query_as(
                    "SELECT \
                       (SELECT CAST(sum(payload) AS REAL) / NULLIF(sum(ncell), 0) FROM dbstat \
                          WHERE name = 'disclosures' AND pagetype = 'leaf'), \
                       (SELECT CAST(sum(payload) AS REAL) / NULLIF(sum(ncell), 0) FROM dbstat \
                          WHERE name = 'subject_entries' AND pagetype = 'leaf')",
                )
                .fetch_one(pool)
                .await;
                // Built without the dbstat table: nothing to measure with.
                stat.unwrap_or_default()
            }
        };
        // What the baseline row adds besides its payload, so that the row as stored is as
        // big as the two it stands for.
        let (method, own) = match self {
            // pg_column_size counts each row's 24-byte tuple header; the baseline row has one
            // of its own, an 8-byte id and a 4-byte length before the payload.
            Self::Postgres(_) => (
                "pg_column_size of the newest 1,000 rows",
                "minus the baseline row's own 24-byte header, 8-byte id and 4-byte length",
            ),
            // Record payloads without the rowid, which is the key of both tables.
            Self::Sqlite { .. } => ("dbstat record payload per row", "rowids not counted"),
        };
        let overhead = if self.is_postgres() { 36.0 } else { 0.0 };
        Ok(match (disclosure, entry) {
            (Some(d), Some(e)) => RowSize {
                payload_bytes: (d + e - overhead).round().max(1.0) as usize,
                how: format!(
                    "measured ({method}): disclosure row {d:.0} B + entry row {e:.0} B, {own}"
                ),
            },
            _ => RowSize {
                payload_bytes: FALLBACK_PAYLOAD,
                how: format!(
                    "assumed ({FALLBACK_PAYLOAD} B: ~240 B disclosure row + ~127 B entry \
                     row - 36 B of the baseline row's own; the log had no rows to measure)"
                ),
            },
        })
    }

    /// Creates the bench tables (dropping leftovers of an interrupted run first); the COPY
    /// table only on PostgreSQL and when `copy` is set.
    pub async fn create_bench_tables(&self, copy: bool) -> anyhow::Result<()> {
        self.drop_bench_tables().await?;
        match self {
            Self::Postgres(pool) => {
                sqlx::query(
                    "CREATE TABLE bench_baseline (id BIGINT PRIMARY KEY, payload BYTEA NOT NULL)",
                )
                .execute(pool)
                .await?;
                if copy {
                    // A subject entry as a plain design keeps it (see the module comment).
                    sqlx::query(
                        "CREATE TABLE bench_copy (entry_id BIGINT PRIMARY KEY, \
                         disclosure_id BIGINT NOT NULL, subject_hash BYTEA NOT NULL, \
                         sealed_subject BYTEA NOT NULL)",
                    )
                    .execute(pool)
                    .await?;
                    sqlx::query(
                        "CREATE INDEX bench_copy_by_subject ON bench_copy (subject_hash, disclosure_id)",
                    )
                    .execute(pool)
                    .await?;
                }
            }
            Self::Sqlite { pool, .. } => {
                // INTEGER PRIMARY KEY is the rowid, as subject_entries.entry_id is; BIGINT
                // PRIMARY KEY would add a separate index and so a second b-tree write.
                sqlx::query(
                    "CREATE TABLE bench_baseline (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)",
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Drops the bench tables, if there.
    pub async fn drop_bench_tables(&self) -> anyhow::Result<()> {
        match self {
            Self::Postgres(pool) => {
                sqlx::query("DROP TABLE IF EXISTS bench_baseline, bench_copy")
                    .execute(pool)
                    .await?;
            }
            Self::Sqlite { pool, .. } => {
                sqlx::query("DROP TABLE IF EXISTS bench_baseline")
                    .execute(pool)
                    .await?;
                sqlx::query("DROP TABLE IF EXISTS bench_copy")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Whether any bench table exists (to check the clean-up).
    pub async fn bench_tables_left(&self) -> anyhow::Result<i64> {
        Ok(match self {
            Self::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'bench\\_%' AND relkind IN ('r', 'i')",
                )
                .fetch_one(pool)
                .await?
            }
            Self::Sqlite { pool, .. } => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE 'bench\\_%' ESCAPE '\\'",
                )
                .fetch_one(pool)
                .await?
            }
        })
    }

    /// One baseline row in its own (autocommit) transaction: `id` and `payload_bytes` random
    /// bytes.
    pub async fn insert_row(&self, id: u64, payload_bytes: usize) -> Result<u64, OpError> {
        let mut payload = vec![0u8; payload_bytes];
        getrandom::fill(&mut payload).map_err(|e| OpError::new("RANDOM", e.to_string()))?;
        let id = i64::try_from(id).map_err(|e| OpError::new("ID", e.to_string()))?;
        match self {
            Self::Postgres(pool) => {
                sqlx::query("INSERT INTO bench_baseline (id, payload) VALUES ($1, $2)")
                    .bind(id)
                    .bind(payload)
                    .execute(pool)
                    .await?;
            }
            Self::Sqlite { pool, .. } => {
                sqlx::query("INSERT INTO bench_baseline (id, payload) VALUES (?, ?)")
                    .bind(id)
                    .bind(payload)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(1)
    }

    /// The year's counts by recipient the plain way: every entry of the last 365 days joined
    /// to its disclosure and grouped. Returns the number of groups.
    pub async fn group_by_year(&self, controller: &str) -> Result<u64, OpError> {
        const SQL: &str = "SELECT d.recipient_id, COUNT(*) FROM subject_entries e \
             JOIN disclosures d ON d.id = e.disclosure_id \
             WHERE d.controller = $1 AND d.occurred_at >= $2 GROUP BY d.recipient_id";
        // occurred_at is in microseconds since 1970.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| OpError::new("CLOCK", e.to_string()))?;
        let since = now.as_micros() as i64 - 365 * 86_400 * 1_000_000;
        let groups: Vec<(i64, i64)> = match self {
            Self::Postgres(pool) => {
                sqlx::query_as(SQL)
                    .bind(controller.to_owned())
                    .bind(since)
                    .fetch_all(pool)
                    .await?
            }
            Self::Sqlite { pool, .. } => {
                sqlx::query_as(SQL)
                    .bind(controller.to_owned())
                    .bind(since)
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(groups.len() as u64)
    }

    /// Batch `batch` of `rows` entry-sized rows through one COPY (its own transaction);
    /// PostgreSQL only.
    pub async fn copy_batch(
        &self,
        batch: u64,
        rows: u64,
        sizes: EntrySizes,
    ) -> Result<u64, OpError> {
        let Self::Postgres(pool) = self else {
            return Err(OpError::new("UNSUPPORTED", "COPY needs PostgreSQL"));
        };
        let data = copy_rows(batch, rows, sizes)?;
        let mut conn = pool.acquire().await?;
        let mut copy = conn
            .copy_in_raw(
                "COPY bench_copy (entry_id, disclosure_id, subject_hash, sealed_subject) \
                 FROM STDIN (FORMAT csv)",
            )
            .await?;
        copy.send(data).await?;
        let copied = copy.finish().await?;
        Ok(copied)
    }

    /// The log's storage footprint.
    pub async fn footprint(&self) -> anyhow::Result<Footprint> {
        let entries = self.entry_count().await?;
        match self {
            Self::Postgres(pool) => {
                // A partitioned table's own size is 0: its partitions hold the rows, and
                // `pg_partition_tree` lists them (and nothing for a plain table).
                const SIZE: &str = "SELECT SUM(pg_total_relation_size(r))::int8 FROM (\
                     SELECT t::regclass AS r FROM unnest($1::text[]) t UNION ALL \
                     SELECT p.relid FROM unnest($1::text[]) t \
                     CROSS JOIN LATERAL pg_partition_tree(t::regclass) p WHERE p.isleaf) s";
                let entry_bytes: i64 = sqlx::query_scalar(SIZE)
                    .bind(vec!["subject_entries".to_owned()])
                    .fetch_one(pool)
                    .await?;
                let log_bytes: i64 = sqlx::query_scalar(SIZE)
                    .bind(LOG_TABLES.map(String::from).to_vec())
                    .fetch_one(pool)
                    .await?;
                let tree_bytes: i64 = sqlx::query_scalar(SIZE)
                    .bind(TREE_TABLES.map(String::from).to_vec())
                    .fetch_one(pool)
                    .await?;
                Ok(Footprint {
                    entries,
                    entry_bytes,
                    log_bytes,
                    tree_bytes: Some(tree_bytes),
                    file_bytes: None,
                    method: "pg_total_relation_size of each partition (table + indexes + TOAST)",
                })
            }
            Self::Sqlite { pool, path } => {
                let file_bytes = file_size(path) + file_size(&wal_path(path));
                // Pages per table, its indexes counted with it.
                let per_table: Result<Vec<(String, i64)>, _> = sqlx::query_as(
                    "SELECT s.tbl_name, SUM(d.pgsize) FROM dbstat d \
                     JOIN sqlite_schema s ON s.name = d.name GROUP BY s.tbl_name",
                )
                .fetch_all(pool)
                .await;
                Ok(match per_table {
                    Ok(rows) => {
                        if let Some(missing) = LOG_TABLES
                            .iter()
                            .find(|&&table| !rows.iter().any(|(t, _)| t == table))
                        {
                            anyhow::bail!("the log table {missing} is not in the database");
                        }
                        let size = |table: &str| {
                            rows.iter()
                                .filter(|(t, _)| t == table)
                                .map(|(_, b)| b)
                                .sum::<i64>()
                        };
                        Footprint {
                            entries,
                            entry_bytes: size("subject_entries"),
                            log_bytes: LOG_TABLES.iter().map(|t| size(t)).sum(),
                            tree_bytes: Some(TREE_TABLES.iter().map(|t| size(t)).sum()),
                            file_bytes: Some(file_bytes),
                            method: "dbstat pages (table + indexes)",
                        }
                    }
                    // Without dbstat only the whole file can be measured.
                    Err(_) => Footprint {
                        entries,
                        entry_bytes: file_bytes as i64,
                        log_bytes: file_bytes as i64,
                        tree_bytes: None,
                        file_bytes: Some(file_bytes),
                        method: "file size + WAL (no dbstat)",
                    },
                })
            }
        }
    }
}

/// Parses `bench-preload-<first>+<count>`.
fn parse_preload_id(id: &str) -> Option<Range> {
    let (first, count) = id.strip_prefix(PRELOAD_PREFIX)?.split_once('+')?;
    Some(Range {
        first: first.parse().ok()?,
        count: count.parse().ok()?,
    })
}

/// The transfer id of the preload disclosure covering `range`.
pub fn preload_id(range: Range) -> String {
    format!("{PRELOAD_PREFIX}{}+{}", range.first, range.count)
}

/// CSV for COPY: `rows` rows of batch `batch` with consecutive entry ids, the batch number as
/// disclosure id, and random hash and sealed code of `sizes` written as bytea hex (`\x…`).
fn copy_rows(batch: u64, rows: u64, sizes: EntrySizes) -> Result<Vec<u8>, OpError> {
    let row_bytes = sizes.hash + sizes.sealed;
    let mut random = vec![0u8; rows as usize * row_bytes];
    getrandom::fill(&mut random).map_err(|e| OpError::new("RANDOM", e.to_string()))?;
    let mut csv = String::with_capacity(rows as usize * (2 * row_bytes + 32));
    for (i, bytes) in random.chunks(row_bytes).enumerate() {
        let (hash, sealed) = bytes.split_at(sizes.hash);
        let entry_id = batch * rows + i as u64;
        csv.push_str(&format!(
            "{entry_id},{batch},\\x{},\\x{}\n",
            hex::encode(hash),
            hex::encode(sealed)
        ));
    }
    Ok(csv.into_bytes())
}

fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preload_ids_round_trip() {
        let range = Range {
            first: 150_000,
            count: 50_000,
        };
        assert_eq!(preload_id(range), "bench-preload-150000+50000");
        assert_eq!(parse_preload_id(&preload_id(range)), Some(range));
        assert_eq!(parse_preload_id("bench-1700000000-u-5"), None);
    }

    #[test]
    fn copy_rows_are_entry_sized_csv() {
        let sizes = EntrySizes::ASSUMED;
        let csv = String::from_utf8(copy_rows(3, 2, sizes).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        let fields: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(fields[..2], ["7", "3"]);
        assert_eq!(fields[2].len(), 2 + 2 * sizes.hash);
        assert_eq!(fields[3].len(), 2 + 2 * sizes.sealed);
        assert!(fields[2].starts_with("\\x"));
    }
}
