//! Non-disclosure for personal safety (turvakielto, Laki väestötietojärjestelmästä 661/2009
//! 36 §): a protected person's contact details go only to authorities. The mark comes with a
//! record request, is kept by keyed hash with the accepted disclosure, and holds for the
//! controller's later disclosures of the person, marked again or not, until a decision lifts
//! it; a decision can also mark the person without a disclosure. The latest decision holds.

use luovutusloki::grpc::proto::{
    Channel, DataCategory, DecideSafetyProtectionRequest, LegalBasis, Recipient, RecipientIdType,
    RecipientKind, RecordDisclosureRequest, SafetyProtectionAction,
};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, StoppedService, TestApp, on_both_backends};
use crate::withholding::{assert_refuses_changes, calling_with, recorder_auditor_and_staff};

on_both_backends!(
    a_protected_subjects_contact_data_to_an_employer_is_refused_naming_the_position,
    to_an_authority_it_is_recorded_and_a_later_request_without_the_mark_is_still_refused,
    the_mark_does_not_stop_what_carries_no_contact_data_or_another_controllers_disclosures,
    marks_out_of_range_or_repeated_are_invalid_arguments,
    a_consent_in_force_does_not_lift_the_protection,
    nothing_in_the_database_holds_a_protected_persons_identity_code_in_clear,
    a_lifted_mark_lets_contact_data_through_and_marking_again_refuses_it_again,
    lifting_a_mark_not_in_force_is_refused_and_bad_fields_are_each_named,
    only_the_subject_access_role_marks_or_lifts,
    the_decisions_table_refuses_changes,
    on_the_command_line_the_latest_decision_holds_too,
);

/// Members' contact details to an employer (the KOKO register flags, not refuses, what it
/// does not declare: only the turvakielto can refuse this one).
fn contact_details_to_employer(
    transfer_id: &str,
    subjects: Vec<String>,
) -> RecordDisclosureRequest {
    let mut request = income_register_submission(transfer_id, subjects);
    request.recipient = Some(Recipient {
        id_type: RecipientIdType::BusinessId.into(),
        identifier: example_business_id(7_654_321),
        name: "Esimerkkityönantaja Oy".into(),
        kind: RecipientKind::Employer.into(),
        country: "FI".into(),
    });
    request.provisions = vec![statute("1290/2002", 13, "1", 0)];
    request.data_categories = vec![DataCategory::Identity.into(), DataCategory::Contact.into()];
    request.purpose = "Työsuhteen selvittäminen".into();
    request.channel = Channel::Email.into();
    request.legal_basis = LegalBasis::LegalObligation.into();
    request
}

/// The same members' contact details to the Incomes Register, an authority.
fn contact_details_to_authority(
    transfer_id: &str,
    subjects: Vec<String>,
) -> RecordDisclosureRequest {
    let mut request = income_register_submission(transfer_id, subjects);
    request.data_categories.push(DataCategory::Contact.into());
    request
}

async fn refusal(app: &mut TestApp, request: RecordDisclosureRequest) -> String {
    let refused = app.client.record_disclosure(request).await.unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
    refused.message().to_owned()
}

async fn protections(app: &TestApp) -> i64 {
    app.db
        .scalar("SELECT COUNT(*) FROM safety_protection_decisions")
        .await
}

async fn a_protected_subjects_contact_data_to_an_employer_is_refused_naming_the_position(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = contact_details_to_employer("tyonantaja-1", hetus(0, 4));
    request.safety_protected_subjects = vec![3];

    let message = refusal(&mut app, request).await;

    assert!(message.contains("subjects[3]"), "{message}");
    assert!(!message.contains("subjects[0]"), "{message}");
    assert!(
        message.contains("661/2009 36 §"),
        "the rule is named: {message}"
    );
    assert!(
        !message.contains(&hetu(3)),
        "never the identity code: {message}"
    );
    assert_eq!(app.db.disclosure_count().await, 0);
    assert_eq!(
        protections(&app).await,
        0,
        "a refused request stores no mark"
    );
}

