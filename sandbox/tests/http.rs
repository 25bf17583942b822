//! Real HTTP against a sandbox spawned on an ephemeral port.

mod common;

use common::{challenge, claims, query_of, Sb, ALEX, ORIGIN, SPA_REDIRECT, TENANT, UMA};
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Client, StatusCode};
use sandbox::Config;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

const APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const WEB_ONLY_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
const NO_CONSENT_APP: &str = "aaaaaaaa-0000-4000-8000-000000000003";
const NINA: &str = "dddddddd-0000-4000-8000-000000000003";
const SECRET: &str = "Sbx8Q~sandbox.client.secret.value.000001";
const SECRET_ID: &str = "5ec2e700-0000-4000-8000-000000000001";

const CSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices><Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="account"><Key><PropertyRef Name="accountid"/></Key><Property Name="accountid" Type="Edm.Guid"/></EntityType>
<EntityType Name="contact"><Key><PropertyRef Name="contactid"/></Key><Property Name="contactid" Type="Edm.Guid"/></EntityType>
<EntityContainer Name="System"><EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>
<EntitySet Name="contacts" EntityType="Microsoft.Dynamics.CRM.contact"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>
"#;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

struct Sandbox {
    port: u16,
    client: Client,
    csdl: PathBuf,
}

/// The built-in configuration with every environment serving a small test CSDL file.
fn test_config() -> (Config, PathBuf) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    common::config_with_csdl_file(CSDL, &format!("test-{n}"))
}

async fn start_with(config: Config, csdl: PathBuf) -> Sandbox {
    let Sb { port, client } = common::start_with(config).await;
    Sandbox { port, client, csdl }
}

async fn start() -> Sandbox {
    let (config, csdl) = test_config();
    start_with(config, csdl).await
}

struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce() -> Pkce {
    let verifier = format!(
        "verifier-{}-abcdefghijklmnopqrstuvwxyz0123456789",
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    Pkce {
        challenge: challenge(&verifier),
        verifier,
    }
}

impl Sandbox {
    fn entra(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }
    fn env(&self, org: &str, path: &str) -> String {
        format!("http://{org}.crm.localhost:{}{path}", self.port)
    }
    fn scope(&self, org: &str) -> String {
        format!(
            "{}/user_impersonation openid profile offline_access",
            self.env(org, "")
        )
    }

    fn authorize_params(
        &self,
        client: &str,
        redirect: &str,
        scope: &str,
        p: Option<&Pkce>,
    ) -> Vec<(String, String)> {
        let mut v = vec![
            ("client_id".to_string(), client.to_string()),
            ("response_type".into(), "code".into()),
            ("redirect_uri".into(), redirect.into()),
            ("scope".into(), scope.into()),
            ("state".into(), "st4te".into()),
        ];
        if let Some(p) = p {
            v.push(("code_challenge".into(), p.challenge.clone()));
            v.push(("code_challenge_method".into(), "S256".into()));
        }
        v
    }

    async fn authorize_get(&self, tenant: &str, params: &[(String, String)]) -> reqwest::Response {
        self.client
            .get(self.entra(&format!("/{tenant}/oauth2/v2.0/authorize")))
            .query(params)
            .send()
            .await
            .unwrap()
    }

    async fn authorize_post(
        &self,
        tenant: &str,
        params: &[(String, String)],
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form: Vec<(String, String)> = params.to_vec();
        form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.client
            .post(self.entra(&format!("/{tenant}/oauth2/v2.0/authorize")))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Sign in as `user` and return the code from the redirect.
    async fn code(&self, client: &str, redirect: &str, user: &str, p: Option<&Pkce>) -> String {
        let params = self.authorize_params(client, redirect, &self.scope("contoso"), p);
        let r = self
            .authorize_post(TENANT, &params, &[("user", user)])
            .await;
        assert_eq!(r.status(), StatusCode::FOUND, "{:?}", r.text().await);
        let loc = r.headers()[LOCATION].to_str().unwrap().to_string();
        let q = query_of(&loc);
        assert_eq!(q["state"], "st4te");
        q.get("code")
            .unwrap_or_else(|| panic!("no code in {loc}"))
            .clone()
    }

    async fn token(
        &self,
        tenant: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut req = self
            .client
            .post(self.entra(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(form);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn redeem(&self, code: &str, verifier: &str) -> (StatusCode, HeaderMap, Value) {
        self.token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", APP),
                ("code", code),
                ("redirect_uri", SPA_REDIRECT),
                ("code_verifier", verifier),
            ],
            Some(ORIGIN),
        )
        .await
    }

    /// A Dataverse access token for `user` via the SPA flow.
    async fn user_token(&self, user: &str) -> String {
        let p = pkce();
        let code = self.code(APP, SPA_REDIRECT, user, Some(&p)).await;
        let (s, _, body) = self.redeem(&code, &p.verifier).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    async fn dv_get(&self, org: &str, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self
            .client
            .get(self.env(org, path))
            .header("Origin", ORIGIN)
            .header("OData-Version", "4.0")
            .header("OData-MaxVersion", "4.0")
            .header("Accept", "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }
}

fn assert_aad_error(body: &Value, error: &str, code: u64) {
    assert_eq!(body["error"], error, "{body}");
    let desc = body["error_description"].as_str().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
    assert!(desc.contains("\r\nTrace ID: "), "{desc}");
    assert!(desc.contains("\r\nCorrelation ID: "), "{desc}");
    assert!(desc.contains("\r\nTimestamp: "), "{desc}");
    assert_eq!(body["error_codes"], serde_json::json!([code]));
    for k in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
        assert!(body[k].is_string(), "{k} missing in {body}");
    }
    assert!(body["error_uri"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/error?code={code}")));
}

fn assert_redirect_error(r: &reqwest::Response, error: &str, code: u64) -> HashMap<String, String> {
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()[LOCATION].to_str().unwrap();
    assert!(loc.starts_with(SPA_REDIRECT), "{loc}");
    let q = query_of(loc);
    assert_eq!(q["error"], error, "{loc}");
    assert!(
        q["error_description"].starts_with(&format!("AADSTS{code}: ")),
        "{loc}"
    );
    assert!(q["error_uri"].ends_with(&format!("/error?code={code}")));
    assert_eq!(q["state"], "st4te");
    q
}

#[tokio::test]
async fn happy_path_authorize_token_whoami_metadata() {
    let sb = start().await;

    // Discovery, by domain name: endpoints use the GUID.
    let r = sb
        .client
        .get(sb.entra("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let doc: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(doc["issuer"], sb.entra(&format!("/{TENANT}/v2.0")));
    assert_eq!(
        doc["token_endpoint"],
        sb.entra(&format!("/{TENANT}/oauth2/v2.0/token"))
    );
    assert_eq!(
        doc["authorization_endpoint"],
        sb.entra(&format!("/{TENANT}/oauth2/v2.0/authorize"))
    );

    // The sign-in page.
    let p = pkce();
    let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope("contoso"), Some(&p));
    let r = sb.authorize_get(TENANT, &params).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Sign in to Contoso (sandbox)"));
    assert!(html.contains("Data Sync (sandbox)"));
    assert!(html.contains("Access Dynamics 365 as organization users (user_impersonation)"));
    assert!(html.contains("Sign in as Alex Admin"));
    assert!(html.contains("<form method=\"post\""));
    assert!(html.contains(">Cancel</button>"));

    // Sign in → code → tokens.
    let code = sb.code(APP, SPA_REDIRECT, ALEX, Some(&p)).await;
    let (s, h, body) = sb.redeem(&code, &p.verifier).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(body["token_type"], "Bearer");
    let env_origin = sb.env("contoso", "");
    assert_eq!(body["scope"], format!("{env_origin}/user_impersonation"));
    assert_eq!(body["expires_in"], 3599);
    assert!(body["refresh_token"].is_string());
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], env_origin);
    assert_eq!(at["iss"], format!("https://sts.windows.net/{TENANT}/"));
    assert_eq!(at["ver"], "1.0");
    assert_eq!(at["tid"], TENANT);
    assert_eq!(at["oid"], ALEX);
    assert_eq!(at["upn"], "alex@contoso.onmicrosoft.com");
    assert_eq!(at["scp"], "user_impersonation");
    assert_eq!(at["appid"], APP);
    assert!(at["exp"].as_u64().unwrap() > at["iat"].as_u64().unwrap());
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], APP);
    assert_eq!(id["iss"], sb.entra(&format!("/{TENANT}/v2.0")));
    let token = body["access_token"].as_str().unwrap().to_string();

    // WhoAmI (both spellings), cross-origin.
    for path in ["/api/data/v9.2/WhoAmI", "/api/data/v9.2/WhoAmI()"] {
        let r = sb.dv_get("contoso", path, Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
        assert_eq!(r.headers()["odata-version"], "4.0");
        let w: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(
            w["@odata.context"],
            format!("{env_origin}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse")
        );
        assert_eq!(w["OrganizationId"], "eeeeeeee-0000-4000-8000-000000000001");
        assert_eq!(w["BusinessUnitId"], "ffffffff-0000-4000-8000-000000000001");
        let env = Config::builtin();
        let env = env.environment("contoso").unwrap();
        assert_eq!(w["UserId"], sandbox::dataverse::system_user_id(env, ALEX));
    }

    // Service document.
    let r = sb.dv_get("contoso", "/api/data/v9.2/", Some(&token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let sd: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(
        sd["@odata.context"],
        format!("{env_origin}/api/data/v9.2/$metadata")
    );
    assert_eq!(
        sd["value"],
        serde_json::json!([
            {"name": "accounts", "kind": "EntitySet", "url": "accounts"},
            {"name": "contacts", "kind": "EntitySet", "url": "contacts"}
        ])
    );

    // $metadata with an exact Content-Length; reread on every request.
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/$metadata", Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/xml");
    assert_eq!(
        r.headers()["content-length"],
        CSDL.len().to_string().as_str()
    );
    assert_eq!(r.text().await.unwrap(), CSDL);
    let changed = CSDL.replace(
        "</EntityContainer>",
        "<EntitySet Name=\"leads\" EntityType=\"Microsoft.Dynamics.CRM.lead\"/></EntityContainer>",
    );
    std::fs::write(&sb.csdl, &changed).unwrap();
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/$metadata", Some(&token))
        .await;
    assert_eq!(r.text().await.unwrap(), changed);
    let r = sb.dv_get("contoso", "/api/data/v9.0/", Some(&token)).await;
    assert!(r.text().await.unwrap().contains("\"leads\""));

    // RetrieveVersion and an unknown segment.
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/RetrieveVersion()", Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/nosuchthings", Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let e: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(e["error"]["code"], "0x8006088a");

    // Refresh token (SPA: cross-origin only).
    let rt = body["refresh_token"].as_str().unwrap();
    let (s, _, b2) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                ("refresh_token", rt),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b2}");
    assert_eq!(
        claims(b2["access_token"].as_str().unwrap())["aud"],
        env_origin
    );
}

#[tokio::test]
async fn real_dataverse_csdl_is_served_by_default() {
    let config = Config::builtin();
    let path = config.metadata_path(config.environment("contoso").unwrap());
    if !path.is_file() {
        eprintln!("skipping: {} not present", path.display());
        return;
    }
    let expected = std::fs::read(&path).unwrap();
    let sb = start_with(config, path).await;
    let token = sb.user_token(ALEX).await;
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/$metadata", Some(&token))
        .await;
    assert_eq!(
        r.headers()["content-length"],
        expected.len().to_string().as_str()
    );
    assert_eq!(r.bytes().await.unwrap().len(), expected.len());
    let r = sb.dv_get("contoso", "/api/data/v9.2/", Some(&token)).await;
    let sd: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let names: Vec<&str> = sd["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"accounts"), "{names:?}");
    assert!(names.len() > 100);
}

#[tokio::test]
async fn pkce_verifier_mismatch_and_missing() {
    let sb = start().await;
    let p = pkce();
    let code = sb.code(APP, SPA_REDIRECT, ALEX, Some(&p)).await;
    let (s, h, body) = sb
        .redeem(&code, "the-wrong-verifier-0123456789012345678901234567")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_aad_error(&body, "invalid_grant", 501481);

    let (s, _, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", APP),
                ("code", &code),
                ("redirect_uri", SPA_REDIRECT),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 50148);
}

#[tokio::test]
async fn replayed_code_is_rejected() {
    let sb = start().await;
    let p = pkce();
    let code = sb.code(APP, SPA_REDIRECT, ALEX, Some(&p)).await;
    assert_eq!(sb.redeem(&code, &p.verifier).await.0, StatusCode::OK);
    let (s, _, body) = sb.redeem(&code, &p.verifier).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 54005);
    let (_, _, body) = sb.redeem("not-a-code", &p.verifier).await;
    assert_aad_error(&body, "invalid_grant", 9002313);
}

#[tokio::test]
async fn expired_code_is_rejected() {
    let (mut config, csdl) = test_config();
    config.code_lifetime_secs = 0;
    let sb = start_with(config, csdl).await;
    let p = pkce();
    let code = sb.code(APP, SPA_REDIRECT, ALEX, Some(&p)).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, _, body) = sb.redeem(&code, &p.verifier).await;
    assert_aad_error(&body, "invalid_grant", 70008);
}

#[tokio::test]
async fn redirect_mismatch_at_token_and_authorize() {
    let sb = start().await;
    let p = pkce();
    let code = sb.code(APP, SPA_REDIRECT, ALEX, Some(&p)).await;
    let other = "http://localhost:8080/auth/callback/";
    let (s, _, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", APP),
                ("code", &code),
                ("redirect_uri", other),
                ("code_verifier", &p.verifier),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 50011);
    assert!(body["error_description"].as_str().unwrap().contains(other));

    // At /authorize: an error page, no redirect.
    let params = sb.authorize_params(APP, other, &sb.scope("contoso"), Some(&p));
    let r = sb.authorize_get(TENANT, &params).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("AADSTS50011"));
    assert!(html.contains(other));
}

#[tokio::test]
async fn web_platform_redirect_redeemed_cross_origin() {
    let sb = start().await;
    // The Web-only app: no PKCE needed at authorize.
    let code = sb.code(WEB_ONLY_APP, SPA_REDIRECT, ALEX, None).await;
    let (s, h, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", WEB_ONLY_APP),
                ("code", &code),
                ("redirect_uri", SPA_REDIRECT),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_aad_error(&body, "invalid_request", 9002326);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("Request origin: 'http://localhost:8080'."));

    // Server-side redemption of a Web code without a secret: confidential client.
    let (s, _, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", WEB_ONLY_APP),
                ("code", &code),
                ("redirect_uri", SPA_REDIRECT),
            ],
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_aad_error(&body, "invalid_client", 7000218);
}

#[tokio::test]
async fn spa_code_redeemed_without_origin() {
    let sb = start().await;
    let p = pkce();
    let code = sb.code(APP, SPA_REDIRECT, ALEX, Some(&p)).await;
    let (s, _, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", APP),
                ("code", &code),
                ("redirect_uri", SPA_REDIRECT),
                ("code_verifier", &p.verifier),
            ],
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_request", 9002327);

    // A secret from a browser (public client).
    let (s, _, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", APP),
                ("code", &code),
                ("redirect_uri", SPA_REDIRECT),
                ("code_verifier", &p.verifier),
                ("client_secret", SECRET),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_aad_error(&body, "invalid_client", 700025);
}

#[tokio::test]
async fn spa_redirect_requires_pkce_at_authorize() {
    let sb = start().await;
    let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope("contoso"), None);
    let r = sb.authorize_get(TENANT, &params).await;
    let q = assert_redirect_error(&r, "invalid_request", 9002325);
    assert!(q["error_description"].contains("Proof Key for Code Exchange is required"));
}

#[tokio::test]
async fn unknown_tenant() {
    let sb = start().await;
    let p = pkce();
    let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope("contoso"), Some(&p));
    let r = sb
        .authorize_get("nosuchtenant.onmicrosoft.com", &params)
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());
    let html = r.text().await.unwrap();
    assert!(
        html.contains("AADSTS90002: Tenant &#39;nosuchtenant.onmicrosoft.com&#39; not found"),
        "{html}"
    );

    let r = sb
        .client
        .get(
            sb.entra("/99999999-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_aad_error(&body, "invalid_tenant", 90002);

    let (s, _, body) = sb
        .token(
            "nosuchtenant",
            &[("grant_type", "authorization_code"), ("client_id", APP)],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_tenant", 90002);
}

#[tokio::test]
async fn unknown_client() {
    let sb = start().await;
    let p = pkce();
    let params = sb.authorize_params(
        "12345678-0000-4000-8000-000000000000",
        SPA_REDIRECT,
        &sb.scope("contoso"),
        Some(&p),
    );
    let r = sb.authorize_get(TENANT, &params).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());
    assert!(r.text().await.unwrap().contains("AADSTS700016"));

    // The right client id in the wrong tenant.
    let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope("contoso"), Some(&p));
    let r = sb.authorize_get("woodgrove.onmicrosoft.com", &params).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("AADSTS700016") && html.contains("Woodgrove (sandbox)"));

    let (s, _, body) = sb
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "12345678-0000-4000-8000-000000000000"),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "unauthorized_client", 700016);
}

