//! Register catalogues: every disclosure is checked against its register, classified, and
//! refused or flagged as the register's policy says.

use luovutusloki::grpc::proto::{
    Classification, GetDisclosureRequest, GetRegisterRequest, ListDisclosuresRequest,
    ListRegistersRequest, RecipientIdType, RecipientKind, ReloadRegistersRequest,
};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, Options, TestApp, copy_catalogue, example_registers, on_both_backends};

on_both_backends!(
    the_koko_funds_monthly_incomes_register_submission_is_declared,
    a_disclosure_to_an_undeclared_recipient_is_flagged_where_the_register_flags,
    a_disclosure_to_an_undeclared_recipient_is_refused_where_the_register_rejects,
    a_disclosure_on_request_is_classified_on_request,
    an_unknown_register_is_refused,
    a_controller_that_is_not_the_registers_is_refused,
    a_joint_controller_records_into_the_shared_register,
    the_catalogue_lists_the_five_seed_registers,
    a_bad_file_on_reload_keeps_the_catalogue_in_force,
    a_transfer_to_a_declared_processor_is_declared,
    a_processor_given_more_than_it_is_declared_to_get_is_flagged,
    a_processor_the_register_does_not_declare_is_refused_where_it_rejects,
    article_28_is_refused_as_the_provision_of_a_disclosure,
    citing_an_act_repealed_before_the_disclosure_is_refused_where_the_register_rejects,
    the_register_lists_its_processors_apart_from_its_disclosures,
    every_seed_register_says_what_an_access_report_and_a_record_need,
    an_act_cited_before_its_repeal_is_declared_and_after_it_is_flagged,
);

async fn classification_of(app: &mut TestApp, controller: String, id: u64) -> Classification {
    let stored = app
        .client
        .get_disclosure(GetDisclosureRequest {
            controller_id: controller,
            disclosure_id: id,
        })
        .await
        .unwrap()
        .into_inner();
    stored.classification()
}

/// Records `request`, expects FAILED_PRECONDITION with `reason` in its message, and finds
/// nothing stored.
async fn assert_refused(
    app: &mut TestApp,
    request: luovutusloki::grpc::proto::RecordDisclosureRequest,
    reason: &str,
) {
    let refused = app.client.record_disclosure(request).await.unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().contains(reason), "{}", refused.message());
    assert_eq!(app.db.disclosure_count().await, 0);
}

async fn the_koko_funds_monthly_incomes_register_submission_is_declared(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let receipt = app
        .client
        .record_disclosure(income_register_submission("koko-2026-10", hetus(0, 1_000)))
        .await
        .unwrap()
        .into_inner();

    assert_eq!(
        classification_of(&mut app, koko(), receipt.disclosure_id).await,
        Classification::Declared
    );
    assert_eq!(app.db.entry_count().await, 1_000);
}

/// A private person as recipient: no register declares regular disclosures to one.
fn to_a_private_person(
    mut request: luovutusloki::grpc::proto::RecordDisclosureRequest,
) -> luovutusloki::grpc::proto::RecordDisclosureRequest {
    let recipient = request.recipient.as_mut().unwrap();
    recipient.id_type = RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "Yksityishenkilö".into();
    recipient.kind = RecipientKind::PrivatePerson.into();
    request
}

