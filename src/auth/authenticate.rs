//! Credentials to callers: a bearer token (an API token, matched by its SHA-256, or a JWT
//! from a configured issuer) or, without one, the client certificate of a mutual TLS
//! connection (matched by common name or DNS name).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::settings::{AuthSettings, JwtIssuerSettings};
use super::{Caller, Denied};

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("auth: {0}")]
pub struct AuthError(String);

/// The SHA-256 of an API token, as `token_sha256` holds it.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Calls per second and burst for each caller; `None` leaves callers unlimited.
pub type CallerRate = Option<(NonZeroU32, NonZeroU32)>;

/// Recognises callers; built once from the settings.
pub struct Authenticator {
    /// No callers configured: the service is open, and every call is this local caller's.
    local: Option<Caller>,
    by_token: HashMap<[u8; 32], Caller>,
    by_certificate: HashMap<String, Caller>,
    by_jwt_subject: HashMap<String, Caller>,
    issuers: Vec<Issuer>,
    /// The caller of a call without credentials.
    anonymous: Caller,
    /// Each configured caller's rate, given to people signed in to the dashboard too.
    rate: CallerRate,
    public_verifier: bool,
    /// The rate limiters of the people signed in to the dashboard, by name, so that all the
    /// pages one person opens share one rate as a configured caller's calls do. One entry
    /// per person who signed in since start: a few hundred staff at most.
    signed_in: std::sync::Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("open", &self.is_open())
            .field("issuers", &self.issuers.len())
            .finish_non_exhaustive()
    }
}

struct Issuer {
    key: DecodingKey,
    validation: Validation,
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
}

impl Authenticator {
    pub fn new(settings: &AuthSettings, rate: CallerRate) -> Result<Self, AuthError> {
        let limiter = || {
            rate.map(|(per_second, burst)| {
                Arc::new(RateLimiter::direct(
                    Quota::per_second(per_second).allow_burst(burst),
                ))
            })
        };
        let mut by_token = HashMap::new();
        let mut by_certificate = HashMap::new();
        let mut by_jwt_subject = HashMap::new();
        for entry in &settings.callers {
            let name = entry.name.trim();
            if name.is_empty() {
                return Err(AuthError("a caller has no name".into()));
            }
            let grants = entry
                .grants
                .iter()
                .map(|g| g.parse(name))
                .collect::<Result<Vec<_>, _>>()
                .map_err(AuthError)?;
            let caller =
                Caller::known(name, grants, settings.public_verifier).with_rate_limit(limiter());
            if entry.certificate_names.is_empty()
                && entry.token_sha256.is_empty()
                && entry.jwt_subjects.is_empty()
            {
                return Err(AuthError(format!(
                    "caller {name} has no certificate_names, token_sha256 or jwt_subjects"
                )));
            }
            for hash in &entry.token_sha256 {
                let bytes = hex::decode(hash.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| {
                        AuthError(format!(
                            "caller {name}: token_sha256 must be 64 hex digits (luovutusloki token)"
                        ))
                    })?;
                unique(&mut by_token, bytes, &caller, "an API token")?;
            }
            for cn in &entry.certificate_names {
                unique(&mut by_certificate, cn.to_ascii_lowercase(), &caller, cn)?;
            }
            for sub in &entry.jwt_subjects {
                unique(&mut by_jwt_subject, sub.clone(), &caller, sub)?;
            }
        }
        let issuers = settings
            .jwt_issuers
            .iter()
            .map(Issuer::load)
            .collect::<Result<_, _>>()?;
        // Made once: the callers that no credentials name share one rate.
        let unnamed_rate = limiter();
        Ok(Self {
            local: settings
                .callers
                .is_empty()
                .then(|| Caller::local().with_rate_limit(unnamed_rate.clone())),
            by_token,
            by_certificate,
            by_jwt_subject,
            issuers,
            anonymous: Caller::anonymous(settings.public_verifier).with_rate_limit(unnamed_rate),
            rate,
            public_verifier: settings.public_verifier,
            signed_in: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// A person signed in to the dashboard (src/web/session.rs) with `grants`: a known
    /// caller like a configured one, with the same rate, kept per name.
    pub fn signed_in(&self, name: &str, grants: Vec<super::Grant>) -> Caller {
        let limiter = self.rate.map(|(per_second, burst)| {
            let mut limiters = self
                .signed_in
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(limiters.entry(name.to_owned()).or_insert_with(|| {
                Arc::new(RateLimiter::direct(
                    Quota::per_second(per_second).allow_burst(burst),
                ))
            }))
        });
        Caller::known(name, grants, self.public_verifier).with_rate_limit(limiter)
    }

    /// Whether no callers are configured (every local caller has every role).
    pub fn is_open(&self) -> bool {
        self.local.is_some()
    }

    /// The caller that `bearer` (the `authorization` header) or, without one, the first
    /// client certificate names. Credentials that name no one are refused; no credentials
    /// make an anonymous caller, who may at most verify.
    pub fn authenticate(
        &self,
        bearer: Option<&str>,
        certificate: Option<&[u8]>,
    ) -> Result<Caller, Denied> {
        if let Some(local) = &self.local {
            return Ok(local.clone());
        }
        if let Some(header) = bearer {
            let token = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .ok_or(Denied::Unauthenticated)?
                .trim();
            return self.by_bearer(token).ok_or(Denied::Unauthenticated);
        }
        if let Some(der) = certificate {
            return certificate_names(der)
                .iter()
                .find_map(|name| self.by_certificate.get(&name.to_ascii_lowercase()))
                .cloned()
                .ok_or(Denied::Unauthenticated);
        }
        Ok(self.anonymous.clone())
    }

    fn by_bearer(&self, token: &str) -> Option<Caller> {
        if let Some(caller) = self.by_token.get(&token_hash(token)) {
            return Some(caller.clone());
        }
        // A JWT has three dot-separated parts; an API token made by `token` has none.
        if token.split('.').count() != 3 {
            return None;
        }
        self.issuers.iter().find_map(|issuer| {
            let claims = jsonwebtoken::decode::<Claims>(token, &issuer.key, &issuer.validation)
                .ok()?
                .claims;
            self.by_jwt_subject.get(&claims.sub).cloned()
        })
    }
}

fn unique<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Caller>,
    key: K,
    caller: &Caller,
    what: &str,
) -> Result<(), AuthError> {
    if let Some(other) = map.insert(key, caller.clone()) {
        return Err(AuthError(format!(
            "{what} names two callers: {} and {}",
            other.name(),
            caller.name()
        )));
    }
    Ok(())
}

impl Issuer {
    fn load(settings: &JwtIssuerSettings) -> Result<Self, AuthError> {
        let pem = std::fs::read(&settings.key_file).map_err(|e| {
            AuthError(format!(
                "JWT issuer {}: reading {}: {e}",
                settings.issuer,
                settings.key_file.display()
            ))
        })?;
        let (algorithm, key) = match settings.algorithm.as_str() {
            "RS256" => (Algorithm::RS256, DecodingKey::from_rsa_pem(&pem)),
            "ES256" => (Algorithm::ES256, DecodingKey::from_ec_pem(&pem)),
            "EdDSA" => (Algorithm::EdDSA, DecodingKey::from_ed_pem(&pem)),
            other => {
                return Err(AuthError(format!(
                    "JWT issuer {}: algorithm {other:?} is not one of RS256, ES256, EdDSA",
                    settings.issuer
                )));
            }
        };
        let key = key.map_err(|e| {
            AuthError(format!(
                "JWT issuer {}: {} is not a {} public key: {e}",
                settings.issuer,
                settings.key_file.display(),
                settings.algorithm
            ))
        })?;
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(Self { key, validation })
    }
}

/// The subject common names and DNS names of a DER certificate.
fn certificate_names(der: &[u8]) -> Vec<String> {
    let Ok((_, certificate)) = X509Certificate::from_der(der) else {
        return Vec::new();
    };
    let mut names: Vec<String> = certificate
        .subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_owned))
        .collect();
    if let Ok(Some(san)) = certificate.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(dns) = name {
                names.push((*dns).to_owned());
            }
        }
    }
    names
}

