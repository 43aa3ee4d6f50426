//! `luovutusloki`: parse the command line, load settings, start logging, run the command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use luovutusloki::config::{LogFormat, Settings};
use luovutusloki::{app, cli, telemetry};

/// The allocator of the service's process (see Cargo.toml, `mimalloc`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The disclosure log of personal data for Finnish benefit and employment registers.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file; environment variables LUOVUTUSLOKI_* override it.
    #[arg(long, short, global = true, env = "LUOVUTUSLOKI_CONFIG")]
    config: Option<PathBuf>,
    /// Log format (overrides log.format).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the gRPC API (SQLite under ./data and 127.0.0.1:50051 unless configured).
    Serve {
        /// Directory of register catalogue files (overrides registers.dir).
        #[arg(long)]
        registers: Option<PathBuf>,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Generate a new subject key file (mode 0600).
    Keygen {
        /// Directory for the subject key file (default: keys.dir, or data/keys).
        #[arg(long, conflicts_with_all = ["signing", "out"])]
        dir: Option<PathBuf>,
        /// Write the checkpoint signing key instead, and print its verifier key.
        #[arg(long)]
        signing: bool,
        /// Where to write the signing key (default: transparency.signing_key_file, or
        /// checkpoint-signing.key in the key directory).
        #[arg(long, requires = "signing")]
        out: Option<PathBuf>,
    },
    /// Print the verifier key of the configured checkpoint signing key.
    VerifierKey,
    /// Make a new API token: prints the token (give it to the caller) and its SHA-256 (put
    /// it in the caller's token_sha256).
    Token,
    /// Register catalogues.
    #[command(subcommand)]
    Registers(RegistersCommand),
    /// Consents and refusals, in the configured database.
    #[command(subcommand)]
    Consents(cli::consents::ConsentsCommand),
    /// Reports from the log, read from the configured database.
    #[command(subcommand)]
    Report(cli::report::ReportCommand),
    /// Withholding decisions of recorded disclosures, in the configured database.
    #[command(subcommand)]
    Withholding(cli::withholding::WithholdingCommand),
    /// Turvakielto (661/2009 36 §): mark a person or lift the mark, in the configured database.
    #[command(subcommand)]
    Turvakielto(cli::turvakielto::TurvakieltoCommand),
    /// Check the whole log offline: every leaf, the tree and every signed checkpoint.
    Verify(cli::evidence::VerifyArgs),
    /// Print an inclusion or consistency proof as JSON, with its checkpoints.
    #[command(subcommand)]
    Prove(cli::evidence::ProveCommand),
    /// Check a proof printed by `prove` with only the verifier key (no database).
    VerifyProof {
        /// The proof file (JSON).
        file: PathBuf,
        #[command(flatten)]
        keys: cli::evidence::KeyArgs,
        /// Also require the checkpoints to be of this log (their first line).
        #[arg(long)]
        origin: Option<String>,
    },
    /// Empty the personal content of old entries, keeping their leaf hashes.
    Purge(cli::evidence::PurgeArgs),
}

#[derive(Subcommand)]
enum RegistersCommand {
    /// Validate a catalogue directory (default: registers.dir) and list its registers.
    Check {
        /// The catalogue directory.
        #[arg(long)]
        registers: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One readable line with its causes, not a backtrace.
            eprintln!("luovutusloki: {error:#}");
            ExitCode::from(cli::exit_code(&error))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(format) = cli.log_format {
        settings.log.format = format;
    }
    // Only the service exports traces; the other commands log.
    let traces = matches!(cli.command, Command::Serve { .. }).then_some(&settings.telemetry);
    let telemetry = telemetry::init(&settings.log, traces)?;
    let result = command(cli.command, settings).await;
    telemetry.shutdown().await;
    result
}

async fn command(command: Command, mut settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { registers } => {
            if let Some(dir) = registers {
                settings.registers.dir = dir;
            }
            app::serve(settings).await
        }
        Command::Migrate => app::migrate(settings).await,
        Command::Keygen {
            signing: true, out, ..
        } => app::keygen_signing(&settings, out),
        Command::Keygen { dir, .. } => app::keygen(&settings, dir),
        Command::VerifierKey => app::verifier_key(&settings),
        Command::Token => app::token(),
        Command::Consents(command) => cli::consents::run(settings, command).await,
        Command::Registers(RegistersCommand::Check { registers }) => {
            cli::registers::check(&settings, registers.as_deref())
        }
        Command::Report(command) => cli::report::run(settings, command).await,
        Command::Withholding(command) => cli::withholding::run(settings, command).await,
        Command::Turvakielto(command) => cli::turvakielto::run(settings, command).await,
        Command::Verify(args) => cli::evidence::run_verify(settings, args).await,
        Command::Prove(command) => cli::evidence::run_prove(settings, command).await,
        Command::VerifyProof { file, keys, origin } => {
            cli::evidence::run_verify_proof(&file, keys, origin.as_deref())
        }
        Command::Purge(args) => cli::evidence::run_purge(settings, args).await,
    }
}
