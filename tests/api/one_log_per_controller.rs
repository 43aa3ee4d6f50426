//! One log per controller (setting `controllers`): two instances, each bound to one
//! controller and on a database of its own, record their own controller's disclosures,
//! refuse the other's by the controller rule, grow their trees apart under origins of their
//! own, and answer access lookups from their own entries only. A bound log does not start on
//! a database that holds another controller's disclosures.

use luovutusloki::domain::{BusinessId, LogControllers};
use luovutusloki::grpc::proto::{
    self, DataCategory, DisclosureStatisticsRequest, GetCheckpointRequest, GetConsentRequest,
    GetInclusionProofRequest, LegalBasis, ListAccessLookupsRequest, ListDisclosuresRequest,
    ListSubjectDisclosuresRequest, ProcessingRecordRequest, RecipientIdType, RecipientKind,
    RecordDisclosureRequest,
};
use tonic_types::StatusExt;

use crate::fixtures::*;
use crate::harness::{Database, Kind, Options, StoppedService, TestApp, on_both_backends};

on_both_backends!(
    each_log_records_its_own_controller_and_refuses_the_other_by_the_controller_rule,
    the_two_logs_grow_apart_under_origins_of_their_own,
    an_access_lookup_on_one_log_finds_only_its_own_controllers_entries,
    a_bound_log_refuses_to_start_on_a_database_holding_another_controllers_disclosures,
    the_binary_bound_by_its_environment_refuses_a_database_of_another_controller,
    the_dashboard_offers_only_the_controllers_of_its_log,
    a_command_on_a_bound_log_refuses_another_controller_as_the_service_does,
    every_call_naming_another_controller_is_refused_rather_than_answered_from_nothing,
);

/// A register of `controller` alone, named `id`.
fn register_of(id: &str, controller: &str) -> String {
    format!(
        r#"# Written by tests/api/one_log_per_controller.rs.
id = "{id}"
undeclared = "reject"
source = "Test fixture"
name = {{ fi = "Rekisteri {id}", sv = "Register {id}", en = "Register {id}" }}
controllers = [{{ business_id = "{controller}", name = "Rekisterinpitäjä {controller}" }}]
purposes = {{ fi = ["Testi"], sv = ["Test"], en = ["Test"] }}
legal_bases = ["legal_obligation"]
subject_categories = {{ fi = ["Asiakkaat"], sv = ["Kunder"], en = ["Customers"] }}
data_categories = ["identity", "job_seeking"]
retention = {{ fi = "Testi", sv = "Test", en = "Test" }}
sources = {{ fi = ["Testi"], sv = ["Test"], en = ["Test"] }}
automated_decisions = {{ fi = "Ei automaattisia päätöksiä", sv = "Inga automatiserade beslut", en = "No automated decisions" }}
security_measures = {{ fi = ["Testi"], sv = ["Test"], en = ["Test"] }}
third_country_transfers = []

[[disclosures]]
recipient_name = "Palveluntuottajat"
recipient_kind = "service_provider"
provisions = ["380/2023"]
data_categories = ["identity", "job_seeking"]
purpose = {{ fi = "a", sv = "a", en = "a" }}
legal_basis = "legal_obligation"
"#
    )
}

/// The register each controller records in.
fn register(controller: &str) -> String {
    format!("tyollisyys-{controller}")
}

/// One catalogue for both instances, as an organisation would deploy it: a register of
/// Kokkola's and one of KEHA-keskus's.
fn catalogue() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for controller in [KOKKOLA, KEHA] {
        std::fs::write(
            dir.path().join(format!("{controller}.toml")),
            register_of(&register(controller), controller),
        )
        .unwrap();
    }
    dir
}

/// The origin of `controller`'s log, as docs/operations.md recommends.
fn origin(controller: &str) -> String {
    format!("tietosuoja.example.fi/luovutusloki/{controller}")
}

/// Options of a log bound to `controllers` (none: unbound), reading `catalogue`.
fn bound_to(controllers: &[&str], catalogue: &tempfile::TempDir) -> Options {
    Options {
        registers: Some(catalogue.path().to_owned()),
        controllers: LogControllers::only(
            controllers.iter().map(|id| BusinessId::parse(id).unwrap()),
        ),
        origin: controllers.first().map(|id| origin(id)),
        ..Options::default()
    }
}

