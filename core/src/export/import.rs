//! Strict import of the connection JSON: every value parsed with the wizard's own field
//! parsers, every derived value compared with what the wizard derives. Nothing partial.

use chrono::{DateTime, NaiveDate};

use super::{document, Document, SetupDocument, FORMAT, FORMAT_VERSION, FORMAT_VERSION_1};
use crate::cloud::Cloud;
use crate::draft::{check_field, Draft, FieldId, FieldStatus, OtherEnvironment, SecretInput};
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
        "This connection file is format version {found}, but this wizard reads versions 1 to \
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
        Some(v) if v == u64::from(FORMAT_VERSION_1) => import_one(&value, today),
        Some(v) if v == u64::from(FORMAT_VERSION) => import_setup(&value, today),
        Some(found) => Err(ImportError::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
        }),
        None => Err(ImportError::Structure {
            message: "\"version\" is missing or not a whole number".into(),
        }),
    }
}

/// Version 2: each connection is checked as strictly as a version 1 file, then all must be the
/// same app registration (tenant, app, secret, grant…) in different environments.
fn import_setup(value: &serde_json::Value, today: NaiveDate) -> Result<Draft, ImportError> {
    let doc: SetupDocument =
        serde_json::from_value(value.clone()).map_err(|e| ImportError::Structure {
            message: e.to_string(),
        })?;
    let invalid = |field: String, message: String| ImportError::Invalid { field, message };
    if doc.connections.is_empty() {
        return Err(ImportError::Structure {
            message: "\"connections\" is empty: the file holds no connection".into(),
        });
    }
    let with_secret = doc
        .connections
        .iter()
        .filter(|c| c.connector.oauth2.client_secret.is_some())
        .count();
    if (with_secret > 0) != doc.includes_client_secret
        || (with_secret > 0 && with_secret < doc.connections.len())
    {
        return Err(invalid(
            "includesClientSecret".into(),
            "it does not match which connections have connector.OAuth2.ClientSecret".into(),
        ));
    }
    let mut drafts = Vec::new();
    for (i, c) in doc.connections.into_iter().enumerate() {
        let one = serde_json::json!({
            "format": FORMAT,
            "version": FORMAT_VERSION_1,
            "exportedAt": doc.exported_at,
            "includesClientSecret": c.connector.oauth2.client_secret.is_some(),
            "connector": c.connector,
            "azure": c.azure,
            "applicationUser": c.application_user,
        });
        let mut d = import_one(&one, today).map_err(|e| match e {
            ImportError::Invalid { field, message } => {
                invalid(format!("connections[{i}].{field}"), message)
            }
            other => other,
        })?;
        d.environment_name = c.environment_name.trim().to_string();
        drafts.push(d);
    }
    let mut setup = drafts.remove(0);
    // What every connection must share: the first without its environment list.
    let first = setup.clone();
    for (i, d) in drafts.into_iter().enumerate() {
        let mut same = d.clone();
        same.environment_url.clone_from(&first.environment_url);
        same.environment_name.clone_from(&first.environment_name);
        same.entity.clone_from(&first.entity);
        if same != first {
            return Err(invalid(
                format!("connections[{}].azure", i + 1),
                "it names another app registration, tenant, secret or connector setting than \
                 connections[0]: one file holds one app's connections, one per environment"
                    .into(),
            ));
        }
        let other = OtherEnvironment {
            url: d.environment_url,
            name: d.environment_name,
            entity: d.entity,
        };
        if setup.environment_url == other.url
            || setup.more_environments.iter().any(|o| o.url == other.url)
        {
            return Err(invalid(
                format!("connections[{}].azure.environmentUrl", i + 1),
                "this environment is already in the file: each environment once".into(),
            ));
        }
        setup.more_environments.push(other);
    }
    Ok(setup)
}

/// Version 1 (and each connection of version 2): one connection.
fn import_one(value: &serde_json::Value, today: NaiveDate) -> Result<Draft, ImportError> {
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
        environment_name: String::new(),
        more_environments: Vec::new(),
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
        let (want, got) = (at(&expected, path), at(value, path));
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
