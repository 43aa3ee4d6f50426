//! Access reports (GDPR Art. 15): a member's disclosures as a document they can read.

use luovutusloki::grpc::proto::{
    self, ListAccessLookupsRequest, LookupOperation, ReportLanguage, SubjectAccessReportRequest,
    Withholding,
};
use prost_types::Timestamp;
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, StoppedService, TestApp, on_both_backends};

on_both_backends!(
    a_members_report_in_finnish_lists_every_disclosure_with_its_statutes_and_hides_a_withheld_one,
    a_report_request_without_language_or_context_names_both,
    the_pdf_of_a_report_is_given_when_asked_for,
    the_command_line_writes_the_same_report_and_records_the_lookup,
    a_swedish_report_names_the_on_request_group_and_quotes_an_undeclared_purpose,
);

/// A year of one KOKO member (hetu(0)) and another member (hetu(1)): the Incomes Register,
/// the Finnish Centre for Pensions, the Tax Administration, and a disclosure to the police
/// that is withheld from the member for now.
async fn record_members_year(app: &mut TestApp) {
    let both = vec![hetu(0), hetu(1)];
    app.client
        .record_disclosure(income_register_submission(
            "koko-tulorekisteri",
            both.clone(),
        ))
        .await
        .unwrap();

    let mut pension = income_register_submission("koko-etk", both);
    pension.occurred_at = at(OCTOBER_2026 + 86_400);
    let etk = pension.recipient.as_mut().unwrap();
    etk.identifier = example_business_id(9_990_009);
    etk.name = "Eläketurvakeskus".into();
    etk.kind = proto::RecipientKind::PensionInstitution.into();
    pension.provisions = vec![statute("1290/2002", 13, "3", 0)];
    pension.purpose = "Työttömyysetuuksien ilmoittaminen ansaintarekisteriin".into();
    pension.channel = proto::Channel::SuomiFiXRoad.into();
    app.client.record_disclosure(pension).await.unwrap();

    let mut tax = income_register_submission("koko-vero", vec![hetu(0)]);
    tax.occurred_at = at(OCTOBER_2026 + 2 * 86_400);
    tax.recipient.as_mut().unwrap().name = "Verohallinto".into();
    tax.provisions = vec![statute("1290/2002", 13, "1", 0)];
    tax.purpose = "Ennakonpidätystietojen ilmoittaminen".into();
    tax.channel = proto::Channel::FileTransfer.into();
    app.client.record_disclosure(tax).await.unwrap();

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut police = to_pre_trial_investigation("koko-poliisi", hetu(0));
    police.occurred_at = at(OCTOBER_2026 + 3 * 86_400);
    police.withholding = Some(Withholding {
        until: Some(Timestamp {
            seconds: now + 365 * 86_400,
            nanos: 0,
        }),
        reason: "Esitutkinta kesken (tietosuojalaki 34 §)".into(),
        ..Default::default()
    });
    app.client.record_disclosure(police).await.unwrap();
}

