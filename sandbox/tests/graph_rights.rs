//! Who may do which Graph write, with a token that holds the permission (the setup app's):
//! Uma (a plain member: registers apps, changes the apps she owns), Dana (Application Developer:
//! also creates the service principal of an app she owns, no consent), Cody (Cloud Application
//! Administrator: any app, service principals, consent); the tenant switch "users can register
//! applications"; and consent at sign-in to the admin-restricted write permissions.

mod common;

use common::*;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::json;

const BARE: &str = "applications/bbbbbbbb-0000-4000-8000-000000000024";

#[tokio::test]
async fn a_member_registers_apps_and_changes_her_own_only() {
    let sb = start_with(config_without_lag()).await;
    let uma = sb.setup_token(UMA).await;
    let alex = sb.setup_token(ALEX).await;

    // Any member may register an app (the tenant's default) and becomes its owner.
    let a = sb
        .graph_call(
            Method::POST,
            "applications",
            &uma,
            Some(json!({"displayName": "Uma's"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let own = format!("applications/{}", a.body["id"].as_str().unwrap());
    let own_app_id = a.body["appId"].as_str().unwrap().to_string();
    assert_eq!(
        a.body["signInAudience"], "AzureADandPersonalMicrosoftAccount",
        "Graph's default"
    );

    // As an owner: PATCH and addPassword, on hers and on the bare app (she is one of its owners).
    for path in [own.as_str(), BARE] {
        let a = sb
            .graph_call(
                Method::PATCH,
                path,
                &uma,
                Some(json!({"web": {"redirectUris": []}})),
            )
            .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{path}: {}", a.text);
        let a = sb
            .graph_call(Method::POST, &format!("{path}/addPassword"), &uma, None)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text);
    }
    // Not an owner of Data Sync: refused.
    let ds = "applications/bbbbbbbb-0000-4000-8000-000000000001";
    let a = sb
        .graph_call(
            Method::PATCH,
            ds,
            &uma,
            Some(json!({"displayName": "mine"})),
        )
        .await;
    assert_denied(&a);
    assert_denied(
        &sb.graph_call(Method::POST, &format!("{ds}/addPassword"), &uma, None)
            .await,
    );

    // No service principal (she is no Application Developer), no consent.
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &uma,
            Some(json!({"appId": own_app_id})),
        )
        .await;
    assert_denied(&a);
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &uma,
            Some(json!({"appId": app("24")})),
        )
        .await;
    assert_denied(&a);
    let dynamics = sb.dynamics_sp(&alex).await;
    let grant = json!({"clientId": "cccccccc-0000-4000-8000-000000000010",
                       "consentType": "AllPrincipals", "resourceId": dynamics, "scope": "x"});
    assert_denied(
        &sb.graph_call(Method::POST, "oauth2PermissionGrants", &uma, Some(grant))
            .await,
    );
    let a = sb
        .graph_call(
            Method::GET,
            "oauth2PermissionGrants?$filter=clientId eq 'cccccccc-0000-4000-8000-000000000010'",
            &alex,
            None,
        )
        .await;
    let id = a.body["value"][0]["id"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(
            Method::PATCH,
            &format!("oauth2PermissionGrants/{id}"),
            &uma,
            Some(json!({"scope": "User.Read"})),
        )
        .await;
    assert_denied(&a);

    // A token without the write permission is refused even for an owner.
    let read = sb
        .graph_token(&app("10"), UMA, "contoso", &["Application.Read.All"])
        .await;
    assert_denied(
        &sb.graph_call(
            Method::PATCH,
            BARE,
            &read,
            Some(json!({"displayName": "x"})),
        )
        .await,
    );
    assert_denied(
        &sb.graph_call(
            Method::POST,
            "applications",
            &read,
            Some(json!({"displayName": "x"})),
        )
        .await,
    );
}

#[tokio::test]
async fn a_developer_creates_the_service_principal_of_her_app_but_cannot_consent() {
    let sb = start_with(config_without_lag()).await;
    let dana = sb.setup_token(DANA).await;
    let uma = sb.setup_token(UMA).await;

    // Dana owns the bare app: she may create its service principal.
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &dana,
            Some(json!({"appId": app("24")})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["id"], "cccccccc-0000-4000-8000-000000000024");
    assert!(a.headers.contains_key(LOCATION));

    // Not an app she owns: refused.
    let a = sb
        .graph_call(
            Method::POST,
            "applications",
            &uma,
            Some(json!({"displayName": "Uma's"})),
        )
        .await;
    let umas = a.body["appId"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &dana,
            Some(json!({"appId": umas})),
        )
        .await;
    assert_denied(&a);
    // An appId that is no application of the tenant: 400.
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &dana,
            Some(json!({"appId": "12345678-0000-0000-0000-000000000000"})),
        )
        .await;
    assert_graph_code(&a, StatusCode::BAD_REQUEST, "Request_BadRequest", None);

    // She may read grants (Application Developer), not make them.
    let dynamics = sb.dynamics_sp(&dana).await;
    let a = sb
        .graph_call(
            Method::GET,
            "servicePrincipals/cccccccc-0000-4000-8000-000000000024/oauth2PermissionGrants",
            &dana,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["value"], json!([]));
    let a = sb
        .graph_call(
            Method::POST,
            "oauth2PermissionGrants",
            &dana,
            Some(json!({"clientId": "cccccccc-0000-4000-8000-000000000024",
                        "consentType": "AllPrincipals", "resourceId": dynamics,
                        "scope": "user_impersonation"})),
        )
        .await;
    assert_denied(&a);
    // Nor change an app she does not own.
    let a = sb
        .graph_call(
            Method::PATCH,
            "applications/bbbbbbbb-0000-4000-8000-000000000001",
            &dana,
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_denied(&a);
}

#[tokio::test]
async fn a_cloud_application_administrator_grants_consent() {
    let sb = start_with(config_without_lag()).await;
    let cody = sb.setup_token(CODY).await;
    let uma = sb.setup_token(UMA).await;

    // Any app: its service principal, its registration.
    let a = sb
        .graph_call(
            Method::POST,
            "applications",
            &uma,
            Some(json!({"displayName": "Uma's",
            "spa": {"redirectUris": [SPA_REDIRECT]}})),
        )
        .await;
    let umas = a.body["appId"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &cody,
            Some(json!({"appId": umas})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let sp = a.body["id"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(
            Method::PATCH,
            "applications/bbbbbbbb-0000-4000-8000-000000000001",
            &cody,
            Some(json!({"displayName": "Data Sync (renamed)"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);

    // Consent for the organization: the grant, then a change of its scope.
    let dynamics = sb.dynamics_sp(&cody).await;
    let a = sb
        .graph_call(
            Method::POST,
            "oauth2PermissionGrants",
            &cody,
            Some(json!({"clientId": sp, "consentType": "AllPrincipals",
                        "resourceId": dynamics, "scope": "user_impersonation"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let id = a.body["id"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(
            Method::PATCH,
            &format!("oauth2PermissionGrants/{id}"),
            &cody,
            Some(json!({"scope": "user_impersonation"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let a = sb
        .graph_call(
            Method::GET,
            &format!("oauth2PermissionGrants/{id}"),
            &cody,
            None,
        )
        .await;
    assert_eq!(a.body["scope"], "user_impersonation");
    // Uma signs in to the new app without being asked.
    sb.sign_in(&umas, UMA, "contoso").await;

    // Bad grants: unknown client, a Principal grant without a user, an unknown grant to change.
    for (body, status) in [
        (
            json!({"clientId": "12345678-0000-0000-0000-000000000000", "consentType": "AllPrincipals",
                "resourceId": dynamics, "scope": "x"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"clientId": sp, "consentType": "Principal", "resourceId": dynamics}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"clientId": sp, "consentType": "Everyone", "resourceId": dynamics}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let a = sb
            .graph_call(Method::POST, "oauth2PermissionGrants", &cody, Some(body))
            .await;
        assert_graph_code(&a, status, "Request_BadRequest", None);
    }
    let a = sb
        .graph_call(
            Method::PATCH,
            "oauth2PermissionGrants/nope",
            &cody,
            Some(json!({"scope": "x"})),
        )
        .await;
    assert_graph_code(&a, StatusCode::NOT_FOUND, "Request_ResourceNotFound", None);
    // A Principal grant for one user is a different grant: allowed once.
    let a = sb
        .graph_call(
            Method::POST,
            "oauth2PermissionGrants",
            &cody,
            Some(
                json!({"clientId": sp, "consentType": "Principal", "principalId": UMA,
                        "resourceId": dynamics, "scope": "user_impersonation"}),
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["principalId"], UMA);
}

#[tokio::test]
async fn registration_can_be_kept_to_developers() {
    let mut config = config_without_lag();
    config.tenants[0].users_can_register_apps = false;
    let sb = start_with(config).await;
    let body = json!({"displayName": "x"});
    let uma = sb.setup_token(UMA).await;
    assert_denied(
        &sb.graph_call(Method::POST, "applications", &uma, Some(body.clone()))
            .await,
    );
    for user in [DANA, CODY, ALEX] {
        let t = sb.setup_token(user).await;
        let a = sb
            .graph_call(Method::POST, "applications", &t, Some(body.clone()))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{user}: {}", a.text);
    }
}

#[tokio::test]
async fn write_permissions_need_an_admins_consent_at_sign_in() {
    let sb = start_with(config_without_lag()).await;
    let graph = sb.graph_origin();
    let scope = format!("{graph}/Application.ReadWrite.All openid profile offline_access");
    // App 0010 has Application.Read.All and Directory.Read.All consented, not the write one.
    let client = app("10");
    for user in [UMA, DANA] {
        let r = sb.authorize_answer(&client, user, &scope).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
        let q = query_of(r.headers[LOCATION].to_str().unwrap());
        assert_eq!(q["error"], "consent_required", "{user}");
        assert!(q["error_description"].starts_with("AADSTS65001:"));
    }
    // A consent admin sees the consent page, with the permission and the organization box.
    for user in [ALEX, CODY] {
        let r = sb.authorize_answer(&client, user, &scope).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("Permissions requested"));
        assert!(r
            .text
            .contains("Read and write all applications (Application.ReadWrite.All)"));
        assert!(r.text.contains("Consent on behalf of your organization"));
    }
    // Alex accepts for himself: his token has it, Uma still cannot get it.
    let accept = |org: bool| {
        let mut extra = vec![("consent", "accept")];
        if org {
            extra.push(("consent_org", "on"));
        }
        extra
    };
    let code = consent(&sb, &client, ALEX, &scope, &accept(false)).await;
    let a = redeem(&sb, &client, ALEX, &code).await;
    let scp = claims(a.body["access_token"].as_str().unwrap())["scp"].clone();
    assert_eq!(
        scp,
        "Application.Read.All Directory.Read.All Application.ReadWrite.All"
    );
    let (_, rt) = sb.sign_in(&client, UMA, "contoso").await;
    let refresh = |rt: String| {
        let client = client.clone();
        let s = format!("{graph}/Application.ReadWrite.All");
        let sb = &sb;
        async move {
            sb.token(
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &client),
                    ("refresh_token", &rt),
                    ("scope", &s),
                ],
                Some(ORIGIN),
            )
            .await
        }
    };
    let a = refresh(rt.clone()).await;
    assert_eq!(a.body["error_codes"], json!([65001]), "{}", a.text);
    // Cody consents for the organization: now Uma gets it too.
    let code = consent(&sb, &client, CODY, &scope, &accept(true)).await;
    redeem(&sb, &client, CODY, &code).await;
    let a = refresh(rt).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let scp = claims(a.body["access_token"].as_str().unwrap())["scp"].clone();
    assert_eq!(
        scp,
        "Application.Read.All Directory.Read.All Application.ReadWrite.All"
    );
    // The grant shows in Graph.
    let alex = sb.setup_token(ALEX).await;
    let a = sb
        .graph_call(
            Method::GET,
            "oauth2PermissionGrants?$filter=clientId eq 'cccccccc-0000-4000-8000-000000000010'",
            &alex,
            None,
        )
        .await;
    let scopes: Vec<(String, String)> = a.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["consentType"].as_str().unwrap().to_string(),
                g["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(scopes.contains(&(
        "AllPrincipals".into(),
        "Application.Read.All Directory.Read.All Application.ReadWrite.All".into()
    )));
    assert!(scopes.contains(&("Principal".into(), "Application.ReadWrite.All".into())));
}

/// Post the consent form for `user` and return the code.
async fn consent(sb: &Sb, client: &str, user: &str, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut form = vec![
        ("client_id", client.to_string()),
        ("response_type", "code".into()),
        ("redirect_uri", SPA_REDIRECT.into()),
        ("scope", scope.into()),
        ("code_challenge", challenge(&verifier(client, user))),
        ("code_challenge_method", "S256".into()),
        ("user", user.into()),
    ];
    form.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let r = sb
        .client
        .post(sb.entra(&format!("/{TENANT}/oauth2/v2.0/authorize")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let a = answer(r).await;
    assert_eq!(a.status, StatusCode::FOUND, "{}", a.text);
    query_of(a.headers[LOCATION].to_str().unwrap())["code"].clone()
}

async fn redeem(sb: &Sb, client: &str, user: &str, code: &str) -> Answer {
    let a = sb
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("client_id", client),
                ("code", code),
                ("redirect_uri", SPA_REDIRECT),
                ("code_verifier", &verifier(client, user)),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a
}
