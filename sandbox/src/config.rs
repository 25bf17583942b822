//! The sandbox's configuration: tenants (users, app registrations) and Dataverse environments.
//!
//! Read from one TOML file (see `sandbox/sandbox.toml`) or built in code. Paths inside the file
//! (`metadata`) are relative to the file's own directory.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod environment;

pub use environment::{
    AppUserConfig, Environment, RoleConfig, TeamConfig, DEFAULT_APP_USER_ROLE,
    DEFAULT_EXPANDED_CACHE_MS,
};

/// The default sandbox configuration, embedded so tests and the binary always have one.
pub const BUILTIN_TOML: &str = include_str!("../sandbox.toml");

/// The real Dataverse `$metadata` document used when an environment names none.
pub const DEFAULT_CSDL: &str = "shared/fixtures/csdl/dataverse_v9_bcgov_embc_ess_2022-10.xml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Port written into issued URLs (issuer, endpoints, environment origins).
    /// Defaults to the port the server listens on.
    #[serde(default)]
    pub issuer_port: Option<u16>,
    /// Authorization-code lifetime in seconds (Entra: about 10 minutes).
    #[serde(default = "default_code_lifetime")]
    pub code_lifetime_secs: u64,
    /// Access-token lifetime in seconds.
    #[serde(default = "default_token_lifetime")]
    pub token_lifetime_secs: u64,
    /// Replication lag of writes (Graph directory writes, Dataverse application users) unless a
    /// tenant or environment sets its own. Default [`DEFAULT_REPLICATION_LAG_MS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag_ms: Option<u64>,
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub environments: Vec<Environment>,
    /// Directory that relative `metadata` paths are resolved against (the config file's directory).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

fn default_code_lifetime() -> u64 {
    600
}
fn default_token_lifetime() -> u64 {
    3599
}

/// How long a write stays invisible to reads when nothing configures it.
pub const DEFAULT_REPLICATION_LAG_MS: u64 = 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// The tenant (directory) GUID, lower case.
    pub id: String,
    /// Verified domain names that may stand for the GUID in URLs.
    #[serde(default)]
    pub domains: Vec<String>,
    pub name: String,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub apps: Vec<App>,
    /// Graph directory writes (created applications, service principals, grants, secrets) are
    /// missing from reads for this long. Default: the top-level `replication_lag_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag_ms: Option<u64>,
    /// "Users can register applications" (Entra's default: yes). When false, only Application
    /// Developers and application admins may `POST /applications`.
    #[serde(default = "yes")]
    pub users_can_register_apps: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub oid: String,
    pub name: String,
    pub upn: String,
    /// A Global Administrator: may grant admin consent.
    #[serde(default)]
    pub is_admin: bool,
    /// Microsoft Entra directory roles by display name ("Application Developer", "Cloud
    /// Application Administrator", …; see [`crate::graph::roles::ROLES`]). `is_admin` adds
    /// Global Administrator.
    #[serde(default)]
    pub directory_roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Application (client) ID.
    pub client_id: String,
    /// App registration object ID.
    pub object_id: String,
    /// Enterprise application (service principal) object ID.
    pub service_principal_object_id: String,
    pub name: String,
    /// Has the delegated Dynamics CRM `user_impersonation` permission been granted tenant-wide?
    #[serde(default)]
    pub consented: bool,
    #[serde(default)]
    pub redirect_uris: Vec<RedirectUri>,
    /// Client secrets (for `client_credentials` from a server, not a browser).
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// The "Try with the sandbox" scenario this app stands for (its name in the wizard's list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Delegated Microsoft Graph permissions admin-consented for this app (`Application.Read.All`,
    /// `Directory.Read.All`, `Application.ReadWrite.All`, …): the `scp` of its Graph tokens.
    #[serde(default)]
    pub graph_permissions: Vec<String>,
    /// Does the registration's "API permissions" (`requiredResourceAccess`) list Dynamics CRM
    /// `user_impersonation`? (Sign-in works without it: dynamic consent.)
    #[serde(default = "yes")]
    pub dynamics_permission: bool,
    /// Users who consented for themselves only (a `Principal` grant for Dynamics CRM each).
    #[serde(default)]
    pub user_consents: Vec<String>,
    /// More admin-consented (`AllPrincipals`) grants, listed between the Graph grant and the
    /// Dynamics CRM one.
    #[serde(default)]
    pub extra_grants: Vec<GrantConfig>,
    /// Access tokens issued to this app are opaque strings, not JWTs (as Microsoft may issue).
    #[serde(default)]
    pub opaque_access_tokens: bool,
    /// Rows per page of Graph list answers to requests with this app's tokens. Default: unpaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_page_size: Option<usize>,
    /// The first Graph request to each distinct list with this app's tokens answers 429.
    #[serde(default)]
    pub graph_throttle_lists_once: bool,
    /// The app registration's owners (user object IDs): they may change it and add secrets.
    #[serde(default)]
    pub owners: Vec<String>,
    /// Does the tenant hold the app's service principal (enterprise application) from the start?
    /// `false`: created by the first consent at sign-in or by `POST /servicePrincipals`.
    #[serde(default = "yes")]
    pub service_principal: bool,
}