async fn a_members_report_in_finnish_lists_every_disclosure_with_its_statutes_and_hides_a_withheld_one(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    record_members_year(&mut app).await;

    let member = app.access_report(hetu(0), ReportLanguage::Fi).await;
    let other = app.access_report(hetu(1), ReportLanguage::Fi).await;
    let lookups = app
        .client
        .list_access_lookups(ListAccessLookupsRequest {
            controller_id: koko(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .lookups;

    let recipients: Vec<_> = member
        .entries
        .iter()
        .map(|e| e.recipient.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(
        recipients,
        [
            "Verohallinto, tulorekisteriyksikkö",
            "Eläketurvakeskus",
            "Verohallinto"
        ]
    );
    assert_eq!(member.withheld_count, 1);
    assert_eq!(
        member.withheld[0].reason,
        "Esitutkinta kesken (tietosuojalaki 34 §)"
    );
    for document in [&member.text, &member.html] {
        assert!(document.contains("Vastaus henkilötietojen tarkastuspyyntöön"));
        assert!(document.contains("Diaarinumero"));
        assert!(document.contains("Oikeusperuste"));
        assert!(document.contains("Työttömyysturvalaki (1290/2002) 13 luku 3 §"));
        assert!(document.contains("Laki tulotietojärjestelmästä (53/2018) 6 §"));
        assert!(document.contains("Jäsentieto"), "the register's name");
        assert!(
            !document.contains("Poliisi"),
            "the withheld one is left out"
        );
        // 34 §: the person is told that access is restricted, and why, and no total is
        // stated that would leave the withheld one out silently.
        assert!(document.contains("Tarkastusoikeuden rajoitus"));
        assert!(document.contains("Esitutkinta kesken"));
        assert!(!document.contains("näin monta kertaa"));
        assert!(document.contains("tietosuojavaltuutettu"));
        assert!(
            !document.contains(&hetu(0)),
            "the document holds no identity code"
        );
    }
    assert!(member.pdf.is_empty(), "the PDF only when asked for");
    assert_eq!(
        other.entries.len(),
        2,
        "the other member was in two disclosures"
    );
    assert_eq!(other.withheld_count, 0);
    assert_eq!(lookups.len(), 2);
    assert!(
        lookups
            .iter()
            .all(|l| l.operation() == LookupOperation::SubjectAccessReport)
    );
    assert_ne!(lookups[0].subject_hash, lookups[1].subject_hash);
}

async fn the_pdf_of_a_report_is_given_when_asked_for(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_members_year(&mut app).await;

    let answer = app
        .client
        .subject_access_report(SubjectAccessReportRequest {
            controller_id: koko(),
            subject: hetu(0),
            language: ReportLanguage::Sv.into(),
            context: access_case(),
            with_pdf: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    assert!(answer.pdf.starts_with(b"%PDF-1.7"), "a PDF");
    assert!(answer.text.starts_with("Svar på begäran"));
}

async fn a_report_request_without_language_or_context_names_both(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let refused = app
        .client
        .subject_access_report(SubjectAccessReportRequest {
            controller_id: koko(),
            subject: hetu(0),
            ..Default::default()
        })
        .await
        .unwrap_err();

    assert_eq!(refused.code(), Code::InvalidArgument);
    let fields = bad_fields(&refused);
    assert_eq!(
        fields,
        ["language", "context.requested_by", "context.case_reference"]
    );
    assert_eq!(
        app.db.scalar("SELECT COUNT(*) FROM access_lookups").await,
        0
    );
}

async fn the_command_line_writes_the_same_report_and_records_the_lookup(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-cli", vec![hetu(0)])],
    )
    .await;

    let mut child = store
        .command(&[
            "report",
            "subject",
            "--controller",
            &koko(),
            "--hetu",
            "-",
            "--lang",
            "sv",
            "--format",
            "html",
            "--case",
            "TAR-2026-0042",
            "--requested-by",
            "kasittelija-17",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", hetu(0)).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lookups = store.run(&["report", "lookups", "--controller", &koko()]);

    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("<!DOCTYPE html>"));
    assert!(stdout.contains("<html lang=\"sv\">"));
    assert!(stdout.contains("Svar på begäran om tillgång till personuppgifter"));
    assert!(stdout.contains("Diarienummer"));
    assert!(stdout.contains("Skatteförvaltningen, inkomstregisterenheten"));
    assert!(stdout.contains("1.1.2026–31.12.2026"));
    assert!(!stdout.contains(&hetu(0)));
    assert!(
        stderr.contains("1 disclosure(s) in the report; 0 withheld"),
        "{stderr}"
    );
    assert_eq!(
        lookups.lines().count(),
        2,
        "a header and the report's lookup: {lookups}"
    );
    assert!(
        lookups.contains(",subject_access_report,kasittelija-17,TAR-2026-0042,1,"),
        "{lookups}"
    );
}

async fn a_swedish_report_names_the_on_request_group_and_quotes_an_undeclared_purpose(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    // On request, to an enforcement authority under the Enforcement Code (KOKO's group).
    let mut enforcement = income_register_submission("koko-ulosotto", vec![hetu(0)]);
    let recipient = enforcement.recipient.as_mut().unwrap();
    recipient.id_type = proto::RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "Ulosottolaitos".into();
    enforcement.requester_reference = "UO/2026/48213".into();
    enforcement.provisions = vec![statute("705/2007", 3, "64", 0)];
    enforcement.purpose = "Ulosottoasian selvittäminen".into();
    app.client.record_disclosure(enforcement).await.unwrap();
    // Undeclared and flagged: to a private person, whom KOKO declares no disclosure to.
    let mut undeclared = income_register_submission("koko-yksityinen", vec![hetu(0)]);
    undeclared.occurred_at = at(OCTOBER_2026 + 86_400);
    let recipient = undeclared.recipient.as_mut().unwrap();
    recipient.id_type = proto::RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "Matti Meikäläinen".into();
    recipient.kind = proto::RecipientKind::PrivatePerson.into();
    undeclared.purpose = "Perintäasian hoitaminen".into();
    app.client.record_disclosure(undeclared).await.unwrap();

    let report = app.access_report(hetu(0), ReportLanguage::Sv).await;

    let on_request = &report.entries[0];
    assert_eq!(on_request.recipient_group, "Utsökningsmyndigheter");
    assert!(!on_request.purpose_as_recorded);
    assert_eq!(
        on_request.purpose,
        "Fullgörandet av mottagarens lagstadgade uppgift"
    );
    let flagged = &report.entries[1];
    assert_eq!(flagged.recipient_group, "");
    assert!(flagged.purpose_as_recorded);
    for document in [&report.text, &report.html] {
        assert!(document.contains("Utsökningsmyndigheter: Ulosottolaitos"));
        assert!(!document.contains("Ulosottoasian selvittäminen"));
        assert!(document.contains("enligt registreringen, oöversatt: ”Perintäasian hoitaminen”"));
    }
}
