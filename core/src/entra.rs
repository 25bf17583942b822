//! Every Microsoft Entra ID address the wizard shows, exports or calls, built in one place:
//! authorize and token endpoints (v1 and v2.0), the OpenID discovery document, admin-consent
//! links, and the scopes and constants that go with them.
//!
//! An [`Authority`] is a login host plus a tenant. It is built either from a cloud and a checked
//! tenant (what the screens and exports use) or from plain strings (what the sign-in request,
//! which survives a full-page redirect as JSON, carries).

use crate::cloud::Cloud;
use crate::fields::{EndpointVersion, Guid, TenantId};

/// The Dynamics CRM / Dataverse first-party application ID (the API to add under API
/// permissions).
pub const DYNAMICS_CRM_APP_ID: &str = "00000007-0000-0000-c000-000000000000";

/// The delegated Dataverse permission every wizard sign-in asks for.
pub const USER_IMPERSONATION: &str = "user_impersonation";

/// The wizard's own SPA redirect path.
pub const CALLBACK_PATH: &str = "/auth/callback";

/// The wizard's SPA redirect URI for an app origin (`http://localhost:8080` →
/// `http://localhost:8080/auth/callback`). A trailing slash on the origin is ignored.
pub fn spa_redirect_uri(app_origin: &str) -> String {
    format!("{}{CALLBACK_PATH}", app_origin.trim().trim_end_matches('/'))
}

/// v2.0 scope for client credentials: `{env}/.default` (every permission configured for the
/// resource).
pub fn default_scope(environment: &str) -> String {
    format!("{}/.default", origin(environment))
}

/// v2.0 delegated Dataverse scope: `{env}/user_impersonation`.
pub fn user_impersonation_scope(environment: &str) -> String {
    format!("{}/{USER_IMPERSONATION}", origin(environment))
}

/// The scope string of the wizard's own sign-in:
/// `{env}/user_impersonation openid profile offline_access`.
pub fn sign_in_scope(environment: &str) -> String {
    format!(
        "{} openid profile offline_access",
        user_impersonation_scope(environment)
    )
}

fn origin(s: &str) -> &str {
    s.trim().trim_end_matches('/')
}

/// A login host and a tenant: the root of every Entra ID endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    base: String,
    tenant: String,
}

impl Authority {
    /// From plain strings (trailing slashes on the host and blanks around the tenant ignored).
    pub fn new(login_base: &str, tenant: &str) -> Authority {
        Authority {
            base: origin(login_base).to_string(),
            tenant: tenant.trim().to_string(),
        }
    }

    /// The cloud's login host and a checked tenant.
    pub fn of(cloud: Cloud, tenant: &TenantId) -> Authority {
        Authority::new(cloud.profile().login_base, tenant.as_str())
    }

    fn at(&self, path: &str) -> String {
        format!("{}/{}/{path}", self.base, self.tenant)
    }

    /// Authorize endpoint: v1 `{login}/{tenant}/oauth2/authorize`, v2
    /// `{login}/{tenant}/oauth2/v2.0/authorize`.
    pub fn authorize_url(&self, version: EndpointVersion) -> String {
        match version {
            EndpointVersion::V1 => self.at("oauth2/authorize"),
            EndpointVersion::V2 => self.at("oauth2/v2.0/authorize"),
        }
    }

    /// Token endpoint: v1 `{login}/{tenant}/oauth2/token`, v2 `{login}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self, version: EndpointVersion) -> String {
        match version {
            EndpointVersion::V1 => self.at("oauth2/token"),
            EndpointVersion::V2 => self.at("oauth2/v2.0/token"),
        }
    }

    /// The v1 authorize endpoint with `?resource={environment}`: the Auth URL of Microsoft's
    /// Postman environment for the Dataverse Web API (v1 needs the resource in the request).
    pub fn authorize_url_for_resource(&self, resource: &str) -> String {
        with_query(
            self.authorize_url(EndpointVersion::V1),
            &[("resource", resource)],
        )
    }

    /// The tenant's v2.0 OpenID discovery document.
    pub fn openid_configuration_url(&self) -> String {
        self.at("v2.0/.well-known/openid-configuration")
    }

    /// The tenant GUID a v2.0 OpenID discovery document names (its `issuer`,
    /// `https://login.microsoftonline.com/{tid}/v2.0`, else its `token_endpoint`), so a verified
    /// domain typed as the tenant can be shown with its GUID. `Err` is the reason, in plain
    /// words (Entra ID's own AADSTS message for an unknown domain).
    pub fn tenant_from_discovery(body: &str) -> Result<crate::fields::Guid, String> {
        let doc: serde_json::Value = serde_json::from_str(body.trim())
            .map_err(|_| "the answer is not an OpenID discovery document".to_string())?;
        if let Some(d) = doc
            .get("error_description")
            .and_then(serde_json::Value::as_str)
        {
            let first = d.lines().next().unwrap_or(d).trim();
            return Err(format!("Entra ID does not know this tenant: {first}"));
        }
        ["issuer", "token_endpoint"]
            .iter()
            .filter_map(|k| doc.get(*k).and_then(serde_json::Value::as_str))
            .find_map(|url| {
                url::Url::parse(url)
                    .ok()?
                    .path_segments()?
                    .find_map(|seg| crate::fields::Guid::parse(seg).ok())
            })
            .ok_or_else(|| "the discovery document names no tenant ID".to_string())
    }

    /// Admin consent link: `{login}/{tenant}/adminconsent?client_id=…[&redirect_uri=…]`.
    ///
    /// The v1-style endpoint on purpose: it grants every permission configured on the app
    /// registration (here Dynamics CRM `user_impersonation`) without a `scope` parameter. After
    /// consent Entra ID redirects to `redirect_uri` (which must be registered on the app) or,
    /// without one, to the app's first redirect URI.
    pub fn admin_consent_url(&self, client_id: &Guid, redirect_uri: Option<&str>) -> String {
        let mut query = vec![("client_id", client_id.as_str())];
        query.extend(redirect_uri.map(|r| ("redirect_uri", r)));
        with_query(self.at("adminconsent"), &query)
    }

    /// The v2.0 admin consent link, scoped to the environment:
    /// `{login}/{tenant}/v2.0/adminconsent?client_id=…&scope={env}/.default[&redirect_uri=…]`.
    pub fn admin_consent_url_v2(
        &self,
        client_id: &Guid,
        environment: &str,
        redirect_uri: Option<&str>,
    ) -> String {
        let scope = default_scope(environment);
        let mut query = vec![("client_id", client_id.as_str()), ("scope", scope.as_str())];
        query.extend(redirect_uri.map(|r| ("redirect_uri", r)));
        with_query(self.at("v2.0/adminconsent"), &query)
    }
}

