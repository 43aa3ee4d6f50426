//! The `[log]` and `[telemetry]` settings.

use std::net::SocketAddr;

use serde::Deserialize;

/// Log output: human-readable lines (default) or JSON objects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// `tracing` filter directives, e.g. `info,luovutusloki=debug`; `RUST_LOG` overrides.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Human,
            filter: "info".into(),
        }
    }
}

/// Traces and metrics ([docs/operations.md](../docs/operations.md), logs, traces and metrics).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetrySettings {
    /// OTLP/gRPC collector that traces are exported to, e.g. `http://otel-collector:4317`;
    /// unset, the standard `OTEL_EXPORTER_OTLP_ENDPOINT` is used if set, else nothing is
    /// exported.
    pub otlp_endpoint: Option<String>,
    /// The `service.name` of the exported traces.
    pub service_name: String,
    /// Address to serve Prometheus metrics on (`GET /metrics`); unset, none are served.
    pub metrics_listen: Option<SocketAddr>,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            service_name: "luovutusloki".into(),
            metrics_listen: None,
        }
    }
}
