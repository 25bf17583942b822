//! The wizard's state: what the user has typed ([`Draft`], raw strings so typing is never
//! blocked), how each field checks out in context ([`check_field`]), and the fully checked
//! [`Connection`] that only [`Draft::validate`] can build.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::fields::{
    ApiVersion, Email, EnvironmentUrl, GrantType, Guid, Level, Note, RedirectUrl, TenantId,
    TokenEndpoint,
};

mod connection;
mod environments;
mod field;
mod parse;
pub mod sandbox;
mod step;
#[cfg(test)]
pub(crate) mod tests;

pub use connection::Connection;
pub use environments::OtherEnvironment;
pub use field::FieldId;
use parse::Parsed;
pub use step::Step;

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
    /// The Dataverse environment URL (the first environment of the setup: the one the form
    /// fields, the sign-in and the schema picker work on).
    pub environment_url: String,
    /// Its friendly name, when it was chosen from "Your environments" (blank when typed).
    pub environment_name: String,
    /// The setup's other environments (same app, tenant and secret; own URL and entity), in the
    /// order they were chosen. See [`Draft::per_environment`].
    pub more_environments: Vec<OtherEnvironment>,
    /// Optional: derived from the tenant when empty.
    pub token_endpoint: String,
    /// Web redirect for the connector's authorization_code flow (only required for that grant).
    pub connector_redirect_url: String,
    /// Application user's Full Name; blank → `app_name`.
    pub full_name: String,
    /// Application user's Primary Email; blank → the derived user name.
    pub primary_email: String,
    /// The entity set name (typed, or picked from the loaded schema).
    pub entity: String,
    /// Whether Data Sync will create and update rows in that table, not only read them: the
    /// live table-privileges check then asks for Create and Write as well as Read. The wizard's
    /// own setting, like the ticks: not part of the [`Connection`] or the export.
    pub writes: bool,
    /// Checklist items the user ticked, e.g. `"register.create"`.
    pub ticks: BTreeSet<String>,
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

impl Draft {
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
        out.extend(self.other_environment_problems(today));
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
            environment_name: self.environment_name.trim().to_string(),
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

    /// Sets the grant type. authorization_code with no Redirect URL yet takes Simego's OAuth
    /// helper page, the reference page's default (a typed one is kept).
    pub fn set_grant_type(&mut self, grant: GrantType) {
        self.grant_type = grant;
        if grant == GrantType::AuthorizationCode && self.connector_redirect_url.trim().is_empty() {
            self.connector_redirect_url = crate::dialog::SIMEGO_OAUTH_HELPER.to_string();
        }
    }

    /// Whether the connector's Redirect URL is Simego's OAuth helper page (else the person's own,
    /// e.g. `http://localhost`, where the code is typed in by hand).
    pub fn uses_simego_helper(&self) -> bool {
        self.connector_redirect_url.trim() == crate::dialog::SIMEGO_OAUTH_HELPER
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
    match field.check(draft, today) {
        None => FieldStatus::Blank {
            required: field.is_required(draft),
        },
        Some(Ok(notes)) => FieldStatus::Valid(notes),
        Some(Err(e)) => FieldStatus::Invalid(e.to_string()),
    }
}
