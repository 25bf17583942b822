//! `verify`: every outcome of every live check, from JSON shaped as Microsoft's docs show it
//! (Graph v1.0 `application`, `servicePrincipal`, `oAuth2PermissionGrant`; Dataverse
//! `systemusers`, `RetrieveUserPrivileges`).

use chrono::NaiveDate;
use serde_json::{json, Value};
use wizard_core::cloud::Cloud;
use wizard_core::draft::SecretInput;
use wizard_core::fields::{ApiVersion, GrantType, Guid};
use wizard_core::verify::{
    self, check_admin_consent, check_app_registration, check_application_user, check_client_secret,
    check_dynamics_permission, check_environment_access, check_object_id, check_redirects,
    check_security_roles, check_table_privileges, requests, CheckId, FixAction, Outcome, Verdict,
};

mod verify_support;
use verify_support::{env, guid, text};

const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
const APP_OBJECT: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const SP: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const DYNAMICS_SP: &str = "cccccccc-0000-4000-8000-000000000003";
const USER_IMP: &str = "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4";
const ORIGIN: &str = "http://localhost:8080";
const CALLBACK: &str = "http://localhost:8080/auth/callback";
const SECRET: &str = "Q~aB1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R7s8";
const KEY_ID: &str = "f0b0b335-1d71-4883-8f98-567911bfdca6";
const BU: &str = "dddddddd-0000-4000-8000-000000000004";
const USER: &str = "eeeeeeee-0000-4000-8000-000000000005";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

/// `GET /v1.0/applications?$filter=appId eq '…'&$select=…` as documented.
fn application() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications(id,appId,displayName,signInAudience,spa,web,requiredResourceAccess,passwordCredentials)",
        "value": [{
            "id": APP_OBJECT,
            "appId": CLIENT,
            "displayName": "Simego Data Sync",
            "signInAudience": "AzureADMyOrg",
            "spa": { "redirectUris": [CALLBACK] },
            "web": {
                "homePageUrl": null,
                "logoutUrl": null,
                "redirectUris": ["http://localhost"],
                "implicitGrantSettings": { "enableAccessTokenIssuance": false, "enableIdTokenIssuance": false }
            },
            "requiredResourceAccess": [
                {
                    "resourceAppId": "00000003-0000-0000-c000-000000000000",
                    "resourceAccess": [{ "id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope" }]
                },
                {
                    "resourceAppId": "00000007-0000-0000-c000-000000000000",
                    "resourceAccess": [{ "id": USER_IMP, "type": "Scope" }]
                }
            ],
            "passwordCredentials": [{
                "customKeyIdentifier": null,
                "displayName": "Simego",
                "endDateTime": "2026-05-31T10:00:00Z",
                "hint": "Q~a",
                "keyId": KEY_ID,
                "secretText": null,
                "startDateTime": "2024-05-31T10:00:00Z"
            }]
        }]
    })
}

fn app_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = application();
    edit(&mut v["value"][0]);
    v.to_string()
}

/// `GET /v1.0/servicePrincipals(appId='00000007-…')?$select=id,appId,displayName,oauth2PermissionScopes`.
fn dynamics_sp() -> String {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,oauth2PermissionScopes)/$entity",
        "id": DYNAMICS_SP,
        "appId": "00000007-0000-0000-c000-000000000000",
        "displayName": "Dataverse",
        "oauth2PermissionScopes": [{
            "adminConsentDescription": "Allows the application to access Common Data Service acting as users in the organization.",
            "adminConsentDisplayName": "Access Common Data Service as organization users",
            "id": USER_IMP,
            "isEnabled": true,
            "type": "User",
            "userConsentDescription": "Allows the application to access Common Data Service as you.",
            "userConsentDisplayName": "Access Common Data Service as you",
            "value": "user_impersonation"
        }]
    })
    .to_string()
}

/// `GET /v1.0/servicePrincipals?$filter=appId eq '…'&$select=id,appId,displayName,accountEnabled`.
fn app_sp(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,accountEnabled)",
        "value": [{ "id": SP, "appId": CLIENT, "displayName": "Simego Data Sync", "accountEnabled": true }]
    });
    edit(&mut v);
    v.to_string()
}

/// `GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants`.
fn grants(list: Vec<Value>) -> String {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants",
        "value": list
    })
    .to_string()
}

