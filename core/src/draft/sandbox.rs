//! The values of the local sandbox tenant's ready-made app (`sandbox/sandbox.toml`), for
//! "Try with the sandbox", and its [`SCENARIOS`]: one app per setup problem the live checks find.
//! Tests keep them in step with that file.

use super::{Draft, SecretInput};
use crate::cloud::Cloud;

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

/// The restricted environment (403 `0x80095ffc` to every call).
pub const RESTRICTED_ENVIRONMENT_URL: &str = "http://restricted.crm.localhost:8081";

/// The busy environment (two rows per page; the first request to each list answers 429).
pub const BUSY_ENVIRONMENT_URL: &str = "http://busy.crm.localhost:8081";

/// The scenario of a bare app registration (a name and the SPA redirect, nothing else): "Try with
/// the sandbox" fills only the client ID and the tenant.
pub const BARE_APP_REGISTRATION: &str = "Bare app registration";

/// One "Try with the sandbox" scenario: an app of the sandbox tenant with exactly one problem,
/// and the values the user would type for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// The scenario's name (`scenario = "…"` in `sandbox.toml`).
    pub name: &'static str,
    /// The app registration's display name (`name = "…"`), typed as the App name.
    pub app_name: &'static str,
    /// Application (client) ID.
    pub client_id: &'static str,
    /// The Object ID to type (the enterprise application's, except in "Wrong Object ID").
    pub object_id: &'static str,
    /// The client secret to type.
    pub secret: &'static str,
    /// The environment URL to type.
    pub environment_url: &'static str,
    /// The secret's expiry to type, in days from today (`None`: left empty).
    pub secret_expires_in_days: Option<i64>,
}

const fn scenario(
    name: &'static str,
    app_name: &'static str,
    client_id: &'static str,
    object_id: &'static str,
    secret: &'static str,
    environment_url: &'static str,
    secret_expires_in_days: Option<i64>,
) -> Scenario {
    Scenario {
        name,
        app_name,
        client_id,
        object_id,
        secret,
        environment_url,
        secret_expires_in_days,
    }
}

/// The scenarios, "Everything set up" first. Sign in as Alex Admin.
pub const SCENARIOS: &[Scenario] = &[
    scenario(
        "Everything set up",
        APP_NAME,
        CLIENT_ID,
        SERVICE_PRINCIPAL_OBJECT_ID,
        CLIENT_SECRET,
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Application user missing",
        "Missing app user (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000010",
        "cccccccc-0000-4000-8000-000000000010",
        "Sbx8Q~sandbox.client.secret.value.000010",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Application user disabled",
        "Disabled app user (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000011",
        "cccccccc-0000-4000-8000-000000000011",
        "Sbx8Q~sandbox.client.secret.value.000011",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Application user has no security role",
        "No role (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000012",
        "cccccccc-0000-4000-8000-000000000012",
        "Sbx8Q~sandbox.client.secret.value.000012",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Role cannot read the table",
        "Contacts only (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000013",
        "cccccccc-0000-4000-8000-000000000013",
        "Sbx8Q~sandbox.client.secret.value.000013",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Client secret expired",
        "Expired secret (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000014",
        "cccccccc-0000-4000-8000-000000000014",
        "Sbx8Q~sandbox.client.secret.value.000014",
        ENVIRONMENT_URL,
        Some(-10),
    ),
    scenario(
        "Client secret expires soon",
        "Expiring secret (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000015",
        "cccccccc-0000-4000-8000-000000000015",
        "Sbx8Q~sandbox.client.secret.value.000015",
        ENVIRONMENT_URL,
        Some(20),
    ),
    scenario(
        "Typed secret matches no secret of the app",
        "Other secret (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000016",
        "cccccccc-0000-4000-8000-000000000016",
        "Wq5Q~sandbox.typed.secret.not.of.this.app16",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Redirect under Web, not single-page application",
        "Web only (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000002",
        "cccccccc-0000-4000-8000-000000000002",
        "Sbx8Q~sandbox.client.secret.value.000002",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Admin consent not granted",
        "Own consent only (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000017",
        "cccccccc-0000-4000-8000-000000000017",
        "Sbx8Q~sandbox.client.secret.value.000017",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Dynamics CRM permission missing",
        "Dynamic consent (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000018",
        "cccccccc-0000-4000-8000-000000000018",
        "Sbx8Q~sandbox.client.secret.value.000018",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Wrong Object ID",
        "Object id mix-up (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000019",
        // The app registration's object id, not the enterprise application's.
        "bbbbbbbb-0000-4000-8000-000000000019",
        "Sbx8Q~sandbox.client.secret.value.000019",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Environment restricts this app",
        "Restricted (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000020",
        "cccccccc-0000-4000-8000-000000000020",
        "Sbx8Q~sandbox.client.secret.value.000020",
        RESTRICTED_ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Role through a team",
        "Team role (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000021",
        "cccccccc-0000-4000-8000-000000000021",
        "Sbx8Q~sandbox.client.secret.value.000021",
        ENVIRONMENT_URL,
        Some(365),
    ),
    scenario(
        "Opaque access tokens",
        "Opaque tokens (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000022",
        "cccccccc-0000-4000-8000-000000000022",
        "Sbx8Q~sandbox.client.secret.value.000022",
        ENVIRONMENT_URL,
        Some(365),
    ),
    // Only what a person has before setting up: the app's client ID (and the tenant). Every
    // other value comes from the wizard ("Set it up for me").
    scenario(
        BARE_APP_REGISTRATION,
        "",
        "aaaaaaaa-0000-4000-8000-000000000024",
        "",
        "",
        "",
        None,
    ),
    scenario(
        "Busy environment",
        "Busy (sandbox)",
        "aaaaaaaa-0000-4000-8000-000000000023",
        "cccccccc-0000-4000-8000-000000000023",
        "Sbx8Q~sandbox.client.secret.value.000023",
        BUSY_ENVIRONMENT_URL,
        Some(365),
    ),
];

