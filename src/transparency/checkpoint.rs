//! Signed checkpoints of the disclosure log: C2SP `tlog-checkpoint` bodies in
//! C2SP `signed-note` envelopes, signed with Ed25519 keys only.
//!
//! The format is written here by hand, as the one Rust crate for it (Cloudflare's
//! pre-1.0 `signed_note`) pins older `base64`, `thiserror` and `rand_core`
//! releases; it follows <https://c2sp.org/signed-note> and
//! <https://c2sp.org/tlog-checkpoint> and is checked against the test vectors of
//! Go's `golang.org/x/mod/sumdb/note`.
//!
//! A signed checkpoint is its body (origin, tree size, base64 root hash, then
//! any extension lines), a blank line, and one signature line per key:
//!
//! ```text
//! example.com/log
//! 5
//! ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=
//!
//! — example.com/log 1FXFIXhcA8bzldY1uKnlMrActd5plu5xDp3ZZyDBhgiujuXf5k0H3IDB+FKhc7DPclM3WiqaYv2LnpSksLE8gIsJ3gg=
//! ```
//!
//! The signature line is an em dash (U+2014), a space, the key name, a space and
//! `base64(key id || Ed25519 signature of the body)`, where the key id is the
//! big-endian first four bytes of `SHA-256(name || "\n" || 0x01 || public key)`.
//! Keys travel as text: a verifier key is `<name>+<key id in hex>+<base64(0x01 || public key)>`
//! and a signer key is `PRIVATE+KEY+<name>+<key id in hex>+<base64(0x01 || seed)>`.
//!
//! Parsing is stricter than Go's in ways no honest signer notices: base64
//! must be canonical (padded, no stray trailing bits), a verifier key must be
//! a valid Ed25519 point of large order, signatures are checked with
//! `verify_strict`, key names may not hold control characters, and every
//! signature line by the key is verified, not only the first.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek as ed;
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};

/// A Merkle tree root hash (RFC 6962, SHA-256).
pub type RootHash = [u8; 32];

/// The largest note [`open`] accepts and [`SigningKey::sign`] produces, in bytes.
pub const MAX_NOTE_LEN: usize = 1 << 20;

/// The most signature lines [`open`] reads; the spec requires accepting at least 16.
pub const MAX_SIGNATURES: usize = 100;

/// Signature type byte of Ed25519 in key ids and key texts.
const ALG_ED25519: u8 = 0x01;
/// Start of every signature line: em dash, space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// Start of every signer key text.
const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";
/// Key files are one short line; anything longer is not a key file.
const MAX_KEY_FILE_LEN: u64 = 4096;

/// A checkpoint's body: which log, how many leaves, which root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.com/log`; non-empty, one line.
    pub origin: String,
    /// The number of leaves in the tree.
    pub size: u64,
    /// The root hash of the tree of `size` leaves.
    pub root: RootHash,
    /// Opaque extension lines after the root hash, kept so that a parsed
    /// checkpoint reproduces the signed body; each is non-empty. Usually none.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: RootHash) -> Self {
        Self {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text that gets signed: origin, size, base64 root and any
    /// extension lines, each ending in a newline.
    pub fn body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        );
        for line in &self.extensions {
            body.push_str(line);
            body.push('\n');
        }
        body
    }

    /// Checks that the body would parse back to this checkpoint: the origin
    /// and every extension line are non-empty and free of control characters
    /// (newlines included).
    pub fn validate(&self) -> Result<(), NoteError> {
        if !is_valid_line(&self.origin) {
            return Err(NoteError::MalformedCheckpoint(
                "origin must be a non-empty line without control characters",
            ));
        }
        if !self.extensions.iter().all(|line| is_valid_line(line)) {
            return Err(NoteError::MalformedCheckpoint(
                "extension lines must be non-empty lines without control characters",
            ));
        }
        Ok(())
    }

    /// Parses a note text (ending in a newline) as a checkpoint body.
    pub(crate) fn parse_body(text: &str) -> Result<Self, NoteError> {
        let Some(text) = text.strip_suffix('\n') else {
            return Err(NoteError::MalformedCheckpoint(
                "body does not end with a newline",
            ));
        };
        let lines: Vec<&str> = text.split('\n').collect();
        if lines.len() < 3 {
            return Err(NoteError::MalformedCheckpoint(
                "body needs an origin, a tree size and a root hash line",
            ));
        }
        if lines.iter().any(|line| line.is_empty()) {
            return Err(NoteError::MalformedCheckpoint("body has an empty line"));
        }
        if text.bytes().any(|b| b < 0x20 && b != b'\n') {
            return Err(NoteError::MalformedCheckpoint(
                "body has a control character",
            ));
        }
        Ok(Self {
            origin: lines[0].to_owned(),
            size: parse_size(lines[1])?,
            root: parse_root(lines[2])?,
            extensions: lines[3..].iter().map(|line| (*line).to_owned()).collect(),
        })
    }
}

/// Parses a tree size: ASCII decimal, no sign, no leading zero unless it is `0`.
fn parse_size(line: &str) -> Result<u64, NoteError> {
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NoteError::MalformedCheckpoint(
            "tree size is not plain decimal digits",
        ));
    }
    if line.len() > 1 && line.starts_with('0') {
        return Err(NoteError::MalformedCheckpoint(
            "tree size has a leading zero",
        ));
    }
    line.parse()
        .map_err(|_| NoteError::MalformedCheckpoint("tree size does not fit in 64 bits"))
}

