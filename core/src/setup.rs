//! "Set it up for me": the app-registration steps a call can do, as the signed-in person, each
//! read before it is written (Microsoft Graph's PATCH replaces whole lists: read, merge, write;
//! never drop what is there), each included only when needed, with what it needs and whether the
//! person seems to have it. The Dataverse step (the application user) is
//! [`crate::verify::dataverse_create_user`]'s, once per environment.
//!
//! Nothing here sends anything: the app shows [`ApiRequest::display`] before it runs a step, and
//! keeps a log without secrets ([`redact`]).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::cloud::Cloud;
use crate::entra::DYNAMICS_CRM_APP_ID;
use crate::fields::Guid;
use crate::verify::requests::graph;
use crate::verify::{
    ApiRequest, Application, GraphList, GraphPermission, Method, OAuth2PermissionGrant,
    RequiredResourceAccess, ResourceAccess,
};

/// One step of the plan. Serialised into the tab's progress (sessionStorage).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StepId {
    /// Create the Enterprise application (service principal) of the app.
    EnterpriseApplication,
    /// Add Dynamics CRM `user_impersonation` to the app's API permissions.
    DynamicsPermission,
    /// Add the wizard's SPA redirect (and the connector's Web redirect for authorization_code).
    Redirects,
    /// Grant tenant-wide (admin) consent for Dynamics CRM `user_impersonation`.
    AdminConsent,
    /// Create a client secret (its value goes into the secret field).
    ClientSecret,
    /// Create the application user in environment `n` of the setup.
    ApplicationUser(u8),
}

impl StepId {
    /// What the step does, in the plan's words.
    pub fn title(self) -> &'static str {
        match self {
            StepId::EnterpriseApplication => "Create the Enterprise application",
            StepId::DynamicsPermission => "Add the Dynamics CRM permission",
            StepId::Redirects => "Add the redirect URIs",
            StepId::AdminConsent => "Grant admin consent for Dynamics CRM",
            StepId::ClientSecret => "Create a client secret",
            StepId::ApplicationUser(_) => "Create the application user",
        }
    }

    /// The delegated Graph permission the step's call needs (`None`: a Dataverse call).
    pub fn permission(self) -> Option<GraphPermission> {
        match self {
            StepId::AdminConsent => Some(GraphPermission::DelegatedPermissionGrantReadWriteAll),
            StepId::ApplicationUser(_) => None,
            _ => Some(GraphPermission::ApplicationReadWriteAll),
        }
    }

    /// Who may do it, in the words an administrator reads.
    pub fn who_may(self) -> &'static str {
        match self {
            StepId::EnterpriseApplication => {
                "Application Administrator, Cloud Application Administrator or Global \
                 Administrator; or an owner of the app with the Application Developer role"
            }
            StepId::DynamicsPermission | StepId::Redirects | StepId::ClientSecret => {
                "an owner of the app, or an Application Administrator, Cloud Application \
                 Administrator or Global Administrator"
            }
            StepId::AdminConsent => {
                "Cloud Application Administrator, Application Administrator, Privileged Role \
                 Administrator or Global Administrator"
            }
            StepId::ApplicationUser(_) => "a System Administrator of the environment",
        }
    }

    /// Whether the person seems to have the right, from their directory roles (and, for the
    /// application user, whether discovery said they are System Administrator there). `None`:
    /// it depends on something the wizard cannot see (owning the app).
    pub fn seems_allowed(self, roles: &[DirectoryRole], sys_admin: Option<bool>) -> Option<bool> {
        use DirectoryRole::*;
        let has = |r: &[DirectoryRole]| roles.iter().any(|x| r.contains(x));
        let app_admin = has(&[
            GlobalAdministrator,
            ApplicationAdministrator,
            CloudApplicationAdministrator,
        ]);
        match self {
            StepId::AdminConsent => Some(app_admin || has(&[PrivilegedRoleAdministrator])),
            StepId::ApplicationUser(_) => sys_admin,
            _ if app_admin => Some(true),
            // Owners may; the wizard does not read the app's owners.
            _ => None,
        }
    }
}

/// The step that puts a check right, when a call can (`env`: the environment's index in the
/// setup, for the application user).
pub fn step_for_check(check: crate::verify::CheckId, env: u8) -> Option<StepId> {
    use crate::verify::CheckId;
    Some(match check {
        CheckId::RedirectUris => StepId::Redirects,
        CheckId::DynamicsPermission => StepId::DynamicsPermission,
        CheckId::AdminConsent => StepId::AdminConsent,
        CheckId::ClientSecret => StepId::ClientSecret,
        CheckId::ObjectId => StepId::EnterpriseApplication,
        CheckId::ApplicationUser => StepId::ApplicationUser(env),
        _ => return None,
    })
}

