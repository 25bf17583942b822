//! `auth`: authorize request, PKCE, callback handling, token request body.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use wizard_core::auth::{
    self, authorize_request, match_callback, parse_callback, token_request_body, verify_s256,
    AuthError, Callback, PendingSignIn, SignInConfig, TokenResponse, PENDING_MAX_AGE_SECS,
};

const NOW: i64 = 1_700_000_000;

fn config() -> SignInConfig {
    SignInConfig {
        login_base: "https://login.microsoftonline.com".into(),
        tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        redirect_uri: "http://localhost:8080/auth/callback".into(),
        environment: "https://contoso.crm.dynamics.com".into(),
        purpose: Default::default(),
    }
}

fn query_of(url: &str) -> HashMap<String, String> {
    let parsed = url::Url::parse(url).unwrap();
    parsed.query_pairs().into_owned().collect()
}

/// RFC 7636 Appendix B: the verifier is the base64url encoding of the 32 octets listed there,
/// and its S256 challenge is the literal below (both copied from the RFC text).
const RFC7636_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7636_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const RFC7636_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
];

fn independent_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[test]
fn rfc7636_appendix_b_vector() {
    assert_eq!(URL_SAFE_NO_PAD.encode(RFC7636_OCTETS), RFC7636_VERIFIER);
    assert_eq!(independent_s256(RFC7636_VERIFIER), RFC7636_CHALLENGE);
    assert!(verify_s256(RFC7636_VERIFIER, RFC7636_CHALLENGE));
    assert!(!verify_s256(
        RFC7636_VERIFIER,
        &RFC7636_CHALLENGE.replace('E', "F")
    ));
    // A verifier the RFC forbids is never accepted (and does not panic).
    assert!(!verify_s256("short", &independent_s256("short")));
    let long = "a".repeat(129);
    assert!(!verify_s256(&long, &independent_s256(&long)));
    let bad_char = format!("{}!", &RFC7636_VERIFIER[..42]);
    assert!(!verify_s256(&bad_char, &independent_s256(&bad_char)));
}

#[test]
fn authorize_url_has_every_parameter() {
    let req = authorize_request(config(), NOW).unwrap();
    assert!(req.url.starts_with(
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize?"
    ));
    let q = query_of(&req.url);
    let expect = [
        ("response_type", "code"),
        ("client_id", "11111111-2222-3333-4444-555555555555"),
        ("redirect_uri", "http://localhost:8080/auth/callback"),
        (
            "scope",
            "https://contoso.crm.dynamics.com/user_impersonation openid profile offline_access",
        ),
        ("code_challenge_method", "S256"),
        ("response_mode", "query"),
    ];
    for (k, v) in expect {
        assert_eq!(q.get(k).map(String::as_str), Some(v), "{k} in {}", req.url);
    }
    assert_eq!(q.get("state"), Some(&req.pending.state));
    let challenge = q.get("code_challenge").expect("code_challenge");
    assert_eq!(*challenge, independent_s256(&req.pending.verifier));
    assert!(verify_s256(&req.pending.verifier, challenge));
    assert!(!q.contains_key("client_secret"));
    assert_eq!(req.pending.config, config());
    assert_eq!(req.pending.created_at, NOW);
}

#[test]
fn verifier_is_43_to_128_unreserved_chars() {
    for _ in 0..20 {
        let req = authorize_request(config(), NOW).unwrap();
        let v = &req.pending.verifier;
        assert!((43..=128).contains(&v.len()), "{v}");
        assert!(
            v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)),
            "{v}"
        );
        assert!(auth::is_valid_verifier(v));
        assert!(req.pending.state.len() >= 16);
    }
}

#[test]
fn state_and_challenge_are_random_per_call() {
    let a = authorize_request(config(), NOW).unwrap();
    let b = authorize_request(config(), NOW).unwrap();
    assert_ne!(a.pending.state, b.pending.state);
    assert_ne!(a.pending.verifier, b.pending.verifier);
    assert_ne!(
        query_of(&a.url).get("code_challenge"),
        query_of(&b.url).get("code_challenge")
    );
}