fn grant(consent: &str, resource: &str, scope: &str) -> Value {
    json!({
        "clientId": SP,
        "consentType": consent,
        "id": "l5-l5xyz",
        "principalId": if consent == "Principal" { json!(USER) } else { Value::Null },
        "resourceId": resource,
        "scope": scope
    })
}

/// `GET {webapi}systemusers?$filter=applicationid eq …&$select=…&$expand=systemuserroles_association(…)`.
fn systemusers(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = json!({
        "@odata.context": "https://contoso.crm.dynamics.com/api/data/v9.2/$metadata#systemusers(systemuserid,fullname,isdisabled,accessmode,applicationid,azureactivedirectoryobjectid,_businessunitid_value,systemuserroles_association(roleid,name))",
        "value": [{
            "@odata.etag": "W/\"123456\"",
            "systemuserid": USER,
            "fullname": "# Simego Data Sync",
            "isdisabled": false,
            "accessmode": 4,
            "applicationid": CLIENT,
            "azureactivedirectoryobjectid": SP,
            "_businessunitid_value": BU,
            "systemuserroles_association": [
                { "roleid": "99999999-0000-4000-8000-000000000009", "name": "Simego Sync" }
            ]
        }]
    });
    edit(&mut v["value"]);
    v.to_string()
}

