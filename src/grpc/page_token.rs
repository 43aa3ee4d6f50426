//! Opaque page tokens: where the next page starts, bound to the query that made them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::domain::Cursor;

/// Encodes `cursor` for a query identified by `query` (its filters, in any stable form).
pub fn encode(cursor: Cursor, query: &str) -> String {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&cursor.occurred_at.to_be_bytes());
    bytes.extend_from_slice(&cursor.id.to_be_bytes());
    bytes.extend_from_slice(&fingerprint(query));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a token made by [`encode`] for the same `query`; empty means the first page.
pub fn decode(token: &str, query: &str) -> Result<Option<Cursor>, &'static str> {
    if token.is_empty() {
        return Ok(None);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| "is not a page token")?;
    let bytes: [u8; 24] = bytes.try_into().map_err(|_| "is not a page token")?;
    if bytes[16..] != fingerprint(query) {
        return Err("belongs to a listing with other filters");
    }
    Ok(Some(Cursor {
        occurred_at: i64::from_be_bytes(bytes[..8].try_into().expect("8 bytes")),
        id: i64::from_be_bytes(bytes[8..16].try_into().expect("8 bytes")),
    }))
}

fn fingerprint(query: &str) -> [u8; 8] {
    Sha256::digest(query.as_bytes())[..8]
        .try_into()
        .expect("8 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_for_its_own_query_only() {
        let cursor = Cursor {
            occurred_at: 1_700_000_000_000_000,
            id: 42,
        };
        let token = encode(cursor, "register=a");
        assert_eq!(decode(&token, "register=a"), Ok(Some(cursor)));
        assert!(decode(&token, "register=b").is_err());
        assert!(decode("garbage!", "register=a").is_err());
        assert_eq!(decode("", "register=a"), Ok(None));
    }
}
