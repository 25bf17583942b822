//! `.env` for the Azure SDKs' EnvironmentCredential (and DefaultAzureCredential):
//! `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, `AZURE_AUTHORITY_HOST` outside
//! the public cloud (learn.microsoft.com/dotnet/api/azure.identity.environmentcredential), plus
//! `DATAVERSE_URL`.
//!
//! Quoting keeps one meaning in python-dotenv, the Node `dotenv` package and a shell that
//! sources the file where one exists: plain values as they are, others in `'…'` (literal in all
//! of them as long as the value has no `'`, no `\\` and does not end in `\`). Only such a value
//! goes in `"…"` with `\` and `"` escaped, python-dotenv's rules, and gets a note: the readers
//! disagree there.

use super::connection_string::SyntaxError;
use super::import::{Holding, ImportError, ImportKind};
use super::Source;
use crate::cloud::{cloud_of_login_authority, Cloud};
use crate::connector::ConnectorField;
use crate::draft::FieldId;
use crate::fields::EnvironmentUrl;

const TENANT: &str = "AZURE_TENANT_ID";
const CLIENT_ID: &str = "AZURE_CLIENT_ID";
const SECRET: &str = "AZURE_CLIENT_SECRET";
const AUTHORITY: &str = "AZURE_AUTHORITY_HOST";
const URL: &str = "DATAVERSE_URL";

pub(crate) fn render(src: &Source) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let app = src.app_name();
    let about = if app.is_empty() {
        format!("Dataverse {}", src.environment())
    } else {
        format!("{app} on Dataverse {}", src.environment())
    };
    let mut vars = vec![
        (TENANT, src.conn.tenant.as_str()),
        (CLIENT_ID, src.text(ConnectorField::ClientId)),
        (SECRET, src.secret_or_placeholder()),
    ];
    let cloud = src.cloud();
    if cloud != Cloud::Public {
        // Without it the SDKs sign in at the public cloud's login host.
        vars.push((AUTHORITY, cloud.profile().login_base));
        notes.push(format!(
            "{AUTHORITY} points the Azure SDKs at the {} sign-in; without it they use the public cloud.",
            cloud.label()
        ));
    }
    if cloud == Cloud::Sandbox {
        notes.push(
            "The Azure SDKs only accept https sign-in hosts: the local sandbox's is plain http."
                .to_string(),
        );
    }
    vars.push((URL, src.environment()));
    let mut text = format!("# {about}, for the Azure SDKs' EnvironmentCredential\n");
    for (key, value) in vars {
        let (quoted, ambiguous) = quote(value);
        if ambiguous {
            notes.push(format!(
                "{key} holds a ' or \\, which .env readers treat differently: it is written with python-dotenv's escapes; check it once loaded."
            ));
        }
        text.push_str(&format!("{key}={quoted}\n"));
    }
    (text, notes)
}

/// The value as written after `KEY=`, and whether the readers may disagree on it.
fn quote(v: &str) -> (String, bool) {
    let plain = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_./:@%+,~-".contains(c))
        && !v.starts_with('~');
    if plain {
        return (v.to_string(), false);
    }
    let literal = !v.contains(['\'', '\n', '\r']) && !v.contains("\\\\") && !v.ends_with('\\');
    if literal {
        return (format!("'{v}'"), false);
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    (out, true)
}

/// `KEY=` at the start of a line (after an optional `export`), for a key this module writes.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    let (key, rest) = line.split_once('=')?;
    let key = key.trim_end();
    let valid = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    valid.then_some((key, rest))
}

/// Whether a text reads as a `.env` with one of our keys.
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| {
        assignment(l).is_some_and(|(k, _)| [TENANT, CLIENT_ID, SECRET, AUTHORITY, URL].contains(&k))
    })
}

