//! Tamper evidence: proofs checked by the independent RFC 9162 verifier in `rfc9162`,
//! signed checkpoints, `verify` catching each kind of tampering on both backends, a crash
//! in the middle of a batch, and purging old entries without breaking proofs.

use luovutusloki::domain::{PurgeRequest, Timestamp};
use luovutusloki::grpc::proto::{
    GetCheckpointRequest, GetConsistencyProofRequest, GetEntryLeafRequest,
    GetInclusionProofRequest, ListSubjectDisclosuresRequest, ReportLanguage,
    SubjectAccessReportRequest,
};
use luovutusloki::retention::RetentionSettings;
use luovutusloki::storage::OpenOptions;
use luovutusloki::storage::prelude::*;
use luovutusloki::transparency::checkpoint::{Checkpoint, SigningKey, open};
use luovutusloki::verify::{self, Problem, Progress, Report, verify, verify_with};
use sqlx::{Connection, Executor};

use crate::fixtures::{access_case, at, hetu, hetus, income_register_submission, koko};
use crate::harness::{
    Database, Kind, ORIGIN, Options, ServiceProcess, StoppedService, TestApp, on_both_backends,
    signing_key,
};
use crate::rfc9162;

on_both_backends!(
    every_inclusion_and_consistency_proof_checks_out_for_trees_of_1_to_64_entries,
    the_latest_checkpoint_is_signed_and_names_the_root_of_every_entry,
    a_log_that_nobody_touched_verifies,
    a_changed_disclosure_field_is_caught_at_its_first_entry,
    a_changed_subject_hash_is_caught_at_its_entry,
    a_proof_that_needs_a_changed_entry_is_refused_rather_than_served_wrong,
    entries_stored_with_their_whole_leaf_hash_verify_and_prove_as_before,
    a_deleted_entry_is_caught_as_a_missing_index,
    an_entry_emptied_outside_any_recorded_purge_is_caught,
    swapped_entry_contents_are_caught_as_reordered_rows,
    read_in_chunks_of_two_the_log_verifies_the_same_and_tampering_is_caught_the_same,
    a_forged_checkpoint_is_caught_by_its_signature,
    a_server_killed_during_batches_leaves_a_log_that_verifies,
    purged_entries_keep_the_log_verifiable_and_their_neighbours_provable,
    entries_recorded_without_the_tree_are_integrated_at_the_next_start,
    the_retention_schedule_purges_old_entries_when_the_service_starts,
    a_proof_printed_by_prove_is_checked_by_verify_proof_with_only_the_verifier_key,
    each_entry_of_an_access_report_is_proven_on_its_own,
    verify_and_migrate_print_no_database_notices,
);

/// Records disclosures of 3, 1, 4 and 1 subjects: entries 0..3, 3, 4..8 and 8.
async fn record_four(app: &mut TestApp) {
    for (transfer, first, count) in [("t1", 0, 3), ("t2", 3, 1), ("t3", 4, 4), ("t4", 8, 1)] {
        app.client
            .record_disclosure(income_register_submission(transfer, hetus(first, count)))
            .await
            .unwrap();
    }
}

/// Opens the stopped app's database directly as `$store` and evaluates `$body`.
macro_rules! with_store {
    ($db:expr, |$store:ident| $body:expr) => {{
        let $store = $db.open_store(OpenOptions::default()).await;
        let out = $body;
        $store.close().await;
        out
    }};
}

/// Verifies the database with the test verifier key.
async fn verify_db(db: &Database) -> Report {
    let key = signing_key().verifier();
    with_store!(db, |store| verify(&store, &key).await.unwrap())
}

