//! SQLite, the embedded default: one database file in WAL mode, every commit synced.

use std::path::Path;
use std::time::Duration;

use sqlx::query_builder::Separated;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite};

use crate::domain::{PurgeReport, PurgeRequest};

use super::StorageError;
use super::columns::BatchColumns;
use super::rows::ExistingRow;
use super::store::{Dialect, Inserted, SqlStore};

/// How a rollup row already there takes a batch's counts (SQLite's two-argument MIN and MAX).
const ROLLUP_CONFLICT: &str = " ON CONFLICT (controller, day, register, recipient_id, \
     classification, legal_basis, channel, data_categories, provisions) DO UPDATE SET \
     disclosures = disclosure_rollup.disclosures + excluded.disclosures, \
     entries = disclosure_rollup.entries + excluded.entries, \
     first_at = MIN(disclosure_rollup.first_at, excluded.first_at), \
     last_at = MAX(disclosure_rollup.last_at, excluded.last_at)";

/// Bound parameters one statement may carry (SQLite's limit is 32,766).
const MAX_PARAMETERS: usize = 32_000;

/// Inserts `rows` rows of `columns` columns with as few multi-row statements as the
/// parameter limit allows; `push` binds row `i`.
async fn insert_rows(
    conn: &mut SqliteConnection,
    (head, tail): (&str, &str),
    rows: usize,
    columns: usize,
    mut push: impl FnMut(&mut Separated<'_, Sqlite, &'static str>, usize),
) -> Result<(), sqlx::Error> {
    let per_statement = MAX_PARAMETERS / columns;
    for start in (0..rows).step_by(per_statement) {
        let mut insert = QueryBuilder::<Sqlite>::new(head);
        insert.push_values(start..rows.min(start + per_statement), |mut b, i| {
            push(&mut b, i)
        });
        insert.push(tail);
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Moves the head from where the batch was planned to where it leaves it; no row when
/// another writer moved it first.
const MOVE_HEAD: &str = "UPDATE log_head SET next_disclosure_id = $1, next_entry_id = $2, \
     tree_size = $3, tree_root = $4 \
     WHERE id = 1 AND next_disclosure_id = $5 AND next_entry_id = $6 AND tree_size = $7 \
     RETURNING id";

impl Dialect for Sqlite {
    const SEPARATE_WRITER: bool = true;

    async fn find_existing(
        pool: &SqlitePool,
        keys: Vec<(String, String)>,
    ) -> Result<Vec<ExistingRow>, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        find_existing(&mut conn, keys).await
    }

    async fn insert_new(pool: &SqlitePool, rows: BatchColumns) -> Result<Inserted, sqlx::Error> {
        // Take the write lock up front: a deferred transaction that reads first and then
        // writes fails at once with SQLITE_BUSY when another connection holds the lock,
        // instead of waiting for the busy timeout.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let keys = rows
            .disclosures
            .controller
            .iter()
            .cloned()
            .zip(rows.disclosures.transfer_id.iter().cloned())
            .collect();
        if !find_existing(&mut tx, keys).await?.is_empty() {
            return Ok(Inserted::TransferTaken);
        }
        let head = &rows.head;
        let moved: Option<(i64,)> = sqlx::query_as(MOVE_HEAD)
            .bind(head.next.next_disclosure_id)
            .bind(head.next.next_entry_id)
            .bind(head.next.tree_size)
            .bind(head.next.tree_root.clone())
            .bind(head.expected.next_disclosure_id)
            .bind(head.expected.next_entry_id)
            .bind(head.expected.tree_size)
            .fetch_optional(&mut *tx)
            .await?;
        if moved.is_none() {
            return Ok(Inserted::HeadMoved);
        }
        insert_rows_of(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(Inserted::Yes)
    }

    /// One table holds every entry.
    async fn ensure_entry_room(_: &SqlitePool, _: i64, _: i64) -> Result<i64, sqlx::Error> {
        Ok(i64::MAX)
    }

    /// One table holds every entry: a purge empties rows.
    async fn drop_expired_entries(
        _: &SqlStore<Sqlite>,
        _: &PurgeRequest,
    ) -> Result<PurgeReport, StorageError> {
        Ok(PurgeReport::default())
    }
}

async fn find_existing(
    conn: &mut SqliteConnection,
    keys: Vec<(String, String)>,
) -> Result<Vec<ExistingRow>, sqlx::Error> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT controller, transfer_id, id, first_entry_id, subject_count, recorded_at, \
         request_key_id, request_digest FROM disclosures WHERE (controller, transfer_id) IN (",
    );
    let mut list = query.separated(", ");
    for (controller, transfer_id) in keys {
        list.push("(")
            .push_bind_unseparated(controller)
            .push_unseparated(", ")
            .push_bind_unseparated(transfer_id)
            .push_unseparated(")");
    }
    query.push(")");
    query.build_query_as().fetch_all(conn).await
}

/// Inserts a batch's rows, ids final, within the open transaction `conn`.
async fn insert_rows_of(
    conn: &mut SqliteConnection,
    rows: BatchColumns,
) -> Result<(), sqlx::Error> {
    let BatchColumns {
        disclosures: d,
        entries: e,
        rollup: r,
        nodes: n,
        head: _,
    } = rows;
    insert_rows(
        conn,
        (
            "INSERT INTO disclosures (id, controller, transfer_id, occurred_at, recorded_at, \
             register, recipient_id, legal_basis, special_condition, data_categories, purpose, \
             channel, source_system, consent_ref, requester_ref, withheld_until, \
             withheld_reason, subject_count, first_entry_id, request_key_id, request_digest, \
             provisions, classification) ",
            "",
        ),
        d.id.len(),
        23,
        |b, i| {
            b.push_bind(d.id[i])
                .push_bind(d.controller[i].clone())
                .push_bind(d.transfer_id[i].clone())
                .push_bind(d.occurred_at[i])
                .push_bind(d.recorded_at[i])
                .push_bind(d.register[i].clone())
                .push_bind(d.recipient_id[i])
                .push_bind(d.legal_basis[i])
                .push_bind(d.special_condition[i])
                .push_bind(d.data_categories[i])
                .push_bind(d.purpose[i].clone())
                .push_bind(d.channel[i])
                .push_bind(d.source_system[i].clone())
                .push_bind(d.consent_ref[i].clone())
                .push_bind(d.requester_ref[i].clone())
                .push_bind(d.withheld_until[i])
                .push_bind(d.withheld_reason[i].clone())
                .push_bind(d.subject_count[i])
                .push_bind(d.first_entry_id[i])
                .push_bind(d.request_key_id[i])
                .push_bind(d.request_digest[i].clone())
                .push_bind(d.provisions[i].clone())
                .push_bind(d.classification[i]);
        },
    )
    .await?;
    insert_rows(
        conn,
        (
            "INSERT INTO subject_entries (entry_id, disclosure_id, subject_hash, sealed_subject, \
             leaf_hash) ",
            "",
        ),
        e.entry_id.len(),
        5,
        |b, i| {
            b.push_bind(e.entry_id[i])
                .push_bind(e.disclosure_id[i])
                .push_bind(e.subject_hash[i].clone())
                .push_bind(e.sealed_subject[i].clone())
                .push_bind(e.leaf_hash[i].clone());
        },
    )
    .await?;
    insert_rows(
        conn,
        ("INSERT INTO merkle_nodes (level, idx, hash) ", ""),
        n.level.len(),
        3,
        |b, i| {
            b.push_bind(n.level[i])
                .push_bind(n.idx[i])
                .push_bind(n.hash[i].clone());
        },
    )
    .await?;
    insert_rows(
        conn,
        (
            "INSERT INTO disclosure_rollup (controller, register, day, recipient_id, \
             classification, legal_basis, channel, data_categories, provisions, disclosures, \
             entries, first_at, last_at) ",
            ROLLUP_CONFLICT,
        ),
        r.controller.len(),
        13,
        |b, i| {
            b.push_bind(r.controller[i].clone())
                .push_bind(r.register[i].clone())
                .push_bind(r.day[i])
                .push_bind(r.recipient_id[i])
                .push_bind(r.classification[i])
                .push_bind(r.legal_basis[i])
                .push_bind(r.channel[i])
                .push_bind(r.data_categories[i])
                .push_bind(r.provisions[i].clone())
                .push_bind(r.disclosures[i])
                .push_bind(r.entries[i])
                .push_bind(r.first_at[i])
                .push_bind(r.last_at[i]);
        },
    )
    .await
}

impl SqlStore<Sqlite> {
    /// Opens (creating it and its directory if needed) the database file at `path` and
    /// applies the migrations.
    pub(super) async fn open(path: &Path, readers: u32) -> Result<Self, StorageError> {
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
