//! [`TenantId`]: the Directory (tenant) ID or a verified domain.

use std::fmt;

use serde::Serialize;

use super::matchers::{dns_problem, find_guid};
use super::{Checked, FieldError, GrantType, Guid, Note};
use crate::cloud::classify_dataverse_host;

/// The tenant: the Directory (tenant) ID or a verified domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TenantId {
    /// The Directory (tenant) ID.
    Guid(Guid),
    /// A verified domain (lowercase), e.g. `contoso.onmicrosoft.com`; or — only accepted for the
    /// authorization-code grant — the keyword `common` or `organizations` (see
    /// [`TenantId::is_keyword`]).
    Domain(String),
}

impl TenantId {
    /// Parse a tenant for the given grant. `consumers` is always rejected (Dataverse is work or
    /// school only); `common` / `organizations` are rejected for client credentials and accepted
    /// with a warning for the authorization-code grant.
    pub fn parse(raw: &str, grant: GrantType) -> Result<Checked<TenantId>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        let lower = s.to_ascii_lowercase();
        if s.contains("://") || lower.starts_with("login.") {
            let hint = find_guid(s)
                .map(|g| format!(": the tenant ID in this address is {g}"))
                .unwrap_or_default();
            return Err(FieldError::UrlInsteadOfId { hint });
        }
        if let Ok(g) = Guid::parse(s) {
            return Ok(Checked::clean(TenantId::Guid(g)));
        }
        match lower.as_str() {
            "consumers" => return Err(FieldError::ConsumersTenant),
            "common" | "organizations" => {
                return match grant {
                    GrantType::ClientCredentials => {
                        Err(FieldError::MultiTenantKeyword { keyword: lower })
                    }
                    GrantType::AuthorizationCode => Ok(Checked {
                        value: TenantId::Domain(lower.clone()),
                        notes: vec![Note::warning(format!(
                            "\"{lower}\" lets people from other directories sign in, and the wizard \
                             cannot check which tenant the app lives in. Prefer the Directory \
                             (tenant) ID from the app registration's Overview page."
                        ))],
                    }),
                };
            }
            _ => {}
        }
        if let Some((_, domain)) = lower.rsplit_once('@') {
            return Err(FieldError::EmailInsteadOfDomain {
                domain: domain.to_string(),
            });
        }
        let guidish = s.contains('-')
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, '-' | '{' | '}'));
        if guidish {
            // A GUID with a typo: explain it as a GUID, not as a domain.
            Guid::parse(s)?;
        }
        let domain = lower.trim_end_matches('.');
        if classify_dataverse_host(domain, None).is_some() {
            return Err(FieldError::NotATenant {
                problem: "this is your Dataverse environment's address; it goes in Environment URL"
                    .into(),
            });
        }
        if let Some(problem) = dns_problem(domain) {
            return Err(FieldError::NotATenant { problem });
        }
        Ok(Checked::clean(TenantId::Domain(domain.to_string())))
    }

    /// The text used in URLs: the GUID or the domain.
    pub fn as_str(&self) -> &str {
        match self {
            TenantId::Guid(g) => g.as_str(),
            TenantId::Domain(d) => d,
        }
    }

    /// Whether this is `common` or `organizations` rather than one directory.
    pub fn is_keyword(&self) -> bool {
        matches!(self, TenantId::Domain(d) if d == "common" || d == "organizations")
    }

    /// The GUID, when the tenant was given as one.
    pub fn guid(&self) -> Option<&Guid> {
        match self {
            TenantId::Guid(g) => Some(g),
            TenantId::Domain(_) => None,
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TenantId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "1a2b3c4d-1234-5678-9abc-def012345678";

    #[test]
    fn tenant_table() {
        use GrantType::*;
        let ok: &[(&str, GrantType, &str, bool)] = &[
            (G, ClientCredentials, G, false),
            (
                "{1A2B3C4D-1234-5678-9ABC-DEF012345678}",
                ClientCredentials,
                G,
                false,
            ),
            (
                "Contoso.OnMicrosoft.com",
                ClientCredentials,
                "contoso.onmicrosoft.com",
                false,
            ),
            ("contoso.com", ClientCredentials, "contoso.com", false),
            ("common", AuthorizationCode, "common", true),
            ("Organizations", AuthorizationCode, "organizations", true),
        ];
        for (input, grant, want, warns) in ok {
            let c = TenantId::parse(input, *grant).unwrap();
            assert_eq!(c.value.as_str(), *want);
            assert_eq!(c.has_warnings(), *warns, "{input}");
        }
        assert!(TenantId::parse("common", AuthorizationCode)
            .unwrap()
            .value
            .is_keyword());
        let bad: &[(&str, GrantType, &str)] = &[
            (
                "consumers",
                AuthorizationCode,
                "personal Microsoft accounts",
            ),
            (
                "consumers",
                ClientCredentials,
                "personal Microsoft accounts",
            ),
            ("common", ClientCredentials, "\"common\" is not a tenant"),
            // Hex letters without a hyphen read as a (short) domain name, not as a broken GUID.
            ("cafe", ClientCredentials, "no dot"),
            (
                "organizations",
                ClientCredentials,
                "\"organizations\" is not a tenant",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/v2.0",
                ClientCredentials,
                "tenant ID in this address is 1a2b3c4d",
            ),
            (
                "login.microsoftonline.com/contoso.com",
                ClientCredentials,
                "web address",
            ),
            (
                "admin@contoso.com",
                ClientCredentials,
                "just the domain part (contoso.com)",
            ),
            (
                "1a2b3c4d-1234-5678-9abc-def01234567",
                ClientCredentials,
                "31 digits",
            ),
            ("contoso", ClientCredentials, "has no dot"),
            ("contoso_ltd.com", ClientCredentials, "'_'"),
            (
                "contoso.crm.dynamics.com",
                ClientCredentials,
                "Environment URL",
            ),
            ("", ClientCredentials, "empty"),
        ];
        for (input, grant, needle) in bad {
            let msg = TenantId::parse(input, *grant).unwrap_err().to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
        }
    }
}
