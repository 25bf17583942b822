//! A sandbox on an ephemeral port and the calls the wizard makes to it, shared by the test files
//! that check the documented contracts of Dataverse, Graph and Entra.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::LOCATION;
use reqwest::{Client, Method, StatusCode};
use sandbox::Config;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const ALEX: &str = "dddddddd-0000-4000-8000-000000000001";
pub const UMA: &str = "dddddddd-0000-4000-8000-000000000002";
/// Dana Developer: Application Developer.
pub const DANA: &str = "dddddddd-0000-4000-8000-000000000005";
/// Cody Cloudadmin: Cloud Application Administrator.
pub const CODY: &str = "dddddddd-0000-4000-8000-000000000006";
/// Microsoft Graph's application ID.
pub const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
/// Dynamics CRM's delegated `user_impersonation` permission.
pub const USER_IMPERSONATION: &str = "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4";
/// The Graph permissions of the setup app (`aaaaaaaa-…-0030`), all admin-consented.
pub const GRAPH_SETUP: &[&str] = &[
    "Application.Read.All",
    "Directory.Read.All",
    "Application.ReadWrite.All",
    "DelegatedPermissionGrant.ReadWrite.All",
];
pub const SPA_REDIRECT: &str = "http://localhost:8080/auth/callback";
pub const ORIGIN: &str = "http://localhost:8080";
pub const BU: &str = "ffffffff-0000-4000-8000-000000000001";
pub const DYNAMICS: &str = "00000007-0000-0000-c000-000000000000";
/// The Graph permissions the wizard asks for to read the registration and its grants.
pub const GRAPH_READ: &[&str] = &["Application.Read.All", "Directory.Read.All"];

pub fn app(nn: &str) -> String {
    format!("aaaaaaaa-0000-4000-8000-0000000000{nn}")
}

pub struct Sb {
    pub port: u16,
    pub client: Client,
}

pub async fn start() -> Sb {
    start_with(Config::builtin()).await
}

pub async fn start_with(config: Config) -> Sb {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(sandbox::serve(config, listener));
    let lo = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    for host in ["localhost", "graph.localhost", "globaldisco.localhost"] {
        b = b.resolve(host, lo);
    }
    for org in [
        "contoso",
        "contosotest",
        "archive",
        "restricted",
        "busy",
        "fabrikam",
        "slow",
        "woodgrove",
        "nope",
    ] {
        b = b.resolve(&format!("{org}.crm.localhost"), lo);
    }
    Sb {
        port,
        client: b.build().unwrap(),
    }
}

/// The built-in configuration with every environment serving `csdl` (written to a temp file).
pub fn config_with_csdl(csdl: &str, tag: &str) -> Config {
    config_with_csdl_file(csdl, tag).0
}

