//! The directory objects of each tenant as they are at run time: app registrations, their service
//! principals and delegated permission grants. Built from the configuration on first use (as
//! Dataverse's application users are), changed by Graph writes and by consent given at sign-in,
//! restored by `/sandbox/reset`. Graph reads ([`super::directory`], [`super::grants`]) and
//! Entra's sign-in and token checks ([`entra_app`], [`consented_scopes`]) both read it, so a
//! grant made through Graph counts as consent, and a consent given at sign-in shows in Graph.
//!
//! Replication: an object created at run time carries `visible_from_ms`; Graph reads miss it
//! until then, writes by ID and Entra see it at once.

use super::first_party::{self, DYNAMICS_USER_IMPERSONATION_ID, GRAPH_SCOPES};
use crate::config::{App, Platform, RedirectUri, Tenant};
use crate::entra::{DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::{now_ms, AppState};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// An app registration (`application`).
#[derive(Debug, Clone)]
pub struct AppObject {
    /// Object ID.
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub sign_in_audience: String,
    pub spa: Vec<String>,
    pub web: Vec<String>,
    pub public_client: Vec<String>,
    /// `requiredResourceAccess` as stored (Graph replaces the whole list on `PATCH`).
    pub required_resource_access: Vec<Value>,
    /// User object IDs.
    pub owners: Vec<String>,
    pub created: DateTime<Utc>,
    pub visible_from_ms: u128,
}

/// An app's own service principal (enterprise application). First-party ones are not stored:
/// see [`first_party`].
#[derive(Debug, Clone)]
pub struct SpObject {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub visible_from_ms: u128,
}

/// A delegated permission grant (`oAuth2PermissionGrant`).
#[derive(Debug, Clone)]
pub struct GrantObject {
    pub id: String,
    /// The client service principal's object ID.
    pub client_id: String,
    /// `AllPrincipals` or `Principal`.
    pub consent_type: String,
    pub principal_id: Option<String>,
    /// The resource service principal's object ID.
    pub resource_id: String,
    /// Space-separated permission values.
    pub scope: String,
    pub visible_from_ms: u128,
}

impl GrantObject {
    pub fn json(&self) -> Value {
        json!({
            "clientId": self.client_id,
            "consentType": self.consent_type,
            "id": self.id,
            "principalId": self.principal_id,
            "resourceId": self.resource_id,
            "scope": self.scope,
        })
    }

    fn for_user(&self, user: Option<&str>) -> bool {
        self.consent_type == "AllPrincipals"
            || user.is_some_and(|u| self.principal_id.as_deref() == Some(u))
    }
}

/// One tenant's objects.
#[derive(Debug, Clone, Default)]
pub struct TenantObjects {
    pub apps: Vec<AppObject>,
    pub sps: Vec<SpObject>,
    pub grants: Vec<GrantObject>,
}

impl TenantObjects {
    /// The objects the configuration describes: every app, the service principals of those with
    /// `service_principal` (default), and per app the `AllPrincipals` grant to Microsoft Graph,
    /// its `extra_grants`, the `AllPrincipals` grant to Dynamics CRM when `consented`, then one
    /// `Principal` grant per `user_consents` entry.
    fn from_config(state: &AppState, tenant: &Tenant) -> TenantObjects {
        let mut o = TenantObjects::default();
        let dynamics = first_party::sp_id(tenant, DYNAMICS_APP_ID);
        let graph = first_party::sp_id(tenant, GRAPH_APP_ID);
        for app in &tenant.apps {
            let uris = |p: Platform| -> Vec<String> {
                app.redirect_uris
                    .iter()
                    .filter(|r| r.platform == p)
                    .map(|r| r.uri.clone())
                    .collect()
            };
            o.apps.push(AppObject {
                id: app.object_id.clone(),
                app_id: app.client_id.clone(),
                display_name: app.name.clone(),
                sign_in_audience: "AzureADMyOrg".into(),
                spa: uris(Platform::Spa),
                web: uris(Platform::Web),
                public_client: uris(Platform::Native),
                required_resource_access: configured_access(app),
                owners: app.owners.clone(),
                created: state.started - Duration::days(30),
                visible_from_ms: 0,
            });
            if !app.service_principal {
                continue;
            }
            let sp = app.service_principal_object_id.clone();
            o.sps.push(SpObject {
                id: sp.clone(),
                app_id: app.client_id.clone(),
                display_name: app.name.clone(),
                visible_from_ms: 0,
            });
            let mut add = |resource: &str, principal: Option<&str>, scope: &str| {
                o.grants.push(new_grant(&sp, resource, principal, scope, 0));
            };
            if !app.graph_permissions.is_empty() {
                add(&graph, None, &app.graph_permissions.join(" "));
            }
            for g in &app.extra_grants {
                add(
                    &first_party::sp_id(tenant, &g.resource_app_id),
                    None,
                    &g.scope,
                );
            }
            if app.consented {
                add(&dynamics, None, "user_impersonation");
            }
            let mut users = app.user_consents.clone();
            users.sort();
            for u in &users {
                add(&dynamics, Some(u), "user_impersonation");
            }
        }
        o
    }

    /// An application by `appId` or object `id` (created ones too, replicated or not).
    pub fn app(&self, key: (&str, &str)) -> Option<&AppObject> {
        let v = key.1.to_ascii_lowercase();
        if key.0.eq_ignore_ascii_case("appId") {
            self.apps.iter().find(|a| a.app_id == v)
        } else {
            self.apps.iter().find(|a| a.id == v)
        }
    }

    pub fn app_mut(&mut self, key: (&str, &str)) -> Option<&mut AppObject> {
        let id = self.app(key)?.id.clone();
        self.apps.iter_mut().find(|a| a.id == id)
    }

    /// The service principal of the application `app_id`, if the tenant has one.
    pub fn sp_of(&self, app_id: &str) -> Option<&SpObject> {
        let v = app_id.to_ascii_lowercase();
        self.sps.iter().find(|s| s.app_id == v)
    }

    /// The grant for this client, resource, consent type and principal (Entra keeps one).
    pub fn grant_mut(
        &mut self,
        client: &str,
        resource: &str,
        principal: Option<&str>,
    ) -> Option<&mut GrantObject> {
        self.grants.iter_mut().find(|g| {
            g.client_id == client
                && g.resource_id == resource
                && g.principal_id.as_deref() == principal
        })
    }
}

/// A new grant object; its ID is the client, resource (and principal) IDs, base64url, as
/// Entra's IDs are built.
pub fn new_grant(
    client: &str,
    resource: &str,
    principal: Option<&str>,
    scope: &str,
    visible_from_ms: u128,
) -> GrantObject {
    let mut raw = guid_bytes(client);
    raw.extend(guid_bytes(resource));
    if let Some(p) = principal {
        raw.extend(guid_bytes(p));
    }
    GrantObject {
        id: URL_SAFE_NO_PAD.encode(raw),
        client_id: client.to_string(),
        consent_type: if principal.is_some() {
            "Principal"
        } else {
            "AllPrincipals"
        }
        .into(),
        principal_id: principal.map(str::to_string),
        resource_id: resource.to_string(),
        scope: scope.to_string(),
        visible_from_ms,
    }
}

fn guid_bytes(s: &str) -> Vec<u8> {
    uuid::Uuid::parse_str(s)
        .map(|u| u.to_bytes_le().to_vec())
        .unwrap_or_else(|_| s.as_bytes().to_vec())
}

/// The configured app's `requiredResourceAccess`: Dynamics CRM `user_impersonation` (when
/// `dynamics_permission`), Microsoft Graph `User.Read` and its `graph_permissions` (when it has
/// any), then the resources of its `extra_grants`.
fn configured_access(app: &App) -> Vec<Value> {
    let mut rra = Vec::new();
    if app.dynamics_permission {
        rra.push(json!({
            "resourceAppId": DYNAMICS_APP_ID,
            "resourceAccess": [{"id": DYNAMICS_USER_IMPERSONATION_ID, "type": "Scope"}],
        }));
    }
    if !app.graph_permissions.is_empty() {
        let access: Vec<Value> = GRAPH_SCOPES
            .iter()
            .filter(|(name, _, _)| {
                *name == "User.Read"
                    || app
                        .graph_permissions
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(name))
            })
            .map(|(_, id, _)| json!({"id": id, "type": "Scope"}))
            .collect();
        rra.push(json!({"resourceAppId": GRAPH_APP_ID, "resourceAccess": access}));
    }
    for g in &app.extra_grants {
        let Some(f) = first_party::first_party(&g.resource_app_id) else {
            continue;
        };
        let access: Vec<Value> = f
            .scopes
            .iter()
            .filter(|(v, _, _)| g.scope.split_whitespace().any(|s| s == *v))
            .map(|(_, id, _)| json!({"id": id, "type": "Scope"}))
            .collect();
        rra.push(json!({"resourceAppId": f.app_id, "resourceAccess": access}));
    }
    rra
}

