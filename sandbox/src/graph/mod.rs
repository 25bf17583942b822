//! Microsoft Graph v1.0 emulation on `graph.localhost` (standing in for
//! `https://graph.microsoft.com`): app registrations, service principals, delegated permission
//! grants, `addPassword`, the signed-in user's directory roles and the organization, read and
//! written with the signed-in user's delegated token.
//!
//! Auth first: a bearer token signed by this sandbox, not expired, with a Graph audience
//! (`https://graph.microsoft.com`, `http://graph.localhost:{port}` or the Graph app ID), else 401
//! `InvalidAuthenticationToken`. Then the token's `scp` and the user's directory roles
//! ([`roles`]) decide, else 403 `Authorization_RequestDenied`. Objects are those of the token's
//! tenant (`tid`), as they are at run time ([`objects`]); reads in [`directory`], [`grants`] and
//! [`me`], writes in [`writes`], the routes in [`routes`]. Lists are paged and throttled per the
//! token's app (`graph_page_size`, `graph_throttle_lists_once`; [`crate::paging`]).

// The checks return the finished error `Response`; it is built once per request, size is moot.
#![allow(clippy::result_large_err)]

use crate::config::{App, Tenant, User};
use crate::{cors, entra, AppState};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

mod directory;
mod first_party;
mod grants;
mod me;
pub mod objects;
pub mod roles;
mod routes;
mod writes;

pub use directory::{all_secrets, application_state, AddedSecret};
pub use first_party::{
    admin_consent_required, first_party, graph_scope, AAD_GRAPH_APP_ID,
    DYNAMICS_USER_IMPERSONATION_ID,
};
pub use objects::{entra_app, entra_app_anywhere, TenantObjects};

/// Headers Graph lets a browser read (`Retry-After` for throttled answers).
pub const GRAPH_EXPOSE: &str = "ETag, Location, Preference-Applied, Content-Range, request-id, \
client-request-id, Retry-After, OData-EntityId";

/// The signed-in caller of one request.
pub(super) struct Caller<'a> {
    tenant: &'a Tenant,
    /// The app the token was issued to (its paging and throttling options apply).
    app: Option<&'a App>,
    scopes: Vec<String>,
    /// The signed-in user (`None` for an app-only token).
    user: Option<&'a User>,
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
    let mut resp = match crate::faults::take(&state, &parts.method, &headers, parts.uri.path()) {
        Some(status) => fault(status),
        None => routes::route(&state, &parts.method, &parts.uri, &headers, &body),
    };
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

/// An injected fault (`/sandbox/faults`) in Graph's error shape; `Retry-After` for 429 and 503.
fn fault(status: StatusCode) -> Response {
    let (code, message) = match status.as_u16() {
        400 => ("invalidRequest", "The request is malformed or incorrect."),
        401 => (
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        ),
        403 => (
            "accessDenied",
            "The caller doesn't have permission to perform the action.",
        ),
        404 => ("itemNotFound", "The resource could not be found."),
        409 => (
            "conflict",
            "The current state conflicts with what the request expects.",
        ),
        429 => ("TooManyRequests", "Too many requests."),
        503 => (
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        _ => ("generalException", "An unspecified error has occurred."),
    };
    let mut r = graph_error(status, code, message);
    if matches!(status.as_u16(), 429 | 503) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

pub(super) fn denied() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

pub(super) fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are \
             not present."
        ),
    )
}

pub(super) fn bad_segment(segment: &str) -> Response {
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

pub(super) fn authenticate<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
) -> Result<Caller<'a>, Response> {
    let token = crate::tokens::bearer(headers)
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
    let scopes: Vec<String> = text("scp").split_whitespace().map(str::to_string).collect();
    // App-only tokens carry no `scp`; their `oid` is the service principal's.
    let user = (!scopes.is_empty())
        .then(|| tenant.user(text("oid")))
        .flatten();
    Ok(Caller {
        tenant,
        app: tenant.app(text("appid")),
        scopes,
        user,
    })
}

/// `applications(appId='x')` → (`applications`, `appId`, `x`); `applications/x` handled by caller.
pub(super) fn key_segment(segment: &str) -> Option<(&str, &str, &str)> {
    let (entity, rest) = segment.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    let (name, value) = inner.split_once('=').unwrap_or(("id", inner));
    let value = value.trim_matches('\'');
    Some((entity, name, value))
}

pub(super) fn percent_decode_path(path: &str) -> String {
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