/// Parses a root hash: exactly 32 bytes in canonical, padded standard base64.
fn parse_root(line: &str) -> Result<RootHash, NoteError> {
    BASE64
        .decode(line)
        .ok()
        .and_then(|bytes| RootHash::try_from(bytes).ok())
        .ok_or(NoteError::MalformedCheckpoint(
            "root hash is not 32 bytes of standard base64",
        ))
}

/// A checkpoint signer: a key name with its Ed25519 private key.
///
/// Its `Debug` shows the name and key id only; the secret is shown by nothing
/// but [`SigningKey::to_text`].
pub struct SigningKey {
    name: String,
    key_id: u32,
    key: ed::SigningKey,
}

impl SigningKey {
    /// Generates a new key with the given name (non-empty, without spaces,
    /// `+` or control characters; by convention the log's origin).
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        let mut seed = [0u8; ed::SECRET_KEY_LENGTH];
        getrandom::fill(&mut seed).map_err(NoteError::Randomness)?;
        Self::from_seed(name, &seed)
    }

    /// Derives the key from a name and a 32-byte Ed25519 seed.
    fn from_seed(name: &str, seed: &ed::SecretKey) -> Result<Self, NoteError> {
        check_name(name)?;
        let key = ed::SigningKey::from_bytes(seed);
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, key.verifying_key().as_bytes()),
            key,
        })
    }

    /// Parses a signer key text, `PRIVATE+KEY+<name>+<key id>+<key data>`;
    /// trailing whitespace such as a final newline is ignored.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        // Error messages never quote the text: it holds the secret.
        let rest = text
            .trim_end()
            .strip_prefix(PRIVATE_PREFIX)
            .ok_or(NoteError::MalformedKey(
                "signer key does not start with PRIVATE+KEY+",
            ))?;
        let mut fields = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(NoteError::MalformedKey(
                "signer key is not PRIVATE+KEY+<name>+<key id>+<key data>",
            ));
        };
        let stated = parse_key_id(id)?;
        let key = Self::from_seed(name, &decode_key_data(data)?)?;
        if key.key_id != stated {
            return Err(NoteError::KeyIdMismatch {
                stated,
                computed: key.key_id,
            });
        }
        Ok(key)
    }

    /// The signer key text, `PRIVATE+KEY+<name>+<key id>+<key data>`.
    ///
    /// This is the secret: keep it out of logs and store it only in files
    /// readable by the log alone (as [`write_signing_key`] does).
    pub fn to_text(&self) -> String {
        let mut data = [0u8; 1 + ed::SECRET_KEY_LENGTH];
        data[0] = ALG_ED25519;
        data[1..].copy_from_slice(self.key.as_bytes());
        format!(
            "{PRIVATE_PREFIX}{}+{:08x}+{}",
            self.name,
            self.key_id,
            BASE64.encode(data)
        )
    }

    /// The key name that appears in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id that prefixes every signature.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public half, to hand to whoever checks the log's checkpoints.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs a checkpoint and returns the complete signed note.
    ///
    /// Fails if the checkpoint does not [`validate`](Checkpoint::validate)
    /// or the note would exceed [`MAX_NOTE_LEN`], as such a note would not
    /// open.
    pub fn sign(&self, checkpoint: &Checkpoint) -> Result<String, NoteError> {
        checkpoint.validate()?;
        let note = self.sign_text(&checkpoint.body());
        if note.len() > MAX_NOTE_LEN {
            return Err(NoteError::MalformedCheckpoint(
                "checkpoint is too large for a note",
            ));
        }
        Ok(note)
    }

    /// Signs any note text that ends in a newline: the text, a blank line
    /// and this key's signature line.
    fn sign_text(&self, text: &str) -> String {
        debug_assert!(text.ends_with('\n'), "note text must end in a newline");
        let signature = self.key.sign(text.as_bytes());
        let mut blob = [0u8; 4 + ed::SIGNATURE_LENGTH];
        blob[..4].copy_from_slice(&self.key_id.to_be_bytes());
        blob[4..].copy_from_slice(&signature.to_bytes());
        format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            BASE64.encode(blob)
        )
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

/// A checkpoint verifier: a key name, its key id and Ed25519 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    key: ed::VerifyingKey,
}

impl VerifierKey {
    /// Parses a verifier key text, `<name>+<key id>+<key data>`; trailing
    /// whitespace such as a final newline is ignored.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let mut fields = text.trim_end().splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(NoteError::MalformedKey(
                "verifier key is not <name>+<key id>+<key data>",
            ));
        };
        check_name(name)?;
        let stated = parse_key_id(id)?;
        let public = decode_key_data(data)?;
        let computed = key_id(name, &public);
        if stated != computed {
            return Err(NoteError::KeyIdMismatch { stated, computed });
        }
        let key = ed::VerifyingKey::from_bytes(&public)
            .map_err(|_| NoteError::MalformedKey("public key is not an Ed25519 point"))?;
        if key.is_weak() {
            return Err(NoteError::MalformedKey(
                "public key is a small-order Ed25519 point",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: stated,
            key,
        })
    }

    /// The key name expected in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id expected at the start of signatures.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
}

