//! Owner teams of an environment's root business unit (`teams = [...]` in the configuration):
//! deterministic IDs, their roles, and who is a member. Members inherit the team's roles'
//! privileges (`RetrieveUserSetOfPrivilegesByNames`), not their own roles (`RetrieveUserPrivileges`).

use super::{business_unit_id, derived_guid, roles};
use crate::config::Environment;

/// One team as the Web API shows it.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub role_ids: Vec<String>,
    /// Client IDs of application users and Entra object IDs of people (lower case).
    pub members: Vec<String>,
}

/// Derived like role IDs: stable per environment and name.
pub fn team_id(env: &Environment, name: &str) -> String {
    derived_guid(env, &format!("team:{}", name.to_ascii_lowercase()))
}

pub fn teams(env: &Environment) -> Vec<Team> {
    env.teams
        .iter()
        .map(|t| Team {
            id: team_id(env, &t.name),
            name: t.name.clone(),
            role_ids: t.roles.iter().map(|r| roles::role_id(env, r)).collect(),
            members: t.members.clone(),
        })
        .collect()
}

/// The IDs of the teams whose members include `entra_key` (a client ID or an object ID).
pub fn team_ids_of(env: &Environment, entra_key: &str) -> Vec<String> {
    let key = entra_key.to_ascii_lowercase();
    teams(env)
        .into_iter()
        .filter(|t| t.members.contains(&key))
        .map(|t| t.id)
        .collect()
}

/// The roles held through the teams `team_ids`.
pub fn role_ids_through(env: &Environment, team_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in teams(env).into_iter().filter(|t| team_ids.contains(&t.id)) {
        for r in t.role_ids {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// A team row (`teamid`, `name`, `teamtype` 0 = owner, `_businessunitid_value`).
pub fn team_json(env: &Environment, team: &Team) -> serde_json::Value {
    serde_json::json!({
        "teamid": team.id,
        "name": team.name,
        "teamtype": 0,
        "_businessunitid_value": business_unit_id(env),
    })
}