/// A Microsoft Entra directory role that matters for setting up, by its template id (the same in
/// every tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryRole {
    /// Global Administrator.
    GlobalAdministrator,
    /// Application Administrator.
    ApplicationAdministrator,
    /// Cloud Application Administrator.
    CloudApplicationAdministrator,
    /// Application Developer.
    ApplicationDeveloper,
    /// Privileged Role Administrator.
    PrivilegedRoleAdministrator,
}

impl DirectoryRole {
    const ALL: [DirectoryRole; 5] = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::ApplicationAdministrator,
        DirectoryRole::CloudApplicationAdministrator,
        DirectoryRole::ApplicationDeveloper,
        DirectoryRole::PrivilegedRoleAdministrator,
    ];

    /// The role's `roleTemplateId`.
    pub fn template_id(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "62e90394-69f5-4237-9190-012177145e10",
            DirectoryRole::ApplicationAdministrator => "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            DirectoryRole::CloudApplicationAdministrator => "158c047a-c907-4556-b7ef-446551a6b5f7",
            DirectoryRole::ApplicationDeveloper => "cf1c38e5-3621-4004-a7cb-879624dced7c",
            DirectoryRole::PrivilegedRoleAdministrator => "e8611ab8-c189-46e8-94e1-60213ab1f814",
        }
    }

    /// Its display name.
    pub fn name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "Global Administrator",
            DirectoryRole::ApplicationAdministrator => "Application Administrator",
            DirectoryRole::CloudApplicationAdministrator => "Cloud Application Administrator",
            DirectoryRole::ApplicationDeveloper => "Application Developer",
            DirectoryRole::PrivilegedRoleAdministrator => "Privileged Role Administrator",
        }
    }
}

/// The Graph scopes "Set it up for me" asks for when the plan starts: the read scopes of the
/// checks plus `Application.ReadWrite.All` and `DelegatedPermissionGrant.ReadWrite.All`.
pub fn write_scopes(cloud: Cloud) -> String {
    format!(
        "{} {} {}",
        crate::verify::requests::graph_read_scopes(cloud),
        GraphPermission::ApplicationReadWriteAll.scope(cloud),
        GraphPermission::DelegatedPermissionGrantReadWriteAll.scope(cloud)
    )
}

/// `GET /me/memberOf`: the person's directory roles (to say which steps they seem able to do).
pub fn my_roles_request(cloud: Cloud) -> ApiRequest {
    graph(
        cloud,
        Method::Get,
        "me/memberOf?$select=id,displayName,roleTemplateId",
        None,
        GraphPermission::DirectoryReadAll,
        "Read your directory roles (which steps you can do).",
    )
}

/// The roles in a `/me/memberOf` answer (groups and unknown roles ignored).
pub fn roles_of(body: &str) -> Vec<DirectoryRole> {
    let Ok(list) = serde_json::from_str::<GraphList<Value>>(body) else {
        return Vec::new();
    };
    list.value
        .iter()
        .filter_map(|o| o.get("roleTemplateId").and_then(Value::as_str))
        .filter_map(|t| {
            DirectoryRole::ALL
                .into_iter()
                .find(|r| r.template_id().eq_ignore_ascii_case(t))
        })
        .collect()
}