#[test]
fn endpoint_urls() {
    let table = [
        (
            "https://login.microsoftonline.com",
            "contoso.onmicrosoft.com",
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/",
        ),
        (
            "http://localhost:8081/",
            "organizations",
            "http://localhost:8081/organizations/oauth2/v2.0/",
        ),
        (
            " https://login.microsoftonline.us ",
            " common ",
            "https://login.microsoftonline.us/common/oauth2/v2.0/",
        ),
    ];
    for (base, tenant, prefix) in table {
        let mut c = config();
        c.login_base = base.into();
        c.tenant = tenant.into();
        assert_eq!(
            c.endpoints(),
            (format!("{prefix}authorize"), format!("{prefix}token"))
        );
    }
}

#[test]
fn sandbox_login_base_and_trailing_slash_environment() {
    let mut c = config();
    c.login_base = "http://localhost:8081/".into();
    c.environment = "http://contoso.crm.localhost:8081/".into();
    let req = authorize_request(c, NOW).unwrap();
    assert!(req.url.starts_with(
        "http://localhost:8081/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize?"
    ));
    assert_eq!(
        query_of(&req.url)["scope"],
        "http://contoso.crm.localhost:8081/user_impersonation openid profile offline_access"
    );
}

#[test]
fn invalid_configs_are_refused() {
    type Edit = fn(&mut SignInConfig);
    let table: [(&str, Edit); 8] = [
        ("login_base", |c| {
            c.login_base = "login.microsoftonline.com".into()
        }),
        ("login_base", |c| c.login_base = "ftp://login".into()),
        ("tenant", |c| c.tenant = "".into()),
        ("tenant", |c| c.tenant = "a/b".into()),
        ("client_id", |c| c.client_id = " ".into()),
        ("redirect_uri", |c| c.redirect_uri = "/auth/callback".into()),
        ("environment", |c| c.environment = "contoso".into()),
        ("environment", |c| {
            c.environment = "https://contoso.crm.dynamics.com/api/data/v9.2/".into()
        }),
    ];
    for (field, edit) in table {
        let mut c = config();
        edit(&mut c);
        match authorize_request(c.clone(), NOW) {
            Err(AuthError::InvalidConfig { field: f, .. }) => assert_eq!(f, field, "{c:?}"),
            other => panic!("{c:?}: {other:?}"),
        }
    }
}

