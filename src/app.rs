//! The commands of the `luovutusloki` binary, wired from settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::{Authenticator, Exposure};
use crate::catalogue::Registers;
use crate::config::{Backend, Settings};
use crate::crypto::{Keyring, generate_key_file};
use crate::grpc::server_tls_config;
use crate::lifecycle::{self, ServerOptions};
use crate::log::PublishConfig;
use crate::service::Services;
use crate::storage::prelude::*;
use crate::storage::{self, OpenOptions, Store};
use crate::transparency::checkpoint::{read_signing_key, write_signing_key};

/// `luovutusloki serve`: runs until SIGTERM or SIGINT.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let exposure = Exposure::check(settings.listen, settings.tls.as_ref(), &settings.auth)
        .map_err(anyhow::Error::msg)?;
    if let Some(listen) = settings.web.listen {
        Exposure::check(listen, settings.tls.as_ref(), &settings.auth)
            .map_err(|error| anyhow::anyhow!("[web] listen: {error}"))?;
    }
    let auth = Arc::new(Authenticator::new(
        &settings.auth,
        settings.limits.caller_rate(),
    )?);
    let tls = settings.tls.as_ref().map(server_tls_config).transpose()?;
    if exposure == Exposure::OpenToLocalCallers {
        tracing::warn!(
            "NO CALLERS CONFIGURED: every caller on this machine has every role, including \
             looking up anyone's disclosures by identity code. Fine for trying it out; for \
             anything else configure [tls] and [[auth.callers]] \
             (config/luovutusloki.production.toml)"
        );
    }
    let controllers = settings.log_controllers().map_err(anyhow::Error::msg)?;
    if controllers.is_bound() {
        let origin = settings.origin();
        tracing::info!(%controllers, %origin, "this log keeps only these controllers' disclosures");
        if !controllers
            .bound()
            .iter()
            .all(|id| origin.contains(id.as_str()))
        {
            tracing::warn!(
                %origin,
                "the checkpoint origin of a log bound to controllers should name them, e.g. \
                 <org-domain>/luovutusloki/<business-id> (transparency.origin)"
            );
        }
    }
    let keys = Arc::new(keyring_or_first_key(&settings)?);
    let registers = Registers::load(&settings.registers.dir).with_context(|| {
        format!(
            "loading the register catalogue (registers.dir = {}; examples/registers has five)",
            settings.registers.dir.display()
        )
    })?;
    tracing::info!(
        registers = registers.current().len(),
        dir = %settings.registers.dir.display(),
        "register catalogue loaded"
    );
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    let publish = publish_config(&settings)?;
    let tree = publish.is_some();
    let options = ServerOptions {
        limits: settings.limits,
        auth,
        tls,
        registers,
        controllers,
        writer: settings.writer,
        publish,
        retention: settings.retention,
        shutdown_grace: Duration::from_secs(settings.shutdown_grace_secs),
        web: settings.web.clone(),
    };
    let address = listener.local_addr()?;
    let shutdown = lifecycle::shutdown_signal();
    // Bound before the service logs that it serves, so its address is known by then.
    let metrics = match settings.telemetry.metrics_listen {
        Some(listen) => Some(serve_metrics(listen).await?),
        None => None,
    };
    let store = open_store(
        &settings,
        OpenOptions {
            max_connections: settings.database.max_connections,
            tamper_evidence: tree,
            acquire_timeout: Duration::from_millis(settings.database.acquire_timeout_ms),
            entries_per_partition: settings.database.entries_per_partition,
        },
    )
    .await?;
    let reloads = lifecycle::reload_on_hangup(
        Services::new(store.clone()).with_registers(options.registers.clone()),
    );
    let database = match backend(&settings)? {
        Backend::Sqlite(path) => path.display().to_string(),
        Backend::Postgres(_) => "postgres".to_owned(),
    };
    tracing::info!(%address, %database, key = keys.active_id(), "serving");
    let served = lifecycle::run(listener, store, keys, options, shutdown).await;
    reloads.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    served
}

/// `luovutusloki token`: a new API token, 32 random bytes in base64url, and the hash that
/// goes in the configuration. Only the hash is ever stored.
pub fn token() -> anyhow::Result<()> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    println!("token:        {token}");
    println!(
        "token_sha256: {}",
        hex::encode(crate::auth::token_hash(&token))
    );
    Ok(())
}

/// Serves `GET /metrics` on `listen` until the returned task is aborted.
async fn serve_metrics(
    listen: std::net::SocketAddr,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen} for metrics"))?;
    tracing::info!(metrics_address = %listener.local_addr()?, "serving metrics at /metrics");
    Ok(tokio::spawn(async move {
        if let Err(error) = crate::telemetry::metrics::serve(listener).await {
            tracing::error!(%error, "the metrics endpoint failed");
        }
    }))
}

