//! The catalogue file parser (TOML into a register): a refusal names a line of the text, as
//! do warnings; an accepted register's business IDs and provisions are in their normalised,
//! re-parseable forms, and its identifier is kept as it parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luovutusloki::catalogue::CatalogueError;
use luovutusloki::domain::{BusinessId, LegalProvision, RegisterId};
use luovutusloki::fuzzing::catalogue_file;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.matches('\n').count() + 1;
    let (register, warnings) = match catalogue_file(text) {
        Ok(read) => read,
        Err(CatalogueError::Invalid { line, problem, .. }) => {
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
            assert!(!problem.is_empty());
            return;
        }
        Err(other) => panic!("reading text gave {other}"),
    };
    for warning in &warnings {
        assert!((1..=lines).contains(&warning.line), "{warning}");
    }
    assert_eq!(
        RegisterId::parse(register.id.as_str()).as_ref(),
        Ok(&register.id)
    );
    let ids = register
        .controllers
        .iter()
        .map(|c| &c.business_id)
        .chain(
            register
                .disclosures
                .iter()
                .filter_map(|d| d.recipient_id.as_ref()),
        )
        .chain(
            register
                .processors
                .iter()
                .filter_map(|p| p.business_id.as_ref()),
        );
    for id in ids {
        assert_eq!(BusinessId::parse(id.as_str()).as_ref(), Ok(id));
    }
    let provisions = register
        .disclosures
        .iter()
        .flat_map(|d| &d.provisions)
        .chain(register.on_request.iter().flat_map(|g| &g.provisions));
    for provision in provisions {
        let again = LegalProvision::parse_canonical(&provision.canonical()).unwrap();
        assert_eq!(again.canonical(), provision.canonical());
    }
});
