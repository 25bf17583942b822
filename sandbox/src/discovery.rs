//! The Global Discovery Service (`https://globaldisco.crm.dynamics.com`) on
//! `globaldisco.localhost`: `GET /api/discovery/v2.0/Instances` lists the environments of the
//! token's tenant where the token's user is a member; `Instances({id})` and
//! `Instances(UniqueName='…')` answer one of them.
//!
//! Its resource identifier is `http://globaldisco.localhost:{port}/` **with** the trailing slash
//! (as `https://globaldisco.crm.dynamics.com/` is), so the scope is
//! `http://globaldisco.localhost:{port}//user_impersonation`; a token asked with one slash has
//! the audience without it and is refused like ASP.NET's JWT bearer handler refuses it (`401`,
//! `WWW-Authenticate: Bearer error="invalid_token", error_description="The audience '…' is
//! invalid"`). CORS as Dataverse answers it.

// The checks return the finished error `Response`; it is built once per request, size is moot.
#![allow(clippy::result_large_err)]

use crate::config::Environment;
use crate::dataverse::{derived_guid, organization_id, percent_decode, users, SERVER_VERSION};
use crate::{cors, entra, AppState};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The service root, below the origin.
pub const API_ROOT: &str = "/api/discovery/v2.0";

/// An Instance's properties in the order the service writes them.
const INSTANCE_FIELDS: &[&str] = &[
    "IsUserSysAdmin",
    "Region",
    "Purpose",
    "StatusMessage",
    "TrialExpirationDate",
    "OrganizationType",
    "TenantId",
    "EnvironmentId",
    "DatacenterId",
    "DatacenterName",
    "Id",
    "UniqueName",
    "UrlName",
    "FriendlyName",
    "State",
    "Version",
    "Url",
    "ApiUrl",
    "LastUpdated",
    "SchemaType",
];

/// The region every sandbox environment is in.
const REGION: &str = "NA";

pub async fn handle(state: Arc<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    if req.method() == Method::OPTIONS {
        return cors::dataverse_preflight(&headers);
    }
    let origin = cors::origin(&headers);
    let mut resp = match crate::faults::take(&state, req.method(), &headers, req.uri().path()) {
        Some(status) => fault(status),
        None => route(&state, req.method(), req.uri(), &headers),
    };
    cors::dataverse_actual(&mut resp, origin.as_ref());
    resp
}

fn route(state: &AppState, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let rest = uri.path().strip_prefix(API_ROOT);
    let Some(rest) = rest.filter(|r| r.is_empty() || r.starts_with('/')) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("Not Found. The Global Discovery Service is at {API_ROOT}/Instances.\n"),
        )
            .into_response();
    };
    // Authentication first, as on every route of the service.
    let claims = match authenticate(state, headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = format!("{}{API_ROOT}", state.discovery_origin());
    let resource = percent_decode(rest.trim_start_matches('/'));
    if *method != Method::GET && *method != Method::HEAD {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("The requested resource does not support http method '{method}'."),
        );
    }
    let found = visible_environments(state, &claims);
    match resource.as_str() {
        "" => json_response(format!(
            r#"{{"@odata.context":"{base}/$metadata","value":[{{"name":"Instances","kind":"EntitySet","url":"Instances"}}]}}"#
        )),
        "Instances" => {
            let items: Vec<String> = found
                .iter()
                .map(|e| instance_json(state, e, &claims))
                .collect();
            json_response(format!(
                r#"{{"@odata.context":"{base}/$metadata#Instances","value":[{}]}}"#,
                items.join(",")
            ))
        }
        r => match r
            .strip_prefix("Instances(")
            .and_then(|k| k.strip_suffix(')'))
        {
            Some(key) => match found.iter().find(|e| matches_key(e, key)) {
                Some(e) => {
                    let item = instance_json(state, e, &claims);
                    let fields = item.strip_prefix('{').unwrap_or(&item);
                    json_response(format!(
                        r#"{{"@odata.context":"{base}/$metadata#Instances/$entity",{fields}"#
                    ))
                }
                None => error(
                    StatusCode::NOT_FOUND,
                    &format!("No instance matches the key '{key}' for the calling user."),
                ),
            },
            None => {
                let segment = r.split(['/', '(']).next().unwrap_or(r);
                error(
                    StatusCode::NOT_FOUND,
                    &format!("Resource not found for the segment '{segment}'."),
                )
            }
        },
    }
}

/// `Instances({Id})` or `Instances(UniqueName='…')` (GUID and name without regard to case).
fn matches_key(env: &Environment, key: &str) -> bool {
    let key = key.trim();
    match key
        .strip_prefix("UniqueName=")
        .map(|v| v.trim_matches('\''))
    {
        Some(name) => name.eq_ignore_ascii_case(&unique_name(env)),
        None => key.eq_ignore_ascii_case(&organization_id(env)),
    }
}

/// The environments of the token's tenant where its user is a member. App-only tokens (no
/// `scp`) have no user: nothing.
fn visible_environments<'a>(
    state: &'a AppState,
    claims: &Map<String, Value>,
) -> Vec<&'a Environment> {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if !claims.contains_key("scp") {
        return Vec::new();
    }
    let (tid, oid) = (text("tid"), text("oid").to_ascii_lowercase());
    state
        .config
        .environments
        .iter()
        .filter(|e| e.tenant == tid && e.members.contains(&oid))
        .collect()
}

/// `unq` and the OrganizationId's hex digits: stable per environment.
pub fn unique_name(env: &Environment) -> String {
    format!("unq{}", organization_id(env).replace('-', ""))
}

