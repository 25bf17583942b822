//! `systemusers`: the members and application users of an environment and how the Web API shows
//! them (`$select`, nested `$expand` of roles and teams, the expanded-collection cache). Writes are
//! in [`super::user_writes`], privileges in [`super::privileges`]. Application users live in the
//! [`Store`](crate::Store) (initialised from the configuration, cleared by `/sandbox/reset`).

use super::query::{select_fields, Expand, ODataQuery};
use super::roles::{self, SYSTEM_ADMINISTRATOR};
use super::{business_unit_id, does_not_exist, odata_error, odata_json, system_user_id, teams};
use crate::config::Environment;
use crate::paging::Paging;
use crate::{now_ms, AppState};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

/// An application user of one environment, as it is now.
#[derive(Debug, Clone)]
pub struct AppUserRow {
    pub client_id: String,
    pub systemuserid: String,
    pub business_unit_id: String,
    pub disabled: bool,
    pub role_ids: Vec<String>,
    /// Milliseconds since the epoch before which list answers miss the row (replication lag).
    pub visible_from_ms: u128,
    /// What `$expand`ed collections answer until the cache expires (see [`CachedExpand`]).
    pub cached: Option<CachedExpand>,
}

/// Dataverse may answer queries that expand collection-valued navigation properties from a
/// cache; `If-None-Match: null` bypasses it. The sandbox keeps the collections as they were
/// before the last change for `expanded_cache_ms`.
#[derive(Debug, Clone)]
pub struct CachedExpand {
    pub role_ids: Vec<String>,
    pub team_ids: Vec<String>,
    pub until_ms: u128,
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
                business_unit_id: business_unit_id(env),
                disabled: a.disabled(),
                role_ids: a.roles().iter().map(|r| roles::role_id(env, r)).collect(),
                visible_from_ms: 0,
                cached: None,
            })
            .collect()
    });
    f(rows)
}

/// The application users list answers show now.
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
            .is_some_and(crate::graph::roles::is_global_admin),
    }
}

pub fn member_role_ids(state: &AppState, env: &Environment, oid: &str) -> Vec<String> {
    let name = if is_system_administrator(state, env, oid) {
        SYSTEM_ADMINISTRATOR
    } else {
        roles::BASIC_USER
    };
    vec![roles::role_id(env, name)]
}

/// A user of the environment found by `systemuserid`: a member, or an application user (whether
/// list answers show it yet or not: operations by ID see a new row at once).
#[derive(Debug, Clone)]
pub enum Principal {
    Member(String),
    App(AppUserRow),
}

pub fn principal(state: &AppState, env: &Environment, systemuserid: &str) -> Option<Principal> {
    let id = systemuserid.to_ascii_lowercase();
    if let Some(oid) = env.members.iter().find(|o| system_user_id(env, o) == id) {
        return Some(Principal::Member(oid.clone()));
    }
    with_app_users(state, env, |rows| {
        rows.iter().find(|r| r.systemuserid == id).cloned()
    })
    .map(Principal::App)
}

impl Principal {
    /// The roles given to the user directly.
    pub fn own_role_ids(&self, state: &AppState, env: &Environment) -> Vec<String> {
        match self {
            Principal::Member(oid) => member_role_ids(state, env, oid),
            Principal::App(r) => r.role_ids.clone(),
        }
    }
    /// The teams the user is a member of.
    pub fn team_ids(&self, env: &Environment) -> Vec<String> {
        match self {
            Principal::Member(oid) => teams::team_ids_of(env, oid),
            Principal::App(r) => teams::team_ids_of(env, &r.client_id),
        }
    }
}

/// The roles of the caller of a request, own and through teams (delegated: its `oid`; app-only:
/// its visible application user).
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
    let (mut ids, key) = if claims.contains_key("scp") {
        let oid = text("oid");
        (member_role_ids(state, env, &oid), oid)
    } else {
        let appid = text("appid");
        let own = visible_app_users(state, env)
            .into_iter()
            .find(|r| r.client_id == appid)
            .map(|r| r.role_ids)
            .unwrap_or_default();
        (own, appid)
    };
    for r in teams::role_ids_through(env, &teams::team_ids_of(env, &key)) {
        if !ids.contains(&r) {
            ids.push(r);
        }
    }
    ids
}

/// The navigation properties the sandbox expands, per entity type.
fn nav_allowed(entity: &str, nav: &str) -> bool {
    matches!(
        (entity, nav),
        (
            "systemuser",
            "systemuserroles_association" | "teammembership_association"
        ) | ("team", "teamroles_association")
    )
}

fn target(nav: &str) -> &'static str {
    match nav {
        "teammembership_association" => "team",
        _ => "role",
    }
}

/// 400 as Dataverse refuses an `$expand` of a property the type does not have.
pub fn check_expand(entity: &str, items: &[Expand]) -> Result<(), Response> {
    for e in items {
        if !nav_allowed(entity, &e.nav) {
            return Err(odata_error(
                StatusCode::BAD_REQUEST,
                "0x80060888",
                &format!(
                    "Could not find a property named '{}' on type 'Microsoft.Dynamics.CRM.{entity}'.",
                    e.nav
                ),
            ));
        }
        check_expand(target(&e.nav), &e.expand)?;
    }
    Ok(())
}

