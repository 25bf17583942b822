//! The Dataverse connection string (ServiceClient / XRM Tooling): writing, parsing, importing.
//!
//! The syntax is .NET's `DbConnectionStringBuilder` (non-ODBC rules), which XRM Tooling and the
//! ServiceClient parse with: `key=value` pairs separated by `;`, keys case-insensitive, blanks
//! around keys and unquoted values ignored. A value containing `;`, `=`, a quote, white space or
//! a control character is quoted: in `'…'` when it holds `"` but no `'`, else in `"…"` with every
//! `"` doubled. Keys and aliases: `MicrosoftDocs/powerapps-docs`, *Use connection strings in
//! XRM tooling to connect to Microsoft Dataverse*.

use std::fmt;

use super::import::{Holding, ImportError, ImportKind};
use super::Source;
use crate::connector::ConnectorField;
use crate::draft::FieldId;

/// The one key=value list of a Dataverse connection string with a client secret.
pub(crate) fn render(src: &Source) -> String {
    build_connection_string(&[
        ("AuthType", "ClientSecret"),
        ("Url", src.environment()),
        ("ClientId", src.text(ConnectorField::ClientId)),
        ("ClientSecret", src.secret_or_placeholder()),
    ])
}

/// `key=value;key=value`, each value quoted as `DbConnectionStringBuilder` quotes it.
pub fn build_connection_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k.replace('=', "=="), quote_value(v)))
        .collect::<Vec<_>>()
        .join(";")
}

fn quote_value(v: &str) -> String {
    let plain = !v
        .chars()
        .any(|c| matches!(c, '"' | '\'' | '=' | ';') || c.is_whitespace() || c.is_control());
    if plain {
        v.to_string()
    } else if v.contains('"') && !v.contains('\'') {
        format!("'{v}'")
    } else {
        format!("\"{}\"", v.replace('"', "\"\""))
    }
}

/// One `key=value` of a parsed connection string.
#[derive(Clone, PartialEq, Eq)]
pub struct Pair {
    /// The key as written (blanks around it removed, `==` read as `=`).
    pub key: String,
    /// The value, unquoted.
    pub value: String,
    /// 1-based character position where the pair starts.
    pub position: usize,
}

impl Pair {
    /// The key in lower case, inner blanks kept (`Service Uri` → `service uri`).
    pub fn normalised_key(&self) -> String {
        self.key.to_lowercase()
    }

    fn is_secret(&self) -> bool {
        matches!(
            self.normalised_key().as_str(),
            "clientsecret" | "secret" | "password"
        )
    }
}

impl fmt::Debug for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.is_secret() {
            &"[redacted]"
        } else {
            &self.value
        };
        f.debug_struct("Pair")
            .field("key", &self.key)
            .field("value", value)
            .field("position", &self.position)
            .finish()
    }
}

/// Where and why a connection string (or a `.env` line) cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line, for inputs read line by line (`.env`).
    pub line: Option<usize>,
    /// 1-based character position (in the line, when there is one).
    pub position: usize,
    /// What is wrong there.
    pub problem: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "on line {line}, character {}: {}",
                self.position, self.problem
            ),
            None => write!(f, "at character {}: {}", self.position, self.problem),
        }
    }
}

impl std::error::Error for SyntaxError {}

/// Parse with `DbConnectionStringBuilder`'s rules (.NET's `DbConnectionOptions.GetKeyValuePair`,
/// non-ODBC). Every pair is returned in order; a repeated key is the caller's to judge.
pub fn parse_connection_string(text: &str) -> Result<Vec<Pair>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let err = |position: usize, problem: String| SyntaxError {
        line: None,
        position,
        problem,
    };
    let mut pairs = Vec::new();
    let mut i = 0;
    loop {
        while chars.get(i).is_some_and(|c| *c == ';' || c.is_whitespace()) {
            i += 1;
        }
        if i == chars.len() {
            return Ok(pairs);
        }
        let start = i + 1;
        // The key runs to the first single `=`; `==` stands for a `=` in the key.
        let mut key = String::new();
        loop {
            match chars.get(i) {
                None => {
                    return Err(err(
                        start,
                        format!("\"{}\" has no = and no value", key.trim()),
                    ))
                }
                Some('=') if chars.get(i + 1) == Some(&'=') => {
                    key.push('=');
                    i += 2;
                }
                Some('=') => {
                    i += 1;
                    break;
                }
                Some(';') => {
                    return Err(err(
                        start,
                        format!("\"{}\" has no = before the ;", key.trim()),
                    ))
                }
                Some(c) if c.is_control() && !c.is_whitespace() => {
                    return Err(err(i + 1, "a control character in a key".into()))
                }
                Some(c) => {
                    key.push(*c);
                    i += 1;
                }
            }
        }
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err(err(
                start,
                "a value without a key (nothing before =)".into(),
            ));
        }
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let value = match chars.get(i) {
            None | Some(';') => String::new(),
            Some(&q) if q == '\'' || q == '"' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(err(
                                start,
                                format!(
                                    "the value of \"{key}\" opens with {q} but is never closed"
                                ),
                            ))
                        }
                        // A doubled quote stands for one.
                        Some(&c) if c == q && chars.get(i + 1) == Some(&q) => {
                            v.push(q);
                            i += 2;
                        }
                        Some(&c) if c == q => {
                            i += 1;
                            break;
                        }
                        Some('\0') => {
                            return Err(err(i + 1, "a NUL character in a quoted value".into()))
                        }
                        Some(&c) => {
                            v.push(c);
                            i += 1;
                        }
                    }
                }
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                if chars.get(i).is_some_and(|c| *c != ';') {
                    return Err(err(
                        i + 1,
                        format!(
                            "text after the closing quote of \"{key}\"'s value: put the whole value \
                             in the quotes"
                        ),
                    ));
                }
                v
            }
            Some(_) => {
                let mut v = String::new();
                while let Some(&c) = chars.get(i) {
                    if c == ';' {
                        break;
                    }
                    if c.is_control() && !c.is_whitespace() {
                        return Err(err(i + 1, "a control character in a value".into()));
                    }
                    v.push(c);
                    i += 1;
                }
                let v = v.trim_end();
                if v.ends_with(['\'', '"']) {
                    return Err(err(
                        start,
                        format!(
                            "the value of \"{key}\" ends with a quote mark but does not start with \
                             one: quote the whole value"
                        ),
                    ));
                }
                v.to_string()
            }
        };
        pairs.push(Pair {
            key,
            value,
            position: start,
        });
    }
}