#[tokio::test]
async fn unknown_resource_scope() {
    let sb = start().await;
    let p = pkce();
    for scope in [
        format!(
            "http://nope.crm.localhost:{}/user_impersonation openid",
            sb.port
        ),
        "https://contoso.crm.dynamics.com/user_impersonation".to_string(),
        // An environment of the other tenant.
        sb.scope("woodgrove"),
    ] {
        let params = sb.authorize_params(APP, SPA_REDIRECT, &scope, Some(&p));
        let r = sb.authorize_get(TENANT, &params).await;
        let q = assert_redirect_error(&r, "invalid_resource", 500011);
        assert!(
            q["error_description"].contains("was not found in the tenant named Contoso (sandbox)")
        );
    }
    // `/.default` (and the double-slash form) are accepted.
    for scope in [
        format!("{}/.default", sb.env("contoso", "")),
        format!("{}//.default", sb.env("contoso", "")),
    ] {
        let params = sb.authorize_params(APP, SPA_REDIRECT, &scope, Some(&p));
        assert_eq!(
            sb.authorize_get(TENANT, &params).await.status(),
            StatusCode::OK,
            "{scope}"
        );
    }
}

#[tokio::test]
async fn dataverse_requires_a_bearer_token() {
    let sb = start().await;
    for token in [None, Some("garbage"), Some("a.b.c")] {
        let r = sb.dv_get("contoso", "/api/data/v9.2/WhoAmI", token).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
        assert!(r.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("WWW-Authenticate"));
        assert_eq!(
            r.headers()["www-authenticate"],
            format!(
                "Bearer authorization_uri=http://localhost:{}/{TENANT}/oauth2/authorize, resource_id=http://contoso.crm.localhost:{}/",
                sb.port, sb.port
            )
            .as_str()
        );
        assert_eq!(r.text().await.unwrap(), "");
    }
}

