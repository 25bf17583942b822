//! Everything computed from checked values: Service URL, v1/v2 authorize and token URLs,
//! resource and scopes, admin-consent URL, Azure portal deep links, the application user's
//! values and the Simego connector settings.

use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::draft::{Connection, Draft};
use crate::fields::{ApiVersion, EndpointVersion, EnvironmentUrl, GrantType, Guid, TenantId};

/// The Dynamics CRM / Dataverse first-party application ID (the API to add under API
/// permissions).
pub const DYNAMICS_CRM_APP_ID: &str = "00000007-0000-0000-c000-000000000000";

/// Simego's item URL convention for Dynamics (`{entity}({key})`; other OData services use
/// `{entity}/{key}`).
pub const ENTITY_URL_ITEM_CONVENTION: &str = "{entity}({key})";

/// The wizard's own SPA redirect path.
pub const CALLBACK_PATH: &str = "/auth/callback";

/// The wizard's SPA redirect URI for an app origin (`http://localhost:8080` →
/// `http://localhost:8080/auth/callback`). A trailing slash on the origin is ignored.
pub fn spa_redirect_uri(app_origin: &str) -> String {
    format!("{}{CALLBACK_PATH}", app_origin.trim().trim_end_matches('/'))
}

/// The connector's Service URL: `{env}/api/data/v9.2/` (with the trailing slash Simego shows).
pub fn service_url(env: &EnvironmentUrl, v: ApiVersion) -> String {
    format!("{env}/api/data/{}/", v.as_str())
}

fn login(cloud: Cloud, tenant: &TenantId, path: &str) -> String {
    format!("{}/{tenant}/{path}", cloud.profile().login_base)
}

/// v1 authorize endpoint: `{login}/{tenant}/oauth2/authorize`.
pub fn authorize_url_v1(cloud: Cloud, tenant: &TenantId) -> String {
    login(cloud, tenant, "oauth2/authorize")
}

/// v1 token endpoint: `{login}/{tenant}/oauth2/token`.
pub fn token_url_v1(cloud: Cloud, tenant: &TenantId) -> String {
    login(cloud, tenant, "oauth2/token")
}

/// v2 authorize endpoint: `{login}/{tenant}/oauth2/v2.0/authorize`.
pub fn authorize_url_v2(cloud: Cloud, tenant: &TenantId) -> String {
    login(cloud, tenant, "oauth2/v2.0/authorize")
}

/// v2 token endpoint: `{login}/{tenant}/oauth2/v2.0/token`.
pub fn token_url_v2(cloud: Cloud, tenant: &TenantId) -> String {
    login(cloud, tenant, "oauth2/v2.0/token")
}

/// v2 OpenID discovery document of the tenant.
pub fn openid_configuration_url(cloud: Cloud, tenant: &TenantId) -> String {
    login(cloud, tenant, "v2.0/.well-known/openid-configuration")
}

/// What the connector calls Resource (v1 `resource=`): the environment origin, no trailing slash.
pub fn resource(env: &EnvironmentUrl) -> String {
    env.as_str().to_string()
}

/// v2 scope for client credentials: `{env}/.default`.
pub fn default_scope(env: &EnvironmentUrl) -> String {
    format!("{env}/.default")
}

/// v2 delegated scope: `{env}/user_impersonation`.
pub fn user_impersonation_scope(env: &EnvironmentUrl) -> String {
    format!("{env}/user_impersonation")
}

/// Admin consent link for the app: `{login}/{tenant}/adminconsent?client_id=…[&redirect_uri=…]`.
///
/// This is the v1-style endpoint on purpose: it grants every permission configured on the app
/// registration (API permissions, here Dynamics CRM `user_impersonation`) without needing a
/// `scope` parameter, and the v2 form would need a resource-specific scope
/// (see [`admin_consent_url_v2`]). After consent Entra ID redirects to `redirect_uri` (which must
/// be registered on the app) or, without one, to the app's first redirect URI.
pub fn admin_consent_url(
    cloud: Cloud,
    tenant: &TenantId,
    client_id: &Guid,
    redirect_uri: Option<&str>,
) -> String {
    let mut url = url::Url::parse(&login(cloud, tenant, "adminconsent"))
        .expect("login base and tenant form a valid URL");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", client_id.as_str());
        if let Some(r) = redirect_uri {
            q.append_pair("redirect_uri", r);
        }
    }
    url.to_string()
}

