//! `diagnose`: every failure → code, title, cause, fix, raw. Uses the recorded Entra ID error
//! bodies in `shared/fixtures/entra/aad_token_error_responses.json` and, for codes not recorded
//! there, bodies written in the same shape with Entra ID's published wording.

use wizard_core::auth::AuthError;
use wizard_core::csdl::CsdlError;
use wizard_core::diagnose::{
    self, auth_error, callback_error, csdl_error, dataverse_error, entra_error, network_error,
    token_claims_mismatch, Diagnosis, Stage,
};
use wizard_core::jwt::ClaimCheck;

mod common;
use common::fixtures_dir;

/// Properties every diagnosis must have.
fn assert_well_formed(d: &Diagnosis) {
    for (what, text) in [
        ("code", &d.code),
        ("title", &d.title),
        ("cause", &d.cause),
        ("fix", &d.fix),
    ] {
        assert!(!text.trim().is_empty(), "empty {what}: {d:#?}");
        for leak in ["{says", "{n}", "{}", "{status}", "{error}"] {
            assert!(!text.contains(leak), "unformatted {leak} in {what}: {d:#?}");
        }
    }
    assert!(!d.raw.is_empty(), "empty raw: {d:#?}");
    assert!(
        d.title.starts_with(|c: char| c.is_uppercase()),
        "title: {}",
        d.title
    );
}

fn entra_body(code: u32, error: &str, description: &str) -> String {
    serde_json::json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description}\r\nTrace ID: 0e3f4c9a-1111-2222-3333-444455556666\r\nCorrelation ID: 9b1c2d3e-1111-2222-3333-444455556666\r\nTimestamp: 2025-01-01 10:00:00Z"
        ),
        "error_codes": [code],
        "timestamp": "2025-01-01 10:00:00Z",
        "trace_id": "0e3f4c9a-1111-2222-3333-444455556666",
        "correlation_id": "9b1c2d3e-1111-2222-3333-444455556666",
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}")
    })
    .to_string()
}

#[test]
fn recorded_entra_bodies() {
    let path = fixtures_dir().join("entra/aad_token_error_responses.json");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let items = file["items"].as_array().unwrap();
    assert!(items.len() >= 7);
    for item in items {
        let code = item["aadsts"].as_u64().unwrap();
        let body = item["body"].as_str().unwrap();
        let status = item["http_status"].as_u64().map_or(400, |s| s as u16);
        let d = entra_error(status, body);
        assert_well_formed(&d);
        assert_eq!(d.code, format!("AADSTS{code}"), "{body}");
        assert_eq!(d.raw, body);
        assert_eq!(
            d.link.as_deref(),
            Some(format!("https://login.microsoftonline.com/error?code={code}").as_str())
        );
        assert!(!d.title.starts_with("Sign-in error"), "generic: {d:#?}");
        let must_mention: &[&str] = match code {
            90002 => &["Tenant ID"],
            7000215 => &["Secret ID", "Value"],
            7000222 => &["expired", "new client secret"],
            500011 => &[
                "https://org541695ce.crm.dynamics.com",
                "encoded twice",
                "Environment URL",
            ],
            700016 => &[
                "my_client_id",
                "tenant_directory",
                "Application (client) ID",
            ],
            _ => &[],
        };
        let text = format!("{} {} {}", d.title, d.cause, d.fix);
        for m in must_mention {
            assert!(
                text.contains(m),
                "AADSTS{code} should mention {m:?}: {d:#?}"
            );
        }
    }
}

