//! The other pages: sign-out, the v1 endpoints (not emulated), the error lookup, the portal
//! placeholder, the index, and the sandbox's own `/sandbox/*` routes.

use super::authorize::FoundExt;
use super::errors::{error_json, error_page_response};
use super::{AadError, S};
use crate::pages;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

pub(super) async fn logout(Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("post_logout_redirect_uri") {
        Some(uri) if !uri.is_empty() => Redirect::to(uri).into_response().with_status_found(),
        _ => pages::html(
            StatusCode::OK,
            pages::info(
                "You signed out of your account",
                &["It's a good idea to close all browser windows."],
            ),
        ),
    }
}

pub(super) async fn v1_authorize(headers: HeaderMap) -> Response {
    error_page_response(
        &headers,
        &AadError::new(
            "invalid_request",
            900144,
            "The sandbox emulates only the v2.0 endpoints: use /{tenant}/oauth2/v2.0/authorize.",
        ),
    )
}

/// The v1 token endpoint has no CORS support in Entra: answer without any CORS header, so a
/// browser sees the same CORS failure it would see against the real service.
pub(super) async fn v1_token(State(state): State<S>, headers: HeaderMap) -> Response {
    let mut e = AadError::new(
        "invalid_request",
        900144,
        "The sandbox emulates only the v2.0 token endpoint: use /{tenant}/oauth2/v2.0/token.",
    );
    e.status = StatusCode::BAD_REQUEST;
    error_json(&state, &headers, &e)
}

/// `POST /sandbox/reset`: back to the configuration (faults included). Any origin may call it.
pub(super) async fn reset(State(state): State<S>, headers: HeaderMap) -> Response {
    *state.store() = crate::Store::default();
    let mut r = "reset\n".into_response();
    crate::faults::allow_any_origin(&mut r, &headers);
    r
}

/// `GET /sandbox/state/applications/{appId or object id}`: the application now, every secret
/// included (replicated or not), as Graph shows it; `404` if there is none.
pub(super) async fn application_state(
    State(state): State<S>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut r = match crate::graph::application_state(&state, &key.to_ascii_lowercase()) {
        Some(v) => ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"error": format!("no application '{key}'")}).to_string(),
        )
            .into_response(),
    };
    crate::faults::allow_any_origin(&mut r, &headers);
    r
}

pub(super) async fn config_json(State(state): State<S>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(&state.config).unwrap_or_default(),
    )
        .into_response()
}

pub(super) async fn error_page(RawQuery(q): RawQuery) -> Response {
    let code: u32 = q
        .as_deref()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "code")
                .and_then(|(_, v)| v.parse().ok())
        })
        .unwrap_or(0);
    pages::html(
        StatusCode::OK,
        pages::info(
            &format!("Error AADSTS{code}"),
            &[
                pages::error_code_text(code),
                "This page is served by the local sandbox; the real explanation is at \
                 https://login.microsoftonline.com/error?code=<number>.",
            ],
        ),
    )
}

pub(super) async fn portal() -> Response {
    pages::html(
        StatusCode::OK,
        pages::info(
            "This is the sandbox: there is no portal",
            &[
                "The sandbox app is pre-registered (see sandbox/sandbox.toml): its client ID, object \
                 IDs, redirect URIs, consent and application users are all in that file.",
                "Edit the file and restart the sandbox to change them.",
            ],
        ),
    )
}

pub(super) async fn index(State(state): State<S>) -> Response {
    let summary = crate::summary(&state.config, state.port);
    let body = format!(
        "<h1>Sandbox: Entra ID and Dataverse on localhost</h1>\
<p>Entra ID v2.0 endpoints: <code>{o}/{{tenant}}/oauth2/v2.0/authorize</code>, <code>…/token</code>, \
<code>{o}/{{tenant}}/v2.0/.well-known/openid-configuration</code>.</p>\
<h2>Configuration</h2><pre class=\"details\">{}</pre>",
        pages::esc(&summary),
        o = pages::esc(&state.entra_origin()),
    );
    pages::html(StatusCode::OK, pages::layout("Sandbox", &body))
}
