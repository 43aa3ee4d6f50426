//! The identity-code guard measured (issue 12): how often it refuses realistic machine
//! identifiers that hold no code (false positives), and whether it still catches every real
//! code written into free text or between separators (false negatives), for the rule before
//! (any eleven characters that parse) and the two rules in force: free text
//! ([`contains_identity_code`]) and machine identifiers ([`contains_identity_code_token`]).
//!
//! `cargo test --lib text_false_positives -- --nocapture` prints the table that
//! `docs/benchmarks.md` quotes. The identifiers come from a seeded PRNG, so each run measures
//! the same 100,000 of each kind; 20,000 random codes are embedded in each template. The test fails if a rule in force refuses more than 0.01 %
//! of any kind where it applies, or misses a single code.

use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};

use super::tests::code_of;
use super::{Hetu, contains_identity_code, contains_identity_code_token};

const N: usize = 100_000;

/// At most 0.01 % of N.
const MAX_FALSE_POSITIVES: usize = N / 10_000;

/// The rule before issue 12: any eleven bytes that parse as a code, wherever they are.
fn before(text: &str) -> bool {
    text.as_bytes().windows(11).any(|w| {
        w[..6].iter().all(u8::is_ascii_digit)
            && std::str::from_utf8(w).is_ok_and(|s| Hetu::parse(s).is_ok())
    })
}

struct Rng(TestRng);

impl Rng {
    fn seeded(seed: u8) -> Self {
        Self(TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
    }

    /// Uniform in `0..n` (the bias of a modulo of 64 random bits is negligible here).
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    fn string_of(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const YEARS: (u64, u64) = (2015, 2035);

/// Numeric ids of 6 to 20 digits, no leading zero.
fn numeric(rng: &mut Rng) -> String {
    let len = rng.between(6, 20) as usize;
    format!("{}{}", rng.between(1, 9), rng.digits(len - 1))
}

/// Dated ids: `20261201-000123`.
fn dated(rng: &mut Rng) -> String {
    format!(
        "{}{:02}{:02}-{}",
        rng.between(YEARS.0, YEARS.1),
        rng.between(1, 12),
        rng.between(1, 28),
        rng.digits(6)
    )
}

/// Random (version 4) UUIDs, lowercase as most libraries print them.
fn uuid(rng: &mut Rng) -> String {
    let hex = rng.string_of(b"0123456789abcdef", 32);
    let variant = rng.pick(&["8", "9", "a", "b"]);
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..15],
        &hex[15..18],
        &hex[18..30]
    )
}

/// ULIDs: 48-bit millisecond time and 80 random bits in Crockford's base 32.
fn ulid(rng: &mut Rng) -> String {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut time = rng.between(1_700_000_000_000, 1_900_000_000_000);
    let mut head = [0u8; 10];
    for slot in head.iter_mut().rev() {
        *slot = CROCKFORD[(time % 32) as usize];
        time /= 32;
    }
    format!(
        "{}{}",
        std::str::from_utf8(&head).unwrap(),
        rng.string_of(CROCKFORD, 16)
    )
}

/// Nanosecond timestamps with a prefix and often a counter: `hetu-1764551299123456789-1234`.
fn nanosecond(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["hetu-", "batch-", "tr_", "ir-2026-", "maksatus:", ""]);
    let nanos = rng.between(1_700_000_000_000_000_000, 1_900_000_000_000_000_000);
    let counter = match rng.below(3) {
        0 => String::new(),
        1 => format!("-{}", rng.digits(4)),
        _ => format!("_{}", rng.between(1, 99_999)),
    };
    format!("{prefix}{nanos}{counter}")
}

/// Diary numbers as KEHA-keskus writes them: `KEHA/1234/2026`.
fn diary_slash(rng: &mut Rng) -> String {
    let office = rng.pick(&["KEHA", "TEM", "KOKO", "POL", "VM"]);
    format!(
        "{office}/{}/{}",
        rng.between(1, 99_999),
        rng.between(YEARS.0, YEARS.1)
    )
}

/// Diary numbers with a zero-padded serial: `VH-2026-000123`.
fn diary_dash(rng: &mut Rng) -> String {
    let office = rng.pick(&["VH", "TAR", "POL", "UO", "ETK"]);
    format!(
        "{office}-{}-{}",
        rng.between(YEARS.0, YEARS.1),
        rng.digits(6)
    )
}

