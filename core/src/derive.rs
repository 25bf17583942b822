//! Values shown around the setup steps: Azure portal and Power Platform admin center deep
//! links, and the application user's values. Entra ID addresses are built in [`crate::entra`],
//! Web API addresses in [`crate::webapi`], the connector's values in [`crate::connector`].

use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::draft::Draft;
use crate::fields::{Guid, TenantId};

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

/// Stands in for the domain of the application user's User Name while it is not known.
pub const PLACEHOLDER_DOMAIN: &str = "<your-domain>";

/// The domain of a signed-in user's name (`ada@contoso.com` → `contoso.com`), when it looks like
/// one: a dotted host name after the last `@`.
fn user_domain(user: &str) -> Option<&str> {
    let (_, domain) = user.trim().rsplit_once('@')?;
    let ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then_some(domain)
}

/// The application user's values, filled from whatever in the draft is valid so far (no
/// signed-in user known). See [`application_user_for`].
pub fn application_user(draft: &Draft) -> AppUserValues {
    application_user_for(draft, None)
}

/// The application user's values, filled from whatever in the draft is valid so far.
///
/// * User Name follows the legacy form's pattern `'<App name><App ID>'@<domain>`: the app name's
///   letters and digits, lowercased, then the Application (client) ID, `@`, then a real domain of
///   the organisation: the signed-in user's (`signed_in_as`, from the token's
///   `preferred_username`/`upn`), else a domain-form tenant (`contoso.onmicrosoft.com`), else
///   [`PLACEHOLDER_DOMAIN`] for the user to replace. Never a made-up `@{tenant-guid}.com`.
///   Dataverse generates the real one itself, so this is a preview.
/// * Application ID URI is `api://{client_id}`, the value the portal proposes when you click
///   "Set" for the Application ID URI (the form only shows it).
/// * Full Name is the draft's Full Name, or the application name.
/// * Primary Email is the draft's Primary Email, or the User Name.
pub fn application_user_for(draft: &Draft, signed_in_as: Option<&str>) -> AppUserValues {
    let client = draft.client_id();
    let tenant_domain = match draft.tenant() {
        Some(TenantId::Domain(d)) => Some(d.to_string()),
        _ => None,
    };
    let domain = signed_in_as
        .and_then(user_domain)
        .map(str::to_string)
        .or(tenant_domain)
        .unwrap_or_else(|| PLACEHOLDER_DOMAIN.to_string());
    let user_name = match &client {
        Some(c) => format!("{}{c}@{domain}", name_part(&draft.app_name)),
        None => String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::tests::{good, CLIENT, OBJECT, TENANT};

    fn client() -> Guid {
        Guid::parse(CLIENT).unwrap()
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
        // A GUID tenant and nobody signed in: a clear placeholder, never `@{guid}.com`.
        assert_eq!(v.user_name, format!("simegodatasync{CLIENT}@<your-domain>"));
        assert!(!v.user_name.contains(TENANT));
        assert_eq!(v.application_id, CLIENT);
        assert_eq!(v.application_id_uri, format!("api://{CLIENT}"));
        assert_eq!(v.azure_ad_object_id, OBJECT);
        assert_eq!(v.full_name, "Simego Data Sync");
        assert_eq!(v.primary_email, v.user_name);

        // The signed-in user's domain is the organisation's real one.
        let v = application_user_for(&good(), Some("ada@contoso.com"));
        assert_eq!(v.user_name, format!("simegodatasync{CLIENT}@contoso.com"));
        assert_eq!(v.primary_email, v.user_name);
        crate::fields::Email::parse(&v.user_name).unwrap();
        // A guest's UPN ends in the host tenant's domain, which is the one to use.
        let v = application_user_for(
            &good(),
            Some("ada_outlook.com#EXT#@fabrikam.onmicrosoft.com"),
        );
        assert!(v.user_name.ends_with("@fabrikam.onmicrosoft.com"));
        // A user name that is not an e-mail address says nothing about the domain.
        for odd in [
            "Alex Admin",
            "ada@",
            "ada@localhost",
            "ada@bad domain.com",
            "a@.com",
        ] {
            assert!(
                application_user_for(&good(), Some(odd))
                    .user_name
                    .ends_with("@<your-domain>"),
                "{odd}"
            );
        }

        let mut d = good();
        d.full_name = "Data Sync".into();
        d.primary_email = "sync@contoso.com".into();
        d.tenant_id = "contoso.onmicrosoft.com".into();
        let v = application_user(&d);
        assert_eq!(v.full_name, "Data Sync");
        assert_eq!(v.primary_email, "sync@contoso.com");
        assert!(v.user_name.ends_with("@contoso.onmicrosoft.com"));

        // A Primary Email that fails its check is left blank for the user to fix, not silently
        // replaced by the User Name.
        let mut d = good();
        d.primary_email = "not an email".into();
        let v = application_user(&d);
        assert_eq!(v.primary_email, "");
        assert!(!v.user_name.is_empty());

        // A domain tenant is used when nobody is signed in; the user's domain wins over it.
        assert_eq!(
            application_user_for(&d, Some("ada@contoso.com")).user_name,
            format!("simegodatasync{CLIENT}@contoso.com")
        );

        // A keyword tenant (organizations, common) is not a domain: the placeholder.
        let mut d = good();
        d.tenant_id = "organizations".into();
        assert!(application_user(&d).user_name.ends_with("@<your-domain>"));

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
}
