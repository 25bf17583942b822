//! Server-driven paging and service-protection throttling ("Page results using OData", "Service
//! protection API limits"; Graph "Paging Microsoft Graph data", "Throttling guidance"), the CORS
//! headers a browser needs to read them, and the replication lag of Graph directory writes.

mod common;

use common::*;
use reqwest::StatusCode;
use sandbox::Config;
use serde_json::{json, Value};

fn assert_throttled_dataverse(a: &Answer) {
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(
        a.body,
        json!({"error": {"code": "0x80072322",
            "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds."}})
    );
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    let expose = a.headers["access-control-expose-headers"].to_str().unwrap();
    assert!(
        expose.contains("Retry-After") && expose.contains("OData-EntityId"),
        "{expose}"
    );
}

/// Every row of a list, following `@odata.nextLink`; (rows, pages).
async fn all_pages(sb: &Sb, first: Answer, token: &str) -> (Vec<Value>, usize) {
    let mut a = first;
    let mut rows = Vec::new();
    let mut pages = 0;
    loop {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        rows.extend(a.body["value"].as_array().unwrap().iter().cloned());
        pages += 1;
        match a.body["@odata.nextLink"].as_str() {
            Some(next) => a = sb.get(next, token).await,
            None => return (rows, pages),
        }
    }
}

