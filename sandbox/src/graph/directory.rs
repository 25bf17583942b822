//! The directory objects of one tenant as Graph v1.0 shows them: applications (from the
//! configured apps, plus secrets added at run time), service principals (the apps' own and the
//! first-party Dynamics CRM and Microsoft Graph ones) and delegated permission grants.

use super::{graph_error, not_found};
use crate::config::{App, Tenant};
use crate::entra::{DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// Dynamics CRM's delegated `user_impersonation` scope.
pub const DYNAMICS_USER_IMPERSONATION_ID: &str = "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4";
/// The tenant that owns Microsoft's first-party applications.
const MICROSOFT_SERVICES_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
/// Microsoft Graph's delegated permissions the sandbox knows: (value, id, admin consent name).
const GRAPH_SCOPES: &[(&str, &str, &str)] = &[
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
];

/// A client secret added with `addPassword` (kept in the store until reset).
#[derive(Debug, Clone)]
pub struct AddedSecret {
    pub key_id: String,
    pub display_name: Option<String>,
    pub value: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Every secret of an app, configured (dates relative to the sandbox's start) and added.
pub fn all_secrets(state: &AppState, app: &App) -> Vec<AddedSecret> {
    let mut out: Vec<AddedSecret> = app
        .secrets
        .iter()
        .map(|s| AddedSecret {
            key_id: s.id.clone(),
            display_name: s.display_name.clone(),
            value: s.value.clone(),
            start: state.started - Duration::days(s.created_days_ago),
            end: state.started + Duration::days(s.expires_in_days),
        })
        .collect();
    if let Some(added) = state.store().added_secrets.get(&app.client_id) {
        out.extend(added.iter().cloned());
    }
    out
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn credential_json(s: &AddedSecret, with_secret: bool) -> Value {
    json!({
        "customKeyIdentifier": Value::Null,
        "displayName": s.display_name,
        "endDateTime": iso(s.end),
        "hint": s.value.chars().take(3).collect::<String>(),
        "keyId": s.key_id,
        "secretText": if with_secret { json!(s.value) } else { Value::Null },
        "startDateTime": iso(s.start),
    })
}

fn graph_json(v: Value) -> Response {
    let mut r = (StatusCode::OK, v.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        ),
    );
    r
}

/// One service principal: an app of the tenant or a first-party resource.
enum Sp<'a> {
    Own(&'a App),
    FirstParty(&'static str),
}

pub struct Directory<'a> {
    state: &'a AppState,
    tenant: &'a Tenant,
}

impl<'a> Directory<'a> {
    pub fn new(state: &'a AppState, tenant: &'a Tenant) -> Directory<'a> {
        Directory { state, tenant }
    }

    fn context(&self, what: &str, q: &crate::dataverse::ODataQuery) -> String {
        format!(
            "{}/v1.0/$metadata#{what}{}",
            self.state.graph_origin(),
            q.select_suffix()
        )
    }

    /// A first-party service principal's object ID in this tenant (stable per tenant).
    fn first_party_sp_id(&self, app_id: &str) -> String {
        let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, self.tenant.id.as_bytes());
        uuid::Uuid::new_v5(&ns, format!("sp:{app_id}").as_bytes()).to_string()
    }

    /// An application by `appId` or object `id`.
    fn app(&self, key: (&str, &str)) -> Option<&'a App> {
        let v = key.1.to_ascii_lowercase();
        match key.0 {
            k if k.eq_ignore_ascii_case("appId") => self.tenant.app(&v),
            _ => self.tenant.apps.iter().find(|a| a.object_id == v),
        }
    }

    fn sp(&self, key: (&str, &str)) -> Option<Sp<'a>> {
        let v = key.1.to_ascii_lowercase();
        if key.0.eq_ignore_ascii_case("appId") {
            if let Some(a) = self.tenant.app(&v) {
                return Some(Sp::Own(a));
            }
            return [DYNAMICS_APP_ID, GRAPH_APP_ID]
                .into_iter()
                .find(|id| *id == v)
                .map(Sp::FirstParty);
        }
        if let Some(a) = self
            .tenant
            .apps
            .iter()
            .find(|a| a.service_principal_object_id == v)
        {
            return Some(Sp::Own(a));
        }
        [DYNAMICS_APP_ID, GRAPH_APP_ID]
            .into_iter()
            .find(|id| self.first_party_sp_id(id) == v)
            .map(Sp::FirstParty)
    }

    /// The object ID of the service principal named by `key` (`appId` or `id`).
    pub fn service_principal_id(&self, key: (&str, &str)) -> Option<String> {
        self.sp(key).map(|sp| match sp {
            Sp::Own(a) => a.service_principal_object_id.clone(),
            Sp::FirstParty(id) => self.first_party_sp_id(id),
        })
    }

    fn application_json(&self, app: &App) -> Value {
        use crate::config::Platform;
        let uris = |p: Platform| -> Vec<&str> {
            app.redirect_uris
                .iter()
                .filter(|r| r.platform == p)
                .map(|r| r.uri.as_str())
                .collect()
        };
        let mut rra = Vec::new();
        if app.dynamics_permission {
            rra.push(json!({
                "resourceAppId": DYNAMICS_APP_ID,
                "resourceAccess": [{"id": DYNAMICS_USER_IMPERSONATION_ID, "type": "Scope"}],
            }));
        }
        let graph_access: Vec<Value> = GRAPH_SCOPES
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
        rra.push(json!({"resourceAppId": GRAPH_APP_ID, "resourceAccess": graph_access}));
        let secrets: Vec<Value> = all_secrets(self.state, app)
            .iter()
            .map(|s| credential_json(s, false))
            .collect();
        json!({
            "id": app.object_id,
            "appId": app.client_id,
            "displayName": app.name,
            "signInAudience": "AzureADMyOrg",
            "keyCredentials": [],
            "passwordCredentials": secrets,
            "publicClient": {"redirectUris": uris(Platform::Native)},
            "requiredResourceAccess": rra,
            "spa": {"redirectUris": uris(Platform::Spa)},
            "web": {
                "homePageUrl": Value::Null,
                "logoutUrl": Value::Null,
                "redirectUris": uris(Platform::Web),
                "implicitGrantSettings": {
                    "enableAccessTokenIssuance": false,
                    "enableIdTokenIssuance": false,
                },
            },
        })
    }

    fn sp_json(&self, sp: &Sp) -> Value {
        match sp {
            Sp::Own(app) => json!({
                "id": app.service_principal_object_id,
                "accountEnabled": true,
                "appDisplayName": app.name,
                "appId": app.client_id,
                "appOwnerOrganizationId": self.tenant.id,
                "appRoles": [],
                "displayName": app.name,
                "oauth2PermissionScopes": [],
                "servicePrincipalType": "Application",
                "signInAudience": "AzureADMyOrg",
            }),
            Sp::FirstParty(app_id) => {
                let (name, scopes): (&str, Vec<Value>) = if *app_id == DYNAMICS_APP_ID {
                    (
                        "Dataverse",
                        vec![scope_json(
                            DYNAMICS_USER_IMPERSONATION_ID,
                            "user_impersonation",
                            "Access Dynamics 365 as organization users",
                        )],
                    )
                } else {
                    (
                        "Microsoft Graph",
                        GRAPH_SCOPES
                            .iter()
                            .map(|(v, id, text)| scope_json(id, v, text))
                            .collect(),
                    )
                };
                json!({
                    "id": self.first_party_sp_id(app_id),
                    "accountEnabled": true,
                    "appDisplayName": name,
                    "appId": app_id,
                    "appOwnerOrganizationId": MICROSOFT_SERVICES_TENANT,
                    "appRoles": [],
                    "displayName": name,
                    "oauth2PermissionScopes": scopes,
                    "servicePrincipalType": "Application",
                    "signInAudience": "AzureADMultipleOrgs",
                })
            }
        }
    }

    pub fn list_applications(
        &self,
        app_id: Option<&str>,
        q: &crate::dataverse::ODataQuery,
    ) -> Response {
        let rows: Vec<Value> = self
            .tenant
            .apps
            .iter()
            .filter(|a| app_id.is_none_or(|w| w.eq_ignore_ascii_case(&a.client_id)))
            .map(|a| q.select(self.application_json(a)))
            .collect();
        graph_json(json!({
            "@odata.context": self.context("applications", q),
            "value": rows,
        }))
    }

    pub fn get_application(&self, key: (&str, &str), q: &crate::dataverse::ODataQuery) -> Response {
        match self.app(key) {
            Some(a) => {
                let mut v = q.select(self.application_json(a));
                with_context(&mut v, self.context("applications/$entity", q));
                graph_json(v)
            }
            None => not_found(key.1),
        }
    }

    pub fn list_service_principals(
        &self,
        app_id: Option<&str>,
        q: &crate::dataverse::ODataQuery,
    ) -> Response {
        let mut sps: Vec<Sp> = self.tenant.apps.iter().map(Sp::Own).collect();
        sps.push(Sp::FirstParty(DYNAMICS_APP_ID));
        sps.push(Sp::FirstParty(GRAPH_APP_ID));
        let rows: Vec<Value> = sps
            .iter()
            .map(|sp| self.sp_json(sp))
            .filter(|v| app_id.is_none_or(|w| v["appId"].as_str() == Some(&w.to_ascii_lowercase())))
            .map(|v| q.select(v))
            .collect();
        graph_json(json!({
            "@odata.context": self.context("servicePrincipals", q),
            "value": rows,
        }))
    }

    pub fn get_service_principal(
        &self,
        key: (&str, &str),
        q: &crate::dataverse::ODataQuery,
    ) -> Response {
        match self.sp(key) {
            Some(sp) => {
                let mut v = q.select(self.sp_json(&sp));
                with_context(&mut v, self.context("servicePrincipals/$entity", q));
                graph_json(v)
            }
            None => not_found(key.1),
        }
    }

    /// Delegated permission grants of the tenant's apps, filtered by client SP and consent type.
    pub fn list_grants(&self, client_sp: Option<&str>, consent_type: Option<&str>) -> Response {
        let dynamics = self.first_party_sp_id(DYNAMICS_APP_ID);
        let graph = self.first_party_sp_id(GRAPH_APP_ID);
        let consents = self.state.store().consents.clone();
        let mut rows = Vec::new();
        for app in &self.tenant.apps {
            let sp = &app.service_principal_object_id;
            if client_sp.is_some_and(|c| !c.eq_ignore_ascii_case(sp)) {
                continue;
            }
            if !app.graph_permissions.is_empty() {
                rows.push(grant_json(
                    sp,
                    &graph,
                    None,
                    &app.graph_permissions.join(" "),
                ));
            }
            let org_wide = app.consented || consents.contains(&(app.client_id.clone(), None));
            if org_wide {
                rows.push(grant_json(sp, &dynamics, None, "user_impersonation"));
            }
            let mut users: Vec<String> = app.user_consents.clone();
            for (client, user) in &consents {
                if let (true, Some(u)) = (client == &app.client_id, user) {
                    if !users.contains(u) {
                        users.push(u.clone());
                    }
                }
            }
            users.sort();
            for u in users {
                rows.push(grant_json(sp, &dynamics, Some(&u), "user_impersonation"));
            }
        }
        let rows: Vec<Value> = rows
            .into_iter()
            .filter(|g| consent_type.is_none_or(|c| g["consentType"].as_str() == Some(c)))
            .collect();
        graph_json(json!({
            "@odata.context": format!("{}/v1.0/$metadata#oauth2PermissionGrants", self.state.graph_origin()),
            "value": rows,
        }))
    }

    /// `POST applications/{id}/addPassword`: a new secret, its text shown this once.
    pub fn add_password(&self, key: (&str, &str), body: &[u8]) -> Response {
        let Some(app) = self.app(key) else {
            return not_found(key.1);
        };
        let cred = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("passwordCredential").cloned())
            .unwrap_or(Value::Null);
        let date = |k: &str| -> Result<Option<DateTime<Utc>>, Response> {
            match cred.get(k).and_then(Value::as_str) {
                None => Ok(None),
                Some(s) => DateTime::parse_from_rfc3339(s)
                    .map(|d| Some(d.with_timezone(&Utc)))
                    .map_err(|_| {
                        graph_error(
                            StatusCode::BAD_REQUEST,
                            "BadRequest",
                            &format!("Cannot convert the literal '{s}' to the expected type 'Edm.DateTimeOffset'."),
                        )
                    }),
            }
        };
        let start = match date("startDateTime") {
            Ok(d) => d.unwrap_or_else(Utc::now),
            Err(r) => return r,
        };
        let end = match date("endDateTime") {
            Ok(d) => d.unwrap_or(start + Duration::days(730)),
            Err(r) => return r,
        };
        let secret = AddedSecret {
            key_id: uuid::Uuid::new_v4().to_string(),
            display_name: cred
                .get("displayName")
                .and_then(Value::as_str)
                .map(str::to_string),
            value: new_secret_text(),
            start,
            end,
        };
        self.state
            .store()
            .added_secrets
            .entry(app.client_id.clone())
            .or_default()
            .push(secret.clone());
        let mut v = credential_json(&secret, true);
        with_context(
            &mut v,
            format!(
                "{}/v1.0/$metadata#microsoft.graph.passwordCredential",
                self.state.graph_origin()
            ),
        );
        graph_json(v)
    }
}

