//! The `scope` parameter: which resource (a sandbox Dataverse environment, the Global Discovery
//! Service or Microsoft Graph) and which permissions it asks for.

use super::{AadError, RequestedScopes, Resource, DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::config::{App, Tenant};
use crate::AppState;

const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

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
    let mut graph_audience: Option<String> = None;
    for s in scope.split_whitespace() {
        let lower = s.to_ascii_lowercase();
        if OIDC_SCOPES.contains(&lower.as_str()) {
            openid |= lower == "openid";
            offline_access |= lower == "offline_access";
            continue;
        }
        if let Some(perm) = lower
            .strip_prefix(GRAPH_APP_ID)
            .and_then(|p| p.strip_prefix('/'))
        {
            graph_audience.get_or_insert(GRAPH_APP_ID.to_string());
            resources.push((Resource::Graph, s[s.len() - perm.len()..].to_string()));
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
        if let Some(aud) = discovery_audience(state, resource_uri) {
            resources.push((Resource::Discovery(aud), perm.to_string()));
            continue;
        }
        let resource_uri = resource_uri.trim_end_matches('/');
        if is_graph_resource(state, resource_uri) {
            graph_audience.get_or_insert(resource_uri.to_string());
            resources.push((Resource::Graph, perm.to_string()));
            continue;
        }
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
    }
    if resource.is_dynamics() {
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
        graph_audience,
    })
}

/// `https://graph.microsoft.com` or the sandbox's own Graph host.
fn is_graph_resource(state: &AppState, uri: &str) -> bool {
    uri.eq_ignore_ascii_case("https://graph.microsoft.com")
        || uri.eq_ignore_ascii_case(&state.graph_origin())
}

/// Graph permissions a user may consent to for themselves (no admin consent needed); the sandbox
/// grants them without asking.
const USER_CONSENTABLE: [&str; 1] = ["User.Read"];

/// The Microsoft Graph permissions `scopes` names (by resource URI) that are not in
/// `consented`; `.default` when nothing is consented. `User.Read` never counts (users consent to
/// it themselves). Empty for other resources.
pub fn graph_missing(consented: &[String], scopes: &RequestedScopes) -> Vec<String> {
    if scopes.resource != Resource::Graph || scopes.graph_audience.is_none() {
        return Vec::new();
    }
    let has = |p: &str| consented.iter().any(|g| g.eq_ignore_ascii_case(p));
    scopes
        .permissions
        .iter()
        .filter(|p| {
            if *p == ".default" {
                return consented.is_empty();
            }
            !USER_CONSENTABLE.iter().any(|u| u.eq_ignore_ascii_case(p)) && !has(p)
        })
        .cloned()
        .collect()
}

/// The `scp` of a Graph token asked by resource URI: every Graph permission consented for the app
/// and user (`consented`: admin-consented, then the user's own grant), plus `User.Read` when
/// asked. A named permission that is not consented (or `.default` with none) is AADSTS65001, with
/// `error` `error` (`invalid_grant` at the token endpoint, `consent_required` at authorize).
/// `None` for other resources.
pub fn graph_scp(
    app: &App,
    consented: &[String],
    scopes: &RequestedScopes,
    error: &'static str,
) -> Result<Option<Vec<String>>, AadError> {
    if scopes.resource != Resource::Graph || scopes.graph_audience.is_none() {
        return Ok(None);
    }
    if !graph_missing(consented, scopes).is_empty() {
        return Err(consent_error(app, error));
    }
    let mut scp = consented.to_vec();
    for p in &scopes.permissions {
        if let Some(u) = USER_CONSENTABLE.iter().find(|u| u.eq_ignore_ascii_case(p)) {
            if !scp.iter().any(|s| s.eq_ignore_ascii_case(u)) {
                scp.push(u.to_string());
            }
        }
    }
    Ok(Some(scp))
}

/// AADSTS65001: the user or administrator has not consented (`suberror` `consent_required` at
/// the token endpoint).
pub(super) fn consent_error(app: &App, error: &'static str) -> AadError {
    let e = AadError::new(
        error,
        65001,
        format!(
            "The user or administrator has not consented to use the application with ID '{}' \
             named '{}'. Send an interactive authorization request for this user and resource.",
            app.client_id, app.name
        ),
    );
    if error == "invalid_grant" {
        e.with_suberror("consent_required")
    } else {
        e
    }
}

/// The token audience for the Global Discovery Service asked as `uri`, the resource part of a
/// scope (everything before its last slash): `http://globaldisco.localhost:{port}/` (the
/// resource identifier, as in `…//user_impersonation`) or `http://globaldisco.localhost:{port}`
/// (from `…/user_impersonation`, an audience the service refuses). Host case-insensitive.
fn discovery_audience(state: &AppState, uri: &str) -> Option<String> {
    let origin = state.discovery_origin();
    let (base, slash) = match uri.strip_suffix('/') {
        Some(base) => (base, "/"),
        None => (uri, ""),
    };
    base.eq_ignore_ascii_case(&origin)
        .then(|| format!("{origin}{slash}"))
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
