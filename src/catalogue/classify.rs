//! Classifying a disclosure against its register: declared, on request, or undeclared with
//! what did not match.

use std::fmt;

use crate::domain::{DataCategory, DisclosureDetails, LegalProvision, RecipientIdType};

use super::{DeclaredDisclosure, Register};

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
            }
        }
        Ok(())
    }
}

impl Register {
    /// Classifies `disclosure` against this register's declarations.
    pub fn classify(&self, disclosure: &DisclosureDetails) -> Result<Classification, Undeclared> {
        let candidates = self
            .disclosures
            .iter()
            .filter(|declared| recipient_matches(declared, disclosure));
        let mut closest: Option<(&DeclaredDisclosure, Vec<Mismatch>)> = None;
        for declared in candidates {
            let mismatches = mismatches(declared, disclosure);
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
                closest: Some(declared.recipient_name.clone()),
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
    /// Whether a declared disclosure that `disclosure` falls within requires each
    /// subject's consent.
    pub fn requires_consent(&self, disclosure: &DisclosureDetails) -> bool {
        self.disclosures.iter().any(|declared| {
            declared.consent_required
                && recipient_matches(declared, disclosure)
                && mismatches(declared, disclosure).is_empty()
        })
    }
}

fn recipient_matches(declared: &DeclaredDisclosure, disclosure: &DisclosureDetails) -> bool {
    let recipient = &disclosure.recipient;
    match &declared.recipient_id {
        Some(id) => {
            recipient.identifier.id_type() == RecipientIdType::BusinessId
                && recipient.identifier.as_str() == id.as_str()
        }
        None => recipient.kind == declared.recipient_kind,
    }
}

fn mismatches(declared: &DeclaredDisclosure, disclosure: &DisclosureDetails) -> Vec<Mismatch> {
    let provisions = disclosure
        .provisions
        .iter()
        .filter(|p| !covered(&declared.provisions, p))
        .map(|p| Mismatch::Provision(p.canonical()));
    let categories = disclosure
        .data_categories
        .iter()
        .filter(|c| !declared.data_categories.contains(*c))
        .map(Mismatch::DataCategory);
    provisions.chain(categories).collect()
}

fn covered(declared: &[LegalProvision], provision: &LegalProvision) -> bool {
    declared.iter().any(|d| d.covers(provision))
}
