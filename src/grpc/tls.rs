//! Server TLS: rustls through tonic, from the `[tls]` settings.

use anyhow::Context;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

use crate::auth::TlsSettings;

/// The rustls configuration: the server's certificate, and with a client CA, mutual TLS in
/// which a client certificate is optional (callers may use bearer tokens instead).
pub fn server_tls_config(settings: &TlsSettings) -> anyhow::Result<ServerTlsConfig> {
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path).with_context(|| format!("reading {what} {}", path.display()))
    };
    let cert = read(&settings.cert_file, "tls.cert_file")?;
    let key = read(&settings.key_file, "tls.key_file")?;
    let mut config = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(ca) = &settings.client_ca_file {
        config = config
            .client_ca_root(Certificate::from_pem(read(ca, "tls.client_ca_file")?))
            .client_auth_optional(true);
    }
    Ok(config)
}
