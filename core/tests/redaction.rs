//! Secrets never leak through formatting or serialisation: every type that holds the client
//! secret, the PKCE verifier or a token shows `[redacted]` in `Debug` (what ends up in logs, panic
//! messages and the browser console), and the types that are persisted or exported leave the
//! secret out unless the user asked for it.
//!
//! Two types serialise a secret on purpose and are covered for `Debug` only: `PendingSignIn`
//! (its JSON is what survives the sign-in redirect in `sessionStorage`, and the verifier must be
//! in it) and `TokenResponse` (its JSON is the token endpoint's answer).

use chrono::{NaiveDate, TimeZone, Utc};
use wizard_core::auth::{authorize_request, PendingSignIn, SignInConfig, TokenResponse};
use wizard_core::checked::CheckedDraft;
use wizard_core::connector::{connector_values, ConnectorField, ConnectorValue};
use wizard_core::draft::{Draft, SecretInput};
use wizard_core::export::export_json;
use wizard_core::fields::ClientSecret;

const SECRET: &str = "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1fG2hI3j";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

fn draft() -> Draft {
    Draft {
        app_name: "Simego Data Sync".into(),
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        client_id: "1a2b3c4d-1234-5678-9abc-def012345678".into(),
        object_id: "0f0e0d0c-aaaa-bbbb-cccc-111122223333".into(),
        client_secret: SecretInput::new(SECRET.into()),
        environment_url: "https://contoso.crm4.dynamics.com".into(),
        entity: "accounts".into(),
        ..Draft::default()
    }
}

/// The secret, and any long enough piece of it, is absent from `text`.
fn assert_hidden(what: &str, text: &str, secret: &str) {
    for piece in secret.as_bytes().windows(12) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!text.contains(piece), "{what} shows {piece:?}: {text}");
    }
}

#[test]
fn the_typed_secret_is_never_shown() {
    let s = SecretInput::new(SECRET.into());
    assert_eq!(format!("{s:?}"), "SecretInput([redacted])");
    assert_eq!(format!("{s:#?}"), "SecretInput([redacted])");
    // An empty one says so (nothing to hide), which helps when debugging a blank field.
    assert_eq!(format!("{:?}", SecretInput::default()), "SecretInput(\"\")");
    assert_eq!(s.expose(), SECRET);
}

#[test]
fn a_checked_client_secret_is_never_shown() {
    let c = ClientSecret::parse(SECRET).unwrap().value;
    assert_eq!(format!("{c:?}"), "ClientSecret([redacted])");
    assert_eq!(c.secret(), SECRET);
}

#[test]
fn the_draft_hides_the_secret_and_never_stores_it() {
    let d = draft();
    assert_hidden("Draft Debug", &format!("{d:?}"), SECRET);
    assert_hidden("Draft Debug (pretty)", &format!("{d:#?}"), SECRET);
    // What the app writes to localStorage.
    let json = serde_json::to_string(&d).unwrap();
    assert_hidden("Draft JSON", &json, SECRET);
    assert!(json.contains("accounts"), "{json}");
    // And a stored draft that somehow holds one does not bring it back.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["client_secret"] = serde_json::json!(SECRET);
    let back: Draft = serde_json::from_value(value).unwrap();
    assert!(back.client_secret.is_blank());
}

#[test]
fn the_checked_connection_hides_the_secret() {
    let conn = draft().validate(today()).unwrap();
    assert_eq!(
        conn.client_secret.as_ref().map(ClientSecret::secret),
        Some(SECRET)
    );
    assert_hidden("Connection Debug", &format!("{conn:?}"), SECRET);
    assert_hidden("Connection Debug (pretty)", &format!("{conn:#?}"), SECRET);
    let checked = CheckedDraft::new(&draft(), today());
    assert_hidden("CheckedDraft Debug", &format!("{checked:?}"), SECRET);
}

#[test]
fn connector_values_hide_the_secret_but_keep_the_rest() {
    let values = connector_values(&draft());
    let secret = values.get(ConnectorField::ClientSecret);
    assert!(matches!(secret, ConnectorValue::Secret(s) if s.expose() == SECRET));
    assert_eq!(format!("{secret:?}"), "Secret(SecretInput([redacted]))");
    assert_eq!(secret.text(), "");
    let shown = format!("{values:?}");
    assert_hidden("ConnectorValues Debug", &shown, SECRET);
    // The rest is readable.
    assert!(
        shown.contains("https://contoso.crm4.dynamics.com"),
        "{shown}"
    );
    let blank = ConnectorValue::Blank { why: "leave blank" };
    assert_eq!(format!("{blank:?}"), "Blank { why: \"leave blank\" }");
    let value = ConnectorValue::Value("v".into());
    assert_eq!(format!("{value:?}"), "Value(\"v\")");
    let missing = format!(
        "{:?}",
        connector_values(&Draft::default()).get(ConnectorField::ClientId)
    );
    assert!(missing.starts_with("Missing { field: "), "{missing}");
    assert!(missing.contains("because: \"enter the "), "{missing}");
}

#[test]
fn the_export_holds_the_secret_only_when_asked() {
    let conn = draft().validate(today()).unwrap();
    let at = Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap();
    let without = export_json(&conn, false, at);
    assert_hidden("export without secret", &without, SECRET);
    let with = export_json(&conn, true, at);
    assert!(with.contains(SECRET));
}

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

#[test]
fn the_pkce_verifier_is_never_shown() {
    let req = authorize_request(config(), 1_700_000_000).unwrap();
    let verifier = req.pending.verifier.clone();
    assert_hidden(
        "PendingSignIn Debug",
        &format!("{:?}", req.pending),
        &verifier,
    );
    assert_hidden(
        "PendingSignIn Debug (pretty)",
        &format!("{:#?}", req.pending),
        &verifier,
    );
    assert_hidden("AuthorizeRequest Debug", &format!("{req:?}"), &verifier);
    // Its JSON keeps it on purpose (sessionStorage across the redirect), and round-trips.
    let json = serde_json::to_string(&req.pending).unwrap();
    let back: PendingSignIn = serde_json::from_str(&json).unwrap();
    assert_eq!(back.verifier, verifier);
}

#[test]
fn tokens_are_never_shown() {
    let access = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLWFjY2Vzcw";
    let refresh = "0.AAAA-refresh-token-value-1234567890";
    let id = "eyJ0eXAiOiJKV1QifQ.eyJuYW1lIjoiYWRhIn0.c2lnbmF0dXJlLWlk";
    let t = TokenResponse::from_json(
        &serde_json::json!({
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id,
            "expires_in": 3600,
        })
        .to_string(),
    )
    .unwrap();
    for shown in [format!("{t:?}"), format!("{t:#?}")] {
        for token in [access, refresh, id] {
            assert_hidden("TokenResponse Debug", &shown, token);
        }
    }
}