/// Kokkola's log and KEHA-keskus's log, each on a database of its own.
async fn two_logs(kind: Kind, catalogue: &tempfile::TempDir) -> (TestApp, TestApp) {
    let kokkola = TestApp::spawn_with(kind, bound_to(&[KOKKOLA], catalogue)).await;
    let keha = TestApp::spawn_with(kind, bound_to(&[KEHA], catalogue)).await;
    (kokkola, keha)
}

/// `controller` discloses `subjects` to a service provider, as transfer `transfer_id`.
fn disclosure(
    controller: &str,
    transfer_id: &str,
    subjects: Vec<String>,
) -> RecordDisclosureRequest {
    RecordDisclosureRequest {
        controller_id: controller.into(),
        transfer_id: transfer_id.into(),
        occurred_at: at(OCTOBER_2026),
        register_id: register(controller),
        recipient: Some(proto::Recipient {
            id_type: RecipientIdType::BusinessId.into(),
            identifier: example_business_id(3_000_001),
            name: "Palveluntuottaja Oy".into(),
            kind: RecipientKind::ServiceProvider.into(),
            country: "FI".into(),
        }),
        legal_basis: LegalBasis::LegalObligation.into(),
        provisions: vec![statute("380/2023", 0, "", 0)],
        data_categories: vec![
            DataCategory::Identity.into(),
            DataCategory::JobSeeking.into(),
        ],
        purpose: "Palvelun tuottaminen".into(),
        channel: proto::Channel::Email.into(),
        source_system: "asiakastietojarjestelma".into(),
        subjects,
        ..Default::default()
    }
}

