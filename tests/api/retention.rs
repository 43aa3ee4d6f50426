//! Retention at scale: a purge drops whole partitions of expired entries on PostgreSQL and
//! empties rows on SQLite, each purge looks only at what occurred or was recorded since
//! the last, and every leaf of the tree stays provable whichever way its entry went.

use luovutusloki::domain::{PurgeReport, PurgeRequest, Timestamp};
use luovutusloki::grpc::proto::{
    GetEntryLeafRequest, GetInclusionProofRequest, ListSubjectDisclosuresRequest,
};
use luovutusloki::storage::OpenOptions;
use luovutusloki::storage::prelude::*;
use luovutusloki::verify::{Problem, verify};

use crate::fixtures::{access_case, at, hetu, hetus, income_register_submission, koko};
use crate::harness::{Database, Kind, Options, TestApp, on_both_backends, signing_key};
use crate::rfc9162;

on_both_backends!(
    a_purge_empties_every_expired_entry_and_every_leaf_stays_provable,
    a_disclosure_recorded_late_is_purged_by_the_next_purge,
    an_entry_keeps_a_fingerprint_of_its_leaf_hash_until_a_purge_stores_the_whole_hash,
    a_changed_entry_is_emptied_by_the_purge_all_the_same_and_verify_names_it,
);

async fn an_entry_keeps_a_fingerprint_of_its_leaf_hash_until_a_purge_stores_the_whole_hash(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 2).await; // entries 0 and 1
    record(&mut app, "2026-10", 1_791_190_800, 2, 1).await; // entry 2
    let db = app.stop().await;
    assert_eq!(stored_leaf_lengths(&db, 3).await, [8, 8, 8]);

    assert_eq!(purge_before(&db, APRIL_2020).await.entries, 2);
    assert_eq!(
        stored_leaf_lengths(&db, 3).await,
        [32, 32, 8],
        "an emptied row can no longer give its leaf hash, so it keeps all of it"
    );
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.purged), (3, 2));
    let mut app = TestApp::start(db, Options::default()).await;
    every_leaf_is_provable(&mut app, 3).await;
}

async fn a_changed_entry_is_emptied_by_the_purge_all_the_same_and_verify_names_it(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 2).await; // entries 0 and 1
    record(&mut app, "2026-10", 1_791_190_800, 2, 1).await; // entry 2
    let db = app.stop().await;
    db.execute("UPDATE subject_entries SET sealed_subject = subject_hash WHERE entry_id = 1")
        .await
        .unwrap();

    assert_eq!(purge_before(&db, APRIL_2020).await.entries, 2);
    assert_eq!(
        holding_content(&db).await,
        1,
        "only the entry of 2026 keeps its personal content"
    );
    let problems = verify_db(&db).await.problems;
    assert!(names(&problems, 1), "{problems:?}");
    assert!(!names(&problems, 0), "{problems:?}");
}

#[tokio::test]
async fn a_partition_holding_a_changed_entry_is_kept_and_its_expired_rows_are_emptied() {
    let mut app = TestApp::spawn_with(Kind::Postgres, small_partitions()).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 4).await; // entries 0..4
    record(&mut app, "2026-10", 1_791_190_800, 4, 1).await;
    let db = app.stop().await;
    db.execute("UPDATE subject_entries SET sealed_subject = subject_hash WHERE entry_id = 1")
        .await
        .unwrap();

    assert_eq!(purge_before(&db, APRIL_2020).await.entries, 4);
    assert_eq!(
        partitions(&db).await.0,
        0,
        "the partition is kept: entry 1 cannot give its leaf hash"
    );
    assert_eq!(holding_content(&db).await, 1);
    let problems = verify_db(&db).await.problems;
    assert!(names(&problems, 1), "{problems:?}");
}

/// How many entries still hold personal content.
async fn holding_content(db: &Database) -> i64 {
    db.scalar(
        "SELECT COUNT(*) FROM subject_entries \
         WHERE subject_hash IS NOT NULL OR sealed_subject IS NOT NULL",
    )
    .await
}

/// Whether one of `problems` is about entry `entry`.
fn names(problems: &[Problem], entry: i64) -> bool {
    problems.iter().any(|p| p.entry() == Some(entry))
}

/// The length of what each of the first `count` entries keeps of its leaf hash.
async fn stored_leaf_lengths(db: &Database, count: i64) -> Vec<i64> {
    let mut lengths = Vec::new();
    for entry in 0..count {
        lengths.push(
            db.scalar(&format!(
                "SELECT CAST(length(leaf_hash) AS BIGINT) FROM subject_entries WHERE entry_id = {entry}"
            ))
            .await,
        );
    }
    lengths
}