/// `GET {webapi}systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(…)`.
fn privileges(list: &[(&str, &str)]) -> String {
    let rows: Vec<Value> = list
        .iter()
        .map(|(name, depth)| {
            json!({
                "Depth": depth,
                "PrivilegeId": "886b280c-6396-4d56-a0a3-2c1b0a50ceb0",
                "BusinessUnitId": BU,
                "PrivilegeName": name
            })
        })
        .collect();
    json!({
        "@odata.context": "https://contoso.crm.dynamics.com/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNamesResponse",
        "RolePrivileges": rows
    })
    .to_string()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum K {
    Ok,
    Warn,
    Wrong,
    No,
}

fn kind(v: &Verdict) -> K {
    match v.outcome {
        Outcome::Verified { .. } => K::Ok,
        Outcome::Warning { .. } => K::Warn,
        Outcome::Wrong { .. } => K::Wrong,
        Outcome::NotCheckable { .. } => K::No,
    }
}

fn expect(v: &Verdict, check: CheckId, want: K, mention: &str) {
    assert_eq!(v.check, check, "{v:#?}");
    assert_eq!(kind(v), want, "{mention}: {v:#?}");
    assert!(text(v).contains(mention), "{mention:?} not in {}", text(v));
}

#[test]
fn app_registration() {
    let c = CheckId::AppRegistration;
    let typed = "Simego Data Sync";
    expect(
        &check_app_registration(&app_with(|_| {}), CLIENT, typed),
        c,
        K::Ok,
        APP_OBJECT,
    );
    expect(
        &check_app_registration(&app_with(|_| {}), CLIENT, ""),
        c,
        K::Ok,
        "Simego Data Sync",
    );
    expect(
        &check_app_registration(&app_with(|_| {}), CLIENT, "Simego"),
        c,
        K::Warn,
        "you typed \u{201c}Simego\u{201d}",
    );
    expect(
        &check_app_registration(
            &app_with(|a| a["signInAudience"] = json!("AzureADMultipleOrgs")),
            CLIENT,
            typed,
        ),
        c,
        K::Warn,
        "AzureADMultipleOrgs",
    );
    let empty = json!({"@odata.context": "x", "value": []}).to_string();
    expect(
        &check_app_registration(&empty, CLIENT, typed),
        c,
        K::Wrong,
        CLIENT,
    );
    let two = {
        let mut v = application();
        let a = v["value"][0].clone();
        v["value"].as_array_mut().unwrap().push(a);
        v.to_string()
    };
    expect(&check_app_registration(&two, CLIENT, typed), c, K::No, "2");
    expect(
        &check_app_registration("<html>", CLIENT, typed),
        c,
        K::No,
        "could not be read",
    );
    // Another app's answer is not taken for this one.
    expect(
        &check_app_registration(
            &app_with(|_| {}),
            "00000000-0000-0000-0000-000000000009",
            typed,
        ),
        c,
        K::Wrong,
        "No app registration",
    );
}

#[test]
fn redirects() {
    let c = CheckId::RedirectUris;
    let cc = GrantType::ClientCredentials;
    let ac = GrantType::AuthorizationCode;
    let ok = app_with(|_| {});
    expect(
        &check_redirects(&ok, CLIENT, ORIGIN, cc, None),
        c,
        K::Ok,
        CALLBACK,
    );
    expect(
        &check_redirects(
            &ok,
            CLIENT,
            "http://localhost:8080/",
            ac,
            Some("http://localhost"),
        ),
        c,
        K::Ok,
        "http://localhost",
    );
    let under_web = app_with(|a| {
        a["spa"]["redirectUris"] = json!([]);
        a["web"]["redirectUris"] = json!(["http://localhost", CALLBACK]);
    });
    let v = check_redirects(&under_web, CLIENT, ORIGIN, cc, None);
    expect(&v, c, K::Wrong, "under Web, not Single-page application");
    expect(&v, c, K::Wrong, "AADSTS9002326");
    let missing = app_with(|a| a["spa"] = Value::Null);
    expect(
        &check_redirects(&missing, CLIENT, ORIGIN, cc, None),
        c,
        K::Wrong,
        "not registered",
    );
    let slash = app_with(|a| a["spa"]["redirectUris"] = json!([format!("{CALLBACK}/")]));
    expect(
        &check_redirects(&slash, CLIENT, ORIGIN, cc, None),
        c,
        K::Wrong,
        "must match exactly",
    );
    // authorization_code: the connector's redirect must be under Web.
    expect(
        &check_redirects(
            &ok,
            CLIENT,
            ORIGIN,
            ac,
            Some("https://www.simego.com/oauth/code"),
        ),
        c,
        K::Wrong,
        "not registered under Web",
    );
    let connector_in_spa = app_with(|a| {
        a["spa"]["redirectUris"] = json!([CALLBACK, "http://localhost"]);
        a["web"]["redirectUris"] = json!([]);
    });
    expect(
        &check_redirects(
            &connector_in_spa,
            CLIENT,
            ORIGIN,
            ac,
            Some("http://localhost"),
        ),
        c,
        K::Wrong,
        "AADSTS9002327",
    );
    expect(
        &check_redirects(&ok, CLIENT, ORIGIN, ac, None),
        c,
        K::Wrong,
        "not entered",
    );
    // client_credentials does not look at the connector's redirect at all.
    expect(
        &check_redirects(&ok, CLIENT, ORIGIN, cc, Some("https://nowhere.example")),
        c,
        K::Ok,
        CALLBACK,
    );
    expect(
        &check_redirects("{", CLIENT, ORIGIN, cc, None),
        c,
        K::No,
        "could not be read",
    );
}

#[test]
fn dynamics_permission() {
    let c = CheckId::DynamicsPermission;
    let sp = dynamics_sp();
    expect(
        &check_dynamics_permission(&app_with(|_| {}), CLIENT, &sp),
        c,
        K::Ok,
        USER_IMP,
    );
    // The id is read from the service principal, never hard-coded: another id is honoured.
    let other = "a42657d6-7f20-40e3-b6f0-cee03008a62a";
    let sp_other = sp.replace(USER_IMP, other);
    expect(
        &check_dynamics_permission(&app_with(|_| {}), CLIENT, &sp_other),
        c,
        K::Wrong,
        "without user_impersonation",
    );
    let no_dyn = app_with(|a| {
        a["requiredResourceAccess"].as_array_mut().unwrap().pop();
    });
    expect(
        &check_dynamics_permission(&no_dyn, CLIENT, &sp),
        c,
        K::Wrong,
        "not under the app's API permissions",
    );
    let as_role =
        app_with(|a| a["requiredResourceAccess"][1]["resourceAccess"][0]["type"] = json!("Role"));
    expect(
        &check_dynamics_permission(&as_role, CLIENT, &sp),
        c,
        K::Wrong,
        "type Role",
    );
    let no_scopes = json!({"id": DYNAMICS_SP, "appId": "00000007-0000-0000-c000-000000000000", "oauth2PermissionScopes": []}).to_string();
    expect(
        &check_dynamics_permission(&app_with(|_| {}), CLIENT, &no_scopes),
        c,
        K::No,
        "user_impersonation",
    );
    // A $filter answer (a list) for the service principal works as well.
    let listed = json!({"value": [serde_json::from_str::<Value>(&sp).unwrap()]}).to_string();
    expect(
        &check_dynamics_permission(&app_with(|_| {}), CLIENT, &listed),
        c,
        K::Ok,
        USER_IMP,
    );
    expect(
        &check_dynamics_permission(&app_with(|_| {}), CLIENT, "{\"value\":[]}"),
        c,
        K::No,
        "no service principal",
    );
    expect(
        &check_dynamics_permission(&app_with(|_| {}), CLIENT, "nope"),
        c,
        K::No,
        "could not be read",
    );
}

#[test]
fn admin_consent() {
    let c = CheckId::AdminConsent;
    let sp = dynamics_sp();
    let graph_sp = "dddddddd-1111-4000-8000-000000000000";
    let cases = [
        (
            vec![grant("AllPrincipals", DYNAMICS_SP, " user_impersonation")],
            K::Ok,
            "for everyone",
        ),
        (
            vec![
                grant("AllPrincipals", graph_sp, "User.Read"),
                grant("AllPrincipals", DYNAMICS_SP, "openid user_impersonation"),
            ],
            K::Ok,
            "user_impersonation",
        ),
        (
            vec![grant("AllPrincipals", DYNAMICS_SP, "openid")],
            K::Wrong,
            "does not include user_impersonation",
        ),
        (
            vec![grant("Principal", DYNAMICS_SP, "user_impersonation")],
            K::Warn,
            "Only 1 user",
        ),
        (
            vec![grant("AllPrincipals", graph_sp, "user_impersonation")],
            K::Wrong,
            "has not been granted",
        ),
        (vec![], K::Wrong, "has not been granted"),
    ];
    for (list, want, mention) in cases {
        expect(&check_admin_consent(&grants(list), &sp), c, want, mention);
    }
    expect(
        &check_admin_consent("[", &sp),
        c,
        K::No,
        "could not be read",
    );
    expect(
        &check_admin_consent(&grants(vec![]), "[]"),
        c,
        K::No,
        "no service principal",
    );
}

#[test]
fn object_id() {
    let c = CheckId::ObjectId;
    let apps = app_with(|_| {});
    let sps = app_sp(|_| {});
    expect(&check_object_id(&sps, &apps, CLIENT, SP), c, K::Ok, SP);
    expect(
        &check_object_id(&sps, &apps, CLIENT, &SP.to_uppercase()),
        c,
        K::Ok,
        SP,
    );
    expect(
        &check_object_id(&sps, &apps, CLIENT, APP_OBJECT),
        c,
        K::Wrong,
        "You typed the app registration's Object ID, not the Enterprise application's",
    );
    expect(
        &check_object_id(&sps, &apps, CLIENT, CLIENT),
        c,
        K::Wrong,
        "Application (client) ID",
    );
    expect(
        &check_object_id(&sps, &apps, CLIENT, USER),
        c,
        K::Wrong,
        &format!("{USER} is not this app's Enterprise application Object ID"),
    );
    expect(
        &check_object_id(&sps, &apps, CLIENT, " "),
        c,
        K::Wrong,
        "not entered",
    );
    let disabled = app_sp(|v| v["value"][0]["accountEnabled"] = json!(false));
    expect(
        &check_object_id(&disabled, &apps, CLIENT, SP),
        c,
        K::Warn,
        "disabled",
    );
    let none = app_sp(|v| v["value"] = json!([]));
    expect(
        &check_object_id(&none, &apps, CLIENT, SP),
        c,
        K::Wrong,
        "AADSTS7000229",
    );
    expect(
        &check_object_id("", &apps, CLIENT, SP),
        c,
        K::No,
        "could not be read",
    );
    // Without the app registration the special case is not named, but the check still works.
    expect(
        &check_object_id(&sps, "", CLIENT, APP_OBJECT),
        c,
        K::Wrong,
        "is not this app's",
    );
}

fn secret(s: &str) -> SecretInput {
    SecretInput::new(s.to_string())
}

#[test]
fn client_secret() {
    let c = CheckId::ClientSecret;
    let apps = app_with(|_| {});
    let r = check_client_secret(&apps, CLIENT, &secret(SECRET), today());
    expect(&r.verdict, c, K::Ok, KEY_ID);
    assert_eq!(r.expires.as_deref(), Some("2026-05-31"));
    assert_eq!(r.key_id.as_deref(), Some(KEY_ID));
    // The secret itself never appears in what the check says.
    assert!(!text(&r.verdict).contains(SECRET));
    assert!(text(&r.verdict).contains("\u{201c}Simego\u{201d}"));
    // A secret added without a description is not shown as empty quotes.
    for name in [json!(null), json!(""), json!("  ")] {
        let unnamed = app_with(|a| a["passwordCredentials"][0]["displayName"] = name);
        let r = check_client_secret(&unnamed, CLIENT, &secret(SECRET), today());
        assert!(
            text(&r.verdict).contains("the secret (Q~a…"),
            "{}",
            text(&r.verdict)
        );
        assert!(!text(&r.verdict).contains("\u{201c}\u{201d}"));
    }

    let expiring =
        |end: &str| app_with(|a| a["passwordCredentials"][0]["endDateTime"] = json!(end));
    let r = check_client_secret(
        &expiring("2025-06-20T00:00:00Z"),
        CLIENT,
        &secret(SECRET),
        today(),
    );
    expect(&r.verdict, c, K::Warn, "expires in 19 days");
    assert_eq!(r.expires.as_deref(), Some("2025-06-20"));
    assert_eq!(r.verdict.action, Some(FixAction::AddSecret));
    let r = check_client_secret(
        &expiring("2025-07-01T00:00:00Z"),
        CLIENT,
        &secret(SECRET),
        today(),
    );
    expect(&r.verdict, c, K::Warn, "expires in 30 days");
    let r = check_client_secret(
        &expiring("2025-07-02T00:00:00Z"),
        CLIENT,
        &secret(SECRET),
        today(),
    );
    expect(&r.verdict, c, K::Ok, "2025-07-02");
    let r = check_client_secret(
        &expiring("2025-05-30T23:59:59.123Z"),
        CLIENT,
        &secret(SECRET),
        today(),
    );
    expect(&r.verdict, c, K::Wrong, "expired 2 days ago");
    assert_eq!(r.expires.as_deref(), Some("2025-05-30"));

    let r = check_client_secret(&apps, CLIENT, &secret(KEY_ID), today());
    expect(
        &r.verdict,
        c,
        K::Wrong,
        "This is the Secret ID, not the Value",
    );
    let r = check_client_secret(&apps, CLIENT, &secret(&KEY_ID.to_uppercase()), today());
    expect(&r.verdict, c, K::Wrong, "Secret ID");
    let r = check_client_secret(
        &apps,
        CLIENT,
        &secret("Zz9-not-this-apps-secret-value-123456"),
        today(),
    );
    expect(&r.verdict, c, K::Wrong, "matches no secret of the app");
    assert_eq!(r.expires, None);

    let two = app_with(|a| {
        let mut other = a["passwordCredentials"][0].clone();
        other["keyId"] = json!("0a0a0a0a-1d71-4883-8f98-567911bfdca6");
        other["displayName"] = json!("old");
        other["endDateTime"] = json!("2025-12-31T00:00:00Z");
        a["passwordCredentials"].as_array_mut().unwrap().push(other);
    });
    let r = check_client_secret(&two, CLIENT, &secret(SECRET), today());
    expect(
        &r.verdict,
        c,
        K::Warn,
        "2 secrets start with the same three characters",
    );
    expect(&r.verdict, c, K::Warn, "\u{201c}old\u{201d}");
    assert_eq!(r.expires, None);

    let none = app_with(|a| a["passwordCredentials"] = json!([]));
    let r = check_client_secret(&none, CLIENT, &secret(SECRET), today());
    expect(&r.verdict, c, K::Wrong, "no client secrets");
    let r = check_client_secret(&apps, CLIENT, &secret("  "), today());
    expect(&r.verdict, c, K::No, "No client secret");
    let future =
        app_with(|a| a["passwordCredentials"][0]["startDateTime"] = json!("2025-06-02T00:00:00Z"));
    let r = check_client_secret(&future, CLIENT, &secret(SECRET), today());
    expect(&r.verdict, c, K::Warn, "not valid yet");
    let r = check_client_secret("{}", CLIENT, &secret(SECRET), today());
    expect(&r.verdict, c, K::No, "could not be read");
}

#[test]
fn application_user() {
    let c = CheckId::ApplicationUser;
    let v = check_application_user(&systemusers(|_| {}), CLIENT);
    expect(&v, c, K::Ok, BU);
    expect(&v, c, K::Ok, "Non-interactive");
    let v = check_application_user(&systemusers(|u| *u = json!([])), CLIENT);
    expect(&v, c, K::Wrong, "Application user missing");
    expect(&v, c, K::Wrong, "Create the application user");
    assert_eq!(v.action, Some(FixAction::CreateApplicationUser));
    expect(
        &check_application_user(&systemusers(|u| u[0]["isdisabled"] = json!(true)), CLIENT),
        c,
        K::Wrong,
        "disabled",
    );
    expect(
        &check_application_user(&systemusers(|u| u[0]["accessmode"] = json!(0)), CLIENT),
        c,
        K::Warn,
        "not 4 (Non-interactive)",
    );
    let two = systemusers(|u| {
        let x = u[0].clone();
        u.as_array_mut().unwrap().push(x);
    });
    expect(&check_application_user(&two, CLIENT), c, K::Warn, "2 users");
    expect(
        &check_application_user("x", CLIENT),
        c,
        K::No,
        "could not be read",
    );
}

#[test]
fn the_privileges_read_are_those_of_the_one_application_user_of_this_app() {
    let id = |body: &str, client: &str| verify::application_user_id(body, client);
    assert_eq!(
        id(&systemusers(|_| {}), &CLIENT.to_uppercase()),
        Some(Guid::parse(USER).unwrap())
    );
    // Another app's user (the filter should have left it out) is not this app's.
    assert_eq!(
        id(&systemusers(|u| u[0]["applicationid"] = json!(SP)), CLIENT),
        None
    );
    // None, two (which one would Data Sync be?), or an unreadable answer: no privileges to read.
    assert_eq!(id(&systemusers(|u| *u = json!([])), CLIENT), None);
    let two = systemusers(|u| {
        let x = u[0].clone();
        u.as_array_mut().unwrap().push(x);
    });
    assert_eq!(id(&two, CLIENT), None);
    assert_eq!(id("<html>", CLIENT), None);
}

#[test]
fn security_roles() {
    let c = CheckId::SecurityRoles;
    expect(
        &check_security_roles(&systemusers(|_| {}), CLIENT),
        c,
        K::Ok,
        "Simego Sync",
    );
    let v = check_security_roles(
        &systemusers(|u| u[0]["systemuserroles_association"] = json!([])),
        CLIENT,
    );
    expect(&v, c, K::Wrong, "no security role");
    assert_eq!(v.action, Some(FixAction::AssignRole));
    expect(
        &check_security_roles(
            &systemusers(|u| {
                u[0]["systemuserroles_association"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"roleid": "12121212-0000-4000-8000-000000000000", "name": "System Administrator"}))
            }),
            CLIENT,
        ),
        c,
        K::Warn,
        "System Administrator",
    );
    expect(
        &check_security_roles(
            &systemusers(|u| {
                u[0].as_object_mut()
                    .unwrap()
                    .remove("systemuserroles_association");
            }),
            CLIENT,
        ),
        c,
        K::No,
        "systemuserroles_association",
    );
    expect(
        &check_security_roles(&systemusers(|u| *u = json!([])), CLIENT),
        c,
        K::No,
        "exactly one",
    );
    expect(
        &check_security_roles("", CLIENT),
        c,
        K::No,
        "could not be read",
    );
}

