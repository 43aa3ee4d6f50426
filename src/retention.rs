//! Scheduled retention: with `retention.purge_after_days` set, the service empties the
//! personal content of entries whose disclosures occurred longer ago than that, at start
//! and then every `retention.purge_every_hours`. Leaf hashes and the tree stay, so proofs of
//! the remaining entries still verify (see `Services::purge`).

use std::time::Duration;

use serde::Deserialize;
use tokio::task::JoinHandle;

use crate::auth::Caller;
use crate::domain::Timestamp;
use crate::service::Services;

/// When old entries are purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Purge the entries of disclosures that occurred more than this many days ago; unset
    /// (the default) keeps everything until `luovutusloki purge` is run.
    pub purge_after_days: Option<u32>,
    /// How often the scheduled purge runs, in hours.
    pub purge_every_hours: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            purge_after_days: None,
            purge_every_hours: 24,
        }
    }
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Starts the scheduled purge, if one is configured; abort the task to stop it. It purges
/// through the same use case as `luovutusloki purge`.
pub fn spawn(services: Services, settings: RetentionSettings) -> Option<JoinHandle<()>> {
    let days = settings.purge_after_days?;
    let every = Duration::from_secs(settings.purge_every_hours.max(1) * 3_600);
    let schedule = Caller::service_itself("retention");
    Some(tokio::spawn(async move {
        loop {
            let now = Timestamp::now();
            let before = now.micros() - i64::from(days) * MICROS_PER_DAY;
            let Ok(occurred_before) = Timestamp::from_micros(before) else {
                tracing::error!(days, "the retention period reaches before any timestamp");
                return;
            };
            let requested_by = format!("retention schedule ({days} days)");
            match services
                .purge(&schedule, occurred_before, None, &requested_by)
                .await
            {
                Ok(report) if report.entries > 0 => {
                    tracing::info!(
                        entries = report.entries,
                        days,
                        "purged entries past retention"
                    )
                }
                Ok(_) => tracing::debug!(days, "no entries past retention"),
                Err(error) => tracing::error!(%error, "the scheduled purge failed"),
            }
            tokio::time::sleep(every).await;
        }
    }))
}
