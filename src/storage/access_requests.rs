//! Access request cases and their events, appended and never changed (both backends refuse
//! UPDATE and DELETE by trigger), and their SQL (the same on both backends).

use std::collections::HashMap;
use std::future::Future;

use crate::domain::finnish_time::{date_of_day_number, day_number_of_date};
use crate::domain::{
    AccessRequest, BusinessId, CaseEvent, LongText, NewAccessRequest, RecordedEvent, ShortText,
    SubjectHash, Timestamp,
};

use super::StorageError;
use super::store::sql_impl;

const REQUEST_COLUMNS: &str = "id, controller, diary_number, received_day, subject_key_id, \
     subject_hash, registered_at, registered_by";

const EVENT_COLUMNS: &str = "e.id, e.request_id, e.kind, e.day, e.reason, e.recorded_at, \
     e.recorded_by";

/// `ON CONFLICT DO NOTHING`: a diary number is registered once per controller.
const INSERT_REQUEST: &str = "INSERT INTO access_requests (controller, diary_number, \
     received_day, subject_key_id, subject_hash, registered_at, registered_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id";

/// `ON CONFLICT DO NOTHING`: only the one-answer index can conflict.
const INSERT_EVENT: &str = "INSERT INTO access_request_events (request_id, kind, day, reason, \
     recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id";

/// A stored case as read.
#[derive(sqlx::FromRow)]
pub(super) struct AccessRequestRow {
    id: i64,
    controller: String,
    diary_number: String,
    received_day: i64,
    subject_key_id: i16,
    subject_hash: Vec<u8>,
    registered_at: i64,
    registered_by: String,
}

/// A stored event as read.
#[derive(sqlx::FromRow)]
pub(super) struct CaseEventRow {
    id: i64,
    request_id: i64,
    kind: i16,
    day: i64,
    reason: Option<String>,
    recorded_at: i64,
    recorded_by: String,
}

fn day(number: i64) -> Option<time::Date> {
    i32::try_from(number)
        .ok()
        .filter(|n| n.abs() < 3_000_000)
        .map(date_of_day_number)
}

impl AccessRequestRow {
    fn into_domain(self, events: Vec<RecordedEvent>) -> Result<AccessRequest, StorageError> {
        let bad = |what: &str| StorageError::Corrupt(format!("access request {}: {what}", self.id));
        Ok(AccessRequest {
            id: self.id,
            case: NewAccessRequest {
                controller: BusinessId::parse(&self.controller).map_err(|_| bad("controller"))?,
                diary_number: ShortText::parse(&self.diary_number)
                    .map_err(|_| bad("diary number"))?,
                received: day(self.received_day).ok_or_else(|| bad("received"))?,
                subject_key_id: u16::try_from(self.subject_key_id).map_err(|_| bad("key id"))?,
                subject_hash: SubjectHash::try_from(self.subject_hash.as_slice())
                    .map_err(|_| bad("subject hash"))?,
                registered_at: Timestamp::from_micros(self.registered_at)
                    .map_err(|_| bad("registered at"))?,
                registered_by: self.registered_by,
            },
            events,
        })
    }
}

impl CaseEventRow {
    fn into_domain(self) -> Result<(i64, RecordedEvent), StorageError> {
        let bad =
            |what: &str| StorageError::Corrupt(format!("access request event {}: {what}", self.id));
        let on = day(self.day).ok_or_else(|| bad("day"))?;
        let event = match self.kind {
            1 => CaseEvent::Extended {
                until: on,
                reason: LongText::parse(self.reason.as_deref().unwrap_or_default())
                    .map_err(|_| bad("reason"))?,
            },
            2 => CaseEvent::Answered { on },
            _ => return Err(bad("kind")),
        };
        Ok((
            self.request_id,
            RecordedEvent {
                id: self.id,
                event,
                recorded_at: Timestamp::from_micros(self.recorded_at)
                    .map_err(|_| bad("recorded at"))?,
                recorded_by: self.recorded_by,
            },
        ))
    }
}

/// Joins cases with their events.
fn assemble(
    rows: Vec<AccessRequestRow>,
    events: Vec<CaseEventRow>,
) -> Result<Vec<AccessRequest>, StorageError> {
    let mut by_request: HashMap<i64, Vec<RecordedEvent>> = HashMap::new();
    for event in events {
        let (request, event) = event.into_domain()?;
        by_request.entry(request).or_default().push(event);
    }
    rows.into_iter()
        .map(|row| {
            let events = by_request.remove(&row.id).unwrap_or_default();
            row.into_domain(events)
        })
        .collect()
}

