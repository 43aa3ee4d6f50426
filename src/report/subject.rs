//! The access report (Art. 15) as a document's content: what the subject is told, grouped so
//! that recurring disclosures are one item, the registers concerned (for what will be
//! disclosed, purposes, categories, retention), and the disclosures still withheld (Art. 23,
//! Tietosuojalaki 34 §), set apart.
//!
//! Whether a disclosure is withheld follows the latest withholding decision in force on
//! the report's date (`domain::withholding`), not the leaf's withholding alone: a lifted or
//! expired one is in the entries. Under Tietosuojalaki 1050/2018 34 § the document must not
//! state a total that silently excludes the withheld ones: unless a withholding conceals
//! its existence, the document says that access is restricted in part, and why (its
//! ground), and that the person may ask for the information to be passed to the Data
//! Protection Ombudsman. [`SubjectReport::restriction_disclosed`] is what it may say.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::Date;

use crate::catalogue::{Catalogue, Controller, Register};
use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Channel, DataCategories, Hetu, LegalBasis, LegalProvision, LookupContext,
    Recipient, RegisterId, StoredDisclosure, Timestamp, WithholdingInForce,
};
use crate::domain::{Period, SubjectDisclosure};

use super::i18n::local;

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub controller: BusinessId,
    pub subject: Hetu,
    pub period: Period,
    pub language: Language,
    pub context: LookupContext,
    /// When the controller received the access request, if known (Art. 12(3): the answer is
    /// due within a month of it).
    pub received: Option<Date>,
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
    /// The recipient's name in the report's language, from the declaration it falls within.
    pub recipient_name: Option<String>,
    /// For a disclosure on request, the on-request group it falls within, described in the
    /// report's language ("Utsökningsmyndigheter"); the recipient's name is then the recorded
    /// one, shown as a proper noun after it.
    pub recipient_group: Option<String>,
    /// The recipient's business ID is the catalogue's example (`example_id`), not a real one.
    pub example_id: bool,
    pub provisions: Vec<LegalProvision>,
    pub data_categories: DataCategories,
    pub purpose: String,
    /// `purpose` is the caller's text as logged, in whatever language it was written: no
    /// declaration or on-request group gives it in the report's language. A document quotes
    /// it as record text, never as its own prose.
    pub purpose_as_recorded: bool,
    pub legal_basis: LegalBasis,
    pub channel: Channel,
    /// Made at the recipient's request (the recipient gave its reference).
    pub on_request: bool,
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

/// Recurring disclosures of one kind: the same recipient, provisions, categories, basis,
/// purpose, channel and register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureGroup {
    /// In time order.
    pub entries: Vec<ReportEntry>,
}

impl DisclosureGroup {
    /// The first entry, which speaks for the group.
    pub fn first(&self) -> &ReportEntry {
        &self.entries[0]
    }

    pub fn last(&self) -> &ReportEntry {
        &self.entries[self.entries.len() - 1]
    }
}

/// The access report of one data subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectReport {
    pub controller: BusinessId,
    /// From the catalogue, when a register names the controller: name, contact details, DPO.
    pub controller_details: Option<Controller>,
    pub case_reference: String,
    /// Who answers: the staff member of the lookup (a short text, which never holds an
    /// identity code).
    pub answered_by: String,
    pub received: Option<Date>,
    pub language: Language,
    pub period: Period,
    pub generated_at: Timestamp,
    /// In (occurred_at, entry) order.
    pub entries: Vec<ReportEntry>,
    /// The registers of the entries, from the catalogue, in id order.
    pub registers: Vec<Arc<Register>>,
    /// Not in the rendered document, except as the restriction notice when its ground allows.
    pub withheld: Vec<Withheld>,
}