impl fmt::Display for VerifierKey {
    /// The verifier key text, `<name>+<key id>+<key data>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = [0u8; 1 + ed::PUBLIC_KEY_LENGTH];
        data[0] = ALG_ED25519;
        data[1..].copy_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            BASE64.encode(data)
        )
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

/// Checks that `note` is signed by `key` and parses its body as a checkpoint.
///
/// Signature lines by other keys (another name or another key id) are
/// ignored, as the spec requires; every line with `key`'s name and id must
/// verify; at least one must be there. The origin is not compared with
/// anything: callers that expect a given log must check it.
pub fn open(note: &str, key: &VerifierKey) -> Result<Checkpoint, NoteError> {
    Checkpoint::parse_body(open_text(note, key)?)
}

/// Checks that `note` is signed by `key` and returns its text (ending in a
/// newline), whatever that text is.
fn open_text<'a>(note: &'a str, key: &VerifierKey) -> Result<&'a str, NoteError> {
    if note.len() > MAX_NOTE_LEN {
        return Err(NoteError::MalformedNote("note is larger than 1 MiB"));
    }
    if note.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::MalformedNote("note has a control character"));
    }
    if !note.ends_with('\n') {
        return Err(NoteError::MalformedNote("note does not end with a newline"));
    }
    // The text may itself hold empty lines: the signatures start after the last.
    let split = note.rfind("\n\n").ok_or(NoteError::MalformedNote(
        "note has no blank line before its signatures",
    ))?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    if signatures.is_empty() {
        return Err(NoteError::MalformedNote("note has no signature lines"));
    }

    let mut verified = false;
    for (index, line) in signatures.split_terminator('\n').enumerate() {
        if index == MAX_SIGNATURES {
            return Err(NoteError::MalformedNote("note has too many signatures"));
        }
        let (name, id, signature) = parse_signature_line(line)?;
        if name != key.name || id != key.key_id {
            continue;
        }
        let verifies = ed::Signature::from_slice(&signature)
            .is_ok_and(|signature| key.key.verify_strict(text.as_bytes(), &signature).is_ok());
        if !verifies {
            return Err(NoteError::BadSignature {
                name: key.name.clone(),
                key_id: key.key_id,
            });
        }
        verified = true;
    }
    if !verified {
        return Err(NoteError::NoSignature {
            name: key.name.clone(),
            key_id: key.key_id,
        });
    }
    Ok(text)
}

/// Splits `— <name> <base64(key id || signature)>` into name, key id and
/// signature bytes.
fn parse_signature_line(line: &str) -> Result<(&str, u32, Vec<u8>), NoteError> {
    let rest = line
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or(NoteError::MalformedNote(
            "signature line does not start with an em dash and a space",
        ))?;
    let (name, encoded) = rest.split_once(' ').ok_or(NoteError::MalformedNote(
        "signature line has no space after the key name",
    ))?;
    if !is_valid_name(name) {
        return Err(NoteError::MalformedNote(
            "signature line has an invalid key name",
        ));
    }
    let blob = BASE64
        .decode(encoded)
        .map_err(|_| NoteError::MalformedNote("signature is not standard base64"))?;
    match blob.as_slice() {
        [a, b, c, d, signature @ ..] if !signature.is_empty() => Ok((
            name,
            u32::from_be_bytes([*a, *b, *c, *d]),
            signature.to_vec(),
        )),
        _ => Err(NoteError::MalformedNote("signature is too short")),
    }
}

/// Creates a new signing key named `name` and writes its text to `path`,
/// which must not exist yet; on Unix the file gets mode 0600.
pub fn write_signing_key(path: &Path, name: &str) -> Result<SigningKey, NoteError> {
    let key = SigningKey::generate(name)?;
    let io_error = |source| NoteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io_error)?;
    let written = file
        .write_all(format!("{}\n", key.to_text()).as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(source) = written {
        // A partial key file would block every later attempt (create_new), so
        // it goes; the error that matters is the write's.
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(io_error(source));
    }
    Ok(key)
}

