//! OAuth 2.0 authorization code + PKCE (S256) against Microsoft Entra ID v2.0, as a browser
//! single-page application: no client secret, ever.
//!
//! This module builds the authorize URL (with the [`oauth2`] crate's request builder), the state
//! that must survive the full-page redirect ([`PendingSignIn`]), parses and checks the callback,
//! and builds the token-request form body. It performs no HTTP: the app posts the body with
//! `fetch`.

use std::fmt;

use oauth2::{
    AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenUrl,
};
use serde::{Deserialize, Serialize};

/// How long a pending sign-in stays valid: Entra ID authorization codes live about 10 minutes.
pub const PENDING_MAX_AGE_SECS: i64 = 10 * 60;

use crate::entra::Authority;
pub use crate::entra::USER_IMPERSONATION;
use crate::fields::EndpointVersion;

mod callback;
mod evidence;
#[cfg(test)]
mod tests;

pub use callback::{accept_callback, callback_issuer, match_callback, parse_callback, Callback};
pub use evidence::SignInEvidence;

/// Why a sign-in request could not be built or a callback was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuthError {
    /// A configuration value is unusable.
    #[error("invalid {field}: {message}")]
    InvalidConfig {
        /// Which field of [`SignInConfig`] (`login_base`, `tenant`, `client_id`, `redirect_uri`,
        /// `environment`).
        field: &'static str,
        /// Why.
        message: String,
    },
    /// The page was loaded without any OAuth callback parameters.
    #[error("no authorization response in the address")]
    NoCallback,
    /// Entra ID redirected back with an error.
    #[error("sign-in failed: {error}: {description}")]
    Denied {
        /// The OAuth `error` value (`access_denied`, …).
        error: String,
        /// The `error_description` (starts with an AADSTS code on Entra ID).
        description: String,
    },
    /// A code came back but no sign-in was started in this browser tab.
    #[error("no pending sign-in request for this response")]
    NoPendingRequest,
    /// The returned `state` does not match the pending request.
    #[error("state mismatch: the response does not belong to the pending sign-in request")]
    StateMismatch,
    /// The pending request is older than [`PENDING_MAX_AGE_SECS`].
    #[error("the sign-in request expired ({age_secs} s old, limit {limit_secs} s)")]
    Expired {
        /// Age of the pending request.
        age_secs: i64,
        /// The limit ([`PENDING_MAX_AGE_SECS`]).
        limit_secs: i64,
    },
    /// The callback's `iss` parameter (RFC 9207) names another authorization server than the one
    /// the sign-in was sent to: the response must not be used (a mix-up attack, or a sign-in
    /// service that is not the configured Entra ID tenant).
    #[error("the sign-in response comes from issuer {found}, expected {expected}")]
    IssuerMismatch {
        /// The issuer expected: `{login}/{tenant-guid}/v2.0`, or `{login}/<tenant GUID>/v2.0` when
        /// the tenant was given as a domain or keyword.
        expected: String,
        /// The `iss` value received.
        found: String,
    },
}

/// What the sign-in needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInConfig {
    /// Login host origin, e.g. `https://login.microsoftonline.com` or the local sandbox
    /// `http://localhost:8081` (a trailing slash is ignored).
    pub login_base: String,
    /// Tenant: GUID, domain, `organizations` or `common`.
    pub tenant: String,
    /// Application (client) ID of the app registration.
    pub client_id: String,
    /// The SPA redirect URI, sent exactly as given (it must match the registration byte for byte).
    pub redirect_uri: String,
    /// Dataverse environment origin, e.g. `https://contoso.crm.dynamics.com`.
    pub environment: String,
    /// What the token is for: Dataverse (the sign-in) or Microsoft Graph (the second sign-in of
    /// the live checks, when the first gave no refresh token).
    #[serde(default)]
    pub purpose: SignInPurpose,
}

/// What a sign-in asks a token for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInPurpose {
    /// The environment's `user_impersonation`, plus a refresh token (`offline_access`).
    #[default]
    Dataverse,
    /// Microsoft Graph, with these space-separated scopes (e.g.
    /// [`crate::verify::requests::graph_read_scopes`]): the fallback when the Dataverse sign-in
    /// gave no refresh token to exchange for a Graph token.
    Graph {
        /// The Graph scopes, e.g. `https://graph.microsoft.com/Application.Read.All …`.
        scopes: String,
    },
    /// "Set it up for me": Microsoft Graph with the write permissions, asked only when the
    /// person starts the plan, plus a refresh token (the environments' tokens come from it).
    Setup {
        /// The Graph scopes ([`crate::setup::write_scopes`]).
        scopes: String,
    },
    /// The Global Discovery Service (a first sign-in, before any environment is known), plus a
    /// refresh token to exchange for each chosen environment later.
    Discovery {
        /// [`crate::discovery::scope`] of the chosen cloud.
        scope: String,
    },
}

