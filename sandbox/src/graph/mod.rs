//! Microsoft Graph v1.0 emulation on `graph.localhost` (standing in for
//! `https://graph.microsoft.com`): the app registration, service principals, delegated permission
//! grants and `addPassword`, read with the signed-in user's delegated token.
//!
//! Auth first: a bearer token signed by this sandbox, not expired, with a Graph audience
//! (`https://graph.microsoft.com`, `http://graph.localhost:{port}` or the Graph app ID), else 401
//! `InvalidAuthenticationToken`. Then the token's `scp` (and, for grants and writes, the user's
//! admin role) decides, else 403 `Authorization_RequestDenied`. Objects are those of the token's
//! tenant (`tid`); see [`directory`] and [`grants`]. Lists are paged and throttled per the
//! token's app (`graph_page_size`, `graph_throttle_lists_once`; [`crate::paging`]).

// The checks return the finished error `Response`; it is built once per request, size is moot.
#![allow(clippy::result_large_err)]

use crate::config::{App, Tenant};
use crate::dataverse::ODataQuery;
use crate::paging::{self, Flavor, Paging};
use crate::{cors, entra, AppState};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

mod directory;
mod first_party;
mod grants;

pub use directory::{all_secrets, AddedSecret};
pub use first_party::{first_party, AAD_GRAPH_APP_ID, DYNAMICS_USER_IMPERSONATION_ID};

/// Headers Graph lets a browser read (`Retry-After` for throttled answers).
pub const GRAPH_EXPOSE: &str = "ETag, Location, Preference-Applied, Content-Range, request-id, \
client-request-id, Retry-After, OData-EntityId";

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
/// … that let the caller add a password to an application.
const WRITE_APPS: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All"];

/// The signed-in caller of one request.
struct Caller<'a> {
    tenant: &'a Tenant,
    /// The app the token was issued to (its paging and throttling options apply).
    app: Option<&'a App>,
    scopes: Vec<String>,
    is_admin: bool,
}

impl Caller<'_> {
    fn has_any(&self, perms: &[&str]) -> bool {
        self.scopes
            .iter()
            .any(|s| perms.iter().any(|p| p.eq_ignore_ascii_case(s)))
    }
}

pub async fn handle(state: Arc<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    let origin = cors::origin(&headers);
    if req.method() == Method::OPTIONS {
        let mut r = cors::dataverse_preflight(&headers);
        r.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(GRAPH_EXPOSE),
        );
        return r;
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let mut resp = route(&state, &parts.method, &parts.uri, &headers, &body);
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    let h = resp.headers_mut();
    for (k, v) in [
        ("request-id", request_id),
        ("client-request-id", client_request_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    if origin.is_some() {
        cors::allow_origin(&mut resp, origin.as_ref());
        resp.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(GRAPH_EXPOSE),
        );
    }
    resp
}

/// Graph's error body: `{"error":{"code","message","innerError":{date, request-id, …}}}`.
pub fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({"error": {
        "code": code,
        "message": message,
        "innerError": {
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": id,
            "client-request-id": id,
        }
    }});
    let body = crate::ordered_json(&body, &[]);
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn denied() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are \
             not present."
        ),
    )
}

fn bad_segment(segment: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        &format!("Resource not found for the segment '{segment}'."),
    )
}

