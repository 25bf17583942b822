//! The Global Discovery answer as the wizard lists it: real field names, unknown ones ignored,
//! missing ones a clear error, disabled and other-cloud environments shown but not choosable.

use wizard_core::cloud::Cloud;
use wizard_core::discovery::{parse_instances, Availability, DiscoveryError};

/// An Instance as the service writes it (every documented field, plus one it may add later).
fn instance(name: &str, url: &str, state: u8, admin: bool) -> String {
    format!(
        r#"{{"Id":"eeeeeeee-0000-4000-8000-000000000001","UniqueName":"unq1","UrlName":"{org}",
        "FriendlyName":"{name}","State":{state},"Version":"9.2.25111.00150","Url":"{url}",
        "ApiUrl":"{url}","LastUpdated":"2026-11-30T10:00:00Z","SchemaType":null,"Region":"EUR",
        "OrganizationType":0,"IsUserSysAdmin":{admin},"Purpose":null,"TrialExpirationDate":null,
        "EnvironmentId":"0f0e0d0c-0000-4000-8000-000000000001","DatacenterId":"x",
        "TenantId":"11111111-2222-3333-4444-555555555555","SomethingNew":{{"a":1}}}}"#,
        org = name.to_lowercase().replace(' ', "")
    )
}

fn answer(instances: &[String]) -> String {
    format!(
        r#"{{"@odata.context":"https://globaldisco.crm.dynamics.com/api/discovery/v2.0/$metadata#Instances","value":[{}]}}"#,
        instances.join(",")
    )
}

#[test]
fn lists_every_environment_sorted_with_what_the_checkbox_shows() {
    let body = answer(&[
        instance(
            "Contoso Test",
            "https://contosotest.crm4.dynamics.com",
            0,
            false,
        ),
        instance("contoso", "https://contoso.crm4.dynamics.com/", 0, true),
    ]);
    let list = parse_instances(&body, Cloud::Public).expect("the documented shape reads");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].name, "contoso");
    assert_eq!(list[1].name, "Contoso Test");
    assert!(list[0].is_sys_admin);
    assert!(!list[1].is_sys_admin);
    assert_eq!(list[0].region, "EUR");
    // Choosing fills the Environment URL in the form the field checks expect (no trailing slash).
    assert_eq!(
        list[0].environment().map(|e| e.to_string()),
        Some("https://contoso.crm4.dynamics.com".to_string())
    );
}

#[test]
fn a_disabled_environment_is_listed_but_cannot_be_chosen() {
    let body = answer(&[instance(
        "Contoso Archive",
        "http://archive.crm.localhost:8081",
        1,
        true,
    )]);
    let list = parse_instances(&body, Cloud::Sandbox).expect("reads");
    assert_eq!(list[0].name, "Contoso Archive");
    assert!(list[0].environment().is_none());
    match &list[0].availability {
        Availability::Unavailable(why) => assert!(why.starts_with("Disabled"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_environment_of_another_cloud_says_which_cloud() {
    let body = answer(&[instance(
        "Gov",
        "https://gov.crm.microsoftdynamics.us",
        0,
        false,
    )]);
    let list = parse_instances(&body, Cloud::Public).expect("reads");
    match &list[0].availability {
        Availability::Unavailable(why) => assert!(why.contains("GCC High"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_required_field_is_a_clear_error_naming_it() {
    let body = r#"{"value":[{"FriendlyName":"Contoso","State":0}]}"#;
    let err = parse_instances(body, Cloud::Public).expect_err("no Url");
    let DiscoveryError::Shape(detail) = &err;
    assert!(detail.contains("Url"), "{detail}");
    assert!(err.to_string().contains("Type the Environment URL instead"));
    assert!(parse_instances("<html>", Cloud::Public).is_err());
    assert!(parse_instances(r#"{"values":[]}"#, Cloud::Public).is_err());
}

#[test]
fn a_blank_friendly_name_falls_back_to_the_url_name() {
    let body = r#"{"value":[{"FriendlyName":" ","UrlName":"org1","Url":"https://org1.crm.dynamics.com","State":0}]}"#;
    let list = parse_instances(body, Cloud::Public).expect("reads");
    assert_eq!(list[0].name, "org1");
    assert!(!list[0].is_sys_admin);
    assert!(list[0].environment().is_some());
}

#[test]
fn the_filter_matches_name_url_and_region_in_any_case() {
    let body = answer(&[instance(
        "Contoso Test",
        "https://contosotest.crm4.dynamics.com",
        0,
        false,
    )]);
    let e = &parse_instances(&body, Cloud::Public).expect("reads")[0];
    assert!(e.matches("TEST"));
    assert!(e.matches("crm4"));
    assert!(e.matches("eur"));
    assert!(e.matches("  "));
    assert!(!e.matches("fabrikam"));
}

#[test]
fn the_purpose_is_kept_when_an_administrator_wrote_one() {
    let body = r#"{"value":[
        {"FriendlyName":"Test","Url":"https://t.crm.dynamics.com","State":0,"Purpose":"Testing"},
        {"FriendlyName":"Prod","Url":"https://p.crm.dynamics.com","State":0,"Purpose":"  "},
        {"FriendlyName":"Dev","Url":"https://d.crm.dynamics.com","State":0}
    ]}"#;
    let list = parse_instances(body, Cloud::Public).expect("reads");
    let purpose = |n: &str| {
        list.iter()
            .find(|e| e.name == n)
            .and_then(|e| e.purpose.clone())
    };
    assert_eq!(purpose("Test").as_deref(), Some("Testing"));
    assert_eq!(purpose("Prod"), None);
    assert_eq!(purpose("Dev"), None);
}