#[test]
fn entra_code_table() {
    // (code, error, description as Entra ID words it, code expected, words the explanation needs)
    let table: Vec<(u32, &str, &str, &[&str])> = vec![
        (90002, "invalid_tenant", "Tenant 'contoso.onmicrosoft.co' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", &["contoso.onmicrosoft.co", "Tenant ID"]),
        (700016, "unauthorized_client", "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", &["11111111-2222-3333-4444-555555555555", "Contoso", "Object ID"]),
        (50011, "invalid_request", "The redirect URI 'http://localhost:8080/auth/callback' specified in the request does not match the redirect URIs configured for the application '11111111-2222-3333-4444-555555555555'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.", &["exactly http://localhost:8080/auth/callback", "trailing slash", "Single-page application"]),
        (500011, "invalid_resource", "The resource principal named https://contoso.crm4.dynamics.com was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", &["https://contoso.crm4.dynamics.com", "Environment URL"]),
        (65001, "invalid_grant", "The user or administrator has not consented to use the application with ID '11111111-2222-3333-4444-555555555555' named 'Simego'. Send an interactive authorization request for this user and resource.", &["admin consent", "user_impersonation"]),
        (65004, "access_denied", "User declined to consent to access the app.", &["Consent declined", "accept", "admin consent"]),
        (9002326, "invalid_request", "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: 'http://localhost:8080'.", &["Single-page application", "Web", "spa"]),
        (9002327, "invalid_request", "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.", &["Web", "Single-page application", "Simego"]),
        (7000215, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'.", &["Secret ID", "Value"]),
        (7000222, "invalid_client", "The provided client secret keys for app '11111111-2222-3333-4444-555555555555' are expired.", &["expiry", "new client secret"]),
        (7000218, "invalid_client", "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", &["confidential", "Single-page application"]),
        (700054, "unsupported_response_type", "response_type 'id_token' is not enabled for the application.", &["implicit", "PKCE"]),
        (50020, "invalid_request", "User account 'ada@outlook.com' from identity provider 'live.com' does not exist in tenant 'Contoso' and cannot access the application '11111111-2222-3333-4444-555555555555'(Wizard) in that tenant.", &["another account", "guest", "ada@outlook.com"]),
        (50034, "invalid_grant", "The user account {EmailHidden} does not exist in the contoso.onmicrosoft.com directory. To sign into this application, the account must be added to the directory.", &["tenant", "guest"]),
        (54005, "invalid_grant", "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", &["twice", "again"]),
        (70008, "invalid_grant", "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.", &["10 minutes", "again"]),
        (50148, "invalid_grant", "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.", &["code_verifier", "other tabs"]),
        (501481, "invalid_grant", "The Code_Verifier does not match the code_challenge supplied in the authorization request.", &["code_verifier", "other tabs"]),
        (50194, "invalid_request", "Application '11111111-2222-3333-4444-555555555555'(Wizard) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.", &["tenant"]),
        (650057, "invalid_client", "Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration.", &["Dynamics CRM", "user_impersonation"]),
        (700025, "invalid_client", "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", &["public client"]),
        (53003, "access_denied", "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", &["Conditional Access", "sign-in logs", "compliant device"]),
        // Each code below gets its own advice (words Entra ID's text does not hold), not the
        // generic "look the code up".
        (700082, "invalid_grant", "The refresh token has expired due to inactivity. The token was issued on 2025-01-01T10:00:00Z and was inactive for 90.00:00:00.", &["24 hours", "Sign in again."]),
        (700084, "invalid_grant", "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which can't be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on 2025-01-01T10:00:00Z.", &["24 hours", "Sign in again."]),
        (50076, "interaction_required", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'https://contoso.crm.dynamics.com'.", &["MFA prompt"]),
        (50079, "interaction_required", "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access 'https://contoso.crm.dynamics.com'.", &["MFA prompt"]),
        (50074, "interaction_required", "Strong Authentication is required.", &["MFA prompt"]),
        (50105, "invalid_grant", "Your administrator has configured the application Wizard ('11111111-2222-3333-4444-555555555555') to block users unless they are specifically granted ('assigned') access to the application. The signed in user 'ada@contoso.com' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application.", &["Users and groups", "Assignment required"]),
        (70011, "invalid_scope", "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.", &["{environment}/user_impersonation"]),
        (500113, "invalid_request", "No reply address is registered for the application.", &["Single-page application", "different address"]),
        (50001, "invalid_resource", "The application named https://contoso.crm.dynamics.com was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", &["The resource is disabled or does not exist", "belongs to this tenant"]),
        (50059, "invalid_request", "No tenant-identifying information found in either the request or implied by any provided credentials.", &["instead of common"]),
        (50057, "invalid_grant", "The user account is disabled.", &["working account"]),
        (50053, "invalid_grant", "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password.", &["working account"]),
        (50055, "invalid_grant", "The password is expired.", &["working account"]),
        (50126, "invalid_grant", "Error validating credentials due to invalid username or password.", &["working account"]),
    ];
    for (code, error, description, mentions) in table {
        let body = entra_body(code, error, description);
        let d = entra_error(400, &body);
        assert_well_formed(&d);
        assert_eq!(d.code, format!("AADSTS{code}"));
        assert_eq!(d.raw, body);
        assert!(
            d.link
                .as_deref()
                .is_some_and(|l| l.ends_with(&format!("code={code}"))),
            "{d:#?}"
        );
        assert!(
            !d.title.starts_with("Sign-in error"),
            "generic for {code}: {d:#?}"
        );
        let text = format!("{} {} {}", d.title, d.cause, d.fix);
        for m in mentions {
            assert!(
                text.contains(m),
                "AADSTS{code} should mention {m:?}:\n{d:#?}"
            );
        }
        assert!(!text.contains("Trace ID"), "{d:#?}");

        // The same code in an error redirect gives the same explanation.
        let c = callback_error(error, &format!("AADSTS{code}: {description}"));
        assert_eq!(
            (c.code.as_str(), c.title.as_str()),
            (d.code.as_str(), d.title.as_str())
        );
    }
}

#[test]
fn unknown_aadsts_code_is_generic_but_complete() {
    let body = entra_body(
        4242424,
        "invalid_request",
        "Something nobody has seen before happened.",
    );
    let d = entra_error(400, &body);
    assert_well_formed(&d);
    assert_eq!(d.code, "AADSTS4242424");
    assert_eq!(
        d.link.as_deref(),
        Some("https://login.microsoftonline.com/error?code=4242424")
    );
    assert!(d
        .fix
        .contains("https://login.microsoftonline.com/error?code=4242424"));
    assert!(d
        .cause
        .contains("Something nobody has seen before happened."));
    assert!(!d.cause.contains("Trace ID"));
    assert_eq!(d.raw, body);
    // An error value without advice of its own: the title names the code to look up.
    assert_eq!(d.title, "Sign-in error AADSTS4242424");

    // An unknown code with a known OAuth error keeps that error's explanation.
    let d = entra_error(400, &entra_body(4242425, "invalid_grant", "New wording."));
    assert_eq!(d.code, "AADSTS4242425");
    assert_eq!(d.title, "The sign-in code was rejected");
}

#[test]
fn code_taken_from_description_when_error_codes_missing() {
    let body = r#"{"error":"invalid_request","error_description":"AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type."}"#;
    assert_eq!(entra_error(400, body).code, "AADSTS9002326");
}

#[test]
fn non_json_and_codeless_entra_answers() {
    let html = "<html><body>Bad gateway</body></html>";
    let d = entra_error(502, html);
    assert_well_formed(&d);
    assert_eq!(d.code, "HTTP 502");
    assert_eq!(d.raw, html);
    assert_eq!(d.link, None);

    let d = entra_error(
        400,
        r#"{"error":"invalid_grant","error_description":"Bad code."}"#,
    );
    assert_well_formed(&d);
    assert_eq!(d.code, "invalid_grant");
    assert!(d.cause.contains("Bad code."));
}

#[test]
fn callback_error_table() {
    // (error, description, expected code, words needed)
    let table: [(&str, &str, &str, &[&str]); 7] = [
        ("access_denied", "", "access_denied", &["cancelled", "admin consent"]),
        ("access_denied", "AADSTS65004: User declined to consent to access the app.", "AADSTS65004", &["declined"]),
        ("consent_required", "AADSTS65001: The user or administrator has not consented to use the application.", "AADSTS65001", &["admin consent"]),
        ("consent_required", "", "consent_required", &["admin consent"]),
        ("interaction_required", "", "interaction_required", &["sign-in again"]),
        ("invalid_request", "AADSTS50011: The redirect URI 'https://app.example/cb/' specified in the request does not match the redirect URIs configured for the application 'x'.", "AADSTS50011", &["exactly https://app.example/cb/"]),
        ("weird_error", "", "weird_error", &["weird_error"]),
    ];
    for (error, description, code, mentions) in table {
        let d = callback_error(error, description);
        assert_well_formed(&d);
        assert_eq!(d.code, code, "{error} {description}");
        assert!(d.raw.contains(error));
        let text = format!("{} {} {}", d.title, d.cause, d.fix);
        for m in mentions {
            assert!(text.contains(m), "{error}: {m:?} in {d:#?}");
        }
    }
}

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

#[test]
fn dataverse_table() {
    let www = format!(
        "Bearer error=invalid_token, error_description=\"The access token is expired\", authorization_uri=https://login.microsoftonline.com/{TENANT}/oauth2/authorize, resource_id=https://contoso.crm.dynamics.com/"
    );
    // (status, body, WWW-Authenticate, code, words needed)
    type Row<'a> = (u16, &'a str, Option<&'a str>, &'a str, &'a [&'a str]);
    let table: Vec<Row> = vec![
        (401, "", None, "HTTP 401", &["expired", "Tenant ID"]),
        (
            401,
            "",
            Some(&www),
            "HTTP 401",
            &["The access token is expired", TENANT],
        ),
        (
            403,
            r#"{"error":{"code":"0x80072560","message":"The user is not a member of the organization."}}"#,
            None,
            "HTTP 403 / 0x80072560",
            &[
                "not a member of the organization",
                "Application users",
                "security role",
            ],
        ),
        (
            403,
            r#"{"error":{"code":"0x80095FFC","message":"Access to Dataverse API is restricted for this application Id."}}"#,
            None,
            "HTTP 403 / 0x80095ffc",
            &["restricted", "Application (client) ID"],
        ),
        (
            403,
            r#"{"error":{"code":"0x80040220","message":"Principal user (Id=x, type=8) is missing prvReadAccount privilege."}}"#,
            None,
            "HTTP 403 / 0x80040220",
            &[
                "prvReadAccount",
                "missing a privilege",
                "Edit security roles",
            ],
        ),
        (403, "", None, "HTTP 403", &["security role"]),
        (404, "", None, "HTTP 404", &["/api/data/v9.2/"]),
        (
            404,
            r#"{"error":{"code":"0x8006088a","message":"Resource not found for the segment 'acounts'."}}"#,
            None,
            "HTTP 404 / 0x8006088a",
            &["'acounts'", "case-sensitive"],
        ),
        (429, "", None, "HTTP 429", &["Wait"]),
        (503, "", None, "HTTP 503", &["administration mode"]),
        (
            400,
            r#"{"error":{"code":"0x0","message":"Bad query."}}"#,
            None,
            "HTTP 400 / 0x0",
            &["Bad query."],
        ),
    ];
    for (status, body, header, code, mentions) in table {
        let d = dataverse_error(status, body, header);
        assert!(!d.code.is_empty());
        assert_eq!(d.code, code, "{status} {body}");
        if !body.is_empty() || header.is_some() {
            assert_well_formed(&d);
            assert!(d.raw.contains(body));
        }
        if let Some(h) = header {
            assert!(d.raw.contains(h));
        }
        let text = format!("{} {} {}", d.title, d.cause, d.fix);
        for m in mentions {
            assert!(text.contains(m), "{code}: {m:?} in {d:#?}");
        }
    }
}

