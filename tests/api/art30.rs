//! The Art. 30 record of a register: declared and observed side by side, with differences.

use luovutusloki::grpc::proto::{self, ProcessingRecordRequest, ProcessingRecordResponse};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, StoppedService, TestApp, on_both_backends};

on_both_backends!(
    the_koko_record_shows_declared_and_observed_with_an_undeclared_recipient_flagged,
    only_a_controller_of_the_register_gets_its_record,
    the_command_line_writes_the_record_as_csv,
    the_command_line_writes_the_swedish_record_and_its_annex_as_pdf_files,
);

async fn record_of(
    app: &mut TestApp,
    controller: String,
) -> Result<ProcessingRecordResponse, tonic::Status> {
    app.client
        .processing_record(ProcessingRecordRequest {
            controller_id: controller,
            register_id: "koko-jasen-ja-maksurekisteri".into(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            language: proto::ReportLanguage::Fi.into(),
            with_pdf: true,
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn the_koko_record_shows_declared_and_observed_with_an_undeclared_recipient_flagged(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    for month in 0..2 {
        let mut submission =
            income_register_submission(&format!("tulorekisteri-{month}"), hetus(0, 1_000));
        submission.occurred_at = at(OCTOBER_2026 + i64::from(month) * 7 * 86_400);
        app.client.record_disclosure(submission).await.unwrap();
    }
    // A recipient the notice does not declare, named to test the CSV's formula defusing.
    let mut stray = income_register_submission("harhaluovutus", hetus(0, 1));
    let recipient = stray.recipient.as_mut().unwrap();
    recipient.id_type = proto::RecipientIdType::None.into();
    recipient.identifier = String::new();
    recipient.name = "=HYPERLINK(\"http://example.invalid\")".into();
    recipient.kind = proto::RecipientKind::PrivatePerson.into();
    app.client.record_disclosure(stray).await.unwrap();

    let record = record_of(&mut app, koko()).await.unwrap();

    assert_eq!(record.disclosures, 3);
    assert_eq!(record.subject_entries, 2_001);
    assert_eq!(
        record.undeclared_recipients,
        ["=HYPERLINK(\"http://example.invalid\") (private_person)"]
    );
    assert!(
        record.undeclared_provisions.is_empty(),
        "{:?}",
        record.undeclared_provisions
    );
    assert!(
        record
            .unused_declarations
            .iter()
            .any(|d| d.starts_with("Eläketurvakeskus")),
        "nothing went to the pension centre: {:?}",
        record.unused_declarations
    );
    assert!(record.third_country_recipients.is_empty());

    let json: serde_json::Value = serde_json::from_str(&record.json).unwrap();
    assert_eq!(json["register"]["id"], "koko-jasen-ja-maksurekisteri");
    assert_eq!(json["totals"]["subject_entries"], 2_001);
    let observed = json["observed"].as_array().unwrap();
    assert_eq!(observed.len(), 2);
    assert!(json["declared"].as_array().unwrap().len() > 5);

    assert!(record.csv.starts_with("section,recipient,"));
    assert!(record.csv.contains("'=HYPERLINK"), "{}", record.csv);
    assert!(!record.csv.contains(",=HYPERLINK"));
    assert!(record.csv.contains("declared,Verohallinto"));
    assert!(record.csv.contains("difference,"));

    // The record is the catalogue's, in Finnish; the comparison is its own annex.
    assert!(record.html.contains("<html lang=\"fi\">"));
    assert!(record.html.contains("Seloste käsittelytoimista"));
    assert!(record.text.contains("Henkilötietojen käsittelijät"));
    assert!(
        !record.html.contains("HYPERLINK"),
        "observations stay in the annex"
    );
    assert!(record.pdf.starts_with(b"%PDF-"));
    assert!(record.annex_pdf.starts_with(b"%PDF-"));
    assert!(
        record
            .annex_html
            .contains("Vastaanottajat, joita seloste ei ilmoita")
    );
    // Shown, and escaped: the quotes are entities in the HTML.
    assert!(
        record
            .annex_html
            .contains("=HYPERLINK(&#34;http://example.invalid&#34;)")
    );
    // The annex's table gives the recipient's kind in the document's language, not its code.
    assert!(
        record
            .annex_html
            .contains("=HYPERLINK(&#34;http://example.invalid&#34;) (yksityishenkilö)"),
        "{}",
        record.annex_html
    );
    for document in [&record.html, &record.annex_html, &record.text] {
        assert!(!document.contains(&hetu(0)));
    }
}

async fn only_a_controller_of_the_register_gets_its_record(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let refused = record_of(&mut app, KOKKOLA.into()).await.unwrap_err();

    assert_eq!(refused.code(), Code::FailedPrecondition);
}

async fn the_command_line_writes_the_record_as_csv(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-cli", hetus(0, 3))],
    )
    .await;

    // One controller: --controller is not needed.
    let stdout = store.run(&[
        "report",
        "art30",
        "--register",
        "koko-jasen-ja-maksurekisteri",
        "--format",
        "csv",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
    ]);

    assert!(stdout.starts_with("section,recipient,"));
    assert!(
        stdout.contains("observed,\"Verohallinto, tulorekisteriyksikkö\",9990008-3,authority"),
        "{stdout}"
    );
}

async fn the_command_line_writes_the_swedish_record_and_its_annex_as_pdf_files(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-cli", hetus(0, 3))],
    )
    .await;
    let record = store.data_dir.path().join("seloste.pdf");
    let annex = store.data_dir.path().join("liite.pdf");
    let args = |output: &std::path::Path| {
        [
            "report",
            "art30",
            "--register",
            "koko-jasen-ja-maksurekisteri",
            "--lang",
            "sv",
            "--format",
            "pdf",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--output",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([output.display().to_string()])
        .collect::<Vec<_>>()
    };

    let record_args = args(&record);
    store.run(&record_args.iter().map(String::as_str).collect::<Vec<_>>());
    let mut annex_args = args(&annex);
    annex_args.push("--annex".into());
    store.run(&annex_args.iter().map(String::as_str).collect::<Vec<_>>());
    let without_file = store
        .command(&[
            "report",
            "art30",
            "--register",
            "koko-jasen-ja-maksurekisteri",
            "--format",
            "pdf",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
        ])
        .output()
        .unwrap();

    let record = std::fs::read(record).unwrap();
    let annex = std::fs::read(annex).unwrap();
    assert!(record.starts_with(b"%PDF-"));
    assert!(annex.starts_with(b"%PDF-"));
    assert_ne!(record, annex, "the annex is a document of its own");
    assert_eq!(without_file.status.code(), Some(2), "a PDF needs --output");
}
