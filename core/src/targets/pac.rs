//! Power Platform CLI: the `pac auth create` command that signs in as the application user,
//! quoted for bash and for PowerShell.
//!
//! Flags from `pac auth create` (learn.microsoft.com/power-platform/developer/cli/reference/auth):
//! `--name` (at most 30 characters), `--applicationId`, `--clientSecret`, `--tenant`,
//! `--environment`, and `--cloud` with `Public`, `UsGov` (GCC), `UsGovHigh`, `UsGovDod`, `China`.

use super::Source;
use crate::cloud::{classify_dataverse_host, Cloud};
use crate::connector::ConnectorField;

/// The shell a command is quoted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shell {
    Bash,
    PowerShell,
}

/// `pac auth create --name … --cloud …` when pac needs one.
pub(crate) fn render(src: &Source, shell: Shell) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let env = &src.conn.environment;
    let mut args = vec![
        ("--name", profile_name(src)),
        (
            "--applicationId",
            src.text(ConnectorField::ClientId).to_string(),
        ),
        ("--clientSecret", src.secret_or_placeholder().to_string()),
        ("--tenant", src.conn.tenant.as_str().to_string()),
        ("--environment", src.environment().to_string()),
    ];
    let gcc = classify_dataverse_host(env.host(), None).is_some_and(|h| h.region == "crm9");
    let cloud = match src.cloud() {
        Cloud::Public if gcc => Some("UsGov"),
        Cloud::Public | Cloud::Sandbox => None,
        Cloud::UsGov => Some("UsGovHigh"),
        Cloud::UsGovDod => Some("UsGovDod"),
        Cloud::China => Some("China"),
    };
    if let Some(c) = cloud {
        args.push(("--cloud", c.to_string()));
    }
    if gcc {
        notes.push(
            "crm9 is GCC: pac calls that cloud UsGov, although it signs in through the public login."
                .to_string(),
        );
    }
    if src.cloud() == Cloud::Sandbox {
        notes.push(
            "pac only knows Microsoft's clouds: it cannot sign in to the local sandbox."
                .to_string(),
        );
    }
    let (quote, continuation): (fn(&str) -> String, &str) = match shell {
        Shell::Bash => (quote_bash, " \\\n  "),
        Shell::PowerShell => (quote_powershell, " `\n  "),
    };
    if shell == Shell::PowerShell && args.iter().any(|(_, v)| v.contains('"')) {
        notes.push(
            "A value contains a double quote: Windows PowerShell 5.1 passes those to programs wrongly; run this in PowerShell 7.3 or later."
                .to_string(),
        );
    }
    let mut text = "pac auth create".to_string();
    for (flag, value) in &args {
        text.push_str(&format!("{continuation}{flag} {}", quote(value)));
    }
    text.push('\n');
    (text, notes)
}

/// The profile name: the app name (or the organisation), at most 30 characters as pac wants.
fn profile_name(src: &Source) -> String {
    let app = src.app_name();
    let name = if app.is_empty() {
        src.conn.environment.org().to_string()
    } else {
        app
    };
    name.chars()
        .take(30)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// One bash word: as it is when it only has characters bash leaves alone, else in `'…'` with
/// each `'` written `'\''`.
pub fn quote_bash(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// One PowerShell argument: as it is when plain, else in `'…'`. PowerShell also reads the
/// typographic single quotes ‘ ’ ‚ ‛ as quote marks, so each of them is doubled too.
pub fn quote_powershell(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:-".contains(c));
    if plain {
        return s.to_string();
    }
    let mut out = String::from("'");
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}