async fn to_an_authority_it_is_recorded_and_a_later_request_without_the_mark_is_still_refused(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    let mut to_authority = contact_details_to_authority("tulorekisteri-1", hetus(0, 3));
    to_authority.safety_protected_subjects = vec![1];

    let recorded = app.client.record_disclosure(to_authority.clone()).await;
    let replayed = app.client.record_disclosure(to_authority).await;
    // hetu(1), protected above, is now second; nothing marks it in this request.
    let later = refusal(
        &mut app,
        contact_details_to_employer("tyonantaja-2", vec![hetu(7), hetu(1)]),
    )
    .await;

    assert!(recorded.is_ok(), "{recorded:?}");
    assert!(replayed.is_ok(), "{replayed:?}");
    assert_eq!(protections(&app).await, 1, "one mark, once");
    assert!(later.contains("subjects[1]"), "{later}");
    assert!(!later.contains("subjects[0]"), "{later}");
    assert_eq!(app.db.disclosure_count().await, 1);
}

async fn the_mark_does_not_stop_what_carries_no_contact_data_or_another_controllers_disclosures(
    kind: Kind,
) {
    let mut app = TestApp::spawn(kind).await;
    let mut marking = contact_details_to_authority("tulorekisteri-1", vec![hetu(0)]);
    marking.safety_protected_subjects = vec![0];
    app.client.record_disclosure(marking).await.unwrap();

    let mut without_contact = contact_details_to_employer("tyonantaja-1", vec![hetu(0)]);
    without_contact.data_categories = vec![DataCategory::Identity.into()];
    let identity_only = app.client.record_disclosure(without_contact).await;
    // Kokkola's employment services give a service provider its customer's contact details
    // (seed 002): the KOKO fund's mark is not Kokkola's.
    let mut other_controller = health_data_to_service_provider("kokkola-1", hetu(0));
    let provider = other_controller.recipient.as_mut().unwrap();
    provider.kind = RecipientKind::ServiceProvider.into();
    provider.name = "Esimerkkipalvelu Oy".into();
    other_controller.data_categories =
        vec![DataCategory::Identity.into(), DataCategory::Contact.into()];
    other_controller.special_category_condition = 0;
    other_controller.legal_basis = LegalBasis::LegalObligation.into();
    other_controller.consent_reference = String::new();
    other_controller.provisions = vec![statute("380/2023", 0, "", 0)];
    let kokkola_contact = app.client.record_disclosure(other_controller).await;

    assert!(identity_only.is_ok(), "{identity_only:?}");
    assert!(kokkola_contact.is_ok(), "{kokkola_contact:?}");
    assert_eq!(app.db.disclosure_count().await, 3);
}

async fn a_consent_in_force_does_not_lift_the_protection(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    // Kokkola discloses a job seeker's contact details to an employer with the seeker's
    // written consent (seed 002).
    let mut consent = service_provider_consent(KOKKOLA, "suostumus-1", hetu(0));
    let scope = consent.scope.as_mut().unwrap();
    scope.recipient_kind = RecipientKind::Employer.into();
    scope.data_categories = vec![DataCategory::Identity.into(), DataCategory::Contact.into()];
    app.client.record_consent(consent).await.unwrap();
    let mut with_contact = health_data_to_service_provider("tyonantaja-1", hetu(0));
    with_contact.recipient.as_mut().unwrap().kind = RecipientKind::Employer.into();
    with_contact.special_category_condition = 0;
    with_contact.consent_reference = "suostumus-1".into();
    with_contact.data_categories =
        vec![DataCategory::Identity.into(), DataCategory::Contact.into()];
    let mut protected = with_contact.clone();
    protected.transfer_id = "tyonantaja-2".into();
    protected.safety_protected_subjects = vec![0];

    let unprotected = app.client.record_disclosure(with_contact).await;
    let message = refusal(&mut app, protected).await;

    assert!(
        unprotected.is_ok(),
        "the consent covers it: {unprotected:?}"
    );
    assert!(message.contains("subjects[0]"), "{message}");
    assert!(message.contains("661/2009 36 §"), "{message}");
}

async fn marks_out_of_range_or_repeated_are_invalid_arguments(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let mut request = contact_details_to_authority("tulorekisteri-1", hetus(0, 2));
    request.safety_protected_subjects = vec![2, 0, 0];

    let status = app.client.record_disclosure(request).await.unwrap_err();

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        bad_fields(&status),
        [
            "safety_protected_subjects[0]",
            "safety_protected_subjects[2]"
        ]
    );
    assert_eq!(app.db.disclosure_count().await, 0);
}

