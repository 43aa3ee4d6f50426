//! The `luovutusloki.v1.DisclosureLog` service: thin handlers that convert, call the use
//! case or the store, and convert back.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::{Caller, Role};
use crate::catalogue::{Registers, UndeclaredPolicy};
use crate::consents::{self, ConsentError};
use crate::crypto::SubjectHash;
use crate::domain::finnish_time::date_of_day_number;
use crate::domain::{
    BusinessId, Classification, Consent, ConsentDecision, DisclosureDetails, Hetu, LegalBasis,
    LookupContext, LookupOperation, NewDisclosure, RegisterId, Timestamp,
};
use crate::domain::{Cursor, LookupFilter, Period};
use crate::log::{Admission, Reader, Recorded, Recorder};
use crate::lookups;
use crate::report::{processing_record, subject_access_report};
use crate::statistics;
use crate::storage::Store;
use crate::storage::prelude::*;

use super::consent;
use super::convert::{self, Listing, disclosure_to_proto, receipt_to_proto};
use super::error::{invalid_argument, invalid_field};
use super::page_token;
use super::proto::{self, disclosure_log_server::DisclosureLog};
use super::register::register_to_proto;
use super::transparency;

/// Request limits, documented in the proto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Most data subjects in one disclosure.
    pub max_subjects: usize,
    /// Largest request message in bytes.
    pub max_message_bytes: usize,
    /// How far in the future occurred_at may be, in seconds (clock skew between systems).
    pub max_future_skew_secs: i64,
    /// Most messages in one import stream.
    pub max_import_messages: usize,
    /// Import messages being recorded at once, so one stream fills group-commit batches.
    pub import_concurrency: usize,
    /// Calls served at once across all callers; beyond it, RESOURCE_EXHAUSTED.
    pub max_concurrent_calls: usize,
    /// Each caller's sustained calls per second; 0: unlimited.
    pub caller_calls_per_second: u32,
    /// Calls a caller may make at once above its rate; 0: as many as one second's rate.
    pub caller_burst: u32,
    /// Longest a call may run, in seconds, whatever deadline the caller sets (a shorter
    /// `grpc-timeout` of the caller's is honoured).
    pub max_call_secs: u64,
    /// The pause suggested (RetryInfo) when a call is refused for overload, in milliseconds.
    pub retry_after_ms: u64,
}

impl Limits {
    /// Each caller's rate and burst, if callers are rate-limited.
    pub fn caller_rate(&self) -> crate::auth::CallerRate {
        let per_second = std::num::NonZeroU32::new(self.caller_calls_per_second)?;
        let burst = std::num::NonZeroU32::new(self.caller_burst).unwrap_or(per_second);
        Some((per_second, burst))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_subjects: 100_000,
            max_message_bytes: 64 * 1024 * 1024,
            max_future_skew_secs: 300,
            max_import_messages: 10_000,
            import_concurrency: 64,
            max_concurrent_calls: 1024,
            caller_calls_per_second: 0,
            caller_burst: 0,
            max_call_secs: 300,
            retry_after_ms: 100,
        }
    }
}

/// The response header that marks a replayed (already recorded) disclosure.
pub const REPLAYED_HEADER: &str = "x-luovutusloki-replayed";

/// Serves the disclosure log over a store.
pub struct DisclosureLogService {
    recorder: Recorder,
    store: Store,
    registers: Registers,
    limits: Limits,
}

impl DisclosureLogService {
    pub fn new(recorder: Recorder, store: Store, registers: Registers, limits: Limits) -> Self {
        Self {
            recorder,
            store,
            registers,
            limits,
        }
    }

    async fn record(
        &self,
        caller: &Caller,
        mut request: proto::RecordDisclosureRequest,
        admission: Admission,
    ) -> Result<Recorded, Status> {
        source_system_of(caller, &mut request.source_system)?;
        let disclosure = convert::new_disclosure(request, &self.limits, Timestamp::now())
            .map_err(invalid_argument)?;
        let details = disclosure.details();
        caller.authorize(Role::Recorder, &details.controller, Some(&details.register))?;
        let (classification, needs_consent) = self.classify(details)?;
        if needs_consent {
            self.check_consents(&disclosure).await?;
        }
        Ok(self
            .recorder
            .record(disclosure, classification, admission)
            .await?)
    }