/// The id of Dynamics CRM's `user_impersonation` permission, read from its service principal
/// (never hard-coded).
pub fn user_impersonation_id(dynamics_sp: &str) -> Option<String> {
    let sp: Value = serde_json::from_str(dynamics_sp).ok()?;
    sp.get("oauth2PermissionScopes")?
        .as_array()?
        .iter()
        .find(|s| s.get("value").and_then(Value::as_str) == Some("user_impersonation"))
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// `PATCH /applications/{id}` with the app's API permissions plus Dynamics CRM
/// `user_impersonation` (`scope_id`), keeping every other entry; `None` when it is listed.
pub fn permission_patch(cloud: Cloud, app: &Application, scope_id: &str) -> Option<ApiRequest> {
    let mut list: Vec<RequiredResourceAccess> = app.required_resource_access.clone();
    let wanted = ResourceAccess {
        id: scope_id.to_string(),
        kind: "Scope".to_string(),
    };
    match list
        .iter_mut()
        .find(|r| r.resource_app_id.eq_ignore_ascii_case(DYNAMICS_CRM_APP_ID))
    {
        Some(r)
            if r.resource_access
                .iter()
                .any(|a| a.id.eq_ignore_ascii_case(scope_id)) =>
        {
            return None
        }
        Some(r) => r.resource_access.push(wanted),
        None => list.push(RequiredResourceAccess {
            resource_app_id: DYNAMICS_CRM_APP_ID.to_string(),
            resource_access: vec![wanted],
        }),
    }
    Some(graph(
        cloud,
        Method::Patch,
        &format!("applications/{}", app.id),
        Some(json!({ "requiredResourceAccess": list })),
        GraphPermission::ApplicationReadWriteAll,
        "Add Dynamics CRM user_impersonation to the app's API permissions (the ones there stay).",
    ))
}

/// `PATCH /applications/{id}` with the redirect URIs merged: the wizard's SPA redirect under
/// Single-page application, and `web` (the connector's, for authorization_code) under Web. Every
/// URI there stays; `None` when both are registered.
pub fn redirect_patch(
    cloud: Cloud,
    app: &Application,
    spa: &str,
    web: Option<&str>,
) -> Option<ApiRequest> {
    let merged = |have: Option<&crate::verify::RedirectSettings>, want: Option<&str>| {
        let mut uris: Vec<String> = have.map(|s| s.redirect_uris.clone()).unwrap_or_default();
        let add = want.filter(|w| !uris.iter().any(|u| u == w));
        add.map(|w| {
            uris.push(w.to_string());
            uris
        })
    };
    let spa_uris = merged(app.spa.as_ref(), Some(spa));
    let web_uris = merged(app.web.as_ref(), web);
    let mut body = serde_json::Map::new();
    if let Some(u) = spa_uris {
        body.insert("spa".into(), json!({ "redirectUris": u }));
    }
    if let Some(u) = web_uris {
        body.insert("web".into(), json!({ "redirectUris": u }));
    }
    (!body.is_empty()).then(|| {
        graph(
            cloud,
            Method::Patch,
            &format!("applications/{}", app.id),
            Some(Value::Object(body)),
            GraphPermission::ApplicationReadWriteAll,
            "Add the redirect URIs the sign-in and the connector use (the ones there stay).",
        )
    })
}

/// The name a created app registration gets when none was typed.
pub const DEFAULT_APP_NAME: &str = "Simego Data Sync";

/// `POST /applications`: the Data Sync app registration itself, single tenant, with the wizard's
/// SPA redirect, the connector's Web redirect (authorization_code) and Dynamics CRM
/// `user_impersonation` (`scope_id`, read from its service principal). Made with the
/// deployment's setup app.
pub fn create_application(
    cloud: Cloud,
    name: &str,
    spa: &str,
    web: Option<&str>,
    scope_id: &str,
) -> ApiRequest {
    let name = Some(name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_APP_NAME);
    let mut body = json!({
        "displayName": name,
        // Sent explicitly: Microsoft's pages disagree on its default.
        "signInAudience": "AzureADMyOrg",
        "spa": { "redirectUris": [spa] },
        "requiredResourceAccess": [{
            "resourceAppId": DYNAMICS_CRM_APP_ID,
            "resourceAccess": [{ "id": scope_id, "type": "Scope" }],
        }],
    });
    if let Some(w) = web.filter(|w| !w.trim().is_empty()) {
        body["web"] = json!({ "redirectUris": [w.trim()] });
    }
    graph(
        cloud,
        Method::Post,
        "applications",
        Some(body),
        GraphPermission::ApplicationReadWriteAll,
        "Create the Data Sync app registration (single tenant, redirects, Dynamics CRM permission).",
    )
}

/// `POST /servicePrincipals {appId}`: the app's Enterprise application.
pub fn create_service_principal(cloud: Cloud, client_id: &Guid) -> ApiRequest {
    graph(
        cloud,
        Method::Post,
        "servicePrincipals",
        Some(json!({ "appId": client_id.to_string() })),
        GraphPermission::ApplicationReadWriteAll,
        "Create the app's Enterprise application (service principal).",
    )
}

/// What admin consent needs.
#[derive(Clone, Debug, PartialEq)]
pub enum ConsentAction {
    /// An `AllPrincipals` grant for Dynamics CRM already holds `user_impersonation`.
    Granted,
    /// Create the tenant-wide grant.
    Create(ApiRequest),
    /// Add `user_impersonation` to the tenant-wide grant there (its other scopes stay).
    Extend(ApiRequest),
}

/// What the plan shows as the consent's `clientId` while the Enterprise application it names is
/// still to be created by the step before; the run puts the created one's id there.
pub const NEW_SERVICE_PRINCIPAL: &str = "<the new Enterprise application's Object ID>";

/// Tenant-wide consent for Dynamics CRM `user_impersonation`, from the app's grants;
/// `client_sp` is the app's service principal id (or [`NEW_SERVICE_PRINCIPAL`]).
pub fn consent_action(
    cloud: Cloud,
    grants: &[OAuth2PermissionGrant],
    client_sp: &str,
    dynamics_sp: &Guid,
) -> ConsentAction {
    let sp = dynamics_sp.to_string();
    let existing = grants
        .iter()
        .find(|g| g.consent_type == "AllPrincipals" && g.resource_id.eq_ignore_ascii_case(&sp));
    match existing {
        Some(g) => {
            let scopes: Vec<&str> = g
                .scope
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            if scopes.contains(&"user_impersonation") {
                return ConsentAction::Granted;
            }
            let mut merged = scopes.join(" ");
            merged = format!("{merged} user_impersonation").trim().to_string();
            ConsentAction::Extend(graph(
                cloud,
                Method::Patch,
                &format!("oauth2PermissionGrants/{}", g.id.clone().unwrap_or_default()),
                Some(json!({ "scope": merged })),
                GraphPermission::DelegatedPermissionGrantReadWriteAll,
                "Add user_impersonation to the tenant-wide consent for Dynamics CRM (its other scopes stay).",
            ))
        }
        None => ConsentAction::Create(graph(
            cloud,
            Method::Post,
            "oauth2PermissionGrants",
            Some(json!({
                "clientId": client_sp,
                "consentType": "AllPrincipals",
                "resourceId": sp,
                "scope": "user_impersonation",
            })),
            GraphPermission::DelegatedPermissionGrantReadWriteAll,
            "Grant admin consent (for every user) to Dynamics CRM user_impersonation.",
        )),
    }
}

/// The message for an administrator, for the steps (`(step, label)`) the person may not do:
/// what to do, for which app, who may do it, and the admin-consent link when consent is one.
pub fn admin_message(
    steps: &[(StepId, String)],
    app_name: &str,
    client_id: &str,
    consent_link: Option<&str>,
) -> String {
    let app = if app_name.trim().is_empty() {
        format!("the app {client_id}")
    } else {
        format!("the app \"{}\" ({client_id})", app_name.trim())
    };
    let mut text =
        format!("Hello, could you finish the setup of {app} for Simego Data Sync? It needs:\n");
    for (step, label) in steps {
        text.push_str(&format!("- {label} (can be done by {})\n", step.who_may()));
    }
    if let Some(link) =
        consent_link.filter(|_| steps.iter().any(|(s, _)| *s == StepId::AdminConsent))
    {
        text.push_str(&format!(
            "Admin consent is one click for an administrator: {link}\n"
        ));
    }
    text.push_str("Thank you.");
    text
}

/// A step's progress, kept in the tab's sessionStorage (no token, no secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    /// Not run yet.
    Planned,
    /// Running now.
    Running,
    /// Done by this plan.
    Done,
    /// Already right: nothing written.
    Skipped,
    /// Refused or failed (the log says why).
    Failed,
    /// Needs rights the person lacks: handed to an administrator.
    NeedsAdmin,
}

