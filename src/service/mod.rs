//! The service layer: one module per use case, each owning its policy (who may, what the
//! rules are, what gets recorded) and its error enum. Every front end (gRPC, the command
//! line, the coming web dashboard) is a thin adapter over these: it parses its input into
//! domain types, calls one use case, and converts the answer back.
//!
//! [`Services`] is built once at start and holds what the use cases share: the store, the
//! subject keys, the register catalogue, the recorder and the clock.

mod access_requests;
mod consents;
mod disclosures;
mod evidence;
mod limits;
mod lookup_queue;
mod lookups;
mod other_log;
mod paging;
mod proofs;
mod protection;
mod recording;
mod registers;
mod reports;
mod withholding;

use std::sync::Arc;

use crate::catalogue::{Catalogue, Registers};
use crate::crypto::Keyring;
use crate::domain::{LogControllers, Timestamp};
use crate::log::Recorder;
use crate::storage::{StorageError, Store};

pub use access_requests::{AccessRequestError, CaseRegistration, CaseReport};
pub use consents::ConsentError;
pub use disclosures::{DisclosureQueryError, SubjectListing};
pub use evidence::{EntryLeaf, EvidenceError, InclusionProof};
pub use limits::Limits;
pub use lookups::{LookupListing, LookupQueryError};
pub use other_log::OtherLog;
pub use paging::{Page, PageRequest};
pub use proofs::{DisclosureProofs, EntryProof};
pub use protection::SafetyDecisionError;
pub use recording::RecordingError;
pub use registers::RegisterError;
pub use reports::{ProcessingRecordQuery, ReportError, StatisticsQuery};
pub use withholding::{DecisionsByDisclosure, WithholdingError};

/// What the use cases share, built once at start. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    store: Store,
    /// Subject keys: absent for the commands that never touch an identity code.
    keys: Option<Arc<Keyring>>,
    /// The register catalogue: absent for the commands that need none.
    registers: Option<Registers>,
    /// The single ordered writer: only a serving process records disclosures.
    recorder: Option<Recorder>,
    limits: Limits,
    /// The controllers whose disclosures this log keeps (unbound: any).
    controllers: LogControllers,
    /// Lookups waiting for the commit of the lookup record, shared by every clone.
    lookups: Arc<lookup_queue::LookupQueue>,
    /// The time that decisions are made at (recorded-at, withheld-until, lookups).
    clock: fn() -> Timestamp,
}

impl Services {
    /// Services over `store` with nothing else: add what the front end needs.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            keys: None,
            registers: None,
            recorder: None,
            limits: Limits::default(),
            controllers: LogControllers::any(),
            lookups: Arc::default(),
            clock: Timestamp::now,
        }
    }

    /// Lets the use cases read identity codes with `keys`.
    pub fn with_keys(mut self, keys: Arc<Keyring>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Checks disclosures and answers questions against the catalogue `registers`.
    pub fn with_registers(mut self, registers: Registers) -> Self {
        self.registers = Some(registers);
        self
    }

    /// Records through `recorder`, whose keys become the services' keys.
    pub fn with_recorder(mut self, recorder: Recorder) -> Self {
        self.keys = Some(Arc::clone(recorder.keys()));
        self.recorder = Some(recorder);
        self
    }

    /// Holds requests to `limits` (by default [`Limits::default`]).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Keeps only `controllers`' disclosures: a call for another controller is refused.
    pub fn with_controllers(mut self, controllers: LogControllers) -> Self {
        self.controllers = controllers;
        self
    }

    /// Replaces the clock the use cases decide by (tests fix the time with it).
    pub fn with_clock(mut self, clock: fn() -> Timestamp) -> Self {
        self.clock = clock;
        self
    }

    /// The limits requests are held to; a front end parses within them.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The time now, as the use cases see it.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The subject keys; a front end that calls a use case reading identity codes without
    /// configuring them has a wiring bug.
    fn keys(&self) -> Result<&Keyring, StorageError> {
        self.keys
            .as_deref()
            .ok_or_else(|| StorageError::Config("no subject keys are loaded".into()))
    }

    /// The catalogue in force.
    fn catalogue(&self) -> Result<Arc<Catalogue>, StorageError> {
        self.registers
            .as_ref()
            .map(Registers::current)
            .ok_or_else(|| StorageError::Config("no register catalogue is loaded".into()))
    }
}
