//! Prometheus metrics: one registry for the process, its handles made once, and the
//! `GET /metrics` endpoint that serves it in the Prometheus text format.
//!
//! The registry is process-wide, like Prometheus clients' default registries, so the hot
//! paths (the RPC layer, the writer) reach their handles without anything threaded through
//! them: an update is an atomic add. Values that exist elsewhere already (connection pools,
//! the newest checkpoint's age) are read when scraped, not kept up to date.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::domain::Timestamp;
use crate::storage::prelude::*;
use crate::storage::{PoolStatus, Store};

/// The process's metrics; see [`metrics`].
pub struct Metrics {
    rpc_requests: Family<RpcLabels, Counter>,
    rpc_duration: Family<RpcLabels, Histogram, fn() -> Histogram>,
    write_queue: Gauge,
    batch_disclosures: Histogram,
    batch_entries: Histogram,
    commit_duration: Histogram,
    tree_size: Gauge,
    sampled: Arc<Sampled>,
    registry: Registry,
    /// The methods this process's servers serve, `package.Service/Method`: the only method
    /// labels. Given by whoever starts a server (telemetry does not know the API); a lock
    /// rather than a once-cell because every server of a process (tests start many) adds
    /// its own, and an uncontended read is cheap next to a call.
    served: RwLock<HashSet<&'static str>>,
}

/// The labels of the RPC metrics.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RpcLabels {
    /// `package.Service/Method`, or `other` for a path no service serves, so that callers
    /// cannot grow the number of series (or put text in a label) at will.
    method: &'static str,
    /// The gRPC status code's name, e.g. `OK`.
    code: &'static str,
}

/// The metrics of this process, created on first use.
pub fn metrics() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &METRICS
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("luovutusloki");
        let rpc_requests = Family::<RpcLabels, Counter>::default();
        registry.register(
            "rpc_requests",
            "gRPC calls answered, by method and status code",
            rpc_requests.clone(),
        );
        let rpc_duration =
            Family::<RpcLabels, Histogram, fn() -> Histogram>::new_with_constructor(|| {
                // 0.5 ms to 16 s.
                Histogram::new(exponential_buckets(0.0005, 2.0, 16))
            });
        registry.register_with_unit(
            "rpc_duration",
            "Time to answer a gRPC call (until its response headers), by method and status code",
            Unit::Seconds,
            rpc_duration.clone(),
        );
        let write_queue = Gauge::default();
        registry.register(
            "write_queue_disclosures",
            "Disclosures waiting in the write queue for the group-commit writer",
            write_queue.clone(),
        );
        let batch_disclosures = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        registry.register(
            "batch_disclosures",
            "Disclosures committed in one group-commit transaction",
            batch_disclosures.clone(),
        );
        let batch_entries = Histogram::new(exponential_buckets(1.0, 4.0, 10));
        registry.register(
            "batch_entries",
            "Subject entries committed in one group-commit transaction",
            batch_entries.clone(),
        );
        let commit_duration = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        registry.register_with_unit(
            "batch_commit_duration",
            "Time to commit one group-commit transaction",
            Unit::Seconds,
            commit_duration.clone(),
        );
        let tree_size = Gauge::default();
        registry.register(
            "tree_size_entries",
            "Entries integrated into the Merkle tree",
            tree_size.clone(),
        );
        let sampled = Arc::new(Sampled::default());
        registry.register_collector(Box::new(Arc::clone(&sampled)));
        Self {
            rpc_requests,
            rpc_duration,
            write_queue,
            batch_disclosures,
            batch_entries,
            commit_duration,
            tree_size,
            sampled,
            registry,
            served: RwLock::default(),
        }
    }

    /// Adds `methods` (`package.Service/Method`) to the served methods, the only method
    /// labels the RPC metrics use.
    pub fn serve_methods(&self, methods: impl IntoIterator<Item = &'static str>) {
        let mut served = self.served.write().unwrap_or_else(PoisonError::into_inner);
        served.extend(methods);
    }

    /// Counts an answered call of `path` (`/package.Service/Method`) with gRPC status `code`.
    /// The path is the caller's: any path that names no served method (unknown, or refused
    /// before routing) counts as `other`.
    pub fn rpc_answered(&self, path: &str, code: u8, elapsed: Duration) {
        let method = path
            .strip_prefix('/')
            .and_then(|name| {
                let served = self.served.read().unwrap_or_else(PoisonError::into_inner);
                served.get(name).copied()
            })
            .unwrap_or("other");
        let labels = RpcLabels {
            method,
            code: code_name(code),
        };
        self.rpc_requests.get_or_create(&labels).inc();
        self.rpc_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// A disclosure entered the write queue.
    pub fn queued(&self) {
        self.write_queue.inc();
    }

    /// `n` disclosures left the write queue (taken into a batch, or not sent after all).
    pub fn dequeued(&self, n: usize) {
        self.write_queue.dec_by(n as i64);
    }

    /// A batch of `disclosures` with `entries` subject entries was committed in `elapsed`.
    pub fn batch_committed(&self, disclosures: usize, entries: usize, elapsed: Duration) {
        self.batch_disclosures.observe(disclosures as f64);
        self.batch_entries.observe(entries as f64);
        self.commit_duration.observe(elapsed.as_secs_f64());
    }

    /// The Merkle tree now holds `size` entries.
    pub fn tree_size(&self, size: u64) {
        self.tree_size.set(size.try_into().unwrap_or(i64::MAX));
    }

    /// The newest checkpoint was signed at `signed_at` (microseconds since the epoch).
    pub fn checkpoint_signed(&self, signed_at: i64) {
        self.sampled
            .checkpoint_signed_at
            .fetch_max(signed_at, Ordering::Relaxed);
    }

    /// Reads the connection pools' state from `pools` at each scrape, until `None` is set.
    pub fn pools_from(&self, pools: Option<PoolSource>) {
        *self.sampled.pools.write().expect("not poisoned") = pools;
    }

    /// Every metric in the Prometheus text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let mut text = String::with_capacity(8 * 1024);
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String does not fail");
        text
    }
}

