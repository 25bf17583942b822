//! Strict import of the connection JSON: every value parsed with the wizard's own field
//! parsers, every derived value compared with what the wizard derives. Nothing partial.

use chrono::{DateTime, NaiveDate};

use super::{document, Document, FORMAT, FORMAT_VERSION};
use crate::cloud::Cloud;
use crate::draft::{check_field, Draft, FieldId, FieldStatus, SecretInput};
use crate::fields::{ApiVersion, GrantType};

/// Why a file could not be imported. `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON at all.
    #[error(
        "This file is not valid JSON (line {line}, column {column}: {message}). Choose the file \
         the wizard exported, unchanged."
    )]
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// JSON, but not a connection file.
    #[error(
        "This file is not a Dataverse connection exported by this wizard (it has no \"format\": \
         \"dataverse-connection\"). Choose a file named like dataverse-connection-<org>.json."
    )]
    NotAConnection,
    /// A connection file of another format version.
    #[error(
        "This connection file is format version {found}, but this wizard reads version \
         {supported}. Open it with the wizard version that wrote it, or export it again."
    )]
    UnsupportedVersion {
        /// The version in the file.
        found: u64,
        /// The version this wizard reads.
        supported: u32,
    },
    /// Keys missing, extra or of the wrong type.
    #[error(
        "This connection file is damaged or was edited by hand: {message}. Export it again from \
         the wizard."
    )]
    Structure {
        /// The parser's description.
        message: String,
    },
    /// A value that fails its field check, or a derived value that does not match.
    #[error("In this connection file, {field} is not valid: {message}")]
    Invalid {
        /// The JSON path of the value, e.g. `azure.tenantId`.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// Where each wizard field lives in the file.
fn json_path(f: FieldId) -> &'static str {
    match f {
        FieldId::AppName => "azure.applicationName",
        FieldId::TenantId => "azure.tenantId",
        FieldId::ClientId => "azure.applicationId",
        FieldId::ObjectId => "azure.enterpriseApplicationObjectId",
        FieldId::ClientSecret => "connector.OAuth2.ClientSecret",
        FieldId::SecretExpires => "azure.secretExpires",
        FieldId::EnvironmentUrl => "azure.environmentUrl",
        FieldId::TokenEndpoint => "azure.tokenEndpoint",
        FieldId::ConnectorRedirectUrl => "connector.OAuth2.RedirectURL",
        FieldId::FullName => "applicationUser.FullName",
        FieldId::PrimaryEmail => "applicationUser.PrimaryEmail",
        FieldId::Entity => "connector.Entity",
    }
}

/// The values the wizard derives itself; in a file they must equal what it would write.
const DERIVED: &[&str] = &[
    "connector.ServiceURL",
    "connector.EntityURLItemConvention",
    "connector.OAuth2.AuthoriseURL",
    "connector.OAuth2.TokenURL",
    "connector.OAuth2.ClientID",
    "connector.OAuth2.Resource",
    "connector.OAuth2.RedirectURL",
    "connector.OAuth2.State",
    "connector.OAuth2.Scope",
    "azure.tokenEndpointV2",
    "azure.authoriseUrlV2",
    "applicationUser.UserName",
    "applicationUser.ApplicationID",
    "applicationUser.ApplicationIDURI",
    "applicationUser.AzureADObjectID",
];

