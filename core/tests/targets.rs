//! Every "Use it in…" output: the exact text for the fictional tenant, the secret only when
//! asked, a round trip through import for every format and every tricky case, and no secret in
//! any `Debug`. Consumers' own rules: `targets_consumers.rs`; import: `targets_import.rs`.

mod targets_support;

use serde_json::Value;
use targets_support::*;
use wizard_core::cloud::Cloud;
use wizard_core::draft::{Draft, FieldId, SecretInput};
use wizard_core::fields::{ApiVersion, GrantType};
use wizard_core::targets::{
    import_any, render, Format, ImportKind, SecretMode, Target, SECRET_MASK, SECRET_PLACEHOLDER,
};

#[test]
fn the_fictional_connection_in_every_format_without_the_secret() {
    let d = fictional();
    let p = SecretMode::Placeholder;
    assert_eq!(
        out(Format::ConnectionString, &d, p),
        format!("AuthType=ClientSecret;Url={ENV};ClientId={CLIENT};ClientSecret=<client-secret>")
    );
    assert_eq!(
        out(Format::PacBash, &d, p),
        format!(
            "pac auth create \\\n  --name 'Data Sync Contoso' \\\n  --applicationId {CLIENT} \\\n  \
             --clientSecret '<client-secret>' \\\n  --tenant {TENANT} \\\n  --environment {ENV}\n"
        )
    );
    assert_eq!(
        out(Format::PacPowerShell, &d, p),
        format!(
            "pac auth create `\n  --name 'Data Sync Contoso' `\n  --applicationId {CLIENT} `\n  \
             --clientSecret '<client-secret>' `\n  --tenant {TENANT} `\n  --environment {ENV}\n"
        )
    );
    assert_eq!(
        out(Format::DotEnv, &d, p),
        format!(
            "# Data Sync Contoso on Dataverse {ENV}, for the Azure SDKs' EnvironmentCredential\n\
             AZURE_TENANT_ID={TENANT}\nAZURE_CLIENT_ID={CLIENT}\n\
             AZURE_CLIENT_SECRET='<client-secret>'\nDATAVERSE_URL={ENV}\n"
        )
    );
    let adf: Value = serde_json::from_str(&out(Format::DataFactory, &d, p)).unwrap();
    assert_eq!(
        adf,
        serde_json::json!({
            "name": "Dataverse_contoso",
            "properties": {
                "type": "Dynamics",
                "description": "Data Sync Contoso",
                "typeProperties": {
                    "deploymentType": "Online",
                    "serviceUri": ENV,
                    "authenticationType": "AADServicePrincipal",
                    "servicePrincipalId": CLIENT,
                    "servicePrincipalCredentialType": "ServicePrincipalKey",
                    "servicePrincipalCredential": {
                        "type": "AzureKeyVaultSecret",
                        "store": {"referenceName": "<key-vault-linked-service>", "type": "LinkedServiceReference"},
                        "secretName": "<client-secret-name>"
                    }
                }
            }
        })
    );
    let postman: Value = serde_json::from_str(&out(Format::Postman, &d, p)).unwrap();
    let login = format!("https://login.microsoftonline.com/{TENANT}");
    let vars: Vec<(&str, &str, &str)> = postman["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert_eq!(v["enabled"], true);
            (
                v["key"].as_str().unwrap(),
                v["value"].as_str().unwrap(),
                v["type"].as_str().unwrap(),
            )
        })
        .collect();
    let authurl =
        format!("{login}/oauth2/authorize?resource=https%3A%2F%2Fcontoso.crm4.dynamics.com");
    let tokenurl = format!("{login}/oauth2/v2.0/token");
    let scope = format!("{ENV}/.default");
    let webapiurl = format!("{ENV}/api/data/v9.2/");
    assert_eq!(
        vars,
        vec![
            ("url", ENV, "default"),
            ("clientid", CLIENT, "default"),
            ("version", "9.2", "default"),
            ("webapiurl", webapiurl.as_str(), "default"),
            ("callback", "", "default"),
            ("authurl", authurl.as_str(), "default"),
            ("tenantid", TENANT, "default"),
            ("tokenurl", tokenurl.as_str(), "default"),
            ("scope", scope.as_str(), "default"),
            ("clientsecret", "<client-secret>", "secret"),
        ]
    );
    assert_eq!(postman["name"], "Dataverse contoso - Data Sync Contoso");
    assert_eq!(postman["_postman_variable_scope"], "environment");
    let simego = out(Format::ConnectorValues, &d, p);
    assert!(simego.starts_with(&format!(
        "ServiceURL: {webapiurl}\nEntity: accounts\nEntityURLItemConvention: {{entity}}({{key}})\nOAuth2\n  AuthoriseURL: {login}/oauth2/authorize\n  TokenURL: {login}/oauth2/token\n  ClientID: {CLIENT}\n  ClientSecret: <client-secret>\n  Resource: {ENV}\n"
    )), "{simego}");
    assert!(
        simego.ends_with("  GrantType: client_credentials\n"),
        "{simego}"
    );
}

