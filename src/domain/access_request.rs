//! Access request cases (GDPR Art. 15), as the staff who answer them keep them: the diary
//! number, the day the request was received, the subject by keyed hash only, and what has
//! happened since, appended: an extension of the time limit, the answer.
//!
//! Time limits (Art. 12(3)): one month from receipt, extendable by two further months where
//! necessary, the person being told of the extension and its reasons within the first
//! month. Months are calendar months ([`add_calendar_months`]): a request received on
//! 31 January is due on 28 (or 29) February. The extended limit is at most two months after
//! the first one (31 January: 28 April), the literal reading of "extended by two further
//! months" and never later than counting three months from receipt. A limit falling on a
//! weekend or a public holiday is not moved to the next working day: the service shows the
//! earlier day, which is never too late.

use time::Date;

use super::business_id::BusinessId;
use super::finnish_time::add_calendar_months;
use super::subject::SubjectHash;
use super::text::{LongText, ShortText};
use super::timestamp::Timestamp;

/// The day an answer to a request received on `received` is due (Art. 12(3), first sentence).
pub fn first_deadline(received: Date) -> Date {
    add_calendar_months(received, 1)
}

/// The latest day an extension may set (Art. 12(3): two further months).
pub fn latest_extension(received: Date) -> Date {
    add_calendar_months(first_deadline(received), 2)
}

/// A case to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccessRequest {
    pub controller: BusinessId,
    /// The controller's diary number (diaarinumero) of the request: its case reference.
    pub diary_number: ShortText,
    /// The Finnish day the controller received the request.
    pub received: Date,
    /// The subject by its hash under the active key; the code itself is never kept.
    pub subject_key_id: u16,
    pub subject_hash: SubjectHash,
    pub registered_at: Timestamp,
    /// The caller that registered it.
    pub registered_by: String,
}

/// What happened to a case, appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseEvent {
    /// The time limit was extended to `until`, for `reason` (told to the person).
    Extended { until: Date, reason: LongText },
    /// The answer was sent on `on`.
    Answered { on: Date },
}

impl CaseEvent {
    /// The stored code of the kind of event.
    pub fn code(&self) -> i16 {
        match self {
            Self::Extended { .. } => 1,
            Self::Answered { .. } => 2,
        }
    }
}

/// An event as recorded: when, and by which caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub id: i64,
    pub event: CaseEvent,
    pub recorded_at: Timestamp,
    pub recorded_by: String,
}

/// A registered case with its events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub id: i64,
    pub case: NewAccessRequest,
    pub events: Vec<RecordedEvent>,
}

impl AccessRequest {
    /// The time limit in force: the latest extension's, else one month from receipt.
    pub fn deadline(&self) -> Date {
        self.events
            .iter()
            .filter_map(|e| match &e.event {
                CaseEvent::Extended { until, .. } => Some(*until),
                CaseEvent::Answered { .. } => None,
            })
            .next_back()
            .unwrap_or_else(|| first_deadline(self.case.received))
    }

    /// Whether the time limit was extended.
    pub fn extended(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e.event, CaseEvent::Extended { .. }))
    }

    /// The day the answer was sent, once it was.
    pub fn answered_on(&self) -> Option<Date> {
        self.events.iter().find_map(|e| match e.event {
            CaseEvent::Answered { on } => Some(on),
            CaseEvent::Extended { .. } => None,
        })
    }

    /// Days from `today` to the time limit: negative when it has passed.
    pub fn days_left(&self, today: Date) -> i64 {
        (self.deadline() - today).whole_days()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_month_from_the_last_of_january_is_the_last_of_february() {
        assert_eq!(first_deadline(date!(2027 - 01 - 31)), date!(2027 - 02 - 28));
        assert_eq!(first_deadline(date!(2028 - 01 - 31)), date!(2028 - 02 - 29));
        assert_eq!(first_deadline(date!(2026 - 12 - 01)), date!(2027 - 01 - 01));
        assert_eq!(first_deadline(date!(2026 - 10 - 15)), date!(2026 - 11 - 15));
    }

    #[test]
    fn an_extension_reaches_at_most_two_months_past_the_first_limit() {
        assert_eq!(
            latest_extension(date!(2027 - 01 - 31)),
            date!(2027 - 04 - 28)
        );
        assert_eq!(
            latest_extension(date!(2026 - 10 - 15)),
            date!(2027 - 01 - 15)
        );
        // Never later than three months counted from receipt.
        for received in [
            date!(2027 - 01 - 31),
            date!(2026 - 11 - 30),
            date!(2028 - 03 - 31),
        ] {
            assert!(latest_extension(received) <= add_calendar_months(received, 3));
        }
    }

    #[test]
    fn the_latest_extension_sets_the_limit_and_days_left_turn_negative_when_it_passes() {
        let case = |events| AccessRequest {
            id: 1,
            case: NewAccessRequest {
                controller: BusinessId::parse("0179377-8").unwrap(),
                diary_number: ShortText::parse("TAR/2026/1").unwrap(),
                received: date!(2026 - 10 - 15),
                subject_key_id: 1,
                subject_hash: [0; 32],
                registered_at: Timestamp::from_micros(0).unwrap(),
                registered_by: "local".into(),
            },
            events,
        };
        let extended = |until| RecordedEvent {
            id: 1,
            event: CaseEvent::Extended {
                until,
                reason: LongText::parse("many registers").unwrap(),
            },
            recorded_at: Timestamp::from_micros(0).unwrap(),
            recorded_by: "local".into(),
        };
        let open = case(vec![]);
        assert_eq!(open.deadline(), date!(2026 - 11 - 15));
        assert_eq!(open.days_left(date!(2026 - 11 - 10)), 5);
        assert_eq!(open.days_left(date!(2026 - 11 - 17)), -2);
        let later = case(vec![
            extended(date!(2026 - 12 - 15)),
            extended(date!(2027 - 01 - 10)),
        ]);
        assert_eq!(later.deadline(), date!(2027 - 01 - 10));
        assert!(later.extended() && later.answered_on().is_none());
    }
}
