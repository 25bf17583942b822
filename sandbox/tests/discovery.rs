//! The Global Discovery Service on `globaldisco.localhost` over real HTTP: the two-slash scope and
//! its audience, the Instances of the signed-in user, the refusals (one-slash audience, Dataverse
//! token, no token, expired), CORS, consent for discovery by code and refresh token, and the two
//! environments discovery adds (contosotest works like contoso; archive is disabled).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::Config;
use serde_json::Value;

const DATA_SYNC: &str = "aaaaaaaa-0000-4000-8000-000000000001";

/// `{base}//user_impersonation openid profile offline_access`: the scope the wizard signs in with.
fn disco_scope(sb: &Sb) -> String {
    format!(
        "{}//user_impersonation openid profile offline_access",
        sb.disco()
    )
}

/// A discovery token (and the refresh token) of `client` signed in as `user`.
async fn disco_sign_in(sb: &Sb, client: &str, user: &str) -> (String, String) {
    let a = sb
        .sign_in_scope_answer(client, user, &disco_scope(sb))
        .await;
    (
        a.body["access_token"].as_str().unwrap().to_string(),
        a.body["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// The refresh-token exchange of `client` for `scope`.
async fn refresh(sb: &Sb, client: &str, rt: &str, scope: &str) -> Answer {
    sb.token(
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", rt),
            ("scope", scope),
        ],
        Some(ORIGIN),
    )
    .await
}

fn instances(a: &Answer) -> Vec<Value> {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["value"].as_array().unwrap().clone()
}

fn field(list: &[Value], name: &str) -> Vec<Value> {
    list.iter().map(|i| i[name].clone()).collect()
}

fn www_authenticate(a: &Answer) -> &str {
    a.headers["www-authenticate"].to_str().unwrap()
}

#[tokio::test]
async fn alex_lists_the_environments_he_is_a_member_of() {
    let sb = start().await;
    let a = sb
        .sign_in_scope_answer(DATA_SYNC, ALEX, &disco_scope(&sb))
        .await;
    let token = a.body["access_token"].as_str().unwrap();
    let audience = format!("{}/", sb.disco());
    assert_eq!(claims(token)["aud"], audience.as_str());
    assert_eq!(claims(token)["scp"], "user_impersonation");
    assert_eq!(
        a.body["scope"],
        format!("{}//user_impersonation", sb.disco()).as_str()
    );

    let a = sb
        .get(&sb.disco_api("Instances?$select=FriendlyName,Url"), token)
        .await;
    assert_eq!(
        a.headers["content-type"],
        "application/json; odata.metadata=minimal"
    );
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    assert!(
        a.text.starts_with(&format!(
            r#"{{"@odata.context":"{}/api/discovery/v2.0/$metadata#Instances","value":["#,
            sb.disco()
        )),
        "{}",
        a.text
    );
    let list = instances(&a);
    let orgs = [
        "contoso",
        "contosotest",
        "restricted",
        "slow",
        "busy",
        "archive",
    ];
    assert_eq!(field(&list, "UrlName"), orgs.map(Value::from));
    assert_eq!(
        field(&list, "FriendlyName"),
        [
            "Contoso",
            "Contoso Test",
            "Restricted",
            "Slow",
            "Busy",
            "Contoso Archive"
        ]
        .map(Value::from)
    );
    assert_eq!(field(&list, "State"), [0, 0, 0, 0, 0, 1].map(Value::from));
    assert_eq!(field(&list, "IsUserSysAdmin"), [true; 6].map(Value::from));
    for (i, org) in list.iter().zip(orgs) {
        assert_eq!(i["Url"], sb.env(org).as_str());
        assert_eq!(i["ApiUrl"], sb.env(org).as_str());
        assert_eq!(i["TenantId"], TENANT);
    }

    let contoso = &list[0];
    println!("contoso Instance for Alex: {contoso}");
    assert_eq!(contoso["Id"], "eeeeeeee-0000-4000-8000-000000000001");
    assert_eq!(contoso["UniqueName"], "unqeeeeeeee000040008000000000000001");
    assert_eq!(contoso["Region"], "NA");
    assert_eq!(contoso["OrganizationType"], 0);
    assert_eq!(contoso["SchemaType"], Value::Null);
    assert_eq!(contoso["Purpose"], Value::Null);
    assert_eq!(contoso["TrialExpirationDate"], Value::Null);
    assert!(contoso["Version"].as_str().unwrap().starts_with("9.2."));
    assert!(chrono::DateTime::parse_from_rfc3339(contoso["LastUpdated"].as_str().unwrap()).is_ok());
    assert_eq!(list[1]["Id"], "eeeeeeee-0000-4000-8000-000000000007");
    assert_eq!(list[1]["Purpose"], "Testing");
    let env_ids = field(&list, "EnvironmentId");
    assert!(env_ids
        .iter()
        .all(|e| uuid::Uuid::parse_str(e.as_str().unwrap()).is_ok()));
    assert_ne!(env_ids[0], env_ids[1]);
    assert_eq!(list[0]["DatacenterId"], list[1]["DatacenterId"]);

    // The same Instance by Id and by UniqueName.
    for key in [
        "eeeeeeee-0000-4000-8000-000000000001".to_string(),
        "UniqueName='unqeeeeeeee000040008000000000000001'".to_string(),
    ] {
        let a = sb
            .get(&sb.disco_api(&format!("Instances({key})")), token)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.text.contains("$metadata#Instances/$entity"), "{}", a.text);
        assert_eq!(a.body["UrlName"], "contoso");
    }
    // Fabrikam's organization: Alex is not a member, so discovery does not know it for him.
    let a = sb
        .get(
            &sb.disco_api("Instances(eeeeeeee-0000-4000-8000-000000000002)"),
            token,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);

    // Uma is a member of the same environments, System Administrator in none.
    let (uma, _) = disco_sign_in(&sb, DATA_SYNC, UMA).await;
    let list = instances(&sb.get(&sb.disco_api("Instances"), &uma).await);
    assert_eq!(field(&list, "UrlName"), orgs.map(Value::from));
    assert_eq!(field(&list, "IsUserSysAdmin"), [false; 6].map(Value::from));
}

#[tokio::test]
async fn nina_is_a_member_of_nothing() {
    let sb = start().await;
    let nina = "dddddddd-0000-4000-8000-000000000003";
    let (token, _) = disco_sign_in(&sb, DATA_SYNC, nina).await;
    let a = sb.get(&sb.disco_api("Instances"), &token).await;
    assert_eq!(instances(&a), Vec::<Value>::new());
    assert!(a.text.ends_with(r#""value":[]}"#), "{}", a.text);
}

#[tokio::test]
async fn refusals_are_401_with_the_reason() {
    let sb = start().await;
    let url = sb.disco_api("Instances");

    // One slash: the resource is the base without its slash, an audience discovery refuses.
    let a = sb
        .sign_in_scope_answer(
            DATA_SYNC,
            ALEX,
            &format!("{}/user_impersonation openid", sb.disco()),
        )
        .await;
    let one_slash = a.body["access_token"].as_str().unwrap();
    assert_eq!(claims(one_slash)["aud"], sb.disco().as_str());
    let a = sb.get(&url, one_slash).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.text, "");
    assert_eq!(
        www_authenticate(&a),
        format!(
            r#"Bearer error="invalid_token", error_description="The audience '{}' is invalid""#,
            sb.disco()
        )
    );
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);

    // A Dataverse token.
    let (dataverse, _) = sb.sign_in(DATA_SYNC, ALEX, "contoso").await;
    let a = sb.get(&url, &dataverse).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        www_authenticate(&a),
        format!(
            r#"Bearer error="invalid_token", error_description="The audience '{}' is invalid""#,
            sb.env("contoso")
        )
    );

    // No token: the challenge names the authority and the resource.
    let a = sb.call(Method::GET, &url, None, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        www_authenticate(&a),
        format!(
            "Bearer authorization_uri={}/common/oauth2/authorize, resource_id={}/",
            sb.entra(""),
            sb.disco()
        )
    );

    // Not a token; a discovery token the other way round: still refused.
    let a = sb.get(&url, "not-a-token").await;
    assert_eq!(www_authenticate(&a), r#"Bearer error="invalid_token""#);
    let (good, _) = disco_sign_in(&sb, DATA_SYNC, ALEX).await;
    let mut forged = good.clone();
    forged.push('x');
    let a = sb.get(&url, &forged).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        www_authenticate(&a),
        r#"Bearer error="invalid_token", error_description="The signature is invalid""#
    );

    // A discovery token cannot call Dataverse either.
    let a = sb.get(&sb.api("contoso", "WhoAmI"), &good).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // Other paths and methods, after authentication.
    let a = sb.get(&sb.disco_api("Nope"), &good).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);
    let a = sb.call(Method::POST, &url, Some(&good), None).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{}", a.text);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let mut config = Config::builtin();
    config.token_lifetime_secs = 0;
    let sb = start_with(config).await;
    let (token, _) = disco_sign_in(&sb, DATA_SYNC, ALEX).await;
    let a = sb.get(&sb.disco_api("Instances"), &token).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let value = www_authenticate(&a);
    assert!(
        value.starts_with(
            r#"Bearer error="invalid_token", error_description="The token expired at '"#
        ),
        "{value}"
    );
}

