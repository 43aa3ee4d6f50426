//! Withholding is a decision that can change (GDPR Art. 23, Tietosuojalaki 1050/2018 34 §):
//! a disclosure to a pre-trial investigation is withheld from the member's access report;
//! the staff who answer access requests lift it, and withhold it again; each decision is
//! appended, the logged entry and its leaf never change, and the report follows the latest
//! decision in force.

use luovutusloki::auth::{AuthSettings, CallerSettings};
use luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient;
use luovutusloki::grpc::proto::{
    self, DecideWithholdingRequest, GetEntryLeafRequest, ListWithholdingDecisionsRequest,
    RecordDisclosureRequest, ReportLanguage, SubjectAccessReportResponse, WithholdingAction,
    WithholdingDecision,
};
use prost_types::Timestamp;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel as Transport;
use tonic::{Code, Request, Status};

use crate::fixtures::*;
use crate::harness::{Database, Kind, Options, StoppedService, TestApp, on_both_backends};

on_both_backends!(
    a_lifted_withholding_shows_the_disclosure_and_a_new_one_hides_it_again,
    each_decision_is_appended_and_the_entrys_leaf_never_changes,
    a_decision_says_why_and_is_refused_when_it_cannot_hold,
    only_the_subject_access_role_decides_and_the_auditor_reads,
    the_decisions_table_refuses_changes,
    the_command_line_lifts_and_lists_decisions,
);

const GROUND: &str = "esitutkinta, esitutkintalaki 805/2011";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `days` from the moment this test process first asked: the same instant on every call, so
/// that a retried request is the same request (a replay), however long the test takes.
fn in_days(days: i64) -> Option<Timestamp> {
    static START: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    at(*START.get_or_init(now) + days * 86_400)
}

/// The KOKO fund's disclosure of a member (hetu(0)) to the police, withheld for a year.
fn withheld_from_member() -> RecordDisclosureRequest {
    let mut police = to_pre_trial_investigation("poliisi-1", hetu(0));
    police.withholding = Some(proto::Withholding {
        until: in_days(365),
        reason: "Esitutkinta kesken".into(),
        ground: GROUND.into(),
        conceal_existence: false,
    });
    police
}

/// Records the member's Incomes Register report and the withheld disclosure; its id.
async fn record(app: &mut TestApp) -> u64 {
    app.client
        .record_disclosure(income_register_submission("tulorekisteri-1", vec![hetu(0)]))
        .await
        .unwrap();
    app.client
        .record_disclosure(withheld_from_member())
        .await
        .unwrap()
        .into_inner()
        .disclosure_id
}

fn decision(
    disclosure_id: u64,
    until: Option<Timestamp>,
    reason: &str,
) -> DecideWithholdingRequest {
    DecideWithholdingRequest {
        controller_id: koko(),
        disclosure_id,
        until,
        reason: reason.into(),
        ground: if until.is_some() {
            GROUND.into()
        } else {
            String::new()
        },
        conceal_existence: false,
        decided_by: "kasittelija-17".into(),
    }
}

async fn decide(app: &mut TestApp, request: DecideWithholdingRequest) -> WithholdingDecision {
    app.client
        .decide_withholding(request)
        .await
        .unwrap()
        .into_inner()
}

fn decisions_of(disclosure_id: u64) -> ListWithholdingDecisionsRequest {
    ListWithholdingDecisionsRequest {
        controller_id: koko(),
        disclosure_id,
    }
}

fn recipients(report: &SubjectAccessReportResponse) -> Vec<String> {
    report
        .entries
        .iter()
        .map(|e| e.recipient.as_ref().unwrap().name.clone())
        .collect()
}

async fn a_lifted_withholding_shows_the_disclosure_and_a_new_one_hides_it_again(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let police = record(&mut app).await;

    let withheld = app.access_report(hetu(0), ReportLanguage::Fi).await;
    decide(&mut app, decision(police, None, "Esitutkinta päättyi")).await;
    let lifted = app.access_report(hetu(0), ReportLanguage::Fi).await;
    let until = in_days(90);
    let mut again = decision(police, until, "Syyteharkinta");
    again.conceal_existence = true;
    decide(&mut app, again).await;
    let withheld_again = app.access_report(hetu(0), ReportLanguage::Fi).await;

    assert_eq!(
        recipients(&withheld),
        ["Verohallinto, tulorekisteriyksikkö"]
    );
    assert_eq!(withheld.withheld.len(), 1);
    let first = &withheld.withheld[0];
    assert_eq!(
        (
            first.disclosure_id,
            first.ground.as_str(),
            first.conceal_existence
        ),
        (police, GROUND, false)
    );
    assert_eq!(
        recipients(&lifted),
        ["Verohallinto, tulorekisteriyksikkö", "Poliisi"]
    );
    assert!(lifted.withheld.is_empty());
    assert!(lifted.text.contains("Poliisi"), "the document shows it");
    assert_eq!(
        recipients(&withheld_again),
        ["Verohallinto, tulorekisteriyksikkö"]
    );
    let second = &withheld_again.withheld[0];
    assert_eq!(second.reason, "Syyteharkinta");
    assert_eq!(second.withheld_until, until);
    assert!(second.conceal_existence, "the latest decision's flag");
    assert!(!withheld_again.text.contains("Poliisi"));
}