#[test]
fn network_errors_by_stage() {
    let table: [(Stage, &str, &[&str]); 4] = [
        (Stage::Discovery, "NETWORK", &["offline"]),
        (
            Stage::Token,
            "CORS",
            &["Single-page application", "v2.0", "secret"],
        ),
        (Stage::Dataverse, "CORS", &["environment URL", "sandbox"]),
        (Stage::Metadata, "CORS", &["$metadata", "sandbox"]),
    ];
    for (stage, code, mentions) in table {
        let d = network_error(stage, "TypeError: Failed to fetch");
        assert_well_formed(&d);
        assert_eq!(d.code, code);
        assert_eq!(d.raw, "TypeError: Failed to fetch");
        let text = format!("{} {} {}", d.title, d.cause, d.fix);
        for m in mentions {
            assert!(text.contains(m), "{stage:?}: {m:?}");
        }
    }
}

#[test]
fn flow_errors() {
    let table = [
        (diagnose::state_mismatch(), "STATE_MISMATCH"),
        (diagnose::no_pending_request(), "NO_PENDING_REQUEST"),
        (diagnose::expired_request(), "REQUEST_EXPIRED"),
        (auth_error(&AuthError::StateMismatch), "STATE_MISMATCH"),
        (
            auth_error(&AuthError::NoPendingRequest),
            "NO_PENDING_REQUEST",
        ),
        (
            auth_error(&AuthError::Expired {
                age_secs: 700,
                limit_secs: 600,
            }),
            "REQUEST_EXPIRED",
        ),
        (auth_error(&AuthError::NoCallback), "NO_CALLBACK"),
        (
            auth_error(&AuthError::InvalidConfig {
                field: "tenant",
                message: "empty".into(),
            }),
            "INVALID_CONFIG",
        ),
        (
            auth_error(&AuthError::Denied {
                error: "access_denied".into(),
                description: "AADSTS65004: User declined to consent to access the app.".into(),
            }),
            "AADSTS65004",
        ),
    ];
    for (d, code) in table {
        assert_well_formed(&d);
        assert_eq!(d.code, code);
    }
}

