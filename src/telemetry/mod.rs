//! Telemetry: structured logs with `tracing` (human-readable lines by default, JSON by a
//! switch); when configured, the same spans exported as OpenTelemetry traces over OTLP/gRPC;
//! and Prometheus metrics ([`metrics`]).
//!
//! Identity codes never reach a log line, a span or a metric: the domain types that hold
//! them do not print them, and spans carry ids, counts and business ids only.

pub mod metrics;
mod rpc;
mod settings;

pub use rpc::{is_grpc, record_rpc_status, rpc_span};
pub use settings::{LogFormat, LogSettings, TelemetrySettings};

use std::io::IsTerminal;

use anyhow::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// What [`init`] started; [`Telemetry::shutdown`] flushes it.
#[must_use = "shut it down to export the last spans"]
pub struct Telemetry {
    /// The trace pipeline, when traces are exported.
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered and stops the exporter.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        // Shutting down blocks until the batch exporter's thread has sent what it holds,
        // which needs the runtime's I/O: it must not block a runtime thread.
        match tokio::task::spawn_blocking(move || provider.shutdown()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "flushing the last spans failed"),
            Err(error) => tracing::warn!(%error, "flushing the last spans failed"),
        }
    }
}

/// Installs the global subscriber; `RUST_LOG` overrides the configured log filter. With
/// `traces` given and an OTLP endpoint configured (ours, or the standard
/// `OTEL_EXPORTER_OTLP_ENDPOINT`), spans are also exported, and incoming W3C trace context
/// is continued. Must be called within the Tokio runtime, which the exporter runs on.
pub fn init(
    settings: &LogSettings,
    traces: Option<&TelemetrySettings>,
) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // The log filter is the log's alone, so `RUST_LOG=warn` quiets the log, not the traces.
    let fmt: Box<dyn Layer<Registry> + Send + Sync> = match settings.format {
        LogFormat::Human => fmt.with_filter(filter).boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_filter(filter)
            .boxed(),
    };
    let provider = traces.map(tracer_provider).transpose()?.flatten();
    let otel = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("luovutusloki"))
            // This service's spans (`info` and above); libraries' spans stay out.
            .with_filter(
                Targets::new()
                    .with_target("luovutusloki", LevelFilter::INFO)
                    .with_default(LevelFilter::OFF),
            )
    });
    if provider.is_some() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        rpc::continue_incoming_traces();
    }
    // A second init (tests) keeps the first subscriber.
    drop(Registry::default().with(fmt).with(otel).try_init());
    Ok(Telemetry { provider })
}

/// The trace pipeline of `settings`; `None` when no OTLP endpoint is configured.
fn tracer_provider(settings: &TelemetrySettings) -> anyhow::Result<Option<SdkTracerProvider>> {
    let from_env = [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    let mut exporter = opentelemetry_otlp::SpanExporter::builder().with_tonic();
    match &settings.otlp_endpoint {
        Some(endpoint) => exporter = exporter.with_endpoint(endpoint.clone()),
        // The exporter reads the standard variables itself.
        None if from_env => {}
        None => return Ok(None),
    }
    let exporter = exporter
        .build()
        .context("configuring the OTLP trace exporter")?;
    let resource = Resource::builder()
        .with_service_name(settings.service_name.clone())
        .build();
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build(),
    ))
}
