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
    ProcessingRecord, annex_document, processing_record, record_document, to_csv, to_html, to_json,
};
pub use document::{Block, Document, Section, Table};
pub use pdf::{PdfError, layout as pdf_layout, to_pdf};
pub use render::{render_html, render_text, subject_document};
pub use subject::{ReportEntry, ReportRequest, SubjectReport, Withheld, subject_report};
