//! Field violations: how a rejected input names every bad field at once.

use std::fmt;

/// One bad field of a request: its path (`subjects[4711]`, `recipient.identifier`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

/// Collects every violation of one request, so the caller learns all of them in one answer.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    /// Records a violation of `field`.
    pub fn add(&mut self, field: impl Into<String>, description: impl fmt::Display) {
        self.0.push(FieldViolation {
            field: field.into(),
            description: description.to_string(),
        });
    }

    /// Returns the parsed value, or records the error against `field` and returns `None`.
    pub fn check<T, E: fmt::Display>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, E>,
    ) -> Option<T> {
        parsed.map_err(|error| self.add(field, error)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` with the value built from the parsed fields when nothing was recorded, otherwise
    /// every violation. The value is `None` exactly when some field failed to parse.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldViolation>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }

    pub fn into_vec(self) -> Vec<FieldViolation> {
        self.0
    }
}
