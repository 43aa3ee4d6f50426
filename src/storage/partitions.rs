//! PostgreSQL's subject entries in partitions by entry id (migration 0013): the writer
//! creates them ahead of need, and a purge drops the partitions whose disclosures all
//! occurred before its date, keeping their leaf hashes in `purged_leaves`. Dropping a
//! partition of four million entries takes seconds where emptying its rows one by one
//! would rewrite them all, with their index entries and write-ahead log.
//!
//! SQLite keeps one table and empties rows (`Retention::purge` does both).

use std::ops::Range;

use sqlx::postgres::PgPool;
use sqlx::{AssertSqlSafe, Postgres, Row};

use super::StorageError;
use super::store::SqlStore;
use crate::domain::{LeafRecord, PurgeReport, PurgeRequest};

/// Entries a partition holds unless `database.entries_per_partition` says otherwise: about
/// a month of a national benefit organisation's entries (100 million in two years).
pub const DEFAULT_ENTRIES_PER_PARTITION: u64 = 1 << 22;

/// A partition is made when the one before is this far from full, so that a batch rarely
/// waits for one.
fn headroom(size: i64) -> i64 {
    (size / 2).max(1)
}

/// Makes sure partitions exist for entries up to `end` and some way past it, making new
/// ones of `size` entries; returns the end of the last partition.
///
/// Several writers may race: the row in `entry_partitions` and the table are made in one
/// transaction, and a writer that finds the row taken reads the list again.
pub(super) async fn ensure_room(pool: &PgPool, end: i64, size: i64) -> Result<i64, sqlx::Error> {
    let size = size.max(1);
    loop {
        let reached: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(end_entry_id), 0) FROM entry_partitions")
                .fetch_one(pool)
                .await?;
        if reached >= end + headroom(size) {
            return Ok(reached);
        }
        let name = format!("subject_entries_from_{reached:012}");
        let mut tx = pool.begin().await?;
        // A partition is made under a lock on the whole table; better to wait for the next
        // batch than to hold every reader up behind a long query.
        sqlx::query("SET LOCAL lock_timeout = '2s'")
            .execute(&mut *tx)
            .await?;
        let claimed = sqlx::query(
            "INSERT INTO entry_partitions (first_entry_id, end_entry_id, name) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(reached)
        .bind(reached + size)
        .bind(&name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 1 {
            // The name and bounds are numbers formatted here, never caller input. The
            // partition's indexes are made here rather than from the parent's, to fill the
            // primary key's pages (fillfactor 100, not 90): entries come in id order and are
            // never updated but emptied once, so the space kept for updates would stay
            // empty. That saves 2 bytes an entry. (The hash index keeps its default: filled
            // to 100 it measured larger, 38 B an entry against 36.5 B, at four million.)
            // Attaching takes them as the partitions of the parent's indexes, and locks
            // the parent less than `PARTITION OF` does.
            for statement in [
                format!("CREATE TABLE {name} (LIKE subject_entries INCLUDING DEFAULTS)"),
                format!("ALTER TABLE {name} ADD PRIMARY KEY (entry_id) WITH (fillfactor = 100)"),
                format!("CREATE INDEX {name}_subject_hash_idx ON {name} USING hash (subject_hash)"),
                format!(
                    "ALTER TABLE subject_entries ATTACH PARTITION {name} \
                     FOR VALUES FROM ({reached}) TO ({})",
                    reached + size
                ),
            ] {
                sqlx::query(AssertSqlSafe(statement))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            tracing::info!(
                from = reached,
                to = reached + size,
                "made an entry partition"
            );
        } else {
            tx.rollback().await?;
        }
    }
}

/// One partition as `entry_partitions` lists it.
struct Partition {
    first: i64,
    end: i64,
    name: String,
    max_occurred_at: Option<i64>,
}

/// Drops, oldest first, the partitions that are wholly in the tree and whose disclosures
/// all occurred before `before`, keeping their leaf hashes; stops at the first that is not.
/// Returns what they held that was not empty yet.
pub(super) async fn drop_expired(
    store: &SqlStore<Postgres>,
    request: &PurgeRequest,
) -> Result<PurgeReport, StorageError> {
    let pool = &store.writer;
    let before = request.occurred_before.micros();
    let partitions: Vec<Partition> = sqlx::query(
        "SELECT first_entry_id, end_entry_id, name, max_occurred_at FROM entry_partitions \
         ORDER BY first_entry_id",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| Partition {
        first: row.get(0),
        end: row.get(1),
        name: row.get(2),
        max_occurred_at: row.get(3),
    })
    .collect();
    let tree_size: i64 = sqlx::query_scalar("SELECT tree_size FROM log_head WHERE id = 1")
        .fetch_one(pool)
        .await?;
    let mut emptied = PurgeReport::default();
    for partition in partitions {
        if partition.end > tree_size {
            break;
        }
        let latest = match partition.max_occurred_at {
            Some(at) => at,
            None => latest_occurrence(pool, &partition).await?,
        };
        if latest >= before {
            break;
        }
        match drop_partition(store, &partition, request).await {
            Ok(dropped) => emptied = emptied.and(dropped),
            // Another query held the table past the lock timeout: the partition stays for
            // the next purge, and the rows step empties its expired entries meanwhile.
            Err(StorageError::Unexpected(error)) if is_lock_timeout(error.as_ref()) => {
                tracing::warn!(
                    from = partition.first,
                    to = partition.end,
                    "an expired entry partition was busy; it is dropped at the next purge"
                );
                break;
            }
            // A damaged entry (`verify` names it) cannot give its leaf hash: the partition
            // stays, and the rows step empties its expired entries all the same, so that
            // no personal content outlives its retention for it.
            Err(StorageError::Corrupt(why)) => {
                tracing::error!(
                    from = partition.first,
                    to = partition.end,
                    "an expired entry partition is kept: {why}"
                );
                break;
            }
            Err(error) => return Err(error),
        }
    }
    Ok(emptied)
}

/// When the latest disclosure of a full partition occurred; cached in `entry_partitions`,
/// as a full partition never changes. Its entries' disclosures have consecutive ids, from
/// its first entry's to its last's.
async fn latest_occurrence(pool: &PgPool, partition: &Partition) -> Result<i64, StorageError> {
    let latest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(d.occurred_at) FROM disclosures d \
         WHERE d.id >= (SELECT disclosure_id FROM subject_entries WHERE entry_id = $1) \
         AND d.id <= (SELECT disclosure_id FROM subject_entries WHERE entry_id = $2)",
    )
    .bind(partition.first)
    .bind(partition.end - 1)
    .fetch_one(pool)
    .await?;
    let latest = latest.ok_or_else(|| {
        StorageError::Corrupt(format!(
            "entries {}..{}: the first or last entry, or their disclosures, are missing; run \
             `luovutusloki verify`",
            partition.first, partition.end
        ))
    })?;
    sqlx::query("UPDATE entry_partitions SET max_occurred_at = $1 WHERE first_entry_id = $2")
        .bind(latest)
        .bind(partition.first)
        .execute(pool)
        .await?;
    Ok(latest)
}

/// Moves a full partition's leaf hashes to `purged_leaves` and drops it, in one
/// transaction, after checking that it holds every entry of its range, each giving its
/// leaf hash, and each disclosure's entries consecutively (what lets a run of them be one
/// row).
async fn drop_partition(
    store: &SqlStore<Postgres>,
    partition: &Partition,
    request: &PurgeRequest,
) -> Result<PurgeReport, StorageError> {
    let Partition {
        first, end, name, ..
    } = partition;
    let mut tx = store.writer.begin().await?;
    // Dropping takes a lock on the whole table, which waits for every query on it and
    // holds up those that come after: better to leave the partition for the next purge.
    sqlx::query("SET LOCAL lock_timeout = '5s'")
        .execute(&mut *tx)
        .await?;
    // The name comes from `entry_partitions`, which only `ensure_room` and the migration
    // write; quoted all the same.
    let table = format!("\"{}\"", name.replace('"', "\"\""));
    let check = sqlx::query(AssertSqlSafe(format!(
        "SELECT COUNT(*), \
           COUNT(*) FILTER (WHERE subject_hash IS NOT NULL OR sealed_subject IS NOT NULL), \
           MIN(entry_id) FILTER (WHERE subject_hash IS NOT NULL OR sealed_subject IS NOT NULL), \
           MAX(entry_id) FILTER (WHERE subject_hash IS NOT NULL OR sealed_subject IS NOT NULL) \
         FROM {table}"
    )))
    .fetch_one(&mut *tx)
    .await?;
    let (count, with_content): (i64, i64) = (check.get(0), check.get(1));
    if count != end - first {
        return Err(StorageError::Corrupt(format!(
            "entries {first}..{end}: {count} are there; the partition is kept; run \
             `luovutusloki verify`"
        )));
    }
    let scattered: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT disclosure_id FROM {table} GROUP BY disclosure_id \
         HAVING MAX(entry_id) - MIN(entry_id) + 1 <> COUNT(*)) s"
    )))
    .fetch_one(&mut *tx)
    .await?;
    if scattered > 0 {
        return Err(StorageError::Corrupt(format!(
            "entries {first}..{end}: {scattered} disclosures' entries are not consecutive; the \
             partition is kept; run `luovutusloki verify`"
        )));
    }
    // Rows with their content keep only a fingerprint of their leaf hash: the hashes are
    // computed again from the rows, a chunk at a time, read outside the transaction (an
    // entry's content only ever changes to empty, which keeps its whole leaf hash).
    for start in (*first..*end).step_by(LEAF_CHUNK) {
        let range = start..(start + LEAF_CHUNK as i64).min(*end);
        let runs = leaf_runs(store.read_leaves(range.clone(), false).await?, &range)?;
        sqlx::query(
            "INSERT INTO purged_leaves (first_entry_id, disclosure_id, hashes) \
             SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::bytea[])",
        )
        .bind(&runs.first)
        .bind(&runs.disclosure)
        .bind(&runs.hashes)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(AssertSqlSafe(format!("DROP TABLE {table}")))
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM entry_partitions WHERE first_entry_id = $1")
        .bind(first)
        .execute(&mut *tx)
        .await?;
    let (lowest, highest): (Option<i64>, Option<i64>) = (check.get(2), check.get(3));
    // Recorded with the drop, so that no crash can leave entries emptied without a record.
    // Without a head, the next purge does not take it for how far purging has reached.
    sqlx::query(
        "INSERT INTO purges (purged_at, occurred_before, entries, first_entry_id, \
         last_entry_id, requested_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(request.at.micros())
    .bind(request.occurred_before.micros())
    .bind(with_content)
    .bind(lowest)
    .bind(highest)
    .bind(&request.requested_by)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        from = first,
        to = end,
        emptied = with_content,
        "dropped an entry partition"
    );
    Ok(PurgeReport {
        entries: with_content as u64,
        range: lowest.zip(highest),
    })
}

