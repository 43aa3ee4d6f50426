//! A use case's refusal said in the viewer's language: which rule refused whom. gRPC says
//! the same `Refusal` in English (its Display); a page must be wholly in one language.

use crate::auth::{Denied, Refusal, Role, Rule};

use super::lang::Lang;

/// The role's name in `lang`, as staff know it.
fn role(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Recorder => lang.pick("kirjaaja", "registrerare", "recorder"),
        Role::Auditor => lang.pick("tarkastaja", "granskare", "auditor"),
        Role::SubjectAccess => lang.pick(
            "tarkastuspyyntöjen käsittelijä",
            "handläggare av begäranden om insyn",
            "subject access",
        ),
        Role::Verifier => lang.pick(
            "eheyden tarkistaja",
            "kontrollant av integriteten",
            "verifier",
        ),
        Role::Admin => lang.pick("ylläpitäjä", "administratör", "admin"),
    }
}

/// `denied` in `lang`.
pub fn say_denied(lang: Lang, denied: &Denied) -> String {
    match denied {
        Denied::Unauthenticated => lang.texts().unauthenticated.to_owned(),
        Denied::Forbidden(refusal) => say(lang, refusal),
    }
}

/// `refusal` in `lang`: the person (or system), the role it lacks and where.
pub fn say(lang: Lang, refusal: &Refusal) -> String {
    let who = &refusal.caller;
    match (&refusal.rule, lang) {
        (
            Rule::RoleAt {
                role: r,
                controller,
            },
            Lang::Fi,
        ) => format!(
            "Käyttäjällä {who} ei ole roolia ”{}” rekisterinpitäjälle {controller}.",
            role(lang, *r)
        ),
        (
            Rule::RoleAt {
                role: r,
                controller,
            },
            Lang::Sv,
        ) => format!(
            "Användaren {who} har inte rollen ”{}” för den personuppgiftsansvarige {controller}.",
            role(lang, *r)
        ),
        (
            Rule::RoleAt {
                role: r,
                controller,
            },
            Lang::En,
        ) => format!(
            "{who} does not have the “{}” role for controller {controller}.",
            role(lang, *r)
        ),
        (
            Rule::RoleInRegister {
                role: r,
                controller,
                register,
            },
            Lang::Fi,
        ) => format!(
            "Käyttäjällä {who} on rooli ”{}” rekisterinpitäjälle {controller}, mutta ei rekisterissä {register}.",
            role(lang, *r)
        ),
        (
            Rule::RoleInRegister {
                role: r,
                controller,
                register,
            },
            Lang::Sv,
        ) => format!(
            "Användaren {who} har rollen ”{}” för {controller}, men inte i registret {register}.",
            role(lang, *r)
        ),
        (
            Rule::RoleInRegister {
                role: r,
                controller,
                register,
            },
            Lang::En,
        ) => format!(
            "{who} has the “{}” role for controller {controller}, but not in register {register}.",
            role(lang, *r)
        ),
        (
            Rule::RegisterNeeded {
                role: r,
                controller,
            },
            Lang::Fi,
        ) => format!(
            "Käyttäjän {who} rooli ”{}” rekisterinpitäjälle {controller} koskee vain osaa rekistereistä: valitse rekisteri.",
            role(lang, *r)
        ),
        (
            Rule::RegisterNeeded {
                role: r,
                controller,
            },
            Lang::Sv,
        ) => format!(
            "Användaren {who} har rollen ”{}” för {controller} bara i vissa register: välj ett register.",
            role(lang, *r)
        ),
        (
            Rule::RegisterNeeded {
                role: r,
                controller,
            },
            Lang::En,
        ) => format!(
            "{who} has the “{}” role for controller {controller} only in some registers: choose a register.",
            role(lang, *r)
        ),
        (Rule::OneOfRolesAt { roles, controller }, _) => {
            let names: Vec<String> = roles
                .iter()
                .map(|r| match lang {
                    Lang::En => format!("“{}”", role(lang, *r)),
                    // Finnish and Swedish quote with the same mark on both sides.
                    Lang::Fi | Lang::Sv => format!("”{}”", role(lang, *r)),
                })
                .collect();
            let names = names.join(", ");
            match lang {
                Lang::Fi => format!(
                    "Käyttäjällä {who} ei ole mitään rooleista {names} rekisterinpitäjälle {controller}."
                ),
                Lang::Sv => format!(
                    "Användaren {who} har ingen av rollerna {names} för den personuppgiftsansvarige {controller}."
                ),
                Lang::En => {
                    format!("{who} has none of the roles {names} for controller {controller}.")
                }
            }
        }
        (Rule::RoleAnywhere { role: r }, Lang::Fi) => {
            format!("Käyttäjällä {who} ei ole roolia ”{}”.", role(lang, *r))
        }
        (Rule::RoleAnywhere { role: r }, Lang::Sv) => {
            format!("Användaren {who} har inte rollen ”{}”.", role(lang, *r))
        }
        (Rule::RoleAnywhere { role: r }, Lang::En) => {
            format!("{who} does not have the “{}” role.", role(lang, *r))
        }
        (Rule::ActsFor { controller }, Lang::Fi) => {
            format!("Käyttäjä {who} ei toimi rekisterinpitäjän {controller} puolesta.")
        }
        (Rule::ActsFor { controller }, Lang::Sv) => {
            format!("Användaren {who} agerar inte för den personuppgiftsansvarige {controller}.")
        }
        (Rule::ActsFor { controller }, Lang::En) => {
            format!("{who} does not act for controller {controller}.")
        }
        (Rule::RegisterOfCaller { register }, Lang::Fi) => {
            format!("Rekisteri {register} ei ole käyttäjän {who} rekisterinpitäjien rekisteri.")
        }
        (Rule::RegisterOfCaller { register }, Lang::Sv) => format!(
            "Registret {register} hör inte till de personuppgiftsansvariga som användaren {who} agerar för."
        ),
        (Rule::RegisterOfCaller { register }, Lang::En) => {
            format!("Register {register} is not a register of the controllers {who} acts for.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BusinessId;

    fn refusal(rule: Rule) -> Refusal {
        Refusal {
            caller: "kasittelija-17".into(),
            rule,
        }
    }

    #[test]
    fn a_refusal_names_the_role_in_the_page_language_with_no_english_role_name() {
        let controller = BusinessId::parse("0179377-8").unwrap();
        let missing = refusal(Rule::RoleAt {
            role: Role::Auditor,
            controller: controller.clone(),
        });
        let fi = say(Lang::Fi, &missing);
        assert!(
            fi.contains("”tarkastaja”") && fi.contains("0179377-8"),
            "{fi}"
        );
        assert!(!fi.contains("auditor"), "{fi}");
        let sv = say(Lang::Sv, &missing);
        assert!(
            sv.contains("”granskare”") && !sv.contains("auditor"),
            "{sv}"
        );
        let en = say(Lang::En, &missing);
        assert!(en.contains("“auditor”"), "{en}");
        let several = refusal(Rule::OneOfRolesAt {
            roles: vec![Role::Auditor, Role::SubjectAccess],
            controller,
        });
        assert!(say(Lang::Fi, &several).contains("”tarkastaja”, ”tarkastuspyyntöjen käsittelijä”"));
        assert!(say(Lang::En, &several).contains("“auditor”, “subject access”"));
    }
}
