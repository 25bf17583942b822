//! Reading a finished connection back in: which format a text is, which values it holds, and
//! the current draft with those values merged in.
//!
//! Merging never clears what the input does not hold, with one exception: a client secret kept
//! from before is dropped when the import names another application (the secret belongs to the
//! app it was made for). Every value taken is checked with the wizard's own field checks in the
//! merged draft; one invalid value and nothing is returned (the caller keeps its state).

use std::fmt;

use chrono::NaiveDate;

use super::connection_string::SyntaxError;
use super::{adf, connection_string, dotenv, postman, SECRET_MASK, SECRET_PLACEHOLDER};
use crate::cloud::Cloud;
use crate::draft::{check_field, Draft, FieldId, FieldStatus, OtherEnvironment, SecretInput};
use crate::export;
use crate::fields::{ApiVersion, EnvironmentUrl, GrantType, Guid};

/// Which format an imported text was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// The wizard's own versioned JSON.
    ConnectionJson,
    /// A Dataverse (XRM Tooling / ServiceClient) connection string.
    ConnectionString,
    /// An Azure Data Factory / Synapse Dynamics linked service.
    DataFactory,
    /// A Postman environment.
    Postman,
    /// A `.env` file for the Azure SDKs.
    DotEnv,
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImportKind::ConnectionJson => "connection JSON",
            ImportKind::ConnectionString => "Dataverse connection string",
            ImportKind::DataFactory => "Data Factory linked service",
            ImportKind::Postman => "Postman environment",
            ImportKind::DotEnv => ".env file",
        })
    }
}