/// Reads a signing key file as written by [`write_signing_key`].
pub fn read_signing_key(path: &Path) -> Result<SigningKey, NoteError> {
    let mut text = String::new();
    File::open(path)
        .and_then(|file| file.take(MAX_KEY_FILE_LEN).read_to_string(&mut text))
        .map_err(|source| NoteError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    SigningKey::parse(&text)
}

/// What can go wrong with keys, notes and checkpoints.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    /// A key name is empty or has a space, a `+` or a control character.
    #[error(
        "invalid key name {0:?}: it must be non-empty, without spaces, '+' or control characters"
    )]
    InvalidKeyName(String),
    /// A verifier or signer key text is not well formed.
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    /// A key text names a signature type other than Ed25519.
    #[error("unsupported key type {0:#04x}: only Ed25519 (0x01) is supported")]
    UnsupportedAlgorithm(u8),
    /// A key text's key id is not the one its name and key give.
    #[error("key id {stated:08x} does not match the key, whose id is {computed:08x}")]
    KeyIdMismatch {
        /// The key id written in the key text.
        stated: u32,
        /// The key id computed from the name and key.
        computed: u32,
    },
    /// A note is not in the signed-note format.
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    /// A signature line names the key (name and key id) but does not verify.
    #[error("the signature by key {name}+{key_id:08x} does not verify")]
    BadSignature {
        /// The key's name.
        name: String,
        /// The key's id.
        key_id: u32,
    },
    /// A note has no signature line by the key.
    #[error("the note has no signature by key {name}+{key_id:08x}")]
    NoSignature {
        /// The key's name.
        name: String,
        /// The key's id.
        key_id: u32,
    },
    /// A signed note's text, or a checkpoint to sign, is not a valid checkpoint body.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// The operating system gave no randomness for a new key.
    #[error("cannot get randomness for a new key: {0}")]
    Randomness(#[source] getrandom::Error),
    /// A key file could not be written or read.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

/// A key name is non-empty, without Unicode spaces or `+` (as the spec says)
/// and without control characters (which no note may carry).
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(NoteError::InvalidKeyName(name.to_owned()))
    }
}

/// A body line is non-empty and has no character a note may not carry in a line.
fn is_valid_line(line: &str) -> bool {
    !line.is_empty() && !line.bytes().any(|b| b < 0x20)
}

/// `SHA-256(name || "\n" || 0x01 || public key)[..4]` as a big-endian number.
fn key_id(name: &str, public: &[u8; ed::PUBLIC_KEY_LENGTH]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update([ALG_ED25519])
        .chain_update(public)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Parses the 8 hex digits of a key id.
fn parse_key_id(hex: &str) -> Result<u32, NoteError> {
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NoteError::MalformedKey("key id is not 8 hex digits"));
    }
    u32::from_str_radix(hex, 16).map_err(|_| NoteError::MalformedKey("key id is not 8 hex digits"))
}