async fn a_disclosure_to_an_undeclared_recipient_is_flagged_where_the_register_flags(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_disclosure(income_register_submission("koko-ok", hetus(0, 1)))
        .await
        .unwrap();
    let request = to_a_private_person(income_register_submission("koko-x", hetus(1, 1)));

    let receipt = app
        .client
        .record_disclosure(request)
        .await
        .unwrap()
        .into_inner();
    let flagged = app
        .client
        .list_disclosures(ListDisclosuresRequest {
            controller_id: koko(),
            classification: Classification::Undeclared.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .disclosures;

    assert_eq!(
        classification_of(&mut app, koko(), receipt.disclosure_id).await,
        Classification::Undeclared
    );
    let flagged: Vec<_> = flagged.iter().map(|d| d.transfer_id.as_str()).collect();
    assert_eq!(
        flagged,
        ["koko-x"],
        "the review list holds only the flagged one"
    );
}

async fn a_disclosure_to_an_undeclared_recipient_is_refused_where_the_register_rejects(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let request = to_a_private_person(health_data_to_service_provider("kokkola-x", hetu(1)));

    assert_refused(
        &mut app,
        request,
        "no declared disclosure goes to this recipient",
    )
    .await;
}

async fn a_disclosure_on_request_is_classified_on_request(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = to_a_private_person(health_data_to_service_provider("kokkola-req", hetu(2)));
    // The police ask for a job seeker's contact details in a pre-trial investigation.
    let recipient = request.recipient.as_mut().unwrap();
    recipient.kind = RecipientKind::Authority.into();
    recipient.name = "Poliisi".into();
    request.legal_basis = luovutusloki::grpc::proto::LegalBasis::LegalObligation.into();
    request.special_category_condition = 0;
    request.consent_reference = String::new();
    request.data_categories = vec![
        luovutusloki::grpc::proto::DataCategory::Identity.into(),
        luovutusloki::grpc::proto::DataCategory::Contact.into(),
    ];
    request.provisions = vec![statute("872/2011", 4, "3", 0)];
    request.requester_reference = "POL-2026-1234".into();

    let receipt = app
        .client
        .record_disclosure(request)
        .await
        .unwrap()
        .into_inner();

    assert_eq!(
        classification_of(&mut app, KOKKOLA.into(), receipt.disclosure_id).await,
        Classification::OnRequest
    );
}

async fn an_unknown_register_is_refused(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = income_register_submission("koko-unknown", hetus(0, 1));
    request.register_id = "ei-ole-olemassa".into();

    assert_refused(&mut app, request, "ei-ole-olemassa").await;
}

async fn a_controller_that_is_not_the_registers_is_refused(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = income_register_submission("koko-other", hetus(0, 1));
    request.controller_id = KOKKOLA.into();

    assert_refused(&mut app, request, "not a controller of register").await;
}

async fn a_joint_controller_records_into_the_shared_register(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(
            KEHA,
            "suostumus-2026-0042",
            hetu(3),
        ))
        .await
        .unwrap();
    let mut request = health_data_to_service_provider("keha-joint", hetu(3));
    request.controller_id = KEHA.into();

    let receipt = app
        .client
        .record_disclosure(request)
        .await
        .unwrap()
        .into_inner();

    assert_eq!(
        classification_of(&mut app, KEHA.into(), receipt.disclosure_id).await,
        Classification::Declared
    );
}

/// The registers built from the five privacy notices in `shared/seeds`.
const SEED_REGISTERS: [&str; 5] = [
    "keha-palkkaturva-puhelut",
    "koko-jasen-ja-maksurekisteri",
    "kokkola-tyollisyyspalvelut",
    "pohjois-karjala-tyollisyysalue",
    "te-henkiloasiakasrekisteri",
];

/// Every register of the catalogue, as ListRegisters gives them.
async fn all_registers(app: &mut TestApp) -> Vec<luovutusloki::grpc::proto::Register> {
    app.client
        .list_registers(ListRegistersRequest::default())
        .await
        .unwrap()
        .into_inner()
        .registers
}

async fn the_catalogue_lists_the_five_seed_registers(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let all = all_registers(&mut app).await;
    let keha = app
        .client
        .list_registers(ListRegistersRequest {
            controller_id: KEHA.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .registers;
    let koko = app
        .client
        .get_register(GetRegisterRequest {
            register_id: "koko-jasen-ja-maksurekisteri".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let missing = app
        .client
        .get_register(GetRegisterRequest {
            register_id: "ei-ole-olemassa".into(),
        })
        .await
        .unwrap_err();

    let ids: Vec<_> = all.iter().map(|r| r.id.as_str()).collect();
    for seed in SEED_REGISTERS {
        assert!(ids.contains(&seed), "{seed} in {ids:?}");
    }
    let keha_ids: Vec<_> = keha.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        keha_ids,
        ["keha-palkkaturva-puhelut", "kokkola-tyollisyyspalvelut"]
    );
    assert!(
        koko.controllers[0].example,
        "KOKO's business ID is an example"
    );
    assert!(!koko.disclosures.is_empty());
    assert!(koko.third_country_transfers.is_empty());
    assert_eq!(missing.code(), Code::NotFound);
}

async fn a_bad_file_on_reload_keeps_the_catalogue_in_force(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    copy_catalogue(&example_registers(), dir.path());
    let mut app = TestApp::spawn_with(
        kind,
        Options {
            registers: Some(dir.path().to_owned()),
            ..Options::default()
        },
    )
    .await;
    let koko = dir.path().join("koko-jasen-ja-maksurekisteri.toml");
    let good = std::fs::read_to_string(&koko).unwrap();
    std::fs::write(
        &koko,
        good.replace("undeclared = \"flag\"", "undeclared = \"maybe\""),
    )
    .unwrap();

    let refused = app
        .client
        .reload_registers(ReloadRegistersRequest {})
        .await
        .unwrap_err();
    let still = app
        .client
        .record_disclosure(income_register_submission("koko-reload", hetus(0, 1)))
        .await;
    std::fs::write(&koko, good).unwrap();
    let reloaded = app
        .client
        .reload_registers(ReloadRegistersRequest {})
        .await
        .unwrap()
        .into_inner();

    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(
        refused
            .message()
            .contains("koko-jasen-ja-maksurekisteri.toml, line "),
        "{}",
        refused.message()
    );
    assert!(
        refused.message().contains("\"maybe\""),
        "{}",
        refused.message()
    );
    assert!(still.is_ok(), "the catalogue in force still serves");
    assert_eq!(reloaded.register_count, 5);
}

#[test]
fn the_command_line_checks_a_catalogue_and_lists_its_registers() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_luovutusloki"))
        .args(["registers", "check", "--registers"])
        .arg(example_registers())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();

    assert!(output.status.success());
    assert!(stdout.contains("kokkola-tyollisyyspalvelut: Työllisyyspalveluiden asiakasrekisteri"));
    assert!(
        stdout.contains("te-henkiloasiakasrekisteri.toml, line ")
            && stdout.contains("act 916/2012 was repealed on 2025-01-01"),
        "the TE register's provisions of the repealed act are warned about: {stdout}"
    );
    let last_line = format!("5 registers in {}: valid\n", example_registers().display());
    assert!(stdout.ends_with(&last_line), "{stdout}");
}

#[test]
fn a_bad_catalogue_stops_the_start_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let registers = dir.path().join("registers");
    std::fs::create_dir(&registers).unwrap();
    std::fs::write(registers.join("bad.toml"), "id = \"bad\"\nundeclared = 7\n").unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_luovutusloki"))
        .arg("serve")
        .env("LUOVUTUSLOKI_LISTEN", "127.0.0.1:0")
        .env("LUOVUTUSLOKI_DATABASE__DATA_DIR", dir.path().join("data"))
        .env("LUOVUTUSLOKI_REGISTERS__DIR", &registers)
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("bad.toml, line 2"), "{stderr}");
}

/// A transfer of call recordings to Elisa, which records KOKO's customer service calls
/// (seed 000): a processor, not a third party.
fn calls_to_elisa(transfer_id: &str) -> luovutusloki::grpc::proto::RecordDisclosureRequest {
    let mut request = income_register_submission(transfer_id, hetus(0, 1));
    let recipient = request.recipient.as_mut().unwrap();
    recipient.id_type = RecipientIdType::Other.into();
    recipient.identifier = "elisa".into();
    recipient.name = "Elisa".into();
    recipient.kind = RecipientKind::Processor.into();
    request.provisions = vec![statute("603/1984", 0, "1", 0)];
    request.data_categories = vec![
        luovutusloki::grpc::proto::DataCategory::Contact.into(),
        luovutusloki::grpc::proto::DataCategory::CallRecording.into(),
    ];
    request.channel = luovutusloki::grpc::proto::Channel::Other.into();
    request
}

async fn a_transfer_to_a_declared_processor_is_declared(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let classification = recorded_at_koko(&mut app, calls_to_elisa("elisa-1")).await;

    assert_eq!(classification, Classification::Declared);
}

/// Records `request` at the KOKO fund and returns how it was classified.
async fn recorded_at_koko(
    app: &mut TestApp,
    request: luovutusloki::grpc::proto::RecordDisclosureRequest,
) -> Classification {
    let receipt = app
        .client
        .record_disclosure(request)
        .await
        .unwrap()
        .into_inner();
    classification_of(app, koko(), receipt.disclosure_id).await
}

async fn a_processor_given_more_than_it_is_declared_to_get_is_flagged(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = calls_to_elisa("elisa-2");
    request
        .data_categories
        .push(luovutusloki::grpc::proto::DataCategory::BenefitPayment.into());

    let classification = recorded_at_koko(&mut app, request).await;

    assert_eq!(classification, Classification::Undeclared);
}

async fn a_processor_the_register_does_not_declare_is_refused_where_it_rejects(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = health_data_to_service_provider("kokkola-processor", hetu(1));
    request.recipient.as_mut().unwrap().kind = RecipientKind::Processor.into();

    assert_refused(&mut app, request, "the register declares no such processor").await;
}

async fn article_28_is_refused_as_the_provision_of_a_disclosure(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = calls_to_elisa("elisa-28");
    request.provisions = vec![luovutusloki::grpc::proto::LegalProvision {
        kind: luovutusloki::grpc::proto::ProvisionKind::EuRegulation.into(),
        number: "2016/679".into(),
        section: "28".into(),
        ..Default::default()
    }];

    let refused = app.client.record_disclosure(request).await.unwrap_err();

    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(bad_fields(&refused).contains(&"provisions".to_owned()));
    assert_eq!(app.db.disclosure_count().await, 0);
}

async fn citing_an_act_repealed_before_the_disclosure_is_refused_where_the_register_rejects(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .record_consent(service_provider_consent(
            KOKKOLA,
            "suostumus-2026-0042",
            hetu(5),
        ))
        .await
        .unwrap();
    let mut request = health_data_to_service_provider("kokkola-916", hetu(5));
    // The Act on Public Employment and Business Service, repealed by 380/2023 on 1.1.2025.
    request.provisions = vec![statute("916/2012", 12, "6", 2)];

    assert_refused(&mut app, request, "repealed on 2025-01-01").await;
}

async fn the_register_lists_its_processors_apart_from_its_disclosures(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let koko = app
        .client
        .get_register(GetRegisterRequest {
            register_id: "koko-jasen-ja-maksurekisteri".into(),
        })
        .await
        .unwrap()
        .into_inner();

    let processors: Vec<_> = koko
        .processors
        .iter()
        .map(|p| p.name.as_ref().unwrap().fi.as_str())
        .collect();
    assert!(processors.contains(&"Ninchat"), "{processors:?}");
    assert!(
        koko.disclosures
            .iter()
            .all(|d| d.recipient_kind() != RecipientKind::Processor),
        "no processor is declared as a recipient of a disclosure"
    );
    let ninchat = koko
        .processors
        .iter()
        .find(|p| p.name.as_ref().unwrap().fi == "Ninchat");
    assert_eq!(
        ninchat.unwrap().data_items.as_ref().unwrap().en,
        "Member number and first name, and the content of the chat"
    );
}

async fn every_seed_register_says_what_an_access_report_and_a_record_need(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let registers = all_registers(&mut app).await;

    for seed in SEED_REGISTERS {
        let register = registers.iter().find(|r| r.id == seed).unwrap();
        let sources = register.sources.as_ref().unwrap();
        let measures = register.security_measures.as_ref().unwrap();
        let automated = register.automated_decisions.as_ref().unwrap();
        assert!(!sources.sv.is_empty(), "{seed}: sources");
        assert!(!measures.en.is_empty(), "{seed}: security measures");
        assert!(!automated.fi.is_empty(), "{seed}: automated decisions");
        for group in &register.on_request {
            let purpose = group.purpose.as_ref().unwrap();
            assert!(
                !purpose.fi.is_empty() && !purpose.sv.is_empty() && !purpose.en.is_empty(),
                "{seed}: every on-request group says in each language what it gets data for"
            );
        }
        if register.controllers.len() > 1 {
            let joint = register.joint_arrangement.as_ref().unwrap();
            assert!(
                register
                    .controllers
                    .iter()
                    .any(|c| c.business_id == joint.contact_point),
                "{seed}: the contact point is one of the controllers"
            );
        }
    }
    let kokkola = registers
        .iter()
        .find(|r| r.id == "kokkola-tyollisyyspalvelut")
        .unwrap();
    let researchers = kokkola
        .on_request
        .iter()
        .find(|g| g.recipient_kind() == RecipientKind::PrivatePerson)
        .unwrap();
    assert_eq!(
        researchers.purpose.as_ref().unwrap().sv,
        "Vetenskaplig forskning"
    );
    let city = &kokkola.controllers[0];
    assert_eq!(
        city.names.as_ref().unwrap().sv,
        "Karleby stad (sysselsättningstjänster, Karleby stadsstyrelse)"
    );
    assert_eq!(
        city.dpo.as_ref().unwrap().contact.as_ref().unwrap().email,
        "anna.vierimaa@kokkola.fi"
    );
}

/// A TE office's labour policy statement to Kela under 916/2012 (seed 003), on `seconds`.
fn te_statement_to_kela(
    transfer_id: &str,
    seconds: i64,
) -> luovutusloki::grpc::proto::RecordDisclosureRequest {
    let mut request = income_register_submission(transfer_id, hetus(0, 1));
    request.controller_id = example_business_id(9_990_010);
    request.register_id = "te-henkiloasiakasrekisteri".into();
    request.occurred_at = at(seconds);
    let recipient = request.recipient.as_mut().unwrap();
    recipient.identifier = example_business_id(9_990_003);
    recipient.name = "Kansaneläkelaitos".into();
    request.provisions = vec![statute("916/2012", 0, "", 0)];
    request.data_categories = vec![
        luovutusloki::grpc::proto::DataCategory::Identity.into(),
        luovutusloki::grpc::proto::DataCategory::BenefitApplication.into(),
    ];
    request.channel = luovutusloki::grpc::proto::Channel::SuomiFiXRoad.into();
    request
}

async fn an_act_cited_before_its_repeal_is_declared_and_after_it_is_flagged(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    // 2024-10-05T09:00:00Z, before 916/2012 was repealed on 1.1.2025.
    let october_2024 = OCTOBER_2026 - 2 * 365 * 86_400;
    let te_offices = example_business_id(9_990_010);

    let before = app
        .client
        .record_disclosure(te_statement_to_kela("te-2024", october_2024))
        .await
        .unwrap()
        .into_inner();
    let after = app
        .client
        .record_disclosure(te_statement_to_kela("te-2026", OCTOBER_2026))
        .await
        .unwrap()
        .into_inner();

    assert_eq!(
        classification_of(&mut app, te_offices.clone(), before.disclosure_id).await,
        Classification::Declared
    );
    assert_eq!(
        classification_of(&mut app, te_offices, after.disclosure_id).await,
        Classification::Undeclared
    );
}