/// A delegated permission grant to a first-party resource (by its application ID).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantConfig {
    pub resource_app_id: String,
    pub scope: String,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectUri {
    pub uri: String,
    pub platform: Platform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// "Single-page application": cross-origin redemption only, PKCE required.
    Spa,
    /// "Web": server-side redemption only.
    Web,
    /// "Mobile and desktop applications" (public client).
    Native,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The "Secret ID" column of the portal (users paste it by mistake).
    pub id: String,
    /// The "Value" column, shown once.
    pub value: String,
    /// The "Description" column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Expiry relative to the sandbox's start, in days (negative: already expired). Default 365.
    #[serde(default = "default_secret_expiry")]
    pub expires_in_days: i64,
    /// Creation relative to the sandbox's start, in days ago. Default 30.
    #[serde(default = "default_secret_age")]
    pub created_days_ago: i64,
}

fn default_secret_expiry() -> i64 {
    365
}
fn default_secret_age() -> i64 {
    30
}

impl Config {
    /// Read a TOML file; relative paths inside it are resolved against its directory.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."));
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
        Self::from_toml(&text, dir).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse {
                path: path.to_owned(),
                source,
            },
            other => other,
        })
    }

    /// Parse TOML text; `base_dir` is where relative paths are resolved.
    pub fn from_toml(text: &str, base_dir: impl Into<PathBuf>) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<toml>"),
            source: Box::new(e),
        })?;
        config.base_dir = base_dir.into();
        config.normalize();
        config.check()?;
        Ok(config)
    }

    /// The configuration in `sandbox/sandbox.toml`, embedded at compile time.
    pub fn builtin() -> Config {
        Self::from_toml(BUILTIN_TOML, env!("CARGO_MANIFEST_DIR")).expect("builtin sandbox.toml")
    }

    /// Use this CSDL document for every environment (`--metadata`).
    pub fn override_metadata(&mut self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let abs = if path.is_absolute() {
            path.to_owned()
        } else {
            std::env::current_dir().unwrap_or_default().join(path)
        };
        for env in &mut self.environments {
            env.metadata = Some(abs.clone());
        }
    }

    fn normalize(&mut self) {
        for t in &mut self.tenants {
            t.id = t.id.to_ascii_lowercase();
            for d in &mut t.domains {
                *d = d.to_ascii_lowercase();
            }
            for a in &mut t.apps {
                a.client_id = a.client_id.to_ascii_lowercase();
                a.object_id = a.object_id.to_ascii_lowercase();
                a.service_principal_object_id = a.service_principal_object_id.to_ascii_lowercase();
                for u in &mut a.user_consents {
                    *u = u.to_ascii_lowercase();
                }
                for g in &mut a.extra_grants {
                    g.resource_app_id = g.resource_app_id.to_ascii_lowercase();
                }
                for o in &mut a.owners {
                    *o = o.to_ascii_lowercase();
                }
            }
            for u in &mut t.users {
                u.oid = u.oid.to_ascii_lowercase();
            }
        }
        for e in &mut self.environments {
            e.normalize();
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        for e in &self.environments {
            if self.tenant(&e.tenant).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "environment '{}' names unknown tenant '{}'",
                    e.org, e.tenant
                )));
            }
            if let Some(problem) = e.problems() {
                return Err(ConfigError::Invalid(problem));
            }
        }
        for t in &self.tenants {
            check_directory(t)?;
        }
        for a in self.tenants.iter().flat_map(|t| &t.apps) {
            if a.graph_page_size == Some(0) {
                return Err(ConfigError::Invalid(format!(
                    "app '{}': graph_page_size must be > 0",
                    a.client_id
                )));
            }
            if let Some(g) = a
                .extra_grants
                .iter()
                .find(|g| crate::graph::first_party(&g.resource_app_id).is_none())
            {
                return Err(ConfigError::Invalid(format!(
                    "app '{}': extra_grants names '{}', not a first-party application the \
                     sandbox knows",
                    a.client_id, g.resource_app_id
                )));
            }
        }
        Ok(())
    }

    /// An environment's replication lag: its own, else the top-level one, else 1000 ms.
    pub fn env_replication_lag_ms(&self, env: &Environment) -> u64 {
        env.replication_lag_ms
            .or(self.replication_lag_ms)
            .unwrap_or(DEFAULT_REPLICATION_LAG_MS)
    }

    /// A tenant's directory replication lag: its own, else the top-level one, else 1000 ms.
    pub fn tenant_replication_lag_ms(&self, tenant: &Tenant) -> u64 {
        tenant
            .replication_lag_ms
            .or(self.replication_lag_ms)
            .unwrap_or(DEFAULT_REPLICATION_LAG_MS)
    }

    /// A tenant by GUID or by one of its domains (case-insensitive).
    pub fn tenant(&self, key: &str) -> Option<&Tenant> {
        let key = key.to_ascii_lowercase();
        self.tenants
            .iter()
            .find(|t| t.id == key || t.domains.contains(&key))
    }

    /// The tenant and app that own a client ID, in any tenant.
    pub fn app_anywhere(&self, client_id: &str) -> Option<(&Tenant, &App)> {
        let id = client_id.to_ascii_lowercase();
        self.tenants
            .iter()
            .find_map(|t| t.apps.iter().find(|a| a.client_id == id).map(|a| (t, a)))
    }

    pub fn environment(&self, org: &str) -> Option<&Environment> {
        let org = org.to_ascii_lowercase();
        self.environments.iter().find(|e| e.org == org)
    }

    /// Where an environment's CSDL document is read from.
    pub fn metadata_path(&self, env: &Environment) -> PathBuf {
        match &env.metadata {
            Some(p) if p.is_absolute() => p.clone(),
            Some(p) => self.base_dir.join(p),
            None => self.default_metadata_path(),
        }
    }

    /// The real Dataverse CSDL in `shared/`, looked for beside the workspace (`<config dir>/../../shared`,
    /// `<config dir>/../shared`, then relative to this crate's manifest directory).
    pub fn default_metadata_path(&self) -> PathBuf {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let candidates = [
            self.base_dir.join("../..").join(DEFAULT_CSDL),
            self.base_dir.join("..").join(DEFAULT_CSDL),
            manifest.join("../..").join(DEFAULT_CSDL),
        ];
        candidates
            .iter()
            .find(|p| p.is_file())
            .cloned()
            .unwrap_or_else(|| candidates[0].clone())
    }
}