/// Run `f` on the tenant's objects (built from the configuration on first use). `f` must not
/// lock the store itself.
pub fn with_objects<R>(
    state: &AppState,
    tenant: &Tenant,
    f: impl FnOnce(&mut TenantObjects) -> R,
) -> R {
    let mut store = state.store();
    let objects = store
        .directories
        .entry(tenant.id.clone())
        .or_insert_with(|| TenantObjects::from_config(state, tenant));
    f(objects)
}

/// A copy of the tenant's objects now.
pub fn snapshot(state: &AppState, tenant: &Tenant) -> TenantObjects {
    with_objects(state, tenant, |o| o.clone())
}

/// When an object created now becomes visible to Graph reads (the tenant's replication lag).
pub fn replicated_at(state: &AppState, tenant: &Tenant) -> u128 {
    now_ms() + u128::from(state.config.tenant_replication_lag_ms(tenant))
}

/// The service principal object ID an app gets when one is created for it: the configured
/// `service_principal_object_id`, else one derived from the app ID (stable).
pub fn new_sp_id(tenant: &Tenant, app_id: &str) -> String {
    if let Some(a) = tenant.app(app_id) {
        return a.service_principal_object_id.clone();
    }
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, tenant.id.as_bytes());
    uuid::Uuid::new_v5(&ns, format!("sp:{app_id}").as_bytes()).to_string()
}

