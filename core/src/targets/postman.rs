//! Postman: an environment with the variables of Microsoft's *Set up a Postman environment* for
//! the Dataverse Web API (`url`, `clientid`, `version`, `webapiurl`, `callback`, `authurl`), in
//! Postman's environment file shape (`name`, `values[{key, value, type, enabled}]`,
//! `_postman_variable_scope`).
//!
//! Besides Microsoft's six, `tenantid`, `tokenurl`, `scope` and `clientsecret` (a secret-type
//! variable) make Postman's Client Credentials grant work with the app this wizard sets up.

use serde::Serialize;
use serde_json::Value;

use super::import::{Holding, ImportError, ImportKind};
use super::Source;
use crate::connector::{ConnectorField, Endpoints};
use crate::draft::FieldId;
use crate::entra::Authority;
use crate::fields::{ApiVersion, EndpointVersion, EnvironmentUrl, GrantType};
use crate::webapi;

/// The client ID Microsoft's instructions use (an app registered for every Dataverse
/// environment): it is not the user's app, so it is never imported as theirs.
pub const MICROSOFT_SAMPLE_CLIENT_ID: &str = "51f81489-12ee-4a9e-aaae-a2591f45987d";

#[derive(Serialize)]
struct Environment<'a> {
    name: String,
    values: Vec<Variable<'a>>,
    #[serde(rename = "_postman_variable_scope")]
    scope: &'static str,
}

#[derive(Serialize)]
struct Variable<'a> {
    key: &'static str,
    value: std::borrow::Cow<'a, str>,
    #[serde(rename = "type")]
    kind: &'static str,
    enabled: bool,
}

fn var<'a>(key: &'static str, value: impl Into<std::borrow::Cow<'a, str>>) -> Variable<'a> {
    Variable {
        key,
        value: value.into(),
        kind: "default",
        enabled: true,
    }
}

pub(crate) fn render(src: &Source) -> (String, Vec<String>) {
    let conn = src.conn;
    let env = src.environment();
    let authority = Authority::of(conn.cloud, &conn.tenant);
    // Postman's Client Credentials grant: the v2.0 token endpoint and `{env}/.default`.
    let app_only = Endpoints::for_version(
        &authority,
        EndpointVersion::V2,
        GrantType::ClientCredentials,
        env,
    );
    let app = src.app_name();
    let name = if app.is_empty() {
        format!("Dataverse {}", conn.environment.org())
    } else {
        format!("Dataverse {} - {app}", conn.environment.org())
    };
    let values = vec![
        var("url", env),
        var("clientid", src.text(ConnectorField::ClientId)),
        var("version", conn.api_version.as_str().trim_start_matches('v')),
        var("webapiurl", src.text(ConnectorField::ServiceUrl)),
        var("callback", src.text(ConnectorField::RedirectUrl)),
        var("authurl", authority.authorize_url_for_resource(env)),
        var("tenantid", conn.tenant.as_str()),
        var("tokenurl", app_only.token_url),
        var("scope", app_only.scope),
        Variable {
            kind: "secret",
            ..var("clientsecret", src.secret_or_placeholder())
        },
    ];
    let doc = Environment {
        name,
        values,
        scope: "environment",
    };
    let notes = vec![format!(
        "In Postman, Authorization, OAuth 2.0: for the app itself choose Grant type Client Credentials with Access Token URL {{{{tokenurl}}}}, Client ID {{{{clientid}}}}, Client Secret {{{{clientsecret}}}} and Scope {{{{scope}}}}; then GET {{{{webapiurl}}}}WhoAmI."
    )];
    // Plain strings and structs: serialising cannot fail.
    (
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
        notes,
    )
}

/// Whether a JSON value reads as a Postman environment.
pub(crate) fn looks_like(v: &Value) -> bool {
    v.get("values").is_some_and(Value::is_array)
        && (v.get("_postman_variable_scope").is_some() || v.get("name").is_some())
}

/// What an environment holds: `url`, `clientid` (unless Microsoft's sample app), `version`,
/// `tenantid`, `clientsecret`, `callback`. A resolved `webapiurl` must agree with `url` and
/// `version`. Disabled variables are skipped.
pub(crate) fn read(v: &Value) -> Result<Holding, ImportError> {
    let mut h = Holding::new(ImportKind::Postman);
    let empty = Vec::new();
    let items = v.get("values").and_then(Value::as_array).unwrap_or(&empty);
    let mut vars: Vec<(String, String, String)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(key) = item.get("key").and_then(Value::as_str) else {
            return Err(h.invalid(format!("values[{i}]"), "it has no \"key\""));
        };
        let at = format!("values[{i}] (\"{key}\")");
        if item.get("enabled").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let value = match item.get("value") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(n @ (Value::Number(_) | Value::Bool(_))) => n.to_string(),
            Some(_) => return Err(h.invalid(at, "its value is not text")),
        };
        let key = key.to_ascii_lowercase();
        if vars.iter().any(|(k, _, _)| *k == key) {
            return Err(h.invalid(at, "the variable is defined twice"));
        }
        vars.push((key, value, at));
    }
    let get = |key: &str| {
        vars.iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, at)| (v.as_str(), at.as_str()))
    };
    let sample = get("clientid")
        .is_some_and(|(v, _)| v.trim().eq_ignore_ascii_case(MICROSOFT_SAMPLE_CLIENT_ID));
    if let Some((url, at)) = get("url").filter(|(v, _)| !v.trim().is_empty()) {
        h.fill(FieldId::EnvironmentUrl, url, at);
    }
    match get("clientid") {
        Some(_) if sample => h.note(
            "clientid is Microsoft's sample application for Postman, not yours: it was not imported.",
        ),
        Some((id, at)) if !id.trim().is_empty() => h.fill(FieldId::ClientId, id, at),
        _ => {}
    }
    let version = match get("version") {
        Some((v, at)) => {
            let parsed = ApiVersion::parse(v)
                .ok_or_else(|| h.invalid(at, format!("\"{v}\" is not one of 9.0, 9.1, 9.2")))?;
            h.api_version(parsed);
            Some(parsed)
        }
        None => None,
    };
    if let Some((tenant, at)) = get("tenantid").filter(|(v, _)| !v.trim().is_empty()) {
        h.fill(FieldId::TenantId, tenant, at);
    }
    if let Some((secret, at)) = get("clientsecret") {
        h.secret(secret, at);
    }
    if let Some((callback, at)) = get("callback").filter(|(v, _)| !v.trim().is_empty()) {
        if !sample {
            h.fill(FieldId::ConnectorRedirectUrl, callback, at);
        }
    }
    // A resolved webapiurl (not Microsoft's {{url}} template) must be the one url and version give.
    if let (Some((web, at)), Some((url, _))) = (get("webapiurl"), get("url")) {
        let env = EnvironmentUrl::parse(url).ok().map(|e| e.value);
        if let (false, Some(env)) = (web.contains("{{"), env) {
            let want = webapi::service_url(&env, version.unwrap_or_default());
            if web.trim() != want {
                return Err(h.invalid(
                    at,
                    format!("it is {web} but url and version give {want}: correct one of them"),
                ));
            }
        }
    }
    h.finish(
        "the variables url, clientid, version, tenantid or clientsecret",
        &[],
    )
}
