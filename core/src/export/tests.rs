//! Export and import: schema, round trips, tampering.

use super::*;
use crate::cloud::Cloud;
use crate::draft::tests::{good, today, CLIENT, SECRET, TENANT};
use crate::draft::{Draft, SecretInput};
use crate::fields::{ApiVersion, GrantType};

const SCHEMA: &str = include_str!("../../../schema/connection.schema.json");

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
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "dataverse-connection");
    assert_eq!(doc["version"], 2);
    assert_eq!(doc["exportedAt"], "2025-06-15T10:30:00Z");
    assert_eq!(doc["includesClientSecret"], false);
    assert_eq!(doc["connections"].as_array().map(Vec::len), Some(1));
    let v = &doc["connections"][0];
    assert_eq!(v["environmentName"], "");
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
    assert_eq!(
        v["connections"][0]["connector"]["OAuth2"]["ClientSecret"],
        SECRET
    );
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

/// The version 1 file the wizard wrote before several environments: the first connection at
/// the top level, without `environmentName`.
fn version_1(v2: &serde_json::Value) -> serde_json::Value {
    let c = &v2["connections"][0];
    serde_json::json!({
        "format": v2["format"],
        "version": 1,
        "exportedAt": v2["exportedAt"],
        "includesClientSecret": v2["includesClientSecret"],
        "connector": c["connector"],
        "azure": c["azure"],
        "applicationUser": c["applicationUser"],
    })
}

/// What today's main exported (version 1): the strict per-connection import is tested on it.
fn exported_v1() -> serde_json::Value {
    version_1(&exported())
}

#[test]
fn schema_rejects_extra_and_missing() {
    type Edit = fn(&mut serde_json::Value);
    let edits: &[Edit] = &[
        |v| v["extra"] = "x".into(),
        |v| v["connections"][0]["extra"] = "x".into(),
        |v| v["connections"][0]["azure"]["extra"] = "x".into(),
        |v| v["connections"][0]["connector"]["OAuth2"]["Extra"] = "x".into(),
        |v| v["connections"][0]["applicationUser"]["Extra"] = "x".into(),
        |v| {
            v["connections"][0]["azure"]
                .as_object_mut()
                .unwrap()
                .remove("tenantId");
        },
        |v| {
            v["connections"][0]
                .as_object_mut()
                .unwrap()
                .remove("connector");
        },
        |v| {
            v["connections"][0]
                .as_object_mut()
                .unwrap()
                .remove("environmentName");
        },
        |v| {
            v["connections"][0]["connector"]["OAuth2"]
                .as_object_mut()
                .unwrap()
                .remove("TokenURL");
        },
        |v| v["connections"] = serde_json::json!([]),
        |v| v["version"] = 3.into(),
        |v| v["version"] = 1.into(),
        |v| v["format"] = "other".into(),
        |v| v["connections"][0]["azure"]["cloud"] = "mars".into(),
        |v| v["connections"][0]["connector"]["OAuth2"]["GrantType"] = "password".into(),
        |v| v["includesClientSecret"] = true.into(),
        |v| v["connections"][0]["azure"]["applicationId"] = "not-a-guid".into(),
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
    v["version"] = 3.into();
    let e = import_json(&v.to_string(), today()).unwrap_err();
    assert_eq!(
        e,
        ImportError::UnsupportedVersion {
            found: 3,
            supported: 2
        }
    );
    assert!(e.to_string().contains("version 3"));
    assert!(e.to_string().contains("versions 1 to 2"));

    let mut v = exported_v1();
    v["azure"]["enterpriseApplicationObjectId"] = "1234-nope".into();
    match import_json(&v.to_string(), today()).unwrap_err() {
        ImportError::Invalid { field, message } => {
            assert_eq!(field, "azure.enterpriseApplicationObjectId");
            assert!(message.contains("not a valid ID"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let mut v = exported_v1();
    v["azure"]["enterpriseApplicationObjectId"] = CLIENT.into();
    let e = import_json(&v.to_string(), today()).unwrap_err();
    assert!(
        e.to_string()
            .contains("azure.enterpriseApplicationObjectId"),
        "{e}"
    );

    let mut v = exported_v1();
    v["azure"]["environmentUrl"] = "https://make.powerapps.com".into();
    let e = import_json(&v.to_string(), today()).unwrap_err();
    assert!(e.to_string().contains("Power Apps maker portal"), "{e}");

    let mut v = exported_v1();
    v["connector"]["OAuth2"]["ClientSecret"] = CLIENT.into();
    v["includesClientSecret"] = true.into();
    let e = import_json(&v.to_string(), today()).unwrap_err();
    assert!(e.to_string().contains("Secret ID"), "{e}");

    let mut v = exported_v1();
    v["connector"]["ServiceURL"] = "https://other.crm.dynamics.com/api/data/v9.2/".into();
    match import_json(&v.to_string(), today()).unwrap_err() {
        ImportError::Invalid { field, .. } => assert_eq!(field, "connector.ServiceURL"),
        other => panic!("{other:?}"),
    }

    let mut v = exported_v1();
    v["extra"] = 1.into();
    assert!(matches!(
        import_json(&v.to_string(), today()),
        Err(ImportError::Structure { .. })
    ));

    let mut v = exported_v1();
    v["exportedAt"] = "yesterday".into();
    assert!(matches!(
        import_json(&v.to_string(), today()),
        Err(ImportError::Invalid { field, .. }) if field == "exportedAt"
    ));
}

#[test]
fn import_canonicalises_values() {
    let mut v = exported_v1();
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

/// A file with a required value emptied names that value and says it is missing, rather than a
/// vague "damaged file".
#[test]
fn import_names_a_missing_required_value() {
    let mut v = exported_v1();
    v["azure"]["tenantId"] = "".into();
    match import_json(&v.to_string(), today()).unwrap_err() {
        ImportError::Invalid { field, message } => {
            assert_eq!(field, "azure.tenantId");
            assert!(message.contains("missing or empty"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
