//! Dataverse Web API response shapes the checks read (unknown fields ignored):
//!
//! * `systemuser` columns `systemuserid`, `fullname`, `isdisabled`, `accessmode`,
//!   `applicationid`, `azureactivedirectoryobjectid`, `_businessunitid_value`, expanded
//!   `systemuserroles_association` (<https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuser>);
//! * `role` columns `roleid`, `name`, `_businessunitid_value`;
//! * `team` columns `teamid`, `name`, expanded `teamroles_association`; `businessunit`
//!   `businessunitid`, `name`;
//! * `RetrieveUserSetOfPrivilegesByNamesResponse` `{"RolePrivileges": [RolePrivilege]}` with `RolePrivilege`
//!   `{Depth, PrivilegeId, BusinessUnitId, PrivilegeName}` and `PrivilegeDepth` `Basic`, `Local`,
//!   `Deep`, `Global`, `RecordFilter`
//!   (<https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/roleprivilege>);
//! * `WhoAmIResponse` `{BusinessUnitId, UserId, OrganizationId}`.

use serde::{Deserialize, Deserializer, Serialize};

use super::graph::GraphList;
use crate::fields::Guid;

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A `systemuser` row, the columns the application-user check selects.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct SystemUser {
    /// The user's id.
    #[serde(default)]
    pub systemuserid: String,
    /// Full Name.
    #[serde(default)]
    pub fullname: Option<String>,
    /// Whether the user is disabled.
    #[serde(default)]
    pub isdisabled: Option<bool>,
    /// Access mode: 0 Read-Write, 1 Administrative, 2 Read, 3 Support User, 4 Non-interactive,
    /// 5 Delegated Admin.
    #[serde(default)]
    pub accessmode: Option<i64>,
    /// The Entra ID application (client) ID of an application user.
    #[serde(default)]
    pub applicationid: Option<String>,
    /// The Entra ID object ID (for an application user: the service principal's).
    #[serde(default)]
    pub azureactivedirectoryobjectid: Option<String>,
    /// The business unit.
    #[serde(rename = "_businessunitid_value", default)]
    pub business_unit_id: Option<String>,
    /// The security roles, when `$expand=systemuserroles_association(…)` was sent (`None` when
    /// the answer has no such property).
    #[serde(default)]
    pub systemuserroles_association: Option<Vec<Role>>,
    /// The teams the user belongs to, with their roles, when
    /// `$expand=teammembership_association(…;$expand=teamroles_association(…))` was sent.
    #[serde(default)]
    pub teammembership_association: Option<Vec<Team>>,
}

/// A `team` row with its expanded `teamroles_association`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct Team {
    /// The team's id.
    #[serde(default)]
    pub teamid: String,
    /// The team's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The team's security roles (a member holds their privileges too).
    #[serde(default)]
    pub teamroles_association: Option<Vec<Role>>,
}

/// A `businessunit` row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct BusinessUnit {
    /// The business unit's id.
    #[serde(default)]
    pub businessunitid: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A `role` row.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct Role {
    /// The role's id (one row per business unit).
    #[serde(default)]
    pub roleid: String,
    /// The role's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The role's business unit.
    #[serde(rename = "_businessunitid_value", default)]
    pub business_unit_id: Option<String>,
}

/// A privilege's depth (`PrivilegeDepth`), sent by name (`"Global"`) or by value (`3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PrivilegeDepth {
    /// Records the user owns (0, "User" in the role editor).
    Basic,
    /// The user's business unit (1).
    Local,
    /// The business unit and its children (2, "Parent: Child Business Units").
    Deep,
    /// The whole organisation (3).
    Global,
    /// Determined by a record filter (4).
    RecordFilter,
    /// A value this wizard does not know.
    Unknown,
}

impl PrivilegeDepth {
    /// How the role editor names the depth.
    pub fn label(self) -> &'static str {
        match self {
            PrivilegeDepth::Basic => "User",
            PrivilegeDepth::Local => "Business Unit",
            PrivilegeDepth::Deep => "Parent: Child Business Units",
            PrivilegeDepth::Global => "Organization",
            PrivilegeDepth::RecordFilter => "Record filter",
            PrivilegeDepth::Unknown => "unknown",
        }
    }

    fn from_name(s: &str) -> PrivilegeDepth {
        match s {
            "Basic" | "0" => PrivilegeDepth::Basic,
            "Local" | "1" => PrivilegeDepth::Local,
            "Deep" | "2" => PrivilegeDepth::Deep,
            "Global" | "3" => PrivilegeDepth::Global,
            "RecordFilter" | "4" => PrivilegeDepth::RecordFilter,
            _ => PrivilegeDepth::Unknown,
        }
    }
}

