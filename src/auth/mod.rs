//! Who may do what. A call is authenticated at the gRPC edge (client certificate, API token
//! or JWT; [`Authenticator`]) and becomes a [`Caller`]: a name and roles granted per
//! controller, optionally per register. Each handler asks the caller for the role its call
//! needs at the controller (and register) the request names, before it reads anything, so a
//! denial says nothing about whether the data exists. Tenancy follows: every request names
//! its controller, and a caller acts only for the controllers it was granted.

mod authenticate;
mod settings;
mod tls;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::{BusinessId, RegisterId};

pub use authenticate::{AuthError, Authenticator, CallerRate, token_hash};
pub use settings::{AuthSettings, CallerSettings, GrantSettings, JwtIssuerSettings, TlsSettings};
pub use tls::Exposure;

/// What a caller may be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Records disclosures and consents for its controller and registers.
    Recorder,
    /// Statistics, Art. 30 records, listings without identity codes, the lookup record.
    Auditor,
    /// Looks up one person's disclosures by identity code, always with a case reference.
    SubjectAccess,
    /// Checkpoints, proofs and entry leaves.
    Verifier,
    /// Catalogue reloads.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Recorder,
        Role::Auditor,
        Role::SubjectAccess,
        Role::Verifier,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Recorder => "recorder",
            Role::Auditor => "auditor",
            Role::SubjectAccess => "subject-access",
            Role::Verifier => "verifier",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role at one controller, in all its registers or in the listed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub controller: BusinessId,
    /// `None`: every register of the controller.
    pub registers: Option<Vec<RegisterId>>,
}

impl Grant {
    fn covers(&self, role: Role, controller: &BusinessId, register: Option<&RegisterId>) -> bool {
        self.role == role
            && &self.controller == controller
            && match (&self.registers, register) {
                (None, _) => true,
                (Some(listed), Some(register)) => listed.contains(register),
                // A register-limited grant covers only calls that name one of its registers.
                (Some(_), None) => false,
            }
    }
}

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No credentials, or none that name a configured caller.
    Unauthenticated,
    /// The caller lacks the role at that controller (or register).
    Forbidden(Refusal),
}

/// Who was refused by which rule: kept apart from its wording so that every front end can
/// say it in its own language (gRPC says it in English, the pages in the viewer's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub caller: String,
    pub rule: Rule,
}

/// The rule of a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The caller has no `role` for `controller`.
    RoleAt { role: Role, controller: BusinessId },
    /// The caller has `role` for `controller`, but not in `register`.
    RoleInRegister {
        role: Role,
        controller: BusinessId,
        register: RegisterId,
    },
    /// The caller has `role` for `controller` only in some registers, and named none.
    RegisterNeeded { role: Role, controller: BusinessId },
    /// The caller has none of `roles` for `controller`.
    OneOfRolesAt {
        roles: Vec<Role>,
        controller: BusinessId,
    },
    /// The caller has no `role` at any controller.
    RoleAnywhere { role: Role },
    /// The caller does not act for `controller`.
    ActsFor { controller: BusinessId },
    /// `register` is not a register of the caller's controllers.
    RegisterOfCaller { register: RegisterId },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.caller;
        match &self.rule {
            Rule::RoleAt { role, controller } => {
                write!(
                    f,
                    "caller {name} has no {role} role for controller {controller}"
                )
            }
            Rule::RoleInRegister {
                role,
                controller,
                register,
            } => write!(
                f,
                "caller {name} has the {role} role for controller {controller} but not in register {register}"
            ),
            Rule::RegisterNeeded { role, controller } => write!(
                f,
                "caller {name} has the {role} role for controller {controller} only in some registers; name one of them"
            ),
            Rule::OneOfRolesAt { roles, controller } => {
                let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                write!(
                    f,
                    "caller {name} has none of the roles {} for controller {controller}",
                    roles.join(", ")
                )
            }
            Rule::RoleAnywhere { role } => write!(f, "caller {name} has no {role} role"),
            Rule::ActsFor { controller } => {
                write!(f, "caller {name} does not act for controller {controller}")
            }
            Rule::RegisterOfCaller { register } => write!(
                f,
                "register {register} is not a register of caller {name}'s controllers"
            ),
        }
    }
}