#[test]
fn environment_access() {
    let c = CheckId::EnvironmentAccess;
    expect(
        &check_environment_access(
            200,
            r#"{"BusinessUnitId":"x","UserId":"y","OrganizationId":"z"}"#,
        ),
        c,
        K::Ok,
        "HTTP 200",
    );
    let restricted = r#"{"error":{"code":"0x80095ffc","message":"Access to Dataverse API is restricted for this application Id"}}"#;
    let v = check_environment_access(403, restricted);
    expect(&v, c, K::Wrong, "Environment restricts this app");
    expect(&v, c, K::Wrong, "0x80095ffc");
    let not_member = r#"{"error":{"code":"0x80072560","message":"The user is not a member of the organization."}}"#;
    expect(
        &check_environment_access(403, not_member),
        c,
        K::Wrong,
        "not a user of this environment",
    );
    expect(&check_environment_access(401, ""), c, K::Wrong, "HTTP 401");
    expect(&check_environment_access(0, ""), c, K::No, "did not answer");
}

#[test]
fn graph_errors_are_not_checkable_and_name_the_permission() {
    let denied = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2025-06-01T10:00:00","request-id":"r","client-request-id":"c"}}}"#;
    let v = verify::graph_failure(CheckId::AdminConsent, 403, denied);
    expect(&v, CheckId::AdminConsent, K::No, "Directory.Read.All");
    expect(&v, CheckId::AdminConsent, K::No, "other checks still run");
    let v = verify::graph_failure(CheckId::AppRegistration, 403, denied);
    expect(&v, CheckId::AppRegistration, K::No, "Application.Read.All");
    let v = verify::graph_failure(CheckId::ObjectId, 401, "");
    expect(&v, CheckId::ObjectId, K::No, "Sign in again");
    let v = verify::graph_failure(
        CheckId::DynamicsPermission,
        404,
        r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource '00000007-0000-0000-c000-000000000000' does not exist."}}"#,
    );
    expect(
        &v,
        CheckId::DynamicsPermission,
        K::No,
        "Request_ResourceNotFound",
    );
    let v = verify::graph_permission_not_consented(CheckId::ClientSecret);
    expect(&v, CheckId::ClientSecret, K::No, "Application.Read.All");
}

