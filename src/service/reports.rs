//! The answers the law asks for: a data subject's access report (Art. 15;
//! SubjectAccessReport, `report subject`), a register's record of processing (Art. 30;
//! ProcessingRecord, `report art30`) and the statistics behind the dashboards
//! (DisclosureStatistics, `report statistics`).

use std::sync::Arc;

use crate::auth::{Caller, Denied, Role};
use crate::catalogue::{Catalogue, Register};
use crate::domain::Cursor;
use crate::domain::{BusinessId, Days, LookupOperation, RegisterId};
use crate::report::{self, ProcessingRecord, ReportRequest, SubjectReport};
use crate::statistics::{self, Bucket, Dimension, Group};
use crate::storage::{Disclosures, Statistics, StorageError};

use super::Services;

/// Disclosures read per query while building an access report.
const REPORT_PAGE: u32 = 1_000;

/// Whether `register` has joint controllers whose arrangement says its records are shared:
/// then each joint controller's access reports, subject listings and record of processing
/// cover the register's disclosures recorded by any of them. Statistics stay per recording
/// controller.
fn shares_records(register: &Register) -> bool {
    register.controllers.len() > 1
        && register
            .joint_arrangement
            .as_ref()
            .is_some_and(|arrangement| arrangement.shared_records)
}

/// The joint registers of `controller` whose records are shared ([`shares_records`]).
pub(super) fn shared_registers(catalogue: &Catalogue, controller: &BusinessId) -> Vec<RegisterId> {
    catalogue
        .registers()
        .filter(|r| r.is_controlled_by(controller) && shares_records(r))
        .map(|r| r.id.clone())
        .collect()
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no register {0} in the catalogue")]
    UnknownRegister(RegisterId),
    #[error("{controller} is not a controller of register {register}")]
    NotController {
        controller: BusinessId,
        register: RegisterId,
    },
    /// The register has joint controllers and the request named none of them.
    #[error("register {0} has joint controllers: name one of them")]
    ControllerNeeded(RegisterId),
    /// This log is bound to other controllers.
    #[error(transparent)]
    OtherLog(#[from] super::OtherLog),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

/// What a record of processing is asked for.
#[derive(Debug, Clone)]
pub struct ProcessingRecordQuery {
    /// Whose record: needed only when the register has joint controllers.
    pub controller: Option<BusinessId>,
    pub register: RegisterId,
    pub days: Days,
}

/// What statistics are asked for.
#[derive(Debug, Clone)]
pub struct StatisticsQuery {
    pub controller: BusinessId,
    /// Only this register's disclosures.
    pub register: Option<RegisterId>,
    pub days: Days,
    pub group_by: Vec<Dimension>,
    pub bucket: Bucket,
}

impl Services {
    /// Records the lookup, then builds the access report of `request.subject` from every
    /// disclosure of the subject's data in the period.
    pub async fn subject_access_report(
        &self,
        caller: &Caller,
        request: ReportRequest,
    ) -> Result<SubjectReport, ReportError> {
        caller.authorize(Role::SubjectAccess, &request.controller, None)?;
        self.keeps(&request.controller)?;
        let now = self.now();
        self.record_lookup(
            caller,
            &request.controller,
            &request.subject,
            (
                request.context.clone(),
                LookupOperation::SubjectAccessReport,
                request.period,
            ),
            now,
        )
        .await?;
        let hashes = self.keys()?.lookup_hashes(&request.subject);
        let catalogue = self.catalogue()?;
        let joint = shared_registers(&catalogue, &request.controller);
        let mut found = Vec::new();
        let mut after: Option<Cursor> = None;
        loop {
            let page = self
                .store
                .list_subject_disclosures(
                    &request.controller,
                    &joint,
                    &hashes,
                    request.period,
                    after,
                    REPORT_PAGE,
                )
                .await?;
            let full = page.len() == REPORT_PAGE as usize;
            after = page.last().map(|s| Cursor {
                occurred_at: s.disclosure.details.occurred_at.micros(),
                id: s.entry_id,
            });
            found.extend(page);
            if !full {
                break;
            }
        }
        // A joint register's disclosures may have been recorded by another controller; each
        // controller's decisions are its own.
        let decisions = self.decisions_of_found(&found).await?;
        Ok(report::subject_report(
            request,
            found,
            |disclosure, at| decisions.in_force(disclosure, at),
            &catalogue,
            now,
        ))
    }

    /// A register's record of processing activities for the days of `query`, as observed
    /// in the log beside what the catalogue declares. A joint register whose records are
    /// shared is observed as recorded by any of its controllers.
    pub async fn processing_record(
        &self,
        caller: &Caller,
        query: ProcessingRecordQuery,
    ) -> Result<ProcessingRecord, ReportError> {
        let ProcessingRecordQuery {
            controller,
            register: register_id,
            days,
        } = query;
        match &controller {
            Some(controller) => caller.authorize(Role::Auditor, controller, Some(&register_id))?,
            // Whether a register exists is the business only of a caller who audits some.
            None => caller.authorize_anywhere(Role::Auditor)?,
        }
        let catalogue = self.catalogue()?;
        let register = catalogue
            .get(&register_id)
            .ok_or_else(|| ReportError::UnknownRegister(register_id.clone()))?;
        let controller = match (controller, register.controllers.as_slice()) {
            (Some(controller), _) => controller,
            (None, [only]) => {
                caller.authorize(Role::Auditor, &only.business_id, Some(&register_id))?;
                only.business_id.clone()
            }
            (None, _) => return Err(ReportError::ControllerNeeded(register_id)),
        };
        self.keeps(&controller)?;
        if !register.is_controlled_by(&controller) {
            return Err(ReportError::NotController {
                controller,
                register: register_id,
            });
        }
        let rows = if shares_records(register) {
            let controllers: Vec<&BusinessId> = register.controller_ids().collect();
            self.store
                .joint_rollup(&controllers, &register_id, days.numbers())
                .await?
        } else {
            self.store
                .rollup(&controller, Some(&register_id), days.numbers())
                .await?
        };
        Ok(report::processing_record(
            Arc::clone(register),
            &rows,
            (days.first(), days.last()),
            self.now(),
        ))
    }

    /// Counts of disclosures and subject entries of `query`'s days, grouped as it asks.
    pub async fn statistics(
        &self,
        caller: &Caller,
        query: &StatisticsQuery,
    ) -> Result<Vec<Group>, ReportError> {
        caller.authorize(Role::Auditor, &query.controller, query.register.as_ref())?;
        self.keeps(&query.controller)?;
        let rows = self
            .store
            .rollup(
                &query.controller,
                query.register.as_ref(),
                query.days.numbers(),
            )
            .await?;
        Ok(statistics::aggregate(&rows, &query.group_by, query.bucket))
    }
}