/// Entries whose leaf hashes are computed and moved at a time.
const LEAF_CHUNK: usize = 10_000;

/// `purged_leaves` rows: runs of one disclosure's consecutive entries, column by column.
#[derive(Debug, Default, PartialEq, Eq)]
struct LeafRuns {
    first: Vec<i64>,
    disclosure: Vec<i64>,
    hashes: Vec<Vec<u8>>,
}

/// The leaf hashes of the entries of `range`, read as `leaves`, in runs of one
/// disclosure's entries; an error unless every entry is there and gives its whole leaf hash.
fn leaf_runs(leaves: Vec<LeafRecord>, range: &Range<i64>) -> Result<LeafRuns, StorageError> {
    let mut runs = LeafRuns::default();
    let mut expected = range.start;
    for leaf in leaves {
        let Some(hash) = leaf.hash().filter(|_| leaf.index == expected) else {
            return Err(StorageError::Corrupt(format!(
                "entry {expected} is missing or does not give its leaf hash; the partition is \
                 kept; run `luovutusloki verify`"
            )));
        };
        expected += 1;
        if runs.disclosure.last() != Some(&leaf.disclosure_id) {
            runs.first.push(leaf.index);
            runs.disclosure.push(leaf.disclosure_id);
            runs.hashes.push(Vec::new());
        }
        runs.hashes
            .last_mut()
            .expect("a run was started")
            .extend_from_slice(&hash);
    }
    if expected != range.end {
        return Err(StorageError::Corrupt(format!(
            "entry {expected} is missing; the partition is kept; run `luovutusloki verify`"
        )));
    }
    Ok(runs)
}

