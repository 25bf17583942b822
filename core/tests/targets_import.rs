//! Reading connections back in: the connection-string syntax (DbConnectionStringBuilder's
//! rules), the documented aliases, sign-ins that are explained instead of guessed, format
//! detection, merging into the current draft, and one clear error (with where) for bad input.

mod targets_support;

use targets_support::*;
use wizard_core::cloud::Cloud;
use wizard_core::draft::{Draft, FieldId, SecretInput};
use wizard_core::fields::ApiVersion;
use wizard_core::targets::{
    build_connection_string, detect, import_any, parse_connection_string, render, Format,
    ImportError, ImportKind, SecretMode, SECRET_MASK,
};

fn kv(text: &str) -> Vec<(String, String)> {
    parse_connection_string(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .into_iter()
        .map(|p| (p.key, p.value))
        .collect()
}

#[test]
fn values_are_quoted_as_db_connection_string_builder_quotes_them() {
    // (value, what .NET's DbConnectionStringBuilder writes)
    let cases = [
        ("plain~value.0-9_", "plain~value.0-9_"),
        ("", ""),
        ("a;b", "\"a;b\""),
        ("a=b", "\"a=b\""),
        (" lead", "\" lead\""),
        ("trail ", "\"trail \""),
        ("say \"hi\"", "'say \"hi\"'"),
        ("it's", "\"it's\""),
        ("both ' and \"", "\"both ' and \"\"\""),
        ("Données 日本", "\"Données 日本\""),
        ("tab\there", "\"tab\there\""),
    ];
    for (value, want) in cases {
        let text = build_connection_string(&[("K", value)]);
        assert_eq!(text, format!("K={want}"), "{value:?}");
        assert_eq!(kv(&text), vec![("K".into(), value.into())], "{value:?}");
    }
    // A `=` in a key is doubled.
    assert_eq!(build_connection_string(&[("a=b", "c")]), "a==b=c");
    assert_eq!(kv("a==b=c"), vec![("a=b".into(), "c".into())]);
}

#[test]
fn connection_strings_parse_with_the_documented_syntax() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "AuthType=ClientSecret;Url=https://x.crm.dynamics.com",
            &[
                ("AuthType", "ClientSecret"),
                ("Url", "https://x.crm.dynamics.com"),
            ],
        ),
        // Blanks around keys and unquoted values, empty pairs, a trailing ;
        (
            "  Service Uri = https://x ;; ClientId=abc ;",
            &[("Service Uri", "https://x"), ("ClientId", "abc")],
        ),
        // Unquoted values may hold = and inner blanks.
        ("k=a=b c", &[("k", "a=b c")]),
        ("k='a;b'", &[("k", "a;b")]),
        ("k=\"a\"\"b\"", &[("k", "a\"b")]),
        ("k='it''s'  ; j=1", &[("k", "it's"), ("j", "1")]),
        ("k=", &[("k", "")]),
        ("k=;j=2", &[("k", ""), ("j", "2")]),
        (
            "\n AuthType=ClientSecret;\n  url=https://x\n",
            &[("AuthType", "ClientSecret"), ("url", "https://x")],
        ),
    ];
    for (text, want) in cases {
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(kv(text), want, "{text:?}");
    }
    // Positions are 1-based characters where the pair starts.
    let p = parse_connection_string("a=1; Url=é;ClientId=2").unwrap();
    assert_eq!(
        p.iter().map(|p| p.position).collect::<Vec<_>>(),
        vec![1, 6, 12]
    );
}

#[test]
fn keys_keep_inner_blanks_and_debug_hides_only_secrets() {
    // White space inside a key is part of it (tabs too); only other control characters are refused.
    let pairs = parse_connection_string("Client\tId=abc;ClientSecret=s3cr3t").unwrap();
    assert_eq!(pairs[0].key, "Client\tId");
    let debug = format!("{pairs:?}");
    assert!(
        debug.contains("Pair") && debug.contains("\"abc\""),
        "{debug}"
    );
    assert!(
        debug.contains("[redacted]") && !debug.contains("s3cr3t"),
        "{debug}"
    );
}