#[test]
fn graph_requests_per_cloud() {
    let cases = [
        (Cloud::Public, "https://graph.microsoft.com"),
        (Cloud::UsGov, "https://graph.microsoft.us"),
        (Cloud::UsGovDod, "https://dod-graph.microsoft.us"),
        (Cloud::China, "https://microsoftgraph.chinacloudapi.cn"),
        (Cloud::Sandbox, "http://graph.localhost:8081"),
    ];
    for (cloud, base) in cases {
        let r = requests::graph_application(cloud, &guid(CLIENT));
        assert_eq!(r.method.as_str(), "GET");
        assert_eq!(
            r.url,
            format!("{base}/v1.0/applications?$filter=appId%20eq%20'{CLIENT}'&$select=id,appId,displayName,signInAudience,spa,web,requiredResourceAccess,passwordCredentials")
        );
        assert!(r.display().starts_with(&format!(
            "GET {base}/v1.0/applications?$filter=appId eq '{CLIENT}'&"
        )));
        assert_eq!(r.body, None);
        assert_eq!(
            r.permission.map(|p| p.scope(cloud)),
            Some(format!("{base}/Application.Read.All"))
        );
        assert_eq!(
            requests::graph_read_scopes(cloud),
            format!("{base}/Application.Read.All {base}/Directory.Read.All")
        );
        assert_eq!(
            requests::graph_dynamics_crm_service_principal(cloud).url,
            format!("{base}/v1.0/servicePrincipals(appId='00000007-0000-0000-c000-000000000000')?$select=id,appId,displayName,oauth2PermissionScopes")
        );
        assert_eq!(
            requests::graph_service_principal(cloud, &guid(CLIENT)).display_url(),
            format!("{base}/v1.0/servicePrincipals?$filter=appId eq '{CLIENT}'&$select=id,appId,displayName,accountEnabled")
        );
        let g = requests::graph_permission_grants(cloud, &guid(SP));
        assert_eq!(
            g.url,
            format!("{base}/v1.0/servicePrincipals/{SP}/oauth2PermissionGrants")
        );
        assert_eq!(g.permission.map(|p| p.name()), Some("Directory.Read.All"));
    }
}

