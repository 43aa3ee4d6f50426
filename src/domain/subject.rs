//! A data subject as the log keeps one: a keyed hash to find it by and a sealed copy of its
//! identity code (made by `crypto::Keyring`).

/// HMAC-SHA-256 of a normalised identity code under one key: what lookups search for.
pub type SubjectHash = [u8; 32];

/// One subject as stored: the lookup hash and the sealed copy of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSubject {
    pub hash: SubjectHash,
    /// `key id (u16, big-endian) || nonce (24 bytes) || ciphertext || tag (16 bytes)`.
    pub sealed: Vec<u8>,
}