impl SignInConfig {
    /// The scope string: `{environment}/user_impersonation openid profile offline_access` for
    /// Dataverse; `{graph scopes} openid profile` for Graph.
    pub fn scope(&self) -> String {
        match &self.purpose {
            SignInPurpose::Dataverse => crate::entra::sign_in_scope(&self.environment),
            SignInPurpose::Graph { scopes } => format!("{} openid profile", scopes.trim()),
            SignInPurpose::Discovery { scope } => {
                format!("{} openid profile offline_access", scope.trim())
            }
            SignInPurpose::Setup { scopes } => {
                format!("{} openid profile offline_access", scopes.trim())
            }
        }
    }

    /// The same sign-in, asking for a Microsoft Graph token with `scopes` instead.
    pub fn for_graph(&self, scopes: &str) -> SignInConfig {
        SignInConfig {
            purpose: SignInPurpose::Graph {
                scopes: scopes.trim().to_string(),
            },
            ..self.clone()
        }
    }

    /// The Entra ID v2.0 issuer this sign-in expects, as shown to people:
    /// `{login}/{tenant-guid}/v2.0` when the tenant is a GUID, else
    /// `{login}/<tenant GUID>/v2.0` (a domain, `organizations` or `common` only fixes the login
    /// host; the issuer then carries the tenant's GUID).
    pub fn expected_issuer(&self) -> String {
        let base = self.login_base.trim().trim_end_matches('/');
        let tenant = self.tenant.trim();
        if crate::jwt::is_guid(tenant) {
            format!("{base}/{}/v2.0", tenant.to_ascii_lowercase())
        } else {
            format!("{base}/<tenant GUID>/v2.0")
        }
    }

    /// Checks an issuer identifier (the callback's RFC 9207 `iss`) against this sign-in: equal to
    /// `{login}/{tenant-guid}/v2.0` when the tenant is a GUID (the GUID compared without regard
    /// to case); when the tenant was typed as a domain or keyword, only the login host and the
    /// `/{some GUID}/v2.0` shape are checked.
    pub fn check_issuer(&self, iss: &str) -> Result<(), AuthError> {
        let base = self.login_base.trim().trim_end_matches('/');
        let tenant = self.tenant.trim();
        let ok = iss
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_suffix("/v2.0"))
            .is_some_and(|t| {
                if crate::jwt::is_guid(tenant) {
                    t.eq_ignore_ascii_case(tenant)
                } else {
                    crate::jwt::is_guid(t)
                }
            });
        if ok {
            Ok(())
        } else {
            Err(AuthError::IssuerMismatch {
                expected: self.expected_issuer(),
                found: iss.to_string(),
            })
        }
    }
}

/// What must survive the full-page redirect (stored by the app in `sessionStorage`, keyed by
/// `state`). `Debug` redacts the verifier.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The random `state` sent to Entra ID.
    pub state: String,
    /// The PKCE code verifier (secret until the code is redeemed).
    pub verifier: String,
    /// The configuration the request was built from.
    pub config: SignInConfig,
    /// When the request was built (unix seconds).
    pub created_at: i64,
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("state", &self.state)
            .field("verifier", &"[redacted]")
            .field("config", &self.config)
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl PendingSignIn {
    /// Seconds since the request was built.
    pub fn age(&self, now: i64) -> i64 {
        now - self.created_at
    }

    /// Whether the request is older than [`PENDING_MAX_AGE_SECS`].
    pub fn is_expired(&self, now: i64) -> bool {
        self.age(now) > PENDING_MAX_AGE_SECS
    }
}

/// A ready authorize URL and the state to keep until the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// Where to navigate the top-level window.
    pub url: String,
    /// What to store before navigating.
    pub pending: PendingSignIn,
}

impl SignInConfig {
    /// The v2.0 endpoints the sign-in uses: `(authorize, token)`.
    pub fn endpoints(&self) -> (String, String) {
        let authority = Authority::new(&self.login_base, &self.tenant);
        (
            authority.authorize_url(EndpointVersion::V2),
            authority.token_url(EndpointVersion::V2),
        )
    }
}