#[test]
fn syntax_errors_say_where() {
    let cases = [
        ("Url", 1, "has no = and no value"),
        (
            "AuthType=ClientSecret;Url;ClientId=x",
            23,
            "\"Url\" has no = before the ;",
        ),
        ("=x", 1, "a value without a key"),
        (
            "Url=https://x;ClientSecret=\"abc",
            15,
            "opens with \" but is never closed",
        ),
        ("ClientSecret='abc' def", 20, "text after the closing quote"),
        (
            "ClientSecret=abc'",
            1,
            "ends with a quote mark but does not start with one",
        ),
        ("k=a\u{1}b", 4, "a control character in a value"),
        ("Ur\u{1}l=x", 3, "a control character in a key"),
        ("k='a\u{0}b'", 5, "a NUL character in a quoted value"),
    ];
    for (text, position, problem) in cases {
        let e = parse_connection_string(text).unwrap_err();
        assert_eq!(e.position, position, "{text:?}: {e}");
        assert!(e.problem.contains(problem), "{text:?}: {e}");
    }
    // Through the importer: one message naming the format and the position; never the value.
    let e = import_any(
        "Url=https://x.crm.dynamics.com;ClientSecret=\"s3cr3t-value",
        &Draft::default(),
        today(),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("This Dataverse connection string cannot be read at character 32:"),
        "{msg}"
    );
    assert!(!msg.contains("s3cr3t"), "{msg}");
}

fn import(text: &str) -> Result<wizard_core::targets::Merged, ImportError> {
    import_any(text, &Draft::default(), today())
}

#[test]
fn aliases_and_case_insensitive_keys() {
    for (url, id, secret) in [
        ("Url", "ClientId", "ClientSecret"),
        ("ServiceUri", "AppId", "Secret"),
        ("Service Uri", "ApplicationId", "clientsecret"),
        ("SERVER", "appid", "SECRET"),
        ("url", "CLIENTID", "Secret"),
    ] {
        let text = format!("authtype=clientsecret; {url}={ENV};{id}={CLIENT};{secret}={SECRET}");
        let m = import(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(m.draft.environment_url, ENV, "{text}");
        assert_eq!(m.draft.client_id, CLIENT, "{text}");
        assert_eq!(m.draft.client_secret.expose(), SECRET, "{text}");
        assert_eq!(m.report.kind, ImportKind::ConnectionString);
    }
    // The same role twice: fine when equal, an error naming both places when not.
    assert!(import(&format!("Url={ENV};ServiceUri={ENV};ClientId={CLIENT}")).is_ok());
    let e = import(&format!(
        "Url={ENV};ClientId={CLIENT};AppId=11111111-2222-3333-4444-555555555555"
    ))
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("AppId (character 85) is not valid: it repeats ClientId (character 39)"),
        "{e}"
    );
}

