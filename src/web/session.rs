//! The dashboard session: who signed in and with which grants, in a sealed stateless cookie
//! (`__Host-session`), and the sealing that the sign-in's own short-lived cookie uses too.
//!
//! Stateless, so it survives restarts and needs no table or shared store between replicas;
//! the price is that a session cannot be revoked before it expires, hence the short
//! absolute lifetime (docs/architecture.md, "Sign-in"). The payload is sealed with
//! XChaCha20-Poly1305 under a key derived from the service's keyring (HKDF, its own info
//! string), and the cookie's purpose is bound as associated data, so a login cookie can
//! never be replayed as a session.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{Authenticator, Caller, GrantSettings};
use crate::crypto::Keyring;

use super::security::cookie;

pub const SESSION_COOKIE: &str = "__Host-session";

/// A session's absolute lifetime: a working day. Not renewed by use.
pub const SESSION_SECONDS: i64 = 8 * 60 * 60;

/// The longest sealed cookie accepted; a session of many grants stays far below it.
const MAX_SEALED: usize = 3800;

/// The keys of the sealed cookies: the first seals, every one opens (key rotation).
pub struct SessionKeys {
    ciphers: Vec<XChaCha20Poly1305>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionKeys({} keys)", self.ciphers.len())
    }
}

impl SessionKeys {
    /// The keys derived from the service's keyring, the active key's first.
    pub fn from_keyring(keyring: &Keyring) -> Self {
        Self::from_keys(&keyring.web_session_keys())
    }

    /// A key made now: sessions end with the process.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the system's random source");
        Self::from_keys(&[key])
    }

    fn from_keys(keys: &[[u8; 32]]) -> Self {
        if keys.is_empty() {
            return Self::random();
        }
        Self {
            ciphers: keys
                .iter()
                .map(|key| XChaCha20Poly1305::new(key.into()))
                .collect(),
        }
    }

    /// `value` as JSON, sealed for `purpose`: base64url of a random nonce and the ciphertext.
    pub fn seal<T: Serialize>(&self, purpose: &str, value: &T) -> String {
        let plain = serde_json::to_vec(value).expect("a session serialises");
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).expect("the system's random source");
        let sealed = self.ciphers[0]
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: purpose.as_bytes(),
                },
            )
            .expect("sealing does not fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// What `seal(purpose, ..)` made, if it opens under one of the keys and parses.
    pub fn open<T: DeserializeOwned>(&self, purpose: &str, text: &str) -> Option<T> {
        if text.len() > MAX_SEALED {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce = XNonce::try_from(nonce).ok()?;
        let plain = self.ciphers.iter().find_map(|cipher| {
            cipher
                .decrypt(
                    &nonce,
                    Payload {
                        msg: sealed,
                        aad: purpose.as_bytes(),
                    },
                )
                .ok()
        })?;
        serde_json::from_slice(&plain).ok()
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// One person signed in: what the session cookie carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    /// The name stored with this person's lookups and shown as signed in.
    pub name: String,
    /// The grants of the role mapping, as configured (so they mean what they mean for API
    /// callers); parsed again on every request.
    pub grants: Vec<GrantSettings>,
    /// Unix seconds.
    pub issued: i64,
    /// Unix seconds; the session is refused from then on, whatever the cookie's Max-Age.
    pub expires: i64,
}

const PURPOSE: &str = "luovutusloki session v1";

impl Session {
    /// A session that starts at `now` (Unix seconds) and lasts [`SESSION_SECONDS`].
    pub fn new(name: String, grants: Vec<GrantSettings>, now: i64) -> Self {
        Self {
            name,
            grants,
            issued: now,
            expires: now.saturating_add(SESSION_SECONDS),
        }
    }

    /// The `Set-Cookie` value that carries this session. SameSite=Lax, not Strict: the
    /// sign-in ends with a redirect chain started by the provider's site, and a Strict
    /// cookie set there would not be sent on the first page after it, so the person would
    /// land on a sign-in loop. Lax still keeps it off every cross-site POST, and every
    /// POST is CSRF-checked besides (security.rs).
    pub fn set_cookie(&self, keys: &SessionKeys) -> String {
        let max_age = (self.expires - unix_now()).max(0);
        format!(
            "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age}",
            keys.seal(PURPOSE, self)
        )
    }

    /// The `Set-Cookie` value that ends the session in the browser.
    pub fn clear_cookie() -> String {
        format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    /// The sealed cookie value alone (for tests that send one as a browser would).
    pub fn seal(&self, keys: &SessionKeys) -> String {
        keys.seal(PURPOSE, self)
    }

    /// The request's session, if its cookie opens and has not expired at `now`.
    pub fn from_headers(headers: &HeaderMap, keys: &SessionKeys, now: i64) -> Option<Self> {
        let session: Self = keys.open(PURPOSE, cookie(headers, SESSION_COOKIE)?)?;
        (now >= session.issued.saturating_sub(60) && now < session.expires).then_some(session)
    }

    /// The caller this session makes: known, with its grants and the configured callers'
    /// rate. A grant that no longer parses (it cannot: it was checked at start) drops out.
    pub fn caller(&self, auth: &Authenticator) -> Caller {
        let grants = self
            .grants
            .iter()
            .filter_map(|grant| grant.parse(&self.name).ok())
            .collect();
        auth.signed_in(&self.name, grants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn session(now: i64) -> Session {
        Session::new(
            "dpo".into(),
            vec![GrantSettings {
                role: Role::Auditor,
                controller: "9990003-2".into(),
                registers: None,
            }],
            now,
        )
    }

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            format!("{SESSION_COOKIE}={value}").parse().unwrap(),
        );
        headers
    }

    #[test]
    fn a_sealed_session_opens_until_it_expires() {
        let keys = SessionKeys::random();
        let now = unix_now();
        let sealed = session(now).seal(&keys);
        assert_eq!(
            Session::from_headers(&headers(&sealed), &keys, now + 10),
            Some(session(now))
        );
        assert_eq!(
            Session::from_headers(&headers(&sealed), &keys, now + SESSION_SECONDS),
            None
        );
    }

    #[test]
    fn a_session_does_not_open_under_another_key_or_purpose_or_altered() {
        let keys = SessionKeys::random();
        let now = unix_now();
        let sealed = session(now).seal(&keys);
        assert_eq!(
            Session::from_headers(&headers(&sealed), &SessionKeys::random(), now),
            None
        );
        assert!(keys.open::<Session>("another purpose", &sealed).is_none());
        let mut altered = sealed.into_bytes();
        let last = altered.len() - 5;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert_eq!(Session::from_headers(&headers(&altered), &keys, now), None);
    }

    #[test]
    fn an_older_key_still_opens_after_a_rotation() {
        let (old, new) = ([1u8; 32], [2u8; 32]);
        let before = SessionKeys::from_keys(&[old]);
        let after = SessionKeys::from_keys(&[new, old]);
        let sealed = before.seal(PURPOSE, &session(unix_now()));
        assert!(after.open::<Session>(PURPOSE, &sealed).is_some());
    }
}
