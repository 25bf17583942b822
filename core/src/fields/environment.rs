//! [`EnvironmentUrl`]: the Dataverse environment's address, and the sites people paste instead.

use serde::{Deserialize, Serialize};

use super::matchers::url_prechecks;
use super::{Checked, FieldError, Note};
use crate::cloud::{classify_dataverse_host, Cloud, SANDBOX_PORT};

/// Known sites that people paste instead of the environment URL: (host test, site, fix).
type SiteTest = fn(&str, &str) -> bool;
const WRONG_SITES: &[(SiteTest, &str, &str)] = &[
    (
        |h, _| {
            h.ends_with("powerapps.com")
                || h.ends_with("powerautomate.com")
                || h.ends_with("powerapps.us")
                || h.ends_with("powerapps.cn")
        },
        "the Power Apps maker portal",
        "In Power Apps, open Settings (the gear), Session details, and copy the Instance url; or \
         copy the Environment URL from the Power Platform admin center. It looks like \
         https://contoso.crm.dynamics.com.",
    ),
    (
        |h, _| h.contains(".operations."),
        "Dynamics 365 Finance and Operations (Finance, Supply Chain Management)",
        "Finance and Operations has a different API that this wizard does not set up. Use the \
         Dataverse environment URL (https://contoso.crm.dynamics.com) from the Power Platform \
         admin center.",
    ),
    (
        |h, p| {
            h.contains("businesscentral")
                || (h == "dynamics.microsoft.com" && p.contains("business-central"))
        },
        "Dynamics 365 Business Central",
        "Business Central is not Dataverse and needs its own connector. If you meant a Dataverse \
         environment, copy its Environment URL from the Power Platform admin center.",
    ),
    (
        |h, _| h.contains("admin.powerplatform"),
        "the Power Platform admin center",
        "In the admin center, open Environments, click your environment, and copy the Environment \
         URL shown under Details.",
    ),
    (
        |h, _| {
            h.starts_with("portal.azure.")
                || h == "entra.microsoft.com"
                || h == "aad.portal.azure.com"
        },
        "the Azure portal",
        "The Environment URL comes from the Power Platform admin center: Environments, your \
         environment, Details.",
    ),
    (
        |h, _| {
            h.starts_with("login.microsoftonline.")
                || h.starts_with("login.chinacloudapi.")
                || h.starts_with("login.windows.")
        },
        "the Microsoft sign-in service",
        "That address belongs in Token endpoint, if anywhere. The Environment URL comes from the \
         Power Platform admin center and looks like https://contoso.crm.dynamics.com.",
    ),
    (
        |h, _| h.starts_with("globaldisco."),
        "the Global Discovery Service (which lists environments)",
        "Use your own environment's address, e.g. https://contoso.crm.dynamics.com.",
    ),
    (
        |h, _| h.ends_with(".crm.microsoftdynamics.de"),
        "the Microsoft Cloud Deutschland, which closed in 2021",
        "Environments there were moved to the public cloud. Copy the current Environment URL from \
         the Power Platform admin center.",
    ),
    (
        |h, _| {
            h.ends_with("powerappsportals.com")
                || h.ends_with("powerpages.microsoft.com")
                || h.ends_with("microsoftcrmportals.com")
        },
        "a Power Pages website",
        "The website runs on top of an environment; copy that environment's Environment URL from \
         the Power Platform admin center.",
    ),
    (
        |h, _| {
            h == "home.dynamics.com" || h == "dynamics.microsoft.com" || h == "www.microsoft.com"
        },
        "a Microsoft start page",
        "Open your app and copy the start of its address (https://contoso.crm.dynamics.com), or \
         copy the Environment URL from the Power Platform admin center.",
    ),
];

/// A Dataverse environment URL: the origin only, e.g. `https://contoso.crm4.dynamics.com`
/// (sandbox: `http://contoso.crm.localhost:8081`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvironmentUrl {
    origin: String,
    host: String,
    cloud: Cloud,
    org: String,
    api_host: bool,
}

