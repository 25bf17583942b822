//! Microsoft Graph v1.0 response shapes the checks read, exactly as documented (unknown fields
//! are ignored, `null` is read as absent):
//!
//! * `application`: <https://learn.microsoft.com/graph/api/resources/application>
//! * `servicePrincipal` and its `oauth2PermissionScopes` (`permissionScope`):
//!   <https://learn.microsoft.com/graph/api/resources/serviceprincipal>
//! * `oAuth2PermissionGrant`: <https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant>
//! * `passwordCredential` (and `addPassword`'s answer):
//!   <https://learn.microsoft.com/graph/api/resources/passwordcredential>
//! * list answers `{"@odata.context": …, "value": […]}` and error bodies
//!   `{"error": {"code": …, "message": …}}`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::draft::SecretInput;

/// `null` → the type's default (Graph sends `null` for empty collections on some tenants).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A Graph collection answer.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct GraphList<T> {
    /// The `@odata.context` URL, when sent.
    #[serde(rename = "@odata.context", default)]
    pub odata_context: Option<String>,
    /// The items (required: a body without `value` is not a collection answer).
    #[serde(
        deserialize_with = "null_default",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub value: Vec<T>,
}

/// Parses a Graph collection answer.
pub(crate) fn parse_list<T: DeserializeOwned>(body: &str) -> Result<Vec<T>, serde_json::Error> {
    serde_json::from_str::<GraphList<T>>(body.trim()).map(|l| l.value)
}

/// Parses either one entity (addressed by key, `…(appId='…')`) or a collection answer
/// (addressed by `$filter`).
pub(crate) fn parse_one_or_list<T: DeserializeOwned>(
    body: &str,
) -> Result<Vec<T>, serde_json::Error> {
    let v: serde_json::Value = serde_json::from_str(body.trim())?;
    if v.get("value").is_some_and(serde_json::Value::is_array) {
        serde_json::from_value::<GraphList<T>>(v).map(|l| l.value)
    } else {
        serde_json::from_value::<T>(v).map(|t| vec![t])
    }
}

/// An app registration (`application` resource), the properties the checks `$select`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The application's object ID (the app registration's "Object ID"; used by `addPassword`).
    #[serde(default)]
    pub id: String,
    /// The Application (client) ID.
    #[serde(default)]
    pub app_id: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `AzureADMyOrg`, `AzureADMultipleOrgs`, `AzureADandPersonalMicrosoftAccount`,
    /// `PersonalMicrosoftAccount`.
    #[serde(default)]
    pub sign_in_audience: Option<String>,
    /// The Single-page application platform.
    #[serde(default)]
    pub spa: Option<RedirectSettings>,
    /// The Web platform.
    #[serde(default)]
    pub web: Option<RedirectSettings>,
    /// API permissions.
    #[serde(default, deserialize_with = "null_default")]
    pub required_resource_access: Vec<RequiredResourceAccess>,
    /// Client secrets (metadata only: the values are never readable).
    #[serde(default, deserialize_with = "null_default")]
    pub password_credentials: Vec<PasswordCredential>,
}

impl Application {
    /// The platform's redirect URIs (empty when the platform is absent).
    pub(crate) fn uris(platform: &Option<RedirectSettings>) -> &[String] {
        platform
            .as_ref()
            .map_or(&[], |p| p.redirect_uris.as_slice())
    }
}

/// The `spa` or `web` property: only `redirectUris` is read.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectSettings {
    /// Registered redirect URIs.
    #[serde(default, deserialize_with = "null_default")]
    pub redirect_uris: Vec<String>,
}

/// One API under API permissions.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    /// The API's appId (`00000007-0000-0000-c000-000000000000` for Dynamics CRM).
    #[serde(default)]
    pub resource_app_id: String,
    /// The permissions.
    #[serde(default, deserialize_with = "null_default")]
    pub resource_access: Vec<ResourceAccess>,
}

/// One permission: a delegated `Scope` or an application `Role`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAccess {
    /// The permission's id (a `permissionScope` or `appRole` id of the API).
    #[serde(default)]
    pub id: String,
    /// `Scope` (delegated) or `Role` (application).
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// A client secret's metadata (`passwordCredential`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    /// The Secret ID.
    #[serde(default)]
    pub key_id: String,
    /// The Description typed in the portal.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The first three characters of the secret value.
    #[serde(default)]
    pub hint: Option<String>,
    /// When it becomes valid (ISO 8601, UTC).
    #[serde(default)]
    pub start_date_time: Option<String>,
    /// When it expires (ISO 8601, UTC).
    #[serde(default)]
    pub end_date_time: Option<String>,
}

/// A service principal (Enterprise application).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// The service principal's object ID (the Enterprise application's "Object ID").
    #[serde(default)]
    pub id: String,
    /// The application's client ID.
    #[serde(default)]
    pub app_id: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// "Enabled for users to sign in?".
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// The delegated permissions the API exposes (read from the Dynamics CRM service principal).
    #[serde(default, deserialize_with = "null_default")]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
}

