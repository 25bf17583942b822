//! Entra ID v2.0 emulation: discovery, authorize (sign-in/consent pages), token, and a few
//! informational pages. Validation order and error texts follow what Entra returns; where the
//! real behaviour is unknown the choice is documented in `sandbox/README.md`.

use crate::config::{App, Platform, Tenant, User};
use crate::{cors, pages, AppState};
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// Dynamics CRM (Dataverse) first-party application ID.
pub const DYNAMICS_APP_ID: &str = "00000007-0000-0000-c000-000000000000";
/// Microsoft Graph application ID.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const PERMISSION: &str = "Access Dynamics 365 as organization users (user_impersonation)";
const SPA_REFRESH_LIFETIME: u64 = 24 * 3600;
const ERROR_ORDER: &[&str] = &[
    "error",
    "error_description",
    "error_codes",
    "timestamp",
    "trace_id",
    "correlation_id",
    "error_uri",
];
const TOKEN_ORDER: &[&str] = &[
    "token_type",
    "scope",
    "expires_in",
    "ext_expires_in",
    "access_token",
    "refresh_token",
    "refresh_token_expires_in",
    "id_token",
];
const DISCOVERY_ORDER: &[&str] = &[
    "token_endpoint",
    "token_endpoint_auth_methods_supported",
    "jwks_uri",
    "response_modes_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "response_types_supported",
    "scopes_supported",
    "issuer",
    "request_uri_parameter_supported",
    "userinfo_endpoint",
    "authorization_endpoint",
    "device_authorization_endpoint",
    "http_logout_supported",
    "frontchannel_logout_supported",
    "end_session_endpoint",
    "claims_supported",
    "kerberos_endpoint",
    "tenant_region_scope",
    "cloud_instance_name",
    "cloud_graph_host_name",
    "msgraph_host",
    "rbac_url",
];
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

type S = Arc<AppState>;

