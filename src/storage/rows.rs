//! SQL and row types shared by both backends. Both dialects understand the same statements
//! here (row values, `ON CONFLICT`, `RETURNING`); sqlx's `QueryBuilder` writes each backend's
//! placeholders.

use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::domain::{
    BusinessId, Channel, Classification, Consent, ConsentDecision, ConsentScope, ConsentTerms,
    Country, Cursor, DataCategories, DisclosureDetails, DisclosureFilter, LegalBasis, LongText,
    LookupContext, LookupOperation, NewLookup, Period, PurgeRecord, Recipient, RecipientIdType,
    RecipientIdentifier, RecipientKind, RegisterId, RollupEntry, ShortText,
    SpecialCategoryCondition, StoredCheckpoint, StoredDisclosure, StoredLookup, SubjectHash,
    Timestamp, TransferId, Withholding,
};

use crate::transparency::leaf::{LeafDisclosure, RECORD};
use crate::transparency::merkle::Hash;

use super::StorageError;
use super::codec::{decode_canonical, decode_provisions, statute_patterns};

/// A value type both backends can bind.
pub(super) trait Bind<DB: Database>: for<'t> Encode<'t, DB> + Type<DB> + Send {}
impl<DB: Database, T: for<'t> Encode<'t, DB> + Type<DB> + Send> Bind<DB> for T {}

/// The columns of a disclosure read, joined with its recipient.
pub(super) const DISCLOSURE_COLUMNS: &str = "d.id, d.controller, d.transfer_id, d.occurred_at, \
     d.recorded_at, d.register, r.id_type AS recipient_id_type, r.identifier AS recipient_identifier, \
     r.name AS recipient_name, r.kind AS recipient_kind, r.country AS recipient_country, \
     d.legal_basis, d.special_condition, d.data_categories, d.purpose, d.channel, d.source_system, \
     d.consent_ref, d.requester_ref, d.withheld_until, d.withheld_reason, d.subject_count, \
     d.first_entry_id, d.provisions, d.classification";

pub(super) const INTERN_RECIPIENT: &str = "INSERT INTO recipients (id_type, identifier, name, kind, country) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id_type, identifier, name, kind, country) \
     DO UPDATE SET name = excluded.name RETURNING id";

/// A stored disclosure found by its transfer id.
#[derive(sqlx::FromRow)]
pub(super) struct ExistingRow {
    pub controller: String,
    pub transfer_id: String,
    pub id: i64,
    pub first_entry_id: i64,
    pub subject_count: i32,
    pub recorded_at: i64,
    pub request_key_id: i16,
    pub request_digest: Vec<u8>,
}

/// A disclosure as read, before decoding into domain types.
#[derive(sqlx::FromRow)]
pub(super) struct DisclosureRow {
    id: i64,
    controller: String,
    transfer_id: String,
    occurred_at: i64,
    recorded_at: i64,
    register: String,
    recipient_id_type: i16,
    recipient_identifier: String,
    recipient_name: String,
    recipient_kind: i16,
    recipient_country: String,
    legal_basis: i16,
    special_condition: Option<i16>,
    data_categories: i64,
    purpose: String,
    channel: i16,
    source_system: String,
    consent_ref: Option<String>,
    requester_ref: Option<String>,
    withheld_until: Option<i64>,
    withheld_reason: Option<String>,
    subject_count: i32,
    first_entry_id: i64,
    provisions: String,
    classification: i16,
}

/// A disclosure read for a subject lookup: the subject's entry and the disclosure.
#[derive(sqlx::FromRow)]
pub(super) struct SubjectRow {
    pub entry_id: i64,
    #[sqlx(flatten)]
    pub disclosure: DisclosureRow,
}

fn corrupt(what: &str, id: i64) -> StorageError {
    StorageError::Corrupt(format!("disclosure {id}: {what}"))
}

impl DisclosureRow {
    /// The disclosure's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The controller, as stored.
    pub fn controller(&self) -> &str {
        &self.controller
    }

    /// Its entries' ids.
    pub fn entries(&self) -> std::ops::Range<i64> {
        self.first_entry_id..self.first_entry_id + i64::from(self.subject_count)
    }