/// The value after `KEY=`: quoted (`'…'` literal, `"…"` with escapes) or plain up to a ` #`
/// comment. `Err` holds the 1-based column of the problem and what it is.
fn value(rest: &str, col: usize) -> Result<String, (usize, String)> {
    let rest_trimmed = rest.trim_start();
    let col = col + rest[..rest.len() - rest_trimmed.len()].chars().count();
    let mut chars = rest_trimmed.chars();
    let (q, body) = match chars.next() {
        Some(q @ ('\'' | '"')) => (q, chars.as_str()),
        _ => {
            let v = match rest_trimmed.find(" #") {
                Some(i) => &rest_trimmed[..i],
                None => rest_trimmed,
            };
            return Ok(v.trim_end().to_string());
        }
    };
    let mut out = String::new();
    let mut it = body.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            c if c == q => {
                let after = body[i + 1..].trim_start();
                if !after.is_empty() && !after.starts_with('#') {
                    return Err((col, format!("text after the closing {q}")));
                }
                return Ok(out);
            }
            // python-dotenv's escapes; any other backslash stays as written.
            '\\' if q == '"' => match it.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, 't')) => out.push('\t'),
                Some((_, e @ ('\\' | '"' | '\''))) => out.push(e),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    Err((col, format!("the value opens with {q} but is never closed")))
}

/// What a `.env` holds: tenant, client ID, secret, environment; the authority host must be the
/// environment's cloud's.
pub(crate) fn read(text: &str) -> Result<Holding, ImportError> {
    let mut h = Holding::new(ImportKind::DotEnv);
    let mut seen: Vec<(String, String, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, rest)) = assignment(line) else {
            return Err(ImportError::Syntax {
                kind: ImportKind::DotEnv,
                error: SyntaxError {
                    line: Some(n),
                    position: 1,
                    problem: "not a KEY=value line".into(),
                },
            });
        };
        let col = line[..line.len() - rest.len()].chars().count() + 1;
        let v = value(rest, col).map_err(|(position, problem)| ImportError::Syntax {
            kind: ImportKind::DotEnv,
            error: SyntaxError {
                line: Some(n),
                position,
                problem,
            },
        })?;
        if let Some((_, first, first_line)) = seen.iter().find(|(k, _, _)| k == key) {
            if *first != v {
                return Err(h.invalid(
                    format!("{key} (line {n})"),
                    format!("it repeats line {first_line} with another value; keep one of the two"),
                ));
            }
            continue;
        }
        seen.push((key.to_string(), v, n));
    }
    let get = |key: &str| seen.iter().find(|(k, _, _)| k == key);
    let at = |key: &str, line: usize| format!("{key} (line {line})");
    for (key, field) in [
        (TENANT, FieldId::TenantId),
        (CLIENT_ID, FieldId::ClientId),
        (SECRET, FieldId::ClientSecret),
        (URL, FieldId::EnvironmentUrl),
    ] {
        if let Some((_, v, line)) = get(key) {
            h.fill(field, v, at(key, *line));
        }
    }
    if let Some((_, host, line)) = get(AUTHORITY) {
        let authority = host.split_once("://").map_or(host.as_str(), |(_, r)| r);
        let authority = authority.trim_end_matches('/');
        let Some(cloud) = cloud_of_login_authority(authority) else {
            return Err(h.invalid(
                at(AUTHORITY, *line),
                format!("{host} is not a Microsoft Entra ID sign-in host"),
            ));
        };
        let env_cloud = get(URL)
            .and_then(|(_, v, _)| EnvironmentUrl::parse(v).ok())
            .map(|e| e.value.cloud());
        match env_cloud {
            Some(c) if c.login_authority() != authority => {
                return Err(h.invalid(
                    at(AUTHORITY, *line),
                    format!(
                        "it is the {} sign-in, but {URL} is in the {} cloud",
                        cloud.label(),
                        c.label()
                    ),
                ))
            }
            Some(_) => {}
            None => h.cloud(cloud),
        }
    }
    let ignored: Vec<String> = seen
        .iter()
        .map(|(key, _, _)| key.clone())
        .filter(|key| ![TENANT, CLIENT_ID, SECRET, AUTHORITY, URL].contains(&key.as_str()))
        .collect();
    h.finish(
        "AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or DATAVERSE_URL",
        &ignored,
    )
}
