//! Joint controllers (Art. 26): where a joint register's arrangement says its records are
//! shared, each joint controller's subject listing, access report and record of processing
//! cover the register's disclosures recorded by either; otherwise each sees its own.
//! Statistics stay per recording controller.

use luovutusloki::grpc::proto::{
    self, DataCategory, DisclosureStatisticsRequest, LegalBasis, ListSubjectDisclosuresRequest,
    ProcessingRecordRequest, RecipientIdType, RecipientKind, RecordDisclosureRequest,
    ReportLanguage, StatisticsDimension, SubjectAccessReportRequest,
};

use crate::fixtures::*;
use crate::harness::{Kind, Options, TestApp, on_both_backends};

on_both_backends!(
    each_joint_controller_sees_the_shared_registers_disclosures_recorded_by_either,
    each_joint_controller_sees_only_its_own_where_records_are_not_shared,
    the_record_of_processing_of_a_shared_register_counts_both_controllers_and_statistics_do_not,
);

const SHARED: &str = "yhteinen-jaettu";
const SEPARATE: &str = "yhteinen-erillinen";

/// A register of Kokkola and KEHA-keskus as joint controllers, with `shared_records`.
fn joint_register(id: &str, shared_records: bool) -> String {
    format!(
        r#"# Written by tests/api/joint_controllers.rs.
id = "{id}"
undeclared = "reject"
source = "Test fixture"
name = {{ fi = "Yhteinen {id}", sv = "Gemensam {id}", en = "Joint {id}" }}
controllers = [
  {{ business_id = "{KOKKOLA}", name = "Kokkolan kaupunki" }},
  {{ business_id = "{KEHA}", name = "KEHA-keskus" }},
]
purposes = {{ fi = ["Testi"], sv = ["Test"], en = ["Test"] }}
legal_bases = ["legal_obligation"]
subject_categories = {{ fi = ["Asiakkaat"], sv = ["Kunder"], en = ["Customers"] }}
data_categories = ["identity", "job_seeking"]
retention = {{ fi = "Testi", sv = "Test", en = "Test" }}
sources = {{ fi = ["Testi"], sv = ["Test"], en = ["Test"] }}
automated_decisions = {{ fi = "Ei automaattisia päätöksiä", sv = "Inga automatiserade beslut", en = "No automated decisions" }}
security_measures = {{ fi = ["Testi"], sv = ["Test"], en = ["Test"] }}
third_country_transfers = []

[joint_arrangement]
summary = {{ fi = "Testi", sv = "Test", en = "Test" }}
shared_records = {shared_records}

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

async fn spawn(kind: Kind) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jaettu.toml"), joint_register(SHARED, true)).unwrap();
    std::fs::write(
        dir.path().join("erillinen.toml"),
        joint_register(SEPARATE, false),
    )
    .unwrap();
    let app = TestApp::spawn_with(
        kind,
        Options {
            registers: Some(dir.path().to_owned()),
            ..Default::default()
        },
    )
    .await;
    (app, dir)
}

fn person() -> String {
    hetu(42)
}

/// `controller` discloses `person()` and `others` more to a service provider named
/// `recipient`, in `register`, `day` days into October 2026.
fn disclosure(
    controller: &str,
    register: &str,
    recipient: &str,
    day: i64,
    others: u32,
) -> RecordDisclosureRequest {
    let mut subjects = vec![person()];
    subjects.extend(hetus(100 + day as u32 * 10, others));
    RecordDisclosureRequest {
        controller_id: controller.into(),
        transfer_id: recipient.into(),
        occurred_at: at(OCTOBER_2026 + day * 86_400),
        register_id: register.into(),
        recipient: Some(proto::Recipient {
            id_type: RecipientIdType::BusinessId.into(),
            identifier: example_business_id(3_000_000 + day as u32),
            name: recipient.into(),
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

/// Kokkola and KEHA-keskus each record one disclosure of `person()` in `register`.
async fn both_record(app: &mut TestApp, register: &str) {
    for (day, controller, recipient) in [
        (1, KOKKOLA, format!("{register}-kokkola")),
        (2, KEHA, format!("{register}-keha")),
    ] {
        app.client
            .record_disclosure(disclosure(controller, register, &recipient, day, 2))
            .await
            .unwrap();
    }
}

/// The transfer ids of `person()`'s disclosures listed for `controller`.
async fn listed_for(app: &mut TestApp, controller: &str) -> Vec<String> {
    app.client
        .list_subject_disclosures(ListSubjectDisclosuresRequest {
            controller_id: controller.into(),
            subject: person(),
            context: access_case(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .disclosures
        .into_iter()
        .map(|s| s.disclosure.unwrap().transfer_id)
        .collect()
}

/// The recipients in `person()`'s access report made by `controller`.
async fn reported_for(app: &mut TestApp, controller: &str) -> Vec<String> {
    app.client
        .subject_access_report(SubjectAccessReportRequest {
            controller_id: controller.into(),
            subject: person(),
            language: ReportLanguage::Fi.into(),
            context: access_case(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .entries
        .into_iter()
        .map(|e| e.recipient.unwrap().name)
        .collect()
}

async fn each_joint_controller_sees_the_shared_registers_disclosures_recorded_by_either(
    kind: Kind,
) {
    let (mut app, _dir) = spawn(kind).await;
    both_record(&mut app, SHARED).await;

    let kokkola_lists = listed_for(&mut app, KOKKOLA).await;
    let keha_lists = listed_for(&mut app, KEHA).await;
    let kokkola_reports = reported_for(&mut app, KOKKOLA).await;
    let keha_reports = reported_for(&mut app, KEHA).await;

    let both = ["yhteinen-jaettu-kokkola", "yhteinen-jaettu-keha"];
    assert_eq!(kokkola_lists, both);
    assert_eq!(keha_lists, both);
    assert_eq!(kokkola_reports, both);
    assert_eq!(keha_reports, both);
}

async fn each_joint_controller_sees_only_its_own_where_records_are_not_shared(kind: Kind) {
    let (mut app, _dir) = spawn(kind).await;
    both_record(&mut app, SEPARATE).await;

    let kokkola_lists = listed_for(&mut app, KOKKOLA).await;
    let keha_lists = listed_for(&mut app, KEHA).await;
    let kokkola_reports = reported_for(&mut app, KOKKOLA).await;
    let keha_reports = reported_for(&mut app, KEHA).await;

    assert_eq!(kokkola_lists, ["yhteinen-erillinen-kokkola"]);
    assert_eq!(keha_lists, ["yhteinen-erillinen-keha"]);
    assert_eq!(kokkola_reports, ["yhteinen-erillinen-kokkola"]);
    assert_eq!(keha_reports, ["yhteinen-erillinen-keha"]);
}

/// Disclosures and subject entries in `controller`'s record of `register` for October 2026.
async fn record_counts(app: &mut TestApp, controller: &str, register: &str) -> (u64, u64) {
    let record = app
        .client
        .processing_record(ProcessingRecordRequest {
            controller_id: controller.into(),
            register_id: register.into(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    (record.disclosures, record.subject_entries)
}

/// Disclosures `controller` recorded in `register` in October 2026, by its statistics.
async fn statistics_count(app: &mut TestApp, controller: &str, register: &str) -> u64 {
    app.client
        .disclosure_statistics(DisclosureStatisticsRequest {
            controller_id: controller.into(),
            register_id: register.into(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            group_by: vec![StatisticsDimension::Register.into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .groups
        .iter()
        .map(|g| g.disclosures)
        .sum()
}

async fn the_record_of_processing_of_a_shared_register_counts_both_controllers_and_statistics_do_not(
    kind: Kind,
) {
    let (mut app, _dir) = spawn(kind).await;
    both_record(&mut app, SHARED).await;
    both_record(&mut app, SEPARATE).await;

    let shared = (
        record_counts(&mut app, KOKKOLA, SHARED).await,
        record_counts(&mut app, KEHA, SHARED).await,
    );
    let separate = (
        record_counts(&mut app, KOKKOLA, SEPARATE).await,
        record_counts(&mut app, KEHA, SEPARATE).await,
    );
    let statistics = (
        statistics_count(&mut app, KOKKOLA, SHARED).await,
        statistics_count(&mut app, KEHA, SHARED).await,
    );

    // Each disclosure covers the person and two others.
    assert_eq!(shared, ((2, 6), (2, 6)));
    assert_eq!(separate, ((1, 3), (1, 3)));
    assert_eq!(statistics, (1, 1));
}
