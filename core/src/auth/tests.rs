//! Unit tests of the sign-in request, the callback and the token response.

use super::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const NOW: i64 = 1_700_000_000;

fn config(tenant: &str) -> SignInConfig {
    SignInConfig {
        login_base: "https://login.microsoftonline.com/".into(),
        tenant: tenant.into(),
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        redirect_uri: "http://localhost:8080/auth/callback".into(),
        environment: "https://contoso.crm.dynamics.com".into(),
        purpose: Default::default(),
    }
}

fn pending(tenant: &str) -> PendingSignIn {
    PendingSignIn {
        state: "s1".into(),
        verifier: "v".repeat(43),
        config: config(tenant),
        created_at: NOW,
    }
}

fn query(iss: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("code", "c0de").append_pair("state", "s1");
    if let Some(iss) = iss {
        q.append_pair("iss", iss);
    }
    format!("?{}", q.finish())
}

#[test]
fn issuer_table() {
    let good = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let other_tenant =
        "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0";
    let cases: &[(&str, &str, bool)] = &[
        (TENANT, &good, true),
        (&TENANT.to_uppercase(), &good, true),
        (TENANT, other_tenant, false),
        (
            TENANT,
            "https://evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
            false,
        ),
        (
            TENANT,
            &format!("https://login.microsoftonline.com/{TENANT}/"),
            false,
        ),
        (
            TENANT,
            &format!("https://login.microsoftonline.com/{TENANT}/v2.0/"),
            false,
        ),
        (
            TENANT,
            "https://login.microsoftonline.com.evil.example/x/v2.0",
            false,
        ),
        // A domain or keyword tenant: only the host and the shape are checked.
        ("contoso.onmicrosoft.com", other_tenant, true),
        ("organizations", &good, true),
        (
            "contoso.onmicrosoft.com",
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
            false,
        ),
        (
            "contoso.onmicrosoft.com",
            &format!("https://login.microsoftonline.us/{TENANT}/v2.0"),
            false,
        ),
        ("common", "https://accounts.example.com", false),
    ];
    for (tenant, iss, ok) in cases {
        assert_eq!(
            config(tenant).check_issuer(iss).is_ok(),
            *ok,
            "{tenant} {iss}"
        );
    }
    assert_eq!(config(TENANT).expected_issuer(), good);
    assert_eq!(
        config("contoso.onmicrosoft.com").expected_issuer(),
        "https://login.microsoftonline.com/<tenant GUID>/v2.0"
    );
}

#[test]
fn a_changed_iss_is_refused() {
    let p = pending(TENANT);
    let other = "https://op.example.com";
    let got = accept_callback(&query(Some(other)), Some(&p), NOW + 5);
    assert_eq!(
        got,
        Err(AuthError::IssuerMismatch {
            expected: format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
            found: other.into(),
        })
    );
    let message = got.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains(other) && message.contains(TENANT),
        "{message}"
    );
    let d = crate::diagnose::auth_error(&AuthError::IssuerMismatch {
        expected: "a".into(),
        found: "b".into(),
    });
    assert_eq!(d.code, "ISSUER_MISMATCH");
}

#[test]
fn accept_callback_keeps_match_callback_behaviour() {
    let p = pending(TENANT);
    let good = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    assert_eq!(
        accept_callback(&query(None), Some(&p), NOW),
        Ok("c0de".into())
    );
    assert_eq!(
        accept_callback(&query(Some(&good)), Some(&p), NOW),
        Ok("c0de".into())
    );
    // State is checked before the issuer; expiry too.
    let mut other = pending(TENANT);
    other.state = "s2".into();
    assert_eq!(
        accept_callback(&query(Some("https://x")), Some(&other), NOW),
        Err(AuthError::StateMismatch)
    );
    assert!(matches!(
        accept_callback(
            &query(Some(&good)),
            Some(&p),
            NOW + PENDING_MAX_AGE_SECS + 1
        ),
        Err(AuthError::Expired { .. })
    ));
    assert_eq!(
        accept_callback(&query(Some(&good)), None, NOW),
        Err(AuthError::NoPendingRequest)
    );
    assert_eq!(
        accept_callback("", Some(&p), NOW),
        Err(AuthError::NoCallback)
    );
    assert!(matches!(
        accept_callback("?error=access_denied&iss=https%3A%2F%2Fx", Some(&p), NOW),
        Err(AuthError::Denied { .. })
    ));
    assert_eq!(callback_issuer("#iss=a%2Fb&code=c"), Some("a/b".into()));
    assert_eq!(callback_issuer("?code=c"), None);
}

#[test]
fn granted_scopes() {
    let t = TokenResponse::from_json(
        r#"{"token_type":"Bearer","scope":"https://contoso.crm.dynamics.com/user_impersonation  openid profile","expires_in":4299,"access_token":"x"}"#,
    )
    .unwrap();
    assert_eq!(
        t.granted_scopes(),
        [
            "https://contoso.crm.dynamics.com/user_impersonation",
            "openid",
            "profile"
        ]
    );
    let none = TokenResponse::from_json(r#"{"token_type":"Bearer","access_token":"x"}"#).unwrap();
    assert!(none.granted_scopes().is_empty());
}

#[test]
fn the_graph_sign_in_asks_for_graph_alone_and_survives_the_redirect() {
    let graph = "https://graph.microsoft.com/Application.Read.All \
                 https://graph.microsoft.com/Directory.Read.All";
    let cfg = config(TENANT).for_graph(graph);
    // One resource per request (Entra refuses two, AADSTS28000): no Dataverse scope beside Graph.
    assert_eq!(cfg.scope(), format!("{graph} openid profile"));
    let req = authorize_request(cfg.clone(), NOW).unwrap();
    let url = url::Url::parse(&req.url).unwrap();
    let scope = url
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert_eq!(scope, format!("{graph} openid profile"));
    assert!(!scope.contains("user_impersonation"));
    // The purpose is kept with the pending request, so the callback knows what the token is for.
    let json = serde_json::to_string(&req.pending).unwrap();
    let back: PendingSignIn = serde_json::from_str(&json).unwrap();
    assert_eq!(back.config.purpose, cfg.purpose);
    assert!(token_request_body(&back, "c0de").contains("Directory.Read.All"));
    // The ordinary sign-in is unchanged, and a request stored before purposes existed is one.
    assert_eq!(config(TENANT).scope(), entra_scope());
    let old = json.replace(
        &format!(
            ",\"purpose\":{}",
            serde_json::to_string(&cfg.purpose).unwrap()
        ),
        "",
    );
    assert!(!old.contains("purpose"));
    let old: PendingSignIn = serde_json::from_str(&old).unwrap();
    assert_eq!(old.config.purpose, SignInPurpose::Dataverse);
}

fn entra_scope() -> String {
    "https://contoso.crm.dynamics.com/user_impersonation openid profile offline_access".into()
}
