//! Ways in for the fuzz targets (`fuzz/`, docs/fuzzing.md) to parsers that are not public
//! API: a checkpoint body without its signed-note envelope, and one catalogue file from its
//! text. Hidden from the documentation; nothing in the service calls them.

use std::path::Path;

use crate::catalogue::{CatalogueError, CatalogueWarning, Register, parse_file};
use crate::transparency::checkpoint::{Checkpoint, NoteError};

/// Parses a checkpoint body (origin, size, root hash, extension lines) as
/// [`crate::transparency::checkpoint::open`] does once the signature has verified.
pub fn checkpoint_body(text: &str) -> Result<Checkpoint, NoteError> {
    Checkpoint::parse_body(text)
}

/// Reads one catalogue file's text as [`crate::catalogue::Catalogue::load`] reads each file,
/// named `fuzz.toml` and on a fixed day, so that a run is repeatable.
pub fn catalogue_file(text: &str) -> Result<(Register, Vec<CatalogueWarning>), CatalogueError> {
    parse_file(
        Path::new("fuzz.toml"),
        text,
        time::macros::date!(2026 - 12 - 01),
    )
}
