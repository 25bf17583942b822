//! "Set it up for me": every write reads first and merges (Graph's PATCH replaces whole lists),
//! is left out when already right, says who may do it, and the log holds no secret.

use serde_json::{json, Value};
use wizard_core::cloud::Cloud;
use wizard_core::fields::Guid;
use wizard_core::setup::{
    admin_message, consent_action, create_application, create_service_principal, permission_patch,
    redact, redirect_patch, roles_of, step_for_check, user_impersonation_id, ConsentAction,
    DirectoryRole, Progress, StepId, StepState,
};
use wizard_core::verify::{Application, Method, OAuth2PermissionGrant};

const SCOPE_ID: &str = "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4";
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const DYNAMICS: &str = "00000007-0000-0000-c000-000000000000";

fn app(v: Value) -> Application {
    serde_json::from_value(v).expect("an application")
}

fn guid(s: &str) -> Guid {
    Guid::parse(s).expect("a guid")
}

#[test]
fn the_permission_is_added_beside_what_is_there_and_not_twice() {
    let a = app(json!({
        "id": "bbbbbbbb-0000-4000-8000-000000000024",
        "requiredResourceAccess": [
            { "resourceAppId": GRAPH, "resourceAccess": [{ "id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope" }] }
        ]
    }));
    let r = permission_patch(Cloud::Sandbox, &a, SCOPE_ID).expect("needed");
    assert_eq!(r.method, Method::Patch);
    assert_eq!(
        r.url,
        "http://graph.localhost:8081/v1.0/applications/bbbbbbbb-0000-4000-8000-000000000024"
    );
    let list = &r.body.as_ref().expect("a body")["requiredResourceAccess"];
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(list[0]["resourceAppId"], GRAPH);
    assert_eq!(list[1]["resourceAppId"], DYNAMICS);
    assert_eq!(
        list[1]["resourceAccess"][0],
        json!({ "id": SCOPE_ID, "type": "Scope" })
    );

    // Dynamics CRM listed with another permission: this one joins it.
    let other = app(json!({ "id": "x", "requiredResourceAccess": [
        { "resourceAppId": DYNAMICS, "resourceAccess": [{ "id": "aaaa", "type": "Scope" }] }
    ]}));
    let r = permission_patch(Cloud::Public, &other, SCOPE_ID).expect("needed");
    let access = &r.body.as_ref().expect("a body")["requiredResourceAccess"][0]["resourceAccess"];
    assert_eq!(access.as_array().map(Vec::len), Some(2));

    let done = app(json!({ "id": "x", "requiredResourceAccess": [
        { "resourceAppId": DYNAMICS.to_uppercase(), "resourceAccess": [{ "id": SCOPE_ID.to_uppercase(), "type": "Scope" }] }
    ]}));
    assert_eq!(permission_patch(Cloud::Public, &done, SCOPE_ID), None);
}

#[test]
fn redirects_are_merged_never_removed_and_web_only_when_asked() {
    let a = app(json!({
        "id": "x",
        "spa": { "redirectUris": ["https://other.example/cb"] },
        "web": { "redirectUris": ["http://localhost"] }
    }));
    let r = redirect_patch(
        Cloud::Public,
        &a,
        "https://wizard.example/auth/callback",
        None,
    )
    .expect("needed");
    let body = r.body.expect("a body");
    assert_eq!(
        body,
        json!({ "spa": { "redirectUris": ["https://other.example/cb", "https://wizard.example/auth/callback"] } })
    );
    let r = redirect_patch(
        Cloud::Public,
        &a,
        "https://other.example/cb",
        Some("https://www.simego.com/oauth/code"),
    )
    .expect("needed");
    assert_eq!(
        r.body.expect("a body"),
        json!({ "web": { "redirectUris": ["http://localhost", "https://www.simego.com/oauth/code"] } })
    );
    assert_eq!(
        redirect_patch(
            Cloud::Public,
            &a,
            "https://other.example/cb",
            Some("http://localhost")
        ),
        None
    );
    let bare = app(json!({ "id": "x" }));
    let r = redirect_patch(Cloud::Public, &bare, "https://w/cb", Some("https://c/code"))
        .expect("needed");
    assert_eq!(
        r.body.expect("a body"),
        json!({ "spa": { "redirectUris": ["https://w/cb"] }, "web": { "redirectUris": ["https://c/code"] } })
    );
}

