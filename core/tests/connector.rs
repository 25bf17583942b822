//! The one derivation of the connector's values: what step 6 shows is what the export writes,
//! and the endpoint set is always one consistent version.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use wizard_core::cloud::Cloud;
use wizard_core::connector::{connector_values, ConnectorField as F, ConnectorValue as V};
use wizard_core::draft::{Draft, FieldId, SecretInput};
use wizard_core::export::export_json;
use wizard_core::fields::{ApiVersion, EndpointVersion, GrantType};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT: &str = "1a2b3c4d-1234-5678-9abc-def012345678";
const OBJECT: &str = "0f0e0d0c-aaaa-bbbb-cccc-111122223333";
const SECRET: &str = "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1fG2hI3j";
const ENV: &str = "https://contoso.crm4.dynamics.com";

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

fn good() -> Draft {
    Draft {
        app_name: "Simego Data Sync".into(),
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        object_id: OBJECT.into(),
        client_secret: SecretInput::new(SECRET.into()),
        environment_url: ENV.into(),
        entity: "accounts".into(),
        ..Draft::default()
    }
}

fn login(path: &str) -> String {
    format!("https://login.microsoftonline.com/{TENANT}/{path}")
}

#[test]
fn client_credentials_without_a_typed_endpoint_is_the_v1_set() {
    let v = connector_values(&good());
    assert!(v.is_complete());
    assert_eq!(v.version(), EndpointVersion::V1);
    assert_eq!(v.text(F::ServiceUrl), format!("{ENV}/api/data/v9.2/"));
    assert_eq!(v.text(F::Entity), "accounts");
    assert_eq!(v.text(F::EntityUrlItemConvention), "{entity}({key})");
    assert_eq!(v.text(F::AuthoriseUrl), login("oauth2/authorize"));
    assert_eq!(v.text(F::TokenUrl), login("oauth2/token"));
    assert_eq!(v.text(F::ClientId), CLIENT);
    assert_eq!(
        v.get(F::ClientSecret),
        &V::Secret(SecretInput::new(SECRET.into()))
    );
    assert_eq!(v.text(F::Resource), ENV);
    assert!(matches!(v.get(F::RedirectUrl), V::Blank { .. }));
    assert!(matches!(v.get(F::State), V::Blank { .. }));
    assert!(matches!(v.get(F::Scope), V::Blank { why } if why.contains("Resource")));
    assert_eq!(v.text(F::GrantType), "client_credentials");
    // The other version, for tools that want it: the whole v2.0 set.
    let alt = v.alternative().unwrap();
    assert_eq!(alt.version, EndpointVersion::V2);
    assert_eq!(alt.authorise_url, login("oauth2/v2.0/authorize"));
    assert_eq!(alt.token_url, login("oauth2/v2.0/token"));
    assert_eq!(alt.scope, format!("{ENV}/.default"));
}

/// The case: the portal's Endpoints page lists the v2.0 token endpoint first.
#[test]
fn a_typed_v2_token_endpoint_gives_the_whole_v2_set() {
    let mut d = good();
    d.token_endpoint = login("oauth2/v2.0/token");
    let v = connector_values(&d);
    assert_eq!(v.version(), EndpointVersion::V2);
    assert_eq!(v.text(F::AuthoriseUrl), login("oauth2/v2.0/authorize"));
    assert_eq!(v.text(F::TokenUrl), login("oauth2/v2.0/token"));
    assert_eq!(v.text(F::Scope), format!("{ENV}/.default"));
    let alt = v.alternative().unwrap();
    assert_eq!(alt.version, EndpointVersion::V1);
    assert_eq!(alt.authorise_url, login("oauth2/authorize"));
    assert_eq!(alt.scope, "");
    // It says so, and offers the v1 token URL that brings the reference set back.
    let (notice, v1) = v.v2_notice().unwrap();
    assert!(notice.contains("v2.0 set"), "{notice}");
    assert!(
        notice.contains(&format!("Scope is {ENV}/.default")),
        "{notice}"
    );
    assert_eq!(v1, Some(login("oauth2/token")));
    d.token_endpoint = v1.unwrap();
    let back = connector_values(&d);
    assert_eq!(back.version(), EndpointVersion::V1);
    assert_eq!(back.v2_notice(), None);
    assert_eq!(back.text(F::Scope), "");
    d.token_endpoint = login("oauth2/v2.0/token");

    d.grant_type = GrantType::AuthorizationCode;
    d.client_secret = SecretInput::default();
    d.connector_redirect_url = "http://localhost".into();
    let v = connector_values(&d);
    assert_eq!(
        v.text(F::Scope),
        format!("{ENV}/user_impersonation offline_access")
    );
    assert_eq!(v.text(F::RedirectUrl), "http://localhost");
    assert!(matches!(v.get(F::ClientSecret), V::Blank { .. }));
    assert_eq!(v.text(F::GrantType), "authorization_code");
}

