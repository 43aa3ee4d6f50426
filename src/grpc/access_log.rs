//! One log event per RPC when it is answered: method, gRPC status code and latency. Errors
//! at `info`, successes at `debug`, so a busy log stays readable. The same outcome goes to
//! the RPC's span and to the request metrics. A web page (any request that is not
//! `application/grpc…`, gRPC-Web included in gRPC) is no RPC: one `debug` line with its
//! path (never its query) and HTTP status, and no per-method gRPC metrics.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tower::{Layer, Service};

use crate::telemetry::{self, metrics::metrics};

/// Adds [`AccessLog`] to every service of the server.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessLogLayer;

impl<S> Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AccessLog { inner }
    }
}

/// Logs each RPC's outcome; see the module docs.
#[derive(Debug, Clone)]
pub struct AccessLog<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for AccessLog<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let started = Instant::now();
        if !telemetry::is_grpc(request.headers()) {
            let response = self.inner.call(request);
            return Box::pin(async move {
                let response = response.await;
                let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
                if let Ok(answer) = &response {
                    let status = answer.status().as_u16();
                    tracing::debug!(path = %method, status, elapsed_ms, "page answered");
                }
                response
            });
        }
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await;
            let elapsed = started.elapsed();
            let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
            match &response {
                // An error answer carries its status in the headers (trailers-only response);
                // a success carries `0` in the trailers, after the body.
                Ok(answer) => {
                    let code = answer.headers().get("grpc-status").map_or(0, |code| {
                        code.to_str().ok().and_then(|c| c.parse().ok()).unwrap_or(2)
                    });
                    // Polled within the RPC's span (tonic enters it), so this is that span.
                    telemetry::record_rpc_status(code);
                    if code == 0 {
                        tracing::debug!(%method, code = "0", elapsed_ms, "rpc answered");
                    } else {
                        tracing::info!(%method, code, elapsed_ms, "rpc answered with an error");
                    }
                    metrics().rpc_answered(&method, code, elapsed);
                }
                Err(_) => tracing::warn!(%method, elapsed_ms, "rpc failed before an answer"),
            }
            response
        })
    }
}
