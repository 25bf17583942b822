//! The wizard's state: what the user has typed ([`Draft`], raw strings so typing is never
//! blocked), how each field checks out in context ([`check_field`]), and the fully checked
//! [`Connection`] that only [`Draft::validate`] can build.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::entra::{CALLBACK_PATH, DYNAMICS_CRM_APP_ID};
use crate::fields::{
    check_entity_set, ApiVersion, Checked, ClientSecret, Email, EnvironmentUrl, FieldError,
    GrantType, Guid, Level, Note, RedirectUrl, SecretExpiry, TenantId, TokenEndpoint,
};

/// Wrapper for the typed-in client secret: `Debug` never shows it, and [`Draft`]'s serde skips
/// it, so it is kept only in memory for the current tab.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct SecretInput(String);

impl SecretInput {
    /// Wrap what was typed.
    pub fn new(s: String) -> SecretInput {
        SecretInput(s)
    }

    /// The typed text. It is a credential: never log or persist it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether nothing (or only whitespace) was typed.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("SecretInput(\"\")")
        } else {
            f.write_str("SecretInput([redacted])")
        }
    }
}

/// What the user has typed so far: raw strings, so typing is never blocked. Serialised (without
/// the secret) to localStorage by the app.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// The national cloud picked at the top of the wizard.
    pub cloud: Cloud,
    /// The connector's Grant Type.
    pub grant_type: GrantType,
    /// The Web API version for the Service URL.
    pub api_version: ApiVersion,
    /// The app registration's display name (step 1).
    pub app_name: String,
    /// Directory (tenant) ID.
    pub tenant_id: String,
    /// Application (client) ID.
    pub client_id: String,
    /// Object ID of the Enterprise application (service principal).
    pub object_id: String,
    /// The client secret Value. NEVER serialised by `Draft`'s serde.
    #[serde(skip)]
    pub client_secret: SecretInput,
    /// `YYYY-MM-DD` (an `<input type=date>` value).
    pub secret_expires: String,
    /// The Dataverse environment URL.
    pub environment_url: String,
    /// Optional: derived from the tenant when empty.
    pub token_endpoint: String,
    /// Web redirect for the connector's authorization_code flow (only required for that grant).
    pub connector_redirect_url: String,
    /// Application user's Full Name; blank → `app_name`.
    pub full_name: String,
    /// Application user's Primary Email; blank → the derived user name.
    pub primary_email: String,
    /// The entity set name (typed by hand for now).
    pub entity: String,
    /// Checklist items the user ticked, e.g. `"register.create"`.
    pub ticks: BTreeSet<String>,
}

/// The wizard's pages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    /// Register the app in Entra ID.
    Register,
    /// Add Dynamics CRM `user_impersonation` and grant admin consent.
    Permissions,
    /// Create the client secret.
    Secret,
    /// Collect object ID, environment URL, token endpoint.
    Details,
    /// Add the application user in Dynamics.
    AppUser,
    /// The Simego connector settings.
    Connector,
    /// Test sign-in and Dataverse access from the browser (delegated).
    Test,
    /// Review and export.
    Review,
}

impl Step {
    /// Every step in order.
    pub const ALL: [Step; 8] = [
        Step::Register,
        Step::Permissions,
        Step::Secret,
        Step::Details,
        Step::AppUser,
        Step::Connector,
        Step::Test,
        Step::Review,
    ];

    /// URL slug: `"register"`, `"permissions"`, `"secret"`, `"details"`, `"app-user"`,
    /// `"connector"`, `"test"`, `"review"`.
    pub fn slug(self) -> &'static str {
        match self {
            Step::Register => "register",
            Step::Permissions => "permissions",
            Step::Secret => "secret",
            Step::Details => "details",
            Step::AppUser => "app-user",
            Step::Connector => "connector",
            Step::Test => "test",
            Step::Review => "review",
        }
    }

    /// Page title.
    pub fn title(self) -> &'static str {
        match self {
            Step::Register => "Register the app",
            Step::Permissions => "API permissions",
            Step::Secret => "Client secret",
            Step::Details => "Gather the details",
            Step::AppUser => "Add the application user",
            Step::Connector => "Connector settings",
            Step::Test => "Test the connection",
            Step::Review => "Review and export",
        }
    }

    /// Inverse of [`Step::slug`].
    pub fn from_slug(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|st| st.slug() == s)
    }

    /// 1-based position.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// The following step.
    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self as usize + 1).copied()
    }

    /// The preceding step.
    pub fn prev(self) -> Option<Step> {
        (self as usize).checked_sub(1).map(|i| Step::ALL[i])
    }

    /// The fields entered on this step, in display order.
    pub fn fields(self) -> Vec<FieldId> {
        FieldId::ALL
            .into_iter()
            .filter(|f| f.step() == self)
            .collect()
    }
}

/// One input of the wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldId {
    /// Application name.
    AppName,
    /// Directory (tenant) ID.
    TenantId,
    /// Application (client) ID.
    ClientId,
    /// Object ID (Enterprise application).
    ObjectId,
    /// Client secret value.
    ClientSecret,
    /// Secret expires.
    SecretExpires,
    /// Environment URL.
    EnvironmentUrl,
    /// Token endpoint (optional).
    TokenEndpoint,
    /// Redirect URL for the connector (Web platform).
    ConnectorRedirectUrl,
    /// Full Name.
    FullName,
    /// Primary Email.
    PrimaryEmail,
    /// Entity.
    Entity,
}

