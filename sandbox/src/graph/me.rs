//! The signed-in user and the organization: `GET /me`, `GET /me/memberOf` (the user's directory
//! roles; the sandbox has no groups) and `GET /organization` (the tenant and its verified
//! domains). Microsoft's pages name `User.Read` as enough for all three (for `organization` it
//! reads only `id`, `displayName` and `verifiedDomains`; other properties come back `null`
//! without `Organization.Read.All` or `Directory.Read.All`). Every consent at sign-in includes
//! "Sign you in and read your profile" (`User.Read`), so every delegated token a tenant issues
//! to a signed-in user may call them; the sandbox's `scp` lists only the Graph permissions
//! consented for the app, so any delegated token is let through here. App-only tokens are not:
//! `/me` → `400`, `/organization` → `403`.

use super::directory::{graph_json, with_context};
use super::{denied, graph_error, not_found, roles, Caller};
use crate::dataverse::ODataQuery;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

/// Permissions that read every property of the organization (`User.Read` reads three).
const READ_ORGANIZATION: &[&str] = &[
    "Organization.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// `/me` with an app-only token.
fn not_delegated() -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "/me request is only valid with delegated authentication flow.",
    )
}

fn context(state: &AppState, what: &str, q: &ODataQuery) -> String {
    format!(
        "{}/v1.0/$metadata#{what}{}",
        state.graph_origin(),
        q.select_suffix()
    )
}

/// `GET /me`.
pub(super) fn me(state: &AppState, caller: &Caller, q: &ODataQuery) -> Response {
    let Some(user) = caller.user else {
        return not_delegated();
    };
    let (given, family) = user.name.split_once(' ').unwrap_or((&user.name, ""));
    let mut v = q.select(json!({
        "businessPhones": [],
        "displayName": user.name,
        "givenName": given,
        "jobTitle": Value::Null,
        "mail": Value::Null,
        "mobilePhone": Value::Null,
        "officeLocation": Value::Null,
        "preferredLanguage": Value::Null,
        "surname": family,
        "userPrincipalName": user.upn,
        "id": user.oid,
    }));
    with_context(&mut v, context(state, "users/$entity", q));
    graph_json(v)
}

/// `GET /me/memberOf`: the user's directory roles (`#microsoft.graph.directoryRole`).
pub(super) fn member_of(state: &AppState, caller: &Caller, q: &ODataQuery) -> Response {
    let Some(user) = caller.user else {
        return not_delegated();
    };
    let rows: Vec<Value> = roles::roles_of(user)
        .into_iter()
        .map(|r| q.select(roles::role_json(caller.tenant, r)))
        .collect();
    graph_json(json!({
        "@odata.context": context(state, "directoryObjects", q),
        "value": rows,
    }))
}

/// `GET /organization` (a collection of one) or `GET /organization/{id}`.
pub(super) fn organization(
    state: &AppState,
    caller: &Caller,
    id: Option<&str>,
    q: &ODataQuery,
) -> Response {
    if caller.user.is_none() {
        return denied();
    }
    let t = caller.tenant;
    if id.is_some_and(|i| !i.eq_ignore_ascii_case(&t.id)) {
        return not_found(id.unwrap_or_default());
    }
    let domains: Vec<Value> = t
        .domains
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": i == 0,
                "isInitial": d.ends_with(".onmicrosoft.com") && i == 0,
                "name": d,
                "type": "Managed",
            })
        })
        .collect();
    // With User.Read alone, only id, displayName and verifiedDomains are read.
    let full = caller.has_any(READ_ORGANIZATION);
    let more = |v: Value| if full { v } else { Value::Null };
    let org = q.select(json!({
        "id": t.id,
        "deletedDateTime": Value::Null,
        "countryLetterCode": more(json!("US")),
        "displayName": t.name,
        "preferredLanguage": more(json!("en")),
        "tenantType": more(json!("AAD")),
        "verifiedDomains": domains,
    }));
    match id {
        Some(_) => {
            let mut v = org;
            with_context(&mut v, context(state, "organization/$entity", q));
            graph_json(v)
        }
        None => graph_json(json!({
            "@odata.context": context(state, "organization", q),
            "value": [org],
        })),
    }
}
