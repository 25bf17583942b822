//! `/{tenant}/oauth2/v2.0/authorize`: request checks in Entra's order, the sign-in and consent
//! pages, and issuing the authorization code back to the app.

use super::consent::{consent_for, DYNAMICS_PERMISSION};
use super::errors::{error_page_response, error_uri, Trace};
use super::grants::{now, random_token, uuid};
use super::scopes::consent_error;
use super::tenants::{find_app, resolve_tenant};
use super::{parse_scopes, AadError, CodeGrant, RequestedScopes, Resource, S};
use crate::config::{App, Platform, Tenant, User};
use crate::graph::roles;
use crate::{pages, AppState};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

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

pub(super) trait FoundExt {
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

pub(super) async fn authorize_get(
    State(state): State<S>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    authorize(&state, &tenant, &headers, params, false)
}

pub(super) async fn authorize_post(
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
    let app = &app;
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
    // Consent: what the request asks for, and whether this user already has it.
    let consent = match consent_for(state, tenant, app, &scopes, user) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let may_consent_for_org = roles::can_grant_consent(user);
    if p.consent.as_deref() == Some("accept") {
        if !consent.granted && !may_consent_for_org {
            return fail(consent_error(app, "consent_required"));
        }
        let org_wide = p.consent_org.as_deref() == Some("on");
        consent.record(state, tenant, app, user, org_wide);
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
    if !consent.granted && !may_consent_for_org {
        return fail(consent_error(app, "consent_required"));
    }
    if !consent.granted || force_consent {
        return pages::html(
            StatusCode::OK,
            pages::consent(&pages::ConsentPage {
                app_name: &app.name,
                client_id: &app.client_id,
                user_name: &user.name,
                user_upn: &user.upn,
                permissions: consent.texts(),
                org_consent: may_consent_for_org,
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
        Resource::Dataverse(_) | Resource::Discovery(_) => DYNAMICS_PERMISSION,
        Resource::Graph => "Sign you in and read your profile",
    }
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
