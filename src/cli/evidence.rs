//! The tamper-evidence commands: `verify` (the whole log, offline), `prove` (a proof as
//! JSON, with the checkpoints it needs), `verify-proof` (such a proof, with only the
//! verifier key) and `purge` (retention without breaking proofs).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::config::Settings;
use crate::domain::BusinessId;
use crate::domain::finnish_time::start_of_finnish_day;
use crate::service::{EvidenceError, Services};
use crate::transparency::checkpoint::{VerifierKey, open, read_signing_key};
use crate::transparency::merkle::{Hash, leaf_hash, verify_consistency, verify_inclusion};

use crate::verify::Options;

use super::progress::{ProgressLine, When};
use super::{Needs, business_id, caller, day};

/// How the verifier key is given; by default, the public half of the configured signing key.
#[derive(clap::Args)]
pub struct KeyArgs {
    /// The verifier key, `<name>+<key id>+<base64>` (as `luovutusloki verifier-key` prints).
    #[arg(long, conflicts_with = "verifier_key_file")]
    verifier_key: Option<String>,
    /// A file holding the verifier key.
    #[arg(long)]
    verifier_key_file: Option<PathBuf>,
}

impl KeyArgs {
    fn key(&self, settings: Option<&Settings>) -> anyhow::Result<VerifierKey> {
        let text = match (&self.verifier_key, &self.verifier_key_file) {
            (Some(text), _) => text.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
            (None, None) => {
                let Some(settings) = settings else {
                    bail!("give --verifier-key or --verifier-key-file");
                };
                let path = settings.signing_key_file();
                let key = read_signing_key(&path).with_context(|| {
                    format!(
                        "no verifier key given, and the signing key {} cannot be read",
                        path.display()
                    )
                })?;
                return Ok(key.verifier());
            }
        };
        VerifierKey::parse(text.trim()).context("the verifier key")
    }
}

/// `luovutusloki prove`.
#[derive(clap::Subcommand)]
pub enum ProveCommand {
    /// That an entry is in the tree of a checkpoint.
    Inclusion {
        /// The controller whose entry it is.
        #[arg(long, value_parser = business_id)]
        controller: BusinessId,
        /// The entry id (its leaf index).
        #[arg(long)]
        entry: u64,
        /// The checkpoint's tree size (default: the latest checkpoint).
        #[arg(long)]
        tree_size: Option<u64>,
    },
    /// That the tree of a later checkpoint extends that of an earlier one.
    Consistency {
        #[arg(long)]
        old_size: u64,
        /// Default: the latest checkpoint.
        #[arg(long)]
        new_size: Option<u64>,
    },
}

/// A proof as `prove` writes it and `verify-proof` reads it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofFile {
    /// The signed checkpoint the proof is against (of `tree_size` or `new_size`).
    checkpoint: String,
    /// For a consistency proof, the earlier checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    old_checkpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entry_id: Option<u64>,
    /// The leaf data (base64), from which the leaf hash is recomputed; absent when purged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    leaf_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    leaf_hash: Option<String>,
    /// The proof's hashes, base64, in RFC 9162 order.
    hashes: Vec<String>,
}

/// `luovutusloki verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    keys: KeyArgs,
    /// Show progress on standard error: on a terminal by default (`auto`), or `always`
    /// (a line every ten seconds when not a terminal), or `never`.
    #[arg(long, value_enum, default_value_t = When::Auto)]
    progress: When,
}