/// The v2 admin consent link: `{login}/{tenant}/v2.0/adminconsent?client_id=…&scope={env}/.default`
/// (`.default` = every permission configured for that resource).
pub fn admin_consent_url_v2(
    cloud: Cloud,
    tenant: &TenantId,
    client_id: &Guid,
    env: &EnvironmentUrl,
    redirect_uri: Option<&str>,
) -> String {
    let mut url = url::Url::parse(&login(cloud, tenant, "v2.0/adminconsent"))
        .expect("login base and tenant form a valid URL");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", client_id.as_str());
        q.append_pair("scope", &default_scope(env));
        if let Some(r) = redirect_uri {
            q.append_pair("redirect_uri", r);
        }
    }
    url.to_string()
}

fn app_blade(cloud: Cloud, section: &str, client_id: &Guid) -> String {
    format!(
        "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/{section}/appId/{client_id}",
        cloud.profile().portal_base
    )
}

/// Azure portal: the App registrations list, or the app's Overview when the client ID is known.
pub fn app_registration_url(cloud: Cloud, client_id: Option<&Guid>) -> String {
    match client_id {
        Some(id) => app_blade(cloud, "Overview", id),
        None => format!(
            "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
            cloud.profile().portal_base
        ),
    }
}

/// Azure portal: the app's API permissions page.
pub fn api_permissions_url(cloud: Cloud, client_id: &Guid) -> String {
    app_blade(cloud, "CallAnAPI", client_id)
}

/// Azure portal: the app's Certificates & secrets page.
pub fn certificates_secrets_url(cloud: Cloud, client_id: &Guid) -> String {
    app_blade(cloud, "Credentials", client_id)
}

/// Azure portal: the app's Authentication (redirect URIs) page.
pub fn authentication_url(cloud: Cloud, client_id: &Guid) -> String {
    app_blade(cloud, "Authentication", client_id)
}

/// Azure portal: the Enterprise application (service principal) Overview, which shows the
/// Object ID the application user needs.
pub fn enterprise_app_url(cloud: Cloud, client_id: &Guid) -> String {
    format!(
        "{}/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/appId/{client_id}",
        cloud.profile().portal_base
    )
}

/// Power Platform admin center: the environments list (then environment, Settings, Users +
/// permissions, Application users).
pub fn power_platform_app_users_url(cloud: Cloud) -> String {
    format!("{}/environments", cloud.profile().admin_center)
}

/// The values Dynamics shows for the application user (legacy form: Settings, Security, Users,
/// Application Users). Blank where not known yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUserValues {
    /// User Name (see [`application_user`]).
    pub user_name: String,
    /// Application ID = Application (client) ID.
    pub application_id: String,
    /// Application ID URI.
    pub application_id_uri: String,
    /// Azure AD Object ID = the Enterprise application's Object ID.
    pub azure_ad_object_id: String,
    /// Full Name.
    pub full_name: String,
    /// Primary Email.
    pub primary_email: String,
}

