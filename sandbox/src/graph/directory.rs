//! The directory objects of one tenant as Graph v1.0 shows them: applications (from the
//! configured apps, plus secrets added at run time once replicated) and service principals (the
//! apps' own and the first-party ones of [`super::first_party`]). Grants are in [`super::grants`].

use super::first_party::{self, FirstParty, DYNAMICS_USER_IMPERSONATION_ID, GRAPH_SCOPES};
use super::{graph_error, not_found};
use crate::config::{App, Tenant};
use crate::dataverse::ODataQuery;
use crate::entra::{DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::paging::Paging;
use crate::{now_ms, AppState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// The tenant that owns Microsoft's first-party applications.
const MICROSOFT_SERVICES_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// A client secret added with `addPassword` (kept in the store until reset).
#[derive(Debug, Clone)]
pub struct AddedSecret {
    pub key_id: String,
    pub display_name: Option<String>,
    pub value: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Milliseconds since the epoch before which reads of the application miss it (replication).
    pub visible_from_ms: u128,
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
            visible_from_ms: 0,
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

pub(super) fn graph_json(v: Value) -> Response {
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
    FirstParty(&'static FirstParty),
}

pub struct Directory<'a> {
    pub(super) state: &'a AppState,
    pub(super) tenant: &'a Tenant,
}

impl<'a> Directory<'a> {
    pub fn new(state: &'a AppState, tenant: &'a Tenant) -> Directory<'a> {
        Directory { state, tenant }
    }

    pub(super) fn context(&self, what: &str, q: &ODataQuery) -> String {
        format!(
            "{}/v1.0/$metadata#{what}{}",
            self.state.graph_origin(),
            q.select_suffix()
        )
    }

    /// A first-party service principal's object ID in this tenant (stable per tenant).
    pub(super) fn first_party_sp_id(&self, app_id: &str) -> String {
        first_party::sp_id(self.tenant, app_id)
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
            return first_party::in_tenant(self.tenant)
                .into_iter()
                .find(|f| f.app_id == v)
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
        first_party::in_tenant(self.tenant)
            .into_iter()
            .find(|f| self.first_party_sp_id(f.app_id) == v)
            .map(Sp::FirstParty)
    }

    /// The object ID of the service principal named by `key` (`appId` or `id`).
    pub fn service_principal_id(&self, key: (&str, &str)) -> Option<String> {
        self.sp(key).map(|sp| match sp {
            Sp::Own(a) => a.service_principal_object_id.clone(),
            Sp::FirstParty(f) => self.first_party_sp_id(f.app_id),
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
        // A secret added moments ago has not replicated to the replica that answers yet.
        let now = now_ms();
        let secrets: Vec<Value> = all_secrets(self.state, app)
            .iter()
            .filter(|s| s.visible_from_ms <= now)
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
            Sp::FirstParty(f) => json!({
                "id": self.first_party_sp_id(f.app_id),
                "accountEnabled": true,
                "appDisplayName": f.name,
                "appId": f.app_id,
                "appOwnerOrganizationId": MICROSOFT_SERVICES_TENANT,
                "appRoles": [],
                "displayName": f.name,
                "oauth2PermissionScopes": f
                    .scopes
                    .iter()
                    .map(|(v, id, text)| scope_json(id, v, text))
                    .collect::<Vec<Value>>(),
                "servicePrincipalType": "Application",
                "signInAudience": "AzureADMultipleOrgs",
            }),
        }
    }

    pub fn list_applications(
        &self,
        app_id: Option<&str>,
        q: &ODataQuery,
        paging: &Paging,
    ) -> Response {
        let rows: Vec<Value> = self
            .tenant
            .apps
            .iter()
            .filter(|a| app_id.is_none_or(|w| w.eq_ignore_ascii_case(&a.client_id)))
            .map(|a| q.select(self.application_json(a)))
            .collect();
        graph_json(paging.collection(self.context("applications", q), rows))
    }

    pub fn get_application(&self, key: (&str, &str), q: &ODataQuery) -> Response {
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
        q: &ODataQuery,
        paging: &Paging,
    ) -> Response {
        let mut sps: Vec<Sp> = self.tenant.apps.iter().map(Sp::Own).collect();
        sps.extend(
            first_party::in_tenant(self.tenant)
                .into_iter()
                .map(Sp::FirstParty),
        );
        let rows: Vec<Value> = sps
            .iter()
            .map(|sp| self.sp_json(sp))
            .filter(|v| app_id.is_none_or(|w| v["appId"].as_str() == Some(&w.to_ascii_lowercase())))
            .map(|v| q.select(v))
            .collect();
        graph_json(paging.collection(self.context("servicePrincipals", q), rows))
    }

    pub fn get_service_principal(&self, key: (&str, &str), q: &ODataQuery) -> Response {
        match self.sp(key) {
            Some(sp) => {
                let mut v = q.select(self.sp_json(&sp));
                with_context(&mut v, self.context("servicePrincipals/$entity", q));
                graph_json(v)
            }
            None => not_found(key.1),
        }
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
            visible_from_ms: now_ms()
                + u128::from(self.state.config.tenant_replication_lag_ms(self.tenant)),
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
