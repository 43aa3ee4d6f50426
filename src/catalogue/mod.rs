//! Register catalogues: each register (processing activity) as its privacy notice describes
//! it, with the disclosures the notice declares, read from TOML files (see
//! `docs/register-catalogues.md`). Every recorded disclosure is classified against its
//! register.

mod classify;
mod file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Country, DataCategories, LegalBasis, LegalProvision, RecipientKind, RegisterId,
    SpecialCategoryCondition,
};

pub use classify::{Classification, Mismatch, NotOnRequest, Undeclared};
pub(crate) use file::parse_file;
pub use file::{CatalogueError, CatalogueWarning};

/// A text in each of the three languages a register is described in. Loading checks that
/// none is missing or empty, so a document is wholly in the language asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized<T> {
    pub fi: T,
    pub sv: T,
    pub en: T,
}

impl<T> Localized<T> {
    /// The text in `lang`.
    pub fn get(&self, lang: Language) -> &T {
        match lang {
            Language::Fi => &self.fi,
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }
}

/// How to reach a controller or its data protection officer (Art. 13(1)(a)-(b), 30(1)(a)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// Postal address; a street address reads the same in every language, a P.O. box may not.
    pub address: Option<Localized<String>>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub web: Option<String>,
}

/// A controller's data protection officer (tietosuojavastaava).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dpo {
    /// Who: a title, a name, or both, as the notice gives them.
    pub title: Localized<String>,
    pub contact: Contact,
}

/// How joint controllers share their duties (Art. 26): required when a register has several
/// controllers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointArrangement {
    /// The essence of the arrangement, which Art. 26(2) says is made available to the person.
    pub summary: Localized<String>,
    /// The controller that answers data subjects, when the arrangement names one.
    pub contact_point: Option<BusinessId>,
    /// Each joint controller's access reports and records cover the register's disclosures
    /// recorded by any of them.
    pub shared_records: bool,
}

/// A processor (Art. 28): handles data on the controllers' behalf, so handing data to it is
/// not a disclosure (luovutus) to a third party, and it needs no legal basis of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processor {
    pub name: Localized<String>,
    /// Matched when given; otherwise a recorded transfer matches by name.
    pub business_id: Option<BusinessId>,
    /// The notice gives no business ID; `business_id` is an example.
    pub example_id: bool,
    /// Where it processes the data.
    pub country: Country,
    /// Among the register's; a transfer to it may carry no other.
    pub data_categories: DataCategories,
    /// The data it actually gets, when narrower than its categories' names say (Ninchat gets
    /// a member number and a first name, not "identity: name, identity code"). Documents
    /// print this instead of the category names when given.
    pub data_items: Option<Localized<String>>,
    /// What it does for the controller.
    pub service: Localized<String>,
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
    /// A name without an official translation is the same in each language.
    pub name: Localized<String>,
    /// The privacy notice gives no business ID; this one is an example.
    pub example: bool,
    pub contact: Contact,
    pub dpo: Option<Dpo>,
}

/// A regular disclosure the privacy notice declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDisclosure {
    /// A name without an official translation is the same in each language.
    pub recipient_name: Localized<String>,
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
    /// What the group receives data for, in each language: the purpose a document shows for
    /// a disclosure on request, in place of the purpose the caller logged in one language.
    pub purpose: Localized<String>,
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
    /// Where data not collected from the person come from (Art. 14(2)(f), 15(1)(g)).
    pub sources: Localized<Vec<String>>,
    /// Automated decision-making and profiling, if any (Art. 15(1)(h)): a statement, also
    /// when there is none.
    pub automated_decisions: Localized<String>,
    /// The technical and organisational security measures (Art. 30(1)(g), 32(1)).
    pub security_measures: Localized<Vec<String>>,
    /// How the joint controllers share their duties; given when there are several.
    pub joint_arrangement: Option<JointArrangement>,
    pub disclosures: Vec<DeclaredDisclosure>,
    pub on_request: Vec<OnRequestGroup>,
    /// Processors (Art. 28): not recipients of disclosures, but recipients all the same
    /// (Art. 4(9)), listed as such in the documents.
    pub processors: Vec<Processor>,
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
    /// What loading found doubtful but not wrong (e.g. an act repealed since), each logged.
    warnings: Vec<CatalogueWarning>,
}

impl Catalogue {
    /// Reads and validates every `*.toml` file in `dir`. Fails on the first bad file,
    /// naming it, the line and the problem, and on two files declaring one register id.
    ///
    /// A declared disclosure that cites an act not in force today is a warning, not an error:
    /// an act's repeal must not stop the service from starting or reloading on that day (the
    /// catalogue was valid yesterday), and recording a disclosure that cites it after the
    /// repeal is flagged or refused anyway (classification). The warnings are logged here
    /// and kept in [`Catalogue::warnings`].
    pub fn load(dir: &Path) -> Result<Self, CatalogueError> {
        let today = time::OffsetDateTime::now_utc().date();
        let (registers, warnings) = file::load_dir(dir, today)?;
        for warning in &warnings {
            tracing::warn!("register catalogue: {warning}");
        }
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
        Ok(Self {
            registers: by_id,
            warnings,
        })
    }

    /// What loading found doubtful but not wrong.
    pub fn warnings(&self) -> &[CatalogueWarning] {
        &self.warnings
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
