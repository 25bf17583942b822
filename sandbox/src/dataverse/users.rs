//! `systemusers`: the members and application users of an environment, creating an application
//! user, giving it a security role, and `RetrieveUserPrivileges`. Application users live in the
//! [`Store`](crate::Store) (initialised from the configuration, cleared by `/sandbox/reset`).

use super::query::{select_fields, ODataQuery};
use super::roles::{self, privilege_id, role_privileges_json, SYSTEM_ADMINISTRATOR};
use super::{business_unit_id, odata_error, odata_json, system_user_id};
use crate::config::Environment;
use crate::AppState;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// An application user of one environment, as it is now.
#[derive(Debug, Clone)]
pub struct AppUserRow {
    pub client_id: String,
    pub systemuserid: String,
    pub disabled: bool,
    pub role_ids: Vec<String>,
    /// Milliseconds since the epoch before which the row is not visible (replication lag).
    pub visible_from_ms: u128,
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// Run `f` on the environment's application users (created from the configuration on first use).
pub fn with_app_users<R>(
    state: &AppState,
    env: &Environment,
    f: impl FnOnce(&mut Vec<AppUserRow>) -> R,
) -> R {
    let mut store = state.store();
    let rows = store.app_users.entry(env.org.clone()).or_insert_with(|| {
        env.application_users
            .iter()
            .map(|a| AppUserRow {
                client_id: a.client_id().to_string(),
                systemuserid: system_user_id(env, a.client_id()),
                disabled: a.disabled(),
                role_ids: a.roles().iter().map(|r| roles::role_id(env, r)).collect(),
                visible_from_ms: 0,
            })
            .collect()
    });
    f(rows)
}

/// The application users visible now.
pub fn visible_app_users(state: &AppState, env: &Environment) -> Vec<AppUserRow> {
    let now = now_ms();
    with_app_users(state, env, |rows| {
        rows.iter()
            .filter(|r| r.visible_from_ms <= now)
            .cloned()
            .collect()
    })
}

/// Does this member (by Entra object ID) have the System Administrator role?
pub fn is_system_administrator(state: &AppState, env: &Environment, oid: &str) -> bool {
    match &env.system_administrators {
        Some(admins) => admins.iter().any(|a| a == oid),
        None => state
            .config
            .tenant(&env.tenant)
            .and_then(|t| t.user(oid))
            .is_some_and(|u| u.is_admin),
    }
}

/// The roles of the caller of a request (delegated: its `oid`; app-only: its application user).
pub fn caller_role_ids(
    state: &AppState,
    env: &Environment,
    claims: &Map<String, Value>,
) -> Vec<String> {
    let text = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    if claims.contains_key("scp") {
        member_role_ids(state, env, &text("oid"))
    } else {
        let appid = text("appid");
        visible_app_users(state, env)
            .into_iter()
            .find(|r| r.client_id == appid)
            .map(|r| r.role_ids)
            .unwrap_or_default()
    }
}

fn member_role_ids(state: &AppState, env: &Environment, oid: &str) -> Vec<String> {
    let name = if is_system_administrator(state, env, oid) {
        SYSTEM_ADMINISTRATOR
    } else {
        roles::BASIC_USER
    };
    vec![roles::role_id(env, name)]
}

fn caller_systemuserid(env: &Environment, claims: &Map<String, Value>) -> String {
    let key = if claims.contains_key("scp") {
        "oid"
    } else {
        "appid"
    };
    system_user_id(env, claims.get(key).and_then(Value::as_str).unwrap_or(""))
}

/// 403 as Dataverse words a missing privilege.
fn missing_privilege(
    env: &Environment,
    claims: &Map<String, Value>,
    roles: &[String],
    privilege: &str,
    otc: u32,
    entity: &str,
) -> Response {
    let caller = caller_systemuserid(env, claims);
    let count = roles::privileges_of(env, roles).len();
    let delegated = claims.contains_key("scp");
    odata_error(
        StatusCode::FORBIDDEN,
        "0x80040220",
        &format!(
            "Principal user (Id={caller}, type=8, roleCount={}, privilegeCount={count}, \
             accessMode={}), is missing {privilege} privilege (Id={}) on OTC={otc} for entity \
             '{entity}'. context.Caller={caller}",
            roles.len(),
            if delegated { 0 } else { 4 },
            privilege_id(privilege)
        ),
    )
}

fn has_privilege(env: &Environment, roles: &[String], privilege: &str) -> bool {
    roles::privileges_of(env, roles)
        .iter()
        .any(|(n, _)| n == privilege)
}

fn does_not_exist(entity: &str, id: &str) -> Response {
    odata_error(
        StatusCode::NOT_FOUND,
        "0x80040217",
        &format!("{entity} With Id = {id} Does Not Exist"),
    )
}

/// One `systemuser` row: every column the sandbox knows, with the roles when expanded.
fn row(state: &AppState, env: &Environment, q: &ODataQuery, systemuserid: &str) -> Option<Value> {
    let bu = business_unit_id(env);
    let role_json = |ids: &[String]| -> Vec<Value> {
        roles::roles(env)
            .into_iter()
            .filter(|r| ids.contains(&r.id))
            .map(|r| json!({"roleid": r.id, "name": r.name}))
            .collect()
    };
    let tenant = state.config.tenant(&env.tenant)?;
    let mut v = if let Some(u) = env
        .members
        .iter()
        .filter_map(|oid| tenant.user(oid))
        .find(|u| system_user_id(env, &u.oid) == systemuserid)
    {
        let ids = member_role_ids(state, env, &u.oid);
        json!({
            "@odata.etag": "W/\"1000\"",
            "systemuserid": systemuserid,
            "fullname": u.name,
            "domainname": u.upn,
            "isdisabled": false,
            "accessmode": 0,
            "azureactivedirectoryobjectid": u.oid,
            "applicationid": Value::Null,
            "_businessunitid_value": bu,
            "systemuserroles_association": role_json(&ids),
        })
    } else {
        let r = visible_app_users(state, env)
            .into_iter()
            .find(|r| r.systemuserid == systemuserid)?;
        let app = state.config.app_anywhere(&r.client_id).map(|(_, a)| a);
        json!({
            "@odata.etag": "W/\"1000\"",
            "systemuserid": systemuserid,
            "fullname": app.map(|a| a.name.clone()).unwrap_or_else(|| format!("# {}", r.client_id)),
            "domainname": format!("{}@{}.com", r.client_id, env.tenant),
            "isdisabled": r.disabled,
            "accessmode": 4,
            "azureactivedirectoryobjectid": app.map(|a| a.service_principal_object_id.clone()),
            "applicationid": r.client_id,
            "_businessunitid_value": bu,
            "systemuserroles_association": role_json(&r.role_ids),
        })
    };
    if !q.expands("systemuserroles_association") {
        if let Some(m) = v.as_object_mut() {
            m.remove("systemuserroles_association");
        }
    } else if let Some(Value::Array(items)) = v.get_mut("systemuserroles_association") {
        let nested = nested_select(q.expand.as_deref().unwrap_or(""));
        for item in items.iter_mut() {
            *item = select_fields(item.take(), &nested);
        }
    }
    let mut fields = q.select.clone();
    if !fields.is_empty() {
        fields.push("systemuserid".into());
        fields.push("systemuserroles_association".into());
    }
    Some(select_fields(v, &fields))
}

/// `$select` inside `nav($select=a,b)`.
fn nested_select(expand: &str) -> Vec<String> {
    expand
        .split_once("$select=")
        .map(|(_, rest)| {
            rest.split([')', ';'])
                .next()
                .unwrap_or("")
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// `GET systemusers[?$filter=applicationid eq <guid>]`: members and (visible) application users.
pub fn list(state: &AppState, env: &Environment, q: &ODataQuery, base: &str) -> Response {
    let wanted_app = q
        .filter_value("applicationid")
        .map(|v| v.to_ascii_lowercase());
    let mut ids: Vec<String> = Vec::new();
    if wanted_app.is_none() {
        ids.extend(env.members.iter().map(|oid| system_user_id(env, oid)));
    }
    for r in visible_app_users(state, env) {
        if wanted_app.as_deref().is_none_or(|w| w == r.client_id) {
            ids.push(r.systemuserid);
        }
    }
    let rows: Vec<Value> = ids.iter().filter_map(|id| row(state, env, q, id)).collect();
    odata_json(json!({
        "@odata.context": format!("{base}/$metadata#systemusers{}", q.select_suffix()),
        "value": rows,
    }))
}

/// `GET systemusers({id})`.
pub fn get(state: &AppState, env: &Environment, id: &str, q: &ODataQuery, base: &str) -> Response {
    match row(state, env, q, &id.to_ascii_lowercase()) {
        Some(mut v) => {
            if let Some(m) = v.as_object_mut() {
                m.insert(
                    "@odata.context".into(),
                    json!(format!(
                        "{base}/$metadata#systemusers{}/$entity",
                        q.select_suffix()
                    )),
                );
            }
            odata_json(v)
        }
        None => does_not_exist("systemuser", id),
    }
}

/// `POST systemusers` with `applicationid` and `businessunitid@odata.bind`: 204 and
/// `OData-EntityId`, or 403 without `prvCreateUser`.
pub fn create(
    state: &AppState,
    env: &Environment,
    claims: &Map<String, Value>,
    body: &[u8],
    base: &str,
) -> Response {
    let roles = caller_role_ids(state, env, claims);
    if !has_privilege(env, &roles, "prvCreateUser") {
        return missing_privilege(env, claims, &roles, "prvCreateUser", 8, "systemuser");
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80048d19",
            "Error identified in Payload provided by the user for Entity :'systemusers', For more \
             information on this error please follow this help link \
             https://go.microsoft.com/fwlink/?linkid=2195293",
        );
    };
    let Some(app_id) = body
        .get("applicationid")
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .map(|u| u.to_string())
    else {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80040203",
            "The sandbox creates application users only: 'applicationid' (a GUID) is required.",
        );
    };
    let bu = business_unit_id(env);
    if let Some(bind) = body
        .get("businessunitid@odata.bind")
        .and_then(Value::as_str)
    {
        let id = bind
            .rsplit_once("businessunits(")
            .map(|(_, rest)| rest.trim_end_matches(')').to_ascii_lowercase())
            .unwrap_or_default();
        if id != bu {
            return does_not_exist("businessunit", &id);
        }
    } else {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80040203",
            "Required field 'businessunitid' is missing",
        );
    }
    let systemuserid = system_user_id(env, &app_id);
    let lag = u128::from(env.replication_lag_ms);
    let created = with_app_users(state, env, |rows| {
        if rows.iter().any(|r| r.client_id == app_id) {
            return false;
        }
        rows.push(AppUserRow {
            client_id: app_id.clone(),
            systemuserid: systemuserid.clone(),
            disabled: false,
            role_ids: Vec::new(),
            visible_from_ms: now_ms() + lag,
        });
        true
    });
    if !created {
        return odata_error(
            StatusCode::PRECONDITION_FAILED,
            "0x80040237",
            "A record with matching key values already exists.",
        );
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    if let Ok(v) = HeaderValue::from_str(&format!("{base}/systemusers({systemuserid})")) {
        h.insert("OData-EntityId", v);
    }
    r
}

/// `POST systemusers({id})/systemuserroles_association/$ref` with `{"@odata.id": "…roles({id})"}`.
pub fn associate_role(
    state: &AppState,
    env: &Environment,
    claims: &Map<String, Value>,
    user_id: &str,
    body: &[u8],
) -> Response {
    let roles = caller_role_ids(state, env, claims);
    if !has_privilege(env, &roles, "prvAssignRole") {
        return missing_privilege(env, claims, &roles, "prvAssignRole", 1036, "role");
    }
    let target = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("@odata.id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let Some(role_id) = target
        .rsplit_once("roles(")
        .map(|(_, rest)| rest.trim_end_matches(')').to_ascii_lowercase())
    else {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80060891",
            "A URL for a reference to an entity ('@odata.id') is required in the payload.",
        );
    };
    if !roles::roles(env).iter().any(|r| r.id == role_id) {
        return does_not_exist("role", &role_id);
    }
    let user_id = user_id.to_ascii_lowercase();
    let now = now_ms();
    let found = with_app_users(state, env, |rows| {
        match rows
            .iter_mut()
            .find(|r| r.systemuserid == user_id && r.visible_from_ms <= now)
        {
            Some(r) => {
                if !r.role_ids.contains(&role_id) {
                    r.role_ids.push(role_id.clone());
                }
                true
            }
            None => false,
        }
    });
    if !found {
        return does_not_exist("systemuser", &user_id);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`.
pub fn retrieve_privileges(
    state: &AppState,
    env: &Environment,
    user_id: &str,
    base: &str,
) -> Response {
    let user_id = user_id.to_ascii_lowercase();
    let role_ids = if let Some(oid) = env
        .members
        .iter()
        .find(|oid| system_user_id(env, oid) == user_id)
    {
        member_role_ids(state, env, oid)
    } else if let Some(r) = visible_app_users(state, env)
        .into_iter()
        .find(|r| r.systemuserid == user_id)
    {
        r.role_ids
    } else {
        return does_not_exist("systemuser", &user_id);
    };
    odata_json(json!({
        "@odata.context": format!(
            "{base}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse"
        ),
        "RolePrivileges": role_privileges_json(env, &role_ids),
    }))
}
