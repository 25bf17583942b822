//! Dataverse Web API emulation for one environment `{org}.crm.localhost`: service document,
//! `$metadata`, `WhoAmI`, `RetrieveVersion`, `systemusers` ([`users`], [`user_writes`],
//! [`privileges`]), `roles` ([`roles`]), teams ([`teams`]), `businessunits` ([`business_units`])
//! and `EntityDefinitions` ([`entity_defs`]), with Dataverse's bearer-token checks, CORS, paging
//! and service-protection throttling ([`crate::paging`]).

// The checks return the finished error `Response`; it is built once per request, size is moot.
#![allow(clippy::result_large_err)]

use crate::config::Environment;
use crate::paging::{self, Flavor, Paging};
use crate::{cors, entra, AppState};
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

pub mod business_units;
pub mod entity_defs;
pub mod privileges;
mod query;
pub mod roles;
pub mod teams;
pub mod user_writes;
pub mod users;

pub use query::ODataQuery;

/// Web API versions the sandbox answers.
pub const VERSIONS: [&str; 3] = ["9.0", "9.1", "9.2"];
/// What `RetrieveVersion()` reports.
pub const SERVER_VERSION: &str = "9.2.25041.00178";

/// Entity sets answered as collections (paged, throttled once when configured).
const LISTS: [&str; 4] = ["systemusers", "roles", "businessunits", "EntityDefinitions"];
/// The bound function that counts privileges inherited through teams.
const BY_NAMES: &str = "Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(";

pub async fn handle(state: Arc<AppState>, org: String, req: Request) -> Response {
    let env = state.config.environment(&org).expect("known org").clone();
    let headers = req.headers().clone();
    let origin = cors::origin(&headers);
    if req.method() == Method::OPTIONS {
        return cors::dataverse_preflight(&headers);
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let mut resp = match crate::faults::take(&state, &parts.method, &headers, parts.uri.path()) {
        Some(status) => fault(status),
        None => route(&state, &env, parts.method, &parts.uri, &headers, &body).await,
    };
    let h = resp.headers_mut();
    h.insert(
        "REQ_ID",
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).expect("uuid"),
    );
    cors::dataverse_actual(&mut resp, origin.as_ref());
    resp
}

