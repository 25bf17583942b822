//! The `[[environments]]` part of the configuration: a Dataverse environment, its application
//! users, security roles and teams, and the service behaviours it emulates (lag, cache, paging,
//! throttling, slow `$metadata`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// An application user of an environment: a client ID alone (enabled, role
/// [`DEFAULT_APP_USER_ROLE`]) or a table with `client_id`, `disabled`, `roles`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AppUserConfig {
    ClientId(String),
    Detailed {
        client_id: String,
        #[serde(default)]
        disabled: bool,
        #[serde(default = "default_app_user_roles")]
        roles: Vec<String>,
    },
}

/// The security role an application user listed by client ID alone has.
pub const DEFAULT_APP_USER_ROLE: &str = "Sync reader (sandbox)";

fn default_app_user_roles() -> Vec<String> {
    vec![DEFAULT_APP_USER_ROLE.to_string()]
}

impl AppUserConfig {
    pub fn client_id(&self) -> &str {
        match self {
            AppUserConfig::ClientId(c) | AppUserConfig::Detailed { client_id: c, .. } => c,
        }
    }
    pub fn disabled(&self) -> bool {
        matches!(self, AppUserConfig::Detailed { disabled: true, .. })
    }
    pub fn roles(&self) -> Vec<String> {
        match self {
            AppUserConfig::ClientId(_) => default_app_user_roles(),
            AppUserConfig::Detailed { roles, .. } => roles.clone(),
        }
    }
    pub(super) fn lowercase(&mut self) {
        match self {
            AppUserConfig::ClientId(c) | AppUserConfig::Detailed { client_id: c, .. } => {
                *c = c.to_ascii_lowercase()
            }
        }
    }
}

/// A security role of an environment: its name and privileges (`prvReadAccount` = Global depth,
/// `prvReadAccount:Basic` for another depth; `*` = every privilege, Global).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    pub name: String,
    #[serde(default)]
    pub privileges: Vec<String>,
}

/// An owner team of the root business unit: its security roles and its members (application
/// users by client ID, people by Entra object ID).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Organization name: the environment is served on `{org}.crm.localhost`.
    pub org: String,
    /// The display name (Global Discovery Service `FriendlyName`). Default: the org name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// Global Discovery Service `Purpose` (the environment's description). Default: null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// A disabled environment: discovery lists it with `State: 1`, its Web API answers every
    /// call 503 `0x8004A104`.
    #[serde(default)]
    pub disabled: bool,
    /// Tenant GUID the environment belongs to.
    pub tenant: String,
    /// CSDL `$metadata` document (relative to the config file). Default: the real Dataverse fixture.
    #[serde(default)]
    pub metadata: Option<PathBuf>,
    /// OIDs of the users of the organization; other users get 403 `0x80072560`.
    #[serde(default)]
    pub members: Vec<String>,
    /// Application users: client IDs (enabled, role [`DEFAULT_APP_USER_ROLE`]) or tables
    /// `{ client_id, disabled, roles }`.
    #[serde(default)]
    pub application_users: Vec<AppUserConfig>,
    /// Security roles of the root business unit. Default: [`crate::dataverse::roles::default_roles`].
    #[serde(default)]
    pub roles: Vec<RoleConfig>,
    /// Owner teams with roles: their members inherit the roles' privileges.
    #[serde(default)]
    pub teams: Vec<TeamConfig>,
    /// Members with the System Administrator role. Default: the members who are tenant admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_administrators: Option<Vec<String>>,
    /// An application user created through the Web API is missing from list answers for this
    /// long, like Dataverse's replication lag. Default: the top-level `replication_lag_ms`, 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag_ms: Option<u64>,
    /// After a change to an application user's roles, `$expand`ed collections answer what they
    /// were before for this long, unless the request sends `If-None-Match: null`.
    #[serde(default = "default_expanded_cache_ms")]
    pub expanded_cache_ms: u64,
    /// Rows per page of a collection answer (`@odata.nextLink` beyond). Default: 5000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<usize>,
    /// The first request to each distinct list answers 429 (service protection limits).
    #[serde(default)]
    pub throttle_lists_once: bool,
    /// Every call answers 403 `0x80095ffc` (API access restricted for the application).
    #[serde(default)]
    pub restricted_app: bool,
    /// Send `$metadata` without `Content-Length` (chunked transfer encoding).
    #[serde(default)]
    pub chunked: bool,
    /// Delay between `$metadata` chunks, to watch progress.
    #[serde(default)]
    pub delay_ms: u64,
    /// Chunk size for `$metadata` when chunked or delayed.
    #[serde(default = "default_chunk_size")]
    pub chunk_size: usize,
    /// WhoAmI `OrganizationId`.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// WhoAmI `BusinessUnitId` (the root business unit).
    #[serde(default)]
    pub business_unit_id: Option<String>,
}

fn default_chunk_size() -> usize {
    64 * 1024
}

/// Dataverse documents that expanded collections may be cached; 30 s is the sandbox's choice.
pub const DEFAULT_EXPANDED_CACHE_MS: u64 = 30_000;

fn default_expanded_cache_ms() -> u64 {
    DEFAULT_EXPANDED_CACHE_MS
}

impl Environment {
    /// `friendly_name`, else the org name.
    pub fn display_name(&self) -> &str {
        self.friendly_name.as_deref().unwrap_or(&self.org)
    }

    pub(super) fn normalize(&mut self) {
        self.org = self.org.to_ascii_lowercase();
        self.tenant = self.tenant.to_ascii_lowercase();
        for m in &mut self.members {
            *m = m.to_ascii_lowercase();
        }
        for a in &mut self.application_users {
            a.lowercase();
        }
        for t in &mut self.teams {
            for m in &mut t.members {
                *m = m.to_ascii_lowercase();
            }
        }
        if let Some(admins) = &mut self.system_administrators {
            for a in admins {
                *a = a.to_ascii_lowercase();
            }
        }
    }

    /// Problems with this environment's own settings (unknown role names, zero sizes).
    pub(super) fn problems(&self) -> Option<String> {
        if self.org.is_empty()
            || !self
                .org
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Some(format!("environment org '{}' is not a DNS label", self.org));
        }
        if self.chunk_size == 0 {
            return Some(format!(
                "environment '{}': chunk_size must be > 0",
                self.org
            ));
        }
        if self.page_size == Some(0) {
            return Some(format!("environment '{}': page_size must be > 0", self.org));
        }
        let roles = crate::dataverse::roles::roles(self);
        let known = |name: &String| roles.iter().any(|r| r.name.eq_ignore_ascii_case(name));
        let named = self
            .application_users
            .iter()
            .flat_map(|a| a.roles())
            .chain(self.teams.iter().flat_map(|t| t.roles.clone()));
        for name in named {
            if !known(&name) {
                return Some(format!(
                    "environment '{}': unknown security role '{name}'",
                    self.org
                ));
            }
        }
        None
    }
}
