//! The controller rule of a log bound to controllers (setting `controllers`): every use case
//! that names a controller asks [`Services::keeps`] after authorizing the caller, so a call
//! for another controller stores nothing here and answers nothing from here, the same way
//! in every front end. Unbound, every controller passes.

use crate::domain::{BusinessId, LogControllers};

use super::Services;

/// A call named a controller whose disclosures this log does not keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "controller rule: this log keeps only the disclosures of controller(s) {kept} (setting \
     controllers), and {controller} is not one of them; its disclosures are kept in its own log"
)]
pub struct OtherLog {
    pub controller: BusinessId,
    pub kept: LogControllers,
}

impl Services {
    /// Passes if this log keeps `controller`'s disclosures.
    pub fn keeps(&self, controller: &BusinessId) -> Result<(), OtherLog> {
        if self.controllers.keeps(controller) {
            Ok(())
        } else {
            Err(OtherLog {
                controller: controller.clone(),
                kept: self.controllers.clone(),
            })
        }
    }

    /// The controllers this log is bound to.
    pub fn log_controllers(&self) -> &LogControllers {
        &self.controllers
    }
}