pub fn router(state: S) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/sandbox/health", get(|| async { "ok" }))
        .route("/sandbox/reset", post(reset))
        .route("/sandbox/config", get(config_json))
        .route("/error", get(error_page))
        .route("/portal", get(portal))
        .route("/portal/", get(portal))
        .route("/portal/{*rest}", get(portal))
        .route("/admin", get(portal))
        .route("/admin/", get(portal))
        .route("/admin/{*rest}", get(portal))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize_get).post(authorize_post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize/submit",
            post(authorize_post),
        )
        .route("/{tenant}/oauth2/v2.0/token", any(token))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        .route("/{tenant}/oauth2/authorize", get(v1_authorize))
        .route("/{tenant}/oauth2/token", any(v1_token))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> Response {
    pages::html(
        StatusCode::NOT_FOUND,
        pages::info(
            "Not found",
            &["The sandbox's Entra ID emulation has no page here. See / for the endpoints."],
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Run-time grants

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub platform: Platform,
    pub scopes: RequestedScopes,
    pub code_challenge: Option<String>,
    pub code_challenge_method: String,
    pub user_oid: String,
    pub nonce: Option<String>,
    pub issued_at: u64,
    pub redeemed: bool,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub platform: Platform,
    pub scopes: RequestedScopes,
    pub user_oid: String,
    /// SPA refresh tokens expire 24 h after the original sign-in, carried over on refresh.
    pub session_start: u64,
}

/// The resource a `scope` parameter asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A configured Dataverse environment (its org name).
    Dataverse(String),
    /// Microsoft Graph (plain scopes such as `User.Read`, or OIDC scopes only).
    Graph,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedScopes {
    pub resource: Resource,
    /// Permission names on the resource (`user_impersonation`, `.default`, `User.Read`).
    pub permissions: Vec<String>,
    pub openid: bool,
    pub offline_access: bool,
    pub raw: String,
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string()
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).expect("random");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

// ---------------------------------------------------------------------------------------------
// Errors

/// One Entra error: the OAuth `error`, the AADSTS number and its message.
#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

impl AadError {
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> AadError {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        AadError {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    fn missing(param: &str) -> AadError {
        AadError::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }
}

/// Trace/correlation IDs and timestamp attached to one error.
struct Trace {
    trace_id: String,
    correlation_id: String,
    timestamp: String,
}

impl Trace {
    fn new(headers: &HeaderMap) -> Trace {
        let correlation_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| uuid::Uuid::parse_str(v).is_ok())
            .map(str::to_string)
            .unwrap_or_else(uuid);
        Trace {
            trace_id: uuid(),
            correlation_id,
            timestamp: timestamp(),
        }
    }

    fn describe(&self, e: &AadError) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            e.code, e.message, self.trace_id, self.correlation_id, self.timestamp
        )
    }
}

fn error_uri(state: &AppState, code: u32) -> String {
    format!("{}/error?code={code}", state.entra_origin())
}

/// The JSON error body of the token and discovery endpoints.
fn error_json(state: &AppState, headers: &HeaderMap, e: &AadError) -> Response {
    let t = Trace::new(headers);
    let body = json!({
        "error": e.error,
        "error_description": t.describe(e),
        "error_codes": [e.code],
        "timestamp": t.timestamp,
        "trace_id": t.trace_id,
        "correlation_id": t.correlation_id,
        "error_uri": error_uri(state, e.code),
    });
    let body = crate::ordered_json(&body, ERROR_ORDER);
    let mut resp = (e.status, json_headers(), body).into_response();
    resp.headers_mut().insert(
        "client-request-id",
        HeaderValue::from_str(&t.correlation_id).expect("uuid header"),
    );
    resp
}

fn json_headers() -> [(header::HeaderName, &'static str); 3] {
    [
        (header::CONTENT_TYPE, "application/json; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store, no-cache"),
        (header::PRAGMA, "no-cache"),
    ]
}

/// The HTML error page Entra shows when it cannot redirect.
fn error_page_response(headers: &HeaderMap, e: &AadError) -> Response {
    let t = Trace::new(headers);
    pages::html(
        e.status,
        pages::sign_in_error(
            &format!("AADSTS{}: {}", e.code, e.message),
            &t.trace_id,
            &t.correlation_id,
            &t.timestamp,
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Tenants

/// A `{tenant}` path segment: a GUID or domain of a configured tenant, or `common`/`organizations`.
enum TenantRef<'a> {
    Known(&'a Tenant),
    Multi(&'static str),
}

fn resolve_tenant<'a>(state: &'a AppState, key: &str) -> Result<TenantRef<'a>, AadError> {
    match key.to_ascii_lowercase().as_str() {
        "common" => return Ok(TenantRef::Multi("common")),
        "organizations" => return Ok(TenantRef::Multi("organizations")),
        _ => {}
    }
    state
        .config
        .tenant(key)
        .map(TenantRef::Known)
        .ok_or_else(|| tenant_not_found(key))
}

fn tenant_not_found(key: &str) -> AadError {
    AadError::new(
        "invalid_tenant",
        90002,
        format!(
            "Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are \
             signing into the correct cloud. Check with your subscription administrator, this may \
             happen if there are no active subscriptions for the tenant."
        ),
    )
}

/// Find the app in the tenant (or, for `common`/`organizations`, in whichever tenant owns it).
fn find_app<'a>(
    state: &'a AppState,
    tenant: &TenantRef<'a>,
    client_id: &str,
) -> Result<(&'a Tenant, &'a App), AadError> {
    let found = match tenant {
        TenantRef::Known(t) => t.app(client_id).map(|a| (*t, a)),
        TenantRef::Multi(_) => state.config.app_anywhere(client_id),
    };
    found.ok_or_else(|| {
        let dir = match tenant {
            TenantRef::Known(t) => t.name.as_str(),
            TenantRef::Multi(m) => m,
        };
        AadError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{dir}'. \
                 This can happen if the application has not been installed by the administrator of \
                 the tenant or consented to by any user in the tenant. You may have sent your \
                 authentication request to the wrong tenant."
            ),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Scopes

/// Parse a `scope` parameter against the tenant's environments.
pub fn parse_scopes(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    scope: &str,
) -> Result<RequestedScopes, AadError> {
    let mut openid = false;
    let mut offline_access = false;
    let mut resources: Vec<(Resource, String)> = Vec::new();
    let mut unknown_resource: Option<String> = None;
    for s in scope.split_whitespace() {
        let lower = s.to_ascii_lowercase();
        if OIDC_SCOPES.contains(&lower.as_str()) {
            openid |= lower == "openid";
            offline_access |= lower == "offline_access";
            continue;
        }
        let Some(scheme_end) = s.find("://") else {
            resources.push((Resource::Graph, s.to_string()));
            continue;
        };
        let after = &s[scheme_end + 3..];
        let (resource_uri, perm) = match after.rfind('/') {
            Some(i) => (&s[..scheme_end + 3 + i], &after[i + 1..]),
            None => (s, ""),
        };
        let resource_uri = resource_uri.trim_end_matches('/');
        match dataverse_org(state, resource_uri) {
            Some(org) => resources.push((Resource::Dataverse(org), perm.to_string())),
            None => {
                unknown_resource.get_or_insert(resource_uri.to_string());
                resources.push((Resource::Graph, s.to_string()));
            }
        }
    }
    let mut distinct: Vec<&Resource> = Vec::new();
    for (r, _) in &resources {
        if !distinct.contains(&r) {
            distinct.push(r);
        }
    }
    if let Some(uri) = unknown_resource {
        return Err(resource_not_found(&uri, tenant));
    }
    if distinct.len() > 1 {
        return Err(AadError::new(
            "invalid_scope",
            28000,
            format!(
                "Provided value for the input parameter scope is not valid because it contains more \
                 than one resource. Scope {scope} is not valid."
            ),
        ));
    }
    let resource = distinct
        .first()
        .map(|r| (*r).clone())
        .unwrap_or(Resource::Graph);
    if let Resource::Dataverse(org) = &resource {
        let env = state.config.environment(org).expect("known org");
        if env.tenant != tenant.id {
            return Err(resource_not_found(&state.env_origin(org), tenant));
        }
        for (_, perm) in &resources {
            if perm != "user_impersonation" && perm != ".default" {
                return Err(AadError::new(
                    "invalid_client",
                    650053,
                    format!(
                        "The application '{}' asked for scope '{perm}' that doesn't exist on the \
                         resource '{DYNAMICS_APP_ID}'. Contact the app vendor.",
                        app.name
                    ),
                ));
            }
        }
    }
    Ok(RequestedScopes {
        resource,
        permissions: resources.into_iter().map(|(_, p)| p).collect(),
        openid,
        offline_access,
        raw: scope.to_string(),
    })
}

/// The org whose origin is exactly `uri` (scheme, host and port; host case-insensitive).
fn dataverse_org(state: &AppState, uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    if url.scheme() != "http" || url.path() != "/" && !url.path().is_empty() {
        return None;
    }
    if url.port_or_known_default() != Some(state.port) {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let org = host.strip_suffix(".crm.localhost")?;
    state.config.environment(org).map(|e| e.org.clone())
}

fn resource_not_found(uri: &str, tenant: &Tenant) -> AadError {
    AadError::new(
        "invalid_resource",
        500011,
        format!(
            "The resource principal named {uri} was not found in the tenant named {}. This can \
             happen if the application has not been installed by the administrator of the tenant \
             or consented to by any user in the tenant. You might have sent your authentication \
             request to the wrong tenant.",
            tenant.name
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Discovery

async fn openid_configuration(
    State(state): State<S>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (path_id, issuer_id, region) = match resolve_tenant(&state, &tenant) {
        Ok(TenantRef::Known(t)) => (t.id.clone(), t.id.clone(), Value::from("WW")),
        Ok(TenantRef::Multi(m)) => (m.to_string(), "{tenantid}".to_string(), Value::Null),
        Err(e) => {
            let mut r = error_json(&state, &headers, &e);
            r.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            return r;
        }
    };
    let o = state.entra_origin();
    let doc = json!({
        "token_endpoint": format!("{o}/{path_id}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{o}/{path_id}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["HS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{o}/{issuer_id}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{o}/{path_id}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{o}/{path_id}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{o}/{path_id}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
            "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce",
            "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{o}/{path_id}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net"
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "max-age=86400, private"),
        ],
        crate::ordered_json(&doc, DISCOVERY_ORDER),
    )
        .into_response()
}

async fn jwks() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        r#"{"keys":[]}"#,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Authorize

/// Query parameters of `/authorize`, plus the fields the sign-in and consent forms post back.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub response_type: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub response_mode: Option<String>,
    pub nonce: Option<String>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    // form fields
    pub user: Option<String>,
    pub cancel: Option<String>,
    pub consent: Option<String>,
    pub consent_org: Option<String>,
}

impl AuthorizeParams {
    fn hidden(&self, with_user: bool) -> String {
        let user = if with_user { self.user.clone() } else { None };
        pages::hidden_fields(&[
            ("client_id", &self.client_id),
            ("response_type", &self.response_type),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("prompt", &self.prompt),
            ("response_mode", &self.response_mode),
            ("nonce", &self.nonce),
            ("login_hint", &self.login_hint),
            ("user", &user),
        ])
    }
}

/// Where and how to send the authorize result back to the app.
struct Reply {
    redirect_uri: String,
    mode: String,
    state: Option<String>,
}

impl Reply {
    fn send(&self, mut params: Vec<(String, String)>) -> Response {
        if let Some(s) = &self.state {
            params.push(("state".into(), s.clone()));
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .finish();
        match self.mode.as_str() {
            "form_post" => pages::html(
                StatusCode::OK,
                pages::form_post(&self.redirect_uri, &params),
            ),
            "fragment" => {
                let base = self.redirect_uri.split('#').next().unwrap_or_default();
                Redirect::to(&format!("{base}#{encoded}")).into_response()
            }
            _ => {
                let sep = if self.redirect_uri.contains('?') {
                    '&'
                } else {
                    '?'
                };
                let base = self.redirect_uri.split('#').next().unwrap_or_default();
                Redirect::to(&format!("{base}{sep}{encoded}")).into_response()
            }
        }
        .with_status_found()
    }

    fn error(&self, state: &AppState, headers: &HeaderMap, e: &AadError) -> Response {
        let t = Trace::new(headers);
        self.send(vec![
            ("error".into(), e.error.to_string()),
            ("error_description".into(), t.describe(e)),
            ("error_uri".into(), error_uri(state, e.code)),
        ])
    }
}

trait FoundExt {
    fn with_status_found(self) -> Response;
}
impl FoundExt for Response {
    /// Entra answers with 302 Found (axum's `Redirect::to` is 303).
    fn with_status_found(mut self) -> Response {
        if self.status() == StatusCode::SEE_OTHER {
            *self.status_mut() = StatusCode::FOUND;
        }
        self
    }
}

async fn authorize_get(
    State(state): State<S>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    authorize(&state, &tenant, &headers, params, false)
}

async fn authorize_post(
    State(state): State<S>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params: AuthorizeParams = serde_urlencoded_from(&body).unwrap_or_default();
    authorize(&state, &tenant, &headers, params, true)
}

fn serde_urlencoded_from<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ()> {
    let map: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let v = Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    );
    serde_json::from_value(v).map_err(|_| ())
}

fn authorize(
    state: &AppState,
    tenant_key: &str,
    headers: &HeaderMap,
    p: AuthorizeParams,
    is_post: bool,
) -> Response {
    // 1. Errors Entra shows on its own page (it cannot trust the redirect URI yet).
    let tref = match resolve_tenant(state, tenant_key) {
        Ok(t) => t,
        Err(e) => return error_page_response(headers, &e),
    };
    let Some(client_id) = p.client_id.as_deref().filter(|s| !s.is_empty()) else {
        return error_page_response(headers, &AadError::missing("client_id"));
    };
    let (tenant, app) = match find_app(state, &tref, client_id) {
        Ok(x) => x,
        Err(e) => return error_page_response(headers, &e),
    };
    let Some(redirect_uri) = p.redirect_uri.as_deref().filter(|s| !s.is_empty()) else {
        return error_page_response(headers, &AadError::missing("redirect_uri"));
    };
    let Some(registration) = app.redirect(redirect_uri) else {
        return error_page_response(
            headers,
            &AadError::new(
                "invalid_request",
                50011,
                format!(
                    "The redirect URI '{redirect_uri}' specified in the request does not match the \
                     redirect URIs configured for the application '{}'. Make sure the redirect URI \
                     sent in the request matches one added to your application in the Azure portal. \
                     Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to \
                     fix this.",
                    app.client_id
                ),
            ),
        );
    };

    // 2. From here on errors go back to the app.
    let reply = Reply {
        redirect_uri: redirect_uri.to_string(),
        mode: p
            .response_mode
            .clone()
            .filter(|m| matches!(m.as_str(), "query" | "fragment" | "form_post"))
            .unwrap_or_else(|| "query".into()),
        state: p.state.clone(),
    };
    let fail = |e: AadError| reply.error(state, headers, &e);

    let response_type = p.response_type.as_deref().unwrap_or("");
    if response_type.is_empty() {
        return fail(AadError::missing("response_type"));
    }
    let kinds: Vec<&str> = response_type.split_whitespace().collect();
    if kinds.contains(&"token") {
        return fail(AadError::new(
            "unsupported_response_type",
            700051,
            "response_type 'token' is not enabled for the application.",
        ));
    }
    if kinds.contains(&"id_token") {
        return fail(AadError::new(
            "unsupported_response_type",
            700054,
            "response_type 'id_token' is not enabled for the application.",
        ));
    }
    if kinds != ["code"] {
        return fail(AadError::new(
            "unsupported_response_type",
            70005,
            format!("response_type '{response_type}' is not supported."),
        ));
    }
    let method = p
        .code_challenge_method
        .clone()
        .unwrap_or_else(|| "plain".to_string());
    if p.code_challenge.is_some() && method != "S256" && method != "plain" {
        return fail(AadError::new(
            "invalid_request",
            50149,
            "Invalid Code_Challenge_method parameter.",
        ));
    }
    if registration.platform == Platform::Spa
        && p.code_challenge.as_deref().unwrap_or("").is_empty()
    {
        return fail(AadError::new(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        ));
    }
    let Some(scope) = p.scope.as_deref().filter(|s| !s.trim().is_empty()) else {
        return fail(AadError::missing("scope"));
    };
    let scopes = match parse_scopes(state, tenant, app, scope) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if p.prompt.as_deref() == Some("none") {
        return fail(AadError::new(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        ));
    }

    let action = format!("/{tenant_key}/oauth2/v2.0/authorize");
    let sign_in_page = || {
        pages::html(
            StatusCode::OK,
            pages::sign_in(&pages::SignInPage {
                tenant_name: &tenant.name,
                app_name: &app.name,
                client_id: &app.client_id,
                permission: permission_text(&scopes),
                action: &action,
                hidden: p.hidden(false),
                users: tenant
                    .users
                    .iter()
                    .map(|u| (u.oid.as_str(), u.name.as_str(), u.upn.as_str()))
                    .collect(),
            }),
        )
    };
    if !is_post {
        return sign_in_page();
    }

    // 3. The form came back.
    let declined = AadError::new(
        "access_denied",
        65004,
        "User declined to consent to access the app.",
    );
    if p.cancel.is_some() || p.consent.as_deref() == Some("decline") {
        return fail(declined);
    }
    let Some(user) = p.user.as_deref().and_then(|oid| tenant.user(oid)) else {
        return sign_in_page();
    };
    let needs_consent = matches!(scopes.resource, Resource::Dataverse(_));
    let granted = !needs_consent || app.consented || {
        let store = state.store();
        store.consents.contains(&(app.client_id.clone(), None))
            || store
                .consents
                .contains(&(app.client_id.clone(), Some(user.oid.clone())))
    };
    if p.consent.as_deref() == Some("accept") {
        if !granted && !user.is_admin {
            return fail(consent_required(app));
        }
        let org_wide = user.is_admin && p.consent_org.as_deref() == Some("on");
        state.store().consents.insert((
            app.client_id.clone(),
            if org_wide {
                None
            } else {
                Some(user.oid.clone())
            },
        ));
        return issue_code(
            state,
            &reply,
            tenant,
            app,
            registration.platform,
            scopes,
            user,
            &p,
        );
    }
    let force_consent = p.prompt.as_deref() == Some("consent");
    if !granted && !user.is_admin {
        return fail(consent_required(app));
    }
    if !granted || force_consent {
        return pages::html(
            StatusCode::OK,
            pages::consent(&pages::ConsentPage {
                app_name: &app.name,
                client_id: &app.client_id,
                user_name: &user.name,
                user_upn: &user.upn,
                permission: permission_text(&scopes),
                is_admin: user.is_admin,
                action: &action,
                hidden: p.hidden(true),
            }),
        );
    }
    issue_code(
        state,
        &reply,
        tenant,
        app,
        registration.platform,
        scopes,
        user,
        &p,
    )
}

fn permission_text(scopes: &RequestedScopes) -> &'static str {
    match scopes.resource {
        Resource::Dataverse(_) => PERMISSION,
        Resource::Graph => "Sign you in and read your profile",
    }
}

fn consent_required(app: &App) -> AadError {
    AadError::new(
        "consent_required",
        65001,
        format!(
            "The user or administrator has not consented to use the application with ID '{}' named \
             '{}'. Send an interactive authorization request for this user and resource.",
            app.client_id, app.name
        ),
    )
}

#[allow(clippy::too_many_arguments)]
fn issue_code(
    state: &AppState,
    reply: &Reply,
    tenant: &Tenant,
    app: &App,
    platform: Platform,
    scopes: RequestedScopes,
    user: &User,
    p: &AuthorizeParams,
) -> Response {
    let code = random_token("0.ASBX", 96);
    state.store().codes.insert(
        code.clone(),
        CodeGrant {
            tenant_id: tenant.id.clone(),
            client_id: app.client_id.clone(),
            redirect_uri: reply.redirect_uri.clone(),
            platform,
            scopes,
            code_challenge: p.code_challenge.clone().filter(|c| !c.is_empty()),
            code_challenge_method: p
                .code_challenge_method
                .clone()
                .unwrap_or_else(|| "plain".into()),
            user_oid: user.oid.clone(),
            nonce: p.nonce.clone(),
            issued_at: now(),
            redeemed: false,
        },
    );
    reply.send(vec![
        ("code".into(), code),
        ("session_state".into(), uuid()),
    ])
}

// ---------------------------------------------------------------------------------------------
// Token

async fn token(
    State(state): State<S>,
    Path(tenant): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::OPTIONS {
        return cors::token_preflight(&headers);
    }
    let origin = cors::origin(&headers);
    let mut resp = if method != Method::POST {
        error_json(
            &state,
            &headers,
            &AadError::new(
                "invalid_request",
                900561,
                "The endpoint only accepts POST requests. Received a GET request.",
            ),
        )
    } else {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        match token_grant(&state, &tenant, &headers, &form) {
            Ok(body) => {
                let body = crate::ordered_json(&body, TOKEN_ORDER);
                (StatusCode::OK, json_headers(), body).into_response()
            }
            Err(e) => error_json(&state, &headers, &e),
        }
    };
    cors::allow_origin(&mut resp, origin.as_ref());
    resp
}

fn token_grant(
    state: &AppState,
    tenant_key: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Value, AadError> {
    let param = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    let tref = resolve_tenant(state, tenant_key)?;
    let grant_type = param("grant_type").ok_or_else(|| AadError::missing("grant_type"))?;
    if !matches!(
        grant_type,
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
        return Err(AadError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        ));
    }
    let client_id = param("client_id").ok_or_else(|| AadError::missing("client_id"))?;
    let (tenant, app) = find_app(state, &tref, client_id)?;
    let secret = param("client_secret");
    match grant_type {
        "authorization_code" => redeem_code(state, tenant, app, origin.as_deref(), secret, &param),
        "refresh_token" => redeem_refresh(state, tenant, app, origin.as_deref(), &param),
        _ => client_credentials(
            state,
            tenant,
            app,
            origin.as_deref(),
            secret,
            param("scope"),
        ),
    }
}

fn cross_origin_only_spa(origin: &str) -> AadError {
    AadError::new(
        "invalid_request",
        9002326,
        format!(
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' \
             client-type. Request origin: '{origin}'."
        ),
    )
}

/// Entra's client-type rules for redeeming a grant issued to a redirect URI of `platform`.
fn check_client_type(
    platform: Platform,
    origin: Option<&str>,
    secret: Option<&str>,
    app: &App,
) -> Result<(), AadError> {
    match (platform, origin) {
        (Platform::Spa, None) => Err(AadError::new(
            "invalid_request",
            9002327,
            "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via \
             cross-origin requests.",
        )),
        (Platform::Spa, Some(_)) if secret.is_some() => Err(AadError::new(
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        )),
        (Platform::Spa, Some(_)) => Ok(()),
        (_, Some(o)) => Err(cross_origin_only_spa(o)),
        (Platform::Web, None) => check_secret(app, secret, false),
        (Platform::Native, None) => Ok(()),
    }
}

fn check_secret(app: &App, secret: Option<&str>, client_credentials: bool) -> Result<(), AadError> {
    let Some(secret) = secret else {
        return Err(if client_credentials {
            AadError::new(
                "invalid_client",
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the \
                 'client_credentials' grant type.",
            )
        } else {
            AadError::new(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or \
                 'client_secret'.",
            )
        });
    };
    if app.secrets.iter().any(|s| s.value == secret) {
        Ok(())
    } else {
        Err(AadError::new(
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the \
                 client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.client_id
            ),
        ))
    }
}

fn redeem_code<'a>(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    origin: Option<&str>,
    secret: Option<&str>,
    param: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<Value, AadError> {
    let code = param("code").ok_or_else(|| AadError::missing("code"))?;
    let redirect_uri = param("redirect_uri").ok_or_else(|| AadError::missing("redirect_uri"))?;
    let grant = state.store().codes.get(code).cloned();
    let Some(grant) = grant else {
        return Err(AadError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ));
    };
    if grant.redeemed {
        return Err(AadError::new(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or \
             use an existing refresh token.",
        ));
    }
    if now() > grant.issued_at + state.config.code_lifetime_secs {
        return Err(AadError::new(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a \
             new interactive authorization request for this user and resource.",
        ));
    }
    if grant.client_id != app.client_id || grant.tenant_id != tenant.id {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The provided value for the 'code' parameter is not valid. The code was issued to a \
             different client or tenant.",
        ));
    }
    if redirect_uri != grant.redirect_uri {
        return Err(AadError::new(
            "invalid_grant",
            50011,
            format!(
                "The reply address '{redirect_uri}' does not match the reply address '{}' provided \
                 when requesting Authorization code.",
                grant.redirect_uri
            ),
        ));
    }
    check_client_type(grant.platform, origin, secret, app)?;
    if let Some(challenge) = &grant.code_challenge {
        let Some(verifier) = param("code_verifier") else {
            return Err(AadError::new(
                "invalid_grant",
                50148,
                "The code_verifier does not match the code_challenge supplied in the authorization \
                 request for PKCE.",
            ));
        };
        let computed = if grant.code_challenge_method == "S256" {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.to_string()
        };
        if &computed != challenge {
            return Err(AadError::new(
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization \
                 request.",
            ));
        }
    }
    {
        let mut store = state.store();
        match store.codes.get_mut(code) {
            Some(g) if !g.redeemed => g.redeemed = true,
            _ => return Err(AadError::new(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid \
                     code or use an existing refresh token.",
            )),
        }
    }
    let user = tenant
        .user(&grant.user_oid)
        .ok_or_else(|| AadError::new("invalid_grant", 70000, "The user no longer exists."))?;
    Ok(user_tokens(
        state,
        tenant,
        app,
        user,
        &grant.scopes,
        grant.platform,
        grant.nonce.as_deref(),
        now(),
    ))
}

fn redeem_refresh<'a>(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    origin: Option<&str>,
    param: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<Value, AadError> {
    let rt = param("refresh_token").ok_or_else(|| AadError::missing("refresh_token"))?;
    let grant = state.store().refresh_tokens.get(rt).cloned();
    let Some(grant) = grant else {
        return Err(AadError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ));
    };
    if grant.client_id != app.client_id || grant.tenant_id != tenant.id {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        ));
    }
    check_client_type(grant.platform, origin, param("client_secret"), app)?;
    if grant.platform == Platform::Spa && now() > grant.session_start + SPA_REFRESH_LIFETIME {
        return Err(AadError::new(
            "invalid_grant",
            700084,
            "The refresh token was issued to a single page app (SPA), and therefore has a fixed, \
             limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new \
             sign in request must be sent by the SPA to the sign in page.",
        ));
    }
    let scopes = match param("scope") {
        Some(s) => parse_scopes(state, tenant, app, s)?,
        None => grant.scopes.clone(),
    };
    let user = tenant
        .user(&grant.user_oid)
        .ok_or_else(|| AadError::new("invalid_grant", 70000, "The user no longer exists."))?;
    state.store().refresh_tokens.remove(rt);
    Ok(user_tokens(
        state,
        tenant,
        app,
        user,
        &scopes,
        grant.platform,
        None,
        grant.session_start,
    ))
}

