//! Paging of listings: a page request (size and token) and opaque page tokens, which say
//! where the next page starts and are bound to the query that made them, so that a token
//! of one listing cannot page another. Any front end hands the tokens out as they are.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::domain::Cursor;

/// Page size when the caller asks for none.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page served.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Which page of a listing: its size and the token of the page before (empty: the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    size: u32,
    pub token: String,
}

impl PageRequest {
    /// A request for pages of `size` (0: the default size) after `token`.
    pub fn new(size: u32, token: String) -> Result<Self, String> {
        let size = match size {
            0 => DEFAULT_PAGE_SIZE,
            n if n <= MAX_PAGE_SIZE => n,
            _ => return Err(format!("must be at most {MAX_PAGE_SIZE}")),
        };
        Ok(Self { size, token })
    }

    /// The first page of the largest size, for front ends that read a whole listing.
    pub fn first_of_most() -> Self {
        Self {
            size: MAX_PAGE_SIZE,
            token: String::new(),
        }
    }

    /// The number of items a page holds at most.
    pub fn size(&self) -> u32 {
        self.size
    }
}

/// One page of a listing and the token of the next, empty after the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: String,
}

impl<T> Page<T> {
    /// Trims a `size + 1` fetch to `size` and makes the token of the next page, if any.
    pub(super) fn of(
        mut found: Vec<T>,
        size: u32,
        query: &str,
        cursor: impl Fn(&T) -> Cursor,
    ) -> Self {
        let next_token = if found.len() > size as usize {
            found.truncate(size as usize);
            found
                .last()
                .map(|last| encode(cursor(last), query))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Self {
            items: found,
            next_token,
        }
    }
}

/// Encodes `cursor` for a query identified by `query` (its filters, in any stable form).
pub(super) fn encode(cursor: Cursor, query: &str) -> String {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&cursor.occurred_at.to_be_bytes());
    bytes.extend_from_slice(&cursor.id.to_be_bytes());
    bytes.extend_from_slice(&fingerprint(query));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a token made by [`encode`] for the same `query`; empty means the first page.
pub(super) fn decode(token: &str, query: &str) -> Result<Option<Cursor>, &'static str> {
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
