//! The directory objects of one tenant as Graph v1.0 shows them: applications (the run-time
//! objects of [`super::objects`], secrets added at run time once replicated) and service
//! principals (the apps' own and the first-party ones of [`super::first_party`]). Grants are in
//! [`super::grants`], writes in [`super::writes`].

use super::first_party::{self, FirstParty};
use super::objects::{snapshot, AppObject, SpObject, TenantObjects};
use super::{graph_error, not_found};
use crate::config::{App, Tenant};
use crate::dataverse::ODataQuery;
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
    secrets_of(state, Some(app), &app.client_id)
}

/// The secrets of `client_id`: those of its configuration entry (if any) and those added.
pub(super) fn secrets_of(
    state: &AppState,
    config: Option<&App>,
    client_id: &str,
) -> Vec<AddedSecret> {
    let mut out: Vec<AddedSecret> = config
        .map(|app| app.secrets.as_slice())
        .unwrap_or_default()
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
    if let Some(added) = state.store().added_secrets.get(client_id) {
        out.extend(added.iter().cloned());
    }
    out
}

pub(super) fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(super) fn credential_json(s: &AddedSecret, with_secret: bool) -> Value {
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
    graph_json_status(StatusCode::OK, v)
}

/// A Graph JSON answer with `status` (`201 Created` for creations).
pub(super) fn graph_json_status(status: StatusCode, v: Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
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
    Own(&'a SpObject),
    FirstParty(&'static FirstParty),
}

pub struct Directory<'a> {
    pub(super) state: &'a AppState,
    pub(super) tenant: &'a Tenant,
    /// The tenant's objects when the request began.
    pub(super) objects: TenantObjects,
}

impl<'a> Directory<'a> {
    pub fn new(state: &'a AppState, tenant: &'a Tenant) -> Directory<'a> {
        Directory {
            state,
            tenant,
            objects: snapshot(state, tenant),
        }
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

    /// An application by `appId` or object `id`, as reads see it (replicated).
    pub(super) fn app(&self, key: (&str, &str)) -> Option<&AppObject> {
        self.objects
            .app(key)
            .filter(|a| a.visible_from_ms <= now_ms())
    }

    fn sp(&self, key: (&str, &str)) -> Option<Sp<'_>> {
        let v = key.1.to_ascii_lowercase();
        let now = now_ms();
        let by_app_id = key.0.eq_ignore_ascii_case("appId");
        if let Some(s) =
            self.objects.sps.iter().find(|s| {
                s.visible_from_ms <= now && if by_app_id { s.app_id == v } else { s.id == v }
            })
        {
            return Some(Sp::Own(s));
        }
        first_party::in_tenant(self.tenant)
            .into_iter()
            .find(|f| {
                if by_app_id {
                    f.app_id == v
                } else {
                    self.first_party_sp_id(f.app_id) == v
                }
            })
            .map(Sp::FirstParty)
    }

    /// The object ID of the service principal named by `key` (`appId` or `id`), as reads see it.
    pub fn service_principal_id(&self, key: (&str, &str)) -> Option<String> {
        self.sp(key).map(|sp| match sp {
            Sp::Own(s) => s.id.clone(),
            Sp::FirstParty(f) => self.first_party_sp_id(f.app_id),
        })
    }

    /// The application as Graph shows it (replicated secrets only).
    pub(super) fn application_json(&self, app: &AppObject) -> Value {
        self.application_json_at(app, now_ms())
    }

    /// The application with the secrets replicated by `now` (ms since the epoch).
    fn application_json_at(&self, app: &AppObject, now: u128) -> Value {
        // A secret added moments ago has not replicated to the replica that answers yet.
        let secrets: Vec<Value> = secrets_of(self.state, self.tenant.app(&app.app_id), &app.app_id)
            .iter()
            .filter(|s| s.visible_from_ms <= now)
            .map(|s| credential_json(s, false))
            .collect();
        let domain = self.tenant.domains.first().cloned().unwrap_or_default();
        json!({
            "id": app.id,
            "deletedDateTime": Value::Null,
            "appId": app.app_id,
            "applicationTemplateId": Value::Null,
            "createdDateTime": iso(app.created),
            "displayName": app.display_name,
            "identifierUris": [],
            "publisherDomain": domain,
            "signInAudience": app.sign_in_audience,
            "keyCredentials": [],
            "passwordCredentials": secrets,
            "publicClient": {"redirectUris": app.public_client},
            "requiredResourceAccess": app.required_resource_access,
            "spa": {"redirectUris": app.spa},
            "web": {
                "homePageUrl": Value::Null,
                "logoutUrl": Value::Null,
                "redirectUris": app.web,
                "implicitGrantSettings": {
                    "enableAccessTokenIssuance": false,
                    "enableIdTokenIssuance": false,
                },
            },
        })
    }

    pub(super) fn own_sp_json(&self, sp: &SpObject) -> Value {
        let audience = self
            .objects
            .app(("appId", &sp.app_id))
            .map_or("AzureADMyOrg", |a| a.sign_in_audience.as_str());
        json!({
            "id": sp.id,
            "deletedDateTime": Value::Null,
            "accountEnabled": true,
            "appDisplayName": sp.display_name,
            "appId": sp.app_id,
            "appOwnerOrganizationId": self.tenant.id,
            "appRoleAssignmentRequired": false,
            "appRoles": [],
            "displayName": sp.display_name,
            "oauth2PermissionScopes": [],
            "servicePrincipalNames": [sp.app_id],
            "servicePrincipalType": "Application",
            "signInAudience": audience,
            "tags": [],
        })
    }

    fn sp_json(&self, sp: &Sp) -> Value {
        match sp {
            Sp::Own(s) => self.own_sp_json(s),
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
        let now = now_ms();
        let rows: Vec<Value> = self
            .objects
            .apps
            .iter()
            .filter(|a| a.visible_from_ms <= now)
            .filter(|a| app_id.is_none_or(|w| w.eq_ignore_ascii_case(&a.app_id)))
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
        let now = now_ms();
        let mut sps: Vec<Sp> = self
            .objects
            .sps
            .iter()
            .filter(|s| s.visible_from_ms <= now)
            .map(Sp::Own)
            .collect();
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
        // A write by ID finds an application created moments ago (not replicated yet).
        let Some(app) = self.objects.app(key) else {
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
            .entry(app.app_id.clone())
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

/// `GET /sandbox/state/applications/{appId or id}` (a test hook): the application as Graph will
/// show it once everything has replicated, whatever the tenant.
pub fn application_state(state: &AppState, key: &str) -> Option<Value> {
    state.config.tenants.iter().find_map(|t| {
        let d = Directory::new(state, t);
        let app = d
            .objects
            .app(("appId", key))
            .or_else(|| d.objects.app(("id", key)))?;
        Some(d.application_json_at(app, u128::MAX))
    })
}

pub(super) fn with_context(v: &mut Value, context: String) {
    if let Some(m) = v.as_object_mut() {
        let mut out = serde_json::Map::new();
        out.insert("@odata.context".into(), json!(context));
        out.extend(std::mem::take(m));
        *m = out;
    }
}

fn scope_json(id: &str, value: &str, text: &str) -> Value {
    let kind = if first_party::admin_consent_required(value) {
        "Admin"
    } else {
        "User"
    };
    json!({
        "adminConsentDescription": format!("Allows the application to {}.", text.to_lowercase()),
        "adminConsentDisplayName": text,
        "id": id,
        "isEnabled": true,
        "type": kind,
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
