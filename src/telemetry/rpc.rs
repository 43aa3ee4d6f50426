//! The span of one RPC: named after its gRPC method, with OpenTelemetry's RPC attributes,
//! continuing the caller's trace when a W3C `traceparent` came with the call.

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::Extractor;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Set once traces are exported; until then an incoming `traceparent` is not even parsed.
static CONTINUE_TRACES: AtomicBool = AtomicBool::new(false);

pub(super) fn continue_incoming_traces() {
    CONTINUE_TRACES.store(true, Ordering::Relaxed);
}

/// The span of the RPC `request` (for tonic's `Server::trace_fn`). Its status code is
/// recorded by [`record_rpc_status`] when the call is answered.
/// A page (not gRPC) gets an `http` span named after its path, without RPC attributes.
pub fn rpc_span(request: &http::Request<()>) -> tracing::Span {
    if !is_grpc(request.headers()) {
        return tracing::info_span!(
            "http",
            otel.name = request.uri().path(),
            otel.kind = "server",
            http.request.method = %request.method(),
        );
    }
    let name = request.uri().path().trim_start_matches('/');
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    let span = tracing::info_span!(
        "rpc",
        otel.name = name,
        otel.kind = "server",
        otel.status_code = Empty,
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        rpc.grpc.status_code = Empty,
    );
    if CONTINUE_TRACES.load(Ordering::Relaxed) && request.headers().contains_key("traceparent") {
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&HeaderExtractor(request.headers()))
        });
        // Fails only when the span is disabled (not exported): nothing to continue then.
        let _ = span.set_parent(parent);
    }
    span
}

/// Whether a request is gRPC or gRPC-Web (its content type), not a web page.
pub fn is_grpc(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/grpc"))
}

/// Records gRPC status `code` on the current RPC span; the codes that mean the server
/// failed (not the caller) also mark the span as an error, as OpenTelemetry's conventions
/// for gRPC servers say.
pub fn record_rpc_status(code: u8) {
    let span = tracing::Span::current();
    // As i64: tracing-opentelemetry turns unsigned integers into strings.
    span.record("rpc.grpc.status_code", i64::from(code));
    // UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS.
    if matches!(code, 2 | 4 | 12 | 13 | 14 | 15) {
        span.record("otel.status_code", "ERROR");
    }
}

/// Reads trace context from a call's HTTP/2 headers.
struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_by_name() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        let extractor = HeaderExtractor(&headers);
        assert_eq!(
            extractor.get("traceparent"),
            Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        );
        assert_eq!(extractor.get("tracestate"), None);
        assert_eq!(extractor.keys(), ["traceparent"]);
    }
}
