//! Each output checked against its consumer's own rules where they can be run or read: bash
//! itself (pac command, sourced .env), python-dotenv when installed, PowerShell's quoting rules,
//! and the JSON shapes Data Factory and Postman document (serde structs that deny unknown keys).

mod targets_support;

use std::process::{Command, Output};

use serde::Deserialize;
use serde_json::Value;
use targets_support::*;
use wizard_core::cloud::Cloud;
use wizard_core::targets::{Format, SecretMode, SECRET_PLACEHOLDER};

/// What a program printed, split at NUL bytes.
fn nul_separated(output: Output) -> Vec<String> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .split_terminator('\0')
        .map(String::from)
        .collect()
}

// Data Factory's documented linked-service shape (connector-dynamics-crm-office-365, "Linked
// service properties"; SecretBase is SecureString or AzureKeyVaultSecretReference).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdfLinkedService {
    name: String,
    properties: AdfProperties,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AdfProperties {
    #[serde(rename = "type")]
    kind: AdfType,
    #[allow(dead_code)]
    description: Option<String>,
    type_properties: AdfDynamics,
    #[allow(dead_code)]
    connect_via: Option<Value>,
}

#[derive(Deserialize, PartialEq, Debug)]
enum AdfType {
    Dynamics,
    DynamicsCrm,
    CommonDataServiceForApps,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AdfDynamics {
    deployment_type: AdfDeployment,
    service_uri: String,
    authentication_type: AdfAuth,
    service_principal_id: String,
    service_principal_credential_type: AdfCredentialType,
    service_principal_credential: AdfSecret,
}

#[derive(Deserialize, PartialEq, Debug)]
enum AdfDeployment {
    Online,
    OnPremisesWithIfd,
}

#[derive(Deserialize, PartialEq, Debug)]
enum AdfAuth {
    AADServicePrincipal,
    Office365,
    Ifd,
    ManagedIdentity,
}

#[derive(Deserialize, PartialEq, Debug)]
enum AdfCredentialType {
    ServicePrincipalKey,
    ServicePrincipalCert,
}

#[derive(Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
enum AdfSecret {
    SecureString {
        value: String,
    },
    AzureKeyVaultSecret {
        store: AdfReference,
        #[serde(rename = "secretName")]
        secret_name: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AdfReference {
    reference_name: String,
    #[serde(rename = "type")]
    kind: String,
}

#[test]
fn data_factory_output_has_the_documented_linked_service_shape() {
    for (name, d) in drafts() {
        for mode in [SecretMode::Real, SecretMode::Placeholder] {
            let text = out(Format::DataFactory, &d, mode);
            let ls: AdfLinkedService =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            // Data Factory names: a letter, digit or _ first; none of . + ? / < > * % & : \
            assert!(ls
                .name
                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
            assert!(!ls
                .name
                .contains(['.', '+', '?', '/', '<', '>', '*', '%', '&', ':', '\\']));
            assert_eq!(ls.properties.kind, AdfType::Dynamics);
            let tp = ls.properties.type_properties;
            assert_eq!(tp.deployment_type, AdfDeployment::Online);
            assert_eq!(tp.authentication_type, AdfAuth::AADServicePrincipal);
            assert_eq!(
                tp.service_principal_credential_type,
                AdfCredentialType::ServicePrincipalKey
            );
            assert_eq!(tp.service_uri, conn(&d).environment.as_str());
            assert_eq!(tp.service_principal_id, CLIENT);
            match (
                tp.service_principal_credential,
                mode,
                d.client_secret.is_blank(),
            ) {
                (AdfSecret::SecureString { value }, SecretMode::Real, false) => {
                    assert_eq!(value, d.client_secret.expose())
                }
                (AdfSecret::AzureKeyVaultSecret { store, secret_name }, _, _) => {
                    assert_eq!(store.kind, "LinkedServiceReference");
                    assert_eq!(store.reference_name, "<key-vault-linked-service>");
                    assert_eq!(secret_name, "<client-secret-name>");
                }
                _ => panic!("{name} {mode:?}: wrong credential kind"),
            }
        }
    }
}

// Postman's environment file, as Postman exports and imports it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostmanEnvironment {
    #[allow(dead_code)]
    id: Option<String>,
    name: String,
    values: Vec<PostmanVariable>,
    #[serde(rename = "_postman_variable_scope")]
    scope: String,
    #[allow(dead_code)]
    #[serde(rename = "_postman_exported_at")]
    exported_at: Option<String>,
    #[allow(dead_code)]
    #[serde(rename = "_postman_exported_using")]
    exported_using: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostmanVariable {
    key: String,
    value: String,
    #[serde(rename = "type")]
    kind: PostmanType,
    enabled: bool,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(rename_all = "lowercase")]
enum PostmanType {
    Default,
    Secret,
}

#[test]
fn postman_output_is_a_postman_environment_with_microsofts_variables() {
    for (name, d) in drafts() {
        let text = out(Format::Postman, &d, SecretMode::Real);
        let env: PostmanEnvironment =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(env.scope, "environment");
        assert!(!env.name.is_empty() && !env.name.contains('\n'));
        let get = |k: &str| {
            env.values
                .iter()
                .find(|v| v.key == k)
                .map(|v| v.value.as_str())
        };
        for key in [
            "url",
            "clientid",
            "version",
            "webapiurl",
            "callback",
            "authurl",
        ] {
            assert!(get(key).is_some(), "{name}: no {key}");
        }
        assert!(env.values.iter().all(|v| v.enabled));
        let c = conn(&d);
        // Microsoft's requests are "{{webapiurl}}WhoAmI": the Web API root with its slash.
        assert_eq!(
            get("webapiurl").map(|w| format!("{w}WhoAmI")),
            Some(format!(
                "{}/api/data/{}/WhoAmI",
                c.environment,
                c.api_version.as_str()
            ))
        );
        assert_eq!(get("version"), Some(&c.api_version.as_str()[1..]));
        // authurl is the tenant's v1 authorize endpoint with resource={{url}}.
        let auth = url::Url::parse(get("authurl").unwrap()).unwrap();
        assert!(auth.path().ends_with("/oauth2/authorize"), "{name}");
        assert_eq!(
            auth.query_pairs().collect::<Vec<_>>(),
            vec![("resource".into(), get("url").unwrap().into())]
        );
        let secret = env.values.iter().find(|v| v.key == "clientsecret").unwrap();
        assert_eq!(secret.kind, PostmanType::Secret);
        assert!(env
            .values
            .iter()
            .filter(|v| v.key != "clientsecret")
            .all(|v| v.kind == PostmanType::Default));
    }
}

/// Runs bash with `pac` as a function that prints its arguments, NUL-separated.
fn bash_args(script: &str) -> Vec<String> {
    nul_separated(
        Command::new("bash")
            .arg("-c")
            .arg(format!("pac() {{ printf '%s\\0' \"$@\"; }}\n{script}"))
            .output()
            .expect("bash runs"),
    )
}

/// PowerShell's reading of our lines (no pwsh here): backtick continuations, then words that
/// are plain or single-quoted, where any of ' ‘ ’ ‚ ‛ is a quote mark and a doubled one is one.
fn powershell_args(script: &str) -> Vec<String> {
    let quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}');
    let joined = script.replace(" `\n", " ");
    let mut words = Vec::new();
    let mut chars = joined.trim_end().chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            continue;
        }
        let mut w = String::new();
        if quote(c) {
            while let Some(c) = chars.next() {
                if quote(c) {
                    match chars.peek() {
                        Some(&n) if quote(n) => w.push(chars.next().unwrap()),
                        _ => break,
                    }
                } else {
                    w.push(c);
                }
            }
        } else {
            assert!(
                c.is_ascii_alphanumeric() || "_./:-".contains(c),
                "unquoted {c:?} in {script}"
            );
            w.push(c);
            while let Some(&n) = chars.peek() {
                if n == ' ' {
                    break;
                }
                assert!(
                    n.is_ascii_alphanumeric() || "_./:-".contains(n),
                    "unquoted {n:?} in {script}"
                );
                w.push(n);
                chars.next();
            }
        }
        words.push(w);
    }
    words.drain(..1);
    words
}

#[test]
fn pac_commands_pass_every_value_unchanged_through_bash_and_powershell() {
    for (name, d) in drafts() {
        let c = conn(&d);
        let app = d.app_name.trim();
        let profile: String = if app.is_empty() {
            "contoso".into()
        } else {
            app.chars()
                .take(30)
                .collect::<String>()
                .trim_end()
                .to_string()
        };
        let mut want: Vec<String> = [
            "auth",
            "create",
            "--name",
            &profile,
            "--applicationId",
            CLIENT,
            "--clientSecret",
        ]
        .map(String::from)
        .to_vec();
        let secret = d.client_secret.expose();
        want.push(if secret.is_empty() {
            SECRET_PLACEHOLDER.into()
        } else {
            secret.into()
        });
        want.extend([
            "--tenant".to_string(),
            c.tenant.to_string(),
            "--environment".into(),
            c.environment.to_string(),
        ]);
        let cloud = match name.as_str() {
            "cloud gcc" => Some("UsGov"),
            "cloud gcc-high" => Some("UsGovHigh"),
            "cloud dod" => Some("UsGovDod"),
            "cloud china" => Some("China"),
            _ => None,
        };
        if let Some(cloud) = cloud {
            want.extend(["--cloud".to_string(), cloud.to_string()]);
        }
        assert!(profile.chars().count() <= 30);
        assert_eq!(
            bash_args(&out(Format::PacBash, &d, SecretMode::Real)),
            want,
            "{name}"
        );
        assert_eq!(
            powershell_args(&out(Format::PacPowerShell, &d, SecretMode::Real)),
            want,
            "{name}"
        );
    }
}

#[test]
fn dotenv_values_read_back_the_same_in_bash_and_python_dotenv() {
    let dir = std::env::temp_dir().join(format!("wizard-targets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let has_python_dotenv = Command::new("python3")
        .args(["-c", "import dotenv"])
        .output()
        .is_ok_and(|o| o.status.success());
    for (i, (name, d)) in drafts().into_iter().enumerate() {
        let c = conn(&d);
        let file = dir.join(format!("{i}.env"));
        std::fs::write(&file, out(Format::DotEnv, &d, SecretMode::Real)).unwrap();
        let secret = if d.client_secret.is_blank() {
            SECRET_PLACEHOLDER
        } else {
            d.client_secret.expose()
        };
        let mut want = vec![
            c.tenant.to_string(),
            CLIENT.to_string(),
            secret.to_string(),
            c.environment.to_string(),
        ];
        if c.cloud != Cloud::Public {
            want.push(c.cloud.profile().login_base.to_string());
        }
        let keys = "AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET DATAVERSE_URL AZURE_AUTHORITY_HOST";
        let sh = Command::new("bash")
            .arg("-c")
            .arg(format!("set -a; . \"$1\"; for k in {keys}; do [ -n \"${{!k+x}}\" ] && printf '%s\\0' \"${{!k}}\"; done; true"))
            .arg("-")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(nul_separated(sh), want, "bash, {name}");
        if has_python_dotenv {
            let script = format!(
                "import sys, dotenv\nv = dotenv.dotenv_values(sys.argv[1])\n\
                 sys.stdout.write(''.join(v[k] + '\\0' for k in '{keys}'.split() if k in v))"
            );
            let py = Command::new("python3")
                .args(["-c", &script, file.to_str().unwrap()])
                .output()
                .unwrap();
            let got = nul_separated(py);
            assert_eq!(got, want, "python-dotenv, {name}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
