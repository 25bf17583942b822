//! A local emulation of the parts of Microsoft Entra ID v2.0, Microsoft Graph, the Global
//! Discovery Service and the Dataverse Web API that the wizard talks to. One listener; requests
//! are routed on the `Host` header:
//!
//! * `localhost` / `127.0.0.1` / `[::1]` → Entra ID ([`entra`]),
//! * `graph.localhost` → Microsoft Graph ([`graph`]),
//! * `globaldisco.localhost` → the Global Discovery Service ([`discovery`]),
//! * `{org}.crm.localhost` → the Dataverse environment `{org}` ([`dataverse`]),
//! * anything else → 404.
//!
//! Test hooks on the Entra host: `/sandbox/reset`, `/sandbox/faults` ([`faults`]: the next
//! matching Graph, discovery or Dataverse request fails once), `/sandbox/state/applications/…`.

pub mod config;
pub mod cors;
pub mod dataverse;
pub mod discovery;
pub mod entra;
pub mod faults;
pub mod graph;
pub mod jwt;
pub mod pages;
pub mod paging;
pub mod tokens;

pub use config::{Config, ConfigError};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Shared server state: configuration, signing key and the in-memory grant store.
pub struct AppState {
    pub config: Config,
    /// Port used in every URL the sandbox writes (issuer, endpoints, environment origins).
    pub port: u16,
    pub signer: jwt::Signer,
    pub store: Mutex<Store>,
    /// When the sandbox started: configured secret dates are relative to it.
    pub started: chrono::DateTime<chrono::Utc>,
}

/// Everything that changes at run time; `POST /sandbox/reset` clears it.
#[derive(Default)]
pub struct Store {
    pub codes: HashMap<String, entra::CodeGrant>,
    pub refresh_tokens: HashMap<String, entra::RefreshGrant>,
    /// Each tenant's directory objects (apps, service principals, grants) as they are now,
    /// built from the configuration on first use; Graph writes and consent at sign-in change them.
    pub directories: HashMap<String, graph::TenantObjects>,
    /// Faults queued with `POST /sandbox/faults`, in matching order.
    pub faults: Vec<faults::Fault>,
    /// Application users per environment (org), created from the configuration on first use.
    pub app_users: HashMap<String, Vec<dataverse::users::AppUserRow>>,
    /// Client secrets added through Graph `addPassword`, per client ID.
    pub added_secrets: HashMap<String, Vec<graph::AddedSecret>>,
    /// Opaque access tokens and their claims, until they expire.
    pub opaque_tokens: HashMap<String, serde_json::Map<String, serde_json::Value>>,
    /// Lists already asked for once (see [`paging::first_request`]).
    pub seen_lists: HashSet<String>,
}

impl AppState {
    pub fn new(config: Config, port: u16) -> AppState {
        AppState {
            port: config.issuer_port.unwrap_or(port),
            config,
            signer: jwt::Signer::new(),
            store: Mutex::new(Store::default()),
            started: chrono::Utc::now(),
        }
    }

    /// `http://localhost:{port}` — the Entra authority host.
    pub fn entra_origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// `http://graph.localhost:{port}` — Microsoft Graph's stand-in (`https://graph.microsoft.com`).
    pub fn graph_origin(&self) -> String {
        format!("http://graph.localhost:{}", self.port)
    }

    /// `http://globaldisco.localhost:{port}` — the Global Discovery Service's stand-in
    /// (`https://globaldisco.crm.dynamics.com`); its token audience has a trailing slash.
    pub fn discovery_origin(&self) -> String {
        format!("http://globaldisco.localhost:{}", self.port)
    }

    /// `http://{org}.crm.localhost:{port}` — an environment's origin, also its token audience.
    pub fn env_origin(&self, org: &str) -> String {
        format!("http://{org}.crm.localhost:{}", self.port)
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Milliseconds since the epoch (replication lag and cache windows).
pub fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// Which emulated service a `Host` header names.
#[derive(Debug, PartialEq, Eq)]
pub enum HostKind {
    Entra,
    Graph,
    Discovery,
    Dataverse(String),
    Unknown(String),
}

/// Classify a `Host` header value (port stripped, case-insensitive).
pub fn classify_host(host: &str) -> HostKind {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8081
        rest.split(']').next().unwrap_or("").to_string()
    } else {
        host.rsplit_once(':')
            .map(|(h, p)| {
                if p.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    host.as_str()
                }
            })
            .unwrap_or(&host)
            .to_string()
    };
    let name = name.trim_end_matches('.');
    match name {
        "localhost" | "127.0.0.1" | "::1" => HostKind::Entra,
        "graph.localhost" => HostKind::Graph,
        "globaldisco.localhost" => HostKind::Discovery,
        _ => match name.strip_suffix(".crm.localhost") {
            Some(org) if !org.is_empty() && !org.contains('.') => {
                HostKind::Dataverse(org.to_string())
            }
            _ => HostKind::Unknown(name.to_string()),
        },
    }
}

/// The whole sandbox as one axum `Router`. `port` is the listening port (used in URLs unless the
/// config sets `issuer_port`).
pub fn router(config: Config, port: u16) -> Router {
    let state = Arc::new(AppState::new(config, port));
    let entra = entra::router(state.clone());
    Router::new().fallback(move |req: Request| {
        let state = state.clone();
        let entra = entra.clone();
        async move {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
                .or_else(|| req.uri().authority().map(|a| a.to_string()))
                .unwrap_or_default();
            match classify_host(&host) {
                HostKind::Entra => match entra.oneshot(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                },
                HostKind::Graph => graph::handle(state, req).await,
                HostKind::Discovery => discovery::handle(state, req).await,
                HostKind::Dataverse(org) if state.config.environment(&org).is_some() => {
                    dataverse::handle(state, org, req).await
                }
                HostKind::Dataverse(name) | HostKind::Unknown(name) => (
                    StatusCode::NOT_FOUND,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    Body::from(format!(
                        "The sandbox does not serve the host '{name}'. Entra ID is on localhost, \
                         Microsoft Graph on graph.localhost, the Global Discovery Service on \
                         globaldisco.localhost; Dataverse environments are on \
                         {{org}}.crm.localhost.\n"
                    )),
                )
                    .into_response(),
            }
        }
    })
}

