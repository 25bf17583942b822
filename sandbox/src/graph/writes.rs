//! Graph's directory writes, delegated (as the signed-in user): `POST /applications`,
//! `PATCH /applications/{id}`, `POST /servicePrincipals`, `POST /oauth2PermissionGrants` and
//! `PATCH /oauth2PermissionGrants/{id}` (`addPassword` is in [`super::directory`]). The token's
//! permission is checked by the caller ([`super::routes`]); the user's rights
//! ([`super::roles`]) here, after the object is found and before the body's values are.
//!
//! Errors: `403 Authorization_RequestDenied` (no right), `404 Request_ResourceNotFound`,
//! `400 BadRequest` (not JSON, unknown property), `400 Request_BadRequest` (a missing or invalid
//! value), `409 Request_MultipleObjectsWithSameKeyValue` (already there).

use super::directory::{graph_json_status, with_context, Directory};
use super::objects::{new_grant, new_sp_id, replicated_at, with_objects, AppObject, SpObject};
use super::{denied, first_party, graph_error, not_found, roles};
use crate::config::User;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// Real properties of `application` the sandbox accepts and does not keep (it keeps
/// `displayName`, `signInAudience`, `spa`, `web`, `publicClient`, `requiredResourceAccess`).
const APP_IGNORED: &[&str] = &[
    "@odata.type",
    "api",
    "appRoles",
    "description",
    "groupMembershipClaims",
    "identifierUris",
    "info",
    "isFallbackPublicClient",
    "notes",
    "optionalClaims",
    "tags",
];
const AUDIENCES: &[&str] = &[
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
];

fn bad_json() -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and \
         payload is of valid JSON format.",
    )
}

fn invalid(property: &str, resource: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        &format!("Invalid value specified for property '{property}' of resource '{resource}'."),
    )
}

fn required(property: &str, resource: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        &format!("A value is required for property '{property}' of resource '{resource}'."),
    )
}

fn object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_json()),
    }
}

/// `204 No Content`, as Graph answers a `PATCH`.
fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A `201 Created` answer with the object, its `@odata.context` and a `Location`.
fn created(v: Value, context: String, location: String) -> Response {
    let mut v = v;
    with_context(&mut v, context);
    let mut r = graph_json_status(StatusCode::CREATED, v);
    if let Ok(l) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, l);
    }
    r
}

/// The redirect URIs of a `spa`, `web` or `publicClient` value: `{"redirectUris":[…]}`. Entra
/// accepts `http` only for localhost; `spa` and `web` need http(s).
fn redirect_uris(v: &Value, platform: &str) -> Option<Vec<String>> {
    let list = match v.get("redirectUris") {
        None | Some(Value::Null) => return Some(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return None,
    };
    let mut out = Vec::new();
    for u in list {
        let u = u.as_str()?;
        let web = platform != "publicClient";
        let ok = !u.is_empty()
            && (!web
                || u.starts_with("https://")
                || u.starts_with("http://localhost")
                || u.starts_with("http://127.0.0.1"));
        if !ok {
            return None;
        }
        if !out.iter().any(|o| o == u) {
            out.push(u.to_string());
        }
    }
    Some(out)
}

/// `requiredResourceAccess`: `[{resourceAppId, resourceAccess:[{id, type: Scope|Role}]}]`.
fn resource_access(v: &Value) -> Option<Vec<Value>> {
    let list = v.as_array()?;
    for r in list {
        uuid::Uuid::parse_str(r.get("resourceAppId")?.as_str()?).ok()?;
        for a in r.get("resourceAccess")?.as_array()? {
            uuid::Uuid::parse_str(a.get("id")?.as_str()?).ok()?;
            if !matches!(a.get("type")?.as_str()?, "Scope" | "Role") {
                return None;
            }
        }
    }
    Some(list.clone())
}

/// Apply the application properties of `body` to `app`; every list given replaces the stored
/// one (Graph's contract: read, merge, write).
fn apply_app_properties(app: &mut AppObject, body: &Map<String, Value>) -> Result<(), Response> {
    for (k, v) in body {
        match k.as_str() {
            "displayName" => match v.as_str().map(str::trim) {
                Some(n) if !n.is_empty() => app.display_name = n.to_string(),
                _ => return Err(invalid("displayName", "Application")),
            },
            "signInAudience" => match v.as_str() {
                Some(a) if AUDIENCES.contains(&a) => app.sign_in_audience = a.to_string(),
                _ => return Err(invalid("signInAudience", "Application")),
            },
            "spa" | "web" | "publicClient" => {
                let uris =
                    redirect_uris(v, k).ok_or_else(|| invalid("redirectUris", "Application"))?;
                match k.as_str() {
                    "spa" => app.spa = uris,
                    "web" => app.web = uris,
                    _ => app.public_client = uris,
                }
            }
            "requiredResourceAccess" => {
                app.required_resource_access = resource_access(v)
                    .ok_or_else(|| invalid("requiredResourceAccess", "Application"))?
            }
            other if APP_IGNORED.contains(&other) => {}
            other => {
                return Err(graph_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!(
                    "The property '{other}' does not exist on type 'microsoft.graph.application'. \
                         Make sure to only use property names that are defined by the type or mark \
                         the type as open type."
                ),
                ))
            }
        }
    }
    Ok(())
}