impl Denied {
    /// Refused by `rule`, for `caller`.
    pub fn by(caller: &Caller, rule: Rule) -> Self {
        Self::Forbidden(Refusal {
            caller: caller.name().to_owned(),
            rule,
        })
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthenticated => f.write_str("credentials required"),
            Self::Forbidden(refusal) => refusal.fmt(f),
        }
    }
}

impl std::error::Error for Denied {}

/// The authenticated party of one call. Cheap to clone.
#[derive(Clone)]
pub struct Caller {
    party: Arc<Party>,
    /// The caller's rate, shared by all its calls; `None`: unlimited.
    limiter: Option<Arc<governor::DefaultDirectRateLimiter>>,
}

enum Party {
    /// No callers configured and loopback only: every local caller has every role.
    Local,
    /// The host itself: a command run on it (whoever may run one has the database and the
    /// keys already; `requested_by` names the person) or the service's own schedule and
    /// signals. It has every role.
    Host(&'static str),
    /// No credentials were presented.
    Anonymous { public_verifier: bool },
    Known {
        name: String,
        grants: Vec<Grant>,
        public_verifier: bool,
    },
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Caller({})", self.name())
    }
}

impl Caller {
    /// The caller of an open (unconfigured, loopback-only) service.
    pub fn local() -> Self {
        Self::of(Party::Local)
    }

    /// The caller of a command run on the host, recorded as `cli`.
    pub fn command_line() -> Self {
        Self::of(Party::Host("cli"))
    }

    /// The service acting on its own: a schedule or a signal, named `name`.
    pub fn service_itself(name: &'static str) -> Self {
        Self::of(Party::Host(name))
    }

    pub fn anonymous(public_verifier: bool) -> Self {
        Self::of(Party::Anonymous { public_verifier })
    }

    pub fn known(name: impl Into<String>, grants: Vec<Grant>, public_verifier: bool) -> Self {
        Self::of(Party::Known {
            name: name.into(),
            grants,
            public_verifier,
        })
    }

    fn of(party: Party) -> Self {
        Self {
            party: Arc::new(party),
            limiter: None,
        }
    }

    /// The name stored with its writes and lookups.
    pub fn name(&self) -> &str {
        match &*self.party {
            Party::Local => "local",
            Party::Host(name) => name,
            Party::Anonymous { .. } => "anonymous",
            Party::Known { name, .. } => name,
        }
    }

    /// Whether credentials named this caller (not an open service's local caller).
    pub fn is_authenticated(&self) -> bool {
        matches!(&*self.party, Party::Known { .. })
    }

    /// May this caller act as `role` for `controller`, in `register` when the call names one?
    pub fn authorize(
        &self,
        role: Role,
        controller: &BusinessId,
        register: Option<&RegisterId>,
    ) -> Result<(), Denied> {
        match &*self.party {
            Party::Local | Party::Host(_) => Ok(()),
            Party::Anonymous { .. } => Err(Denied::Unauthenticated),
            Party::Known { grants, .. } => {
                if grants.iter().any(|g| g.covers(role, controller, register)) {
                    return Ok(());
                }
                let limited = grants
                    .iter()
                    .any(|g| g.role == role && &g.controller == controller);
                let controller = controller.clone();
                Err(Denied::by(
                    self,
                    match (limited, register) {
                        (true, Some(register)) => Rule::RoleInRegister {
                            role,
                            controller,
                            register: register.clone(),
                        },
                        (true, None) => Rule::RegisterNeeded { role, controller },
                        (false, _) => Rule::RoleAt { role, controller },
                    },
                ))
            }
        }
    }

    /// Allowed if the caller has any of `roles` at `controller`; the denial names them all.
    pub fn authorize_one_of(&self, roles: &[Role], controller: &BusinessId) -> Result<(), Denied> {
        if roles
            .iter()
            .any(|&role| self.authorize(role, controller, None).is_ok())
        {
            return Ok(());
        }
        self.authenticated_or_local()?;
        Err(Denied::by(
            self,
            Rule::OneOfRolesAt {
                roles: roles.to_vec(),
                controller: controller.clone(),
            },
        ))
    }