/// The environment's Power Platform EnvironmentId (stable, derived from the org).
pub fn environment_id(env: &Environment) -> String {
    derived_guid(env, "environment")
}

/// The datacenter every sandbox environment is in.
pub fn datacenter_id() -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_DNS,
        b"datacenter.na.globaldisco.localhost",
    )
    .to_string()
}

/// One Instance, its properties in the service's order.
fn instance_json(state: &AppState, env: &Environment, claims: &Map<String, Value>) -> String {
    let oid = claims
        .get("oid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let url = state.env_origin(&env.org);
    let v = json!({
        "IsUserSysAdmin": users::is_system_administrator(state, env, &oid),
        "Region": REGION,
        "Purpose": env.purpose,
        "StatusMessage": 0,
        "TrialExpirationDate": null,
        "OrganizationType": 0,
        "TenantId": env.tenant,
        "EnvironmentId": environment_id(env),
        "DatacenterId": datacenter_id(),
        "DatacenterName": null,
        "Id": organization_id(env),
        "UniqueName": unique_name(env),
        "UrlName": env.org,
        "FriendlyName": env.display_name(),
        "State": if env.disabled { 1 } else { 0 },
        "Version": SERVER_VERSION,
        "Url": url,
        "ApiUrl": url,
        "LastUpdated": state.started.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "SchemaType": null,
    });
    crate::ordered_json(&v, INSTANCE_FIELDS)
}

fn json_response(body: String) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    odata_headers(&mut r);
    r
}

fn odata_headers(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal"),
    );
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
}

/// An injected fault (`/sandbox/faults`) in the service's error shape; `Retry-After` for 429 and
/// 503.
fn fault(status: StatusCode) -> Response {
    let message = match status.as_u16() {
        429 => "Too many requests.",
        503 => "The service is temporarily unavailable.",
        _ => "An error has occurred.",
    };
    let mut r = error(status, message);
    if matches!(status.as_u16(), 429 | 503) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// An OData error body `{"error":{"code":"","message":"…"}}`.
fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": {"code": "", "message": message}});
    let mut r = (status, body.to_string()).into_response();
    odata_headers(&mut r);
    r
}

/// `401` with an empty body and `WWW-Authenticate`: without a token the challenge names the
/// authority (`common`) and the resource; with a bad one, ASP.NET's `invalid_token` and why.
fn unauthorized(state: &AppState, problem: Option<&str>) -> Response {
    let value = match problem {
        None => format!(
            "Bearer authorization_uri={}/common/oauth2/authorize, resource_id={}/",
            state.entra_origin(),
            state.discovery_origin()
        ),
        Some("") => r#"Bearer error="invalid_token""#.to_string(),
        Some(why) => format!(r#"Bearer error="invalid_token", error_description="{why}""#),
    };
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    let h = r.headers_mut();
    h.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_str(&value)
            .unwrap_or_else(|_| HeaderValue::from_static(r#"Bearer error="invalid_token""#)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    r
}

/// A Unix time as .NET's invariant culture writes a date (`MM/dd/yyyy HH:mm:ss`).
fn dotnet_date(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|d| d.format("%m/%d/%Y %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The bearer token's checks in the order of Microsoft's JWT handler: signature (or a known
/// opaque token), lifetime, audience (exactly the resource identifier, with its slash), issuer
/// (a tenant of this sandbox).
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Map<String, Value>, Response> {
    let token = crate::tokens::bearer(headers).ok_or_else(|| unauthorized(state, None))?;
    let Some(claims) = crate::tokens::claims(state, token) else {
        // A JWT whose signature does not check; anything else is not a token at all.
        let why = if token.split('.').count() == 3 {
            "The signature is invalid"
        } else {
            ""
        };
        return Err(unauthorized(state, Some(why)));
    };
    let now = entra::now();
    let num = |k: &str| claims.get(k).and_then(Value::as_u64);
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    match num("exp") {
        None => return Err(unauthorized(state, Some("The token has no expiration"))),
        Some(exp) if exp <= now => {
            let why = format!("The token expired at '{}'", dotnet_date(exp));
            return Err(unauthorized(state, Some(&why)));
        }
        Some(_) => {}
    }
    if let Some(nbf) = num("nbf").filter(|n| *n > now + 300) {
        let why = format!("The token is not valid before '{}'", dotnet_date(nbf));
        return Err(unauthorized(state, Some(&why)));
    }
    let audience = format!("{}/", state.discovery_origin());
    if text("aud") != audience {
        let why = format!("The audience '{}' is invalid", text("aud"));
        return Err(unauthorized(state, Some(&why)));
    }
    let tid = text("tid");
    let known = state.config.tenants.iter().any(|t| t.id == tid);
    if !known || text("iss") != format!("https://sts.windows.net/{tid}/") {
        let why = format!("The issuer '{}' is invalid", text("iss"));
        return Err(unauthorized(state, Some(&why)));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_dates() {
        let config = crate::Config::builtin();
        let contoso = config.environment("contoso").unwrap();
        assert_eq!(unique_name(contoso), "unqeeeeeeee000040008000000000000001");
        assert!(matches_key(contoso, "EEEEEEEE-0000-4000-8000-000000000001"));
        assert!(matches_key(
            contoso,
            "UniqueName='unqeeeeeeee000040008000000000000001'"
        ));
        assert!(!matches_key(contoso, "UniqueName='contoso'"));
        assert_eq!(dotnet_date(0), "01/01/1970 00:00:00");
        assert_ne!(environment_id(contoso), organization_id(contoso));
    }
}