/// Runs `statements` on one connection, as an administrator with database access would.
async fn tamper(db: &Database, statements: &[&str]) {
    match db {
        Database::Sqlite { .. } => {
            let url = format!("sqlite://{}", db.sqlite_path().unwrap().display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            for sql in statements {
                conn.execute(sqlx::AssertSqlSafe(*sql)).await.unwrap();
            }
        }
        Database::Postgres(pg) => {
            let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
            for sql in statements {
                conn.execute(sqlx::AssertSqlSafe(*sql)).await.unwrap();
            }
        }
    }
}

/// The latest checkpoint once it covers `size` entries: published after each batch here,
/// it may be a moment behind the reply. `None` if it does not come within two seconds.
async fn checkpoint_of(
    app: &mut TestApp,
    size: u64,
) -> Option<luovutusloki::grpc::proto::Checkpoint> {
    for _ in 0..100 {
        if let Ok(latest) = app
            .client
            .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
            .await
            .map(tonic::Response::into_inner)
            && latest.tree_size == size
        {
            return Some(latest);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    None
}

/// Swaps the subject hash and sealed copy of entries `a` and `b`.
async fn swap_contents(db: &Database, a: i64, b: i64) {
    let stash = format!(
        "CREATE TEMPORARY TABLE stash AS SELECT entry_id, subject_hash, sealed_subject \
         FROM subject_entries WHERE entry_id IN ({a}, {b})"
    );
    let take = |to: i64, from: i64| {
        format!(
            "UPDATE subject_entries SET \
             subject_hash = (SELECT subject_hash FROM stash WHERE entry_id = {from}), \
             sealed_subject = (SELECT sealed_subject FROM stash WHERE entry_id = {from}) \
             WHERE entry_id = {to}"
        )
    };
    tamper(db, &[&stash, &take(a, b), &take(b, a)]).await;
}

/// A log of four disclosures (9 entries), stopped, that verifies.
async fn stopped_log(kind: Kind) -> Database {
    let mut app = TestApp::spawn(kind).await;
    record_four(&mut app).await;
    let db = app.stop().await;
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);
    db
}

async fn every_inclusion_and_consistency_proof_checks_out_for_trees_of_1_to_64_entries(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    // Disclosures of 1, 2, …, 10 subjects and one of 9: 64 entries.
    let mut first = 0;
    for (n, count) in (1..=10).chain([9]).enumerate() {
        app.client
            .record_disclosure(income_register_submission(
                &format!("p{n}"),
                hetus(first, count),
            ))
            .await
            .unwrap();
        first += count;
    }
    assert_eq!(first, 64);

    let mut leaves = Vec::new();
    for entry_id in 0..64 {
        let leaf = app
            .client
            .get_entry_leaf(GetEntryLeafRequest {
                controller_id: koko(),
                entry_id,
            })
            .await
            .unwrap()
            .into_inner();
        let hash: rfc9162::Hash = leaf.leaf_hash.try_into().unwrap();
        assert_eq!(
            rfc9162::leaf_hash(&leaf.leaf_data),
            hash,
            "entry {entry_id}"
        );
        leaves.push(hash);
    }
    for size in 1..=64u64 {
        let root = rfc9162::root(&leaves[..size as usize]);
        for index in 0..size {
            let proof = app
                .client
                .get_inclusion_proof(GetInclusionProofRequest {
                    controller_id: koko(),
                    entry_id: index,
                    tree_size: size,
                })
                .await
                .unwrap()
                .into_inner();
            let hashes = hashes(proof.hashes);
            assert!(
                rfc9162::verify_inclusion(index, size, &leaves[index as usize], &hashes, &root),
                "entry {index} in the tree of {size}"
            );
        }
        for old in 1..=size {
            let proof = app
                .client
                .get_consistency_proof(GetConsistencyProofRequest {
                    old_size: old,
                    new_size: size,
                })
                .await
                .unwrap()
                .into_inner();
            let old_root = rfc9162::root(&leaves[..old as usize]);
            assert!(
                rfc9162::verify_consistency(old, size, &hashes(proof.hashes), &old_root, &root),
                "tree of {size} extends that of {old}"
            );
        }
    }
    let beyond = app
        .client
        .get_inclusion_proof(GetInclusionProofRequest {
            controller_id: koko(),
            entry_id: 3,
            tree_size: 65,
        })
        .await
        .unwrap_err();
    assert_eq!(beyond.code(), tonic::Code::OutOfRange);
    let someone_elses = app
        .client
        .get_entry_leaf(GetEntryLeafRequest {
            controller_id: crate::fixtures::KEHA.into(),
            entry_id: 3,
        })
        .await
        .unwrap_err();
    assert_eq!(someone_elses.code(), tonic::Code::NotFound);
}

/// The leaf hashes of entries `0..count`, hashed here from the leaf data the service serves.
async fn served_leaf_hashes(app: &mut TestApp, count: u64) -> Vec<rfc9162::Hash> {
    let mut leaves = Vec::new();
    for entry_id in 0..count {
        let leaf = app
            .client
            .get_entry_leaf(GetEntryLeafRequest {
                controller_id: koko(),
                entry_id,
            })
            .await
            .unwrap()
            .into_inner();
        leaves.push(rfc9162::leaf_hash(&leaf.leaf_data));
    }
    leaves
}

fn hashes(raw: Vec<Vec<u8>>) -> Vec<rfc9162::Hash> {
    raw.into_iter().map(|h| h.try_into().unwrap()).collect()
}

async fn the_latest_checkpoint_is_signed_and_names_the_root_of_every_entry(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_four(&mut app).await;
    let leaves = served_leaf_hashes(&mut app, 9).await;
    let checkpoint = checkpoint_of(&mut app, 9)
        .await
        .expect("a checkpoint of all 9 entries");
    let signed = open(&checkpoint.note, &signing_key().verifier()).unwrap();
    assert_eq!(signed.origin, ORIGIN);
    assert_eq!(signed.size, 9);
    assert_eq!(signed.root, rfc9162::root(&leaves));
    assert_eq!(checkpoint.root_hash, signed.root.to_vec());
    let stranger = SigningKey::generate(ORIGIN).unwrap().verifier();
    assert!(open(&checkpoint.note, &stranger).is_err());
}

async fn a_log_that_nobody_touched_verifies(kind: Kind) {
    let db = stopped_log(kind).await;
    let report = verify_db(&db).await;
    assert_eq!(report.entries, 9);
    assert_eq!(report.tree_size, 9);
    assert!(report.checkpoints >= 1);
}

async fn a_changed_disclosure_field_is_caught_at_its_first_entry(kind: Kind) {
    let db = stopped_log(kind).await;
    tamper(
        &db,
        &["UPDATE disclosures SET purpose = 'Jotain muuta' WHERE transfer_id = 't3'"],
    )
    .await;
    let report = verify_db(&db).await;
    assert!(
        matches!(
            report.problems.first(),
            Some(Problem::Changed {
                entry: 4,
                whole_disclosure: true,
                ..
            })
        ),
        "{:?}",
        report.problems
    );
}

async fn a_changed_subject_hash_is_caught_at_its_entry(kind: Kind) {
    let db = stopped_log(kind).await;
    tamper(
        &db,
        &["UPDATE subject_entries SET subject_hash = leaf_hash WHERE entry_id = 6"],
    )
    .await;
    let report = verify_db(&db).await;
    assert!(
        matches!(
            report.problems.first(),
            Some(Problem::Changed {
                entry: 6,
                whole_disclosure: false,
                ..
            })
        ),
        "{:?}",
        report.problems
    );
}

async fn a_proof_that_needs_a_changed_entry_is_refused_rather_than_served_wrong(kind: Kind) {
    // 17 entries: the first 16 make a stored subtree, so the service starts without
    // hashing them again (the tree's right edge is entry 16).
    let mut app = TestApp::spawn(kind).await;
    record_four(&mut app).await;
    app.client
        .record_disclosure(income_register_submission("t5", hetus(9, 8)))
        .await
        .unwrap();
    let db = app.stop().await;
    tamper(
        &db,
        &["UPDATE subject_entries SET sealed_subject = subject_hash WHERE entry_id = 1"],
    )
    .await;
    let mut app = TestApp::start(db, Options::default()).await;
    // Entry 0's proof needs entry 1's leaf hash, which the changed row no longer gives.
    let refused = app
        .client
        .get_inclusion_proof(GetInclusionProofRequest {
            controller_id: koko(),
            entry_id: 0,
            tree_size: 17,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Internal, "{refused:?}");
    let leaf = app
        .client
        .get_entry_leaf(GetEntryLeafRequest {
            controller_id: koko(),
            entry_id: 1,
        })
        .await
        .unwrap_err();
    assert_eq!(leaf.code(), tonic::Code::Internal, "{leaf:?}");
}

/// Logs written before entries kept fingerprints stored every leaf hash whole.
async fn entries_stored_with_their_whole_leaf_hash_verify_and_prove_as_before(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_four(&mut app).await;
    let leaves = served_leaf_hashes(&mut app, 9).await;
    let db = app.stop().await;
    let whole: Vec<String> = leaves
        .iter()
        .enumerate()
        .map(|(entry, hash)| {
            let literal = match kind {
                Kind::Sqlite => format!("X'{}'", hex::encode(hash)),
                Kind::Postgres => format!("'\\x{}'::bytea", hex::encode(hash)),
            };
            format!("UPDATE subject_entries SET leaf_hash = {literal} WHERE entry_id = {entry}")
        })
        .collect();
    tamper(&db, &whole.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM subject_entries WHERE length(leaf_hash) = 32")
            .await,
        9
    );
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);

    let mut app = TestApp::start(db, Options::default()).await;
    let proof = app
        .client
        .get_inclusion_proof(GetInclusionProofRequest {
            controller_id: koko(),
            entry_id: 5,
            tree_size: 9,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(rfc9162::verify_inclusion(
        5,
        9,
        &leaves[5],
        &hashes(proof.hashes),
        &rfc9162::root(&leaves)
    ));
    let db = app.stop().await;
    tamper(
        &db,
        &["UPDATE subject_entries SET subject_hash = sealed_subject WHERE entry_id = 6"],
    )
    .await;
    let report = verify_db(&db).await;
    assert!(
        matches!(
            report.problems.first(),
            Some(Problem::Changed { entry: 6, .. })
        ),
        "{:?}",
        report.problems
    );
}

async fn a_deleted_entry_is_caught_as_a_missing_index(kind: Kind) {
    let db = stopped_log(kind).await;
    tamper(&db, &["DELETE FROM subject_entries WHERE entry_id = 5"]).await;
    let report = verify_db(&db).await;
    assert_eq!(
        report.problems.first(),
        Some(&Problem::Missing { entry: 5 }),
        "{:?}",
        report.problems
    );
}

async fn an_entry_emptied_outside_any_recorded_purge_is_caught(kind: Kind) {
    let db = stopped_log(kind).await;
    tamper(
        &db,
        &[
            "UPDATE subject_entries SET subject_hash = NULL, sealed_subject = NULL \
           WHERE entry_id = 2",
        ],
    )
    .await;
    let report = verify_db(&db).await;
    assert_eq!(
        report.problems.first(),
        Some(&Problem::PurgedWithoutRecord { entry: 2 }),
        "{:?}",
        report.problems
    );
}

async fn swapped_entry_contents_are_caught_as_reordered_rows(kind: Kind) {
    let db = stopped_log(kind).await;
    swap_contents(&db, 1, 5).await;
    let report = verify_db(&db).await;
    // Entries 1 and 5 are of different disclosures, so each row now gives a leaf that is
    // neither its own nor the other's; swapped within one disclosure, each gives the
    // other's.
    assert_eq!(report.problems.first().and_then(Problem::entry), Some(1));
    assert!(report.problems.iter().any(|p| p.entry() == Some(5)));

    let db = stopped_log(kind).await;
    swap_contents(&db, 4, 7).await;
    let report = verify_db(&db).await;
    assert_eq!(
        report.problems.first(),
        Some(&Problem::Moved { entry: 4, holds: 7 }),
        "{:?}",
        report.problems
    );
}

async fn a_forged_checkpoint_is_caught_by_its_signature(kind: Kind) {
    let db = stopped_log(kind).await;
    let forger = SigningKey::generate(ORIGIN).unwrap();
    let forged = forger.sign(&Checkpoint::new(ORIGIN, 9, [7; 32])).unwrap();
    tamper(
        &db,
        &[&format!(
            "UPDATE checkpoints SET note = '{forged}' WHERE tree_size = 9"
        )],
    )
    .await;
    let report = verify_db(&db).await;
    assert!(
        matches!(
            report.problems.first(),
            Some(Problem::BadSignature { size: 9, .. })
        ),
        "{:?}",
        report.problems
    );
}

async fn a_server_killed_during_batches_leaves_a_log_that_verifies(kind: Kind) {
    let db = Database::create(kind).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = ServiceProcess::start(&db, data_dir.path(), "info");
    let mut callers = Vec::new();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for caller in 0..8u32 {
        let mut client = service.client().await;
        let answered = std::sync::Arc::clone(&answered);
        callers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..1_000u32 {
                let transfer = format!("crash-{caller}-{n}");
                let request = income_register_submission(&transfer, hetus(n * 50, 300));
                match client.record_disclosure(request).await {
                    Ok(response) => acknowledged.push((transfer, response.into_inner())),
                    Err(_) => break,
                }
                answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            acknowledged
        }));
    }
    // Kill it once batches are flowing (a loaded machine may take a while to get there), in
    // the middle of whatever it is writing.
    let flowing = std::time::Instant::now();
    while answered.load(std::sync::atomic::Ordering::Relaxed) < 16
        && flowing.elapsed() < std::time::Duration::from_secs(60)
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, _) = service.stop("KILL");
    assert!(!status.success());
    let mut acknowledged = Vec::new();
    for caller in callers {
        acknowledged.extend(caller.await.unwrap());
    }
    assert!(
        !acknowledged.is_empty(),
        "some disclosures were acknowledged before the kill"
    );

    let service = ServiceProcess::start(&db, data_dir.path(), "info");
    let mut client = service.client().await;
    for (transfer, receipt) in &acknowledged {
        let stored = client
            .get_disclosure(luovutusloki::grpc::proto::GetDisclosureRequest {
                controller_id: koko(),
                disclosure_id: receipt.disclosure_id,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&stored.transfer_id, transfer, "acknowledged and kept");
    }
    client
        .record_disclosure(income_register_submission("after-the-crash", hetus(0, 2)))
        .await
        .unwrap();
    let (status, _) = service.stop("TERM");
    assert!(status.success());

    let stopped = StoppedService { db, data_dir };
    let out = stopped.run(&["verify"]);
    assert!(out.trim_end().ends_with("OK"), "{out}");
}

async fn purged_entries_keep_the_log_verifiable_and_their_neighbours_provable(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut old = income_register_submission("2020-01", vec![hetu(1), hetu(2)]);
    old.occurred_at = at(1_580_000_000); // January 2020
    app.client.record_disclosure(old).await.unwrap();
    app.client
        .record_disclosure(income_register_submission("2026-10", vec![hetu(1)]))
        .await
        .unwrap();
    let db = app.stop().await;

    let request = PurgeRequest {
        occurred_before: Timestamp::from_micros(1_600_000_000_000_000).unwrap(), // September 2020
        controller: None,
        requested_by: "tietosuojavastaava".into(),
        at: Timestamp::from_micros(1_800_000_000_000_000).unwrap(),
    };
    let purged = with_store!(&db, |store| store.purge(&request).await.unwrap());
    assert_eq!(purged.entries, 2);
    assert_eq!(purged.range, Some((0, 1)));
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.entries, report.purged), (3, 2));

    let mut app = TestApp::start(db, Options::default()).await;
    let gone = app
        .client
        .get_entry_leaf(GetEntryLeafRequest {
            controller_id: koko(),
            entry_id: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(gone.purged && gone.leaf_data.is_empty() && gone.leaf_hash.len() == 32);
    let kept = app
        .client
        .get_entry_leaf(GetEntryLeafRequest {
            controller_id: koko(),
            entry_id: 2,
        })
        .await
        .unwrap()
        .into_inner();
    let leaves: Vec<rfc9162::Hash> = vec![
        gone.leaf_hash.clone().try_into().unwrap(),
        app.client
            .get_entry_leaf(GetEntryLeafRequest {
                controller_id: koko(),
                entry_id: 1,
            })
            .await
            .unwrap()
            .into_inner()
            .leaf_hash
            .try_into()
            .unwrap(),
        rfc9162::leaf_hash(&kept.leaf_data),
    ];
    let proof = app
        .client
        .get_inclusion_proof(GetInclusionProofRequest {
            controller_id: koko(),
            entry_id: 2,
            tree_size: 3,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(rfc9162::verify_inclusion(
        2,
        3,
        &leaves[2],
        &hashes(proof.hashes),
        &rfc9162::root(&leaves)
    ));
    let found = app
        .client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            controller_id: koko(),
            subject: hetu(1),
            context: access_case(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let transfers: Vec<_> = found
        .disclosures
        .iter()
        .map(|d| d.disclosure.as_ref().unwrap().transfer_id.clone())
        .collect();
    assert_eq!(
        transfers,
        ["2026-10"],
        "the purged entry is no longer found"
    );
}

async fn entries_recorded_without_the_tree_are_integrated_at_the_next_start(kind: Kind) {
    let untreed = Options {
        without_tree: true,
        ..Options::default()
    };
    let mut app = TestApp::spawn_with(kind, untreed).await;
    record_four(&mut app).await;
    let db = app.stop().await;
    let report = verify_db(&db).await;
    assert_eq!((report.not_integrated, report.tree_size), (9, 0));

    let mut app = TestApp::start(db, Options::default()).await;
    // Integrated at start, before any call, and published.
    assert!(
        checkpoint_of(&mut app, 9).await.is_some(),
        "the backlog is in the checkpoint published at start"
    );
    app.client
        .record_disclosure(income_register_submission("t5", hetus(20, 2)))
        .await
        .unwrap();
    let db = app.stop().await;
    let report = verify_db(&db).await;
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.tree_size, report.not_integrated), (11, 0));
    assert!(report.checkpoints >= 1);
}

async fn the_retention_schedule_purges_old_entries_when_the_service_starts(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut old = income_register_submission("2020-01", vec![hetu(1)]);
    old.occurred_at = at(1_580_000_000); // January 2020
    app.client.record_disclosure(old).await.unwrap();
    app.client
        .record_disclosure(income_register_submission("2026-10", vec![hetu(1)]))
        .await
        .unwrap();
    let db = app.stop().await;

    let five_years = Options {
        retention: RetentionSettings {
            purge_after_days: Some(5 * 365),
            ..RetentionSettings::default()
        },
        ..Options::default()
    };
    let mut app = TestApp::start(db, five_years).await;
    let mut purged = Vec::new();
    for _ in 0..100 {
        purged.clear();
        for entry_id in 0..2 {
            let leaf = app
                .client
                .get_entry_leaf(GetEntryLeafRequest {
                    controller_id: koko(),
                    entry_id,
                })
                .await
                .unwrap()
                .into_inner();
            purged.push(leaf.purged);
        }
        if purged[0] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        purged,
        [true, false],
        "only the entry past five years is purged"
    );
    let db = app.stop().await;
    assert!(verify_db(&db).await.is_clean());
}

async fn a_proof_printed_by_prove_is_checked_by_verify_proof_with_only_the_verifier_key(
    kind: Kind,
) {
    let requests = vec![
        income_register_submission("v1", hetus(0, 3)),
        income_register_submission("v2", hetus(3, 2)),
    ];
    let service = StoppedService::with(kind, requests).await;
    let key = service.run(&["verifier-key"]);
    let dir = tempfile::tempdir().unwrap();
    let inclusion = dir.path().join("inclusion.json");
    let proof = service.run(&[
        "prove",
        "inclusion",
        "--controller",
        &koko(),
        "--entry",
        "3",
    ]);
    std::fs::write(&inclusion, &proof).unwrap();
    let consistency = dir.path().join("consistency.json");
    let proof = service.run(&["prove", "consistency", "--old-size", "3"]);
    std::fs::write(&consistency, &proof).unwrap();

    // No database: an empty environment but for the key.
    let check = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_luovutusloki"))
            .args(["verify-proof", "--verifier-key", key.trim()])
            .arg(file)
            .env_clear()
            .output()
            .unwrap()
    };
    let ok = check(&inclusion);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("OK: entry 3 is leaf 3"));
    let ok = check(&consistency);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let mut bent: serde_json::Value = serde_json::from_str(&proof).unwrap();
    bent["hashes"][0] = serde_json::Value::String(rfc9162_b64(&[9; 32]));
    std::fs::write(&consistency, bent.to_string()).unwrap();
    assert!(!check(&consistency).status.success(), "a bent proof fails");

    let out = service.run(&["purge", "--before", "2030-01-01", "--requested-by", "dpo"]);
    assert!(out.starts_with("purged 5 entries"), "{out}");
    let out = service.run(&["verify"]);
    assert!(out.contains("(5 purged"), "{out}");
    assert!(out.trim_end().ends_with("OK"), "{out}");
    let ok = check(&inclusion);
    assert!(
        ok.status.success(),
        "a proof given out before the purge still verifies"
    );
}

fn rfc9162_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn each_entry_of_an_access_report_is_proven_on_its_own(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_four(&mut app).await;
    // hetu(3) is in t2 (entry 3) only; hetu(5) in t3 (entry 5): record it once more.
    app.client
        .record_disclosure(income_register_submission("t5", vec![hetu(5), hetu(30)]))
        .await
        .unwrap();
    let report = app
        .client
        .subject_access_report(SubjectAccessReportRequest {
            controller_id: koko(),
            subject: hetu(5),
            language: ReportLanguage::En.into(),
            context: access_case(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut ids: Vec<u64> = report.entries.iter().map(|e| e.entry_id).collect();
    ids.sort();
    assert_eq!(ids, [5, 9]);

    let checkpoint = checkpoint_of(&mut app, 11)
        .await
        .expect("a checkpoint of all 11 entries");
    let signed = open(&checkpoint.note, &signing_key().verifier()).unwrap();
    for entry_id in ids {
        let leaf = app
            .client
            .get_entry_leaf(GetEntryLeafRequest {
                controller_id: koko(),
                entry_id,
            })
            .await
            .unwrap()
            .into_inner();
        let proof = app
            .client
            .get_inclusion_proof(GetInclusionProofRequest {
                controller_id: koko(),
                entry_id,
                tree_size: signed.size,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(rfc9162::verify_inclusion(
            entry_id,
            signed.size,
            &rfc9162::leaf_hash(&leaf.leaf_data),
            &hashes(proof.hashes),
            &signed.root
        ));
    }
}

async fn verify_and_migrate_print_no_database_notices(kind: Kind) {
    // The service has run, so the migrations are applied and every later run finds them
    // there (PostgreSQL notes `relation "_sqlx_migrations" already exists, skipping`).
    let service =
        StoppedService::with(kind, vec![income_register_submission("n1", hetus(0, 2))]).await;

    for args in [&["verify"][..], &["migrate"]] {
        let output = service
            .command(args)
            .env("RUST_LOG", "info")
            .output()
            .unwrap();

        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{printed}");
        assert!(!printed.contains("already exists"), "{args:?}: {printed}");
        assert!(!printed.contains("_sqlx_migrations"), "{args:?}: {printed}");
    }
}

/// Verifies the database reading `chunk` entries at a time; returns the progress reported.
async fn verify_in_chunks(db: &Database, chunk: u32) -> (Report, Vec<Progress>) {
    let key = signing_key().verifier();
    let mut seen = Vec::new();
    let mut record = |p| seen.push(p);
    let options = verify::Options {
        chunk,
        progress: Some(&mut record),
    };
    let report = with_store!(db, |store| verify_with(&store, &key, options)
        .await
        .unwrap());
    (report, seen)
}

async fn read_in_chunks_of_two_the_log_verifies_the_same_and_tampering_is_caught_the_same(
    kind: Kind,
) {
    let db = stopped_log(kind).await;
    let (report, progress) = verify_in_chunks(&db, 2).await;
    assert_eq!(report, verify_db(&db).await);
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(
        progress.last(),
        Some(&Progress {
            entries: 9,
            total: 9
        })
    );
    assert!(progress.windows(2).all(|w| w[0].entries <= w[1].entries));

    // Entries 4 and 7 are in different chunks; entries 2 and 3 make a whole chunk.
    swap_contents(&db, 4, 7).await;
    tamper(
        &db,
        &["DELETE FROM subject_entries WHERE entry_id IN (2, 3)"],
    )
    .await;
    let (report, _) = verify_in_chunks(&db, 2).await;
    assert_eq!(report, verify_db(&db).await);
    assert_eq!(
        &report.problems[..3],
        [
            Problem::Missing { entry: 2 },
            Problem::Missing { entry: 3 },
            Problem::Moved { entry: 4, holds: 7 },
        ],
        "{:?}",
        report.problems
    );
}
