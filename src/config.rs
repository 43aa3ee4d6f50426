//! Settings: built-in defaults, then a TOML file, then `LUOVUTUSLOKI_*` environment variables
//! (`__` separates nesting: `LUOVUTUSLOKI_DATABASE__URL`). Secrets never print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::auth::{AuthSettings, TlsSettings};
use crate::crypto::{KeyError, KeySpec, Keyring, load_key_dir};
use crate::domain::{BusinessId, LogControllers};
use crate::log::WriterConfig;
use crate::retention::RetentionSettings;
use crate::service::Limits;
pub use crate::storage::Backend;
pub use crate::telemetry::{LogFormat, LogSettings, TelemetrySettings};

/// Everything the service can be told.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to serve gRPC on.
    pub listen: SocketAddr,
    /// Server TLS; unset: plain text (allowed on loopback only).
    pub tls: Option<TlsSettings>,
    /// The callers and their grants; none: an open service on loopback.
    pub auth: AuthSettings,
    /// Business IDs of the controllers whose disclosures this instance's log keeps; empty:
    /// any controller's. Bound, a call for another controller is refused, and the service
    /// will not start on a database holding another controller's disclosures (one log per
    /// controller: docs/operations.md).
    pub controllers: Vec<String>,
    pub database: DatabaseSettings,
    pub keys: KeySettings,
    pub limits: Limits,
    pub writer: WriterConfig,
    pub log: LogSettings,
    pub registers: RegisterSettings,
    pub transparency: TransparencySettings,
    pub retention: RetentionSettings,
    pub telemetry: TelemetrySettings,
    /// The web pages on the gRPC listener.
    pub web: crate::web::WebSettings,
    /// Longest wait for in-flight calls and queued writes on shutdown, in seconds.
    pub shutdown_grace_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            tls: None,
            auth: AuthSettings::default(),
            controllers: Vec::new(),
            database: DatabaseSettings::default(),
            keys: KeySettings::default(),
            limits: Limits::default(),
            writer: WriterConfig::default(),
            log: LogSettings::default(),
            registers: RegisterSettings::default(),
            transparency: TransparencySettings::default(),
            retention: RetentionSettings::default(),
            telemetry: TelemetrySettings::default(),
            web: crate::web::WebSettings::default(),
            shutdown_grace_secs: 30,
        }
    }
}

/// Where the register catalogue is read from.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegisterSettings {
    /// Directory of register catalogue files (`*.toml`, see docs/register-catalogues.md).
    pub dir: PathBuf,
}

impl Default for RegisterSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("registers"),
        }
    }
}

/// The origin of an unbound log that was given none.
pub const DEFAULT_ORIGIN: &str = "localhost/luovutusloki";

/// Tamper evidence: the Merkle tree and its signed checkpoints (docs/tamper-evidence.md).
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransparencySettings {
    /// Integrate entries into the tree as they are stored and publish checkpoints. Off, the
    /// entries wait and are integrated at the next start with it on; meant for measuring
    /// what it costs, not for production.
    pub enabled: bool,
    /// The log's name: the first line of its checkpoints, and the signing key's name when
    /// one is generated. A schema-less URL that identifies this log, e.g.
    /// `tietosuoja.example.fi/luovutusloki`, or for a log bound to one controller
    /// `tietosuoja.example.fi/luovutusloki/0179377-8`; unset: [`Settings::origin`].
    pub origin: Option<String>,
    /// The Ed25519 signing key in note format (`PRIVATE+KEY+…`, made by `luovutusloki
    /// keygen --signing`); unset means `checkpoint-signing.key` in the key directory.
    pub signing_key_file: Option<PathBuf>,
    /// Longest time a committed entry waits for a signed checkpoint, in milliseconds; 0
    /// publishes a checkpoint after every batch.
    pub checkpoint_interval_ms: u64,
}

impl Default for TransparencySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            origin: None,
            signing_key_file: None,
            checkpoint_interval_ms: 1_000,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://…` for PostgreSQL or `sqlite://path` for SQLite; unset means the SQLite
    /// file `luovutusloki.db` under `data_dir`. A secret: it may hold a password.
    pub url: Option<SecretString>,
    /// Where the embedded database and generated keys live.
    pub data_dir: PathBuf,
    /// Most connections to the database.
    pub max_connections: u32,
    /// PostgreSQL: how long a call waits for a connection before it fails with UNAVAILABLE
    /// (all in use, or the server down); milliseconds.
    pub acquire_timeout_ms: u64,
    /// PostgreSQL: subject entries per partition. Retention drops a partition whole once
    /// all its disclosures are past the retention period; the default, 4,194,304, is about
    /// a month at 50 million entries a year. Changing it affects only new partitions.
    pub entries_per_partition: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            data_dir: PathBuf::from("data"),
            max_connections: 16,
            acquire_timeout_ms: crate::storage::OpenOptions::ACQUIRE_TIMEOUT.as_millis() as u64,
            entries_per_partition: crate::storage::OpenOptions::ENTRIES_PER_PARTITION,
        }
    }
}

