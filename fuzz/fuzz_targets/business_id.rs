//! The business-ID parser: an accepted ID is the input, left-padded to seven digits in the
//! old six-digit form; it parses again to an equal ID and displays as its normalised form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luovutusloki::domain::BusinessId;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(id) = BusinessId::parse(input) else {
        return;
    };
    let normalised = if input.len() == 8 {
        format!("0{input}")
    } else {
        input.to_owned()
    };
    assert_eq!(id.as_str(), normalised);
    assert_eq!(id.to_string(), normalised);
    assert_eq!(BusinessId::parse(id.as_str()).as_ref(), Ok(&id));
});
