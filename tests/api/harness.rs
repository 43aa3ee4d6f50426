//! The test harness: the real server on port 0 over a real database (a SQLite file in a
//! temporary directory, or a fresh PostgreSQL database dropped afterwards), and a generated
//! tonic client talking to it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use luovutusloki::auth::{AuthSettings, Authenticator};
use luovutusloki::catalogue::Registers;
use luovutusloki::crypto::{KeySpec, Keyring};
use luovutusloki::domain::LogControllers;
use luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient;
use luovutusloki::lifecycle::{self as server, ServerOptions};
use luovutusloki::log::{PublishConfig, WriterConfig};
use luovutusloki::retention::RetentionSettings;
use luovutusloki::service::Limits;
use luovutusloki::storage::{self, Backend, OpenOptions, Store};
use luovutusloki::transparency::checkpoint::SigningKey;
use sqlx::{Connection, Executor};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that lives as long as the test: a SQLite file or a PostgreSQL database.
pub enum Database {
    Sqlite { dir: tempfile::TempDir },
    Postgres(PostgresDatabase),
}

impl Database {
    pub async fn create(kind: Kind) -> Self {
        match kind {
            Kind::Sqlite => Self::Sqlite {
                dir: tempfile::tempdir().expect("a temporary directory"),
            },
            Kind::Postgres => Self::Postgres(PostgresDatabase::create().await),
        }
    }

    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match self {
            Self::Sqlite { dir } => Some(dir.path().join("log.db")),
            Self::Postgres(_) => None,
        }
    }

    /// The URL the service would be configured with.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { .. } => format!("sqlite://{}", self.sqlite_path().unwrap().display()),
            Self::Postgres(db) => db.url.clone(),
        }
    }

    /// Opens the log's store on this database, as the service does.
    pub async fn open_store(&self, options: OpenOptions) -> Store {
        let backend = Backend::from_url(&self.url()).unwrap();
        storage::open(&backend, options).await.unwrap()
    }

    /// Runs `sql` returning one integer, on a connection of its own.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Self::Sqlite { .. } => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url()).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            Self::Postgres(db) => {
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }

    /// Runs the statement `sql` on a connection of its own: the rows it changed, or the
    /// database's refusal.
    pub async fn execute(&self, sql: &str) -> Result<u64, String> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Self::Sqlite { .. } => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url()).await.unwrap();
                conn.execute(sql).await.map(|r| r.rows_affected())
            }
            Self::Postgres(db) => {
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                conn.execute(sql).await.map(|r| r.rows_affected())
            }
        }
        .map_err(|e| e.to_string())
    }

    /// Subject entries stored.
    pub async fn entry_count(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM subject_entries").await
    }

    /// Disclosures stored.
    pub async fn disclosure_count(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM disclosures").await
    }

    /// Everything the database stores, as bytes: the SQLite files (the write-ahead log
    /// too), or every PostgreSQL table's rows as text. For checking what is never stored.
    pub async fn stored_bytes(&self) -> Vec<u8> {
        match self {
            Self::Sqlite { dir } => files_under(dir.path()),
            Self::Postgres(pg) => {
                let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
                let mut text = Vec::new();
                // Every table, so that a table added later is covered too.
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                assert!(tables.iter().any(|t| t == "access_lookups"));
                for table in tables {
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT t::text FROM {table} t"
                    )))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                    text.extend(rows.join("\n").into_bytes());
                }
                text
            }
        }
    }

    /// Asserts that the database holds records and none of `codes` in clear.
    pub async fn assert_stores_none_of(&self, codes: &[String]) {
        let stored = self.stored_bytes().await;
        assert!(stored.len() > 1000, "the dump holds the records");
        for code in codes {
            let code = code.as_bytes();
            assert!(
                !stored.windows(code.len()).any(|w| w == code),
                "an identity code is stored in clear"
            );
        }
    }

    /// The highest entry id given.
    pub async fn max_entry_id(&self) -> i64 {
        self.scalar("SELECT MAX(entry_id) FROM subject_entries")
            .await
    }
}

/// The bytes of every file under `dir`.
fn files_under(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        } else if path.is_dir() {
            bytes.extend(files_under(&path));
        }
    }
    bytes
}

