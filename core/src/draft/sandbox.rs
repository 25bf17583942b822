//! The values of the local sandbox tenant's ready-made app (`sandbox/sandbox.toml`), for
//! "Try with the sandbox". A test keeps them in step with that file.

use super::{Draft, SecretInput};
use crate::{cloud::Cloud, fields::GrantType};

/// Tenant "Contoso (sandbox)".
pub const TENANT_ID: &str = "11111111-2222-3333-4444-555555555555";
/// App "Data Sync (sandbox)": Application (client) ID.
pub const CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-000000000001";
/// Its Enterprise application (service principal) Object ID.
pub const SERVICE_PRINCIPAL_OBJECT_ID: &str = "cccccccc-0000-4000-8000-000000000001";
/// Its client secret value (a sandbox value: worthless anywhere else).
pub const CLIENT_SECRET: &str = "Sbx8Q~sandbox.client.secret.value.000001";
/// Its display name.
pub const APP_NAME: &str = "Data Sync (sandbox)";
/// The environment that works.
pub const ENVIRONMENT_URL: &str = "http://contoso.crm.localhost:8081";

/// A draft filled with the sandbox's values (ticks and entity left to the user).
pub fn draft(today: chrono::NaiveDate) -> Draft {
    Draft {
        cloud: Cloud::Sandbox,
        grant_type: GrantType::ClientCredentials,
        app_name: APP_NAME.into(),
        tenant_id: TENANT_ID.into(),
        client_id: CLIENT_ID.into(),
        object_id: SERVICE_PRINCIPAL_OBJECT_ID.into(),
        client_secret: SecretInput::new(CLIENT_SECRET.into()),
        secret_expires: (today + chrono::Days::new(365))
            .format("%Y-%m-%d")
            .to_string(),
        environment_url: ENVIRONMENT_URL.into(),
        ..Draft::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::Severity;

    #[test]
    fn service_url_follows_the_environment_and_version() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let mut d = draft(today);
        assert_eq!(
            d.service_url().as_deref(),
            Some("http://contoso.crm.localhost:8081/api/data/v9.2/")
        );
        d.api_version = crate::fields::ApiVersion::V9_0;
        assert_eq!(
            d.service_url().as_deref(),
            Some("http://contoso.crm.localhost:8081/api/data/v9.0/")
        );
        d.environment_url = "https://https://contoso.crm.dynamics.com".into();
        assert_eq!(d.service_url(), None);
    }

    #[test]
    fn values_match_the_sandbox_config_file() {
        let toml = include_str!("../../../sandbox/sandbox.toml");
        for value in [
            TENANT_ID,
            CLIENT_ID,
            SERVICE_PRINCIPAL_OBJECT_ID,
            CLIENT_SECRET,
            APP_NAME,
        ] {
            assert!(
                toml.contains(value),
                "sandbox.toml no longer contains {value}"
            );
        }
        assert!(toml.contains("org = \"contoso\""));
    }

    #[test]
    fn the_sandbox_draft_has_no_errors_but_the_entity() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let problems = draft(today).problems(today);
        let errors: Vec<_> = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, Some(crate::draft::FieldId::Entity));
    }
}