/// Access request cases.
pub trait AccessRequests: Send + Sync {
    /// Registers `case` and returns its id; `None` when the controller has a case of that
    /// diary number already (nothing is written).
    fn insert_access_request(
        &self,
        case: &NewAccessRequest,
    ) -> impl Future<Output = Result<Option<i64>, StorageError>> + Send;

    /// The case of `controller` with `diary_number`.
    fn access_request_by_diary(
        &self,
        controller: &BusinessId,
        diary_number: &ShortText,
    ) -> impl Future<Output = Result<Option<AccessRequest>, StorageError>> + Send;

    /// Case `id`, of whichever controller.
    fn access_request(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<AccessRequest>, StorageError>> + Send;

    /// Every case of `controller`, in id order.
    fn access_requests(
        &self,
        controller: &BusinessId,
    ) -> impl Future<Output = Result<Vec<AccessRequest>, StorageError>> + Send;

    /// Appends `event` to case `request`; `None` for a second answer (nothing is written).
    fn append_case_event(
        &self,
        request: i64,
        event: &CaseEvent,
        at_by: (Timestamp, &str),
    ) -> impl Future<Output = Result<Option<i64>, StorageError>> + Send;
}

sql_impl! {
    impl AccessRequests {
        async fn insert_access_request(
            &self,
            case: &NewAccessRequest,
        ) -> Result<Option<i64>, StorageError> {
            let id: Option<(i64,)> = sqlx::query_as(INSERT_REQUEST)
                .bind(case.controller.as_str().to_owned())
                .bind(case.diary_number.as_str().to_owned())
                .bind(i64::from(day_number_of_date(case.received)))
                .bind(case.subject_key_id as i16)
                .bind(case.subject_hash.to_vec())
                .bind(case.registered_at.micros())
                .bind(case.registered_by.clone())
                .fetch_optional(&self.writer)
                .await?;
            Ok(id.map(|(id,)| id))
        }

        async fn access_request_by_diary(
            &self,
            controller: &BusinessId,
            diary_number: &ShortText,
        ) -> Result<Option<AccessRequest>, StorageError> {
            let id: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM access_requests WHERE controller = $1 AND diary_number = $2",
            )
            .bind(controller.as_str().to_owned())
            .bind(diary_number.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
            match id {
                Some((id,)) => self.access_request(id).await,
                None => Ok(None),
            }
        }

        async fn access_request(&self, id: i64) -> Result<Option<AccessRequest>, StorageError> {
            let rows: Vec<AccessRequestRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {REQUEST_COLUMNS} FROM access_requests WHERE id = $1"
            )))
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let events: Vec<CaseEventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM access_request_events e \
                 WHERE e.request_id = $1 ORDER BY e.id"
            )))
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            Ok(assemble(rows, events)?.pop())
        }

        async fn access_requests(
            &self,
            controller: &BusinessId,
        ) -> Result<Vec<AccessRequest>, StorageError> {
            let rows: Vec<AccessRequestRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {REQUEST_COLUMNS} FROM access_requests WHERE controller = $1 ORDER BY id"
            )))
            .bind(controller.as_str().to_owned())
            .fetch_all(&self.pool)
            .await?;
            let events: Vec<CaseEventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM access_request_events e \
                 JOIN access_requests r ON r.id = e.request_id \
                 WHERE r.controller = $1 ORDER BY e.id"
            )))
            .bind(controller.as_str().to_owned())
            .fetch_all(&self.pool)
            .await?;
            assemble(rows, events)
        }

        async fn append_case_event(
            &self,
            request: i64,
            event: &CaseEvent,
            (at, by): (Timestamp, &str),
        ) -> Result<Option<i64>, StorageError> {
            let (day, reason) = match event {
                CaseEvent::Extended { until, reason } => (*until, Some(reason.as_str().to_owned())),
                CaseEvent::Answered { on } => (*on, None),
            };
            let id: Option<(i64,)> = sqlx::query_as(INSERT_EVENT)
                .bind(request)
                .bind(event.code())
                .bind(i64::from(day_number_of_date(day)))
                .bind(reason)
                .bind(at.micros())
                .bind(by.to_owned())
                .fetch_optional(&self.writer)
                .await?;
            Ok(id.map(|(id,)| id))
        }
    }
}
