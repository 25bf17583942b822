//! The scenario apps added for the strict contracts: a role held only through a team, opaque
//! access tokens ("Access tokens": clients must not read them), and the busy environment.

mod common;

use common::*;
use reqwest::StatusCode;
use sandbox::Config;
use serde_json::json;

fn is_opaque(token: &str) -> bool {
    token.len() == 120
        && !token.contains('.')
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[tokio::test]
async fn opaque_access_tokens_work_but_cannot_be_read() {
    let sb = start().await;
    let client = app("22");
    let a = sb.sign_in_answer(&client, ALEX, "contoso").await;
    let access = a.body["access_token"].as_str().unwrap().to_string();
    assert!(is_opaque(&access), "{access}");
    assert!(a.body["scope"].is_string());
    assert!(a.body["expires_in"].is_u64());
    // The ID token is for the client: still a JWT.
    let id = claims(a.body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], client);

    let who = sb.get(&sb.api("contoso", "WhoAmI"), &access).await;
    assert_eq!(who.status, StatusCode::OK, "{}", who.text);
    assert_eq!(who.body["UserId"], user_id("contoso", ALEX));
    // A token that was never issued.
    let mut forged = access.clone();
    forged.replace_range(0..1, if forged.starts_with('A') { "B" } else { "A" });
    assert_eq!(
        sb.get(&sb.api("contoso", "WhoAmI"), &forged).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Graph tokens from the refresh token are opaque too, and Graph accepts them.
    let rt = a.body["refresh_token"].as_str().unwrap();
    let g = sb
        .graph_token_answer(&client, rt, &["Application.Read.All"])
        .await;
    let graph = g.body["access_token"].as_str().unwrap().to_string();
    assert!(is_opaque(&graph));
    assert!(g.body["scope"].is_string() && g.body["expires_in"].is_u64());
    let reg = sb
        .get(
            &sb.graph(&format!("applications(appId='{client}')")),
            &graph,
        )
        .await;
    assert_eq!(reg.status, StatusCode::OK, "{}", reg.text);
    // The Dataverse token is not for Graph (and the other way round).
    assert_eq!(
        sb.get(&sb.graph("applications"), &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sb.get(&sb.api("contoso", "WhoAmI"), &graph).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A server's client_credentials token is opaque as well.
    let scope = format!("{}/.default", sb.env("contoso"));
    let cc = sb
        .token(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client),
                ("client_secret", "Sbx8Q~sandbox.client.secret.value.000022"),
                ("scope", &scope),
            ],
            None,
        )
        .await;
    let app_token = cc.body["access_token"].as_str().unwrap().to_string();
    assert!(is_opaque(&app_token), "{}", cc.text);
    assert_eq!(
        sb.get(&sb.api("contoso", "WhoAmI"), &app_token).await.body["UserId"],
        user_id("contoso", &client)
    );

    // Other apps still get JWTs; reset forgets the opaque ones.
    let (jwt, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    assert_eq!(jwt.split('.').count(), 3);
    sb.reset().await;
    assert_eq!(
        sb.get(&sb.api("contoso", "WhoAmI"), &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sb.get(&sb.graph("applications"), &graph).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn opaque_tokens_expire_with_their_lifetime() {
    let mut config = Config::builtin();
    config.token_lifetime_secs = 0;
    let sb = start_with(config).await;
    let (access, _) = sb.sign_in(&app("22"), ALEX, "contoso").await;
    assert!(is_opaque(&access));
    assert_eq!(
        sb.get(&sb.api("contoso", "WhoAmI"), &access).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn role_through_a_team() {
    let sb = start().await;
    let (alex, _) = sb.sign_in(&app("21"), ALEX, "contoso").await;
    let row = sb
        .get(&sb.api("contoso", &app_user_query(&app("21"))), &alex)
        .await;
    let row = &row.body["value"][0];
    assert_eq!(row["isdisabled"], false);
    assert_eq!(row["systemuserroles_association"], json!([]));
    assert_eq!(
        row["teammembership_association"][0]["name"],
        "Data Sync team (sandbox)"
    );
    assert_eq!(
        row["teammembership_association"][0]["teamroles_association"][0]["name"],
        "Sync reader (sandbox)"
    );
}

#[tokio::test]
async fn the_new_scenarios_are_configured_as_documented() {
    let config = Config::builtin();
    let tenant = config.tenant(TENANT).unwrap();
    for (nn, scenario, name) in [
        ("21", "Role through a team", "Team role (sandbox)"),
        ("22", "Opaque access tokens", "Opaque tokens (sandbox)"),
        ("23", "Busy environment", "Busy (sandbox)"),
    ] {
        let a = tenant.app(&app(nn)).unwrap();
        assert_eq!(a.scenario.as_deref(), Some(scenario));
        assert_eq!(a.name, name);
        assert!(a.consented && a.dynamics_permission);
        assert_eq!(
            a.graph_permissions,
            ["Application.Read.All", "Directory.Read.All"]
        );
        assert_eq!(
            a.object_id,
            format!("bbbbbbbb-0000-4000-8000-0000000000{nn}")
        );
        assert_eq!(
            a.service_principal_object_id,
            format!("cccccccc-0000-4000-8000-0000000000{nn}")
        );
        assert_eq!(
            a.secrets[0].value,
            format!("Sbx8Q~sandbox.client.secret.value.0000{nn}")
        );
        assert_eq!(
            a.secrets[0].id,
            format!("5ec2e700-0000-4000-8000-0000000000{nn}")
        );
        assert_eq!(a.opaque_access_tokens, nn == "22");
    }
    let busy_app = tenant.app(&app("23")).unwrap();
    assert_eq!(busy_app.graph_page_size, Some(2));
    assert!(busy_app.graph_throttle_lists_once);
    let busy = config.environment("busy").unwrap();
    let contoso = config.environment("contoso").unwrap();
    assert_eq!(busy.tenant, TENANT);
    assert_eq!(busy.members, [ALEX, UMA]);
    assert!(busy.members.iter().all(|m| contoso.members.contains(m)));
    assert_eq!(busy.page_size, Some(2));
    assert!(busy.throttle_lists_once);
    assert_eq!(config.metadata_path(busy), config.metadata_path(contoso));
    let has = |e: &sandbox::config::Environment, c: &str| {
        e.application_users.iter().any(|a| a.client_id() == c)
    };
    assert!(has(busy, &app("23")) && !has(contoso, &app("23")));
    assert!(has(contoso, &app("21")) && has(contoso, &app("22")));
}

#[tokio::test]
async fn the_configuration_refuses_unknown_team_roles_and_grant_resources() {
    let base = r#"
[[tenants]]
id = "11111111-2222-3333-4444-555555555555"
name = "T"
  [[tenants.apps]]
  client_id = "aaaaaaaa-0000-4000-8000-000000000001"
  object_id = "bbbbbbbb-0000-4000-8000-000000000001"
  service_principal_object_id = "cccccccc-0000-4000-8000-000000000001"
  name = "A"
"#;
    let env = |teams: &str| {
        format!(
            "{base}\n[[environments]]\norg = \"e\"\ntenant = \"11111111-2222-3333-4444-555555555555\"\nteams = {teams}\n"
        )
    };
    assert!(Config::from_toml(&env(r#"[{ name = "T", roles = ["Basic User"] }]"#), ".").is_ok());
    let e = Config::from_toml(&env(r#"[{ name = "T", roles = ["Nope"] }]"#), ".").unwrap_err();
    assert!(
        e.to_string().contains("unknown security role 'Nope'"),
        "{e}"
    );
    let grants = base.replace(
        "name = \"A\"",
        "name = \"A\"\n  extra_grants = [{ resource_app_id = \"12345678-0000-0000-0000-000000000000\", scope = \"x\" }]",
    );
    assert!(Config::from_toml(&grants, ".").is_err());
    let paged = base.replace("name = \"A\"", "name = \"A\"\n  graph_page_size = 0");
    assert!(Config::from_toml(&paged, ".").is_err());
}
