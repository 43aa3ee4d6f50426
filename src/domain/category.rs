//! The taxonomy of personal data categories (docs/data-categories.md) and sets of them.

use super::coded::coded_enum;

coded_enum! {
    /// A category of personal data, from the categories the privacy notices list.
    pub enum DataCategory {
        Identity = 1, "identity";
        Contact = 2, "contact";
        Language = 3, "language";
        Gender = 4, "gender";
        BankAccount = 5, "bank_account";
        Membership = 6, "membership";
        /// Special category (Art. 9): trade union membership.
        TradeUnion = 7, "trade_union";
        Family = 8, "family";
        BenefitApplication = 9, "benefit_application";
        BenefitPayment = 10, "benefit_payment";
        RecoveryAndMisuse = 11, "recovery_and_misuse";
        IncomeAndTax = 12, "income_and_tax";
        EmploymentHistory = 13, "employment_history";
        EducationAndSkills = 14, "education_and_skills";
        JobSeeking = 15, "job_seeking";
        JobOffers = 16, "job_offers";
        /// Special category (Art. 9): data concerning health.
        HealthAndWorkAbility = 17, "health_and_work_ability";
        ResidencePermit = 18, "residence_permit";
        CallRecording = 19, "call_recording";
        SocialWelfare = 20, "social_welfare";
        CaseHandling = 21, "case_handling";
    }
}

impl DataCategory {
    /// Whether GDPR Art. 9 makes this a special category.
    pub fn is_special(self) -> bool {
        matches!(self, Self::TradeUnion | Self::HealthAndWorkAbility)
    }

    fn bit(self) -> u64 {
        1 << self.code()
    }
}

/// A non-empty set of data categories, stored as one bit mask (bit n = code n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataCategories(u64);

impl DataCategories {
    /// The set of `categories`; `None` when empty.
    pub fn new(categories: impl IntoIterator<Item = DataCategory>) -> Option<Self> {
        let mask = categories.into_iter().fold(0, |mask, c| mask | c.bit());
        (mask != 0).then_some(Self(mask))
    }

    /// The set stored as `mask`; `None` when it is empty or has unknown bits.
    pub fn from_mask(mask: i64) -> Option<Self> {
        let known = DataCategory::ALL.iter().fold(0, |m, c| m | c.bit());
        let mask = mask as u64;
        (mask != 0 && mask & !known == 0).then_some(Self(mask))
    }

    /// The bit mask, as stored.
    pub fn mask(self) -> i64 {
        self.0 as i64
    }

    pub fn contains(self, category: DataCategory) -> bool {
        self.0 & category.bit() != 0
    }

    /// The categories in code order.
    pub fn iter(self) -> impl Iterator<Item = DataCategory> {
        DataCategory::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }

    pub fn has_special(self) -> bool {
        self.iter().any(DataCategory::is_special)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn health_and_trade_union_are_the_special_categories() {
        let special: Vec<_> = DataCategory::ALL
            .iter()
            .filter(|c| c.is_special())
            .collect();
        assert_eq!(
            special,
            [
                &DataCategory::TradeUnion,
                &DataCategory::HealthAndWorkAbility
            ]
        );
    }

    #[test]
    fn empty_set_and_unknown_bits_are_rejected() {
        assert_eq!(DataCategories::new([]), None);
        assert_eq!(DataCategories::from_mask(0), None);
        assert_eq!(DataCategories::from_mask(1), None, "bit 0 is 'unspecified'");
        assert_eq!(DataCategories::from_mask(1 << 40), None);
    }

    proptest! {
        #[test]
        fn a_set_survives_its_mask(picks in proptest::collection::vec(0..DataCategory::ALL.len(), 1..8)) {
            let chosen: Vec<_> = picks.iter().map(|i| DataCategory::ALL[*i]).collect();
            let set = DataCategories::new(chosen.iter().copied()).unwrap();
            let back = DataCategories::from_mask(set.mask()).unwrap();
            prop_assert_eq!(back, set);
            for c in DataCategory::ALL {
                prop_assert_eq!(back.contains(*c), chosen.contains(c));
            }
        }
    }
}