/// `luovutusloki verify`.
pub async fn run_verify(settings: Settings, args: VerifyArgs) -> anyhow::Result<()> {
    let key = args.keys.key(Some(&settings))?;
    let mut line = ProgressLine::new(args.progress);
    let services = super::services(&settings, Needs::default()).await?;
    let mut show = |progress| {
        if let Some(line) = line.as_mut() {
            line.update(progress);
        }
    };
    let options = Options {
        progress: Some(&mut show),
        ..Options::default()
    };
    let verified = services.verify_log(&key, options).await;
    drop(services);
    if let Some(line) = line {
        line.finish();
    }
    let report = verified?;
    println!(
        "{} entries ({} purged, {} not yet in the tree); tree of {} entries, root {}",
        report.entries,
        report.purged,
        report.not_integrated,
        report.tree_size,
        report.root.map(|r| STANDARD.encode(r)).unwrap_or_default()
    );
    println!(
        "{} checkpoints verified with key {}",
        report.checkpoints,
        key.name()
    );
    if let Some(first) = report.problems.first() {
        for problem in &report.problems {
            println!("FAIL {problem}");
        }
        bail!("the log does not verify: {first}");
    }
    println!("OK");
    Ok(())
}

/// `luovutusloki prove`: prints the proof as JSON.
pub async fn run_prove(settings: Settings, command: ProveCommand) -> anyhow::Result<()> {
    let proof = {
        let services = super::services(&settings, Needs::default()).await?;
        prove(&services, command).await?
    };
    println!("{}", serde_json::to_string_pretty(&proof)?);
    Ok(())
}

async fn prove(services: &Services, command: ProveCommand) -> anyhow::Result<ProofFile> {
    let caller = caller();
    let encode = |hashes: Vec<Hash>| hashes.iter().map(|h| STANDARD.encode(h)).collect();
    match command {
        ProveCommand::Inclusion {
            controller,
            entry,
            tree_size,
        } => {
            let checkpoint = services
                .checkpoint(&caller, tree_size)
                .await
                .map_err(|e| no_checkpoint(e, tree_size))?;
            let proof = services
                .inclusion_proof(&caller, &controller, (entry, checkpoint.size), true)
                .await
                .map_err(|e| match e {
                    EvidenceError::NoEntry => anyhow::anyhow!("{controller} has no entry {entry}"),
                    EvidenceError::OutOfRange(_) => {
                        anyhow::Error::new(e).context("the entry is not in that checkpoint's tree")
                    }
                    other => other.into(),
                })?;
            Ok(ProofFile {
                checkpoint: checkpoint.note,
                old_checkpoint: None,
                entry_id: Some(entry),
                leaf_data: proof.leaf.data.map(|d| STANDARD.encode(d)),
                leaf_hash: Some(STANDARD.encode(proof.leaf.leaf_hash)),
                hashes: encode(proof.hashes),
            })
        }
        ProveCommand::Consistency { old_size, new_size } => {
            let old = services
                .checkpoint(&caller, Some(old_size))
                .await
                .map_err(|e| no_checkpoint(e, Some(old_size)))?;
            let new = services
                .checkpoint(&caller, new_size)
                .await
                .map_err(|e| no_checkpoint(e, new_size))?;
            let hashes = services
                .consistency_proof(&caller, old.size, new.size)
                .await
                .map_err(|e| match e {
                    EvidenceError::OutOfRange(_) => {
                        anyhow::Error::new(e).context("need old size <= new size")
                    }
                    other => other.into(),
                })?;
            Ok(ProofFile {
                checkpoint: new.note,
                old_checkpoint: Some(old.note),
                entry_id: None,
                leaf_data: None,
                leaf_hash: None,
                hashes: encode(hashes),
            })
        }
    }
}

/// A missing checkpoint said as the command's user asked for it; other errors as they are.
fn no_checkpoint(error: EvidenceError, size: Option<u64>) -> anyhow::Error {
    let named = match size {
        Some(size) => format!("no checkpoint of tree size {size}"),
        None => "no checkpoint yet".to_owned(),
    };
    match error {
        EvidenceError::NoCheckpoint => anyhow::Error::new(error).context(named),
        other => other.into(),
    }
}

/// `luovutusloki verify-proof FILE`: needs no database, only the verifier key.
pub fn run_verify_proof(file: &Path, keys: KeyArgs, origin: Option<&str>) -> anyhow::Result<()> {
    let key = keys.key(None)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let proof: ProofFile = serde_json::from_str(&text).context("the proof file")?;
    println!("{}", verify_proof(&proof, &key, origin)?);
    Ok(())
}

