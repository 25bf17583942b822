//! Azure Data Factory / Synapse: the Dynamics linked service with service-principal key
//! authentication (learn.microsoft.com/azure/data-factory/connector-dynamics-crm-office-365).
//!
//! The secret is a `SecureString` when included, else an `AzureKeyVaultSecret` reference whose
//! linked service and secret name are placeholders. Import also takes the Dynamics CRM and
//! Dataverse (`CommonDataServiceForApps`) types, which share these type properties.

use serde::Serialize;
use serde_json::Value;

use super::import::{Holding, ImportError, ImportKind};
use super::Source;
use crate::connector::ConnectorField;
use crate::draft::{Connection, FieldId};

#[derive(Serialize)]
struct LinkedService<'a> {
    name: String,
    properties: Properties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    type_properties: TypeProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TypeProperties<'a> {
    deployment_type: &'static str,
    service_uri: &'a str,
    authentication_type: &'static str,
    service_principal_id: &'a str,
    service_principal_credential_type: &'static str,
    service_principal_credential: Credential<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum Credential<'a> {
    SecureString {
        value: &'a str,
    },
    AzureKeyVaultSecret {
        store: StoreReference,
        #[serde(rename = "secretName")]
        secret_name: &'static str,
    },
}

#[derive(Serialize)]
struct StoreReference {
    #[serde(rename = "referenceName")]
    reference_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `Dataverse_{org}`: letters, digits, `_` and `-` only, as Data Factory names must be.
pub(crate) fn linked_service_name(conn: &Connection) -> String {
    format!("Dataverse_{}", conn.environment.org())
}

pub(crate) fn render(src: &Source) -> (String, Vec<String>) {
    let credential = if src.shows_secret() {
        Credential::SecureString {
            value: src.secret_or_placeholder(),
        }
    } else {
        Credential::AzureKeyVaultSecret {
            store: StoreReference {
                reference_name: "<key-vault-linked-service>",
                kind: "LinkedServiceReference",
            },
            secret_name: "<client-secret-name>",
        }
    };
    let app = src.app_name();
    let doc = LinkedService {
        name: linked_service_name(src.conn),
        properties: Properties {
            kind: "Dynamics",
            description: (!app.is_empty()).then_some(app),
            type_properties: TypeProperties {
                deployment_type: "Online",
                service_uri: src.environment(),
                authentication_type: "AADServicePrincipal",
                service_principal_id: src.text(ConnectorField::ClientId),
                service_principal_credential_type: "ServicePrincipalKey",
                service_principal_credential: credential,
            },
        },
    };
    // Plain strings and structs: serialising cannot fail.
    (
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
        Vec::new(),
    )
}

const TYPES: [&str; 3] = ["Dynamics", "DynamicsCrm", "CommonDataServiceForApps"];

/// The object that holds `type` and `typeProperties`: `properties` of a whole linked service,
/// or the object itself when only that part was pasted.
fn body(v: &Value) -> (&Value, &'static str) {
    match v.get("properties") {
        Some(p) => (p, "properties."),
        None => (v, ""),
    }
}

/// Whether a JSON value reads as a linked service.
pub(crate) fn looks_like(v: &Value) -> bool {
    let (b, _) = body(v);
    b.get("type").is_some_and(Value::is_string) && b.get("typeProperties").is_some()
}

/// What a Dynamics linked service holds: service URI, service principal ID and (as a
/// SecureString or plain text) its key. Other sign-ins are explained.
pub(crate) fn read(v: &Value) -> Result<Holding, ImportError> {
    let mut h = Holding::new(ImportKind::DataFactory);
    let (b, prefix) = body(v);
    let kind = b.get("type").and_then(Value::as_str).unwrap_or_default();
    if !TYPES.contains(&kind) {
        return Err(h.unsupported(
            format!("{prefix}type"),
            format!("type \"{kind}\""),
            "Only the Dynamics, Dynamics CRM and Dataverse (CommonDataServiceForApps) linked \
             services hold a Dataverse connection.",
        ));
    }
    let tp_path = format!("{prefix}typeProperties");
    let Some(tp) = b.get("typeProperties").filter(|t| t.is_object()) else {
        return Err(h.invalid(tp_path, "it is not an object"));
    };
    let path = |key: &str| format!("{tp_path}.{key}");
    let text = |key: &str| -> Result<Option<&str>, ImportError> {
        match tp.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ImportError::Invalid {
                kind: ImportKind::DataFactory,
                at: path(key),
                message: "it is not text (an expression or parameter?): put the value itself there"
                    .into(),
            }),
        }
    };
    match text("deploymentType")? {
        Some(d) if d.eq_ignore_ascii_case("Online") => {}
        Some(d) => {
            return Err(h.unsupported(
                path("deploymentType"),
                format!("deploymentType \"{d}\""),
                "That is Dynamics 365 on-premises; this wizard sets up Dataverse online.",
            ))
        }
        None => return Err(h.invalid(path("deploymentType"), "it is missing (Online)")),
    }
    match text("authenticationType")? {
        Some(a) if a.eq_ignore_ascii_case("AADServicePrincipal") => {}
        Some(a) => {
            let why = match a.to_ascii_lowercase().as_str() {
                "office365" => "That signs in with a user name and password; this wizard sets up an application user that signs in with a client secret (AADServicePrincipal).",
                "managedidentity" => "That signs in as the factory's own managed identity, with no app registration or secret; this wizard sets up an app registration with a client secret (AADServicePrincipal).",
                _ => "This wizard sets up service-principal sign-in with a client secret (AADServicePrincipal).",
            };
            return Err(h.unsupported(
                path("authenticationType"),
                format!("authenticationType \"{a}\""),
                why,
            ));
        }
        None => {
            return Err(h.invalid(
                path("authenticationType"),
                "it is missing (AADServicePrincipal)",
            ))
        }
    }
    match text("servicePrincipalCredentialType")? {
        None => {}
        Some(t) if t.eq_ignore_ascii_case("ServicePrincipalKey") => {}
        Some(t) => {
            return Err(h.unsupported(
                path("servicePrincipalCredentialType"),
                format!("servicePrincipalCredentialType \"{t}\""),
                "That is a certificate, which Data Sync's OData connector does not take: create a \
                 client secret for the same app and use ServicePrincipalKey.",
            ))
        }
    }
    if let Some(uri) = text("serviceUri")? {
        h.fill(FieldId::EnvironmentUrl, uri, path("serviceUri"));
    }
    if let Some(id) = text("servicePrincipalId")? {
        h.fill(FieldId::ClientId, id, path("servicePrincipalId"));
    }
    let cred = path("servicePrincipalCredential");
    match tp.get("servicePrincipalCredential") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => h.secret(s, cred),
        Some(c) => match c.get("type").and_then(Value::as_str) {
            Some("SecureString") => match c.get("value") {
                Some(Value::String(s)) => h.secret(s, format!("{cred}.value")),
                _ => return Err(h.invalid(format!("{cred}.value"), "it is missing or not text")),
            },
            Some("AzureKeyVaultSecret") => {
                let name = c.get("secretName").and_then(Value::as_str).unwrap_or("?");
                h.note(format!(
                    "The client secret stays in Azure Key Vault (secret {name}): enter its value in step 4."
                ));
            }
            _ => {
                return Err(h.invalid(
                    format!("{cred}.type"),
                    "it is neither SecureString nor AzureKeyVaultSecret",
                ))
            }
        },
    }
    h.finish(
        "serviceUri, servicePrincipalId or servicePrincipalCredential",
        &[],
    )
}
