//! [`TokenEndpoint`]: the OAuth 2.0 token endpoint of the chosen cloud.

use super::matchers::url_prechecks;
use super::{Checked, EndpointVersion, FieldError, GrantType, Note, TenantId};
use crate::cloud::{cloud_of_login_authority, Cloud};

/// A token endpoint of the chosen cloud, in canonical form
/// (`{login_base}/{tenant}/oauth2/token` or `…/oauth2/v2.0/token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenEndpoint {
    url: String,
    version: EndpointVersion,
    tenant: TenantId,
}

impl TokenEndpoint {
    /// Parse a token endpoint. The host must be `cloud`'s login host; when `tenant` is given the
    /// tenant segment must be the same tenant.
    pub fn parse(
        raw: &str,
        tenant: Option<&TenantId>,
        cloud: Cloud,
    ) -> Result<Checked<TokenEndpoint>, FieldError> {
        let s = url_prechecks(raw)?;
        let base = cloud.profile().login_base;
        let example = format!("{base}/<tenant>/oauth2/v2.0/token");
        let with_scheme;
        let text = if s.contains("://") {
            s
        } else {
            with_scheme = format!(
                "{}://{s}",
                if cloud.allows_http() { "http" } else { "https" }
            );
            &with_scheme
        };
        let url = url::Url::parse(text).map_err(|e| FieldError::NotAUrl {
            problem: format!("{e}. Paste the whole address, e.g. {example}"),
        })?;
        let host = url.host_str().unwrap_or_default();
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let expected = cloud.login_authority();
        if authority != expected {
            return Err(FieldError::TokenEndpointHost {
                found: authority.clone(),
                expected: expected.to_string(),
                other: cloud_of_login_authority(&authority),
            });
        }
        match url.scheme() {
            "https" => {}
            "http" if cloud.allows_http() => {}
            "http" => {
                return Err(FieldError::HttpNotAllowed {
                    suggestion: text.replacen("http://", "https://", 1),
                })
            }
            other => {
                return Err(FieldError::NotAUrl {
                    problem: format!("it starts with \"{other}:\". Use {example}"),
                })
            }
        }
        let segs: Vec<&str> = url
            .path_segments()
            .map(|p| p.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        if segs
            .last()
            .is_some_and(|l| l.eq_ignore_ascii_case("authorize"))
        {
            return Err(FieldError::TokenEndpointAuthorize);
        }
        let version = match segs.as_slice() {
            [_, a, b] if a.eq_ignore_ascii_case("oauth2") && b.eq_ignore_ascii_case("token") => {
                EndpointVersion::V1
            }
            [_, a, v, b]
                if a.eq_ignore_ascii_case("oauth2")
                    && v.eq_ignore_ascii_case("v2.0")
                    && b.eq_ignore_ascii_case("token") =>
            {
                EndpointVersion::V2
            }
            _ => return Err(FieldError::TokenEndpointPath { expected: example }),
        };
        let mut notes = Vec::new();
        if url.query().is_some() || url.fragment().is_some() {
            notes.push(Note::info(
                "The part after ? was removed: the token endpoint needs no parameters in its address.",
            ));
        }
        let url_tenant = match TenantId::parse(segs[0], GrantType::AuthorizationCode) {
            Ok(t) => t.value,
            Err(FieldError::ConsumersTenant) => return Err(FieldError::ConsumersTenant),
            Err(_) => return Err(FieldError::TokenEndpointPath { expected: example }),
        };
        match tenant {
            Some(t) if t == &url_tenant => {}
            Some(t) => match (t, &url_tenant) {
                (TenantId::Guid(_), TenantId::Guid(_)) => {
                    return Err(FieldError::TokenEndpointTenantMismatch {
                        in_url: url_tenant.as_str().to_string(),
                        tenant: t.as_str().to_string(),
                    })
                }
                (_, u) if u.is_keyword() || t.is_keyword() => {
                    return Err(FieldError::TokenEndpointTenantMismatch {
                        in_url: url_tenant.as_str().to_string(),
                        tenant: t.as_str().to_string(),
                    })
                }
                _ => notes.push(Note::warning(format!(
                    "The token endpoint names tenant {url_tenant} and the Directory (tenant) ID is \
                     {t}. The wizard cannot tell whether they are the same directory: use the \
                     Directory (tenant) ID in both, or leave this field blank."
                ))),
            },
            None if url_tenant.is_keyword() => notes.push(Note::warning(format!(
                "\"{url_tenant}\" is not one directory. Use the token endpoint that contains your \
                 Directory (tenant) ID (the app's Endpoints page shows it)."
            ))),
            None => {}
        }
        let path = match version {
            EndpointVersion::V1 => "oauth2/token",
            EndpointVersion::V2 => "oauth2/v2.0/token",
        };
        Ok(Checked {
            value: TokenEndpoint {
                url: format!("{base}/{url_tenant}/{path}"),
                version,
                tenant: url_tenant,
            },
            notes,
        })
    }

    /// v1 or v2.
    pub fn version(&self) -> EndpointVersion {
        self.version
    }

    /// The tenant named in the URL.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

text_type!(
    /// The canonical URL.
    TokenEndpoint.url
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::Guid;

    const G: &str = "1a2b3c4d-1234-5678-9abc-def012345678";

    fn tg() -> TenantId {
        TenantId::Guid(Guid::parse(G).unwrap())
    }

    #[test]
    fn token_endpoint_table() {
        let t = tg();
        type Case<'a> = (
            &'a str,
            Option<&'a TenantId>,
            Cloud,
            &'a str,
            EndpointVersion,
            bool,
        );
        let ok: &[Case] = &[
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public,
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                EndpointVersion::V2, false,
            ),
            (
                "https://login.microsoftonline.com/1A2B3C4D-1234-5678-9ABC-DEF012345678/oauth2/token/",
                Some(&t), Cloud::Public,
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token",
                EndpointVersion::V1, false,
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token?api-version=1.0",
                None, Cloud::Public,
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token",
                EndpointVersion::V1, false,
            ),
            (
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
                Some(&t), Cloud::Public,
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
                EndpointVersion::V2, true,
            ),
            (
                "https://login.microsoftonline.us/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::UsGovDod,
                "https://login.microsoftonline.us/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                EndpointVersion::V2, false,
            ),
            (
                "http://localhost:8081/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Sandbox,
                "http://localhost:8081/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                EndpointVersion::V2, false,
            ),
            (
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
                None, Cloud::Public,
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
                EndpointVersion::V2, true,
            ),
        ];
        for (input, tenant, cloud, want, version, warns) in ok {
            let c = TokenEndpoint::parse(input, *tenant, *cloud)
                .unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(c.value.as_str(), *want);
            assert_eq!(c.value.version(), *version);
            assert_eq!(c.has_warnings(), *warns, "{input}");
        }
        let other = TenantId::Guid(Guid::parse("99999999-1234-5678-9abc-def012345678").unwrap());
        let bad: &[(&str, Option<&TenantId>, Cloud, &str)] = &[
            (
                "https://login.microsoftonline.com/99999999-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "is for tenant 99999999-1234-5678-9abc-def012345678, but the Directory (tenant) ID is 1a2b3c4d",
            ),
            (
                "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                Some(&other), Cloud::Public, "is for tenant common",
            ),
            (
                "https://login.microsoftonline.com/consumers/oauth2/v2.0/token",
                None, Cloud::Public, "personal Microsoft accounts",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/authorize",
                Some(&t), Cloud::Public, "authorization endpoint",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/v2.0/.well-known/openid-configuration",
                Some(&t), Cloud::Public, "not a token endpoint",
            ),
            (
                "https://login.microsoftonline.us/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "US Government (GCC High or DoD) cloud",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::China, "login.chinacloudapi.cn",
            ),
            (
                "https://example.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "not a Microsoft sign-in host",
            ),
            (
                "http://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "only answer on https://",
            ),
            (
                "https://https://login.microsoftonline.com/x/oauth2/token",
                None, Cloud::Public, "twice",
            ),
            (
                "https%3A%2F%2Flogin.microsoftonline.com%2Fx%2Foauth2%2Ftoken",
                None, Cloud::Public, "percent-encoded",
            ),
        ];
        // Only …/oauth2/token and …/oauth2/v2.0/token are token endpoints: one wrong segment is
        // enough to say so.
        let wrong_paths = [
            "oauth2/tokens",
            "oauth/token",
            "oauth2/v2.0/tokens",
            "oauth2/v1.0/token",
            "oauth/v2.0/token",
        ];
        for path in wrong_paths {
            let input = format!("https://login.microsoftonline.com/{G}/{path}");
            let msg = TokenEndpoint::parse(&input, Some(&t), Cloud::Public)
                .unwrap_err()
                .to_string();
            assert!(msg.contains("/oauth2/v2.0/token"), "{input}: {msg}");
        }
        // A fragment is dropped with a note, like a query.
        let c = TokenEndpoint::parse(
            &format!("https://login.microsoftonline.com/{G}/oauth2/v2.0/token#x"),
            Some(&t),
            Cloud::Public,
        )
        .unwrap();
        assert_eq!(c.notes.len(), 1);
        assert!(!c.value.as_str().contains('#'));
        for (input, tenant, cloud, needle) in bad {
            let msg = TokenEndpoint::parse(input, *tenant, *cloud)
                .unwrap_err()
                .to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
        }
    }
}
