//! `verify`: what the verification panel shows for a verdict (names, symbols, pass/fail) and how
//! a failed Microsoft Graph answer is explained. The checks' own outcomes are in `verify.rs`.

use wizard_core::verify::{self, CheckId, GraphPermission, Outcome, Verdict};

fn reason(v: &Verdict) -> &str {
    match &v.outcome {
        Outcome::NotCheckable { reason } => reason,
        other => panic!("expected not checkable, got {other:?}"),
    }
}

/// The panel lists each check by its own name; two checks never share one.
#[test]
fn every_check_has_its_own_readable_name() {
    assert_eq!(CheckId::AppRegistration.name(), "App registration");
    assert_eq!(CheckId::ClientSecret.name(), "Client secret");
    assert_eq!(CheckId::EnvironmentAccess.name(), "Environment access");
    let mut names: Vec<&str> = CheckId::ALL.iter().map(|c| c.name()).collect();
    assert!(names.iter().all(|n| !n.is_empty()));
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CheckId::ALL.len(), "{names:?}");
}

/// A ✗ or a ? is never counted as passed (the summary would otherwise say all is well).
#[test]
fn only_verified_and_warnings_count_as_passed() {
    let c = CheckId::ObjectId;
    assert!(Verdict::verified(c, "seen").is_ok());
    assert!(Verdict::warning(c, "cause", "seen", "fix").is_ok());
    assert!(!Verdict::wrong(c, "cause", "seen", "fix").is_ok());
    assert!(!Verdict::not_checkable(c, "why").is_ok());
}

/// Each Graph check says which Graph permission it needs; the Dataverse checks need none.
#[test]
fn graph_checks_name_the_permission_they_need() {
    for c in [
        CheckId::AppRegistration,
        CheckId::RedirectUris,
        CheckId::DynamicsPermission,
        CheckId::ObjectId,
        CheckId::ClientSecret,
    ] {
        assert_eq!(
            c.graph_permission(),
            Some(GraphPermission::ApplicationReadAll),
            "{c:?}"
        );
    }
    assert_eq!(
        CheckId::AdminConsent.graph_permission(),
        Some(GraphPermission::DirectoryReadAll)
    );
    for c in CheckId::ALL.into_iter().filter(|c| !c.reads_graph()) {
        assert_eq!(c.graph_permission(), None, "{c:?}");
    }
}

/// A 403 from Graph means a missing permission even when its body is empty or unreadable, and a
/// body saying `Authorization_RequestDenied` means it whatever the status.
#[test]
fn graph_refusal_is_explained_as_a_missing_permission() {
    for (status, body) in [
        (403, ""),
        (403, "<html>Forbidden</html>"),
        (
            400,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges."}}"#,
        ),
    ] {
        let v = verify::graph_failure(CheckId::AppRegistration, status, body);
        assert!(
            reason(&v).contains("Application.Read.All"),
            "{status} {body}: {v:#?}"
        );
    }
}

/// Other Graph errors are shown with Graph's own message and code, and without empty brackets
/// when Graph gave no message.
#[test]
fn graph_errors_show_graphs_own_message_and_code() {
    let v = verify::graph_failure(
        CheckId::DynamicsPermission,
        404,
        r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist."}}"#,
    );
    assert!(
        reason(&v).contains("Graph says: Resource 'x' does not exist. (Request_ResourceNotFound)."),
        "{v:#?}"
    );
    let v = verify::graph_failure(
        CheckId::DynamicsPermission,
        500,
        r#"{"error":{"code":"UnknownError","message":""}}"#,
    );
    assert!(reason(&v).contains("Graph says: UnknownError."), "{v:#?}");
    assert!(!reason(&v).contains("()"), "{v:#?}");
    assert!(reason(&v).contains("HTTP 500"), "{v:#?}");
}

/// A role privilege's depth reads the same whether Dataverse sends its name or its number, so the
/// table-privileges check judges `1` like `Local` and `4` like `RecordFilter`.
#[test]
fn privilege_depths_read_by_name_or_number() {
    use verify::{PrivilegeDepth, UserPrivileges};
    let names = [
        ("Basic", "0", PrivilegeDepth::Basic),
        ("Local", "1", PrivilegeDepth::Local),
        ("Deep", "2", PrivilegeDepth::Deep),
        ("Global", "3", PrivilegeDepth::Global),
        ("RecordFilter", "4", PrivilegeDepth::RecordFilter),
    ];
    for (name, number, want) in names {
        let body = format!(
            r#"{{"RolePrivileges":[{{"Depth":"{name}","PrivilegeName":"prvReadAccount"}},{{"Depth":{number},"PrivilegeName":"prvReadAccount"}}]}}"#
        );
        let p: UserPrivileges = serde_json::from_str(&body).unwrap();
        assert_eq!(p.role_privileges[0].depth, want, "{name}");
        assert_eq!(p.role_privileges[1].depth, want, "{number}");
    }
}

/// A user that is not an application user is named by its access mode as Dataverse names it, so
/// the admin recognises it in the user form.
#[test]
fn an_ordinary_users_access_mode_is_named() {
    for (mode, label) in [
        (0, "Read-Write"),
        (1, "Administrative"),
        (2, "Read"),
        (3, "Support User"),
        (5, "Delegated Admin"),
        (9, "unknown"),
    ] {
        let body = serde_json::json!({ "value": [{
            "systemuserid": "eeeeeeee-0000-4000-8000-000000000005",
            "fullname": "Ann Example",
            "isdisabled": false,
            "accessmode": mode,
            "applicationid": "11111111-2222-3333-4444-555555555555",
            "_businessunitid_value": "dddddddd-0000-4000-8000-000000000004"
        }]})
        .to_string();
        let v = verify::check_application_user(&body, "11111111-2222-3333-4444-555555555555");
        let Outcome::Warning { cause, .. } = &v.outcome else {
            panic!("{mode}: {v:#?}")
        };
        assert!(
            cause.contains(&format!("access mode is {mode} ({label}), not 4")),
            "{cause}"
        );
    }
}