#[test]
fn csdl_errors() {
    let table = [
        (
            CsdlError::TooLarge {
                bytes: 40_000_000,
                limit: 33_554_432,
            },
            "METADATA_TOO_LARGE",
            "40 MB",
        ),
        (
            CsdlError::NotUtf8 { valid_up_to: 9 },
            "METADATA_ENCODING",
            "UTF-8",
        ),
        (
            CsdlError::Dtd { line: 2, column: 1 },
            "METADATA_DTD",
            "DOCTYPE",
        ),
        (
            CsdlError::Xml {
                message: "unexpected end of stream".into(),
                line: 7,
                column: 3,
            },
            "METADATA_XML",
            "line 7, column 3",
        ),
        (
            CsdlError::NotCsdl {
                found: "<html>".into(),
            },
            "METADATA_NOT_CSDL",
            "<html>",
        ),
        (
            CsdlError::UnsupportedVersion {
                version: "1.0".into(),
            },
            "METADATA_VERSION",
            "version 1.0",
        ),
    ];
    for (e, code, mention) in table {
        let d = csdl_error(&e);
        assert_well_formed(&d);
        assert_eq!(d.code, code);
        assert_eq!(d.raw, e.to_string());
        assert!(d.cause.contains(mention), "{mention:?} in {d:#?}");
    }
}

