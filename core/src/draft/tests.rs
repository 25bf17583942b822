//! Unit tests of the draft, and the fixtures other modules' tests share.

use super::*;
use crate::entra::DYNAMICS_CRM_APP_ID;

pub(crate) const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub(crate) const CLIENT: &str = "1a2b3c4d-1234-5678-9abc-def012345678";
pub(crate) const OBJECT: &str = "0f0e0d0c-aaaa-bbbb-cccc-111122223333";
pub(crate) const SECRET: &str = "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1fG2hI3j";

pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

/// A complete, canonical client-credentials draft.
pub(crate) fn good() -> Draft {
    Draft {
        app_name: "Simego Data Sync".into(),
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        object_id: OBJECT.into(),
        client_secret: SecretInput::new(SECRET.into()),
        secret_expires: "2025-12-12".into(),
        environment_url: "https://contoso.crm4.dynamics.com".into(),
        entity: "accounts".into(),
        ..Draft::default()
    }
}

#[test]
fn steps() {
    for (i, s) in Step::ALL.into_iter().enumerate() {
        assert_eq!(s.number(), i + 1);
        assert_eq!(Step::from_slug(s.slug()), Some(s));
    }
    assert_eq!(Step::Register.prev(), None);
    assert_eq!(Step::Register.next(), Some(Step::Permissions));
    assert_eq!(Step::Review.next(), None);
    assert_eq!(Step::Review.prev(), Some(Step::Test));
    assert_eq!(Step::Test.prev(), Some(Step::Connector));
    assert_eq!(Step::from_slug("nope"), None);
    assert_eq!(Step::AppUser.slug(), "app-user");
    // Every page has its own title, in the order of the guide.
    let titles: Vec<&str> = Step::ALL.iter().map(|s| s.title()).collect();
    assert_eq!(
        titles,
        [
            "Register the app",
            "API permissions",
            "Client secret",
            "Gather the details",
            "Add the application user",
            "Connector settings",
            "Test the connection",
            "Review and export",
        ]
    );
    // ALL is in step order, and every field is on one step.
    let steps: Vec<usize> = FieldId::ALL.iter().map(|f| f.step().number()).collect();
    assert!(steps.windows(2).all(|w| w[0] <= w[1]));
    let all: usize = Step::ALL.iter().map(|s| s.fields().len()).sum();
    assert_eq!(all, FieldId::ALL.len());
}

