//! The scenarios that call the server: health checks, one-subject and 1,000-subject records,
//! subject lookups, and the preload that fills the store through the API.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::baseline::{Range, preload_id};
use super::load::{self, Budget, CALL_TIMEOUT, Drive, OpError, Outcome};
use super::subjects::{
    CAPACITY, REGISTER, days_before_now, disclosure, identity_code, identity_codes, mix,
};
use crate::proto::disclosure_log_client::DisclosureLogClient;
use crate::proto::{
    DisclosureStatisticsRequest, ListSubjectDisclosuresRequest, LookupContext,
    ProcessingRecordRequest, StatisticsBucket, StatisticsDimension,
};

/// Subjects in one bulk disclosure.
pub const BULK_SUBJECTS: u64 = 1_000;
/// Subjects in one preload disclosure.
pub const PRELOAD_SUBJECTS: u64 = 50_000;
/// Preload disclosures in flight at once: enough that sealing one overlaps committing another.
pub const PRELOAD_CALLERS: usize = 4;

/// One connection per caller, made before any scenario starts.
pub struct Connections {
    channels: Vec<Channel>,
    controller: String,
    /// Makes this run's transfer ids unique: `bench-<ms since 1970>`.
    run_prefix: String,
    /// Varies the random picks between runs.
    salt: u64,
    /// Preloaded subject number `n` is identity code `n % population`: a person appears
    /// in many disclosures, as people do.
    population: u64,
    /// Preload disclosures occur in recording order over this many days up to today.
    preload_days: u64,
    /// Scenario runs so far: a scenario runs more than once (closed loop, then open loops),
    /// and each run needs transfer ids and picks of its own.
    runs: AtomicU64,
}

/// Refuses anything but a loopback address: the benchmark is a load generator.
pub fn check_loopback(server: &str) -> anyhow::Result<()> {
    let endpoint = Endpoint::from_shared(server.to_owned()).context("--server is not a URL")?;
    let host = endpoint.uri().host().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        loopback,
        "--server must be a loopback address (127.0.0.1, [::1], localhost), not {host}"
    );
    Ok(())
}

/// The TCP port of a server URL (the scheme's default if none is written).
pub fn port_of(server: &str) -> Option<u16> {
    let uri = Endpoint::from_shared(server.to_owned()).ok()?.uri().clone();
    uri.port_u16().or(match uri.scheme_str()? {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })
}

/// The first and last Finnish local day of the 365 days that end today.
fn last_365_days() -> (time::Date, time::Date) {
    let today = finnish_date(time::OffsetDateTime::now_utc());
    (today - time::Duration::days(364), today)
}

/// The date in Finland at `utc`: EET (UTC+2), and EEST (UTC+3) from the last Sunday of March
/// to the last Sunday of October, 01:00 UTC both (Directive 2000/84/EC), the days the API's
/// date ranges are in.
fn finnish_date(utc: time::OffsetDateTime) -> time::Date {
    let last_sunday_0100 = |month: time::Month| {
        let mut day = time::Date::from_calendar_date(utc.year(), month.next(), 1)
            .expect("a real date")
            .previous_day()
            .expect("a real date");
        while day.weekday() != time::Weekday::Sunday {
            day = day.previous_day().expect("a real date");
        }
        day.with_hms(1, 0, 0).expect("a real time").assume_utc()
    };
    let summer =
        utc >= last_sunday_0100(time::Month::March) && utc < last_sunday_0100(time::Month::October);
    (utc + time::Duration::hours(if summer { 3 } else { 2 })).date()
}

impl Connections {
    /// Opens `callers` connections to `server`.
    pub async fn open(
        server: String,
        callers: usize,
        controller: String,
        run_millis: u64,
    ) -> anyhow::Result<Self> {
        let endpoint = Endpoint::from_shared(server.clone())
            .context("--server is not a URL")?
            .connect_timeout(Duration::from_secs(5))
            .timeout(CALL_TIMEOUT)
            .tcp_nodelay(true);
        let connects = (0..callers).map(|_| endpoint.connect());
        let channels = futures_util::future::try_join_all(connects)
            .await
            .with_context(|| {
                format!("connecting to {server} (is `luovutusloki serve` running?)")
            })?;
        Ok(Self {
            channels,
            controller,
            run_prefix: format!("bench-{run_millis}"),
            salt: mix(run_millis),
            population: CAPACITY,
            preload_days: 365,
            runs: AtomicU64::new(0),
        })
    }

    /// Preloaded subjects drawn from `population` people (at most [`CAPACITY`]), their
    /// disclosures spread in recording order over `days` days up to today.
    pub fn with_preload_shape(mut self, population: u64, days: u64) -> Self {
        self.population = population.clamp(1, CAPACITY);
        self.preload_days = days.max(1);
        self
    }

    fn client(&self, caller: usize) -> DisclosureLogClient<Channel> {
        DisclosureLogClient::new(self.channels[caller % self.channels.len()].clone())
    }

