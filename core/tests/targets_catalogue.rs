//! What the review page ("Use it in…") shows around each output: the tabs' titles, ids and
//! sentences, the buttons' names, the downloads' file names and media types, and the sentence
//! that explains a left-out secret. The outputs themselves: `targets.rs`.

mod targets_support;

use std::collections::HashSet;

use targets_support::*;
use wizard_core::draft::SecretInput;
use wizard_core::targets::{render, Format, SecretMode, Target};

#[test]
fn every_tool_has_its_tab_title_id_and_sentence() {
    let expected = [
        (
            Target::Simego,
            "Simego Data Sync",
            "simego",
            "OData 4.0 connector",
        ),
        (
            Target::ConnectionString,
            "Connection string",
            "connection-string",
            "ServiceClient",
        ),
        (
            Target::PacCli,
            "Power Platform CLI",
            "pac",
            "authentication profile",
        ),
        (
            Target::DataFactory,
            "Data Factory",
            "data-factory",
            "linked service",
        ),
        (Target::DotEnv, ".env", "dotenv", "EnvironmentCredential"),
        (Target::Postman, "Postman", "postman", "Postman"),
    ];
    assert_eq!(Target::ALL.len(), expected.len());
    for (target, (want, title, slug, mentions)) in Target::ALL.into_iter().zip(expected) {
        assert_eq!(target, want, "the review page's order");
        assert_eq!(target.title(), title);
        assert_eq!(target.slug(), slug);
        let intro = target.intro();
        assert!(
            intro.contains(mentions) && intro.ends_with('.'),
            "{target:?}: {intro}"
        );
    }
    // Titles and ids tell the tabs apart; every id is usable in an HTML id.
    let slugs: HashSet<&str> = Target::ALL.iter().map(|t| t.slug()).collect();
    let intros: HashSet<&str> = Target::ALL.iter().map(|t| t.intro()).collect();
    assert_eq!((slugs.len(), intros.len()), (6, 6));
    assert!(slugs
        .iter()
        .all(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
}

#[test]
fn every_format_is_offered_by_exactly_one_tool() {
    let offered: Vec<Format> = Target::ALL
        .iter()
        .flat_map(|t| t.formats().iter().copied())
        .collect();
    assert_eq!(
        offered,
        [
            Format::ConnectorValues,
            Format::ConnectionJson,
            Format::ConnectionString,
            Format::PacBash,
            Format::PacPowerShell,
            Format::DataFactory,
            Format::DotEnv,
            Format::Postman,
        ]
    );
}

#[test]
fn every_download_has_its_button_name_file_name_and_media_type() {
    let c = conn(&fictional());
    let expected = [
        (
            Format::ConnectorValues,
            "Simego connector values",
            "simego-odata-contoso.txt",
        ),
        (
            Format::ConnectionJson,
            "connection JSON",
            "dataverse-connection-contoso.json",
        ),
        (
            Format::ConnectionString,
            "Dataverse connection string",
            "dataverse-contoso.connection-string.txt",
        ),
        (
            Format::PacBash,
            "pac auth create command for bash",
            "pac-auth-create-contoso.sh",
        ),
        (
            Format::PacPowerShell,
            "pac auth create command for PowerShell",
            "pac-auth-create-contoso.ps1",
        ),
        (
            Format::DataFactory,
            "Data Factory linked service",
            "Dataverse_contoso.json",
        ),
        (Format::DotEnv, ".env file", "dataverse-contoso.env"),
        (
            Format::Postman,
            "Postman environment",
            "dataverse-contoso.postman_environment.json",
        ),
    ];
    for (format, name, file) in expected {
        assert_eq!(format.name(), name);
        assert_eq!(format.file_name(&c), file);
        // A download saved as .json is JSON, and is sent as JSON; everything else is text.
        let text = render(format, &c, SecretMode::Placeholder, now()).text;
        let is_json = serde_json::from_str::<serde_json::Value>(&text).is_ok();
        assert_eq!(is_json, file.ends_with(".json"), "{format:?}");
        let media = if is_json {
            "application/json"
        } else {
            "text/plain"
        };
        assert_eq!(format.media_type(), media, "{format:?}");
    }
}

#[test]
fn a_left_out_secret_is_explained_in_the_words_of_each_output() {
    let with_secret = conn(&fictional());
    let note = |format| {
        render(format, &with_secret, SecretMode::Placeholder, now())
            .notes
            .first()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        note(Format::ConnectionJson),
        "The client secret is left out; tick Include client secret to add it."
    );
    assert!(note(Format::DataFactory).contains("reads it from Azure Key Vault"));
    for format in [Format::ConnectionString, Format::PacBash, Format::DotEnv] {
        assert!(
            note(format).starts_with(
                "The client secret is not included: replace <client-secret> with the secret's Value"
            ),
            "{format:?}: {}",
            note(format)
        );
    }
    // Shown (real or masked): nothing to explain.
    for mode in [SecretMode::Real, SecretMode::Masked] {
        let r = render(Format::ConnectionString, &with_secret, mode, now());
        assert!(r.notes.is_empty(), "{mode:?}: {:?}", r.notes);
    }

    // No secret at all (authorization code without one): the JSON simply has none; a tool that
    // signs in as the application needs one created.
    let mut d = fictional();
    d.grant_type = wizard_core::fields::GrantType::AuthorizationCode;
    d.connector_redirect_url = "http://localhost".into();
    d.client_secret = SecretInput::default();
    let without = conn(&d);
    let note = |format| render(format, &without, SecretMode::Real, now()).notes[0].clone();
    assert!(note(Format::ConnectionJson).ends_with("so the JSON has none."));
    assert!(note(Format::ConnectionString).contains("create a secret under Certificates & secrets"));
}

#[test]
fn debug_of_an_output_without_the_secret_shows_its_text() {
    // Redaction (targets.rs) must not hide what is safe to see when debugging.
    let r = render(
        Format::ConnectionString,
        &conn(&fictional()),
        SecretMode::Placeholder,
        now(),
    );
    let debug = format!("{r:?}");
    assert!(debug.starts_with("Rendered"), "{debug}");
    assert!(debug.contains(&format!("ClientId={CLIENT}")), "{debug}");
    let real = render(
        Format::ConnectionString,
        &conn(&fictional()),
        SecretMode::Real,
        now(),
    );
    assert!(format!("{real:?}").contains("[redacted"));
}

#[test]
fn the_env_file_says_the_sdks_cannot_sign_in_at_the_sandbox() {
    let mut sandbox = wizard_core::draft::sandbox::draft(today());
    sandbox.entity = "accounts".into();
    let says_http = |d: &wizard_core::draft::Draft| {
        render(Format::DotEnv, &conn(d), SecretMode::Placeholder, now())
            .notes
            .iter()
            .any(|n| n.contains("plain http"))
    };
    assert!(says_http(&sandbox));
    for (name, d) in per_cloud() {
        let is_sandbox = d.cloud == wizard_core::cloud::Cloud::Sandbox;
        assert_eq!(says_http(&d), is_sandbox, "{name}");
    }
}

#[test]
fn pac_says_what_it_cannot_do() {
    let notes = |format, d: &wizard_core::draft::Draft| {
        render(format, &conn(d), SecretMode::Placeholder, now())
            .notes
            .join(" ")
    };
    // The sandbox is not one of pac's clouds.
    let mut sandbox = wizard_core::draft::sandbox::draft(today());
    sandbox.entity = "accounts".into();
    assert!(notes(Format::PacBash, &sandbox).contains("cannot sign in to the local sandbox"));
    assert!(!notes(Format::PacBash, &fictional()).contains("sandbox"));
    // A double quote in a value trips Windows PowerShell 5.1, and only PowerShell.
    let mut quoted = fictional();
    quoted.app_name = "O'Brien's \"sync\"".into();
    assert!(notes(Format::PacPowerShell, &quoted).contains("PowerShell 7.3"));
    assert!(!notes(Format::PacBash, &quoted).contains("PowerShell 7.3"));
    assert!(!notes(Format::PacPowerShell, &fictional()).contains("PowerShell 7.3"));
}