/// Serve the sandbox on `listener` until the process ends.
pub async fn serve(config: Config, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    axum::serve(listener, router(config, port)).await
}

/// Serialize a JSON object with the keys in `first` leading, in that order, then the others
/// (Entra puts `error` first, Dataverse `@odata.context`; `serde_json::Map` sorts keys).
pub fn ordered_json(v: &serde_json::Value, first: &[&str]) -> String {
    let Some(map) = v.as_object() else {
        return v.to_string();
    };
    let mut keys: Vec<&str> = first
        .iter()
        .copied()
        .filter(|k| map.contains_key(*k))
        .collect();
    keys.extend(
        map.keys()
            .map(String::as_str)
            .filter(|k| !first.contains(k)),
    );
    let fields: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:{}", serde_json::Value::from(*k), map[*k]))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A human-readable summary of the configuration (printed by the binary on start).
pub fn summary(config: &Config, port: u16) -> String {
    use std::fmt::Write;
    let port = config.issuer_port.unwrap_or(port);
    let mut s = String::new();
    for t in &config.tenants {
        let _ = writeln!(s, "tenant  {} {}  [{}]", t.id, t.name, t.domains.join(", "));
        let _ = writeln!(
            s,
            "        authority http://localhost:{port}/{}/oauth2/v2.0/authorize",
            t.id
        );
        for u in &t.users {
            let roles: Vec<&str> = graph::roles::roles_of(u).iter().map(|r| r.name).collect();
            let _ = writeln!(
                s,
                "  user  {}  {} <{}>{}",
                u.oid,
                u.name,
                u.upn,
                if roles.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", roles.join(", "))
                }
            );
        }
        for a in &t.apps {
            let _ = writeln!(
                s,
                "  app   {}  {}{}\n        object id {}  service principal {}",
                a.client_id,
                a.name,
                match (a.service_principal, a.consented) {
                    (false, _) => " (no service principal until consent)",
                    (true, true) => "",
                    (true, false) => " (not consented)",
                },
                a.object_id,
                a.service_principal_object_id
            );
            if let Some(scenario) = &a.scenario {
                let _ = writeln!(s, "        scenario \"{scenario}\"");
            }
            for r in &a.redirect_uris {
                let _ = writeln!(s, "        redirect {:?} {}", r.platform, r.uri);
            }
        }
    }
    let _ = writeln!(
        s,
        "graph   http://graph.localhost:{port}/v1.0/  (Microsoft Graph: applications, servicePrincipals, oauth2PermissionGrants, me/memberOf, organization)"
    );
    let _ = writeln!(
        s,
        "disco   http://globaldisco.localhost:{port}/api/discovery/v2.0/Instances  (Global Discovery Service; scope http://globaldisco.localhost:{port}//user_impersonation)"
    );
    for e in &config.environments {
        let mut traits = Vec::new();
        if e.disabled {
            traits.push("disabled: 503".to_string());
        }
        if e.members.is_empty() {
            traits.push("no members".to_string());
        }
        if e.restricted_app {
            traits.push("restricted_app".to_string());
        }
        if e.chunked {
            traits.push("chunked".to_string());
        }
        if e.delay_ms > 0 {
            traits.push(format!("{} ms/chunk", e.delay_ms));
        }
        if let Some(n) = e.page_size {
            traits.push(format!("{n} rows/page"));
        }
        if e.throttle_lists_once {
            traits.push("429 once per list".to_string());
        }
        let _ = writeln!(
            s,
            "env     http://{}.crm.localhost:{port}  \"{}\"  tenant {}{}\n        $metadata {}",
            e.org,
            e.display_name(),
            e.tenant,
            if traits.is_empty() {
                String::new()
            } else {
                format!("  ({})", traits.join(", "))
            },
            {
                let p = config.metadata_path(e);
                p.canonicalize().unwrap_or(p).display().to_string()
            }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(classify_host("localhost:8081"), HostKind::Entra);
        assert_eq!(classify_host("127.0.0.1:8081"), HostKind::Entra);
        assert_eq!(classify_host("[::1]:8081"), HostKind::Entra);
        assert_eq!(classify_host("LocalHost"), HostKind::Entra);
        assert_eq!(classify_host("graph.localhost:8081"), HostKind::Graph);
        assert_eq!(
            classify_host("GlobalDisco.localhost:8081"),
            HostKind::Discovery
        );
        assert_eq!(classify_host("globaldisco.localhost"), HostKind::Discovery);
        assert_eq!(
            classify_host("contoso.crm.localhost:8081"),
            HostKind::Dataverse("contoso".into())
        );
        assert_eq!(
            classify_host("a.b.crm.localhost"),
            HostKind::Unknown("a.b.crm.localhost".into())
        );
        assert_eq!(
            classify_host("example.com"),
            HostKind::Unknown("example.com".into())
        );
    }

    #[test]
    fn builtin_config_parses() {
        let c = Config::builtin();
        assert!(c.tenant("contoso.onmicrosoft.com").is_some());
        assert!(c.environment("contoso").is_some());
        assert!(summary(&c, 8081).contains("http://contoso.crm.localhost:8081"));
    }
}
