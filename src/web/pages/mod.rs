//! One module a page (or a family of pages): its routes, its template structs, its texts in
//! fi/sv/en. Handlers take a [`Viewer`](super::viewer::Viewer), call one use case of
//! `Services` with the viewer's caller, and render; no rule is decided here.

pub mod access_requests;
pub mod accessibility;
pub mod disclosures;
pub mod integrity;
pub mod lookups;
pub mod overview;
pub mod registers;