impl EnvironmentUrl {
    /// Parse what the user pasted. Paths (`/api/data/v9.2/`, `/main.aspx?…`), queries and
    /// fragments are stripped with an Info note; a missing scheme is added with a note; garbled
    /// and non-Dataverse addresses are rejected with the reason.
    pub fn parse(raw: &str) -> Result<Checked<EnvironmentUrl>, FieldError> {
        let s = url_prechecks(raw)?;
        let mut notes = Vec::new();
        let with_scheme;
        let text = if s.contains("://") {
            s
        } else {
            let authority = s
                .split(['/', '?', '#'])
                .next()
                .unwrap_or(s)
                .to_ascii_lowercase();
            let scheme = if authority.ends_with(&format!(".localhost:{SANDBOX_PORT}")) {
                "http"
            } else {
                "https"
            };
            with_scheme = format!("{scheme}://{s}");
            notes.push(Note::info(format!(
                "{scheme}:// was added in front of the address."
            )));
            &with_scheme
        };
        let url = url::Url::parse(text).map_err(|e| FieldError::NotAUrl {
            problem: format!("{e}. Paste the whole address, e.g. https://contoso.crm.dynamics.com"),
        })?;
        let scheme = url.scheme();
        if scheme != "https" && scheme != "http" {
            return Err(FieldError::NotAUrl {
                problem: format!(
                    "it starts with \"{scheme}:\". Environment URLs start with https://"
                ),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::NotAUrl {
                problem: "it contains a user name (the part before @). Remove it".into(),
            });
        }
        let host = url
            .host_str()
            .ok_or_else(|| FieldError::NotAUrl {
                problem: "it has no host name. Paste the whole address, e.g. https://contoso.crm.dynamics.com".into(),
            })?
            .trim_end_matches('.')
            .to_string();
        let path = url.path();
        if let Some((_, site, fix)) = WRONG_SITES.iter().find(|(t, _, _)| t(&host, path)) {
            return Err(FieldError::WrongSite { site, fix });
        }
        let port = url.port();
        let dv = match classify_dataverse_host(&host, port) {
            Some(dv) => dv,
            None => {
                if let Some(p) = port {
                    if classify_dataverse_host(&host, None).is_some()
                        || classify_dataverse_host(&host, Some(SANDBOX_PORT)).is_some()
                    {
                        return Err(FieldError::UnexpectedPort { port: p });
                    }
                }
                if port.is_none() && classify_dataverse_host(&host, Some(SANDBOX_PORT)).is_some() {
                    return Err(FieldError::NotAUrl {
                        problem: format!(
                            "the local sandbox listens on port {SANDBOX_PORT}. Write http://{host}:{SANDBOX_PORT}"
                        ),
                    });
                }
                let expected = Cloud::ALL
                    .iter()
                    .filter(|c| **c != Cloud::Sandbox)
                    .map(|c| c.dataverse_hosts_text())
                    .collect::<Vec<_>>()
                    .join(", or ");
                return Err(FieldError::NotDataverseHost { host, expected });
            }
        };
        match (scheme, dv.cloud == Cloud::Sandbox) {
            ("http", false) => {
                return Err(FieldError::HttpNotAllowed {
                    suggestion: format!("https://{host}"),
                })
            }
            ("https", true) => {
                return Err(FieldError::NotAUrl {
                    problem: format!(
                        "the local sandbox serves plain http. Write http://{host}:{SANDBOX_PORT}"
                    ),
                })
            }
            _ => {}
        }
        let after_scheme = text.split_once("://").map_or(text, |(_, r)| r);
        let rest = after_scheme
            .find(['/', '?', '#'])
            .map_or("", |i| &after_scheme[i..]);
        if !rest.is_empty() && rest != "/" {
            let lower = rest.to_ascii_lowercase();
            let text = if lower.starts_with("/api/data") {
                format!(
                    "The Web API path {rest} was removed: the wizard adds /api/data/<version>/ \
                     itself when it builds the Service URL."
                )
            } else if lower.starts_with("/main.aspx") || lower.starts_with("/apps/") {
                "The app page part of the address (/main.aspx…) was removed: only the \
                 environment address is needed."
                    .to_string()
            } else {
                format!("The part after the host ({rest}) was removed: only the environment address is needed.")
            };
            notes.push(Note::info(text));
        }
        if dv.region == "crm9" {
            notes.push(Note::info(
                "crm9 is the US Government Community Cloud (GCC). It signs in through the public \
                 cloud (login.microsoftonline.com), so keep the cloud set to Public.",
            ));
        }
        if dv.api_host {
            notes.push(Note::info(
                "This is the Web API host (.api.). That works; the Resource and scope will use this \
                 same host, so sign-in tokens match it.",
            ));
        }
        let origin = match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        Ok(Checked {
            value: EnvironmentUrl {
                origin,
                host,
                cloud: dv.cloud,
                org: dv.org,
                api_host: dv.api_host,
            },
            notes,
        })
    }

    /// The cloud this environment is in.
    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// The organisation name (first host label).
    pub fn org(&self) -> &str {
        &self.org
    }

    /// The host without port.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether this is the `.api.` Web API host.
    pub fn is_api_host(&self) -> bool {
        self.api_host
    }
}

text_type!(
    /// The origin without a trailing slash.
    EnvironmentUrl.origin,
    parse -> Checked
);

#[cfg(test)]
mod tests {
    use super::*;

