//! Graph's routes: which permission each call needs in the token's `scp`, then the handler.

use super::directory::Directory;
use super::{
    authenticate, bad_segment, denied, graph_error, key_segment, me, not_found,
    percent_decode_path, roles, Caller,
};
use crate::dataverse::ODataQuery;
use crate::paging::{self, Flavor, Paging};
use crate::AppState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

/// Delegated permissions that let the caller read applications and service principals.
const READ_APPS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// … that let the caller read oauth2PermissionGrants (least privileged: Directory.Read.All).
const READ_GRANTS: &[&str] = &[
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "DelegatedPermissionGrant.Read.All",
    "DelegatedPermissionGrant.ReadWrite.All",
];
/// … that let the caller create an application ("Create application": Application.ReadWrite.All).
const CREATE_APPS: &[&str] = &["Application.ReadWrite.All"];
/// … that let the caller change an application, add a password, create a service principal.
const WRITE_APPS: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All"];
/// … that let the caller create or change oauth2PermissionGrants.
const WRITE_GRANTS: &[&str] = &[
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.ReadWrite.All",
];

pub(super) fn route(
    state: &AppState,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let path = percent_decode_path(uri.path());
    let Some(rest) = path.strip_prefix("/v1.0/") else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid version: the sandbox's Graph serves /v1.0/ only.",
        );
    };
    let caller = match authenticate(state, headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = ODataQuery::parse(uri.query().unwrap_or(""));
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    let patch = *method == Method::PATCH;
    match segments.as_slice() {
        ["me"] if get => return me::me(state, &caller, &q),
        ["me", "memberOf"] if get => return me::member_of(state, &caller, &q),
        ["organization"] if get => return me::organization(state, &caller, None, &q),
        ["organization", id] if get => return me::organization(state, &caller, Some(id), &q),
        ["me", ..] | ["organization", ..] => return not_allowed(method),
        _ => {}
    }
    // Normalise `entity/{id}` and `entity(appId='x')` to (entity, key name, key value, tail).
    let (entity, key, tail): (&str, Option<(&str, &str)>, &[&str]) = match segments.as_slice() {
        [first, tail @ ..] if first.contains('(') => match key_segment(first) {
            Some((e, k, v)) => (e, Some((k, v)), tail),
            None => return bad_segment(first),
        },
        [first, id, tail @ ..] => (*first, Some(("id", *id)), tail),
        [first] => (*first, None, &[]),
        [] => return bad_segment(""),
    };
    let list = get
        && matches!(
            (entity, key, tail),
            (
                "applications" | "servicePrincipals" | "oauth2PermissionGrants",
                None,
                []
            ) | ("servicePrincipals", Some(_), ["oauth2PermissionGrants"])
        );
    let app = caller.app;
    if list
        && app.is_some_and(|a| a.graph_throttle_lists_once)
        && paging::first_request(
            state,
            paging::list_key(&format!("graph {}", app.map_or("", |a| &a.client_id)), uri),
        )
    {
        return throttled();
    }
    let paging = if list {
        let size = app.and_then(|a| a.graph_page_size);
        match Paging::new(&state.graph_origin(), uri, size, Flavor::Graph) {
            Ok(p) => p,
            Err(_) => {
                return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid $skiptoken.")
            }
        }
    } else {
        Paging::unpaged()
    };
    let d = Directory::new(state, caller.tenant);
    // Writes are delegated: the signed-in user's rights decide with the token's permission.
    let writer = |perms: &[&str]| caller.user.filter(|_| caller.has_any(perms));
    match (entity, key, tail) {
        ("servicePrincipals", Some(_), ["oauth2PermissionGrants"]) if get => {
            grants_for(&d, &caller, key, &paging)
        }
        ("applications" | "servicePrincipals", _, _) if get && !caller.has_any(READ_APPS) => {
            denied()
        }
        ("applications", None, []) if get => {
            let want = q.filter_value("appId");
            d.list_applications(want.as_deref(), &q, &paging)
        }
        ("applications", Some(k), []) if get => d.get_application(k, &q),
        ("applications", None, []) if post => match writer(CREATE_APPS) {
            Some(user) => d.create_application(user, body),
            None => denied(),
        },
        ("applications", Some(k), []) if patch => match writer(WRITE_APPS) {
            Some(user) => d.update_application(user, k, body),
            None => denied(),
        },
        ("applications", Some(k), ["addPassword"]) if post => {
            let Some(user) = writer(WRITE_APPS) else {
                return denied();
            };
            match d.may_change_app(user, k) {
                None => not_found(k.1),
                Some(false) => denied(),
                Some(true) => d.add_password(k, body),
            }
        }
        ("servicePrincipals", None, []) if get => {
            let want = q.filter_value("appId");
            d.list_service_principals(want.as_deref(), &q, &paging)
        }
        ("servicePrincipals", Some(k), []) if get => d.get_service_principal(k, &q),
        ("servicePrincipals", None, []) if post => match writer(WRITE_APPS) {
            Some(user) => d.create_service_principal(user, body),
            None => denied(),
        },
        ("oauth2PermissionGrants", _, []) if get => {
            if !caller.has_any(READ_GRANTS) || !caller.user.is_some_and(roles::has_directory_role) {
                return denied();
            }
            match key {
                Some((_, id)) => d.get_grant(id),
                None => d.list_grants(
                    q.filter_value("clientId").as_deref(),
                    q.filter_value("consentType").as_deref(),
                    &paging,
                ),
            }
        }
        ("oauth2PermissionGrants", None, []) if post => match writer(WRITE_GRANTS) {
            Some(user) => d.create_grant(user, body),
            None => denied(),
        },
        ("oauth2PermissionGrants", Some((_, id)), []) if patch => match writer(WRITE_GRANTS) {
            Some(user) => d.update_grant(user, id, body),
            None => denied(),
        },
        ("applications" | "servicePrincipals" | "oauth2PermissionGrants", _, _) => {
            not_allowed(method)
        }
        (other, _, _) => bad_segment(other),
    }
}

fn not_allowed(method: &Method) -> Response {
    graph_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        &format!("The sandbox's Graph does not support {method} here."),
    )
}

/// 429 as Graph throttles, with `Retry-After` in seconds.
fn throttled() -> Response {
    let mut r = graph_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests.",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// `servicePrincipals/{id}/oauth2PermissionGrants`: needs a grants-reading permission and a
/// directory role (Microsoft lists Application Developer, the application admins, Privileged
/// Role Administrator, readers and writers; a plain member is refused).
fn grants_for(
    d: &Directory,
    caller: &Caller,
    key: Option<(&str, &str)>,
    paging: &Paging,
) -> Response {
    if !caller.has_any(READ_GRANTS) || !caller.user.is_some_and(roles::has_directory_role) {
        return denied();
    }
    let Some(key) = key else {
        return bad_segment("oauth2PermissionGrants");
    };
    match d.service_principal_id(key) {
        Some(sp) => d.list_grants(Some(&sp), None, paging),
        None => not_found(key.1),
    }
}