/// A PostgreSQL database made for one test and dropped when the test ends.
pub struct PostgresDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl PostgresDatabase {
    async fn create() -> Self {
        let admin_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.into());
        Self::create_on(admin_url).await
    }

    /// A new database on the server of `admin_url`, whose user may `CREATE DATABASE`.
    pub async fn create_on(admin_url: String) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is not reachable at {admin_url} ({e}). The PostgreSQL tests need a \
                 server: set DATABASE_URL to one where the user may CREATE DATABASE, or start \
                 the local cluster (`pg_ctlcluster --skip-systemctl-redirect 15 main start`)."
                )
            });
        let name = format!(
            "luovutusloki_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("CREATE DATABASE");
        let url = with_database(&admin_url, &name);
        Self {
            url,
            admin_url,
            name,
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    format!("{}/{name}{query}", &base[..host_end])
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside async; a thread of its own can block on a small runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// The test keyring: fixed keys, so a test can compute the same hashes as the server.
pub fn keyring() -> Arc<Keyring> {
    Arc::new(Keyring::new(&[KeySpec::new(1, [0x5a; 32])], None).unwrap())
}

/// Server settings a test may change.
/// The register catalogues shipped in `examples/registers`, built from the seeds.
pub fn example_registers() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/registers")
}

/// The catalogue the tests run with: the shipped examples and the test-only registers of
/// `tests/catalogue`, copied once into a directory that lives as long as the test process.
pub fn test_registers() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let test_only = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/catalogue");
        copy_catalogue(&example_registers(), dir.path());
        copy_catalogue(&test_only, dir.path());
        dir
    });
    dir.path().to_owned()
}

/// Copies the `*.toml` files of `from` into `to`.
pub fn copy_catalogue(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    pub writer: WriterConfig,
    /// The catalogue directory; `test_registers()` when not given.
    pub registers: Option<std::path::PathBuf>,
    /// Tamper evidence off: no tree, no checkpoints.
    pub without_tree: bool,
    /// Longest wait for a checkpoint; zero (the default here) publishes after every batch.
    pub checkpoint_interval: Duration,
    pub retention: RetentionSettings,
    /// The callers; none (the default) makes an open service.
    pub auth: AuthSettings,
    /// Server TLS; then `TestApp::client` is not usable (it speaks plain text).
    pub tls: Option<tonic::transport::ServerTlsConfig>,
    /// The web pages' settings.
    pub web: luovutusloki::web::WebSettings,
    /// PostgreSQL: entries per partition; the service's default when not given.
    pub entries_per_partition: Option<u64>,
    /// The controllers the log is bound to; unbound (the default): any.
    pub controllers: LogControllers,
    /// The checkpoints' origin, with a signing key of that name; unset: [`ORIGIN`].
    pub origin: Option<String>,
}

/// The origin of the test log's checkpoints.
pub const ORIGIN: &str = "test.example/luovutusloki";

/// The test log's checkpoint signing key, made once per test process.
pub fn signing_key() -> Arc<SigningKey> {
    static KEY: std::sync::OnceLock<Arc<SigningKey>> = std::sync::OnceLock::new();
    Arc::clone(KEY.get_or_init(|| Arc::new(SigningKey::generate(ORIGIN).unwrap())))
}

/// A running server over a test database.
pub struct TestApp {
    pub db: Database,
    pub client: DisclosureLogClient<Channel>,
    pub address: std::net::SocketAddr,
    /// Dropping it (with the app) shuts the server down too.
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub async fn spawn(kind: Kind) -> Self {
        Self::spawn_with(kind, Options::default()).await
    }

    pub async fn spawn_with(kind: Kind, options: Options) -> Self {
        let db = Database::create(kind).await;
        Self::start(db, options).await
    }

