//! Fault injection (`/sandbox/faults`): the next matching request fails once (or `times`), in the
//! service's own error shape and with its CORS headers; preflights never fail; reset clears.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const BARE: &str = "/v1.0/applications/bbbbbbbb-0000-4000-8000-000000000024";

async fn pending(sb: &Sb) -> serde_json::Value {
    let r = sb
        .client
        .get(sb.entra("/sandbox/faults"))
        .send()
        .await
        .unwrap();
    answer(r).await.body["value"].clone()
}

#[tokio::test]
async fn a_graph_fault_fails_once_then_the_call_succeeds() {
    let sb = start().await;
    let alex = sb.setup_token(ALEX).await;
    let fault = json!({"method": "PATCH", "path": BARE, "host": "graph.localhost",
                       "status": 503, "times": 1});
    let a = sb.add_fault(fault.clone()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body, fault);
    assert_eq!(pending(&sb).await, json!([fault]));

    // Other methods and paths are untouched; the preflight too.
    let path = BARE.trim_start_matches("/v1.0/");
    let a = sb.graph_call(Method::GET, path, &alex, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let r = sb
        .client
        .request(Method::OPTIONS, sb.graph(path))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "PATCH")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let body = json!({"displayName": "Bare (renamed)"});
    let a = sb
        .graph_call(Method::PATCH, path, &alex, Some(body.clone()))
        .await;
    assert_graph_code(
        &a,
        StatusCode::SERVICE_UNAVAILABLE,
        "serviceNotAvailable",
        None,
    );
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    assert!(a.headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("Retry-After"));
    assert_eq!(pending(&sb).await, json!([]));
    let a = sb.graph_call(Method::PATCH, path, &alex, Some(body)).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
}

#[tokio::test]
async fn dataverse_and_discovery_faults_use_their_own_shapes() {
    let sb = start().await;
    let (dv, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let a = sb
        .add_fault(
            json!({"path": "/api/data/v9.2/WhoAmI", "host": "contoso.crm.localhost:8081",
                          "status": 429, "times": 2}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["host"], "contoso.crm.localhost", "port dropped");
    assert_eq!(a.body["method"], serde_json::Value::Null);
    // Another environment is not affected.
    let (test, _) = sb.sign_in(&app("01"), ALEX, "contosotest").await;
    let a = sb.get(&sb.api("contosotest", "WhoAmI"), &test).await;
    assert_eq!(a.status, StatusCode::OK);
    for _ in 0..2 {
        let a = sb.get(&sb.api("contoso", "WhoAmI"), &dv).await;
        assert_dataverse_error(&a, StatusCode::TOO_MANY_REQUESTS, "0x80072322");
        assert_eq!(a.headers["retry-after"], "1");
        assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    }
    assert_eq!(
        sb.get(&sb.api("contoso", "WhoAmI"), &dv).await.status,
        StatusCode::OK
    );

    // Discovery: a 500 without a method or host, matched by path prefix.
    let a = sb
        .add_fault(json!({"path": "/api/discovery/v2.0/Inst", "status": 500}))
        .await;
    assert_eq!(a.body["times"], 1);
    let a = sb
        .call(Method::GET, &sb.disco_api("Instances"), None, None)
        .await;
    assert_eq!(
        a.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "before authentication"
    );
    assert_eq!(a.body["error"]["code"], "");
    assert!(a.body["error"]["message"].is_string());
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
}

#[tokio::test]
async fn reset_clears_faults_and_bad_faults_are_refused() {
    let sb = start().await;
    let a = sb
        .add_fault(json!({"path": "/v1.0/applications", "status": 500, "times": 5}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(pending(&sb).await.as_array().unwrap().len(), 1);
    sb.reset().await;
    assert_eq!(pending(&sb).await, json!([]));
    let t = sb.setup_token(ALEX).await;
    assert_eq!(
        sb.graph_call(Method::GET, "applications", &t, None)
            .await
            .status,
        StatusCode::OK
    );

    for bad in [
        json!({"path": "v1.0/applications", "status": 500}),
        json!({"path": "/v1.0/applications", "status": 200}),
        json!({"path": "/x", "status": 500, "host": "localhost"}),
        json!({"path": "/x", "status": 500, "times": 0}),
        json!({"path": "/x", "status": 500, "method": "OPTIONS"}),
        json!({"path": "/x", "status": 500, "color": "red"}),
        json!({"status": 500}),
    ] {
        let a = sb.add_fault(bad.clone()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.text);
        assert!(a.body["error"].is_string());
    }
    // DELETE clears too.
    sb.add_fault(json!({"path": "/x", "status": 500})).await;
    let r = sb
        .client
        .delete(sb.entra("/sandbox/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(pending(&sb).await, json!([]));
}

#[tokio::test]
async fn the_fault_and_reset_routes_answer_cors() {
    let sb = start().await;
    for path in ["/sandbox/faults", "/sandbox/reset"] {
        let r = sb
            .client
            .request(Method::OPTIONS, sb.entra(path))
            .header("Origin", ORIGIN)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
        assert!(r.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST"));
        assert_eq!(r.headers()["access-control-allow-headers"], "content-type");
    }
    let r = sb
        .client
        .post(sb.entra("/sandbox/faults"))
        .header("Origin", ORIGIN)
        .header("Content-Type", "application/json")
        .body(json!({"path": "/x", "status": 500}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let r = sb
        .client
        .post(sb.entra("/sandbox/reset"))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
}
