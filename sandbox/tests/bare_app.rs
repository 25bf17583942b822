//! The scenario "Bare app registration" (`aaaaaaaa-…-0024`): only a name and the SPA redirect,
//! no service principal until someone consents at sign-in (Entra creates it then, with the grant:
//! `AllPrincipals` when the admin ticks "on behalf of your organization", else `Principal`).

mod common;

use common::*;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

const BARE_SP: &str = "cccccccc-0000-4000-8000-000000000024";

fn env_scope(sb: &Sb) -> String {
    format!(
        "{}/user_impersonation openid profile offline_access",
        sb.env("contoso")
    )
}

async fn consent(sb: &Sb, user: &str, org: bool) -> Answer {
    let client = app("24");
    let mut form = vec![
        ("client_id", client.clone()),
        ("response_type", "code".into()),
        ("redirect_uri", SPA_REDIRECT.into()),
        ("scope", env_scope(sb)),
        ("code_challenge", challenge(&verifier(&client, user))),
        ("code_challenge_method", "S256".into()),
        ("user", user.into()),
        ("consent", "accept".into()),
    ];
    if org {
        form.push(("consent_org", "on".into()));
    }
    let r = sb
        .client
        .post(sb.entra(&format!("/{TENANT}/oauth2/v2.0/authorize")))
        .form(&form)
        .send()
        .await
        .unwrap();
    answer(r).await
}

#[tokio::test]
async fn the_bare_app_has_nothing_until_an_admin_consents_for_the_organization() {
    let sb = start().await;
    let alex = sb.setup_token(ALEX).await;
    let client = app("24");

    // The registration: a name and the SPA redirect; no permissions, no secret, no SP.
    let a = sb
        .graph_call(
            Method::GET,
            &format!("applications(appId='{client}')"),
            &alex,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["id"], "bbbbbbbb-0000-4000-8000-000000000024");
    assert_eq!(a.body["displayName"], "Bare (sandbox)");
    assert_eq!(a.body["requiredResourceAccess"], json!([]));
    assert_eq!(a.body["passwordCredentials"], json!([]));
    assert_eq!(a.body["spa"]["redirectUris"], json!([SPA_REDIRECT]));
    assert_eq!(a.body["web"]["redirectUris"], json!([]));
    let sps = format!("servicePrincipals?$filter=appId eq '{client}'");
    assert_eq!(
        sb.graph_call(Method::GET, &sps, &alex, None).await.body["value"],
        json!([])
    );
    let a = sb
        .graph_call(
            Method::GET,
            &format!("servicePrincipals/{BARE_SP}"),
            &alex,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // No application user anywhere.
    let (dv, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let a = sb
        .get(&sb.api("contoso", &app_user_query(&client)), &dv)
        .await;
    assert_eq!(a.body["value"], json!([]));

    // Uma cannot consent: AADSTS65001.
    let r = sb.authorize_answer(&client, UMA, &env_scope(&sb)).await;
    let q = query_of(r.headers[LOCATION].to_str().unwrap());
    assert_eq!(q["error"], "consent_required");
    // Alex sees the consent page, and consents for the organization.
    let r = sb.authorize_answer(&client, ALEX, &env_scope(&sb)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Access Dynamics 365 as organization users"));
    let r = consent(&sb, ALEX, true).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    assert!(query_of(r.headers[LOCATION].to_str().unwrap()).contains_key("code"));

    // Entra uses the new grant at once: Uma signs in without consent.
    let (token, _) = sb.sign_in(&client, UMA, "contoso").await;
    assert_eq!(claims(&token)["appid"], client);

    // Graph sees the service principal and the AllPrincipals grant once replicated.
    assert_eq!(
        sb.graph_call(Method::GET, &sps, &alex, None).await.body["value"],
        json!([])
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a = sb.graph_call(Method::GET, &sps, &alex, None).await;
    assert_eq!(a.body["value"][0]["id"], BARE_SP, "{}", a.text);
    assert_eq!(a.body["value"][0]["displayName"], "Bare (sandbox)");
    let dynamics = sb.dynamics_sp(&alex).await;
    let a = sb
        .graph_call(
            Method::GET,
            &format!("servicePrincipals/{BARE_SP}/oauth2PermissionGrants"),
            &alex,
            None,
        )
        .await;
    assert_eq!(
        a.body["value"],
        json!([{"clientId": BARE_SP, "consentType": "AllPrincipals",
                "id": a.body["value"][0]["id"], "principalId": null,
                "resourceId": dynamics, "scope": "user_impersonation"}])
    );
    // Creating the service principal again is a conflict.
    let a = sb
        .graph_call(
            Method::POST,
            "servicePrincipals",
            &alex,
            Some(json!({"appId": client})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);

    // /sandbox/reset: no service principal again.
    sb.reset().await;
    let alex = sb.setup_token(ALEX).await;
    assert_eq!(
        sb.graph_call(Method::GET, &sps, &alex, None).await.body["value"],
        json!([])
    );
}

#[tokio::test]
async fn consent_for_oneself_creates_the_service_principal_and_a_principal_grant() {
    let sb = start_with(config_without_lag()).await;
    let client = app("24");
    let r = consent(&sb, ALEX, false).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    // Alex signs in again without a consent step; Uma still needs an admin.
    sb.sign_in(&client, ALEX, "contoso").await;
    let r = sb.authorize_answer(&client, UMA, &env_scope(&sb)).await;
    let q = query_of(r.headers[LOCATION].to_str().unwrap());
    assert_eq!(q["error"], "consent_required");

    let alex = sb.setup_token(ALEX).await;
    let a = sb
        .graph_call(
            Method::GET,
            &format!("oauth2PermissionGrants?$filter=clientId eq '{BARE_SP}'"),
            &alex,
            None,
        )
        .await;
    let grants = a.body["value"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{}", a.text);
    assert_eq!(grants[0]["consentType"], "Principal");
    assert_eq!(grants[0]["principalId"], ALEX);

    // A secret added by an owner works once the service principal exists.
    let uma = sb.setup_token(UMA).await;
    let a = sb
        .graph_call(
            Method::POST,
            &format!("applications(appId='{client}')/addPassword"),
            &uma,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let secret = a.body["secretText"].as_str().unwrap().to_string();
    // The test hook shows the application with every secret, replicated or not.
    let r = sb
        .client
        .get(sb.entra(&format!("/sandbox/state/applications/{client}")))
        .send()
        .await
        .unwrap();
    let state = answer(r).await;
    assert_eq!(state.status, StatusCode::OK, "{}", state.text);
    assert_eq!(
        state.body["passwordCredentials"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        state.body["passwordCredentials"][0]["secretText"],
        json!(null)
    );
    assert_eq!(state.body["spa"]["redirectUris"], json!([SPA_REDIRECT]));
    let r = sb
        .client
        .get(sb.entra("/sandbox/state/applications/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let scope = format!("{}/.default", sb.env("contoso"));
    let a = sb
        .token(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client),
                ("client_secret", &secret),
                ("scope", &scope),
            ],
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        claims(a.body["access_token"].as_str().unwrap())["oid"],
        BARE_SP
    );
}