/// Directory roles must be known, owners users of the tenant, and an app without a service
/// principal can have no consent yet.
fn check_directory(t: &Tenant) -> Result<(), ConfigError> {
    for u in &t.users {
        if let Some(r) = u
            .directory_roles
            .iter()
            .find(|r| crate::graph::roles::role(r).is_none())
        {
            return Err(ConfigError::Invalid(format!(
                "user '{}': unknown directory role '{r}'",
                u.oid
            )));
        }
    }
    for a in &t.apps {
        if let Some(o) = a.owners.iter().find(|o| t.user(o).is_none()) {
            return Err(ConfigError::Invalid(format!(
                "app '{}': owner '{o}' is not a user of the tenant",
                a.client_id
            )));
        }
        let consents = a.consented
            || !a.graph_permissions.is_empty()
            || !a.user_consents.is_empty()
            || !a.extra_grants.is_empty();
        if !a.service_principal && consents {
            return Err(ConfigError::Invalid(format!(
                "app '{}': consent needs a service principal (service_principal = false)",
                a.client_id
            )));
        }
    }
    Ok(())
}

impl Tenant {
    pub fn app(&self, client_id: &str) -> Option<&App> {
        let id = client_id.to_ascii_lowercase();
        self.apps.iter().find(|a| a.client_id == id)
    }
    pub fn user(&self, oid: &str) -> Option<&User> {
        let oid = oid.to_ascii_lowercase();
        self.users.iter().find(|u| u.oid == oid)
    }
}

impl App {
    /// The registration of a redirect URI (exact, case-sensitive string match as Entra does).
    pub fn redirect(&self, uri: &str) -> Option<&RedirectUri> {
        self.redirect_uris.iter().find(|r| r.uri == uri)
    }
}