/// Lowercase letters and digits of the app name (what can stand in an e-mail local part).
fn name_part(app_name: &str) -> String {
    app_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The application user's values, filled from whatever in the draft is valid so far.
///
/// * User Name follows the legacy form's documented pattern `'<App name><App ID>'@<TenantID>.com`
///   (facts §3.8): the app name's letters and digits, lowercased, then the Application (client)
///   ID, `@`, then the tenant (a GUID tenant gets `.com` appended as the form does; a domain
///   tenant is used as it is). Dataverse generates the real one itself, so this is a preview.
/// * Application ID URI is `api://{client_id}`, the value the portal proposes when you click
///   "Set" for the Application ID URI (the form only shows it).
/// * Full Name is the draft's Full Name, or the application name.
/// * Primary Email is the draft's Primary Email, or the User Name.
pub fn application_user(draft: &Draft) -> AppUserValues {
    let client = draft.client_id();
    let tenant = draft.tenant().filter(|t| !t.is_keyword());
    let user_name = match (&client, &tenant) {
        (Some(c), Some(TenantId::Guid(t))) => format!("{}{c}@{t}.com", name_part(&draft.app_name)),
        (Some(c), Some(TenantId::Domain(d))) => format!("{}{c}@{d}", name_part(&draft.app_name)),
        _ => String::new(),
    };
    let full_name = if draft.full_name.trim().is_empty() {
        draft.app_name.trim().to_string()
    } else {
        draft.full_name.trim().to_string()
    };
    let primary_email = match draft.primary_email() {
        Some(e) => e.to_string(),
        None if draft.primary_email.trim().is_empty() => user_name.clone(),
        None => String::new(),
    };
    AppUserValues {
        application_id: client.as_ref().map(Guid::to_string).unwrap_or_default(),
        application_id_uri: client.map(|c| format!("api://{c}")).unwrap_or_default(),
        azure_ad_object_id: draft.object_id().map(|g| g.to_string()).unwrap_or_default(),
        user_name,
        full_name,
        primary_email,
    }
}

/// The values to type into Simego's OData 4.0 connector, field by field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorSettings {
    /// ServiceURL.
    pub service_url: String,
    /// Entity.
    pub entity: String,
    /// EntityURLItemConvention.
    pub entity_url_item_convention: String,
    /// OAuth2 Authorise URL.
    pub authorise_url: String,
    /// OAuth2 Token URL.
    pub token_url: String,
    /// OAuth2 Client ID.
    pub client_id: String,
    /// OAuth2 Client Secret: always `None` here; the export decides whether to include it.
    pub client_secret: Option<String>,
    /// OAuth2 Resource.
    pub resource: String,
    /// OAuth2 Redirect URL (blank for client credentials).
    pub redirect_url: String,
    /// OAuth2 State (blank).
    pub state: String,
    /// OAuth2 Scope (blank for v1 endpoints).
    pub scope: String,
    /// OAuth2 Grant Type.
    pub grant_type: GrantType,
}