async fn nothing_in_the_database_holds_a_protected_persons_identity_code_in_clear(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let subjects = hetus(0, 5);
    let mut request = contact_details_to_authority("tulorekisteri-1", subjects.clone());
    request.safety_protected_subjects = vec![0, 2, 4];
    app.client.record_disclosure(request).await.unwrap();
    let mut refused = contact_details_to_employer("tyonantaja-1", vec![hetu(2)]);
    refused.safety_protected_subjects = vec![0];
    refusal(&mut app, refused).await;
    for (action, subject) in [(LIFT, 2), (MARK, 2), (MARK, 1), (LIFT, 1)] {
        app.client
            .decide_safety_protection(decision(action, &subjects[subject]))
            .await
            .unwrap();
    }
    assert_eq!(protections(&app).await, 7);

    let db = app.stop().await;

    db.assert_stores_none_of(&subjects).await;
}

const MARK: SafetyProtectionAction = SafetyProtectionAction::Mark;
const LIFT: SafetyProtectionAction = SafetyProtectionAction::Lift;

/// A decision at the KOKO fund, made on its own, about `subject`.
fn decision(action: SafetyProtectionAction, subject: &str) -> DecideSafetyProtectionRequest {
    DecideSafetyProtectionRequest {
        controller_id: koko(),
        subject: subject.into(),
        action: action.into(),
        reason: match action {
            SafetyProtectionAction::Lift => "DVV:n ilmoitus: turvakielto päättynyt".into(),
            _ => "DVV:n ilmoitus: uusi turvakielto".into(),
        },
        decided_by: "Etuuskäsittelijä Virtanen".into(),
    }
}

/// Whether contact data of `subject` to an employer is recorded (`true`) or refused by the
/// turvakielto (`false`).
async fn employer_gets_contact_data(app: &mut TestApp, transfer_id: &str, subject: &str) -> bool {
    let request = contact_details_to_employer(transfer_id, vec![subject.to_owned()]);
    match app.client.record_disclosure(request).await {
        Ok(_) => true,
        Err(refused) => {
            assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
            assert!(refused.message().contains("661/2009 36 §"), "{refused:?}");
            false
        }
    }
}

async fn a_lifted_mark_lets_contact_data_through_and_marking_again_refuses_it_again(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    let person = hetu(0);
    let mut marking = contact_details_to_authority("tulorekisteri-1", vec![person.clone()]);
    marking.safety_protected_subjects = vec![0];
    app.client.record_disclosure(marking).await.unwrap();

    let while_marked = employer_gets_contact_data(&mut app, "tyonantaja-1", &person).await;
    let lifted = app
        .client
        .decide_safety_protection(decision(LIFT, &person))
        .await
        .unwrap()
        .into_inner();
    let after_lift = employer_gets_contact_data(&mut app, "tyonantaja-2", &person).await;
    app.client
        .decide_safety_protection(decision(MARK, &person))
        .await
        .unwrap();
    let marked_again = employer_gets_contact_data(&mut app, "tyonantaja-3", &person).await;
    app.client
        .decide_safety_protection(decision(LIFT, &person))
        .await
        .unwrap();
    let mut marked_by_disclosure =
        contact_details_to_authority("tulorekisteri-2", vec![person.clone()]);
    marked_by_disclosure.safety_protected_subjects = vec![0];
    app.client
        .record_disclosure(marked_by_disclosure)
        .await
        .unwrap();
    let marked_by_a_later_disclosure =
        employer_gets_contact_data(&mut app, "tyonantaja-4", &person).await;

    assert!(
        !while_marked,
        "the mark refuses contact data to an employer"
    );
    assert_eq!(lifted.action, i32::from(LIFT));
    assert_eq!(lifted.reason, "DVV:n ilmoitus: turvakielto päättynyt");
    assert_eq!(lifted.decided_by, "Etuuskäsittelijä Virtanen");
    assert!(after_lift, "the lift is in force");
    assert!(!marked_again, "a mark without a disclosure is in force");
    assert!(
        !marked_by_a_later_disclosure,
        "a disclosure's mark after a lift is in force"
    );
    assert_eq!(
        app.db.disclosure_count().await,
        3,
        "two to the authority, one after the lift"
    );
    assert_eq!(protections(&app).await, 5, "every decision appended");
}