/// A delegated permission an API exposes (`permissionScope`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    /// The permission's id.
    #[serde(default)]
    pub id: String,
    /// The scope value, e.g. `user_impersonation`.
    #[serde(default)]
    pub value: Option<String>,
    /// `User` or `Admin` (who may consent).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Whether the permission is enabled.
    #[serde(default)]
    pub is_enabled: Option<bool>,
}

/// A delegated permission grant (`oAuth2PermissionGrant`): a consent.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2PermissionGrant {
    /// The grant's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The client service principal's object ID (not the appId).
    #[serde(default)]
    pub client_id: String,
    /// `AllPrincipals` (admin consent for everyone) or `Principal` (one user).
    #[serde(default)]
    pub consent_type: String,
    /// The user, for `Principal` grants.
    #[serde(default)]
    pub principal_id: Option<String>,
    /// The resource (API) service principal's object ID.
    #[serde(default)]
    pub resource_id: String,
    /// The granted scopes, space separated.
    #[serde(default)]
    pub scope: Option<String>,
}

impl OAuth2PermissionGrant {
    /// Whether `scope` lists `value` as a whole word.
    pub fn grants(&self, value: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split_whitespace().any(|x| x == value))
    }
}

/// A Graph error body's `error` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct GraphError {
    /// E.g. `Authorization_RequestDenied`, `Request_ResourceNotFound`.
    #[serde(default)]
    pub code: String,
    /// Graph's message.
    #[serde(default)]
    pub message: String,
}

impl GraphError {
    /// Reads `{"error": {"code": …, "message": …}}`; `None` for any other body.
    pub fn parse(body: &str) -> Option<GraphError> {
        #[derive(Deserialize)]
        struct Body {
            error: GraphError,
        }
        serde_json::from_str::<Body>(body.trim())
            .ok()
            .map(|b| b.error)
    }
}

/// The new secret `addPassword` returned. `Debug` never shows the value.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSecret {
    /// The Secret ID.
    pub key_id: String,
    /// The description.
    pub display_name: Option<String>,
    /// The first three characters.
    pub hint: Option<String>,
    /// Expiry (ISO 8601, UTC).
    pub end_date_time: Option<String>,
    /// The expiry date `YYYY-MM-DD`, for "Secret expires".
    pub expires: Option<String>,
    /// The secret value (`secretText`): shown once, never retrievable again.
    pub secret: SecretInput,
}

/// Parses `addPassword`'s answer (a `passwordCredential` with `secretText`).
pub fn parse_add_password(body: &str) -> Result<NewSecret, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        #[serde(default)]
        key_id: String,
        #[serde(default)]
        display_name: Option<String>,
        #[serde(default)]
        hint: Option<String>,
        #[serde(default)]
        end_date_time: Option<String>,
        #[serde(default)]
        secret_text: Option<String>,
    }
    let a: Answer = serde_json::from_str(body.trim())
        .map_err(|e| format!("the addPassword answer is not a passwordCredential: {e}"))?;
    let secret = a
        .secret_text
        .filter(|s| !s.is_empty())
        .ok_or_else(|| "the addPassword answer has no secretText".to_string())?;
    Ok(NewSecret {
        key_id: a.key_id,
        display_name: a.display_name,
        hint: a.hint,
        expires: a.end_date_time.as_deref().and_then(super::secret::date_of),
        end_date_time: a.end_date_time,
        secret: SecretInput::new(secret),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_or_list() {
        let one: Vec<ServicePrincipal> =
            parse_one_or_list(r#"{"id":"a","appId":"b","oauth2PermissionScopes":null}"#).unwrap();
        assert_eq!(one.len(), 1);
        let many: Vec<ServicePrincipal> =
            parse_one_or_list(r#"{"@odata.context":"x","value":[{"id":"a"},{"id":"b"}]}"#).unwrap();
        assert_eq!(many.len(), 2);
        assert!(parse_one_or_list::<ServicePrincipal>("[").is_err());
    }

    #[test]
    fn add_password_answer_is_redacted_in_debug() {
        let body = r#"{"customKeyIdentifier":null,"displayName":"Simego","endDateTime":"2026-07-01T10:00:00Z","hint":"Q~a","keyId":"f0b0b335-1d71-4883-8f98-567911bfdca6","secretText":"Q~aB1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R7s8","startDateTime":"2025-07-01T10:00:00Z"}"#;
        let s = parse_add_password(body).unwrap();
        assert_eq!(s.secret.expose(), "Q~aB1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R7s8");
        assert_eq!(s.expires.as_deref(), Some("2026-07-01"));
        assert!(!format!("{s:?}").contains("B1c2"));
        assert!(parse_add_password(r#"{"keyId":"x"}"#).is_err());
        assert!(parse_add_password("<html>").is_err());
    }

    #[test]
    fn graph_error_body() {
        let e = GraphError::parse(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2024-01-01T00:00:00","request-id":"x"}}}"#,
        )
        .unwrap();
        assert_eq!(e.code, "Authorization_RequestDenied");
        assert_eq!(GraphError::parse("{}"), None);
    }
}
