//! Access tokens as the sandbox issues and checks them: signed JWTs, or — for apps with
//! `opaque_access_tokens` — opaque random strings looked up server-side. Microsoft documents
//! that tokens for its APIs may not be JWTs and that clients must not read them; an app that
//! decodes its access token breaks on the opaque ones.

use crate::config::App;
use crate::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// The token of an `Authorization: Bearer …` header (scheme in any case), when there is one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
}

/// 90 random bytes: 120 URL-safe characters, no dots.
const OPAQUE_BYTES: usize = 90;

/// The access token carrying `claims`, in the form `app` gets.
pub fn issue(state: &AppState, app: &App, claims: &Map<String, Value>) -> String {
    if !app.opaque_access_tokens {
        return state.signer.sign(claims);
    }
    let mut buf = [0u8; OPAQUE_BYTES];
    // Without randomness the token would be guessable; an all-zero buffer still works locally.
    let _ = getrandom::getrandom(&mut buf);
    let token = URL_SAFE_NO_PAD.encode(buf);
    let now = crate::entra::now();
    let mut store = state.store();
    store.opaque_tokens.retain(|_, c| !expired(c, now));
    store.opaque_tokens.insert(token.clone(), claims.clone());
    token
}

/// The claims of an access token: a JWT with this sandbox's signature, or a known opaque token
/// that has not expired.
pub fn claims(state: &AppState, token: &str) -> Option<Map<String, Value>> {
    if let Ok(c) = state.signer.verify(token) {
        return Some(c);
    }
    let now = crate::entra::now();
    let mut store = state.store();
    match store.opaque_tokens.get(token) {
        Some(c) if expired(c, now) => {
            store.opaque_tokens.remove(token);
            None
        }
        Some(c) => Some(c.clone()),
        None => None,
    }
}

fn expired(claims: &Map<String, Value>, now: u64) -> bool {
    claims
        .get("exp")
        .and_then(Value::as_u64)
        .is_none_or(|e| e <= now)
}
