//! The optional per-deployment `config.json` beside `index.html` (see `docs/DEPLOY.md`). Today it
//! may name a `setup_client_id`: one app registration per organisation used for setting up, with
//! which the wizard can also create the Data Sync app registration itself.

use serde::Deserialize;

use crate::fields::Guid;

/// What a deployment configures. Without `config.json`, everything is as without it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeployConfig {
    /// The organisation's setup app (a public client with a SPA redirect to this wizard and
    /// admin-consented `Application.ReadWrite.All`, `DelegatedPermissionGrant.ReadWrite.All`).
    pub setup_client_id: Option<Guid>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    setup_client_id: Option<String>,
}

/// Why `config.json` was not used. `Display` is the message for whoever deployed the wizard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployConfigError {
    /// Not the documented shape.
    #[error("config.json is not valid ({0}); the wizard works without it. See docs/DEPLOY.md.")]
    Shape(String),
    /// `setup_client_id` is not an Application (client) ID.
    #[error("config.json: setup_client_id is not an Application (client) ID ({0}); the wizard works without it.")]
    SetupClientId(String),
}

impl DeployConfig {
    /// Reads `config.json`'s text (unknown keys are refused, so a typo is seen).
    pub fn parse(text: &str) -> Result<DeployConfig, DeployConfigError> {
        let raw: Raw =
            serde_json::from_str(text).map_err(|e| DeployConfigError::Shape(e.to_string()))?;
        let setup_client_id = match raw.setup_client_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => {
                Some(Guid::parse(id).map_err(|e| DeployConfigError::SetupClientId(e.to_string()))?)
            }
        };
        Ok(DeployConfig { setup_client_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_setup_app_and_refuses_what_it_does_not_know() {
        let c =
            DeployConfig::parse(r#"{"setup_client_id":"AAAAAAAA-0000-4000-8000-000000000030"}"#)
                .expect("valid");
        assert_eq!(
            c.setup_client_id.map(|g| g.to_string()),
            Some("aaaaaaaa-0000-4000-8000-000000000030".to_string())
        );
        assert_eq!(DeployConfig::parse("{}"), Ok(DeployConfig::default()));
        assert_eq!(
            DeployConfig::parse(r#"{"setup_client_id":" "}"#),
            Ok(DeployConfig::default())
        );
        assert!(matches!(
            DeployConfig::parse(r#"{"setup_client":"x"}"#),
            Err(DeployConfigError::Shape(_))
        ));
        assert!(matches!(
            DeployConfig::parse(r#"{"setup_client_id":"nope"}"#),
            Err(DeployConfigError::SetupClientId(_))
        ));
        assert!(DeployConfig::parse("<html>").is_err());
    }
}
