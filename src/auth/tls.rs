//! The check that keeps an unprotected service off the network: with no callers configured
//! it serves loopback only. (The TLS configuration itself is built in `grpc::tls`.)

use std::net::SocketAddr;

use super::settings::{AuthSettings, TlsSettings};

/// How the service will be reachable, decided before it binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// No callers configured, loopback only: every local caller has every role.
    OpenToLocalCallers,
    /// Callers must authenticate.
    Authenticated,
}

impl Exposure {
    /// Refuses settings that would expose the log: off loopback, both TLS and callers are
    /// needed. The error names what is missing.
    pub fn check(
        listen: SocketAddr,
        tls: Option<&TlsSettings>,
        auth: &AuthSettings,
    ) -> Result<Self, String> {
        let loopback = listen.ip().is_loopback();
        let mut missing = Vec::new();
        if !loopback && tls.is_none() {
            missing.push("[tls] (cert_file and key_file)");
        }
        if auth.callers.is_empty() && !loopback {
            missing.push("[[auth.callers]] with their grants");
        }
        if !missing.is_empty() {
            return Err(format!(
                "refusing to listen on {listen} without {}: the log holds everyone's identity \
                 codes. Configure them (config/luovutusloki.production.toml) or listen on \
                 127.0.0.1",
                missing.join(" and ")
            ));
        }
        let client_ca = tls.is_some_and(|t| t.client_ca_file.is_some());
        if let Some(caller) = auth
            .callers
            .iter()
            .find(|c| !c.certificate_names.is_empty() && !client_ca)
        {
            return Err(format!(
                "caller {} is recognised by certificate_names, but [tls] client_ca_file is \
                 unset, so no client certificate is ever asked for",
                caller.name
            ));
        }
        Ok(if auth.callers.is_empty() {
            Exposure::OpenToLocalCallers
        } else {
            Exposure::Authenticated
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::auth::CallerSettings;

    fn tls(client_ca: bool) -> TlsSettings {
        TlsSettings {
            cert_file: PathBuf::from("server.crt"),
            key_file: PathBuf::from("server.key"),
            client_ca_file: client_ca.then(|| PathBuf::from("ca.crt")),
        }
    }

    fn with_caller(certificate: bool) -> AuthSettings {
        AuthSettings {
            callers: vec![CallerSettings {
                name: "maksatus".into(),
                certificate_names: if certificate {
                    vec!["maksatus.example.fi".into()]
                } else {
                    vec![]
                },
                token_sha256: vec!["00".repeat(32)],
                jwt_subjects: vec![],
                grants: vec![],
            }],
            ..AuthSettings::default()
        }
    }

    #[test]
    fn an_unconfigured_service_serves_loopback_only() {
        let local = "127.0.0.1:50051".parse().unwrap();
        assert_eq!(
            Exposure::check(local, None, &AuthSettings::default()),
            Ok(Exposure::OpenToLocalCallers)
        );
        let public = "0.0.0.0:50051".parse().unwrap();
        let refused = Exposure::check(public, None, &AuthSettings::default()).unwrap_err();
        assert!(refused.contains("[tls]"), "{refused}");
        assert!(refused.contains("[[auth.callers]]"), "{refused}");
    }

    #[test]
    fn off_loopback_each_missing_part_is_named() {
        let public = "0.0.0.0:50051".parse().unwrap();
        let no_tls = Exposure::check(public, None, &with_caller(false)).unwrap_err();
        assert!(
            no_tls.contains("[tls]") && !no_tls.contains("callers"),
            "{no_tls}"
        );
        let no_callers =
            Exposure::check(public, Some(&tls(false)), &AuthSettings::default()).unwrap_err();
        assert!(
            no_callers.contains("[[auth.callers]]") && !no_callers.contains("[tls]"),
            "{no_callers}"
        );
        assert_eq!(
            Exposure::check(public, Some(&tls(false)), &with_caller(false)),
            Ok(Exposure::Authenticated)
        );
    }

    #[test]
    fn certificate_names_need_a_client_ca() {
        let public = "0.0.0.0:50051".parse().unwrap();
        let refused = Exposure::check(public, Some(&tls(false)), &with_caller(true)).unwrap_err();
        assert!(refused.contains("client_ca_file"), "{refused}");
        assert!(Exposure::check(public, Some(&tls(true)), &with_caller(true)).is_ok());
    }
}