/// Asserts that `status` is the controller rule's refusal, naming the controller field.
fn assert_refused_by_the_controller_rule(status: &tonic::Status) {
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    let failure = status
        .get_details_precondition_failure()
        .expect("the refusal says which precondition failed");
    let [violation] = failure.violations.as_slice() else {
        panic!("one violation: {failure:?}");
    };
    assert_eq!(violation.r#type, "CONTROLLER_NOT_IN_THIS_LOG");
    assert_eq!(violation.subject, "controller_id");
}

/// The latest checkpoint once it covers `size` entries (published a moment after the reply).
async fn checkpoint_of(app: &mut TestApp, size: u64) -> proto::Checkpoint {
    for _ in 0..100 {
        let latest = app
            .client
            .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
            .await
            .map(tonic::Response::into_inner);
        if let Ok(latest) = latest
            && latest.tree_size == size
        {
            return latest;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no checkpoint of {size} entries within two seconds");
}

async fn each_log_records_its_own_controller_and_refuses_the_other_by_the_controller_rule(
    kind: Kind,
) {
    let catalogue = catalogue();
    let (mut kokkola, mut keha) = two_logs(kind, &catalogue).await;

    let own_in_kokkola = kokkola
        .client
        .record_disclosure(disclosure(KOKKOLA, "k-1", hetus(1, 2)))
        .await;
    let own_in_keha = keha
        .client
        .record_disclosure(disclosure(KEHA, "h-1", hetus(1, 2)))
        .await;
    let keha_in_kokkola = kokkola
        .client
        .record_disclosure(disclosure(KEHA, "h-2", hetus(10, 2)))
        .await
        .unwrap_err();
    let kokkola_in_keha = keha
        .client
        .record_disclosure(disclosure(KOKKOLA, "k-2", hetus(10, 2)))
        .await
        .unwrap_err();
    let imported = keha
        .client
        .import_disclosures(tokio_stream::iter([
            disclosure(KEHA, "h-3", hetus(20, 1)),
            disclosure(KOKKOLA, "k-3", hetus(20, 1)),
        ]))
        .await
        .unwrap()
        .into_inner();

    own_in_kokkola.unwrap();
    own_in_keha.unwrap();
    assert_refused_by_the_controller_rule(&keha_in_kokkola);
    assert_refused_by_the_controller_rule(&kokkola_in_keha);
    let codes: Vec<i32> = imported.results.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [
            tonic::Code::Ok as i32,
            tonic::Code::FailedPrecondition as i32
        ]
    );
    assert!(
        imported.results[1].message.contains("controller rule"),
        "an imported disclosure says which rule refused it: {}",
        imported.results[1].message
    );
    assert_eq!(kokkola.db.disclosure_count().await, 1);
    assert_eq!(keha.db.disclosure_count().await, 2);
    assert_eq!(
        kokkola.db.entry_count().await,
        2,
        "nothing of KEHA's is stored"
    );
}

async fn the_two_logs_grow_apart_under_origins_of_their_own(kind: Kind) {
    let catalogue = catalogue();
    let (mut kokkola, mut keha) = two_logs(kind, &catalogue).await;

    for (n, transfer) in ["k-1", "k-2", "k-3"].into_iter().enumerate() {
        kokkola
            .client
            .record_disclosure(disclosure(KOKKOLA, transfer, hetus(n as u32 * 10, 2)))
            .await
            .unwrap();
    }
    keha.client
        .record_disclosure(disclosure(KEHA, "h-1", hetus(1, 1)))
        .await
        .unwrap();
    let kokkola_checkpoint = checkpoint_of(&mut kokkola, 6).await;
    let keha_checkpoint = checkpoint_of(&mut keha, 1).await;

    let first_line = |note: &str| note.lines().next().unwrap().to_owned();
    assert_eq!(first_line(&kokkola_checkpoint.note), origin(KOKKOLA));
    assert_eq!(first_line(&keha_checkpoint.note), origin(KEHA));
    assert_ne!(kokkola_checkpoint.root_hash, keha_checkpoint.root_hash);
}

async fn an_access_lookup_on_one_log_finds_only_its_own_controllers_entries(kind: Kind) {
    let catalogue = catalogue();
    let (mut kokkola, mut keha) = two_logs(kind, &catalogue).await;
    let person = hetu(42);
    kokkola
        .client
        .record_disclosure(disclosure(KOKKOLA, "k-1", vec![person.clone()]))
        .await
        .unwrap();
    keha.client
        .record_disclosure(disclosure(KEHA, "h-1", vec![person.clone(), hetu(43)]))
        .await
        .unwrap();
    let lookup = |controller: &str| ListSubjectDisclosuresRequest {
        controller_id: controller.into(),
        subject: person.clone(),
        context: access_case(),
        ..Default::default()
    };
    let lookups_before = kokkola
        .db
        .scalar("SELECT COUNT(*) FROM access_lookups")
        .await;

    let found = kokkola
        .client
        .list_subject_disclosures(lookup(KOKKOLA))
        .await
        .unwrap()
        .into_inner();
    let refused = kokkola
        .client
        .list_subject_disclosures(lookup(KEHA))
        .await
        .unwrap_err();

    let transfers: Vec<String> = found
        .disclosures
        .into_iter()
        .map(|s| s.disclosure.unwrap().transfer_id)
        .collect();
    assert_eq!(transfers, ["k-1"]);
    assert_refused_by_the_controller_rule(&refused);
    assert_eq!(
        kokkola
            .db
            .scalar("SELECT COUNT(*) FROM access_lookups")
            .await,
        lookups_before + 1,
        "the lookup for KEHA-keskus is not recorded in Kokkola's log"
    );
}

async fn a_bound_log_refuses_to_start_on_a_database_holding_another_controllers_disclosures(
    kind: Kind,
) {
    let catalogue = catalogue();
    let mut mixed = TestApp::spawn_with(kind, bound_to(&[], &catalogue)).await;
    for (controller, transfer) in [(KOKKOLA, "k-1"), (KEHA, "h-1")] {
        mixed
            .client
            .record_disclosure(disclosure(controller, transfer, hetus(1, 1)))
            .await
            .unwrap();
    }
    let db: Database = mixed.stop().await;

    let (refusal, db) = TestApp::start_refused(db, bound_to(&[KOKKOLA], &catalogue)).await;
    let both = TestApp::start(db, bound_to(&[KOKKOLA, KEHA], &catalogue)).await;

    let why = format!("{refusal:#}");
    assert!(why.contains(KEHA), "names the other controller: {why}");
    assert!(why.contains("controllers"), "names the setting: {why}");
    assert_eq!(
        both.stop().await.disclosure_count().await,
        2,
        "a log bound to every controller it holds starts and serves"
    );
}

async fn the_binary_bound_by_its_environment_refuses_a_database_of_another_controller(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-1", hetus(1, 1))],
    )
    .await;

    let mut serve = store
        .command(&["serve"])
        .env("LUOVUTUSLOKI_LISTEN", "127.0.0.1:0")
        .env("LUOVUTUSLOKI_CONTROLLERS", format!("[\"{KOKKOLA}\"]"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut exited = None;
    for _ in 0..300 {
        exited = serve.try_wait().unwrap();
        if exited.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if exited.is_none() {
        serve.kill().unwrap();
    }
    let output = serve.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(
        exited.is_some(),
        "the service did not refuse to start: {stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&koko()),
        "names the controller stored: {stderr}"
    );
    assert!(stderr.contains(KOKKOLA), "names the binding: {stderr}");
}

async fn the_dashboard_offers_only_the_controllers_of_its_log(kind: Kind) {
    let catalogue = catalogue();
    let unbound = TestApp::spawn_with(kind, bound_to(&[], &catalogue)).await;
    let kokkola = TestApp::spawn_with(kind, bound_to(&[KOKKOLA], &catalogue)).await;
    let offered = |controller: &str| format!("value=\"{controller}\"");

    let unbound_page = crate::web::get(&unbound, "/overview").await;
    let kokkola_page = crate::web::get(&kokkola, "/overview").await;

    assert_eq!(unbound_page.status, 200);
    assert!(
        unbound_page.body.contains(&offered(KEHA)),
        "{}",
        unbound_page.body
    );
    assert_eq!(kokkola_page.status, 200);
    assert!(kokkola_page.body.contains(&offered(KOKKOLA)));
    assert!(
        !kokkola_page.body.contains(&offered(KEHA)),
        "{}",
        kokkola_page.body
    );
}

async fn a_command_on_a_bound_log_refuses_another_controller_as_the_service_does(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-1", hetus(1, 1))],
    )
    .await;
    let statistics = |controller: &str| {
        store
            .command(&[
                "report",
                "statistics",
                "--controller",
                controller,
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-31",
            ])
            .env("LUOVUTUSLOKI_CONTROLLERS", format!("[\"{}\"]", koko()))
            .output()
            .unwrap()
    };

    let own = statistics(&koko());
    let other = statistics(KOKKOLA);

    assert_eq!(own.status.code(), Some(0), "{own:?}");
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert_eq!(other.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("controller rule"), "{stderr}");
}

async fn every_call_naming_another_controller_is_refused_rather_than_answered_from_nothing(
    kind: Kind,
) {
    let catalogue = catalogue();
    let mut kokkola = TestApp::spawn_with(kind, bound_to(&[KOKKOLA], &catalogue)).await;
    kokkola
        .client
        .record_disclosure(disclosure(KOKKOLA, "k-1", hetus(1, 1)))
        .await
        .unwrap();
    let client = &mut kokkola.client;
    let keha = || KEHA.to_owned();

    let refusals = [
        client
            .list_disclosures(ListDisclosuresRequest {
                controller_id: keha(),
                ..Default::default()
            })
            .await
            .map(drop),
        client
            .disclosure_statistics(DisclosureStatisticsRequest {
                controller_id: keha(),
                from_date: "2026-10-01".into(),
                to_date: "2026-10-31".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        client
            .processing_record(ProcessingRecordRequest {
                controller_id: keha(),
                register_id: register(KEHA),
                from_date: "2026-10-01".into(),
                to_date: "2026-10-31".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        client
            .list_access_lookups(ListAccessLookupsRequest {
                controller_id: keha(),
                ..Default::default()
            })
            .await
            .map(drop),
        client
            .get_consent(GetConsentRequest {
                controller_id: keha(),
                reference: "suostumus-1".into(),
            })
            .await
            .map(drop),
        client
            .get_inclusion_proof(GetInclusionProofRequest {
                controller_id: keha(),
                entry_id: 0,
                tree_size: 1,
            })
            .await
            .map(drop),
    ];

    for refusal in refusals {
        assert_refused_by_the_controller_rule(&refusal.unwrap_err());
    }
}
