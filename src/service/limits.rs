//! The limits a request is held to, set in `[limits]`; the proto documents them.

/// Request limits, documented in the proto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Most data subjects in one disclosure.
    pub max_subjects: usize,
    /// Largest request message in bytes.
    pub max_message_bytes: usize,
    /// How far in the future occurred_at may be, in seconds (clock skew between systems).
    pub max_future_skew_secs: i64,
    /// Most messages in one import stream.
    pub max_import_messages: usize,
    /// Import messages being recorded at once, so one stream fills group-commit batches.
    pub import_concurrency: usize,
    /// Calls served at once across all callers; beyond it, RESOURCE_EXHAUSTED.
    pub max_concurrent_calls: usize,
    /// Each caller's sustained calls per second; 0: unlimited.
    pub caller_calls_per_second: u32,
    /// Calls a caller may make at once above its rate; 0: as many as one second's rate.
    pub caller_burst: u32,
    /// Longest a call may run, in seconds, whatever deadline the caller sets (a shorter
    /// `grpc-timeout` of the caller's is honoured).
    pub max_call_secs: u64,
    /// The pause suggested (RetryInfo) when a call is refused for overload, in milliseconds.
    pub retry_after_ms: u64,
}

impl Limits {
    /// Each caller's rate and burst, if callers are rate-limited.
    pub fn caller_rate(&self) -> crate::auth::CallerRate {
        let per_second = std::num::NonZeroU32::new(self.caller_calls_per_second)?;
        let burst = std::num::NonZeroU32::new(self.caller_burst).unwrap_or(per_second);
        Some((per_second, burst))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_subjects: 100_000,
            max_message_bytes: 64 * 1024 * 1024,
            max_future_skew_secs: 300,
            max_import_messages: 10_000,
            import_concurrency: 64,
            max_concurrent_calls: 1024,
            caller_calls_per_second: 0,
            caller_burst: 0,
            max_call_secs: 300,
            retry_after_ms: 100,
        }
    }
}
