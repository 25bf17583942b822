//! National clouds and the single table of their hosts.
//!
//! [`CloudProfile`] is the one place that knows, for each cloud, the Entra ID login host, the Azure
//! portal, the Power Platform admin center and the Dataverse host patterns. The patterns in
//! [`CloudProfile::dataverse_hosts`] are both shown to users in messages and *interpreted* by
//! [`classify_dataverse_host`], so the text and the matching can never disagree.
//!
//! Pattern syntax (one dot-separated label at a time): `{org}` is an organisation name
//! (`[a-z0-9][a-z0-9-]*`), `crm{N}` is `crm` followed by nothing or by digits, anything else is
//! literal. A pattern may end in `:port`, in which case the host must use exactly that port.

use serde::{Deserialize, Serialize};

/// The local sandbox's single listening port (Entra ID emulation and every `{org}.crm.localhost`).
pub const SANDBOX_PORT: u16 = 8081;

/// A Microsoft national cloud (or the local sandbox). Serialised in kebab-case
/// (`"public"`, `"us-gov"`, `"us-gov-dod"`, `"china"`, `"sandbox"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    /// The commercial cloud, including GCC (`crm9`), which signs in through the commercial login.
    #[default]
    Public,
    /// US Government GCC High (`crm.microsoftdynamics.us`).
    UsGov,
    /// US Government DoD (`crm.appsplatform.us`).
    UsGovDod,
    /// China, operated by 21Vianet (`crm.dynamics.cn`).
    China,
    /// The local sandbox server on `localhost:8081` used for development and tests.
    Sandbox,
}

/// Everything the wizard knows about one cloud's hosts.
#[derive(Debug, PartialEq, Eq)]
pub struct CloudProfile {
    /// Which cloud this profile describes.
    pub cloud: Cloud,
    /// Human-readable name for pickers and messages.
    pub label: &'static str,
    /// Entra ID login authority, without a trailing slash.
    pub login_base: &'static str,
    /// Azure portal, without a trailing slash.
    pub portal_base: &'static str,
    /// Power Platform admin center, without a trailing slash.
    pub admin_center: &'static str,
    /// Microsoft Graph root, without a trailing slash and without the version: requests go to
    /// `{graph_base}/v1.0/…` and delegated scopes are `{graph_base}/Application.Read.All`. The
    /// sandbox serves its Graph emulation on the host `graph.localhost:8081`, so its paths are
    /// the production ones.
    pub graph_base: &'static str,
    /// Dataverse host patterns (see the module docs for the syntax). Shown in messages and used
    /// for matching by [`classify_dataverse_host`].
    pub dataverse_hosts: &'static [&'static str],
    /// The Global Discovery Service of this cloud, without a trailing slash (requests go to
    /// `{discovery_base}/api/discovery/v2.0/Instances`). The sandbox serves it on the host
    /// `globaldisco.localhost:8081`.
    pub discovery_base: &'static str,
    /// An example environment URL for placeholders.
    pub example_environment: &'static str,
}

/// The single table of cloud profiles, in [`Cloud::ALL`] order.
static PROFILES: [CloudProfile; 5] = [
    CloudProfile {
        cloud: Cloud::Public,
        label: "Public (commercial, incl. GCC)",
        login_base: "https://login.microsoftonline.com",
        portal_base: "https://portal.azure.com",
        admin_center: "https://admin.powerplatform.microsoft.com",
        graph_base: "https://graph.microsoft.com",
        dataverse_hosts: &["{org}.crm{N}.dynamics.com", "{org}.api.crm{N}.dynamics.com"],
        discovery_base: "https://globaldisco.crm.dynamics.com",
        example_environment: "https://contoso.crm.dynamics.com",
    },
    CloudProfile {
        cloud: Cloud::UsGov,
        label: "US Government (GCC High)",
        login_base: "https://login.microsoftonline.us",
        portal_base: "https://portal.azure.us",
        admin_center: "https://gcchigh.admin.powerplatform.microsoft.us",
        graph_base: "https://graph.microsoft.us",
        dataverse_hosts: &[
            "{org}.crm.microsoftdynamics.us",
            "{org}.api.crm.microsoftdynamics.us",
        ],
        discovery_base: "https://globaldisco.crm.microsoftdynamics.us",
        example_environment: "https://contoso.crm.microsoftdynamics.us",
    },
    CloudProfile {
        cloud: Cloud::UsGovDod,
        label: "US Government (DoD)",
        login_base: "https://login.microsoftonline.us",
        portal_base: "https://portal.azure.us",
        admin_center: "https://high.admin.powerplatform.microsoft.us",
        graph_base: "https://dod-graph.microsoft.us",
        dataverse_hosts: &["{org}.crm.appsplatform.us", "{org}.api.crm.appsplatform.us"],
        discovery_base: "https://globaldisco.crm.appsplatform.us",
        example_environment: "https://contoso.crm.appsplatform.us",
    },
    CloudProfile {
        cloud: Cloud::China,
        label: "China (21Vianet)",
        login_base: "https://login.chinacloudapi.cn",
        portal_base: "https://portal.azure.cn",
        admin_center: "https://admin.powerplatform.azure.cn",
        graph_base: "https://microsoftgraph.chinacloudapi.cn",
        dataverse_hosts: &["{org}.crm.dynamics.cn", "{org}.api.crm.dynamics.cn"],
        discovery_base: "https://globaldisco.crm.dynamics.cn",
        example_environment: "https://contoso.crm.dynamics.cn",
    },
    CloudProfile {
        cloud: Cloud::Sandbox,
        label: "Local sandbox",
        login_base: "http://localhost:8081",
        portal_base: "http://localhost:8081/portal",
        admin_center: "http://localhost:8081/admin",
        graph_base: "http://graph.localhost:8081",
        dataverse_hosts: &["{org}.crm.localhost:8081"],
        discovery_base: "http://globaldisco.localhost:8081",
        example_environment: "http://contoso.crm.localhost:8081",
    },
];

