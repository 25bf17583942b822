//! Graph's directory writes as a Global Administrator does them ("Create application", "Update
//! application", "Create servicePrincipal", "Create/Update oAuth2PermissionGrant",
//! "application: addPassword"): statuses, bodies, conflicts, replication of creations, the
//! read-merge-write contract of `PATCH`, and what Entra makes of the results (sign-in, consent,
//! client credentials). Also `GET /me/memberOf` and `GET /organization`.

mod common;

use common::*;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

fn new_app_body(name: &str) -> Value {
    json!({
        "displayName": name,
        "signInAudience": "AzureADMyOrg",
        "spa": {"redirectUris": [SPA_REDIRECT]},
        "web": {"redirectUris": ["http://localhost"]},
        "requiredResourceAccess": [{
            "resourceAppId": DYNAMICS,
            "resourceAccess": [{"id": USER_IMPERSONATION, "type": "Scope"}],
        }],
    })
}

/// An app-only token for contoso with `secret`, as a server asks for it.
async fn client_credentials(sb: &Sb, app_id: &str, secret: &str) -> Answer {
    let scope = format!("{}/.default", sb.env("contoso"));
    sb.token(
        &[
            ("grant_type", "client_credentials"),
            ("client_id", app_id),
            ("client_secret", secret),
            ("scope", &scope),
        ],
        None,
    )
    .await
}

async fn wait_for_replication() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

