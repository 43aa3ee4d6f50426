//! Classifying a disclosure against its register: declared, on request, or undeclared with
//! what did not match.

use std::fmt;

use time::Date;

use crate::domain::finnish_time::finnish_local;
use crate::domain::{
    DataCategories, DataCategory, DisclosureDetails, LegalProvision, Recipient, RecipientIdType,
    RecipientKind, statutes,
};

use super::{DeclaredDisclosure, Processor, Register};

pub use crate::domain::Classification;

/// A disclosure that matches nothing declared, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undeclared {
    /// The declared disclosure to the same recipient that came closest, if any.
    pub closest: Option<String>,
    pub mismatches: Vec<Mismatch>,
}

/// One way a disclosure differs from the closest declared one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// No declared disclosure goes to this recipient (or recipient kind).
    Recipient,
    /// A provision no declared provision covers (canonical form).
    Provision(String),
    /// A data category the declared disclosure does not include.
    DataCategory(DataCategory),
    /// A provision (canonical form) of an act not in force on the day of the disclosure:
    /// repealed on the date given, or (without one) not yet in force.
    NotInForce(String, Option<Date>),
    /// A transfer to a processor that the register does not declare among its processors.
    Processor,
}

impl fmt::Display for Undeclared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(closest) = &self.closest {
            write!(f, "closest declared disclosure, to {closest}: ")?;
        }
        for (n, mismatch) in self.mismatches.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            match mismatch {
                Mismatch::Recipient => {
                    f.write_str("no declared disclosure goes to this recipient")?
                }
                Mismatch::Provision(p) => write!(f, "provision {p} is not declared")?,
                Mismatch::DataCategory(c) => {
                    write!(f, "data category {} is not declared", c.label())?
                }
                Mismatch::NotInForce(p, Some(repealed)) => write!(
                    f,
                    "provision {p} cites an act repealed on {repealed}, before the disclosure"
                )?,
                Mismatch::NotInForce(p, None) => write!(
                    f,
                    "provision {p} cites an act not yet in force on the day of the disclosure"
                )?,
                Mismatch::Processor => f.write_str("the register declares no such processor")?,
            }
        }
        Ok(())
    }
}

impl Register {
    /// Classifies `disclosure` against this register's declarations: a provision of an act
    /// not in force on the day (Finnish time) it was made matches nothing; a transfer to a
    /// processor is matched against the declared processors, not the disclosures.
    pub fn classify(&self, disclosure: &DisclosureDetails) -> Result<Classification, Undeclared> {
        let not_in_force = not_in_force(
            &disclosure.provisions,
            finnish_local(disclosure.occurred_at).date(),
        );
        if !not_in_force.is_empty() {
            return Err(Undeclared {
                closest: None,
                mismatches: not_in_force,
            });
        }
        if disclosure.recipient.kind == RecipientKind::Processor {
            return self.classify_processor(disclosure);
        }
        let candidates = self
            .disclosures
            .iter()
            .filter(|declared| recipient_matches(declared, &disclosure.recipient));
        let mut closest: Option<(&DeclaredDisclosure, Vec<Mismatch>)> = None;
        for declared in candidates {
            let mismatches =
                mismatches(declared, &disclosure.provisions, disclosure.data_categories);
            if mismatches.is_empty() {
                return Ok(Classification::Declared);
            }
            if closest
                .as_ref()
                .is_none_or(|(_, best)| mismatches.len() < best.len())
            {
                closest = Some((declared, mismatches));
            }
        }
        if disclosure.requester_reference.is_some() && !disclosure.provisions.is_empty() {
            return Ok(Classification::OnRequest);
        }
        Err(match closest {
            Some((declared, mismatches)) => Undeclared {
                closest: Some(declared.recipient_name.fi.clone()),
                mismatches,
            },
            None => Undeclared {
                closest: None,
                mismatches: vec![Mismatch::Recipient],
            },
        })
    }
}