impl FieldId {
    /// Every field, in step order.
    pub const ALL: [FieldId; 12] = [
        FieldId::AppName,
        FieldId::TenantId,
        FieldId::ClientId,
        FieldId::ClientSecret,
        FieldId::SecretExpires,
        FieldId::ObjectId,
        FieldId::EnvironmentUrl,
        FieldId::TokenEndpoint,
        FieldId::FullName,
        FieldId::PrimaryEmail,
        FieldId::ConnectorRedirectUrl,
        FieldId::Entity,
    ];

    /// The label, in the portal's terms.
    pub fn label(self) -> &'static str {
        match self {
            FieldId::AppName => "Application name",
            FieldId::TenantId => "Directory (tenant) ID",
            FieldId::ClientId => "Application (client) ID",
            FieldId::ObjectId => "Object ID (Enterprise application)",
            FieldId::ClientSecret => "Client secret value",
            FieldId::SecretExpires => "Secret expires",
            FieldId::EnvironmentUrl => "Environment URL",
            FieldId::TokenEndpoint => "Token endpoint (optional)",
            FieldId::ConnectorRedirectUrl => "Redirect URL for the connector (Web platform)",
            FieldId::FullName => "Full Name",
            FieldId::PrimaryEmail => "Primary Email",
            FieldId::Entity => "Entity",
        }
    }

    /// The HTML id (kebab-case).
    pub fn dom_id(self) -> &'static str {
        match self {
            FieldId::AppName => "app-name",
            FieldId::TenantId => "tenant-id",
            FieldId::ClientId => "client-id",
            FieldId::ObjectId => "object-id",
            FieldId::ClientSecret => "client-secret",
            FieldId::SecretExpires => "secret-expires",
            FieldId::EnvironmentUrl => "environment-url",
            FieldId::TokenEndpoint => "token-endpoint",
            FieldId::ConnectorRedirectUrl => "connector-redirect-url",
            FieldId::FullName => "full-name",
            FieldId::PrimaryEmail => "primary-email",
            FieldId::Entity => "entity",
        }
    }

    /// One line shown under the label: where to find the value.
    pub fn hint(self) -> &'static str {
        match self {
            FieldId::AppName => {
                "The name you gave the app registration, e.g. Simego Data Sync. Dynamics shows it as the application user's name."
            }
            FieldId::TenantId => {
                "App registrations, your app, Overview: Directory (tenant) ID."
            }
            FieldId::ClientId => {
                "App registrations, your app, Overview: Application (client) ID."
            }
            FieldId::ObjectId => {
                "Enterprise applications, your app, Overview: Object ID (not the Object ID on the App registrations page)."
            }
            FieldId::ClientSecret => {
                "Certificates & secrets, Client secrets: the Value column, copied right after you create the secret."
            }
            FieldId::SecretExpires => "Certificates & secrets, Client secrets: the Expires column.",
            FieldId::EnvironmentUrl => {
                "Power Platform admin center, Environments, your environment: Environment URL."
            }
            FieldId::TokenEndpoint => {
                "App registrations, your app, Overview, Endpoints: OAuth 2.0 token endpoint. Leave blank to build it from the tenant."
            }
            FieldId::ConnectorRedirectUrl => {
                "The Web redirect URI Data Sync uses, e.g. http://localhost; add it under Authentication, platform Web."
            }
            FieldId::FullName => {
                "Optional: the application user's name in Dynamics. Blank uses the application name."
            }
            FieldId::PrimaryEmail => {
                "Optional: the application user's e-mail in Dynamics. Blank uses the generated user name."
            }
            FieldId::Entity => "The entity set name of the table to sync, e.g. accounts or contacts.",
        }
    }

    /// The step on which the field is entered.
    pub fn step(self) -> Step {
        match self {
            FieldId::AppName => Step::Register,
            // Step 4 gathers every ID, the secret and the URLs in one place, in the portal's words.
            FieldId::TenantId
            | FieldId::ClientId
            | FieldId::ObjectId
            | FieldId::ClientSecret
            | FieldId::SecretExpires
            | FieldId::EnvironmentUrl
            | FieldId::TokenEndpoint => Step::Details,
            FieldId::FullName | FieldId::PrimaryEmail => Step::AppUser,
            FieldId::ConnectorRedirectUrl | FieldId::Entity => Step::Connector,
        }
    }

    /// The raw value (the secret: its exposed text).
    pub fn get(self, d: &Draft) -> String {
        self.raw(d).to_string()
    }

    fn raw(self, d: &Draft) -> &str {
        match self {
            FieldId::AppName => &d.app_name,
            FieldId::TenantId => &d.tenant_id,
            FieldId::ClientId => &d.client_id,
            FieldId::ObjectId => &d.object_id,
            FieldId::ClientSecret => d.client_secret.expose(),
            FieldId::SecretExpires => &d.secret_expires,
            FieldId::EnvironmentUrl => &d.environment_url,
            FieldId::TokenEndpoint => &d.token_endpoint,
            FieldId::ConnectorRedirectUrl => &d.connector_redirect_url,
            FieldId::FullName => &d.full_name,
            FieldId::PrimaryEmail => &d.primary_email,
            FieldId::Entity => &d.entity,
        }
    }

    /// Store a raw value.
    pub fn set(self, d: &mut Draft, value: String) {
        match self {
            FieldId::AppName => d.app_name = value,
            FieldId::TenantId => d.tenant_id = value,
            FieldId::ClientId => d.client_id = value,
            FieldId::ObjectId => d.object_id = value,
            FieldId::ClientSecret => d.client_secret = SecretInput::new(value),
            FieldId::SecretExpires => d.secret_expires = value,
            FieldId::EnvironmentUrl => d.environment_url = value,
            FieldId::TokenEndpoint => d.token_endpoint = value,
            FieldId::ConnectorRedirectUrl => d.connector_redirect_url = value,
            FieldId::FullName => d.full_name = value,
            FieldId::PrimaryEmail => d.primary_email = value,
            FieldId::Entity => d.entity = value,
        }
    }

    /// Whether the field must be filled in for this draft (depends on the grant type).
    pub fn is_required(self, d: &Draft) -> bool {
        match self {
            FieldId::TenantId
            | FieldId::ClientId
            | FieldId::ObjectId
            | FieldId::EnvironmentUrl
            | FieldId::Entity => true,
            FieldId::ClientSecret => d.grant_type == GrantType::ClientCredentials,
            FieldId::ConnectorRedirectUrl => d.grant_type == GrantType::AuthorizationCode,
            FieldId::AppName
            | FieldId::SecretExpires
            | FieldId::TokenEndpoint
            | FieldId::FullName
            | FieldId::PrimaryEmail => false,
        }
    }

    /// The message for a required field left blank.
    pub fn missing_message(self) -> String {
        match self {
            FieldId::ClientSecret => "Client secret value is blank. Please enter the client secret value again: it is kept only for this tab and never saved. Paste the Value from Certificates & secrets (if it is hidden there, create a new secret).".to_string(),
            FieldId::Entity => "Entity is blank: type the entity set name, e.g. accounts.".to_string(),
            FieldId::ConnectorRedirectUrl => "Redirect URL for the connector is missing: the Authorization code grant needs a Web redirect URI, e.g. http://localhost, registered under Authentication, platform Web.".to_string(),
            f => format!("{} is missing. {}", f.label(), f.hint()),
        }
    }
}

