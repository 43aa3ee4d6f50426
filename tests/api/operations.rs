//! Running the service: restart, back-pressure, shutdown, and where identity codes must not be.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient;
use luovutusloki::grpc::proto::{GetDisclosureRequest, ListSubjectDisclosuresRequest};
use luovutusloki::log::WriterConfig;
use sqlx::{Connection, Executor};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Database, Kind, Options, ServiceProcess, TestApp, on_both_backends};

on_both_backends!(
    stopping_and_restarting_keeps_every_record,
    a_full_write_queue_answers_resource_exhausted_at_once,
    a_queue_full_of_subjects_refuses_further_subjects,
    the_binary_stops_cleanly_on_sigterm_and_no_identity_code_is_logged_or_stored,
    a_crash_loses_no_acknowledged_record,
);

async fn stopping_and_restarting_keeps_every_record(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let first = app
        .client
        .record_disclosure(income_register_submission("tr-before", hetus(0, 100)))
        .await
        .unwrap()
        .into_inner();
    let db = app.stop().await;

    let mut app = TestApp::start(db, Options::default()).await;
    let stored = app
        .client
        .get_disclosure(GetDisclosureRequest {
            controller_id: koko(),
            disclosure_id: first.disclosure_id,
        })
        .await
        .unwrap()
        .into_inner();
    let second = app
        .client
        .record_disclosure(income_register_submission("tr-after", hetus(100, 10)))
        .await
        .unwrap()
        .into_inner();
    let replay = app
        .client
        .record_disclosure(income_register_submission("tr-before", hetus(0, 100)))
        .await
        .unwrap()
        .into_inner();

    assert_eq!(stored.subject_count, 100);
    assert_eq!(
        second.first_entry_id,
        first.first_entry_id + 100,
        "ids continue after restart"
    );
    assert_eq!(replay, first);
    assert_eq!(app.db.entry_count().await, 110);
}

/// Holds the database's write lock until dropped, so the writer blocks on its next batch.
enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(db: &Database) -> Self {
        match db {
            Database::Sqlite { .. } => {
                let mut conn = sqlx::SqliteConnection::connect(&db.url()).await.unwrap();
                conn.execute("BEGIN IMMEDIATE").await.unwrap();
                Self::Sqlite(conn)
            }
            Database::Postgres(pg) => {
                let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
                conn.execute("BEGIN").await.unwrap();
                conn.execute("SELECT 1 FROM log_head FOR UPDATE")
                    .await
                    .unwrap();
                Self::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            Self::Sqlite(mut conn) => conn.execute("ROLLBACK").await.map(drop).unwrap(),
            Self::Postgres(mut conn) => conn.execute("ROLLBACK").await.map(drop).unwrap(),
        }
    }
}

/// Sends `requests` at once while the database's write lock is held, waits for `refusals`
/// answers (nothing can be recorded while the lock is held, so they are all refusals), then
/// releases the lock and collects the rest. Returns every result, those answered while
/// blocked first.
async fn send_while_writer_blocked(
    app: &TestApp,
    requests: Vec<luovutusloki::grpc::proto::RecordDisclosureRequest>,
    refusals: usize,
) -> Vec<Result<tonic::Response<luovutusloki::grpc::proto::RecordDisclosureResponse>, tonic::Status>>
{
    let lock = WriteLock::take(&app.db).await;
    let channel = app.channel().await;
    let mut calls: FuturesUnordered<_> = requests
        .into_iter()
        .map(|request| {
            let mut client = DisclosureLogClient::new(channel.clone());
            async move { client.record_disclosure(request).await }
        })
        .collect();
    let mut results = Vec::new();
    while results.len() < refusals {
        let answer = tokio::time::timeout(Duration::from_secs(5), calls.next())
            .await
            .expect("refusals come while the writer is still blocked")
            .unwrap();
        assert_eq!(answer.as_ref().unwrap_err().code(), Code::ResourceExhausted);
        results.push(answer);
    }
    lock.release().await;
    while let Some(result) = calls.next().await {
        results.push(result);
    }
    results
}

/// Checks that every call was recorded or refused with RESOURCE_EXHAUSTED and the database
/// holds exactly the recorded subjects; returns how many calls were recorded.
async fn assert_recorded_or_refused(
    app: &TestApp,
    results: &[Result<
        tonic::Response<luovutusloki::grpc::proto::RecordDisclosureResponse>,
        tonic::Status,
    >],
) -> usize {
    assert_eq!(
        results[0].as_ref().unwrap_err().code(),
        Code::ResourceExhausted
    );
    let recorded: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(s) if s.code() == Code::ResourceExhausted))
        .count();
    assert_eq!(
        recorded.len() + refused,
        results.len(),
        "every call is recorded or refused"
    );
    let subjects: i64 = recorded
        .iter()
        .map(|r| i64::from(r.get_ref().subject_count))
        .sum();
    assert_eq!(app.db.entry_count().await, subjects);
    recorded.len()
}