impl SubjectReport {
    /// The entries grouped: recurring disclosures of one kind are one group, the groups in
    /// the order of their first disclosure.
    pub fn groups(&self) -> Vec<DisclosureGroup> {
        let mut order: Vec<DisclosureGroup> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for entry in &self.entries {
            let r = &entry.recipient;
            let key = format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{}",
                r.identifier.as_str(),
                r.name,
                entry
                    .provisions
                    .iter()
                    .map(LegalProvision::canonical)
                    .collect::<Vec<_>>()
                    .join(";"),
                entry.data_categories.iter().collect::<Vec<_>>(),
                entry.legal_basis,
                entry.channel,
                entry.purpose,
                r.kind,
                entry.register,
                entry.on_request,
            );
            match index.get(&key) {
                Some(&i) => order[i].entries.push(entry.clone()),
                None => {
                    index.insert(key, order.len());
                    order.push(DisclosureGroup {
                        entries: vec![entry.clone()],
                    });
                }
            }
        }
        order
    }

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
                let register = catalogue.get(&d.register);
                let register_name = register.map(|r| local(lang, &r.name).clone());
                // The log keeps the purpose as the caller wrote it, in one language; a
                // disclosure the catalogue declares gets the declaration's purpose in the
                // report's language.
                let declared = register.and_then(|r| {
                    r.disclosures
                        .iter()
                        .find(|dd| dd.covers(&d.recipient, &d.provisions, d.data_categories))
                });
                // A disclosure on request that is not declared gets its on-request group's
                // description and purpose. When the catalogue cannot tell which of several
                // groups it is, none is named, but their purpose is when they share it.
                let candidates = match (declared, register) {
                    (None, Some(r)) if d.requester_reference.is_some() => {
                        r.on_request_candidates(&d)
                    }
                    _ => Vec::new(),
                };
                let group = match candidates.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                };
                let shared_purpose = candidates
                    .split_first()
                    .filter(|(first, rest)| rest.iter().all(|g| g.purpose == first.purpose))
                    .map(|(first, _)| &first.purpose);
                let purpose = declared
                    .map(|dd| &dd.purpose)
                    .or(shared_purpose)
                    .map(|text| local(lang, text).clone());
                let purpose_as_recorded = purpose.is_none();
                let purpose = purpose.unwrap_or_else(|| d.purpose.to_string());
                // Likewise the recipient's name, when the declaration names that recipient
                // (by business ID) rather than a kind of recipient.
                let named = declared.filter(|dd| dd.recipient_id.is_some());
                let recipient_name = named.map(|dd| local(lang, &dd.recipient_name).clone());
                entries.push(ReportEntry {
                    recipient_name,
                    recipient_group: group.map(|g| local(lang, &g.description).clone()),
                    example_id: named.is_some_and(|dd| dd.example_id),
                    purpose_as_recorded,
                    entry_id: item.entry_id,
                    occurred_at: d.occurred_at,
                    register: d.register,
                    register_name,
                    recipient: d.recipient,
                    provisions: d.provisions,
                    data_categories: d.data_categories,
                    purpose,
                    legal_basis: d.legal_basis,
                    channel: d.channel,
                    on_request: d.requester_reference.is_some(),
                })
            }
        }
    }
    let mut registers: Vec<Arc<Register>> = Vec::new();
    for entry in &entries {
        if let Some(register) = catalogue.get(&entry.register)
            && !registers.iter().any(|r| r.id == register.id)
        {
            registers.push(Arc::clone(register));
        }
    }
    registers.sort_by(|a, b| a.id.cmp(&b.id));
    // The controller as a register that concerns the subject describes it; failing that, as
    // any register does.
    let controller_details = registers
        .iter()
        .chain(catalogue.registers())
        .flat_map(|r| r.controllers.iter())
        .find(|c| c.business_id == request.controller)
        .cloned();
    SubjectReport {
        controller: request.controller,
        controller_details,
        case_reference: request.context.case_reference.to_string(),
        answered_by: request.context.requested_by.to_string(),
        received: request.received,
        language: lang,
        period: request.period,
        generated_at: now,
        entries,
        registers,
        withheld,
    }
}
