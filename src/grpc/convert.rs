//! Proto ↔ domain. Requests are destructured exhaustively, so a new proto field fails the
//! build until it is mapped here; every bad field is collected, none stops the others.

use prost_types::Timestamp as ProtoTimestamp;

use crate::domain::provision::{EuActKind, EuActNumber, Language, Section, StatuteNumber};
use crate::domain::{
    BusinessId, Channel, Classification, Country, DataCategories, DataCategory, Days, DaysError,
    DisclosureDetails, Hetu, LegalBasis, LegalProvision, LongText, LookupContext, NewDisclosure,
    Receipt, Recipient, RecipientIdType, RecipientIdentifier, RecipientKind, RegisterId,
    SafetyAction, SafetyChange, SafetyDecision, ShortText, SpecialCategoryCondition,
    StoredDisclosure, SubjectMarks, Timestamp, TransferId, Violations, Withholding,
    WithholdingAction, WithholdingChange, WithholdingDecision, WithholdingTerms,
};
use crate::domain::{FieldViolation, timestamp::TimestampError};

use crate::domain::finnish_time::parse_day;
use crate::domain::{DisclosureFilter, Period, StoredLookup};
use crate::report::{
    PdfError, ProcessingRecord, ReportRequest, SubjectReport, annex_document, record_document,
    subject_document, to_csv, to_json, to_pdf,
};
use crate::service::{Limits, LookupListing, PageRequest, ProcessingRecordQuery, StatisticsQuery};
use crate::statistics::{Bucket, Dimension, Group};

use super::proto;

/// A timestamp field: `None` when absent.
pub fn timestamp(value: Option<ProtoTimestamp>) -> Result<Option<Timestamp>, TimestampError> {
    value
        .map(|t| Timestamp::from_parts(t.seconds, t.nanos))
        .transpose()
}

fn required_timestamp(value: Option<ProtoTimestamp>) -> Result<Timestamp, TimestampError> {
    timestamp(value)?.ok_or(TimestampError::Missing)
}

pub fn to_proto_timestamp(t: Timestamp) -> ProtoTimestamp {
    let (seconds, nanos) = t.to_parts();
    ProtoTimestamp { seconds, nanos }
}

/// A required enum field: unspecified and unknown values are violations.
fn required_code<T>(code: i32, parse: fn(i32) -> Option<T>) -> Result<T, String> {
    match code {
        0 => Err("is required".into()),
        _ => parse(code).ok_or_else(|| format!("{code} is not a known value")),
    }
}

/// An optional enum field: unspecified is `None`, unknown values are violations.
pub fn optional_code<T>(code: i32, parse: fn(i32) -> Option<T>) -> Result<Option<T>, String> {
    match code {
        0 => Ok(None),
        _ => parse(code)
            .map(Some)
            .ok_or_else(|| format!("{code} is not a known value")),
    }
}