    /// `grpc.health.v1.Health/Check` of the whole server: the gRPC floor.
    pub async fn health(self: &Arc<Self>, drive: Drive) -> anyhow::Result<Outcome> {
        let clients: Arc<Vec<_>> = Arc::new(
            self.channels
                .iter()
                .map(|c| HealthClient::new(c.clone()))
                .collect(),
        );
        load::drive(self.channels.len(), drive, move |call| {
            let mut client = clients[call.caller].clone();
            async move {
                let response = client.check(HealthCheckRequest::default()).await?;
                match response.into_inner().status() {
                    ServingStatus::Serving => Ok(0),
                    status => Err(OpError::new("NOT_SERVING", format!("{status:?}"))),
                }
            }
        })
        .await
    }

    /// A year's statistics, as a dashboard asks for them: the last 365 Finnish days by
    /// recipient and statute, per month.
    pub async fn statistics(self: &Arc<Self>, drive: Drive) -> anyhow::Result<Outcome> {
        let (from, today) = last_365_days();
        let this = Arc::clone(self);
        load::drive(self.channels.len(), drive, move |call| {
            let mut client = this.client(call.caller);
            let request = DisclosureStatisticsRequest {
                controller_id: this.controller.clone(),
                from_date: from.to_string(),
                to_date: today.to_string(),
                group_by: vec![
                    StatisticsDimension::Recipient.into(),
                    StatisticsDimension::Statute.into(),
                ],
                bucket: StatisticsBucket::Month.into(),
                ..Default::default()
            };
            async move {
                let response = client.disclosure_statistics(request).await?.into_inner();
                if response.groups.is_empty() {
                    return Err(OpError::new(
                        "EMPTY",
                        "no statistics for the year".to_owned(),
                    ));
                }
                Ok(0)
            }
        })
        .await
    }

    /// A year's Art. 30 record of the benchmark's register, with all three exports.
    pub async fn art30(self: &Arc<Self>, drive: Drive) -> anyhow::Result<Outcome> {
        let (from, today) = last_365_days();
        let this = Arc::clone(self);
        load::drive(self.channels.len(), drive, move |call| {
            let mut client = this.client(call.caller);
            let request = ProcessingRecordRequest {
                controller_id: this.controller.clone(),
                register_id: REGISTER.into(),
                from_date: from.to_string(),
                to_date: today.to_string(),
                language: 0,
                with_pdf: false,
            };
            async move {
                let record = client.processing_record(request).await?.into_inner();
                if record.disclosures == 0 {
                    return Err(OpError::new(
                        "EMPTY",
                        "no disclosures in the year".to_owned(),
                    ));
                }
                Ok(0)
            }
        })
        .await
    }

    /// One-subject disclosures, each with its own transfer id and a random subject.
    pub async fn unary(self: &Arc<Self>, drive: Drive) -> anyhow::Result<Outcome> {
        self.record(drive, "u", 1).await
    }

    /// Disclosures of [`BULK_SUBJECTS`] consecutive subjects from a random start.
    pub async fn bulk(self: &Arc<Self>, drive: Drive) -> anyhow::Result<Outcome> {
        self.record(drive, "b", BULK_SUBJECTS).await
    }

    async fn record(
        self: &Arc<Self>,
        drive: Drive,
        tag: &'static str,
        subjects: u64,
    ) -> anyhow::Result<Outcome> {
        let this = Arc::clone(self);
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        load::drive(self.channels.len(), drive, move |call| {
            let mut client = this.client(call.caller);
            let first = mix(this.salt ^ (run << 40) ^ call.seq) % (CAPACITY - subjects);
            let request = disclosure(
                &this.controller,
                format!("{}-{tag}{run}-{}", this.run_prefix, call.seq),
                identity_codes(first, subjects, CAPACITY),
                call.seq,
            );
            async move {
                let response = client.record_disclosure(request).await?.into_inner();
                Ok(u64::from(response.subject_count))
            }
        })
        .await
    }

    /// Lookups of random subjects from `ranges` (all recorded by the preload); an empty
    /// answer means the subject was not found and counts as an error.
    pub async fn lookup(
        self: &Arc<Self>,
        drive: Drive,
        ranges: &[Range],
    ) -> anyhow::Result<Outcome> {
        // Cumulative counts, so a uniform pick over all preloaded subjects finds its range.
        let mut ends = Vec::with_capacity(ranges.len());
        let mut total = 0;
        for range in ranges {
            total += range.count;
            ends.push(total);
        }
        anyhow::ensure!(total > 0, "no preloaded subjects to look up");
        let picks = Arc::new((ranges.to_vec(), ends, total));
        let this = Arc::clone(self);
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        load::drive(self.channels.len(), drive, move |call| {
            let mut client = this.client(call.caller);
            let (ranges, ends, total) = &*picks;
            let pick = mix(this.salt.rotate_left(17) ^ (run << 40) ^ call.seq) % total;
            let i = ends.partition_point(|&end| end <= pick);
            let offset = pick - (ends[i] - ranges[i].count);
            let request = ListSubjectDisclosuresRequest {
                controller_id: this.controller.clone(),
                context: Some(LookupContext {
                    requested_by: "luovutusloki-bench".into(),
                    case_reference: "bench".into(),
                }),
                subject: identity_code((ranges[i].first + offset) % this.population),
                ..Default::default()
            };
            async move {
                let response = client.list_subject_disclosures(request).await?.into_inner();
                if response.disclosures.is_empty() {
                    return Err(OpError::new(
                        "EMPTY_RESULT",
                        "a preloaded subject had no disclosures (is --database-url the server's?)",
                    ));
                }
                Ok(response.disclosures.len() as u64)
            }
        })
        .await
    }

