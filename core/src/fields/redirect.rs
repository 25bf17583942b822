//! [`RedirectUrl`]: the connector's Web redirect URI for the authorization-code grant.

use serde::{Deserialize, Serialize};

use super::matchers::url_prechecks;
use super::{Checked, FieldError, Note};

/// The connector's *Web* redirect URI for the authorization-code grant (e.g. `http://localhost`
/// or `https://www.simego.com/oauth/code`).
///
/// Kept exactly as typed (trimmed): Entra ID compares redirect URIs character for character, so
/// `http://localhost` and `http://localhost/` are different registrations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUrl(String);

impl RedirectUrl {
    /// Parse an absolute `http(s)` URL. `http://` is only accepted for `localhost` (Entra ID's
    /// rule); fragments and wildcards are rejected.
    pub fn parse(raw: &str) -> Result<Checked<RedirectUrl>, FieldError> {
        let s = url_prechecks(raw)?;
        let bad = |p: String| FieldError::BadRedirect { problem: p };
        if !s.contains("://") {
            return Err(bad(format!(
                "it has no http:// or https:// in front. Write the whole address, e.g. http://{s}"
            )));
        }
        let url = url::Url::parse(s).map_err(|e| {
            bad(format!(
                "{e}. Write a whole address such as http://localhost or https://www.simego.com/oauth/code"
            ))
        })?;
        let host = url.host_str().unwrap_or_default();
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(bad(format!(
                    "Entra ID accepts http:// only for localhost. Use https://{}",
                    &s["http://".len()..]
                )))
            }
            other => {
                return Err(bad(format!(
                    "it starts with \"{other}:\"; the connector needs a Web redirect starting with \
                     http://localhost or https://"
                )))
            }
        }
        if s.contains('#') {
            return Err(bad(
                "it contains #, which Entra ID does not allow in redirect URIs. Remove the # and what follows it".into(),
            ));
        }
        if s.contains('*') {
            return Err(bad(
                "it contains *, and wildcards are not allowed in redirect URIs. Write the exact address".into(),
            ));
        }
        Ok(Checked {
            value: RedirectUrl(s.to_string()),
            notes: vec![Note::info(
                "Register exactly this address under Authentication, platform Web, character for \
                 character (a trailing / counts).",
            )],
        })
    }
}

text_type!(
    /// The URL exactly as typed (trimmed).
    RedirectUrl.0,
    parse -> Checked
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_table() {
        for ok in [
            "http://localhost",
            "http://localhost/",
            "http://localhost:8080/cb",
            "http://127.0.0.1:5000",
            "https://www.simego.com/oauth/code",
        ] {
            let c = RedirectUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(c.value.as_str(), ok, "kept exactly as typed");
        }
        let bad: &[(&str, &str)] = &[
            ("localhost", "no http://"),
            ("http://www.simego.com/oauth/code", "only for localhost"),
            ("https://example.com/cb#frag", "#"),
            ("https://*.example.com/cb", "wildcards"),
            ("ftp://example.com", "\"ftp:\""),
            ("https://https://www.simego.com/oauth/code", "twice"),
        ];
        for (input, needle) in bad {
            let msg = RedirectUrl::parse(input).unwrap_err().to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
        }
    }
}