    fn env(s: &str) -> Result<Checked<EnvironmentUrl>, FieldError> {
        EnvironmentUrl::parse(s)
    }

    #[test]
    fn environment_url_accepts_and_normalises() {
        let cases: &[(&str, &str, Cloud, &str, bool, usize)] = &[
            (
                "https://contoso.crm.dynamics.com",
                "https://contoso.crm.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.crm4.dynamics.com/",
                "https://contoso.crm4.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
            (
                "  HTTPS://Contoso.CRM4.Dynamics.com  ",
                "https://contoso.crm4.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.api.crm4.dynamics.com/api/data/v9.2/",
                "https://contoso.api.crm4.dynamics.com",
                Cloud::Public,
                "contoso",
                true,
                2,
            ),
            (
                "https://contoso.crm.dynamics.com/main.aspx?appid=123&pagetype=entitylist",
                "https://contoso.crm.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                1,
            ),
            (
                "contoso.crm11.dynamics.com",
                "https://contoso.crm11.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                1,
            ),
            (
                "https://contoso.crm9.dynamics.com",
                "https://contoso.crm9.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                1,
            ),
            (
                "https://contoso.crm.microsoftdynamics.us",
                "https://contoso.crm.microsoftdynamics.us",
                Cloud::UsGov,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.crm.appsplatform.us",
                "https://contoso.crm.appsplatform.us",
                Cloud::UsGovDod,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.crm.dynamics.cn",
                "https://contoso.crm.dynamics.cn",
                Cloud::China,
                "contoso",
                false,
                0,
            ),
            (
                "http://contoso.crm.localhost:8081",
                "http://contoso.crm.localhost:8081",
                Cloud::Sandbox,
                "contoso",
                false,
                0,
            ),
            (
                "contoso.crm.localhost:8081/api/data/v9.2",
                "http://contoso.crm.localhost:8081",
                Cloud::Sandbox,
                "contoso",
                false,
                2,
            ),
            (
                "https://contoso.crm.dynamics.com:443",
                "https://contoso.crm.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
        ];
        for (input, origin, cloud, org, api, notes) in cases {
            let c = env(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(c.value.as_str(), *origin, "{input}");
            assert_eq!(c.value.cloud(), *cloud, "{input}");
            assert_eq!(c.value.org(), *org, "{input}");
            assert_eq!(c.value.is_api_host(), *api, "{input}");
            assert_eq!(c.notes.len(), *notes, "{input}: {:?}", c.notes);
            assert!(!c.has_warnings(), "{input}");
        }
        let c = env("https://contoso.crm.dynamics.com/api/data/v9.2/").unwrap();
        assert!(c.notes[0].text.contains("/api/data/v9.2/ was removed"));
        // What was removed is named in the note, by kind.
        let note = |input: &str| env(input).unwrap().notes[0].text.clone();
        assert!(note("https://contoso.crm.dynamics.com/apps/abc?x=1").contains("app page part"));
        assert!(note("https://contoso.crm.dynamics.com/main.aspx").contains("app page part"));
        assert!(note("contoso.crm.dynamics.com?x=1").contains("http"));
        assert!(note("https://contoso.crm.dynamics.com/tools/x").contains("(/tools/x) was removed"));
        assert!(note("https://contoso.crm.dynamics.com#frag").contains("(#frag) was removed"));
        assert_eq!(c.value.host(), "contoso.crm.dynamics.com");
    }

    #[test]
    fn environment_url_rejects_with_reason() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            (
                "https://https://contoso.crm.dynamics.com",
                "Remove one: https://contoso.crm.dynamics.com",
            ),
            (
                "https://https//contoso.crm.dynamics.com/",
                "Remove one: https://contoso.crm.dynamics.com/",
            ),
            ("https//contoso.crm.dynamics.com", "colon is missing"),
            (
                "https%3A%2F%2Fcontoso.crm.dynamics.com%2F",
                "Paste the plain address: https://contoso.crm.dynamics.com/",
            ),
            (
                "https%253A%252F%252Fcontoso.crm.dynamics.com",
                "Paste the plain address: https://contoso.crm.dynamics.com",
            ),
            (
                "http://contoso.crm.dynamics.com",
                "Use https://contoso.crm.dynamics.com",
            ),
            (
                "https://make.powerapps.com/environments/abc/home",
                "Power Apps maker portal",
            ),
            (
                "https://contoso.operations.dynamics.com",
                "Finance and Operations",
            ),
            (
                "https://contoso.sandbox.operations.dynamics.com",
                "Finance and Operations",
            ),
            (
                "https://businesscentral.dynamics.com/tenant/Production",
                "Business Central",
            ),
            (
                "https://dynamics.microsoft.com/en-us/business-central/overview/",
                "Business Central",
            ),
            (
                "https://admin.powerplatform.microsoft.com/environments",
                "admin center",
            ),
            ("https://portal.azure.com/#home", "Azure portal"),
            (
                "https://login.microsoftonline.com/x/oauth2/token",
                "sign-in service",
            ),
            ("https://globaldisco.crm.dynamics.com", "Global Discovery"),
            (
                "https://contoso.crm.microsoftdynamics.de",
                "Cloud Deutschland",
            ),
            ("https://contoso.powerappsportals.com", "Power Pages"),
            // Every other address of each wrong site.
            (
                "https://make.powerautomate.com/environments",
                "Power Apps maker portal",
            ),
            ("https://make.gov.powerapps.us", "Power Apps maker portal"),
            ("https://make.powerapps.cn", "Power Apps maker portal"),
            ("https://entra.microsoft.com/#home", "Azure portal"),
            ("https://aad.portal.azure.com", "Azure portal"),
            ("https://login.chinacloudapi.cn/x", "sign-in service"),
            ("https://login.windows.net/x", "sign-in service"),
            ("https://contoso.powerpages.microsoft.com", "Power Pages"),
            ("https://contoso.microsoftcrmportals.com", "Power Pages"),
            ("https://home.dynamics.com", "start page"),
            ("https://dynamics.microsoft.com/en-us/", "start page"),
            ("https://www.microsoft.com/en-us/dynamics-365", "start page"),
            ("https://:pw@contoso.crm.dynamics.com", "user name"),
            (
                "https://contoso.example.com",
                "not a Dataverse environment address",
            ),
            ("https://contoso.crm.dynamics.com:8443", "port 8443"),
            ("http://contoso.crm.localhost:9999", "port 9999"),
            ("http://contoso.crm.localhost", "port 8081"),
            ("https://contoso.crm.localhost:8081", "plain http"),
            ("ftp://contoso.crm.dynamics.com", "\"ftp:\""),
            ("https://user:pw@contoso.crm.dynamics.com", "user name"),
            ("https://contoso .crm.dynamics.com", "spaces"),
        ];
        for (input, needle) in cases {
            let e = env(input).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains(needle) || (*needle == "empty" && e == FieldError::Empty),
                "{input}: {msg}"
            );
        }
    }

    #[test]
    fn environment_url_serde_goes_through_parse() {
        let e: EnvironmentUrl =
            serde_json::from_str("\"https://contoso.crm4.dynamics.com/\"").unwrap();
        assert_eq!(e.as_str(), "https://contoso.crm4.dynamics.com");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            "\"https://contoso.crm4.dynamics.com\""
        );
        assert!(serde_json::from_str::<EnvironmentUrl>("\"https://make.powerapps.com\"").is_err());
    }
}