#[test]
fn consent_is_created_extended_or_left_alone() {
    let client = guid("cccccccc-0000-4000-8000-000000000024");
    let dynamics = guid("0d0d0d0d-0000-4000-8000-000000000001");
    let grant = |ty: &str, resource: &str, scope: &str| OAuth2PermissionGrant {
        id: Some("g1".into()),
        client_id: client.to_string(),
        consent_type: ty.into(),
        principal_id: None,
        resource_id: resource.into(),
        scope: Some(scope.into()),
    };
    match consent_action(Cloud::Sandbox, &[], client.as_str(), &dynamics) {
        ConsentAction::Create(r) => {
            assert_eq!(r.method, Method::Post);
            assert!(r.url.ends_with("/v1.0/oauth2PermissionGrants"));
            assert_eq!(
                r.body,
                Some(
                    json!({ "clientId": client.to_string(), "consentType": "AllPrincipals", "resourceId": dynamics.to_string(), "scope": "user_impersonation" })
                )
            );
        }
        other => panic!("{other:?}"),
    }
    // A user's own consent is not the tenant's.
    let mine = [grant(
        "Principal",
        &dynamics.to_string(),
        "user_impersonation",
    )];
    assert!(matches!(
        consent_action(Cloud::Sandbox, &mine, client.as_str(), &dynamics),
        ConsentAction::Create(_)
    ));
    let other_scope = [grant(
        "AllPrincipals",
        &dynamics.to_string(),
        "offline_access",
    )];
    match consent_action(Cloud::Sandbox, &other_scope, client.as_str(), &dynamics) {
        ConsentAction::Extend(r) => {
            assert_eq!(r.method, Method::Patch);
            assert!(r.url.ends_with("/v1.0/oauth2PermissionGrants/g1"));
            assert_eq!(
                r.body,
                Some(json!({ "scope": "offline_access user_impersonation" }))
            );
        }
        other => panic!("{other:?}"),
    }
    let done = [grant(
        "AllPrincipals",
        &dynamics.to_string().to_uppercase(),
        "user_impersonation",
    )];
    assert_eq!(
        consent_action(Cloud::Sandbox, &done, client.as_str(), &dynamics),
        ConsentAction::Granted
    );
    let other_api = [grant(
        "AllPrincipals",
        "11111111-0000-4000-8000-000000000000",
        "user_impersonation",
    )];
    assert!(matches!(
        consent_action(Cloud::Sandbox, &other_api, client.as_str(), &dynamics),
        ConsentAction::Create(_)
    ));
}

#[test]
fn the_enterprise_application_is_created_from_the_client_id() {
    let r = create_service_principal(Cloud::Public, &guid("aaaaaaaa-0000-4000-8000-000000000024"));
    assert_eq!(r.display(), "POST https://graph.microsoft.com/v1.0/servicePrincipals\n{\n  \"appId\": \"aaaaaaaa-0000-4000-8000-000000000024\"\n}");
}

