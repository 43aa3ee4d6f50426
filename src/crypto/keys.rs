//! Subject key material: key files (`subject-<id>.key`, base64 of 32 random bytes, mode
//! 0600) and inline keys from configuration.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretBox};

/// Why keys could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no subject key is configured: run `luovutusloki keygen` or set subject_keys")]
    NoKeys,
    #[error("the active key {0} is not among the loaded keys")]
    UnknownActiveKey(u16),
    #[error("subject key {0:?} is not `<id>:<base64 of 32 bytes>`")]
    BadInline(String),
    #[error("key file {path}: {problem}")]
    BadFile { path: PathBuf, problem: String },
    #[error("key id {0} is given twice")]
    Duplicate(u16),
    #[error("key directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One master key and its id; derived keys come from it (see `Keyring`).
pub struct KeySpec {
    id: u16,
    secret: SecretBox<[u8; 32]>,
}

impl std::fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySpec {{ id: {}, secret: [redacted] }}", self.id)
    }
}

impl KeySpec {
    pub fn new(id: u16, secret: [u8; 32]) -> Self {
        Self {
            id,
            secret: SecretBox::new(Box::new(secret)),
        }
    }

    pub fn id(&self) -> u16 {
        self.id
    }

    pub(super) fn secret(&self) -> &[u8] {
        self.secret.expose_secret()
    }

    /// Parses `<id>:<base64>` as given in configuration.
    pub fn parse_inline(text: &str) -> Result<Self, KeyError> {
        let bad = || {
            // Only the id part is echoed: the rest may be a secret.
            KeyError::BadInline(
                text.split(':')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(8)
                    .collect(),
            )
        };
        let (id, secret) = text.trim().split_once(':').ok_or_else(bad)?;
        let id = id.parse().map_err(|_| bad())?;
        Ok(Self::new(id, decode_secret(secret).ok_or_else(bad)?))
    }
}

fn decode_secret(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

fn key_file_name(id: u16) -> String {
    format!("subject-{id}.key")
}

/// Loads every `subject-<id>.key` in `dir`; a missing directory holds no keys.
pub fn load_key_dir(dir: &Path) -> Result<Vec<KeySpec>, KeyError> {
    let io = |source| KeyError::Io {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut keys: Vec<KeySpec> = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        let Some(id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("subject-")?.strip_suffix(".key"))
        else {
            continue;
        };
        let bad = |problem: &str| KeyError::BadFile {
            path: path.clone(),
            problem: problem.to_owned(),
        };
        let id: u16 = id
            .parse()
            .map_err(|_| bad("the id in the name is not a number"))?;
        let text = std::fs::read_to_string(&path).map_err(|e| bad(&e.to_string()))?;
        let secret = decode_secret(&text).ok_or_else(|| bad("is not base64 of 32 bytes"))?;
        if keys.iter().any(|k| k.id == id) {
            return Err(KeyError::Duplicate(id));
        }
        keys.push(KeySpec::new(id, secret));
    }
    keys.sort_by_key(|k| k.id);
    Ok(keys)
}

/// Writes a new random key into `dir` (created with mode 0700 if needed) with file mode 0600,
/// with the next free id; returns the id and the file's path.
pub fn generate_key_file(dir: &Path) -> Result<(u16, PathBuf), KeyError> {
    let io = |source| KeyError::Io {
        path: dir.to_owned(),
        source,
    };
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(io)?;
    }
    let id = load_key_dir(dir)?
        .iter()
        .map(|k| k.id)
        .max()
        .map_or(1, |m| m + 1);
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the OS random source is available");
    let path = dir.join(key_file_name(id));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(io)?;
    writeln!(file, "{}", STANDARD.encode(secret)).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok((id, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_get_increasing_ids_and_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let (first, path) = generate_key_file(dir.path()).unwrap();
        let (second, _) = generate_key_file(dir.path()).unwrap();
        assert_eq!((first, second), (1, 2));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let ids: Vec<u16> = load_key_dir(dir.path())
            .unwrap()
            .iter()
            .map(KeySpec::id)
            .collect();
        assert_eq!(ids, [1, 2]);
    }

    #[test]
    fn a_bad_inline_key_does_not_echo_its_secret() {
        let error = KeySpec::parse_inline("3:c2VjcmV0LXNlY3JldC1zZWNyZXQ=").unwrap_err();
        assert!(!error.to_string().contains("c2Vj"), "{error}");
        let good = KeySpec::parse_inline(&format!("4:{}", STANDARD.encode([7u8; 32]))).unwrap();
        assert_eq!(good.id(), 4);
        assert!(!format!("{good:?}").contains("BwcH"));
    }
}
