//! Entra's errors: [`AadError`], and how it is answered: the JSON body of the token and
//! discovery endpoints, the redirect back to the app (see `authorize`), or the HTML error page.

use super::grants::{timestamp, uuid};
use crate::{pages, AppState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

const ERROR_ORDER: &[&str] = &[
    "error",
    "error_description",
    "error_codes",
    "timestamp",
    "trace_id",
    "correlation_id",
    "error_uri",
    "suberror",
];

/// One Entra error: the OAuth `error`, the AADSTS number and its message.
#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
    /// Entra's `suberror` (`consent_required` with AADSTS65001 at the token endpoint).
    pub suberror: Option<&'static str>,
}

impl AadError {
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> AadError {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        AadError {
            status,
            error,
            code,
            message: message.into(),
            suberror: None,
        }
    }

    pub fn with_suberror(mut self, suberror: &'static str) -> AadError {
        self.suberror = Some(suberror);
        self
    }

    pub(super) fn missing(param: &str) -> AadError {
        AadError::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }
}

/// Trace/correlation IDs and timestamp attached to one error.
pub(super) struct Trace {
    trace_id: String,
    correlation_id: String,
    timestamp: String,
}

impl Trace {
    pub(super) fn new(headers: &HeaderMap) -> Trace {
        let correlation_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| uuid::Uuid::parse_str(v).is_ok())
            .map(str::to_string)
            .unwrap_or_else(uuid);
        Trace {
            trace_id: uuid(),
            correlation_id,
            timestamp: timestamp(),
        }
    }

    pub(super) fn describe(&self, e: &AadError) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            e.code, e.message, self.trace_id, self.correlation_id, self.timestamp
        )
    }
}

pub(super) fn error_uri(state: &AppState, code: u32) -> String {
    format!("{}/error?code={code}", state.entra_origin())
}

/// The JSON error body of the token and discovery endpoints.
pub(super) fn error_json(state: &AppState, headers: &HeaderMap, e: &AadError) -> Response {
    let t = Trace::new(headers);
    let mut body = json!({
        "error": e.error,
        "error_description": t.describe(e),
        "error_codes": [e.code],
        "timestamp": t.timestamp,
        "trace_id": t.trace_id,
        "correlation_id": t.correlation_id,
        "error_uri": error_uri(state, e.code),
    });
    if let Some(sub) = e.suberror {
        body["suberror"] = json!(sub);
    }
    let body = crate::ordered_json(&body, ERROR_ORDER);
    let mut resp = (e.status, json_headers(), body).into_response();
    resp.headers_mut().insert(
        "client-request-id",
        HeaderValue::from_str(&t.correlation_id).expect("uuid header"),
    );
    resp
}

pub(super) fn json_headers() -> [(header::HeaderName, &'static str); 3] {
    [
        (header::CONTENT_TYPE, "application/json; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store, no-cache"),
        (header::PRAGMA, "no-cache"),
    ]
}

/// The HTML error page Entra shows when it cannot redirect.
pub(super) fn error_page_response(headers: &HeaderMap, e: &AadError) -> Response {
    let t = Trace::new(headers);
    pages::html(
        e.status,
        pages::sign_in_error(
            &format!("AADSTS{}: {}", e.code, e.message),
            &t.trace_id,
            &t.correlation_id,
            &t.timestamp,
        ),
    )
}
