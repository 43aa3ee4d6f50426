//! Reports for people: the access report (GDPR Art. 15) that tells a data subject who
//! received which of their data, when and under which law.

mod art30;
mod i18n;
mod render;
mod subject;

pub use art30::{ProcessingRecord, processing_record, to_csv, to_html, to_json};
pub use render::{render_html, render_text};
pub use subject::{ReportEntry, ReportRequest, SubjectReport, Withheld, subject_report};