/// Parses a record request into a disclosure, naming every bad field.
pub fn new_disclosure(
    request: proto::RecordDisclosureRequest,
    limits: &Limits,
    now: Timestamp,
) -> Result<NewDisclosure, Vec<FieldViolation>> {
    let proto::RecordDisclosureRequest {
        controller_id,
        transfer_id,
        occurred_at,
        register_id,
        recipient,
        legal_basis,
        special_category_condition,
        provisions,
        data_categories,
        purpose,
        channel,
        source_system,
        consent_reference,
        requester_reference,
        withholding,
        subjects,
        safety_protected_subjects,
    } = request;
    let mut v = Violations::default();

    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let transfer_id = v.check("transfer_id", TransferId::parse(&transfer_id));
    let occurred_at = v.check(
        "occurred_at",
        required_timestamp(occurred_at).and_then(|t| t.not_after(now, limits.max_future_skew_secs)),
    );
    let register = v.check("register_id", RegisterId::parse(&register_id));
    let recipient = match recipient {
        Some(r) => self::recipient(r, &mut v),
        None => {
            v.add("recipient", "is required");
            None
        }
    };
    let legal_basis = v.check(
        "legal_basis",
        required_code(legal_basis, LegalBasis::from_code),
    );
    let special_condition = v.check(
        "special_category_condition",
        optional_code(
            special_category_condition,
            SpecialCategoryCondition::from_code,
        ),
    );
    let provisions: Vec<Option<LegalProvision>> = provisions
        .into_iter()
        .enumerate()
        .map(|(i, p)| provision(p, &format!("provisions[{i}]"), &mut v))
        .collect();
    let categories: Vec<Option<DataCategory>> = data_categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            v.check(
                format!("data_categories[{i}]"),
                required_code(*c, DataCategory::from_code),
            )
        })
        .collect();
    let data_categories = DataCategories::new(categories.iter().flatten().copied());
    if data_categories.is_none() && categories.is_empty() {
        v.add("data_categories", "at least one is required");
    }
    let purpose = v.check("purpose", LongText::parse(&purpose));
    let channel = v.check("channel", required_code(channel, Channel::from_code));
    let source_system = v.check("source_system", ShortText::parse(&source_system));
    let consent_reference = v.check(
        "consent_reference",
        ShortText::parse_optional(&consent_reference),
    );
    let requester_reference = v.check(
        "requester_reference",
        ShortText::parse_optional(&requester_reference),
    );
    let mut terms = WithholdingTerms::default();
    let withholding = withholding.map(|w| {
        let proto::Withholding {
            until,
            reason,
            ground,
            conceal_existence,
        } = w;
        let until = v.check("withholding.until", required_timestamp(until));
        let reason = v.check("withholding.reason", LongText::parse(&reason));
        terms.ground = v
            .check("withholding.ground", LongText::parse_optional(&ground))
            .flatten();
        terms.conceal_existence = conceal_existence;
        until
            .zip(reason)
            .map(|(until, reason)| Withholding { until, reason })
    });

    let subjects: Vec<Option<Hetu>> = subjects
        .iter()
        .enumerate()
        .map(|(i, code)| v.check(format!("subjects[{i}]"), Hetu::parse(code)))
        .collect();
    let marks = SubjectMarks {
        safety_protected: SubjectMarks::safety_positions(
            &safety_protected_subjects,
            subjects.len(),
            &mut v,
        ),
        withholding: terms,
    };

    let details = (|| {
        Some(DisclosureDetails {
            controller: controller?,
            transfer_id: transfer_id?,
            occurred_at: occurred_at?,
            register: register?,
            recipient: recipient?,
            legal_basis: legal_basis?,
            special_condition: special_condition?,
            provisions: provisions.into_iter().collect::<Option<_>>()?,
            data_categories: data_categories.filter(|_| categories.iter().all(Option::is_some))?,
            purpose: purpose?,
            channel: channel?,
            source_system: source_system?,
            consent_reference: consent_reference?,
            requester_reference: requester_reference?,
            withholding: withholding.map_or(Some(None), |w| w.map(Some))?,
        })
    })();
    NewDisclosure::new(details, subjects, limits.max_subjects, v).map(|d| d.with_marks(marks))
}

fn recipient(recipient: proto::Recipient, v: &mut Violations) -> Option<Recipient> {
    let proto::Recipient {
        id_type,
        identifier,
        name,
        kind,
        country,
    } = recipient;
    let id_type = v.check(
        "recipient.id_type",
        required_code(id_type, RecipientIdType::from_code),
    );
    let identifier = id_type.and_then(|t| {
        v.check(
            "recipient.identifier",
            RecipientIdentifier::parse(t, &identifier),
        )
    });
    let name = v.check("recipient.name", ShortText::parse(&name));
    let kind = v.check(
        "recipient.kind",
        required_code(kind, RecipientKind::from_code),
    );
    let country = v.check("recipient.country", Country::parse(&country));
    Some(Recipient {
        identifier: identifier?,
        name: name?,
        kind: kind?,
        country: country?,
    })
}

fn small(field: &str, value: u32, v: &mut Violations) -> Option<Option<u16>> {
    match value {
        0 => Some(None),
        n => v.check(
            field,
            u16::try_from(n).map(Some).map_err(|_| "is too large"),
        ),
    }
}

