//! CORS headers as Entra's v2.0 token endpoint and Dataverse send them.

use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Headers Dataverse lets a browser read.
pub const DATAVERSE_EXPOSE: &str =
    "Preference-Applied, OData-EntityId, Location, ETag, OData-Version, \
Content-Encoding, Transfer-Encoding, Content-Length, Retry-After, WWW-Authenticate, REQ_ID, \
x-ms-service-request-id";

/// Methods Dataverse allows cross-origin.
pub const DATAVERSE_METHODS: &str = "GET, POST, PATCH, DELETE, PUT, OPTIONS";

/// Headers Dataverse allows when the preflight doesn't name any.
pub const DATAVERSE_HEADERS: &str =
    "authorization, odata-version, odata-maxversion, accept, if-none-match, if-match, prefer, content-type, consistencylevel, mscrm.suppressduplicatedetection, x-ms-app-name, client-request-id";

/// The request's `Origin`, if it has one.
pub fn origin(headers: &HeaderMap) -> Option<HeaderValue> {
    headers.get(ORIGIN).cloned()
}

/// Add `Access-Control-Allow-Origin: <origin>` (and `Vary: Origin`) when the request had an Origin.
pub fn allow_origin(resp: &mut Response, origin: Option<&HeaderValue>) {
    if let Some(o) = origin {
        let h = resp.headers_mut();
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
        h.append(VARY, HeaderValue::from_static("Origin"));
    }
}

/// Preflight answer for Entra's `/oauth2/v2.0/token`.
pub fn token_preflight(req_headers: &HeaderMap) -> Response {
    let mut resp = StatusCode::OK.into_response();
    let origin = origin(req_headers).unwrap_or(HeaderValue::from_static("*"));
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    let allow = req_headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("content-type"));
    h.insert(ACCESS_CONTROL_ALLOW_HEADERS, allow);
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    h.insert(VARY, HeaderValue::from_static("Origin"));
    resp
}

/// Preflight answer for a Dataverse environment: echoes the requested method and headers.
pub fn dataverse_preflight(req_headers: &HeaderMap) -> Response {
    let mut resp = StatusCode::OK.into_response();
    let h = resp.headers_mut();
    h.insert(
        ACCESS_CONTROL_ALLOW_ORIGIN,
        origin(req_headers).unwrap_or(HeaderValue::from_static("*")),
    );
    let methods = req_headers
        .get(ACCESS_CONTROL_REQUEST_METHOD)
        .cloned()
        .unwrap_or(HeaderValue::from_static(DATAVERSE_METHODS));
    h.insert(ACCESS_CONTROL_ALLOW_METHODS, methods);
    let allow = req_headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static(DATAVERSE_HEADERS));
    h.insert(ACCESS_CONTROL_ALLOW_HEADERS, allow);
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("3600"));
    h.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(DATAVERSE_EXPOSE),
    );
    h.insert(VARY, HeaderValue::from_static("Origin"));
    resp
}

/// CORS headers on an actual (non-preflight) Dataverse response.
pub fn dataverse_actual(resp: &mut Response, origin: Option<&HeaderValue>) {
    if origin.is_some() {
        allow_origin(resp, origin);
        resp.headers_mut().insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(DATAVERSE_EXPOSE),
        );
    }
}