fn roles_json(env: &Environment, ids: &[String], e: &Expand) -> Value {
    let bu = business_unit_id(env);
    Value::Array(
        roles::roles(env)
            .into_iter()
            .filter(|r| ids.contains(&r.id))
            .map(|r| {
                let v = json!({"roleid": r.id, "name": r.name, "_businessunitid_value": bu});
                select_fields(v, &e.select)
            })
            .collect(),
    )
}

fn teams_json(env: &Environment, ids: &[String], e: &Expand) -> Value {
    Value::Array(
        teams::teams(env)
            .into_iter()
            .filter(|t| ids.contains(&t.id))
            .map(|t| {
                let mut v = select_fields(teams::team_json(env, &t), &e.select);
                for nested in &e.expand {
                    v[nested.nav.as_str()] = roles_json(env, &t.role_ids, nested);
                }
                v
            })
            .collect(),
    )
}

/// One `systemuser` row: its columns (`$select`ed) and the `$expand`ed collections; `fresh` =
/// the request bypasses the expanded-collection cache (`If-None-Match: null`).
fn row(
    state: &AppState,
    env: &Environment,
    q: &ODataQuery,
    fresh: bool,
    p: &Principal,
) -> Option<Value> {
    let tenant = state.config.tenant(&env.tenant)?;
    let (columns, role_ids, team_ids) = match p {
        Principal::Member(oid) => {
            let u = tenant.user(oid)?;
            let v = json!({
                "@odata.etag": "W/\"1000\"",
                "systemuserid": system_user_id(env, oid),
                "fullname": u.name,
                "domainname": u.upn,
                "isdisabled": false,
                "accessmode": 0,
                "azureactivedirectoryobjectid": u.oid,
                "applicationid": Value::Null,
                "_businessunitid_value": business_unit_id(env),
            });
            (v, p.own_role_ids(state, env), p.team_ids(env))
        }
        Principal::App(r) => {
            // As the directory has it now (a registration created through Graph too).
            let app = crate::graph::entra_app_anywhere(state, &r.client_id).map(|(_, a)| a);
            let v = json!({
                "@odata.etag": "W/\"1000\"",
                "systemuserid": r.systemuserid,
                "fullname": app.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| format!("# {}", r.client_id)),
                "domainname": format!("{}@{}.com", r.client_id, env.tenant),
                "isdisabled": r.disabled,
                "accessmode": 4,
                "azureactivedirectoryobjectid": app
                    .as_ref()
                    .filter(|a| a.service_principal)
                    .map(|a| a.service_principal_object_id.clone()),
                "applicationid": r.client_id,
                "_businessunitid_value": r.business_unit_id,
            });
            match &r.cached {
                Some(c) if !fresh && c.until_ms > now_ms() => {
                    (v, c.role_ids.clone(), c.team_ids.clone())
                }
                _ => (v, r.role_ids.clone(), p.team_ids(env)),
            }
        }
    };
    let mut fields = q.select.clone();
    if !fields.is_empty() {
        // The primary key comes back whether selected or not.
        fields.push("systemuserid".into());
    }
    let mut v = select_fields(columns, &fields);
    for e in q.expand_items() {
        v[e.nav.as_str()] = match e.nav.as_str() {
            "teammembership_association" => teams_json(env, &team_ids, &e),
            _ => roles_json(env, &role_ids, &e),
        };
    }
    Some(v)
}

/// `GET systemusers[?$filter=applicationid eq <guid>]`: members and (visible) application users.
pub fn list(
    state: &AppState,
    env: &Environment,
    q: &ODataQuery,
    paging: &Paging,
    fresh: bool,
    base: &str,
) -> Response {
    if let Err(r) = check_expand("systemuser", &q.expand_items()) {
        return r;
    }
    let wanted_app = q
        .filter_value("applicationid")
        .map(|v| v.to_ascii_lowercase());
    let mut users: Vec<Principal> = Vec::new();
    if wanted_app.is_none() {
        users.extend(env.members.iter().cloned().map(Principal::Member));
    }
    for r in visible_app_users(state, env) {
        if wanted_app.as_deref().is_none_or(|w| w == r.client_id) {
            users.push(Principal::App(r));
        }
    }
    let rows: Vec<Value> = users
        .iter()
        .filter_map(|p| row(state, env, q, fresh, p))
        .collect();
    odata_json(paging.collection(
        format!("{base}/$metadata#systemusers{}", q.select_suffix()),
        rows,
    ))
}

/// `GET systemusers({id})`.
pub fn get(
    state: &AppState,
    env: &Environment,
    id: &str,
    q: &ODataQuery,
    fresh: bool,
    base: &str,
) -> Response {
    if let Err(r) = check_expand("systemuser", &q.expand_items()) {
        return r;
    }
    match principal(state, env, id).and_then(|p| row(state, env, q, fresh, &p)) {
        Some(v) => odata_json(entity(v, base, q)),
        None => does_not_exist("systemuser", id),
    }
}

/// A single row with its `@odata.context` first.
pub fn entity(v: Value, base: &str, q: &ODataQuery) -> Value {
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(format!(
            "{base}/$metadata#systemusers{}/$entity",
            q.select_suffix()
        )),
    );
    if let Value::Object(m) = v {
        out.extend(m);
    }
    Value::Object(out)
}

/// The row of `p` as `GET systemusers({id})` would show it (for `return=representation`).
pub fn representation(
    state: &AppState,
    env: &Environment,
    q: &ODataQuery,
    p: &Principal,
    base: &str,
) -> Option<Value> {
    row(state, env, q, false, p).map(|v| entity(v, base, q))
}
