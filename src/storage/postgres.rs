//! PostgreSQL, for production. A batch goes in with one statement whatever its size, in one
//! round trip: each column is bound as an array and unpacked with `UNNEST`. The statement
//! text never changes with the batch size, so it is prepared once per connection.

use std::time::Duration;

use sqlx::Postgres;

use crate::domain::{PurgeReport, PurgeRequest};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::StorageError;
use super::columns::BatchColumns;
use super::partitions;
use super::rows::ExistingRow;
use super::store::{Dialect, Inserted, SqlStore};

// OFFSET 0 keeps the subquery from being flattened into a join, so each key is one probe
// of the unique index whatever plan the prepared statement gets: a generic plan cannot see
// how few keys the arrays hold and may hash-join them against a scan of every disclosure.
const FIND_EXISTING: &str = "SELECT d.controller, d.transfer_id, d.id, d.first_entry_id, \
     d.subject_count, d.recorded_at, d.request_key_id, d.request_digest \
     FROM UNNEST($1::text[], $2::text[]) AS k (controller, transfer_id) \
     CROSS JOIN LATERAL (SELECT * FROM disclosures d \
         WHERE d.controller = k.controller AND d.transfer_id = k.transfer_id OFFSET 0) d";

// One statement, so one round trip, committed on its own. A transfer id used before makes
// the unique index refuse the row and so the whole statement, which writes nothing then:
// a probe written as a query would leave a generic plan free to pick another index
// starting with `controller`, and to walk every disclosure of the controller per key.
// The head moves only from the row the batch was planned on (ids, leaf indexes and tree
// nodes all follow from it); when another writer moved it, `head` is empty, so is every
// insert that reads it, and the statement returns 0. The row lock on `log_head` orders
// writers, also of several instances: ids are dense and in commit order.
const INSERT_NEW: &str = "WITH \
     head AS (UPDATE log_head SET next_disclosure_id = $27, next_entry_id = $28, \
         tree_size = $43, tree_root = $44 \
       WHERE id = 1 AND next_disclosure_id = $45 AND next_entry_id = $46 AND tree_size = $47 \
       RETURNING 1 AS moved), \
     new_disclosures AS (INSERT INTO disclosures (id, controller, transfer_id, occurred_at, \
         recorded_at, register, recipient_id, legal_basis, special_condition, data_categories, \
         purpose, channel, source_system, consent_ref, requester_ref, withheld_until, \
         withheld_reason, subject_count, first_entry_id, request_key_id, request_digest, \
         provisions, classification) \
       SELECT u.id, u.controller, u.transfer_id, u.occurred_at, \
         u.recorded_at, u.register, u.recipient_id, u.legal_basis, u.special_condition, \
         u.data_categories, u.purpose, u.channel, u.source_system, u.consent_ref, \
         u.requester_ref, u.withheld_until, u.withheld_reason, u.subject_count, \
         u.first_entry_id, u.request_key_id, u.request_digest, u.provisions, \
         u.classification \
       FROM head h CROSS JOIN UNNEST($1::int8[], $2::text[], $3::text[], $4::int8[], \
         $5::int8[], $6::text[], $7::int8[], $8::int2[], $9::int2[], $10::int8[], $11::text[], \
         $12::int2[], $13::text[], $14::text[], $15::text[], $16::int8[], $17::text[], \
         $18::int4[], $19::int8[], $20::int2[], $21::bytea[], $22::text[], $29::int2[]) AS u (id, \
         controller, transfer_id, occurred_at, recorded_at, register, recipient_id, \
         legal_basis, special_condition, data_categories, purpose, channel, source_system, \
         consent_ref, requester_ref, withheld_until, withheld_reason, subject_count, \
         first_entry_id, request_key_id, request_digest, provisions, classification)), \
     new_entries AS (INSERT INTO subject_entries (entry_id, disclosure_id, subject_hash, \
         sealed_subject, leaf_hash) \
       SELECT u.entry_id, u.disclosure_id, u.subject_hash, u.sealed_subject, u.leaf_hash \
       FROM head h CROSS JOIN UNNEST($23::int8[], $24::int8[], $25::bytea[], $26::bytea[], \
         $48::bytea[]) AS u (entry_id, disclosure_id, subject_hash, sealed_subject, leaf_hash)), \
     new_nodes AS (INSERT INTO merkle_nodes (level, idx, hash) \
       SELECT u.level, u.idx, u.hash \
       FROM head h CROSS JOIN UNNEST($49::int2[], $50::int8[], $51::bytea[]) \
         AS u (level, idx, hash)), \
     new_rollup AS (INSERT INTO disclosure_rollup (controller, register, day, recipient_id, \
         classification, legal_basis, channel, data_categories, provisions, disclosures, \
         entries, first_at, last_at) \
       SELECT u.controller, u.register, u.day, u.recipient_id, u.classification, \
         u.legal_basis, u.channel, u.data_categories, u.provisions, u.disclosures, u.entries, \
         u.first_at, u.last_at \
       FROM head h CROSS JOIN UNNEST($30::text[], $31::text[], $32::int4[], $33::int8[], \
         $34::int2[], $35::int2[], $36::int2[], $37::int8[], $38::text[], $39::int8[], \
         $40::int8[], $41::int8[], $42::int8[]) AS u (controller, register, day, recipient_id, \
         classification, legal_basis, channel, data_categories, provisions, disclosures, \
         entries, first_at, last_at) \
       ON CONFLICT (controller, day, register, recipient_id, classification, legal_basis, \
         channel, data_categories, provisions) DO UPDATE SET \
         disclosures = disclosure_rollup.disclosures + excluded.disclosures, \
         entries = disclosure_rollup.entries + excluded.entries, \
         first_at = LEAST(disclosure_rollup.first_at, excluded.first_at), \
         last_at = GREATEST(disclosure_rollup.last_at, excluded.last_at)) \
     SELECT COUNT(*) FROM head";