/// A scenario by name.
pub fn scenario_named(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

impl Scenario {
    /// [`draft`] with this scenario's values typed in.
    pub fn draft(&self, today: chrono::NaiveDate) -> Draft {
        let mut d = draft(today);
        d.app_name = self.app_name.into();
        d.client_id = self.client_id.into();
        d.object_id = self.object_id.into();
        d.client_secret = SecretInput::new(self.secret.into());
        d.environment_url = self.environment_url.into();
        d.secret_expires = self
            .secret_expires_in_days
            .and_then(|n| today.checked_add_signed(chrono::Duration::days(n)))
            .map(|day| day.to_string()) // ISO 8601, YYYY-MM-DD
            .unwrap_or_default();
        d
    }
}

/// A draft filled with the sandbox's values (ticks and entity left to the user).
pub fn draft(today: chrono::NaiveDate) -> Draft {
    Draft {
        cloud: Cloud::Sandbox,
        // grant_type: the default, client credentials (what the sandbox's app user signs in with).
        app_name: APP_NAME.into(),
        tenant_id: TENANT_ID.into(),
        client_id: CLIENT_ID.into(),
        object_id: SERVICE_PRINCIPAL_OBJECT_ID.into(),
        client_secret: SecretInput::new(CLIENT_SECRET.into()),
        // ISO 8601, YYYY-MM-DD (what the expiry field reads).
        secret_expires: (today + chrono::Days::new(365)).to_string(),
        environment_url: ENVIRONMENT_URL.into(),
        ..Draft::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::Severity;
    use crate::fields::GrantType;

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
    fn the_sandbox_draft_is_the_sandbox_app_with_a_secret_a_year_from_today() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let d = draft(today);
        assert_eq!(d.grant_type, GrantType::ClientCredentials);
        assert_eq!(d.app_name, APP_NAME);
        assert_eq!(d.secret_expires, "2027-11-28");
        // Nothing to warn about either: the expiry is far enough away.
        let problems = d.problems(today);
        assert!(
            problems
                .iter()
                .all(|p| p.field == Some(crate::draft::FieldId::Entity)),
            "{problems:?}"
        );
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

    /// The `[[tenants.apps]]` block of `sandbox.toml` whose `scenario` is `name`.
    fn app_block<'a>(toml: &'a str, name: &str) -> &'a str {
        let blocks: Vec<&str> = toml
            .split("[[tenants.apps]]")
            .filter(|b| b.contains(&format!("scenario = \"{name}\"")))
            .collect();
        assert_eq!(blocks.len(), 1, "scenario {name:?} in sandbox.toml");
        blocks[0].split("[[").next().unwrap_or(blocks[0])
    }

    fn value<'a>(block: &'a str, key: &str) -> &'a str {
        let start = block
            .find(&format!("\n  {key} = \""))
            .unwrap_or_else(|| panic!("{key} in {block}"))
            + key.len()
            + 7;
        let rest = &block[start..];
        &rest[..rest.find('"').unwrap()]
    }

    #[test]
    fn scenarios_match_the_sandbox_config_file() {
        let toml = include_str!("../../../sandbox/sandbox.toml");
        assert_eq!(
            toml.matches("\n  scenario = \"").count(),
            SCENARIOS.len(),
            "every scenario app of sandbox.toml is in SCENARIOS"
        );
        assert_eq!(SCENARIOS[0].name, "Everything set up");
        for s in SCENARIOS {
            let block = app_block(toml, s.name);
            assert_eq!(value(block, "client_id"), s.client_id, "{}", s.name);
            if s.name == BARE_APP_REGISTRATION {
                // Nothing but the name and the SPA redirect; the person types only the client ID.
                assert_eq!(value(block, "name"), "Bare (sandbox)");
                assert!(!block.contains("value = \""), "no secret");
                assert!(block.contains("service_principal = false"));
                assert!(block.contains("consented = false"));
                assert!(
                    !toml
                        .split("[[environments]]")
                        .skip(1)
                        .any(|e| e.contains(s.client_id)),
                    "no application user"
                );
                assert_eq!((s.object_id, s.secret, s.environment_url), ("", "", ""));
                continue;
            }
            assert_eq!(value(block, "name"), s.app_name, "{}", s.name);
            let object_key = if s.name == "Wrong Object ID" {
                "object_id"
            } else {
                "service_principal_object_id"
            };
            assert_eq!(value(block, object_key), s.object_id, "{}", s.name);
            let hints: Vec<&str> = block.split("value = \"").skip(1).map(|v| &v[..3]).collect();
            assert!(!hints.is_empty(), "{} has a secret", s.name);
            if s.name == "Typed secret matches no secret of the app" {
                assert!(!hints.contains(&&s.secret[..3]), "{}", s.name);
            } else {
                assert!(
                    block.contains(&format!("value = \"{}\"", s.secret)),
                    "{}",
                    s.name
                );
            }
            let org = s
                .environment_url
                .strip_prefix("http://")
                .and_then(|h| h.strip_suffix(".crm.localhost:8081"))
                .unwrap();
            assert!(toml.contains(&format!("org = \"{org}\"")), "{}", s.name);
            let has_app_user = toml
                .split("[[environments]]")
                .any(|e| e.contains(&format!("org = \"{org}\"")) && e.contains(s.client_id));
            assert_eq!(
                has_app_user,
                s.name != "Application user missing",
                "{}: application user in {org}",
                s.name
            );
        }
        let expiry = |name: &str| scenario_named(name).unwrap().secret_expires_in_days;
        assert!(block_has(
            toml,
            "Client secret expired",
            "expires_in_days = -10"
        ));
        assert_eq!(expiry("Client secret expired"), Some(-10));
        assert!(block_has(
            toml,
            "Client secret expires soon",
            "expires_in_days = 20"
        ));
        assert_eq!(expiry("Client secret expires soon"), Some(20));
        assert_eq!(scenario_named("nope"), None);
    }

    fn block_has(toml: &str, name: &str, needle: &str) -> bool {
        app_block(toml, name).contains(needle)
    }

    #[test]
    fn scenario_drafts_type_the_scenario_values() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let s = scenario_named("Client secret expired").unwrap();
        let d = s.draft(today);
        assert_eq!(d.client_id, s.client_id);
        assert_eq!(d.object_id, s.object_id);
        assert_eq!(d.environment_url, ENVIRONMENT_URL);
        assert_eq!(d.secret_expires, "2026-11-18");
        let d = scenario_named("Environment restricts this app")
            .unwrap()
            .draft(today);
        assert_eq!(d.environment_url, RESTRICTED_ENVIRONMENT_URL);
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
