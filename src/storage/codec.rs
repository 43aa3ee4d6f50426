//! How provisions are kept in text columns: canonical forms joined by `<RS>`, each with its
//! title after `<US>` where a disclosure keeps them.

use crate::domain::LegalProvision;
use crate::transparency::leaf::{RECORD, UNIT};

/// Canonical forms joined by `<RS>`, as `disclosure_rollup` keeps them.
pub(super) fn encode_canonical(canonical: &[String]) -> String {
    canonical.join(&RECORD.to_string())
}

/// Reads back what [`encode_canonical`] wrote.
pub(super) fn decode_canonical(text: &str) -> Option<Vec<LegalProvision>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(RECORD)
        .map(|p| LegalProvision::parse_canonical(p).ok())
        .collect()
}

/// The provisions as stored in `disclosures.provisions`: `canonical<US>title` joined by
/// `<RS>`, given each provision's canonical form. Neither a canonical form nor a title can
/// hold a control character.
pub(super) fn encode_provisions(canonical: &[String], provisions: &[LegalProvision]) -> String {
    let mut text = String::new();
    for (n, (provision, canonical)) in provisions.iter().zip(canonical).enumerate() {
        if n > 0 {
            text.push(RECORD);
        }
        text.push_str(canonical);
        text.push(UNIT);
        text.push_str(provision.given_title().unwrap_or_default());
    }
    text
}

/// Reads back what [`encode_provisions`] wrote.
pub(super) fn decode_provisions(text: &str) -> Option<Vec<LegalProvision>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(RECORD)
        .map(|record| {
            let (canonical, title) = record.split_once(UNIT)?;
            let title = (!title.is_empty()).then_some(title);
            LegalProvision::parse_canonical(canonical)
                .ok()?
                .with_title(title)
                .ok()
        })
        .collect()
}

/// The `LIKE` patterns (escape character `\\`) that find a provision of `statute` (its
/// [`LegalProvision::statute_key`]) in `<RS>` followed by a disclosure's stored provisions:
/// the statute alone, then its title's separator; or the statute, a space and a section.
pub(super) fn statute_patterns(statute: &str) -> [String; 2] {
    let mut escaped = String::with_capacity(statute.len());
    for c in statute.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    [
        format!("%{RECORD}{escaped}{UNIT}%"),
        format!("%{RECORD}{escaped} %"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What SQL's `LIKE` does with a pattern of [`statute_patterns`], for the cases below:
    /// `%` any run, `\\` escapes the next character; `_` never occurs unescaped.
    fn like(text: &str, pattern: &str) -> bool {
        fn go(t: &[char], p: &[char]) -> bool {
            match p.split_first() {
                None => t.is_empty(),
                Some(('%', rest)) => (0..=t.len()).any(|i| go(&t[i..], rest)),
                Some(('\\', [c, rest @ ..])) => t.first() == Some(c) && go(&t[1..], rest),
                Some((c, rest)) => t.first() == Some(c) && go(&t[1..], rest),
            }
        }
        let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
        go(&t, &p)
    }

    #[test]
    fn the_statute_filter_finds_a_statute_wherever_it_stands_and_no_other() {
        let provisions: Vec<LegalProvision> =
            ["1290/2002 13:1.2", "53/2018", "EU:R 2016/679 6.1.c"]
                .iter()
                .map(|p| LegalProvision::parse_canonical(p).unwrap())
                .collect();
        let canonical: Vec<String> = provisions.iter().map(LegalProvision::canonical).collect();
        let stored = format!("{RECORD}{}", encode_provisions(&canonical, &provisions));
        let finds = |statute: &str| statute_patterns(statute).iter().any(|p| like(&stored, p));
        assert!(finds("1290/2002"), "the first provision, with a section");
        assert!(finds("53/2018"), "a provision of the whole act");
        assert!(finds("EU:R 2016/679"), "an EU act, whose key holds a space");
        assert!(!finds("290/2002"), "the tail of another statute's number");
        assert!(!finds("53/201"), "the head of another statute's number");
        assert!(!finds("EU:R 2016/67"));
        assert_eq!(
            statute_patterns("a_b%c"),
            [
                format!("%{RECORD}a\\_b\\%c{UNIT}%"),
                format!("%{RECORD}a\\_b\\%c %")
            ],
            "LIKE's wildcards in a statute are taken literally"
        );
    }

    #[test]
    fn provisions_survive_their_stored_text() {
        let provisions = vec![
            LegalProvision::parse_canonical("1290/2002 13:1.2").unwrap(),
            LegalProvision::parse_canonical("53/2018 6")
                .unwrap()
                .with_title(Some("Tulorekisterilaki"))
                .unwrap(),
            LegalProvision::parse_canonical("EU:R 2016/679 6.1.c").unwrap(),
        ];
        let canonical: Vec<String> = provisions.iter().map(LegalProvision::canonical).collect();
        let text = encode_provisions(&canonical, &provisions);
        assert_eq!(decode_provisions(&text), Some(provisions));
        assert_eq!(decode_provisions(""), Some(Vec::new()));
        assert_eq!(decode_provisions("not a provision"), None);
    }
}
