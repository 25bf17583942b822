//! The finished connection for every tool that talks to Dataverse, and back in from them.
//!
//! One render function per [`Format`], each over a checked [`Connection`]: the connector values
//! come from [`crate::connector::connector_values`], Entra ID addresses from [`crate::entra`],
//! Web API addresses from [`crate::webapi`]. Nothing here builds those URLs again.
//!
//! The client secret goes into an output only when asked ([`SecretMode::Real`]); otherwise a
//! placeholder stands in its place ([`SECRET_PLACEHOLDER`], or a Key Vault reference for Data
//! Factory), and [`SecretMode::Masked`] renders what the screen shows. [`import_any`] reads any
//! of the formats that carry values back (our JSON, a connection string, a Data Factory linked
//! service, a Postman environment) and merges them into the current draft.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::cloud::Cloud;
use crate::connector::{connector_values, ConnectorField, ConnectorValue, ConnectorValues};
use crate::draft::Connection;
use crate::export;

mod adf;
mod connection_string;
mod dotenv;
mod import;
mod pac;
mod postman;
mod simego;

pub use connection_string::{build_connection_string, parse_connection_string, Pair, SyntaxError};
pub use import::{detect, import_any, ImportError, ImportKind, ImportReport, Merged};
pub use pac::{quote_bash, quote_powershell};

/// What stands in the outputs for the client secret when it is not included.
pub const SECRET_PLACEHOLDER: &str = "<client-secret>";

/// What the screen shows in place of the secret when it is included.
pub const SECRET_MASK: &str = "••••••••";

/// A tool the finished connection can be used in: one panel of the review page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Simego Data Sync's OData 4.0 connector.
    Simego,
    /// Dataverse ServiceClient / XRM Tooling connection string.
    ConnectionString,
    /// Power Platform CLI (`pac auth create`).
    PacCli,
    /// Azure Data Factory / Synapse linked service.
    DataFactory,
    /// `.env` for the Azure SDKs' EnvironmentCredential.
    DotEnv,
    /// Postman environment.
    Postman,
}

impl Target {
    /// Every target, in the order the review page shows them.
    pub const ALL: [Target; 6] = [
        Target::Simego,
        Target::ConnectionString,
        Target::PacCli,
        Target::DataFactory,
        Target::DotEnv,
        Target::Postman,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Target::Simego => "Simego Data Sync",
            Target::ConnectionString => "Connection string",
            Target::PacCli => "Power Platform CLI",
            Target::DataFactory => "Data Factory",
            Target::DotEnv => ".env",
            Target::Postman => "Postman",
        }
    }

    /// An id fragment for the page (`simego`, `connection-string`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Target::Simego => "simego",
            Target::ConnectionString => "connection-string",
            Target::PacCli => "pac",
            Target::DataFactory => "data-factory",
            Target::DotEnv => "dotenv",
            Target::Postman => "postman",
        }
    }

    /// One sentence: where the output goes.
    pub fn intro(self) -> &'static str {
        match self {
            Target::Simego => {
                "The OData 4.0 connector's properties (as on step 6) and the connection JSON this wizard imports again."
            }
            Target::ConnectionString => {
                "For the Dataverse ServiceClient and XRM Tooling: XrmToolBox, Xrm.Data.PowerShell (Connect-CrmOnline -ConnectionString), your own .NET code."
            }
            Target::PacCli => {
                "Creates a Power Platform CLI authentication profile that signs in as the application user."
            }
            Target::DataFactory => {
                "A Dynamics linked service for Azure Data Factory or Synapse pipelines (paste it in the linked service's JSON code view)."
            }
            Target::DotEnv => {
                "Environment variables for the Azure SDKs' EnvironmentCredential (and DefaultAzureCredential), plus the environment URL."
            }
            Target::Postman => {
                "The variables of Microsoft's Postman setup for the Dataverse Web API; import the file under Environments."
            }
        }
    }

    /// The formats of this target.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Target::Simego => &[Format::ConnectorValues, Format::ConnectionJson],
            Target::ConnectionString => &[Format::ConnectionString],
            Target::PacCli => &[Format::PacBash, Format::PacPowerShell],
            Target::DataFactory => &[Format::DataFactory],
            Target::DotEnv => &[Format::DotEnv],
            Target::Postman => &[Format::Postman],
        }
    }
}

