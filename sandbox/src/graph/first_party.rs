//! Microsoft's first-party applications the sandbox's directories hold service principals of:
//! Dataverse (Dynamics CRM) and Microsoft Graph in every tenant, others (Azure AD Graph) only in a
//! tenant where an app has a grant to them (`extra_grants`).

use crate::config::Tenant;
use crate::entra::{DYNAMICS_APP_ID, GRAPH_APP_ID};

/// Dynamics CRM's delegated `user_impersonation` scope.
pub const DYNAMICS_USER_IMPERSONATION_ID: &str = "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4";
/// Azure Active Directory Graph (legacy), a harmless resource for extra grants.
pub const AAD_GRAPH_APP_ID: &str = "00000002-0000-0000-c000-000000000000";

/// A delegated permission: (value, id, admin consent display name).
pub type Scope = (&'static str, &'static str, &'static str);

/// Microsoft Graph's delegated permissions the sandbox knows.
pub const GRAPH_SCOPES: &[Scope] = &[
    (
        "User.Read",
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        "Sign in and read user profile",
    ),
    (
        "Application.Read.All",
        "c79f8feb-a9db-4090-85f9-90d820caa0eb",
        "Read applications",
    ),
    (
        "Application.ReadWrite.All",
        "bdfbf15f-ee85-4955-8675-146e8e5296b5",
        "Read and write all applications",
    ),
    (
        "Directory.Read.All",
        "06da0dbc-49e2-44d2-8312-53f166ab848a",
        "Read directory data",
    ),
    (
        "Directory.ReadWrite.All",
        "c5366453-9fb0-48a5-a156-24f0c49a4b84",
        "Read and write directory data",
    ),
    (
        "DelegatedPermissionGrant.Read.All",
        "a197cdc4-a8e8-4d49-9d35-4ca7c83887b4",
        "Read delegated permission grants",
    ),
    (
        "DelegatedPermissionGrant.ReadWrite.All",
        "41ce6ca6-6826-4807-84f1-1c82854f7ee5",
        "Manage all delegated permission grants",
    ),
];

/// Delegated permissions any user may consent to for themselves; Microsoft Graph's others
/// (`Application.*`, `Directory.*`, `DelegatedPermissionGrant.*`) need an admin's consent
/// (their `oauth2PermissionScopes` `type` is `Admin`).
pub const USER_CONSENTABLE: &[&str] = &["User.Read", "user_impersonation"];

/// Does `permission` need an admin's consent?
pub fn admin_consent_required(permission: &str) -> bool {
    !USER_CONSENTABLE
        .iter()
        .any(|u| u.eq_ignore_ascii_case(permission))
}

/// A Graph permission by value (case-insensitive): (value, id, display name).
pub fn graph_scope(value: &str) -> Option<&'static Scope> {
    GRAPH_SCOPES
        .iter()
        .find(|(v, _, _)| v.eq_ignore_ascii_case(value))
}

pub struct FirstParty {
    pub app_id: &'static str,
    pub name: &'static str,
    pub scopes: &'static [Scope],
}

pub const FIRST_PARTY: &[FirstParty] = &[
    FirstParty {
        app_id: DYNAMICS_APP_ID,
        name: "Dataverse",
        scopes: &[(
            "user_impersonation",
            DYNAMICS_USER_IMPERSONATION_ID,
            "Access Dynamics 365 as organization users",
        )],
    },
    FirstParty {
        app_id: GRAPH_APP_ID,
        name: "Microsoft Graph",
        scopes: GRAPH_SCOPES,
    },
    FirstParty {
        app_id: AAD_GRAPH_APP_ID,
        name: "Windows Azure Active Directory",
        scopes: &[(
            "User.Read",
            "311a71cc-e848-46a1-bdf8-97ff7156d8e6",
            "Sign in and read user profile",
        )],
    },
];

pub fn first_party(app_id: &str) -> Option<&'static FirstParty> {
    FIRST_PARTY
        .iter()
        .find(|f| f.app_id.eq_ignore_ascii_case(app_id))
}

/// The first-party applications with a service principal in `tenant`.
pub fn in_tenant(tenant: &Tenant) -> Vec<&'static FirstParty> {
    FIRST_PARTY
        .iter()
        .filter(|f| {
            f.app_id == DYNAMICS_APP_ID
                || f.app_id == GRAPH_APP_ID
                || tenant
                    .apps
                    .iter()
                    .flat_map(|a| &a.extra_grants)
                    .any(|g| g.resource_app_id == f.app_id)
        })
        .collect()
}

/// A first-party service principal's object ID in a tenant (stable per tenant).
pub fn sp_id(tenant: &Tenant, app_id: &str) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, tenant.id.as_bytes());
    uuid::Uuid::new_v5(&ns, format!("sp:{app_id}").as_bytes()).to_string()
}
