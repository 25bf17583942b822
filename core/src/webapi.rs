//! Addresses of the Dataverse Web API derived from a checked environment URL.

use crate::fields::{ApiVersion, EnvironmentUrl};

/// The Web API root: `{env}/api/data/v9.2/` (with the trailing slash Simego shows). The
/// connector's ServiceURL, the base of every Dataverse call and the schema cache key.
pub fn service_url(env: &EnvironmentUrl, version: ApiVersion) -> String {
    format!("{env}/api/data/{}/", version.as_str())
}

/// What a v1 token request calls `resource`: the environment origin, no trailing slash.
pub fn resource(env: &EnvironmentUrl) -> String {
    env.as_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(s: &str) -> EnvironmentUrl {
        EnvironmentUrl::parse(s).unwrap().value
    }

    #[test]
    fn service_url_per_version() {
        let e = env("https://contoso.crm4.dynamics.com/");
        assert_eq!(
            service_url(&e, ApiVersion::V9_2),
            "https://contoso.crm4.dynamics.com/api/data/v9.2/"
        );
        assert_eq!(
            service_url(&e, ApiVersion::V9_0),
            "https://contoso.crm4.dynamics.com/api/data/v9.0/"
        );
        assert_eq!(resource(&e), "https://contoso.crm4.dynamics.com");
        let s = env("http://contoso.crm.localhost:8081");
        assert_eq!(
            service_url(&s, ApiVersion::V9_2),
            "http://contoso.crm.localhost:8081/api/data/v9.2/"
        );
    }
}
