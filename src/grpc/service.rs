//! The `luovutusloki.v1.DisclosureLog` service: each handler converts the request, calls
//! one use case of [`crate::service`], and converts the answer back. No rule lives here.

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::Caller;
use crate::domain::{BusinessId, ConsentDecision, RegisterId};
use crate::log::{Admission, Recorded};
use crate::service::{Services, SubjectListing};

use super::consent;
use super::convert::{self, Listing, disclosure_to_proto, receipt_to_proto};
use super::error::{invalid_argument, invalid_field};
use super::proto::{self, disclosure_log_server::DisclosureLog};
use super::register::register_to_proto;
use super::transparency;

/// The response header that marks a replayed (already recorded) disclosure.
pub const REPLAYED_HEADER: &str = "x-luovutusloki-replayed";

/// Serves the disclosure log's use cases over gRPC.
pub struct DisclosureLogService {
    services: Services,
}

impl DisclosureLogService {
    pub fn new(services: Services) -> Self {
        Self { services }
    }

    async fn record(
        &self,
        caller: &Caller,
        request: proto::RecordDisclosureRequest,
        admission: Admission,
    ) -> Result<Recorded, Status> {
        let mut request = request;
        let source_system = self
            .services
            .source_system_for(caller, &request.source_system)?;
        // Only an empty one changes (to the caller's name); the usual call allocates nothing.
        if source_system != request.source_system {
            request.source_system = source_system.to_owned();
        }
        let disclosure =
            convert::new_disclosure(request, self.services.limits(), self.services.now())
                .map_err(invalid_argument)?;
        Ok(self
            .services
            .record_disclosure(caller, disclosure, admission)
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
        let stored = self
            .services
            .store_consent(&caller, parsed.terms, &parsed.subject)
            .await?;
        Ok(Response::new(consent::consent_to_proto(&stored)))
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
        let limits = *self.services.limits();
        let mut stream = request.into_inner();
        let mut results = Vec::new();
        let mut in_flight = FuturesOrdered::new();
        let mut received = 0usize;
        // Keep `import_concurrency` messages in the writer's queue at once, in order.
        while let Some(message) = stream.next().await {
            let message = message?;
            let index = received;
            received += 1;
            if index >= limits.max_import_messages {
                let status = Status::resource_exhausted(format!(
                    "an import stream takes at most {} messages; send the rest in another stream",
                    limits.max_import_messages
                ));
                in_flight.push_back(futures_util::future::Either::Left(async move {
                    import_result(index, Err(status))
                }));
            } else {
                in_flight.push_back(futures_util::future::Either::Right(async move {
                    import_result(index, self.record(caller, message, Admission::Wait).await)
                }));
            }
            while in_flight.len() >= limits.import_concurrency.max(1) {
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
        let found = self
            .services
            .get_disclosure(&caller, &controller, disclosure_id)
            .await?;
        Ok(Response::new(disclosure_to_proto(&found)))
    }

    async fn list_disclosures(
        &self,
        request: Request<proto::ListDisclosuresRequest>,
    ) -> Result<Response<proto::ListDisclosuresResponse>, Status> {
        let caller = caller(&request)?;
        let Listing {
            controller,
            filter,
            page,
        } = convert::disclosure_listing(request.into_inner()).map_err(invalid_argument)?;
        let found = self
            .services
            .list_disclosures(&caller, &controller, &filter, &page)
            .await?;
        Ok(Response::new(proto::ListDisclosuresResponse {
            disclosures: found.items.iter().map(disclosure_to_proto).collect(),
            next_page_token: found.next_token,
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
            page,
        } = convert::subject_listing(request.into_inner()).map_err(invalid_argument)?;
        let listing = SubjectListing {
            subject,
            period,
            context,
        };
        let found = self
            .services
            .list_subject_disclosures(&caller, &controller, listing, &page)
            .await?;
        Ok(Response::new(proto::ListSubjectDisclosuresResponse {
            disclosures: found
                .items
                .iter()
                .map(|s| proto::SubjectDisclosure {
                    entry_id: s.entry_id as u64,
                    disclosure: Some(disclosure_to_proto(&s.disclosure)),
                })
                .collect(),
            next_page_token: found.next_token,
        }))
    }

    async fn list_access_lookups(
        &self,
        request: Request<proto::ListAccessLookupsRequest>,
    ) -> Result<Response<proto::ListAccessLookupsResponse>, Status> {
        let caller = caller(&request)?;
        let Listing {
            controller,
            filter,
            page,
        } = convert::lookup_listing(request.into_inner()).map_err(invalid_argument)?;
        let found = self
            .services
            .list_access_lookups(&caller, &controller, &filter, &page)
            .await?;
        Ok(Response::new(proto::ListAccessLookupsResponse {
            lookups: found.items.iter().map(convert::lookup_to_proto).collect(),
            next_page_token: found.next_token,
        }))
    }

    async fn subject_access_report(
        &self,
        request: Request<proto::SubjectAccessReportRequest>,
    ) -> Result<Response<proto::SubjectAccessReportResponse>, Status> {
        let caller = caller(&request)?;
        let (request, with_pdf) =
            convert::report_request(request.into_inner()).map_err(invalid_argument)?;
        let report = self
            .services
            .subject_access_report(&caller, request)
            .await?;
        let response = convert::report_to_proto(&report, with_pdf).map_err(pdf_failed)?;
        Ok(Response::new(response))
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
        let at = convert::timestamp(request.withdrawn_at)
            .map_err(|e| invalid_field("withdrawn_at", e))?;
        let withdrawn = self
            .services
            .withdraw_consent(&caller, &controller, &reference, at)
            .await?;
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
        let found = self
            .services
            .get_consent(&caller, &controller, &reference)
            .await?;
        Ok(Response::new(consent::consent_to_proto(&found)))
    }

    async fn list_consents(
        &self,
        request: Request<proto::ListConsentsRequest>,
    ) -> Result<Response<proto::ListConsentsResponse>, Status> {
        let caller = caller(&request)?;
        let (controller, subject, context) =
            convert::consent_listing(request.into_inner()).map_err(invalid_argument)?;
        let listed = self
            .services
            .list_consents(&caller, &controller, &subject, context)
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
        let groups = self.services.statistics(&caller, &query).await?;
        Ok(Response::new(convert::statistics_to_proto(groups)))
    }

    async fn processing_record(
        &self,
        request: Request<proto::ProcessingRecordRequest>,
    ) -> Result<Response<proto::ProcessingRecordResponse>, Status> {
        let caller = caller(&request)?;
        let (query, lang, with_pdf) =
            convert::processing_record_query(request.into_inner()).map_err(invalid_argument)?;
        let record = self.services.processing_record(&caller, query).await?;
        let response =
            convert::processing_record_to_proto(&record, lang, with_pdf).map_err(pdf_failed)?;
        Ok(Response::new(response))
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
        let registers = self.services.list_registers(&caller, controller.as_ref())?;
        Ok(Response::new(proto::ListRegistersResponse {
            registers: registers.iter().map(|r| register_to_proto(r)).collect(),
        }))
    }

    async fn get_register(
        &self,
        request: Request<proto::GetRegisterRequest>,
    ) -> Result<Response<proto::Register>, Status> {
        let caller = caller(&request)?;
        let id = RegisterId::parse(&request.into_inner().register_id)
            .map_err(|e| invalid_field("register_id", e))?;
        let register = self.services.get_register(&caller, &id)?;
        Ok(Response::new(register_to_proto(&register)))
    }

    async fn reload_registers(
        &self,
        request: Request<proto::ReloadRegistersRequest>,
    ) -> Result<Response<proto::ReloadRegistersResponse>, Status> {
        let caller = caller(&request)?;
        let count = self.services.reload_registers(&caller)?;
        Ok(Response::new(proto::ReloadRegistersResponse {
            register_count: count as u32,
        }))
    }

    async fn get_checkpoint(
        &self,
        request: Request<proto::GetCheckpointRequest>,
    ) -> Result<Response<proto::Checkpoint>, Status> {
        let caller = any_caller(&request)?;
        let proto::GetCheckpointRequest { tree_size } = request.into_inner();
        let checkpoint = self
            .services
            .checkpoint(&caller, (tree_size > 0).then_some(tree_size))
            .await?;
        Ok(Response::new(transparency::checkpoint_to_proto(checkpoint)))
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
        let proof = self
            .services
            .inclusion_proof(&caller, &controller, (entry_id, tree_size), false)
            .await?;
        Ok(Response::new(proto::InclusionProof {
            entry_id,
            tree_size,
            leaf_hash: proof.leaf.leaf_hash.to_vec(),
            hashes: proof.hashes.iter().map(|h| h.to_vec()).collect(),
        }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<proto::GetConsistencyProofRequest>,
    ) -> Result<Response<proto::ConsistencyProof>, Status> {
        let caller = any_caller(&request)?;
        let proto::GetConsistencyProofRequest { old_size, new_size } = request.into_inner();
        let hashes = self
            .services
            .consistency_proof(&caller, old_size, new_size)
            .await?;
        Ok(Response::new(proto::ConsistencyProof {
            old_size,
            new_size,
            hashes: hashes.iter().map(|h| h.to_vec()).collect(),
        }))
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
        let leaf = self
            .services
            .entry_leaf(&caller, &controller, entry_id, true)
            .await?;
        Ok(Response::new(transparency::leaf_to_proto(leaf)))
    }

    async fn decide_withholding(
        &self,
        request: Request<proto::DecideWithholdingRequest>,
    ) -> Result<Response<proto::WithholdingDecision>, Status> {
        let caller = caller(&request)?;
        let change = convert::withholding_change(request.into_inner()).map_err(invalid_argument)?;
        let decided = self.services.decide_withholding(&caller, change).await?;
        Ok(Response::new(convert::withholding_decision_to_proto(
            &decided,
        )))
    }

    async fn list_withholding_decisions(
        &self,
        request: Request<proto::ListWithholdingDecisionsRequest>,
    ) -> Result<Response<proto::ListWithholdingDecisionsResponse>, Status> {
        let caller = caller(&request)?;
        let proto::ListWithholdingDecisionsRequest {
            controller_id,
            disclosure_id,
        } = request.into_inner();
        let controller = controller(&controller_id)?;
        let decisions = self
            .services
            .withholding_decisions(&caller, &controller, disclosure_id)
            .await?;
        Ok(Response::new(proto::ListWithholdingDecisionsResponse {
            decisions: decisions
                .iter()
                .map(convert::withholding_decision_to_proto)
                .collect(),
        }))
    }

    async fn decide_safety_protection(
        &self,
        request: Request<proto::DecideSafetyProtectionRequest>,
    ) -> Result<Response<proto::SafetyProtectionDecision>, Status> {
        let caller = caller(&request)?;
        let change = convert::safety_change(request.into_inner()).map_err(invalid_argument)?;
        let decided = self
            .services
            .decide_safety_protection(&caller, change)
            .await?;
        Ok(Response::new(convert::safety_decision_to_proto(&decided)))
    }
}

/// A PDF that could not be written is a bug: logged here, an internal error to the caller.
fn pdf_failed(error: crate::report::PdfError) -> Status {
    tracing::error!(%error, "writing a PDF");
    Status::internal("internal error")
}