fn at<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// Strict: every value is checked with the same field parsers; nothing partial. Returns a
/// complete Draft (`client_secret` set if the file had one; `ticks` left empty) — the caller
/// replaces its state only on `Ok`.
///
/// `applicationUser.FullName` equal to the application name and `PrimaryEmail` equal to the
/// generated User Name come back as blank fields (blank means "use the default"), so an
/// exported draft round-trips unchanged.
pub fn import_json(text: &str, today: NaiveDate) -> Result<Draft, ImportError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ImportError::Malformed {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(ImportError::NotAConnection);
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(found) => {
            return Err(ImportError::UnsupportedVersion {
                found,
                supported: FORMAT_VERSION,
            })
        }
        None => {
            return Err(ImportError::Structure {
                message: "\"version\" is missing or not a whole number".into(),
            })
        }
    }
    let doc: Document =
        serde_json::from_value(value.clone()).map_err(|e| ImportError::Structure {
            message: e.to_string(),
        })?;
    let invalid = |field: &str, message: String| ImportError::Invalid {
        field: field.to_string(),
        message,
    };
    DateTime::parse_from_rfc3339(&doc.exported_at).map_err(|_| {
        invalid(
            "exportedAt",
            format!("\"{}\" is not an RFC 3339 date and time", doc.exported_at),
        )
    })?;
    let cloud = Cloud::from_slug(&doc.azure.cloud).ok_or_else(|| {
        invalid(
            "azure.cloud",
            format!(
                "\"{}\" is not one of {}",
                doc.azure.cloud,
                Cloud::ALL.map(Cloud::slug).join(", ")
            ),
        )
    })?;
    let api_version = ApiVersion::ALL
        .into_iter()
        .find(|v| v.as_str() == doc.azure.api_version)
        .ok_or_else(|| {
            invalid(
                "azure.apiVersion",
                format!(
                    "\"{}\" is not one of v9.0, v9.1, v9.2",
                    doc.azure.api_version
                ),
            )
        })?;
    let grant_type = GrantType::ALL
        .into_iter()
        .find(|g| g.as_str() == doc.connector.oauth2.grant_type)
        .ok_or_else(|| {
            invalid(
                "connector.OAuth2.GrantType",
                format!(
                    "\"{}\" is not client_credentials or authorization_code",
                    doc.connector.oauth2.grant_type
                ),
            )
        })?;
    if doc.includes_client_secret != doc.connector.oauth2.client_secret.is_some() {
        return Err(invalid(
            "includesClientSecret",
            "it does not match whether connector.OAuth2.ClientSecret is present".into(),
        ));
    }
    let mut draft = Draft {
        cloud,
        grant_type,
        api_version,
        app_name: doc.azure.application_name.clone(),
        tenant_id: doc.azure.tenant_id.clone(),
        client_id: doc.azure.application_id.clone(),
        object_id: doc.azure.enterprise_application_object_id.clone(),
        client_secret: SecretInput::new(
            doc.connector
                .oauth2
                .client_secret
                .clone()
                .unwrap_or_default(),
        ),
        secret_expires: doc.azure.secret_expires.clone().unwrap_or_default(),
        environment_url: doc.azure.environment_url.clone(),
        token_endpoint: doc.azure.token_endpoint.clone().unwrap_or_default(),
        connector_redirect_url: match grant_type {
            GrantType::AuthorizationCode => doc.connector.oauth2.redirect_url.clone(),
            GrantType::ClientCredentials => String::new(),
        },
        full_name: doc.application_user.full_name.clone(),
        primary_email: doc.application_user.primary_email.clone(),
        entity: doc.connector.entity.clone(),
        writes: false,
        ticks: Default::default(),
    };
    // Blank means "default": keep the defaults blank so the draft round-trips.
    if draft.full_name.trim() == draft.app_name.trim() {
        draft.full_name.clear();
    }
    if draft.primary_email.trim() == doc.application_user.user_name {
        draft.primary_email.clear();
    }
    for field in FieldId::ALL {
        match check_field(&draft, field, today) {
            FieldStatus::Invalid(m) => return Err(invalid(json_path(field), m)),
            FieldStatus::Blank { required: true } if field != FieldId::ClientSecret => {
                return Err(invalid(json_path(field), "it is missing or empty".into()))
            }
            _ => {}
        }
    }
    let conn = draft
        .build(today, false)
        .ok_or_else(|| ImportError::Structure {
            message: "the values do not form a complete connection".into(),
        })?;
    let expected = serde_json::to_value(document(
        &conn,
        doc.includes_client_secret,
        doc.exported_at.clone(),
    ))
    .expect("plain strings serialise");
    for path in DERIVED {
        let (want, got) = (at(&expected, path), at(&value, path));
        if want != got {
            let show =
                |v: Option<&serde_json::Value>| v.map_or("nothing".to_string(), |v| v.to_string());
            return Err(invalid(
                path,
                format!(
                    "it is {} but the other values in the file give {}. Correct the azure section \
                     (the wizard derives this value from it) or export the file again",
                    show(got),
                    show(want)
                ),
            ));
        }
    }
    Ok(conn.to_draft())
}
