//! Sign-in glue: the full-page redirect to Entra ID and the callback, handled exactly once.
//!
//! * The PKCE verifier and state survive the redirect in `sessionStorage` (this tab only), keyed
//!   by state, and are removed the moment the callback is read, before any network call, so a
//!   reload or a replayed callback URL ends in a clear message instead of a loop.
//! * `code` and `state` are removed from the address bar and history at once.
//! * The code is redeemed with the `oauth2` crate, using gloo-net as its HTTP client, through
//!   CORS (this only works for a redirect registered under *Single-page application*).
//! * Tokens are kept in memory only (see [`crate::state::Session`]).
//!
//! The views (the test step, `/auth/callback`) live in `pages::test`.
// A `Diagnosis` (cause, fix, raw answer) is the error the user sees; failures are rare and cold,
// so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

use super::browser::{self, Store};
use oauth2::{
    basic::BasicClient, AuthType, AuthUrl, AuthorizationCode, ClientId, PkceCodeVerifier,
    RedirectUrl, RefreshToken as OAuthRefreshToken, Scope, TokenResponse as _, TokenUrl,
};
use std::{cell::RefCell, rc::Rc};
use wizard_core::{
    auth::{self, PendingSignIn, SignInConfig, SignInEvidence, SignInPurpose, TokenResponse},
    diagnose::{self, Diagnosis, Stage},
    draft::Draft,
};

/// sessionStorage prefix of pending sign-in requests (one key per state).
pub const PENDING_PREFIX: &str = "dataverse-wizard.v1.pending.";

/// An access token, in memory only. `Debug` is redacted.
#[derive(Clone, PartialEq)]
pub struct AccessToken(String);

impl AccessToken {
    /// The bearer value.
    ///
    /// # Security warning
    /// Never log it or store it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// A refresh token, in memory only (for the Graph token of the live checks). `Debug` is redacted.
#[derive(Clone, PartialEq)]
pub struct RefreshToken(String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken([redacted])")
    }
}

/// A Microsoft Graph access token and the scopes Entra ID said it granted, in memory only.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphToken {
    /// The bearer token.
    pub token: AccessToken,
    /// The granted delegated permissions (`Application.Read.All`, …), without the resource.
    pub scopes: Vec<String>,
}

impl GraphToken {
    /// A Graph access token and the permissions of the token response's `scope` (Microsoft's
    /// access tokens are not read: they may not be JWTs), without the resource part.
    fn new(secret: String, granted_scope: &str) -> GraphToken {
        let scopes = granted_scope
            .split_whitespace()
            .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
            .collect();
        GraphToken {
            token: AccessToken(secret),
            scopes,
        }
    }

    /// Whether the token carries the permission `name` (e.g. `Application.ReadWrite.All`).
    pub fn has(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.eq_ignore_ascii_case(name))
    }
}

/// The result of a successful sign-in.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedIn {
    /// The access token for the environment.
    pub token: AccessToken,
    /// The refresh token, when `offline_access` was granted.
    pub refresh: Option<RefreshToken>,
    /// What the token response proves (scope, expiry, the ID token); the access token is read
    /// only when it happens to be a JWT.
    pub evidence: SignInEvidence,
    /// What it was requested for.
    pub config: SignInConfig,
}

/// What a sign-in for `draft` asks for, or the labels of the fields still missing for it.
pub fn config_from_draft(
    draft: &Draft,
    redirect_uri: String,
) -> Result<SignInConfig, Vec<&'static str>> {
    let tenant = draft.tenant();
    let client = draft.client_id();
    let env = draft.environment();
    match (tenant, client, env) {
        (Some(t), Some(c), Some(e)) => Ok(SignInConfig {
            login_base: draft.cloud.profile().login_base.to_string(),
            tenant: t.as_str().to_string(),
            client_id: c.to_string(),
            redirect_uri,
            environment: e.as_str().to_string(),
            purpose: SignInPurpose::Dataverse,
        }),
        (tenant, client, env) => {
            let fields = [
                (tenant.is_none(), "Directory (tenant) ID"),
                (client.is_none(), "Application (client) ID"),
                (env.is_none(), "Environment URL"),
            ];
            Err(fields
                .into_iter()
                .filter_map(|(missing, label)| missing.then_some(label))
                .collect())
        }
    }
}