/// Why nothing was imported. `Display` is the message for the user; every variant about a value
/// says where it is (a key and character position, or a JSON path).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// Nothing pasted.
    #[error("There is nothing to import: paste a connection or choose a file.")]
    Empty,
    /// None of the formats.
    #[error(
        "This is not something the wizard can import. It reads a connection JSON exported by this \
         wizard, a Dataverse connection string (AuthType=ClientSecret;Url=…;ClientId=…;\
         ClientSecret=…), an Azure Data Factory Dynamics linked service, a Postman environment \
         and a .env file with AZURE_CLIENT_ID."
    )]
    NotRecognised,
    /// Starts like JSON but is not.
    #[error("This is not valid JSON (line {line}, column {column}: {message}).")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// The wizard's own JSON, refused by its strict import.
    #[error(transparent)]
    ConnectionJson(#[from] export::ImportError),
    /// A connection string (or .env line) that cannot be read.
    #[error("This {kind} cannot be read {error}.")]
    Syntax {
        /// The format.
        kind: ImportKind,
        /// Where and why.
        error: SyntaxError,
    },
    /// A sign-in this wizard does not set up: explained, not guessed.
    #[error("This {kind} uses {what} ({at}). {explanation}")]
    Unsupported {
        /// The format.
        kind: ImportKind,
        /// Where, e.g. `AuthType (character 1)`.
        at: String,
        /// What it uses, e.g. `AuthType=OAuth`.
        what: String,
        /// Why the wizard cannot take it, and what to do.
        explanation: String,
    },
    /// A value that fails its field check, or contradicts another.
    #[error("In this {kind}, {at} is not valid: {message}")]
    Invalid {
        /// The format.
        kind: ImportKind,
        /// Where, e.g. `Url (character 20)` or `properties.typeProperties.serviceUri`.
        at: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The format was recognised, but it holds none of the values the wizard uses.
    #[error("This {kind} holds nothing the wizard uses: it needs {expected}.")]
    Nothing {
        /// The format.
        kind: ImportKind,
        /// The keys looked for.
        expected: &'static str,
    },
}

/// One value taken from the input, and where it was.
#[derive(Debug)]
struct Taken {
    field: FieldId,
    value: String,
    at: String,
}

/// What one input holds, before it is merged. No secret in `fields`: it is in `secret`, wrapped.
#[derive(Debug)]
pub(crate) struct Holding {
    kind: ImportKind,
    cloud: Option<Cloud>,
    grant_type: Option<GrantType>,
    api_version: Option<ApiVersion>,
    fields: Vec<Taken>,
    secret: Option<(SecretInput, String)>,
    /// Our JSON's environment names and other environments: the whole list, replacing the
    /// draft's (`None` for the other formats, which name one environment).
    environments: Option<(String, Vec<OtherEnvironment>)>,
    notes: Vec<String>,
}

impl Holding {
    pub(crate) fn new(kind: ImportKind) -> Holding {
        Holding {
            kind,
            cloud: None,
            grant_type: None,
            api_version: None,
            fields: Vec::new(),
            secret: None,
            environments: None,
            notes: Vec::new(),
        }
    }

    /// Take a value for a field (the client secret goes through [`Holding::secret`]).
    pub(crate) fn fill(&mut self, field: FieldId, value: &str, at: impl Into<String>) {
        if field == FieldId::ClientSecret {
            self.secret(value, at);
            return;
        }
        self.fields.push(Taken {
            field,
            value: value.to_string(),
            at: at.into(),
        });
    }

    /// Take the client secret, unless it is one of our placeholders (`<client-secret>`,
    /// `<…>`) or blank.
    pub(crate) fn secret(&mut self, value: &str, at: impl Into<String>) {
        let v = value.trim();
        let at = at.into();
        if v.is_empty() {
            return;
        }
        let placeholder =
            v == SECRET_PLACEHOLDER || v == SECRET_MASK || (v.starts_with('<') && v.ends_with('>'));
        if placeholder {
            self.note(format!(
                "{at} holds the placeholder {v}, not a secret: enter the client secret value in step 4."
            ));
            return;
        }
        self.secret = Some((SecretInput::new(value.to_string()), at));
    }

    pub(crate) fn cloud(&mut self, cloud: Cloud) {
        self.cloud = Some(cloud);
    }

    pub(crate) fn api_version(&mut self, v: ApiVersion) {
        self.api_version = Some(v);
    }

    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// The holding, or [`ImportError::Nothing`] when it found none of `expected`; keys it
    /// read past are named in a note.
    pub(crate) fn finish(
        mut self,
        expected: &'static str,
        ignored: &[String],
    ) -> Result<Holding, ImportError> {
        if self.fields.is_empty() && self.secret.is_none() && self.api_version.is_none() {
            return Err(ImportError::Nothing {
                kind: self.kind,
                expected,
            });
        }
        if !ignored.is_empty() {
            self.note(format!("Not used by the wizard: {}.", ignored.join(", ")));
        }
        Ok(self)
    }

    /// An [`ImportError::Invalid`] of this format.
    pub(crate) fn invalid(&self, at: impl Into<String>, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            kind: self.kind,
            at: at.into(),
            message: message.into(),
        }
    }

    /// An [`ImportError::Unsupported`] of this format.
    pub(crate) fn unsupported(
        &self,
        at: impl Into<String>,
        what: impl Into<String>,
        explanation: impl Into<String>,
    ) -> ImportError {
        ImportError::Unsupported {
            kind: self.kind,
            at: at.into(),
            what: what.into(),
            explanation: explanation.into(),
        }
    }

    /// The whole connection of our own JSON: every field (blank ones too: blank means "derived"
    /// or "default" there), the choices, and the secret when the file has one.
    fn from_connection_json(draft: Draft) -> Holding {
        let mut h = Holding::new(ImportKind::ConnectionJson);
        h.cloud = Some(draft.cloud);
        h.grant_type = Some(draft.grant_type);
        h.api_version = Some(draft.api_version);
        for field in FieldId::ALL {
            h.fill(field, &field.get(&draft), field.label());
        }
        h.environments = Some((draft.environment_name, draft.more_environments));
        h
    }

    fn merge(self, current: &Draft, today: NaiveDate) -> Result<Merged, ImportError> {
        let mut draft = current.clone();
        let mut filled = Vec::new();
        let mut notes = Vec::new();
        if let Some(g) = self.grant_type {
            draft.grant_type = g;
            filled.push("Grant type");
        }
        if let Some(v) = self.api_version {
            draft.api_version = v;
            filled.push("Web API version");
        }
        let mut cloud = self.cloud;
        for t in &self.fields {
            if t.field == FieldId::EnvironmentUrl && !t.value.trim().is_empty() {
                // The environment's host names its cloud: follow it.
                let env = EnvironmentUrl::parse(&t.value)
                    .map_err(|e| self.invalid(t.at.as_str(), e.to_string()))?;
                cloud.get_or_insert(env.value.cloud());
            }
            t.field.set(&mut draft, t.value.clone());
            if !t.value.trim().is_empty() {
                filled.push(label(t.field));
            }
        }
        if let Some((name, more)) = self.environments.clone() {
            draft.environment_name = name;
            if !more.is_empty() {
                filled.push("Other environments");
            }
            draft.more_environments = more;
        }
        if let Some(c) = cloud {
            filled.push("Microsoft cloud");
            if c != current.cloud {
                notes.push(format!("The Microsoft cloud is now {}.", c.label()));
            }
            draft.cloud = c;
        }
        match &self.secret {
            Some((secret, _)) => {
                draft.client_secret = secret.clone();
                filled.push(label(FieldId::ClientSecret));
            }
            None => {
                let before = Guid::parse(&current.client_id).ok();
                let after = Guid::parse(&draft.client_id).ok();
                let other_app = matches!((&before, &after), (Some(b), Some(a)) if a != b);
                if other_app && !draft.client_secret.is_blank() {
                    draft.client_secret = SecretInput::default();
                    notes.push(
                        "The client secret entered before was removed: it belongs to the application you had before. Enter this application's secret in step 4."
                            .to_string(),
                    );
                } else if !draft.client_secret.is_blank() {
                    notes.push("The client secret entered before was kept.".to_string());
                }
            }
        }
        // Each value taken is checked in the merged draft, with the wizard's own checks.
        let taken = self.fields.iter().map(|t| (t.field, t.at.as_str())).chain(
            self.secret
                .iter()
                .map(|(_, at)| (FieldId::ClientSecret, at.as_str())),
        );
        for (field, at) in taken {
            if let FieldStatus::Invalid(message) = check_field(&draft, field, today) {
                return Err(self.invalid(at, message));
            }
        }
        let missing = FieldId::ALL
            .into_iter()
            .filter(|f| {
                matches!(
                    check_field(&draft, *f, today),
                    FieldStatus::Blank { required: true }
                )
            })
            .collect();
        notes.extend(self.notes);
        Ok(Merged {
            draft,
            report: ImportReport {
                kind: self.kind,
                filled,
                missing,
                notes,
            },
        })
    }
}