#[tokio::test]
async fn an_admin_registers_an_app_end_to_end() {
    let sb = start().await;
    let alex = sb.setup_token(ALEX).await;
    let g = sb.graph_origin();

    // Create application → 201 with the application; Alex becomes its owner.
    let a = sb
        .graph_call(
            Method::POST,
            "applications",
            &alex,
            Some(new_app_body("Made by Alex")),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(
        a.body["@odata.context"],
        format!("{g}/v1.0/$metadata#applications/$entity")
    );
    let id = guid(&a.body["id"]);
    let app_id = guid(&a.body["appId"]);
    assert_ne!(id, app_id);
    assert_eq!(a.body["displayName"], "Made by Alex");
    assert_eq!(a.body["signInAudience"], "AzureADMyOrg");
    assert_eq!(a.body["spa"]["redirectUris"], json!([SPA_REDIRECT]));
    assert_eq!(a.body["web"]["redirectUris"], json!(["http://localhost"]));
    assert_eq!(a.body["publicClient"]["redirectUris"], json!([]));
    assert_eq!(a.body["passwordCredentials"], json!([]));
    assert_eq!(
        a.body["requiredResourceAccess"][0]["resourceAppId"],
        DYNAMICS
    );
    assert!(a.headers[LOCATION].to_str().unwrap().contains(&id));

    // Replication: reads miss it for a while; a write by ID right away works.
    let by_id = format!("applications/{id}");
    let a = sb.graph_call(Method::GET, &by_id, &alex, None).await;
    assert_graph_code(&a, StatusCode::NOT_FOUND, "Request_ResourceNotFound", None);
    let filter = format!("applications?$filter=appId eq '{app_id}'");
    let a = sb.graph_call(Method::GET, &filter, &alex, None).await;
    assert_eq!(a.body["value"], json!([]));
    let a = sb
        .graph_call(
            Method::PATCH,
            &by_id,
            &alex,
            Some(json!({"displayName": "Made by Alex 2"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert!(a.text.is_empty());

    // A secret: 200 with its text once. Without a service principal: no app-only token.
    let a = sb
        .graph_call(
            Method::POST,
            &format!("{by_id}/addPassword"),
            &alex,
            Some(json!({"passwordCredential": {"displayName": "wizard"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let secret = a.body["secretText"].as_str().unwrap().to_string();
    let a = client_credentials(&sb, &app_id, &secret).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
    assert_eq!(a.body["error"], "invalid_client");
    assert_eq!(a.body["error_codes"], json!([7000229]));

    // Create servicePrincipal → 201; a second one → 409.
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &alex,
            Some(json!({"appId": app_id})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(
        a.body["@odata.context"],
        format!("{g}/v1.0/$metadata#servicePrincipals/$entity")
    );
    let sp = guid(&a.body["id"]);
    assert_eq!(a.body["appId"], app_id);
    assert_eq!(a.body["displayName"], "Made by Alex 2");
    assert_eq!(a.body["servicePrincipalType"], "Application");
    assert_eq!(a.body["accountEnabled"], true);
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &alex,
            Some(json!({"appId": app_id})),
        )
        .await;
    assert_graph_code(
        &a,
        StatusCode::CONFLICT,
        "Request_MultipleObjectsWithSameKeyValue",
        Some(&format!(
            "The service principal cannot be created, updated, or restored because the service \
             principal name {app_id} is already in use."
        )),
    );
    let sps = format!("servicePrincipals?$filter=appId eq '{app_id}'");
    assert_eq!(
        sb.graph_call(Method::GET, &sps, &alex, None).await.body["value"],
        json!([])
    );
    assert_eq!(
        client_credentials(&sb, &app_id, &secret).await.status,
        StatusCode::OK
    );

    // Create oAuth2PermissionGrant (tenant-wide consent to Dynamics CRM) → 201; again → 409.
    let dynamics = sb.dynamics_sp(&alex).await;
    let grant = json!({
        "clientId": sp, "consentType": "AllPrincipals", "resourceId": dynamics,
        "scope": "user_impersonation",
    });
    let a = sb
        .graph_call(
            Method::POST,
            "oauth2PermissionGrants",
            &alex,
            Some(grant.clone()),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(
        a.body["@odata.context"],
        format!("{g}/v1.0/$metadata#oauth2PermissionGrants/$entity")
    );
    let grant_id = a.body["id"].as_str().unwrap().to_string();
    assert_eq!(a.body["clientId"], sp);
    assert_eq!(a.body["consentType"], "AllPrincipals");
    assert_eq!(a.body["principalId"], Value::Null);
    assert_eq!(a.body["resourceId"], dynamics);
    assert_eq!(a.body["scope"], "user_impersonation");
    let a = sb
        .graph_call(Method::POST, "oauth2PermissionGrants", &alex, Some(grant))
        .await;
    assert_graph_code(
        &a,
        StatusCode::CONFLICT,
        "Request_MultipleObjectsWithSameKeyValue",
        Some("Permission entry already exists."),
    );
    let grants = format!("oauth2PermissionGrants?$filter=clientId eq '{sp}'");
    assert_eq!(
        sb.graph_call(Method::GET, &grants, &alex, None).await.body["value"],
        json!([])
    );
    // Update oAuth2PermissionGrant → 204 (a write by ID works before replication).
    let a = sb
        .graph_call(
            Method::PATCH,
            &format!("oauth2PermissionGrants/{grant_id}"),
            &alex,
            Some(json!({"scope": "user_impersonation"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);

    // The grant is admin consent at once: Uma signs in without a consent step.
    sb.sign_in(&app_id, UMA, "contoso").await;

    // Once replicated, every read shows the objects.
    wait_for_replication().await;
    let a = sb.graph_call(Method::GET, &by_id, &alex, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["displayName"], "Made by Alex 2");
    assert_eq!(a.body["passwordCredentials"][0]["hint"], &secret[..3]);
    let a = sb.graph_call(Method::GET, &sps, &alex, None).await;
    assert_eq!(a.body["value"][0]["id"], sp);
    let a = sb.graph_call(Method::GET, &grants, &alex, None).await;
    assert_eq!(a.body["value"][0]["id"], grant_id);
    let a = sb
        .graph_call(
            Method::GET,
            &format!("servicePrincipals/{sp}/oauth2PermissionGrants"),
            &alex,
            None,
        )
        .await;
    assert_eq!(a.body["value"][0]["scope"], "user_impersonation");
}

#[tokio::test]
async fn patch_replaces_each_list_so_callers_read_merge_and_write() {
    let sb = start_with(config_without_lag()).await;
    let alex = sb.setup_token(ALEX).await;
    let path = "applications/bbbbbbbb-0000-4000-8000-000000000024";

    // The bare registration: a name and the SPA redirect only.
    let a = sb.graph_call(Method::GET, path, &alex, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["requiredResourceAccess"], json!([]));
    assert_eq!(a.body["spa"]["redirectUris"], json!([SPA_REDIRECT]));

    // A PATCH with one redirect URI replaces the list: the old one is gone.
    let a = sb
        .graph_call(
            Method::PATCH,
            path,
            &alex,
            Some(json!({"spa": {"redirectUris": ["http://localhost:8080/other"]}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let a = sb.graph_call(Method::GET, path, &alex, None).await;
    assert_eq!(
        a.body["spa"]["redirectUris"],
        json!(["http://localhost:8080/other"])
    );
    // … and Entra sees it: the wizard's redirect is no longer registered (AADSTS50011 page).
    let r = sb
        .authorize_answer(
            &app("24"),
            ALEX,
            &format!("{}/user_impersonation", sb.env("contoso")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("AADSTS50011"), "{}", r.text);

    // Read, merge, write: both redirects, and Dynamics CRM added to the API permissions.
    let a = sb.graph_call(Method::GET, path, &alex, None).await;
    let mut spa: Vec<Value> = a.body["spa"]["redirectUris"].as_array().unwrap().clone();
    spa.push(json!(SPA_REDIRECT));
    let mut rra: Vec<Value> = a.body["requiredResourceAccess"].as_array().unwrap().clone();
    rra.push(json!({"resourceAppId": DYNAMICS,
                    "resourceAccess": [{"id": USER_IMPERSONATION, "type": "Scope"}]}));
    let a = sb
        .graph_call(
            Method::PATCH,
            path,
            &alex,
            Some(json!({"spa": {"redirectUris": spa}, "requiredResourceAccess": rra})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let a = sb.graph_call(Method::GET, path, &alex, None).await;
    assert_eq!(
        a.body["spa"]["redirectUris"],
        json!(["http://localhost:8080/other", SPA_REDIRECT])
    );
    assert_eq!(a.body["requiredResourceAccess"], json!(rra));
    assert_eq!(a.body["web"]["redirectUris"], json!([]), "untouched");

    // Bad values and unknown properties are refused; unknown applications are 404.
    for (body, code) in [
        (
            json!({"spa": {"redirectUris": ["http://example.com/cb"]}}),
            "Request_BadRequest",
        ),
        (
            json!({"requiredResourceAccess": [{"resourceAppId": "x"}]}),
            "Request_BadRequest",
        ),
        (json!({"signInAudience": "Everyone"}), "Request_BadRequest"),
        (json!({"nope": 1}), "BadRequest"),
        (json!([1]), "BadRequest"),
    ] {
        let a = sb.graph_call(Method::PATCH, path, &alex, Some(body)).await;
        assert_graph_code(&a, StatusCode::BAD_REQUEST, code, None);
    }
    let a = sb
        .graph_call(
            Method::PATCH,
            "applications/12345678-0000-0000-0000-000000000000",
            &alex,
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_graph_code(&a, StatusCode::NOT_FOUND, "Request_ResourceNotFound", None);
    let a = sb
        .graph_call(
            Method::POST,
            "applications",
            &alex,
            Some(json!({"web": {}})),
        )
        .await;
    assert_graph_code(
        &a,
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        Some("A value is required for property 'displayName' of resource 'Application'."),
    );
}

#[tokio::test]
async fn member_of_lists_directory_roles_and_organization_the_tenant() {
    let sb = start().await;
    let g = sb.graph_origin();
    for (user, roles) in [
        (
            ALEX,
            vec![(
                "Global Administrator",
                "62e90394-69f5-4237-9190-012177145e10",
            )],
        ),
        (
            DANA,
            vec![(
                "Application Developer",
                "cf1c38e5-3621-4004-a7cb-879624dced7c",
            )],
        ),
        (
            CODY,
            vec![(
                "Cloud Application Administrator",
                "158c047a-c907-4556-b7ef-446551a6b5f7",
            )],
        ),
        (UMA, vec![]),
    ] {
        // The wizard's read token (Application.Read.All Directory.Read.All).
        let t = sb
            .graph_token(&app("01"), user, "contoso", GRAPH_READ)
            .await;
        let a = sb.graph_call(Method::GET, "me/memberOf", &t, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(
            a.body["@odata.context"],
            format!("{g}/v1.0/$metadata#directoryObjects")
        );
        let got: Vec<(String, String)> = a.body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert_eq!(r["@odata.type"], "#microsoft.graph.directoryRole");
                guid(&r["id"]);
                (
                    r["displayName"].as_str().unwrap().to_string(),
                    r["roleTemplateId"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = roles
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, want, "{user}");
    }
    let t = sb
        .graph_token(&app("01"), DANA, "contoso", GRAPH_READ)
        .await;
    let a = sb
        .graph_call(
            Method::GET,
            "me/memberOf?$select=displayName,roleTemplateId",
            &t,
            None,
        )
        .await;
    assert_eq!(
        a.body["value"],
        json!([{"@odata.type": "#microsoft.graph.directoryRole",
                "displayName": "Application Developer",
                "roleTemplateId": "cf1c38e5-3621-4004-a7cb-879624dced7c"}])
    );

    let a = sb
        .graph_call(
            Method::GET,
            "organization?$select=id,displayName,verifiedDomains",
            &t,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({
            "@odata.context": format!("{g}/v1.0/$metadata#organization(id,displayName,verifiedDomains)"),
            "value": [{
                "id": TENANT,
                "displayName": "Contoso (sandbox)",
                "verifiedDomains": [{
                    "capabilities": "Email, OfficeCommunicationsOnline",
                    "isDefault": true,
                    "isInitial": true,
                    "name": "contoso.onmicrosoft.com",
                    "type": "Managed",
                }],
            }],
        })
    );

    // User.Read alone (a plain scope) is enough for both, as Microsoft documents.
    let (_, rt) = sb.sign_in(&app("01"), UMA, "contoso").await;
    let a = sb
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app("01")),
                ("refresh_token", &rt),
                ("scope", "User.Read"),
            ],
            Some(ORIGIN),
        )
        .await;
    let user_read = a.body["access_token"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(Method::GET, "me/memberOf", &user_read, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = sb
        .graph_call(Method::GET, "organization", &user_read, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body["value"][0]["tenantType"],
        Value::Null,
        "User.Read: 3 properties"
    );
    let a = sb.graph_call(Method::GET, "me", &user_read, None).await;
    assert_eq!(a.body["userPrincipalName"], "uma@contoso.onmicrosoft.com");

    // An app-only token has no "me", and no delegated access to the organization.
    let scope = format!("{g}/.default");
    let a = sb
        .token(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &app("01")),
                ("client_secret", "Sbx8Q~sandbox.client.secret.value.000001"),
                ("scope", &scope),
            ],
            None,
        )
        .await;
    let app_only = a.body["access_token"].as_str().unwrap().to_string();
    let a = sb
        .graph_call(Method::GET, "me/memberOf", &app_only, None)
        .await;
    assert_graph_code(&a, StatusCode::BAD_REQUEST, "BadRequest", None);
    assert_denied(
        &sb.graph_call(Method::GET, "organization", &app_only, None)
            .await,
    );
}