    /// The fields its entries' leaves cover, as stored.
    pub fn leaf(&self) -> LeafDisclosure<'_> {
        LeafDisclosure {
            controller: &self.controller,
            transfer_id: &self.transfer_id,
            register: &self.register,
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
            recipient_id_type: self.recipient_id_type,
            recipient_identifier: &self.recipient_identifier,
            recipient_name: &self.recipient_name,
            recipient_kind: self.recipient_kind,
            recipient_country: &self.recipient_country,
            legal_basis: self.legal_basis,
            special_condition: self.special_condition,
            provisions: &self.provisions,
            data_categories: self.data_categories,
            purpose: &self.purpose,
            channel: self.channel,
            source_system: &self.source_system,
            consent_ref: self.consent_ref.as_deref(),
            requester_ref: self.requester_ref.as_deref(),
            withheld_until: self.withheld_until,
            withheld_reason: self.withheld_reason.as_deref(),
            classification: self.classification,
            subject_count: self.subject_count,
        }
    }

    /// Decodes the row into domain types.
    pub fn into_domain(self) -> Result<StoredDisclosure, StorageError> {
        let id = self.id;
        let bad = |what: &str| corrupt(what, id);
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let short = |text: &str| ShortText::parse(text).map_err(|_| bad("text"));
        let id_type = RecipientIdType::from_code(self.recipient_id_type.into())
            .ok_or_else(|| bad("recipient id type"))?;
        let withholding = match (self.withheld_until, self.withheld_reason) {
            (Some(until), Some(reason)) => Some(Withholding {
                until: time(until)?,
                reason: LongText::parse(&reason).map_err(|_| bad("withholding reason"))?,
            }),
            (None, None) => None,
            _ => return Err(bad("withholding")),
        };
        let details = DisclosureDetails {
            controller: BusinessId::parse(&self.controller).map_err(|_| bad("controller"))?,
            transfer_id: TransferId::parse(&self.transfer_id).map_err(|_| bad("transfer id"))?,
            occurred_at: time(self.occurred_at)?,
            register: RegisterId::parse(&self.register).map_err(|_| bad("register"))?,
            recipient: Recipient {
                identifier: RecipientIdentifier::parse(id_type, &self.recipient_identifier)
                    .map_err(|_| bad("recipient identifier"))?,
                name: short(&self.recipient_name)?,
                kind: RecipientKind::from_code(self.recipient_kind.into())
                    .ok_or_else(|| bad("recipient kind"))?,
                country: Country::parse(&self.recipient_country).map_err(|_| bad("country"))?,
            },
            legal_basis: LegalBasis::from_code(self.legal_basis.into())
                .ok_or_else(|| bad("legal basis"))?,
            special_condition: self
                .special_condition
                .map(|c| {
                    SpecialCategoryCondition::from_code(c.into()).ok_or_else(|| bad("condition"))
                })
                .transpose()?,
            provisions: decode_provisions(&self.provisions).ok_or_else(|| bad("provisions"))?,
            data_categories: DataCategories::from_mask(self.data_categories)
                .ok_or_else(|| bad("data categories"))?,
            purpose: LongText::parse(&self.purpose).map_err(|_| bad("purpose"))?,
            channel: Channel::from_code(self.channel.into()).ok_or_else(|| bad("channel"))?,
            source_system: short(&self.source_system)?,
            consent_reference: self.consent_ref.as_deref().map(short).transpose()?,
            requester_reference: self.requester_ref.as_deref().map(short).transpose()?,
            withholding,
        };
        Ok(StoredDisclosure {
            id,
            details,
            recorded_at: time(self.recorded_at)?,
            subject_count: u32::try_from(self.subject_count).map_err(|_| bad("subject count"))?,
            first_entry_id: self.first_entry_id,
            classification: Classification::from_code(self.classification.into())
                .ok_or_else(|| bad("classification"))?,
        })
    }
}

/// ` AND <column> >= from AND <column> < to`, for the ends `period` has.
pub(super) fn push_period<DB: Database>(qb: &mut QueryBuilder<DB>, column: &str, period: Period)
where
    i64: Bind<DB>,
{
    if let Some(from) = period.from {
        qb.push(format!(" AND {column} >= "))
            .push_bind(from.micros());
    }
    if let Some(to) = period.to {
        qb.push(format!(" AND {column} < ")).push_bind(to.micros());
    }
}

