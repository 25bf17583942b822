//! The versioned connection JSON: export and strict import.
//!
//! The document is described by `schema/connection.schema.json` (JSON Schema 2020-12). Outer
//! keys are camelCase; the `connector` section uses the Simego OData 4.0 connector's own field
//! names, so each value can be typed (or pasted) into the property of the same name.
//!
//! Import is strict: the `azure` section, `connector.Entity`, the OAuth2 inputs (ClientSecret,
//! RedirectURL, GrantType) and the application user's FullName / PrimaryEmail are parsed with the
//! same field parsers as the wizard's inputs; every derived value in the file (ServiceURL,
//! AuthoriseURL, TokenURL, Resource, …) must equal what the wizard derives from those inputs.
//! Nothing partial is ever returned.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::connector::{connector_values, ConnectorField, ConnectorValue};
use crate::derive::application_user;
use crate::draft::Connection;
use crate::entra::Authority;
use crate::fields::EndpointVersion;

mod import;
#[cfg(test)]
mod tests;

pub use import::{import_json, ImportError};

/// The versions [`import_json`] reads.
pub const READS_VERSIONS: [u32; 2] = [FORMAT_VERSION_1, FORMAT_VERSION];

/// The `format` value of every connection file.
pub const FORMAT: &str = "dataverse-connection";
/// The `version` this wizard writes. Version 2 holds one connection per environment under
/// `connections`; version 1 (one connection at the top level) still imports.
pub const FORMAT_VERSION: u32 = 2;
/// The one-environment version, still read.
pub const FORMAT_VERSION_1: u32 = 1;

/// Version 2: the connections of one setup, one per environment, the first being the form's.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetupDocument {
    format: String,
    version: u32,
    exported_at: String,
    includes_client_secret: bool,
    connections: Vec<ConnectionEntry>,
}

/// One environment's connection in a version 2 file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConnectionEntry {
    environment_name: String,
    connector: ConnectorDoc,
    azure: AzureDoc,
    application_user: AppUserDoc,
}