/// When no app registration has the typed Application ID, only the App registration check says
/// ✗; the checks that read the same registration say ? and point at it instead of repeating it.
#[test]
fn a_missing_app_registration_is_one_wrong_not_several() {
    const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
    let none = r#"{"value":[]}"#;
    let v = verify::check_app_registration(none, CLIENT, "");
    assert!(
        matches!(v.outcome, Outcome::Wrong { .. }),
        "app registration: {v:#?}"
    );
    let v = verify::check_redirects(
        none,
        CLIENT,
        "http://localhost:8080",
        wizard_core::fields::GrantType::ClientCredentials,
        None,
    );
    assert!(reason(&v).contains("App registration check"), "{v:#?}");
}

/// A user's own consent to Dynamics CRM without `user_impersonation` is not a consent to it: the
/// check says ✗ (not granted), not ⚠ (only some users consented).
#[test]
fn a_users_consent_without_user_impersonation_does_not_count() {
    let sp = r#"{"id":"cccccccc-0000-4000-8000-000000000003","appId":"00000007-0000-0000-c000-000000000000","displayName":"Dataverse"}"#;
    let grant = |scope: &str| {
        serde_json::json!({
            "clientId": "bbbbbbbb-0000-4000-8000-000000000002",
            "consentType": "Principal",
            "id": "g",
            "principalId": "eeeeeeee-0000-4000-8000-000000000005",
            "resourceId": "cccccccc-0000-4000-8000-000000000003",
            "scope": scope
        })
    };
    let body = serde_json::json!({ "value": [grant("openid")] }).to_string();
    let v = verify::check_admin_consent(&body, sp);
    let Outcome::Wrong { cause, .. } = &v.outcome else {
        panic!("{v:#?}")
    };
    assert!(cause.contains("has not been granted"), "{cause}");
    let body =
        serde_json::json!({ "value": [grant("user_impersonation"), grant("openid")] }).to_string();
    let v = verify::check_admin_consent(&body, sp);
    let Outcome::Warning { cause, .. } = &v.outcome else {
        panic!("{v:#?}")
    };
    assert!(cause.contains("Only 1 user consented"), "{cause}");
}

/// The body the app sends with a fix request is that request's JSON, compact; a GET sends none.
#[test]
fn a_fix_request_sends_its_json_body() {
    use chrono::NaiveDate;
    use wizard_core::cloud::Cloud;
    use wizard_core::fields::Guid;
    use wizard_core::verify::requests;
    let object = Guid::parse("aaaaaaaa-0000-4000-8000-000000000001").unwrap();
    let r = requests::graph_add_password(
        Cloud::Public,
        &object,
        "Simego Data Sync",
        NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
    );
    assert_eq!(
        r.body_text().as_deref(),
        Some(
            r#"{"passwordCredential":{"displayName":"Simego Data Sync","endDateTime":"2026-05-31T00:00:00Z"}}"#
        )
    );
    let client = Guid::parse("11111111-2222-3333-4444-555555555555").unwrap();
    assert_eq!(
        requests::graph_application(Cloud::Public, &client).body_text(),
        None
    );
}

/// A secret is valid on its last day (⚠ expires in 0 days, not ✗ expired) and on its first day
/// (✓, not ⚠ not valid yet).
#[test]
fn a_secret_is_valid_on_its_first_and_last_day() {
    use chrono::NaiveDate;
    use wizard_core::draft::SecretInput;
    const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
    let apps = |start: &str, end: &str| {
        serde_json::json!({ "value": [{
            "id": "aaaaaaaa-0000-4000-8000-000000000001",
            "appId": CLIENT,
            "displayName": "Simego Data Sync",
            "passwordCredentials": [{
                "displayName": "Simego",
                "endDateTime": end,
                "hint": "Q~a",
                "keyId": "f0b0b335-1d71-4883-8f98-567911bfdca6",
                "startDateTime": start
            }]
        }]})
        .to_string()
    };
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let secret = SecretInput::new("Q~aB1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R7s8".into());
    let last_day = verify::check_client_secret(
        &apps("2024-06-01T10:00:00Z", "2025-06-01T10:00:00Z"),
        CLIENT,
        &secret,
        today,
    );
    let Outcome::Warning { cause, .. } = &last_day.verdict.outcome else {
        panic!("{last_day:#?}")
    };
    assert!(cause.contains("expires in 0 days"), "{cause}");
    let first_day = verify::check_client_secret(
        &apps("2025-06-01T10:00:00Z", "2027-06-01T10:00:00Z"),
        CLIENT,
        &secret,
        today,
    );
    assert!(
        matches!(first_day.verdict.outcome, Outcome::Verified { .. }),
        "{first_day:#?}"
    );
}

/// The Graph sign-in runs exactly the six checks that read Microsoft Graph, in the panel's order.
#[test]
fn the_graph_checks_are_the_six_app_registration_checks_in_order() {
    let graph: Vec<CheckId> = CheckId::graph_checks().collect();
    assert_eq!(
        graph,
        [
            CheckId::AppRegistration,
            CheckId::RedirectUris,
            CheckId::DynamicsPermission,
            CheckId::AdminConsent,
            CheckId::ObjectId,
            CheckId::ClientSecret,
        ]
    );
    assert!(graph.iter().all(|c| c.reads_graph()));
}
