//! PostgreSQL, for production. A batch's rows go in with one statement whatever its size:
//! each column is bound as an array and unpacked with `UNNEST`. The statement text never
//! changes with the batch size, so it is prepared once per connection.

use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgConnection, PgPoolOptions};

use super::StorageError;
use super::batch::PendingDisclosure;
use super::columns::BatchColumns;
use super::rows::ExistingRow;
use super::store::{Dialect, SqlStore};

/// The log's storage in PostgreSQL.
pub type PostgresStore = SqlStore<Postgres>;

// LATERAL: one probe of the unique index per key, whatever plan the prepared statement gets.
// A generic plan cannot see how few keys the arrays hold and may hash-join them against a
// scan of every disclosure.
const FIND_EXISTING: &str = "SELECT d.controller, d.transfer_id, d.id, d.first_entry_id, \
     d.subject_count, d.recorded_at, d.request_key_id, d.request_digest \
     FROM UNNEST($1::text[], $2::text[]) AS k (controller, transfer_id) \
     CROSS JOIN LATERAL (SELECT * FROM disclosures d \
         WHERE d.controller = k.controller AND d.transfer_id = k.transfer_id) d";

// Foreign keys are checked at the end of the statement, when the disclosures are in.
const INSERT_BATCH: &str = "WITH \
     new_disclosures AS (INSERT INTO disclosures (id, controller, transfer_id, occurred_at, \
         recorded_at, register, recipient_id, legal_basis, special_condition, data_categories, \
         purpose, channel, source_system, consent_ref, requester_ref, withheld_until, \
         withheld_reason, subject_count, first_entry_id, request_key_id, request_digest, \
         provisions) \
       SELECT * FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::int8[], $5::int8[], \
         $6::text[], $7::int8[], $8::int2[], $9::int2[], $10::int8[], $11::text[], $12::int2[], \
         $13::text[], $14::text[], $15::text[], $16::int8[], $17::text[], $18::int4[], \
         $19::int8[], $20::int2[], $21::bytea[], $22::text[])), \
     new_provisions AS (INSERT INTO disclosure_provisions (disclosure_id, position, statute, \
         canonical, title) \
       SELECT * FROM UNNEST($23::int8[], $24::int2[], $25::text[], $26::text[], $27::text[])) \
     INSERT INTO subject_entries (entry_id, disclosure_id, subject_hash, sealed_subject) \
       SELECT * FROM UNNEST($28::int8[], $29::int8[], $30::bytea[], $31::bytea[])";

impl Dialect for Postgres {
    const BEGIN_WRITE: &'static str = "BEGIN";

    async fn find_existing(
        conn: &mut PgConnection,
        batch: &[PendingDisclosure],
    ) -> Result<Vec<ExistingRow>, sqlx::Error> {
        let (controllers, transfers): (Vec<String>, Vec<String>) = batch
            .iter()
            .map(|item| {
                (
                    item.details.controller.as_str().to_owned(),
                    item.details.transfer_id.as_str().to_owned(),
                )
            })
            .unzip();
        sqlx::query_as(FIND_EXISTING)
            .bind(controllers)
            .bind(transfers)
            .fetch_all(conn)
            .await
    }

    async fn insert_batch(conn: &mut PgConnection, rows: BatchColumns) -> Result<(), sqlx::Error> {
        let BatchColumns {
            disclosures: d,
            provisions: p,
            entries: e,
        } = rows;
        sqlx::query(INSERT_BATCH)
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
            .bind(p.disclosure_id)
            .bind(p.position)
            .bind(p.statute)
            .bind(p.canonical)
            .bind(p.title)
            .bind(e.entry_id)
            .bind(e.disclosure_id)
            .bind(e.subject_hash)
            .bind(e.sealed_subject)
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
