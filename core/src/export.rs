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

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::connector::{connector_values, ConnectorField, ConnectorValue};
use crate::derive::application_user;
use crate::draft::{check_field, Connection, Draft, FieldId, FieldStatus, SecretInput};
use crate::entra::Authority;
use crate::fields::{ApiVersion, EndpointVersion, GrantType};

/// The `format` value of every connection file.
pub const FORMAT: &str = "dataverse-connection";
/// The `version` this wizard writes and reads.
pub const FORMAT_VERSION: u32 = 1;

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
        version: FORMAT_VERSION,
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

/// Pretty JSON. Contains the client secret only when `include_secret` is true (and the
/// connection has one). `exported_at` is written as RFC 3339 (UTC, seconds).
pub fn export_json(conn: &Connection, include_secret: bool, exported_at: DateTime<Utc>) -> String {
    let doc = document(
        conn,
        include_secret,
        exported_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    serde_json::to_string_pretty(&doc).expect("plain strings serialise")
}

/// `dataverse-connection-{org}.json`.
pub fn suggested_file_name(conn: &Connection) -> String {
    format!("dataverse-connection-{}.json", conn.environment.org())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::tests::{good, today, CLIENT, SECRET, TENANT};

    const SCHEMA: &str = include_str!("../../schema/connection.schema.json");

    fn at_time() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-06-15T10:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn schema_valid(doc: &serde_json::Value) -> bool {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        v.is_valid(doc)
    }

    fn drafts() -> Vec<Draft> {
        let mut v = vec![good()];
        let mut d = good();
        d.grant_type = GrantType::AuthorizationCode;
        d.client_secret = SecretInput::default();
        d.connector_redirect_url = "http://localhost".into();
        d.full_name = "Data Sync".into();
        d.primary_email = "sync@contoso.com".into();
        d.token_endpoint = format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token");
        d.api_version = ApiVersion::V9_0;
        v.push(d);
        let mut d = good();
        d.cloud = Cloud::Sandbox;
        d.environment_url = "http://contoso.crm.localhost:8081".into();
        d.secret_expires.clear();
        d.app_name.clear();
        v.push(d);
        let mut d = good();
        d.cloud = Cloud::UsGov;
        d.environment_url = "https://org.api.crm.microsoftdynamics.us".into();
        d.tenant_id = "contoso.onmicrosoft.us".into();
        v.push(d);
        v
    }

    #[test]
    fn schema_is_a_valid_2020_12_schema_with_descriptions() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert!(jsonschema::meta::is_valid(&schema));
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        // Every property of every object has a description, and every object is closed.
        fn walk(v: &serde_json::Value, path: &str) {
            if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
                if v.get("type") == Some(&"object".into()) {
                    assert_eq!(v["additionalProperties"], false, "{path}");
                }
                for (k, p) in props {
                    if path.contains("if") || path.contains("then") || path.contains("else") {
                        continue;
                    }
                    assert!(
                        p.get("description").is_some(),
                        "{path}.{k} has no description"
                    );
                    walk(p, &format!("{path}.{k}"));
                }
            }
        }
        walk(&schema, "");
    }

    #[test]
    fn shape_and_no_secret_by_default() {
        let c = good().validate(today()).unwrap();
        let text = export_json(&c, false, at_time());
        assert!(!text.contains(SECRET));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["format"], "dataverse-connection");
        assert_eq!(v["version"], 1);
        assert_eq!(v["exportedAt"], "2025-06-15T10:30:00Z");
        assert_eq!(v["includesClientSecret"], false);
        assert_eq!(
            v["connector"]["ServiceURL"],
            "https://contoso.crm4.dynamics.com/api/data/v9.2/"
        );
        assert_eq!(v["connector"]["EntityURLItemConvention"], "{entity}({key})");
        assert_eq!(v["connector"]["OAuth2"]["ClientID"], CLIENT);
        assert!(v["connector"]["OAuth2"].get("ClientSecret").is_none());
        assert_eq!(v["connector"]["OAuth2"]["GrantType"], "client_credentials");
        assert_eq!(v["azure"]["cloud"], "public");
        assert_eq!(v["azure"]["apiVersion"], "v9.2");
        assert_eq!(v["azure"]["secretExpires"], "2025-12-12");
        assert!(v["azure"].get("tokenEndpoint").is_none());
        assert_eq!(v["applicationUser"]["FullName"], "Simego Data Sync");
        assert_eq!(suggested_file_name(&c), "dataverse-connection-contoso.json");

        let with = export_json(&c, true, at_time());
        let v: serde_json::Value = serde_json::from_str(&with).unwrap();
        assert_eq!(v["connector"]["OAuth2"]["ClientSecret"], SECRET);
        assert_eq!(v["includesClientSecret"], true);
    }

    #[test]
    fn round_trips() {
        for (i, d) in drafts().into_iter().enumerate() {
            let c = d
                .validate(today())
                .unwrap_or_else(|p| panic!("draft {i}: {p:?}"));
            for include in [true, false] {
                let text = export_json(&c, include, at_time());
                let back = import_json(&text, today()).unwrap_or_else(|e| panic!("draft {i}: {e}"));
                let mut want = d.clone();
                if !include {
                    want.client_secret = SecretInput::default();
                }
                assert_eq!(back, want, "draft {i} include={include}");
                assert!(back.ticks.is_empty());
            }
        }
    }

    #[test]
    fn ticks_are_not_exported() {
        let mut d = good();
        d.ticks.insert("register.create".into());
        let text = export_json(&d.validate(today()).unwrap(), false, at_time());
        assert!(!text.contains("register.create"));
        assert!(import_json(&text, today()).unwrap().ticks.is_empty());
    }

    #[test]
    fn exports_validate_against_schema() {
        for d in drafts() {
            let c = d.validate(today()).unwrap();
            for include in [true, false] {
                let v: serde_json::Value =
                    serde_json::from_str(&export_json(&c, include, at_time())).unwrap();
                assert!(schema_valid(&v), "{v:#}");
            }
        }
    }

    fn exported() -> serde_json::Value {
        serde_json::from_str(&export_json(
            &good().validate(today()).unwrap(),
            false,
            at_time(),
        ))
        .unwrap()
    }

    #[test]
    fn schema_rejects_extra_and_missing() {
        type Edit = fn(&mut serde_json::Value);
        let edits: &[Edit] = &[
            |v| v["extra"] = "x".into(),
            |v| v["azure"]["extra"] = "x".into(),
            |v| v["connector"]["OAuth2"]["Extra"] = "x".into(),
            |v| v["applicationUser"]["Extra"] = "x".into(),
            |v| {
                v["azure"].as_object_mut().unwrap().remove("tenantId");
            },
            |v| {
                v.as_object_mut().unwrap().remove("connector");
            },
            |v| {
                v["connector"]["OAuth2"]
                    .as_object_mut()
                    .unwrap()
                    .remove("TokenURL");
            },
            |v| v["version"] = 2.into(),
            |v| v["format"] = "other".into(),
            |v| v["azure"]["cloud"] = "mars".into(),
            |v| v["connector"]["OAuth2"]["GrantType"] = "password".into(),
            |v| v["includesClientSecret"] = true.into(),
            |v| v["azure"]["applicationId"] = "not-a-guid".into(),
        ];
        assert!(schema_valid(&exported()));
        for (i, edit) in edits.iter().enumerate() {
            let mut v = exported();
            edit(&mut v);
            assert!(!schema_valid(&v), "edit {i} should fail the schema");
            // And import refuses every one of them too.
            assert!(import_json(&v.to_string(), today()).is_err(), "edit {i}");
        }
    }

    #[test]
    fn import_errors() {
        match import_json(
            "{\n  \"format\": \"dataverse-connection\",\n  \"version\": 1,\n  oops\n}",
            today(),
        ) {
            Err(ImportError::Malformed { line, column, .. }) => {
                assert_eq!((line, column), (4, 3));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            import_json("[1,2]", today()),
            Err(ImportError::NotAConnection)
        );
        assert_eq!(
            import_json("{\"format\":\"x\"}", today()),
            Err(ImportError::NotAConnection)
        );

        let mut v = exported();
        v["version"] = 2.into();
        let e = import_json(&v.to_string(), today()).unwrap_err();
        assert_eq!(
            e,
            ImportError::UnsupportedVersion {
                found: 2,
                supported: 1
            }
        );
        assert!(e.to_string().contains("version 2"));

        let mut v = exported();
        v["azure"]["enterpriseApplicationObjectId"] = "1234-nope".into();
        match import_json(&v.to_string(), today()).unwrap_err() {
            ImportError::Invalid { field, message } => {
                assert_eq!(field, "azure.enterpriseApplicationObjectId");
                assert!(message.contains("not a valid ID"), "{message}");
            }
            other => panic!("{other:?}"),
        }

        let mut v = exported();
        v["azure"]["enterpriseApplicationObjectId"] = CLIENT.into();
        let e = import_json(&v.to_string(), today()).unwrap_err();
        assert!(
            e.to_string()
                .contains("azure.enterpriseApplicationObjectId"),
            "{e}"
        );

        let mut v = exported();
        v["azure"]["environmentUrl"] = "https://make.powerapps.com".into();
        let e = import_json(&v.to_string(), today()).unwrap_err();
        assert!(e.to_string().contains("Power Apps maker portal"), "{e}");

        let mut v = exported();
        v["connector"]["OAuth2"]["ClientSecret"] = CLIENT.into();
        v["includesClientSecret"] = true.into();
        let e = import_json(&v.to_string(), today()).unwrap_err();
        assert!(e.to_string().contains("Secret ID"), "{e}");

        let mut v = exported();
        v["connector"]["ServiceURL"] = "https://other.crm.dynamics.com/api/data/v9.2/".into();
        match import_json(&v.to_string(), today()).unwrap_err() {
            ImportError::Invalid { field, .. } => assert_eq!(field, "connector.ServiceURL"),
            other => panic!("{other:?}"),
        }

        let mut v = exported();
        v["extra"] = 1.into();
        assert!(matches!(
            import_json(&v.to_string(), today()),
            Err(ImportError::Structure { .. })
        ));

        let mut v = exported();
        v["exportedAt"] = "yesterday".into();
        assert!(matches!(
            import_json(&v.to_string(), today()),
            Err(ImportError::Invalid { field, .. }) if field == "exportedAt"
        ));
    }

    #[test]
    fn import_canonicalises_values() {
        let mut v = exported();
        v["azure"]["applicationId"] = format!("{{{}}}", CLIENT.to_uppercase()).into();
        // Derived values still name the canonical ID, so this imports.
        let d = import_json(&v.to_string(), today()).unwrap();
        assert_eq!(d.client_id, CLIENT);
    }

    #[test]
    fn expired_secret_still_imports() {
        let mut d = good();
        d.secret_expires = "2020-01-01".into();
        let text = export_json(&d.validate(today()).unwrap(), false, at_time());
        assert_eq!(
            import_json(&text, today()).unwrap().secret_expires,
            "2020-01-01"
        );
    }
}
