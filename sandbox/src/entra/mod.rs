//! Entra ID v2.0 emulation: discovery, authorize (sign-in/consent pages), token, and a few
//! informational pages. Validation order and error texts follow what Entra returns; where the
//! real behaviour is unknown the choice is documented in `sandbox/README.md`.
//!
//! One file per part: [`router`] and the routes here; `discovery`, `authorize` (sign-in and
//! consent pages, code issuing), `token` (code / PKCE, refresh and client-credentials
//! redemption), `info_pages`; with `grants` (the run-time code and refresh-token records),
//! `errors` (Entra's error bodies and pages), `tenants` and `scopes` shared between them.

use crate::{pages, AppState};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use std::sync::Arc;

mod authorize;
mod consent;
mod discovery;
mod errors;
mod grants;
mod info_pages;
mod scopes;
mod tenants;
mod token;

pub use authorize::AuthorizeParams;
pub use errors::AadError;
pub use grants::{now, CodeGrant, RefreshGrant, RequestedScopes, Resource};
pub use scopes::{graph_missing, graph_scp, parse_scopes};

use authorize::{authorize_get, authorize_post};
use discovery::{jwks, openid_configuration};
use info_pages::{
    application_state, config_json, error_page, index, logout, portal, reset, v1_authorize,
    v1_token,
};
use token::token;

/// Dynamics CRM (Dataverse) first-party application ID.
pub const DYNAMICS_APP_ID: &str = "00000007-0000-0000-c000-000000000000";
/// Microsoft Graph application ID.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

type S = Arc<AppState>;

pub fn router(state: S) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/sandbox/health", get(|| async { "ok" }))
        .route(
            "/sandbox/reset",
            post(reset).options(crate::faults::preflight),
        )
        .route(
            "/sandbox/faults",
            get(crate::faults::list)
                .post(crate::faults::add)
                .delete(crate::faults::clear)
                .options(crate::faults::preflight),
        )
        .route("/sandbox/config", get(config_json))
        .route("/sandbox/state/applications/{key}", get(application_state))
        .route("/error", get(error_page))
        .route("/portal", get(portal))
        .route("/portal/", get(portal))
        .route("/portal/{*rest}", get(portal))
        .route("/admin", get(portal))
        .route("/admin/", get(portal))
        .route("/admin/{*rest}", get(portal))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize_get).post(authorize_post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize/submit",
            post(authorize_post),
        )
        .route("/{tenant}/oauth2/v2.0/token", any(token))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        .route("/{tenant}/oauth2/authorize", get(v1_authorize))
        .route("/{tenant}/oauth2/token", any(v1_token))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> Response {
    pages::html(
        StatusCode::NOT_FOUND,
        pages::info(
            "Not found",
            &["The sandbox's Entra ID emulation has no page here. See / for the endpoints."],
        ),
    )
}