#[test]
fn a_typed_v1_endpoint_is_kept_as_typed() {
    let mut d = good();
    d.tenant_id = "contoso.onmicrosoft.com".into();
    d.token_endpoint =
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token".into();
    let v = connector_values(&d);
    assert_eq!(v.version(), EndpointVersion::V1);
    assert_eq!(v.text(F::TokenUrl), d.token_endpoint);
    assert_eq!(
        v.text(F::AuthoriseUrl),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize"
    );
}

#[test]
fn missing_values_say_which_field_and_what_to_do() {
    let v = connector_values(&Draft::default());
    assert!(!v.is_complete());
    let missing = |f| match v.get(f) {
        V::Missing { field, because } => (*field, because.clone()),
        other => panic!("{f:?} is {other:?}"),
    };
    assert_eq!(
        missing(F::ServiceUrl),
        (
            FieldId::EnvironmentUrl,
            "enter the Environment URL (step 4)".into()
        )
    );
    assert_eq!(
        missing(F::AuthoriseUrl),
        (
            FieldId::TenantId,
            "enter the Directory (tenant) ID (step 4)".into()
        )
    );
    assert_eq!(missing(F::ClientId).0, FieldId::ClientId);
    assert_eq!(missing(F::ClientSecret).0, FieldId::ClientSecret);
    assert_eq!(missing(F::Entity).0, FieldId::Entity);
    // Constant values are there from the start.
    assert_eq!(v.text(F::EntityUrlItemConvention), "{entity}({key})");
    assert_eq!(v.text(F::GrantType), "client_credentials");

    // Typed but wrong: "fix", not "enter".
    let mut d = good();
    d.tenant_id = "not a tenant".into();
    let v = connector_values(&d);
    assert!(matches!(v.get(F::TokenUrl),
        V::Missing { field: FieldId::TenantId, because } if because == "fix the Directory (tenant) ID (step 4)"));

    // A typed token endpoint that fails its check: no silent fallback to another version.
    let mut d = good();
    d.token_endpoint = "https://login.microsoftonline.com/oops/oauth2/v2.0/token".into();
    let v = connector_values(&d);
    for f in [F::AuthoriseUrl, F::TokenUrl, F::Scope] {
        assert!(
            matches!(v.get(f), V::Missing { field: FieldId::TokenEndpoint, because } if because == "fix the Token endpoint (step 4)"),
            "{f:?}: {:?}",
            v.get(f)
        );
    }
    assert!(v.alternative().is_none());

    // Authorization code without a redirect: the redirect is what is missing.
    let mut d = good();
    d.grant_type = GrantType::AuthorizationCode;
    assert!(matches!(
        connector_values(&d).get(F::RedirectUrl),
        V::Missing {
            field: FieldId::ConnectorRedirectUrl,
            ..
        }
    ));
}

#[test]
fn debug_never_shows_the_secret() {
    let v = connector_values(&good());
    let shown = format!("{v:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("redacted"));
    assert_eq!(v.text(F::ClientSecret), "");
}

#[test]
fn names_and_labels() {
    let names: Vec<_> = F::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "ServiceURL",
            "Entity",
            "EntityURLItemConvention",
            "AuthoriseURL",
            "TokenURL",
            "ClientID",
            "ClientSecret",
            "Resource",
            "RedirectURL",
            "State",
            "Scope",
            "GrantType"
        ]
    );
    assert_eq!(F::AuthoriseUrl.label(), "Authorise URL");
    assert!(!F::ServiceUrl.is_oauth2() && !F::EntityUrlItemConvention.is_oauth2());
    assert!(F::AuthoriseUrl.is_oauth2() && F::GrantType.is_oauth2());
}

// Arbitrary drafts: each field blank, valid or wrong, in every grant, version and cloud.
fn field(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(options).prop_map(str::to_string)
}