fn client_credentials(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    origin: Option<&str>,
    secret: Option<&str>,
    scope: Option<&str>,
) -> Result<Value, AadError> {
    if let Some(o) = origin {
        return Err(cross_origin_only_spa(o));
    }
    let scope = scope.ok_or_else(|| AadError::missing("scope"))?;
    check_secret(app, secret, true)?;
    let scopes = parse_scopes(state, tenant, app, scope)?;
    if scopes.permissions.len() != 1 || scopes.permissions[0] != ".default" {
        return Err(AadError::new(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have \
                 a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    }
    let aud = audience(state, &scopes.resource);
    let t = now();
    let mut c = Map::new();
    c.insert("aud".into(), json!(aud));
    c.insert(
        "iss".into(),
        json!(format!("https://sts.windows.net/{}/", tenant.id)),
    );
    c.insert("iat".into(), json!(t));
    c.insert("nbf".into(), json!(t));
    c.insert("exp".into(), json!(t + state.config.token_lifetime_secs));
    c.insert("appid".into(), json!(app.client_id));
    c.insert("appidacr".into(), json!("1"));
    c.insert(
        "idp".into(),
        json!(format!("https://sts.windows.net/{}/", tenant.id)),
    );
    c.insert("idtyp".into(), json!("app"));
    c.insert("oid".into(), json!(app.service_principal_object_id));
    c.insert("sub".into(), json!(app.service_principal_object_id));
    c.insert("tid".into(), json!(tenant.id));
    c.insert("uti".into(), json!(random_token("", 16)));
    c.insert("ver".into(), json!("1.0"));
    let lifetime = state.config.token_lifetime_secs;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": state.signer.sign(&c),
    }))
}