/// Whether `error` is PostgreSQL's "lock not available" (a `lock_timeout` ran out).
fn is_lock_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    error
        .downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|e| e.code())
        .is_some_and(|code| code == "55P03")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LeafContent, StoredLeaf};

    fn leaf(index: i64, disclosure_id: i64, hash: [u8; 32]) -> LeafRecord {
        LeafRecord {
            index,
            disclosure_id,
            controller: None,
            stored: Some(StoredLeaf::fingerprint_of(&hash)),
            content: LeafContent::Present { hash, data: None },
        }
    }

    #[test]
    fn a_partition_s_leaf_hashes_go_in_runs_of_one_disclosure() {
        let runs = leaf_runs(
            vec![
                leaf(4, 1, [1; 32]),
                leaf(5, 1, [2; 32]),
                leaf(6, 2, [3; 32]),
            ],
            &(4..7),
        )
        .unwrap();
        assert_eq!(runs.first, [4, 6]);
        assert_eq!(runs.disclosure, [1, 2]);
        assert_eq!(runs.hashes, [[[1; 32], [2; 32]].concat(), vec![3; 32]]);
    }

    #[test]
    fn a_partition_with_a_missing_or_changed_entry_gives_no_runs() {
        let missing = leaf_runs(vec![leaf(4, 1, [1; 32]), leaf(6, 1, [3; 32])], &(4..7));
        assert!(matches!(missing, Err(StorageError::Corrupt(why)) if why.contains("entry 5")));
        let short = leaf_runs(vec![leaf(4, 1, [1; 32])], &(4..6));
        assert!(matches!(short, Err(StorageError::Corrupt(why)) if why.contains("entry 5")));
        let mut changed = leaf(5, 1, [2; 32]);
        changed.content = LeafContent::Present {
            hash: [9; 32],
            data: None,
        };
        let changed = leaf_runs(vec![leaf(4, 1, [1; 32]), changed], &(4..6));
        assert!(matches!(changed, Err(StorageError::Corrupt(why)) if why.contains("entry 5")));
    }
}
