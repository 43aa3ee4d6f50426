//! Faults from outside: the database restarted under load, a request that is not a
//! protobuf message, and a backup restored into a new database.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient;
use luovutusloki::grpc::proto::{
    GetCheckpointRequest, GetConsistencyProofRequest, ListSubjectDisclosuresRequest,
    RecordDisclosureResponse,
};
use luovutusloki::storage::OpenOptions;
use luovutusloki::storage::prelude::*;
use luovutusloki::transparency::merkle::verify_consistency;
use luovutusloki::verify::verify;
use tokio::sync::mpsc;
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{
    Database, Kind, PostgresDatabase, ServiceProcess, StoppedService, TestApp, on_both_backends,
    signing_key,
};
use crate::private_cluster::{PrivateCluster, pg_bin, run};

on_both_backends!(a_request_that_is_not_a_protobuf_message_is_an_invalid_argument);

/// Callers recording at once while the database is stopped and started.
const CALLERS: u32 = 8;
/// Subjects per disclosure.
const SUBJECTS: u32 = 3;
/// The longest a call may take to be refused while the database is down.
const PROMPT: Duration = Duration::from_secs(2);
/// The longest the service may take to record again once the database is back.
const RECOVERY: Duration = Duration::from_secs(5);

/// One caller's attempt at a call, as it ended.
struct Attempt {
    transfer: String,
    started: Instant,
    took: Duration,
    answer: Result<RecordDisclosureResponse, Code>,
}