async fn route(
    state: &AppState,
    env: &Environment,
    method: Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if env.disabled {
        return disabled();
    }
    let path = uri.path();
    if path == "/" || path.is_empty() {
        return crate::pages::html(
            StatusCode::OK,
            crate::pages::info(
                &format!("Dataverse environment '{}' (sandbox)", env.org),
                &["The Web API is at /api/data/v9.2/. There is no model-driven app UI here."],
            ),
        );
    }
    let Some(rest) = path.strip_prefix("/api/data/v") else {
        return not_found_plain();
    };
    let (version, resource) = rest.split_once('/').unwrap_or((rest, ""));
    if !VERSIONS.contains(&version) {
        return not_found_plain();
    }

    // Dataverse authenticates before it looks at the resource.
    let claims = match authenticate(state, env, headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = authorize(state, env, &claims) {
        return r;
    }
    let origin = state.env_origin(&env.org);
    let base = format!("{origin}/api/data/v{version}");
    let resource = percent_decode(resource);
    let q = ODataQuery::parse(uri.query().unwrap_or(""));
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    // Expanded collections may come from a cache unless the request says `If-None-Match: null`.
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("null"));
    // `systemusers({id})/…`
    let (entity, key, nav) = split_resource(&resource);
    let list = get && key.is_none() && nav.is_empty() && LISTS.contains(&entity);
    if list
        && env.throttle_lists_once
        && paging::first_request(state, paging::list_key(&env.org, uri))
    {
        return throttled();
    }
    let paging = if list {
        match Paging::new(&origin, uri, env.page_size, Flavor::Dataverse) {
            Ok(p) => p,
            Err(_) => {
                return odata_error(
                    StatusCode::BAD_REQUEST,
                    "0x80060888",
                    "The $skiptoken value is not valid.",
                )
            }
        }
    } else {
        Paging::unpaged()
    };
    match (entity, key, nav) {
        ("", None, "") if get => service_document(state, env, &base).await,
        ("$metadata", None, "") if get => metadata(state, env).await,
        ("WhoAmI" | "WhoAmI()", None, "") if get => who_am_i(env, &claims, &base),
        ("RetrieveVersion" | "RetrieveVersion()", None, "") if get => odata_json(json!({
            "@odata.context": format!("{base}/$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse"),
            "Version": SERVER_VERSION,
        })),
        ("systemusers", None, "") if get => users::list(state, env, &q, &paging, fresh, &base),
        ("systemusers", None, "") if post => {
            user_writes::create(state, env, &claims, headers, &q, body, &base)
        }
        ("systemusers", Some(id), "") if get => users::get(state, env, id, &q, fresh, &base),
        (
            "systemusers",
            Some(id),
            "Microsoft.Dynamics.CRM.RetrieveUserPrivileges()" | "RetrieveUserPrivileges()",
        ) if get => privileges::retrieve_user_privileges(state, env, id, &base),
        ("systemusers", Some(id), call) if get && call.starts_with(BY_NAMES) => {
            match privileges::privilege_names(call, uri.query().unwrap_or("")) {
                Ok(names) => privileges::retrieve_by_names(state, env, id, &names, &base).await,
                Err(r) => r,
            }
        }
        ("systemusers", Some(id), "systemuserroles_association/$ref") if post => {
            user_writes::associate_role(state, env, &claims, id, body)
        }
        ("roles", None, "") if get => roles::list_roles(env, &q, &paging, &base),
        ("businessunits", None, "") if get => business_units::list(env, &q, &paging, &base),
        ("EntityDefinitions", key, "") if get => match read_metadata(state, env).await {
            Ok(bytes) => {
                let csdl = String::from_utf8_lossy(&bytes);
                match key {
                    None => entity_defs::list(&csdl, &q, &paging, &base),
                    Some(k) => entity_defs::get(&csdl, k, &q, &base),
                }
            }
            Err(r) => r,
        },
        (
            "" | "$metadata" | "WhoAmI" | "WhoAmI()" | "RetrieveVersion" | "RetrieveVersion()"
            | "systemusers" | "roles" | "businessunits" | "EntityDefinitions",
            _,
            _,
        ) if !get && !post => odata_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "0x80060888",
            &format!("The requested resource does not support http method '{method}'."),
        ),
        _ => {
            let segment = resource.split(['/', '(', '?']).next().unwrap_or(&resource);
            odata_error(
                StatusCode::NOT_FOUND,
                "0x8006088a",
                &format!("Resource not found for the segment '{segment}'."),
            )
        }
    }
}

