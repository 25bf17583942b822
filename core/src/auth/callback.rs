//! The redirect back from Entra ID: parse it, match it to the pending sign-in (state, age), and
//! check the RFC 9207 issuer when one is sent.

use super::*;

/// What came back on the redirect URI.
#[derive(Debug, Clone, PartialEq)]
pub enum Callback {
    /// An authorization code. `state` is empty when Entra ID sent none.
    Code {
        /// The authorization code.
        code: String,
        /// The returned state.
        state: String,
    },
    /// An error redirect (`?error=…&error_description=…`).
    Error {
        /// OAuth error value.
        error: String,
        /// Error description (may be empty).
        description: String,
        /// Returned state, if any.
        state: Option<String>,
    },
    /// No OAuth parameters at all.
    None,
}

impl Callback {
    /// The returned `state`, if any (to look up the pending request).
    pub fn state(&self) -> Option<&str> {
        match self {
            Callback::Code { state, .. } if !state.is_empty() => Some(state),
            Callback::Error { state, .. } => state.as_deref(),
            _ => None,
        }
    }
}

/// Parses a callback query string (with or without the leading `?`; a leading `#` is accepted
/// too, for a fragment response).
pub fn parse_callback(query: &str) -> Callback {
    let query = query.trim();
    let query = query
        .strip_prefix('?')
        .or_else(|| query.strip_prefix('#'))
        .unwrap_or(query);
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match k.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(v.into_owned());
        }
    }
    if let Some(error) = error {
        return Callback::Error {
            error,
            description: description.unwrap_or_default(),
            state,
        };
    }
    match code {
        Some(code) if !code.is_empty() => Callback::Code {
            code,
            state: state.unwrap_or_default(),
        },
        _ => Callback::None,
    }
}

/// Checks a callback against the pending request (looked up by the app from the callback's
/// state). Returns the authorization code when the state matches and the request is at most
/// [`PENDING_MAX_AGE_SECS`] old.
///
/// Order of checks: no callback → [`AuthError::NoCallback`]; error redirect →
/// [`AuthError::Denied`]; no pending request → [`AuthError::NoPendingRequest`]; state differs →
/// [`AuthError::StateMismatch`]; too old → [`AuthError::Expired`].
pub fn match_callback(
    callback: &Callback,
    pending: Option<&PendingSignIn>,
    now: i64,
) -> Result<String, AuthError> {
    let (code, state) = match callback {
        Callback::None => return Err(AuthError::NoCallback),
        Callback::Error {
            error, description, ..
        } => {
            return Err(AuthError::Denied {
                error: error.clone(),
                description: description.clone(),
            })
        }
        Callback::Code { code, state } => (code, state),
    };
    let pending = pending.ok_or(AuthError::NoPendingRequest)?;
    if pending.state.is_empty() || !constant_time_eq(pending.state.as_bytes(), state.as_bytes()) {
        return Err(AuthError::StateMismatch);
    }
    if pending.is_expired(now) {
        return Err(AuthError::Expired {
            age_secs: pending.age(now),
            limit_secs: PENDING_MAX_AGE_SECS,
        });
    }
    Ok(code.clone())
}

/// The callback's `iss` parameter (RFC 9207 issuer identification), when present.
pub fn callback_issuer(query: &str) -> Option<String> {
    let query = query.trim();
    let query = query
        .strip_prefix('?')
        .or_else(|| query.strip_prefix('#'))
        .unwrap_or(query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "iss")
        .map(|(_, v)| v.into_owned())
}

/// Parses and checks a callback query in one call: [`parse_callback`], then
/// [`match_callback`] (same errors, same order), then — when the response carries an `iss`
/// parameter (RFC 9207) — [`SignInConfig::check_issuer`] against the pending request, so a
/// response from another authorization server is refused with [`AuthError::IssuerMismatch`]
/// before its code is used. Returns the authorization code.
///
/// Use this rather than `match_callback(&parse_callback(query), …)`, which cannot see `iss`.
pub fn accept_callback(
    query: &str,
    pending: Option<&PendingSignIn>,
    now: i64,
) -> Result<String, AuthError> {
    let code = match_callback(&parse_callback(query), pending, now)?;
    if let (Some(iss), Some(pending)) = (callback_issuer(query), pending) {
        pending.config.check_issuer(&iss)?;
    }
    Ok(code)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