fn label(field: FieldId) -> &'static str {
    field.label().trim_end_matches(" (optional)")
}

/// The current draft with an import merged in, and what the import did.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// The draft to store (ticks and everything the input did not hold kept).
    pub draft: Draft,
    /// What was filled and what is still missing.
    pub report: ImportReport,
}

/// What an import filled, and what is still missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The format read.
    pub kind: ImportKind,
    /// The labels of what the input held, in the wizard's order.
    pub filled: Vec<&'static str>,
    /// The required fields still blank after the import.
    pub missing: Vec<FieldId>,
    /// Placeholders skipped, keys ignored, the cloud followed, the secret kept or removed.
    pub notes: Vec<String>,
}

impl ImportReport {
    /// The message for the user: what was imported, filled, still missing, and the notes.
    pub fn summary(&self) -> String {
        let what = match self.kind {
            ImportKind::ConnectionJson => "the connection".to_string(),
            kind => format!("a {kind}"),
        };
        let mut s = format!("Imported {what}. Filled: {}.", self.filled.join(", "));
        if self.missing.is_empty() {
            s.push_str(" Nothing required is missing.");
        } else {
            let missing: Vec<String> = self
                .missing
                .iter()
                .map(|f| format!("{} (step {})", label(*f), f.step().number()))
                .collect();
            s.push_str(&format!(" Still missing: {}.", missing.join(", ")));
        }
        for note in &self.notes {
            s.push(' ');
            s.push_str(note);
        }
        s
    }
}

/// What a text is, parsed as far as it takes to tell.
enum Detected {
    Json(serde_json::Value, ImportKind),
    Text(ImportKind),
}

fn classify(text: &str) -> Result<Detected, ImportError> {
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Err(ImportError::Empty);
    }
    if t.starts_with(['{', '[']) {
        let value: serde_json::Value = serde_json::from_str(t).map_err(|e| ImportError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let kind = if value.get("format").is_some() {
            ImportKind::ConnectionJson
        } else if adf::looks_like(&value) {
            ImportKind::DataFactory
        } else if postman::looks_like(&value) {
            ImportKind::Postman
        } else {
            return Err(ImportError::NotRecognised);
        };
        return Ok(Detected::Json(value, kind));
    }
    if dotenv::looks_like(t) {
        Ok(Detected::Text(ImportKind::DotEnv))
    } else if connection_string::looks_like(t) {
        Ok(Detected::Text(ImportKind::ConnectionString))
    } else {
        Err(ImportError::NotRecognised)
    }
}

/// Which format a text is, without reading its values (`None`: none of them).
pub fn detect(text: &str) -> Option<ImportKind> {
    match classify(text).ok()? {
        Detected::Json(_, kind) | Detected::Text(kind) => Some(kind),
    }
}

/// Read any format the wizard exports values in, and merge it into `current`. On `Err` nothing
/// is to change; on `Ok` the caller stores [`Merged::draft`] and shows
/// [`ImportReport::summary`].
pub fn import_any(text: &str, current: &Draft, today: NaiveDate) -> Result<Merged, ImportError> {
    let t = text.trim_start_matches('\u{feff}').trim();
    let holding = match classify(t)? {
        Detected::Json(_, ImportKind::ConnectionJson) => {
            Holding::from_connection_json(export::import_json(t, today)?)
        }
        Detected::Json(value, ImportKind::DataFactory) => adf::read(&value)?,
        Detected::Json(value, _) => postman::read(&value)?,
        Detected::Text(ImportKind::DotEnv) => dotenv::read(t)?,
        Detected::Text(_) => connection_string::read(t)?,
    };
    holding.merge(current, today)
}