/// 429 as Dataverse's service protection limits answer, with `Retry-After` in seconds.
fn throttled() -> Response {
    let mut r = odata_error(
        StatusCode::TOO_MANY_REQUESTS,
        "0x80072322",
        "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// An injected fault (`/sandbox/faults`) in Dataverse's error shape; `Retry-After` for 429 and
/// 503. A 401 has an empty body, as Dataverse's own.
fn fault(status: StatusCode) -> Response {
    let (code, message) = match status.as_u16() {
        401 => {
            let mut r = status.into_response();
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
            return r;
        }
        400 => ("0x80040203", "Invalid argument."),
        403 => (
            "0x80040220",
            "The caller is missing a privilege for this operation.",
        ),
        404 => ("0x8006088a", "Resource not found."),
        429 => (
            "0x80072322",
            "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
        ),
        _ => ("0x80040216", "An unexpected error occurred."),
    };
    let mut r = odata_error(status, code, message);
    if matches!(status.as_u16(), 429 | 503) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// 503 as a disabled environment answers every call (before authentication): Dataverse's
/// `OrganizationDisabled`.
fn disabled() -> Response {
    odata_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "0x8004A104",
        "The Dynamics 365 organization you are attempting to access is currently disabled.  \
         Please contact your system administrator",
    )
}

/// `systemusers(abc)/nav/$ref` → (`systemusers`, `Some("abc")`, `nav/$ref`).
fn split_resource(resource: &str) -> (&str, Option<&str>, &str) {
    let (head, nav) = resource.split_once('/').unwrap_or((resource, ""));
    match head.split_once('(') {
        Some((entity, rest)) if !entity.is_empty() && rest.ends_with(')') && rest.len() > 1 => {
            (entity, Some(&rest[..rest.len() - 1]), nav)
        }
        _ => (head, None, nav),
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

fn not_found_plain() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not Found\n",
    )
        .into_response()
}

/// 401 as Dataverse sends it: empty body, `WWW-Authenticate` naming the authority and resource.
fn unauthorized(state: &AppState, env: &Environment) -> Response {
    let value = format!(
        "Bearer authorization_uri={}/{}/oauth2/authorize, resource_id={}/",
        state.entra_origin(),
        env.tenant,
        state.env_origin(&env.org)
    );
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_str(&value).expect("header"),
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    r
}

/// Check the bearer token: signature, lifetime, issuer (tenant) and audience (this environment).
fn authenticate(
    state: &AppState,
    env: &Environment,
    headers: &HeaderMap,
) -> Result<Map<String, Value>, Response> {
    let token = crate::tokens::bearer(headers).ok_or_else(|| unauthorized(state, env))?;
    let claims = crate::tokens::claims(state, token).ok_or_else(|| unauthorized(state, env))?;
    let now = entra::now();
    let num = |k: &str| claims.get(k).and_then(Value::as_u64);
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    let origin = state.env_origin(&env.org);
    let aud_ok = text("aud").eq_ignore_ascii_case(&origin)
        || text("aud").eq_ignore_ascii_case(&format!("{origin}/"));
    let iss_ok = text("iss") == format!("https://sts.windows.net/{}/", env.tenant);
    let time_ok = num("exp").is_some_and(|e| e > now) && num("nbf").is_none_or(|n| n <= now + 300);
    if !(aud_ok && iss_ok && time_ok && text("tid") == env.tenant) {
        return Err(unauthorized(state, env));
    }
    Ok(claims)
}

/// Membership and app restrictions: 403 with Dataverse's error JSON.
fn authorize(
    state: &AppState,
    env: &Environment,
    claims: &Map<String, Value>,
) -> Result<(), Response> {
    let text = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    if env.restricted_app {
        return Err(odata_error(
            StatusCode::FORBIDDEN,
            "0x80095ffc",
            "Access to Dataverse API is restricted for this application Id",
        ));
    }
    let delegated = claims.contains_key("scp");
    let member = if delegated {
        env.members.contains(&text("oid"))
    } else {
        let appid = text("appid");
        users::visible_app_users(state, env)
            .iter()
            .any(|r| r.client_id == appid)
    };
    if !member {
        return Err(odata_error(
            StatusCode::FORBIDDEN,
            "0x80072560",
            "The user is not a member of the organization.",
        ));
    }
    Ok(())
}

fn odata_headers(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal"),
    );
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
}

pub(crate) fn odata_json(v: Value) -> Response {
    let body = crate::ordered_json(&v, &["@odata.context"]);
    let mut r = (StatusCode::OK, body).into_response();
    odata_headers(&mut r);
    r
}

/// Dataverse's error body: `{"error":{"code":"0x…","message":"…"}}`.
pub fn odata_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    let mut r = (status, body.to_string()).into_response();
    odata_headers(&mut r);
    r
}

/// 404 as Dataverse answers a row that does not exist.
pub(crate) fn does_not_exist(entity: &str, id: &str) -> Response {
    odata_error(
        StatusCode::NOT_FOUND,
        "0x80040217",
        &format!("{entity} With Id = {id} Does Not Exist"),
    )
}

/// A stable GUID derived from the environment and a name.
pub(crate) fn derived_guid(env: &Environment, name: &str) -> String {
    let ns = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_DNS,
        format!("{}.crm.localhost", env.org).as_bytes(),
    );
    uuid::Uuid::new_v5(&ns, name.as_bytes()).to_string()
}

