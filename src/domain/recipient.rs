//! Recipients of disclosures: who they are, how they are identified, where they are.

use std::fmt;

use super::business_id::BusinessId;
use super::coded::coded_enum;
use super::text::{ShortText, TextError};

coded_enum! {
    /// What kind of party received the data.
    pub enum RecipientKind {
        Authority = 1, "authority";
        Fund = 2, "fund";
        PensionInstitution = 3, "pension_institution";
        ServiceProvider = 4, "service_provider";
        Employer = 5, "employer";
        Union = 6, "union";
        Processor = 7, "processor";
        PrivatePerson = 8, "private_person";
    }
}

coded_enum! {
    /// How a recipient is identified.
    pub enum RecipientIdType {
        BusinessId = 1, "business_id";
        VatNumber = 2, "vat_number";
        Other = 3, "other";
        None = 4, "none";
    }
}

/// A recipient's identifier; a private person has none (never their identity code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecipientIdentifier {
    BusinessId(BusinessId),
    VatNumber(ShortText),
    Other(ShortText),
    None,
}

impl RecipientIdentifier {
    /// Parses `identifier` as the given type.
    pub fn parse(id_type: RecipientIdType, identifier: &str) -> Result<Self, String> {
        let text = |s| ShortText::parse(s).map_err(|e: TextError| e.to_string());
        match id_type {
            RecipientIdType::BusinessId => BusinessId::parse(identifier)
                .map(Self::BusinessId)
                .map_err(|e| e.to_string()),
            RecipientIdType::VatNumber => text(identifier).map(Self::VatNumber),
            RecipientIdType::Other => text(identifier).map(Self::Other),
            RecipientIdType::None if identifier.is_empty() => Ok(Self::None),
            RecipientIdType::None => Err("must be empty when the type is none".into()),
        }
    }

    pub fn id_type(&self) -> RecipientIdType {
        match self {
            Self::BusinessId(_) => RecipientIdType::BusinessId,
            Self::VatNumber(_) => RecipientIdType::VatNumber,
            Self::Other(_) => RecipientIdType::Other,
            Self::None => RecipientIdType::None,
        }
    }

    /// The identifier as stored; empty for none.
    pub fn as_str(&self) -> &str {
        match self {
            Self::BusinessId(id) => id.as_str(),
            Self::VatNumber(t) | Self::Other(t) => t.as_str(),
            Self::None => "",
        }
    }
}

/// An ISO 3166-1 alpha-2 country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// EU member states and the other EEA states (Iceland, Liechtenstein, Norway).
    const EU_EEA: &'static [&'static str] = &[
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
        "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
    ];

    pub const FINLAND: Country = Country(*b"FI");

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Self([*a, *b])),
            _ => Err("must be an ISO 3166-1 alpha-2 code such as FI"),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }

    /// Whether a disclosure here stays inside the EU/EEA (GDPR Chapter V does not apply).
    pub fn is_eu_eea(&self) -> bool {
        Self::EU_EEA.contains(&self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The party that received a disclosure.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Recipient {
    pub identifier: RecipientIdentifier,
    pub name: ShortText,
    pub kind: RecipientKind,
    pub country: Country,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_business_id_recipient_is_checked_and_normalised() {
        let id = RecipientIdentifier::parse(RecipientIdType::BusinessId, "0179377-8").unwrap();
        assert_eq!(id.as_str(), "0179377-8");
        assert!(RecipientIdentifier::parse(RecipientIdType::BusinessId, "0179377-9").is_err());
    }

    #[test]
    fn a_recipient_without_identifier_must_leave_it_empty() {
        assert_eq!(
            RecipientIdentifier::parse(RecipientIdType::None, ""),
            Ok(RecipientIdentifier::None)
        );
        assert!(RecipientIdentifier::parse(RecipientIdType::None, "x").is_err());
    }

    #[test]
    fn an_identity_code_is_no_recipient_identifier() {
        assert!(RecipientIdentifier::parse(RecipientIdType::Other, "131052-308T").is_err());
    }

    #[test]
    fn countries_know_the_eu_eea() {
        assert!(Country::parse("FI").unwrap().is_eu_eea());
        assert!(Country::parse("NO").unwrap().is_eu_eea());
        assert!(!Country::parse("US").unwrap().is_eu_eea());
        assert!(Country::parse("fi").is_err());
        assert!(Country::parse("FIN").is_err());
    }
}