/// How one field looks right now.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldStatus {
    /// Nothing typed.
    Blank {
        /// Whether the field must be filled in.
        required: bool,
    },
    /// Accepted, with notes (possibly none).
    Valid(Vec<Note>),
    /// Rejected: the message says what is wrong and how to fix it.
    Invalid(String),
}

impl FieldStatus {
    /// Whether the value is accepted.
    pub fn is_valid(&self) -> bool {
        matches!(self, FieldStatus::Valid(_))
    }
}

/// How bad a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Severity {
    /// Blocks export.
    Error,
    /// Worth fixing; does not block.
    Warning,
}

/// Something to fix, located on a step (and usually a field).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// The field, when the problem is about one.
    pub field: Option<FieldId>,
    /// The step to go back to.
    pub step: Step,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// A fully checked connection: only constructible through [`Draft::validate`] (it is
/// `#[non_exhaustive]`, so other crates cannot build one with a struct literal).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Connection {
    /// National cloud.
    pub cloud: Cloud,
    /// Grant type.
    pub grant_type: GrantType,
    /// Web API version.
    pub api_version: ApiVersion,
    /// App registration display name (may be empty).
    pub app_name: String,
    /// Tenant.
    pub tenant: TenantId,
    /// Application (client) ID.
    pub client_id: Guid,
    /// Enterprise application (service principal) Object ID.
    pub object_id: Guid,
    /// Client secret, when typed (required for client credentials).
    pub client_secret: Option<ClientSecret>,
    /// Secret expiry, when typed.
    pub secret_expires: Option<SecretExpiry>,
    /// Dataverse environment.
    pub environment: EnvironmentUrl,
    /// The token endpoint the user typed, if any.
    pub token_endpoint: Option<TokenEndpoint>,
    /// Web redirect for the connector, when typed (required for authorization code).
    pub connector_redirect_url: Option<RedirectUrl>,
    /// Application user's Full Name as typed (may be empty: then the app name is used).
    pub full_name: String,
    /// Application user's Primary Email, when typed.
    pub primary_email: Option<Email>,
    /// Entity set name.
    pub entity: String,
}

impl Connection {
    /// The draft that describes this connection (canonical values; secret included when present;
    /// no ticks).
    pub fn to_draft(&self) -> Draft {
        Draft {
            cloud: self.cloud,
            grant_type: self.grant_type,
            api_version: self.api_version,
            app_name: self.app_name.clone(),
            tenant_id: self.tenant.as_str().to_string(),
            client_id: self.client_id.to_string(),
            object_id: self.object_id.to_string(),
            client_secret: SecretInput::new(
                self.client_secret
                    .as_ref()
                    .map(|s| s.secret().to_string())
                    .unwrap_or_default(),
            ),
            secret_expires: self
                .secret_expires
                .map(|e| e.to_string())
                .unwrap_or_default(),
            environment_url: self.environment.to_string(),
            token_endpoint: self
                .token_endpoint
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            connector_redirect_url: self
                .connector_redirect_url
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            full_name: self.full_name.clone(),
            primary_email: self
                .primary_email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            entity: self.entity.clone(),
            ticks: BTreeSet::new(),
        }
    }
}

