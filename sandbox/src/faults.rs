//! Fault injection for tests: `POST /sandbox/faults` (Entra host) queues "the next request
//! matching this fails once (or `times` times) with this status", for Microsoft Graph, the
//! Global Discovery Service and the Dataverse environments. Each service answers the fault in its
//! own error shape, with the CORS headers it always sends (see `graph::fault`,
//! `discovery::fault`, `dataverse::fault`); `OPTIONS` preflights never fail. `GET
//! /sandbox/faults` lists the pending faults, `DELETE /sandbox/faults` and `POST /sandbox/reset`
//! clear them.
//!
//! ```json
//! {"method":"PATCH","path":"/v1.0/applications/bbbbbbbb-0000-4000-8000-000000000024",
//!  "host":"graph.localhost","status":503,"times":1}
//! ```
//!
//! `path` is a prefix of the request's path (as sent, or percent-decoded); `method` and `host`
//! (without port) are optional; `times` defaults to 1. Faults are matched in the order they were
//! added.

use crate::{classify_host, AppState, HostKind};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, CONTENT_TYPE, HOST, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

/// One pending fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// HTTP method to match (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Prefix of the request path.
    pub path: String,
    /// Host name to match, without port (`graph.localhost`, `contoso.crm.localhost`,
    /// `globaldisco.localhost`); any of those when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The status to answer (400–599).
    pub status: u16,
    /// How many matching requests fail (default 1).
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

/// The host name of a `Host` header, lower case, without port.
fn host_name(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    match h.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && !name.ends_with(']') => {
            name.to_string()
        }
        _ => h,
    }
}

fn faultable(state: &AppState, kind: &HostKind) -> bool {
    match kind {
        HostKind::Graph | HostKind::Discovery => true,
        HostKind::Dataverse(org) => state.config.environment(org).is_some(),
        _ => false,
    }
}

impl Fault {
    /// Check and normalise a fault as posted.
    fn checked(mut self, state: &AppState) -> Result<Fault, String> {
        if !self.path.starts_with('/') {
            return Err("path must start with '/'".into());
        }
        if !(400..=599).contains(&self.status) {
            return Err("status must be 400–599".into());
        }
        if self.times == 0 {
            return Err("times must be at least 1".into());
        }
        self.method = self.method.map(|m| m.trim().to_ascii_uppercase());
        if self.method.as_deref() == Some("OPTIONS") {
            return Err("preflight (OPTIONS) requests never fail".into());
        }
        if let Some(h) = &self.host {
            let name = host_name(h);
            if !faultable(state, &classify_host(&name)) {
                return Err(format!(
                    "host '{name}' is not Graph (graph.localhost), discovery \
                     (globaldisco.localhost) or an environment ({{org}}.crm.localhost)"
                ));
            }
            self.host = Some(name);
        }
        Ok(self)
    }

    fn matches(&self, method: &Method, host: &str, path: &str, decoded: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
            && self.host.as_deref().is_none_or(|h| h == host)
            && (path.starts_with(&self.path) || decoded.starts_with(&self.path))
    }
}

/// The status of the first pending fault matching this request (Graph, discovery or an
/// environment; never a preflight), counting it used.
pub fn take(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
) -> Option<StatusCode> {
    if *method == Method::OPTIONS {
        return None;
    }
    let host = host_name(
        headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or(""),
    );
    let decoded = crate::dataverse::percent_decode(path);
    let mut store = state.store();
    let i = store
        .faults
        .iter()
        .position(|f| f.matches(method, &host, path, &decoded))?;
    let status = store.faults[i].status;
    store.faults[i].times -= 1;
    if store.faults[i].times == 0 {
        store.faults.remove(i);
    }
    StatusCode::from_u16(status).ok()
}

/// CORS for the sandbox's own routes: any origin may call them (a test page can queue faults or
/// reset from the browser too; Playwright's `request` fixture calls them from Node).
pub fn allow_any_origin(resp: &mut Response, headers: &HeaderMap) {
    let origin = headers
        .get(ORIGIN)
        .cloned()
        .unwrap_or(HeaderValue::from_static("*"));
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(VARY, HeaderValue::from_static("Origin"));
}

/// The preflight answer of the sandbox's own routes.
pub async fn preflight(headers: HeaderMap) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    allow_any_origin(&mut r, &headers);
    let allow = headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("content-type"));
    let h = r.headers_mut();
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
    );
    h.insert(ACCESS_CONTROL_ALLOW_HEADERS, allow);
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    r
}

fn json_answer(status: StatusCode, body: serde_json::Value, headers: &HeaderMap) -> Response {
    let mut r = (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    allow_any_origin(&mut r, headers);
    r
}

/// `POST /sandbox/faults`: `201` with the fault as queued, `400 {"error":"…"}` if malformed.
pub async fn add(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let checked = serde_json::from_slice::<Fault>(&body)
        .map_err(|e| e.to_string())
        .and_then(|f| f.checked(&state));
    match checked {
        Ok(f) => {
            state.store().faults.push(f.clone());
            json_answer(StatusCode::CREATED, json!(f), &headers)
        }
        Err(e) => json_answer(StatusCode::BAD_REQUEST, json!({"error": e}), &headers),
    }
}

/// `GET /sandbox/faults`: `{"value":[…]}`, the pending faults in matching order.
pub async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let faults = state.store().faults.clone();
    json_answer(StatusCode::OK, json!({"value": faults}), &headers)
}

/// `DELETE /sandbox/faults`: forget every pending fault.
pub async fn clear(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    state.store().faults.clear();
    json_answer(StatusCode::OK, json!({"value": []}), &headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_their_port() {
        assert_eq!(host_name("Graph.localhost:8081"), "graph.localhost");
        assert_eq!(host_name("contoso.crm.localhost"), "contoso.crm.localhost");
    }

    #[test]
    fn matching() {
        let f = Fault {
            method: Some("PATCH".into()),
            path: "/v1.0/applications/".into(),
            host: Some("graph.localhost".into()),
            status: 503,
            times: 1,
        };
        let patch = Method::PATCH;
        assert!(f.matches(&patch, "graph.localhost", "/v1.0/applications/x", "x"));
        assert!(!f.matches(&Method::GET, "graph.localhost", "/v1.0/applications/x", "x"));
        assert!(!f.matches(&patch, "contoso.crm.localhost", "/v1.0/applications/x", "x"));
        assert!(!f.matches(&patch, "graph.localhost", "/v1.0/servicePrincipals", "x"));
    }
}
