//! The keyring: one active key for writing, older keys kept for lookups and decryption.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use crate::domain::subject::{SealedSubject, SubjectHash};
use crate::domain::{BusinessId, Hetu, TransferId};

use super::keys::{KeyError, KeySpec};

/// Keys derived from one master key; see [`Keyring`].
struct SubjectKey {
    id: u16,
    // Pre-keyed so hashing a subject costs no key setup.
    hasher: Hmac<Sha256>,
    digester: Hmac<Sha256>,
    cipher: XChaCha20Poly1305,
    /// The key of the dashboard's sealed cookies (src/web/session.rs).
    web_session: [u8; 32],
}

impl SubjectKey {
    fn derive(spec: &KeySpec) -> Self {
        let hkdf = Hkdf::<Sha256>::new(None, spec.secret());
        let derive = |info: &[u8]| {
            let mut okm = [0u8; 32];
            hkdf.expand(info, &mut okm)
                .expect("32 bytes is a valid HKDF length");
            okm
        };
        Self {
            id: spec.id(),
            hasher: Hmac::new_from_slice(&derive(b"luovutusloki subject hash v1"))
                .expect("any key length"),
            digester: Hmac::new_from_slice(&derive(b"luovutusloki request digest v1"))
                .expect("any key length"),
            cipher: XChaCha20Poly1305::new(&derive(b"luovutusloki subject seal v1").into()),
            web_session: derive(b"luovutusloki web session v1"),
        }
    }

