//! Register catalogues: each register (processing activity) as its privacy notice describes
//! it, with the disclosures the notice declares, read from TOML files (see
//! `docs/register-catalogues.md`). Every recorded disclosure is classified against its
//! register.

mod classify;
mod file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::domain::{
    BusinessId, DataCategories, LegalBasis, LegalProvision, RecipientKind, RegisterId,
    SpecialCategoryCondition,
};

pub use classify::{Classification, Mismatch, NotOnRequest, Undeclared};
pub use file::CatalogueError;

/// A text in each of the three languages a register is described in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized<T> {
    pub fi: T,
    pub sv: T,
    pub en: T,
}

/// What happens to a disclosure that matches nothing its register declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndeclaredPolicy {
    /// Recorded, and flagged as undeclared.
    Flag,
    /// Refused with `FAILED_PRECONDITION`.
    Reject,
}

/// A controller of a register; a register with several has joint controllers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    pub business_id: BusinessId,
    pub name: String,
    /// The privacy notice gives no business ID; this one is an example.
    pub example: bool,
}

/// A regular disclosure the privacy notice declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDisclosure {
    pub recipient_name: String,
    pub recipient_kind: RecipientKind,
    /// Matched when given; otherwise any recipient of the kind matches.
    pub recipient_id: Option<BusinessId>,
    /// The notice gives no business ID; `recipient_id` is an example.
    pub example_id: bool,
    pub provisions: Vec<LegalProvision>,
    pub data_categories: DataCategories,
    pub purpose: Localized<String>,
    pub legal_basis: LegalBasis,
    /// Each subject's consent must be in force.
    pub consent_required: bool,
}

/// A group of recipients to whom the notice says data is disclosed on request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnRequestGroup {
    pub recipient_kind: RecipientKind,
    pub description: Localized<String>,
    pub provisions: Vec<LegalProvision>,
}

/// A register as its privacy notice describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub id: RegisterId,
    pub name: Localized<String>,
    pub controllers: Vec<Controller>,
    pub undeclared: UndeclaredPolicy,
    /// The privacy notice the description comes from.
    pub source: String,
    pub purposes: Localized<Vec<String>>,
    pub legal_bases: Vec<LegalBasis>,
    pub special_conditions: Vec<SpecialCategoryCondition>,
    pub subject_categories: Localized<Vec<String>>,
    pub data_categories: DataCategories,
    pub retention: Localized<String>,
    /// Transfers outside the EU/EEA; empty when there are none.
    pub third_country_transfers: Vec<String>,
    pub disclosures: Vec<DeclaredDisclosure>,
    pub on_request: Vec<OnRequestGroup>,
    /// The file it was read from.
    pub file: PathBuf,
}

impl Register {
    /// Whether `controller` is a controller (or a joint controller) of this register.
    pub fn is_controlled_by(&self, controller: &BusinessId) -> bool {
        self.controllers
            .iter()
            .any(|c| &c.business_id == controller)
    }

    /// The business ids of its controllers (joint controllers included).
    pub fn controller_ids(&self) -> impl Iterator<Item = &BusinessId> {
        self.controllers.iter().map(|c| &c.business_id)
    }
}

/// Every register of a catalogue directory, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    registers: BTreeMap<RegisterId, Arc<Register>>,
}

impl Catalogue {
    /// Reads and validates every `*.toml` file in `dir`. Fails on the first bad file,
    /// naming it, the line and the problem, and on two files declaring one register id.
    pub fn load(dir: &Path) -> Result<Self, CatalogueError> {
        let registers = file::load_dir(dir)?;
        let mut by_id = BTreeMap::new();
        for register in registers {
            if let Some(earlier) = by_id.get(&register.id) {
                let earlier: &Arc<Register> = earlier;
                return Err(CatalogueError::Duplicate {
                    id: register.id.to_string(),
                    first: earlier.file.clone(),
                    second: register.file.clone(),
                });
            }
            by_id.insert(register.id.clone(), Arc::new(register));
        }
        Ok(Self { registers: by_id })
    }

    pub fn get(&self, id: &RegisterId) -> Option<&Arc<Register>> {
        self.registers.get(id)
    }

    /// The registers in id order.
    pub fn registers(&self) -> impl Iterator<Item = &Arc<Register>> {
        self.registers.values()
    }

    pub fn len(&self) -> usize {
        self.registers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.registers.is_empty()
    }
}

/// The catalogue in force, shared by every request, and the directory it is reloaded from.
#[derive(Debug, Clone)]
pub struct Registers {
    dir: PathBuf,
    current: Arc<RwLock<Arc<Catalogue>>>,
}

impl Registers {
    /// Loads the catalogue in `dir`.
    pub fn load(dir: impl Into<PathBuf>) -> Result<Self, CatalogueError> {
        let dir = dir.into();
        let catalogue = Catalogue::load(&dir)?;
        Ok(Self {
            dir,
            current: Arc::new(RwLock::new(Arc::new(catalogue))),
        })
    }

    /// The catalogue in force now; a reload does not change a catalogue already taken.
    pub fn current(&self) -> Arc<Catalogue> {
        Arc::clone(&self.current.read().expect("not poisoned"))
    }

    /// Reads the directory again. On any error the catalogue in force stays.
    pub fn reload(&self) -> Result<Arc<Catalogue>, CatalogueError> {
        let catalogue = Arc::new(Catalogue::load(&self.dir)?);
        *self.current.write().expect("not poisoned") = Arc::clone(&catalogue);
        Ok(catalogue)
    }
}
