//! Microsoft's Global Discovery Service: every environment the signed-in person can reach, with
//! its friendly name, URL, region, state and whether they are System Administrator there.
//!
//! One base per cloud ([`crate::cloud::CloudProfile::discovery_base`]); the token is Dynamics CRM
//! `user_impersonation` for the discovery resource. Entra ID reads a v2.0 scope of a v1 resource
//! as "the resource is everything before the last slash", and the discovery resource identifier
//! is `https://globaldisco.crm.dynamics.com/` (with its slash), so the scope has two slashes:
//! `https://globaldisco.crm.dynamics.com//user_impersonation` ([`scope`]). With one slash the
//! token's audience lacks the slash, and the service refuses it.

use serde::Deserialize;

use crate::cloud::Cloud;
use crate::fields::EnvironmentUrl;
use crate::verify::{ApiRequest, Method};

/// From this many environments on, the list gets a filter box.
pub const FILTER_ABOVE: usize = 8;

/// `{base}/api/discovery/v2.0/Instances` of `cloud`.
pub fn instances_url(cloud: Cloud) -> String {
    format!(
        "{}/api/discovery/v2.0/Instances",
        cloud.profile().discovery_base
    )
}

/// The discovery resource as Entra ID knows it: the base with its trailing slash.
pub fn resource(cloud: Cloud) -> String {
    format!("{}/", cloud.profile().discovery_base)
}

/// The delegated scope for a discovery token: the resource (with its slash) + `/user_impersonation`.
pub fn scope(cloud: Cloud) -> String {
    format!("{}/user_impersonation", resource(cloud))
}

/// The list request, as shown to the person and sent.
pub fn instances_request(cloud: Cloud) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url: instances_url(cloud),
        body: None,
        headers: vec![("Accept", "application/json")],
        permission: None,
        purpose: "List the environments you can reach (Global Discovery Service).",
    }
}

/// Why the answer could not be read. `Display` is the message for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    /// Not the Instances shape (not JSON, no `value`, a required field missing).
    #[error(
        "The Global Discovery Service answered something the wizard cannot read ({0}). Type the \
         Environment URL instead (Power Platform admin center → Environments → the environment → \
         Environment URL)."
    )]
    Shape(String),
}

/// One Instance as the service answers it. Fields the wizard does not use are ignored; the ones
/// it needs are required, so a changed answer gives a clear error instead of an empty list.
#[derive(Debug, Deserialize)]
struct Instance {
    #[serde(rename = "FriendlyName")]
    friendly_name: Option<String>,
    #[serde(rename = "UrlName", default)]
    url_name: Option<String>,
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "State")]
    state: i64,
    #[serde(rename = "Region", default)]
    region: Option<String>,
    #[serde(rename = "IsUserSysAdmin", default)]
    is_user_sys_admin: bool,
    #[serde(rename = "Purpose", default)]
    purpose: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Instances {
    value: Vec<Instance>,
}

/// One environment as the wizard lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredEnvironment {
    /// The friendly name (else the URL name), what the checkbox says.
    pub name: String,
    /// The URL exactly as the service gave it.
    pub url: String,
    /// The region code, e.g. `NA`, `EUR` (may be empty).
    pub region: String,
    /// Whether the person is System Administrator there.
    pub is_sys_admin: bool,
    /// Its purpose, when the admin wrote one.
    pub purpose: Option<String>,
    /// Whether it can be chosen, and why not.
    pub availability: Availability,
}

/// Whether a listed environment can be chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Enabled and in the chosen cloud: choosing it fills the Environment URL with this value
    /// (the form the field checks expect).
    Ready(EnvironmentUrl),
    /// Shown, not selectable, with the reason.
    Unavailable(String),
}

impl DiscoveredEnvironment {
    /// The Environment URL to fill in, when it can be chosen.
    pub fn environment(&self) -> Option<&EnvironmentUrl> {
        match &self.availability {
            Availability::Ready(e) => Some(e),
            Availability::Unavailable(_) => None,
        }
    }

    /// Whether `query` (any case) is part of its name, URL or region.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty()
            || [&self.name, &self.url, &self.region]
                .iter()
                .any(|s| s.to_lowercase().contains(&q))
    }
}

/// Reads the Instances answer, sorted by name. Disabled environments and ones whose URL does not
/// belong to `cloud` are kept, marked [`Availability::Unavailable`] with the reason.
pub fn parse_instances(
    body: &str,
    cloud: Cloud,
) -> Result<Vec<DiscoveredEnvironment>, DiscoveryError> {
    let answer: Instances =
        serde_json::from_str(body).map_err(|e| DiscoveryError::Shape(e.to_string()))?;
    let mut out: Vec<DiscoveredEnvironment> = answer
        .value
        .into_iter()
        .map(|i| {
            let name = i
                .friendly_name
                .filter(|n| !n.trim().is_empty())
                .or(i.url_name.filter(|n| !n.trim().is_empty()))
                .unwrap_or_else(|| i.url.clone());
            let availability = availability(&i.url, i.state, cloud);
            DiscoveredEnvironment {
                name: name.trim().to_string(),
                url: i.url,
                region: i.region.unwrap_or_default(),
                is_sys_admin: i.is_user_sys_admin,
                purpose: i.purpose.filter(|p| !p.trim().is_empty()),
                availability,
            }
        })
        .collect();
    out.sort_by_key(|a| a.name.to_lowercase());
    Ok(out)
}

fn availability(url: &str, state: i64, cloud: Cloud) -> Availability {
    if state != 0 {
        return Availability::Unavailable(
            "Disabled: an administrator must enable it in the Power Platform admin center before \
             anything can connect to it."
                .to_string(),
        );
    }
    match EnvironmentUrl::parse(url) {
        Ok(e) if e.value.cloud() == cloud => Availability::Ready(e.value),
        Ok(e) => Availability::Unavailable(format!(
            "In the {} cloud, not the {} cloud chosen at the top of the wizard.",
            e.value.cloud().profile().label,
            cloud.profile().label
        )),
        Err(e) => Availability::Unavailable(format!("Its URL is not usable here: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_discovery_base_per_cloud_and_the_two_slash_scope() {
        assert_eq!(
            instances_url(Cloud::Public),
            "https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances"
        );
        assert_eq!(
            instances_url(Cloud::UsGov),
            "https://globaldisco.crm.microsoftdynamics.us/api/discovery/v2.0/Instances"
        );
        assert_eq!(
            instances_url(Cloud::UsGovDod),
            "https://globaldisco.crm.appsplatform.us/api/discovery/v2.0/Instances"
        );
        assert_eq!(
            instances_url(Cloud::China),
            "https://globaldisco.crm.dynamics.cn/api/discovery/v2.0/Instances"
        );
        assert_eq!(
            instances_url(Cloud::Sandbox),
            "http://globaldisco.localhost:8081/api/discovery/v2.0/Instances"
        );
        assert_eq!(
            scope(Cloud::Public),
            "https://globaldisco.crm.dynamics.com//user_impersonation"
        );
        // Entra's rule: the audience is everything before the last slash.
        let s = scope(Cloud::Sandbox);
        let audience = &s[..s.rfind('/').unwrap_or(0)];
        assert_eq!(audience, resource(Cloud::Sandbox));
        assert_eq!(audience, "http://globaldisco.localhost:8081/");
        assert_eq!(
            instances_request(Cloud::China).url,
            instances_url(Cloud::China)
        );
    }
}