/// What a run of the plan has done so far, for "continue where it stopped" after a reload, and
/// the log an administrator asks for. Secrets and tokens never go in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The app the plan is for (a plan of another app is not resumed).
    pub client_id: String,
    /// Each step's state.
    pub steps: Vec<(StepId, StepState)>,
    /// One line per request: time, request, status, answer (redacted).
    pub log: Vec<String>,
    /// The security role chosen for the application users (chosen once: a resumed run keeps it).
    #[serde(default)]
    pub user_role: String,
}

impl Progress {
    /// The state of `step` (Planned when unknown).
    pub fn state(&self, step: StepId) -> StepState {
        self.steps
            .iter()
            .find(|(s, _)| *s == step)
            .map_or(StepState::Planned, |(_, st)| *st)
    }

    /// Sets the state of `step`.
    pub fn set(&mut self, step: StepId, state: StepState) {
        match self.steps.iter_mut().find(|(s, _)| *s == step) {
            Some(entry) => entry.1 = state,
            None => self.steps.push((step, state)),
        }
    }

    /// Logs one request and its answer, with secrets and tokens redacted.
    pub fn record(&mut self, at: &str, request: &ApiRequest, status: u16, answer: &str) {
        self.log.push(format!(
            "{at} {}\n→ {status} {}",
            redact(&request.display()),
            redact(answer.trim())
        ));
    }
}

/// `text` with every value of a secret-bearing JSON key replaced by `[redacted]`: `secretText`
/// (a new client secret), `access_token`, `refresh_token`, `id_token`, `client_secret`.
pub fn redact(text: &str) -> String {
    const KEYS: [&str; 5] = [
        "secretText",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
    ];
    let mut out = text.to_string();
    for key in KEYS {
        let needle = format!("\"{key}\"");
        let mut from = 0;
        while let Some(i) = out[from..].find(&needle) {
            let start = from + i + needle.len();
            let rest = &out[start..];
            let Some(colon) = rest.find(':') else { break };
            let after = &rest[colon + 1..];
            let Some(open) = after.find('"') else { break };
            if !after[..open].trim().is_empty() {
                from = start;
                continue;
            }
            let value_start = start + colon + 1 + open + 1;
            let Some(close) = out[value_start..].find('"') else {
                break;
            };
            out.replace_range(value_start..value_start + close, "[redacted]");
            from = value_start + "[redacted]".len();
        }
    }
    out
}