fn check(label: &'static str, ok: bool) -> ClaimCheck {
    ClaimCheck {
        label,
        ok,
        detail: format!("{label} detail."),
    }
}

#[test]
fn claims_mismatch() {
    let all_ok = [
        check("Audience", true),
        check("Tenant", true),
        check("Scope", true),
        check("Expiry", true),
    ];
    assert_eq!(token_claims_mismatch(&all_ok), None);
    assert_eq!(token_claims_mismatch(&[]), None);
    let table = [
        (
            [false, true, true, true],
            "TOKEN_AUDIENCE",
            "Audience detail.",
        ),
        ([true, false, true, true], "TOKEN_TENANT", "Tenant detail."),
        (
            [true, true, false, true],
            "TOKEN_SCOPE",
            "user_impersonation",
        ),
        ([true, true, true, false], "TOKEN_EXPIRED", "clock"),
        (
            [true, false, false, false],
            "TOKEN_TENANT",
            "Tenant detail.",
        ),
    ];
    for (oks, code, mention) in table {
        let checks: Vec<ClaimCheck> = ["Audience", "Tenant", "Scope", "Expiry"]
            .into_iter()
            .zip(oks)
            .map(|(l, ok)| check(l, ok))
            .collect();
        let d = token_claims_mismatch(&checks).expect("a failure");
        assert_well_formed(&d);
        assert_eq!(d.code, code);
        assert!(
            format!("{} {}", d.cause, d.fix).contains(mention),
            "{mention:?} in {d:#?}"
        );
        for c in &checks {
            assert!(d.raw.contains(&c.detail));
        }
    }
}