/// Checks `proof`, and that its checkpoints are of the log `origin` when given; says what
/// it proved.
pub fn verify_proof(
    proof: &ProofFile,
    key: &VerifierKey,
    origin: Option<&str>,
) -> anyhow::Result<String> {
    let checkpoint = open(&proof.checkpoint, key).context("the checkpoint")?;
    if let Some(origin) = origin.filter(|o| *o != checkpoint.origin) {
        bail!(
            "the checkpoint is of the log {}, not {origin}",
            checkpoint.origin
        );
    }
    let hashes = proof
        .hashes
        .iter()
        .map(|h| decode_hash(h))
        .collect::<anyhow::Result<Vec<Hash>>>()?;
    if let Some(entry) = proof.entry_id {
        let leaf = match (&proof.leaf_data, &proof.leaf_hash) {
            (Some(data), given) => {
                let computed = leaf_hash(&STANDARD.decode(data).context("leaf_data")?);
                if given
                    .as_deref()
                    .is_some_and(|g| decode_hash(g).ok() != Some(computed))
                {
                    bail!("leaf_hash is not the hash of leaf_data");
                }
                computed
            }
            (None, Some(given)) => decode_hash(given)?,
            (None, None) => bail!("an inclusion proof needs leaf_data or leaf_hash"),
        };
        if !verify_inclusion(entry, checkpoint.size, &leaf, &hashes, &checkpoint.root) {
            bail!(
                "the proof does not show entry {entry} in the tree of {} entries",
                checkpoint.size
            );
        }
        return Ok(format!(
            "OK: entry {entry} is leaf {entry} of the tree of {} entries of {}, signed by {}",
            checkpoint.size,
            checkpoint.origin,
            key.name()
        ));
    }
    let old = proof
        .old_checkpoint
        .as_deref()
        .context("the proof names neither an entry nor an old checkpoint")?;
    let old = open(old, key).context("the old checkpoint")?;
    if old.origin != checkpoint.origin {
        bail!(
            "the checkpoints are of two logs: {} and {}",
            old.origin,
            checkpoint.origin
        );
    }
    if !verify_consistency(
        old.size,
        checkpoint.size,
        &hashes,
        &old.root,
        &checkpoint.root,
    ) {
        bail!(
            "the proof does not show the tree of {} entries extending that of {}",
            checkpoint.size,
            old.size
        );
    }
    Ok(format!(
        "OK: the tree of {} entries of {} extends that of {}, both signed by {}",
        checkpoint.size,
        checkpoint.origin,
        old.size,
        key.name()
    ))
}

fn decode_hash(text: &str) -> anyhow::Result<Hash> {
    let bytes = STANDARD.decode(text).context("a hash is not base64")?;
    Hash::try_from(bytes.as_slice()).map_err(|_| anyhow::anyhow!("a hash is not 32 bytes"))
}

/// `luovutusloki purge`.
#[derive(clap::Args)]
pub struct PurgeArgs {
    /// Empty the entries of disclosures that occurred before this Finnish local day.
    #[arg(long, value_parser = day)]
    before: Date,
    /// Only this controller's entries.
    #[arg(long, value_parser = business_id)]
    controller: Option<BusinessId>,
    /// Who decided the purge, for its record (default: $USER).
    #[arg(long)]
    requested_by: Option<String>,
}

pub async fn run_purge(settings: Settings, args: PurgeArgs) -> anyhow::Result<()> {
    let requested_by = args
        .requested_by
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "cli".into());
    let before = start_of_finnish_day(args.before);
    let report = {
        let services = super::services(&settings, Needs::default()).await?;
        services
            .purge(&caller(), before, args.controller.as_ref(), &requested_by)
            .await?
    };
    match report.range {
        Some((first, last)) => println!(
            "purged {} entries (ids {first}..={last}); their leaf hashes stay, so proofs \
             still verify",
            report.entries
        ),
        None => println!("nothing to purge"),
    }
    Ok(())
}
