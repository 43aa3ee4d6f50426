//! Which controller a page is about: the controllers the viewer acts for (from the registers
//! the registers use case lets it see), the `controller` parameter or the first of them, and
//! the selector's choices. Whether the viewer may see that controller's data is left to the
//! page's own use case.

use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::Role;
use crate::domain::BusinessId;
use crate::report::i18n;
use crate::service::RegisterError;
use crate::web::WebState;
use crate::web::fields::{self, BadFields, Params};
use crate::web::respond::{denied, failed, message};
use crate::web::viewer::Viewer;

/// A page that answers instead of the one asked for (a refusal, a 400); boxed, as a
/// response is large beside the values it stands in for.
pub type Refusal = Box<Response>;

/// A controller the viewer may choose.
pub struct ControllerChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The controllers the viewer acts for, from the registers it may see, in the catalogue's
/// order, named in the page's language.
pub fn acted_for(
    state: &WebState,
    viewer: &Viewer,
    page: &str,
) -> Result<Vec<(BusinessId, String)>, Refusal> {
    let lang = viewer.lang;
    let registers = match state.services.list_registers(&viewer.caller, None) {
        Ok(registers) => registers,
        Err(RegisterError::Denied(refusal)) => return Err(Box::new(denied(lang, &refusal))),
        Err(error) => {
            return Err(Box::new(failed(
                lang,
                &format!("listing registers for {page}"),
                &error,
            )));
        }
    };
    let mut ids: Vec<(BusinessId, String)> = Vec::new();
    for register in &registers {
        for c in &register.controllers {
            if viewer.caller.acts_for(&c.business_id)
                && !ids.iter().any(|(id, _)| id == &c.business_id)
            {
                let name = i18n::local(lang.document_language(), &c.name).clone();
                ids.push((c.business_id.clone(), name));
            }
        }
    }
    Ok(ids)
}

/// The `controller` parameter, else the first controller the viewer acts for; noted as bad
/// when it is no business ID. Whether the viewer may see it is the use case's to say.
pub fn chosen_controller(
    params: &Params,
    ids: &[(BusinessId, String)],
    label: &'static str,
    bad: &mut BadFields,
    viewer: &Viewer,
    no_controllers: &'static str,
) -> Result<Option<BusinessId>, Refusal> {
    match params.get("controller") {
        Some(text) => Ok(
            bad.check(("controller", label), BusinessId::parse(text), |_| {
                fields::pick(viewer.lang).not_a_business_id.to_owned()
            }),
        ),
        None => match ids.first() {
            Some((id, _)) => Ok(Some(id.clone())),
            // Without credentials that name anyone, the auditor rule's own refusal (401).
            None => Err(Box::new(
                match viewer.caller.authorize_anywhere(Role::Auditor) {
                    Err(refusal) => denied(viewer.lang, &refusal),
                    Ok(()) => message(
                        viewer.lang,
                        StatusCode::FORBIDDEN,
                        viewer.t.denied,
                        no_controllers,
                    ),
                },
            )),
        },
    }
}

/// The selector's choices, with `controller` selected.
pub fn choices(ids: Vec<(BusinessId, String)>, controller: &BusinessId) -> Vec<ControllerChoice> {
    ids.into_iter()
        .map(|(id, name)| ControllerChoice {
            selected: &id == controller,
            id: id.to_string(),
            name,
        })
        .collect()
}