fn audience(state: &AppState, resource: &Resource) -> String {
    match resource {
        Resource::Dataverse(org) => state.env_origin(org),
        Resource::Graph => GRAPH_APP_ID.to_string(),
    }
}

/// The success body of a delegated (user) grant.
#[allow(clippy::too_many_arguments)]
fn user_tokens(
    state: &AppState,
    tenant: &Tenant,
    app: &App,
    user: &User,
    scopes: &RequestedScopes,
    platform: Platform,
    nonce: Option<&str>,
    session_start: u64,
) -> Value {
    let t = now();
    let lifetime = state.config.token_lifetime_secs;
    let aud = audience(state, &scopes.resource);
    let (scp, scope_out) = match &scopes.resource {
        Resource::Dataverse(_) => (
            "user_impersonation".to_string(),
            format!("{aud}/user_impersonation"),
        ),
        Resource::Graph => {
            let mut s: Vec<String> = scopes.permissions.clone();
            if s.is_empty() {
                s = vec!["openid".into(), "profile".into(), "email".into()];
            }
            (s.join(" "), s.join(" "))
        }
    };
    let sub = pairwise_sub(&user.oid, &app.client_id);
    let (given, family) = user.name.split_once(' ').unwrap_or((&user.name, ""));
    let mut c = Map::new();
    c.insert("aud".into(), json!(aud));
    c.insert(
        "iss".into(),
        json!(format!("https://sts.windows.net/{}/", tenant.id)),
    );
    c.insert("iat".into(), json!(t));
    c.insert("nbf".into(), json!(t));
    c.insert("exp".into(), json!(t + lifetime));
    c.insert("acr".into(), json!("1"));
    c.insert("amr".into(), json!(["pwd"]));
    c.insert("appid".into(), json!(app.client_id));
    c.insert("appidacr".into(), json!("0"));
    c.insert("family_name".into(), json!(family));
    c.insert("given_name".into(), json!(given));
    c.insert("ipaddr".into(), json!("127.0.0.1"));
    c.insert("name".into(), json!(user.name));
    c.insert("oid".into(), json!(user.oid));
    c.insert("scp".into(), json!(scp));
    c.insert("sub".into(), json!(sub));
    c.insert("tid".into(), json!(tenant.id));
    c.insert("unique_name".into(), json!(user.upn));
    c.insert("upn".into(), json!(user.upn));
    c.insert("uti".into(), json!(random_token("", 16)));
    c.insert("ver".into(), json!("1.0"));
    let access_token = state.signer.sign(&c);

    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope_out,
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    });
    if scopes.offline_access {
        let rt = random_token("1.ASBX", 96);
        state.store().refresh_tokens.insert(
            rt.clone(),
            RefreshGrant {
                tenant_id: tenant.id.clone(),
                client_id: app.client_id.clone(),
                platform,
                scopes: scopes.clone(),
                user_oid: user.oid.clone(),
                session_start,
            },
        );
        body["refresh_token"] = json!(rt);
        if platform == Platform::Spa {
            let left = (session_start + SPA_REFRESH_LIFETIME).saturating_sub(t);
            body["refresh_token_expires_in"] = json!(left);
        }
    }
    if scopes.openid {
        let mut id = Map::new();
        id.insert("aud".into(), json!(app.client_id));
        id.insert(
            "iss".into(),
            json!(format!("{}/{}/v2.0", state.entra_origin(), tenant.id)),
        );
        id.insert("iat".into(), json!(t));
        id.insert("nbf".into(), json!(t));
        id.insert("exp".into(), json!(t + lifetime));
        id.insert("name".into(), json!(user.name));
        if let Some(n) = nonce {
            id.insert("nonce".into(), json!(n));
        }
        id.insert("oid".into(), json!(user.oid));
        id.insert("preferred_username".into(), json!(user.upn));
        id.insert("sub".into(), json!(sub));
        id.insert("tid".into(), json!(tenant.id));
        id.insert("uti".into(), json!(random_token("", 16)));
        id.insert("ver".into(), json!("2.0"));
        body["id_token"] = json!(state.signer.sign(&id));
    }
    body
}

