//! The identity-code parser: an accepted code is the input upper-cased, parses again to an
//! equal code, and has a birth date; no input panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luovutusloki::domain::Hetu;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(hetu) = Hetu::parse(input) else {
        return;
    };
    assert_eq!(hetu.as_str(), input.to_ascii_uppercase());
    assert_eq!(Hetu::parse(hetu.as_str()).as_ref(), Ok(&hetu));
    let _ = hetu.birth_date();
    let individual: u32 = hetu.as_str()[7..10].parse().unwrap();
    assert_eq!(hetu.is_temporary(), individual >= 900);
});