impl Register {
    /// A transfer to a processor: declared when a declared processor is the recipient and
    /// receives every category. Its provisions are not matched: a processor works under the
    /// controller's own bases, and Art. 28 is refused before this (it is no legal basis).
    fn classify_processor(
        &self,
        disclosure: &DisclosureDetails,
    ) -> Result<Classification, Undeclared> {
        let Some(processor) = self.processor(&disclosure.recipient) else {
            return Err(Undeclared {
                closest: None,
                mismatches: vec![Mismatch::Processor],
            });
        };
        let mismatches: Vec<Mismatch> = disclosure
            .data_categories
            .iter()
            .filter(|c| !processor.data_categories.contains(*c))
            .map(Mismatch::DataCategory)
            .collect();
        if mismatches.is_empty() {
            Ok(Classification::Declared)
        } else {
            Err(Undeclared {
                closest: Some(processor.name.fi.clone()),
                mismatches,
            })
        }
    }

    /// The declared processor that `recipient` is, if any.
    pub fn processor(&self, recipient: &Recipient) -> Option<&Processor> {
        self.processors.iter().find(|p| p.is(recipient))
    }
}

impl Processor {
    /// Whether `recipient` is this processor: by business ID when the catalogue gives one,
    /// otherwise by its name in any language (case and surrounding space ignored).
    pub fn is(&self, recipient: &Recipient) -> bool {
        match &self.business_id {
            Some(id) => {
                recipient.identifier.id_type() == RecipientIdType::BusinessId
                    && recipient.identifier.as_str() == id.as_str()
            }
            None => {
                let given = recipient.name.as_str().trim();
                [&self.name.fi, &self.name.sv, &self.name.en]
                    .iter()
                    .any(|name| name.trim().to_lowercase() == given.to_lowercase())
            }
        }
    }
}

/// The provisions that cite a Finnish act not in force on `day`.
fn not_in_force(provisions: &[LegalProvision], day: Date) -> Vec<Mismatch> {
    provisions
        .iter()
        .filter_map(|p| match p {
            LegalProvision::FinnishStatute(f) if !statutes::in_force_on(&f.statute(), day) => {
                Some(Mismatch::NotInForce(
                    p.canonical(),
                    statutes::repealed_on(&f.statute()).filter(|repealed| *repealed <= day),
                ))
            }
            _ => None,
        })
        .collect()
}

impl Register {
    /// Whether a declared disclosure that `disclosure` falls within requires each
    /// subject's consent.
    pub fn requires_consent(&self, disclosure: &DisclosureDetails) -> bool {
        self.disclosures.iter().any(|declared| {
            declared.consent_required
                && declared.covers(
                    &disclosure.recipient,
                    &disclosure.provisions,
                    disclosure.data_categories,
                )
        })
    }

    /// Whether any declared disclosure goes to `recipient`.
    pub fn declares_recipient(&self, recipient: &Recipient) -> bool {
        self.disclosures
            .iter()
            .any(|declared| recipient_matches(declared, recipient))
    }

    /// Whether any declared provision (of a regular disclosure or an on-request group)
    /// covers `provision`.
    pub fn declares_provision(&self, provision: &LegalProvision) -> bool {
        self.disclosures
            .iter()
            .flat_map(|d| &d.provisions)
            .chain(self.on_request.iter().flat_map(|g| &g.provisions))
            .any(|declared| declared.covers(provision))
    }
}

impl DeclaredDisclosure {
    /// Whether a disclosure to `recipient` under `provisions` of `categories` falls within
    /// this declaration.
    pub fn covers(
        &self,
        recipient: &Recipient,
        provisions: &[LegalProvision],
        categories: DataCategories,
    ) -> bool {
        recipient_matches(self, recipient) && mismatches(self, provisions, categories).is_empty()
    }
}

fn recipient_matches(declared: &DeclaredDisclosure, recipient: &Recipient) -> bool {
    match &declared.recipient_id {
        Some(id) => {
            recipient.identifier.id_type() == RecipientIdType::BusinessId
                && recipient.identifier.as_str() == id.as_str()
        }
        None => recipient.kind == declared.recipient_kind,
    }
}

fn mismatches(
    declared: &DeclaredDisclosure,
    provisions: &[LegalProvision],
    categories: DataCategories,
) -> Vec<Mismatch> {
    let provisions = provisions
        .iter()
        .filter(|p| !covered(&declared.provisions, p))
        .map(|p| Mismatch::Provision(p.canonical()));
    let categories = categories
        .iter()
        .filter(|c| !declared.data_categories.contains(*c))
        .map(Mismatch::DataCategory);
    provisions.chain(categories).collect()
}

fn covered(declared: &[LegalProvision], provision: &LegalProvision) -> bool {
    declared.iter().any(|d| d.covers(provision))
}