/// A pairwise `sub` (stable per user and app), like Entra's.
fn pairwise_sub(oid: &str, client_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{oid}|{client_id}").as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Other pages

async fn logout(Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("post_logout_redirect_uri") {
        Some(uri) if !uri.is_empty() => Redirect::to(uri).into_response().with_status_found(),
        _ => pages::html(
            StatusCode::OK,
            pages::info(
                "You signed out of your account",
                &["It's a good idea to close all browser windows."],
            ),
        ),
    }
}

async fn v1_authorize(headers: HeaderMap) -> Response {
    error_page_response(
        &headers,
        &AadError::new(
            "invalid_request",
            900144,
            "The sandbox emulates only the v2.0 endpoints: use /{tenant}/oauth2/v2.0/authorize.",
        ),
    )
}

/// The v1 token endpoint has no CORS support in Entra: answer without any CORS header, so a
/// browser sees the same CORS failure it would see against the real service.
async fn v1_token(State(state): State<S>, headers: HeaderMap) -> Response {
    let mut e = AadError::new(
        "invalid_request",
        900144,
        "The sandbox emulates only the v2.0 token endpoint: use /{tenant}/oauth2/v2.0/token.",
    );
    e.status = StatusCode::BAD_REQUEST;
    error_json(&state, &headers, &e)
}

async fn reset(State(state): State<S>) -> Response {
    *state.store() = crate::Store::default();
    "reset\n".into_response()
}

async fn config_json(State(state): State<S>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(&state.config).unwrap_or_default(),
    )
        .into_response()
}

