//! Protection of identity codes. The log stores, for each data subject, a keyed hash
//! (HMAC-SHA-256, for lookup) and an encrypted copy (XChaCha20-Poly1305, for authorised
//! investigation); the keys live in key files or configuration, never in the database.

mod keyring;
mod keys;

pub use keyring::{Keyring, SealedSubject, SubjectHash};
pub use keys::{KeyError, KeySpec, generate_key_file, load_key_dir};