/// The bound values of `hashes`, comma-separated, for an `IN (…)` list.
pub(super) fn push_hashes<DB: Database>(qb: &mut QueryBuilder<DB>, hashes: &[SubjectHash])
where
    Vec<u8>: Bind<DB>,
{
    let mut list = qb.separated(", ");
    for hash in hashes {
        list.push_bind(hash.to_vec());
    }
}

/// The end of a keyset-paged query ordered by `(time, id)`: the rows after `after`, in
/// order, at most `limit`.
pub(super) fn push_page<DB: Database>(
    qb: &mut QueryBuilder<DB>,
    (time, id): (&str, &str),
    after: Option<Cursor>,
    limit: u32,
) where
    i64: Bind<DB>,
{
    if let Some(cursor) = after {
        qb.push(format!(" AND ({time}, {id}) > ("))
            .push_bind(cursor.occurred_at)
            .push(", ")
            .push_bind(cursor.id)
            .push(")");
    }
    qb.push(format!(" ORDER BY {time}, {id} LIMIT "))
        .push_bind(i64::from(limit));
}

/// `SELECT` of one page of a disclosure listing.
pub(super) fn list_query<DB: Database>(
    controller: &BusinessId,
    filter: &DisclosureFilter,
    after: Option<Cursor>,
    limit: u32,
) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
    String: Bind<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {DISCLOSURE_COLUMNS} FROM disclosures d JOIN recipients r ON r.id = d.recipient_id \
         WHERE d.controller = "
    ));
    qb.push_bind(controller.as_str().to_owned());
    if let Some(register) = &filter.register {
        qb.push(" AND d.register = ")
            .push_bind(register.as_str().to_owned());
    }
    if let Some(identifier) = &filter.recipient_identifier {
        qb.push(" AND r.identifier = ")
            .push_bind(identifier.clone());
    }
    if let Some(basis) = filter.legal_basis {
        qb.push(" AND d.legal_basis = ")
            .push_bind(i64::from(basis.code()));
    }
    if let Some(classification) = filter.classification {
        qb.push(" AND d.classification = ")
            .push_bind(i64::from(classification.code()));
    }
    if let Some(channel) = filter.channel {
        qb.push(" AND d.channel = ")
            .push_bind(i64::from(channel.code()));
    }
    if let Some(category) = filter.data_category {
        let mask = DataCategories::new([category])
            .expect("one category")
            .mask();
        qb.push(" AND (d.data_categories & ")
            .push_bind(mask)
            .push(") <> 0");
    }
    if let Some(transfer_id) = &filter.transfer_id {
        qb.push(" AND d.transfer_id = ")
            .push_bind(transfer_id.as_str().to_owned());
    }
    if let Some(statute) = &filter.statute {
        // A provision of the statute in the disclosure's own provisions text: its canonical
        // form is the statute's key, then a space and the section, or nothing; after it
        // comes the title's separator. The text is prefixed with the record separator so
        // the first provision matches like the others.
        let [bare, with_section] = statute_patterns(statute);
        qb.push(" AND ((")
            .push_bind(RECORD.to_string())
            .push(" || d.provisions) LIKE ")
            .push_bind(bare)
            .push(" ESCAPE '\\' OR (")
            .push_bind(RECORD.to_string())
            .push(" || d.provisions) LIKE ")
            .push_bind(with_section)
            .push(" ESCAPE '\\')");
    }
    push_period(&mut qb, "d.occurred_at", filter.period);
    push_page(&mut qb, ("d.occurred_at", "d.id"), after, limit);
    qb
}