    /// Stores a consent or refusal; the same one again returns what is stored.
    async fn store_consent(
        &self,
        request: Request<proto::RecordConsentRequest>,
        decision: ConsentDecision,
    ) -> Result<Response<proto::Consent>, Status> {
        let caller = caller(&request)?;
        let parsed =
            consent::consent_request(request.into_inner(), decision).map_err(invalid_argument)?;
        caller.authorize(Role::Recorder, &parsed.terms.controller, None)?;
        let stored = consents::store(
            &self.store,
            self.recorder.keys(),
            caller.name(),
            parsed.terms,
            &parsed.subject,
            Timestamp::now(),
        )
        .await?;
        Ok(Response::new(consent::consent_to_proto(&stored)))
    }

    /// Checks that each subject of `disclosure` has a consent in force at occurred-at that
    /// covers the recipient and every data category. With one subject and a consent
    /// reference, the referenced consent must be that one, and the refusal says what is
    /// wrong with it; with several, each subject needs a consent of their own.
    async fn check_consents(&self, disclosure: &NewDisclosure) -> Result<(), Status> {
        let d = disclosure.details();
        let keys = self.recorder.keys();
        let subjects: Vec<Vec<SubjectHash>> = disclosure
            .subjects()
            .iter()
            .map(|s| keys.lookup_hashes(s))
            .collect();
        if let ([hashes], Some(reference)) = (subjects.as_slice(), &d.consent_reference) {
            let consent = self.store.get_consent(&d.controller, reference).await?;
            let reason = match consent {
                None => Some(format!(
                    "there is no consent {reference} of this controller"
                )),
                Some(consent) => why_not_covered(&consent, hashes, d),
            };
            return match reason {
                None => Ok(()),
                Some(reason) => Err(Status::failed_precondition(format!(
                    "consent_reference: {reason}"
                ))),
            };
        }
        let all: Vec<SubjectHash> = subjects.iter().flatten().copied().collect();
        let consents = self.store.consents_of(&d.controller, &all).await?;
        let uncovered: Vec<usize> = subjects
            .iter()
            .enumerate()
            .filter(|(_, hashes)| {
                !consents
                    .iter()
                    .any(|c| why_not_covered(c, hashes, d).is_none())
            })
            .map(|(i, _)| i)
            .collect();
        if uncovered.is_empty() {
            return Ok(());
        }
        let shown: Vec<String> = uncovered
            .iter()
            .take(20)
            .map(|i| format!("subjects[{i}]"))
            .collect();
        let more = uncovered.len().saturating_sub(shown.len());
        Err(Status::failed_precondition(format!(
            "no consent in force at occurred_at covers the recipient and every data category \
             for {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )))
    }

    /// Records a lookup of `subject` before it is answered: if it cannot be recorded, the
    /// lookup is not made.
    async fn record_lookup(
        &self,
        caller: &Caller,
        controller: &BusinessId,
        subject: &Hetu,
        context: LookupContext,
        operation: LookupOperation,
        period: Period,
    ) -> Result<(), Status> {
        lookups::record(
            &self.store,
            self.recorder.keys(),
            caller.name(),
            controller,
            subject,
            (context, operation, period),
            Timestamp::now(),
        )
        .await?;
        Ok(())
    }

    /// Checks `details` against its register: the register must be in the catalogue and
    /// the controller one of its controllers; an undeclared disclosure is refused or
    /// flagged as the register says.
    fn classify(&self, details: &DisclosureDetails) -> Result<(Classification, bool), Status> {
        let catalogue = self.registers.current();
        let register = catalogue.get(&details.register).ok_or_else(|| {
            Status::failed_precondition(format!(
                "register {} is not in the register catalogue",
                details.register
            ))
        })?;
        if !register.is_controlled_by(&details.controller) {
            return Err(Status::failed_precondition(format!(
                "{} is not a controller of register {}",
                details.controller, details.register
            )));
        }
        let needs_consent =
            details.legal_basis == LegalBasis::Consent || register.requires_consent(details);
        match register.classify(details) {
            Ok(classification) => Ok((classification, needs_consent)),
            Err(_) if register.undeclared == UndeclaredPolicy::Flag => {
                Ok((Classification::Undeclared, needs_consent))
            }
            Err(undeclared) => Err(Status::failed_precondition(format!(
                "register {} declares no such disclosure: {undeclared}",
                details.register
            ))),
        }
    }
}

/// The caller the authentication interceptor attached to `request`, who must have presented
/// credentials (or be the local caller of an open service): a call without them is refused
/// before its request is even read.
fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    let caller = any_caller(request)?;
    caller.authenticated_or_local()?;
    Ok(caller)
}

/// The caller, with or without credentials: for the calls verification may make public.
fn any_caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| {
            tracing::error!("a call reached the service without passing authentication");
            Status::internal("internal error")
        })
}

