//! The `[tls]` and `[auth]` settings, and their parsing into grants.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::domain::{BusinessId, RegisterId};

use super::{Grant, Role};

/// Server TLS; with `client_ca_file`, mutual TLS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM certificate chain of the server.
    pub cert_file: PathBuf,
    /// PEM private key of the server.
    pub key_file: PathBuf,
    /// PEM CA bundle whose client certificates are accepted; unset: callers use tokens.
    pub client_ca_file: Option<PathBuf>,
}

/// Who the callers are and what they may do.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Checkpoints and consistency proofs for every caller, even without credentials.
    pub public_verifier: bool,
    /// Issuers whose bearer JWTs are accepted.
    pub jwt_issuers: Vec<JwtIssuerSettings>,
    pub callers: Vec<CallerSettings>,
}

/// An issuer of bearer JWTs and the public key its tokens are verified with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtIssuerSettings {
    /// The `iss` claim.
    pub issuer: String,
    /// The `aud` claim tokens must carry.
    pub audience: String,
    /// `RS256`, `ES256` or `EdDSA`.
    pub algorithm: String,
    /// PEM public key.
    pub key_file: PathBuf,
}

/// One caller: its name, how it is recognised, and its grants.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerSettings {
    /// Stored as the source system of its disclosures and with each of its lookups.
    pub name: String,
    /// Client certificate common names or DNS names (mutual TLS).
    #[serde(default)]
    pub certificate_names: Vec<String>,
    /// SHA-256 (hex) of its API tokens; `luovutusloki token` makes one.
    #[serde(default)]
    pub token_sha256: Vec<String>,
    /// `sub` claims of JWTs from a configured issuer.
    #[serde(default)]
    pub jwt_subjects: Vec<String>,
    #[serde(default)]
    pub grants: Vec<GrantSettings>,
}

/// `{ role = "recorder", controller = "9990003-2", registers = ["etuudet"] }`. Also what a
/// dashboard session carries (src/web/session.rs), so it is serialised too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSettings {
    pub role: Role,
    pub controller: String,
    pub registers: Option<Vec<String>>,
}

impl GrantSettings {
    pub fn parse(&self, caller: &str) -> Result<Grant, String> {
        let controller = BusinessId::parse(&self.controller).map_err(|e| {
            format!(
                "caller {caller}: controller {:?} is not a business id: {e}",
                self.controller
            )
        })?;
        let registers = match &self.registers {
            None => None,
            Some(ids) => Some(
                ids.iter()
                    .map(|id| {
                        RegisterId::parse(id).map_err(|e| {
                            format!("caller {caller}: register {id:?} is not a register id: {e}")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(Grant {
            role: self.role,
            controller,
            registers,
        })
    }
}
