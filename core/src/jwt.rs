//! Access-token claims: decoding (NOT signature verification — a browser client cannot and need
//! not verify a token meant for Dataverse) and checks against what the user entered.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize};

/// Why a token could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JwtError {
    /// Not `header.payload.signature`.
    #[error("not a jwt: expected 3 dot-separated parts, found {parts}")]
    Format {
        /// Number of parts found.
        parts: usize,
    },
    /// A JWE (5 parts): encrypted, claims not readable.
    #[error("the token is encrypted (jwe); its claims cannot be read")]
    Encrypted,
    /// The payload is not base64url.
    #[error("the token payload is not base64url: {message}")]
    Base64 {
        /// Decoder message.
        message: String,
    },
    /// The payload is not the expected JSON.
    #[error("the token payload is not valid claims json: {message}")]
    Json {
        /// Parser message.
        message: String,
    },
}

/// The access-token claims the wizard shows and checks.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Claims {
    /// Audience; the first element when the token carries an array.
    #[serde(deserialize_with = "string_or_first")]
    pub aud: String,
    /// Tenant ID.
    #[serde(default)]
    pub tid: Option<String>,
    /// Delegated scopes, space separated.
    #[serde(default)]
    pub scp: Option<String>,
    /// Application roles (app-only tokens).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Expiry (unix seconds).
    pub exp: i64,
    /// Issued at (unix seconds).
    #[serde(default)]
    pub iat: Option<i64>,
    /// Object ID of the signed-in user (or service principal).
    #[serde(default)]
    pub oid: Option<String>,
    /// Issuer.
    #[serde(default)]
    pub iss: Option<String>,
    /// User principal name (v1 tokens).
    #[serde(default)]
    pub upn: Option<String>,
    /// Preferred username (v2 tokens).
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Client ID (v1 tokens).
    #[serde(default)]
    pub appid: Option<String>,
    /// Client ID (v2 tokens).
    #[serde(default)]
    pub azp: Option<String>,
}

impl Claims {
    /// The signed-in user as best known: `preferred_username`, then `upn`, then `name`.
    pub fn user(&self) -> Option<&str> {
        self.preferred_username
            .as_deref()
            .or(self.upn.as_deref())
            .or(self.name.as_deref())
    }

    /// The client ID the token was issued to (`appid` or `azp`).
    pub fn client_id(&self) -> Option<&str> {
        self.appid.as_deref().or(self.azp.as_deref())
    }

    /// Whether `scp` contains `scope` as a whole word.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scp
            .as_deref()
            .is_some_and(|s| s.split_whitespace().any(|x| x == scope))
    }
}

fn string_or_first<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    match Aud::deserialize(d)? {
        Aud::One(s) => Ok(s),
        Aud::Many(v) => v
            .into_iter()
            .next()
            .ok_or_else(|| serde::de::Error::custom("empty aud array")),
    }
}

/// Decodes the claims of a JWT without verifying its signature. Whitespace and a
/// `Bearer ` prefix around the token are tolerated, as is base64 padding.
pub fn decode_claims(token: &str) -> Result<Claims, JwtError> {
    let token = token.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token)
        .trim();
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(JwtError::Encrypted),
        n => return Err(JwtError::Format { parts: n }),
    }
    let payload = URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .map_err(|e| JwtError::Base64 {
            message: e.to_string(),
        })?;
    serde_json::from_slice(&payload).map_err(|e| JwtError::Json {
        message: e.to_string(),
    })
}

/// One line of the token check list.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCheck {
    /// `"Audience"`, `"Tenant"`, `"Scope"` or `"Expiry"`.
    pub label: &'static str,
    /// Whether the check passed.
    pub ok: bool,
    /// What was found (and expected), in plain words.
    pub detail: String,
}

/// Label of the audience check.
pub const AUDIENCE: &str = "Audience";
/// Label of the tenant check.
pub const TENANT: &str = "Tenant";
/// Label of the scope check.
pub const SCOPE: &str = "Scope";
/// Label of the expiry check.
pub const EXPIRY: &str = "Expiry";

