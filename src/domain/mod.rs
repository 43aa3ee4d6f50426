//! Validated domain types. Input becomes one of these at the edge, and nothing downstream
//! checks it again. No tonic, no sqlx here.

pub mod basis;
pub mod business_id;
pub mod category;
pub mod channel;
pub mod classification;
mod coded;
pub mod consent;
pub mod days;
pub mod disclosure;
pub mod finnish_time;
pub mod hetu;
pub mod lookup;
pub mod provision;
pub mod recipient;
pub mod text;
pub mod timestamp;
pub mod violation;

pub use basis::{LegalBasis, SpecialCategoryCondition};
pub use business_id::BusinessId;
pub use category::{DataCategories, DataCategory};
pub use channel::Channel;
pub use classification::Classification;
pub use consent::{Consent, ConsentDecision, ConsentScope, ConsentTerms};
pub use days::{Days, DaysError};
pub use disclosure::{DisclosureDetails, NewDisclosure, Receipt, StoredDisclosure, Withholding};
pub use hetu::Hetu;
pub use lookup::{LookupContext, LookupOperation};
pub use provision::LegalProvision;
pub use recipient::{Country, Recipient, RecipientIdType, RecipientIdentifier, RecipientKind};
pub use text::{LongText, RegisterId, ShortText, TransferId};
pub use timestamp::Timestamp;
pub use violation::{FieldViolation, Violations};