#[test]
fn add_password_request_and_answer() {
    let r = requests::graph_add_password(
        Cloud::Public,
        &guid(APP_OBJECT),
        "Simego Data Sync",
        NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
    );
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(
        r.url,
        format!("https://graph.microsoft.com/v1.0/applications/{APP_OBJECT}/addPassword")
    );
    assert_eq!(
        r.body,
        Some(
            json!({"passwordCredential": {"displayName": "Simego Data Sync", "endDateTime": "2026-05-31T00:00:00Z"}})
        )
    );
    assert!(r.headers.contains(&("Content-Type", "application/json")));
    assert_eq!(
        r.permission.map(|p| p.scope(Cloud::UsGov)),
        Some("https://graph.microsoft.us/Application.ReadWrite.All".to_string())
    );
    // The documented answer.
    let answer = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential",
        "customKeyIdentifier": null,
        "displayName": "Simego Data Sync",
        "endDateTime": "2026-05-31T00:00:00Z",
        "hint": "Q~a",
        "keyId": KEY_ID,
        "secretText": SECRET,
        "startDateTime": "2025-06-01T10:00:00Z"
    })
    .to_string();
    let s = verify::parse_add_password(&answer).unwrap();
    assert_eq!(s.secret.expose(), SECRET);
    assert_eq!(s.key_id, KEY_ID);
    assert_eq!(s.expires.as_deref(), Some("2026-05-31"));
    assert!(!format!("{s:?}").contains(SECRET));
    // The new secret then verifies against the app registration that lists it.
    let r = check_client_secret(&app_with(|_| {}), CLIENT, &s.secret, today());
    assert_eq!(kind(&r.verdict), K::Ok);
}