/// The tenant check's detail when the token carries no `tid` claim at all: not "a different
/// tenant" but a token that names no tenant (not an Entra ID work or school token).
pub const NO_TENANT_CLAIM: &str = "The token has no tenant (tid) claim.";

/// Checks the claims against what the user entered, in the order Audience, Tenant, Scope, Expiry:
///
/// * `aud` must equal the environment origin (trailing slash ignored, host case-insensitive);
/// * `tid` must equal `tenant` when `tenant` is a GUID (a domain or `organizations` cannot be
///   compared offline, so that check passes with an explanation);
/// * `scp` must contain `user_impersonation`;
/// * `exp` must be later than `now`.
pub fn check_claims(claims: &Claims, environment: &str, tenant: &str, now: i64) -> Vec<ClaimCheck> {
    vec![
        check_audience(&claims.aud, environment),
        check_tenant(claims.tid.as_deref(), tenant),
        check_scope(claims),
        check_expiry(claims.exp, now),
    ]
}

/// Normalised origin `scheme://host[:port]` (lowercase) of an absolute URL with an empty path.
fn origin_of(value: &str) -> Option<String> {
    let url = url::Url::parse(value.trim()).ok()?;
    if !url.path().trim_end_matches('/').is_empty() || url.query().is_some() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

pub(crate) fn check_audience(aud: &str, environment: &str) -> ClaimCheck {
    let env = environment.trim().trim_end_matches('/');
    let ok = match (origin_of(aud), origin_of(env)) {
        (Some(a), Some(e)) => a == e,
        _ => aud.trim_end_matches('/').eq_ignore_ascii_case(env),
    };
    let detail = if ok {
        format!("The token is for {aud}.")
    } else if is_guid(aud) {
        format!(
            "The token is for the application {aud}, not for {env}: the sign-in asked for the wrong scope."
        )
    } else {
        format!("The token is for {aud}, but the environment is {env}.")
    };
    ClaimCheck {
        label: AUDIENCE,
        ok,
        detail,
    }
}

pub(crate) fn check_tenant(tid: Option<&str>, tenant: &str) -> ClaimCheck {
    let tenant = tenant.trim();
    let (ok, detail) = match tid {
        None => (false, NO_TENANT_CLAIM.to_string()),
        Some(tid) if is_guid(tenant) => {
            if tid.eq_ignore_ascii_case(tenant) {
                (true, format!("Tenant {tid}."))
            } else {
                (
                    false,
                    format!("The token was issued by tenant {tid}, but you entered {tenant}."),
                )
            }
        }
        Some(tid) => (
            true,
            format!(
                "Tenant {tid} (you entered '{tenant}', which is not a tenant ID, so it cannot be compared; use {tid} as the Tenant ID)."
            ),
        ),
    };
    ClaimCheck {
        label: TENANT,
        ok,
        detail,
    }
}

pub(crate) fn check_scope(claims: &Claims) -> ClaimCheck {
    let ok = claims.has_scope(crate::auth::USER_IMPERSONATION);
    let detail = match (&claims.scp, claims.roles.is_empty()) {
        (Some(scp), _) if ok => format!("Scopes: {scp}."),
        (Some(scp), _) => format!("Scopes: {scp}; user_impersonation is missing."),
        (None, false) => format!(
            "An app-only token (roles: {}); the wizard needs a delegated token with user_impersonation.",
            claims.roles.join(", ")
        ),
        (None, true) => "The token has no scopes (scp claim); user_impersonation is missing.".to_string(),
    };
    ClaimCheck {
        label: SCOPE,
        ok,
        detail,
    }
}

/// Checks the token response's `scope` (what Entra ID says it granted, readable even when the
/// access token itself is not) for Dataverse's `user_impersonation`: either
/// `{environment}/user_impersonation` (host compared without regard to case, trailing slash
/// ignored) or the bare `user_impersonation`. Labelled [`SCOPE`], so
/// [`crate::diagnose::token_claims_mismatch`] turns a failure into "permission not granted".
/// `None` when the response carried no `scope` (nothing to tell).
pub fn check_granted_scope(scope: Option<&str>, environment: &str) -> Option<ClaimCheck> {
    let scope = scope.map(str::trim).filter(|s| !s.is_empty())?;
    let env = environment.trim().trim_end_matches('/');
    let env_origin = origin_of(env);
    let mut other = Vec::new();
    let mut ok = false;
    for s in scope.split_whitespace() {
        if s == crate::auth::USER_IMPERSONATION {
            ok = true;
        } else if let Some(resource) =
            s.strip_suffix(&format!("/{}", crate::auth::USER_IMPERSONATION))
        {
            let same = match (origin_of(resource), &env_origin) {
                (Some(a), Some(e)) => a == *e,
                _ => resource.trim_end_matches('/').eq_ignore_ascii_case(env),
            };
            if same {
                ok = true;
            } else {
                other.push(resource.to_string());
            }
        }
    }
    let detail = if ok {
        format!("Granted: {scope}.")
    } else if !other.is_empty() {
        format!(
            "Granted: {scope}; user_impersonation was granted for {} but not for {env}.",
            other.join(", ")
        )
    } else {
        format!("Granted: {scope}; user_impersonation for {env} was not granted.")
    };
    Some(ClaimCheck {
        label: SCOPE,
        ok,
        detail,
    })
}

pub(crate) fn check_expiry(exp: i64, now: i64) -> ClaimCheck {
    let ok = exp > now;
    let minutes = (exp - now).abs() / 60;
    let detail = if ok {
        format!("Expires in {minutes} min.")
    } else {
        format!("Expired {minutes} min ago.")
    };
    ClaimCheck {
        label: EXPIRY,
        ok,
        detail,
    }
}

/// `8-4-4-4-12` hex digits.
pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "https://contoso.crm.dynamics.com";

    #[test]
    fn granted_scope_table() {
        let cases: &[(Option<&str>, Option<bool>, &str)] = &[
            (None, None, ""),
            (Some("  "), None, ""),
            (Some("https://contoso.crm.dynamics.com/user_impersonation openid profile offline_access"), Some(true), "Granted"),
            (Some("https://Contoso.CRM.dynamics.com//user_impersonation"), Some(true), "Granted"),
            (Some("user_impersonation"), Some(true), "Granted"),
            (Some("openid profile offline_access"), Some(false), "was not granted"),
            (Some("https://other.crm4.dynamics.com/user_impersonation openid"), Some(false), "granted for https://other.crm4.dynamics.com but not for"),
            (Some("https://contoso.crm.dynamics.com/.default"), Some(false), "was not granted"),
        ];
        for (scope, want, mention) in cases {
            let got = check_granted_scope(*scope, ENV);
            assert_eq!(got.as_ref().map(|c| c.ok), *want, "{scope:?}");
            if let Some(c) = got {
                assert_eq!(c.label, SCOPE);
                assert!(c.detail.contains(mention), "{mention:?} in {}", c.detail);
            }
        }
    }

    #[test]
    fn missing_tid_is_no_tenant_claim_not_another_tenant() {
        let check = check_tenant(None, "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert!(!check.ok);
        assert_eq!(check.detail, NO_TENANT_CLAIM);
        let d = crate::diagnose::token_claims_mismatch(&[check]).unwrap();
        assert_eq!(d.code, "TOKEN_NO_TENANT");
        assert!(!d.title.contains("different tenant"), "{}", d.title);
        // A different tid is still "a different tenant".
        let other = check_tenant(
            Some("00000000-0000-0000-0000-000000000001"),
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
        );
        let d = crate::diagnose::token_claims_mismatch(&[other]).unwrap();
        assert_eq!(d.code, "TOKEN_TENANT");
    }
}