impl Directory<'_> {
    fn location(&self, id: &str, kind: &str) -> String {
        format!(
            "{}/v2/{}/directoryObjects/{id}/Microsoft.DirectoryServices.{kind}",
            self.state.graph_origin(),
            self.tenant.id
        )
    }

    /// `POST /applications`: `201` with the new application; the caller becomes its owner.
    pub fn create_application(&self, user: &User, body: &[u8]) -> Response {
        if !roles::can_register_apps(user, self.tenant) {
            return denied();
        }
        let body = match object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        if !body.contains_key("displayName") {
            return required("displayName", "Application");
        }
        let mut app = AppObject {
            id: uuid::Uuid::new_v4().to_string(),
            app_id: uuid::Uuid::new_v4().to_string(),
            display_name: String::new(),
            // Graph's default when the body names none (send it explicitly).
            sign_in_audience: "AzureADandPersonalMicrosoftAccount".into(),
            spa: Vec::new(),
            web: Vec::new(),
            public_client: Vec::new(),
            required_resource_access: Vec::new(),
            owners: vec![user.oid.clone()],
            created: chrono::Utc::now(),
            visible_from_ms: replicated_at(self.state, self.tenant),
        };
        if let Err(r) = apply_app_properties(&mut app, &body) {
            return r;
        }
        with_objects(self.state, self.tenant, |o| o.apps.push(app.clone()));
        created(
            self.application_json(&app),
            self.context("applications/$entity", &Default::default()),
            self.location(&app.id, "Application"),
        )
    }

    /// `PATCH /applications/{id}` (or `(appId='…')`): `204`. Owners and application admins.
    pub fn update_application(&self, user: &User, key: (&str, &str), body: &[u8]) -> Response {
        let body = match object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        // A write by ID finds an application created moments ago (not replicated yet).
        let Some(mut app) = self.objects.app(key).cloned() else {
            return not_found(key.1);
        };
        if !roles::can_change_app(user, &app.owners) {
            return denied();
        }
        if let Err(r) = apply_app_properties(&mut app, &body) {
            return r;
        }
        with_objects(self.state, self.tenant, |o| {
            if let Some(stored) = o.app_mut(("id", &app.id)) {
                *stored = app;
            }
        });
        no_content()
    }

    /// May `user` add a secret to the application `key`? (`None`: no such application.)
    pub fn may_change_app(&self, user: &User, key: (&str, &str)) -> Option<bool> {
        self.objects
            .app(key)
            .map(|a| roles::can_change_app(user, &a.owners))
    }

    /// `POST /servicePrincipals {appId}`: `201` with the service principal.
    pub fn create_service_principal(&self, user: &User, body: &[u8]) -> Response {
        let body = match object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(app_id) = body.get("appId").and_then(Value::as_str) else {
            return required("appId", "ServicePrincipal");
        };
        let app_id = app_id.to_ascii_lowercase();
        let exists = self.objects.sp_of(&app_id).is_some()
            || first_party::in_tenant(self.tenant)
                .iter()
                .any(|f| f.app_id == app_id);
        let owners = match self.objects.app(("appId", &app_id)) {
            Some(a) => a.owners.clone(),
            None if exists => Vec::new(),
            None => {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    &format!(
                        "The appId '{app_id}' of the service principal does not reference a \
                         valid application object."
                    ),
                )
            }
        };
        if !roles::can_create_service_principal(user, &owners) {
            return denied();
        }
        if exists {
            // Graph answers 409 for a second service principal of one app (seen through the
            // Graph SDK in Azure/reliable-web-app-pattern-java#185, "ServicePrincipalsClient
            // .BaseClient.Post(): unexpected status 409 with OData error:
            // Request_MultipleObjectsWithSameKeyValue: The service principal cannot be created,
            // updated, or restored because the service principal name … is already in use.").
            return graph_error(
                StatusCode::CONFLICT,
                "Request_MultipleObjectsWithSameKeyValue",
                &format!(
                    "The service principal cannot be created, updated, or restored because the \
                     service principal name {app_id} is already in use."
                ),
            );
        }
        let name = self
            .objects
            .app(("appId", &app_id))
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        let sp = SpObject {
            id: new_sp_id(self.tenant, &app_id),
            app_id,
            display_name: name,
            visible_from_ms: replicated_at(self.state, self.tenant),
        };
        with_objects(self.state, self.tenant, |o| o.sps.push(sp.clone()));
        created(
            self.own_sp_json(&sp),
            self.context("servicePrincipals/$entity", &Default::default()),
            self.location(&sp.id, "ServicePrincipal"),
        )
    }

    /// Is `id` a service principal of this tenant (the apps' own, replicated or not, or a
    /// first-party one)?
    fn is_sp(&self, id: &str, own_only: bool) -> bool {
        self.objects.sps.iter().any(|s| s.id == id)
            || (!own_only
                && first_party::in_tenant(self.tenant)
                    .iter()
                    .any(|f| self.first_party_sp_id(f.app_id) == id))
    }

    /// `POST /oauth2PermissionGrants {clientId, consentType, principalId, resourceId, scope}`:
    /// `201` with the grant. Consent admins only.
    pub fn create_grant(&self, user: &User, body: &[u8]) -> Response {
        if !roles::can_grant_consent(user) {
            return denied();
        }
        let body = match object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        const GRANT: &str = "OAuth2PermissionGrant";
        let text = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        };
        let Some(client) = text("clientId") else {
            return required("clientId", GRANT);
        };
        if !self.is_sp(&client, true) {
            return invalid("clientId", GRANT);
        }
        let Some(resource) = text("resourceId") else {
            return required("resourceId", GRANT);
        };
        if !self.is_sp(&resource, false) {
            return invalid("resourceId", GRANT);
        }
        let principal = text("principalId");
        match (body.get("consentType").and_then(Value::as_str), &principal) {
            (None, _) => return required("consentType", GRANT),
            (Some("AllPrincipals"), None) => {}
            (Some("Principal"), Some(p)) if self.tenant.user(p).is_some() => {}
            (Some("Principal" | "AllPrincipals"), _) => return invalid("principalId", GRANT),
            _ => return invalid("consentType", GRANT),
        }
        let scope = match body.get("scope") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.split_whitespace().collect::<Vec<_>>().join(" "),
            Some(_) => return invalid("scope", GRANT),
        };
        let grant = new_grant(
            &client,
            &resource,
            principal.as_deref(),
            &scope,
            replicated_at(self.state, self.tenant),
        );
        let added = with_objects(self.state, self.tenant, |o| {
            if o.grant_mut(&client, &resource, principal.as_deref())
                .is_some()
            {
                return false;
            }
            o.grants.push(grant.clone());
            true
        });
        if !added {
            // One grant per client, resource, consent type and principal: Graph answers 409
            // (hashicorp/terraform-provider-azuread#690: "DelegatedPermissionGrantsClient
            // .BaseClient.Post(): unexpected status 409 with OData error:
            // Request_MultipleObjectsWithSameKeyValue: Permission entry already exists.").
            return graph_error(
                StatusCode::CONFLICT,
                "Request_MultipleObjectsWithSameKeyValue",
                "Permission entry already exists.",
            );
        }
        created(
            grant.json(),
            self.context("oauth2PermissionGrants/$entity", &Default::default()),
            format!(
                "{}/v1.0/oauth2PermissionGrants/{}",
                self.state.graph_origin(),
                grant.id
            ),
        )
    }

    /// `PATCH /oauth2PermissionGrants/{id} {scope}`: `204`. Consent admins only.
    pub fn update_grant(&self, user: &User, id: &str, body: &[u8]) -> Response {
        if !roles::can_grant_consent(user) {
            return denied();
        }
        let body = match object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let scope = match body.get("scope") {
            None => None,
            Some(Value::String(s)) => Some(s.split_whitespace().collect::<Vec<_>>().join(" ")),
            Some(_) => return invalid("scope", "OAuth2PermissionGrant"),
        };
        let found = with_objects(self.state, self.tenant, |o| {
            let Some(g) = o.grants.iter_mut().find(|g| g.id == id) else {
                return false;
            };
            if let Some(s) = scope {
                g.scope = s;
            }
            true
        });
        if found {
            no_content()
        } else {
            not_found(id)
        }
    }
}