    /// For calls that concern the whole log or service rather than one controller
    /// (checkpoints, consistency proofs, catalogue reloads): the role at any controller.
    /// Verification may be public by configuration.
    pub fn authorize_anywhere(&self, role: Role) -> Result<(), Denied> {
        match &*self.party {
            Party::Local | Party::Host(_) => Ok(()),
            Party::Anonymous { public_verifier } => (role == Role::Verifier && *public_verifier)
                .then_some(())
                .ok_or(Denied::Unauthenticated),
            Party::Known {
                grants,
                public_verifier,
                ..
            } => {
                if (role == Role::Verifier && *public_verifier)
                    || grants.iter().any(|g| g.role == role)
                {
                    Ok(())
                } else {
                    Err(Denied::by(self, Rule::RoleAnywhere { role }))
                }
            }
        }
    }

    /// Whether the caller acts for `controller` in any role (which registers it may see).
    pub fn acts_for(&self, controller: &BusinessId) -> bool {
        match &*self.party {
            Party::Local | Party::Host(_) => true,
            Party::Anonymous { .. } => false,
            Party::Known { grants, .. } => grants.iter().any(|g| &g.controller == controller),
        }
    }

    /// Fails with UNAUTHENTICATED for a caller without credentials.
    pub fn authenticated_or_local(&self) -> Result<(), Denied> {
        match &*self.party {
            Party::Anonymous { .. } => Err(Denied::Unauthenticated),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // EXAMPLE business IDs (outside the range of issued ones), as in examples/registers:
    // Kela's and another controller's.
    fn kela() -> BusinessId {
        BusinessId::parse("9990003-2").unwrap()
    }

    fn other() -> BusinessId {
        BusinessId::parse("9990001-6").unwrap()
    }

    fn register(id: &str) -> RegisterId {
        RegisterId::parse(id).unwrap()
    }

    fn recorder_in(registers: Option<Vec<RegisterId>>) -> Caller {
        Caller::known(
            "maksatus",
            vec![Grant {
                role: Role::Recorder,
                controller: kela(),
                registers,
            }],
            false,
        )
    }

    #[test]
    fn a_grant_authorizes_its_role_at_its_controller_only() {
        let caller = recorder_in(None);
        assert!(caller.authorize(Role::Recorder, &kela(), None).is_ok());
        assert!(
            caller
                .authorize(Role::Recorder, &kela(), Some(&register("etuudet")))
                .is_ok()
        );
        assert!(matches!(
            caller.authorize(Role::Auditor, &kela(), None),
            Err(Denied::Forbidden(_))
        ));
        assert!(matches!(
            caller.authorize(Role::Recorder, &other(), None),
            Err(Denied::Forbidden(_))
        ));
    }

    #[test]
    fn a_register_limited_grant_covers_only_calls_naming_its_registers() {
        let caller = recorder_in(Some(vec![register("etuudet")]));
        assert!(
            caller
                .authorize(Role::Recorder, &kela(), Some(&register("etuudet")))
                .is_ok()
        );
        let Err(Denied::Forbidden(refusal)) =
            caller.authorize(Role::Recorder, &kela(), Some(&register("asiakkaat")))
        else {
            panic!("another register is refused");
        };
        let why = refusal.to_string();
        assert!(why.contains("not in register asiakkaat"), "{why}");
        assert!(caller.authorize(Role::Recorder, &kela(), None).is_err());
    }

    #[test]
    fn anonymous_callers_are_unauthenticated_unless_verification_is_public() {
        assert_eq!(
            Caller::anonymous(false).authorize(Role::Verifier, &kela(), None),
            Err(Denied::Unauthenticated)
        );
        assert_eq!(
            Caller::anonymous(false).authorize_anywhere(Role::Verifier),
            Err(Denied::Unauthenticated)
        );
        assert!(
            Caller::anonymous(true)
                .authorize_anywhere(Role::Verifier)
                .is_ok()
        );
        assert_eq!(
            Caller::anonymous(true).authorize(Role::Verifier, &kela(), None),
            Err(Denied::Unauthenticated),
            "entry leaves stay controller-scoped"
        );
    }

    #[test]
    fn the_local_caller_of_an_open_service_may_do_everything() {
        for role in Role::ALL {
            assert!(Caller::local().authorize(role, &other(), None).is_ok());
        }
    }
}