    /// Records `chunks` (code ranges) as preload disclosures, [`PRELOAD_CALLERS`] at a time,
    /// printing progress to stderr.
    pub async fn preload(self: &Arc<Self>, chunks: Vec<Range>) -> anyhow::Result<Outcome> {
        let budget = Budget {
            duration: None,
            max_calls: Some(chunks.len() as u64),
        };
        let total: u64 = chunks.iter().map(|c| c.count).sum();
        let done = Arc::new(AtomicU64::new(0));
        let chunks = Arc::new(chunks);
        let this = Arc::clone(self);
        load::run(PRELOAD_CALLERS, budget, move |call| {
            let mut client = this.client(call.caller);
            let chunk = chunks[call.seq as usize];
            let controller = this.controller.clone();
            let done = Arc::clone(&done);
            let population = this.population;
            // The chunks in order over the days, the last on today.
            let days_ago = (this.preload_days - 1)
                - call.seq * this.preload_days / (chunks.len() as u64).max(1);
            async move {
                // 50,000 codes take a few milliseconds: off the runtime's threads.
                let subjects = tokio::task::spawn_blocking(move || {
                    identity_codes(chunk.first, chunk.count, population)
                })
                .await
                .map_err(|e| OpError::new("PANIC", e.to_string()))?;
                let mut request = disclosure(&controller, preload_id(chunk), subjects, call.seq);
                request.occurred_at = Some(days_before_now(days_ago));
                let response = client.record_disclosure(request).await?.into_inner();
                let loaded = done.fetch_add(chunk.count, Ordering::Relaxed) + chunk.count;
                eprintln!("  preload: {loaded} / {total} subject entries");
                Ok(u64::from(response.subject_count))
            }
        })
        .await
    }
}

/// Splits `count` codes starting at `first` into preload disclosures.
pub fn preload_chunks(first: u64, count: u64) -> Vec<Range> {
    (0..count.div_ceil(PRELOAD_SUBJECTS))
        .map(|i| {
            let start = i * PRELOAD_SUBJECTS;
            Range {
                first: first + start,
                count: PRELOAD_SUBJECTS.min(count - start),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_count_exactly() {
        let chunks = preload_chunks(1_000, 120_001);
        assert_eq!(chunks.len(), 3);
        assert_eq!(
            chunks[0],
            Range {
                first: 1_000,
                count: 50_000
            }
        );
        assert_eq!(
            chunks[2],
            Range {
                first: 101_000,
                count: 20_001
            }
        );
        assert!(preload_chunks(0, 0).is_empty());
    }

    #[test]
    fn the_finnish_date_follows_summer_time() {
        use time::macros::datetime;
        // Winter: UTC+2, so 22:00 UTC is already the next day.
        assert_eq!(
            finnish_date(datetime!(2026-01-15 22:00 UTC)),
            time::macros::date!(2026 - 01 - 16)
        );
        // Summer: UTC+3; 21:30 UTC is the next day, 20:30 UTC is not.
        assert_eq!(
            finnish_date(datetime!(2026-07-01 21:30 UTC)),
            time::macros::date!(2026 - 07 - 02)
        );
        assert_eq!(
            finnish_date(datetime!(2026-07-01 20:30 UTC)),
            time::macros::date!(2026 - 07 - 01)
        );
        // 2026's summer time ends on 25 October at 01:00 UTC.
        assert_eq!(
            finnish_date(datetime!(2026-10-24 21:30 UTC)),
            time::macros::date!(2026 - 10 - 25)
        );
        assert_eq!(
            finnish_date(datetime!(2026-10-25 21:30 UTC)),
            time::macros::date!(2026 - 10 - 25)
        );
    }

    #[test]
    fn only_loopback_servers_are_accepted() {
        for ok in [
            "http://127.0.0.1:50051",
            "http://localhost:50051",
            "http://[::1]:50051",
        ] {
            assert!(check_loopback(ok).is_ok(), "{ok}");
        }
        for bad in ["http://10.0.0.5:50051", "http://example.com:50051"] {
            assert!(check_loopback(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_port_of_a_server_is_its_own_or_the_schemes() {
        assert_eq!(port_of("http://127.0.0.1:50051"), Some(50051));
        assert_eq!(port_of("http://[::1]:7000"), Some(7000));
        assert_eq!(port_of("http://localhost"), Some(80));
    }
}