/// An authenticated caller records as itself: an empty source system becomes its name, and
/// another name is refused. The local caller of an open service names its own.
fn source_system_of(caller: &Caller, source_system: &mut String) -> Result<(), Status> {
    if !caller.is_authenticated() {
        return Ok(());
    }
    if source_system.is_empty() {
        caller.name().clone_into(source_system);
    }
    if source_system != caller.name() {
        return Err(Status::permission_denied(format!(
            "caller {} records as source system {0}, not as another",
            caller.name()
        )));
    }
    Ok(())
}

fn controller(id: &str) -> Result<BusinessId, Status> {
    BusinessId::parse(id).map_err(|e| invalid_field("controller_id", e))
}

fn import_result(index: usize, outcome: Result<Recorded, Status>) -> proto::ImportResult {
    let index = index as u32;
    match outcome {
        Ok(recorded) => proto::ImportResult {
            index,
            code: tonic::Code::Ok as i32,
            recorded: Some(receipt_to_proto(recorded.receipt)),
            replayed: recorded.replayed,
            ..Default::default()
        },
        Err(status) => {
            use tonic_types::StatusExt;
            let violations = status
                .get_details_bad_request()
                .map(|bad| {
                    bad.field_violations
                        .into_iter()
                        .map(|v| proto::FieldViolation {
                            field: v.field,
                            description: v.description,
                        })
                        .collect()
                })
                .unwrap_or_default();
            proto::ImportResult {
                index,
                code: status.code() as i32,
                message: status.message().to_owned(),
                violations,
                ..Default::default()
            }
        }
    }
}

#[tonic::async_trait]
impl DisclosureLog for DisclosureLogService {
    async fn record_disclosure(
        &self,
        request: Request<proto::RecordDisclosureRequest>,
    ) -> Result<Response<proto::RecordDisclosureResponse>, Status> {
        let caller = caller(&request)?;
        let recorded = self
            .record(&caller, request.into_inner(), Admission::FailFast)
            .await?;
        let mut response = Response::new(receipt_to_proto(recorded.receipt));
        if recorded.replayed {
            response
                .metadata_mut()
                .insert(REPLAYED_HEADER, "true".parse().expect("valid header"));
        }
        Ok(response)
    }

    async fn import_disclosures(
        &self,
        request: Request<Streaming<proto::RecordDisclosureRequest>>,
    ) -> Result<Response<proto::ImportDisclosuresResponse>, Status> {
        let caller = caller(&request)?;
        let caller = &caller;
        let mut stream = request.into_inner();
        let mut results = Vec::new();
        let mut in_flight = FuturesOrdered::new();
        let mut received = 0usize;
        // Keep `import_concurrency` messages in the writer's queue at once, in order.
        while let Some(message) = stream.next().await {
            let message = message?;
            let index = received;
            received += 1;
            if index >= self.limits.max_import_messages {
                let status = Status::resource_exhausted(format!(
                    "an import stream takes at most {} messages; send the rest in another stream",
                    self.limits.max_import_messages
                ));
                in_flight.push_back(futures_util::future::Either::Left(async move {
                    import_result(index, Err(status))
                }));
            } else {
                in_flight.push_back(futures_util::future::Either::Right(async move {
                    import_result(index, self.record(caller, message, Admission::Wait).await)
                }));
            }
            while in_flight.len() >= self.limits.import_concurrency.max(1) {
                results.push(in_flight.next().await.expect("not empty"));
            }
        }
        while let Some(result) = in_flight.next().await {
            results.push(result);
        }
        let count = |pred: fn(&proto::ImportResult) -> bool| {
            results.iter().filter(|r| pred(r)).count() as u32
        };
        Ok(Response::new(proto::ImportDisclosuresResponse {
            recorded: count(|r| r.code == 0 && !r.replayed),
            replayed: count(|r| r.code == 0 && r.replayed),
            failed: count(|r| r.code != 0),
            results,
        }))
    }