/// Builds the authorize request: `response_type=code`, `client_id`, random `state`, PKCE S256
/// `code_challenge`, `redirect_uri`, scope `{environment}/user_impersonation openid profile
/// offline_access`, `response_mode=query`. Built with oauth2's `BasicClient::authorize_url` and
/// `set_pkce_challenge`; the verifier has 43 characters (32 random bytes, base64url).
pub fn authorize_request(config: SignInConfig, now: i64) -> Result<AuthorizeRequest, AuthError> {
    validate_config(&config)?;
    let (authorize, token) = config.endpoints();
    let auth_url = AuthUrl::new(authorize).map_err(|e| invalid("login_base", e))?;
    let token_url = TokenUrl::new(token).map_err(|e| invalid("login_base", e))?;
    let redirect =
        RedirectUrl::new(config.redirect_uri.clone()).map_err(|e| invalid("redirect_uri", e))?;
    let client =
        oauth2::basic::BasicClient::new(ClientId::new(config.client_id.trim().to_string()))
            .set_auth_uri(auth_url)
            .set_token_uri(token_url)
            .set_redirect_uri(redirect);

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let scopes = config
        .scope()
        .split(' ')
        .map(|s| Scope::new(s.to_string()))
        .collect::<Vec<_>>();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes)
        .set_pkce_challenge(challenge)
        .add_extra_param("response_mode", "query")
        .url();

    Ok(AuthorizeRequest {
        url: url.to_string(),
        pending: PendingSignIn {
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            config,
            created_at: now,
        },
    })
}

fn invalid(field: &'static str, e: impl fmt::Display) -> AuthError {
    AuthError::InvalidConfig {
        field,
        message: e.to_string(),
    }
}

fn validate_config(config: &SignInConfig) -> Result<(), AuthError> {
    let http_url = |field: &'static str, value: &str| -> Result<url::Url, AuthError> {
        let parsed = url::Url::parse(value.trim()).map_err(|e| invalid(field, e))?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
            return Err(invalid(field, "must be an http(s) address"));
        }
        Ok(parsed)
    };
    http_url("login_base", &config.login_base)?;
    http_url("redirect_uri", &config.redirect_uri)?;
    let env = http_url("environment", &config.environment)?;
    if env.query().is_some() || !env.path().trim_end_matches('/').is_empty() {
        return Err(invalid(
            "environment",
            "must be the environment origin only, e.g. https://contoso.crm.dynamics.com",
        ));
    }
    let tenant = config.tenant.trim();
    if tenant.is_empty()
        || !tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(invalid(
            "tenant",
            "must be a tenant id, a domain, 'organizations' or 'common'",
        ));
    }
    let client_id = config.client_id.trim();
    if client_id.is_empty() || client_id.chars().any(|c| c.is_whitespace() || c == '&') {
        return Err(invalid("client_id", "must be the application (client) id"));
    }
    Ok(())
}

/// The form body for the token request (posted with `fetch`, no client secret ever):
/// `grant_type=authorization_code&code&redirect_uri&client_id&code_verifier&scope`.
pub fn token_request_body(pending: &PendingSignIn, code: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", &pending.config.redirect_uri)
        .append_pair("client_id", pending.config.client_id.trim())
        .append_pair("code_verifier", &pending.verifier)
        .append_pair("scope", &pending.config.scope())
        .finish()
}

/// A successful token response from the v2.0 token endpoint. `Debug` redacts the tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token (a JWT for Dataverse).
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds (60–90 minutes on Entra ID).
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// Granted scopes, space separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// The OpenID Connect ID token, when `openid` was requested.
    #[serde(default)]
    pub id_token: Option<String>,
    /// The refresh token (24 h for SPAs), when `offline_access` was requested.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |t: &Option<String>| t.as_ref().map(|_| "[redacted]");
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("id_token", &redact(&self.id_token))
            .field("refresh_token", &redact(&self.refresh_token))
            .finish()
    }
}

impl TokenResponse {
    /// Parses a token-endpoint JSON body.
    pub fn from_json(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }

    /// The granted scopes (the response's `scope`, split at whitespace; empty when absent). Read
    /// this to tell "permission not granted" apart from an access token whose claims cannot be
    /// read: see [`crate::jwt::check_granted_scope`].
    pub fn granted_scopes(&self) -> Vec<&str> {
        self.scope
            .as_deref()
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default()
    }

    /// When the access token expires (unix seconds), from `expires_in`.
    pub fn expires_at(&self, now: i64) -> Option<i64> {
        self.expires_in
            .map(|s| now.saturating_add(i64::try_from(s).unwrap_or(i64::MAX)))
    }
}

/// Whether `challenge` is the S256 PKCE challenge of `verifier`
/// (`BASE64URL-NOPAD(SHA-256(ASCII(verifier)))`, RFC 7636 §4.2).
/// `false` for a verifier that RFC 7636 §4.1 forbids (not 43–128 unreserved characters).
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    if !is_valid_verifier(verifier) {
        return false;
    }
    let computed =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_string()));
    computed.as_str() == challenge
}

/// Whether `verifier` is a valid PKCE code verifier: 43–128 characters from the unreserved set
/// `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"` (RFC 7636 §4.1).
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}