#[test]
fn diagnosis_serializes() {
    let d = diagnose::state_mismatch();
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["code"], "STATE_MISMATCH");
    assert!(v.get("link").is_some());
}

#[test]
fn pasted_error_page_text() {
    let text = "Sorry, but we're having trouble signing you in.\n\nAADSTS50011: The redirect URI 'http://localhost:8080/auth/callback' specified in the request does not match the redirect URIs configured for the application '11111111-2222-3333-4444-555555555555'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.";
    let d = diagnose::pasted_error(text).expect("a code");
    assert_well_formed(&d);
    assert_eq!(d.code, "AADSTS50011");
    assert!(d
        .fix
        .contains("exactly http://localhost:8080/auth/callback"));
    assert_eq!(d.raw, text);
    assert_eq!(diagnose::pasted_error("Something went wrong"), None);
    let unknown = diagnose::pasted_error("AADSTS4242: Odd.").unwrap();
    assert_well_formed(&unknown);
    assert_eq!(unknown.code, "AADSTS4242");
}

/// AADSTS500011 with the environment address percent-encoded (once or twice) in the resource name:
/// the wizard says it was encoded and shows the address as it should read.
#[test]
fn an_encoded_environment_in_aadsts500011_is_shown_decoded() {
    for (named, wrong) in [
        (
            "https%3A%2F%2Fcontoso.crm.dynamics.com",
            "https%3A%2F%2Fcontoso.crm.dynamics.com",
        ),
        (
            "https%253A%252F%252Fcontoso.crm.dynamics.com",
            "https%253A%252F%252Fcontoso.crm.dynamics.com",
        ),
    ] {
        let description = format!(
            "The resource principal named {named} was not found in the tenant named Contoso. This \
             can happen if the application has not been installed by the administrator of the \
             tenant or consented to by any user in the tenant."
        );
        let d = entra_error(400, &entra_body(500011, "invalid_resource", &description));
        assert!(d.cause.contains(&format!("named '{wrong}'")), "{d:#?}");
        assert!(d.cause.contains("URL-encoded"), "{d:#?}");
        assert!(
            d.cause
                .contains("It should read 'https://contoso.crm.dynamics.com'."),
            "{d:#?}"
        );
    }
    // A '%' that decodes to nothing else stays as it is (and the decoding ends).
    let description = "The resource principal named https://contoso.crm.dynamics.com/100%25x% was \
                       not found in the tenant named Contoso.";
    let d = entra_error(400, &entra_body(500011, "invalid_resource", description));
    assert!(
        d.cause
            .contains("It should read 'https://contoso.crm.dynamics.com/100%x%'."),
        "{d:#?}"
    );
}