/// A sign-in for the Global Discovery Service alone ("Your environments", before any environment
/// is known), or the labels of the fields still missing for it.
pub fn discovery_config_from_draft(
    draft: &Draft,
    redirect_uri: String,
) -> Result<SignInConfig, Vec<&'static str>> {
    match (draft.tenant(), draft.client_id()) {
        (Some(t), Some(c)) => Ok(SignInConfig {
            login_base: draft.cloud.profile().login_base.to_string(),
            tenant: t.as_str().to_string(),
            client_id: c.to_string(),
            redirect_uri,
            // The discovery origin stands where the environment would: the sign-in's audience.
            environment: draft.cloud.profile().discovery_base.to_string(),
            purpose: SignInPurpose::Discovery {
                scope: wizard_core::discovery::scope(draft.cloud),
            },
        }),
        (tenant, client) => Err([
            (tenant.is_none(), "Directory (tenant) ID"),
            (client.is_none(), "Application (client) ID"),
        ]
        .into_iter()
        .filter_map(|(missing, label)| missing.then_some(label))
        .collect()),
    }
}

/// Removes every pending sign-in request of this tab.
pub fn forget_pending() {
    for key in browser::keys_with_prefix(Store::Session, PENDING_PREFIX) {
        browser::remove_item(Store::Session, &key);
    }
}

/// Builds the authorize request, stores what must survive the redirect and navigates away.
pub fn start(config: SignInConfig) -> Result<(), Diagnosis> {
    let request = auth::authorize_request(config, browser::now_secs())
        .map_err(|e| diagnose::auth_error(&e))?;
    // One sign-in at a time per tab: an older pending request can only cause confusion.
    forget_pending();
    let json = serde_json::to_string(&request.pending).map_err(|e| internal(&e.to_string()))?;
    browser::set_item(
        Store::Session,
        &format!("{PENDING_PREFIX}{}", request.pending.state),
        &json,
    )
    .map_err(|e| internal(&e.to_string()))?;
    web_sys::window()
        .ok_or_else(|| internal("no window"))?
        .location()
        .assign(&request.url)
        .map_err(|e| internal(&browser::js_message(&e)))
}

fn internal(message: &str) -> Diagnosis {
    Diagnosis {
        code: "BROWSER".into(),
        title: "The browser refused a step of the sign-in".into(),
        cause: message.into(),
        fix: "Allow this site to store data for the session (sessionStorage), then try again."
            .into(),
        raw: message.into(),
        link: None,
    }
}

/// Takes (reads and removes) the pending request for the callback's state. Also reports whether
/// some *other* request was pending, which makes a differing state a mismatch rather than a
/// callback nobody asked for.
fn take_pending(state: Option<&str>) -> (Option<PendingSignIn>, bool) {
    let keys = browser::keys_with_prefix(Store::Session, PENDING_PREFIX);
    let mut found = None;
    for key in &keys {
        let value = browser::get_item(Store::Session, key).ok().flatten();
        browser::remove_item(Store::Session, key);
        if state.is_some_and(|s| key.strip_prefix(PENDING_PREFIX) == Some(s)) {
            found = value.and_then(|v| serde_json::from_str::<PendingSignIn>(&v).ok());
        }
    }
    let other = found.is_none() && !keys.is_empty();
    (found, other)
}

/// Removes `code`, `state` and the rest of the query from the address bar and history entry.
pub fn clean_address_bar() {
    if let Some(window) = web_sys::window() {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some("/auth/callback"),
            );
        }
    }
}

/// How a callback ended, by what the sign-in was for.
// One value per callback, moved once: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Finished {
    /// The sign-in (a Dataverse token), or why there is none.
    Dataverse(Result<SignedIn, Diagnosis>),
    /// The live checks' second sign-in: a Microsoft Graph token, or why there is none.
    Graph(Result<GraphToken, Diagnosis>),
    /// A sign-in for "Your environments" alone (a discovery token and a refresh token).
    Discovery(Result<SignedIn, Diagnosis>),
    /// The setup's sign-in for Graph write permissions (a Graph token and a refresh token).
    Setup(Result<SignedIn, Diagnosis>),
}

/// Handles the callback query exactly once (see [`redeem_callback`]) and says what the token is
/// for: the pending request's [`SignInPurpose`] (Dataverse when there was none).
pub async fn handle_callback(query: &str) -> Finished {
    let callback = auth::parse_callback(query);
    let (pending, other_pending) = take_pending(callback.state());
    let purpose = pending
        .as_ref()
        .map(|p| p.config.purpose.clone())
        .unwrap_or_default();
    let result = redeem_callback(query, pending, other_pending).await;
    match purpose {
        SignInPurpose::Dataverse => Finished::Dataverse(result),
        SignInPurpose::Graph { .. } => Finished::Graph(result.map(|s| {
            let scope = s.evidence.granted_scope.unwrap_or_default();
            GraphToken::new(s.token.0, &scope)
        })),
        SignInPurpose::Discovery { .. } => Finished::Discovery(result),
        SignInPurpose::Setup { .. } => Finished::Setup(result),
    }
}

