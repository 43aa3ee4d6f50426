//! The access report (Art. 15) as a document's content: what the subject is told, and the
//! disclosures still withheld (Art. 23), set apart for the staff.

use crate::catalogue::Catalogue;
use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Channel, DataCategories, Hetu, LegalBasis, LegalProvision, LookupContext,
    Recipient, RegisterId, Timestamp,
};
use crate::domain::{Period, SubjectDisclosure};

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub controller: BusinessId,
    pub subject: Hetu,
    pub period: Period,
    pub language: Language,
    pub context: LookupContext,
}

/// One disclosure as the data subject reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEntry {
    /// The subject's entry: also its leaf index, by which it can be proven.
    pub entry_id: i64,
    pub occurred_at: Timestamp,
    pub register: RegisterId,
    /// The register's name in the report's language, from the catalogue.
    pub register_name: Option<String>,
    pub recipient: Recipient,
    pub provisions: Vec<LegalProvision>,
    pub data_categories: DataCategories,
    pub purpose: String,
    pub legal_basis: LegalBasis,
    pub channel: Channel,
}

/// A disclosure left out of the report because it is still withheld from the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    pub occurred_at: Timestamp,
    pub until: Timestamp,
    pub reason: String,
}

/// The access report of one data subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectReport {
    pub controller: BusinessId,
    /// From the catalogue, when a register names the controller.
    pub controller_name: Option<String>,
    pub case_reference: String,
    pub language: Language,
    pub period: Period,
    pub generated_at: Timestamp,
    /// In (occurred_at, entry) order.
    pub entries: Vec<ReportEntry>,
    /// For the staff member only; not in the rendered document.
    pub withheld: Vec<Withheld>,
}

/// The report of `request.subject` as of `now`, from every disclosure `found` of the
/// subject in the period: those still withheld (Art. 23) are set apart for the staff.
pub fn subject_report(
    request: ReportRequest,
    found: Vec<SubjectDisclosure>,
    catalogue: &Catalogue,
    now: Timestamp,
) -> SubjectReport {
    let lang = request.language;
    let mut entries = Vec::new();
    let mut withheld = Vec::new();
    for item in found {
        let d = item.disclosure.details;
        match &d.withholding {
            Some(w) if w.until > now => withheld.push(Withheld {
                occurred_at: d.occurred_at,
                until: w.until,
                reason: w.reason.to_string(),
            }),
            _ => {
                let register_name = catalogue.get(&d.register).map(|r| match lang {
                    Language::Fi => r.name.fi.clone(),
                    Language::Sv => r.name.sv.clone(),
                    Language::En => r.name.en.clone(),
                });
                entries.push(ReportEntry {
                    entry_id: item.entry_id,
                    occurred_at: d.occurred_at,
                    register: d.register,
                    register_name,
                    recipient: d.recipient,
                    provisions: d.provisions,
                    data_categories: d.data_categories,
                    purpose: d.purpose.to_string(),
                    legal_basis: d.legal_basis,
                    channel: d.channel,
                })
            }
        }
    }
    let controller_name = catalogue
        .registers()
        .flat_map(|r| r.controllers.iter())
        .find(|c| c.business_id == request.controller)
        .map(|c| c.name.fi.clone());
    SubjectReport {
        controller: request.controller,
        controller_name,
        case_reference: request.context.case_reference.to_string(),
        language: lang,
        period: request.period,
        generated_at: now,
        entries,
        withheld,
    }
}