/// One text the review page offers to copy and download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// The OData 4.0 connector's properties, one per line.
    ConnectorValues,
    /// The wizard's own versioned JSON ([`crate::export`]).
    ConnectionJson,
    /// `AuthType=ClientSecret;Url=…;ClientId=…;ClientSecret=…`.
    ConnectionString,
    /// `pac auth create …` for bash.
    PacBash,
    /// `pac auth create …` for PowerShell.
    PacPowerShell,
    /// The Data Factory linked-service JSON.
    DataFactory,
    /// The `.env` file.
    DotEnv,
    /// The Postman environment JSON.
    Postman,
}

impl Format {
    /// What it is, for button names ("Copy Dataverse connection string").
    pub fn name(self) -> &'static str {
        match self {
            Format::ConnectorValues => "Simego connector values",
            Format::ConnectionJson => "connection JSON",
            Format::ConnectionString => "Dataverse connection string",
            Format::PacBash => "pac auth create command for bash",
            Format::PacPowerShell => "pac auth create command for PowerShell",
            Format::DataFactory => "Data Factory linked service",
            Format::DotEnv => ".env file",
            Format::Postman => "Postman environment",
        }
    }

    /// The download's file name.
    pub fn file_name(self, conn: &Connection) -> String {
        let org = conn.environment.org();
        match self {
            Format::ConnectorValues => format!("simego-odata-{org}.txt"),
            Format::ConnectionJson => export::suggested_file_name(conn),
            Format::ConnectionString => format!("dataverse-{org}.connection-string.txt"),
            Format::PacBash => format!("pac-auth-create-{org}.sh"),
            Format::PacPowerShell => format!("pac-auth-create-{org}.ps1"),
            Format::DataFactory => format!("{}.json", adf::linked_service_name(conn)),
            // Browsers rename downloads that start with a dot; rename it to .env after saving.
            Format::DotEnv => format!("dataverse-{org}.env"),
            Format::Postman => format!("dataverse-{org}.postman_environment.json"),
        }
    }

    /// The download's media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::ConnectionJson | Format::DataFactory | Format::Postman => "application/json",
            _ => "text/plain",
        }
    }
}

/// How the client secret appears in an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretMode {
    /// [`SECRET_PLACEHOLDER`] (Data Factory: a Key Vault reference with placeholders).
    Placeholder,
    /// The secret itself (the user ticked *Include client secret*).
    Real,
    /// [`SECRET_MASK`]: for showing an output that includes the secret on screen.
    Masked,
}

/// One rendered output.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The text to copy or download.
    pub text: String,
    /// Whether `text` holds the real client secret.
    pub includes_secret: bool,
    /// What the user should know about this output (placeholders, cloud, shells).
    pub notes: Vec<String>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text may hold the secret: Debug shows it only when it does not.
        let text: &dyn fmt::Debug = if self.includes_secret {
            &"[redacted: includes the client secret]"
        } else {
            &self.text
        };
        f.debug_struct("Rendered")
            .field("text", text)
            .field("includes_secret", &self.includes_secret)
            .field("notes", &self.notes)
            .finish()
    }
}

/// Render one format of a checked connection. `now` is only written by [`Format::ConnectionJson`].
pub fn render(format: Format, conn: &Connection, mode: SecretMode, now: DateTime<Utc>) -> Rendered {
    let src = Source::new(conn, mode);
    let (text, mut notes) = match format {
        Format::ConnectorValues => (simego::connector_values_text(&src), Vec::new()),
        Format::ConnectionJson => {
            let json = export::export_json(conn, src.secret().is_some(), now);
            (json, Vec::new())
        }
        Format::ConnectionString => (connection_string::render(&src), Vec::new()),
        Format::PacBash => pac::render(&src, pac::Shell::Bash),
        Format::PacPowerShell => pac::render(&src, pac::Shell::PowerShell),
        Format::DataFactory => adf::render(&src),
        Format::DotEnv => dotenv::render(&src),
        Format::Postman => postman::render(&src),
    };
    let includes_secret = mode == SecretMode::Real && src.secret().is_some();
    if let Some(note) = src.secret_note(format) {
        notes.insert(0, note);
    }
    Rendered {
        text,
        includes_secret,
        notes,
    }
}