prop_compose! {
    fn arbitrary_draft()(
        grant in prop::sample::select(GrantType::ALL.to_vec()),
        api in prop::sample::select(ApiVersion::ALL.to_vec()),
        sandbox in any::<bool>(),
        tenant in field(&["", TENANT, "contoso.onmicrosoft.com", "common", "nope"]),
        client in field(&["", CLIENT, "x"]),
        object in field(&["", OBJECT, CLIENT]),
        secret in field(&["", SECRET, "3f2a1b4c-1111-2222-3333-444455556666"]),
        environment in field(&["", ENV, "https://contoso.crm.dynamics.com/main.aspx", "http://contoso.crm.localhost:8081", "https://https://x"]),
        token in field(&[
            "",
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/token",
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            "http://localhost:8081/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
            "https://login.microsoftonline.com/other/oauth2/token",
        ]),
        redirect in field(&["", "http://localhost", "https://www.simego.com/oauth/code", "nope"]),
        entity in field(&["", "accounts", "has space"]),
    ) -> Draft {
        Draft {
            cloud: if sandbox { Cloud::Sandbox } else { Cloud::Public },
            grant_type: grant,
            api_version: api,
            app_name: "Data Sync".into(),
            tenant_id: tenant,
            client_id: client,
            object_id: object,
            client_secret: SecretInput::new(secret),
            environment_url: environment,
            token_endpoint: token,
            connector_redirect_url: redirect,
            entity,
            ..Draft::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Authorise URL, Token URL and Scope always belong to one endpoint version.
    #[test]
    fn endpoints_are_one_consistent_version(d in arbitrary_draft()) {
        let v = connector_values(&d);
        let is_v2 = |s: &str| s.contains("/v2.0/");
        for f in [F::AuthoriseUrl, F::TokenUrl] {
            if let V::Value(url) = v.get(f) {
                prop_assert_eq!(is_v2(url), v.version() == EndpointVersion::V2, "{:?} {}", f, url);
            }
        }
        match (v.version(), v.get(F::Scope)) {
            (EndpointVersion::V1, V::Value(s)) => prop_assert!(false, "v1 with scope {}", s),
            (EndpointVersion::V2, V::Blank { .. }) => prop_assert!(false, "v2 without scope"),
            _ => {}
        }
    }

    /// For every draft that validates, the exported connector object is what step 6 shows:
    /// field by field, the secret only when asked for.
    #[test]
    fn step_six_equals_the_export(d in arbitrary_draft(), include_secret in any::<bool>()) {
        let shown = connector_values(&d);
        if let Ok(conn) = d.validate(today()) {
            prop_assert!(shown.is_complete());
            let at = Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap();
            let json: serde_json::Value =
                serde_json::from_str(&export_json(&conn, include_secret, at)).unwrap();
            let connector = &json["connections"][0]["connector"];
            for (f, value) in shown.iter() {
                let exported = if f.is_oauth2() { &connector["OAuth2"][f.name()] } else { &connector[f.name()] };
                match value {
                    V::Secret(s) if include_secret => prop_assert_eq!(exported.as_str(), Some(s.expose())),
                    V::Secret(_) => prop_assert!(exported.is_null(), "secret exported unasked"),
                    // A public client's blank secret: the file has no ClientSecret at all
                    // (present only when includesClientSecret, says the schema).
                    V::Blank { .. } if f == F::ClientSecret => prop_assert!(exported.is_null()),
                    other => prop_assert_eq!(exported.as_str(), Some(other.text()), "{}", f.name()),
                }
            }
        }
    }
}

#[test]
fn a_v2_endpoint_without_an_environment_asks_for_the_environment() {
    // The v2.0 Scope is built from the environment: without one, Scope points at the Environment
    // URL (not at the tenant, which is fine).
    let mut d = good();
    d.environment_url = String::new();
    d.token_endpoint = login("oauth2/v2.0/token");
    let v = connector_values(&d);
    assert_eq!(v.version(), EndpointVersion::V2);
    assert_eq!(v.text(F::TokenUrl), login("oauth2/v2.0/token"));
    assert!(
        matches!(v.get(F::Scope), V::Missing { field: FieldId::EnvironmentUrl, because } if because == "enter the Environment URL (step 4)"),
        "{:?}",
        v.get(F::Scope)
    );
    assert!(v.alternative().is_none());
    assert!(!v.is_complete());
}

#[test]
fn every_property_is_listed_once_in_the_connectors_order() {
    let v = connector_values(&good());
    let order: Vec<F> = v.iter().map(|(f, _)| f).collect();
    assert_eq!(order, F::ALL);
    for f in F::ALL {
        assert_eq!(
            v.iter().find(|(g, _)| *g == f).map(|(_, x)| x),
            Some(v.get(f))
        );
    }
    let labels: Vec<_> = F::ALL.iter().map(|f| f.label()).collect();
    assert_eq!(
        labels,
        [
            "ServiceURL",
            "Entity",
            "EntityURLItemConvention",
            "Authorise URL",
            "Token URL",
            "Client ID",
            "Client Secret",
            "Resource",
            "Redirect URL",
            "State",
            "Scope",
            "Grant Type"
        ]
    );
    let oauth2: Vec<bool> = F::ALL.iter().map(|f| f.is_oauth2()).collect();
    assert_eq!(
        oauth2,
        [false, false, false, true, true, true, true, true, true, true, true, true]
    );
}
