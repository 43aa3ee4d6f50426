//! The provision parser, `canonical[<US>title]` as a disclosure stores each provision: an
//! accepted canonical form is given back by `canonical()` and parses again to an equal
//! provision, which covers itself and is covered by its act; a title is kept trimmed; every
//! readable form renders. The parts' parsers (statute number, EU act number, section) give
//! back what they accept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luovutusloki::domain::LegalProvision;
use luovutusloki::domain::provision::{EuActNumber, Language, Section, StatuteNumber};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    parts_round_trip(input);
    let (canonical, title) = match input.split_once('\u{1f}') {
        Some((canonical, title)) => (canonical, Some(title)),
        None => (input, None),
    };
    let Ok(provision) = LegalProvision::parse_canonical(canonical) else {
        return;
    };
    assert_eq!(provision.canonical(), canonical);
    assert_eq!(
        LegalProvision::parse_canonical(&provision.canonical()).as_ref(),
        Ok(&provision)
    );
    assert_eq!(provision.given_title(), None);
    assert!(provision.covers(&provision));
    let act = LegalProvision::parse_canonical(&provision.statute_key()).unwrap();
    assert!(act.covers(&provision));

    let provision = match provision.with_title(title) {
        Ok(titled) => {
            assert_eq!(titled.given_title(), title.map(str::trim));
            assert_eq!(titled.canonical(), canonical);
            titled
        }
        Err(_) => return,
    };
    let _ = provision.title();
    for lang in [Language::Fi, Language::Sv, Language::En] {
        assert!(!provision.readable(lang).is_empty());
        assert!(!provision.readable_in(lang).is_empty());
    }
});

/// Each part's parser gives back, through `Display`, the text it accepted.
fn parts_round_trip(input: &str) {
    if let Ok(statute) = StatuteNumber::parse(input) {
        assert_eq!(statute.to_string(), input);
    }
    if let Ok(number) = EuActNumber::parse(input) {
        assert_eq!(number.to_string(), input);
    }
    if let Ok(section) = Section::parse(input) {
        assert_eq!(section.to_string(), input);
    }
}