#[test]
fn dataverse_requests() {
    let e = env();
    let v = ApiVersion::V9_2;
    let root = "https://contoso.crm4.dynamics.com/api/data/v9.2/";
    let r = requests::dataverse_application_user(&e, v, &guid(CLIENT));
    assert_eq!(
        r.display_url(),
        format!("{root}systemusers?$filter=applicationid eq {CLIENT}&$select=systemuserid,fullname,isdisabled,accessmode,applicationid,azureactivedirectoryobjectid,_businessunitid_value&$expand=systemuserroles_association($select=roleid,name),teammembership_association($select=teamid,name;$expand=teamroles_association($select=roleid,name))")
    );
    assert!(!r.url.contains(' '));
    assert!(r.headers.contains(&("OData-Version", "4.0")));
    assert_eq!(r.permission, None);
    assert_eq!(
        requests::dataverse_who_am_i(&e, v).url,
        format!("{root}WhoAmI")
    );
    let create = requests::dataverse_create_application_user(&e, v, &guid(CLIENT), &guid(BU));
    assert_eq!(create.method.as_str(), "POST");
    assert_eq!(create.url, format!("{root}systemusers"));
    assert_eq!(
        create.body,
        Some(
            json!({"applicationid": CLIENT, "accessmode": 4, "isdisabled": false, "businessunitid@odata.bind": format!("/businessunits({BU})")})
        )
    );
    let role = "99999999-0000-4000-8000-000000000009";
    let assign = requests::dataverse_assign_role(&e, v, &guid(USER), &guid(role));
    assert_eq!(
        assign.url,
        format!("{root}systemusers({USER})/systemuserroles_association/$ref")
    );
    assert_eq!(
        assign.body,
        Some(json!({"@odata.id": format!("{root}roles({role})")}))
    );
    assert!(assign.display().contains("\"@odata.id\""));
    assert_eq!(
        requests::dataverse_role_by_name(&e, v, "Basic User", &guid(BU)).display_url(),
        format!("{root}roles?$filter=name eq 'Basic User' and _businessunitid_value eq {BU}&$select=roleid,name,_businessunitid_value")
    );
    assert!(
        requests::dataverse_role_by_name(&e, v, "O'Brien", &guid(BU))
            .url
            .contains("'O''Brien'")
    );
}