/// Decodes `base64(0x01 || 32 bytes)`, the key data of Ed25519 key texts.
fn decode_key_data(encoded: &str) -> Result<[u8; 32], NoteError> {
    let data = BASE64
        .decode(encoded)
        .map_err(|_| NoteError::MalformedKey("key data is not standard base64"))?;
    match data.split_first() {
        Some((&ALG_ED25519, key)) => key
            .try_into()
            .map_err(|_| NoteError::MalformedKey("Ed25519 key data is not 32 bytes")),
        Some((&algorithm, _)) => Err(NoteError::UnsupportedAlgorithm(algorithm)),
        None => Err(NoteError::MalformedKey("key data is empty")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test vectors of golang.org/x/mod/sumdb/note (note_test.go).
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                              then you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    // Checkpoint known answer, computed independently with Python's
    // `cryptography` (Ed25519) and `hashlib` (key id), which also reproduce
    // the Go vectors above.
    const KAT_NAME: &str = "example.com/log";
    const KAT_VKEY: &str = "example.com/log+d455c521+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
    const KAT_SKEY: &str =
        "PRIVATE+KEY+example.com/log+d455c521+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f";
    const KAT_BODY: &str = "example.com/log\n5\nICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n";
    const KAT_NOTE: &str = "example.com/log\n\
        5\n\
        ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n\
        \n\
        — example.com/log 1FXFIXhcA8bzldY1uKnlMrActd5plu5xDp3ZZyDBhgiujuXf5k0H3IDB+FKhc7DPclM3WiqaYv2LnpSksLE8gIsJ3gg=\n";

    fn kat_seed() -> [u8; 32] {
        std::array::from_fn(|i| i as u8)
    }

    fn kat_checkpoint() -> Checkpoint {
        Checkpoint::new(KAT_NAME, 5, std::array::from_fn(|i| 32 + i as u8))
    }

    fn kat_key() -> SigningKey {
        SigningKey::from_seed(KAT_NAME, &kat_seed()).unwrap()
    }

    fn peter() -> VerifierKey {
        VerifierKey::parse(PETER_VKEY).unwrap()
    }

    fn enoch() -> VerifierKey {
        VerifierKey::parse(ENOCH_VKEY).unwrap()
    }

    /// Applies `f` to the decoded signature blob of a one-signature note.
    fn with_signature_blob(note: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
        let (head, line) = note.trim_end().rsplit_once(' ').unwrap();
        let mut blob = BASE64.decode(line).unwrap();
        f(&mut blob);
        format!("{head} {}\n", BASE64.encode(blob))
    }

    /// A file path in the temporary directory, removed when dropped.
    struct ScratchFile(PathBuf);

    impl ScratchFile {
        fn new(tag: &str) -> Self {
            use std::sync::atomic::{AtomicU32, Ordering};
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let name = format!("checkpoint-test-{}-{n}-{tag}", std::process::id());
            let path = std::env::temp_dir().join(name);
            let _ = std::fs::remove_file(&path);
            Self(path)
        }
    }

    impl Drop for ScratchFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn go_verifier_key_parses_to_its_documented_key_id() {
        let key = peter();
        assert_eq!(key.name(), "PeterNeumann");
        assert_eq!(key.key_id(), 0xc74f20a3);
        assert_eq!(key.to_string(), PETER_VKEY);
        assert_eq!(enoch().key_id(), 0xaf0cfe78);
    }

    #[test]
    fn go_signer_key_derives_the_documented_verifier_key() {
        let signer = SigningKey::parse(PETER_SKEY).unwrap();
        assert_eq!(signer.name(), "PeterNeumann");
        assert_eq!(signer.key_id(), 0xc74f20a3);
        assert_eq!(signer.verifier().to_string(), PETER_VKEY);
        assert_eq!(signer.verifier(), peter());
        assert_eq!(signer.to_text(), PETER_SKEY);
    }

    #[test]
    fn go_signer_signs_the_documented_text_with_the_documented_signature_line() {
        let signer = SigningKey::parse(PETER_SKEY).unwrap();
        assert_eq!(
            signer.sign_text(PETER_TEXT),
            format!("{PETER_TEXT}\n{PETER_SIG}")
        );
    }

    #[test]
    fn go_note_opens_with_the_documented_verifier_key() {
        let note = format!("{PETER_TEXT}\n{PETER_SIG}");
        assert_eq!(open_text(&note, &peter()).unwrap(), PETER_TEXT);
    }

    #[test]
    fn go_note_signed_by_two_keys_opens_with_either_and_ignores_the_other() {
        let note = format!("{PETER_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        assert_eq!(open_text(&note, &peter()).unwrap(), PETER_TEXT);
        assert_eq!(open_text(&note, &enoch()).unwrap(), PETER_TEXT);
    }

    #[test]
    fn go_note_with_repeated_and_foreign_corrupt_signatures_opens() {
        let bad_enoch = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
        let note = format!("{PETER_TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{bad_enoch}");
        assert_eq!(open_text(&note, &peter()).unwrap(), PETER_TEXT);
    }

    #[test]
    fn go_note_with_corrupt_signature_by_the_key_is_a_bad_signature() {
        let bad_peter = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        let note = format!("{PETER_TEXT}\n{bad_peter}");
        assert!(matches!(
            open_text(&note, &peter()),
            Err(NoteError::BadSignature {
                key_id: 0xc74f20a3,
                ..
            })
        ));
    }

    #[test]
    fn go_malformed_notes_are_rejected_as_malformed() {
        let bad = [
            PETER_TEXT.to_owned(),
            format!("{PETER_TEXT}\n"),
            format!("{PETER_TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{PETER_TEXT}\n{PETER_SIG}"),
            format!(
                "{PETER_TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
            ),
            format!("{PETER_TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{PETER_TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1)),
        ];
        for note in bad {
            let result = open_text(&note, &peter());
            assert!(
                matches!(result, Err(NoteError::MalformedNote(_))),
                "{note:?}: {result:?}"
            );
        }
    }

    #[test]
    fn go_verifier_key_manglings_are_rejected() {
        let bytes = PETER_VKEY.as_bytes();
        for i in 0..bytes.len() {
            for j in i + 1..=bytes.len() {
                if (i, j) != (0, bytes.len()) {
                    let text = &PETER_VKEY[i..j];
                    assert!(VerifierKey::parse(text).is_err(), "{text:?}");
                }
            }
            let mut mangled = bytes.to_vec();
            mangled[i] += 1;
            let text = String::from_utf8(mangled).unwrap();
            assert!(VerifierKey::parse(&text).is_err(), "{text:?}");
        }
        // Wrong key length, and unknown algorithm, each with a matching key id.
        assert!(matches!(
            VerifierKey::parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            ),
            Err(NoteError::MalformedKey(_))
        ));
        assert!(matches!(
            VerifierKey::parse(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(NoteError::UnsupportedAlgorithm(0x65))
        ));
    }

    #[test]
    fn go_signer_key_manglings_are_rejected() {
        let bytes = PETER_SKEY.as_bytes();
        for i in 0..bytes.len() {
            for j in i + 1..=bytes.len() {
                if (i, j) != (0, bytes.len()) {
                    let text = &PETER_SKEY[i..j];
                    assert!(SigningKey::parse(text).is_err(), "{text:?}");
                }
            }
            let mut mangled = bytes.to_vec();
            mangled[i] += 1;
            let text = String::from_utf8(mangled).unwrap();
            assert!(SigningKey::parse(&text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn checkpoint_body_is_origin_size_and_base64_root() {
        assert_eq!(kat_checkpoint().body(), KAT_BODY);
    }

    #[test]
    fn fixed_seed_gives_the_pinned_key_texts() {
        let key = kat_key();
        assert_eq!(key.to_text(), KAT_SKEY);
        assert_eq!(key.verifier().to_string(), KAT_VKEY);
        assert_eq!(key.key_id(), 0xd455c521);
        assert_eq!(SigningKey::parse(KAT_SKEY).unwrap().to_text(), KAT_SKEY);
    }

    #[test]
    fn signing_a_checkpoint_gives_the_pinned_note() {
        assert_eq!(kat_key().sign(&kat_checkpoint()).unwrap(), KAT_NOTE);
    }

    #[test]
    fn pinned_note_opens_to_its_checkpoint() {
        let key = VerifierKey::parse(KAT_VKEY).unwrap();
        assert_eq!(open(KAT_NOTE, &key).unwrap(), kat_checkpoint());
    }

    #[test]
    fn generated_key_signs_checkpoints_that_open_with_its_verifier() {
        let signer = SigningKey::generate("log.example/luovutusloki").unwrap();
        let verifier = VerifierKey::parse(&signer.verifier().to_string()).unwrap();
        assert_eq!(verifier, signer.verifier());
        for size in [0, 1, 5, u64::MAX] {
            let checkpoint = Checkpoint::new(signer.name(), size, [size as u8; 32]);
            let note = signer.sign(&checkpoint).unwrap();
            assert_eq!(open(&note, &verifier).unwrap(), checkpoint);
        }
    }

    #[test]
    fn generated_key_survives_its_text_form() {
        let signer = SigningKey::generate("example.com/log").unwrap();
        let again = SigningKey::parse(&format!("{}\n", signer.to_text())).unwrap();
        assert_eq!(again.to_text(), signer.to_text());
        assert_eq!(again.verifier(), signer.verifier());
        assert_ne!(
            SigningKey::generate("example.com/log").unwrap().to_text(),
            signer.to_text()
        );
    }

    #[test]
    fn key_texts_with_trailing_line_endings_parse() {
        assert!(SigningKey::parse(&format!("{KAT_SKEY}\r\n")).is_ok());
        assert!(VerifierKey::parse(&format!("{KAT_VKEY}\n")).is_ok());
        assert!(VerifierKey::parse(&format!(" {KAT_VKEY}")).is_err());
    }

    #[test]
    fn extension_lines_survive_signing_and_opening() {
        let mut checkpoint = kat_checkpoint();
        checkpoint.extensions = vec!["first extension".into(), "— not a signature".into()];
        let note = kat_key().sign(&checkpoint).unwrap();
        assert!(note.starts_with(&format!("{KAT_BODY}first extension\n— not a signature\n\n")));
        assert_eq!(open(&note, &kat_key().verifier()).unwrap(), checkpoint);
    }

    #[test]
    fn tampered_body_is_a_bad_signature() {
        let note = KAT_NOTE.replacen("\n5\n", "\n6\n", 1);
        assert!(matches!(
            open(&note, &kat_key().verifier()),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn tampered_signature_is_a_bad_signature() {
        let note = with_signature_blob(KAT_NOTE, |blob| blob[10] ^= 1);
        assert!(matches!(
            open(&note, &kat_key().verifier()),
            Err(NoteError::BadSignature { .. })
        ));
        let truncated = with_signature_blob(KAT_NOTE, |blob| blob.truncate(67));
        assert!(matches!(
            open(&truncated, &kat_key().verifier()),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn every_signature_line_by_the_key_must_verify() {
        let forged = with_signature_blob(KAT_NOTE, |blob| blob[10] ^= 1);
        let forged_line = forged.rsplit_once("\n\n").unwrap().1;
        let note = format!("{KAT_NOTE}{forged_line}");
        assert!(matches!(
            open(&note, &kat_key().verifier()),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn note_signed_by_another_key_has_no_signature_by_the_key() {
        let other = SigningKey::generate("example.com/other").unwrap();
        assert!(matches!(
            open(KAT_NOTE, &other.verifier()),
            Err(NoteError::NoSignature { .. })
        ));
        // Same name, other key: another key id, so an unknown signature.
        let namesake = SigningKey::generate(KAT_NAME).unwrap();
        assert!(matches!(
            open(KAT_NOTE, &namesake.verifier()),
            Err(NoteError::NoSignature { .. })
        ));
    }

    #[test]
    fn signature_with_the_key_id_under_another_name_is_ignored() {
        let renamed = KAT_NOTE.replace("— example.com/log ", "— example.com/other ");
        assert!(matches!(
            open(&renamed, &kat_key().verifier()),
            Err(NoteError::NoSignature { .. })
        ));
    }

    #[test]
    fn signature_claiming_the_name_and_id_of_another_key_is_a_bad_signature() {
        let impostor = VerifierKey {
            key: SigningKey::generate(KAT_NAME).unwrap().key.verifying_key(),
            ..kat_key().verifier()
        };
        assert!(matches!(
            open(KAT_NOTE, &impostor),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn signatures_by_other_keys_are_ignored_wherever_they_stand() {
        let signer = kat_key();
        let signed = signer.sign(&kat_checkpoint()).unwrap();
        let ours = signed.rsplit_once("\n\n").unwrap().1;
        let note = format!("{KAT_BODY}\n{PETER_SIG}{ours}{ENOCH_SIG}");
        assert_eq!(open(&note, &signer.verifier()).unwrap(), kat_checkpoint());
    }

    #[test]
    fn sixteen_signatures_are_accepted() {
        let ours = KAT_NOTE.rsplit_once("\n\n").unwrap().1;
        let note = format!("{KAT_BODY}\n{}{ours}", PETER_SIG.repeat(15));
        assert!(open(&note, &kat_key().verifier()).is_ok());
    }

    #[test]
    fn malformed_notes_are_rejected_as_malformed() {
        let key = kat_key().verifier();
        let ours = KAT_NOTE.rsplit_once("\n\n").unwrap().1;
        let (_, encoded) = ours.trim_end().rsplit_once(' ').unwrap();
        let bad = [
            KAT_BODY.to_owned(),
            format!("{KAT_BODY}\n"),
            KAT_NOTE.trim_end().to_owned(),
            KAT_NOTE.replacen("\n5\n", "\r\n5\n", 1),
            KAT_NOTE.replacen("\n5\n", "\n5\t\n", 1),
            KAT_NOTE.replace('—', "-"),
            KAT_NOTE.replace("— example.com/log ", "—example.com/log "),
            KAT_NOTE.replace("— example.com/log ", "— example.com/log  "),
            KAT_NOTE.replace("— example.com/log ", "— example.com+log "),
            format!("{KAT_BODY}\n— {KAT_NAME}\n"),
            format!("{KAT_BODY}\n— {KAT_NAME} AAAA\n"),
            format!(
                "{KAT_BODY}\n— {KAT_NAME} {}\n",
                encoded.trim_end_matches('=')
            ),
            format!("{KAT_BODY}\n— {KAT_NAME} {}\n", encoded.replace('+', "-")),
            format!("{KAT_NOTE}\n"),
            format!("{}\n{KAT_NOTE}", "x".repeat(MAX_NOTE_LEN)),
        ];
        for note in bad {
            let result = open(&note, &key);
            let shown: String = note.chars().take(200).collect();
            assert!(
                matches!(result, Err(NoteError::MalformedNote(_))),
                "{shown:?}: {result:?}"
            );
        }
    }

    #[test]
    fn malformed_checkpoint_bodies_are_rejected_even_when_signed() {
        let signer = kat_key();
        let root = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
        let bad_bodies = [
            "example.com/log\n5\n".to_owned(),
            format!("\n5\n{root}\n"),
            format!("example.com/log\n5\n{root}\nextension\n\nmore\n"),
            format!("example.com/log\n\n{root}\n"),
            format!("example.com/log\n+5\n{root}\n"),
            format!("example.com/log\n-1\n{root}\n"),
            format!("example.com/log\n05\n{root}\n"),
            format!("example.com/log\n00\n{root}\n"),
            format!("example.com/log\n5 \n{root}\n"),
            format!("example.com/log\n0x5\n{root}\n"),
            format!("example.com/log\n\u{665}\n{root}\n"),
            format!("example.com/log\n18446744073709551616\n{root}\n"),
            "example.com/log\n5\nICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pg==\n".to_owned(),
            "example.com/log\n5\nICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9A\n".to_owned(),
            "example.com/log\n5\nICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n".to_owned(),
            "example.com/log\n5\nICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9=\n".to_owned(),
            "example.com/log\n5\n-_-_IyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n".to_owned(),
            format!("example.com/log\n5\n{}\n", "20".repeat(32)),
        ];
        for body in bad_bodies {
            let note = signer.sign_text(&body);
            let result = open(&note, &signer.verifier());
            assert!(
                matches!(result, Err(NoteError::MalformedCheckpoint(_))),
                "{body:?}: {result:?}"
            );
        }
    }

    #[test]
    fn checkpoints_that_would_not_parse_back_are_not_signed() {
        let signer = kat_key();
        let mut bad = vec![
            Checkpoint::new("", 5, [0; 32]),
            Checkpoint::new("example.com/log\n6", 5, [0; 32]),
            Checkpoint::new("example.com/\tlog", 5, [0; 32]),
        ];
        for extension in ["", "two\nlines", "carriage\rreturn"] {
            let mut checkpoint = kat_checkpoint();
            checkpoint.extensions.push(extension.into());
            bad.push(checkpoint);
        }
        let mut huge = kat_checkpoint();
        huge.extensions.push("x".repeat(MAX_NOTE_LEN));
        bad.push(huge);
        for checkpoint in bad {
            assert!(
                matches!(
                    signer.sign(&checkpoint),
                    Err(NoteError::MalformedCheckpoint(_))
                ),
                "{:?}",
                checkpoint.origin
            );
        }
    }

    #[test]
    fn bad_verifier_key_texts_are_rejected_with_the_right_error() {
        let public = *kat_key().verifier().key.as_bytes();
        let data = |alg: u8, key: &[u8]| BASE64.encode([&[alg], key].concat());
        let id = |key: &[u8; 32]| format!("{:08x}", key_id(KAT_NAME, key));
        let identity: [u8; 32] = std::array::from_fn(|i| u8::from(i == 0));

        for text in [
            "example.com/log+d455c521".to_owned(),
            "example.com/log".to_owned(),
            format!("example.com/log+d455c52+{}", data(1, &public)),
            format!("example.com/log+d455c5210+{}", data(1, &public)),
            format!("example.com/log++d455c521+{}", data(1, &public)),
            format!("example.com/log+d455c521+{}", data(1, &public[..31])),
            format!("example.com/log+d455c521+{}=", data(1, &public)),
            "example.com/log+d455c521+".to_owned(),
            format!("{KAT_NAME}+{}+{}", id(&identity), data(1, &identity)),
            KAT_SKEY.to_owned(),
        ] {
            let result = VerifierKey::parse(&text);
            assert!(
                matches!(result, Err(NoteError::MalformedKey(_))),
                "{text}: {result:?}"
            );
        }
        assert!(matches!(
            VerifierKey::parse(&format!("example.com/log+d455c522+{}", data(1, &public))),
            Err(NoteError::KeyIdMismatch {
                stated: 0xd455c522,
                computed: 0xd455c521
            })
        ));
        assert!(matches!(
            VerifierKey::parse(&format!("example.com/log+d455c521+{}", data(2, &public))),
            Err(NoteError::UnsupportedAlgorithm(2))
        ));
        assert!(matches!(
            VerifierKey::parse(&format!("example com/log+d455c521+{}", data(1, &public))),
            Err(NoteError::InvalidKeyName(_))
        ));
        // Go parses hex digits of either case, and so do we.
        assert_eq!(
            VerifierKey::parse(&KAT_VKEY.replace("d455c521", "D455C521")).unwrap(),
            kat_key().verifier()
        );
    }

    #[test]
    fn bad_signing_key_texts_are_rejected_without_echoing_the_secret() {
        let seed_text = KAT_SKEY.rsplit_once('+').unwrap().1;
        let cases = [
            KAT_VKEY.to_owned(),
            KAT_SKEY.replace("PRIVATE+KEY+", "PRIVATE+KEY++"),
            KAT_SKEY.replace("PRIVATE+KEY+", "private+key+"),
            KAT_SKEY.replace("d455c521", "d455c522"),
            KAT_SKEY.replace(seed_text, &seed_text[..40]),
            KAT_SKEY.replace(seed_text, &format!("Ag{}", &seed_text[2..])),
            KAT_SKEY.replace("example.com/log", "example.com log"),
        ];
        for text in cases {
            let error = SigningKey::parse(&text).unwrap_err();
            let message = error.to_string();
            assert!(!message.contains(seed_text), "{message}");
            assert!(!message.contains(&seed_text[4..20]), "{message}");
        }
        assert!(matches!(
            SigningKey::parse(&KAT_SKEY.replace("d455c521", "d455c522")),
            Err(NoteError::KeyIdMismatch { .. })
        ));
        assert!(matches!(
            SigningKey::parse(&KAT_SKEY.replace(seed_text, &format!("Ag{}", &seed_text[2..]))),
            Err(NoteError::UnsupportedAlgorithm(2))
        ));
    }

    #[test]
    fn invalid_key_names_are_refused() {
        for name in [
            "",
            "a b",
            "a+b",
            "a\u{2003}b",
            "a\u{a0}b",
            "a\u{1}b",
            "a\nb",
            "tab\t",
        ] {
            assert!(
                matches!(
                    SigningKey::generate(name),
                    Err(NoteError::InvalidKeyName(_))
                ),
                "{name:?}"
            );
        }
        assert!(SigningKey::generate("ääkköset.example/loki").is_ok());
    }

    #[test]
    fn signing_key_debug_does_not_show_the_secret() {
        let key = kat_key();
        let shown = format!("{key:?} {key:#?}");
        assert!(
            shown.contains(KAT_NAME) && shown.contains("d455c521"),
            "{shown}"
        );
        assert!(
            !shown.contains(KAT_SKEY.rsplit_once('+').unwrap().1),
            "{shown}"
        );
        assert!(!shown.contains("[0, 1, 2, 3"), "{shown}");
        assert!(!shown.contains("0001020304"), "{shown}");
    }

    #[test]
    fn verifier_key_debug_shows_its_text() {
        assert_eq!(
            format!("{:?}", peter()),
            format!("VerifierKey({PETER_VKEY})")
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_written_with_mode_0600_and_reads_back() {
        use std::os::unix::fs::PermissionsExt;
        let file = ScratchFile::new("key");
        let written = write_signing_key(&file.0, KAT_NAME).unwrap();
        let mode = std::fs::metadata(&file.0).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let read = read_signing_key(&file.0).unwrap();
        assert_eq!(read.to_text(), written.to_text());
        assert_eq!(
            std::fs::read_to_string(&file.0).unwrap(),
            format!("{}\n", written.to_text())
        );
    }

    #[test]
    fn key_file_is_never_overwritten() {
        let file = ScratchFile::new("existing");
        let first = write_signing_key(&file.0, KAT_NAME).unwrap();
        let result = write_signing_key(&file.0, KAT_NAME);
        assert!(
            matches!(&result, Err(NoteError::Io { path, source })
                if path == &file.0 && source.kind() == io::ErrorKind::AlreadyExists),
            "{result:?}"
        );
        assert_eq!(
            read_signing_key(&file.0).unwrap().to_text(),
            first.to_text()
        );
    }

    #[test]
    fn missing_key_file_error_names_the_path() {
        let file = ScratchFile::new("missing");
        let error = read_signing_key(&file.0).unwrap_err();
        assert!(matches!(&error, NoteError::Io { path, .. } if path == &file.0));
        assert!(
            error.to_string().contains(&*file.0.to_string_lossy()),
            "{error}"
        );
    }

    #[test]
    fn key_file_with_bad_name_is_not_created() {
        let file = ScratchFile::new("badname");
        assert!(matches!(
            write_signing_key(&file.0, "bad name"),
            Err(NoteError::InvalidKeyName(_))
        ));
        assert!(!file.0.exists());
    }
}