#[tokio::test]
async fn preflight_answers_cors_like_dataverse() {
    let sb = start().await;
    let r = sb
        .client
        .request(Method::OPTIONS, sb.disco_api("Instances"))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-allow-methods"], "GET");
    assert_eq!(h["access-control-allow-headers"], "authorization");
    assert_eq!(h["access-control-max-age"], "3600");
}

#[tokio::test]
async fn refresh_tokens_reach_every_environment_and_discovery() {
    let sb = start().await;
    let (_, rt) = disco_sign_in(&sb, DATA_SYNC, ALEX).await;

    // The sign-in's refresh token, exchanged for contosotest (not the environment signed in to).
    let a = refresh(
        &sb,
        DATA_SYNC,
        &rt,
        &format!("{}/user_impersonation", sb.env("contosotest")),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let test = a.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims(&test)["aud"], sb.env("contosotest").as_str());
    let a = sb.get(&sb.api("contosotest", "WhoAmI"), &test).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body["OrganizationId"],
        "eeeeeeee-0000-4000-8000-000000000007"
    );
    assert_eq!(
        a.body["BusinessUnitId"],
        "ffffffff-0000-4000-8000-000000000007"
    );
    assert_eq!(a.body["UserId"], user_id("contosotest", ALEX).as_str());

    // And back to discovery, from a Dataverse sign-in's refresh token.
    let (_, rt) = sb.sign_in(DATA_SYNC, ALEX, "contoso").await;
    let a = refresh(
        &sb,
        DATA_SYNC,
        &rt,
        &format!("{}//user_impersonation", sb.disco()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let token = a.body["access_token"].as_str().unwrap();
    assert_eq!(
        instances(&sb.get(&sb.disco_api("Instances"), token).await).len(),
        6
    );

    // The archive: a token is issued, its Web API answers 503 to everything.
    let a = refresh(
        &sb,
        DATA_SYNC,
        &rt,
        &format!("{}/user_impersonation", sb.env("archive")),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let archive = a.body["access_token"].as_str().unwrap().to_string();
    for path in ["WhoAmI", "$metadata", "systemusers", "roles"] {
        let a = sb.get(&sb.api("archive", path), &archive).await;
        assert_dataverse_error(&a, StatusCode::SERVICE_UNAVAILABLE, "0x8004A104");
        assert!(
            a.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is currently disabled"),
            "{}",
            a.text
        );
        assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    }
    let a = sb
        .call(Method::GET, &sb.api("archive", "WhoAmI"), None, None)
        .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn discovery_needs_dynamics_crm_consent() {
    let sb = start().await;
    let needs_consent = app("03");
    // By authorization code: Uma, no admin, cannot consent.
    let a = sb
        .authorize_answer(&needs_consent, UMA, &disco_scope(&sb))
        .await;
    assert_eq!(a.status, StatusCode::FOUND);
    let q = query_of(a.headers["location"].to_str().unwrap());
    assert_eq!(q["error"], "consent_required");

    // By refresh token: a sign-in that needed no consent (OpenID only) does not get discovery.
    let a = sb
        .sign_in_scope_answer(&needs_consent, UMA, "openid profile offline_access")
        .await;
    let rt = a.body["refresh_token"].as_str().unwrap();
    let a = refresh(
        &sb,
        &needs_consent,
        rt,
        &format!("{}//user_impersonation", sb.disco()),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert_eq!(a.body["error"], "invalid_grant");
    assert_eq!(a.body["suberror"], "consent_required");
    assert_eq!(a.body["error_codes"], serde_json::json!([65001]));

    // Alex's own consent (app 0017) covers discovery too.
    let (token, _) = disco_sign_in(&sb, &app("17"), ALEX).await;
    assert_eq!(
        instances(&sb.get(&sb.disco_api("Instances"), &token).await).len(),
        6
    );
}

#[tokio::test]
async fn opaque_tokens_work_with_discovery() {
    let sb = start().await;
    let (token, rt) = disco_sign_in(&sb, &app("22"), ALEX).await;
    assert!(!token.contains('.'), "opaque: {token}");
    assert_eq!(
        instances(&sb.get(&sb.disco_api("Instances"), &token).await).len(),
        6
    );
    let a = refresh(
        &sb,
        &app("22"),
        &rt,
        &format!("{}/user_impersonation", sb.disco()),
    )
    .await;
    let one_slash = a.body["access_token"].as_str().unwrap();
    let a = sb.get(&sb.disco_api("Instances"), one_slash).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(
        www_authenticate(&a).contains("The audience"),
        "{:?}",
        a.headers
    );
}

#[tokio::test]
async fn contosotest_answers_the_wizards_calls_like_contoso() {
    let sb = start().await;
    let (token, _) = sb.sign_in(DATA_SYNC, ALEX, "contosotest").await;
    let get = |path: String| {
        let url = sb.api("contosotest", &path);
        let token = token.clone();
        let sb = &sb;
        async move { sb.get(&url, &token).await }
    };
    let a = get("$metadata".into()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("<EntitySet Name=\"accounts\""));

    let a = get(app_user_query(DATA_SYNC)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let rows = a.body["value"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", a.text);
    assert_eq!(rows[0]["isdisabled"], false);
    assert_eq!(
        rows[0]["systemuserroles_association"][0]["name"],
        "Sync reader (sandbox)"
    );
    assert_eq!(rows[0]["teammembership_association"], serde_json::json!([]));
    let app_user = rows[0]["systemuserid"].as_str().unwrap().to_string();
    assert_eq!(app_user, user_id("contosotest", DATA_SYNC));

    let a = get(format!(
        "systemusers({app_user})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)?@p=%5B%22prvReadAccount%22%5D"
    ))
    .await;
    assert_eq!(held(&a), ["prvReadAccount:Global"]);

    let a = get(
        "EntityDefinitions?$filter=EntitySetName%20eq%20'accounts'&$select=LogicalName,Privileges"
            .into(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["value"][0]["LogicalName"], "account");

    let a = get(
        "businessunits?$filter=parentbusinessunitid%20eq%20null&$select=businessunitid,name".into(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body["value"][0]["businessunitid"],
        "ffffffff-0000-4000-8000-000000000007"
    );

    let a = get("roles?$filter=name%20eq%20'Sync%20reader%20(sandbox)'&$select=roleid,name".into())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["value"].as_array().unwrap().len(), 1, "{}", a.text);
}