    /// Starts a server over an existing database.
    pub async fn start(db: Database, options: Options) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(listener, db, options).await
    }

    /// Starts a server on `listener`, for settings that must name the server's own address
    /// (the sign-in redirect URL that a real browser follows).
    pub async fn start_on(listener: TcpListener, db: Database, options: Options) -> Self {
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let tls = options.tls.is_some();
        let (store, server_options) = server_parts(&db, options).await;
        let task = tokio::spawn(server::run(
            listener,
            store,
            keyring(),
            server_options,
            shutdown,
        ));
        // The listener is bound, so the connection succeeds without waiting. A TLS server's
        // tests make their own clients.
        let endpoint = Channel::from_shared(format!("http://{address}")).unwrap();
        let channel = if tls {
            endpoint.connect_lazy()
        } else {
            endpoint.connect().await.unwrap()
        };
        let client = DisclosureLogClient::new(channel)
            .max_decoding_message_size(64 * 1024 * 1024)
            .max_encoding_message_size(64 * 1024 * 1024);
        Self {
            db,
            client,
            address,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The access report of `subject` at the KOKO fund, in `language`.
    pub async fn access_report(
        &mut self,
        subject: String,
        language: luovutusloki::grpc::proto::ReportLanguage,
    ) -> luovutusloki::grpc::proto::SubjectAccessReportResponse {
        self.client
            .subject_access_report(luovutusloki::grpc::proto::SubjectAccessReportRequest {
                controller_id: crate::fixtures::koko(),
                subject,
                language: language.into(),
                context: crate::fixtures::access_case(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    }

    /// Starts a server over `db` that must refuse to start: its error, and the database.
    pub async fn start_refused(db: Database, options: Options) -> (anyhow::Error, Database) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (store, server_options) = server_parts(&db, options).await;
        let run = server::run(
            listener,
            store,
            keyring(),
            server_options,
            std::future::pending(),
        );
        let outcome = tokio::time::timeout(Duration::from_secs(30), run)
            .await
            .expect("the server refuses to start rather than serving");
        (outcome.expect_err("the server refuses to start"), db)
    }

    /// Shuts the server down gracefully and hands back its database.
    pub async fn stop(mut self) -> Database {
        self.stop.take().unwrap().send(()).ok();
        self.task.take().unwrap().await.unwrap().unwrap();
        let Self { db, .. } = self;
        db
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.address))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }
}

/// The store over `db` and the server options of `options`, as the service builds them.
async fn server_parts(db: &Database, options: Options) -> (Store, ServerOptions) {
    let auth = Authenticator::new(&options.auth, options.limits.caller_rate()).unwrap();
    let server_options = ServerOptions {
        limits: options.limits,
        auth: Arc::new(auth),
        tls: options.tls,
        registers: Registers::load(options.registers.unwrap_or_else(test_registers)).unwrap(),
        controllers: options.controllers,
        writer: options.writer,
        publish: (!options.without_tree).then(|| match options.origin {
            Some(origin) => PublishConfig {
                key: Arc::new(SigningKey::generate(&origin).unwrap()),
                origin,
                interval: options.checkpoint_interval,
            },
            None => PublishConfig {
                key: signing_key(),
                origin: ORIGIN.into(),
                interval: options.checkpoint_interval,
            },
        }),
        retention: options.retention,
        shutdown_grace: Duration::from_secs(10),
        web: options.web,
    };
    let tree = !options.without_tree;
    let entries_per_partition = options
        .entries_per_partition
        .unwrap_or(OpenOptions::ENTRIES_PER_PARTITION);
    let max_connections = match &db {
        Database::Sqlite { .. } => 4,
        Database::Postgres(_) => 8,
    };
    let store = db
        .open_store(OpenOptions {
            max_connections,
            tamper_evidence: tree,
            entries_per_partition,
            ..OpenOptions::default()
        })
        .await;
    (store, server_options)
}

/// Declares each test once per backend: `mod sqlite { fn name }` and `mod postgres { fn name }`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Kind::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Kind::Postgres).await;
                }
            )+
        }
    };
}
pub(crate) use on_both_backends;

/// The `luovutusloki serve` binary running as a child process over a test database; killed
/// when dropped, so a failing test leaves no process behind.
pub struct ServiceProcess {
    child: std::process::Child,
    pub address: String,
    /// Where it serves `/metrics`, when `LUOVUTUSLOKI_TELEMETRY__METRICS_LISTEN` was given.
    pub metrics_address: Option<String>,
    log: std::thread::JoinHandle<Vec<String>>,
}

