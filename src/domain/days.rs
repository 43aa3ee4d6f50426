//! A span of Finnish local days, the period of statistics and records of processing.

use std::fmt;
use std::ops::Range;

use time::Date;

use super::finnish_time::day_number_of_date;

/// The Finnish local days from `first` to `last`, both included, at most [`Days::MAX`] of
/// them (about ten years: what statistics and records are read for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    first: Date,
    last: Date,
}

/// Why two dates do not make a span of days; the fault is always the last day's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaysError {
    Reversed,
    TooLong,
}

impl fmt::Display for DaysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reversed => f.write_str("must not be before the first day"),
            Self::TooLong => write!(f, "the period may span at most {} days", Days::MAX),
        }
    }
}

impl std::error::Error for DaysError {}

impl Days {
    /// The longest span, in days.
    pub const MAX: i32 = 3_660;

    pub fn new(first: Date, last: Date) -> Result<Self, DaysError> {
        if last < first {
            Err(DaysError::Reversed)
        } else if (last - first).whole_days() >= i64::from(Self::MAX) {
            Err(DaysError::TooLong)
        } else {
            Ok(Self { first, last })
        }
    }

    pub fn first(&self) -> Date {
        self.first
    }

    pub fn last(&self) -> Date {
        self.last
    }

    /// The days as day numbers since 1970-01-01, end excluded.
    pub fn numbers(&self) -> Range<i32> {
        day_number_of_date(self.first)..day_number_of_date(self.last) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finnish_time::finnish_day_number;
    use time::macros::date;

    #[test]
    fn a_single_day_is_a_span_of_one_even_when_the_clocks_change() {
        for day in [
            date!(2026 - 03 - 29),
            date!(2026 - 10 - 25),
            date!(2026 - 06 - 01),
        ] {
            let days = Days::new(day, day).unwrap();
            let numbers = days.numbers();
            assert_eq!(numbers.len(), 1);
            let noon =
                super::super::finnish_time::start_of_finnish_day(day).micros() + 12 * 3_600_000_000;
            let at = crate::domain::Timestamp::from_micros(noon).unwrap();
            assert_eq!(numbers.start, finnish_day_number(at), "{day}");
        }
    }

    #[test]
    fn the_last_day_may_not_come_before_the_first() {
        assert_eq!(
            Days::new(date!(2026 - 03 - 29), date!(2026 - 03 - 28)),
            Err(DaysError::Reversed)
        );
    }

    #[test]
    fn a_span_longer_than_the_most_is_refused_on_every_front_end() {
        let first = date!(2016 - 01 - 01);
        let last = first + time::Duration::days(i64::from(Days::MAX) - 1);
        assert!(Days::new(first, last).is_ok());
        assert_eq!(
            Days::new(first, last + time::Duration::days(1)),
            Err(DaysError::TooLong)
        );
    }
}