/// The unique index on (controller, transfer id), named by PostgreSQL's default.
const TRANSFER_KEY: &str = "disclosures_controller_transfer_id_key";

impl Dialect for Postgres {
    const SEPARATE_WRITER: bool = false;

    async fn find_existing(
        pool: &PgPool,
        keys: Vec<(String, String)>,
    ) -> Result<Vec<ExistingRow>, sqlx::Error> {
        let (controllers, transfers): (Vec<String>, Vec<String>) = keys.into_iter().unzip();
        sqlx::query_as(FIND_EXISTING)
            .bind(controllers)
            .bind(transfers)
            .fetch_all(pool)
            .await
    }

    async fn insert_new(pool: &PgPool, rows: BatchColumns) -> Result<Inserted, sqlx::Error> {
        let BatchColumns {
            disclosures: d,
            entries: e,
            rollup: r,
            nodes: n,
            head,
        } = rows;
        let moved: Result<(i64,), _> = sqlx::query_as(INSERT_NEW)
            .bind(d.id)
            .bind(d.controller)
            .bind(d.transfer_id)
            .bind(d.occurred_at)
            .bind(d.recorded_at)
            .bind(d.register)
            .bind(d.recipient_id)
            .bind(d.legal_basis)
            .bind(d.special_condition)
            .bind(d.data_categories)
            .bind(d.purpose)
            .bind(d.channel)
            .bind(d.source_system)
            .bind(d.consent_ref)
            .bind(d.requester_ref)
            .bind(d.withheld_until)
            .bind(d.withheld_reason)
            .bind(d.subject_count)
            .bind(d.first_entry_id)
            .bind(d.request_key_id)
            .bind(d.request_digest)
            .bind(d.provisions)
            .bind(e.entry_id)
            .bind(e.disclosure_id)
            .bind(e.subject_hash)
            .bind(e.sealed_subject)
            .bind(head.next.next_disclosure_id)
            .bind(head.next.next_entry_id)
            .bind(d.classification)
            .bind(r.controller)
            .bind(r.register)
            .bind(r.day)
            .bind(r.recipient_id)
            .bind(r.classification)
            .bind(r.legal_basis)
            .bind(r.channel)
            .bind(r.data_categories)
            .bind(r.provisions)
            .bind(r.disclosures)
            .bind(r.entries)
            .bind(r.first_at)
            .bind(r.last_at)
            .bind(head.next.tree_size)
            .bind(head.next.tree_root)
            .bind(head.expected.next_disclosure_id)
            .bind(head.expected.next_entry_id)
            .bind(head.expected.tree_size)
            .bind(e.leaf_hash)
            .bind(n.level)
            .bind(n.idx)
            .bind(n.hash)
            .fetch_one(pool)
            .await;
        match moved {
            Ok((1,)) => Ok(Inserted::Yes),
            Ok(_) => Ok(Inserted::HeadMoved),
            Err(sqlx::Error::Database(error))
                if error.is_unique_violation() && error.constraint() == Some(TRANSFER_KEY) =>
            {
                Ok(Inserted::TransferTaken)
            }
            Err(error) => Err(error),
        }
    }

    async fn ensure_entry_room(pool: &PgPool, end: i64, size: i64) -> Result<i64, sqlx::Error> {
        partitions::ensure_room(pool, end, size).await
    }

    async fn drop_expired_entries(
        store: &SqlStore<Postgres>,
        request: &PurgeRequest,
    ) -> Result<PurgeReport, StorageError> {
        partitions::drop_expired(store, request).await
    }
}

impl SqlStore<Postgres> {
    /// Connects to `url` and applies the migrations.
    pub(super) async fn connect(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, StorageError> {
        // PostgreSQL's notices (`relation "_sqlx_migrations" already exists, skipping` on
        // every start) are not for the log's users; warnings and errors still come.
        let options = url
            .parse::<PgConnectOptions>()?
            .options([("client_min_messages", "warning")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(acquire_timeout)
            // A ping before every query would double its round trips; a broken connection
            // fails its query instead, and is then closed by the pool.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self::from_pools(pool.clone(), pool))
    }
}