impl Cloud {
    /// Every cloud, in the order pickers show them.
    pub const ALL: [Cloud; 5] = [
        Cloud::Public,
        Cloud::UsGov,
        Cloud::UsGovDod,
        Cloud::China,
        Cloud::Sandbox,
    ];

    /// This cloud's hosts.
    pub fn profile(self) -> &'static CloudProfile {
        let p = &PROFILES[self as usize];
        debug_assert_eq!(p.cloud, self);
        p
    }

    /// The serde name: `"public"`, `"us-gov"`, `"us-gov-dod"`, `"china"`, `"sandbox"`.
    pub fn slug(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGov => "us-gov",
            Cloud::UsGovDod => "us-gov-dod",
            Cloud::China => "china",
            Cloud::Sandbox => "sandbox",
        }
    }

    /// Inverse of [`Cloud::slug`].
    pub fn from_slug(s: &str) -> Option<Cloud> {
        Cloud::ALL.into_iter().find(|c| c.slug() == s)
    }

    /// Human-readable name (same as `profile().label`).
    pub fn label(self) -> &'static str {
        self.profile().label
    }

    /// Whether plain `http://` is acceptable (only the local sandbox).
    pub fn allows_http(self) -> bool {
        self == Cloud::Sandbox
    }

    /// The login host with its port if any (e.g. `login.microsoftonline.com`, `localhost:8081`).
    pub fn login_authority(self) -> &'static str {
        let base = self.profile().login_base;
        base.split_once("://").map_or(base, |(_, rest)| rest)
    }

    /// The Dataverse host patterns joined for a message: `a or b`.
    pub fn dataverse_hosts_text(self) -> String {
        self.profile().dataverse_hosts.join(" or ")
    }
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A recognised Dataverse host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataverseHost {
    /// The cloud the host belongs to.
    pub cloud: Cloud,
    /// The organisation (environment) name: the first label of the host.
    pub org: String,
    /// Whether this is the `{org}.api.crm…` Web API host rather than the app host.
    pub api_host: bool,
    /// The region label, e.g. `crm4` (`crm` for the North America / sovereign default).
    pub region: String,
}

/// Whether `s` is an organisation label: `[a-z0-9][a-z0-9-]*`.
pub(crate) fn is_org_label(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Match a lowercase host and optional port against one pattern of the table.
fn match_pattern(pattern: &str, host: &str, port: Option<u16>) -> Option<(String, bool, String)> {
    let (pat_host, pat_port) = match pattern.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
        None => (pattern, None),
    };
    if port != pat_port {
        return None;
    }
    let pat_labels: Vec<&str> = pat_host.split('.').collect();
    let labels: Vec<&str> = host.split('.').collect();
    if pat_labels.len() != labels.len() {
        return None;
    }
    let mut org = None;
    let mut region = String::new();
    for (p, l) in pat_labels.iter().zip(&labels) {
        match *p {
            "{org}" => {
                if !is_org_label(l) {
                    return None;
                }
                org = Some((*l).to_string());
            }
            "crm{N}" => {
                let digits = l.strip_prefix("crm")?;
                if !digits.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                region = (*l).to_string();
            }
            lit => {
                if lit != *l {
                    return None;
                }
                if lit == "crm" {
                    region = "crm".to_string();
                }
            }
        }
    }
    let api = pat_labels.get(1) == Some(&"api");
    Some((org?, api, region))
}

/// Recognise a Dataverse host (lowercase, port given separately; `None` for the scheme's default
/// port) → its cloud, organisation name and whether it is the `.api.` host.
///
/// Driven by [`CloudProfile::dataverse_hosts`]. Hosts that merely look similar (`globaldisco`,
/// Finance & Operations, Power Apps maker portal) are not Dataverse environments; callers wanting
/// a reason for rejection use `fields::EnvironmentUrl::parse`.
pub fn classify_dataverse_host(host: &str, port: Option<u16>) -> Option<DataverseHost> {
    for cloud in Cloud::ALL {
        for pattern in cloud.profile().dataverse_hosts {
            if let Some((org, api_host, region)) = match_pattern(pattern, host, port) {
                if org == "globaldisco" {
                    return None;
                }
                return Some(DataverseHost {
                    cloud,
                    org,
                    api_host,
                    region,
                });
            }
        }
    }
    None
}