fn unauthorized(state: &AppState, message: &str) -> Response {
    let mut r = graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    );
    let value = format!(
        "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", \
         client_id=\"{}\"",
        state.entra_origin(),
        entra::GRAPH_APP_ID
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// Audiences a Graph token may carry.
fn graph_audience_ok(state: &AppState, aud: &str) -> bool {
    let aud = aud.trim_end_matches('/');
    aud.eq_ignore_ascii_case("https://graph.microsoft.com")
        || aud.eq_ignore_ascii_case(&state.graph_origin())
        || aud.eq_ignore_ascii_case(entra::GRAPH_APP_ID)
}

fn authenticate<'a>(state: &'a AppState, headers: &HeaderMap) -> Result<Caller<'a>, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorized(state, "Access token is empty."))?;
    let claims: Map<String, Value> = crate::tokens::claims(state, token)
        .ok_or_else(|| unauthorized(state, "Access token validation failure."))?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if !graph_audience_ok(state, text("aud")) {
        return Err(unauthorized(
            state,
            "Access token validation failure. Invalid audience.",
        ));
    }
    if claims
        .get("exp")
        .and_then(Value::as_u64)
        .is_none_or(|e| e <= entra::now())
    {
        return Err(unauthorized(
            state,
            "Lifetime validation failed, the token is expired.",
        ));
    }
    let tenant = state
        .config
        .tenant(text("tid"))
        .filter(|t| text("iss") == format!("https://sts.windows.net/{}/", t.id))
        .ok_or_else(|| unauthorized(state, "Access token validation failure."))?;
    let scopes = text("scp").split_whitespace().map(str::to_string).collect();
    let is_admin = tenant.user(text("oid")).is_some_and(|u| u.is_admin);
    Ok(Caller {
        tenant,
        app: tenant.app(text("appid")),
        scopes,
        is_admin,
    })
}

/// `applications(appId='x')` → (`applications`, `appId`, `x`); `applications/x` handled by caller.
fn key_segment(segment: &str) -> Option<(&str, &str, &str)> {
    let (entity, rest) = segment.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    let (name, value) = inner.split_once('=').unwrap_or(("id", inner));
    let value = value.trim_matches('\'');
    Some((entity, name, value))
}

fn route(
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
    let get = *method == Method::GET;
    let post = *method == Method::POST;
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
    let d = directory::Directory::new(state, caller.tenant);
    match (entity, key, tail) {
        ("applications" | "servicePrincipals", _, _) if get && !caller.has_any(READ_APPS) => {
            // Grants under a service principal need their own permission, checked below.
            if tail == ["oauth2PermissionGrants"] {
                grants_for(&d, &caller, key, &paging)
            } else {
                denied()
            }
        }
        ("applications", None, []) if get => {
            let want = q.filter_value("appId");
            d.list_applications(want.as_deref(), &q, &paging)
        }
        ("applications", Some(k), []) if get => d.get_application(k, &q),
        ("applications", Some(k), ["addPassword"]) if post => {
            if !caller.has_any(WRITE_APPS) || !caller.is_admin {
                return denied();
            }
            d.add_password(k, body)
        }
        ("servicePrincipals", None, []) if get => {
            let want = q.filter_value("appId");
            d.list_service_principals(want.as_deref(), &q, &paging)
        }
        ("servicePrincipals", Some(k), []) if get => d.get_service_principal(k, &q),
        ("servicePrincipals", Some(_), ["oauth2PermissionGrants"]) if get => {
            grants_for(&d, &caller, key, &paging)
        }
        ("oauth2PermissionGrants", None, []) if get => {
            if !caller.has_any(READ_GRANTS) || !caller.is_admin {
                return denied();
            }
            d.list_grants(
                q.filter_value("clientId").as_deref(),
                q.filter_value("consentType").as_deref(),
                &paging,
            )
        }
        ("applications" | "servicePrincipals" | "oauth2PermissionGrants", _, _) => graph_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            &format!("The sandbox's Graph does not support {method} here."),
        ),
        (other, _, _) => bad_segment(other),
    }
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

fn grants_for(
    d: &directory::Directory,
    caller: &Caller,
    key: Option<(&str, &str)>,
    paging: &Paging,
) -> Response {
    if !caller.has_any(READ_GRANTS) || !caller.is_admin {
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

fn percent_decode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_paths() {
        assert_eq!(
            key_segment("applications(appId='abc')"),
            Some(("applications", "appId", "abc"))
        );
        assert_eq!(
            percent_decode_path("/v1.0/applications(appId=%27abc%27)"),
            "/v1.0/applications(appId='abc')"
        );
        assert_eq!(percent_decode_path("/a%2"), "/a%2");
    }
}