fn provision(p: proto::LegalProvision, field: &str, v: &mut Violations) -> Option<LegalProvision> {
    let proto::LegalProvision {
        kind,
        number,
        chapter,
        section,
        subsection,
        point,
        title,
        canonical: _,
        readable: _,
    } = p;
    let title = (!title.is_empty()).then_some(title.as_str());
    let kind = v.check(
        format!("{field}.kind"),
        required_code(kind, |k| proto::ProvisionKind::try_from(k).ok()),
    )?;
    let chapter = small(&format!("{field}.chapter"), chapter, v);
    let subsection = small(&format!("{field}.subsection"), subsection, v);
    let built = match kind {
        proto::ProvisionKind::FinnishStatute => {
            let statute = v.check(format!("{field}.number"), StatuteNumber::parse(&number));
            let section = v.check(
                format!("{field}.section"),
                (!section.is_empty())
                    .then(|| Section::parse(&section))
                    .transpose(),
            );
            if !point.is_empty() {
                v.add(format!("{field}.point"), "is only for EU acts");
            }
            LegalProvision::finnish(statute?, chapter?, section?, subsection?, title)
        }
        proto::ProvisionKind::EuRegulation | proto::ProvisionKind::EuDirective => {
            let act = if kind == proto::ProvisionKind::EuRegulation {
                EuActKind::Regulation
            } else {
                EuActKind::Directive
            };
            let number = v.check(format!("{field}.number"), EuActNumber::parse(&number));
            let article = v.check(
                format!("{field}.section"),
                (!section.is_empty())
                    .then(|| {
                        section
                            .parse::<u16>()
                            .map_err(|_| "must be an article number")
                    })
                    .transpose(),
            );
            if chapter.flatten().is_some() {
                v.add(format!("{field}.chapter"), "is only for Finnish statutes");
            }
            let mut letters = point.chars();
            let point = match (letters.next(), letters.next()) {
                (None, _) => Some(None),
                (Some(c), None) => Some(Some(c)),
                _ => {
                    v.add(format!("{field}.point"), "must be one letter");
                    None
                }
            };
            LegalProvision::eu(act, number?, article?, subsection?, point?, title)
        }
        proto::ProvisionKind::Unspecified => unreachable!("rejected as required"),
    };
    v.check(field.to_owned(), built)
}

pub fn provision_to_proto(p: &LegalProvision) -> proto::LegalProvision {
    use crate::domain::provision::LegalProvision as P;
    let title = p.title().unwrap_or_default().to_owned();
    let canonical = p.canonical();
    let readable = p.readable(Language::Fi);
    match p {
        P::FinnishStatute(f) => proto::LegalProvision {
            kind: proto::ProvisionKind::FinnishStatute.into(),
            number: f.statute().to_string(),
            chapter: f.chapter().map_or(0, u32::from),
            section: f.section().map(|s| s.to_string()).unwrap_or_default(),
            subsection: f.subsection().map_or(0, u32::from),
            point: String::new(),
            title,
            canonical,
            readable,
        },
        P::EuAct(e) => proto::LegalProvision {
            kind: match e.kind() {
                EuActKind::Regulation => proto::ProvisionKind::EuRegulation,
                EuActKind::Directive => proto::ProvisionKind::EuDirective,
            }
            .into(),
            number: e.number().to_string(),
            chapter: 0,
            section: e.article().map(|a| a.to_string()).unwrap_or_default(),
            subsection: e.paragraph().map_or(0, u32::from),
            point: e.point().map(String::from).unwrap_or_default(),
            title,
            canonical,
            readable,
        },
    }
}

fn recipient_to_proto(recipient: &Recipient) -> proto::Recipient {
    proto::Recipient {
        id_type: recipient.identifier.id_type().code().into(),
        identifier: recipient.identifier.as_str().to_owned(),
        name: recipient.name.to_string(),
        kind: recipient.kind.code().into(),
        country: recipient.country.to_string(),
    }
}

pub fn receipt_to_proto(receipt: Receipt) -> proto::RecordDisclosureResponse {
    proto::RecordDisclosureResponse {
        disclosure_id: receipt.disclosure_id as u64,
        first_entry_id: receipt.first_entry_id as u64,
        subject_count: receipt.subject_count,
        recorded_at: Some(to_proto_timestamp(receipt.recorded_at)),
    }
}

pub fn disclosure_to_proto(stored: &StoredDisclosure) -> proto::Disclosure {
    let d = &stored.details;
    proto::Disclosure {
        id: stored.id as u64,
        controller_id: d.controller.to_string(),
        transfer_id: d.transfer_id.as_str().to_owned(),
        occurred_at: Some(to_proto_timestamp(d.occurred_at)),
        recorded_at: Some(to_proto_timestamp(stored.recorded_at)),
        register_id: d.register.to_string(),
        recipient: Some(recipient_to_proto(&d.recipient)),
        legal_basis: d.legal_basis.code().into(),
        special_category_condition: d.special_condition.map_or(0, |c| c.code().into()),
        provisions: d.provisions.iter().map(provision_to_proto).collect(),
        data_categories: d.data_categories.iter().map(|c| c.code().into()).collect(),
        purpose: d.purpose.to_string(),
        channel: d.channel.code().into(),
        source_system: d.source_system.to_string(),
        consent_reference: d
            .consent_reference
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        requester_reference: d
            .requester_reference
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        // The leaf's withholding; its ground and flag are in the first decision
        // (ListWithholdingDecisions).
        withholding: d.withholding.as_ref().map(|w| proto::Withholding {
            until: Some(to_proto_timestamp(w.until)),
            reason: w.reason.to_string(),
            ..Default::default()
        }),
        subject_count: stored.subject_count,
        first_entry_id: stored.first_entry_id as u64,
        classification: stored.classification.code().into(),
    }
}

