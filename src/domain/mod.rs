//! Validated domain types. Input becomes one of these at the edge, and nothing downstream
//! checks it again. No tonic, no sqlx here.

pub mod access_request;
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
pub mod log;
pub mod lookup;
pub mod provision;
pub mod query;
pub mod recipient;
pub mod rollup;
pub mod safety;
pub mod statutes;
pub mod subject;
pub mod text;
pub mod timestamp;
pub mod violation;
pub mod withholding;

pub use access_request::{AccessRequest, CaseEvent, NewAccessRequest, RecordedEvent};
pub use basis::{LegalBasis, SpecialCategoryCondition};
pub use business_id::BusinessId;
pub use category::{DataCategories, DataCategory};
pub use channel::Channel;
pub use classification::Classification;
pub use consent::{
    Consent, ConsentDecision, ConsentInsert, ConsentScope, ConsentTerms, NewConsent,
};
pub use days::{Days, DaysError};
pub use disclosure::{
    DisclosureDetails, NewDisclosure, Receipt, StoredDisclosure, SubjectMarks, Withholding,
};
pub use hetu::Hetu;
pub use log::{
    LeafContent, LeafRecord, LogControllers, PendingDisclosure, PurgeRecord, PurgeReport,
    PurgeRequest, StoredCheckpoint, StoredLeaf, TreeHead, WriteOutcome,
};
pub use lookup::{LookupContext, LookupFilter, LookupOperation, NewLookup, StoredLookup};
pub use provision::LegalProvision;
pub use query::{Cursor, DisclosureFilter, Period, SubjectDisclosure};
pub use recipient::{Country, Recipient, RecipientIdType, RecipientIdentifier, RecipientKind};
pub use rollup::RollupEntry;
pub use safety::{SafetyAction, SafetyChange, SafetyDecision};
pub use subject::{SealedSubject, SubjectHash};
pub use text::{LongText, RegisterId, ShortText, TransferId};
pub use timestamp::Timestamp;
pub use violation::{FieldViolation, Violations};
pub use withholding::{
    NewWithholdingDecision, WithholdingAction, WithholdingChange, WithholdingDecision,
    WithholdingInForce, WithholdingTerms,
};
