//! Points in time as stored: microseconds since the Unix epoch, UTC.

use time::OffsetDateTime;

/// A UTC instant with microsecond precision, within years 1900..=9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(i64);

/// Why a timestamp was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("is required")]
    Missing,
    #[error("is not a valid time (nanos must be 0..=999,999,999, year 1900..=9999)")]
    OutOfRange,
    #[error("is more than {0} seconds in the future")]
    InFuture(i64),
}

const MIN_MICROS: i64 = -2_208_988_800_000_000; // 1900-01-01T00:00:00Z
const MAX_MICROS: i64 = 253_402_300_799_999_999; // 9999-12-31T23:59:59.999999Z

impl Timestamp {
    /// From protobuf-style seconds and nanoseconds; nanoseconds are truncated to micros.
    pub fn from_parts(seconds: i64, nanos: i32) -> Result<Self, TimestampError> {
        if !(0..1_000_000_000).contains(&nanos) {
            return Err(TimestampError::OutOfRange);
        }
        let micros = seconds
            .checked_mul(1_000_000)
            .and_then(|m| m.checked_add(i64::from(nanos / 1000)))
            .ok_or(TimestampError::OutOfRange)?;
        Self::from_micros(micros)
    }

    /// From microseconds since the epoch, as stored.
    pub fn from_micros(micros: i64) -> Result<Self, TimestampError> {
        if (MIN_MICROS..=MAX_MICROS).contains(&micros) {
            Ok(Self(micros))
        } else {
            Err(TimestampError::OutOfRange)
        }
    }

    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        Self((now.unix_timestamp_nanos() / 1000) as i64)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    /// Seconds and nanoseconds, as in `google.protobuf.Timestamp`.
    pub fn to_parts(self) -> (i64, i32) {
        (
            self.0.div_euclid(1_000_000),
            (self.0.rem_euclid(1_000_000) * 1000) as i32,
        )
    }

    /// Fails when this instant is more than `max_skew_secs` after `now`.
    pub fn not_after(self, now: Timestamp, max_skew_secs: i64) -> Result<Self, TimestampError> {
        if self.0 > now.0.saturating_add(max_skew_secs * 1_000_000) {
            Err(TimestampError::InFuture(max_skew_secs))
        } else {
            Ok(self)
        }
    }

    pub fn to_offset_date_time(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1000)
            .expect("range is checked on construction")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bad_nanos_and_far_times_are_rejected() {
        assert_eq!(
            Timestamp::from_parts(0, -1),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            Timestamp::from_parts(0, 1_000_000_000),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            Timestamp::from_parts(i64::MAX, 0),
            Err(TimestampError::OutOfRange)
        );
    }

    #[test]
    fn a_time_far_in_the_future_is_rejected() {
        let now = Timestamp::now();
        let later = Timestamp::from_micros(now.micros() + 3600 * 1_000_000).unwrap();
        assert_eq!(
            later.not_after(now, 300),
            Err(TimestampError::InFuture(300))
        );
        assert!(now.not_after(now, 300).is_ok());
    }

    proptest! {
        #[test]
        fn parts_round_trip(micros in MIN_MICROS..=MAX_MICROS) {
            let t = Timestamp::from_micros(micros).unwrap();
            let (s, n) = t.to_parts();
            prop_assert_eq!(Timestamp::from_parts(s, n).unwrap(), t);
            prop_assert_eq!(t.to_offset_date_time().unix_timestamp_nanos(), i128::from(micros) * 1000);
        }
    }
}
