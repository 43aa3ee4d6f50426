//! Classifying a disclosure against its register: declared, on request, or undeclared with
//! what did not match.

use std::fmt;

use time::Date;

use crate::domain::finnish_time::finnish_local;
use crate::domain::{
    DataCategories, DataCategory, DisclosureDetails, LegalProvision, Recipient, RecipientIdType,
    RecipientKind, statutes,
};

use super::{DeclaredDisclosure, OnRequestGroup, Processor, Register};

pub use crate::domain::Classification;

/// A disclosure that matches nothing declared, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undeclared {
    /// The declared disclosure to the same recipient that came closest, if any.
    pub closest: Option<String>,
    pub mismatches: Vec<Mismatch>,
    /// Why it is not a disclosure on request either, when it carries a requester's reference.
    pub not_on_request: Option<NotOnRequest>,
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

/// Why a disclosure with a requester's reference does not match any on-request group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOnRequest {
    /// No on-request group names this recipient kind.
    RecipientKind(RecipientKind),
    /// It cites no provision; a disclosure on request must cite the one that entitles the
    /// requester.
    NoProvision,
    /// The groups of its recipient kind name provisions, and this one (canonical form) is
    /// covered by none of them.
    Provision(String),
    /// The register does not hold this category, so cannot disclose it.
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
        if let Some(why) = &self.not_on_request {
            f.write_str("; not a disclosure on request: ")?;
            match why {
                NotOnRequest::RecipientKind(kind) => write!(
                    f,
                    "no on-request group goes to recipient kind {}",
                    kind.label()
                )?,
                NotOnRequest::NoProvision => f.write_str("it cites no provision")?,
                NotOnRequest::Provision(p) => write!(
                    f,
                    "provision {p} is not among the on-request provisions for this recipient kind"
                )?,
                NotOnRequest::DataCategory(c) => {
                    write!(f, "the register does not hold data category {}", c.label())?
                }
            }
        }
        Ok(())
    }
}

impl Register {
    /// Classifies `disclosure` against this register's declarations: declared when one
    /// regular disclosure covers it; on request when it carries a requester's reference and
    /// matches an on-request group ([`Register::on_request_group`]); undeclared otherwise.
    /// A provision of an act not in force on the day (Finnish time) it was made matches
    /// nothing; a transfer to a processor is matched against the declared processors, not
    /// the disclosures.
    pub fn classify(&self, disclosure: &DisclosureDetails) -> Result<Classification, Undeclared> {
        let not_in_force = not_in_force(
            &disclosure.provisions,
            finnish_local(disclosure.occurred_at).date(),
        );
        if !not_in_force.is_empty() {
            return Err(Undeclared {
                closest: None,
                mismatches: not_in_force,
                not_on_request: None,
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
        let not_on_request = match disclosure.requester_reference {
            Some(_) => match self.on_request_group(disclosure) {
                Ok(_) => return Ok(Classification::OnRequest),
                Err(why) => Some(why),
            },
            None => None,
        };
        Err(match closest {
            Some((declared, mismatches)) => Undeclared {
                closest: Some(declared.recipient_name.fi.clone()),
                mismatches,
                not_on_request,
            },
            None => Undeclared {
                closest: None,
                mismatches: vec![Mismatch::Recipient],
                not_on_request,
            },
        })
    }

    /// The on-request group `disclosure` falls within: one of its recipient kind that, when it
    /// names provisions, covers every provision of the disclosure (a group that names none
    /// accepts any, but the disclosure must cite at least one); and every data category must
    /// be one the register holds. The requester's reference is the caller's to check.
    pub fn on_request_group(
        &self,
        disclosure: &DisclosureDetails,
    ) -> Result<&OnRequestGroup, NotOnRequest> {
        if let Some(category) = disclosure
            .data_categories
            .iter()
            .find(|c| !self.data_categories.contains(*c))
        {
            return Err(NotOnRequest::DataCategory(category));
        }
        if disclosure.provisions.is_empty() {
            return Err(NotOnRequest::NoProvision);
        }
        let mut of_kind = self
            .on_request
            .iter()
            .filter(|group| group.recipient_kind == disclosure.recipient.kind)
            .peekable();
        if of_kind.peek().is_none() {
            return Err(NotOnRequest::RecipientKind(disclosure.recipient.kind));
        }
        let mut uncovered = None;
        for group in of_kind {
            match first_uncovered(group, &disclosure.provisions) {
                None => return Ok(group),
                Some(p) => uncovered = uncovered.or(Some(p)),
            }
        }
        let provision = uncovered.expect("a group of the kind that did not match");
        Err(NotOnRequest::Provision(provision.canonical()))
    }

    /// The on-request groups that best describe `disclosure`, for a document: of those it
    /// falls within ([`Register::on_request_group`] returns the first), the ones that name
    /// provisions when any does, since a group naming the provisions cited says more than a
    /// group that accepts any; several when the catalogue cannot tell them apart (groups of
    /// one kind naming no provisions); none when it falls within no group.
    pub fn on_request_candidates(&self, disclosure: &DisclosureDetails) -> Vec<&OnRequestGroup> {
        if self.on_request_group(disclosure).is_err() {
            return Vec::new();
        }
        let within: Vec<&OnRequestGroup> = self
            .on_request
            .iter()
            .filter(|g| g.recipient_kind == disclosure.recipient.kind)
            .filter(|g| first_uncovered(g, &disclosure.provisions).is_none())
            .collect();
        if within.iter().any(|g| !g.provisions.is_empty()) {
            within
                .into_iter()
                .filter(|g| !g.provisions.is_empty())
                .collect()
        } else {
            within
        }
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
                not_on_request: None,
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
                not_on_request: None,
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
    /// Whether `disclosure` may be made only with each subject's consent, as the register
    /// declares it: when declarations cover it, only if every one of them requires consent
    /// (one that does not is a way to make it without); when none covers it (on request, or
    /// undeclared), if it carries a category that the register discloses to this recipient
    /// only on consent, that is, a category some consent-requiring declaration to the
    /// recipient includes and no other declaration to the recipient does. A requester's
    /// reference, or a provision the register does not declare, does not lift that condition.
    /// (The basis of the disclosure itself, consent or explicit consent, is the caller's to
    /// add.)
    pub fn requires_consent(&self, disclosure: &DisclosureDetails) -> bool {
        let (recipient, categories) = (&disclosure.recipient, disclosure.data_categories);
        let mut covering = self
            .disclosures
            .iter()
            .filter(|d| d.covers(recipient, &disclosure.provisions, categories))
            .peekable();
        if covering.peek().is_some() {
            return covering.all(|d| d.consent_required);
        }
        let to_recipient = || {
            self.disclosures
                .iter()
                .filter(|d| recipient_matches(d, recipient))
        };
        categories.iter().any(|category| {
            let on_consent = |required: bool| {
                to_recipient()
                    .any(|d| d.consent_required == required && d.data_categories.contains(category))
            };
            on_consent(true) && !on_consent(false)
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

/// The first of `provisions` that `group` does not cover; none when the group names no
/// provisions (it then accepts any) or covers them all.
fn first_uncovered<'a>(
    group: &OnRequestGroup,
    provisions: &'a [LegalProvision],
) -> Option<&'a LegalProvision> {
    if group.provisions.is_empty() {
        return None;
    }
    provisions.iter().find(|p| !covered(&group.provisions, p))
}

fn covered(declared: &[LegalProvision], provision: &LegalProvision) -> bool {
    declared.iter().any(|d| d.covers(provision))
}
