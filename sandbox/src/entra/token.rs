//! `/{tenant}/oauth2/v2.0/token`: redeeming an authorization code (with the PKCE check), a
//! refresh token or client credentials, Entra's client-type rules, and the tokens issued.

use super::errors::{error_json, json_headers};
use super::grants::{dynamics_consented, graph_consented, now, random_token};
use super::tenants::{find_app, resolve_tenant};
use super::{
    graph_scp, parse_scopes, AadError, RefreshGrant, RequestedScopes, Resource, GRAPH_APP_ID, S,
};
use crate::config::{App, Platform, Tenant, User};
use crate::{cors, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const SPA_REFRESH_LIFETIME: u64 = 24 * 3600;
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

pub(super) async fn token(
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
    let app = &app;
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
    state: &AppState,
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
        (Platform::Web, None) => check_secret(state, app, secret, false),
        (Platform::Native, None) => Ok(()),
    }
}

fn check_secret(
    state: &AppState,
    app: &App,
    secret: Option<&str>,
    client_credentials: bool,
) -> Result<(), AadError> {
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
    let known = crate::graph::all_secrets(state, app);
    match known.iter().find(|s| s.value == secret) {
        Some(s) if s.end <= chrono::Utc::now() => Err(AadError::new(
            "invalid_client",
            7000222,
            format!(
                "The provided client secret keys for app '{}' are expired. Visit the Azure portal \
                 to create new keys for your app: https://aka.ms/NewClientSecret, or consider \
                 using certificate credentials for added security: https://aka.ms/certCreds.",
                app.client_id
            ),
        )),
        Some(_) => Ok(()),
        None => {
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
    check_client_type(state, grant.platform, origin, secret, app)?;
    let consented = graph_consented(state, tenant, app, &grant.user_oid);
    graph_scp(app, &consented, &grant.scopes, "invalid_grant")?;
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
    check_client_type(state, grant.platform, origin, param("client_secret"), app)?;
    if grant.platform == Platform::Spa && now() > grant.session_start + SPA_REFRESH_LIFETIME {
        return Err(AadError::new(
            "invalid_grant",
            700084,
            "The refresh token was issued to a single page app (SPA), and therefore has a fixed, \
             limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new \
             sign in request must be sent by the SPA to the sign in page.",
        ));
    }
    let mut scopes = match param("scope") {
        Some(s) => parse_scopes(state, tenant, app, s)?,
        None => grant.scopes.clone(),
    };
    let consented = graph_consented(state, tenant, app, &grant.user_oid);
    graph_scp(app, &consented, &scopes, "invalid_grant")?;
    // A refresh token always brings a new one; the old one stays valid (Entra does not rotate).
    scopes.offline_access = true;
    let user = tenant
        .user(&grant.user_oid)
        .ok_or_else(|| AadError::new("invalid_grant", 70000, "The user no longer exists."))?;
    // Any environment of the tenant, or discovery: one Dynamics CRM consent covers them all.
    if scopes.resource.is_dynamics() && !dynamics_consented(state, tenant, app, &user.oid) {
        return Err(AadError::new(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{}' \
                 named '{}'. Send an interactive authorization request for this user and resource.",
                app.client_id, app.name
            ),
        )
        .with_suberror("consent_required"));
    }
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
    check_secret(state, app, secret, true)?;
    if !app.service_principal {
        // An app registration without its enterprise application (Graph `POST /applications`
        // creates none) cannot get an app-only token.
        return Err(AadError::new(
            "invalid_client",
            7000229,
            format!(
                "The client application {} is missing service principal in the tenant {}. See \
                 instructions here: https://go.microsoft.com/fwlink/?linkid=2225119",
                app.client_id, tenant.id
            ),
        ));
    }
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
    let aud = audience(state, &scopes);
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
        "access_token": crate::tokens::issue(state, app, &c),
    }))
}

fn audience(state: &AppState, scopes: &RequestedScopes) -> String {
    match &scopes.resource {
        Resource::Dataverse(org) => state.env_origin(org),
        Resource::Discovery(aud) => aud.clone(),
        Resource::Graph => scopes
            .graph_audience
            .clone()
            .unwrap_or_else(|| GRAPH_APP_ID.to_string()),
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
    let aud = audience(state, scopes);
    let (scp, scope_out) = match &scopes.resource {
        Resource::Dataverse(_) | Resource::Discovery(_) => (
            "user_impersonation".to_string(),
            format!("{aud}/user_impersonation"),
        ),
        Resource::Graph if scopes.graph_audience.is_some() => {
            let consented = graph_consented(state, tenant, app, &user.oid);
            let s = graph_scp(app, &consented, scopes, "invalid_grant")
                .ok()
                .flatten()
                .unwrap_or_default();
            (s.join(" "), s.join(" "))
        }
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
    let access_token = crate::tokens::issue(state, app, &c);

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