async fn each_decision_is_appended_and_the_entrys_leaf_never_changes(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let police = record(&mut app).await;
    let leaf = |app: &mut TestApp| {
        let mut client = app.client.clone();
        async move {
            client
                .get_entry_leaf(GetEntryLeafRequest {
                    controller_id: koko(),
                    entry_id: 1,
                })
                .await
                .unwrap()
                .into_inner()
        }
    };
    let before = leaf(&mut app).await;
    // A retried record request is a replay: it adds no second first decision.
    app.client
        .record_disclosure(withheld_from_member())
        .await
        .unwrap();

    let extended = decide(&mut app, decision(police, in_days(400), "Jatkettu")).await;
    let shortened = decide(&mut app, decision(police, in_days(200), "Lyhennetty")).await;
    let lifted = decide(&mut app, decision(police, None, "Päättyi")).await;
    let set = decide(&mut app, decision(police, in_days(30), "Uusi esitutkinta")).await;
    let after = leaf(&mut app).await;
    let listed = app
        .client
        .list_withholding_decisions(decisions_of(police))
        .await
        .unwrap()
        .into_inner()
        .decisions;

    let actions: Vec<WithholdingAction> = listed.iter().map(|d| d.action()).collect();
    assert_eq!(
        actions,
        [
            WithholdingAction::Initial,
            WithholdingAction::Extend,
            WithholdingAction::Shorten,
            WithholdingAction::Lift,
            WithholdingAction::Set,
        ]
    );
    assert_eq!(listed[1..], [extended, shortened, lifted, set]);
    assert_eq!(
        listed[0].ground, GROUND,
        "the first decision keeps the ground"
    );
    assert_eq!(listed[0].decided_by, "", "made by the recording system");
    assert_eq!(listed[3].until, None, "a lift has no date");
    assert_eq!(listed[4].decided_by, "kasittelija-17");
    assert_eq!(before.disclosure_id, police);
    assert_eq!(before.leaf_hash, after.leaf_hash);
    assert_eq!(
        before.leaf_data, after.leaf_data,
        "the signed leaf is unchanged"
    );
    assert!(!before.leaf_data.is_empty());
}

async fn a_decision_says_why_and_is_refused_when_it_cannot_hold(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let police = record(&mut app).await;
    let plain = police - 1;

    let mut without_why = decision(police, in_days(10), "");
    without_why.ground = String::new();
    without_why.decided_by = String::new();
    let unexplained = app
        .client
        .decide_withholding(without_why)
        .await
        .unwrap_err();
    let past = app
        .client
        .decide_withholding(decision(police, in_days(-1), "Menneisyyteen"))
        .await
        .unwrap_err();
    let nothing_to_lift = app
        .client
        .decide_withholding(decision(plain, None, "Ei rajoitettu"))
        .await
        .unwrap_err();
    let unknown = app
        .client
        .decide_withholding(decision(police + 100, in_days(10), "Ei ole"))
        .await
        .unwrap_err();

    assert_eq!(unexplained.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&unexplained), ["reason", "ground", "decided_by"]);
    assert_eq!(past.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&past), ["until"]);
    assert_eq!(nothing_to_lift.code(), Code::FailedPrecondition);
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(
        app.db
            .scalar("SELECT COUNT(*) FROM withholding_decisions")
            .await,
        1,
        "only the first decision"
    );
}

/// A caller of `role` at the KOKO fund, by API token `token`.
fn token_caller(name: &str, role: &str, token: &str) -> CallerSettings {
    CallerSettings {
        name: name.into(),
        certificate_names: vec![],
        token_sha256: vec![hex::encode(luovutusloki::auth::token_hash(token))],
        jwt_subjects: vec![],
        grants: vec![
            toml::from_str(&format!("role = {role:?}\ncontroller = {:?}", koko())).unwrap(),
        ],
    }
}

