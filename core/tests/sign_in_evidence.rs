//! A sign-in never depends on reading Microsoft's access tokens (issue 20): the evidence is the
//! token response (`scope`, `expires_in`) and the ID token; an access token's claims are extra
//! evidence only when it happens to be a JWT.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use wizard_core::auth::{SignInEvidence, TokenResponse};
use wizard_core::jwt::{AUDIENCE, EXPIRY, SCOPE, TENANT};

const ENV: &str = "https://contoso.crm4.dynamics.com";
const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const NOW: i64 = 1_800_000_000;

fn jwt(claims: Value) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig",
        enc(&json!({"alg": "RS256", "typ": "JWT"})),
        enc(&claims)
    )
}

fn id_token() -> String {
    jwt(json!({"aud": "client", "tid": TENANT_ID, "exp": NOW + 3600,
        "preferred_username": "alex@contoso.onmicrosoft.com"}))
}

fn response(access: &str, scope: Option<&str>, id: Option<String>) -> TokenResponse {
    let mut v = json!({"access_token": access, "token_type": "Bearer", "expires_in": 3599});
    if let Some(s) = scope {
        v["scope"] = json!(s);
    }
    if let Some(t) = id {
        v["id_token"] = json!(t);
    }
    TokenResponse::from_json(&v.to_string()).unwrap()
}

fn labels(e: &SignInEvidence) -> Vec<(&'static str, bool)> {
    e.checks(ENV, TENANT_ID, NOW)
        .into_iter()
        .map(|c| (c.label, c.ok))
        .collect()
}

#[test]
fn an_opaque_access_token_signs_in_on_the_responses_word() {
    let scope = format!("{ENV}/user_impersonation openid profile offline_access");
    let e = SignInEvidence::from_response(
        &response("0.AAAA-opaque-not-a-jwt", Some(&scope), Some(id_token())),
        NOW,
    );
    assert!(!e.access_token_readable());
    assert_eq!(e.user(), Some("alex@contoso.onmicrosoft.com"));
    assert_eq!(e.expires_at, Some(NOW + 3599));
    // No audience without reading the access token; the rest from the response and ID token.
    assert_eq!(labels(&e), [(TENANT, true), (SCOPE, true), (EXPIRY, true)]);
    let expiry = e.checks(ENV, TENANT_ID, NOW).pop().unwrap();
    assert_eq!(expiry.detail, "Expires in 59 min.");
}

#[test]
fn the_granted_scope_tells_a_missing_permission() {
    let e = SignInEvidence::from_response(
        &response("opaque", Some("openid profile"), Some(id_token())),
        NOW,
    );
    assert_eq!(labels(&e), [(TENANT, true), (SCOPE, false), (EXPIRY, true)]);
    // Another tenant in the ID token.
    let other = jwt(json!({"aud": "c", "exp": NOW, "tid": "00000000-0000-0000-0000-000000000001"}));
    let e = SignInEvidence::from_response(&response("opaque", None, Some(other)), NOW);
    assert_eq!(labels(&e), [(TENANT, false), (EXPIRY, true)]);
    assert_eq!(e.user(), None);
}

#[test]
fn a_readable_access_token_adds_its_claims_as_evidence() {
    let access = jwt(json!({"aud": ENV, "tid": TENANT_ID, "exp": NOW + 60,
        "scp": "user_impersonation", "upn": "uma@contoso.onmicrosoft.com"}));
    let e = SignInEvidence::from_response(&response(&access, None, None), NOW);
    assert!(e.access_token_readable());
    assert_eq!(e.user(), Some("uma@contoso.onmicrosoft.com"));
    assert_eq!(
        labels(&e),
        [
            (AUDIENCE, true),
            (TENANT, true),
            (SCOPE, true),
            (EXPIRY, true)
        ]
    );
    // The response's own word wins over the token's claims.
    let e = SignInEvidence::from_response(&response(&access, Some("openid"), None), NOW);
    assert_eq!(labels(&e)[2], (SCOPE, false));
    // The ID token names the person before the access token does.
    let e = SignInEvidence::from_response(&response(&access, None, Some(id_token())), NOW);
    assert_eq!(e.user(), Some("alex@contoso.onmicrosoft.com"));
    // A token for another environment is still told.
    let elsewhere = jwt(json!({"aud": "https://other.crm.dynamics.com", "exp": NOW + 60}));
    let e = SignInEvidence::from_response(&response(&elsewhere, None, None), NOW);
    assert_eq!(labels(&e)[0], (AUDIENCE, false));
    // Without expires_in the readable token's exp is the expiry.
    let mut r = response(&access, None, None);
    r.expires_in = None;
    let e = SignInEvidence::from_response(&r, NOW);
    let expiry = e.checks(ENV, TENANT_ID, NOW).pop().unwrap();
    assert_eq!(
        (expiry.label, expiry.detail.as_str()),
        (EXPIRY, "Expires in 1 min.")
    );
}

#[test]
fn nothing_to_read_gives_no_checks_and_no_panic() {
    let mut r = response("opaque", Some("  "), Some("not.a.jwt".into()));
    r.expires_in = None;
    let e = SignInEvidence::from_response(&r, NOW);
    assert_eq!(e.granted_scope, None);
    assert_eq!(e.id_claims, None);
    assert!(e.checks(ENV, TENANT_ID, NOW).is_empty());
    assert_eq!(e.user(), None);
}
