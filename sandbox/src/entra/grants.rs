//! The run-time grants kept in the [`Store`](crate::Store): issued authorization codes and
//! refresh tokens, the scopes they were issued for, and the random values they are made of.

use super::{DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::config::{App, Platform, Tenant};
use crate::graph::objects::consented_scopes;
use crate::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub platform: Platform,
    pub scopes: RequestedScopes,
    pub code_challenge: Option<String>,
    pub code_challenge_method: String,
    pub user_oid: String,
    pub nonce: Option<String>,
    pub issued_at: u64,
    pub redeemed: bool,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub platform: Platform,
    pub scopes: RequestedScopes,
    pub user_oid: String,
    /// SPA refresh tokens expire 24 h after the original sign-in, carried over on refresh.
    pub session_start: u64,
}

/// The resource a `scope` parameter asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A configured Dataverse environment (its org name).
    Dataverse(String),
    /// Microsoft Graph (plain scopes such as `User.Read`, or OIDC scopes only).
    Graph,
    /// The Global Discovery Service (part of Dynamics CRM), with the token's `aud`: the resource
    /// as asked, `http://globaldisco.localhost:{port}/` or without the trailing slash.
    Discovery(String),
}

impl Resource {
    /// Dataverse and the Global Discovery Service belong to Dynamics CRM
    /// (`00000007-0000-0000-c000-000000000000`): its `user_impersonation` consent covers both.
    pub fn is_dynamics(&self) -> bool {
        matches!(self, Resource::Dataverse(_) | Resource::Discovery(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedScopes {
    pub resource: Resource,
    /// Permission names on the resource (`user_impersonation`, `.default`, `User.Read`).
    pub permissions: Vec<String>,
    pub openid: bool,
    pub offline_access: bool,
    pub raw: String,
    /// For Microsoft Graph asked by resource URI (`https://graph.microsoft.com/…`,
    /// `http://graph.localhost:{port}/…` or the Graph app ID): that resource, the token's `aud`.
    pub graph_audience: Option<String>,
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(super) fn timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string()
}

pub(super) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(super) fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).expect("random");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

/// Has `user` (by object ID) consent for Dynamics CRM `user_impersonation` with `app`: an
/// `AllPrincipals` grant (admin consent, configured or given since) or the user's own
/// `Principal` grant, wherever it came from (configuration, consent page, Graph).
pub(super) fn dynamics_consented(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    user_oid: &str,
) -> bool {
    consented_scopes(
        state,
        tenant,
        &app.client_id,
        DYNAMICS_APP_ID,
        Some(user_oid),
    )
    .iter()
    .any(|s| s.eq_ignore_ascii_case("user_impersonation"))
}

/// The Microsoft Graph permissions `user` may use with `app`: the admin-consented ones, then
/// those of the user's own grant.
pub(super) fn graph_consented(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    user_oid: &str,
) -> Vec<String> {
    consented_scopes(state, tenant, &app.client_id, GRAPH_APP_ID, Some(user_oid))
}
