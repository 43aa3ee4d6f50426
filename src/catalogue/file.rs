//! Reading a catalogue file: TOML into raw structures, then each field into its domain type,
//! with the line of the first problem. Unknown keys are errors, so a misspelt key is not
//! silently ignored.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::Date;
use toml::Spanned;

use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Country, DataCategories, DataCategory, LegalBasis, LegalProvision, RecipientKind,
    RegisterId, SpecialCategoryCondition, statutes,
};

use super::{
    Contact, Controller, DeclaredDisclosure, Dpo, JointArrangement, Localized, OnRequestGroup,
    Processor, Register, UndeclaredPolicy,
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

/// Something a catalogue file says that loads but deserves a look, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueWarning {
    pub file: PathBuf,
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for CatalogueWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, line {}: {}",
            self.file.display(),
            self.line,
            self.problem
        )
    }
}

/// Reads every `*.toml` file of `dir`, in name order; `today` dates the warnings about acts
/// no longer in force.
pub(super) fn load_dir(
    dir: &Path,
    today: Date,
) -> Result<(Vec<Register>, Vec<CatalogueWarning>), CatalogueError> {
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
    let mut registers = Vec::with_capacity(files.len());
    let mut warnings = Vec::new();
    for file in &files {
        let (register, mut found) = load_file(file, today)?;
        registers.push(register);
        warnings.append(&mut found);
    }
    Ok((registers, warnings))
}

fn load_file(
    file: &Path,
    today: Date,
) -> Result<(Register, Vec<CatalogueWarning>), CatalogueError> {
    let text = std::fs::read_to_string(file).map_err(|error| CatalogueError::Read {
        file: file.to_owned(),
        error,
    })?;
    parse_file(file, &text, today)
}

/// Reads the text of catalogue file `file`; `today` dates the warnings.
pub(crate) fn parse_file(
    file: &Path,
    text: &str,
    today: Date,
) -> Result<(Register, Vec<CatalogueWarning>), CatalogueError> {
    let invalid = |offset: usize, problem: String| CatalogueError::Invalid {
        file: file.to_owned(),
        line: line_of(text, offset),
        problem,
    };
    let raw: RawRegister = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        invalid(offset, error.message().to_owned())
    })?;
    let mut doubts = Vec::new();
    let register = raw
        .into_register(file.to_owned(), today, &mut doubts)
        .map_err(|(offset, problem)| invalid(offset, problem))?;
    let warnings = doubts
        .into_iter()
        .map(|(offset, problem)| CatalogueWarning {
            file: file.to_owned(),
            line: line_of(text, offset),
            problem,
        })
        .collect();
    Ok((register, warnings))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A problem and where it is: the byte offset of the value, and what is wrong.
type Problem = (usize, String);

const LANGUAGES: [(Language, &str); 3] = [
    (Language::Fi, "fi"),
    (Language::Sv, "sv"),
    (Language::En, "en"),
];

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

/// A name or short text: one string meaning "the same in every language" (a name without
/// an official translation, a street address), or a table of fi, sv and en.
#[derive(Deserialize)]
#[serde(untagged, expecting = "a string, or a table of fi, sv and en strings")]
enum RawText {
    Same(String),
    Each(RawLocalized<String>),
}

/// Checks that no language is empty, naming the field and the language.
fn text(field: &str, raw: Spanned<RawLocalized<String>>) -> Result<Localized<String>, Problem> {
    let at = raw.span().start;
    let value: Localized<String> = raw.into_inner().into();
    for (lang, code) in LANGUAGES {
        if value.get(lang).trim().is_empty() {
            return Err((at, format!("{field}.{code}: the {code} text is empty")));
        }
    }
    Ok(value)
}

fn name(field: &str, raw: Spanned<RawText>) -> Result<Localized<String>, Problem> {
    let span = raw.span();
    let each = match raw.into_inner() {
        RawText::Same(same) => RawLocalized {
            fi: same.clone(),
            sv: same.clone(),
            en: same,
        },
        RawText::Each(each) => each,
    };
    text(field, Spanned::new(span, each))
}

