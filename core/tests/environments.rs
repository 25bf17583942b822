//! One setup across several environments: the draft's list, the per-environment drafts every
//! screen reads, the problems of the others, and the version 2 export that holds them all.

use chrono::{DateTime, NaiveDate, Utc};
use wizard_core::draft::{sandbox, Draft, FieldId, OtherEnvironment, Severity};
use wizard_core::export::{
    export_json, export_setup_json, import_json, suggested_setup_file_name, ImportError,
};
use wizard_core::fields::EnvironmentUrl;
use wizard_core::webapi::service_url;

const TEST_URL: &str = "http://contosotest.crm.localhost:8081";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).expect("a date")
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

fn env(url: &str) -> EnvironmentUrl {
    EnvironmentUrl::parse(url).expect("an environment").value
}

/// The sandbox draft with `accounts`, then Contoso Test chosen.
fn two() -> Draft {
    let mut d = sandbox::draft(today());
    d.entity = "accounts".into();
    d.add_environment(&env(sandbox::ENVIRONMENT_URL), "Contoso");
    d.add_environment(&env(TEST_URL), "Contoso Test");
    d
}

#[test]
fn choosing_fills_the_form_first_then_adds_with_the_first_entity() {
    let mut d = sandbox::draft(today());
    d.environment_url.clear();
    d.entity = "contacts".into();
    assert_eq!(d.environment_count(), 0);
    d.add_environment(&env(TEST_URL), "Contoso Test");
    assert_eq!(d.environment_url, TEST_URL);
    assert_eq!(d.environment_name, "Contoso Test");
    assert!(d.more_environments.is_empty());
    d.add_environment(&env(sandbox::ENVIRONMENT_URL), "Contoso");
    d.add_environment(&env("contoso.crm.localhost:8081"), "Contoso");
    assert_eq!(
        d.more_environments,
        vec![OtherEnvironment {
            url: sandbox::ENVIRONMENT_URL.into(),
            name: "Contoso".into(),
            entity: "contacts".into(),
        }]
    );
    assert_eq!(d.environment_count(), 2);
    assert!(d.has_environment(&env(sandbox::ENVIRONMENT_URL)));
    assert!(!d.has_environment(&env("http://slow.crm.localhost:8081")));
}

#[test]
fn each_environment_is_an_ordinary_draft_with_its_own_url_name_and_entity() {
    let mut d = two();
    d.more_environments[0].entity = "contacts".into();
    let each = d.per_environment();
    assert_eq!(each.len(), 2);
    assert_eq!(each[0].environment_label(), "Contoso");
    assert_eq!(each[1].environment_label(), "Contoso Test");
    assert_eq!(each[1].entity, "contacts");
    assert_eq!(each[0].entity, "accounts");
    assert!(each.iter().all(|e| e.more_environments.is_empty()));
    assert_eq!(each[1].client_id, d.client_id);
    assert_eq!(
        each[1].service_url(),
        Some(service_url(&env(TEST_URL), d.api_version))
    );
}

#[test]
fn editing_another_environment_swaps_it_into_the_form_and_back() {
    let mut d = two();
    d.more_environments[0].entity = "contacts".into();
    let before = d.clone();
    d.edit_environment(0);
    assert_eq!(d.environment_url, TEST_URL);
    assert_eq!(d.entity, "contacts");
    assert_eq!(d.more_environments[0].url, sandbox::ENVIRONMENT_URL);
    assert_eq!(d.more_environments[0].entity, "accounts");
    d.edit_environment(5);
    d.edit_environment(0);
    assert_eq!(d, before);
}

#[test]
fn removing_the_form_environment_moves_the_next_one_in() {
    let mut d = two();
    d.more_environments[0].entity = "contacts".into();
    d.remove_environment(&env(sandbox::ENVIRONMENT_URL));
    assert_eq!(d.environment_url, TEST_URL);
    assert_eq!(d.environment_name, "Contoso Test");
    assert_eq!(d.entity, "contacts");
    assert!(d.more_environments.is_empty());
    d.remove_environment(&env(TEST_URL));
    assert_eq!(d.environment_url, "");
    assert_eq!(d.environment_count(), 0);

    let mut d = two();
    d.remove_environment(&env(TEST_URL));
    assert!(d.more_environments.is_empty());
    assert_eq!(d.environment_url, sandbox::ENVIRONMENT_URL);
}

#[test]
fn typing_another_url_forgets_the_friendly_name_but_a_respelling_keeps_it() {
    let mut d = two();
    FieldId::EnvironmentUrl.set(&mut d, "contoso.crm.localhost:8081/".into());
    assert_eq!(d.environment_name, "Contoso");
    FieldId::EnvironmentUrl.set(&mut d, "http://slow.crm.localhost:8081".into());
    assert_eq!(d.environment_name, "");
    assert_eq!(d.environment_label(), "slow");
}

