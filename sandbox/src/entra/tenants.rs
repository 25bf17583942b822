//! The `{tenant}` path segment and the app registration it is asked about.

use super::AadError;
use crate::config::{App, Tenant};
use crate::AppState;

/// A `{tenant}` path segment: a GUID or domain of a configured tenant, or `common`/`organizations`.
pub(super) enum TenantRef<'a> {
    Known(&'a Tenant),
    Multi(&'static str),
}

pub(super) fn resolve_tenant<'a>(
    state: &'a AppState,
    key: &str,
) -> Result<TenantRef<'a>, AadError> {
    match key.to_ascii_lowercase().as_str() {
        "common" => return Ok(TenantRef::Multi("common")),
        "organizations" => return Ok(TenantRef::Multi("organizations")),
        _ => {}
    }
    state
        .config
        .tenant(key)
        .map(TenantRef::Known)
        .ok_or_else(|| tenant_not_found(key))
}

fn tenant_not_found(key: &str) -> AadError {
    AadError::new(
        "invalid_tenant",
        90002,
        format!(
            "Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are \
             signing into the correct cloud. Check with your subscription administrator, this may \
             happen if there are no active subscriptions for the tenant."
        ),
    )
}

/// Find the app in the tenant (or, for `common`/`organizations`, in whichever tenant owns it),
/// as it is now: registrations created through Graph too, with their current redirect URIs
/// and consent ([`crate::graph::entra_app`]).
pub(super) fn find_app<'a>(
    state: &'a AppState,
    tenant: &TenantRef<'a>,
    client_id: &str,
) -> Result<(&'a Tenant, App), AadError> {
    let found = match tenant {
        TenantRef::Known(t) => crate::graph::entra_app(state, t, client_id).map(|a| (*t, a)),
        TenantRef::Multi(_) => crate::graph::entra_app_anywhere(state, client_id),
    };
    found.ok_or_else(|| {
        let dir = match tenant {
            TenantRef::Known(t) => t.name.as_str(),
            TenantRef::Multi(m) => m,
        };
        AadError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{dir}'. \
                 This can happen if the application has not been installed by the administrator of \
                 the tenant or consented to by any user in the tenant. You may have sent your \
                 authentication request to the wrong tenant."
            ),
        )
    })
}