impl<'de> Deserialize<'de> for PrivilegeDepth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => PrivilegeDepth::from_name(&s),
            serde_json::Value::Number(n) => PrivilegeDepth::from_name(&n.to_string()),
            _ => PrivilegeDepth::Unknown,
        })
    }
}

/// One `RolePrivilege` of `RetrieveUserSetOfPrivilegesByNames` (or `RetrieveUserPrivileges`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RolePrivilege {
    /// The depth.
    pub depth: PrivilegeDepth,
    /// The privilege's id.
    #[serde(default)]
    pub privilege_id: String,
    /// The business unit.
    #[serde(default)]
    pub business_unit_id: Option<String>,
    /// E.g. `prvReadAccount`.
    #[serde(default)]
    pub privilege_name: String,
}

/// `RetrieveUserSetOfPrivilegesByNamesResponse` (the same shape as
/// `RetrieveUserPrivilegesResponse`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPrivileges {
    /// The privileges the user holds, through its roles and its teams' roles.
    #[serde(default, deserialize_with = "null_default")]
    pub role_privileges: Vec<RolePrivilege>,
}

/// `WhoAmIResponse`: the caller's user, business unit and organisation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WhoAmI {
    /// The caller's business unit (the default for a new application user).
    #[serde(default)]
    pub business_unit_id: String,
    /// The caller's systemuserid.
    #[serde(default)]
    pub user_id: String,
    /// The organisation's id.
    #[serde(default)]
    pub organization_id: String,
}

/// Parses a `WhoAmI` answer.
pub fn parse_who_am_i(body: &str) -> Result<WhoAmI, String> {
    serde_json::from_str::<WhoAmI>(body.trim())
        .map_err(|e| format!("the WhoAmI answer could not be read: {e}"))
        .and_then(|w| {
            if w.business_unit_id.is_empty() {
                Err("the WhoAmI answer has no BusinessUnitId".to_string())
            } else {
                Ok(w)
            }
        })
}

/// The root business unit from a `businessunits?$filter=parentbusinessunitid eq null` answer:
/// exactly one row with a GUID id.
pub fn parse_root_business_unit(body: &str) -> Result<(Guid, BusinessUnit), String> {
    let units = serde_json::from_str::<GraphList<BusinessUnit>>(body.trim())
        .map_err(|e| format!("the business units answer could not be read: {e}"))?
        .value;
    match units.as_slice() {
        [root] => Guid::parse(&root.businessunitid)
            .map(|id| (id, root.clone()))
            .map_err(|_| "the root business unit has no valid id".to_string()),
        [] => Err("the environment answered no root business unit".to_string()),
        many => Err(format!(
            "the environment answered {} root business units, where there is one",
            many.len()
        )),
    }
}

/// The new row's id from a create's `OData-EntityId` header
/// (`https://org.crm.dynamics.com/api/data/v9.2/systemusers(00000000-…)`): the GUID inside the
/// last parentheses.
pub fn entity_id(header: &str) -> Option<Guid> {
    let inner = header.trim().strip_suffix(')')?;
    let (_, key) = inner.rsplit_once('(')?;
    Guid::parse(key).ok()
}

/// Parses a `roles` collection answer (`{"value": [{roleid, name, _businessunitid_value}]}`).
pub fn parse_roles(body: &str) -> Result<Vec<Role>, String> {
    serde_json::from_str::<GraphList<Role>>(body.trim())
        .map(|l| l.value)
        .map_err(|e| format!("the roles answer could not be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_by_name_or_value() {
        let p: UserPrivileges = serde_json::from_str(
            r#"{"RolePrivileges":[{"Depth":"Global","PrivilegeId":"a","BusinessUnitId":"b","PrivilegeName":"prvReadAccount"},{"Depth":0,"PrivilegeId":"c","PrivilegeName":"prvWriteAccount"},{"Depth":"Sideways","PrivilegeName":"x"}]}"#,
        )
        .unwrap();
        let d: Vec<PrivilegeDepth> = p.role_privileges.iter().map(|r| r.depth).collect();
        assert_eq!(
            d,
            [
                PrivilegeDepth::Global,
                PrivilegeDepth::Basic,
                PrivilegeDepth::Unknown
            ]
        );
    }

    #[test]
    fn who_am_i_and_roles() {
        let w = parse_who_am_i(r#"{"@odata.context":"https://x/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse","BusinessUnitId":"bu","UserId":"u","OrganizationId":"o"}"#).unwrap();
        assert_eq!(w.business_unit_id, "bu");
        assert!(parse_who_am_i("{}").is_err());
        assert!(parse_who_am_i("nope").is_err());
        let r = parse_roles(
            r#"{"value":[{"roleid":"r1","name":"Basic User","_businessunitid_value":"bu"}]}"#,
        )
        .unwrap();
        assert_eq!(r[0].business_unit_id.as_deref(), Some("bu"));
        assert!(parse_roles("[]").is_err());
    }
}
