//! `jwt`: claims decoding and checks.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::json;
use wizard_core::jwt::{check_claims, check_granted_scope, decode_claims, Claims, JwtError};

const NOW: i64 = 1_700_000_000;
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ENV: &str = "https://contoso.crm.dynamics.com";

fn token(payload: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"RS256","kid":"x"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{header}.{body}.c2lnbmF0dXJl")
}

/// A v1 Dataverse delegated token's claims (shape as issued by Entra ID for Dynamics CRM).
fn dataverse_claims() -> serde_json::Value {
    json!({
        "aud": "https://contoso.crm.dynamics.com",
        "iss": format!("https://sts.windows.net/{TENANT}/"),
        "iat": NOW - 60,
        "nbf": NOW - 60,
        "exp": NOW + 3600,
        "acr": "1",
        "amr": ["pwd", "mfa"],
        "appid": "11111111-2222-3333-4444-555555555555",
        "appidacr": "0",
        "name": "Ada Lovelace",
        "oid": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "puid": "10030000A1B2C3D4",
        "scp": "user_impersonation",
        "tid": TENANT,
        "unique_name": "ada@contoso.com",
        "upn": "ada@contoso.com",
        "ver": "1.0"
    })
}

fn claims_with(edit: impl FnOnce(&mut serde_json::Value)) -> Claims {
    let mut v = dataverse_claims();
    edit(&mut v);
    decode_claims(&token(&v)).unwrap()
}

#[test]
fn decodes_a_dataverse_token() {
    let c = decode_claims(&token(&dataverse_claims())).unwrap();
    assert_eq!(c.aud, ENV);
    assert_eq!(c.tid.as_deref(), Some(TENANT));
    assert_eq!(c.scp.as_deref(), Some("user_impersonation"));
    assert!(c.roles.is_empty());
    assert_eq!(c.exp, NOW + 3600);
    assert_eq!(c.iat, Some(NOW - 60));
    assert_eq!(c.user(), Some("ada@contoso.com"));
    assert_eq!(c.client_id(), Some("11111111-2222-3333-4444-555555555555"));
    assert!(c.has_scope("user_impersonation"));
}

#[test]
fn aud_array_takes_first_and_roles_are_read() {
    let c = claims_with(|v| {
        v["aud"] = json!(["https://a.crm.dynamics.com", "https://b"]);
        v["roles"] = json!(["r1", "r2"]);
        v.as_object_mut().unwrap().remove("scp");
    });
    assert_eq!(c.aud, "https://a.crm.dynamics.com");
    assert_eq!(c.roles, ["r1", "r2"]);
    assert_eq!(c.scp, None);
}

#[test]
fn tolerates_bearer_prefix_whitespace_and_padding() {
    let t = token(&dataverse_claims());
    assert!(decode_claims(&format!("Bearer {t}\n")).is_ok());
    let parts: Vec<&str> = t.split('.').collect();
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
    let padded = format!("{}.{}.{}", parts[0], URL_SAFE.encode(&payload), parts[2]);
    assert_eq!(decode_claims(&padded), decode_claims(&t));
}

#[test]
fn decode_errors() {
    let not_json = format!("a.{}.c", URL_SAFE_NO_PAD.encode("not json"));
    let missing_exp = token(&json!({"aud": ENV}));
    type Check = fn(&JwtError) -> bool;
    let table: [(&str, Check); 6] = [
        ("", |e| matches!(e, JwtError::Format { parts: 1 })),
        ("abc.def", |e| matches!(e, JwtError::Format { parts: 2 })),
        ("a.b.c.d.e", |e| *e == JwtError::Encrypted),
        ("a.***.c", |e| matches!(e, JwtError::Base64 { .. })),
        (&not_json, |e| matches!(e, JwtError::Json { .. })),
        (&missing_exp, |e| matches!(e, JwtError::Json { .. })),
    ];
    for (t, check) in table {
        let e = decode_claims(t).expect_err(t);
        assert!(check(&e), "{t}: {e:?}");
        assert!(e.to_string().starts_with(|c: char| c.is_lowercase()));
    }
}