/// A parsed listing request: whose, what, which page.
pub struct Listing<F> {
    pub controller: BusinessId,
    pub filter: F,
    pub page: PageRequest,
}

fn period(
    from: Option<ProtoTimestamp>,
    to: Option<ProtoTimestamp>,
    v: &mut Violations,
) -> Option<Period> {
    named_period(("occurred_from", from), ("occurred_to", to), v)
}

/// A half-open period from two timestamp fields, each named in its violations.
fn named_period(
    (from_field, from): (&str, Option<ProtoTimestamp>),
    (to_field, to): (&str, Option<ProtoTimestamp>),
    v: &mut Violations,
) -> Option<Period> {
    let from = v.check(from_field, timestamp(from));
    let to = v.check(to_field, timestamp(to));
    let (from, to) = (from?, to?);
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        v.add(to_field, format!("must be after {from_field}"));
        return None;
    }
    Some(Period { from, to })
}

/// Parses the required context of a lookup by identity code.
fn lookup_context(
    context: Option<proto::LookupContext>,
    v: &mut Violations,
) -> Option<LookupContext> {
    let proto::LookupContext {
        requested_by,
        case_reference,
    } = context.unwrap_or_default();
    let requested_by = v.check("context.requested_by", ShortText::parse(&requested_by));
    let case_reference = v.check("context.case_reference", ShortText::parse(&case_reference));
    Some(LookupContext {
        requested_by: requested_by?,
        case_reference: case_reference?,
    })
}

/// Parses `text` with `parse` unless it is empty.
fn optional<T, E>(text: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    (!text.is_empty()).then(|| parse(text)).transpose()
}

fn filter_text(text: &str) -> Result<String, String> {
    if text.chars().count() > 200 {
        Err("must be at most 200 characters".into())
    } else {
        Ok(text.to_owned())
    }
}

