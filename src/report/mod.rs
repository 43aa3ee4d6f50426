//! Reports for people: the access report (GDPR Art. 15) that tells a data subject who
//! received which of their data, when and under which law.

mod i18n;
mod render;
mod subject;

pub use crate::domain::finnish_time::{date as finnish_date, start_of_finnish_day};
pub use render::{render_html, render_text};
pub use subject::{ReportEntry, ReportRequest, SubjectReport, Withheld, subject_access_report};
