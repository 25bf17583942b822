//! Minimal JWTs: HS256 with a per-process random key. Real Entra tokens are RS256; a browser app
//! cannot check either signature, so only the claims matter for the wizard.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Signer {
    key: [u8; 32],
}

#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    Malformed,
    BadSignature,
}

impl Default for Signer {
    fn default() -> Self {
        Self::new()
    }
}

impl Signer {
    pub fn new() -> Signer {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).expect("random key");
        Signer { key }
    }

    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        let header = json!({"typ": "JWT", "alg": "HS256", "kid": "sandbox"});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
        let input = format!("{h}.{p}");
        let sig = URL_SAFE_NO_PAD.encode(self.mac(input.as_bytes()));
        format!("{input}.{sig}")
    }

    /// Check the signature and return the claims (expiry is the caller's business).
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, JwtError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header: Value = decode_json(h)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(JwtError::BadSignature);
        }
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("hmac key");
        mac.update(format!("{h}.{p}").as_bytes());
        mac.verify_slice(&sig).map_err(|_| JwtError::BadSignature)?;
        match decode_json(p)? {
            Value::Object(m) => Ok(m),
            _ => Err(JwtError::Malformed),
        }
    }

    fn mac(&self, input: &[u8]) -> Vec<u8> {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("hmac key");
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }
}

fn decode_json(part: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

/// Decode a JWT's payload without checking anything (for tests and logs).
pub fn decode_unverified(token: &str) -> Option<Map<String, Value>> {
    let p = token.split('.').nth(1)?;
    match decode_json(p).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = Signer::new();
        let mut claims = Map::new();
        claims.insert("aud".into(), json!("http://contoso.crm.localhost:8081"));
        let t = s.sign(&claims);
        assert_eq!(s.verify(&t).unwrap(), claims);
        assert_eq!(decode_unverified(&t).unwrap(), claims);
        let other = Signer::new();
        assert_eq!(other.verify(&t), Err(JwtError::BadSignature));
        assert_eq!(s.verify("a.b"), Err(JwtError::Malformed));
    }
}