/// Parses a disclosure listing request, naming every bad field.
pub fn disclosure_listing(
    request: proto::ListDisclosuresRequest,
) -> Result<Listing<DisclosureFilter>, Vec<FieldViolation>> {
    let proto::ListDisclosuresRequest {
        controller_id,
        register_id,
        recipient_identifier,
        legal_basis,
        statute,
        data_category,
        channel,
        transfer_id,
        occurred_from,
        occurred_to,
        page_size: requested_size,
        page_token,
        classification,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let register = v.check("register_id", optional(&register_id, RegisterId::parse));
    let classification = v.check(
        "classification",
        optional_code(classification, Classification::from_code),
    );
    let recipient_identifier = v.check(
        "recipient_identifier",
        optional(&recipient_identifier, filter_text),
    );
    let legal_basis = v.check(
        "legal_basis",
        optional_code(legal_basis, LegalBasis::from_code),
    );
    let statute = v.check("statute", optional(&statute, filter_text));
    let data_category = v.check(
        "data_category",
        optional_code(data_category, DataCategory::from_code),
    );
    let channel = v.check("channel", optional_code(channel, Channel::from_code));
    let transfer_id = v.check("transfer_id", optional(&transfer_id, TransferId::parse));
    let period = period(occurred_from, occurred_to, &mut v);
    let page = v.check("page_size", PageRequest::new(requested_size, page_token));
    let listing = (|| {
        Some(Listing {
            controller: controller?,
            filter: DisclosureFilter {
                register: register?,
                recipient_identifier: recipient_identifier?,
                legal_basis: legal_basis?,
                statute: statute?,
                data_category: data_category?,
                channel: channel?,
                transfer_id: transfer_id?,
                classification: classification?,
                period: period?,
            },
            page: page?,
        })
    })();
    v.finish(listing)
}

/// Parses a subject listing request, naming every bad field; the filter is the subject and
/// the period.
pub fn subject_listing(
    request: proto::ListSubjectDisclosuresRequest,
) -> Result<Listing<(Hetu, Period, LookupContext)>, Vec<FieldViolation>> {
    let proto::ListSubjectDisclosuresRequest {
        controller_id,
        subject,
        occurred_from,
        occurred_to,
        page_size: requested_size,
        page_token,
        context,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let subject = v.check("subject", Hetu::parse(&subject));
    let period = period(occurred_from, occurred_to, &mut v);
    let page = v.check("page_size", PageRequest::new(requested_size, page_token));
    let context = lookup_context(context, &mut v);
    let listing = (|| {
        Some(Listing {
            controller: controller?,
            filter: (subject?, period?, context?),
            page: page?,
        })
    })();
    v.finish(listing)
}

/// Parses a lookup listing request, naming every bad field.
pub fn lookup_listing(
    request: proto::ListAccessLookupsRequest,
) -> Result<Listing<LookupListing>, Vec<FieldViolation>> {
    let proto::ListAccessLookupsRequest {
        controller_id,
        requested_by,
        case_reference,
        subject,
        context,
        looked_up_from,
        looked_up_to,
        page_size: requested_size,
        page_token,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let requested_by = v.check("requested_by", optional(&requested_by, ShortText::parse));
    let case_reference = v.check(
        "case_reference",
        optional(&case_reference, ShortText::parse),
    );
    let subject = match subject.as_str() {
        "" => Some(None),
        code => {
            let subject = v.check("subject", Hetu::parse(code));
            let context = lookup_context(context, &mut v);
            subject.zip(context).map(Some)
        }
    };
    let period = named_period(
        ("looked_up_from", looked_up_from),
        ("looked_up_to", looked_up_to),
        &mut v,
    );
    let page = v.check("page_size", PageRequest::new(requested_size, page_token));
    let listing = (|| {
        Some(Listing {
            controller: controller?,
            filter: LookupListing {
                subject: subject?,
                requested_by: requested_by?,
                case_reference: case_reference?,
                period: period?,
            },
            page: page?,
        })
    })();
    v.finish(listing)
}

pub fn lookup_to_proto(stored: &StoredLookup) -> proto::AccessLookup {
    let lookup = &stored.lookup;
    proto::AccessLookup {
        id: stored.id as u64,
        looked_up_at: Some(to_proto_timestamp(lookup.looked_up_at)),
        operation: lookup.operation.code().into(),
        requested_by: lookup.context.requested_by.to_string(),
        caller: lookup.caller.clone(),
        case_reference: lookup.context.case_reference.to_string(),
        subject_key_id: lookup.subject_key_id.into(),
        subject_hash: lookup.subject_hash.to_vec(),
        occurred_from: lookup.period.from.map(to_proto_timestamp),
        occurred_to: lookup.period.to.map(to_proto_timestamp),
    }
}

/// Parses an access report request, naming every bad field; with whether the PDF is asked for.
pub fn report_request(
    request: proto::SubjectAccessReportRequest,
) -> Result<(ReportRequest, bool), Vec<FieldViolation>> {
    let proto::SubjectAccessReportRequest {
        controller_id,
        subject,
        occurred_from,
        occurred_to,
        language,
        context,
        request_received_date,
        with_pdf,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let subject = v.check("subject", Hetu::parse(&subject));
    let received = match request_received_date.as_str() {
        "" => Some(None),
        text => v
            .check(
                "request_received_date",
                parse_day(text).ok_or("must be a date YYYY-MM-DD"),
            )
            .map(Some),
    };
    let period = period(occurred_from, occurred_to, &mut v);
    let language = v.check(
        "language",
        match proto::ReportLanguage::try_from(language) {
            Ok(proto::ReportLanguage::Fi) => Ok(Language::Fi),
            Ok(proto::ReportLanguage::Sv) => Ok(Language::Sv),
            Ok(proto::ReportLanguage::En) => Ok(Language::En),
            _ => Err("must be FI, SV or EN"),
        },
    );
    let context = lookup_context(context, &mut v);
    let request = (|| {
        Some(ReportRequest {
            controller: controller?,
            subject: subject?,
            period: period?,
            language: language?,
            context: context?,
            received: received?,
        })
    })()
    .map(|request| (request, with_pdf));
    v.finish(request)
}

/// The report and its documents, the PDF when `with_pdf`; only writing the PDF can fail (a
/// bug, not the data).
pub fn report_to_proto(
    report: &SubjectReport,
    with_pdf: bool,
) -> Result<proto::SubjectAccessReportResponse, PdfError> {
    let document = subject_document(report);
    Ok(proto::SubjectAccessReportResponse {
        entries: report
            .entries
            .iter()
            .map(|e| proto::ReportEntry {
                entry_id: e.entry_id as u64,
                occurred_at: Some(to_proto_timestamp(e.occurred_at)),
                register_id: e.register.to_string(),
                register_name: e.register_name.clone().unwrap_or_default(),
                recipient: Some(recipient_to_proto(&e.recipient)),
                provisions: e.provisions.iter().map(provision_to_proto).collect(),
                data_categories: e.data_categories.iter().map(|c| c.code().into()).collect(),
                purpose: e.purpose.clone(),
                purpose_as_recorded: e.purpose_as_recorded,
                recipient_group: e.recipient_group.clone().unwrap_or_default(),
                legal_basis: e.legal_basis.code().into(),
                channel: e.channel.code().into(),
            })
            .collect(),
        withheld_count: report.withheld.len() as u32,
        withheld: report
            .withheld
            .iter()
            .map(|w| proto::WithheldDisclosure {
                occurred_at: Some(to_proto_timestamp(w.occurred_at)),
                withheld_until: Some(to_proto_timestamp(w.until)),
                reason: w.reason.clone(),
                disclosure_id: w.disclosure_id as u64,
                entry_id: w.entry_id as u64,
                ground: w.ground.clone().unwrap_or_default(),
                conceal_existence: w.conceal_existence,
            })
            .collect(),
        html: document.to_html(),
        text: document.to_text(),
        pdf: if with_pdf {
            to_pdf(&document)?
        } else {
            Vec::new()
        },
        generated_at: Some(to_proto_timestamp(report.generated_at)),
    })
}

/// Parses a consent listing: controller, subject and the context of this lookup.
pub fn consent_listing(
    request: proto::ListConsentsRequest,
) -> Result<(BusinessId, Hetu, LookupContext), Vec<FieldViolation>> {
    let proto::ListConsentsRequest {
        controller_id,
        subject,
        context,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let subject = v.check("subject", Hetu::parse(&subject));
    let context = lookup_context(context, &mut v);
    let parsed = (|| Some((controller?, subject?, context?)))();
    v.finish(parsed)
}

/// The Finnish local days from `from_date` to `to_date`, both included.
fn day_range(from_date: &str, to_date: &str, v: &mut Violations) -> Option<Days> {
    let day = |field: &str, text: &str, v: &mut Violations| {
        v.check(field, parse_day(text).ok_or("must be a date YYYY-MM-DD"))
    };
    let from = day("from_date", from_date, v);
    let to = day("to_date", to_date, v);
    v.check(
        "to_date",
        Days::new(from?, to?).map_err(|e| match e {
            DaysError::Reversed => "must not be before from_date".to_owned(),
            DaysError::TooLong => e.to_string(),
        }),
    )
}

/// Parses a statistics request, naming every bad field.
pub fn statistics_query(
    request: proto::DisclosureStatisticsRequest,
) -> Result<StatisticsQuery, Vec<FieldViolation>> {
    let proto::DisclosureStatisticsRequest {
        controller_id,
        register_id,
        from_date,
        to_date,
        group_by,
        bucket,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let register = v.check("register_id", optional(&register_id, RegisterId::parse));
    let days = day_range(&from_date, &to_date, &mut v);
    let mut dimensions = Vec::new();
    for (i, code) in group_by.into_iter().enumerate() {
        let dimension = match proto::StatisticsDimension::try_from(code) {
            Ok(proto::StatisticsDimension::Register) => Ok(Dimension::Register),
            Ok(proto::StatisticsDimension::Recipient) => Ok(Dimension::Recipient),
            Ok(proto::StatisticsDimension::RecipientKind) => Ok(Dimension::RecipientKind),
            Ok(proto::StatisticsDimension::Statute) => Ok(Dimension::Statute),
            Ok(proto::StatisticsDimension::DataCategory) => Ok(Dimension::DataCategory),
            Ok(proto::StatisticsDimension::Channel) => Ok(Dimension::Channel),
            Ok(proto::StatisticsDimension::Classification) => Ok(Dimension::Classification),
            Ok(proto::StatisticsDimension::LegalBasis) => Ok(Dimension::LegalBasis),
            _ => Err("unknown dimension"),
        };
        if let Some(d) = v.check(format!("group_by[{i}]"), dimension) {
            if dimensions.contains(&d) {
                v.add(format!("group_by[{i}]"), "repeats a dimension");
            }
            dimensions.push(d);
        }
    }
    let bucket = v.check(
        "bucket",
        match proto::StatisticsBucket::try_from(bucket) {
            Ok(proto::StatisticsBucket::Unspecified) => Ok(Bucket::Whole),
            Ok(proto::StatisticsBucket::Day) => Ok(Bucket::Day),
            Ok(proto::StatisticsBucket::Month) => Ok(Bucket::Month),
            Err(_) => Err("unknown bucket"),
        },
    );
    let query = (|| {
        Some(StatisticsQuery {
            controller: controller?,
            register: register?,
            days: days?,
            group_by: dimensions,
            bucket: bucket?,
        })
    })();
    v.finish(query)
}

pub fn statistics_to_proto(groups: Vec<Group>) -> proto::DisclosureStatisticsResponse {
    let dimension = |d: Dimension| match d {
        Dimension::Register => proto::StatisticsDimension::Register,
        Dimension::Recipient => proto::StatisticsDimension::Recipient,
        Dimension::RecipientKind => proto::StatisticsDimension::RecipientKind,
        Dimension::Statute => proto::StatisticsDimension::Statute,
        Dimension::DataCategory => proto::StatisticsDimension::DataCategory,
        Dimension::Channel => proto::StatisticsDimension::Channel,
        Dimension::Classification => proto::StatisticsDimension::Classification,
        Dimension::LegalBasis => proto::StatisticsDimension::LegalBasis,
    };
    proto::DisclosureStatisticsResponse {
        groups: groups
            .into_iter()
            .map(|g| proto::StatisticsGroup {
                period: g.period,
                values: g
                    .values
                    .into_iter()
                    .map(|value| proto::StatisticsValue {
                        dimension: dimension(value.dimension).into(),
                        key: value.key,
                        label: value.label,
                    })
                    .collect(),
                disclosures: g.disclosures,
                subject_entries: g.entries,
            })
            .collect(),
    }
}

/// Parses a processing record request: controller, register, the period's days, and the
/// documents' language.
pub fn processing_record_query(
    request: proto::ProcessingRecordRequest,
) -> Result<(ProcessingRecordQuery, Language, bool), Vec<FieldViolation>> {
    let proto::ProcessingRecordRequest {
        controller_id,
        register_id,
        from_date,
        to_date,
        language,
        with_pdf,
    } = request;
    let mut v = Violations::default();
    let language = v.check(
        "language",
        match proto::ReportLanguage::try_from(language) {
            Ok(proto::ReportLanguage::Unspecified | proto::ReportLanguage::Fi) => Ok(Language::Fi),
            Ok(proto::ReportLanguage::Sv) => Ok(Language::Sv),
            Ok(proto::ReportLanguage::En) => Ok(Language::En),
            Err(_) => Err("must be FI, SV or EN"),
        },
    );
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let register = v.check("register_id", RegisterId::parse(&register_id));
    let days = day_range(&from_date, &to_date, &mut v);
    let parsed = (|| {
        Some((
            ProcessingRecordQuery {
                controller: Some(controller?),
                register: register?,
                days: days?,
            },
            language?,
            with_pdf,
        ))
    })();
    v.finish(parsed)
}

/// The record and its documents in `lang`, the PDFs when `with_pdf`; only writing a PDF can
/// fail (a bug, not the data).
pub fn processing_record_to_proto(
    record: &ProcessingRecord,
    lang: Language,
    with_pdf: bool,
) -> Result<proto::ProcessingRecordResponse, PdfError> {
    let pdf = |document: &crate::report::Document| match with_pdf {
        true => to_pdf(document),
        false => Ok(Vec::new()),
    };
    let document = record_document(record, lang);
    let annex = annex_document(record, lang);
    Ok(proto::ProcessingRecordResponse {
        disclosures: record.disclosures,
        subject_entries: record.entries,
        undeclared_recipients: record.undeclared_recipients.clone(),
        undeclared_provisions: record
            .undeclared_provisions
            .iter()
            .map(|(p, r)| format!("{p} (to {r})"))
            .collect(),
        unused_declarations: record.unused_declarations.clone(),
        consent_based_recipients: record
            .consent_based
            .iter()
            .map(|(r, _)| r.clone())
            .collect(),
        third_country_recipients: record.third_countries.clone(),
        json: to_json(record),
        csv: to_csv(record),
        html: document.to_html(),
        text: document.to_text(),
        pdf: pdf(&document)?,
        annex_html: annex.to_html(),
        annex_pdf: pdf(&annex)?,
    })
}

/// Parses a withholding decision, naming every bad field: a reason always, a ground unless
/// it lifts (Tietosuojalaki 1050/2018 34 §: a restriction has its grounds).
pub fn withholding_change(
    request: proto::DecideWithholdingRequest,
) -> Result<WithholdingChange, Vec<FieldViolation>> {
    let proto::DecideWithholdingRequest {
        controller_id,
        disclosure_id,
        until,
        reason,
        ground,
        conceal_existence,
        decided_by,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let until = v.check("until", timestamp(until));
    let reason = v.check("reason", LongText::parse(&reason));
    let ground = v.check("ground", LongText::parse_optional(&ground));
    if let (Some(Some(_)), Some(None)) = (&until, &ground) {
        v.add("ground", "is required to withhold");
    }
    let decided_by = v.check("decided_by", ShortText::parse(&decided_by));
    let change = (|| {
        Some(WithholdingChange {
            controller: controller?,
            disclosure_id,
            until: until?,
            reason: reason?,
            ground: ground?,
            conceal_existence,
            decided_by: decided_by?,
        })
    })();
    v.finish(change)
}

/// Parses a turvakielto decision, naming every bad field.
pub fn safety_change(
    request: proto::DecideSafetyProtectionRequest,
) -> Result<SafetyChange, Vec<FieldViolation>> {
    let proto::DecideSafetyProtectionRequest {
        controller_id,
        subject,
        action,
        reason,
        decided_by,
    } = request;
    let mut v = Violations::default();
    let controller = v.check("controller_id", BusinessId::parse(&controller_id));
    let subject = v.check("subject", Hetu::parse(&subject));
    let action = match proto::SafetyProtectionAction::try_from(action) {
        Ok(proto::SafetyProtectionAction::Mark) => Some(SafetyAction::Mark),
        Ok(proto::SafetyProtectionAction::Lift) => Some(SafetyAction::Lift),
        _ => {
            v.add("action", "must be SAFETY_PROTECTION_ACTION_MARK or _LIFT");
            None
        }
    };
    let reason = v.check("reason", LongText::parse(&reason));
    let decided_by = v.check("decided_by", ShortText::parse(&decided_by));
    let change = (|| {
        Some(SafetyChange {
            controller: controller?,
            subject: subject?,
            action: action?,
            reason: reason?,
            decided_by: decided_by?,
        })
    })();
    v.finish(change)
}

pub fn safety_decision_to_proto(decision: &SafetyDecision) -> proto::SafetyProtectionDecision {
    let action = match decision.action {
        SafetyAction::Mark => proto::SafetyProtectionAction::Mark,
        SafetyAction::Lift => proto::SafetyProtectionAction::Lift,
    };
    proto::SafetyProtectionDecision {
        id: decision.id as u64,
        action: action.into(),
        reason: decision.reason.to_string(),
        decided_at: Some(to_proto_timestamp(decision.decided_at)),
        decided_by: decision.decided_by.to_string(),
        caller: decision.caller.clone(),
    }
}

pub fn withholding_decision_to_proto(stored: &WithholdingDecision) -> proto::WithholdingDecision {
    let d = &stored.decision;
    let action = match d.action {
        WithholdingAction::Initial => proto::WithholdingAction::Initial,
        WithholdingAction::Set => proto::WithholdingAction::Set,
        WithholdingAction::Extend => proto::WithholdingAction::Extend,
        WithholdingAction::Shorten => proto::WithholdingAction::Shorten,
        WithholdingAction::Lift => proto::WithholdingAction::Lift,
    };
    proto::WithholdingDecision {
        id: stored.id as u64,
        disclosure_id: d.disclosure_id as u64,
        action: action.into(),
        until: d.until.map(to_proto_timestamp),
        reason: d.reason.to_string(),
        ground: d
            .ground
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        conceal_existence: d.conceal_existence,
        decided_at: Some(to_proto_timestamp(d.decided_at)),
        decided_by: d.decided_by.clone(),
        caller: d.caller.clone(),
    }
}