/// The cloud whose login host is `authority` (`host` or `host:port`), if any.
pub fn cloud_of_login_authority(authority: &str) -> Option<Cloud> {
    // GCC High and DoD share a login host; report the first (GCC High).
    Cloud::ALL
        .into_iter()
        .find(|c| c.login_authority() == authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_match_serde() {
        for c in Cloud::ALL {
            assert_eq!(Cloud::from_slug(c.slug()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.slug())
            );
            assert_eq!(c.profile().cloud, c);
            assert!(!c.profile().login_base.ends_with('/'));
            assert!(!c.profile().portal_base.ends_with('/'));
            assert!(!c.profile().admin_center.ends_with('/'));
            assert!(!c.profile().graph_base.ends_with('/'));
        }
        assert_eq!(Cloud::from_slug("nope"), None);
        assert_eq!(Cloud::default(), Cloud::Public);
    }

    #[test]
    fn example_environments_classify_as_their_own_cloud() {
        for c in Cloud::ALL {
            let url = url::Url::parse(c.profile().example_environment).unwrap();
            let h = classify_dataverse_host(url.host_str().unwrap(), url.port()).unwrap();
            assert_eq!(h.cloud, c);
            assert_eq!(h.org, "contoso");
        }
    }

    #[test]
    fn classify_table() {
        type Want = Option<(Cloud, &'static str, bool)>;
        let cases: &[(&str, Option<u16>, Want)] = &[
            (
                "contoso.crm.dynamics.com",
                None,
                Some((Cloud::Public, "contoso", false)),
            ),
            (
                "contoso.crm4.dynamics.com",
                None,
                Some((Cloud::Public, "contoso", false)),
            ),
            (
                "contoso.crm9.dynamics.com",
                None,
                Some((Cloud::Public, "contoso", false)),
            ),
            (
                "org-1.api.crm11.dynamics.com",
                None,
                Some((Cloud::Public, "org-1", true)),
            ),
            (
                "contoso.crm.microsoftdynamics.us",
                None,
                Some((Cloud::UsGov, "contoso", false)),
            ),
            (
                "contoso.api.crm.microsoftdynamics.us",
                None,
                Some((Cloud::UsGov, "contoso", true)),
            ),
            (
                "contoso.crm.appsplatform.us",
                None,
                Some((Cloud::UsGovDod, "contoso", false)),
            ),
            (
                "contoso.api.crm.appsplatform.us",
                None,
                Some((Cloud::UsGovDod, "contoso", true)),
            ),
            (
                "contoso.crm.dynamics.cn",
                None,
                Some((Cloud::China, "contoso", false)),
            ),
            (
                "contoso.api.crm.dynamics.cn",
                None,
                Some((Cloud::China, "contoso", true)),
            ),
            (
                "contoso.crm.localhost",
                Some(8081),
                Some((Cloud::Sandbox, "contoso", false)),
            ),
            ("contoso.crm.localhost", Some(8080), None),
            ("contoso.crm.localhost", None, None),
            ("contoso.crm.dynamics.com", Some(8443), None),
            ("contoso.crmx.dynamics.com", None, None),
            ("contoso.crm4x.dynamics.com", None, None),
            ("-contoso.crm.dynamics.com", None, None),
            ("con_toso.crm.dynamics.com", None, None),
            ("a.b.crm.dynamics.com", None, None),
            ("crm.dynamics.com", None, None),
            ("globaldisco.crm.dynamics.com", None, None),
            ("contoso.operations.dynamics.com", None, None),
            ("make.powerapps.com", None, None),
            ("contoso.crm9.microsoftdynamics.us", None, None),
            ("contoso.api.crm4.dynamics.cn", None, None),
        ];
        for (host, port, want) in cases {
            let got = classify_dataverse_host(host, *port).map(|h| (h.cloud, h.org, h.api_host));
            let want = want.map(|(c, o, a)| (c, o.to_string(), a));
            assert_eq!(got, want, "{host} {port:?}");
        }
    }

    #[test]
    fn region_is_reported() {
        let h = classify_dataverse_host("x.api.crm4.dynamics.com", None).unwrap();
        assert_eq!(h.region, "crm4");
        let h = classify_dataverse_host("x.crm.dynamics.cn", None).unwrap();
        assert_eq!(h.region, "crm");
    }

    #[test]
    fn login_authorities() {
        assert_eq!(Cloud::Public.login_authority(), "login.microsoftonline.com");
        assert_eq!(Cloud::Sandbox.login_authority(), "localhost:8081");
        assert_eq!(
            cloud_of_login_authority("login.chinacloudapi.cn"),
            Some(Cloud::China)
        );
        assert_eq!(
            cloud_of_login_authority("login.microsoftonline.us"),
            Some(Cloud::UsGov)
        );
        assert_eq!(cloud_of_login_authority("example.com"), None);
        assert!(Cloud::Sandbox.allows_http());
        assert!(!Cloud::Public.allows_http());
    }
}
