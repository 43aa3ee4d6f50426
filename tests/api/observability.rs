//! Observability of the real binary: traces exported over OTLP/gRPC to a receiver run by the
//! test, continuing the caller's W3C trace context; and the Prometheus metrics endpoint.
//! SQLite only: neither depends on the backend.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

use crate::fixtures::*;
use crate::harness::{Database, Kind, ServiceProcess};

/// The caller's trace and span, as sent in `traceparent`.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";
const RECORD: &str = "luovutusloki.v1.DisclosureLog/RecordDisclosure";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_disclosure_is_traced_in_the_callers_trace_without_identity_codes() {
    // Arrange
    let collector = Collector::start().await;
    let db = Database::create(Kind::Sqlite).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = ServiceProcess::start_with_env(
        &db,
        data_dir.path(),
        "info",
        &[
            ("LUOVUTUSLOKI_TELEMETRY__OTLP_ENDPOINT", &collector.endpoint),
            (
                "LUOVUTUSLOKI_TELEMETRY__SERVICE_NAME",
                "luovutusloki-under-test",
            ),
            // Export every 100 ms rather than every 5 s.
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    );
    let subjects = hetus(400, 3);

    // Act
    let mut request =
        tonic::Request::new(income_register_submission("tr-traced-1", subjects.clone()));
    request.metadata_mut().insert(
        "traceparent",
        format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01")
            .parse()
            .unwrap(),
    );
    request
        .metadata_mut()
        .insert("tracestate", "vendor=opaque".parse().unwrap());
    let mut client = service.client().await;
    client.record_disclosure(request).await.unwrap();

    // Assert: the call's span, its queueing, the batch's commit and the checkpoint that
    // followed it, all in the caller's trace.
    let in_trace = |spans: &[Span], name: &str| {
        spans
            .iter()
            .find(|s| hex::encode(&s.trace_id) == TRACE_ID && s.name == name)
            .cloned()
    };
    let spans = collector
        .wait_for(|spans| {
            ["queued", "commit", "checkpoint", RECORD]
                .iter()
                .all(|name| in_trace(spans, name).is_some())
        })
        .await;
    let rpc = in_trace(&spans, RECORD).unwrap();
    assert_eq!(hex::encode(&rpc.parent_span_id), PARENT_SPAN_ID);
    assert_eq!(rpc.kind, 2, "a server span");
    assert_eq!(rpc.trace_state, "vendor=opaque");
    assert_eq!(attribute(&rpc, "rpc.system"), Some(text("grpc")));
    assert_eq!(
        attribute(&rpc, "rpc.service"),
        Some(text("luovutusloki.v1.DisclosureLog"))
    );
    assert_eq!(
        attribute(&rpc, "rpc.method"),
        Some(text("RecordDisclosure"))
    );
    assert_eq!(
        attribute(&rpc, "rpc.grpc.status_code"),
        Some(any_value::Value::IntValue(0))
    );
    let queued = in_trace(&spans, "queued").unwrap();
    assert_eq!(queued.parent_span_id, rpc.span_id);
    let commit = in_trace(&spans, "commit").unwrap();
    assert_eq!(commit.parent_span_id, rpc.span_id, "the batch's only call");
    assert_eq!(
        attribute(&commit, "disclosures"),
        Some(any_value::Value::IntValue(1))
    );
    assert_eq!(
        attribute(&commit, "entries"),
        Some(any_value::Value::IntValue(3))
    );
    let checkpoint = in_trace(&spans, "checkpoint").unwrap();
    assert_eq!(checkpoint.parent_span_id, commit.span_id);
    assert_eq!(
        collector.service_names(),
        vec!["luovutusloki-under-test".to_owned()]
    );

    let (status, _) = service.stop("TERM");
    assert!(status.success());
    let everything = collector.dump();
    assert!(everything.contains(RECORD), "the dump holds the spans");
    for code in &subjects {
        assert!(
            !everything.contains(code.as_str()),
            "an identity code in a span"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_still_buffered_are_exported_on_shutdown() {
    // Arrange: an export interval far longer than the test.
    let collector = Collector::start().await;
    let db = Database::create(Kind::Sqlite).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = ServiceProcess::start_with_env(
        &db,
        data_dir.path(),
        "info",
        &[
            ("LUOVUTUSLOKI_TELEMETRY__OTLP_ENDPOINT", &collector.endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "600000"),
        ],
    );
    let mut client = service.client().await;
    client
        .record_disclosure(income_register_submission("tr-flushed-1", hetus(500, 1)))
        .await
        .unwrap();

    // Act
    let (status, _) = service.stop("TERM");

    // Assert: exported before the process exited, so no waiting.
    assert!(status.success());
    let spans = collector.spans();
    assert!(
        spans.iter().any(|s| s.name == RECORD),
        "the call's span was flushed; got {:?}",
        spans.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    assert!(spans.iter().any(|s| s.name == "commit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_calls_batches_and_the_tree() {
    // Arrange
    let db = Database::create(Kind::Sqlite).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = ServiceProcess::start_with_env(
        &db,
        data_dir.path(),
        "info",
        &[("LUOVUTUSLOKI_TELEMETRY__METRICS_LISTEN", "127.0.0.1:0")],
    );
    let metrics = service
        .metrics_address
        .clone()
        .expect("the service logs its metrics address");
    let requests = format!("luovutusloki_rpc_requests_total{{method=\"{RECORD}\",code=\"OK\"}}");
    let batches = "luovutusloki_batch_disclosures_count";
    let tree = "luovutusloki_tree_size_entries";
    let before = scrape(&metrics).await;
    let calls = 3;
    let entries = 1 + 2 + 3;

    // Act
    let mut client = service.client().await;
    for call in 1..=calls {
        let request =
            income_register_submission(&format!("tr-metrics-{call}"), hetus(600 + call * 10, call));
        client.record_disclosure(request).await.unwrap();
    }

    // Assert: the tree gauge is set just after the callers are answered, hence the wait.
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        let after = scrape(&metrics).await;
        if value(&after, tree) >= value(&before, tree) + f64::from(entries)
            || Instant::now() > deadline
        {
            break after;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        value(&after, &requests) - value(&before, &requests),
        f64::from(calls)
    );
    let batched = value(&after, batches) - value(&before, batches);
    assert!(
        (1.0..=f64::from(calls)).contains(&batched),
        "{batched} batches for {calls} calls"
    );
    assert_eq!(
        value(&after, tree) - value(&before, tree),
        f64::from(entries)
    );
    for present in [
        "luovutusloki_rpc_duration_seconds_bucket{",
        "luovutusloki_write_queue_disclosures ",
        "luovutusloki_batch_entries_sum ",
        "luovutusloki_db_pool_connections{pool=\"read\"}",
        "luovutusloki_db_pool_idle_connections{pool=\"write\"}",
        "luovutusloki_checkpoint_age_seconds ",
    ] {
        assert!(after.contains(present), "{present} missing from:\n{after}");
    }
    let (status, _) = service.stop("TERM");
    assert!(status.success());
}

/// An OTLP/gRPC trace receiver on port 0 that keeps what it is sent.
struct Collector {
    endpoint: String,
    received: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
}

#[derive(Clone)]
struct Receiver(Arc<Mutex<Vec<ExportTraceServiceRequest>>>);

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.0.lock().unwrap().push(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

impl Collector {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let receiver = Receiver(Arc::clone(&received));
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(receiver))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        Self { endpoint, received }
    }

    fn spans(&self) -> Vec<Span> {
        let received = self.received.lock().unwrap();
        received
            .iter()
            .flat_map(|r| &r.resource_spans)
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| s.spans.clone())
            .collect()
    }

    /// The spans received, once `done` holds of them; fails after a deadline.
    async fn wait_for(&self, done: impl Fn(&[Span]) -> bool) -> Vec<Span> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let spans = self.spans();
            if done(&spans) {
                return spans;
            }
            assert!(
                Instant::now() < deadline,
                "the expected spans did not arrive; got {:?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every `service.name` the resources named.
    fn service_names(&self) -> Vec<String> {
        let received = self.received.lock().unwrap();
        let mut names: Vec<String> = received
            .iter()
            .flat_map(|r| &r.resource_spans)
            .filter_map(|r| r.resource.as_ref())
            .flat_map(|r| &r.attributes)
            .filter(|kv| kv.key == "service.name")
            .filter_map(|kv| match kv.value.as_ref()?.value.as_ref()? {
                any_value::Value::StringValue(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        names.dedup();
        names
    }

    /// Everything received, printed: names, attributes, events, resources.
    fn dump(&self) -> String {
        format!("{:?}", self.received.lock().unwrap())
    }
}

fn attribute(span: &Span, key: &str) -> Option<any_value::Value> {
    span.attributes
        .iter()
        .find(|kv: &&KeyValue| kv.key == key)
        .and_then(|kv| kv.value.clone())
        .and_then(|v: AnyValue| v.value)
}

fn text(s: &str) -> any_value::Value {
    any_value::Value::StringValue(s.to_owned())
}

/// `GET /metrics` at `address`: the body.
async fn scrape(address: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    body.to_owned()
}

/// The value of the sample `series` (name and labels), or 0 when it is not there yet.
fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}