/// `luovutusloki migrate`: applies the migrations and exits.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings, OpenOptions::default()).await?;
    store.close().await;
    match backend(&settings)? {
        Backend::Sqlite(path) => println!("SQLite database {} is up to date", path.display()),
        Backend::Postgres(_) => println!("PostgreSQL database is up to date"),
    }
    Ok(())
}

/// `luovutusloki keygen --signing`: writes the checkpoint signing key (mode 0600) and prints
/// its verifier key, which auditors and data subjects check checkpoints with.
pub fn keygen_signing(settings: &Settings, path: Option<PathBuf>) -> anyhow::Result<()> {
    let path = path.unwrap_or_else(|| settings.signing_key_file());
    create_parent(&path)?;
    let key = write_signing_key(&path, &settings.origin())
        .with_context(|| format!("writing the signing key {}", path.display()))?;
    println!(
        "wrote checkpoint signing key {} to {} (mode 0600)",
        key.name(),
        path.display()
    );
    println!("verifier key (give it to whoever checks this log's checkpoints):");
    println!("{}", key.verifier());
    Ok(())
}

/// `luovutusloki verifier-key`: prints the verifier key of the configured signing key.
pub fn verifier_key(settings: &Settings) -> anyhow::Result<()> {
    let path = settings.signing_key_file();
    let key = read_signing_key(&path)
        .with_context(|| format!("reading the signing key {}", path.display()))?;
    println!("{}", key.verifier());
    Ok(())
}

/// The checkpoint publishing of `settings`, with the signing key read (or, with nothing
/// configured, generated as the subject key is); `None` with tamper evidence off.
fn publish_config(settings: &Settings) -> anyhow::Result<Option<PublishConfig>> {
    let t = &settings.transparency;
    if !t.enabled {
        tracing::warn!("tamper evidence is off: entries are not integrated into the tree");
        return Ok(None);
    }
    let path = settings.signing_key_file();
    let key = if t.signing_key_file.is_none() && !path.exists() {
        create_parent(&path)?;
        let key = write_signing_key(&path, &settings.origin())
            .with_context(|| format!("writing the signing key {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            verifier_key = %key.verifier(),
            "no checkpoint signing key was configured, so one was generated: back it up and \
             publish its verifier key"
        );
        key
    } else {
        read_signing_key(&path)
            .with_context(|| format!("reading the signing key {}", path.display()))?
    };
    Ok(Some(PublishConfig {
        key: Arc::new(key),
        origin: settings.origin(),
        interval: Duration::from_millis(t.checkpoint_interval_ms),
    }))
}

fn create_parent(path: &std::path::Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}

/// `luovutusloki keygen`: writes a new subject key file and says how to use it.
pub fn keygen(settings: &Settings, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = dir.unwrap_or_else(|| settings.key_dir());
    let (id, path) = generate_key_file(&dir)?;
    println!("wrote subject key {id} to {} (mode 0600)", path.display());
    println!("it becomes the active key for new entries unless keys.active says otherwise;");
    println!("keep every older key: entries written with it are looked up and opened with it.");
    Ok(())
}

pub(crate) fn backend(settings: &Settings) -> anyhow::Result<Backend> {
    settings.database.backend().map_err(anyhow::Error::msg)
}

/// Opens the configured store (SQLite or PostgreSQL) and applies its migrations.
pub(crate) async fn open_store(settings: &Settings, options: OpenOptions) -> anyhow::Result<Store> {
    let backend = backend(settings)?;
    storage::open(&backend, options)
        .await
        .with_context(|| match &backend {
            Backend::Sqlite(path) => format!("opening SQLite database {}", path.display()),
            Backend::Postgres(_) => "connecting to PostgreSQL".to_owned(),
        })
}

/// The configured keyring; with nothing configured, a first key is generated under the data
/// directory so that `serve` works out of the box.
fn keyring_or_first_key(settings: &Settings) -> anyhow::Result<Keyring> {
    let nothing_configured = settings.keys.dir.is_none() && settings.keys.subject_keys.is_empty();
    if nothing_configured && settings.key_specs()?.is_empty() {
        let (id, path) = generate_key_file(&settings.key_dir())?;
        tracing::warn!(
            key = id,
            path = %path.display(),
            "no subject key was configured, so one was generated: back it up, since without it \
             the log's identity codes can be neither looked up nor opened"
        );
    }
    Ok(settings.keyring()?)
}