#[tokio::test]
async fn wrong_audience_or_forged_token() {
    let sb = start().await;
    let token = sb.user_token(ALEX).await; // aud = contoso
    let r = sb
        .dv_get("slow", "/api/data/v9.2/WhoAmI", Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Same claims, different signature.
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[2] = "AAAA";
    let forged = parts.join(".");
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/WhoAmI", Some(&forged))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_access_token() {
    let (mut config, csdl) = test_config();
    config.token_lifetime_secs = 0;
    let sb = start_with(config, csdl).await;
    let token = sb.user_token(ALEX).await;
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/WhoAmI", Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn non_member_and_restricted_app() {
    let sb = start().await;
    let nina = sb.user_token(NINA).await;
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/WhoAmI", Some(&nina))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let e: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(
        e,
        serde_json::json!({"error": {"code": "0x80072560", "message": "The user is not a member of the organization."}})
    );
    // Uma is a member.
    let uma = sb.user_token(UMA).await;
    assert_eq!(
        sb.dv_get("contoso", "/api/data/v9.2/WhoAmI", Some(&uma))
            .await
            .status(),
        StatusCode::OK
    );

    // Tokens for fabrikam (nobody is a member) and restricted.
    for (org, code) in [("fabrikam", "0x80072560"), ("restricted", "0x80095ffc")] {
        let p = pkce();
        let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope(org), Some(&p));
        let r = sb.authorize_post(TENANT, &params, &[("user", ALEX)]).await;
        let code_ = query_of(r.headers()[LOCATION].to_str().unwrap())["code"].clone();
        let (_, _, body) = sb.redeem(&code_, &p.verifier).await;
        let token = body["access_token"].as_str().unwrap();
        let r = sb.dv_get(org, "/api/data/v9.2/WhoAmI", Some(token)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let e: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(e["error"]["code"], code);
    }
}