async fn a_full_write_queue_answers_resource_exhausted_at_once(kind: Kind) {
    let writer = WriterConfig {
        queue_capacity: 2,
        max_batch_disclosures: 1,
        ..WriterConfig::default()
    };
    let app = TestApp::spawn_with(
        kind,
        Options {
            writer,
            ..Options::default()
        },
    )
    .await;
    let requests = (0..10u32)
        .map(|n| income_register_submission(&format!("tr-q{n}"), vec![hetu(n)]))
        .collect();

    // At most one in the blocked writer and two queued: the other seven must be refused.
    let results = send_while_writer_blocked(&app, requests, 7).await;

    let recorded = assert_recorded_or_refused(&app, &results).await;
    assert!((1..=3).contains(&recorded), "recorded {recorded}");
}

async fn a_queue_full_of_subjects_refuses_further_subjects(kind: Kind) {
    let writer = WriterConfig {
        max_queued_subjects: 1_000,
        ..WriterConfig::default()
    };
    let app = TestApp::spawn_with(
        kind,
        Options {
            writer,
            ..Options::default()
        },
    )
    .await;
    let requests = (0..5u32)
        .map(|n| income_register_submission(&format!("tr-s{n}"), hetus(n * 600, 600)))
        .collect();

    // 600 subjects fit in a budget of 1,000 once, never twice: four must be refused.
    let results = send_while_writer_blocked(&app, requests, 4).await;

    let recorded = assert_recorded_or_refused(&app, &results).await;
    assert_eq!(recorded, 1);
}

/// Every file under `dir`, as bytes (database, WAL, shared memory).
async fn the_binary_stops_cleanly_on_sigterm_and_no_identity_code_is_logged_or_stored(kind: Kind) {
    let db = Database::create(kind).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service =
        ServiceProcess::start(&db, data_dir.path(), "trace,h2=info,tower=info,hyper=info");
    let mut client = service.client().await;

    let subjects = hetus(0, 20);
    client
        .record_disclosure(income_register_submission("tr-logs", subjects.clone()))
        .await
        .unwrap();
    let mut bad = income_register_submission("tr-bad", subjects.clone());
    bad.subjects.push("131052-308U".into());
    bad.controller_id = "bad".into();
    client.record_disclosure(bad).await.unwrap_err();
    client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            context: access_case(),
            controller_id: koko(),
            subject: subjects[3].clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    drop(client);

    let (status, log) = service.stop("TERM");

    assert!(status.success(), "exit status {status:?}; log:\n{log}");
    assert!(log.contains("stopped"), "the shutdown completes: {log}");
    let mut codes = subjects.clone();
    codes.push("131052-308U".into());
    for code in &codes {
        assert!(!log.contains(code.as_str()), "an identity code was logged");
    }
    db.assert_stores_none_of(&codes).await;
}

async fn a_crash_loses_no_acknowledged_record(kind: Kind) {
    let db = Database::create(kind).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = ServiceProcess::start(&db, data_dir.path(), "info");
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", service.address))
        .unwrap()
        .connect()
        .await
        .unwrap();

    // 16 writers record until the process is killed; each keeps what was acknowledged.
    let (acknowledged_tx, mut acknowledged_rx) = tokio::sync::mpsc::unbounded_channel();
    let writers: Vec<_> = (0..16u32)
        .map(|writer| {
            let mut client = DisclosureLogClient::new(channel.clone());
            let acknowledged = acknowledged_tx.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    let transfer = format!("crash-{writer}-{n}");
                    let subjects = hetus(writer * 100_000 + n * 10, 10);
                    match client
                        .record_disclosure(income_register_submission(&transfer, subjects))
                        .await
                    {
                        Ok(receipt) => acknowledged.send((transfer, receipt.into_inner())).unwrap(),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    drop(acknowledged_tx);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 300 {
        acknowledged.push(acknowledged_rx.recv().await.unwrap());
    }
    let (status, _) = service.stop("KILL");
    for writer in writers {
        writer.await.unwrap();
    }
    while let Ok(late) = acknowledged_rx.try_recv() {
        acknowledged.push(late);
    }
    assert!(!status.success(), "the process was killed");

    let service = ServiceProcess::start(&db, data_dir.path(), "info");
    let mut client = service.client().await;
    for (transfer, receipt) in &acknowledged {
        let stored = client
            .get_disclosure(luovutusloki::grpc::proto::GetDisclosureRequest {
                controller_id: koko(),
                disclosure_id: receipt.disclosure_id,
            })
            .await
            .unwrap_or_else(|_| panic!("acknowledged {transfer} was lost"))
            .into_inner();
        assert_eq!(&stored.transfer_id, transfer);
        assert_eq!(stored.first_entry_id, receipt.first_entry_id);
    }
    let entries = db.entry_count().await;
    assert!(entries >= 10 * acknowledged.len() as i64);
    assert_eq!(
        entries,
        10 * db.disclosure_count().await,
        "no disclosure is half written"
    );
    let (status, _) = service.stop("TERM");
    assert!(status.success());
}
