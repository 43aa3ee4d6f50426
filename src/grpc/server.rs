//! The server: a function of a bound listener, a store and a shutdown future. On shutdown it
//! stops accepting, lets in-flight calls finish, drains the write queue and closes the store,
//! all within the grace period.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Server, ServerTlsConfig};
use tower::Layer;

use crate::auth::Authenticator;
use crate::catalogue::Registers;
use crate::crypto::Keyring;
use crate::log::{PublishConfig, Recorder, WriterConfig};
use crate::retention::{self, RetentionSettings};
use crate::service::{Limits, Services};
use crate::storage::Store;
use crate::storage::prelude::*;

use super::proto::{self, disclosure_log_server::DisclosureLogServer};
use super::{AccessLogLayer, Authenticate, DisclosureLogService, OverloadLayer};

/// What the server needs besides the store.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub limits: Limits,
    /// Who the callers are (an open authenticator lets every caller do everything).
    pub auth: Arc<Authenticator>,
    /// Server TLS, with client certificates if configured; `None`: plain text.
    pub tls: Option<ServerTlsConfig>,
    /// The register catalogue; SIGHUP reloads it.
    pub registers: Registers,
    pub writer: WriterConfig,
    /// How checkpoints are published; `None` with tamper evidence off.
    pub publish: Option<PublishConfig>,
    pub retention: RetentionSettings,
    pub shutdown_grace: Duration,
}

/// Serves on `listener` until `shutdown` completes, then shuts down gracefully.
pub async fn run(
    listener: TcpListener,
    store: Store,
    keys: Arc<Keyring>,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Entries not yet in the tree are integrated before the first call, so the checkpoint
    // published at start covers them.
    let head = store.open_log().await.context("reading the log head")?;
    tracing::info!(tree_size = head.size, "log open");
    let _metrics = crate::telemetry::metrics::watch_store(&store, head.size).await;
    crate::telemetry::metrics::metrics().serve_methods(crate::grpc::served_methods());
    let (recorder, writer) =
        Recorder::start(store.clone(), keys, options.writer, options.publish.clone());
    let purging = retention::spawn(store.clone(), options.retention);
    let services = Services::new(store.clone())
        .with_recorder(recorder)
        .with_registers(options.registers.clone())
        .with_limits(options.limits);
    let service = DisclosureLogService::new(services);

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<DisclosureLogServer<DisclosureLogService>>()
        .await;
    // Both reflection versions: grpcurl speaks v1, many other clients still v1alpha.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    // The signal is watched twice: by the server (to stop accepting) and by the grace timer.
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let mut stop_serving = stopped.clone();
    // Without TCP_NODELAY a response and its trailers, written separately, wait on the
    // client's delayed ACK (Nagle): about 40 ms added to a call.
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let health_on_stop = health.clone();
    let overload = OverloadLayer::new(
        options.limits.max_concurrent_calls,
        Duration::from_millis(options.limits.retry_after_ms),
    );
    let disclosure_log = InterceptedService::new(
        overload.layer(
            DisclosureLogServer::new(service)
                .max_decoding_message_size(options.limits.max_message_bytes),
        ),
        Authenticate(Arc::clone(&options.auth)),
    );
    let mut builder = Server::builder();
    if let Some(tls) = options.tls.clone() {
        builder = builder.tls_config(tls).context("configuring TLS")?;
    }
    let serve = builder
        .timeout(Duration::from_secs(options.limits.max_call_secs.max(1)))
        .trace_fn(crate::telemetry::rpc_span)
        .layer(AccessLogLayer)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(disclosure_log)
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = stop_serving.wait_for(|s| *s).await;
            tracing::info!("shutting down: no new calls, finishing those in flight");
            health_on_stop
                .set_not_serving::<DisclosureLogServer<DisclosureLogService>>()
                .await;
        });

    let mut grace = stopped;
    let deadline = async move {
        let _ = grace.wait_for(|s| *s).await;
        tokio::time::sleep(options.shutdown_grace).await;
    };
    tokio::select! {
        served = serve => served?,
        () = deadline => tracing::warn!("grace period over; abandoning calls still in flight"),
    }

    if let Some(purging) = purging {
        purging.abort();
    }
    // Every Recorder clone went with the service, so the writer drains and stops.
    if !writer.finish(options.shutdown_grace).await {
        tracing::error!("the write queue did not drain within the grace period");
    }
    // Closing waits for connections in use; one still held past the grace period is given up.
    if tokio::time::timeout(options.shutdown_grace, store.close())
        .await
        .is_err()
    {
        tracing::error!("the database connections did not close within the grace period");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGTERM or SIGINT. The handlers are installed when this is called, not when
/// the future is first polled, so a signal that comes right after start is not lost to the
/// default action (which would end the process without a graceful shutdown).
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate =
        signal(SignalKind::terminate()).expect("a SIGTERM handler can be installed");
    let mut interrupt = signal(SignalKind::interrupt()).expect("a SIGINT handler can be installed");
    async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    }
}

/// Reloads the register catalogue on every SIGHUP until the returned task is aborted; a bad
/// file keeps the one in force. The handler is installed before this returns.
pub fn reload_on_hangup(registers: Registers) -> tokio::task::JoinHandle<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let hangups = signal(SignalKind::hangup());
    tokio::spawn(async move {
        let Ok(mut hangups) = hangups else {
            tracing::warn!("cannot watch SIGHUP; reload the register catalogue over gRPC");
            return;
        };
        while hangups.recv().await.is_some() {
            match registers.reload() {
                Ok(catalogue) => {
                    tracing::info!(registers = catalogue.len(), "register catalogue reloaded")
                }
                Err(error) => {
                    tracing::warn!(%error, "register catalogue not reloaded; the one in force stays")
                }
            }
        }
    })
}