/// Has the metrics read `store`'s pools at each scrape and starts the tree and checkpoint
/// gauges from it, until the returned guard is dropped.
pub async fn watch_store(store: &Store, tree_size: u64) -> WatchedStore {
    let m = metrics();
    m.tree_size(tree_size);
    match store.latest_checkpoint().await {
        Ok(Some(checkpoint)) => m.checkpoint_signed(checkpoint.signed_at),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "reading the latest checkpoint for metrics"),
    }
    let store = store.clone();
    m.pools_from(Some(Box::new(move || store.pool_status())));
    WatchedStore(())
}

/// Stops the pool metrics when dropped; see [`watch_store`].
#[must_use = "the pools are read only while it lives"]
pub struct WatchedStore(());

impl Drop for WatchedStore {
    fn drop(&mut self) {
        metrics().pools_from(None);
    }
}

/// Reads the connection pools' state.
pub type PoolSource = Box<dyn Fn() -> Vec<PoolStatus> + Send + Sync>;

/// Values read at scrape time.
#[derive(Default)]
struct Sampled {
    /// When the newest checkpoint was signed, in microseconds since the epoch; 0: none yet.
    checkpoint_signed_at: AtomicI64,
    /// A lock taken for writing only when a server starts or stops.
    pools: RwLock<Option<PoolSource>>,
}

impl std::fmt::Debug for Sampled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sampled").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

impl Collector for Sampled {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let signed_at = self.checkpoint_signed_at.load(Ordering::Relaxed);
        if signed_at > 0 {
            let age = (Timestamp::now().micros() - signed_at).max(0) as f64 / 1e6;
            let gauge = ConstGauge::new(age);
            let metric = encoder.encode_descriptor(
                "checkpoint_age",
                "Time since the newest published checkpoint was signed",
                Some(&Unit::Seconds),
                gauge.metric_type(),
            )?;
            gauge.encode(metric)?;
        }
        let pools = self.pools.read().expect("not poisoned");
        if let Some(source) = pools.as_ref() {
            let pools = source();
            let size = Unit::Other("connections".into());
            let mut metric = encoder.encode_descriptor(
                "db_pool",
                "Open database connections, by pool",
                Some(&size),
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for p in &pools {
                let labels = PoolLabels { pool: p.name };
                ConstGauge::new(i64::from(p.size)).encode(metric.encode_family(&labels)?)?;
            }
            let mut metric = encoder.encode_descriptor(
                "db_pool_idle",
                "Idle database connections, by pool",
                Some(&size),
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for p in &pools {
                let labels = PoolLabels { pool: p.name };
                ConstGauge::new(p.idle as i64).encode(metric.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}

/// The name of gRPC status `code` as the protocol spells it.
pub fn code_name(code: u8) -> &'static str {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    NAMES.get(usize::from(code)).copied().unwrap_or("UNKNOWN")
}

/// Serves `GET /metrics` on `listener` until its task is aborted.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use axum::http::header::CONTENT_TYPE;
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async {
            (
                [(
                    CONTENT_TYPE,
                    prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                )],
                metrics().encode(),
            )
        }),
    );
    axum::serve(listener, router).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_carry_the_prefix_and_units() {
        let m = metrics();
        m.serve_methods(["luovutusloki.v1.DisclosureLog/RecordDisclosure"]);
        m.rpc_answered(
            "/luovutusloki.v1.DisclosureLog/RecordDisclosure",
            0,
            Duration::from_millis(3),
        );
        m.rpc_answered("/no.such.Service/Call", 12, Duration::from_millis(1));
        m.batch_committed(2, 3, Duration::from_millis(1));
        m.checkpoint_signed(Timestamp::now().micros());
        let text = m.encode();
        for expected in [
            "luovutusloki_rpc_requests_total{method=\"luovutusloki.v1.DisclosureLog/RecordDisclosure\",code=\"OK\"}",
            "luovutusloki_rpc_requests_total{method=\"other\",code=\"UNIMPLEMENTED\"}",
            "luovutusloki_rpc_duration_seconds_bucket{",
            "luovutusloki_batch_disclosures_count ",
            "luovutusloki_batch_entries_sum ",
            "luovutusloki_batch_commit_duration_seconds_count ",
            "luovutusloki_write_queue_disclosures ",
            "luovutusloki_tree_size_entries ",
            "luovutusloki_checkpoint_age_seconds ",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
        assert!(!text.contains("no.such.Service"));
    }

    #[test]
    fn every_grpc_code_has_its_name() {
        assert_eq!(code_name(0), "OK");
        assert_eq!(code_name(5), "NOT_FOUND");
        assert_eq!(code_name(16), "UNAUTHENTICATED");
        assert_eq!(code_name(99), "UNKNOWN");
    }
}
