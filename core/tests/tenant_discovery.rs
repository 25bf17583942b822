//! A verified domain typed as the tenant is shown with its GUID (issue 21): read from the
//! tenant's OpenID discovery document (recorded Entra ID answers in ../shared/fixtures/entra/).

mod common;

use wizard_core::entra::Authority;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(common::fixtures_dir().join("entra").join(name)).unwrap()
}

#[test]
fn a_tenants_discovery_document_names_its_guid() {
    let tid = Authority::tenant_from_discovery(&fixture("aad_v2_openid_configuration_tenant.json"));
    assert_eq!(
        tid.unwrap().as_str(),
        "12345678-1234-1234-1234-123456789012"
    );
}

#[test]
fn the_common_document_names_no_tenant() {
    let e = Authority::tenant_from_discovery(&fixture("aad_v2_openid_configuration_common.json"))
        .unwrap_err();
    assert!(e.contains("names no tenant ID"), "{e}");
}

#[test]
fn an_unknown_domain_is_entra_ids_own_words() {
    let all: serde_json::Value =
        serde_json::from_str(&fixture("aad_token_error_responses.json")).unwrap();
    let body = all["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["aadsts"] == 90002)
        .and_then(|r| r["body"].as_str())
        .expect("the recorded AADSTS90002 answer")
        .to_string();
    let e = Authority::tenant_from_discovery(&body).unwrap_err();
    assert!(
        e.starts_with(
            "Entra ID does not know this tenant: AADSTS90002: Tenant 'tenant_id' not found."
        ),
        "{e}"
    );
    assert!(!e.contains("Trace ID"), "only the first line: {e}");
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for body in [
        "",
        "<html>",
        "[]",
        r#"{"issuer":"not a url"}"#,
        r#"{"issuer":"https://x/nope/v2.0"}"#,
    ] {
        assert!(Authority::tenant_from_discovery(body).is_err(), "{body:?}");
    }
    // The token endpoint is enough when the issuer is missing.
    let t = Authority::tenant_from_discovery(
        r#"{"token_endpoint":"http://localhost:8081/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token"}"#,
    )
    .unwrap();
    assert_eq!(t.as_str(), "11111111-2222-3333-4444-555555555555");
}