async fn lifting_a_mark_not_in_force_is_refused_and_bad_fields_are_each_named(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let never_marked = app
        .client
        .decide_safety_protection(decision(LIFT, &hetu(0)))
        .await
        .unwrap_err();
    let bad = app
        .client
        .decide_safety_protection(DecideSafetyProtectionRequest {
            controller_id: "1234567-2".into(),
            subject: "010150-9202".into(),
            action: SafetyProtectionAction::Unspecified.into(),
            reason: String::new(),
            decided_by: String::new(),
        })
        .await
        .unwrap_err();

    assert_eq!(
        never_marked.code(),
        Code::FailedPrecondition,
        "{never_marked:?}"
    );
    assert!(
        never_marked.message().contains("nothing to lift"),
        "{never_marked:?}"
    );
    assert!(
        !never_marked.message().contains(&hetu(0)),
        "{never_marked:?}"
    );
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert_eq!(
        bad_fields(&bad),
        ["controller_id", "subject", "action", "reason", "decided_by"]
    );
    assert!(!bad.message().contains("010150-9202"), "{bad:?}");
    assert_eq!(protections(&app).await, 0);
}

async fn only_the_subject_access_role_marks_or_lifts(kind: Kind) {
    let app = TestApp::spawn_with(kind, recorder_auditor_and_staff()).await;
    let channel = app.channel().await;
    let mut recorder = calling_with(&channel, "recorder-token-0123456789");
    let mut auditor = calling_with(&channel, "auditor-token-0123456789");
    let mut staff = calling_with(&channel, "access-token-0123456789");
    let person = hetu(0);

    let mark_by_recorder = recorder
        .decide_safety_protection(decision(MARK, &person))
        .await;
    let mark_by_auditor = auditor
        .decide_safety_protection(decision(MARK, &person))
        .await;
    let marked = staff
        .decide_safety_protection(decision(MARK, &person))
        .await
        .unwrap()
        .into_inner();
    let lift_by_recorder = recorder
        .decide_safety_protection(decision(LIFT, &person))
        .await;
    let lift_by_auditor = auditor
        .decide_safety_protection(decision(LIFT, &person))
        .await;
    let lifted = staff
        .decide_safety_protection(decision(LIFT, &person))
        .await;

    for denied in [
        mark_by_recorder,
        mark_by_auditor,
        lift_by_recorder,
        lift_by_auditor,
    ] {
        assert_eq!(denied.unwrap_err().code(), Code::PermissionDenied);
    }
    assert_eq!(marked.caller, "kasittely", "who decided is on record");
    assert!(lifted.is_ok(), "{lifted:?}");
    assert_eq!(protections(&app).await, 2);
}

async fn the_decisions_table_refuses_changes(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    app.client
        .decide_safety_protection(decision(MARK, &hetu(0)))
        .await
        .unwrap();

    assert_refuses_changes(&app.db, "safety_protection_decisions", "action = 2").await;
    assert_eq!(protections(&app).await, 1);
}

/// Runs `luovutusloki turvakielto <action>` at the KOKO fund for `subject`, given on
/// standard input; returns the exit status and standard output.
fn decide_on_command_line(
    store: &StoppedService,
    action: &str,
    subject: &str,
) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = store
        .command(&[
            "turvakielto",
            action,
            "--controller",
            &koko(),
            "--hetu",
            "-",
            "--reason",
            "DVV:n ilmoitus",
            "--decided-by",
            "Etuuskäsittelijä Virtanen",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{subject}").unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

async fn on_the_command_line_the_latest_decision_holds_too(kind: Kind) {
    let person = hetu(0);
    let mut marking = contact_details_to_authority("tulorekisteri-1", vec![person.clone()]);
    marking.safety_protected_subjects = vec![0];
    let store = StoppedService::with(kind, vec![marking]).await;

    let lifted = decide_on_command_line(&store, "lift", &person);
    let lifted_twice = decide_on_command_line(&store, "lift", &person);
    let marked = decide_on_command_line(&store, "mark", &person);
    let lifted_again = decide_on_command_line(&store, "lift", &person);

    assert_eq!(lifted.0, Some(0), "{lifted:?}");
    assert!(lifted.1.contains(" lift decided "), "{lifted:?}");
    assert_eq!(lifted_twice.0, Some(4), "nothing to lift: a refusal");
    assert_eq!(marked.0, Some(0), "{marked:?}");
    assert_eq!(
        lifted_again.0,
        Some(0),
        "the mark was in force: {lifted_again:?}"
    );
    assert!(
        !lifted.1.contains(&person),
        "never the identity code: {lifted:?}"
    );
    assert_eq!(
        store
            .db
            .scalar("SELECT COUNT(*) FROM safety_protection_decisions")
            .await,
        4
    );
    store.db.assert_stores_none_of(&[person]).await;
}
