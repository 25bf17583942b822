//! Security roles and privileges of an environment's root business unit: the configured roles
//! (or [`default_roles`]), their deterministic IDs, and `GET roles`.

use super::{business_unit_id, derived_guid, odata_json, ODataQuery};
use crate::config::{Environment, RoleConfig};
use crate::paging::Paging;
use serde_json::{json, Value};

/// Every privilege of the tables the sandbox knows ([`super::entity_defs::KNOWN_TABLES`]); a role
/// with `*` has them all at Global depth (and every privilege of the served `$metadata`'s tables).
pub const PRIVILEGES: &[&str] = &[
    "prvCreateAccount",
    "prvReadAccount",
    "prvWriteAccount",
    "prvDeleteAccount",
    "prvAppendAccount",
    "prvAppendToAccount",
    "prvAssignAccount",
    "prvShareAccount",
    "prvCreateContact",
    "prvReadContact",
    "prvWriteContact",
    "prvDeleteContact",
    "prvAppendContact",
    "prvAppendToContact",
    "prvAssignContact",
    "prvShareContact",
    "prvCreateNote",
    "prvReadNote",
    "prvWriteNote",
    "prvDeleteNote",
    "prvAppendNote",
    "prvAppendToNote",
    "prvAssignNote",
    "prvShareNote",
    "prvCreateActivity",
    "prvReadActivity",
    "prvWriteActivity",
    "prvDeleteActivity",
    "prvAppendActivity",
    "prvAppendToActivity",
    "prvAssignActivity",
    "prvShareActivity",
    "prvCreateQuery",
    "prvReadQuery",
    "prvWriteQuery",
    "prvDeleteQuery",
    "prvAppendQuery",
    "prvAppendToQuery",
    "prvCreateUserQuery",
    "prvReadUserQuery",
    "prvWriteUserQuery",
    "prvDeleteUserQuery",
    "prvAppendUserQuery",
    "prvAppendToUserQuery",
    "prvAssignUserQuery",
    "prvShareUserQuery",
    "prvCreateUser",
    "prvReadUser",
    "prvWriteUser",
    "prvDeleteUser",
    "prvAppendUser",
    "prvAppendToUser",
    "prvCreateRole",
    "prvReadRole",
    "prvWriteRole",
    "prvDeleteRole",
    "prvAppendRole",
    "prvAppendToRole",
    "prvAssignRole",
    "prvCreateBusinessUnit",
    "prvReadBusinessUnit",
    "prvWriteBusinessUnit",
    "prvDeleteBusinessUnit",
    "prvAppendBusinessUnit",
    "prvAppendToBusinessUnit",
    "prvCreateTeam",
    "prvReadTeam",
    "prvWriteTeam",
    "prvDeleteTeam",
    "prvAppendTeam",
    "prvAppendToTeam",
];

/// The role every configured `system_administrators` member (by default: tenant admins) has.
pub const SYSTEM_ADMINISTRATOR: &str = "System Administrator";
/// The role other members have.
pub const BASIC_USER: &str = "Basic User";

/// `PrivilegeDepth` as the Web API spells it (Basic 0, Local 1, Deep 2, Global 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Depth {
    Basic,
    Local,
    Deep,
    Global,
}

impl Depth {
    pub fn name(self) -> &'static str {
        match self {
            Depth::Basic => "Basic",
            Depth::Local => "Local",
            Depth::Deep => "Deep",
            Depth::Global => "Global",
        }
    }
    fn parse(s: &str) -> Depth {
        match s.to_ascii_lowercase().as_str() {
            "basic" | "user" => Depth::Basic,
            "local" | "businessunit" => Depth::Local,
            "deep" => Depth::Deep,
            _ => Depth::Global,
        }
    }
}

/// One role of the environment.
#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub privileges: Vec<(String, Depth)>,
    /// `*`: every privilege, including those of tables only the served `$metadata` has.
    pub all: bool,
}

/// The roles used when an environment configures none. Sandbox approximations: real Dataverse
/// roles hold hundreds of privileges.
pub fn default_roles() -> Vec<RoleConfig> {
    let role = |name: &str, privileges: &[&str]| RoleConfig {
        name: name.into(),
        privileges: privileges.iter().map(|p| p.to_string()).collect(),
    };
    vec![
        role(SYSTEM_ADMINISTRATOR, &["*"]),
        role(
            BASIC_USER,
            &[
                "prvReadAccount:Basic",
                "prvReadContact:Basic",
                "prvReadUser",
                "prvReadRole",
                "prvReadBusinessUnit",
            ],
        ),
        role(
            crate::config::DEFAULT_APP_USER_ROLE,
            &[
                "prvCreateAccount",
                "prvReadAccount",
                "prvWriteAccount",
                "prvCreateContact",
                "prvReadContact",
                "prvWriteContact",
                "prvReadNote",
                "prvReadActivity",
            ],
        ),
        role("Contact reader (sandbox)", &["prvReadContact"]),
    ]
}