/// `None` when blank, else the parse result.
type Parsed<T> = Option<Result<Checked<T>, FieldError>>;

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl Draft {
    fn p_tenant(&self) -> Parsed<TenantId> {
        if blank(&self.tenant_id) {
            return None;
        }
        Some(
            TenantId::parse(&self.tenant_id, self.grant_type).and_then(|t| {
                match (t.value.guid(), Guid::parse(&self.client_id)) {
                    (Some(g), Ok(c)) if *g == c => Err(FieldError::TenantIsClientId),
                    _ => Ok(t),
                }
            }),
        )
    }

    fn p_client_id(&self) -> Parsed<Guid> {
        if blank(&self.client_id) {
            return None;
        }
        Some(Guid::parse(&self.client_id).and_then(|g| {
            if g.as_str() == DYNAMICS_CRM_APP_ID {
                Err(FieldError::ClientIdIsDynamics)
            } else {
                Ok(Checked::clean(g))
            }
        }))
    }

    fn p_object_id(&self) -> Parsed<Guid> {
        if blank(&self.object_id) {
            return None;
        }
        Some(Guid::parse(&self.object_id).and_then(|g| {
            if Guid::parse(&self.client_id).is_ok_and(|c| c == g) {
                Err(FieldError::ObjectIdIsClientId)
            } else if Guid::parse(&self.tenant_id).is_ok_and(|t| t == g) {
                Err(FieldError::ObjectIdIsTenantId)
            } else {
                Ok(Checked::clean(g))
            }
        }))
    }

    fn p_secret(&self) -> Parsed<ClientSecret> {
        if self.client_secret.is_blank() {
            return None;
        }
        Some(ClientSecret::parse(self.client_secret.expose()))
    }

    fn p_expiry(&self, today: NaiveDate) -> Parsed<SecretExpiry> {
        if blank(&self.secret_expires) {
            return None;
        }
        Some(SecretExpiry::parse(&self.secret_expires, today))
    }

    fn p_environment(&self) -> Parsed<EnvironmentUrl> {
        if blank(&self.environment_url) {
            return None;
        }
        Some(EnvironmentUrl::parse(&self.environment_url).and_then(|e| {
            if e.value.cloud() != self.cloud {
                Err(FieldError::CloudMismatch {
                    url_cloud: e.value.cloud(),
                    chosen: self.cloud,
                })
            } else {
                Ok(e)
            }
        }))
    }

    fn p_token(&self) -> Parsed<TokenEndpoint> {
        if blank(&self.token_endpoint) {
            return None;
        }
        let tenant = self.tenant();
        Some(TokenEndpoint::parse(
            &self.token_endpoint,
            tenant.as_ref(),
            self.cloud,
        ))
    }

    fn p_redirect(&self) -> Parsed<RedirectUrl> {
        if blank(&self.connector_redirect_url) {
            return None;
        }
        Some(
            RedirectUrl::parse(&self.connector_redirect_url).map(|mut r| {
                let path = r
                    .value
                    .as_str()
                    .split_once("://")
                    .map(|(_, rest)| rest.find('/').map_or("", |i| &rest[i..]))
                    .unwrap_or("");
                if path.trim_end_matches('/') == CALLBACK_PATH {
                    r.notes.push(Note::warning(format!(
                    "This looks like the wizard's own sign-in address (…{CALLBACK_PATH}), which is \
                     registered on the Single-page application platform. Data Sync needs its own \
                     redirect on the Web platform, such as http://localhost; using the SPA one \
                     fails with AADSTS9002327."
                )));
                }
                if self.grant_type == GrantType::ClientCredentials {
                    r.notes.push(Note::info(
                    "Client credentials does not use a redirect URL, so the connector's Redirect \
                     URL stays blank. This one is kept only in case you switch to Authorization \
                     code.",
                ));
                }
                r
            }),
        )
    }

    fn p_email(&self) -> Parsed<Email> {
        if blank(&self.primary_email) {
            return None;
        }
        Some(Email::parse(&self.primary_email))
    }

    fn p_entity(&self) -> Parsed<String> {
        if blank(&self.entity) {
            return None;
        }
        Some(check_entity_set(&self.entity))
    }

    fn p_text(s: &str) -> Parsed<String> {
        if blank(s) {
            None
        } else {
            Some(Ok(Checked::clean(s.trim().to_string())))
        }
    }

    /// Parse one field: `None` when blank; notes or the error otherwise.
    fn notes_of(&self, field: FieldId, today: NaiveDate) -> Option<Result<Vec<Note>, FieldError>> {
        fn n<T>(p: Parsed<T>) -> Option<Result<Vec<Note>, FieldError>> {
            p.map(|r| r.map(|c| c.notes))
        }
        match field {
            FieldId::AppName => n(Self::p_text(&self.app_name)),
            FieldId::TenantId => n(self.p_tenant()),
            FieldId::ClientId => n(self.p_client_id()),
            FieldId::ObjectId => n(self.p_object_id()),
            FieldId::ClientSecret => n(self.p_secret()),
            FieldId::SecretExpires => n(self.p_expiry(today)),
            FieldId::EnvironmentUrl => n(self.p_environment()),
            FieldId::TokenEndpoint => n(self.p_token()),
            FieldId::ConnectorRedirectUrl => n(self.p_redirect()),
            FieldId::FullName => n(Self::p_text(&self.full_name)),
            FieldId::PrimaryEmail => n(self.p_email()),
            FieldId::Entity => n(self.p_entity()),
        }
    }

    /// Every problem: invalid fields and required blanks (Error) and warnings (Warning), in
    /// step order.
    pub fn problems(&self, today: NaiveDate) -> Vec<Problem> {
        let mut out = Vec::new();
        for step in Step::ALL {
            for field in step.fields() {
                let status = check_field(self, field, today);
                let mut push = |severity, message| {
                    out.push(Problem {
                        field: Some(field),
                        step,
                        severity,
                        message,
                    })
                };
                match status {
                    FieldStatus::Blank { required: true } => {
                        push(Severity::Error, field.missing_message())
                    }
                    FieldStatus::Blank { required: false } => {}
                    FieldStatus::Invalid(m) => {
                        push(Severity::Error, format!("{}: {m}", field.label()))
                    }
                    FieldStatus::Valid(notes) => {
                        for note in notes.into_iter().filter(|n| n.level == Level::Warning) {
                            push(
                                Severity::Warning,
                                format!("{}: {}", field.label(), note.text),
                            );
                        }
                    }
                }
            }
        }
        out
    }

    /// Build the checked [`Connection`], or return every problem when any is an error.
    pub fn validate(&self, today: NaiveDate) -> Result<Connection, Vec<Problem>> {
        let problems = self.problems(today);
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(problems);
        }
        self.build(today, true).ok_or(problems)
    }

    /// Build the connection when every field is valid; `require_secret: false` lets a
    /// client-credentials draft without its secret through (used by import, whose files carry
    /// no secret unless the user opted in).
    pub(crate) fn build(&self, today: NaiveDate, require_secret: bool) -> Option<Connection> {
        fn opt<T>(p: Parsed<T>) -> Option<Option<T>> {
            match p {
                None => Some(None),
                Some(Ok(c)) => Some(Some(c.value)),
                Some(Err(_)) => None,
            }
        }
        let secret = opt(self.p_secret())?;
        if require_secret && self.grant_type == GrantType::ClientCredentials && secret.is_none() {
            return None;
        }
        let redirect = opt(self.p_redirect())?;
        if self.grant_type == GrantType::AuthorizationCode && redirect.is_none() {
            return None;
        }
        Some(Connection {
            cloud: self.cloud,
            grant_type: self.grant_type,
            api_version: self.api_version,
            app_name: self.app_name.trim().to_string(),
            tenant: self.p_tenant()?.ok()?.value,
            client_id: self.p_client_id()?.ok()?.value,
            object_id: self.p_object_id()?.ok()?.value,
            client_secret: secret,
            secret_expires: opt(self.p_expiry(today))?,
            environment: self.p_environment()?.ok()?.value,
            token_endpoint: opt(self.p_token())?,
            connector_redirect_url: redirect,
            full_name: self.full_name.trim().to_string(),
            primary_email: opt(self.p_email())?,
            entity: self.p_entity()?.ok()?.value,
        })
    }

    /// The tenant, when the field is currently valid.
    pub fn tenant(&self) -> Option<TenantId> {
        self.p_tenant()?.ok().map(|c| c.value)
    }

    /// The Application (client) ID, when currently valid.
    pub fn client_id(&self) -> Option<Guid> {
        self.p_client_id()?.ok().map(|c| c.value)
    }

    /// The environment, when currently valid (including matching the chosen cloud).
    pub fn environment(&self) -> Option<EnvironmentUrl> {
        self.p_environment()?.ok().map(|c| c.value)
    }

    /// The connector's ServiceURL (`{environment}/api/data/{version}/`), when the environment is
    /// currently valid. The Web API root every Dataverse call and the schema cache key use.
    pub fn service_url(&self) -> Option<String> {
        self.environment()
            .map(|e| crate::webapi::service_url(&e, self.api_version))
    }

    /// The Enterprise application Object ID, when currently valid.
    pub fn object_id(&self) -> Option<Guid> {
        self.p_object_id()?.ok().map(|c| c.value)
    }

    /// The typed token endpoint, when present and valid.
    pub fn token_endpoint(&self) -> Option<TokenEndpoint> {
        self.p_token()?.ok().map(|c| c.value)
    }

    /// The connector redirect URL, when present and valid.
    pub fn connector_redirect(&self) -> Option<RedirectUrl> {
        self.p_redirect()?.ok().map(|c| c.value)
    }

    /// The entity set name, when present and valid.
    pub fn entity_set(&self) -> Option<String> {
        self.p_entity()?.ok().map(|c| c.value)
    }

    /// Whether a client secret is typed and passes its checks (its value stays in
    /// [`Draft::client_secret`]).
    pub fn client_secret_checked(&self) -> bool {
        matches!(self.p_secret(), Some(Ok(_)))
    }

    /// The Primary Email, when present and valid.
    pub fn primary_email(&self) -> Option<Email> {
        self.p_email()?.ok().map(|c| c.value)
    }
}