/// The connection JSON of a whole setup: every environment's connection in one file (for one
/// environment, exactly [`render`] of [`Format::ConnectionJson`]). `None` without connections.
pub fn render_setup_json(
    conns: &[Connection],
    mode: SecretMode,
    now: DateTime<Utc>,
) -> Option<Rendered> {
    let first = conns.first()?;
    let mut one = render(Format::ConnectionJson, first, mode, now);
    if conns.len() > 1 {
        let include = Source::new(first, mode).secret().is_some();
        one.text = export::export_setup_json(conns, include, now);
        one.notes.push(format!(
            "One file for the {} environments: one connection each, under \"connections\".",
            conns.len()
        ));
    }
    Some(one)
}

/// The file name of [`render_setup_json`]'s download.
pub fn setup_json_file_name(conns: &[Connection]) -> String {
    export::suggested_setup_file_name(conns)
}

/// What every render function reads: the connection, its connector values (the one
/// derivation) and how to show the secret. No `Debug`: the values hold the secret.
pub(crate) struct Source<'a> {
    pub(crate) conn: &'a Connection,
    pub(crate) values: ConnectorValues,
    mode: SecretMode,
}

impl<'a> Source<'a> {
    fn new(conn: &'a Connection, mode: SecretMode) -> Source<'a> {
        Source {
            conn,
            values: connector_values(&conn.to_draft()),
            mode,
        }
    }

    /// The text of one connector property.
    pub(crate) fn text(&self, field: ConnectorField) -> &str {
        self.values.text(field)
    }

    /// The environment URL (the connector's Resource: origin, no trailing slash).
    pub(crate) fn environment(&self) -> &str {
        self.text(ConnectorField::Resource)
    }

    /// The client secret itself, when it goes into the output.
    pub(crate) fn secret(&self) -> Option<&str> {
        match (self.mode, self.values.get(ConnectorField::ClientSecret)) {
            (SecretMode::Real, ConnectorValue::Secret(s)) => Some(s.expose()),
            _ => None,
        }
    }

    /// The secret, or what stands in its place.
    pub(crate) fn secret_or_placeholder(&self) -> &str {
        match (self.mode, self.has_secret()) {
            (SecretMode::Masked, true) => SECRET_MASK,
            _ => self.secret().unwrap_or(SECRET_PLACEHOLDER),
        }
    }

    /// Whether the output shows a secret (real or masked) rather than a placeholder.
    pub(crate) fn shows_secret(&self) -> bool {
        self.mode != SecretMode::Placeholder && self.has_secret()
    }

    fn has_secret(&self) -> bool {
        matches!(
            self.values.get(ConnectorField::ClientSecret),
            ConnectorValue::Secret(_)
        )
    }

    /// The sentence that explains the placeholder, when there is one.
    fn secret_note(&self, format: Format) -> Option<String> {
        if self.shows_secret() {
            return None;
        }
        let json = format == Format::ConnectionJson;
        if !self.has_secret() {
            return Some(if json {
                "This connection has no client secret (Authorization code without one), so the JSON has none.".into()
            } else {
                format!(
                    "This connection has no client secret (Authorization code without one), but this tool signs in as the application: create a secret under Certificates & secrets and put its Value where {SECRET_PLACEHOLDER} stands."
                )
            });
        }
        Some(match format {
            Format::ConnectionJson => {
                "The client secret is left out; tick Include client secret to add it.".into()
            }
            Format::DataFactory => {
                "The client secret is not included: the linked service reads it from Azure Key Vault. Replace <key-vault-linked-service> and <client-secret-name> with your Key Vault linked service and secret, or tick Include client secret to store it as a SecureString.".into()
            }
            _ => format!(
                "The client secret is not included: replace {SECRET_PLACEHOLDER} with the secret's Value, or tick Include client secret."
            ),
        })
    }

    /// The app name for labels: control characters (line breaks) turned into spaces.
    pub(crate) fn app_name(&self) -> String {
        self.conn
            .app_name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// The cloud of the connection.
    pub(crate) fn cloud(&self) -> Cloud {
        self.conn.cloud
    }
}