/// The object ID of the service principal of `resource_app_id` (first-party or the tenant's).
fn resource_sp(objects: &TenantObjects, tenant: &Tenant, resource_app_id: &str) -> Option<String> {
    if first_party::first_party(resource_app_id).is_some() {
        return Some(first_party::sp_id(tenant, resource_app_id));
    }
    objects.sp_of(resource_app_id).map(|s| s.id.clone())
}

/// The delegated permissions `client_app_id` holds on `resource_app_id` for `user`: those of
/// the `AllPrincipals` grant, then those of the user's own `Principal` grant (each once, in
/// grant order). Empty without a service principal.
pub fn consented_scopes(
    state: &AppState,
    tenant: &Tenant,
    client_app_id: &str,
    resource_app_id: &str,
    user: Option<&str>,
) -> Vec<String> {
    with_objects(state, tenant, |o| {
        let (Some(client), Some(resource)) = (
            o.sp_of(client_app_id).map(|s| s.id.clone()),
            resource_sp(o, tenant, resource_app_id),
        ) else {
            return Vec::new();
        };
        let mut grants: Vec<&GrantObject> = o
            .grants
            .iter()
            .filter(|g| g.client_id == client && g.resource_id == resource && g.for_user(user))
            .collect();
        grants.sort_by_key(|g| g.consent_type != "AllPrincipals");
        let mut out: Vec<String> = Vec::new();
        for s in grants.iter().flat_map(|g| g.scope.split_whitespace()) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                out.push(s.to_string());
            }
        }
        out
    })
}

/// Consent given at sign-in (Entra's consent page): creates the app's service principal when
/// the tenant has none yet, then adds `scopes` to the grant per resource, tenant-wide
/// (`principal` `None`: `AllPrincipals`) or for one user (`Principal`), creating it if needed.
/// What is created replicates to Graph reads like any other write.
pub fn record_consent(
    state: &AppState,
    tenant: &Tenant,
    client_app_id: &str,
    scopes: &[(&str, Vec<String>)],
    principal: Option<&str>,
) {
    let visible = replicated_at(state, tenant);
    with_objects(state, tenant, |o| {
        let Some(app) = o.app(("appId", client_app_id)).cloned() else {
            return;
        };
        let client = match o.sp_of(&app.app_id) {
            Some(s) => s.id.clone(),
            None => {
                let id = new_sp_id(tenant, &app.app_id);
                o.sps.push(SpObject {
                    id: id.clone(),
                    app_id: app.app_id.clone(),
                    display_name: app.display_name.clone(),
                    visible_from_ms: visible,
                });
                id
            }
        };
        for (resource_app, perms) in scopes {
            let Some(resource) = resource_sp(o, tenant, resource_app) else {
                continue;
            };
            match o.grant_mut(&client, &resource, principal) {
                Some(g) => g.scope = merge_scopes(&g.scope, perms),
                None => {
                    let scope = merge_scopes("", perms);
                    o.grants
                        .push(new_grant(&client, &resource, principal, &scope, visible));
                }
            }
        }
    });
}

/// `existing` plus the permissions of `more` it lacks, space-separated.
pub fn merge_scopes(existing: &str, more: &[String]) -> String {
    let mut out: Vec<&str> = existing.split_whitespace().collect();
    for p in more {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(p)) {
            out.push(p);
        }
    }
    out.join(" ")
}