#[test]
fn the_others_problems_name_their_environment_and_block_the_export() {
    let mut d = two();
    assert!(d.problems(today()).is_empty(), "{:?}", d.problems(today()));
    assert_eq!(d.validate_all(today()).map(|c| c.len()), Ok(2));
    d.more_environments[0].entity = "".into();
    assert!(d.problems(today()).is_empty(), "blank: the form's entity");
    assert_eq!(d.per_environment()[1].entity, "accounts");
    d.more_environments[0].entity = "not an entity set!".into();
    let problems = d.problems(today());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].severity, Severity::Error);
    assert!(
        problems[0].message.starts_with("Contoso Test: "),
        "{problems:?}"
    );
    assert!(d.validate_all(today()).is_err());
    // One setup: the other environment's error blocks the form's export too.
    assert!(d.validate(today()).is_err());

    let mut d = two();
    d.more_environments.push(OtherEnvironment {
        url: "contoso.crm.localhost:8081".into(),
        name: "Again".into(),
        entity: "accounts".into(),
    });
    let problems = d.problems(today());
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("in the setup twice")),
        "{problems:?}"
    );
    let mut d = two();
    d.more_environments[0].url = "https://make.powerapps.com".into();
    assert!(d.problems(today())[0]
        .message
        .starts_with("Contoso Test: Environment URL"));
}

#[test]
fn the_export_holds_one_connection_per_environment_and_imports_back() {
    let mut d = two();
    d.more_environments[0].entity = "contacts".into();
    let conns = d.validate_all(today()).expect("complete");
    let text = export_setup_json(&conns, false, at());
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["version"], 2);
    let c = v["connections"].as_array().expect("connections");
    assert_eq!(c.len(), 2);
    assert_eq!(c[0]["environmentName"], "Contoso");
    assert_eq!(c[1]["environmentName"], "Contoso Test");
    assert_eq!(
        c[1]["connector"]["ServiceURL"],
        "http://contosotest.crm.localhost:8081/api/data/v9.2/"
    );
    assert_eq!(c[1]["connector"]["Entity"], "contacts");
    assert!(!text.contains(sandbox::CLIENT_SECRET));
    assert_eq!(
        suggested_setup_file_name(&conns),
        "dataverse-connections-contoso-contosotest.json"
    );

    let mut want = d.clone();
    want.client_secret = Default::default();
    assert_eq!(import_json(&text, today()), Ok(want));
    let with = export_setup_json(&conns, true, at());
    assert_eq!(import_json(&with, today()), Ok(d));
}