/// `SELECT` of one page of a subject's disclosures: those `controller` recorded, and those
/// any controller recorded in `joint_registers` (the joint registers whose records it shares).
pub(super) fn subject_query<DB: Database>(
    controller: &BusinessId,
    joint_registers: &[RegisterId],
    hashes: &[SubjectHash],
    period: Period,
    after: Option<Cursor>,
    limit: u32,
) -> QueryBuilder<DB>
where
    i64: Bind<DB>,
    String: Bind<DB>,
    Vec<u8>: Bind<DB>,
{
    // The subject's entries first, always: a subject has few, while a controller has
    // millions of disclosures, and without fresh statistics a planner may start there.
    let mut qb = QueryBuilder::new(
        "WITH e AS MATERIALIZED (SELECT entry_id, disclosure_id FROM subject_entries \
         WHERE subject_hash IN (",
    );
    push_hashes(&mut qb, hashes);
    qb.push(format!(
        ")) SELECT e.entry_id, {DISCLOSURE_COLUMNS} FROM e \
         JOIN disclosures d ON d.id = e.disclosure_id JOIN recipients r ON r.id = d.recipient_id \
         WHERE (d.controller = "
    ));
    qb.push_bind(controller.as_str().to_owned());
    if !joint_registers.is_empty() {
        qb.push(" OR d.register IN (");
        let mut list = qb.separated(", ");
        for register in joint_registers {
            list.push_bind(register.as_str().to_owned());
        }
        qb.push(")");
    }
    qb.push(")");
    push_period(&mut qb, "d.occurred_at", period);
    push_page(&mut qb, ("d.occurred_at", "e.entry_id"), after, limit);
    qb
}

/// A lookup as read, before decoding.
#[derive(sqlx::FromRow)]
pub(super) struct LookupRow {
    id: i64,
    looked_up_at: i64,
    period_from: Option<i64>,
    period_to: Option<i64>,
    operation: i16,
    subject_key_id: i16,
    controller: String,
    requested_by: String,
    case_reference: String,
    subject_hash: Vec<u8>,
    caller: String,
}

impl LookupRow {
    pub fn into_domain(self) -> Result<StoredLookup, StorageError> {
        let bad = |what: &str| StorageError::Corrupt(format!("access lookup {}: {what}", self.id));
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let text = |text: &str| ShortText::parse(text).map_err(|_| bad("text"));
        Ok(StoredLookup {
            id: self.id,
            lookup: NewLookup {
                controller: BusinessId::parse(&self.controller).map_err(|_| bad("controller"))?,
                looked_up_at: time(self.looked_up_at)?,
                operation: LookupOperation::from_code(self.operation.into())
                    .ok_or_else(|| bad("operation"))?,
                context: LookupContext {
                    requested_by: text(&self.requested_by)?,
                    case_reference: text(&self.case_reference)?,
                },
                caller: self.caller,
                subject_key_id: u16::try_from(self.subject_key_id).map_err(|_| bad("key id"))?,
                subject_hash: self
                    .subject_hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| bad("subject hash"))?,
                period: Period {
                    from: self.period_from.map(time).transpose()?,
                    to: self.period_to.map(time).transpose()?,
                },
            },
        })
    }
}

/// A consent as read, before decoding.
#[derive(sqlx::FromRow)]
pub(super) struct ConsentRow {
    id: i64,
    given_at: i64,
    valid_until: Option<i64>,
    withdrawn_at: Option<i64>,
    recorded_at: i64,
    data_categories: i64,
    decision: i16,
    recipient_kind: i16,
    subject_key_id: i16,
    controller: String,
    reference: String,
    recipient_id: Option<String>,
    purpose: String,
    document_reference: String,
    subject_hash: Vec<u8>,
    recorded_by: String,
    withdrawn_by: Option<String>,
}