/// Version 1, and what each connection of version 2 is checked as.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Document {
    format: String,
    version: u32,
    exported_at: String,
    includes_client_secret: bool,
    connector: ConnectorDoc,
    azure: AzureDoc,
    application_user: AppUserDoc,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectorDoc {
    #[serde(rename = "ServiceURL")]
    service_url: String,
    #[serde(rename = "Entity")]
    entity: String,
    #[serde(rename = "EntityURLItemConvention")]
    entity_url_item_convention: String,
    #[serde(rename = "OAuth2")]
    oauth2: OAuth2Doc,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuth2Doc {
    #[serde(rename = "AuthoriseURL")]
    authorise_url: String,
    #[serde(rename = "TokenURL")]
    token_url: String,
    #[serde(rename = "ClientID")]
    client_id: String,
    #[serde(
        rename = "ClientSecret",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    client_secret: Option<String>,
    #[serde(rename = "Resource")]
    resource: String,
    #[serde(rename = "RedirectURL")]
    redirect_url: String,
    #[serde(rename = "State")]
    state: String,
    #[serde(rename = "Scope")]
    scope: String,
    #[serde(rename = "GrantType")]
    grant_type: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AzureDoc {
    cloud: String,
    tenant_id: String,
    application_id: String,
    enterprise_application_object_id: String,
    application_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_expires: Option<String>,
    environment_url: String,
    api_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_endpoint: Option<String>,
    token_endpoint_v2: String,
    authorise_url_v2: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppUserDoc {
    #[serde(rename = "UserName")]
    user_name: String,
    #[serde(rename = "ApplicationID")]
    application_id: String,
    #[serde(rename = "ApplicationIDURI")]
    application_id_uri: String,
    #[serde(rename = "AzureADObjectID")]
    azure_ad_object_id: String,
    #[serde(rename = "FullName")]
    full_name: String,
    #[serde(rename = "PrimaryEmail")]
    primary_email: String,
}

fn document(conn: &Connection, include_secret: bool, exported_at: String) -> Document {
    let draft = conn.to_draft();
    // The connector section is exactly what step 6 shows: one derivation.
    let values = connector_values(&draft);
    let text = |f: ConnectorField| values.text(f).to_string();
    let user = application_user(&draft);
    let secret = match values.get(ConnectorField::ClientSecret) {
        ConnectorValue::Secret(s) if include_secret => Some(s.expose().to_string()),
        _ => None,
    };
    let authority = Authority::of(conn.cloud, &conn.tenant);
    Document {
        format: FORMAT.to_string(),
        version: FORMAT_VERSION_1,
        exported_at,
        includes_client_secret: secret.is_some(),
        connector: ConnectorDoc {
            service_url: text(ConnectorField::ServiceUrl),
            entity: text(ConnectorField::Entity),
            entity_url_item_convention: text(ConnectorField::EntityUrlItemConvention),
            oauth2: OAuth2Doc {
                authorise_url: text(ConnectorField::AuthoriseUrl),
                token_url: text(ConnectorField::TokenUrl),
                client_id: text(ConnectorField::ClientId),
                client_secret: secret,
                resource: text(ConnectorField::Resource),
                redirect_url: text(ConnectorField::RedirectUrl),
                state: text(ConnectorField::State),
                scope: text(ConnectorField::Scope),
                grant_type: text(ConnectorField::GrantType),
            },
        },
        azure: AzureDoc {
            cloud: conn.cloud.slug().to_string(),
            tenant_id: conn.tenant.to_string(),
            application_id: conn.client_id.to_string(),
            enterprise_application_object_id: conn.object_id.to_string(),
            application_name: conn.app_name.clone(),
            secret_expires: conn.secret_expires.map(|e| e.to_string()),
            environment_url: conn.environment.to_string(),
            api_version: conn.api_version.as_str().to_string(),
            token_endpoint: conn.token_endpoint.as_ref().map(|t| t.to_string()),
            token_endpoint_v2: authority.token_url(EndpointVersion::V2),
            authorise_url_v2: authority.authorize_url(EndpointVersion::V2),
        },
        application_user: AppUserDoc {
            user_name: user.user_name,
            application_id: user.application_id,
            application_id_uri: user.application_id_uri,
            azure_ad_object_id: user.azure_ad_object_id,
            full_name: user.full_name,
            primary_email: user.primary_email,
        },
    }
}

fn entry(conn: &Connection, include_secret: bool) -> ConnectionEntry {
    let doc = document(conn, include_secret, String::new());
    ConnectionEntry {
        environment_name: conn.environment_name.clone(),
        connector: doc.connector,
        azure: doc.azure,
        application_user: doc.application_user,
    }
}

/// Pretty JSON of one setup: one connection per environment, in the order given. Contains the
/// client secret only when `include_secret` is true (and the connections have one).
/// `exported_at` is written as RFC 3339 (UTC, seconds).
pub fn export_setup_json(
    conns: &[Connection],
    include_secret: bool,
    exported_at: DateTime<Utc>,
) -> String {
    let connections: Vec<ConnectionEntry> =
        conns.iter().map(|c| entry(c, include_secret)).collect();
    let doc = SetupDocument {
        format: FORMAT.to_string(),
        version: FORMAT_VERSION,
        exported_at: exported_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        includes_client_secret: connections
            .iter()
            .any(|c| c.connector.oauth2.client_secret.is_some()),
        connections,
    };
    serde_json::to_string_pretty(&doc).expect("plain strings serialise")
}

/// [`export_setup_json`] of one connection.
pub fn export_json(conn: &Connection, include_secret: bool, exported_at: DateTime<Utc>) -> String {
    export_setup_json(std::slice::from_ref(conn), include_secret, exported_at)
}

/// `dataverse-connection-{org}.json`.
pub fn suggested_file_name(conn: &Connection) -> String {
    format!("dataverse-connection-{}.json", conn.environment.org())
}

/// One environment: [`suggested_file_name`]; several: `dataverse-connections-{org}-{org}….json`.
pub fn suggested_setup_file_name(conns: &[Connection]) -> String {
    match conns {
        [one] => suggested_file_name(one),
        _ => {
            let orgs: Vec<&str> = conns.iter().map(|c| c.environment.org()).collect();
            format!("dataverse-connections-{}.json", orgs.join("-"))
        }
    }
}