#[test]
fn field_ids_get_set_and_names() {
    let mut d = Draft::default();
    let mut seen = std::collections::HashSet::new();
    let mut labels = std::collections::HashSet::new();
    let mut hints = std::collections::HashSet::new();
    for f in FieldId::ALL {
        assert!(seen.insert(f.dom_id()));
        // A label names one field, and so does the hint under it.
        assert!(labels.insert(f.label()), "{f:?}");
        assert!(hints.insert(f.hint()), "{f:?}");
        assert!(!f.label().is_empty() && !f.hint().is_empty());
        f.set(&mut d, format!("v-{}", f.dom_id()));
        assert_eq!(f.get(&d), format!("v-{}", f.dom_id()));
        assert!(f
            .dom_id()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-'));
    }
    assert_eq!(d.client_secret.expose(), "v-client-secret");
}

#[test]
fn secret_never_serialised_or_debugged() {
    let d = good();
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains(SECRET));
    assert!(!format!("{d:?}").contains(SECRET));
    let back: Draft = serde_json::from_str(&json).unwrap();
    assert!(back.client_secret.is_blank());
    assert_eq!(back.tenant_id, d.tenant_id);
    // Unknown/missing keys are tolerated (serde(default)): old localStorage keeps working.
    let partial: Draft = serde_json::from_str(r#"{"tenant_id":"x"}"#).unwrap();
    assert_eq!(partial.tenant_id, "x");
}

#[test]
fn good_draft_validates() {
    let c = good().validate(today()).unwrap();
    assert_eq!(c.client_id.as_str(), CLIENT);
    assert_eq!(c.environment.as_str(), "https://contoso.crm4.dynamics.com");
    assert_eq!(c.client_secret.as_ref().unwrap().secret(), SECRET);
    assert_eq!(c.to_draft(), good());
    assert!(good().problems(today()).is_empty());
}

/// (mutation, field, expected status kind, substring of the message)
#[test]
fn contextual_checks() {
    type Case = (fn(&mut Draft), FieldId, &'static str, &'static str);
    let cases: &[Case] = &[
        (|d| d.object_id = CLIENT.into(), FieldId::ObjectId, "invalid", "Application (client) ID, not the Enterprise application's Object ID"),
        (|d| d.object_id = CLIENT.to_uppercase(), FieldId::ObjectId, "invalid", "not the Enterprise application's Object ID"),
        (|d| d.object_id = TENANT.into(), FieldId::ObjectId, "invalid", "Directory (tenant) ID, not"),
        (|d| d.tenant_id = CLIENT.into(), FieldId::TenantId, "invalid", "same as the Application (client) ID"),
        (|d| d.client_id = DYNAMICS_CRM_APP_ID.into(), FieldId::ClientId, "invalid", "Dynamics CRM API"),
        (|d| d.client_secret = SecretInput::new("0d2a4d55-6c7e-4f3a-9b1c-2e3f4a5b6c7d".into()), FieldId::ClientSecret, "invalid", "Secret ID"),
        (|d| d.client_secret = SecretInput::default(), FieldId::ClientSecret, "blank-required", ""),
        (|d| { d.client_secret = SecretInput::default(); d.grant_type = GrantType::AuthorizationCode }, FieldId::ClientSecret, "blank-optional", ""),
        (|d| d.connector_redirect_url.clear(), FieldId::ConnectorRedirectUrl, "blank-optional", ""),
        (|d| d.grant_type = GrantType::AuthorizationCode, FieldId::ConnectorRedirectUrl, "blank-required", ""),
        (|d| d.cloud = Cloud::UsGov, FieldId::EnvironmentUrl, "invalid", "in the Public (commercial, incl. GCC) cloud, but the wizard is set to the US Government (GCC High) cloud"),
        (|d| { d.cloud = Cloud::UsGov; d.environment_url = "https://contoso.crm.microsoftdynamics.us".into() }, FieldId::EnvironmentUrl, "valid", ""),
        (|d| d.environment_url = "https://contoso.crm4.dynamics.com/main.aspx?appid=1".into(), FieldId::EnvironmentUrl, "valid", "main.aspx"),
        (|d| d.tenant_id = "common".into(), FieldId::TenantId, "invalid", "client credentials need your own directory"),
        (|d| { d.tenant_id = "common".into(); d.grant_type = GrantType::AuthorizationCode }, FieldId::TenantId, "valid", "other directories"),
        (|d| d.token_endpoint = format!("https://login.microsoftonline.com/{CLIENT}/oauth2/v2.0/token"), FieldId::TokenEndpoint, "invalid", "is for tenant 1a2b3c4d"),
        (|d| d.token_endpoint = format!("https://login.microsoftonline.com/{TENANT}/oauth2/token"), FieldId::TokenEndpoint, "valid", ""),
        (|d| { d.cloud = Cloud::China; d.token_endpoint = format!("https://login.microsoftonline.com/{TENANT}/oauth2/token") }, FieldId::TokenEndpoint, "invalid", "login.chinacloudapi.cn"),
        (|d| d.secret_expires = "2025-06-01".into(), FieldId::SecretExpires, "valid", "expired 14 days ago"),
        (|d| d.secret_expires = "2025-07-01".into(), FieldId::SecretExpires, "valid", "expires in 16 days"),
        (|d| d.secret_expires = "01/07/2025".into(), FieldId::SecretExpires, "invalid", "YYYY-MM-DD"),
        (|d| d.primary_email = "sync@contoso".into(), FieldId::PrimaryEmail, "invalid", "not an e-mail"),
        (|d| d.entity.clear(), FieldId::Entity, "blank-required", ""),
        (|d| d.app_name.clear(), FieldId::AppName, "blank-optional", ""),
        (|d| { d.grant_type = GrantType::AuthorizationCode; d.connector_redirect_url = "http://localhost:8080/auth/callback".into() }, FieldId::ConnectorRedirectUrl, "valid", "AADSTS9002327"),
        (|d| d.connector_redirect_url = "http://localhost".into(), FieldId::ConnectorRedirectUrl, "valid", "does not use a redirect URL"),
    ];
    for (i, (mutate, field, kind, needle)) in cases.iter().enumerate() {
        let mut d = good();
        mutate(&mut d);
        let st = check_field(&d, *field, today());
        let text = match &st {
            FieldStatus::Valid(notes) => notes
                .iter()
                .map(|n| n.text.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            FieldStatus::Invalid(m) => m.clone(),
            FieldStatus::Blank { .. } => String::new(),
        };
        let got = match st {
            FieldStatus::Valid(_) => "valid",
            FieldStatus::Invalid(_) => "invalid",
            FieldStatus::Blank { required: true } => "blank-required",
            FieldStatus::Blank { required: false } => "blank-optional",
        };
        assert_eq!(got, *kind, "case {i}: {text}");
        assert!(text.contains(needle), "case {i}: {text}");
    }
}

#[test]
fn problems_in_step_order_and_validate() {
    let mut d = good();
    d.client_secret = SecretInput::default();
    d.entity.clear();
    d.object_id = CLIENT.into();
    d.secret_expires = "2025-06-20".into();
    let p = d.problems(today());
    let fields: Vec<_> = p.iter().map(|p| (p.field.unwrap(), p.severity)).collect();
    assert_eq!(
        fields,
        vec![
            (FieldId::ClientSecret, Severity::Error),
            (FieldId::SecretExpires, Severity::Warning),
            (FieldId::ObjectId, Severity::Error),
            (FieldId::Entity, Severity::Error),
        ]
    );
    assert!(p[0]
        .message
        .contains("enter the client secret value again: it is kept only for this tab"));
    assert!(p[3]
        .message
        .contains("type the entity set name, e.g. accounts"));
    assert_eq!(p[2].step, Step::Details);
    assert_eq!(d.validate(today()).unwrap_err(), p);

    // Warnings alone do not block.
    let mut w = good();
    w.secret_expires = "2025-06-01".into();
    let c = w.validate(today()).unwrap();
    assert_eq!(c.secret_expires.unwrap().to_string(), "2025-06-01");
}

#[test]
fn info_notes_are_not_problems() {
    let mut d = good();
    d.environment_url = "contoso.api.crm4.dynamics.com/api/data/v9.2/".into();
    d.entity = "account".into();
    assert!(
        matches!(check_field(&d, FieldId::EnvironmentUrl, today()), FieldStatus::Valid(n) if n.len() == 3)
    );
    assert!(d.problems(today()).is_empty());
    let c = d.validate(today()).unwrap();
    assert_eq!(
        c.environment.as_str(),
        "https://contoso.api.crm4.dynamics.com"
    );
}

#[test]
fn dod_environment_needs_dod_cloud() {
    let mut d = good();
    d.environment_url = "https://contoso.crm.appsplatform.us".into();
    d.cloud = Cloud::UsGov;
    match check_field(&d, FieldId::EnvironmentUrl, today()) {
        FieldStatus::Invalid(m) => {
            assert!(m.contains("US Government (DoD) cloud"), "{m}");
            assert!(m.contains("US Government (GCC High) cloud"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    d.cloud = Cloud::UsGovDod;
    assert!(d.validate(today()).is_ok());
}

#[test]
fn typed_accessors_follow_validity() {
    let mut d = Draft::default();
    assert_eq!(d.tenant(), None);
    d.tenant_id = format!("{{{}}}", TENANT.to_uppercase());
    assert_eq!(d.tenant().unwrap().as_str(), TENANT);
    d.client_id = CLIENT.into();
    assert_eq!(d.client_id().unwrap().as_str(), CLIENT);
    d.object_id = CLIENT.into();
    assert_eq!(d.object_id(), None);
    d.environment_url = "contoso.crm.dynamics.com".into();
    assert_eq!(
        d.environment().unwrap().as_str(),
        "https://contoso.crm.dynamics.com"
    );
    d.cloud = Cloud::China;
    assert_eq!(d.environment(), None);
}

#[test]
fn authorization_code_draft_validates_without_secret() {
    let mut d = good();
    d.grant_type = GrantType::AuthorizationCode;
    d.client_secret = SecretInput::default();
    assert!(d.validate(today()).is_err());
    d.connector_redirect_url = "http://localhost".into();
    let c = d.validate(today()).unwrap();
    assert!(c.client_secret.is_none());
    assert_eq!(
        c.connector_redirect_url.unwrap().as_str(),
        "http://localhost"
    );
}

#[test]
fn secret_input_debug_is_redacted() {
    assert_eq!(
        format!("{:?}", SecretInput::new("x".into())),
        "SecretInput([redacted])"
    );
    assert_eq!(format!("{:?}", SecretInput::default()), "SecretInput(\"\")");
}

#[test]
fn a_field_status_is_valid_only_when_accepted() {
    let d = good();
    assert!(check_field(&d, FieldId::TenantId, today()).is_valid());
    let mut bad = good();
    bad.tenant_id = "common".into();
    assert!(!check_field(&bad, FieldId::TenantId, today()).is_valid());
    bad.tenant_id.clear();
    assert!(!check_field(&bad, FieldId::TenantId, today()).is_valid());
}

#[test]
fn the_secret_counts_as_checked_only_when_it_passes() {
    assert!(good().client_secret_checked());
    let mut d = good();
    d.client_secret = SecretInput::new("abc8Q~**************".into());
    assert!(!d.client_secret_checked());
    d.client_secret = SecretInput::default();
    assert!(!d.client_secret_checked());
}

#[test]
fn authorization_code_defaults_to_simegos_helper_and_keeps_a_typed_redirect() {
    let mut d = good();
    d.connector_redirect_url.clear();
    assert!(!d.uses_simego_helper());
    d.set_grant_type(GrantType::AuthorizationCode);
    assert_eq!(d.grant_type, GrantType::AuthorizationCode);
    assert_eq!(d.connector_redirect_url, crate::dialog::SIMEGO_OAUTH_HELPER);
    assert!(d.uses_simego_helper());
    // Back and forth keeps what is there.
    d.set_grant_type(GrantType::ClientCredentials);
    assert_eq!(d.grant_type, GrantType::ClientCredentials);
    d.connector_redirect_url = " http://localhost ".into();
    d.set_grant_type(GrantType::AuthorizationCode);
    assert_eq!(d.connector_redirect_url, " http://localhost ");
    assert!(!d.uses_simego_helper());
    // client_credentials never fills it.
    let mut cc = good();
    cc.connector_redirect_url.clear();
    cc.set_grant_type(GrantType::ClientCredentials);
    assert!(cc.connector_redirect_url.is_empty());
}