/// The app registration `client_id` of `tenant` as Entra's endpoints see it now: configured
/// values overlaid with the run-time object (name, redirect URIs by platform, owners, service
/// principal) and consent read from the grants. `None`: no such application (AADSTS700016).
pub fn entra_app(state: &AppState, tenant: &Tenant, client_id: &str) -> Option<App> {
    let id = client_id.to_ascii_lowercase();
    let (obj, sp) = with_objects(state, tenant, |o| {
        let a = o.app(("appId", &id))?.clone();
        Some((a, o.sp_of(&id).map(|s| s.id.clone())))
    })?;
    let mut app = tenant
        .app(&id)
        .cloned()
        .unwrap_or_else(|| runtime_app(&obj));
    app.name = obj.display_name.clone();
    app.object_id = obj.id.clone();
    app.redirect_uris = [
        (&obj.spa, Platform::Spa),
        (&obj.web, Platform::Web),
        (&obj.public_client, Platform::Native),
    ]
    .into_iter()
    .flat_map(|(uris, platform)| {
        uris.iter().map(move |uri| RedirectUri {
            uri: uri.clone(),
            platform,
        })
    })
    .collect();
    app.dynamics_permission = obj
        .required_resource_access
        .iter()
        .any(|r| r["resourceAppId"].as_str() == Some(DYNAMICS_APP_ID));
    app.owners = obj.owners.clone();
    app.service_principal = sp.is_some();
    if let Some(sp) = sp {
        app.service_principal_object_id = sp.clone();
        app.graph_permissions = consented_scopes(state, tenant, &id, GRAPH_APP_ID, None);
        app.consented = consented_scopes(state, tenant, &id, DYNAMICS_APP_ID, None)
            .iter()
            .any(|s| s == "user_impersonation");
        let dynamics = first_party::sp_id(tenant, DYNAMICS_APP_ID);
        app.user_consents = with_objects(state, tenant, |o| {
            o.grants
                .iter()
                .filter(|g| g.client_id == sp && g.resource_id == dynamics)
                .filter_map(|g| g.principal_id.clone())
                .collect()
        });
    } else {
        app.graph_permissions.clear();
        app.consented = false;
        app.user_consents.clear();
    }
    Some(app)
}

/// [`entra_app`] in whichever tenant holds the application.
pub fn entra_app_anywhere<'a>(state: &'a AppState, client_id: &str) -> Option<(&'a Tenant, App)> {
    state
        .config
        .tenants
        .iter()
        .find_map(|t| entra_app(state, t, client_id).map(|a| (t, a)))
}

/// An application created at run time, as a configuration entry (no secrets of its own: those
/// added with `addPassword` are kept per client ID).
fn runtime_app(obj: &AppObject) -> App {
    App {
        client_id: obj.app_id.clone(),
        object_id: obj.id.clone(),
        service_principal_object_id: String::new(),
        name: obj.display_name.clone(),
        consented: false,
        redirect_uris: Vec::new(),
        secrets: Vec::new(),
        scenario: None,
        graph_permissions: Vec::new(),
        dynamics_permission: false,
        user_consents: Vec::new(),
        extra_grants: Vec::new(),
        opaque_access_tokens: false,
        graph_page_size: None,
        graph_throttle_lists_once: false,
        owners: Vec::new(),
        service_principal: false,
    }
}

/// The permissions the registration `app_id` lists for `resource_app_id` in its
/// `requiredResourceAccess` (delegated ones the sandbox knows), by value: what a `.default`
/// consent grants.
pub fn required_permissions(
    state: &AppState,
    tenant: &Tenant,
    app_id: &str,
    resource_app_id: &str,
) -> Vec<String> {
    let Some(resource) = first_party::first_party(resource_app_id) else {
        return Vec::new();
    };
    let rra = with_objects(state, tenant, |o| {
        o.app(("appId", app_id))
            .map(|a| a.required_resource_access.clone())
            .unwrap_or_default()
    });
    rra.iter()
        .filter(|r| r["resourceAppId"].as_str() == Some(resource.app_id))
        .flat_map(|r| r["resourceAccess"].as_array().cloned().unwrap_or_default())
        .filter(|a| a["type"] == "Scope")
        .filter_map(|a| {
            resource
                .scopes
                .iter()
                .find(|(_, id, _)| a["id"].as_str() == Some(id))
                .map(|(v, _, _)| v.to_string())
        })
        .collect()
}