/// Checks state, redeems the code, keeps what the token response proves (never failing on an
/// access token that is not a JWT).
async fn redeem_callback(
    query: &str,
    pending: Option<PendingSignIn>,
    other_pending: bool,
) -> Result<SignedIn, Diagnosis> {
    let code = match auth::accept_callback(query, pending.as_ref(), browser::now_secs()) {
        Ok(code) => code,
        Err(auth::AuthError::NoPendingRequest) if other_pending => {
            return Err(diagnose::state_mismatch())
        }
        Err(auth::AuthError::Denied { error, description }) => {
            return Err(diagnose::callback_error(&error, &description))
        }
        Err(e) => return Err(diagnose::auth_error(&e)),
    };
    // match_callback only succeeds with a pending request; no panic if that ever changes.
    let Some(pending) = pending else {
        return Err(diagnose::no_pending_request());
    };
    let (token, refresh, evidence) = redeem(&pending, code).await?;
    Ok(SignedIn {
        token,
        refresh,
        evidence,
        config: pending.config,
    })
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct FetchError(String);

/// The raw answer of the token endpoint, kept for the diagnosis.
type RawAnswer = Rc<RefCell<Option<(u16, String)>>>;

/// Redeems the code at the v2.0 token endpoint with the `oauth2` crate and gloo-net.
async fn redeem(
    pending: &PendingSignIn,
    code: String,
) -> Result<(AccessToken, Option<RefreshToken>, SignInEvidence), Diagnosis> {
    let raw: RawAnswer = Rc::default();
    let result = token_client(&pending.config)?
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&recording_http(&raw))
        .await;
    match result {
        Ok(token) => Ok((
            AccessToken(token.access_token().secret().clone()),
            token
                .refresh_token()
                .map(|r| RefreshToken(r.secret().clone())),
            evidence(&raw, &token),
        )),
        Err(oauth2::RequestTokenError::Request(e)) => {
            Err(diagnose::network_error(Stage::Token, &e.0))
        }
        Err(_) => {
            let (status, body) = raw.borrow().clone().unwrap_or((0, String::new()));
            Err(diagnose::entra_error(status, &body))
        }
    }
}

/// The token response's `scope`, as the `oauth2` crate read it.
fn granted_scope(token: &oauth2::basic::BasicTokenResponse) -> Option<String> {
    token
        .scopes()
        .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
}

/// What the token response proves: read from its raw JSON (for the ID token), else from what
/// the `oauth2` crate kept.
fn evidence(raw: &RawAnswer, token: &oauth2::basic::BasicTokenResponse) -> SignInEvidence {
    let now = browser::now_secs();
    raw.borrow()
        .as_ref()
        .and_then(|(_, body)| TokenResponse::from_json(body).ok())
        .map(|r| SignInEvidence::from_response(&r, now))
        .unwrap_or_else(|| SignInEvidence {
            granted_scope: granted_scope(token),
            expires_at: token
                .expires_in()
                .map(|d| now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
            ..SignInEvidence::default()
        })
}

/// Why a Graph token was not given: the token endpoint's status and body (status 0: no answer).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphRefused {
    /// HTTP status (0 when the request failed before an answer).
    pub status: u16,
    /// The answer (an OAuth error JSON with an AADSTS code), or the network error.
    pub body: String,
}

impl GraphRefused {
    /// Whether Entra ID refused because a permission is not consented (AADSTS65001).
    pub fn not_consented(&self) -> bool {
        self.body.contains("AADSTS65001")
    }
}

/// Exchanges the sign-in's refresh token for a Microsoft Graph access token with `scopes`
/// (space separated, e.g. [`wizard_core::verify::requests::graph_read_scopes`]), with the `oauth2`
/// crate over gloo-net, like the code redemption.
pub async fn graph_token(
    config: &SignInConfig,
    refresh: &RefreshToken,
    scopes: &str,
) -> Result<GraphToken, GraphRefused> {
    exchange(config, refresh, scopes)
        .await
        .map(|(token, granted)| GraphToken::new(token.0, &granted))
}

/// Exchanges the sign-in's refresh token for an access token to another resource: another
/// environment's `user_impersonation`, or the Global Discovery Service's.
pub async fn resource_token(
    config: &SignInConfig,
    refresh: &RefreshToken,
    scope: &str,
) -> Result<AccessToken, GraphRefused> {
    exchange(config, refresh, scope).await.map(|(t, _)| t)
}

/// The refresh-token exchange itself: the access token and the scopes granted.
async fn exchange(
    config: &SignInConfig,
    refresh: &RefreshToken,
    scopes: &str,
) -> Result<(AccessToken, String), GraphRefused> {
    exchange_full(config, refresh, scopes)
        .await
        .map(|(token, granted, _, _)| (token, granted))
}

