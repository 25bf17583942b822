//! The fully checked connection.

use std::collections::BTreeSet;

use super::{Draft, SecretInput};
use crate::cloud::Cloud;
use crate::fields::{
    ApiVersion, ClientSecret, Email, EnvironmentUrl, GrantType, Guid, RedirectUrl, SecretExpiry,
    TenantId, TokenEndpoint,
};

/// A fully checked connection: only constructible through [`Draft::validate`] (it is
/// `#[non_exhaustive]`, so other crates cannot build one with a struct literal).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Connection {
    /// National cloud.
    pub cloud: Cloud,
    /// Grant type.
    pub grant_type: GrantType,
    /// Web API version.
    pub api_version: ApiVersion,
    /// App registration display name (may be empty).
    pub app_name: String,
    /// Tenant.
    pub tenant: TenantId,
    /// Application (client) ID.
    pub client_id: Guid,
    /// Enterprise application (service principal) Object ID.
    pub object_id: Guid,
    /// Client secret, when typed (required for client credentials).
    pub client_secret: Option<ClientSecret>,
    /// Secret expiry, when typed.
    pub secret_expires: Option<SecretExpiry>,
    /// Dataverse environment.
    pub environment: EnvironmentUrl,
    /// Its friendly name, when it was chosen from the discovered list (may be empty).
    pub environment_name: String,
    /// The token endpoint the user typed, if any.
    pub token_endpoint: Option<TokenEndpoint>,
    /// Web redirect for the connector, when typed (required for authorization code).
    pub connector_redirect_url: Option<RedirectUrl>,
    /// Application user's Full Name as typed (may be empty: then the app name is used).
    pub full_name: String,
    /// Application user's Primary Email, when typed.
    pub primary_email: Option<Email>,
    /// Entity set name.
    pub entity: String,
}

impl Connection {
    /// The draft that describes this connection (canonical values; secret included when present;
    /// no ticks and no `writes`: those are the wizard's own, not part of the connection).
    pub fn to_draft(&self) -> Draft {
        Draft {
            cloud: self.cloud,
            grant_type: self.grant_type,
            api_version: self.api_version,
            app_name: self.app_name.clone(),
            tenant_id: self.tenant.as_str().to_string(),
            client_id: self.client_id.to_string(),
            object_id: self.object_id.to_string(),
            client_secret: SecretInput::new(
                self.client_secret
                    .as_ref()
                    .map(|s| s.secret().to_string())
                    .unwrap_or_default(),
            ),
            secret_expires: self
                .secret_expires
                .map(|e| e.to_string())
                .unwrap_or_default(),
            environment_url: self.environment.to_string(),
            environment_name: self.environment_name.clone(),
            more_environments: Vec::new(),
            token_endpoint: self
                .token_endpoint
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            connector_redirect_url: self
                .connector_redirect_url
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            full_name: self.full_name.clone(),
            primary_email: self
                .primary_email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            entity: self.entity.clone(),
            writes: false,
            ticks: BTreeSet::new(),
        }
    }
}