#[test]
fn who_may_do_each_step_from_the_directory_roles() {
    let member_of = json!({ "value": [
        { "@odata.type": "#microsoft.graph.group", "id": "g", "displayName": "Sales" },
        { "@odata.type": "#microsoft.graph.directoryRole", "id": "r", "displayName": "Cloud Application Administrator", "roleTemplateId": "158C047A-C907-4556-B7EF-446551A6B5F7" }
    ]});
    let roles = roles_of(&member_of.to_string());
    assert_eq!(roles, vec![DirectoryRole::CloudApplicationAdministrator]);
    assert_eq!(StepId::AdminConsent.seems_allowed(&roles, None), Some(true));
    assert_eq!(
        StepId::EnterpriseApplication.seems_allowed(&roles, None),
        Some(true)
    );
    let none: Vec<DirectoryRole> = roles_of("{\"value\":[]}");
    assert_eq!(StepId::AdminConsent.seems_allowed(&none, None), Some(false));
    // Owners may change their app: the wizard cannot tell.
    assert_eq!(StepId::Redirects.seems_allowed(&none, None), None);
    assert_eq!(
        StepId::ApplicationUser(1).seems_allowed(&none, Some(false)),
        Some(false)
    );
    assert_eq!(
        StepId::ApplicationUser(0).seems_allowed(&none, Some(true)),
        Some(true)
    );
    let dev = [DirectoryRole::ApplicationDeveloper];
    assert_eq!(StepId::AdminConsent.seems_allowed(&dev, None), Some(false));
    assert_eq!(
        StepId::EnterpriseApplication.seems_allowed(&dev, None),
        None
    );
    let pra = [DirectoryRole::PrivilegedRoleAdministrator];
    assert_eq!(StepId::AdminConsent.seems_allowed(&pra, None), Some(true));
    assert!(roles_of("not json").is_empty());
    assert_eq!(
        StepId::AdminConsent.permission().map(|p| p.name()),
        Some("DelegatedPermissionGrant.ReadWrite.All")
    );
    assert_eq!(StepId::ApplicationUser(0).permission(), None);
}

#[test]
fn the_permission_id_is_read_from_dynamics_crm_s_service_principal() {
    let sp = json!({ "id": "d", "oauth2PermissionScopes": [
        { "id": "1", "value": "other" }, { "id": SCOPE_ID, "value": "user_impersonation" }
    ]});
    assert_eq!(
        user_impersonation_id(&sp.to_string()).as_deref(),
        Some(SCOPE_ID)
    );
    assert_eq!(user_impersonation_id("{}"), None);
}

