//! Legal bases: GDPR Art. 6(1) and, for special categories, an Art. 9(2) condition.

use super::coded::coded_enum;

coded_enum! {
    /// GDPR Art. 6(1) legal basis of a disclosure.
    pub enum LegalBasis {
        /// Art. 6(1)(a).
        Consent = 1, "consent";
        /// Art. 6(1)(b).
        Contract = 2, "contract";
        /// Art. 6(1)(c): every seed's regular disclosures.
        LegalObligation = 3, "legal_obligation";
        /// Art. 6(1)(d).
        VitalInterests = 4, "vital_interests";
        /// Art. 6(1)(e).
        PublicTask = 5, "public_task";
        /// Art. 6(1)(f).
        LegitimateInterests = 6, "legitimate_interests";
    }
}

impl LegalBasis {
    /// Whether this basis rests on a law (Art. 6(3)), so a disclosure must cite a provision.
    pub fn requires_provision(self) -> bool {
        matches!(self, Self::LegalObligation | Self::PublicTask)
    }
}

coded_enum! {
    /// GDPR Art. 9(2) condition for disclosing special categories of data.
    pub enum SpecialCategoryCondition {
        /// Art. 9(2)(a).
        ExplicitConsent = 1, "explicit_consent";
        /// Art. 9(2)(b).
        EmploymentSocialSecurity = 2, "employment_social_security";
        /// Art. 9(2)(c).
        VitalInterests = 3, "vital_interests";
        /// Art. 9(2)(d).
        NotForProfitBody = 4, "not_for_profit_body";
        /// Art. 9(2)(e).
        MadePublic = 5, "made_public";
        /// Art. 9(2)(f).
        LegalClaims = 6, "legal_claims";
        /// Art. 9(2)(g).
        SubstantialPublicInterest = 7, "substantial_public_interest";
        /// Art. 9(2)(h).
        HealthSocialCare = 8, "health_social_care";
        /// Art. 9(2)(i).
        PublicHealth = 9, "public_health";
        /// Art. 9(2)(j).
        ArchivingResearch = 10, "archiving_research";
    }
}