/// The environment's roles with their IDs.
pub fn roles(env: &Environment) -> Vec<Role> {
    let configs = if env.roles.is_empty() {
        default_roles()
    } else {
        env.roles.clone()
    };
    configs
        .into_iter()
        .map(|r| {
            let mut privileges = Vec::new();
            let all = r.privileges.iter().any(|p| p == "*");
            for p in &r.privileges {
                if p == "*" {
                    privileges.extend(PRIVILEGES.iter().map(|n| (n.to_string(), Depth::Global)));
                } else {
                    let (name, depth) = p.split_once(':').unwrap_or((p, "Global"));
                    privileges.push((name.to_string(), Depth::parse(depth)));
                }
            }
            Role {
                id: role_id(env, &r.name),
                name: r.name,
                privileges,
                all,
            }
        })
        .collect()
}

pub fn role_id(env: &Environment, name: &str) -> String {
    derived_guid(env, &format!("role:{}", name.to_ascii_lowercase()))
}

/// A privilege's ID: the same in every environment, as Dataverse's system privileges are.
pub fn privilege_id(name: &str) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"privileges.crm.localhost");
    uuid::Uuid::new_v5(&ns, name.to_ascii_lowercase().as_bytes()).to_string()
}

/// The union of the privileges of `role_ids`, each at its deepest depth, in catalogue order.
pub fn privileges_of(env: &Environment, role_ids: &[String]) -> Vec<(String, Depth)> {
    let mut out: Vec<(String, Depth)> = Vec::new();
    for role in roles(env).iter().filter(|r| role_ids.contains(&r.id)) {
        for (name, depth) in &role.privileges {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, d)) => *d = (*d).max(*depth),
                None => out.push((name.clone(), *depth)),
            }
        }
    }
    out
}

/// `RolePrivileges` of `RetrieveUserPrivilegesResponse`.
pub fn role_privileges_json(env: &Environment, role_ids: &[String]) -> Vec<Value> {
    let bu = business_unit_id(env);
    privileges_of(env, role_ids)
        .into_iter()
        .map(|(name, depth)| {
            json!({
                "Depth": depth.name(),
                "PrivilegeId": privilege_id(&name),
                "BusinessUnitId": bu,
                "PrivilegeName": name,
            })
        })
        .collect()
}

/// `GET roles[?$filter=_businessunitid_value eq {bu} [and name eq '…']]`.
pub fn list_roles(
    env: &Environment,
    q: &ODataQuery,
    paging: &Paging,
    base: &str,
) -> axum::response::Response {
    let bu = business_unit_id(env);
    let want_bu = q.filter_value("_businessunitid_value");
    let want_name = q.filter_value("name");
    let rows: Vec<Value> = roles(env)
        .into_iter()
        .filter(|_| {
            want_bu
                .as_deref()
                .is_none_or(|b| b.eq_ignore_ascii_case(&bu))
        })
        .filter(|r| {
            want_name
                .as_deref()
                .is_none_or(|n| n.eq_ignore_ascii_case(&r.name))
        })
        .map(|r| {
            q.select(json!({
                "@odata.etag": "W/\"1000\"",
                "roleid": r.id,
                "name": r.name,
                "_businessunitid_value": bu,
            }))
        })
        .collect();
    odata_json(paging.collection(format!("{base}/$metadata#roles{}", q.select_suffix()), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_union_keeps_the_deepest() {
        let env = crate::Config::builtin()
            .environment("contoso")
            .cloned()
            .unwrap();
        let basic = role_id(&env, BASIC_USER);
        let reader = role_id(&env, crate::config::DEFAULT_APP_USER_ROLE);
        let p = privileges_of(&env, std::slice::from_ref(&basic));
        assert!(p.contains(&("prvReadAccount".into(), Depth::Basic)));
        let p = privileges_of(&env, &[basic, reader]);
        assert!(p.contains(&("prvReadAccount".into(), Depth::Global)));
        assert_eq!(p.iter().filter(|(n, _)| n == "prvReadAccount").count(), 1);
        assert_eq!(
            privilege_id("prvReadAccount"),
            privilege_id("PRVREADACCOUNT")
        );
    }

    #[test]
    fn the_catalogue_is_the_known_tables_privileges() {
        let mut known: Vec<String> = super::super::entity_defs::KNOWN_TABLES
            .iter()
            .flat_map(|t| t.privileges())
            .map(|p| p.name)
            .collect();
        let mut catalogue: Vec<String> = PRIVILEGES.iter().map(|p| p.to_string()).collect();
        known.sort();
        catalogue.sort();
        assert_eq!(known, catalogue);
    }
}