/// Checks that each language has the same number of items, at least one, none empty.
fn list(
    field: &str,
    raw: Spanned<RawLocalized<Vec<String>>>,
) -> Result<Localized<Vec<String>>, Problem> {
    let at = raw.span().start;
    let value: Localized<Vec<String>> = raw.into_inner().into();
    for (lang, code) in LANGUAGES {
        let items = value.get(lang);
        if items.is_empty() {
            return Err((at, format!("{field}.{code}: give at least one item")));
        }
        if items.len() != value.fi.len() {
            return Err((
                at,
                format!(
                    "{field}.{code}: {} items where fi has {}: each item needs its translation",
                    items.len(),
                    value.fi.len()
                ),
            ));
        }
        if let Some(n) = items.iter().position(|item| item.trim().is_empty()) {
            return Err((at, format!("{field}.{code}[{n}]: the item is empty")));
        }
    }
    Ok(value)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegister {
    id: Spanned<String>,
    undeclared: Spanned<String>,
    source: String,
    name: Spanned<RawLocalized<String>>,
    controllers: Spanned<Vec<RawController>>,
    purposes: Spanned<RawLocalized<Vec<String>>>,
    legal_bases: Vec<Spanned<String>>,
    #[serde(default)]
    special_conditions: Vec<Spanned<String>>,
    subject_categories: Spanned<RawLocalized<Vec<String>>>,
    data_categories: Spanned<Vec<Spanned<String>>>,
    retention: Spanned<RawLocalized<String>>,
    third_country_transfers: Vec<String>,
    sources: Spanned<RawLocalized<Vec<String>>>,
    automated_decisions: Spanned<RawLocalized<String>>,
    security_measures: Spanned<RawLocalized<Vec<String>>>,
    joint_arrangement: Option<Spanned<RawJointArrangement>>,
    #[serde(default)]
    disclosures: Vec<RawDisclosure>,
    #[serde(default)]
    on_request: Vec<RawOnRequest>,
    #[serde(default)]
    processors: Vec<RawProcessor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawController {
    business_id: Spanned<String>,
    name: Spanned<RawText>,
    #[serde(default)]
    example: bool,
    address: Option<Spanned<RawText>>,
    phone: Option<String>,
    email: Option<String>,
    web: Option<String>,
    dpo: Option<Spanned<RawDpo>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDpo {
    title: Spanned<RawText>,
    address: Option<Spanned<RawText>>,
    phone: Option<String>,
    email: Option<String>,
    web: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJointArrangement {
    summary: Spanned<RawLocalized<String>>,
    contact_point: Option<Spanned<String>>,
    shared_records: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisclosure {
    recipient_name: Spanned<RawText>,
    recipient_kind: Spanned<String>,
    recipient_id: Option<Spanned<String>>,
    #[serde(default)]
    example_id: bool,
    provisions: Vec<Spanned<String>>,
    data_categories: Spanned<Vec<Spanned<String>>>,
    purpose: Spanned<RawLocalized<String>>,
    legal_basis: Spanned<String>,
    #[serde(default)]
    consent_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOnRequest {
    recipient_kind: Spanned<String>,
    description: Spanned<RawLocalized<String>>,
    purpose: Spanned<RawLocalized<String>>,
    provisions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcessor {
    name: Spanned<RawText>,
    business_id: Option<Spanned<String>>,
    #[serde(default)]
    example_id: bool,
    country: Spanned<String>,
    data_categories: Spanned<Vec<Spanned<String>>>,
    data_items: Option<Spanned<RawLocalized<String>>>,
    service: Spanned<RawLocalized<String>>,
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

/// Parses provisions a disclosure is made under. GDPR Art. 28 is refused: it binds a
/// processor to the controller and is never a legal basis for disclosing data; a processor
/// is declared under `[[processors]]`. An act not in force `today` is a warning.
fn provisions(
    field: &str,
    values: &[Spanned<String>],
    today: Date,
    doubts: &mut Vec<Problem>,
) -> Result<Vec<LegalProvision>, Problem> {
    values
        .iter()
        .map(|value| {
            let at = value.span().start;
            let provision = LegalProvision::parse_canonical(value.get_ref())
                .map_err(|error| (at, format!("{field}: \"{}\": {error}", value.get_ref())))?;
            if provision.is_processor_article() {
                return Err((
                    at,
                    format!(
                        "{field}: \"{}\": Art. 28 (processors) is never a legal basis for a \
                         disclosure; declare the processor under [[processors]]",
                        value.get_ref()
                    ),
                ));
            }
            if let LegalProvision::FinnishStatute(p) = &provision
                && !statutes::in_force_on(&p.statute(), today)
            {
                let when = match statutes::repealed_on(&p.statute()) {
                    Some(day) if day <= today => format!("was repealed on {day}"),
                    _ => "is not yet in force".to_owned(),
                };
                doubts.push((
                    at,
                    format!(
                        "{field}: \"{}\": act {} {when}; a disclosure made now that cites it \
                         is not declared",
                        value.get_ref(),
                        p.statute()
                    ),
                ));
            }
            Ok(provision)
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

/// Categories that must be among the register's `held` ones.
fn held_categories(
    field: &str,
    values: &Spanned<Vec<Spanned<String>>>,
    held: DataCategories,
) -> Result<DataCategories, Problem> {
    let categories = categories(field, values)?;
    if let Some(extra) = categories.iter().find(|c| !held.contains(*c)) {
        return Err((
            values.span().start,
            format!(
                "{field}: {} is not among the register's data_categories",
                extra.label()
            ),
        ));
    }
    Ok(categories)
}

fn contact(
    field: &str,
    address: Option<Spanned<RawText>>,
    phone: Option<String>,
    email: Option<String>,
    web: Option<String>,
) -> Result<Contact, Problem> {
    Ok(Contact {
        address: address
            .map(|a| name(&format!("{field}.address"), a))
            .transpose()?,
        phone,
        email,
        web,
    })
}

impl RawController {
    fn into_controller(self) -> Result<Controller, Problem> {
        let dpo = self
            .dpo
            .map(|dpo| {
                let dpo = dpo.into_inner();
                Ok::<_, Problem>(Dpo {
                    title: name("controllers.dpo.title", dpo.title)?,
                    contact: contact(
                        "controllers.dpo",
                        dpo.address,
                        dpo.phone,
                        dpo.email,
                        dpo.web,
                    )?,
                })
            })
            .transpose()?;
        Ok(Controller {
            business_id: business_id("controllers.business_id", &self.business_id)?,
            name: name("controllers.name", self.name)?,
            example: self.example,
            contact: contact(
                "controllers",
                self.address,
                self.phone,
                self.email,
                self.web,
            )?,
            dpo,
        })
    }
}

impl RawRegister {
    fn into_register(
        self,
        file: PathBuf,
        today: Date,
        doubts: &mut Vec<Problem>,
    ) -> Result<Register, Problem> {
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
        let controllers_at = self.controllers.span().start;
        if self.controllers.get_ref().is_empty() {
            return Err((controllers_at, "controllers: give at least one".into()));
        }
        let controllers: Vec<Controller> = self
            .controllers
            .into_inner()
            .into_iter()
            .map(RawController::into_controller)
            .collect::<Result<_, Problem>>()?;
        let joint_arrangement = self
            .joint_arrangement
            .map(|raw| joint_arrangement(raw, &controllers))
            .transpose()?;
        if controllers.len() > 1 && joint_arrangement.is_none() {
            return Err((
                controllers_at,
                "joint_arrangement: a register with several controllers says how they share \
                 their duties (Art. 26)"
                    .into(),
            ));
        }
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
            .map(|d| d.into_declared(data_categories, today, doubts))
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
                    description: text("on_request.description", group.description)?,
                    purpose: text("on_request.purpose", group.purpose)?,
                    provisions: provisions(
                        "on_request.provisions",
                        &group.provisions,
                        today,
                        doubts,
                    )?,
                })
            })
            .collect::<Result<_, Problem>>()?;
        let processors = self
            .processors
            .into_iter()
            .map(|p| p.into_processor(data_categories))
            .collect::<Result<_, _>>()?;
        Ok(Register {
            id,
            name: text("name", self.name)?,
            controllers,
            undeclared,
            source: self.source,
            purposes: list("purposes", self.purposes)?,
            legal_bases,
            special_conditions,
            subject_categories: list("subject_categories", self.subject_categories)?,
            data_categories,
            retention: text("retention", self.retention)?,
            third_country_transfers: self.third_country_transfers,
            sources: list("sources", self.sources)?,
            automated_decisions: text("automated_decisions", self.automated_decisions)?,
            security_measures: list("security_measures", self.security_measures)?,
            joint_arrangement,
            disclosures,
            on_request,
            processors,
            file,
        })
    }
}

fn joint_arrangement(
    raw: Spanned<RawJointArrangement>,
    controllers: &[Controller],
) -> Result<JointArrangement, Problem> {
    let at = raw.span().start;
    if controllers.len() < 2 {
        return Err((
            at,
            "joint_arrangement: a register with one controller has no joint arrangement".into(),
        ));
    }
    let raw = raw.into_inner();
    let contact_point = raw
        .contact_point
        .map(|id| {
            let parsed = business_id("joint_arrangement.contact_point", &id)?;
            if !controllers.iter().any(|c| c.business_id == parsed) {
                return Err((
                    id.span().start,
                    format!(
                        "joint_arrangement.contact_point: {parsed} is not one of the controllers"
                    ),
                ));
            }
            Ok(parsed)
        })
        .transpose()?;
    Ok(JointArrangement {
        summary: text("joint_arrangement.summary", raw.summary)?,
        contact_point,
        shared_records: raw.shared_records,
    })
}

impl RawDisclosure {
    fn into_declared(
        self,
        held: DataCategories,
        today: Date,
        doubts: &mut Vec<Problem>,
    ) -> Result<DeclaredDisclosure, Problem> {
        let data_categories =
            held_categories("disclosures.data_categories", &self.data_categories, held)?;
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
        let recipient_kind = coded(
            "disclosures.recipient_kind",
            &self.recipient_kind,
            RecipientKind::from_label,
        )?;
        if recipient_kind == RecipientKind::Processor {
            return Err((
                self.recipient_kind.span().start,
                "disclosures.recipient_kind: handing data to a processor is not a disclosure; \
                 declare it under [[processors]]"
                    .into(),
            ));
        }
        Ok(DeclaredDisclosure {
            recipient_name: name("disclosures.recipient_name", self.recipient_name)?,
            recipient_kind,
            recipient_id,
            example_id: self.example_id,
            provisions: provisions("disclosures.provisions", &self.provisions, today, doubts)?,
            data_categories,
            purpose: text("disclosures.purpose", self.purpose)?,
            legal_basis: coded(
                "disclosures.legal_basis",
                &self.legal_basis,
                LegalBasis::from_label,
            )?,
            consent_required: self.consent_required,
        })
    }
}

impl RawProcessor {
    fn into_processor(self, held: DataCategories) -> Result<Processor, Problem> {
        let business_id = self
            .business_id
            .as_ref()
            .map(|id| business_id("processors.business_id", id))
            .transpose()?;
        if self.example_id && business_id.is_none() {
            return Err((
                self.name.span().start,
                "processors.example_id: there is no business_id".into(),
            ));
        }
        let country = Country::parse(self.country.get_ref()).map_err(|error| {
            (
                self.country.span().start,
                format!("processors.country: {error}"),
            )
        })?;
        Ok(Processor {
            name: name("processors.name", self.name)?,
            business_id,
            example_id: self.example_id,
            country,
            data_categories: held_categories(
                "processors.data_categories",
                &self.data_categories,
                held,
            )?,
            data_items: self
                .data_items
                .map(|items| text("processors.data_items", items))
                .transpose()?,
            service: text("processors.service", self.service)?,
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
sources = { fi = ["a"], sv = ["a"], en = ["a"] }
automated_decisions = { fi = "a", sv = "a", en = "a" }
security_measures = { fi = ["a"], sv = ["a"], en = ["a"] }

[[disclosures]]
recipient_name = "Verohallinto"
recipient_kind = "authority"
provisions = ["1290/2002 13:1"]
data_categories = ["identity"]
purpose = { fi = "a", sv = "a", en = "a" }
legal_basis = "legal_obligation"
"#;

    fn load_text(text: &str) -> Result<Register, CatalogueError> {
        load_with_warnings(text).map(|(register, _)| register)
    }

    fn load_with_warnings(text: &str) -> Result<(Register, Vec<CatalogueWarning>), CatalogueError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("testi.toml");
        std::fs::write(&file, text).unwrap();
        load_file(&file, time::macros::date!(2026 - 12 - 01))
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
        assert_eq!(line, 21);
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
        assert_eq!(line, 20);
        assert!(problem.contains("\"1290/02\""), "{problem}");
    }

    #[test]
    fn a_misspelt_key_is_refused() {
        let (line, problem) = problem(&MINIMAL.replace("consent_required", "x").replace(
            "legal_basis = \"legal_obligation\"\n",
            "legal_basis = \"legal_obligation\"\nconsent_requred = true\n",
        ));
        assert_eq!(line, 24);
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

    #[test]
    fn a_missing_translation_is_named_with_its_language_and_line() {
        let (line, problem) = problem(&MINIMAL.replace(
            "retention = { fi = \"a\", sv = \"a\", en = \"a\" }",
            "retention = { fi = \"a\", sv = \"\", en = \"a\" }",
        ));
        assert_eq!(line, 11);
        assert!(problem.starts_with("retention.sv"), "{problem}");
    }

    #[test]
    fn an_on_request_group_without_a_purpose_is_refused() {
        let group = "\n[[on_request]]\nrecipient_kind = \"authority\"\nprovisions = []\n\
                     description = { fi = \"a\", sv = \"a\", en = \"a\" }\n";
        let with_purpose =
            format!("{MINIMAL}{group}purpose = {{ fi = \"a\", sv = \"a\", en = \"a\" }}\n");

        let (_, problem) = problem(&format!("{MINIMAL}{group}"));

        assert!(problem.contains("purpose"), "{problem}");
        let register = load_text(&with_purpose).unwrap();
        assert_eq!(register.on_request[0].purpose.sv, "a");
    }

    #[test]
    fn a_list_with_fewer_items_in_one_language_is_refused() {
        let (line, problem) = problem(&MINIMAL.replace(
            "purposes = { fi = [\"a\"], sv = [\"a\"], en = [\"a\"] }",
            "purposes = { fi = [\"a\", \"b\"], sv = [\"a\", \"b\"], en = [\"a\"] }",
        ));
        assert_eq!(line, 7);
        assert!(problem.starts_with("purposes.en"), "{problem}");
    }

    #[test]
    fn a_plain_name_is_the_same_in_every_language_and_a_table_gives_each() {
        let register = load_text(&MINIMAL.replace(
            "recipient_name = \"Verohallinto\"",
            "recipient_name = { fi = \"Verohallinto\", sv = \"Skatteförvaltningen\", en = \"Finnish Tax Administration\" }",
        ))
        .unwrap();
        assert_eq!(
            register.controllers[0].name.get(Language::Sv),
            "KEHA-keskus"
        );
        assert_eq!(
            register.disclosures[0].recipient_name.get(Language::Sv),
            "Skatteförvaltningen"
        );
    }

    #[test]
    fn article_28_is_refused_as_a_provision_of_a_disclosure() {
        let (line, problem) = problem(&MINIMAL.replace("1290/2002 13:1", "EU:R 2016/679 28"));
        assert_eq!(line, 20);
        assert!(problem.contains("[[processors]]"), "{problem}");
    }

    #[test]
    fn a_processor_declared_as_a_disclosure_is_refused() {
        let (line, problem) = problem(&MINIMAL.replace(
            "recipient_kind = \"authority\"",
            "recipient_kind = \"processor\"",
        ));
        assert_eq!(line, 19);
        assert!(problem.contains("[[processors]]"), "{problem}");
    }

    const PROCESSOR: &str = r#"
[[processors]]
name = "Ninchat"
country = "FI"
data_categories = ["identity"]
data_items = { fi = "jäsennumero ja etunimi", sv = "medlemsnummer och förnamn", en = "member number and first name" }
service = { fi = "chat", sv = "chatt", en = "chat" }
"#;

    #[test]
    fn a_processor_loads_with_what_it_receives() {
        let register = load_text(&format!("{MINIMAL}{PROCESSOR}")).unwrap();
        let ninchat = &register.processors[0];
        assert_eq!(ninchat.name.en, "Ninchat");
        assert_eq!(ninchat.country.as_str(), "FI");
        assert_eq!(
            ninchat.data_items.as_ref().unwrap().en,
            "member number and first name"
        );
    }

    #[test]
    fn a_processor_may_not_receive_a_category_the_register_does_not_hold() {
        let text = format!("{MINIMAL}{PROCESSOR}").replace(
            "data_categories = [\"identity\"]\ndata_items",
            "data_categories = [\"contact\"]\ndata_items",
        );
        let (line, problem) = problem(&text);
        assert_eq!(line, 28);
        assert!(problem.contains("contact is not among"), "{problem}");
    }

    #[test]
    fn a_joint_arrangement_needs_several_controllers() {
        let text = MINIMAL.replace(
            "third_country_transfers = []",
            "third_country_transfers = []\njoint_arrangement = { summary = { fi = \"a\", sv = \"a\", en = \"a\" }, shared_records = true }",
        );
        let (line, problem) = problem(&text);
        assert_eq!(line, 13);
        assert!(problem.starts_with("joint_arrangement"), "{problem}");
    }

    #[test]
    fn several_controllers_without_a_joint_arrangement_are_refused() {
        let (line, problem) = problem(&MINIMAL.replace(
            "controllers = [{ business_id = \"2296962-1\", name = \"KEHA-keskus\" }]",
            "controllers = [{ business_id = \"2296962-1\", name = \"KEHA-keskus\" }, { business_id = \"0179377-8\", name = \"Kokkolan kaupunki\" }]",
        ));
        assert_eq!(line, 6);
        assert!(problem.starts_with("joint_arrangement"), "{problem}");
    }

    #[test]
    fn citing_a_repealed_act_loads_with_a_warning_naming_its_line() {
        let (register, warnings) =
            load_with_warnings(&MINIMAL.replace("1290/2002 13:1", "916/2012 13:6")).unwrap();
        assert_eq!(register.disclosures.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].line, 20);
        assert!(
            warnings[0].problem.contains("repealed on 2025-01-01"),
            "{}",
            warnings[0].problem
        );
    }

    #[test]
    fn the_shipped_catalogues_load_and_every_text_is_translated() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/registers");
        let (registers, _) = load_dir(&dir, time::macros::date!(2026 - 12 - 01)).unwrap();
        assert_eq!(registers.len(), 5);
    }
}
