//! Drafts shared by the target tests: the e2e suite's fictional tenant, every cloud, tricky
//! secrets and app names, both grants.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use wizard_core::cloud::Cloud;
use wizard_core::draft::{Connection, Draft, SecretInput};
use wizard_core::fields::{ApiVersion, GrantType};
use wizard_core::targets::{render, Format, SecretMode};

/// e2e/tests/support.mjs FICTIONAL.
pub const TENANT: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
pub const CLIENT: &str = "7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d";
pub const OBJECT: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
pub const SECRET: &str = "Xq98Q~fictional.Secret-Value_0123456789abcdEF";
pub const ENV: &str = "https://contoso.crm4.dynamics.com";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 15, 10, 0, 0).unwrap()
}

/// The e2e suite's fictional public-cloud connection.
pub fn fictional() -> Draft {
    Draft {
        app_name: "Data Sync Contoso".into(),
        tenant_id: TENANT.into(),
        client_id: CLIENT.into(),
        object_id: OBJECT.into(),
        client_secret: SecretInput::new(SECRET.into()),
        environment_url: ENV.into(),
        entity: "accounts".into(),
        ..Draft::default()
    }
}

/// Secrets that need quoting somewhere (no white space: the field check refuses it).
pub const TRICKY_SECRETS: &[&str] = &[
    "ab;cd=ef~0123456789012345678901234567",
    "has'single'quote~012345678901234567890",
    "has\"double\"quote~01234567890123456789",
    "both'and\"quotes;x=y~0123456789012345678",
    "\"starts-with-quote~0123456789012345678",
    "ends-with-quote~01234567890123456789'",
    "dollar$HOME`cmd`back\\slash#hash~012345",
    "unicodé‘typographic’quotes~0123456789",
];

/// App names: unicode, quotes, PowerShell's typographic quotes, a very long one.
pub const APP_NAMES: &[&str] = &[
    "Données Synchro – Contoso 日本",
    "O'Brien's \"sync\" ‘app’",
    "A very long application name that pac must cut at thirty characters",
    "",
];

/// Every cloud (GCC as its own case), with an environment of that cloud.
pub fn per_cloud() -> Vec<(&'static str, Draft)> {
    let mut out = Vec::new();
    for (name, cloud, env) in [
        ("public", Cloud::Public, ENV),
        ("gcc", Cloud::Public, "https://contoso.crm9.dynamics.com"),
        (
            "gcc-high",
            Cloud::UsGov,
            "https://contoso.crm.microsoftdynamics.us",
        ),
        (
            "dod",
            Cloud::UsGovDod,
            "https://contoso.crm.appsplatform.us",
        ),
        ("china", Cloud::China, "https://contoso.crm.dynamics.cn"),
        (
            "sandbox",
            Cloud::Sandbox,
            "http://contoso.crm.localhost:8081",
        ),
    ] {
        let mut d = fictional();
        d.cloud = cloud;
        d.environment_url = env.into();
        out.push((name, d));
    }
    out
}

/// Every case the round trips run over.
pub fn drafts() -> Vec<(String, Draft)> {
    let mut out: Vec<(String, Draft)> = per_cloud()
        .into_iter()
        .map(|(n, d)| (format!("cloud {n}"), d))
        .collect();
    for s in TRICKY_SECRETS {
        let mut d = fictional();
        d.client_secret = SecretInput::new((*s).into());
        out.push((format!("secret {s}"), d));
    }
    for a in APP_NAMES {
        let mut d = fictional();
        d.app_name = (*a).into();
        out.push((format!("app name {a:?}"), d));
    }
    let mut d = fictional();
    d.tenant_id = "contoso.onmicrosoft.com".into();
    d.api_version = ApiVersion::V9_0;
    d.environment_url = "https://contoso.api.crm4.dynamics.com".into();
    out.push(("domain tenant, v9.0, api host".into(), d));
    let mut d = fictional();
    d.grant_type = GrantType::AuthorizationCode;
    d.connector_redirect_url = "http://localhost".into();
    out.push(("authorization code with a secret".into(), d));
    let mut d = fictional();
    d.grant_type = GrantType::AuthorizationCode;
    d.connector_redirect_url = "https://www.simego.com/oauth/code".into();
    d.client_secret = SecretInput::default();
    out.push(("authorization code without a secret".into(), d));
    out
}

pub fn conn(d: &Draft) -> Connection {
    d.validate(today())
        .unwrap_or_else(|p| panic!("fixture draft does not validate: {p:?}"))
}

/// The text of one format for a fixture draft.
pub fn out(format: Format, d: &Draft, mode: SecretMode) -> String {
    render(format, &conn(d), mode, now()).text
}