#[tokio::test]
async fn the_leaf_hashes_of_a_dropped_partition_are_checked_like_any_others() {
    let mut app = TestApp::spawn_with(Kind::Postgres, small_partitions()).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 4).await; // entries 0..4
    record(&mut app, "2026-10", 1_791_190_800, 4, 1).await;
    let db = app.stop().await;
    assert_eq!(purge_before(&db, APRIL_2020).await.entries, 4);
    assert_eq!(
        partitions(&db).await.0,
        4,
        "entries 0..4 went with their partition"
    );

    db.execute(
        "UPDATE purged_leaves SET hashes = overlay(hashes placing '\\x00'::bytea from 40 for 1)",
    )
    .await
    .unwrap();
    let changed = verify_db(&db).await;
    assert!(
        changed
            .problems
            .iter()
            .any(|p| matches!(p, Problem::HeadRoot { .. })),
        "a changed purged leaf hash no longer gives the root: {:?}",
        changed.problems
    );

    db.execute("DELETE FROM purged_leaves").await.unwrap();
    let deleted = verify_db(&db).await;
    assert!(
        deleted
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Missing { entry: 0 })),
        "deleted purged leaf hashes are missing entries: {:?}",
        deleted.problems
    );
}

#[tokio::test]
async fn a_partition_busy_with_a_long_query_is_emptied_now_and_dropped_by_the_next_purge() {
    use sqlx::Connection;
    let mut app = TestApp::spawn_with(Kind::Postgres, small_partitions()).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 4).await; // entries 0..4
    record(&mut app, "2026-10", 1_791_190_800, 4, 1).await;
    let db = app.stop().await;

    // A report that has read the entries and not finished holds a lock that dropping a
    // partition must wait for.
    let mut report = sqlx::PgConnection::connect(&db.url()).await.unwrap();
    let mut reading = report.begin().await.unwrap();
    sqlx::query("SELECT COUNT(*) FROM subject_entries")
        .execute(&mut *reading)
        .await
        .unwrap();
    let purged = purge_before(&db, APRIL_2020).await;
    assert_eq!(
        purged.entries, 4,
        "emptied row by row while the partition is busy"
    );
    assert_eq!(partitions(&db).await.0, 0, "the partition is still there");
    reading.rollback().await.unwrap();

    assert_eq!(purge_before(&db, APRIL_2020).await.entries, 0);
    assert_eq!(partitions(&db).await.0, 4, "and dropped by the next purge");
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.purged), (5, 4));
}

async fn verify_db(db: &Database) -> luovutusloki::verify::Report {
    let store = db.open_store(OpenOptions::default()).await;
    let report = verify(&store, &signing_key().verifier()).await.unwrap();
    store.close().await;
    report
}

/// 2020-01-15, 2020-02-15 and 2020-03-15 at noon UTC; 2020-04-01 is the cutoff.
const JANUARY_2020: i64 = 1_579_089_600;
const FEBRUARY_2020: i64 = 1_581_768_000;
const MARCH_2020: i64 = 1_584_273_600;
const APRIL_2020: i64 = 1_585_699_200;

/// Four entries a partition, so that a few disclosures fill several.
fn small_partitions() -> Options {
    Options {
        entries_per_partition: Some(4),
        ..Options::default()
    }
}

/// Records a disclosure of `count` subjects from `first` that occurred at `seconds`.
async fn record(app: &mut TestApp, transfer: &str, seconds: i64, first: u32, count: u32) {
    let mut request = income_register_submission(transfer, hetus(first, count));
    request.occurred_at = at(seconds);
    app.client.record_disclosure(request).await.unwrap();
}

/// Purges, as the data protection officer, the entries of disclosures before `seconds`.
async fn purge_before(db: &Database, seconds: i64) -> PurgeReport {
    let store = db.open_store(OpenOptions::default()).await;
    let report = store
        .purge(&PurgeRequest {
            occurred_before: Timestamp::from_micros(seconds * 1_000_000).unwrap(),
            controller: None,
            requested_by: "tietosuojavastaava".into(),
            at: Timestamp::now(),
        })
        .await
        .unwrap();
    store.close().await;
    report
}

/// The first entry of the first partition PostgreSQL holds entries in, and how many there
/// are.
async fn partitions(db: &Database) -> (i64, i64) {
    let held = "FROM entry_partitions p JOIN pg_inherits i ON i.inhrelid = to_regclass(p.name) \
                WHERE i.inhparent = 'subject_entries'::regclass";
    (
        db.scalar(&format!("SELECT MIN(p.first_entry_id) {held}"))
            .await,
        db.scalar(&format!("SELECT COUNT(*) {held}")).await,
    )
}