const URL: &[&str] = &["serviceuri", "service uri", "url", "server"];
const CLIENT_ID: &[&str] = &["clientid", "appid", "applicationid"];
const SECRET: &[&str] = &["clientsecret", "secret"];
const AUTH_TYPE: &[&str] = &["authtype", "authenticationtype"];

/// Whether a text reads as a connection string: some `key=` with a key the wizard knows.
pub(crate) fn looks_like(text: &str) -> bool {
    text.split(';').any(|part| {
        part.split_once('=').is_some_and(|(k, _)| {
            let k = k.trim().to_lowercase();
            [URL, CLIENT_ID, SECRET, AUTH_TYPE]
                .iter()
                .any(|keys| keys.contains(&k.as_str()))
        })
    })
}

fn at(p: &Pair) -> String {
    format!("{} (character {})", p.key, p.position)
}

/// What a connection string holds: Url, ClientId and ClientSecret (keys case-insensitive, with
/// the documented aliases). An AuthType other than ClientSecret is explained, not guessed.
pub(crate) fn read(text: &str) -> Result<Holding, ImportError> {
    let mut h = Holding::new(ImportKind::ConnectionString);
    let pairs = parse_connection_string(text).map_err(|error| ImportError::Syntax {
        kind: ImportKind::ConnectionString,
        error,
    })?;
    // One value per role; the same role twice must agree (aliases included).
    let roles = [URL, CLIENT_ID, SECRET, AUTH_TYPE];
    let mut found: [Option<&Pair>; 4] = [None; 4];
    let mut ignored = Vec::new();
    for p in &pairs {
        let key = p.normalised_key();
        match roles.iter().position(|keys| keys.contains(&key.as_str())) {
            Some(r) => match found[r] {
                Some(first) if first.value != p.value => {
                    return Err(h.invalid(
                        at(p),
                        format!(
                            "it repeats {} with another value; keep one of the two",
                            at(first)
                        ),
                    ))
                }
                Some(_) => {}
                None => found[r] = Some(p),
            },
            None => ignored.push(p.key.clone()),
        }
    }
    let [url, client_id, secret, auth_type] = found;
    if let Some(p) = auth_type {
        check_auth_type(&h, p)?;
    }
    if let Some(p) = url {
        h.fill(FieldId::EnvironmentUrl, &p.value, at(p));
    }
    if let Some(p) = client_id {
        h.fill(FieldId::ClientId, &p.value, at(p));
    }
    if let Some(p) = secret {
        h.secret(&p.value, at(p));
    }
    h.finish("Url, ClientId or ClientSecret", &ignored)
}

fn check_auth_type(h: &Holding, p: &Pair) -> Result<(), ImportError> {
    let value = p.value.trim();
    let explanation = match value.to_lowercase().as_str() {
        "clientsecret" => return Ok(()),
        "oauth" => {
            "That signs a person in interactively (AppId and RedirectUri); this wizard sets up an \
             application that signs in with its own client secret. Paste a connection string with \
             AuthType=ClientSecret, or enter the values by hand."
        }
        "office365" => {
            "That is the deprecated user name and password sign-in, which Dataverse no longer \
             accepts. Set up the application user with this wizard and use AuthType=ClientSecret."
        }
        "certificate" => {
            "That signs the application in with a certificate (Thumbprint), which Data Sync's \
             OData connector does not take. Create a client secret for the same app and use \
             AuthType=ClientSecret."
        }
        "ad" | "ifd" => {
            "That is for Dynamics 365 on-premises; Dataverse online only takes OAuth, \
             Certificate or ClientSecret."
        }
        _ => {
            return Err(h.invalid(
                at(p),
                format!(
                    "\"{value}\" is not an AuthType; the documented ones are OAuth, Certificate, \
                     ClientSecret and Office365"
                ),
            ))
        }
    };
    Err(h.unsupported(at(p), format!("{}={value}", p.key), explanation))
}