/// [`config_with_csdl`], and the temp file it serves (named by `tag`), for a test to rewrite.
pub fn config_with_csdl_file(csdl: &str, tag: &str) -> (Config, PathBuf) {
    let path = std::env::temp_dir().join(format!("sandbox-{tag}-{}.xml", std::process::id()));
    std::fs::write(&path, csdl).unwrap();
    let mut config = Config::builtin();
    config.override_metadata(&path);
    (config, path)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

pub fn claims(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

/// The PKCE code verifier the helpers use for `client` and `user`.
pub fn verifier(client: &str, user: &str) -> String {
    format!("verifier-{client}-{user}-0123456789abcdefghijklmnopqrstuvwxyz")
}

/// The PKCE `S256` code challenge of `verifier`.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The query parameters of a redirect's `Location` (none when it has no `?`).
pub fn query_of(location: &str) -> HashMap<String, String> {
    let q = location.split_once('?').map(|x| x.1).unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

impl Sb {
    pub fn entra(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }
    pub fn graph_origin(&self) -> String {
        format!("http://graph.localhost:{}", self.port)
    }
    pub fn graph(&self, path: &str) -> String {
        format!("{}/v1.0/{path}", self.graph_origin())
    }
    pub fn env(&self, org: &str) -> String {
        format!("http://{org}.crm.localhost:{}", self.port)
    }
    pub fn api(&self, org: &str, path: &str) -> String {
        format!("{}/api/data/v9.2/{path}", self.env(org))
    }
    /// `http://globaldisco.localhost:{port}`: the Global Discovery Service's base.
    pub fn disco(&self) -> String {
        format!("http://globaldisco.localhost:{}", self.port)
    }
    /// A URL of the Global Discovery Service's API (`{base}/api/discovery/v2.0/{path}`).
    pub fn disco_api(&self, path: &str) -> String {
        format!("{}/api/discovery/v2.0/{path}", self.disco())
    }

    /// Sign in as `user` to `client` (SPA, PKCE) for `org`; the token endpoint's whole answer.
    pub async fn sign_in_answer(&self, client: &str, user: &str, org: &str) -> Answer {
        let scope = format!(
            "{}/user_impersonation openid profile offline_access",
            self.env(org)
        );
        self.sign_in_scope_answer(client, user, &scope).await
    }

    /// The authorize answer (the redirect) of `user` signing in to `client` for `scope`.
    pub async fn authorize_answer(&self, client: &str, user: &str, scope: &str) -> Answer {
        let form = [
            ("client_id", client.to_string()),
            ("response_type", "code".into()),
            ("redirect_uri", SPA_REDIRECT.into()),
            ("scope", scope.into()),
            ("state", "s".into()),
            ("code_challenge", challenge(&verifier(client, user))),
            ("code_challenge_method", "S256".into()),
            ("user", user.into()),
        ];
        let r = self
            .client
            .post(self.entra(&format!("/{TENANT}/oauth2/v2.0/authorize")))
            .form(&form)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    /// Sign in as `user` to `client` (SPA, PKCE) for `scope`; the token endpoint's whole answer.
    pub async fn sign_in_scope_answer(&self, client: &str, user: &str, scope: &str) -> Answer {
        let r = self.authorize_answer(client, user, scope).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
        let loc = r.headers[LOCATION].to_str().unwrap().to_string();
        let code = query_of(&loc)
            .get("code")
            .unwrap_or_else(|| panic!("no code: {loc}"))
            .clone();
        let a = self
            .token(
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", client),
                    ("code", &code),
                    ("redirect_uri", SPA_REDIRECT),
                    ("code_verifier", &verifier(client, user)),
                ],
                Some(ORIGIN),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a
    }

    /// (access token, refresh token) for `client` signed in as `user` to `org`.
    pub async fn sign_in(&self, client: &str, user: &str, org: &str) -> (String, String) {
        let a = self.sign_in_answer(client, user, org).await;
        (
            a.body["access_token"].as_str().unwrap().to_string(),
            a.body["refresh_token"].as_str().unwrap().to_string(),
        )
    }

    pub async fn token(&self, form: &[(&str, &str)], origin: Option<&str>) -> Answer {
        let mut req = self
            .client
            .post(self.entra(&format!("/{TENANT}/oauth2/v2.0/token")))
            .form(form);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        answer(req.send().await.unwrap()).await
    }

    /// The token endpoint's answer for a Graph token, from a refresh token of `client`.
    pub async fn graph_token_answer(&self, client: &str, rt: &str, scopes: &[&str]) -> Answer {
        let scope: Vec<String> = scopes
            .iter()
            .map(|s| format!("{}/{s}", self.graph_origin()))
            .collect();
        let a = self
            .token(
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", client),
                    ("refresh_token", rt),
                    ("scope", &scope.join(" ")),
                ],
                Some(ORIGIN),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a
    }

    /// A Graph token for `scopes` of `client` signed in as `user` (signed in to `org` first).
    pub async fn graph_token(
        &self,
        client: &str,
        user: &str,
        org: &str,
        scopes: &[&str],
    ) -> String {
        let (_, rt) = self.sign_in(client, user, org).await;
        let a = self.graph_token_answer(client, &rt, scopes).await;
        a.body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn call_with(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method, url)
            .header("Origin", ORIGIN)
            .header("Accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        answer(req.send().await.unwrap()).await
    }

    /// [`Sb::call_with`] without further headers.
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        self.call_with(method, url, token, &[], body).await
    }

    pub async fn get(&self, url: &str, token: &str) -> Answer {
        self.call_with(Method::GET, url, Some(token), &[], None)
            .await
    }

    /// GET bypassing Dataverse's cache of expanded collections.
    pub async fn get_fresh(&self, url: &str, token: &str) -> Answer {
        self.call_with(
            Method::GET,
            url,
            Some(token),
            &[("If-None-Match", "null")],
            None,
        )
        .await
    }

    pub async fn post(&self, url: &str, token: &str, body: Value) -> Answer {
        self.call_with(Method::POST, url, Some(token), &[], Some(body))
            .await
    }

    /// Graph `addPassword` on the registration of `client`, addressed by its appId.
    pub async fn add_password(&self, token: &str, client: &str, body: Option<Value>) -> Answer {
        let url = self.graph(&format!("applications(appId='{client}')/addPassword"));
        self.call(Method::POST, &url, Some(token), body).await
    }

    /// Give the system user `id` of `org` the role `role_id` (`systemuserroles_association/$ref`).
    pub async fn add_role(&self, org: &str, token: &str, id: &str, role_id: &str) -> Answer {
        self.post(
            &self.api(
                org,
                &format!("systemusers({id})/systemuserroles_association/$ref"),
            ),
            token,
            serde_json::json!({"@odata.id": self.api(org, &format!("roles({role_id})"))}),
        )
        .await
    }

    /// A Graph token of the setup app (`…0030`, every setup permission) for `user`.
    pub async fn setup_token(&self, user: &str) -> String {
        self.graph_token(&app("30"), user, "contoso", GRAPH_SETUP)
            .await
    }

    /// A Graph call (`path` under `/v1.0/`) with `token`.
    pub async fn graph_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Answer {
        self.call(method, &self.graph(path), Some(token), body)
            .await
    }

    /// `POST /sandbox/faults`.
    pub async fn add_fault(&self, fault: Value) -> Answer {
        let r = self
            .client
            .post(self.entra("/sandbox/faults"))
            .header("Content-Type", "application/json")
            .body(fault.to_string())
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    /// The object ID of Dynamics CRM's service principal in the tenant.
    pub async fn dynamics_sp(&self, token: &str) -> String {
        let a = self
            .get(
                &self.graph(&format!("servicePrincipals(appId='{DYNAMICS}')?$select=id")),
                token,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["id"].as_str().unwrap().to_string()
    }

    pub async fn reset(&self) {
        let r = self
            .client
            .post(self.entra("/sandbox/reset"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text.clone())),
        text,
    }
}

/// Graph's refusal: `403 Authorization_RequestDenied` with its message and `innerError`.
pub fn assert_denied(a: &Answer) {
    assert_graph_code(
        a,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        Some("Insufficient privileges to complete the operation."),
    );
}

/// A Graph error answer: `{"error":{"code","message","innerError":{date, request-id, …}}}`.
pub fn assert_graph_code(a: &Answer, status: StatusCode, code: &str, message: Option<&str>) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["error"]["code"], code, "{}", a.text);
    if let Some(m) = message {
        assert_eq!(a.body["error"]["message"], m, "{}", a.text);
    }
    assert!(
        a.body["error"]["innerError"]["request-id"].is_string(),
        "{}",
        a.text
    );
}

/// The UUID in `v` (a JSON string), checked.
pub fn guid(v: &Value) -> String {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    uuid_like(s);
    s.to_string()
}

fn uuid_like(s: &str) {
    let parts: Vec<usize> = s.split('-').map(str::len).collect();
    assert_eq!(parts, [8, 4, 4, 4, 12], "not a GUID: {s}");
    assert!(s.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{s}");
}

/// The built-in configuration with Graph writes replicated at once (no lag).
pub fn config_without_lag() -> Config {
    let mut c = Config::builtin();
    c.replication_lag_ms = Some(0);
    c
}

/// A Dataverse error answer: `{"error":{"code","message"}}` with this status and code.
pub fn assert_dataverse_error(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["error"]["code"], code, "{}", a.text);
    assert!(a.body["error"]["message"].is_string(), "{}", a.text);
}

/// The query for an application user with its own roles expanded, not its teams.
pub fn app_user_roles_query(client_id: &str) -> String {
    format!(
        "systemusers?$filter=applicationid%20eq%20{client_id}&$select=systemuserid,fullname,isdisabled,accessmode,applicationid,azureactivedirectoryobjectid,_businessunitid_value&$expand=systemuserroles_association($select=roleid,name)"
    )
}

/// The query the wizard sends for an application user, with roles and teams expanded.
pub fn app_user_query(client_id: &str) -> String {
    format!(
        "{},teammembership_association($select=teamid,name;$expand=teamroles_association($select=roleid,name))",
        app_user_roles_query(client_id)
    )
}

/// The body the wizard posts to create an application user.
pub fn create_body(client_id: &str, bu: &str) -> Value {
    serde_json::json!({
        "applicationid": client_id,
        "accessmode": 4,
        "isdisabled": false,
        "businessunitid@odata.bind": format!("/businessunits({bu})"),
    })
}

/// The `systemuserid` of an application (or a user) in an environment of the built-in config.
pub fn user_id(org: &str, entra_id: &str) -> String {
    let config = Config::builtin();
    sandbox::dataverse::system_user_id(config.environment(org).unwrap(), entra_id)
}

/// `RetrieveUserPrivileges` of the system user `id` in contoso: the privileges of its own roles.
pub fn own_url(sb: &Sb, id: &str) -> String {
    sb.api(
        "contoso",
        &format!("systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()"),
    )
}

/// `RetrieveUserSetOfPrivilegesByNames` of the system user `id` in contoso, for `names`.
pub fn by_names_url(sb: &Sb, id: &str, names: &[&str]) -> String {
    let list = serde_json::to_string(names).unwrap();
    let encoded: String = url::form_urlencoded::byte_serialize(list.as_bytes()).collect();
    sb.api(
        "contoso",
        &format!("systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)?@p={encoded}"),
    )
}

/// `name:Depth` of each entry of `RolePrivileges`.
pub fn held(a: &Answer) -> Vec<String> {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["RolePrivileges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["PrivilegeName"].as_str().unwrap(),
                p["Depth"].as_str().unwrap()
            )
        })
        .collect()
}