/// Checks every entry's inclusion proof in the tree of `size` against the root of all
/// leaves, taking a purged entry's leaf hash as served and hashing a kept one's data. The
/// proofs come from the stored tree, so a wrong leaf hash anywhere fails some proof.
async fn every_leaf_is_provable(app: &mut TestApp, size: u64) {
    let mut leaves = Vec::new();
    for entry_id in 0..size {
        let leaf = app
            .client
            .get_entry_leaf(GetEntryLeafRequest {
                controller_id: koko(),
                entry_id,
            })
            .await
            .unwrap()
            .into_inner();
        let hash: rfc9162::Hash = if leaf.purged {
            assert!(leaf.leaf_data.is_empty(), "entry {entry_id} keeps no data");
            leaf.leaf_hash.try_into().unwrap()
        } else {
            rfc9162::leaf_hash(&leaf.leaf_data)
        };
        leaves.push(hash);
    }
    let root = rfc9162::root(&leaves);
    for entry_id in 0..size {
        let proof = app
            .client
            .get_inclusion_proof(GetInclusionProofRequest {
                controller_id: koko(),
                entry_id,
                tree_size: size,
            })
            .await
            .unwrap()
            .into_inner();
        let hashes: Vec<rfc9162::Hash> = proof
            .hashes
            .into_iter()
            .map(|h| h.try_into().unwrap())
            .collect();
        assert!(
            rfc9162::verify_inclusion(entry_id, size, &leaves[entry_id as usize], &hashes, &root),
            "entry {entry_id} is proven in the tree of {size}"
        );
    }
}

/// The transfers a lookup of `subject` finds.
async fn transfers_of(app: &mut TestApp, subject: String) -> Vec<String> {
    app.client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            controller_id: koko(),
            subject,
            context: access_case(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .disclosures
        .iter()
        .map(|d| d.disclosure.as_ref().unwrap().transfer_id.clone())
        .collect()
}

async fn a_purge_empties_every_expired_entry_and_every_leaf_stays_provable(kind: Kind) {
    let mut app = TestApp::spawn_with(kind, small_partitions()).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 3).await; // entries 0, 1, 2
    record(&mut app, "2020-02", FEBRUARY_2020, 3, 2).await; // 3, 4
    record(&mut app, "2020-03", MARCH_2020, 5, 1).await; // 5
    record(&mut app, "2026-10-a", 1_791_190_800, 0, 2).await; // 6, 7
    record(&mut app, "2026-10-b", 1_791_190_800, 6, 1).await; // 8
    let db = app.stop().await;
    if kind == Kind::Postgres {
        let (first, count) = partitions(&db).await;
        assert!(
            first == 0 && count >= 3,
            "entries 0..9 in partitions of four: {count}"
        );
    }

    let purged = purge_before(&db, APRIL_2020).await;

    assert_eq!(
        purged.entries, 6,
        "every entry of the three 2020 disclosures"
    );
    assert_eq!(purged.range, Some((0, 5)));
    if kind == Kind::Postgres {
        let (first, _) = partitions(&db).await;
        assert_eq!(
            first, 4,
            "entries 0..4, all of 2020, went with their partition; 4..8 holds 2026 too"
        );
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM purged_leaves").await,
            2,
            "one run of leaf hashes for each disclosure that was in the dropped partition"
        );
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM purges WHERE first_entry_id = 0 AND last_entry_id = 3")
                .await,
            1,
            "the dropped partition has a purge record of its own, made with the drop"
        );
    }
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.purged), (9, 6));
    assert_eq!(
        purge_before(&db, APRIL_2020).await.entries,
        0,
        "purging again empties nothing"
    );

    let mut app = TestApp::start(db, small_partitions()).await;
    every_leaf_is_provable(&mut app, 9).await;
    assert_eq!(transfers_of(&mut app, hetu(0)).await, ["2026-10-a"]);
    assert!(
        transfers_of(&mut app, hetu(5)).await.is_empty(),
        "2020-03 is gone"
    );
    let db = app.stop().await;

    let purged = purge_before(&db, 1_800_000_000).await;
    assert_eq!(purged.entries, 3, "the 2026 entries, at a later cutoff");
    if kind == Kind::Postgres {
        assert_eq!(partitions(&db).await.0, 8, "entries 4..8 went too");
    }
    let mut app = TestApp::start(db, small_partitions()).await;
    every_leaf_is_provable(&mut app, 9).await;
    app.stop().await;
}

async fn a_disclosure_recorded_late_is_purged_by_the_next_purge(kind: Kind) {
    let mut app = TestApp::spawn_with(kind, small_partitions()).await;
    record(&mut app, "2020-01", JANUARY_2020, 0, 2).await;
    record(&mut app, "2026-10", 1_791_190_800, 2, 1).await;
    let db = app.stop().await;
    assert_eq!(purge_before(&db, APRIL_2020).await.entries, 2);

    // Recorded after the purge, though it occurred before its cutoff: a purge that looked
    // only at what occurred since the last cutoff would miss it.
    let mut app = TestApp::start(db, small_partitions()).await;
    record(&mut app, "2020-03-late", MARCH_2020, 3, 2).await; // entries 3, 4
    let db = app.stop().await;

    let purged = purge_before(&db, APRIL_2020).await;
    assert_eq!(purged.entries, 2);
    assert_eq!(purged.range, Some((3, 4)));
    let mut app = TestApp::start(db, small_partitions()).await;
    assert!(transfers_of(&mut app, hetu(3)).await.is_empty());
    every_leaf_is_provable(&mut app, 5).await;
    app.stop().await;
}