/// Checks one field in the context of the whole draft (tenant vs token endpoint, object ID vs
/// client ID, grant type, cloud of the environment URL vs chosen cloud, ...).
pub fn check_field(draft: &Draft, field: FieldId, today: NaiveDate) -> FieldStatus {
    match draft.notes_of(field, today) {
        None => FieldStatus::Blank {
            required: field.is_required(draft),
        },
        Some(Ok(notes)) => FieldStatus::Valid(notes),
        Some(Err(e)) => FieldStatus::Invalid(e.to_string()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    pub(crate) const CLIENT: &str = "1a2b3c4d-1234-5678-9abc-def012345678";
    pub(crate) const OBJECT: &str = "0f0e0d0c-aaaa-bbbb-cccc-111122223333";
    pub(crate) const SECRET: &str = "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1fG2hI3j";

    pub(crate) fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
    }

    /// A complete, canonical client-credentials draft.
    pub(crate) fn good() -> Draft {
        Draft {
            app_name: "Simego Data Sync".into(),
            tenant_id: TENANT.into(),
            client_id: CLIENT.into(),
            object_id: OBJECT.into(),
            client_secret: SecretInput::new(SECRET.into()),
            secret_expires: "2025-12-12".into(),
            environment_url: "https://contoso.crm4.dynamics.com".into(),
            entity: "accounts".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn steps() {
        for (i, s) in Step::ALL.into_iter().enumerate() {
            assert_eq!(s.number(), i + 1);
            assert_eq!(Step::from_slug(s.slug()), Some(s));
        }
        assert_eq!(Step::Register.prev(), None);
        assert_eq!(Step::Register.next(), Some(Step::Permissions));
        assert_eq!(Step::Review.next(), None);
        assert_eq!(Step::Review.prev(), Some(Step::Test));
        assert_eq!(Step::Test.prev(), Some(Step::Connector));
        assert_eq!(Step::from_slug("nope"), None);
        assert_eq!(Step::AppUser.slug(), "app-user");
        // ALL is in step order, and every field is on one step.
        let steps: Vec<usize> = FieldId::ALL.iter().map(|f| f.step().number()).collect();
        assert!(steps.windows(2).all(|w| w[0] <= w[1]));
        let all: usize = Step::ALL.iter().map(|s| s.fields().len()).sum();
        assert_eq!(all, FieldId::ALL.len());
    }

    #[test]
    fn field_ids_get_set_and_names() {
        let mut d = Draft::default();
        let mut seen = std::collections::HashSet::new();
        for f in FieldId::ALL {
            assert!(seen.insert(f.dom_id()));
            assert!(!f.label().is_empty() && !f.hint().is_empty());
            f.set(&mut d, format!("v-{}", f.dom_id()));
            assert_eq!(f.get(&d), format!("v-{}", f.dom_id()));
            assert!(f
                .dom_id()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'));
        }
        assert_eq!(d.client_secret.expose(), "v-client-secret");
    }

    #[test]
    fn secret_never_serialised_or_debugged() {
        let d = good();
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains(SECRET));
        assert!(!format!("{d:?}").contains(SECRET));
        let back: Draft = serde_json::from_str(&json).unwrap();
        assert!(back.client_secret.is_blank());
        assert_eq!(back.tenant_id, d.tenant_id);
        // Unknown/missing keys are tolerated (serde(default)): old localStorage keeps working.
        let partial: Draft = serde_json::from_str(r#"{"tenant_id":"x"}"#).unwrap();
        assert_eq!(partial.tenant_id, "x");
    }

    #[test]
    fn good_draft_validates() {
        let c = good().validate(today()).unwrap();
        assert_eq!(c.client_id.as_str(), CLIENT);
        assert_eq!(c.environment.as_str(), "https://contoso.crm4.dynamics.com");
        assert_eq!(c.client_secret.as_ref().unwrap().secret(), SECRET);
        assert_eq!(c.to_draft(), good());
        assert!(good().problems(today()).is_empty());
    }

    /// (mutation, field, expected status kind, substring of the message)
    #[test]
    fn contextual_checks() {
        type Case = (fn(&mut Draft), FieldId, &'static str, &'static str);
        let cases: &[Case] = &[
            (|d| d.object_id = CLIENT.into(), FieldId::ObjectId, "invalid", "Application (client) ID, not the Enterprise application's Object ID"),
            (|d| d.object_id = CLIENT.to_uppercase(), FieldId::ObjectId, "invalid", "not the Enterprise application's Object ID"),
            (|d| d.object_id = TENANT.into(), FieldId::ObjectId, "invalid", "Directory (tenant) ID, not"),
            (|d| d.tenant_id = CLIENT.into(), FieldId::TenantId, "invalid", "same as the Application (client) ID"),
            (|d| d.client_id = DYNAMICS_CRM_APP_ID.into(), FieldId::ClientId, "invalid", "Dynamics CRM API"),
            (|d| d.client_secret = SecretInput::new("0d2a4d55-6c7e-4f3a-9b1c-2e3f4a5b6c7d".into()), FieldId::ClientSecret, "invalid", "Secret ID"),
            (|d| d.client_secret = SecretInput::default(), FieldId::ClientSecret, "blank-required", ""),
            (|d| { d.client_secret = SecretInput::default(); d.grant_type = GrantType::AuthorizationCode }, FieldId::ClientSecret, "blank-optional", ""),
            (|d| d.connector_redirect_url.clear(), FieldId::ConnectorRedirectUrl, "blank-optional", ""),
            (|d| d.grant_type = GrantType::AuthorizationCode, FieldId::ConnectorRedirectUrl, "blank-required", ""),
            (|d| d.cloud = Cloud::UsGov, FieldId::EnvironmentUrl, "invalid", "in the Public (commercial, incl. GCC) cloud, but the wizard is set to the US Government (GCC High) cloud"),
            (|d| { d.cloud = Cloud::UsGov; d.environment_url = "https://contoso.crm.microsoftdynamics.us".into() }, FieldId::EnvironmentUrl, "valid", ""),
            (|d| d.environment_url = "https://contoso.crm4.dynamics.com/main.aspx?appid=1".into(), FieldId::EnvironmentUrl, "valid", "main.aspx"),
            (|d| d.tenant_id = "common".into(), FieldId::TenantId, "invalid", "client credentials need your own directory"),
            (|d| { d.tenant_id = "common".into(); d.grant_type = GrantType::AuthorizationCode }, FieldId::TenantId, "valid", "other directories"),
            (|d| d.token_endpoint = format!("https://login.microsoftonline.com/{CLIENT}/oauth2/v2.0/token"), FieldId::TokenEndpoint, "invalid", "is for tenant 1a2b3c4d"),
            (|d| d.token_endpoint = format!("https://login.microsoftonline.com/{TENANT}/oauth2/token"), FieldId::TokenEndpoint, "valid", ""),
            (|d| { d.cloud = Cloud::China; d.token_endpoint = format!("https://login.microsoftonline.com/{TENANT}/oauth2/token") }, FieldId::TokenEndpoint, "invalid", "login.chinacloudapi.cn"),
            (|d| d.secret_expires = "2025-06-01".into(), FieldId::SecretExpires, "valid", "expired 14 days ago"),
            (|d| d.secret_expires = "2025-07-01".into(), FieldId::SecretExpires, "valid", "expires in 16 days"),
            (|d| d.secret_expires = "01/07/2025".into(), FieldId::SecretExpires, "invalid", "YYYY-MM-DD"),
            (|d| d.primary_email = "sync@contoso".into(), FieldId::PrimaryEmail, "invalid", "not an e-mail"),
            (|d| d.entity.clear(), FieldId::Entity, "blank-required", ""),
            (|d| d.app_name.clear(), FieldId::AppName, "blank-optional", ""),
            (|d| { d.grant_type = GrantType::AuthorizationCode; d.connector_redirect_url = "http://localhost:8080/auth/callback".into() }, FieldId::ConnectorRedirectUrl, "valid", "AADSTS9002327"),
            (|d| d.connector_redirect_url = "http://localhost".into(), FieldId::ConnectorRedirectUrl, "valid", "does not use a redirect URL"),
        ];
        for (i, (mutate, field, kind, needle)) in cases.iter().enumerate() {
            let mut d = good();
            mutate(&mut d);
            let st = check_field(&d, *field, today());
            let text = match &st {
                FieldStatus::Valid(notes) => notes
                    .iter()
                    .map(|n| n.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                FieldStatus::Invalid(m) => m.clone(),
                FieldStatus::Blank { .. } => String::new(),
            };
            let got = match st {
                FieldStatus::Valid(_) => "valid",
                FieldStatus::Invalid(_) => "invalid",
                FieldStatus::Blank { required: true } => "blank-required",
                FieldStatus::Blank { required: false } => "blank-optional",
            };
            assert_eq!(got, *kind, "case {i}: {text}");
            assert!(text.contains(needle), "case {i}: {text}");
        }
    }

    #[test]
    fn problems_in_step_order_and_validate() {
        let mut d = good();
        d.client_secret = SecretInput::default();
        d.entity.clear();
        d.object_id = CLIENT.into();
        d.secret_expires = "2025-06-20".into();
        let p = d.problems(today());
        let fields: Vec<_> = p.iter().map(|p| (p.field.unwrap(), p.severity)).collect();
        assert_eq!(
            fields,
            vec![
                (FieldId::ClientSecret, Severity::Error),
                (FieldId::SecretExpires, Severity::Warning),
                (FieldId::ObjectId, Severity::Error),
                (FieldId::Entity, Severity::Error),
            ]
        );
        assert!(p[0]
            .message
            .contains("enter the client secret value again: it is kept only for this tab"));
        assert!(p[3]
            .message
            .contains("type the entity set name, e.g. accounts"));
        assert_eq!(p[2].step, Step::Details);
        assert_eq!(d.validate(today()).unwrap_err(), p);

        // Warnings alone do not block.
        let mut w = good();
        w.secret_expires = "2025-06-01".into();
        let c = w.validate(today()).unwrap();
        assert_eq!(c.secret_expires.unwrap().to_string(), "2025-06-01");
    }

    #[test]
    fn info_notes_are_not_problems() {
        let mut d = good();
        d.environment_url = "contoso.api.crm4.dynamics.com/api/data/v9.2/".into();
        d.entity = "account".into();
        assert!(
            matches!(check_field(&d, FieldId::EnvironmentUrl, today()), FieldStatus::Valid(n) if n.len() == 3)
        );
        assert!(d.problems(today()).is_empty());
        let c = d.validate(today()).unwrap();
        assert_eq!(
            c.environment.as_str(),
            "https://contoso.api.crm4.dynamics.com"
        );
    }

    #[test]
    fn dod_environment_needs_dod_cloud() {
        let mut d = good();
        d.environment_url = "https://contoso.crm.appsplatform.us".into();
        d.cloud = Cloud::UsGov;
        match check_field(&d, FieldId::EnvironmentUrl, today()) {
            FieldStatus::Invalid(m) => {
                assert!(m.contains("US Government (DoD) cloud"), "{m}");
                assert!(m.contains("US Government (GCC High) cloud"), "{m}");
            }
            other => panic!("{other:?}"),
        }
        d.cloud = Cloud::UsGovDod;
        assert!(d.validate(today()).is_ok());
    }

    #[test]
    fn typed_accessors_follow_validity() {
        let mut d = Draft::default();
        assert_eq!(d.tenant(), None);
        d.tenant_id = format!("{{{}}}", TENANT.to_uppercase());
        assert_eq!(d.tenant().unwrap().as_str(), TENANT);
        d.client_id = CLIENT.into();
        assert_eq!(d.client_id().unwrap().as_str(), CLIENT);
        d.object_id = CLIENT.into();
        assert_eq!(d.object_id(), None);
        d.environment_url = "contoso.crm.dynamics.com".into();
        assert_eq!(
            d.environment().unwrap().as_str(),
            "https://contoso.crm.dynamics.com"
        );
        d.cloud = Cloud::China;
        assert_eq!(d.environment(), None);
    }

    #[test]
    fn authorization_code_draft_validates_without_secret() {
        let mut d = good();
        d.grant_type = GrantType::AuthorizationCode;
        d.client_secret = SecretInput::default();
        assert!(d.validate(today()).is_err());
        d.connector_redirect_url = "http://localhost".into();
        let c = d.validate(today()).unwrap();
        assert!(c.client_secret.is_none());
        assert_eq!(
            c.connector_redirect_url.unwrap().as_str(),
            "http://localhost"
        );
    }

    #[test]
    fn secret_input_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", SecretInput::new("x".into())),
            "SecretInput([redacted])"
        );
        assert_eq!(format!("{:?}", SecretInput::default()), "SecretInput(\"\")");
    }
}

/// The values of the local sandbox tenant's ready-made app (`sandbox/sandbox.toml`), for
/// "Try with the sandbox". A test keeps them in step with that file.
pub mod sandbox {
    use super::{Draft, SecretInput};
    use crate::{cloud::Cloud, fields::GrantType};

    /// Tenant "Contoso (sandbox)".
    pub const TENANT_ID: &str = "11111111-2222-3333-4444-555555555555";
    /// App "Data Sync (sandbox)": Application (client) ID.
    pub const CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-000000000001";
    /// Its Enterprise application (service principal) Object ID.
    pub const SERVICE_PRINCIPAL_OBJECT_ID: &str = "cccccccc-0000-4000-8000-000000000001";
    /// Its client secret value (a sandbox value: worthless anywhere else).
    pub const CLIENT_SECRET: &str = "Sbx8Q~sandbox.client.secret.value.000001";
    /// Its display name.
    pub const APP_NAME: &str = "Data Sync (sandbox)";
    /// The environment that works.
    pub const ENVIRONMENT_URL: &str = "http://contoso.crm.localhost:8081";

    /// A draft filled with the sandbox's values (ticks and entity left to the user).
    pub fn draft(today: chrono::NaiveDate) -> Draft {
        Draft {
            cloud: Cloud::Sandbox,
            grant_type: GrantType::ClientCredentials,
            app_name: APP_NAME.into(),
            tenant_id: TENANT_ID.into(),
            client_id: CLIENT_ID.into(),
            object_id: SERVICE_PRINCIPAL_OBJECT_ID.into(),
            client_secret: SecretInput::new(CLIENT_SECRET.into()),
            secret_expires: (today + chrono::Days::new(365))
                .format("%Y-%m-%d")
                .to_string(),
            environment_url: ENVIRONMENT_URL.into(),
            ..Draft::default()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::draft::Severity;

        #[test]
        fn service_url_follows_the_environment_and_version() {
            let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
            let mut d = draft(today);
            assert_eq!(
                d.service_url().as_deref(),
                Some("http://contoso.crm.localhost:8081/api/data/v9.2/")
            );
            d.api_version = crate::fields::ApiVersion::V9_0;
            assert_eq!(
                d.service_url().as_deref(),
                Some("http://contoso.crm.localhost:8081/api/data/v9.0/")
            );
            d.environment_url = "https://https://contoso.crm.dynamics.com".into();
            assert_eq!(d.service_url(), None);
        }

        #[test]
        fn values_match_the_sandbox_config_file() {
            let toml = include_str!("../../sandbox/sandbox.toml");
            for value in [
                TENANT_ID,
                CLIENT_ID,
                SERVICE_PRINCIPAL_OBJECT_ID,
                CLIENT_SECRET,
                APP_NAME,
            ] {
                assert!(
                    toml.contains(value),
                    "sandbox.toml no longer contains {value}"
                );
            }
            assert!(toml.contains("org = \"contoso\""));
        }

        #[test]
        fn the_sandbox_draft_has_no_errors_but_the_entity() {
            let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
            let problems = draft(today).problems(today);
            let errors: Vec<_> = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, Some(crate::draft::FieldId::Entity));
        }
    }
}