    async fn get_disclosure(
        &self,
        request: Request<proto::GetDisclosureRequest>,
    ) -> Result<Response<proto::Disclosure>, Status> {
        let caller = caller(&request)?;
        let proto::GetDisclosureRequest {
            controller_id,
            disclosure_id,
        } = request.into_inner();
        let controller = controller(&controller_id)?;
        caller.authorize(Role::Auditor, &controller, None)?;
        let id =
            i64::try_from(disclosure_id).map_err(|_| Status::not_found("no such disclosure"))?;
        match self.store.get_disclosure(&controller, id).await? {
            Some(found) => Ok(Response::new(disclosure_to_proto(&found))),
            None => Err(Status::not_found("no such disclosure")),
        }
    }

    async fn list_disclosures(
        &self,
        request: Request<proto::ListDisclosuresRequest>,
    ) -> Result<Response<proto::ListDisclosuresResponse>, Status> {
        let caller = caller(&request)?;
        let Listing {
            controller,
            filter,
            page_size: size,
            page_token,
        } = convert::disclosure_listing(request.into_inner()).map_err(invalid_argument)?;
        caller.authorize(Role::Auditor, &controller, filter.register.as_ref())?;
        let query = format!("{controller}|{filter:?}");
        let after =
            page_token::decode(&page_token, &query).map_err(|e| invalid_field("page_token", e))?;
        let mut found = self
            .store
            .list_disclosures(&controller, &filter, after, size + 1)
            .await?;
        let next_page_token = next_token(&mut found, size, &query, |d| Cursor {
            occurred_at: d.details.occurred_at.micros(),
            id: d.id,
        });
        Ok(Response::new(proto::ListDisclosuresResponse {
            disclosures: found.iter().map(disclosure_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn list_subject_disclosures(
        &self,
        request: Request<proto::ListSubjectDisclosuresRequest>,
    ) -> Result<Response<proto::ListSubjectDisclosuresResponse>, Status> {
        let caller = caller(&request)?;
        let Listing {
            controller,
            filter: (subject, period, context),
            page_size: size,
            page_token,
        } = convert::subject_listing(request.into_inner()).map_err(invalid_argument)?;
        caller.authorize(Role::SubjectAccess, &controller, None)?;
        self.record_lookup(
            &caller,
            &controller,
            &subject,
            context,
            LookupOperation::ListSubjectDisclosures,
            period,
        )
        .await?;
        let hashes = self.recorder.keys().lookup_hashes(&subject);
        // The hashes bind the token to this subject without putting the code in it.
        let query = format!("{controller}|{}|{period:?}", hex::encode(hashes[0]));
        let after =
            page_token::decode(&page_token, &query).map_err(|e| invalid_field("page_token", e))?;
        let mut found = self
            .store
            .list_subject_disclosures(&controller, &hashes, period, after, size + 1)
            .await?;
        let next_page_token = next_token(&mut found, size, &query, |s| Cursor {
            occurred_at: s.disclosure.details.occurred_at.micros(),
            id: s.entry_id,
        });
        Ok(Response::new(proto::ListSubjectDisclosuresResponse {
            disclosures: found
                .iter()
                .map(|s| proto::SubjectDisclosure {
                    entry_id: s.entry_id as u64,
                    disclosure: Some(disclosure_to_proto(&s.disclosure)),
                })
                .collect(),
            next_page_token,
        }))
    }

    async fn list_access_lookups(
        &self,
        request: Request<proto::ListAccessLookupsRequest>,
    ) -> Result<Response<proto::ListAccessLookupsResponse>, Status> {
        let caller = caller(&request)?;
        let Listing {
            controller,
            filter: listing,
            page_size: size,
            page_token,
        } = convert::lookup_listing(request.into_inner()).map_err(invalid_argument)?;
        // Filtering by identity code is itself a lookup of that person.
        let role = match listing.subject {
            Some(_) => Role::SubjectAccess,
            None => Role::Auditor,
        };
        caller.authorize(role, &controller, None)?;
        let mut filter = LookupFilter {
            requested_by: listing.requested_by,
            case_reference: listing.case_reference,
            subject_hashes: Vec::new(),
            period: listing.period,
        };
        if let Some((subject, context)) = listing.subject {
            self.record_lookup(
                &caller,
                &controller,
                &subject,
                context,
                LookupOperation::ListAccessLookups,
                Period::default(),
            )
            .await?;
            filter.subject_hashes = self.recorder.keys().lookup_hashes(&subject);
        }
        // The hashes bind the token to the subject without putting the code in it.
        let query = format!("{controller}|{filter:?}");
        let after =
            page_token::decode(&page_token, &query).map_err(|e| invalid_field("page_token", e))?;
        let mut found = self
            .store
            .list_lookups(&controller, &filter, after, size + 1)
            .await?;
        let next_page_token = next_token(&mut found, size, &query, |l| Cursor {
            occurred_at: l.lookup.looked_up_at.micros(),
            id: l.id,
        });
        Ok(Response::new(proto::ListAccessLookupsResponse {
            lookups: found.iter().map(convert::lookup_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn subject_access_report(
        &self,
        request: Request<proto::SubjectAccessReportRequest>,
    ) -> Result<Response<proto::SubjectAccessReportResponse>, Status> {
        let caller = caller(&request)?;
        let request = convert::report_request(request.into_inner()).map_err(invalid_argument)?;
        caller.authorize(Role::SubjectAccess, &request.controller, None)?;
        let report = subject_access_report(
            &self.store,
            self.recorder.keys(),
            caller.name(),
            &self.registers.current(),
            request,
            Timestamp::now(),
        )
        .await?;
        Ok(Response::new(convert::report_to_proto(&report)))
    }

    async fn record_consent(
        &self,
        request: Request<proto::RecordConsentRequest>,
    ) -> Result<Response<proto::Consent>, Status> {
        self.store_consent(request, ConsentDecision::Given).await
    }

    async fn record_consent_refusal(
        &self,
        request: Request<proto::RecordConsentRequest>,
    ) -> Result<Response<proto::Consent>, Status> {
        self.store_consent(request, ConsentDecision::Refused).await
    }

    async fn withdraw_consent(
        &self,
        request: Request<proto::WithdrawConsentRequest>,
    ) -> Result<Response<proto::Consent>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let (controller, reference) =
            consent::consent_key(&request.controller_id, &request.reference)
                .map_err(invalid_argument)?;
        caller.authorize(Role::Recorder, &controller, None)?;
        let at = convert::timestamp(request.withdrawn_at)
            .map_err(|e| invalid_field("withdrawn_at", e))?
            .unwrap_or_else(Timestamp::now);
        let withdrawn =
            consents::withdraw(&self.store, caller.name(), &controller, &reference, at).await?;
        Ok(Response::new(consent::consent_to_proto(&withdrawn)))
    }

    async fn get_consent(
        &self,
        request: Request<proto::GetConsentRequest>,
    ) -> Result<Response<proto::Consent>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let (controller, reference) =
            consent::consent_key(&request.controller_id, &request.reference)
                .map_err(invalid_argument)?;
        caller.authorize_one_of(&[Role::Recorder, Role::Auditor], &controller)?;
        match self.store.get_consent(&controller, &reference).await? {
            Some(found) => Ok(Response::new(consent::consent_to_proto(&found))),
            None => Err(Status::not_found(format!("no consent {reference}"))),
        }
    }

    async fn list_consents(
        &self,
        request: Request<proto::ListConsentsRequest>,
    ) -> Result<Response<proto::ListConsentsResponse>, Status> {
        let caller = caller(&request)?;
        let (controller, subject, context) =
            convert::consent_listing(request.into_inner()).map_err(invalid_argument)?;
        caller.authorize(Role::SubjectAccess, &controller, None)?;
        let listed = consents::list(
            &self.store,
            self.recorder.keys(),
            caller.name(),
            &controller,
            &subject,
            context,
            Timestamp::now(),
        )
        .await?;
        Ok(Response::new(proto::ListConsentsResponse {
            consents: listed.iter().map(consent::consent_to_proto).collect(),
        }))
    }

    async fn disclosure_statistics(
        &self,
        request: Request<proto::DisclosureStatisticsRequest>,
    ) -> Result<Response<proto::DisclosureStatisticsResponse>, Status> {
        let caller = caller(&request)?;
        let query = convert::statistics_query(request.into_inner()).map_err(invalid_argument)?;
        caller.authorize(Role::Auditor, &query.controller, query.register.as_ref())?;
        let rows = self
            .store
            .rollup(&query.controller, query.register.as_ref(), query.days)
            .await?;
        let groups = statistics::aggregate(&rows, &query.group_by, query.bucket);
        Ok(Response::new(convert::statistics_to_proto(groups)))
    }

    async fn processing_record(
        &self,
        request: Request<proto::ProcessingRecordRequest>,
    ) -> Result<Response<proto::ProcessingRecordResponse>, Status> {
        let caller = caller(&request)?;
        let (controller, register_id, days) =
            convert::processing_record_query(request.into_inner()).map_err(invalid_argument)?;
        caller.authorize(Role::Auditor, &controller, Some(&register_id))?;
        let catalogue = self.registers.current();
        let register = catalogue.get(&register_id).ok_or_else(|| {
            Status::not_found(format!("no register {register_id} in the catalogue"))
        })?;
        if !register.is_controlled_by(&controller) {
            return Err(Status::failed_precondition(format!(
                "{controller} is not a controller of register {register_id}"
            )));
        }
        let rows = self
            .store
            .rollup(&controller, Some(&register_id), days.clone())
            .await?;
        let record = processing_record(
            Arc::clone(register),
            &rows,
            (
                date_of_day_number(days.start),
                date_of_day_number(days.end - 1),
            ),
            Timestamp::now(),
        );
        Ok(Response::new(convert::processing_record_to_proto(&record)))
    }

    async fn list_registers(
        &self,
        request: Request<proto::ListRegistersRequest>,
    ) -> Result<Response<proto::ListRegistersResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let controller = match request.controller_id.as_str() {
            "" => None,
            id => Some(controller(id)?),
        };
        if let Some(controller) = &controller
            && !caller.acts_for(controller)
        {
            return Err(Status::permission_denied(format!(
                "caller {} does not act for controller {controller}",
                caller.name()
            )));
        }
        let catalogue = self.registers.current();
        // Each caller sees its own controllers' registers (joint controllers both do).
        let registers = catalogue
            .registers()
            .filter(|r| controller.as_ref().is_none_or(|c| r.is_controlled_by(c)))
            .filter(|r| r.controller_ids().any(|c| caller.acts_for(c)))
            .map(|r| register_to_proto(r))
            .collect();
        Ok(Response::new(proto::ListRegistersResponse { registers }))
    }

    async fn get_register(
        &self,
        request: Request<proto::GetRegisterRequest>,
    ) -> Result<Response<proto::Register>, Status> {
        let caller = caller(&request)?;
        let id = RegisterId::parse(&request.into_inner().register_id)
            .map_err(|e| invalid_field("register_id", e))?;
        match self.registers.current().get(&id) {
            Some(register) if register.controller_ids().any(|c| caller.acts_for(c)) => {
                Ok(Response::new(register_to_proto(register)))
            }
            // Another controller's register is refused as an unknown one is: whether it
            // exists is not this caller's business.
            _ if caller.is_authenticated() => Err(Status::permission_denied(format!(
                "register {id} is not a register of caller {}'s controllers",
                caller.name()
            ))),
            _ => Err(Status::not_found(format!(
                "no register {id} in the catalogue"
            ))),
        }
    }

    async fn reload_registers(
        &self,
        request: Request<proto::ReloadRegistersRequest>,
    ) -> Result<Response<proto::ReloadRegistersResponse>, Status> {
        caller(&request)?.authorize_anywhere(Role::Admin)?;
        match self.registers.reload() {
            Ok(catalogue) => {
                tracing::info!(registers = catalogue.len(), "register catalogue reloaded");
                Ok(Response::new(proto::ReloadRegistersResponse {
                    register_count: catalogue.len() as u32,
                }))
            }
            Err(error) => {
                tracing::warn!(%error, "register catalogue not reloaded; the one in force stays");
                Err(Status::failed_precondition(error.to_string()))
            }
        }
    }
    async fn get_checkpoint(
        &self,
        request: Request<proto::GetCheckpointRequest>,
    ) -> Result<Response<proto::Checkpoint>, Status> {
        any_caller(&request)?.authorize_anywhere(Role::Verifier)?;
        let proto::GetCheckpointRequest { tree_size } = request.into_inner();
        Ok(Response::new(
            transparency::checkpoint(&self.store, tree_size).await?,
        ))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<proto::GetInclusionProofRequest>,
    ) -> Result<Response<proto::InclusionProof>, Status> {
        let caller = caller(&request)?;
        let proto::GetInclusionProofRequest {
            controller_id,
            entry_id,
            tree_size,
        } = request.into_inner();
        let controller = controller(&controller_id)?;
        caller.authorize(Role::Verifier, &controller, None)?;
        let leaf = transparency::entry_leaf(&self.store, &controller, entry_id, false).await?;
        let leaf = transparency::leaf_to_proto(leaf)?;
        match Reader::new(&self.store)
            .inclusion_proof(entry_id, tree_size)
            .await?
        {
            Some(hashes) => Ok(Response::new(proto::InclusionProof {
                entry_id,
                tree_size,
                leaf_hash: leaf.leaf_hash,
                hashes: hashes.iter().map(|h| h.to_vec()).collect(),
            })),
            None => Err(Status::out_of_range(
                "tree_size must be above entry_id and at most the integrated tree's size",
            )),
        }
    }

    async fn get_consistency_proof(
        &self,
        request: Request<proto::GetConsistencyProofRequest>,
    ) -> Result<Response<proto::ConsistencyProof>, Status> {
        any_caller(&request)?.authorize_anywhere(Role::Verifier)?;
        let proto::GetConsistencyProofRequest { old_size, new_size } = request.into_inner();
        match Reader::new(&self.store)
            .consistency_proof(old_size, new_size)
            .await?
        {
            Some(hashes) => Ok(Response::new(proto::ConsistencyProof {
                old_size,
                new_size,
                hashes: hashes.iter().map(|h| h.to_vec()).collect(),
            })),
            None => Err(Status::out_of_range(
                "need 0 < old_size <= new_size <= the integrated tree's size",
            )),
        }
    }

    async fn get_entry_leaf(
        &self,
        request: Request<proto::GetEntryLeafRequest>,
    ) -> Result<Response<proto::EntryLeaf>, Status> {
        let caller = caller(&request)?;
        let proto::GetEntryLeafRequest {
            controller_id,
            entry_id,
        } = request.into_inner();
        let controller = controller(&controller_id)?;
        caller.authorize(Role::Verifier, &controller, None)?;
        let leaf = transparency::entry_leaf(&self.store, &controller, entry_id, true).await?;
        Ok(Response::new(transparency::leaf_to_proto(leaf)?))
    }
}

impl From<ConsentError> for Status {
    fn from(error: ConsentError) -> Self {
        match error {
            ConsentError::ReferenceTaken(_) => Status::already_exists(error.to_string()),
            ConsentError::NotFound(_) => Status::not_found(error.to_string()),
            ConsentError::Refusal(_) => Status::failed_precondition(error.to_string()),
            ConsentError::Storage(storage) => storage.into(),
        }
    }
}

/// Why `consent` does not let `disclosure` be made to the subject with `hashes`, if it
/// does not.
fn why_not_covered(
    consent: &Consent,
    hashes: &[SubjectHash],
    disclosure: &DisclosureDetails,
) -> Option<String> {
    let terms = &consent.terms;
    let reference = &terms.reference;
    let at = disclosure.occurred_at;
    if !hashes.contains(&consent.subject_hash) {
        return Some(format!("consent {reference} is another data subject's"));
    }
    if terms.decision == ConsentDecision::Refused {
        return Some(format!("{reference} records a refusal of consent"));
    }
    if terms.given_at > at {
        return Some(format!("consent {reference} was given after occurred_at"));
    }
    if terms.valid_until.is_some_and(|until| until <= at) {
        return Some(format!("consent {reference} had expired by occurred_at"));
    }
    if consent.withdrawn_at.is_some_and(|w| w <= at) {
        return Some(format!(
            "consent {reference} was withdrawn before occurred_at"
        ));
    }
    let scope = &terms.scope;
    if !scope.covers_recipient(&disclosure.recipient) {
        return Some(format!("consent {reference} does not cover the recipient"));
    }
    let missing: Vec<&str> = disclosure
        .data_categories
        .iter()
        .filter(|c| !scope.data_categories.contains(*c))
        .map(|c| c.label())
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "consent {reference} does not cover data categories {}",
            missing.join(", ")
        ));
    }
    None
}

/// Trims a `size + 1` fetch to `size` and returns the token for the next page, if any.
fn next_token<T>(
    found: &mut Vec<T>,
    size: u32,
    query: &str,
    cursor: impl Fn(&T) -> Cursor,
) -> String {
    if found.len() > size as usize {
        found.truncate(size as usize);
        found
            .last()
            .map(|last| page_token::encode(cursor(last), query))
            .unwrap_or_default()
    } else {
        String::new()
    }
}