#[tokio::test]
async fn busy_dataverse_pages_and_throttles_each_list_once() {
    let sb = start().await;
    let (t, _) = sb.sign_in(&app("23"), ALEX, "busy").await;
    // Not a list: never throttled.
    assert_eq!(
        sb.get(&sb.api("busy", "WhoAmI"), &t).await.status,
        StatusCode::OK
    );

    let roles = sb.api("busy", "roles?$select=roleid,name");
    assert_throttled_dataverse(&sb.get(&roles, &t).await);
    let a = sb.get(&roles, &t).await;
    assert_eq!(a.body["value"].as_array().unwrap().len(), 2, "{}", a.text);
    let next = a.body["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(next.starts_with(&format!("{roles}&$skiptoken=")), "{next}");
    let (rows, pages) = all_pages(&sb, a, &t).await;
    assert_eq!((rows.len(), pages), (4, 2));

    // Every collection: systemusers (2 members + 1 application user), business units, tables.
    for (path, total) in [
        ("systemusers?$select=fullname", 3),
        (
            "businessunits?$filter=parentbusinessunitid eq null&$select=businessunitid,name",
            1,
        ),
        ("businessunits", 2),
        (
            "EntityDefinitions?$filter=EntitySetName eq 'accounts'&$select=LogicalName",
            1,
        ),
    ] {
        let url = sb.api("busy", path);
        assert_throttled_dataverse(&sb.get(&url, &t).await);
        let first = sb.get(&url, &t).await;
        assert!(first.body["value"].as_array().unwrap().len() <= 2);
        let (rows, _) = all_pages(&sb, first, &t).await;
        assert_eq!(rows.len(), total, "{path}");
    }
    let defs = sb.api("busy", "EntityDefinitions?$select=LogicalName");
    assert_throttled_dataverse(&sb.get(&defs, &t).await);
    let a = sb.get(&defs, &t).await;
    assert_eq!(a.body["value"].as_array().unwrap().len(), 2);
    assert!(a.body["@odata.nextLink"].is_string());

    // A skip token the server did not write.
    let a = sb.get(&format!("{roles}&$skiptoken=garbage"), &t).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);

    // Reset: throttled again.
    sb.reset().await;
    assert_throttled_dataverse(&sb.get(&roles, &t).await);

    // contoso neither pages (5000) nor throttles.
    let (c, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let a = sb.get(&sb.api("contoso", "roles"), &c).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["value"].as_array().unwrap().len(), 4);
    assert!(a.body.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn busy_graph_pages_and_throttles_per_app() {
    let sb = start().await;
    let t = sb.graph_token(&app("23"), ALEX, "busy", GRAPH_READ).await;
    let grants =
        sb.graph("servicePrincipals/cccccccc-0000-4000-8000-000000000023/oauth2PermissionGrants");
    let a = sb.get(&grants, &t).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(a.body["error"]["code"], "TooManyRequests");
    assert_eq!(a.body["error"]["message"], "Too many requests.");
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    let expose = a.headers["access-control-expose-headers"].to_str().unwrap();
    assert!(
        expose.contains("Retry-After") && expose.contains("OData-EntityId"),
        "{expose}"
    );

    let dynamics_sp = sb
        .get(
            &sb.graph(&format!("servicePrincipals(appId='{DYNAMICS}')")),
            &t,
        )
        .await
        .body["id"]
        .clone();
    let aad_graph = sb
        .get(
            &sb.graph("servicePrincipals(appId='00000002-0000-0000-c000-000000000000')"),
            &t,
        )
        .await;
    assert_eq!(aad_graph.status, StatusCode::OK, "{}", aad_graph.text);

    let first = sb.get(&grants, &t).await;
    let page1 = first.body["value"].as_array().unwrap().clone();
    assert_eq!(page1.len(), 2, "{}", first.text);
    assert!(page1.iter().all(|g| g["resourceId"] != dynamics_sp));
    assert!(page1
        .iter()
        .any(|g| g["resourceId"] == aad_graph.body["id"]));
    let next = first.body["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(next.starts_with(&format!("{grants}?$skiptoken=")), "{next}");
    let (rows, pages) = all_pages(&sb, first, &t).await;
    assert_eq!(pages, 2);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|g| g["consentType"] == "AllPrincipals"));
    assert_eq!(rows[2]["resourceId"], dynamics_sp);
    assert_eq!(rows[2]["scope"], "user_impersonation");

    // The other lists too, keeping the query.
    let filtered = sb
        .graph("oauth2PermissionGrants?$filter=clientId eq 'cccccccc-0000-4000-8000-000000000023'");
    assert_eq!(
        sb.get(&filtered, &t).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let first = sb.get(&filtered, &t).await;
    assert!(first.body["@odata.nextLink"]
        .as_str()
        .unwrap()
        .contains("$filter=clientId"));
    assert_eq!(all_pages(&sb, first, &t).await.0.len(), 3);
    let apps = sb.graph(&format!("applications?$filter=appId eq '{}'", app("23")));
    assert_eq!(
        sb.get(&apps, &t).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(all_pages(&sb, sb.get(&apps, &t).await, &t).await.0.len(), 1);
    let sps = sb.graph("servicePrincipals?$select=appId");
    assert_eq!(sb.get(&sps, &t).await.status, StatusCode::TOO_MANY_REQUESTS);
    let first = sb.get(&sps, &t).await;
    assert_eq!(first.body["value"].as_array().unwrap().len(), 2);

    // Another app's tokens: one page, no 429.
    let other = sb
        .graph_token(&app("01"), ALEX, "contoso", GRAPH_READ)
        .await;
    let a = sb
        .get(
            &sb.graph(
                "servicePrincipals/cccccccc-0000-4000-8000-000000000023/oauth2PermissionGrants",
            ),
            &other,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["value"].as_array().unwrap().len(), 3);
    assert!(a.body.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn graph_add_password_replicates_after_the_lag() {
    let sb = start().await;
    let t = sb
        .graph_token(&app("01"), ALEX, "contoso", &["Application.ReadWrite.All"])
        .await;
    let reg = sb.graph(&format!("applications(appId='{}')", app("01")));
    let a = sb
        .add_password(
            &t,
            &app("01"),
            Some(json!({"passwordCredential": {"displayName": "new"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let key = a.body["keyId"].clone();
    let creds = |a: &Answer| a.body["passwordCredentials"].as_array().unwrap().clone();
    let now = creds(&sb.get(&reg, &t).await);
    assert!(now.iter().all(|c| c["keyId"] != key), "not replicated yet");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let later = creds(&sb.get(&reg, &t).await);
    assert!(later.iter().any(|c| c["keyId"] == key));

    // A tenant's own lag wins over the top-level one.
    let mut config = Config::builtin();
    config.replication_lag_ms = Some(60_000);
    config.tenants[0].replication_lag_ms = Some(0);
    let sb = start_with(config).await;
    let t = sb
        .graph_token(&app("01"), ALEX, "contoso", &["Application.ReadWrite.All"])
        .await;
    let a = sb.add_password(&t, &app("01"), None).await;
    let key = a.body["keyId"].clone();
    let reg = sb.graph(&format!("applications(appId='{}')", app("01")));
    assert!(creds(&sb.get(&reg, &t).await)
        .iter()
        .any(|c| c["keyId"] == key));
}