#[test]
fn token_request_body_fields() {
    let req = authorize_request(config(), NOW).unwrap();
    let body = token_request_body(&req.pending, "0.AAA&code=with/special+chars");
    let pairs: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let expect = [
        ("grant_type", "authorization_code"),
        ("code", "0.AAA&code=with/special+chars"),
        ("redirect_uri", "http://localhost:8080/auth/callback"),
        ("client_id", "11111111-2222-3333-4444-555555555555"),
        ("code_verifier", req.pending.verifier.as_str()),
        (
            "scope",
            "https://contoso.crm.dynamics.com/user_impersonation openid profile offline_access",
        ),
    ];
    assert_eq!(pairs.len(), expect.len(), "{body}");
    for (k, v) in expect {
        assert_eq!(pairs.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(!body.contains("client_secret"));
}

#[test]
fn parse_callback_table() {
    let code = |c: &str, s: &str| Callback::Code {
        code: c.into(),
        state: s.into(),
    };
    let table: Vec<(&str, Callback)> = vec![
        ("?code=abc&state=xyz", code("abc", "xyz")),
        ("code=abc&state=xyz&session_state=s", code("abc", "xyz")),
        ("?state=xyz&code=a%2Bb%3D", code("a+b=", "xyz")),
        ("#code=abc&state=xyz", code("abc", "xyz")),
        ("?code=abc", code("abc", "")),
        (
            "?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state=xyz",
            Callback::Error {
                error: "access_denied".into(),
                description: "AADSTS65004: User declined to consent.".into(),
                state: Some("xyz".into()),
            },
        ),
        (
            "?error=invalid_request",
            Callback::Error {
                error: "invalid_request".into(),
                description: String::new(),
                state: None,
            },
        ),
        (
            // An error wins over a code.
            "?code=abc&state=x&error=server_error",
            Callback::Error {
                error: "server_error".into(),
                description: String::new(),
                state: Some("x".into()),
            },
        ),
        ("", Callback::None),
        ("?", Callback::None),
        ("?foo=bar", Callback::None),
        ("?code=&state=x", Callback::None),
    ];
    for (query, want) in table {
        assert_eq!(parse_callback(query), want, "{query}");
    }
    assert_eq!(parse_callback("?code=a&state=s").state(), Some("s"));
    assert_eq!(parse_callback("?code=a").state(), None);
    assert_eq!(parse_callback("?error=x&state=s").state(), Some("s"));
}

fn pending(state: &str, created_at: i64) -> PendingSignIn {
    PendingSignIn {
        state: state.into(),
        verifier: RFC7636_VERIFIER.into(),
        config: config(),
        created_at,
    }
}

#[test]
fn match_callback_table() {
    let ok = pending("s1", NOW);
    let old = pending("s1", NOW - PENDING_MAX_AGE_SECS - 1);
    let edge = pending("s1", NOW - PENDING_MAX_AGE_SECS);
    let code = parse_callback("?code=c1&state=s1");
    let table: Vec<(&Callback, Option<&PendingSignIn>, Result<String, AuthError>)> = vec![
        (&code, Some(&ok), Ok("c1".into())),
        (&code, Some(&edge), Ok("c1".into())),
        (
            &code,
            Some(&old),
            Err(AuthError::Expired {
                age_secs: PENDING_MAX_AGE_SECS + 1,
                limit_secs: PENDING_MAX_AGE_SECS,
            }),
        ),
        (&code, None, Err(AuthError::NoPendingRequest)),
        (&Callback::None, Some(&ok), Err(AuthError::NoCallback)),
    ];
    for (cb, p, want) in table {
        assert_eq!(match_callback(cb, p, NOW), want, "{cb:?} {p:?}");
    }
    for q in [
        "?code=c1&state=s2",
        "?code=c1&state=",
        "?code=c1",
        "?code=c1&state=s1x",
    ] {
        assert_eq!(
            match_callback(&parse_callback(q), Some(&ok), NOW),
            Err(AuthError::StateMismatch),
            "{q}"
        );
    }
    let denied = parse_callback("?error=access_denied&error_description=nope&state=s1");
    assert_eq!(
        match_callback(&denied, Some(&ok), NOW),
        Err(AuthError::Denied {
            error: "access_denied".into(),
            description: "nope".into()
        })
    );
}

#[test]
fn pending_round_trips_and_redacts_verifier() {
    let p = pending("s1", NOW);
    let json = serde_json::to_string(&p).unwrap();
    let back: PendingSignIn = serde_json::from_str(&json).unwrap();
    assert_eq!(p, back);
    let debug = format!("{p:?}");
    assert!(!debug.contains(RFC7636_VERIFIER), "{debug}");
    assert!(debug.contains("s1"));
}

#[test]
fn token_response_parses_and_redacts() {
    let body = r#"{"token_type":"Bearer","scope":"https://contoso.crm.dynamics.com/user_impersonation","expires_in":4170,"ext_expires_in":4170,"access_token":"eyJ0eXAi.secret-access","refresh_token":"0.secret-refresh","id_token":"eyJ.secret-id"}"#;
    let t: TokenResponse = serde_json::from_str(body).unwrap();
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(t.expires_in, Some(4170));
    assert_eq!(t.expires_at(NOW), Some(NOW + 4170));
    let debug = format!("{t:?}");
    for secret in ["secret-access", "secret-refresh", "secret-id"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    // Optional fields may be missing.
    let minimal: TokenResponse =
        TokenResponse::from_json(r#"{"access_token":"a","token_type":"Bearer"}"#).unwrap();
    assert_eq!(minimal.refresh_token, None);
    assert_eq!(minimal.expires_at(NOW), None);
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        AuthError::InvalidConfig {
            field: "tenant",
            message: "x".into(),
        },
        AuthError::NoCallback,
        AuthError::Denied {
            error: "access_denied".into(),
            description: "d".into(),
        },
        AuthError::NoPendingRequest,
        AuthError::StateMismatch,
        AuthError::Expired {
            age_secs: 1,
            limit_secs: 2,
        },
    ];
    for e in errors {
        let s = e.to_string();
        assert!(s.starts_with(|c: char| c.is_lowercase()), "{s}");
    }
}

#[test]
fn a_sign_in_stays_valid_for_ten_minutes_and_no_longer() {
    // Entra ID authorization codes live about ten minutes: a callback nine minutes after the
    // request is taken, one eleven minutes after is refused as expired.
    assert_eq!(PENDING_MAX_AGE_SECS, 600);
    let code = parse_callback("?code=c1&state=s1");
    let nine = pending("s1", NOW - 9 * 60);
    assert_eq!(match_callback(&code, Some(&nine), NOW), Ok("c1".into()));
    let eleven = pending("s1", NOW - 11 * 60);
    assert_eq!(
        match_callback(&code, Some(&eleven), NOW),
        Err(AuthError::Expired {
            age_secs: 660,
            limit_secs: 600
        })
    );
    assert!(!nine.is_expired(NOW));
    assert!(eleven.is_expired(NOW));
    assert_eq!(eleven.age(NOW), 660);
}

#[test]
fn a_state_with_the_same_bytes_in_another_order_is_refused() {
    // An attacker who knows which characters the state holds, but not their order, gets nowhere:
    // every differing byte counts, even when two differences would cancel out.
    let ok = pending("s1ab", NOW);
    for q in [
        "?code=c1&state=s1ba",
        "?code=c1&state=s1AB",
        "?code=c1&state=1sab",
    ] {
        assert_eq!(
            match_callback(&parse_callback(q), Some(&ok), NOW),
            Err(AuthError::StateMismatch),
            "{q}"
        );
    }
    assert_eq!(
        match_callback(&parse_callback("?code=c1&state=s1ab"), Some(&ok), NOW),
        Ok("c1".into())
    );
}

#[test]
fn a_client_id_with_a_space_or_ampersand_inside_is_refused() {
    // A client id pasted with a space or an `&` inside would corrupt the authorize URL or
    // smuggle a parameter into it.
    for bad in [
        "11111111-2222 3333-4444-555555555555",
        "11111111-2222-3333-4444-555555555555&prompt=none",
        "a\tb",
    ] {
        let mut c = config();
        c.client_id = bad.into();
        match authorize_request(c, NOW) {
            Err(AuthError::InvalidConfig { field, .. }) => assert_eq!(field, "client_id", "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    // Surrounding blanks are trimmed, not refused.
    let mut c = config();
    c.client_id = " 11111111-2222-3333-4444-555555555555 ".into();
    let req = authorize_request(c, NOW).unwrap();
    assert_eq!(
        query_of(&req.url)["client_id"],
        "11111111-2222-3333-4444-555555555555"
    );
}

#[test]
fn a_domain_tenant_and_keywords_are_accepted() {
    for tenant in [
        "contoso.onmicrosoft.com",
        "organizations",
        "common",
        "Contoso-EU.com",
    ] {
        let mut c = config();
        c.tenant = tenant.into();
        let req = authorize_request(c, NOW).unwrap_or_else(|e| panic!("{tenant}: {e}"));
        assert!(req
            .url
            .contains(&format!("/{tenant}/oauth2/v2.0/authorize?")));
    }
    for tenant in ["contoso onmicrosoft", "a?b", "a#b", "a_b"] {
        let mut c = config();
        c.tenant = tenant.into();
        assert!(
            matches!(
                authorize_request(c, NOW),
                Err(AuthError::InvalidConfig {
                    field: "tenant",
                    ..
                })
            ),
            "{tenant}"
        );
    }
}

#[test]
fn token_response_debug_shows_what_is_safe_to_show() {
    // Redacted, but still useful for debugging: the type, lifetime and scope, and which tokens
    // are present.
    let t = TokenResponse::from_json(
        r#"{"token_type":"Bearer","scope":"https://contoso.crm.dynamics.com/user_impersonation","expires_in":4170,"access_token":"secret-access","refresh_token":"secret-refresh"}"#,
    )
    .unwrap();
    let debug = format!("{t:?}");
    assert!(debug.starts_with("TokenResponse {"), "{debug}");
    for shown in [
        "Bearer",
        "4170",
        "https://contoso.crm.dynamics.com/user_impersonation",
        "access_token: \"[redacted]\"",
        "refresh_token: Some(\"[redacted]\")",
        "id_token: None",
    ] {
        assert!(debug.contains(shown), "{shown} in {debug}");
    }
    assert!(!debug.contains("secret-"), "{debug}");
}

#[test]
fn pending_sign_in_debug_shows_the_state_but_not_the_verifier() {
    let p = pending("s1", NOW);
    let debug = format!("{p:?}");
    assert!(debug.contains("verifier: \"[redacted]\""), "{debug}");
    assert!(
        debug.contains("https://contoso.crm.dynamics.com"),
        "{debug}"
    );
    assert!(debug.contains(&NOW.to_string()), "{debug}");
    assert!(!debug.contains(RFC7636_VERIFIER), "{debug}");
    // The full request's Debug (URL with the public challenge) hides the verifier too.
    let req = authorize_request(config(), NOW).unwrap();
    let debug = format!("{req:?}");
    assert!(!debug.contains(&req.pending.verifier), "{debug}");
}
