//! What a sign-in proves, without reading Microsoft's access tokens. Microsoft: "Don't attempt to
//! validate or read tokens for any API you don't own" — tokens for Dataverse and Graph may stop
//! being JWTs. The evidence is the token response itself (`scope`, `expires_in`) and the ID token
//! (issued to this app, so this app may read it); the access token's claims are decoded only
//! when it happens to be a JWT, and shown as extra evidence. WhoAmI then proves the token works.

use super::TokenResponse;
use crate::jwt::{self, ClaimCheck, Claims};

/// What the token response says about a sign-in. Holds no token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignInEvidence {
    /// The granted scopes as Entra ID listed them (`scope`), when it did.
    pub granted_scope: Option<String>,
    /// When the access token expires (unix seconds), from `expires_in`.
    pub expires_at: Option<i64>,
    /// The ID token's claims (issued to this app), when there was one.
    pub id_claims: Option<Claims>,
    /// The access token's claims, only when it happens to be a readable JWT.
    pub access_claims: Option<Claims>,
}

impl SignInEvidence {
    /// The evidence in a token response, received at `now` (unix seconds).
    pub fn from_response(response: &TokenResponse, now: i64) -> SignInEvidence {
        SignInEvidence {
            granted_scope: response.scope.clone().filter(|s| !s.trim().is_empty()),
            expires_at: response.expires_at(now),
            id_claims: response
                .id_token
                .as_deref()
                .and_then(|t| jwt::decode_claims(t).ok()),
            access_claims: jwt::decode_claims(&response.access_token).ok(),
        }
    }

    /// The signed-in person as the ID token names them (else the access token, when readable).
    pub fn user(&self) -> Option<&str> {
        self.id_claims
            .as_ref()
            .and_then(Claims::user)
            .or_else(|| self.access_claims.as_ref().and_then(Claims::user))
    }

    /// Whether the access token could be read (a JWT); `false` is normal and fine.
    pub fn access_token_readable(&self) -> bool {
        self.access_claims.is_some()
    }

    /// The checks shown after a sign-in to `environment` in `tenant`, at `now`:
    /// * Scope: the response's `scope` (else the access token's `scp`, when readable);
    /// * Expiry: `expires_in` (else the access token's `exp`);
    /// * Tenant: the ID token's `tid` (else the access token's);
    /// * Audience: only when the access token is readable (extra evidence).
    ///
    /// A check with nothing to read is left out: WhoAmI then proves the token works.
    pub fn checks(&self, environment: &str, tenant: &str, now: i64) -> Vec<ClaimCheck> {
        let access = self.access_claims.as_ref();
        let mut out = Vec::new();
        if let Some(c) = access {
            out.push(jwt::check_audience(&c.aud, environment));
        }
        let tid = self
            .id_claims
            .as_ref()
            .and_then(|c| c.tid.as_deref())
            .or_else(|| access.and_then(|c| c.tid.as_deref()));
        if self.id_claims.is_some() || access.is_some() {
            out.push(jwt::check_tenant(tid, tenant));
        }
        match (
            jwt::check_granted_scope(self.granted_scope.as_deref(), environment),
            access,
        ) {
            (Some(granted), _) => out.push(granted),
            (None, Some(c)) => out.push(jwt::check_scope(c)),
            (None, None) => {}
        }
        match (self.expires_at, access) {
            (Some(at), _) => out.push(jwt::check_expiry(at, now)),
            (None, Some(c)) => out.push(jwt::check_expiry(c.exp, now)),
            (None, None) => {}
        }
        out
    }
}
