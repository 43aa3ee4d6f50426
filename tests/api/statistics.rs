//! Dashboard statistics: counts grouped by the log's dimensions, per day or month.

use luovutusloki::grpc::proto::{
    self, DisclosureStatisticsRequest, StatisticsBucket, StatisticsDimension, StatisticsGroup,
};
use tonic::Code;

use crate::fixtures::*;
use crate::harness::{Kind, StoppedService, TestApp, on_both_backends};

on_both_backends!(
    counts_are_grouped_by_recipient_statute_and_classification,
    counts_per_day_follow_finnish_days_and_a_replay_counts_once,
    a_statistics_request_with_bad_dates_names_them,
    the_command_line_writes_statistics_as_csv,
);

/// Three Incomes Register submissions of 10 subjects on 5, 6 and 7 October 2026, a
/// pension disclosure of 4 on 6 October, and an undeclared one of 1 to a private person.
pub(crate) async fn record_october(app: &mut TestApp) {
    for day in 0..3 {
        let mut request = income_register_submission(&format!("tr-{day}"), hetus(day * 10, 10));
        request.occurred_at = at(OCTOBER_2026 + i64::from(day) * 86_400);
        app.client.record_disclosure(request).await.unwrap();
    }
    let mut pension = income_register_submission("etk", hetus(100, 4));
    pension.occurred_at = at(OCTOBER_2026 + 86_400);
    let etk = pension.recipient.as_mut().unwrap();
    etk.identifier = example_business_id(9_990_009);
    etk.name = "Eläketurvakeskus".into();
    etk.kind = proto::RecipientKind::PensionInstitution.into();
    pension.provisions = vec![statute("1290/2002", 13, "3", 0)];
    pension.data_categories = vec![
        proto::DataCategory::Identity.into(),
        proto::DataCategory::BenefitPayment.into(),
    ];
    app.client.record_disclosure(pension).await.unwrap();
    let mut private = income_register_submission("yksityinen", hetus(200, 1));
    let person = private.recipient.as_mut().unwrap();
    person.id_type = proto::RecipientIdType::None.into();
    person.identifier = String::new();
    person.name = "Yksityishenkilö".into();
    person.kind = proto::RecipientKind::PrivatePerson.into();
    app.client.record_disclosure(private).await.unwrap();
}

async fn statistics(
    app: &mut TestApp,
    group_by: &[StatisticsDimension],
    bucket: StatisticsBucket,
) -> Vec<StatisticsGroup> {
    app.client
        .disclosure_statistics(DisclosureStatisticsRequest {
            controller_id: koko(),
            from_date: "2026-10-01".into(),
            to_date: "2026-10-31".into(),
            group_by: group_by.iter().map(|d| (*d).into()).collect(),
            bucket: bucket.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .groups
}

/// (first value's label, period, disclosures, entries) of each group.
fn rows(groups: &[StatisticsGroup]) -> Vec<(String, String, u64, u64)> {
    groups
        .iter()
        .map(|g| {
            let label = g
                .values
                .first()
                .map(|v| v.label.clone())
                .unwrap_or_default();
            (label, g.period.clone(), g.disclosures, g.subject_entries)
        })
        .collect()
}

fn row(label: &str, period: &str, disclosures: u64, entries: u64) -> (String, String, u64, u64) {
    (label.into(), period.into(), disclosures, entries)
}

async fn counts_are_grouped_by_recipient_statute_and_classification(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;
    let whole = StatisticsBucket::Unspecified;

    let by_recipient = statistics(&mut app, &[StatisticsDimension::Recipient], whole).await;
    let by_statute = statistics(&mut app, &[StatisticsDimension::Statute], whole).await;
    let by_class = statistics(&mut app, &[StatisticsDimension::Classification], whole).await;
    let total = statistics(&mut app, &[], whole).await;

    let mut recipients = rows(&by_recipient);
    recipients.sort();
    assert_eq!(
        recipients,
        [
            row("Eläketurvakeskus", "", 1, 4),
            row("Verohallinto, tulorekisteriyksikkö", "", 3, 30),
            row("Yksityishenkilö", "", 1, 1),
        ]
    );
    assert_eq!(
        rows(&by_statute),
        [row("1290/2002", "", 5, 35), row("53/2018", "", 4, 31)],
        "a disclosure citing two acts counts under both"
    );
    assert_eq!(
        rows(&by_class),
        [row("declared", "", 4, 34), row("undeclared", "", 1, 1)]
    );
    assert_eq!(rows(&total), [row("", "", 5, 35)]);
}

async fn counts_per_day_follow_finnish_days_and_a_replay_counts_once(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;
    record_october(&mut app).await;
    // 23:30 UTC on 7 October is already 8 October in Finland.
    let mut late = income_register_submission("myohainen", hetus(300, 2));
    late.occurred_at = at(OCTOBER_2026 + 2 * 86_400 + 14 * 3_600 + 30 * 60);
    app.client.record_disclosure(late.clone()).await.unwrap();
    app.client.record_disclosure(late).await.unwrap();

    let per_day = statistics(&mut app, &[], StatisticsBucket::Day).await;
    let per_month = statistics(&mut app, &[], StatisticsBucket::Month).await;

    assert_eq!(
        rows(&per_day),
        [
            row("", "2026-10-05", 2, 11),
            row("", "2026-10-06", 2, 14),
            row("", "2026-10-07", 1, 10),
            row("", "2026-10-08", 1, 2),
        ]
    );
    assert_eq!(rows(&per_month), [row("", "2026-10", 6, 37)]);
}

async fn a_statistics_request_with_bad_dates_names_them(kind: Kind) {
    let mut app = TestApp::spawn(kind).await;

    let missing = app
        .client
        .disclosure_statistics(DisclosureStatisticsRequest {
            controller_id: koko(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let backwards = app
        .client
        .disclosure_statistics(DisclosureStatisticsRequest {
            controller_id: koko(),
            from_date: "2026-10-31".into(),
            to_date: "2026-10-01".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();

    assert_eq!(missing.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&missing), ["from_date", "to_date"]);
    assert_eq!(bad_fields(&backwards), ["to_date"]);
}

async fn the_command_line_writes_statistics_as_csv(kind: Kind) {
    let store = StoppedService::with(
        kind,
        vec![income_register_submission("koko-cli", hetus(0, 3))],
    )
    .await;

    let stdout = store.run(&[
        "report",
        "statistics",
        "--controller",
        &koko(),
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--group-by",
        "recipient,statute",
        "--step",
        "month",
    ]);

    assert_eq!(
        stdout,
        "period,recipient,statute,disclosures,subject_entries\n\
         2026-10,\"Verohallinto, tulorekisteriyksikkö\",1290/2002,1,3\n\
         2026-10,\"Verohallinto, tulorekisteriyksikkö\",53/2018,1,3\n"
    );
}