#[test]
fn all_checks_pass_for_a_good_token() {
    let c = claims_with(|_| {});
    let checks = check_claims(&c, ENV, TENANT, NOW);
    let labels: Vec<&str> = checks.iter().map(|c| c.label).collect();
    assert_eq!(labels, ["Audience", "Tenant", "Scope", "Expiry"]);
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
}

#[test]
fn check_table() {
    type Edit = fn(&mut serde_json::Value);
    // (what changes, environment entered, tenant entered, label → expected ok)
    let table: Vec<(&str, Edit, &str, &str, [bool; 4])> = vec![
        ("as issued", |_| {}, ENV, TENANT, [true; 4]),
        (
            "trailing slash on aud",
            |v| v["aud"] = json!("https://contoso.crm.dynamics.com/"),
            ENV,
            TENANT,
            [true; 4],
        ),
        (
            "trailing slash on env",
            |_| {},
            "https://contoso.crm.dynamics.com/",
            TENANT,
            [true; 4],
        ),
        (
            "host case",
            |v| v["aud"] = json!("https://Contoso.CRM.dynamics.com"),
            ENV,
            TENANT,
            [true; 4],
        ),
        (
            "tenant case",
            |_| {},
            ENV,
            "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
            [true; 4],
        ),
        (
            "api host vs app host",
            |v| v["aud"] = json!("https://contoso.api.crm.dynamics.com"),
            ENV,
            TENANT,
            [false, true, true, true],
        ),
        (
            "other env",
            |v| v["aud"] = json!("https://other.crm4.dynamics.com"),
            ENV,
            TENANT,
            [false, true, true, true],
        ),
        (
            "http vs https",
            |v| v["aud"] = json!("http://contoso.crm.dynamics.com"),
            ENV,
            TENANT,
            [false, true, true, true],
        ),
        (
            "graph token",
            |v| v["aud"] = json!("00000003-0000-0000-c000-000000000000"),
            ENV,
            TENANT,
            [false, true, true, true],
        ),
        (
            "other tenant",
            |v| v["tid"] = json!("00000000-0000-0000-0000-000000000001"),
            ENV,
            TENANT,
            [true, false, true, true],
        ),
        (
            "domain tenant not comparable",
            |_| {},
            ENV,
            "contoso.onmicrosoft.com",
            [true; 4],
        ),
        ("organizations", |_| {}, ENV, "organizations", [true; 4]),
        (
            "no tid",
            |v| {
                v.as_object_mut().unwrap().remove("tid");
            },
            ENV,
            TENANT,
            [true, false, true, true],
        ),
        (
            "scope missing",
            |v| v["scp"] = json!("openid profile"),
            ENV,
            TENANT,
            [true, true, false, true],
        ),
        (
            "scope substring only",
            |v| v["scp"] = json!("user_impersonation_x"),
            ENV,
            TENANT,
            [true, true, false, true],
        ),
        (
            "several scopes",
            |v| v["scp"] = json!("openid user_impersonation"),
            ENV,
            TENANT,
            [true; 4],
        ),
        (
            "app-only token",
            |v| {
                v.as_object_mut().unwrap().remove("scp");
                v["roles"] = json!(["x"]);
            },
            ENV,
            TENANT,
            [true, true, false, true],
        ),
        (
            "expired",
            |v| v["exp"] = json!(NOW - 120),
            ENV,
            TENANT,
            [true, true, true, false],
        ),
        (
            "expires now",
            |v| v["exp"] = json!(NOW),
            ENV,
            TENANT,
            [true, true, true, false],
        ),
    ];
    for (name, edit, env, tenant, want) in table {
        let c = claims_with(edit);
        let got: Vec<bool> = check_claims(&c, env, tenant, NOW)
            .iter()
            .map(|c| c.ok)
            .collect();
        assert_eq!(
            got,
            want,
            "{name}: {:?}",
            check_claims(&c, env, tenant, NOW)
        );
    }
}

