//! Writes to `systemusers`: creating an application user (as the Power Platform Terraform provider
//! does) and giving it a security role, with Dataverse's privilege checks and error bodies.

use super::query::ODataQuery;
use super::roles::{self, privilege_id};
use super::users::{caller_role_ids, principal, representation, with_app_users};
use super::users::{AppUserRow, CachedExpand, Principal};
use super::{business_units, does_not_exist, odata_error, odata_json, system_user_id, teams};
use crate::config::Environment;
use crate::{now_ms, AppState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

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

fn payload_error() -> Response {
    odata_error(
        StatusCode::BAD_REQUEST,
        "0x80048d19",
        "Error identified in Payload provided by the user for Entity :'systemusers', For more \
         information on this error please follow this help link \
         https://go.microsoft.com/fwlink/?linkid=2195293",
    )
}

/// Columns a create may set (anything else is refused, as Dataverse refuses unknown properties).
const WRITABLE: &[&str] = &[
    "applicationid",
    "accessmode",
    "isdisabled",
    "businessunitid@odata.bind",
    "firstname",
    "lastname",
    "domainname",
    "internalemailaddress",
    "azureactivedirectoryobjectid",
];

/// The business unit ID of `/businessunits(id)` (relative or absolute).
fn bound_id(bind: &str) -> Option<String> {
    let (_, rest) = bind.rsplit_once("businessunits(")?;
    Some(rest.strip_suffix(')')?.to_ascii_lowercase())
}

/// `POST systemusers` `{"applicationid","accessmode":4,"isdisabled":false,
/// "businessunitid@odata.bind":"/businessunits({id})"}`: 204 with `OData-EntityId`, or 201 with
/// the row when the request prefers `return=representation`.
pub fn create(
    state: &AppState,
    env: &Environment,
    claims: &Map<String, Value>,
    headers: &HeaderMap,
    q: &ODataQuery,
    body: &[u8],
    base: &str,
) -> Response {
    let roles = caller_role_ids(state, env, claims);
    if !has_privilege(env, &roles, "prvCreateUser") {
        return missing_privilege(env, claims, &roles, "prvCreateUser", 8, "systemuser");
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return payload_error();
    };
    if let Some(k) = body.keys().find(|k| !WRITABLE.contains(&k.as_str())) {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80060888",
            &format!(
                "The property '{k}' does not exist on type 'Microsoft.Dynamics.CRM.systemuser'. \
                 Make sure to only use property names that are defined by the type."
            ),
        );
    }
    let wrong_type = |k: &str, ok: fn(&Value) -> bool| body.get(k).is_some_and(|v| !ok(v));
    if wrong_type("accessmode", |v| v.is_i64()) || wrong_type("isdisabled", Value::is_boolean) {
        return payload_error();
    }
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
    let Some(bind) = body
        .get("businessunitid@odata.bind")
        .and_then(Value::as_str)
    else {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80040203",
            "Required field 'businessunitid' is missing",
        );
    };
    let bu = bound_id(bind).unwrap_or_default();
    if !business_units::exists(env, &bu) {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80040217",
            &format!("businessunit With Ids = {bu} Do Not Exist"),
        );
    }
    let systemuserid = system_user_id(env, &app_id);
    let lag = u128::from(state.config.env_replication_lag_ms(env));
    let now = now_ms();
    let new_row = AppUserRow {
        client_id: app_id.clone(),
        systemuserid: systemuserid.clone(),
        business_unit_id: bu,
        disabled: body.get("isdisabled") == Some(&Value::Bool(true)),
        role_ids: Vec::new(),
        visible_from_ms: now + lag,
        // Expanded collections start out cached empty.
        cached: Some(CachedExpand {
            role_ids: Vec::new(),
            team_ids: Vec::new(),
            until_ms: now + u128::from(env.expanded_cache_ms),
        }),
    };
    let created = with_app_users(state, env, |rows| {
        // Any application user for this app, visible yet or not, enabled or not.
        if rows.iter().any(|r| r.client_id == app_id) {
            return false;
        }
        rows.push(new_row.clone());
        true
    });
    if !created {
        return odata_error(
            StatusCode::BAD_REQUEST,
            "0x80040237",
            "Cannot insert duplicate key.",
        );
    }
    let prefer = headers
        .get("Prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if prefer
        .split(',')
        .any(|p| p.trim().eq_ignore_ascii_case("return=representation"))
    {
        let v = representation(state, env, q, &Principal::App(new_row), base).unwrap_or_default();
        let mut r = odata_json(v);
        *r.status_mut() = StatusCode::CREATED;
        r.headers_mut().insert(
            "Preference-Applied",
            HeaderValue::from_static("return=representation"),
        );
        return r;
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
    if !matches!(principal(state, env, &user_id), Some(Principal::App(_))) {
        return does_not_exist("systemuser", &user_id);
    }
    let now = now_ms();
    let window = u128::from(env.expanded_cache_ms);
    with_app_users(state, env, |rows| {
        if let Some(r) = rows.iter_mut().find(|r| r.systemuserid == user_id) {
            if !r.role_ids.contains(&role_id) {
                // Keep what an earlier, still cached, answer showed; else what was true before.
                let before = match r.cached.take() {
                    Some(c) if c.until_ms > now => (c.role_ids, c.team_ids),
                    _ => (r.role_ids.clone(), teams::team_ids_of(env, &r.client_id)),
                };
                r.cached = Some(CachedExpand {
                    role_ids: before.0,
                    team_ids: before.1,
                    until_ms: now + window,
                });
                r.role_ids.push(role_id.clone());
            }
        }
    });
    StatusCode::NO_CONTENT.into_response()
}