#[tokio::test]
async fn cors_preflights() {
    let sb = start().await;
    let r = sb
        .client
        .request(
            reqwest::Method::OPTIONS,
            sb.entra(&format!("/{TENANT}/oauth2/v2.0/token")),
        )
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert!(r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert_eq!(r.headers()["access-control-allow-headers"], "content-type");

    let requested = "authorization,odata-version,odata-maxversion,accept";
    let r = sb
        .client
        .request(
            reqwest::Method::OPTIONS,
            sb.env("contoso", "/api/data/v9.2/$metadata"),
        )
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", requested)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(r.headers()["access-control-allow-methods"], "GET");
    assert_eq!(r.headers()["access-control-allow-headers"], requested);
    assert!(r.headers().contains_key("access-control-max-age"));
}

#[tokio::test]
async fn consent_required_and_admin_consent() {
    let sb = start().await;
    let p = pkce();
    let params = sb.authorize_params(NO_CONSENT_APP, SPA_REDIRECT, &sb.scope("contoso"), Some(&p));

    // A non-admin user: consent_required.
    let r = sb.authorize_post(TENANT, &params, &[("user", UMA)]).await;
    let q = assert_redirect_error(&r, "consent_required", 65001);
    assert!(q["error_description"].contains(NO_CONSENT_APP));

    // The admin sees the consent step.
    let r = sb.authorize_post(TENANT, &params, &[("user", ALEX)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Permissions requested"));
    assert!(html.contains("Consent on behalf of your organization"));
    assert!(html.contains(">Accept</button>"));

    // Declining → access_denied.
    let r = sb
        .authorize_post(TENANT, &params, &[("user", ALEX), ("consent", "decline")])
        .await;
    assert_redirect_error(&r, "access_denied", 65004);

    // Accepting for the organization → a code; then Uma no longer needs consent.
    let r = sb
        .authorize_post(
            TENANT,
            &params,
            &[("user", ALEX), ("consent", "accept"), ("consent_org", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert!(query_of(r.headers()[LOCATION].to_str().unwrap()).contains_key("code"));
    let r = sb.authorize_post(TENANT, &params, &[("user", UMA)]).await;
    assert!(query_of(r.headers()[LOCATION].to_str().unwrap()).contains_key("code"));

    // /sandbox/reset forgets the consent.
    let r = sb
        .client
        .post(sb.entra("/sandbox/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = sb.authorize_post(TENANT, &params, &[("user", UMA)]).await;
    assert_redirect_error(&r, "consent_required", 65001);
}

#[tokio::test]
async fn cancel_gives_access_denied() {
    let sb = start().await;
    let p = pkce();
    let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope("contoso"), Some(&p));
    let r = sb.authorize_post(TENANT, &params, &[("cancel", "1")]).await;
    let q = assert_redirect_error(&r, "access_denied", 65004);
    assert!(q["error_description"]
        .starts_with("AADSTS65004: User declined to consent to access the app."));
}

#[tokio::test]
async fn client_credentials() {
    let sb = start().await;
    let scope = format!("{}/.default", sb.env("contoso", ""));
    let form = |secret: &'static str| {
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", secret),
        ]
    };
    // From a browser: refused.
    let mut f = form(SECRET);
    f.push(("scope", &scope));
    let (s, _, body) = sb.token(TENANT, &f, Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_request", 9002326);

    // The Secret ID instead of its value.
    let mut f = form(SECRET_ID);
    f.push(("scope", &scope));
    let (s, _, body) = sb.token(TENANT, &f, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_aad_error(&body, "invalid_client", 7000215);

    // Not /.default.
    let ui = format!("{}/user_impersonation", sb.env("contoso", ""));
    let mut f = form(SECRET);
    f.push(("scope", &ui));
    let (_, _, body) = sb.token(TENANT, &f, None).await;
    assert_aad_error(&body, "invalid_scope", 1002012);

    // From a server: an app-only token; the app has an application user in contoso only.
    let mut f = form(SECRET);
    f.push(("scope", &scope));
    let (s, _, body) = sb.token(TENANT, &f, None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["oid"], "cccccccc-0000-4000-8000-000000000001");
    assert!(c.get("scp").is_none());
    assert_eq!(
        sb.dv_get("contoso", "/api/data/v9.2/WhoAmI", Some(token))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn metadata_chunked_and_delayed() {
    let (mut config, csdl) = test_config();
    for e in &mut config.environments {
        if e.org == "slow" {
            e.delay_ms = 5;
            e.chunk_size = 100;
        }
        if e.org == "contoso" {
            e.delay_ms = 2;
            e.chunk_size = 200;
        }
    }
    let sb = start_with(config, csdl).await;
    let token = sb.user_token(ALEX).await;
    let r = sb
        .dv_get("contoso", "/api/data/v9.2/$metadata", Some(&token))
        .await;
    assert_eq!(
        r.headers()["content-length"],
        CSDL.len().to_string().as_str()
    );
    assert_eq!(r.text().await.unwrap(), CSDL);

    let p = pkce();
    let params = sb.authorize_params(APP, SPA_REDIRECT, &sb.scope("slow"), Some(&p));
    let r = sb.authorize_post(TENANT, &params, &[("user", ALEX)]).await;
    let code = query_of(r.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let (_, _, body) = sb.redeem(&code, &p.verifier).await;
    let token = body["access_token"].as_str().unwrap();
    let r = sb
        .dv_get("slow", "/api/data/v9.2/$metadata", Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-length").is_none());
    assert_eq!(r.headers()["transfer-encoding"], "chunked");
    assert_eq!(r.text().await.unwrap(), CSDL);
}

#[tokio::test]
async fn misc_pages_and_hosts() {
    let sb = start().await;
    let r = sb
        .client
        .get(sb.entra("/sandbox/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = sb
        .client
        .get(sb.entra("/error?code=9002326"))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("AADSTS9002326"));
    let r = sb
        .client
        .get(sb.entra("/portal/#view/Microsoft_AAD_RegisteredApps"))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("there is no portal"));
    let r = sb
        .client
        .get(sb.env("nope", "/api/data/v9.2/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // IP host goes to Entra too.
    let r = sb
        .client
        .get(format!("http://127.0.0.1:{}/sandbox/health", sb.port))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn bin_config_file_loads_with_relative_metadata() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sandbox.toml");
    let c = Config::load(&path).unwrap();
    let env = c.environment("contoso").unwrap();
    assert!(c
        .metadata_path(env)
        .ends_with("shared/fixtures/csdl/dataverse_v9_bcgov_embc_ess_2022-10.xml"));
    assert_eq!(c.tenant("contoso.onmicrosoft.com").unwrap().id, TENANT);
}
