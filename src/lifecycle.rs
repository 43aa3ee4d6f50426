//! The service's life: over one store, open the log (integrating what the tree lacks),
//! start the appender's writer, the retention schedule and the gRPC server; on shutdown,
//! stop serving, let calls in flight finish, drain the write queue and close the store, all
//! within the grace period.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tonic::transport::ServerTlsConfig;

use crate::auth::{Authenticator, Caller};
use crate::catalogue::Registers;
use crate::crypto::Keyring;
use crate::domain::LogControllers;
use crate::grpc::server::{self, GrpcOptions};
use crate::log::{PublishConfig, Recorder, WriterConfig};
use crate::retention::{self, RetentionSettings};
use crate::service::{Limits, Services};
use crate::storage::Store;
use crate::storage::prelude::*;

/// What the service needs besides the store and its keys.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub limits: Limits,
    /// Who the callers are (an open authenticator lets every caller do everything).
    pub auth: Arc<Authenticator>,
    /// Server TLS, with client certificates if configured; `None`: plain text.
    pub tls: Option<ServerTlsConfig>,
    /// The register catalogue; SIGHUP reloads it.
    pub registers: Registers,
    /// The controllers whose disclosures this log keeps; unbound: any.
    pub controllers: LogControllers,
    pub writer: WriterConfig,
    /// How checkpoints are published; `None` with tamper evidence off.
    pub publish: Option<PublishConfig>,
    pub retention: RetentionSettings,
    pub shutdown_grace: Duration,
    /// The web pages' settings.
    pub web: crate::web::WebSettings,
}

/// Serves on `listener` until `shutdown` completes, then shuts down gracefully.
pub async fn run(
    listener: TcpListener,
    store: Store,
    keys: Arc<Keyring>,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    refuse_other_controllers(&store, &options.controllers).await?;
    // Entries not yet in the tree are integrated before the first call, so the checkpoint
    // published at start covers them.
    let head = store.open_log().await.context("reading the log head")?;
    tracing::info!(tree_size = head.size, "log open");
    let _metrics = crate::telemetry::metrics::watch_store(&store, head.size).await;
    let session_keys = Arc::new(crate::web::session::SessionKeys::from_keyring(&keys));
    let (recorder, writer) =
        Recorder::start(store.clone(), keys, options.writer, options.publish.clone());
    // The schedule purges through the same use case as `luovutusloki purge`; it holds no
    // recorder, so it never keeps the writer from draining.
    let purging = retention::spawn(Services::new(store.clone()), options.retention);
    let services = Services::new(store.clone())
        .with_recorder(recorder)
        .with_registers(options.registers)
        .with_limits(options.limits)
        .with_controllers(options.controllers);
    let grpc = GrpcOptions {
        limits: options.limits,
        auth: options.auth,
        tls: options.tls,
        shutdown_grace: options.shutdown_grace,
        verifier_key: options
            .publish
            .as_ref()
            .map(|publish| publish.key.verifier().to_string()),
        web: options.web,
        session_keys,
    };
    let served = server::serve(listener, services, grpc, shutdown).await;

    if let Some(purging) = purging {
        purging.abort();
    }
    // Every Recorder clone went with the server, so the writer drains and stops.
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
    served
}

/// Refuses to open a log bound to controllers on a database that holds another controller's
/// disclosures, so that a configuration slip never mixes two controllers' logs. Cheap on a
/// log of any size: each step is one probe of the index on disclosures(controller, …) for
/// the next controller present, so it takes as many as there are controllers stored, plus
/// one.
async fn refuse_other_controllers(
    store: &Store,
    controllers: &LogControllers,
) -> anyhow::Result<()> {
    if !controllers.is_bound() {
        return Ok(());
    }
    let mut after = None;
    while let Some(stored) = store
        .next_controller(after.as_ref())
        .await
        .context("reading which controllers the log holds")?
    {
        if !controllers.keeps(&stored) {
            anyhow::bail!(
                "this database holds disclosures of controller {stored}, but this log is bound to \
                 {controllers} (setting controllers): a log bound to controllers starts only on a \
                 database of theirs alone. Give each controller's log a database of its own \
                 (docs/operations.md, \"One log per controller\"), or add {stored} to controllers"
            );
        }
        after = Some(stored);
    }
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

/// Reloads the register catalogue on every SIGHUP until the returned task is aborted, as
/// ReloadRegisters does; a bad file keeps the one in force. The handler is installed before
/// this returns.
pub fn reload_on_hangup(services: Services) -> tokio::task::JoinHandle<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let hangups = signal(SignalKind::hangup());
    tokio::spawn(async move {
        let Ok(mut hangups) = hangups else {
            tracing::warn!("cannot watch SIGHUP; reload the register catalogue over gRPC");
            return;
        };
        let signal = Caller::service_itself("sighup");
        while hangups.recv().await.is_some() {
            // The use case logs what became of it.
            let _ = services.reload_registers(&signal);
        }
    })
}
