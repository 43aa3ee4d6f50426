//! A PostgreSQL cluster of a test's own, which it may stop and start at will (the shared
//! server at `DATABASE_URL` must never be restarted: other tests use it). Made with the
//! server's own `initdb` and `pg_ctl` in a temporary directory, on a free port, and stopped
//! and removed when dropped, a failed test's too.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The directory of PostgreSQL's programs: `pg_config --bindir`, else Debian's
/// `/usr/lib/postgresql/<version>/bin`.
pub fn pg_bin(program: &str) -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let from_pg_config = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        let debian = || {
            let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .map(|entry| entry.unwrap().path().join("bin"))
                .collect();
            dirs.sort();
            dirs.pop()
        };
        from_pg_config
            .filter(|dir| dir.join("initdb").exists())
            .or_else(debian)
            .filter(|dir| dir.join("initdb").exists())
            .expect(
                "PostgreSQL's server programs (initdb, pg_ctl, pg_dump, pg_restore) are needed: \
                 install them (Debian: apt-get install postgresql postgresql-client) or put \
                 pg_config on the PATH",
            )
    });
    dir.join(program)
}

/// A running PostgreSQL cluster in a temporary directory, with trust authentication for
/// the user `postgres` on 127.0.0.1.
pub struct PrivateCluster {
    dir: tempfile::TempDir,
    pub port: u16,
    /// Run the programs as the `postgres` OS user: `initdb` refuses to run as root.
    as_postgres: bool,
}

impl PrivateCluster {
    /// Makes and starts a cluster on a free port.
    pub fn start() -> Self {
        let as_postgres = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("luovutusloki-pg-")
            .tempdir()
            .unwrap();
        if as_postgres {
            run(Command::new("chown").args(["postgres:", path(dir.path())]));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self {
            dir,
            port,
            as_postgres,
        };
        run(&mut cluster.program(
            "initdb",
            &[
                "-D",
                path(&cluster.data()),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
        ));
        cluster.pg_ctl_start();
        cluster
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server: `mode` is `immediate` (its processes quit at once, as in a crash:
    /// the next start recovers from the write-ahead log), `fast` or `smart`.
    pub fn stop(&self, mode: &str) {
        run(&mut self.program(
            "pg_ctl",
            &["stop", "-D", path(&self.data()), "-m", mode, "-w"],
        ));
    }

    /// Starts the stopped server again, and waits until it accepts connections.
    pub fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            path(self.dir.path())
        );
        let log = self.dir.path().join("server.log");
        run(&mut self.program(
            "pg_ctl",
            &[
                "start",
                "-D",
                path(&self.data()),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
            ],
        ));
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `program` with `args`, as the `postgres` OS user when running as root.
    fn program(&self, program: &str, args: &[&str]) -> Command {
        let binary = pg_bin(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(binary)
                .args(args);
            command
        } else {
            let mut command = Command::new(binary);
            command.args(args);
            command
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        // Whatever state the test left it in; the directory goes with `dir`.
        let _ = self
            .program(
                "pg_ctl",
                &["stop", "-D", path(&self.data()), "-m", "immediate", "-w"],
            )
            .output();
    }
}

fn running_as_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// Runs `command`, failing the test with its output if it fails.
pub fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