pub fn organization_id(env: &Environment) -> String {
    env.organization_id
        .clone()
        .unwrap_or_else(|| derived_guid(env, "organization"))
}

pub fn business_unit_id(env: &Environment) -> String {
    env.business_unit_id
        .clone()
        .unwrap_or_else(|| derived_guid(env, "businessunit"))
}

/// The `systemuserid` of a user (by Entra object ID) or application (by client ID) in `env`.
pub fn system_user_id(env: &Environment, entra_id: &str) -> String {
    derived_guid(
        env,
        &format!("systemuser:{}", entra_id.to_ascii_lowercase()),
    )
}

fn who_am_i(env: &Environment, claims: &Map<String, Value>, base: &str) -> Response {
    let key = if claims.contains_key("scp") {
        claims.get("oid")
    } else {
        claims.get("appid")
    }
    .and_then(Value::as_str)
    .unwrap_or("");
    odata_json(json!({
        "@odata.context": format!("{base}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"),
        "BusinessUnitId": business_unit_id(env),
        "UserId": system_user_id(env, key),
        "OrganizationId": organization_id(env),
    }))
}

async fn read_metadata(state: &AppState, env: &Environment) -> Result<Vec<u8>, Response> {
    let path = state.config.metadata_path(env);
    tokio::fs::read(&path).await.map_err(|e| {
        eprintln!("sandbox: cannot read {}: {e}", path.display());
        odata_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "0x80040216",
            &format!(
                "The sandbox cannot read its $metadata file {}: {e}",
                path.display()
            ),
        )
    })
}

/// Entity set names in a CSDL document, in document order.
pub fn entity_sets(csdl: &str) -> Vec<String> {
    const NEEDLE: &str = "<EntitySet Name=\"";
    let mut out = Vec::new();
    let mut rest = csdl;
    while let Some(i) = rest.find(NEEDLE) {
        rest = &rest[i + NEEDLE.len()..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

async fn service_document(state: &AppState, env: &Environment, base: &str) -> Response {
    let bytes = match read_metadata(state, env).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = String::from_utf8_lossy(&bytes);
    let value: Vec<Value> = entity_sets(&text)
        .into_iter()
        .map(|n| json!({"name": n, "kind": "EntitySet", "url": n}))
        .collect();
    odata_json(json!({
        "@odata.context": format!("{base}/$metadata"),
        "value": value,
    }))
}

/// The CSDL file, reread on every request. `Content-Length` unless the environment is `chunked`;
/// with `delay_ms` the body is sent in `chunk_size` pieces with that pause between them.
async fn metadata(state: &AppState, env: &Environment) -> Response {
    let bytes = match read_metadata(state, env).await {
        Ok(b) => Bytes::from(b),
        Err(r) => return r,
    };
    let len = bytes.len();
    let body = if env.chunked || env.delay_ms > 0 {
        let chunk = env.chunk_size;
        let delay = Duration::from_millis(env.delay_ms);
        let stream = futures_util::stream::unfold(0usize, move |offset| {
            let bytes = bytes.clone();
            async move {
                if offset >= bytes.len() {
                    return None;
                }
                if offset > 0 && !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let end = (offset + chunk).min(bytes.len());
                Some((Ok::<Bytes, Infallible>(bytes.slice(offset..end)), end))
            }
        });
        Body::from_stream(stream)
    } else {
        Body::from(bytes)
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    if !env.chunked {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_entity_sets() {
        let csdl = r#"<EntityContainer><EntitySet Name="accounts" EntityType="mscrm.account"/>
            <EntitySet Name="contacts" EntityType="mscrm.contact"></EntitySet></EntityContainer>"#;
        assert_eq!(entity_sets(csdl), ["accounts", "contacts"]);
    }

    #[test]
    fn decodes_segments() {
        assert_eq!(percent_decode("%24metadata"), "$metadata");
        assert_eq!(percent_decode("WhoAmI()"), "WhoAmI()");
    }
}