/// `base?k=v&…`, form-urlencoded as a browser would send it.
fn with_query(base: String, pairs: &[(&str, &str)]) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{base}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const CLIENT: &str = "51f81489-12ee-4a9e-aaae-a2591f45987d";

    fn tenant() -> TenantId {
        TenantId::Guid(Guid::parse(TENANT).unwrap())
    }

    #[test]
    fn every_endpoint_per_cloud() {
        let cases = [
            (Cloud::Public, "https://login.microsoftonline.com"),
            (Cloud::UsGov, "https://login.microsoftonline.us"),
            (Cloud::UsGovDod, "https://login.microsoftonline.us"),
            (Cloud::China, "https://login.chinacloudapi.cn"),
            (Cloud::Sandbox, "http://localhost:8081"),
        ];
        for (cloud, base) in cases {
            let a = Authority::of(cloud, &tenant());
            let p = format!("{base}/{TENANT}");
            assert_eq!(
                a.authorize_url(EndpointVersion::V1),
                format!("{p}/oauth2/authorize")
            );
            assert_eq!(
                a.token_url(EndpointVersion::V1),
                format!("{p}/oauth2/token")
            );
            assert_eq!(
                a.authorize_url(EndpointVersion::V2),
                format!("{p}/oauth2/v2.0/authorize")
            );
            assert_eq!(
                a.token_url(EndpointVersion::V2),
                format!("{p}/oauth2/v2.0/token")
            );
            assert_eq!(
                a.openid_configuration_url(),
                format!("{p}/v2.0/.well-known/openid-configuration")
            );
            // What we derive, the token endpoint parser accepts, with the same version.
            for v in [EndpointVersion::V1, EndpointVersion::V2] {
                let parsed =
                    crate::fields::TokenEndpoint::parse(&a.token_url(v), Some(&tenant()), cloud)
                        .unwrap();
                assert_eq!(parsed.value.version(), v);
            }
        }
    }

    #[test]
    fn plain_strings_are_trimmed() {
        let a = Authority::new(" http://localhost:8081/ ", " contoso.onmicrosoft.com ");
        assert_eq!(
            a.token_url(EndpointVersion::V2),
            "http://localhost:8081/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
    }

    #[test]
    fn admin_consent_links() {
        let a = Authority::of(Cloud::Public, &tenant());
        let c = Guid::parse(CLIENT).unwrap();
        assert_eq!(
            a.admin_consent_url(&c, None),
            format!("https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={CLIENT}")
        );
        assert_eq!(
            a.admin_consent_url(&c, Some("http://localhost:8080/auth/callback")),
            format!("https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={CLIENT}&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback")
        );
        assert_eq!(
            a.authorize_url_for_resource("https://contoso.crm.dynamics.com"),
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/authorize?resource=https%3A%2F%2Fcontoso.crm.dynamics.com")
        );
        assert_eq!(
            a.admin_consent_url_v2(&c, "https://contoso.crm.dynamics.com/", None),
            format!("https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent?client_id={CLIENT}&scope=https%3A%2F%2Fcontoso.crm.dynamics.com%2F.default")
        );
    }

    #[test]
    fn scopes_and_redirect() {
        let e = "https://contoso.crm4.dynamics.com/";
        assert_eq!(
            default_scope(e),
            "https://contoso.crm4.dynamics.com/.default"
        );
        assert_eq!(
            user_impersonation_scope(e),
            "https://contoso.crm4.dynamics.com/user_impersonation"
        );
        assert_eq!(
            sign_in_scope(e),
            "https://contoso.crm4.dynamics.com/user_impersonation openid profile offline_access"
        );
        assert_eq!(
            spa_redirect_uri("http://localhost:8080/"),
            "http://localhost:8080/auth/callback"
        );
    }
}