#[test]
fn other_sign_ins_are_explained_not_guessed() {
    let cases = [
        ("AuthType=OAuth;Url=https://x.crm.dynamics.com;AppId=51f81489-12ee-4a9e-aaae-a2591f45987d;RedirectUri=app://58145B91-0C36-4500-8554-080854F2AC97;LoginPrompt=Auto", "AuthType=OAuth", "signs a person in interactively"),
        ("AuthType=Office365;Username=jsmith@contoso.onmicrosoft.com;Password=passcode;Url=https://contoso.crm.dynamics.com", "AuthType=Office365", "deprecated user name and password"),
        ("AuthType=Certificate;url=https://contosotest.crm.dynamics.com;thumbprint=ABC;ClientId=x", "AuthType=Certificate", "with a certificate"),
        ("AuthenticationType=IFD;Url=https://x", "AuthenticationType=IFD", "on-premises"),
    ];
    for (text, what, why) in cases {
        match import(text) {
            Err(e @ ImportError::Unsupported { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(what) && msg.contains(why) && msg.contains("(character 1)"),
                    "{msg}"
                );
                assert!(!msg.contains("passcode"), "{msg}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let e = import("AuthType=Kerberos;Url=https://x").unwrap_err();
    assert!(
        e.to_string().contains("\"Kerberos\" is not an AuthType"),
        "{e}"
    );
}

#[test]
fn a_connection_string_fills_what_it_holds_and_keeps_the_rest() {
    let mut current = fictional();
    current.client_secret = SecretInput::default();
    current.environment_url = "https://fabrikam.crm.dynamics.com".into();
    current.ticks.insert("register.create".into());
    let text = format!("AuthType=ClientSecret;Url=https://contoso.crm.microsoftdynamics.us;ClientId={CLIENT};ClientSecret={SECRET};RequireNewInstance=true");
    let m = import_any(&text, &current, today()).unwrap();
    let d = &m.draft;
    assert_eq!(
        d.environment_url,
        "https://contoso.crm.microsoftdynamics.us"
    );
    assert_eq!(d.cloud, Cloud::UsGov, "the environment's cloud is followed");
    assert_eq!(d.client_secret.expose(), SECRET);
    // Never cleared: what a connection string does not hold.
    assert_eq!(
        (
            d.tenant_id.as_str(),
            d.object_id.as_str(),
            d.entity.as_str()
        ),
        (TENANT, OBJECT, "accounts")
    );
    assert!(d.ticks.contains("register.create"));
    let r = &m.report;
    assert_eq!(
        r.filled,
        vec![
            "Environment URL",
            "Application (client) ID",
            "Microsoft cloud",
            "Client secret value"
        ]
    );
    assert!(r.missing.is_empty());
    let summary = r.summary();
    assert!(
        summary.starts_with("Imported a Dataverse connection string. Filled: Environment URL"),
        "{summary}"
    );
    assert!(
        summary.contains("Nothing required is missing."),
        "{summary}"
    );
    assert!(
        summary.contains("The Microsoft cloud is now US Government (GCC High)."),
        "{summary}"
    );
    assert!(
        summary.contains("Not used by the wizard: RequireNewInstance."),
        "{summary}"
    );

    // Into an empty draft: says what is still missing, with the steps.
    let m = import(&text).unwrap();
    assert_eq!(
        m.report.missing,
        vec![FieldId::TenantId, FieldId::ObjectId, FieldId::Entity]
    );
    assert!(m.report.summary().contains("Still missing: Directory (tenant) ID (step 4), Object ID (Enterprise application) (step 4), Entity (step 6)."));
}

#[test]
fn a_secret_kept_from_before_goes_only_when_the_app_changes() {
    let current = fictional();
    let same = import_any(&format!("Url={ENV};ClientId={CLIENT}"), &current, today()).unwrap();
    assert_eq!(same.draft.client_secret.expose(), SECRET);
    assert!(same
        .report
        .summary()
        .contains("The client secret entered before was kept."));
    let other = import_any(
        &format!("Url={ENV};ClientId=11111111-2222-3333-4444-555555555555"),
        &current,
        today(),
    )
    .unwrap();
    assert!(other.draft.client_secret.is_blank());
    assert!(other
        .report
        .summary()
        .contains("it belongs to the application you had before"));
    assert_eq!(other.report.missing, vec![FieldId::ClientSecret]);
    // Our own JSON without a secret, of the same app: the secret stays (nothing cleared).
    let c = conn(&current);
    let json = render(Format::ConnectionJson, &c, SecretMode::Placeholder, now()).text;
    let back = import_any(&json, &current, today()).unwrap();
    assert_eq!(back.draft, current);
    assert!(back
        .report
        .summary()
        .starts_with("Imported the connection. Filled: "));
}

#[test]
fn invalid_values_change_nothing_and_say_where() {
    let cases: &[(&str, &str)] = &[
        ("Url=https://make.powerapps.com;ClientId=7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d", "In this Dataverse connection string, Url (character 1) is not valid: "),
        ("Url=https://contoso.crm.dynamics.com;ClientId=not-a-guid", "ClientId (character 38) is not valid"),
        ("Url=https://contoso.crm.dynamics.com;ClientSecret=5ec2e700-1111-4222-8333-444455556666", "ClientSecret (character 38) is not valid: This looks like the Secret ID"),
        (r#"{"properties":{"type":"Dynamics","typeProperties":{"deploymentType":"Online","authenticationType":"AADServicePrincipal","serviceUri":"https://https://contoso.crm.dynamics.com","servicePrincipalId":"7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d"}}}"#, "properties.typeProperties.serviceUri is not valid"),
        (r#"{"properties":{"type":"Dynamics","typeProperties":{"deploymentType":"Online","authenticationType":"AADServicePrincipal","serviceUri":{"value":"@pipeline().x","type":"Expression"}}}}"#, "serviceUri is not valid: it is not text"),
        (r#"{"name":"x","values":[{"key":"url","value":"https://contoso.crm.dynamics.com"},{"key":"version","value":"8.2"}],"_postman_variable_scope":"environment"}"#, "values[1] (\"version\") is not valid: \"8.2\" is not one of"),
        (r#"{"name":"x","values":[{"key":"url","value":"https://contoso.crm.dynamics.com"},{"key":"version","value":"9.2"},{"key":"webapiurl","value":"https://other.crm.dynamics.com/api/data/v9.2/"}]}"#, "values[2] (\"webapiurl\") is not valid: it is https://other"),
        ("AZURE_CLIENT_ID=7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d\nAZURE_AUTHORITY_HOST=https://login.chinacloudapi.cn\nDATAVERSE_URL=https://contoso.crm.dynamics.com\n", "AZURE_AUTHORITY_HOST (line 2) is not valid: it is the China (21Vianet) sign-in"),
        ("AZURE_CLIENT_ID='7c1d9a2e\n", "This .env file cannot be read on line 1, character 17: the value opens with '"),
        ("{\"format\": \"dataverse-connection\", \"version\": 3}", "format version 3"),
        ("{ \"values\": [1, 2", "This is not valid JSON (line 1, column 17"),
        ("hello world", "This is not something the wizard can import."),
        ("   ", "There is nothing to import"),
    ];
    let current = fictional();
    for (text, want) in cases {
        let e = import_any(text, &current, today()).unwrap_err();
        assert!(e.to_string().contains(want), "{text}\n→ {e}");
    }
}

#[test]
fn data_factory_and_postman_inputs_as_people_have_them() {
    // Microsoft's documented example: the key as plain text, connectVia, annotations.
    let adf = format!(
        r#"{{"name":"DynamicsLinkedService","properties":{{"type":"Dynamics","typeProperties":{{"deploymentType":"Online","serviceUri":"{ENV}","authenticationType":"AADServicePrincipal","servicePrincipalId":"{CLIENT}","servicePrincipalCredentialType":"ServicePrincipalKey","servicePrincipalCredential":"{SECRET}"}},"connectVia":{{"referenceName":"ir","type":"IntegrationRuntimeReference"}},"annotations":[]}}}}"#
    );
    let m = import(&adf).unwrap();
    assert_eq!(
        (
            m.draft.environment_url.as_str(),
            m.draft.client_id.as_str(),
            m.draft.client_secret.expose()
        ),
        (ENV, CLIENT, SECRET)
    );
    // Just the properties part, Dataverse type, the secret in Key Vault.
    let akv = format!(
        r#"{{"type":"CommonDataServiceForApps","typeProperties":{{"deploymentType":"Online","serviceUri":"{ENV}","authenticationType":"AADServicePrincipal","servicePrincipalId":"{CLIENT}","servicePrincipalCredential":{{"type":"AzureKeyVaultSecret","store":{{"referenceName":"kv","type":"LinkedServiceReference"}},"secretName":"dv-secret"}}}}}}"#
    );
    let m = import(&akv).unwrap();
    assert!(m.draft.client_secret.is_blank());
    assert!(m
        .report
        .summary()
        .contains("stays in Azure Key Vault (secret dv-secret)"));
    for (auth, why) in [
        ("ManagedIdentity", "managed identity"),
        ("Office365", "user name and password"),
    ] {
        let t = format!(
            r#"{{"type":"Dynamics","typeProperties":{{"deploymentType":"Online","serviceUri":"{ENV}","authenticationType":"{auth}"}}}}"#
        );
        let e = import(&t).unwrap_err();
        assert!(
            matches!(e, ImportError::Unsupported { .. }) && e.to_string().contains(why),
            "{e}"
        );
    }
    let cert = format!(
        r#"{{"type":"Dynamics","typeProperties":{{"deploymentType":"Online","serviceUri":"{ENV}","authenticationType":"AADServicePrincipal","servicePrincipalCredentialType":"ServicePrincipalCert"}}}}"#
    );
    assert!(import(&cert)
        .unwrap_err()
        .to_string()
        .contains("certificate"));
    let sql = r#"{"properties":{"type":"AzureSqlDatabase","typeProperties":{}}}"#;
    assert!(import(sql)
        .unwrap_err()
        .to_string()
        .contains("type \"AzureSqlDatabase\""));

    // Microsoft's documented Postman environment: template values, the sample client ID.
    let ms = r#"{"name":"MyNewEnvironment","values":[
        {"key":"url","value":"https://contoso.crm.dynamics.com","enabled":true},
        {"key":"clientid","value":"51f81489-12ee-4a9e-aaae-a2591f45987d","enabled":true},
        {"key":"version","value":"9.1","enabled":true},
        {"key":"webapiurl","value":"{{url}}/api/data/v{{version}}/","enabled":true},
        {"key":"callback","value":"https://localhost","enabled":true},
        {"key":"authurl","value":"https://login.microsoftonline.com/common/oauth2/authorize?resource={{url}}","enabled":true},
        {"key":"tenantid","value":"ignored-because-disabled","enabled":false}]}"#;
    let mut current = fictional();
    current.client_id.clear();
    let m = import_any(ms, &current, today()).unwrap();
    assert_eq!(m.draft.environment_url, "https://contoso.crm.dynamics.com");
    assert_eq!(m.draft.api_version, ApiVersion::V9_1);
    assert_eq!(
        m.draft.client_id, "",
        "Microsoft's sample app is not the user's"
    );
    assert_eq!(m.draft.connector_redirect_url, "");
    assert_eq!(m.draft.tenant_id, TENANT, "a disabled variable is skipped");
    assert!(m
        .report
        .summary()
        .contains("clientid is Microsoft's sample application"));
}

#[test]
fn detection() {
    let c = conn(&fictional());
    for (format, kind) in [
        (Format::ConnectionJson, ImportKind::ConnectionJson),
        (Format::ConnectionString, ImportKind::ConnectionString),
        (Format::DataFactory, ImportKind::DataFactory),
        (Format::Postman, ImportKind::Postman),
        (Format::DotEnv, ImportKind::DotEnv),
    ] {
        let text = render(format, &c, SecretMode::Placeholder, now()).text;
        assert_eq!(detect(&text), Some(kind), "{format:?}");
        assert_eq!(
            detect(&format!("\u{feff}\n  {text}\n")),
            Some(kind),
            "{format:?} with BOM and blanks"
        );
    }
    for text in [
        "",
        "pac auth create --name x",
        "{\"a\": 1}",
        "[1]",
        "just words",
        "x=1;y=2",
        // Other JSON with a "type": a cloud credentials file is not a linked service.
        "{\"type\": \"service_account\", \"project_id\": \"x\"}",
        "{\"typeProperties\": {}}",
        // A Postman environment has a list of values and a name or scope.
        "{\"name\": \"x\"}",
        "{\"values\": []}",
    ] {
        assert_eq!(detect(text), None, "{text}");
    }
    // A Dynamics linked service for on-premises is recognised, then explained.
    let on_prem = r#"{"name": "x", "properties": {"type": "Dynamics", "typeProperties": {
        "deploymentType": "OnPremisesWithIfd", "hostName": "crm.contoso.local",
        "authenticationType": "Ifd"}}}"#;
    assert_eq!(detect(on_prem), Some(ImportKind::DataFactory));
    let msg = import_any(on_prem, &Draft::default(), today())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("on-premises"), "{msg}");
}

#[test]
fn env_files_as_shells_and_dotenv_readers_write_them() {
    let client = "AZURE_CLIENT_ID=7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d";
    let env = |extra: &str| format!("{client}\n{extra}\n");
    let read = |text: &str| import_any(text, &Draft::default(), today());
    // Keys may start with _ and hold dots; keys the wizard does not use are named as ignored.
    let m = read(&env("_PRIVATE=1\nspring.profile=dev\nexport OTHER=x")).unwrap();
    let notes = m.report.notes.join(" ");
    for key in ["_PRIVATE", "spring.profile", "OTHER"] {
        assert!(notes.contains(key), "{key}: {notes}");
    }
    assert!(!notes.contains("AZURE_CLIENT_ID"), "{notes}");
    // A key must not start with a digit.
    let e = read(&env("1BAD=x")).unwrap_err().to_string();
    assert!(
        e.contains("line 2, character 1: not a KEY=value line"),
        "{e}"
    );
    // The same key twice: fine with the same value, an error with another.
    assert!(read(&format!("{client}\n{client}\n")).is_ok());
    let e = read(&env("AZURE_CLIENT_ID=00000000-5b3f-4e8a-9d6c-1f2e3a4b5c6d"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("it repeats line 1 with another value"), "{e}");
    // Errors in a value point at the character, after blanks and `export`.
    let e = read(&env("export AZURE_TENANT_ID=   'abc"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 2, character 27: the value opens with '"),
        "{e}"
    );
    let e = read(&env("AZURE_TENANT_ID='abc' x"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("text after the closing '"), "{e}");
    // A comment may follow the closing quote.
    let secret = |text: &str| read(text).unwrap().draft.client_secret.expose().to_string();
    assert_eq!(
        secret(&env(
            "AZURE_CLIENT_SECRET='ab\\ncd~0123456789012345678901234' # from the portal"
        )),
        "ab\\ncd~0123456789012345678901234",
        "single quotes keep a backslash as written"
    );
    assert_eq!(
        secret(&env(
            "AZURE_CLIENT_SECRET=\"ab\\\"cd~0123456789012345678901234\""
        )),
        "ab\"cd~0123456789012345678901234",
        "double quotes read python-dotenv's escapes"
    );
}

#[test]
fn placeholders_are_not_taken_for_secrets() {
    let read = |secret: &str| {
        let text = format!(
            "AZURE_CLIENT_ID=7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d\nAZURE_CLIENT_SECRET='{secret}'\n"
        );
        import_any(&text, &Draft::default(), today()).unwrap()
    };
    for placeholder in ["<client-secret>", SECRET_MASK, "<my secret here>"] {
        let m = read(placeholder);
        assert!(m.draft.client_secret.is_blank(), "{placeholder}");
        assert!(
            m.report.summary().contains("holds the placeholder"),
            "{placeholder}"
        );
    }
    // A real secret may start with < (or end with >): only <…> as a whole is a placeholder.
    for real in [
        "<abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1f",
        "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1f>",
    ] {
        assert_eq!(read(real).draft.client_secret.expose(), real);
    }
}

#[test]
fn the_authority_host_alone_sets_the_cloud() {
    let text = "AZURE_CLIENT_ID=7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d\nAZURE_AUTHORITY_HOST=https://login.chinacloudapi.cn\n";
    let m = import_any(text, &fictional(), today()).unwrap();
    assert_eq!(m.draft.cloud, Cloud::China);
}

#[test]
fn blank_postman_variables_keep_what_the_draft_has() {
    let env = r#"{"name": "x", "values": [
        {"key": "url", "value": "", "enabled": true},
        {"key": "clientid", "value": "  ", "enabled": true},
        {"key": "tenantid", "value": "", "enabled": true},
        {"key": "version", "value": "9.1", "enabled": true}]}"#;
    let current = fictional();
    let m = import_any(env, &current, today()).unwrap();
    assert_eq!(m.draft.client_id, current.client_id);
    assert_eq!(m.draft.tenant_id, current.tenant_id);
    assert_eq!(m.draft.environment_url, current.environment_url);
    assert_eq!(m.draft.api_version, ApiVersion::V9_1);
}