    fn hash(&self, subject: &Hetu) -> SubjectHash {
        let mut mac = self.hasher.clone();
        mac.update(subject.as_str().as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// The subject keys: the active one seals and hashes new entries; all of them are used for
/// lookups, so entries written before a rotation are still found.
pub struct Keyring {
    keys: Vec<SubjectKey>,
    active: usize,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<u16> = self.keys.iter().map(|k| k.id).collect();
        f.debug_struct("Keyring")
            .field("key_ids", &ids)
            .field("active", &self.active_id())
            .finish()
    }
}

impl Keyring {
    /// A keyring of `specs` writing with key `active` (the highest id when `None`).
    pub fn new(specs: &[KeySpec], active: Option<u16>) -> Result<Self, KeyError> {
        let keys: Vec<SubjectKey> = specs.iter().map(SubjectKey::derive).collect();
        let active_id = active
            .or_else(|| keys.iter().map(|k| k.id).max())
            .ok_or(KeyError::NoKeys)?;
        let active = keys
            .iter()
            .position(|k| k.id == active_id)
            .ok_or(KeyError::UnknownActiveKey(active_id))?;
        Ok(Self { keys, active })
    }

    /// The keys of the dashboard's sealed cookies, the active key's first: a cookie sealed
    /// before a key rotation still opens until it expires.
    pub fn web_session_keys(&self) -> Vec<[u8; 32]> {
        let mut keys = vec![self.active().web_session];
        keys.extend(
            self.keys
                .iter()
                .filter(|k| k.id != self.active_id())
                .map(|k| k.web_session),
        );
        keys
    }

    pub fn active_id(&self) -> u16 {
        self.keys[self.active].id
    }

    fn active(&self) -> &SubjectKey {
        &self.keys[self.active]
    }

    /// The hash of `subject` under the active key, with the key's id: how a lookup records
    /// whom it was about.
    pub fn active_hash(&self, subject: &Hetu) -> (u16, SubjectHash) {
        let key = self.active();
        (key.id, key.hash(subject))
    }

    /// The hashes of `subject` under every key, to look up entries written under any of them.
    pub fn lookup_hashes(&self, subject: &Hetu) -> Vec<SubjectHash> {
        self.keys.iter().map(|k| k.hash(subject)).collect()
    }

    /// Hashes and encrypts each subject with the active key. The associated data binds each
    /// sealed code to its row: controller, transfer id and position in the disclosure.
    pub fn seal(
        &self,
        controller: &BusinessId,
        transfer_id: &TransferId,
        subjects: &[Hetu],
    ) -> Vec<SealedSubject> {
        let key = self.active();
        let mut aad = associated_data(controller, transfer_id, 0);
        let position_at = aad.len() - 4;
        // Every nonce of the disclosure from one read of the OS random source: a read is a
        // system call, which cost as much as the encryption itself when made per subject.
        let mut nonces = vec![[0u8; 24]; subjects.len()];
        getrandom::fill(nonces.as_flattened_mut()).expect("the OS random source is available");
        subjects
            .iter()
            .zip(nonces)
            .enumerate()
            .map(|(position, (subject, nonce))| {
                aad[position_at..].copy_from_slice(&(position as u32).to_be_bytes());
                let ciphertext = key
                    .cipher
                    .encrypt(
                        &XNonce::from(nonce),
                        Payload {
                            msg: subject.as_str().as_bytes(),
                            aad: &aad,
                        },
                    )
                    .expect("short messages always encrypt");
                let mut sealed = Vec::with_capacity(2 + 24 + ciphertext.len());
                sealed.extend_from_slice(&key.id.to_be_bytes());
                sealed.extend_from_slice(&nonce);
                sealed.extend_from_slice(&ciphertext);
                SealedSubject {
                    hash: key.hash(subject),
                    sealed,
                }
            })
            .collect()
    }

    /// Decrypts a sealed code for authorised investigation; `None` when the key is unknown
    /// or the sealed bytes do not belong to this row.
    pub fn open(
        &self,
        controller: &BusinessId,
        transfer_id: &TransferId,
        position: u32,
        sealed: &[u8],
    ) -> Option<Hetu> {
        let (id, rest) = sealed.split_first_chunk::<2>()?;
        let (nonce, ciphertext) = rest.split_first_chunk::<24>()?;
        let key = self.keys.iter().find(|k| k.id == u16::from_be_bytes(*id))?;
        let aad = associated_data(controller, transfer_id, position);
        let plain = key
            .cipher
            .decrypt(
                &XNonce::from(*nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .ok()?;
        Hetu::parse(std::str::from_utf8(&plain).ok()?).ok()
    }

    /// Keyed digests of a request's canonical bytes under every key, so a replay can be
    /// compared with a stored request whatever key was active when it was written. Keyed,
    /// because the bytes include identity codes and a plain hash could be brute-forced.
    pub fn request_digests(&self, canonical: &[u8]) -> Vec<(u16, [u8; 32])> {
        self.keys
            .iter()
            .map(|k| {
                let mut mac = k.digester.clone();
                mac.update(canonical);
                (k.id, mac.finalize().into_bytes().into())
            })
            .collect()
    }
}

fn associated_data(controller: &BusinessId, transfer_id: &TransferId, position: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    aad.extend_from_slice(b"luovutusloki subject v1\0");
    aad.extend_from_slice(controller.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(transfer_id.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&position.to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring(ids: &[u16], active: Option<u16>) -> Keyring {
        let specs: Vec<KeySpec> = ids
            .iter()
            .map(|id| KeySpec::new(*id, [*id as u8; 32]))
            .collect();
        Keyring::new(&specs, active).unwrap()
    }

    fn fixture() -> (BusinessId, TransferId, Vec<Hetu>) {
        (
            BusinessId::parse("0179377-8").unwrap(),
            TransferId::parse("t-1").unwrap(),
            vec![
                Hetu::parse("131052-308T").unwrap(),
                Hetu::parse("010594Y9032").unwrap(),
            ],
        )
    }

    #[test]
    fn a_sealed_code_opens_only_in_its_own_row() {
        let keys = keyring(&[1], None);
        let (controller, transfer, subjects) = fixture();
        let sealed = keys.seal(&controller, &transfer, &subjects);
        assert_eq!(
            keys.open(&controller, &transfer, 1, &sealed[1].sealed),
            Some(subjects[1].clone())
        );
        assert_eq!(
            keys.open(&controller, &transfer, 0, &sealed[1].sealed),
            None,
            "other position"
        );
        let other = TransferId::parse("t-2").unwrap();
        assert_eq!(
            keys.open(&controller, &other, 1, &sealed[1].sealed),
            None,
            "other transfer"
        );
    }

    #[test]
    fn every_subject_is_sealed_under_a_nonce_of_its_own() {
        let keys = keyring(&[1], None);
        let (controller, transfer, _) = fixture();
        let same = vec![Hetu::parse("131052-308T").unwrap(); 64];
        let nonces: std::collections::HashSet<Vec<u8>> = keys
            .seal(&controller, &transfer, &same)
            .iter()
            .chain(&keys.seal(&controller, &transfer, &same))
            .map(|s| s.sealed[2..26].to_vec())
            .collect();
        assert_eq!(
            nonces.len(),
            128,
            "no nonce repeats, within or across disclosures"
        );
    }

    #[test]
    fn sealed_bytes_and_hash_do_not_contain_the_code() {
        let keys = keyring(&[1], None);
        let (controller, transfer, subjects) = fixture();
        for (s, code) in keys
            .seal(&controller, &transfer, &subjects)
            .iter()
            .zip(&subjects)
        {
            let code = code.as_str().as_bytes();
            assert!(!s.sealed.windows(code.len()).any(|w| w == code));
            assert!(
                !s.sealed.windows(6).any(|w| w == &code[..6]),
                "not even the birth date"
            );
        }
    }

    #[test]
    fn after_rotation_old_entries_are_still_found_and_opened() {
        let (controller, transfer, subjects) = fixture();
        let before = keyring(&[1], None).seal(&controller, &transfer, &subjects);
        let rotated = keyring(&[1, 2], None);
        assert_eq!(rotated.active_id(), 2);
        assert!(
            rotated
                .lookup_hashes(&subjects[0])
                .contains(&before[0].hash)
        );
        assert_eq!(
            rotated.open(&controller, &transfer, 0, &before[0].sealed),
            Some(subjects[0].clone())
        );
        let after = rotated.seal(&controller, &transfer, &subjects);
        assert_ne!(
            after[0].hash, before[0].hash,
            "the new key hashes differently"
        );
    }

    #[test]
    fn an_active_key_that_is_not_loaded_is_an_error() {
        let specs = [KeySpec::new(1, [1; 32])];
        assert!(matches!(
            Keyring::new(&specs, Some(7)),
            Err(KeyError::UnknownActiveKey(7))
        ));
        assert!(matches!(Keyring::new(&[], None), Err(KeyError::NoKeys)));
    }
}