impl ServiceProcess {
    /// Starts the binary on port 0 with JSON logs at `log_filter`, and waits until it serves.
    pub fn start(db: &Database, data_dir: &std::path::Path, log_filter: &str) -> Self {
        Self::start_with_env(db, data_dir, log_filter, &[])
    }

    /// As [`Self::start`], with the environment variables `env` set besides.
    pub fn start_with_env(
        db: &Database,
        data_dir: &std::path::Path,
        log_filter: &str,
        env: &[(&str, &str)],
    ) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_luovutusloki"))
            .args(["serve", "--log-format", "json"])
            .env("LUOVUTUSLOKI_LISTEN", "127.0.0.1:0")
            .env("LUOVUTUSLOKI_DATABASE__URL", db.url())
            .env("LUOVUTUSLOKI_DATABASE__DATA_DIR", data_dir)
            .env("LUOVUTUSLOKI_REGISTERS__DIR", test_registers())
            // A checkpoint after every batch, so tests know which tree sizes have one.
            .env("LUOVUTUSLOKI_TRANSPARENCY__CHECKPOINT_INTERVAL_MS", "0")
            .env("RUST_LOG", log_filter)
            .envs(env.iter().copied())
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the binary starts");
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let log = std::thread::spawn(move || {
            let mut lines = Vec::new();
            // Logged before "serving".
            let mut metrics_address = None;
            for line in stderr.lines().map_while(Result::ok) {
                if let Some(start) = line.find("\"metrics_address\":\"").map(|i| i + 19) {
                    let end = start + line[start..].find('"').unwrap();
                    metrics_address = Some(line[start..end].to_owned());
                }
                if line.contains("\"serving\"") {
                    let start = line.find("\"address\":\"").unwrap() + 11;
                    let end = start + line[start..].find('"').unwrap();
                    let address = line[start..end].to_owned();
                    address_tx.send((address, metrics_address.take())).unwrap();
                }
                lines.push(line);
            }
            lines
        });
        let (address, metrics_address) = address_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the service starts and logs its address");
        Self {
            child,
            address,
            metrics_address,
            log,
        }
    }

    pub async fn client(&self) -> DisclosureLogClient<Channel> {
        DisclosureLogClient::connect(format!("http://{}", self.address))
            .await
            .unwrap()
            .max_encoding_message_size(64 * 1024 * 1024)
    }

    /// Sends `signal` (e.g. "TERM", "KILL") and waits for the exit; returns it and the log.
    pub fn stop(mut self, signal: &str) -> (std::process::ExitStatus, String) {
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal}");
        let status = self.child.wait().unwrap();
        let log = std::mem::replace(&mut self.log, std::thread::spawn(Vec::new));
        (status, log.join().unwrap().join("\n"))
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A store written by the real binary, which has stopped: for command-line tests.
pub struct StoppedService {
    pub db: Database,
    pub data_dir: tempfile::TempDir,
}

impl StoppedService {
    /// Starts the binary on a new database, records `requests`, and stops it with SIGTERM.
    pub async fn with(
        kind: Kind,
        requests: Vec<luovutusloki::grpc::proto::RecordDisclosureRequest>,
    ) -> Self {
        let db = Database::create(kind).await;
        let data_dir = tempfile::tempdir().unwrap();
        let service = ServiceProcess::start(&db, data_dir.path(), "info");
        let mut client = service.client().await;
        for request in requests {
            client.record_disclosure(request).await.unwrap();
        }
        let (status, _) = service.stop("TERM");
        assert!(status.success());
        Self { db, data_dir }
    }

    /// The binary with `args`, configured for this store and the test catalogue.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_luovutusloki"));
        command
            .args(args)
            .env("LUOVUTUSLOKI_DATABASE__URL", self.db.url())
            .env("LUOVUTUSLOKI_DATABASE__DATA_DIR", self.data_dir.path())
            .env("LUOVUTUSLOKI_REGISTERS__DIR", test_registers());
        command
    }

    /// Runs the binary with `args`; returns its standard output, failing on a non-zero exit.
    pub fn run(&self, args: &[&str]) -> String {
        let output = self.command(args).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }
}