/// The KOKO fund's recording system, data protection auditor and access-request staff, by
/// the API tokens `recorder-token-0123456789`, `auditor-token-0123456789` and
/// `access-token-0123456789`.
pub(crate) fn recorder_auditor_and_staff() -> Options {
    Options {
        auth: AuthSettings {
            callers: vec![
                token_caller("maksatus", "recorder", "recorder-token-0123456789"),
                token_caller("tietosuoja", "auditor", "auditor-token-0123456789"),
                token_caller("kasittely", "subject-access", "access-token-0123456789"),
            ],
            ..AuthSettings::default()
        },
        ..Options::default()
    }
}

pub(crate) type Client = DisclosureLogClient<
    InterceptedService<
        Transport,
        Box<dyn FnMut(Request<()>) -> Result<Request<()>, Status> + Send>,
    >,
>;

/// A client that calls with API token `token`.
pub(crate) fn calling_with(channel: &Transport, token: &str) -> Client {
    let bearer: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
    DisclosureLogClient::with_interceptor(
        channel.clone(),
        Box::new(move |mut request: Request<()>| {
            request
                .metadata_mut()
                .insert("authorization", bearer.clone());
            Ok(request)
        }),
    )
}

async fn only_the_subject_access_role_decides_and_the_auditor_reads(kind: Kind) {
    let app = TestApp::spawn_with(kind, recorder_auditor_and_staff()).await;
    let channel = app.channel().await;
    let as_caller = |token| calling_with(&channel, token);
    let mut recorder = as_caller("recorder-token-0123456789");
    let mut auditor = as_caller("auditor-token-0123456789");
    let mut staff = as_caller("access-token-0123456789");
    let mut request = withheld_from_member();
    request.source_system = String::new();
    let police = recorder
        .record_disclosure(request)
        .await
        .unwrap()
        .into_inner()
        .disclosure_id;
    let lift = decision(police, None, "Esitutkinta päättyi");

    let by_recorder = recorder.decide_withholding(lift.clone()).await.unwrap_err();
    let by_auditor = auditor.decide_withholding(lift.clone()).await.unwrap_err();
    let by_staff = staff.decide_withholding(lift).await.unwrap().into_inner();
    let read = auditor
        .list_withholding_decisions(decisions_of(police))
        .await
        .unwrap()
        .into_inner()
        .decisions;

    assert_eq!(by_recorder.code(), Code::PermissionDenied);
    assert_eq!(by_auditor.code(), Code::PermissionDenied);
    assert_eq!(by_staff.caller, "kasittely", "who decided is on record");
    assert_eq!(read.len(), 2);
    assert_eq!(
        read[0].caller, "maksatus",
        "the recorder made the first decision"
    );
}

/// Asserts that `table` refuses an UPDATE (setting `set`) and a DELETE as append-only.
pub(crate) async fn assert_refuses_changes(db: &Database, table: &str, set: &str) {
    let update = db.execute(&format!("UPDATE {table} SET {set}")).await;
    let delete = db.execute(&format!("DELETE FROM {table}")).await;

    assert!(
        update.as_ref().is_err_and(|e| e.contains("append-only")),
        "{update:?}"
    );
    assert!(
        delete.as_ref().is_err_and(|e| e.contains("append-only")),
        "{delete:?}"
    );
}

async fn the_decisions_table_refuses_changes(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record(&mut app).await;

    assert_refuses_changes(&app.db, "withholding_decisions", "reason = 'muutettu'").await;
    assert_eq!(
        app.db
            .scalar(
                "SELECT COUNT(*) FROM withholding_decisions WHERE reason = 'Esitutkinta kesken'"
            )
            .await,
        1
    );
}

async fn the_command_line_lifts_and_lists_decisions(kind: Kind) {
    // The first disclosure of a new log is disclosure 1.
    let store = StoppedService::with(kind, vec![withheld_from_member()]).await;
    let lift = [
        "withholding",
        "decide",
        "--controller",
        &koko(),
        "--disclosure",
        "1",
        "--lift",
        "--reason",
        "Esitutkinta päättyi",
        "--decided-by",
        "kasittelija-17",
    ];

    let lifted = store.run(&lift);
    let again = store.command(&lift).output().unwrap();
    let listed = store.run(&[
        "withholding",
        "list",
        "--controller",
        &koko(),
        "--disclosure",
        "1",
    ]);

    assert!(lifted.contains(" lift until - "), "{lifted}");
    assert!(lifted.contains("by kasittelija-17 (cli)"), "{lifted}");
    assert_eq!(again.status.code(), Some(4), "nothing left to lift");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].contains(" initial until "), "{listed}");
    assert!(lines[0].contains(&format!("ground {GROUND} ")), "{listed}");
    assert_eq!(lines[1], lifted.trim_end());
}