impl Caller {
    /// Gives the caller its own rate limiter (or a shared one).
    pub(super) fn with_rate_limit(
        mut self,
        limiter: Option<Arc<DefaultDirectRateLimiter>>,
    ) -> Self {
        self.limiter = limiter;
        self
    }

    /// Takes one call from the caller's rate; `Err` says how long until the next is allowed.
    pub fn admit(&self) -> Result<(), Duration> {
        match &self.limiter {
            None => Ok(()),
            Some(limiter) => limiter
                .check()
                .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::CallerSettings;

    #[test]
    fn a_callers_rate_admits_its_burst_then_says_how_long_to_wait() {
        let settings = AuthSettings {
            callers: vec![CallerSettings {
                name: "maksatus".into(),
                certificate_names: vec![],
                token_sha256: vec![hex::encode(token_hash("t"))],
                jwt_subjects: vec![],
                grants: vec![],
            }],
            ..AuthSettings::default()
        };
        let rate = Some((NonZeroU32::new(1).unwrap(), NonZeroU32::new(2).unwrap()));
        let auth = Authenticator::new(&settings, rate).unwrap();
        let call = || auth.authenticate(Some("Bearer t"), None).unwrap().admit();
        assert_eq!(call(), Ok(()));
        assert_eq!(call(), Ok(()));
        let wait = call().unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
    }

    #[test]
    fn a_person_signed_in_keeps_one_rate_across_requests_and_others_have_their_own() {
        let rate = Some((NonZeroU32::new(1).unwrap(), NonZeroU32::new(1).unwrap()));
        let auth = Authenticator::new(&AuthSettings::default(), rate).unwrap();
        let dpo = || auth.signed_in("dpo", Vec::new());
        assert!(dpo().is_authenticated());
        assert_eq!(dpo().admit(), Ok(()));
        assert!(
            dpo().admit().is_err(),
            "the second request shares the first's rate"
        );
        assert_eq!(auth.signed_in("auditor", Vec::new()).admit(), Ok(()));
    }
}
