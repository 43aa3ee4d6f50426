//! The access report (Art. 15) as a document's content: what the subject is told, and the
//! disclosures still withheld (Art. 23), set apart for the staff.
//!
//! Whether a disclosure is withheld follows the latest withholding decision in force on
//! the report's date (`domain::withholding`), not the leaf's withholding alone: a lifted or
//! expired one is in the entries. Under Tietosuojalaki 1050/2018 34 § the document must not
//! state a total that silently excludes the withheld ones: unless a withholding conceals
//! its existence, the document says that access is restricted in part, and why (its
//! ground), and that the person may ask for the information to be passed to the Data
//! Protection Ombudsman. [`SubjectReport::restriction_disclosed`] is what it may say.

use crate::catalogue::Catalogue;
use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Channel, DataCategories, Hetu, LegalBasis, LegalProvision, LookupContext,
    Recipient, RegisterId, StoredDisclosure, Timestamp, WithholdingInForce,
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

/// A disclosure left out of the report because it is still withheld from the subject, as
/// the latest withholding decision in force on the report's date says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    pub disclosure_id: i64,
    /// The subject's entry.
    pub entry_id: i64,
    pub occurred_at: Timestamp,
    pub until: Timestamp,
    pub reason: String,
    /// The legal ground of the restriction, e.g. "esitutkinta, esitutkintalaki 805/2011";
    /// `None` when the decision gave none.
    pub ground: Option<String>,
    /// Telling the subject that access is restricted would defeat the restriction's
    /// purpose (34 § 3 mom): the document must say nothing of this one.
    pub conceal_existence: bool,
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

impl SubjectReport {
    /// The withheld disclosures whose restriction the document may state, with their
    /// grounds: empty when none is withheld or every withholding conceals its existence.
    /// A document that lists these says that access is restricted in part and why.
    pub fn restriction_disclosed(&self) -> Vec<&Withheld> {
        self.withheld
            .iter()
            .filter(|w| !w.conceal_existence)
            .collect()
    }
}

/// The report of `request.subject` as of `now`, from every disclosure `found` of the
/// subject in the period: those `withheld_at` says are withheld at `now` (the latest
/// withholding decision in force, Art. 23) are set apart for the staff.
pub fn subject_report(
    request: ReportRequest,
    found: Vec<SubjectDisclosure>,
    withheld_at: impl Fn(&StoredDisclosure, Timestamp) -> Option<WithholdingInForce>,
    catalogue: &Catalogue,
    now: Timestamp,
) -> SubjectReport {
    let lang = request.language;
    let mut entries = Vec::new();
    let mut withheld = Vec::new();
    for item in found {
        let in_force = withheld_at(&item.disclosure, now);
        let d = item.disclosure.details;
        match in_force {
            Some(w) => withheld.push(Withheld {
                disclosure_id: item.disclosure.id,
                entry_id: item.entry_id,
                occurred_at: d.occurred_at,
                until: w.until,
                reason: w.reason,
                ground: w.ground,
                conceal_existence: w.conceal_existence,
            }),
            None => {
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
