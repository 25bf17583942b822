//! The fixed choices: [`GrantType`], [`ApiVersion`] and [`EndpointVersion`].

use serde::{Deserialize, Serialize};

/// The OAuth 2.0 grant the Simego connector uses (its Grant Type field).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// App-only: the connector signs in as the application user with the client secret.
    #[default]
    ClientCredentials,
    /// Delegated: the connector signs in a person through a Web redirect.
    AuthorizationCode,
}

impl GrantType {
    /// Both grants, default first.
    pub const ALL: [GrantType; 2] = [GrantType::ClientCredentials, GrantType::AuthorizationCode];

    /// The wire value: `client_credentials` / `authorization_code`.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "client_credentials",
            GrantType::AuthorizationCode => "authorization_code",
        }
    }

    /// What the choice means for Data Sync, shown beside the choice on step 6.
    pub fn help(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => {
                "Data Sync signs in as the application user with the client secret (unattended runs)."
            }
            GrantType::AuthorizationCode => {
                "Data Sync signs in as you in a browser window; needs the Web redirect from step 1."
            }
        }
    }

    /// Inverse of [`GrantType::as_str`].
    pub fn parse(s: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }
}

/// Dataverse Web API version in the Service URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiVersion {
    /// `v9.0`.
    #[serde(rename = "v9.0")]
    V9_0,
    /// `v9.1`.
    #[serde(rename = "v9.1")]
    V9_1,
    /// `v9.2`, the current one.
    #[default]
    #[serde(rename = "v9.2")]
    V9_2,
}

impl ApiVersion {
    /// Every supported version, oldest first.
    pub const ALL: [ApiVersion; 3] = [ApiVersion::V9_0, ApiVersion::V9_1, ApiVersion::V9_2];

    /// `"v9.0"`, `"v9.1"` or `"v9.2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V9_0 => "v9.0",
            ApiVersion::V9_1 => "v9.1",
            ApiVersion::V9_2 => "v9.2",
        }
    }

    /// Accepts `v9.2`, `V9.2` or `9.2`.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        let s = s.trim();
        let s = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        ApiVersion::ALL.into_iter().find(|v| &v.as_str()[1..] == s)
    }
}

/// Entra ID endpoint generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndpointVersion {
    /// `/oauth2/token` (Azure AD v1: `resource=` parameter).
    V1,
    /// `/oauth2/v2.0/token` (Microsoft identity platform: `scope=` parameter).
    V2,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_grant_says_who_signs_in_and_what_it_needs() {
        let cc = GrantType::ClientCredentials.help();
        assert!(
            cc.contains("application user") && cc.contains("client secret"),
            "{cc}"
        );
        let code = GrantType::AuthorizationCode.help();
        assert!(
            code.contains("signs in as you") && code.contains("redirect"),
            "{code}"
        );
    }

    #[test]
    fn api_version_and_grant() {
        assert_eq!(ApiVersion::parse("9.2"), Some(ApiVersion::V9_2));
        assert_eq!(ApiVersion::parse("v9.0"), Some(ApiVersion::V9_0));
        assert_eq!(ApiVersion::parse("V9.1"), Some(ApiVersion::V9_1));
        assert_eq!(ApiVersion::parse("v8.2"), None);
        for v in ApiVersion::ALL {
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
        }
        assert_eq!(ApiVersion::default(), ApiVersion::V9_2);
        for g in GrantType::ALL {
            assert_eq!(
                serde_json::to_string(&g).unwrap(),
                format!("\"{}\"", g.as_str())
            );
            assert_eq!(GrantType::parse(g.as_str()), Some(g));
        }
    }
}