fn with_context(v: &mut Value, context: String) {
    if let Some(m) = v.as_object_mut() {
        let mut out = serde_json::Map::new();
        out.insert("@odata.context".into(), json!(context));
        out.extend(std::mem::take(m));
        *m = out;
    }
}

fn scope_json(id: &str, value: &str, text: &str) -> Value {
    json!({
        "adminConsentDescription": format!("Allows the application to {}.", text.to_lowercase()),
        "adminConsentDisplayName": text,
        "id": id,
        "isEnabled": true,
        "type": "User",
        "userConsentDescription": format!("Allows the application to {}.", text.to_lowercase()),
        "userConsentDisplayName": text,
        "value": value,
    })
}

fn guid_bytes(s: &str) -> Vec<u8> {
    uuid::Uuid::parse_str(s)
        .map(|u| u.to_bytes_le().to_vec())
        .unwrap_or_else(|_| s.as_bytes().to_vec())
}

fn grant_json(client: &str, resource: &str, principal: Option<&str>, scope: &str) -> Value {
    let mut raw = guid_bytes(client);
    raw.extend(guid_bytes(resource));
    if let Some(p) = principal {
        raw.extend(guid_bytes(p));
    }
    json!({
        "clientId": client,
        "consentType": if principal.is_some() { "Principal" } else { "AllPrincipals" },
        "id": URL_SAFE_NO_PAD.encode(raw),
        "principalId": principal,
        "resourceId": resource,
        "scope": scope,
    })
}

/// A secret in the portal's shape: three characters, a digit, `Q~`, then 34 more (40 in all).
fn new_secret_text() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~";
    let mut buf = [0u8; 38];
    let _ = getrandom::getrandom(&mut buf);
    let pick = |b: u8| ALPHABET[usize::from(b) % ALPHABET.len()] as char;
    let mut s: String = buf[..3].iter().map(|b| pick(*b)).collect();
    s.push(char::from(b'0' + buf[3] % 10));
    s.push_str("Q~");
    s.extend(buf[4..].iter().map(|b| pick(*b)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_text_shape() {
        let s = new_secret_text();
        assert_eq!(s.len(), 40);
        assert_eq!(&s[4..6], "Q~");
    }
}