#[test]
fn the_secret_is_in_an_output_only_when_asked_and_the_placeholder_is_explained() {
    for (name, d) in drafts() {
        let c = conn(&d);
        let secret = d.client_secret.expose().to_string();
        for target in Target::ALL {
            for &f in target.formats() {
                let off = render(f, &c, SecretMode::Placeholder, now());
                assert!(!off.includes_secret, "{name} {f:?}");
                if !secret.is_empty() {
                    assert!(!off.text.contains(&secret), "{name} {f:?}");
                }
                let on = render(f, &c, SecretMode::Real, now());
                let masked = render(f, &c, SecretMode::Masked, now());
                if secret.is_empty() {
                    assert!(!on.includes_secret, "{name} {f:?}");
                    assert!(on.notes[0].contains("has no client secret"), "{name} {f:?}");
                    continue;
                }
                assert!(on.includes_secret, "{name} {f:?}");
                // The placeholder (or Key Vault reference) is named in a sentence.
                assert!(off.notes[0].contains("not included") || off.notes[0].contains("left out"));
                if f != Format::ConnectionJson {
                    let shown = if f == Format::DataFactory {
                        "<client-secret-name>"
                    } else {
                        SECRET_PLACEHOLDER
                    };
                    assert!(off.text.contains(shown), "{name} {f:?}");
                    assert!(!on.text.contains(SECRET_PLACEHOLDER), "{name} {f:?}");
                    assert!(masked.text.contains(SECRET_MASK), "{name} {f:?}");
                    assert!(!masked.text.contains(&secret), "{name} {f:?}");
                }
            }
        }
    }
}

/// The draft to import into: `d` without what `format` holds (so the import must bring it back).
fn without_what_it_holds(format: Format, d: &Draft) -> Draft {
    let mut base = d.clone();
    base.cloud = if d.cloud == Cloud::Public {
        Cloud::China
    } else {
        Cloud::Public
    };
    base.client_secret = SecretInput::default();
    let mut clear = vec![FieldId::EnvironmentUrl, FieldId::ClientId];
    match format {
        Format::ConnectionJson => return Draft::default(),
        Format::Postman => {
            clear.push(FieldId::TenantId);
            base.api_version = if d.api_version == ApiVersion::V9_0 {
                ApiVersion::V9_2
            } else {
                ApiVersion::V9_0
            };
            if d.grant_type == GrantType::AuthorizationCode {
                clear.push(FieldId::ConnectorRedirectUrl);
            }
        }
        Format::DotEnv => clear.push(FieldId::TenantId),
        _ => {}
    }
    for f in clear {
        f.set(&mut base, String::new());
    }
    base
}

#[test]
fn every_importable_format_round_trips_every_case() {
    let importable = [
        (Format::ConnectionJson, ImportKind::ConnectionJson),
        (Format::ConnectionString, ImportKind::ConnectionString),
        (Format::DataFactory, ImportKind::DataFactory),
        (Format::Postman, ImportKind::Postman),
        (Format::DotEnv, ImportKind::DotEnv),
    ];
    for (name, d) in drafts() {
        for (format, kind) in importable {
            for mode in [SecretMode::Real, SecretMode::Placeholder] {
                let text = out(format, &d, mode);
                let base = without_what_it_holds(format, &d);
                let merged = import_any(&text, &base, today())
                    .unwrap_or_else(|e| panic!("{name} {format:?} {mode:?}: {e}\n{text}"));
                assert_eq!(merged.report.kind, kind);
                let mut want = d.clone();
                if mode == SecretMode::Placeholder {
                    want.client_secret = SecretInput::default();
                }
                assert_eq!(merged.draft, want, "{name} {format:?} {mode:?}\n{text}");
            }
        }
    }
}

#[test]
fn debug_never_shows_the_secret() {
    for (name, d) in drafts() {
        let secret = d.client_secret.expose().to_string();
        if secret.is_empty() {
            continue;
        }
        let c = conn(&d);
        for target in Target::ALL {
            for &f in target.formats() {
                let r = render(f, &c, SecretMode::Real, now());
                assert!(r.includes_secret);
                assert!(!format!("{r:?}").contains(&secret), "{name} {f:?}");
                let merged = import_any(&r.text, &Draft::default(), today());
                if let Ok(m) = merged {
                    assert!(!format!("{m:?}").contains(&secret), "{name} {f:?}");
                    assert!(!m.report.summary().contains(&secret), "{name} {f:?}");
                }
            }
        }
        let pairs = wizard_core::targets::parse_connection_string(&out(
            Format::ConnectionString,
            &d,
            SecretMode::Real,
        ))
        .unwrap();
        assert!(!format!("{pairs:?}").contains(&secret), "{name}");
    }
}