#[test]
fn details_name_what_was_found() {
    let c = claims_with(|v| {
        v["aud"] = json!("https://other.crm4.dynamics.com");
        v["tid"] = json!("00000000-0000-0000-0000-000000000001");
        v["exp"] = json!(NOW - 600);
    });
    let checks = check_claims(&c, ENV, TENANT, NOW);
    assert!(checks[0].detail.contains("https://other.crm4.dynamics.com"));
    assert!(checks[0].detail.contains(ENV));
    assert!(checks[1]
        .detail
        .contains("00000000-0000-0000-0000-000000000001"));
    assert!(checks[1].detail.contains(TENANT));
    assert!(checks[3].detail.contains("10 min"), "{}", checks[3].detail);
}

#[test]
fn claims_serde_round_trip() {
    let c = claims_with(|_| {});
    let back: Claims = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(c, back);
}

#[test]
fn the_audience_is_compared_as_an_origin() {
    let ok = |aud: &str, env: &str| {
        let c = claims_with(|v| v["aud"] = json!(aud));
        check_claims(&c, env, TENANT, NOW)[0].ok
    };
    // The same origin written differently is the environment.
    assert!(ok("https://contoso.crm.dynamics.com:443", ENV));
    assert!(ok(
        "https://contoso.crm.dynamics.com",
        "https://contoso.crm.dynamics.com:443/"
    ));
    assert!(ok("HTTPS://CONTOSO.crm.dynamics.com/", ENV));
    // An audience with a path or a query is not the environment origin.
    assert!(!ok("https://contoso.crm.dynamics.com/api/data", ENV));
    assert!(!ok("https://contoso.crm.dynamics.com/?x=1", ENV));
    // Another port is another origin.
    assert!(!ok("https://contoso.crm.dynamics.com:8443", ENV));
}

#[test]
fn a_token_for_another_tenant_is_refused_only_when_a_tenant_id_was_entered() {
    let c = claims_with(|_| {});
    let tenant = |entered: &str| check_claims(&c, ENV, entered, NOW)[1].clone();
    // A domain that happens to be as long as a tenant ID is still a domain: not compared.
    let domain = "contoso-europe-sales.onmicrosoft.com";
    assert_eq!(domain.len(), 36);
    let check = tenant(domain);
    assert!(check.ok, "{check:?}");
    assert!(check.detail.contains("not a tenant ID"), "{check:?}");
    // Hex digits alone (no dashes, wrong length) are not a tenant ID either.
    for entered in ["72f988bf", "72f988bf86f141af91ab2d7cd011db47"] {
        let check = tenant(entered);
        assert!(
            check.ok && check.detail.contains("not a tenant ID"),
            "{entered}: {check:?}"
        );
    }
    // A GUID with a dash misplaced is not one.
    let check = tenant("72f988bf8-6f1-41af-91ab-2d7cd011db47");
    assert!(
        check.ok && check.detail.contains("not a tenant ID"),
        "{check:?}"
    );
    // Another tenant ID: refused, naming both.
    let check = tenant("00000000-0000-0000-0000-000000000001");
    assert!(!check.ok);
    assert!(check.detail.contains(TENANT) && check.detail.contains("000000000001"));
}