/// The raw answer shown under a Dataverse diagnosis is the body, then the WWW-Authenticate header
/// on its own line; with no body, the header alone (no blank first line).
#[test]
fn the_raw_dataverse_answer_keeps_body_and_challenge_apart() {
    let www = "Bearer error=invalid_token, authorization_uri=https://login.microsoftonline.com/x/oauth2/authorize";
    let body = r#"{"error":{"code":"0x80072560","message":"The user is not a member of the organization."}}"#;
    assert_eq!(
        dataverse_error(401, body, Some(www)).raw,
        format!("{body}\nWWW-Authenticate: {www}")
    );
    assert_eq!(
        dataverse_error(401, "", Some(www)).raw,
        format!("WWW-Authenticate: {www}")
    );
    assert_eq!(dataverse_error(401, body, None).raw, body);
}

/// Dataverse answers that each have their own advice: a disabled user, a 404 that is not about
/// an entity set, and a challenge whose error_description is empty (nothing to quote).
#[test]
fn dataverse_answers_with_their_own_advice() {
    let disabled = dataverse_error(
        403,
        r#"{"error":{"code":"0x80040225","message":"The user with SystemUserId=eeeeeeee-0000-4000-8000-000000000005 is disabled. Disabled users cannot access the system."}}"#,
        None,
    );
    assert_eq!(disabled.title, "The user is disabled in this environment");
    assert!(disabled.fix.contains("enable the user"), "{disabled:#?}");

    let version = dataverse_error(
        404,
        r#"{"error":{"code":"0x80060888","message":"The requested resource 'v9.9' does not exist."}}"#,
        None,
    );
    assert!(
        version
            .cause
            .contains("the environment URL or the API version"),
        "a quoted word alone does not make it an entity set: {version:#?}"
    );
    assert!(!version.cause.contains("Entity set names"), "{version:#?}");

    let www = format!(
        "Bearer error=invalid_token, error_description=\"\", authorization_uri=https://login.microsoftonline.com/{TENANT}/oauth2/authorize"
    );
    let empty = dataverse_error(401, "", Some(&www));
    assert!(!empty.cause.contains("Dataverse says"), "{empty:#?}");
    assert!(empty.cause.contains(TENANT), "{empty:#?}");
}

/// An error redirect without an AADSTS code (a non-Microsoft provider, or Entra ID's terse
/// answers): every standard OAuth `error` value has its own title; others are "Sign-in failed".
#[test]
fn oauth_errors_without_an_aadsts_code() {
    let table = [
        ("access_denied", "Sign-in cancelled or permission declined"),
        (
            "consent_required",
            "Permission not granted yet (consent required)",
        ),
        ("interaction_required", "You need to sign in again"),
        ("login_required", "You need to sign in again"),
        ("invalid_grant", "The sign-in code was rejected"),
        ("invalid_client", "The app's credentials were rejected"),
        ("unauthorized_client", "The app may not sign in this way"),
        ("invalid_scope", "Invalid scope"),
        ("invalid_tenant", "Tenant not found"),
        (
            "invalid_resource",
            "Dataverse environment not found in this tenant",
        ),
        (
            "temporarily_unavailable",
            "The sign-in service had a problem",
        ),
        ("server_error", "The sign-in service had a problem"),
        ("weird_error", "Sign-in failed"),
    ];
    for (error, title) in table {
        let d = callback_error(error, "Plain words, no code.");
        assert_well_formed(&d);
        assert_eq!((d.code.as_str(), d.title.as_str()), (error, title));
        assert!(d.cause.contains("Plain words, no code."), "{d:#?}");
    }
    assert_eq!(callback_error("", "").code, "OAUTH_ERROR");
}

/// A quoted error_description with commas in it is read whole.
#[test]
fn a_challenge_description_with_commas_is_kept_whole() {
    let www = format!(
        "Bearer error=invalid_token, error_description=\"The token is expired, or was issued for another audience\", authorization_uri=https://login.microsoftonline.com/{TENANT}/oauth2/authorize"
    );
    let d = dataverse_error(401, "", Some(&www));
    assert!(
        d.cause
            .contains("The token is expired, or was issued for another audience"),
        "{d:#?}"
    );
    assert!(d.cause.contains(TENANT), "{d:#?}");
}