#[test]
fn the_log_never_holds_a_secret_or_a_token() {
    let answer = r#"{"keyId":"k","secretText" : "Abc8Q~very.secret","hint":"Abc","x":{"access_token":"eyJ","refresh_token":"r"}}"#;
    let shown = redact(answer);
    assert!(!shown.contains("very.secret"), "{shown}");
    assert!(!shown.contains("eyJ"));
    assert!(shown.contains(r#""secretText" : "[redacted]""#), "{shown}");
    assert!(shown.contains(r#""hint":"Abc""#));
    assert_eq!(
        redact(r#"{"secretTextLength":"3"}"#),
        r#"{"secretTextLength":"3"}"#
    );
    assert_eq!(redact(r#"{"secretText":5}"#), r#"{"secretText":5}"#);

    let mut p = Progress {
        client_id: "c".into(),
        ..Progress::default()
    };
    assert_eq!(p.state(StepId::ClientSecret), StepState::Planned);
    p.set(StepId::ClientSecret, StepState::Running);
    p.set(StepId::ClientSecret, StepState::Done);
    assert_eq!(p.state(StepId::ClientSecret), StepState::Done);
    assert_eq!(p.steps.len(), 1);
    let r = create_service_principal(
        Cloud::Sandbox,
        &guid("aaaaaaaa-0000-4000-8000-000000000024"),
    );
    p.record("12:00:00", &r, 200, answer);
    assert!(
        p.log[0].starts_with("12:00:00 POST http://graph.localhost:8081/v1.0/servicePrincipals")
    );
    assert!(p.log[0].contains("→ 200"));
    assert!(!p.log[0].contains("very.secret"));
    let json = serde_json::to_string(&p).expect("serialises");
    assert_eq!(serde_json::from_str::<Progress>(&json).expect("reads"), p);
}

#[test]
fn the_administrator_message_names_the_app_the_steps_who_may_and_the_consent_link() {
    let steps = [
        (
            StepId::AdminConsent,
            "Grant admin consent for Dynamics CRM".to_string(),
        ),
        (
            StepId::ApplicationUser(1),
            "Create the application user in Contoso Test".to_string(),
        ),
    ];
    let m = admin_message(
        &steps,
        "Bare (sandbox)",
        "aaaa",
        Some("https://login/adminconsent"),
    );
    assert!(m.contains("the app \"Bare (sandbox)\" (aaaa)"), "{m}");
    assert!(m.contains("- Grant admin consent for Dynamics CRM (can be done by Cloud Application Administrator"), "{m}");
    assert!(m.contains("- Create the application user in Contoso Test (can be done by a System Administrator of the environment)"));
    assert!(m.contains("https://login/adminconsent"));
    let no_consent = admin_message(&steps[1..], "", "aaaa", Some("https://login/adminconsent"));
    assert!(no_consent.contains("the app aaaa"));
    assert!(!no_consent.contains("adminconsent"));
}

#[test]
fn each_fixable_check_has_its_step_and_the_others_none() {
    use wizard_core::verify::CheckId;
    assert_eq!(
        step_for_check(CheckId::RedirectUris, 0),
        Some(StepId::Redirects)
    );
    assert_eq!(
        step_for_check(CheckId::ObjectId, 0),
        Some(StepId::EnterpriseApplication)
    );
    assert_eq!(
        step_for_check(CheckId::ApplicationUser, 2),
        Some(StepId::ApplicationUser(2))
    );
    assert_eq!(
        step_for_check(CheckId::DynamicsPermission, 0),
        Some(StepId::DynamicsPermission)
    );
    assert_eq!(
        step_for_check(CheckId::AdminConsent, 0),
        Some(StepId::AdminConsent)
    );
    assert_eq!(
        step_for_check(CheckId::ClientSecret, 0),
        Some(StepId::ClientSecret)
    );
    assert_eq!(step_for_check(CheckId::SecurityRoles, 0), None);
    assert_eq!(step_for_check(CheckId::AppRegistration, 0), None);
}

#[test]
fn the_app_registration_is_created_single_tenant_with_its_redirects_and_permission() {
    let r = create_application(
        Cloud::Sandbox,
        " ",
        "http://localhost:8080/auth/callback",
        None,
        SCOPE_ID,
    );
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.url, "http://graph.localhost:8081/v1.0/applications");
    assert_eq!(
        r.body,
        Some(json!({
            "displayName": "Simego Data Sync",
            "signInAudience": "AzureADMyOrg",
            "spa": { "redirectUris": ["http://localhost:8080/auth/callback"] },
            "requiredResourceAccess": [{ "resourceAppId": DYNAMICS, "resourceAccess": [{ "id": SCOPE_ID, "type": "Scope" }] }],
        }))
    );
    let r = create_application(
        Cloud::Public,
        "Sync",
        "https://w/cb",
        Some("https://www.simego.com/oauth/code"),
        SCOPE_ID,
    );
    let body = r.body.expect("a body");
    assert_eq!(body["displayName"], "Sync");
    assert_eq!(
        body["web"],
        json!({ "redirectUris": ["https://www.simego.com/oauth/code"] })
    );
}

#[test]
fn the_plan_speaks_in_the_portal_s_words_and_asks_for_exactly_the_write_permissions() {
    assert_eq!(
        StepId::EnterpriseApplication.title(),
        "Create the Enterprise application"
    );
    assert_eq!(
        StepId::DynamicsPermission.title(),
        "Add the Dynamics CRM permission"
    );
    assert_eq!(StepId::Redirects.title(), "Add the redirect URIs");
    assert_eq!(
        StepId::AdminConsent.title(),
        "Grant admin consent for Dynamics CRM"
    );
    assert_eq!(StepId::ClientSecret.title(), "Create a client secret");
    assert_eq!(
        StepId::ApplicationUser(3).title(),
        "Create the application user"
    );
    assert_eq!(
        wizard_core::setup::write_scopes(Cloud::Public),
        "https://graph.microsoft.com/Application.Read.All https://graph.microsoft.com/Directory.Read.All https://graph.microsoft.com/Application.ReadWrite.All https://graph.microsoft.com/DelegatedPermissionGrant.ReadWrite.All"
    );
    let names: Vec<&str> = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::ApplicationAdministrator,
        DirectoryRole::CloudApplicationAdministrator,
        DirectoryRole::ApplicationDeveloper,
        DirectoryRole::PrivilegedRoleAdministrator,
    ]
    .iter()
    .map(|r| r.name())
    .collect();
    assert_eq!(
        names,
        [
            "Global Administrator",
            "Application Administrator",
            "Cloud Application Administrator",
            "Application Developer",
            "Privileged Role Administrator"
        ]
    );
}