#[test]
fn the_scope_detail_says_whether_user_impersonation_is_missing() {
    let check = |edit: fn(&mut serde_json::Value)| {
        let c = claims_with(edit);
        check_claims(&c, ENV, TENANT, NOW)[2].clone()
    };
    let present = check(|v| v["scp"] = json!("openid user_impersonation"));
    assert!(present.ok);
    assert_eq!(present.detail, "Scopes: openid user_impersonation.");
    let absent = check(|v| v["scp"] = json!("openid profile"));
    assert!(!absent.ok);
    assert_eq!(
        absent.detail,
        "Scopes: openid profile; user_impersonation is missing."
    );
    let app_only = check(|v| {
        v.as_object_mut().unwrap().remove("scp");
        v["roles"] = json!(["a", "b"]);
    });
    assert!(!app_only.ok);
    assert!(app_only.detail.contains("roles: a, b"), "{app_only:?}");
    let none = check(|v| {
        v.as_object_mut().unwrap().remove("scp");
    });
    assert!(!none.ok);
    assert!(none.detail.contains("no scopes"), "{none:?}");
}

#[test]
fn a_token_for_an_application_id_says_the_wrong_scope_was_asked_for() {
    let c = claims_with(|v| v["aud"] = json!("00000003-0000-0000-c000-000000000000"));
    let check = &check_claims(&c, ENV, TENANT, NOW)[0];
    assert!(!check.ok);
    assert!(check.detail.contains("wrong scope"), "{check:?}");
    let c = claims_with(|v| v["aud"] = json!("https://other.crm4.dynamics.com"));
    let check = &check_claims(&c, ENV, TENANT, NOW)[0];
    assert!(!check.detail.contains("wrong scope"), "{check:?}");
}

#[test]
fn expiry_details_count_whole_minutes_both_ways() {
    let expiry = |exp: i64| {
        let c = claims_with(|v| v["exp"] = json!(exp));
        check_claims(&c, ENV, TENANT, NOW)[3].clone()
    };
    let later = expiry(NOW + 90 * 60 + 30);
    assert!(later.ok);
    assert_eq!(later.detail, "Expires in 90 min.");
    let earlier = expiry(NOW - 125);
    assert!(!earlier.ok);
    assert_eq!(earlier.detail, "Expired 2 min ago.");
}

#[test]
fn user_and_client_fall_back_in_order() {
    let c = claims_with(|v| {
        v["preferred_username"] = json!("ada@v2");
        v["azp"] = json!("azp-id");
    });
    assert_eq!(c.user(), Some("ada@v2"));
    assert_eq!(c.client_id(), Some("11111111-2222-3333-4444-555555555555"));
    let c = claims_with(|v| {
        let o = v.as_object_mut().unwrap();
        o.remove("upn");
        o.remove("appid");
        v["azp"] = json!("azp-id");
    });
    assert_eq!(c.user(), Some("Ada Lovelace"));
    assert_eq!(c.client_id(), Some("azp-id"));
    let c = claims_with(|v| {
        let o = v.as_object_mut().unwrap();
        o.remove("upn");
        o.remove("name");
        o.remove("appid");
    });
    assert_eq!(c.user(), None);
    assert_eq!(c.client_id(), None);
}

#[test]
fn a_granted_scope_is_for_the_environment_when_its_origin_is() {
    let granted = |scope: &str, env: &str| check_granted_scope(Some(scope), env).unwrap().ok;
    // The same origin written with its default port or in capitals is the environment.
    assert!(granted(
        "https://contoso.crm.dynamics.com:443/user_impersonation openid",
        ENV
    ));
    assert!(granted(
        "https://contoso.crm.dynamics.com/user_impersonation",
        "https://contoso.crm.dynamics.com:443/"
    ));
    assert!(granted(
        "HTTPS://CONTOSO.crm.dynamics.com/user_impersonation",
        ENV
    ));
    // Another environment, port or scheme is not.
    for other in [
        "https://other.crm.dynamics.com/user_impersonation",
        "https://contoso.crm.dynamics.com:8443/user_impersonation",
        "http://contoso.crm.dynamics.com/user_impersonation",
    ] {
        let check = check_granted_scope(Some(other), ENV).unwrap();
        assert!(!check.ok, "{other}");
        assert!(check.detail.contains("but not for"), "{check:?}");
    }
}
