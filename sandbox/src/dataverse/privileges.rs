//! A user's privileges as Dataverse computes them: `RetrieveUserPrivileges` counts only the roles
//! given to the user; `RetrieveUserSetOfPrivilegesByNames` also counts the roles of the teams the
//! user is a member of ("Security and data access"). An app that checks the first misses access
//! granted through a team.

use super::roles::{self, privilege_id, role_privileges_json, Depth};
use super::users::principal;
use super::{business_unit_id, does_not_exist, odata_error, odata_json, teams};
use crate::config::Environment;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

/// `GET systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`: own roles only.
pub fn retrieve_user_privileges(
    state: &AppState,
    env: &Environment,
    user_id: &str,
    base: &str,
) -> Response {
    let Some(p) = principal(state, env, user_id) else {
        return does_not_exist("systemuser", &user_id.to_ascii_lowercase());
    };
    odata_json(json!({
        "@odata.context": format!(
            "{base}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse"
        ),
        "RolePrivileges": role_privileges_json(env, &p.own_role_ids(state, env)),
    }))
}

/// The `PrivilegeNames` parameter of `…ByNames(PrivilegeNames=@p)?@p=[…]` or of the inline
/// `…ByNames(PrivilegeNames=[…])`.
pub fn privilege_names(call: &str, query: &str) -> Result<Vec<String>, Response> {
    let bad = |message: &str| odata_error(StatusCode::BAD_REQUEST, "0x80060888", message);
    let inner = call
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or("");
    let Some((name, value)) = inner.split_once('=') else {
        return Err(bad(
            "The parameter 'PrivilegeNames' of the function 'RetrieveUserSetOfPrivilegesByNames' \
             is missing.",
        ));
    };
    if name.trim() != "PrivilegeNames" {
        return Err(bad(&format!(
            "The parameter '{}' is not a parameter of the function \
             'RetrieveUserSetOfPrivilegesByNames'.",
            name.trim()
        )));
    }
    let value = value.trim();
    let literal = match value.strip_prefix('@') {
        Some(alias) => url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k.strip_prefix('@') == Some(alias))
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| {
                bad(&format!(
                    "The parameter alias '@{alias}' has no value in the query string."
                ))
            })?,
        None => value.to_string(),
    };
    serde_json::from_str::<Vec<String>>(&literal).map_err(|_| {
        bad(&format!(
            "The value '{literal}' of 'PrivilegeNames' is not a collection of Edm.String."
        ))
    })
}

/// `GET systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(…)`: the asked
/// privileges the user holds through its roles or its teams' roles, each once at its deepest
/// depth, names matched without regard to case and answered in their canonical spelling.
pub async fn retrieve_by_names(
    state: &AppState,
    env: &Environment,
    user_id: &str,
    names: &[String],
    base: &str,
) -> Response {
    let Some(p) = principal(state, env, user_id) else {
        return does_not_exist("systemuser", &user_id.to_ascii_lowercase());
    };
    let mut role_ids = p.own_role_ids(state, env);
    for r in teams::role_ids_through(env, &p.team_ids(env)) {
        if !role_ids.contains(&r) {
            role_ids.push(r);
        }
    }
    let held = roles::privileges_of(env, &role_ids);
    let has_all = roles::roles(env)
        .iter()
        .any(|r| r.all && role_ids.contains(&r.id));
    // `*` holds the privileges of every table of the served $metadata too.
    let all_names = if has_all
        && names
            .iter()
            .any(|n| !held.iter().any(|(h, _)| h.eq_ignore_ascii_case(n)))
    {
        match super::read_metadata(state, env).await {
            Ok(bytes) => super::entity_defs::privilege_names(&String::from_utf8_lossy(&bytes)),
            Err(r) => return r,
        }
    } else {
        Vec::new()
    };
    let bu = business_unit_id(env);
    let mut out: Vec<Value> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for asked in names {
        let found = held
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(asked))
            .cloned()
            .or_else(|| {
                all_names
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(asked))
                    .map(|n| (n.clone(), Depth::Global))
            });
        let Some((name, depth)) = found else {
            continue;
        };
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        out.push(json!({
            "Depth": depth.name(),
            "PrivilegeId": privilege_id(&name),
            "BusinessUnitId": bu,
            "PrivilegeName": name,
        }));
    }
    odata_json(json!({
        "@odata.context": format!(
            "{base}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNamesResponse"
        ),
        "RolePrivileges": out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_an_alias_or_inline() {
        let call = "Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)";
        let q = "@p=%5B%22prvReadAccount%22,%22prvCreateAccount%22%5D";
        assert_eq!(
            privilege_names(call, q).unwrap(),
            ["prvReadAccount", "prvCreateAccount"]
        );
        let inline =
            r#"Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=["a"])"#;
        assert_eq!(privilege_names(inline, "").unwrap(), ["a"]);
        assert!(privilege_names(call, "").is_err());
        assert!(privilege_names("X(Other=@p)", q).is_err());
        assert!(privilege_names("X(PrivilegeNames=@p)", "@p=nope").is_err());
    }
}