impl ConsentRow {
    pub fn into_domain(self) -> Result<Consent, StorageError> {
        let bad = |what: &str| StorageError::Corrupt(format!("consent {}: {what}", self.id));
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let short = |text: &str| ShortText::parse(text).map_err(|_| bad("text"));
        Ok(Consent {
            id: self.id,
            terms: ConsentTerms {
                controller: BusinessId::parse(&self.controller).map_err(|_| bad("controller"))?,
                reference: short(&self.reference)?,
                decision: ConsentDecision::from_code(self.decision.into())
                    .ok_or_else(|| bad("decision"))?,
                scope: ConsentScope {
                    recipient_kind: RecipientKind::from_code(self.recipient_kind.into())
                        .ok_or_else(|| bad("recipient kind"))?,
                    recipient_id: self
                        .recipient_id
                        .as_deref()
                        .map(|id| BusinessId::parse(id).map_err(|_| bad("recipient id")))
                        .transpose()?,
                    data_categories: DataCategories::from_mask(self.data_categories)
                        .ok_or_else(|| bad("data categories"))?,
                    purpose: LongText::parse(&self.purpose).map_err(|_| bad("purpose"))?,
                },
                given_at: time(self.given_at)?,
                valid_until: self.valid_until.map(time).transpose()?,
                document_reference: short(&self.document_reference)?,
            },
            withdrawn_at: self.withdrawn_at.map(time).transpose()?,
            recorded_at: time(self.recorded_at)?,
            recorded_by: self.recorded_by,
            withdrawn_by: self.withdrawn_by,
            subject_key_id: u16::try_from(self.subject_key_id).map_err(|_| bad("key id"))?,
            subject_hash: self
                .subject_hash
                .as_slice()
                .try_into()
                .map_err(|_| bad("subject hash"))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RollupRow {
    register: String,
    day: i32,
    recipient_id_type: i16,
    recipient_identifier: String,
    recipient_name: String,
    recipient_kind: i16,
    recipient_country: String,
    classification: i16,
    legal_basis: i16,
    channel: i16,
    data_categories: i64,
    provisions: String,
    disclosures: i64,
    entries: i64,
    first_at: i64,
    last_at: i64,
}

impl RollupRow {
    pub fn into_domain(self) -> Result<RollupEntry, StorageError> {
        let bad = |what: &str| StorageError::Corrupt(format!("rollup of day {}: {what}", self.day));
        let time = |micros| Timestamp::from_micros(micros).map_err(|_| bad("time"));
        let id_type = RecipientIdType::from_code(self.recipient_id_type.into())
            .ok_or_else(|| bad("recipient id type"))?;
        Ok(RollupEntry {
            register: RegisterId::parse(&self.register).map_err(|_| bad("register"))?,
            day: self.day,
            recipient: Recipient {
                identifier: RecipientIdentifier::parse(id_type, &self.recipient_identifier)
                    .map_err(|_| bad("recipient identifier"))?,
                name: ShortText::parse(&self.recipient_name).map_err(|_| bad("recipient"))?,
                kind: RecipientKind::from_code(self.recipient_kind.into())
                    .ok_or_else(|| bad("recipient kind"))?,
                country: Country::parse(&self.recipient_country).map_err(|_| bad("country"))?,
            },
            classification: Classification::from_code(self.classification.into())
                .ok_or_else(|| bad("classification"))?,
            legal_basis: LegalBasis::from_code(self.legal_basis.into())
                .ok_or_else(|| bad("legal basis"))?,
            channel: Channel::from_code(self.channel.into()).ok_or_else(|| bad("channel"))?,
            data_categories: DataCategories::from_mask(self.data_categories)
                .ok_or_else(|| bad("data categories"))?,
            provisions: decode_canonical(&self.provisions).ok_or_else(|| bad("provisions"))?,
            disclosures: self.disclosures,
            entries: self.entries,
            first_at: time(self.first_at)?,
            last_at: time(self.last_at)?,
        })
    }
}

/// One `subject_entries` row as the tree sees it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct EntryRow {
    pub entry_id: i64,
    pub disclosure_id: i64,
    pub subject_hash: Option<Vec<u8>>,
    pub sealed_subject: Option<Vec<u8>>,
    pub leaf_hash: Option<Vec<u8>>,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct CheckpointRow {
    tree_size: i64,
    root_hash: Vec<u8>,
    signed_at: i64,
    note: String,
}

impl CheckpointRow {
    pub fn into_domain(self) -> Result<StoredCheckpoint, StorageError> {
        Ok(StoredCheckpoint {
            size: self.tree_size as u64,
            root: Hash::try_from(self.root_hash.as_slice()).map_err(|_| {
                StorageError::Corrupt(format!("checkpoint {}: root hash", self.tree_size))
            })?,
            signed_at: self.signed_at,
            note: self.note,
        })
    }
}

/// A recorded purge as read.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct PurgeRow {
    purged_at: i64,
    occurred_before: i64,
    entries: i64,
    first_entry_id: Option<i64>,
    last_entry_id: Option<i64>,
    requested_by: String,
}

impl From<PurgeRow> for PurgeRecord {
    fn from(row: PurgeRow) -> Self {
        Self {
            purged_at: row.purged_at,
            occurred_before: row.occurred_before,
            entries: row.entries,
            first_entry_id: row.first_entry_id,
            last_entry_id: row.last_entry_id,
            requested_by: row.requested_by,
        }
    }
}
