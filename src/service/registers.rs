//! The register catalogue as its callers see it (ListRegisters, GetRegister,
//! ReloadRegisters): each caller sees its own controllers' registers, joint controllers
//! both; another controller's register is refused as an unknown one is.

use std::sync::Arc;

use crate::auth::{Caller, Denied, Role, Rule};
use crate::catalogue::Register;
use crate::domain::{BusinessId, RegisterId};
use crate::storage::StorageError;

use super::Services;

/// Why registers could not be read or reloaded.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no register {0} in the catalogue")]
    NotFound(RegisterId),
    /// The new catalogue does not load; the one in force stays.
    #[error("{0}")]
    NotReloaded(String),
    #[error(transparent)]
    Unexpected(#[from] StorageError),
}

impl Services {
    /// The registers of `controller` (or of every controller the caller acts for).
    pub fn list_registers(
        &self,
        caller: &Caller,
        controller: Option<&BusinessId>,
    ) -> Result<Vec<Arc<Register>>, RegisterError> {
        if let Some(controller) = controller
            && !caller.acts_for(controller)
        {
            return Err(Denied::by(
                caller,
                Rule::ActsFor {
                    controller: controller.clone(),
                },
            )
            .into());
        }
        let catalogue = self.catalogue()?;
        Ok(catalogue
            .registers()
            .filter(|r| controller.is_none_or(|c| r.is_controlled_by(c)))
            .filter(|r| r.controller_ids().any(|c| caller.acts_for(c)))
            .cloned()
            .collect())
    }

    /// Register `id`, if it is a register of one of the caller's controllers.
    pub fn get_register(
        &self,
        caller: &Caller,
        id: &RegisterId,
    ) -> Result<Arc<Register>, RegisterError> {
        match self.catalogue()?.get(id) {
            Some(register) if register.controller_ids().any(|c| caller.acts_for(c)) => {
                Ok(Arc::clone(register))
            }
            // Whether another controller's register exists is not this caller's business.
            _ if caller.is_authenticated() => Err(Denied::by(
                caller,
                Rule::RegisterOfCaller {
                    register: id.clone(),
                },
            )
            .into()),
            _ => Err(RegisterError::NotFound(id.clone())),
        }
    }

    /// Reloads the catalogue from its directory; returns how many registers it holds.
    pub fn reload_registers(&self, caller: &Caller) -> Result<usize, RegisterError> {
        caller.authorize_anywhere(Role::Admin)?;
        let registers = self
            .registers
            .as_ref()
            .ok_or_else(|| StorageError::Config("no register catalogue is loaded".into()))?;
        match registers.reload() {
            Ok(catalogue) => {
                tracing::info!(registers = catalogue.len(), "register catalogue reloaded");
                Ok(catalogue.len())
            }
            Err(error) => {
                tracing::warn!(%error, "register catalogue not reloaded; the one in force stays");
                Err(RegisterError::NotReloaded(error.to_string()))
            }
        }
    }
}