#[test]
fn a_file_whose_connections_name_two_apps_or_one_environment_twice_is_refused() {
    let conns = two().validate_all(today()).expect("complete");
    let mut v: serde_json::Value =
        serde_json::from_str(&export_setup_json(&conns, false, at())).expect("json");
    let mut other_app = v.clone();
    other_app["connections"][1]["azure"]["secretExpires"] = "2099-01-01".into();
    match import_json(&other_app.to_string(), today()) {
        Err(ImportError::Invalid { field, message }) => {
            assert_eq!(field, "connections[1].azure");
            assert!(message.contains("one app's connections"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let first = v["connections"][0].clone();
    v["connections"][1] = first;
    match import_json(&v.to_string(), today()) {
        Err(ImportError::Invalid { field, .. }) => {
            assert_eq!(field, "connections[1].azure.environmentUrl")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_value_in_the_second_connection_is_named_with_its_index() {
    let conns = two().validate_all(today()).expect("complete");
    let mut v: serde_json::Value =
        serde_json::from_str(&export_setup_json(&conns, false, at())).expect("json");
    v["connections"][1]["azure"]["tenantId"] = "".into();
    match import_json(&v.to_string(), today()) {
        Err(ImportError::Invalid { field, message }) => {
            assert_eq!(field, "connections[1].azure.tenantId");
            assert!(message.contains("missing or empty"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let mut secret_in_one: serde_json::Value =
        serde_json::from_str(&export_setup_json(&conns, true, at())).expect("json");
    secret_in_one["connections"][1]["connector"]["OAuth2"]
        .as_object_mut()
        .expect("object")
        .remove("ClientSecret");
    match import_json(&secret_in_one.to_string(), today()) {
        Err(ImportError::Invalid { field, .. }) => assert_eq!(field, "includesClientSecret"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_one_environment_file_of_version_1_still_imports() {
    let d = {
        let mut d = sandbox::draft(today());
        d.entity = "accounts".into();
        d
    };
    let v2: serde_json::Value = serde_json::from_str(&export_json(
        &d.validate(today()).expect("complete"),
        false,
        at(),
    ))
    .expect("json");
    let c = &v2["connections"][0];
    let v1 = serde_json::json!({
        "format": "dataverse-connection", "version": 1, "exportedAt": v2["exportedAt"],
        "includesClientSecret": false, "connector": c["connector"], "azure": c["azure"],
        "applicationUser": c["applicationUser"],
    });
    let back = import_json(&v1.to_string(), today()).expect("version 1 imports");
    assert_eq!(back.environment_url, d.environment_url);
    assert!(back.more_environments.is_empty());
    assert_eq!(back.entity, "accounts");
}

#[test]
fn importing_the_setup_file_on_the_review_page_brings_every_environment() {
    let d = two();
    let conns = d.validate_all(today()).expect("complete");
    let text = export_setup_json(&conns, false, at());
    let merged =
        wizard_core::targets::import_any(&text, &Draft::default(), today()).expect("imports");
    assert_eq!(merged.draft.environment_name, "Contoso");
    assert_eq!(merged.draft.more_environments, d.more_environments);
    assert!(merged.report.summary().contains("Other environments"));
    // A connection string names one environment: the others stay.
    let cs = format!(
        "AuthType=ClientSecret;Url={TEST_URL};ClientId={}",
        d.client_id
    );
    let again = wizard_core::targets::import_any(&cs, &d, today()).expect("imports");
    assert_eq!(again.draft.more_environments, d.more_environments);
}

#[test]
fn the_setup_json_output_is_one_file_for_every_environment_and_one_for_one() {
    use wizard_core::targets::{
        render, render_setup_json, setup_json_file_name, Format, SecretMode,
    };
    let d = two();
    let conns = d.validate_all(today()).expect("complete");
    let all = render_setup_json(&conns, SecretMode::Placeholder, at()).expect("rendered");
    let v: serde_json::Value = serde_json::from_str(&all.text).expect("json");
    assert_eq!(v["connections"].as_array().map(Vec::len), Some(2));
    assert!(!all.includes_secret);
    assert!(!all.text.contains(sandbox::CLIENT_SECRET));
    let real = render_setup_json(&conns, SecretMode::Real, at()).expect("rendered");
    assert!(real.includes_secret);
    assert_eq!(real.text.matches(sandbox::CLIENT_SECRET).count(), 2);
    let masked = render_setup_json(&conns, SecretMode::Masked, at()).expect("rendered");
    assert!(!masked.text.contains(sandbox::CLIENT_SECRET));
    let one = render_setup_json(&conns[..1], SecretMode::Placeholder, at()).expect("rendered");
    assert_eq!(
        one,
        render(
            Format::ConnectionJson,
            &conns[0],
            SecretMode::Placeholder,
            at()
        )
    );
    assert_eq!(
        setup_json_file_name(&conns[..1]),
        "dataverse-connection-contoso.json"
    );
    assert!(render_setup_json(&[], SecretMode::Real, at()).is_none());
}

#[test]
fn discovery_names_the_environments_typed_before_without_renaming_any() {
    let mut d = sandbox::draft(today());
    d.entity = "accounts".into();
    d.more_environments.push(OtherEnvironment {
        url: TEST_URL.into(),
        name: String::new(),
        entity: "accounts".into(),
    });
    let (contoso, test) = (env(sandbox::ENVIRONMENT_URL), env(TEST_URL));
    let known = [(&contoso, "Contoso"), (&test, "Contoso Test")];
    assert!(d.name_environments(known));
    assert_eq!(d.environment_name, "Contoso");
    assert_eq!(d.more_environments[0].name, "Contoso Test");
    assert!(!d.name_environments([(&contoso, "Renamed")]));
    assert_eq!(d.environment_name, "Contoso");
}

#[test]
fn the_same_unreadable_url_twice_is_still_in_the_setup_twice() {
    let mut d = two();
    for _ in 0..2 {
        d.more_environments.push(OtherEnvironment {
            url: "not a url".into(),
            name: "Broken".into(),
            entity: "accounts".into(),
        });
    }
    let problems = d.problems(today());
    assert!(
        problems
            .iter()
            .any(|p| p.message == "Broken: this environment is in the setup twice; untick one under Your environments."),
        "{problems:?}"
    );
    let mut one = two();
    one.more_environments.push(OtherEnvironment {
        url: "not a url".into(),
        name: "Broken".into(),
        entity: "accounts".into(),
    });
    assert!(!one
        .problems(today())
        .iter()
        .any(|p| p.message.contains("twice")));
}

#[test]
fn warnings_alone_do_not_block_the_setup_export() {
    let mut d = two();
    d.secret_expires = (today() + chrono::Days::new(10))
        .format("%Y-%m-%d")
        .to_string();
    let problems = d.problems(today());
    assert!(!problems.is_empty());
    assert!(
        problems.iter().all(|p| p.severity == Severity::Warning),
        "{problems:?}"
    );
    assert_eq!(d.validate_all(today()).map(|c| c.len()), Ok(2));
}

#[test]
fn a_third_connection_repeating_the_second_environment_is_refused() {
    let conns = two().validate_all(today()).expect("complete");
    let mut v: serde_json::Value =
        serde_json::from_str(&export_setup_json(&conns, false, at())).expect("json");
    let second = v["connections"][1].clone();
    v["connections"]
        .as_array_mut()
        .expect("an array")
        .push(second);
    match import_json(&v.to_string(), today()) {
        Err(ImportError::Invalid { field, message }) => {
            assert_eq!(field, "connections[2].azure.environmentUrl");
            assert!(message.contains("each environment once"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn three_environments_round_trip() {
    let mut d = two();
    d.add_environment(&env("http://slow.crm.localhost:8081"), "Slow");
    let conns = d.validate_all(today()).expect("complete");
    assert_eq!(conns.len(), 3);
    let back = import_json(&export_setup_json(&conns, true, at()), today()).expect("imports");
    assert_eq!(back, d);
}
