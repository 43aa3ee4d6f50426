//! The `luovutusloki.v1.DisclosureLog` service: thin handlers that convert, call the use
//! case or the store, and convert back.

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tonic::{Request, Response, Status, Streaming};

use crate::catalogue::{Registers, UndeclaredPolicy};
use crate::domain::{
    BusinessId, Classification, DisclosureDetails, Hetu, LookupContext, LookupOperation,
    RegisterId, Timestamp,
};
use crate::ingest::{Admission, Recorded, Recorder};
use crate::report::subject_access_report;
use crate::storage::{Cursor, LookupFilter, NewLookup, Period, Storage};

use super::convert::{self, Listing, disclosure_to_proto, receipt_to_proto};
use super::error::{invalid_argument, invalid_field};
use super::page_token;
use super::proto::{self, disclosure_log_server::DisclosureLog};
use super::register::register_to_proto;

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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_subjects: 100_000,
            max_message_bytes: 64 * 1024 * 1024,
            max_future_skew_secs: 300,
            max_import_messages: 10_000,
            import_concurrency: 64,
        }
    }
}

/// The response header that marks a replayed (already recorded) disclosure.
pub const REPLAYED_HEADER: &str = "x-luovutusloki-replayed";

/// Serves the disclosure log over `S`.
pub struct DisclosureLogService<S> {
    recorder: Recorder,
    store: S,
    registers: Registers,
    limits: Limits,
}

impl<S: Storage> DisclosureLogService<S> {
    pub fn new(recorder: Recorder, store: S, registers: Registers, limits: Limits) -> Self {
        Self {
            recorder,
            store,
            registers,
            limits,
        }
    }

    async fn record(
        &self,
        request: proto::RecordDisclosureRequest,
        admission: Admission,
    ) -> Result<Recorded, Status> {
        let disclosure = convert::new_disclosure(request, &self.limits, Timestamp::now())
            .map_err(invalid_argument)?;
        let classification = self.classify(disclosure.details())?;
        Ok(self
            .recorder
            .record(disclosure, classification, admission)
            .await?)
    }

    /// Records a lookup of `subject` before it is answered: if it cannot be recorded, the
    /// lookup is not made.
    async fn record_lookup(
        &self,
        controller: &BusinessId,
        subject: &Hetu,
        context: LookupContext,
        operation: LookupOperation,
        period: Period,
    ) -> Result<(), Status> {
        let (subject_key_id, subject_hash) = self.recorder.keys().active_hash(subject);
        self.store
            .record_lookup(&NewLookup {
                controller: controller.clone(),
                looked_up_at: Timestamp::now(),
                operation,
                context,
                subject_key_id,
                subject_hash,
                period,
            })
            .await?;
        Ok(())
    }

    /// Checks `details` against its register: the register must be in the catalogue and
    /// the controller one of its controllers; an undeclared disclosure is refused or
    /// flagged as the register says.
    fn classify(&self, details: &DisclosureDetails) -> Result<Classification, Status> {
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
        match register.classify(details) {
            Ok(classification) => Ok(classification),
            Err(_) if register.undeclared == UndeclaredPolicy::Flag => {
                Ok(Classification::Undeclared)
            }
            Err(undeclared) => Err(Status::failed_precondition(format!(
                "register {} declares no such disclosure: {undeclared}",
                details.register
            ))),
        }
    }
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
impl<S: Storage> DisclosureLog for DisclosureLogService<S> {
    async fn record_disclosure(
        &self,
        request: Request<proto::RecordDisclosureRequest>,
    ) -> Result<Response<proto::RecordDisclosureResponse>, Status> {
        let recorded = self
            .record(request.into_inner(), Admission::FailFast)
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
                    import_result(index, self.record(message, Admission::Wait).await)
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
        let proto::GetDisclosureRequest {
            controller_id,
            disclosure_id,
        } = request.into_inner();
        let controller = controller(&controller_id)?;
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
        let Listing {
            controller,
            filter,
            page_size: size,
            page_token,
        } = convert::disclosure_listing(request.into_inner()).map_err(invalid_argument)?;
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
        let Listing {
            controller,
            filter: (subject, period, context),
            page_size: size,
            page_token,
        } = convert::subject_listing(request.into_inner()).map_err(invalid_argument)?;
        self.record_lookup(
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
        let Listing {
            controller,
            filter: listing,
            page_size: size,
            page_token,
        } = convert::lookup_listing(request.into_inner()).map_err(invalid_argument)?;
        let mut filter = LookupFilter {
            requested_by: listing.requested_by,
            case_reference: listing.case_reference,
            subject_hashes: Vec::new(),
            period: listing.period,
        };
        if let Some((subject, context)) = listing.subject {
            self.record_lookup(
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
        let request = convert::report_request(request.into_inner()).map_err(invalid_argument)?;
        let report = subject_access_report(
            &self.store,
            self.recorder.keys(),
            &self.registers.current(),
            request,
            Timestamp::now(),
        )
        .await?;
        Ok(Response::new(convert::report_to_proto(&report)))
    }

    async fn list_registers(
        &self,
        request: Request<proto::ListRegistersRequest>,
    ) -> Result<Response<proto::ListRegistersResponse>, Status> {
        let request = request.into_inner();
        let controller = match request.controller_id.as_str() {
            "" => None,
            id => Some(controller(id)?),
        };
        let catalogue = self.registers.current();
        let registers = catalogue
            .registers()
            .filter(|r| controller.as_ref().is_none_or(|c| r.is_controlled_by(c)))
            .map(|r| register_to_proto(r))
            .collect();
        Ok(Response::new(proto::ListRegistersResponse { registers }))
    }

    async fn get_register(
        &self,
        request: Request<proto::GetRegisterRequest>,
    ) -> Result<Response<proto::Register>, Status> {
        let id = RegisterId::parse(&request.into_inner().register_id)
            .map_err(|e| invalid_field("register_id", e))?;
        match self.registers.current().get(&id) {
            Some(register) => Ok(Response::new(register_to_proto(register))),
            None => Err(Status::not_found(format!(
                "no register {id} in the catalogue"
            ))),
        }
    }

    async fn reload_registers(
        &self,
        _request: Request<proto::ReloadRegistersRequest>,
    ) -> Result<Response<proto::ReloadRegistersResponse>, Status> {
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
