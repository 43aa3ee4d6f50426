//! Reports for people: the access report (GDPR Art. 15) that tells a data subject who
//! received which of their data, when and under which law, and the record of processing
//! activities (Art. 30). Each is built into a [`Document`], which the templates in
//! `templates/` render as HTML and plain text and `pdf.rs` as PDF/A.

mod art30;
mod document;
#[cfg(test)]
mod golden;
pub mod i18n;
mod parts;
mod pdf;
mod render;
mod subject;

pub use art30::{
    ObservedRecipient, ProcessingRecord, annex_document, processing_record, record_document,
    to_csv, to_html, to_json,
};
pub use document::{Block, Document, Section, Table};
pub use parts::{processor_data, provisions as readable_provisions};
pub use pdf::{PdfError, layout as pdf_layout, to_pdf};
pub use render::{render_html, render_text, subject_document};
pub use subject::{ReportEntry, ReportRequest, SubjectReport, Withheld, subject_report};

/// The documents' words for categories, channels, legal bases and recipient kinds, so that
/// other front ends (the web pages) name them as the documents do.
pub mod names {
    pub use super::i18n::{basis_in_record as basis, category, channel, local, recipient_kind};
}