/// Uppercase hex digests (SHA-1 length), as content-addressed batch ids.
fn hex_digest(rng: &mut Rng) -> String {
    rng.string_of(b"0123456789ABCDEF", 40)
}

/// A random valid identity code: every century sign, temporary numbers included.
fn any_code(rng: &mut Rng) -> String {
    let sign = rng.pick(&[
        "+", "-", "Y", "X", "W", "V", "U", "A", "B", "C", "D", "E", "F",
    ]);
    code_of(
        rng.between(1, 28) as u32,
        rng.between(1, 12) as u32,
        rng.below(100) as u32,
        sign.chars().next().unwrap(),
        rng.between(2, 999) as u32,
    )
}

/// A code written into free text in the ways people write one.
const IN_FREE_TEXT: [&str; 17] = [
    "{}",
    "Maksu {} tulorekisteriin",
    "hetu:{}",
    "hetu: {}",
    "HETU {}.",
    "HETU{}",
    "henkilötunnus={}",
    "({})",
    "\"{}\"",
    "'{}'",
    "«{}»",
    "[{}]",
    "{}, {}",
    "{};",
    "{}:n tiedot",
    "Henkilön {} hakemus",
    "asiakas/{}/liite",
];

/// A code put into a machine identifier between separators.
const IN_IDENTIFIER: [&str; 7] = [
    "{}",
    "batch-{}",
    "{}_1",
    "x/{}/y",
    "hetu:{}",
    "ref.{}",
    "2026-{}-01",
];

/// The count, and its share of N in percent with three decimals.
fn percent(count: usize) -> String {
    format!("{count} ({:.3} %)", count as f64 * 100.0 / N as f64)
}

/// Codes embedded for the false negatives: each in every template, in capitals and in
/// lowercase.
const CODES: usize = 20_000;

#[test]
fn the_guard_refuses_almost_no_machine_identifier_and_misses_no_code() {
    type Kind = (&'static str, fn(&mut Rng) -> String);
    let kinds: [Kind; 8] = [
        ("numeric ids (6-20 digits)", numeric),
        ("dated ids (20261201-000123)", dated),
        ("UUIDs (v4, lowercase)", uuid),
        ("ULIDs", ulid),
        ("prefixed nanosecond timestamps", nanosecond),
        ("diary numbers (KEHA/1234/2026)", diary_slash),
        ("diary numbers (VH-2026-000123)", diary_dash),
        ("hex digests (40, uppercase)", hex_digest),
    ];
    let mut failures = Vec::new();
    println!("| kind (100,000 each) | before | free text | identifier (transfer id) |");
    println!("|---|---:|---:|---:|");
    for (n, (kind, generate)) in kinds.iter().enumerate() {
        let mut rng = Rng::seeded(n as u8 + 1);
        let (mut old, mut text, mut token) = (0, 0, 0);
        for _ in 0..N {
            let id = generate(&mut rng);
            old += usize::from(before(&id));
            text += usize::from(contains_identity_code(&id));
            token += usize::from(contains_identity_code_token(&id));
        }
        println!(
            "| {kind} | {} | {} | {} |",
            percent(old),
            percent(text),
            percent(token)
        );
        if token > MAX_FALSE_POSITIVES {
            failures.push(format!("{kind}: the identifier rule refused {token}"));
        }
        if text > MAX_FALSE_POSITIVES {
            failures.push(format!("{kind}: the free-text rule refused {text}"));
        }
    }

    let mut rng = Rng::seeded(100);
    let (mut missed_text, mut missed_token) = (0, 0);
    for _ in 0..CODES {
        let code = any_code(&mut rng);
        for template in IN_FREE_TEXT {
            let text = template.replace("{}", &code);
            missed_text += usize::from(!contains_identity_code(&text));
            let lower = template.replace("{}", &code.to_lowercase());
            missed_text += usize::from(!contains_identity_code(&lower));
        }
        for template in IN_IDENTIFIER {
            missed_token += usize::from(!contains_identity_code_token(
                &template.replace("{}", &code),
            ));
        }
    }
    println!(
        "\nreal codes missed: {missed_text} of {} in free text, {missed_token} of {} in identifiers",
        CODES * IN_FREE_TEXT.len() * 2,
        CODES * IN_IDENTIFIER.len()
    );
    if missed_text + missed_token > 0 {
        failures.push(format!(
            "missed codes: {missed_text} in free text, {missed_token} in identifiers"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