async fn error_page(RawQuery(q): RawQuery) -> Response {
    let code: u32 = q
        .as_deref()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "code")
                .and_then(|(_, v)| v.parse().ok())
        })
        .unwrap_or(0);
    pages::html(
        StatusCode::OK,
        pages::info(
            &format!("Error AADSTS{code}"),
            &[
                pages::error_code_text(code),
                "This page is served by the local sandbox; the real explanation is at \
                 https://login.microsoftonline.com/error?code=<number>.",
            ],
        ),
    )
}

async fn portal() -> Response {
    pages::html(
        StatusCode::OK,
        pages::info(
            "This is the sandbox: there is no portal",
            &[
                "The sandbox app is pre-registered (see sandbox/sandbox.toml): its client ID, object \
                 IDs, redirect URIs, consent and application users are all in that file.",
                "Edit the file and restart the sandbox to change them.",
            ],
        ),
    )
}

async fn index(State(state): State<S>) -> Response {
    let summary = crate::summary(&state.config, state.port);
    let body = format!(
        "<h1>Sandbox: Entra ID and Dataverse on localhost</h1>\
<p>Entra ID v2.0 endpoints: <code>{o}/{{tenant}}/oauth2/v2.0/authorize</code>, <code>…/token</code>, \
<code>{o}/{{tenant}}/v2.0/.well-known/openid-configuration</code>.</p>\
<h2>Configuration</h2><pre class=\"details\">{}</pre>",
        pages::esc(&summary),
        o = pages::esc(&state.entra_origin()),
    );
    pages::html(StatusCode::OK, pages::layout("Sandbox", &body))
}