#[test]
fn every_check_has_tests_for_its_step() {
    // One verdict per check from the happy path, in CheckId::ALL order.
    let apps = app_with(|_| {});
    let users = systemusers(|_| {});
    let verdicts = [
        check_app_registration(&apps, CLIENT, ""),
        check_redirects(&apps, CLIENT, ORIGIN, GrantType::ClientCredentials, None),
        check_dynamics_permission(&apps, CLIENT, &dynamics_sp()),
        check_admin_consent(
            &grants(vec![grant(
                "AllPrincipals",
                DYNAMICS_SP,
                "user_impersonation",
            )]),
            &dynamics_sp(),
        ),
        check_object_id(&app_sp(|_| {}), &apps, CLIENT, SP),
        check_client_secret(&apps, CLIENT, &secret(SECRET), today()).verdict,
        check_application_user(&users, CLIENT),
        check_security_roles(&users, CLIENT),
        check_table_privileges(
            &verify::TableAccess {
                logical_name: "account".into(),
                entity_set: "accounts".into(),
                needed: vec![("Read", "prvReadAccount".into())],
            },
            &privileges(&[("prvReadAccount", "Global")]),
        ),
        check_environment_access(204, ""),
    ];
    let ids: Vec<CheckId> = verdicts.iter().map(|v| v.check).collect();
    assert_eq!(ids, CheckId::ALL);
    for v in &verdicts {
        assert_eq!(kind(v), K::Ok, "{v:#?}");
        assert_eq!(v.symbol(), "\u{2713}");
        assert!(v.is_ok());
    }
}
