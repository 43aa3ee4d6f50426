//! The checkpoint-note parsers: the signed-note envelope (`checkpoint::open`), the
//! checkpoint body inside it, and the verifier and signer key texts. A parsed body renders
//! back to the same text and, signed, opens to the same checkpoint; a key text parses again
//! from its rendering; a note that opens holds the body of the checkpoint it gives.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use luovutusloki::fuzzing::checkpoint_body;
use luovutusloki::transparency::checkpoint::{MAX_NOTE_LEN, SigningKey, VerifierKey, open};

/// The checkpoint known-answer key of `src/transparency/checkpoint.rs`'s tests; the seed
/// corpus holds a note it signed.
const SIGNER: &str =
    "PRIVATE+KEY+example.com/log+d455c521+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f";

static KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::parse(SIGNER).unwrap());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let verifier = KEY.verifier();

    if let Ok(checkpoint) = open(text, &verifier) {
        assert!(text.starts_with(&format!("{}\n", checkpoint.body())));
    }

    if let Ok(checkpoint) = checkpoint_body(text) {
        assert_eq!(checkpoint.body(), text);
        checkpoint.validate().unwrap();
        match KEY.sign(&checkpoint) {
            Ok(note) => assert_eq!(open(&note, &verifier).unwrap(), checkpoint),
            // Only a body that leaves no room for the signature line may be refused.
            Err(_) => assert!(text.len() + 200 > MAX_NOTE_LEN),
        }
    }

    if let Ok(key) = VerifierKey::parse(text) {
        assert_eq!(VerifierKey::parse(&key.to_string()).unwrap(), key);
    }
    if let Ok(key) = SigningKey::parse(text) {
        let again = SigningKey::parse(&key.to_text()).unwrap();
        assert_eq!(again.verifier(), key.verifier());
        assert_eq!(again.to_text(), key.to_text());
    }
});
