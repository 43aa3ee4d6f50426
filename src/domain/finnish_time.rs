//! Dates as a person in Finland reads them. Finland keeps EET (UTC+2) and, from the last
//! Sunday of March to the last Sunday of October (01:00 UTC both), EEST (UTC+3), the rule
//! of Directive 2000/84/EC. One zone with one fixed rule does not need a time-zone
//! database crate, so it is written out here.

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

use super::provision::Language;
use super::timestamp::Timestamp;

/// The last Sunday of `month` in `year`, at 01:00 UTC.
fn last_sunday_0100_utc(year: i32, month: Month) -> OffsetDateTime {
    let next_month_first = match month {
        Month::December => Date::from_calendar_date(year + 1, Month::January, 1),
        _ => Date::from_calendar_date(year, month.next(), 1),
    }
    .expect("a real date");
    let mut day = next_month_first - Duration::days(1);
    while day.weekday() != Weekday::Sunday {
        day -= Duration::days(1);
    }
    day.with_hms(1, 0, 0).expect("a real time").assume_utc()
}

/// `at` in Finnish local time.
pub fn finnish_local(at: Timestamp) -> OffsetDateTime {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.micros()) * 1_000)
        .expect("timestamps are in range");
    let year = utc.year();
    let summer = utc >= last_sunday_0100_utc(year, Month::March)
        && utc < last_sunday_0100_utc(year, Month::October);
    let hours = if summer { 3 } else { 2 };
    utc.to_offset(UtcOffset::from_hms(hours, 0, 0).expect("a valid offset"))
}

/// The Finnish local date of `at` as days since 1970-01-01: the day of the statistics.
pub fn finnish_day_number(at: Timestamp) -> i32 {
    let local = finnish_local(at).date();
    local.to_julian_day() - time::macros::date!(1970 - 01 - 01).to_julian_day()
}

/// The day number of a Finnish local date, as [`finnish_day_number`] counts them.
pub fn day_number_of_date(day: Date) -> i32 {
    day.to_julian_day() - time::macros::date!(1970 - 01 - 01).to_julian_day()
}

/// The date of a day number from [`finnish_day_number`].
pub fn date_of_day_number(day: i32) -> Date {
    Date::from_julian_day(time::macros::date!(1970 - 01 - 01).to_julian_day() + day)
        .expect("day numbers come from real dates")
}

/// A day written `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).ok()
}

/// The moment a day starts in Finland (local midnight).
pub fn start_of_finnish_day(day: Date) -> Timestamp {
    // The clocks change at 03:00 or 04:00 local time, after midnight, so the offset at
    // midnight is the one in force at the previous day's noon (on the day of a change its
    // own noon already has the new offset).
    let previous_noon = day
        .previous_day()
        .expect("dates given are far from the start of time")
        .with_hms(10, 0, 0)
        .expect("a real time")
        .assume_utc();
    let offset = finnish_local(
        Timestamp::from_micros((previous_noon.unix_timestamp_nanos() / 1_000) as i64)
            .expect("in range"),
    )
    .offset();
    let midnight = day.midnight().assume_offset(offset);
    Timestamp::from_micros((midnight.unix_timestamp_nanos() / 1_000) as i64).expect("in range")
}

/// The Finnish local date of `at`: `5.10.2026` in Finnish and Swedish, `2026-10-05` in
/// English.
pub fn date(at: Timestamp, lang: Language) -> String {
    let local = finnish_local(at).date();
    match lang {
        Language::Fi | Language::Sv => {
            format!(
                "{}.{}.{}",
                local.day(),
                u8::from(local.month()),
                local.year()
            )
        }
        Language::En => format!(
            "{}-{:02}-{:02}",
            local.year(),
            u8::from(local.month()),
            local.day()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> Timestamp {
        let t =
            OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap();
        Timestamp::from_micros((t.unix_timestamp_nanos() / 1_000) as i64).unwrap()
    }

    #[test]
    fn a_finnish_day_starts_at_local_midnight() {
        let day = |y, m, d| Date::from_calendar_date(y, m, d).unwrap();
        assert_eq!(
            start_of_finnish_day(day(2026, Month::January, 1)),
            at("2025-12-31T22:00:00Z")
        );
        assert_eq!(
            start_of_finnish_day(day(2026, Month::July, 1)),
            at("2026-06-30T21:00:00Z")
        );
    }

    #[test]
    fn a_day_on_which_the_clocks_change_starts_at_the_midnight_before_the_change() {
        let day = |y, m, d| Date::from_calendar_date(y, m, d).unwrap();
        // Summer time begins at 03:00 on 29 March 2026: midnight is still +02:00.
        assert_eq!(
            start_of_finnish_day(day(2026, Month::March, 29)),
            at("2026-03-28T22:00:00Z")
        );
        // It ends at 04:00 on 25 October 2026: midnight is still +03:00.
        assert_eq!(
            start_of_finnish_day(day(2026, Month::October, 25)),
            at("2026-10-24T21:00:00Z")
        );
    }

    #[test]
    fn late_evening_utc_is_the_next_day_in_finland() {
        assert_eq!(date(at("2026-10-04T22:30:00Z"), Language::Fi), "5.10.2026");
        assert_eq!(date(at("2026-01-31T22:30:00Z"), Language::En), "2026-02-01");
    }

    #[test]
    fn summer_time_starts_and_ends_at_one_utc_on_the_last_sundays() {
        // 2026: summer time from 29 March to 25 October.
        assert_eq!(
            finnish_local(at("2026-03-29T00:59:59Z"))
                .offset()
                .whole_hours(),
            2
        );
        assert_eq!(
            finnish_local(at("2026-03-29T01:00:00Z"))
                .offset()
                .whole_hours(),
            3
        );
        assert_eq!(
            finnish_local(at("2026-10-25T00:59:59Z"))
                .offset()
                .whole_hours(),
            3
        );
        assert_eq!(
            finnish_local(at("2026-10-25T01:00:00Z"))
                .offset()
                .whole_hours(),
            2
        );
    }
}
