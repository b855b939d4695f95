//! Single sign-on by OpenID Connect: which Heard role a person's claims give them. An
//! organisation's identity provider (Microsoft Entra ID, say) sends app roles in `roles` or group
//! ids in `groups`; the administrator maps some of those values to Heard's roles, in order.

use crate::Invalid;
use crate::governance::Role;

/// Claim values mapped to roles, in the order the administrator gave them: the first rule whose
/// value a person's claim carries decides their role, so a person in two mapped groups gets the
/// one listed first. A person whose claim carries no mapped value gets no role and is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMapping {
    claim: String,
    rules: Vec<(String, Role)>,
}

impl RoleMapping {
    /// Parses `claim` (the claim's name, e.g. `roles` or `groups`) and `rules`: `value=role`
    /// pairs separated by commas, e.g. `Heard.Administrator=administrator,Heard.Research=researcher`.
    /// Values are compared exactly (Entra ID's group ids and app role values are case-sensitive).
    /// Errors name `claim_field` or `rules_field`, and the rule by its place in the list.
    pub fn parse(claim_field: &str, claim: &str, rules_field: &str, rules: &str) -> Result<Self, Invalid> {
        let mut errors = crate::error::Collector::new();
        let claim = claim.trim();
        if claim.is_empty() {
            errors.push(claim_field, "Enter the name of the claim that carries roles or groups, such as roles");
        } else if claim.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errors.push(claim_field, "The claim's name must not contain spaces");
        }
        let mut parsed: Vec<(String, Role)> = Vec::new();
        let entries: Vec<&str> = rules.split(',').map(str::trim).filter(|entry| !entry.is_empty()).collect();
        if entries.is_empty() {
            errors.push(
                rules_field,
                "Enter at least one rule of the form value=role, such as Heard.Researcher=researcher",
            );
        }
        let roles = Role::ALL.iter().map(|role| role.code()).collect::<Vec<_>>().join(", ");
        for (n, entry) in entries.iter().enumerate() {
            let n = n + 1;
            // Roles never hold '=', so the last one splits; a value may hold one.
            let Some((value, role)) = entry.rsplit_once('=') else {
                errors.push(rules_field, format!("Rule {n} must be of the form value=role"));
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                errors.push(rules_field, format!("Rule {n} has no claim value before the ="));
                continue;
            }
            let Ok(role) = role.trim().parse::<Role>() else {
                errors.push(rules_field, format!("Rule {n} names no Heard role after the =: use one of {roles}"));
                continue;
            };
            if parsed.iter().any(|(seen, _)| seen == value) {
                errors.push(rules_field, format!("Rule {n} repeats a claim value given by an earlier rule"));
                continue;
            }
            parsed.push((value.to_owned(), role));
        }
        errors.finish(|| RoleMapping { claim: claim.to_owned(), rules: parsed })
    }

    /// The name of the claim whose values are mapped.
    pub fn claim(&self) -> &str {
        &self.claim
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[(String, Role)] {
        &self.rules
    }

    /// The role of a person whose claim carries `values`: the first rule that matches, or `None`.
    pub fn role_for<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> Option<Role> {
        let values: Vec<&str> = values.into_iter().collect();
        self.rules.iter().find(|(value, _)| values.contains(&value.as_str())).map(|(_, role)| *role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(rules: &str) -> Result<RoleMapping, Invalid> {
        RoleMapping::parse("claim", "roles", "rules", rules)
    }

    #[test]
    fn rules_parse_in_order_with_spaces_trimmed() {
        let m = mapping(" Heard.Admin = administrator , 0b7e-4c1a=researcher,,").unwrap();
        assert_eq!(m.claim(), "roles");
        assert_eq!(
            m.rules(),
            &[("Heard.Admin".to_owned(), Role::Administrator), ("0b7e-4c1a".to_owned(), Role::Researcher)]
        );
    }

    #[test]
    fn the_first_rule_that_matches_decides() {
        let m = mapping("staff=viewer,research=researcher,admins=administrator").unwrap();
        assert_eq!(m.role_for(["research", "staff"]), Some(Role::Viewer));
        assert_eq!(m.role_for(["admins", "research"]), Some(Role::Researcher));
        assert_eq!(m.role_for(["admins"]), Some(Role::Administrator));
    }

    #[test]
    fn no_match_gives_no_role() {
        let m = mapping("Heard.Admin=administrator").unwrap();
        assert_eq!(m.role_for(["heard.admin", "Heard.Admin "]), None, "values compare exactly");
        assert_eq!(m.role_for(std::iter::empty()), None);
    }

    #[test]
    fn a_value_may_hold_an_equals_sign() {
        let m = mapping("a=b=commissioner").unwrap();
        assert_eq!(m.role_for(["a=b"]), Some(Role::Commissioner));
    }

    #[test]
    fn each_bad_rule_is_named_by_its_place() {
        let invalid = mapping("ok=viewer,nonsense,=viewer,x=overlord,ok=researcher").unwrap_err();
        let messages: Vec<&str> = invalid.0.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(invalid.0.iter().filter(|e| e.field == "rules").count(), 4);
        assert!(messages[0].starts_with("Rule 2 must be of the form"), "{messages:?}");
        assert!(messages[1].starts_with("Rule 3 has no claim value"), "{messages:?}");
        assert!(messages[2].starts_with("Rule 4 names no Heard role"), "{messages:?}");
        assert!(messages[2].contains("administrator, commissioner"), "{messages:?}");
        assert!(messages[3].starts_with("Rule 5 repeats"), "{messages:?}");
    }

    #[test]
    fn claim_and_rules_are_required() {
        let invalid = RoleMapping::parse("claim", " ", "rules", " , ").unwrap_err();
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["claim", "rules"]);
        let invalid = RoleMapping::parse("claim", "my roles", "rules", "a=viewer").unwrap_err();
        assert_eq!(invalid.message_for("claim"), Some("The claim's name must not contain spaces"));
    }
}