/// A sign-in for `environment` made from another sign-in's refresh token (after the setup's
/// sign-in for Graph, whose redirect ended the first one): the environment's token, the same
/// refresh token (or the new one), the exchange's evidence with the first sign-in's ID token.
pub async fn signed_in_for_environment(
    base: &SignedIn,
    environment: &str,
) -> Result<SignedIn, GraphRefused> {
    let Some(refresh) = &base.refresh else {
        return Err(GraphRefused {
            status: 0,
            body: "no refresh token".to_string(),
        });
    };
    let scope = wizard_core::entra::sign_in_scope(environment);
    let (token, _, new_refresh, mut evidence) =
        exchange_full(&base.config, refresh, &scope).await?;
    if evidence.id_claims.is_none() {
        evidence.id_claims = base.evidence.id_claims.clone();
    }
    Ok(SignedIn {
        token,
        refresh: new_refresh.or_else(|| base.refresh.clone()),
        evidence,
        config: SignInConfig {
            environment: environment.to_string(),
            purpose: SignInPurpose::Dataverse,
            ..base.config.clone()
        },
    })
}

/// The refresh-token exchange with everything the answer proves.
async fn exchange_full(
    config: &SignInConfig,
    refresh: &RefreshToken,
    scopes: &str,
) -> Result<(AccessToken, String, Option<RefreshToken>, SignInEvidence), GraphRefused> {
    let raw: RawAnswer = Rc::default();
    let client = token_client(config).map_err(|d| GraphRefused {
        status: 0,
        body: d.cause,
    })?;
    let refresh = OAuthRefreshToken::new(refresh.0.clone());
    let result = client
        .exchange_refresh_token(&refresh)
        .add_scopes(scopes.split_whitespace().map(|s| Scope::new(s.to_string())))
        .request_async(&recording_http(&raw))
        .await;
    match result {
        Ok(token) => {
            // Entra ID lists what it granted; without a list, the scopes asked for were granted.
            let granted = granted_scope(&token).unwrap_or_else(|| scopes.to_string());
            Ok((
                AccessToken(token.access_token().secret().clone()),
                granted,
                token
                    .refresh_token()
                    .map(|r| RefreshToken(r.secret().clone())),
                evidence(&raw, &token),
            ))
        }
        Err(oauth2::RequestTokenError::Request(e)) => Err(GraphRefused {
            status: 0,
            body: e.0,
        }),
        Err(_) => {
            let (status, body) = raw.borrow().clone().unwrap_or((0, String::new()));
            Err(GraphRefused { status, body })
        }
    }
}

type TokenClient = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// The public client for the v2.0 token endpoint of `cfg` (client_id in the body, no secret).
fn token_client(cfg: &SignInConfig) -> Result<TokenClient, Diagnosis> {
    let bad = |e: oauth2::url::ParseError| internal(&e.to_string());
    let (authorize, token) = cfg.endpoints();
    Ok(BasicClient::new(ClientId::new(cfg.client_id.clone()))
        .set_auth_uri(AuthUrl::new(authorize).map_err(bad)?)
        .set_token_uri(TokenUrl::new(token).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(cfg.redirect_uri.clone()).map_err(bad)?)
        // A public client: client_id in the body, never a secret.
        .set_auth_type(AuthType::RequestBody))
}

/// An `oauth2` HTTP client over gloo-net that keeps the raw answer in `raw`.
fn recording_http(
    raw: &RawAnswer,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, FetchError>>>,
> {
    let raw = raw.clone();
    move |request: oauth2::HttpRequest| {
        let raw = raw.clone();
        Box::pin(async move {
            let response = send(request).await?;
            *raw.borrow_mut() = Some((
                response.status().as_u16(),
                String::from_utf8_lossy(response.body()).into_owned(),
            ));
            Ok::<_, FetchError>(response)
        })
    }
}

/// Sends an `oauth2` request with gloo-net (fetch). Redirects are not followed.
async fn send(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, FetchError> {
    use gloo_net::http::{Method, RequestBuilder};
    let method = match *request.method() {
        oauth2::http::Method::GET => Method::GET,
        _ => Method::POST,
    };
    let mut builder = RequestBuilder::new(&request.uri().to_string())
        .method(method)
        .redirect(web_sys::RequestRedirect::Manual);
    for (name, value) in request.headers() {
        if let Ok(v) = value.to_str() {
            builder = builder.header(name.as_str(), v);
        }
    }
    let body = js_sys::Uint8Array::from(request.body().as_slice());
    let response = builder
        .body(body)
        .map_err(|e| FetchError(e.to_string()))?
        .send()
        .await
        .map_err(|e| FetchError(e.to_string()))?;
    let status = response.status();
    let bytes = response
        .binary()
        .await
        .map_err(|e| FetchError(e.to_string()))?;
    let mut out = oauth2::http::Response::builder().status(status);
    if let Some(ct) = response.headers().get("content-type") {
        out = out.header("content-type", ct);
    }
    out.body(bytes).map_err(|e| FetchError(e.to_string()))
}