/// The connector settings for a checked connection.
///
/// Simego's connector speaks v1 (`resource=`), so Authorise/Token URLs are the v1 endpoints,
/// Resource is the environment and Scope stays blank. When the user typed a token endpoint it is
/// used as given; if that one is v2, the authorise URL is the matching v2 one and Scope is filled
/// (`{env}/.default` for client credentials, `{env}/user_impersonation offline_access` for
/// authorization code), because v2 ignores `resource=`. Redirect URL is the connector's Web
/// redirect for authorization code and blank for client credentials; State is blank; the client
/// secret is left `None` (the export decides).
pub fn connector_settings(conn: &Connection) -> ConnectorSettings {
    let (authorise_url, token_url, scope) = match &conn.token_endpoint {
        Some(t) if t.version() == EndpointVersion::V2 => (
            authorize_url_v2(conn.cloud, t.tenant()),
            t.as_str().to_string(),
            match conn.grant_type {
                GrantType::ClientCredentials => default_scope(&conn.environment),
                GrantType::AuthorizationCode => format!(
                    "{} offline_access",
                    user_impersonation_scope(&conn.environment)
                ),
            },
        ),
        Some(t) => (
            authorize_url_v1(conn.cloud, t.tenant()),
            t.as_str().to_string(),
            String::new(),
        ),
        None => (
            authorize_url_v1(conn.cloud, &conn.tenant),
            token_url_v1(conn.cloud, &conn.tenant),
            String::new(),
        ),
    };
    ConnectorSettings {
        service_url: service_url(&conn.environment, conn.api_version),
        entity: conn.entity.clone(),
        entity_url_item_convention: ENTITY_URL_ITEM_CONVENTION.to_string(),
        authorise_url,
        token_url,
        client_id: conn.client_id.to_string(),
        client_secret: None,
        resource: resource(&conn.environment),
        redirect_url: match conn.grant_type {
            GrantType::AuthorizationCode => conn
                .connector_redirect_url
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            GrantType::ClientCredentials => String::new(),
        },
        state: String::new(),
        scope,
        grant_type: conn.grant_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::tests::{good, today, CLIENT, OBJECT, TENANT};
    use crate::draft::SecretInput;
    use crate::fields::GrantType;

    fn env(s: &str) -> EnvironmentUrl {
        EnvironmentUrl::parse(s).unwrap().value
    }
    fn tenant() -> TenantId {
        TenantId::Guid(Guid::parse(TENANT).unwrap())
    }
    fn client() -> Guid {
        Guid::parse(CLIENT).unwrap()
    }

    #[test]
    fn simple_urls() {
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
        assert_eq!(
            default_scope(&e),
            "https://contoso.crm4.dynamics.com/.default"
        );
        assert_eq!(
            user_impersonation_scope(&e),
            "https://contoso.crm4.dynamics.com/user_impersonation"
        );
        assert_eq!(
            spa_redirect_uri("http://localhost:8080/"),
            "http://localhost:8080/auth/callback"
        );
        let s = env("http://contoso.crm.localhost:8081");
        assert_eq!(
            service_url(&s, ApiVersion::V9_2),
            "http://contoso.crm.localhost:8081/api/data/v9.2/"
        );
    }

    #[test]
    fn login_urls_per_cloud() {
        let t = tenant();
        let cases = [
            (Cloud::Public, "https://login.microsoftonline.com"),
            (Cloud::UsGov, "https://login.microsoftonline.us"),
            (Cloud::UsGovDod, "https://login.microsoftonline.us"),
            (Cloud::China, "https://login.chinacloudapi.cn"),
            (Cloud::Sandbox, "http://localhost:8081"),
        ];
        for (cloud, base) in cases {
            assert_eq!(
                authorize_url_v1(cloud, &t),
                format!("{base}/{TENANT}/oauth2/authorize")
            );
            assert_eq!(
                token_url_v1(cloud, &t),
                format!("{base}/{TENANT}/oauth2/token")
            );
            assert_eq!(
                authorize_url_v2(cloud, &t),
                format!("{base}/{TENANT}/oauth2/v2.0/authorize")
            );
            assert_eq!(
                token_url_v2(cloud, &t),
                format!("{base}/{TENANT}/oauth2/v2.0/token")
            );
            // What we derive, the token endpoint parser accepts.
            crate::fields::TokenEndpoint::parse(&token_url_v2(cloud, &t), Some(&t), cloud).unwrap();
            crate::fields::TokenEndpoint::parse(&token_url_v1(cloud, &t), Some(&t), cloud).unwrap();
        }
    }

    #[test]
    fn admin_consent() {
        let t = tenant();
        assert_eq!(
            admin_consent_url(Cloud::Public, &t, &client(), None),
            format!("https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={CLIENT}")
        );
        assert_eq!(
            admin_consent_url(Cloud::Public, &t, &client(), Some("http://localhost:8080/auth/callback")),
            format!("https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={CLIENT}&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback")
        );
        let e = env("https://contoso.crm.dynamics.com");
        assert_eq!(
            admin_consent_url_v2(Cloud::Public, &t, &client(), &e, None),
            format!("https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent?client_id={CLIENT}&scope=https%3A%2F%2Fcontoso.crm.dynamics.com%2F.default")
        );
    }

    #[test]
    fn portal_links() {
        let c = client();
        assert_eq!(
            app_registration_url(Cloud::Public, None),
            "https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade"
        );
        assert_eq!(
            app_registration_url(Cloud::UsGov, Some(&c)),
            format!("https://portal.azure.us/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/{CLIENT}")
        );
        assert!(api_permissions_url(Cloud::China, &c).starts_with("https://portal.azure.cn/"));
        assert!(api_permissions_url(Cloud::Public, &c)
            .ends_with(&format!("/~/CallAnAPI/appId/{CLIENT}")));
        assert!(certificates_secrets_url(Cloud::Public, &c)
            .ends_with(&format!("/~/Credentials/appId/{CLIENT}")));
        assert!(authentication_url(Cloud::Public, &c)
            .ends_with(&format!("/~/Authentication/appId/{CLIENT}")));
        assert_eq!(
            enterprise_app_url(Cloud::Public, &c),
            format!("https://portal.azure.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/appId/{CLIENT}")
        );
        assert_eq!(
            power_platform_app_users_url(Cloud::UsGovDod),
            "https://high.admin.powerplatform.microsoft.us/environments"
        );
        assert_eq!(
            power_platform_app_users_url(Cloud::Sandbox),
            "http://localhost:8081/admin/environments"
        );
    }

    #[test]
    fn application_user_values() {
        let v = application_user(&good());
        assert_eq!(v.user_name, format!("simegodatasync{CLIENT}@{TENANT}.com"));
        assert_eq!(v.application_id, CLIENT);
        assert_eq!(v.application_id_uri, format!("api://{CLIENT}"));
        assert_eq!(v.azure_ad_object_id, OBJECT);
        assert_eq!(v.full_name, "Simego Data Sync");
        assert_eq!(v.primary_email, v.user_name);
        crate::fields::Email::parse(&v.user_name).unwrap();

        let mut d = good();
        d.full_name = "Data Sync".into();
        d.primary_email = "sync@contoso.com".into();
        d.tenant_id = "contoso.onmicrosoft.com".into();
        let v = application_user(&d);
        assert_eq!(v.full_name, "Data Sync");
        assert_eq!(v.primary_email, "sync@contoso.com");
        assert!(v.user_name.ends_with("@contoso.onmicrosoft.com"));

        // Partial drafts: blanks where unknown.
        let v = application_user(&Draft {
            app_name: "X".into(),
            object_id: "nonsense".into(),
            ..Draft::default()
        });
        assert_eq!(
            v,
            AppUserValues {
                full_name: "X".into(),
                ..AppUserValues::default()
            }
        );
    }

    #[test]
    fn connector_settings_client_credentials() {
        let c = good().validate(today()).unwrap();
        let s = connector_settings(&c);
        assert_eq!(
            s.service_url,
            "https://contoso.crm4.dynamics.com/api/data/v9.2/"
        );
        assert_eq!(s.entity, "accounts");
        assert_eq!(s.entity_url_item_convention, "{entity}({key})");
        assert_eq!(
            s.authorise_url,
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/authorize")
        );
        assert_eq!(
            s.token_url,
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/token")
        );
        assert_eq!(s.client_id, CLIENT);
        assert_eq!(s.client_secret, None);
        assert_eq!(s.resource, "https://contoso.crm4.dynamics.com");
        assert_eq!(s.redirect_url, "");
        assert_eq!(s.state, "");
        assert_eq!(s.scope, "");
        assert_eq!(s.grant_type, GrantType::ClientCredentials);
    }

    #[test]
    fn connector_settings_with_typed_endpoints() {
        let mut d = good();
        d.token_endpoint = format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token");
        let s = connector_settings(&d.validate(today()).unwrap());
        assert_eq!(s.token_url, d.token_endpoint);
        assert_eq!(
            s.authorise_url,
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize")
        );
        assert_eq!(s.scope, "https://contoso.crm4.dynamics.com/.default");

        d.grant_type = GrantType::AuthorizationCode;
        d.client_secret = SecretInput::default();
        d.connector_redirect_url = "https://www.simego.com/oauth/code".into();
        let s = connector_settings(&d.validate(today()).unwrap());
        assert_eq!(s.redirect_url, "https://www.simego.com/oauth/code");
        assert_eq!(
            s.scope,
            "https://contoso.crm4.dynamics.com/user_impersonation offline_access"
        );
        assert_eq!(s.grant_type, GrantType::AuthorizationCode);
    }
}