/// Records disclosures with unique transfer ids until `stop`; a call refused with
/// UNAVAILABLE is sent again, the same transfer id, after a short pause.
async fn caller(
    mut client: DisclosureLogClient<tonic::transport::Channel>,
    caller: u32,
    stop: Arc<AtomicBool>,
    attempts: mpsc::UnboundedSender<Attempt>,
) {
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let transfer = format!("restart-{caller}-{n}");
        let subjects = hetus(caller * 100_000 + n * SUBJECTS, SUBJECTS);
        loop {
            let started = Instant::now();
            let answer = tokio::time::timeout(
                Duration::from_secs(10),
                client.record_disclosure(income_register_submission(&transfer, subjects.clone())),
            )
            .await
            .map_or(Err(Code::DeadlineExceeded), |answer| {
                answer
                    .map(tonic::Response::into_inner)
                    .map_err(|s| s.code())
            });
            let retry = answer == Err(Code::Unavailable);
            let attempt = Attempt {
                transfer: transfer.clone(),
                started,
                took: started.elapsed(),
                answer,
            };
            if attempts.send(attempt).is_err() || !retry {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Receives attempts until one is acknowledged that started after `since`.
async fn until_acknowledged_after(
    attempts: &mut mpsc::UnboundedReceiver<Attempt>,
    seen: &mut Vec<Attempt>,
    since: Instant,
) {
    loop {
        let attempt = attempts.recv().await.expect("callers run");
        let done = attempt.answer.is_ok() && attempt.started >= since;
        seen.push(attempt);
        if done {
            return;
        }
    }
}

/// Stops the cluster in `mode`, keeps it down two seconds and starts it again; returns
/// when it went down and when it was back.
async fn outage(cluster: &Arc<PrivateCluster>, mode: &'static str) -> (Instant, Instant) {
    let c = Arc::clone(cluster);
    tokio::task::spawn_blocking(move || c.stop(mode))
        .await
        .unwrap();
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let c = Arc::clone(cluster);
    tokio::task::spawn_blocking(move || c.pg_ctl_start())
        .await
        .unwrap();
    (down, Instant::now())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarted_under_load_refuses_promptly_recovers_and_loses_or_repeats_nothing() {
    let cluster = Arc::new(
        tokio::task::spawn_blocking(PrivateCluster::start)
            .await
            .unwrap(),
    );
    let db = Database::Postgres(PostgresDatabase::create_on(cluster.url()).await);
    let app = TestApp::start(db, Default::default()).await;
    let channel = app.channel().await;
    let stop = Arc::new(AtomicBool::new(false));
    let (attempts_tx, mut attempts) = mpsc::unbounded_channel();
    let callers: Vec<_> = (0..CALLERS)
        .map(|n| {
            let client = DisclosureLogClient::new(channel.clone());
            tokio::spawn(caller(client, n, Arc::clone(&stop), attempts_tx.clone()))
        })
        .collect();
    drop(attempts_tx);
    let mut seen = Vec::new();
    while seen.iter().filter(|a: &&Attempt| a.answer.is_ok()).count() < 100 {
        seen.push(attempts.recv().await.unwrap());
    }

    // A crash of the server (immediate), then a clean stop that ends its sessions (fast).
    let mut outages = Vec::new();
    for mode in ["immediate", "fast"] {
        let (down, up) = outage(&cluster, mode).await;
        // Bounded, so that a service that never recovers fails the test instead of hanging it.
        tokio::time::timeout(
            RECOVERY * 4,
            until_acknowledged_after(&mut attempts, &mut seen, up),
        )
        .await
        .unwrap_or_else(|_| panic!("{mode}: nothing recorded after the database came back"));
        let recovered = seen.last().unwrap().started + seen.last().unwrap().took;
        outages.push((mode, down, up, recovered));
    }
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.unwrap();
    }
    while let Some(attempt) = attempts.recv().await {
        seen.push(attempt);
    }

    for (mode, down, up, recovered) in &outages {
        let during: Vec<_> = seen
            .iter()
            .filter(|a| a.started >= *down && a.started < *up)
            .map(|a| (a.took, a.answer.as_ref().err().copied()))
            .collect();
        let refused = during
            .iter()
            .filter(|(_, code)| *code == Some(Code::Unavailable))
            .count();
        let slowest = during.iter().map(|(took, _)| *took).max();
        eprintln!(
            "{mode}: {} calls while down, {refused} refused, the slowest answered in \
             {slowest:?}; recording again {:?} after the restart",
            during.len(),
            recovered.duration_since(*up)
        );
        assert!(
            refused > 0,
            "{mode}: callers were refused while the database was down"
        );
        assert!(
            during.iter().all(|(took, _)| *took <= PROMPT),
            "{mode}: no call waits out the outage: {during:?}"
        );
        assert!(
            recovered.duration_since(*up) <= RECOVERY,
            "{mode}: recorded again {:?} after the database came back",
            recovered.duration_since(*up)
        );
    }
    for attempt in &seen {
        match &attempt.answer {
            Ok(_) => {}
            Err(Code::Unavailable) => assert!(
                attempt.took <= PROMPT,
                "{}: UNAVAILABLE after {:?}",
                attempt.transfer,
                attempt.took
            ),
            Err(code) => panic!("{}: {code:?}", attempt.transfer),
        }
    }
    let acknowledged: Vec<_> = seen
        .iter()
        .filter_map(|a| a.answer.as_ref().ok().map(|r| (&a.transfer, r)))
        .collect();
    let retried: std::collections::HashSet<_> = seen
        .iter()
        .filter(|a| a.answer.is_err())
        .map(|a| &a.transfer)
        .collect();
    assert!(!retried.is_empty(), "some calls met the outage");
    for transfer in &retried {
        assert!(
            acknowledged.iter().any(|(t, _)| t == transfer),
            "{transfer} was refused and then recorded on a retry"
        );
    }
    for (transfer, receipt) in &acknowledged {
        let stored = app
            .db
            .scalar(&format!(
                "SELECT COUNT(*) FROM disclosures WHERE transfer_id = '{transfer}' AND id = {}",
                receipt.disclosure_id
            ))
            .await;
        assert_eq!(stored, 1, "{transfer} is stored once, as acknowledged");
    }
    let disclosures = app.db.disclosure_count().await;
    assert_eq!(
        disclosures as usize,
        acknowledged.len(),
        "nothing unacknowledged is stored twice or stray"
    );
    assert_eq!(
        app.db.entry_count().await,
        disclosures * i64::from(SUBJECTS)
    );
    let db = app.stop().await;
    assert_log_verifies(&db, disclosures as u64 * u64::from(SUBJECTS)).await;
}

/// `verify` passes, and the tree and the log head cover `entries` entries.
async fn assert_log_verifies(db: &Database, entries: u64) {
    let store = db.open_store(OpenOptions::default()).await;
    let report = verify(&store, &signing_key().verifier()).await.unwrap();
    let head = store.tree_head().await.unwrap();
    store.close().await;
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(report.tree_size, entries);
    assert_eq!(head.size, entries);
    assert_eq!(report.root, Some(head.root));
    assert!(report.checkpoints > 0);
}

/// A raw gRPC client codec: sends the given bytes as the message, reads the answer as bytes.
#[derive(Default)]
struct RawCodec;

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl tonic::codec::Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(
        &mut self,
        item: Vec<u8>,
        buf: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        prost::bytes::BufMut::put_slice(buf, &item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(
        &mut self,
        buf: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        let bytes = prost::bytes::Buf::copy_to_bytes(buf, prost::bytes::Buf::remaining(buf));
        Ok(Some(bytes.to_vec()))
    }
}

/// Sends `message` as it is to `method` of the DisclosureLog service.
async fn send_raw(app: &TestApp, method: &str, message: Vec<u8>) -> Result<Vec<u8>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(app.channel().await);
    grpc.ready().await.unwrap();
    let path = format!("/luovutusloki.v1.DisclosureLog/{method}")
        .parse()
        .unwrap();
    grpc.unary(tonic::Request::new(message), path, RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

async fn a_request_that_is_not_a_protobuf_message_is_an_invalid_argument(kind: Kind) {
    let app = TestApp::spawn(kind).await;
    // Field 1 (a string) said to be 5 bytes long, with 2 there; then a string that is not
    // UTF-8; then a varint that never ends.
    let truncated = vec![0x0a, 0x05, b'a', b'b'];
    let not_utf8 = vec![0x0a, 0x02, 0xff, 0xfe];
    let endless = vec![
        0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];

    let mut codes = Vec::new();
    for method in [
        "RecordDisclosure",
        "ListSubjectDisclosures",
        "GetDisclosure",
    ] {
        for message in [&truncated, &not_utf8, &endless] {
            let status = send_raw(&app, method, message.clone()).await.unwrap_err();
            assert!(
                status.message().contains("could not be decoded"),
                "{method}: {status:?}"
            );
            codes.push(status.code());
        }
    }

    assert!(
        codes.iter().all(|code| *code == Code::InvalidArgument),
        "{codes:?}"
    );
    assert_eq!(app.db.disclosure_count().await, 0);
    assert_eq!(
        app.db.scalar("SELECT COUNT(*) FROM access_lookups").await,
        0
    );
    // A well-formed request still gets its answer over the same raw path.
    let request = prost::Message::encode_to_vec(&income_register_submission("raw", hetus(0, 2)));
    send_raw(&app, "RecordDisclosure", request).await.unwrap();
    assert_eq!(app.db.disclosure_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restored_from_pg_dump_with_the_key_directory_verifies_finds_and_grows() {
    // A log recorded by the real binary, which generated its keys under its data directory.
    let recorded = StoppedService::with(
        Kind::Postgres,
        (0..5u32)
            .map(|n| income_register_submission(&format!("backup-{n}"), hetus(n * 10, 10)))
            .collect(),
    )
    .await;
    let backup = tempfile::tempdir().unwrap();
    let dump = backup.path().join("luovutusloki.dump");
    run(std::process::Command::new(pg_bin("pg_dump"))
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(recorded.db.url()));
    let keys = backup.path().join("keys");
    copy_dir(&recorded.data_dir.path().join("keys"), &keys);
    drop(recorded);

    // Restored into a new database, with the key directory restored into a new data directory.
    let db = Database::create(Kind::Postgres).await;
    run(std::process::Command::new(pg_bin("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(db.url())
        .arg(&dump));
    let data_dir = tempfile::tempdir().unwrap();
    copy_dir(&keys, &data_dir.path().join("keys"));
    let restored = StoppedService { db, data_dir };
    let verified = restored.run(&["verify"]);

    let StoppedService { db, data_dir } = restored;
    let service = ServiceProcess::start(&db, data_dir.path(), "info");
    let mut client = service.client().await;
    let old = client
        .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
        .await
        .unwrap()
        .into_inner();
    let found = client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: koko(),
            subject: hetu(23),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let replay = client
        .record_disclosure(income_register_submission("backup-2", hetus(20, 10)))
        .await
        .unwrap()
        .into_inner();
    let new = client
        .record_disclosure(income_register_submission("after-restore", hetus(23, 2)))
        .await
        .unwrap()
        .into_inner();
    // The writer answers a record before it signs the checkpoint that covers it.
    let latest = checkpoint_of(&mut client, 52).await;
    let proof = client
        .get_consistency_proof(GetConsistencyProofRequest {
            old_size: old.tree_size,
            new_size: latest.tree_size,
        })
        .await
        .unwrap()
        .into_inner();
    let (status, _) = service.stop("TERM");
    let restored = StoppedService { db, data_dir };

    assert!(verified.trim_end().ends_with("OK"), "{verified}");
    assert_eq!(
        old.tree_size, 50,
        "the restored log's checkpoint covers it all"
    );
    assert_eq!(
        found.disclosures.len(),
        1,
        "the subject key of the backup finds the person"
    );
    assert_eq!(replay.subject_count, 10);
    assert_eq!(
        replay.first_entry_id, 20,
        "a replay of a restored transfer id is its receipt"
    );
    assert_eq!(
        new.first_entry_id, 50,
        "the log continues where the backup ended"
    );
    assert_eq!(latest.tree_size, 52);
    let hashes: Vec<[u8; 32]> = proof
        .hashes
        .iter()
        .map(|h| h.as_slice().try_into().unwrap())
        .collect();
    let root = |c: &luovutusloki::grpc::proto::Checkpoint| -> [u8; 32] {
        c.root_hash.as_slice().try_into().unwrap()
    };
    assert!(
        verify_consistency(50, 52, &hashes, &root(&old), &root(&latest)),
        "the grown tree extends the restored one"
    );
    assert!(status.success());
    let verified = restored.run(&["verify"]);
    assert!(verified.trim_end().ends_with("OK"), "{verified}");
}

/// The latest checkpoint, once it covers `size` entries (at most 10 s later).
async fn checkpoint_of(
    client: &mut DisclosureLogClient<tonic::transport::Channel>,
    size: u64,
) -> luovutusloki::grpc::proto::Checkpoint {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let latest = client
            .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
            .await
            .unwrap()
            .into_inner();
        if latest.tree_size >= size || Instant::now() > deadline {
            return latest;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Copies the files of `from` into a new directory `to`, keeping their modes.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}
