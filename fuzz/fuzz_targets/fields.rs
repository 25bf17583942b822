//! Arbitrary text → every field parser of `wizard_core::fields`: each must give `Ok` or a
//! `FieldError`, never a panic, for every grant type and cloud. The text is also tried line by
//! line as a whole draft (`Draft::validate`), which runs the parsers together with derivation.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use wizard_core::cloud::Cloud;
use wizard_core::draft::{Draft, SecretInput};
use wizard_core::fields::{
    check_entity_set, ClientSecret, Email, EnvironmentUrl, FieldError, GrantType, Guid,
    RedirectUrl, SecretExpiry, TenantId, TokenEndpoint,
};

fn show(e: FieldError) {
    // Messages are shown under the field: formatting them must not panic.
    let _ = e.to_string();
}

fn fields(s: &str, today: NaiveDate, tenants: &[TenantId]) {
    match Guid::parse(s) {
        Ok(g) => assert_eq!(
            Guid::parse(g.as_str()).as_ref(),
            Ok(&g),
            "Guid is not canonical"
        ),
        Err(e) => show(e),
    }
    for grant in GrantType::ALL {
        match TenantId::parse(s, grant) {
            Ok(t) => {
                let _ = (t.value.as_str(), t.value.is_keyword(), t.value.guid());
            }
            Err(e) => show(e),
        }
    }
    match EnvironmentUrl::parse(s) {
        Ok(u) => {
            let u = u.value;
            let _ = (u.as_str(), u.cloud(), u.org(), u.host(), u.is_api_host());
        }
        Err(e) => show(e),
    }
    for cloud in Cloud::ALL {
        match TokenEndpoint::parse(s, None, cloud) {
            Ok(t) => {
                let _ = (t.value.as_str(), t.value.version(), t.value.tenant());
            }
            Err(e) => show(e),
        }
        for tenant in tenants {
            if let Err(e) = TokenEndpoint::parse(s, Some(tenant), cloud) {
                show(e);
            }
        }
    }
    match ClientSecret::parse(s) {
        Ok(c) => {
            let _ = c.value.secret();
        }
        Err(e) => show(e),
    }
    match SecretExpiry::parse(s, today) {
        Ok(d) => {
            let _ = d.value.date();
        }
        Err(e) => show(e),
    }
    match Email::parse(s) {
        Ok(m) => {
            let _ = m.value.as_str();
        }
        Err(e) => show(e),
    }
    match RedirectUrl::parse(s) {
        Ok(r) => {
            let _ = r.value.as_str();
        }
        Err(e) => show(e),
    }
    if let Err(e) = check_entity_set(s) {
        show(e);
    }
}

fuzz_target!(|text: &str| {
    let today = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    let mut tenants = vec![
        TenantId::parse(
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            GrantType::ClientCredentials,
        )
        .unwrap()
        .value,
        TenantId::parse("contoso.onmicrosoft.com", GrantType::ClientCredentials)
            .unwrap()
            .value,
        TenantId::parse("organizations", GrantType::AuthorizationCode)
            .unwrap()
            .value,
    ];
    // The first line, when it is a tenant, is also tried as the tenant of the rest.
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    for grant in GrantType::ALL {
        if let Ok(t) = TenantId::parse(first, grant) {
            tenants.push(t.value);
        }
    }
    fields(text, today, &tenants);
    if !rest.is_empty() {
        fields(rest, today, &tenants);
    }

    // Line by line as a whole draft.
    let mut lines = text.lines().map(str::to_string);
    let mut next = || lines.next().unwrap_or_default();
    let base = Draft {
        app_name: next(),
        tenant_id: next(),
        client_id: next(),
        object_id: next(),
        client_secret: SecretInput::new(next()),
        secret_expires: next(),
        environment_url: next(),
        token_endpoint: next(),
        connector_redirect_url: next(),
        full_name: next(),
        primary_email: next(),
        entity: next(),
        ..Draft::default()
    };
    // Cloud and grant picked from the length, so one input costs one validation.
    let d = Draft {
        cloud: Cloud::ALL[text.len() % Cloud::ALL.len()],
        grant_type: GrantType::ALL[(text.len() / Cloud::ALL.len()) % GrantType::ALL.len()],
        ..base
    };
    let _ = d.validate(today);
});
