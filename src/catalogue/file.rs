//! Reading a catalogue file: TOML into raw structures, then each field into its domain type,
//! with the line of the first problem. Unknown keys are errors, so a misspelt key is not
//! silently ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::domain::{
    BusinessId, DataCategories, DataCategory, LegalBasis, LegalProvision, RecipientKind,
    RegisterId, SpecialCategoryCondition,
};

use super::{
    Controller, DeclaredDisclosure, Localized, OnRequestGroup, Register, UndeclaredPolicy,
};

/// Why a catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("register catalogue directory {dir}: {error}")]
    Dir { dir: PathBuf, error: std::io::Error },
    #[error("{file}: {error}")]
    Read {
        file: PathBuf,
        error: std::io::Error,
    },
    #[error("{file}, line {line}: {problem}")]
    Invalid {
        file: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("register {id} is in both {first} and {second}")]
    Duplicate {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
}

/// Reads every `*.toml` file of `dir`, in name order.
pub(super) fn load_dir(dir: &Path) -> Result<Vec<Register>, CatalogueError> {
    let dir_error = |error| CatalogueError::Dir {
        dir: dir.to_owned(),
        error,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(dir_error)? {
        let path = entry.map_err(dir_error)?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    files.iter().map(|file| load_file(file)).collect()
}

fn load_file(file: &Path) -> Result<Register, CatalogueError> {
    let text = std::fs::read_to_string(file).map_err(|error| CatalogueError::Read {
        file: file.to_owned(),
        error,
    })?;
    let invalid = |offset: usize, problem: String| CatalogueError::Invalid {
        file: file.to_owned(),
        line: line_of(&text, offset),
        problem,
    };
    let raw: RawRegister = toml::from_str(&text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        invalid(offset, error.message().to_owned())
    })?;
    raw.into_register(file.to_owned())
        .map_err(|(offset, problem)| invalid(offset, problem))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A problem and where it is: the byte offset of the value, and what is wrong.
type Problem = (usize, String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalized<T> {
    fi: T,
    sv: T,
    en: T,
}

impl<T> From<RawLocalized<T>> for Localized<T> {
    fn from(raw: RawLocalized<T>) -> Self {
        Localized {
            fi: raw.fi,
            sv: raw.sv,
            en: raw.en,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegister {
    id: Spanned<String>,
    undeclared: Spanned<String>,
    source: String,
    name: RawLocalized<String>,
    controllers: Spanned<Vec<RawController>>,
    purposes: RawLocalized<Vec<String>>,
    legal_bases: Vec<Spanned<String>>,
    #[serde(default)]
    special_conditions: Vec<Spanned<String>>,
    subject_categories: RawLocalized<Vec<String>>,
    data_categories: Spanned<Vec<Spanned<String>>>,
    retention: RawLocalized<String>,
    third_country_transfers: Vec<String>,
    #[serde(default)]
    disclosures: Vec<RawDisclosure>,
    #[serde(default)]
    on_request: Vec<RawOnRequest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawController {
    business_id: Spanned<String>,
    name: String,
    #[serde(default)]
    example: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisclosure {
    recipient_name: String,
    recipient_kind: Spanned<String>,
    recipient_id: Option<Spanned<String>>,
    #[serde(default)]
    example_id: bool,
    provisions: Vec<Spanned<String>>,
    data_categories: Spanned<Vec<Spanned<String>>>,
    purpose: RawLocalized<String>,
    legal_basis: Spanned<String>,
    #[serde(default)]
    consent_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOnRequest {
    recipient_kind: Spanned<String>,
    description: RawLocalized<String>,
    provisions: Vec<Spanned<String>>,
}

/// Parses a labelled code with `from_label`, naming the field and the value when unknown.
fn coded<T>(
    field: &str,
    value: &Spanned<String>,
    from_label: fn(&str) -> Option<T>,
) -> Result<T, Problem> {
    from_label(value.get_ref()).ok_or_else(|| {
        (
            value.span().start,
            format!("{field}: unknown code \"{}\"", value.get_ref()),
        )
    })
}

fn business_id(field: &str, value: &Spanned<String>) -> Result<BusinessId, Problem> {
    BusinessId::parse(value.get_ref())
        .map_err(|error| (value.span().start, format!("{field}: {error}")))
}

fn provisions(field: &str, values: &[Spanned<String>]) -> Result<Vec<LegalProvision>, Problem> {
    values
        .iter()
        .map(|value| {
            LegalProvision::parse_canonical(value.get_ref()).map_err(|error| {
                (
                    value.span().start,
                    format!("{field}: \"{}\": {error}", value.get_ref()),
                )
            })
        })
        .collect()
}

fn categories(
    field: &str,
    values: &Spanned<Vec<Spanned<String>>>,
) -> Result<DataCategories, Problem> {
    let parsed = values
        .get_ref()
        .iter()
        .map(|value| coded(field, value, DataCategory::from_label))
        .collect::<Result<Vec<_>, _>>()?;
    DataCategories::new(parsed)
        .ok_or_else(|| (values.span().start, format!("{field}: give at least one")))
}

impl RawRegister {
    fn into_register(self, file: PathBuf) -> Result<Register, Problem> {
        let id = RegisterId::parse(self.id.get_ref())
            .map_err(|error| (self.id.span().start, format!("id: {error}")))?;
        let undeclared = match self.undeclared.get_ref().as_str() {
            "flag" => UndeclaredPolicy::Flag,
            "reject" => UndeclaredPolicy::Reject,
            other => {
                return Err((
                    self.undeclared.span().start,
                    format!("undeclared: \"{other}\" is neither \"flag\" nor \"reject\""),
                ));
            }
        };
        if self.controllers.get_ref().is_empty() {
            return Err((
                self.controllers.span().start,
                "controllers: give at least one".into(),
            ));
        }
        let controllers = self
            .controllers
            .into_inner()
            .into_iter()
            .map(|c| {
                Ok(Controller {
                    business_id: business_id("controllers.business_id", &c.business_id)?,
                    name: c.name,
                    example: c.example,
                })
            })
            .collect::<Result<_, Problem>>()?;
        let legal_bases = self
            .legal_bases
            .iter()
            .map(|b| coded("legal_bases", b, LegalBasis::from_label))
            .collect::<Result<_, _>>()?;
        let special_conditions = self
            .special_conditions
            .iter()
            .map(|c| {
                coded(
                    "special_conditions",
                    c,
                    SpecialCategoryCondition::from_label,
                )
            })
            .collect::<Result<_, _>>()?;
        let data_categories = categories("data_categories", &self.data_categories)?;
        let disclosures = self
            .disclosures
            .into_iter()
            .map(|d| d.into_declared(data_categories))
            .collect::<Result<_, _>>()?;
        let on_request = self
            .on_request
            .into_iter()
            .map(|group| {
                Ok(OnRequestGroup {
                    recipient_kind: coded(
                        "on_request.recipient_kind",
                        &group.recipient_kind,
                        RecipientKind::from_label,
                    )?,
                    description: group.description.into(),
                    provisions: provisions("on_request.provisions", &group.provisions)?,
                })
            })
            .collect::<Result<_, Problem>>()?;
        Ok(Register {
            id,
            name: self.name.into(),
            controllers,
            undeclared,
            source: self.source,
            purposes: self.purposes.into(),
            legal_bases,
            special_conditions,
            subject_categories: self.subject_categories.into(),
            data_categories,
            retention: self.retention.into(),
            third_country_transfers: self.third_country_transfers,
            disclosures,
            on_request,
            file,
        })
    }
}

impl RawDisclosure {
    fn into_declared(self, held: DataCategories) -> Result<DeclaredDisclosure, Problem> {
        let data_categories = categories("disclosures.data_categories", &self.data_categories)?;
        if let Some(extra) = data_categories.iter().find(|c| !held.contains(*c)) {
            return Err((
                self.data_categories.span().start,
                format!(
                    "disclosures.data_categories: {} is not among the register's data_categories",
                    extra.label()
                ),
            ));
        }
        let recipient_id = self
            .recipient_id
            .as_ref()
            .map(|id| business_id("disclosures.recipient_id", id))
            .transpose()?;
        if self.example_id && recipient_id.is_none() {
            let at = self.recipient_kind.span().start;
            return Err((
                at,
                "disclosures.example_id: there is no recipient_id".into(),
            ));
        }
        if self.provisions.is_empty() {
            let at = self.recipient_kind.span().start;
            return Err((at, "disclosures.provisions: give at least one".into()));
        }
        Ok(DeclaredDisclosure {
            recipient_name: self.recipient_name,
            recipient_kind: coded(
                "disclosures.recipient_kind",
                &self.recipient_kind,
                RecipientKind::from_label,
            )?,
            recipient_id,
            example_id: self.example_id,
            provisions: provisions("disclosures.provisions", &self.provisions)?,
            data_categories,
            purpose: self.purpose.into(),
            legal_basis: coded(
                "disclosures.legal_basis",
                &self.legal_basis,
                LegalBasis::from_label,
            )?,
            consent_required: self.consent_required,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "testirekisteri"
undeclared = "flag"
source = "test"
name = { fi = "Testi", sv = "Test", en = "Test" }
controllers = [{ business_id = "2296962-1", name = "KEHA-keskus" }]
purposes = { fi = ["a"], sv = ["a"], en = ["a"] }
legal_bases = ["legal_obligation"]
subject_categories = { fi = ["a"], sv = ["a"], en = ["a"] }
data_categories = ["identity", "benefit_payment"]
retention = { fi = "a", sv = "a", en = "a" }
third_country_transfers = []

[[disclosures]]
recipient_name = "Verohallinto"
recipient_kind = "authority"
provisions = ["1290/2002 13:1"]
data_categories = ["identity"]
purpose = { fi = "a", sv = "a", en = "a" }
legal_basis = "legal_obligation"
"#;

    fn load_text(text: &str) -> Result<Register, CatalogueError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("testi.toml");
        std::fs::write(&file, text).unwrap();
        load_file(&file)
    }

    fn problem(text: &str) -> (usize, String) {
        match load_text(text) {
            Err(CatalogueError::Invalid { line, problem, .. }) => (line, problem),
            other => panic!("expected an invalid file, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_catalogue_loads() {
        let register = load_text(MINIMAL).unwrap();
        assert_eq!(register.id.as_str(), "testirekisteri");
        assert_eq!(register.disclosures.len(), 1);
        assert_eq!(
            register.disclosures[0].provisions[0].canonical(),
            "1290/2002 13:1"
        );
    }

    #[test]
    fn an_unknown_data_category_is_named_with_its_line() {
        let text = MINIMAL.replace(
            "data_categories = [\"identity\"]",
            "data_categories = [\"idenity\"]",
        );
        let (line, problem) = problem(&text);
        assert_eq!(line, 18);
        assert!(problem.contains("unknown code \"idenity\""), "{problem}");
    }

    #[test]
    fn a_bad_business_id_is_named_with_its_line() {
        let (line, problem) = problem(&MINIMAL.replace("2296962-1", "2296962-2"));
        assert_eq!(line, 6);
        assert!(problem.starts_with("controllers.business_id"), "{problem}");
    }

    #[test]
    fn a_bad_provision_is_named_with_its_line() {
        let (line, problem) = problem(&MINIMAL.replace("1290/2002 13:1", "1290/02"));
        assert_eq!(line, 17);
        assert!(problem.contains("\"1290/02\""), "{problem}");
    }

    #[test]
    fn a_misspelt_key_is_refused() {
        let (line, problem) = problem(&MINIMAL.replace("consent_required", "x").replace(
            "legal_basis = \"legal_obligation\"\n",
            "legal_basis = \"legal_obligation\"\nconsent_requred = true\n",
        ));
        assert_eq!(line, 21);
        assert!(problem.contains("consent_requred"), "{problem}");
    }

    #[test]
    fn a_declared_category_the_register_does_not_hold_is_refused() {
        let (_, problem) = problem(&MINIMAL.replace(
            "data_categories = [\"identity\"]",
            "data_categories = [\"identity\", \"health_and_work_ability\"]",
        ));
        assert!(
            problem.contains("health_and_work_ability is not among"),
            "{problem}"
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let (line, _) = problem(&MINIMAL.replace("source = \"test\"", "source = test"));
        assert_eq!(line, 4);
    }
}
