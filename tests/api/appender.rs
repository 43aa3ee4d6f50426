//! The appender's multi-writer paths, below the gRPC layer: two writers (two stores, each
//! with its own recorder, as two service instances would have) on one database, and a
//! transfer id taken in the same batch or by the other writer.

use std::collections::HashSet;

use luovutusloki::domain::{
    BusinessId, Channel, Classification, Country, DataCategories, DataCategory, DisclosureDetails,
    Hetu, LegalBasis, LegalProvision, LongText, NewDisclosure, Recipient, RecipientIdType,
    RecipientIdentifier, RecipientKind, RegisterId, ShortText, Timestamp, TransferId, Violations,
};
use luovutusloki::log::{Admission, Recorded, Recorder, WriterConfig, WriterHandle};
use luovutusloki::storage::OpenOptions;
use luovutusloki::storage::prelude::*;
use luovutusloki::verify::verify;

use crate::fixtures::{example_business_id, hetu, koko};
use crate::harness::{Database, Kind, keyring, on_both_backends, signing_key};

on_both_backends!(
    two_writers_on_one_database_store_every_acknowledged_disclosure_once,
    the_same_disclosure_from_two_writers_is_recorded_once_and_replayed_once,
    the_same_disclosure_twice_in_one_batch_is_recorded_once_and_replayed_once,
);

/// A disclosure to the Incomes Register of subjects `hetu(first..first + count)`.
fn disclosure(transfer_id: &str, first: u32, count: u32) -> NewDisclosure {
    let details = DisclosureDetails {
        controller: BusinessId::parse(&koko()).unwrap(),
        transfer_id: TransferId::parse(transfer_id).unwrap(),
        occurred_at: Timestamp::from_micros(1_790_000_000_000_000).unwrap(),
        register: RegisterId::parse("koko-jasen-ja-maksurekisteri").unwrap(),
        recipient: Recipient {
            identifier: RecipientIdentifier::parse(
                RecipientIdType::BusinessId,
                &example_business_id(245_437),
            )
            .unwrap(),
            name: ShortText::parse("Verohallinto, tulorekisteriyksikkö").unwrap(),
            kind: RecipientKind::Authority,
            country: Country::parse("FI").unwrap(),
        },
        legal_basis: LegalBasis::LegalObligation,
        special_condition: None,
        provisions: vec![LegalProvision::parse_canonical("53/2018 6").unwrap()],
        data_categories: DataCategories::new([DataCategory::Identity]).unwrap(),
        purpose: LongText::parse("Etuusmaksujen ilmoittaminen tulorekisteriin").unwrap(),
        channel: Channel::IncomesRegister,
        source_system: ShortText::parse("maksatus").unwrap(),
        consent_reference: None,
        requester_reference: None,
        withholding: None,
    };
    let subjects = (first..first + count)
        .map(|n| Some(Hetu::parse(&hetu(n)).unwrap()))
        .collect();
    NewDisclosure::new(Some(details), subjects, 1_000, Violations::default()).unwrap()
}

/// A writer of its own on `db`, as a second service instance would have.
async fn writer(db: &Database) -> (Recorder, WriterHandle) {
    let store = db
        .open_store(OpenOptions {
            max_connections: 4,
            tamper_evidence: true,
            ..OpenOptions::default()
        })
        .await;
    Recorder::start(store, keyring(), WriterConfig::default(), None)
}

async fn record(recorder: &Recorder, item: NewDisclosure) -> Recorded {
    recorder
        .record(item, Classification::Declared, Admission::Wait)
        .await
        .unwrap()
}

async fn assert_log_verifies(db: &Database) {
    let store = db.open_store(OpenOptions::default()).await;
    let report = verify(&store, &signing_key().verifier()).await.unwrap();
    store.close().await;
    assert!(report.is_clean(), "{:?}", report.problems);
}

async fn two_writers_on_one_database_store_every_acknowledged_disclosure_once(kind: Kind) {
    let db = Database::create(kind).await;
    let (first, first_writer) = writer(&db).await;
    let (second, second_writer) = writer(&db).await;

    // Each writer records 24 disclosures of 2 subjects, all at once, so that each one's
    // batches meet a head the other has moved.
    let mut calls = Vec::new();
    for n in 0..48u32 {
        let recorder = if n % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        calls.push(tokio::spawn(async move {
            record(&recorder, disclosure(&format!("w{n}"), 2 * n, 2)).await
        }));
    }
    let mut recorded = Vec::new();
    for call in calls {
        recorded.push(call.await.unwrap());
    }
    drop((first, second));
    assert!(
        first_writer
            .finish(std::time::Duration::from_secs(30))
            .await
    );
    assert!(
        second_writer
            .finish(std::time::Duration::from_secs(30))
            .await
    );

    assert!(recorded.iter().all(|r| !r.replayed));
    let ids: HashSet<i64> = recorded.iter().map(|r| r.receipt.disclosure_id).collect();
    assert_eq!(ids.len(), 48, "every disclosure has an id of its own");
    let entries: HashSet<i64> = recorded
        .iter()
        .flat_map(|r| r.receipt.first_entry_id..r.receipt.first_entry_id + 2)
        .collect();
    assert_eq!(entries.len(), 96, "no two disclosures share an entry");
    assert_eq!(db.disclosure_count().await, 48);
    assert_eq!(db.entry_count().await, 96);
    assert_log_verifies(&db).await;
}

async fn the_same_disclosure_from_two_writers_is_recorded_once_and_replayed_once(kind: Kind) {
    let db = Database::create(kind).await;
    let (first, first_writer) = writer(&db).await;
    let (second, second_writer) = writer(&db).await;

    // Whichever writer plans second finds the transfer id taken, before or at its insert.
    let (a, b) = tokio::join!(
        record(&first, disclosure("same", 0, 3)),
        record(&second, disclosure("same", 0, 3)),
    );
    drop((first, second));
    assert!(
        first_writer
            .finish(std::time::Duration::from_secs(30))
            .await
    );
    assert!(
        second_writer
            .finish(std::time::Duration::from_secs(30))
            .await
    );

    assert_eq!(a.receipt, b.receipt);
    assert_eq!(
        [a.replayed, b.replayed].iter().filter(|r| **r).count(),
        1,
        "one recorded, one replayed"
    );
    assert_eq!(db.disclosure_count().await, 1);
    assert_eq!(db.entry_count().await, 3);
    assert_log_verifies(&db).await;
}

async fn the_same_disclosure_twice_in_one_batch_is_recorded_once_and_replayed_once(kind: Kind) {
    let db = Database::create(kind).await;
    let (recorder, writer) = writer(&db).await;

    let (a, b) = tokio::join!(
        record(&recorder, disclosure("twice", 0, 2)),
        record(&recorder, disclosure("twice", 0, 2)),
    );
    drop(recorder);
    assert!(writer.finish(std::time::Duration::from_secs(30)).await);

    assert_eq!(a.receipt, b.receipt);
    assert_eq!(
        [a.replayed, b.replayed].iter().filter(|r| **r).count(),
        1,
        "one recorded, one replayed"
    );
    assert_eq!(db.disclosure_count().await, 1);
    assert_log_verifies(&db).await;
}