impl DatabaseSettings {
    pub fn backend(&self) -> Result<Backend, String> {
        let Some(url) = &self.url else {
            return Ok(Backend::Sqlite(self.data_dir.join("luovutusloki.db")));
        };
        Backend::from_url(url.expose_secret())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeySettings {
    /// Directory of `subject-<id>.key` files; unset means `keys` under `data_dir`.
    pub dir: Option<PathBuf>,
    /// Inline keys, `<id>:<base64 of 32 bytes>`, in addition to the files.
    pub subject_keys: Vec<SecretString>,
    /// The key new entries are written with; unset means the highest id.
    pub active: Option<u16>,
}

impl Settings {
    /// Loads defaults < `file` (if given) < environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::new();
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            // LUOVUTUSLOKI_CONFIG names the file (main.rs); it is not a setting.
            .merge(
                Env::prefixed("LUOVUTUSLOKI_")
                    .ignore(&["config"])
                    .split("__"),
            )
            .extract()
            .map_err(Box::new)
    }

    /// The controllers this log is bound to (setting `controllers`), each a valid business
    /// ID; none: any controller.
    pub fn log_controllers(&self) -> Result<LogControllers, String> {
        let mut bound = Vec::with_capacity(self.controllers.len());
        let mut bad = Vec::new();
        for given in &self.controllers {
            match BusinessId::parse(given) {
                Ok(id) => bound.push(id),
                Err(e) => bad.push(format!("{given:?} is not a business ID: {e}")),
            }
        }
        if bad.is_empty() {
            Ok(LogControllers::only(bound))
        } else {
            Err(format!("controllers: {}", bad.join("; ")))
        }
    }

    /// The checkpoint origin: `transparency.origin`, or unset `localhost/luovutusloki`,
    /// followed for a log bound to controllers by their business IDs
    /// (`localhost/luovutusloki/0179377-8`), so that each controller's log has a name of its
    /// own even before one is configured.
    pub fn origin(&self) -> String {
        if let Some(origin) = &self.transparency.origin {
            return origin.clone();
        }
        let bound: Vec<String> = self
            .log_controllers()
            .map(|c| c.bound().iter().map(|id| id.as_str().to_owned()).collect())
            .unwrap_or_default();
        if bound.is_empty() {
            DEFAULT_ORIGIN.to_owned()
        } else {
            format!("{DEFAULT_ORIGIN}/{}", bound.join(","))
        }
    }

    pub fn key_dir(&self) -> PathBuf {
        self.keys
            .dir
            .clone()
            .unwrap_or_else(|| self.database.data_dir.join("keys"))
    }

    /// Where the checkpoint signing key is.
    pub fn signing_key_file(&self) -> PathBuf {
        self.transparency
            .signing_key_file
            .clone()
            .unwrap_or_else(|| self.key_dir().join("checkpoint-signing.key"))
    }

    /// The configured subject keys: key files, then inline keys.
    pub fn key_specs(&self) -> Result<Vec<KeySpec>, KeyError> {
        let mut specs = load_key_dir(&self.key_dir())?;
        for inline in &self.keys.subject_keys {
            let spec = KeySpec::parse_inline(inline.expose_secret())?;
            if specs.iter().any(|s| s.id() == spec.id()) {
                return Err(KeyError::Duplicate(spec.id()));
            }
            specs.push(spec);
        }
        Ok(specs)
    }

    pub fn keyring(&self) -> Result<Keyring, KeyError> {
        Keyring::new(&self.key_specs()?, self.keys.active)
    }
}

#[cfg(test)]
// figment's Jail dictates the closures' error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_configuration() {
        let settings = Settings::default();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:50051");
        assert_eq!(
            settings.database.backend(),
            Ok(Backend::Sqlite(PathBuf::from("data/luovutusloki.db")))
        );
    }

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "luovutusloki.toml",
                "listen = \"127.0.0.1:6000\"\n[writer]\nqueue_capacity = 7\n[database]\nurl = \"postgres://u:hunter2@db/log\"\n",
            )?;
            jail.set_env("LUOVUTUSLOKI_WRITER__QUEUE_CAPACITY", "9");
            let settings = Settings::load(Some(Path::new("luovutusloki.toml"))).unwrap();
            assert_eq!(settings.listen.port(), 6000);
            assert_eq!(settings.writer.queue_capacity, 9);
            assert!(matches!(
                settings.database.backend(),
                Ok(Backend::Postgres(_))
            ));
            assert!(
                !format!("{settings:?}").contains("hunter2"),
                "the password never prints"
            );
            Ok(())
        });
    }

    #[test]
    fn the_example_configuration_loads() {
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("config/luovutusloki.example.toml");
        let settings = Settings::load(Some(&example)).unwrap();
        assert!(settings.transparency.enabled);
        assert_eq!(settings.retention.purge_every_hours, 24);
        assert_eq!(settings.telemetry.service_name, "luovutusloki");
        assert_eq!(settings.telemetry.otlp_endpoint, None);
    }

    #[test]
    fn telemetry_is_configured_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "LUOVUTUSLOKI_TELEMETRY__OTLP_ENDPOINT",
                "http://otel-collector:4317",
            );
            jail.set_env("LUOVUTUSLOKI_TELEMETRY__METRICS_LISTEN", "127.0.0.1:9464");
            let settings = Settings::load(None).unwrap();
            assert_eq!(
                settings.telemetry.otlp_endpoint.as_deref(),
                Some("http://otel-collector:4317")
            );
            assert_eq!(
                settings.telemetry.metrics_listen,
                Some(SocketAddr::from(([127, 0, 0, 1], 9464)))
            );
            Ok(())
        });
    }

    #[test]
    fn the_production_example_loads_and_may_listen_off_loopback() {
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("config/luovutusloki.production.toml");
        let settings = Settings::load(Some(&example)).unwrap();
        assert!(!settings.listen.ip().is_loopback());
        assert_eq!(
            crate::auth::Exposure::check(settings.listen, settings.tls.as_ref(), &settings.auth),
            Ok(crate::auth::Exposure::Authenticated)
        );
        for caller in &settings.auth.callers {
            for grant in &caller.grants {
                grant.parse(&caller.name).unwrap();
            }
        }
        let oidc = settings.web.oidc.as_ref().expect("the dashboard signs in");
        assert_eq!(oidc.role_mapping.len(), 2);
        for grants in oidc.role_mapping.values() {
            for grant in grants {
                grant.parse("role mapping").unwrap();
            }
        }
    }

    #[test]
    fn a_log_is_bound_to_controllers_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LUOVUTUSLOKI_CONTROLLERS", "[\"0179377-8\"]");
            let settings = Settings::load(None).unwrap();
            let bound = settings.log_controllers().unwrap();
            assert!(bound.keeps(&BusinessId::parse("0179377-8").unwrap()));
            assert!(!bound.keeps(&BusinessId::parse("2296962-1").unwrap()));
            assert_eq!(settings.origin(), "localhost/luovutusloki/0179377-8");
            Ok(())
        });
    }

    #[test]
    fn an_unbound_log_keeps_the_default_origin() {
        let settings = Settings::default();
        assert!(!settings.log_controllers().unwrap().is_bound());
        assert_eq!(settings.origin(), "localhost/luovutusloki");
    }

    #[test]
    fn a_configured_origin_is_kept_when_bound() {
        let settings = Settings {
            controllers: vec!["0179377-8".into()],
            transparency: TransparencySettings {
                origin: Some("tietosuoja.kokkola.example.fi/luovutusloki/0179377-8".into()),
                ..TransparencySettings::default()
            },
            ..Settings::default()
        };
        assert_eq!(
            settings.origin(),
            "tietosuoja.kokkola.example.fi/luovutusloki/0179377-8"
        );
    }

    #[test]
    fn a_controller_that_is_not_a_business_id_is_named() {
        let settings = Settings {
            controllers: vec!["0179377-8".into(), "0179377-9".into()],
            ..Settings::default()
        };
        let error = settings.log_controllers().unwrap_err();
        assert!(error.contains("\"0179377-9\""), "{error}");
        assert!(!error.contains("\"0179377-8\""), "{error}");
    }

    #[test]
    fn the_config_file_variable_is_not_a_setting() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LUOVUTUSLOKI_CONFIG", "/etc/luovutusloki/luovutusloki.toml");
            assert!(Settings::load(None).is_ok());
            Ok(())
        });
    }

    #[test]
    fn an_unknown_setting_is_an_error() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "lisen = \"127.0.0.1:1\"\n")?;
            assert!(Settings::load(Some(Path::new("bad.toml"))).is_err());
            Ok(())
        });
    }
}
