//! Consent at sign-in: what a request asks for, whether the signed-in user already has it, and
//! recording what is granted on the consent page. As in Entra, consenting creates the app's
//! service principal when the tenant has none yet and a delegated permission grant per resource:
//! `AllPrincipals` when an admin ticks "Consent on behalf of your organization", else `Principal`
//! for the user. Admin-restricted permissions (Microsoft Graph's `Application.*`, `Directory.*`,
//! `DelegatedPermissionGrant.*`) need an admin's consent; so does any consent in the sandbox's
//! choice (a non-admin gets AADSTS65001, see the README), `User.Read` excepted.

use super::grants::{dynamics_consented, graph_consented};
use super::scopes::{consent_error, graph_missing};
use super::{AadError, RequestedScopes, Resource, DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::config::{App, Tenant, User};
use crate::graph::objects::{record_consent, required_permissions};
use crate::graph::{graph_scope, roles};
use crate::AppState;

/// The permission Dynamics CRM (Dataverse, discovery) asks for, as the pages show it.
pub(super) const DYNAMICS_PERMISSION: &str =
    "Access Dynamics 365 as organization users (user_impersonation)";

/// What a sign-in asks consent for.
pub(super) struct Consent {
    /// (resource application ID, permissions) the request asks for.
    pub asked: Vec<(&'static str, Vec<String>)>,
    /// The user already has all of it (and the tenant has the app's service principal).
    pub granted: bool,
}

/// What `scopes` asks `user` to consent to, and whether it is already granted. `.default` on
/// Graph asks for the registration's configured Graph permissions; with none configured and none
/// consented there is nothing to consent to: AADSTS65001.
pub(super) fn consent_for(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    scopes: &RequestedScopes,
    user: &User,
) -> Result<Consent, AadError> {
    let mut asked: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut granted = app.service_principal;
    match &scopes.resource {
        r if r.is_dynamics() => {
            asked.push((DYNAMICS_APP_ID, vec!["user_impersonation".into()]));
            granted &= dynamics_consented(state, tenant, app, &user.oid);
        }
        Resource::Graph if scopes.graph_audience.is_some() => {
            let consented = graph_consented(state, tenant, app, &user.oid);
            let missing = graph_missing(&consented, scopes);
            let mut perms: Vec<String> = Vec::new();
            for p in &scopes.permissions {
                if p == ".default" {
                    perms.extend(required_permissions(
                        state,
                        tenant,
                        &app.client_id,
                        GRAPH_APP_ID,
                    ));
                } else {
                    perms.push(p.clone());
                }
            }
            if missing.iter().any(|m| m == ".default") && perms.is_empty() {
                return Err(consent_error(app, "consent_required"));
            }
            granted &= missing.is_empty();
            asked.push((GRAPH_APP_ID, perms));
        }
        _ => {}
    }
    Ok(Consent { asked, granted })
}

impl Consent {
    /// The lines the consent page lists.
    pub fn texts(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (resource, perms) in &self.asked {
            if *resource == DYNAMICS_APP_ID {
                out.push(DYNAMICS_PERMISSION.to_string());
                continue;
            }
            for p in perms {
                out.push(match graph_scope(p) {
                    Some((v, _, text)) => format!("{text} ({v})"),
                    None => p.clone(),
                });
            }
        }
        if out.is_empty() {
            out.push("Sign you in and read your profile".into());
        }
        out
    }

    /// Record the consent `user` gave on the consent page: tenant-wide when `org_wide` (only a
    /// consent admin may), else for the user alone.
    pub fn record(
        &self,
        state: &AppState,
        tenant: &Tenant,
        app: &App,
        user: &User,
        org_wide: bool,
    ) {
        let principal =
            (!(org_wide && roles::can_grant_consent(user))).then_some(user.oid.as_str());
        record_consent(state, tenant, &app.client_id, &self.asked, principal);
    }
}
