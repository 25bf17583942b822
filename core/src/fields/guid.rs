//! [`Guid`]: the IDs copied from the Azure portal.

use serde::{Deserialize, Serialize};

use super::matchers::find_guid;
use super::FieldError;

/// A GUID in canonical form: lowercase, hyphenated (`1a2b3c4d-1234-5678-9abc-def012345678`).
///
/// [`Guid::parse`] accepts surrounding whitespace, `{braces}`, uppercase and the 32-digit form
/// without hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Guid(String);

impl Guid {
    /// Exactly 36 chars 8-4-4-4-12 hex, any case.
    pub(super) fn parse_strict(s: &str) -> Option<Guid> {
        let b = s.as_bytes();
        if b.len() != 36 {
            return None;
        }
        for (i, c) in b.iter().enumerate() {
            let ok = if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            };
            if !ok {
                return None;
            }
        }
        Some(Guid(s.to_ascii_lowercase()))
    }

    /// Parse a GUID, explaining what is wrong when it is not one.
    pub fn parse(raw: &str) -> Result<Guid, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        if s.contains("://") || s.to_ascii_lowercase().starts_with("www.") {
            let hint = find_guid(s)
                .map(|g| format!(": the ID in this address is {g}"))
                .unwrap_or_default();
            return Err(FieldError::UrlInsteadOfId { hint });
        }
        let inner = s
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .or_else(|| s.strip_prefix('(').and_then(|x| x.strip_suffix(')')))
            .unwrap_or(s)
            .trim();
        if let Some(g) = Guid::parse_strict(inner) {
            return Ok(g);
        }
        if inner.len() == 32 && inner.bytes().all(|c| c.is_ascii_hexdigit()) {
            let l = inner.to_ascii_lowercase();
            return Ok(Guid(format!(
                "{}-{}-{}-{}-{}",
                &l[..8],
                &l[8..12],
                &l[12..16],
                &l[16..20],
                &l[20..]
            )));
        }
        let problem = if inner.contains('@') {
            "it looks like an e-mail address".to_string()
        } else if let Some((i, c)) = inner
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
        {
            if c.is_whitespace() {
                format!("it contains a space at position {}", i + 1)
            } else {
                format!(
                    "'{c}' at position {} is not a digit or a letter from a to f",
                    i + 1
                )
            }
        } else {
            let hex = inner.chars().filter(char::is_ascii_hexdigit).count();
            if hex != 32 {
                format!("it has {hex} digits and letters instead of 32: part of it is missing or doubled")
            } else {
                "the hyphens are in the wrong places".to_string()
            }
        };
        Err(FieldError::NotAGuid { problem })
    }
}

text_type!(
    /// The canonical text.
    Guid.0,
    parse -> Self
);

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "1a2b3c4d-1234-5678-9abc-def012345678";

    #[test]
    fn guid_table() {
        let ok: &[(&str, &str)] = &[
            (G, G),
            ("1A2B3C4D-1234-5678-9ABC-DEF012345678", G),
            ("{1A2B3C4D-1234-5678-9abc-def012345678}", G),
            ("  1a2b3c4d-1234-5678-9abc-def012345678\n", G),
            ("(1a2b3c4d-1234-5678-9abc-def012345678)", G),
            ("1a2b3c4d123456789abcdef012345678", G),
        ];
        for (input, want) in ok {
            assert_eq!(Guid::parse(input).unwrap().as_str(), *want, "{input}");
        }
        let bad: &[(&str, &str)] = &[
            ("", "empty"),
            ("1a2b3c4d-1234-5678-9abc-def01234567", "31 digits"),
            ("1a2b3c4d-1234-5678-9abc-def0123456789", "33 digits"),
            ("1a2b3c4g-1234-5678-9abc-def012345678", "'g' at position 8"),
            ("1a2b3c4d-1234-5678-9abc def012345678", "space"),
            ("1a2b3c4d1-234-5678-9abc-def012345678", "hyphens"),
            // 32 characters without hyphens are a GUID only when all are hex digits; 31 are not.
            ("1a2b3c4d123456789abcdef01234567g", "'g' at position 32"),
            ("1a2b3c4d123456789abcdef01234567", "31 digits"),
            ("me@contoso.com", "e-mail"),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token",
                "the ID in this address is 1a2b3c4d-1234-5678-9abc-def012345678",
            ),
        ];
        for (input, needle) in bad {
            let e = Guid::parse(input).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains(needle) || (*needle == "empty" && e == FieldError::Empty),
                "{input}: {msg}"
            );
        }
    }

    #[test]
    fn guid_serde_validates() {
        let g: Guid = serde_json::from_str(&format!("\"{{{}}}\"", G.to_uppercase())).unwrap();
        assert_eq!(g.as_str(), G);
        assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{G}\""));
        assert!(serde_json::from_str::<Guid>("\"nope\"").is_err());
        assert_eq!(G.parse::<Guid>().unwrap().to_string(), G);
    }
}
