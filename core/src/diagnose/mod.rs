//! Every failure → a cause and a fix in plain words, with the raw answer kept.
//!
//! The strings here are UI copy: full sentences, addressed to the person setting up the
//! connection. Each [`Diagnosis`] carries a stable `code` (`AADSTS50011`, `HTTP 403 / 0x80072560`,
//! `CORS`, `STATE_MISMATCH`, …) that the UI may show and tests can match on.
//!
//! One file per source of failures: [`entra_error`] and the sign-in redirect (`entra`, with the
//! per-code AADSTS texts in `aadsts`), the wizard's own sign-in checks (`signin`), and the
//! Dataverse Web API and its `$metadata` (`dataverse`).

use serde::{Deserialize, Serialize};

mod aadsts;
mod dataverse;
mod entra;
mod signin;

pub use dataverse::{
    csdl_error, dataverse_error, DV_API_RESTRICTED, DV_MISSING_PRIVILEGE, DV_NOT_MEMBER,
    DV_USER_DISABLED,
};
pub use entra::{aadsts_code, callback_error, entra_error, pasted_error};
pub use signin::{
    auth_error, expired_request, network_error, no_pending_request, state_mismatch,
    token_claims_mismatch,
};

/// A failure explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// Stable code: `AADSTS50011`, `access_denied`, `HTTP 403 / 0x80072560`, `CORS`, …
    pub code: String,
    /// One-line headline.
    pub title: String,
    /// Why it happened.
    pub cause: String,
    /// What to do.
    pub fix: String,
    /// The raw answer (response body, query, error text), for support and copy-paste.
    pub raw: String,
    /// A page that explains the code further (Entra ID's error lookup), when there is one.
    pub link: Option<String>,
}

impl Diagnosis {
    fn new(
        code: impl Into<String>,
        title: impl Into<String>,
        cause: impl Into<String>,
        fix: impl Into<String>,
        raw: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            title: title.into(),
            cause: cause.into(),
            fix: fix.into(),
            raw: raw.into(),
            link: None,
        }
    }

    fn with_link(mut self, link: Option<String>) -> Self {
        self.link = link;
        self
    }
}

/// Which step a network failure happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Fetching the tenant's OpenID configuration.
    Discovery,
    /// Posting the code to the token endpoint.
    Token,
    /// Calling the Dataverse Web API (`WhoAmI`, …).
    Dataverse,
    /// Downloading `$metadata`.
    Metadata,
}

/// Entra ID's page for an AADSTS code.
pub fn error_lookup_url(code: u32) -> String {
    format!("https://login.microsoftonline.com/error?code={code}")
}

/// `“text”` followed by a full stop unless the text already ends a sentence.
fn quote(text: &str) -> String {
    let text = text.trim();
    let stop = if text.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("\u{201c}{text}\u{201d}{stop}")
}

/// The `n`-th (0-based) single-quoted value in a message.
fn quoted(message: &str, n: usize) -> Option<String> {
    message
        .split('\'')
        .skip(1)
        .step_by(2)
        .nth(n)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_quote() {
        assert_eq!(quoted("a 'b' c 'd'", 0).as_deref(), Some("b"));
        assert_eq!(quoted("a 'b' c 'd'", 1).as_deref(), Some("d"));
        assert_eq!(quoted("none", 0), None);
        assert_eq!(quote("Done."), "\u{201c}Done.\u{201d}");
        assert_eq!(quote("Done"), "\u{201c}Done\u{201d}.");
    }
}
