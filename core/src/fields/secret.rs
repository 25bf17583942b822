//! [`ClientSecret`] and [`SecretExpiry`]: the client secret's Value and its Expires date.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Checked, FieldError, Guid, Note};

/// A client secret *value* (not its Secret ID). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Secrets from Certificates & secrets are about 40 characters; shorter ones get a warning.
    pub const USUAL_MIN_LEN: usize = 30;

    /// Parse a pasted secret value. Surrounding whitespace is trimmed.
    pub fn parse(raw: &str) -> Result<Checked<ClientSecret>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        if Guid::parse(s).is_ok() {
            return Err(FieldError::SecretIsGuid);
        }
        if s.contains("***") || s.contains('…') || s.contains('•') {
            return Err(FieldError::SecretMasked);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(FieldError::SecretWhitespace);
        }
        let mut notes = Vec::new();
        if s.starts_with(['"', '\'']) || s.ends_with(['"', '\'']) {
            notes.push(Note::warning(
                "The secret starts or ends with a quote mark. Secret values never contain quotes: \
                 remove them unless you are sure they belong to the Value.",
            ));
        }
        if s.chars().count() < Self::USUAL_MIN_LEN {
            notes.push(Note::warning(format!(
                "This is {} characters long; secret values from Certificates & secrets are about \
                 40. Check that you copied the whole Value.",
                s.chars().count()
            )));
        }
        Ok(Checked {
            value: ClientSecret(s.to_string()),
            notes,
        })
    }

    /// The secret text.
    ///
    /// Security: this is a credential. Only use it to put it where the user asked (the connector
    /// settings they copy, an export they opted into). Never log it, never store it in
    /// localStorage, never send it anywhere from the browser (Entra ID refuses client secrets from
    /// browsers anyway).
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// When the client secret expires (the Expires column in Certificates & secrets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SecretExpiry(NaiveDate);

impl SecretExpiry {
    /// Days before expiry from which a warning is shown.
    pub const WARN_DAYS: i64 = 30;

    /// Parse `YYYY-MM-DD`; notes compare it with `today`: past or within 30 days → Warning, more
    /// than two years away → Info (the portal's maximum is two years).
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Checked<SecretExpiry>, FieldError> {
        let value: SecretExpiry = raw.parse()?;
        let days = (value.0 - today).num_days();
        let mut notes = Vec::new();
        if days < 0 {
            let n = -days;
            notes.push(Note::warning(format!(
                "This secret expired {n} day{} ago: create a new secret in Certificates & secrets \
                 and paste its Value.",
                if n == 1 { "" } else { "s" }
            )));
        } else if days == 0 {
            notes.push(Note::warning(
                "This secret expires today: create a new secret in Certificates & secrets and \
                 paste its Value.",
            ));
        } else if days <= Self::WARN_DAYS {
            notes.push(Note::warning(format!(
                "This secret expires in {days} day{}: create a new one in Certificates & secrets \
                 before {value}, and update Data Sync with it.",
                if days == 1 { "" } else { "s" }
            )));
        } else if days > 731 {
            notes.push(Note::info(
                "This is more than two years away, but the portal allows at most two years. Check \
                 the Expires column in Certificates & secrets.",
            ));
        }
        Ok(Checked { value, notes })
    }

    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

impl FromStr for SecretExpiry {
    type Err = FieldError;
    /// Format check only (`YYYY-MM-DD`), no comparison with today.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        let bad = || FieldError::BadDate {
            found: s.to_string(),
        };
        // Exactly YYYY-MM-DD (chrono alone would accept e.g. "2026-1-5").
        let shape = s.len() == 10
            && s.bytes().enumerate().all(|(i, c)| match i {
                4 | 7 => c == b'-',
                _ => c.is_ascii_digit(),
            });
        if !shape {
            return Err(bad());
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(SecretExpiry)
            .map_err(|_| bad())
    }
}

impl fmt::Display for SecretExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl TryFrom<String> for SecretExpiry {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<SecretExpiry> for String {
    fn from(e: SecretExpiry) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::Level;

    const G: &str = "1a2b3c4d-1234-5678-9abc-def012345678";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn client_secret_table() {
        let good = "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1fG2hI3j";
        let c = ClientSecret::parse(&format!("  {good}\n")).unwrap();
        assert_eq!(c.value.secret(), good);
        assert!(c.notes.is_empty());
        assert_eq!(format!("{:?}", c.value), "ClientSecret([redacted])");
        assert!(!format!("{c:?}").contains(good));
        let quoted = ClientSecret::parse(&format!("\"{good}\"")).unwrap();
        assert!(quoted.notes[0].text.contains("quote mark"));
        let short = ClientSecret::parse("abc~123").unwrap();
        assert!(short.has_warnings());
        // A quote at either end is worth a warning.
        let ends_quoted = ClientSecret::parse(&format!("{good}'")).unwrap();
        assert!(ends_quoted.notes[0].text.contains("quote mark"));
        // USUAL_MIN_LEN characters is long enough not to warn; one fewer is not.
        let min = &good[..ClientSecret::USUAL_MIN_LEN];
        assert!(ClientSecret::parse(min).unwrap().notes.is_empty());
        let shorter = ClientSecret::parse(&min[1..]).unwrap();
        assert!(shorter.notes[0].text.contains("29 characters long"));
        let bad: &[(&str, FieldError)] = &[
            ("", FieldError::Empty),
            (G, FieldError::SecretIsGuid),
            (
                "{1A2B3C4D-1234-5678-9ABC-DEF012345678}",
                FieldError::SecretIsGuid,
            ),
            ("abc8Q~**************", FieldError::SecretMasked),
            ("abc8Q~Zk3pN4vR5…", FieldError::SecretMasked),
            ("abc8Q~Zk3pN4vR5•••••", FieldError::SecretMasked),
            (
                "abc8Q~Zk3pN4vR5 sT6uW7xY8zA9bC0dE1fG2hI3j",
                FieldError::SecretWhitespace,
            ),
        ];
        for (input, want) in bad {
            assert_eq!(ClientSecret::parse(input).unwrap_err(), *want, "{input}");
        }
        assert!(FieldError::SecretIsGuid
            .to_string()
            .contains("copy the Value column instead"));
    }

    #[test]
    fn secret_expiry_table() {
        let today = d("2025-06-15");
        let cases: &[(&str, Option<Level>, &str)] = &[
            ("2025-06-10", Some(Level::Warning), "expired 5 days ago"),
            ("2025-06-14", Some(Level::Warning), "expired 1 day ago"),
            ("2025-06-15", Some(Level::Warning), "expires today"),
            ("2025-06-16", Some(Level::Warning), "expires in 1 day"),
            ("2025-07-15", Some(Level::Warning), "expires in 30 days"),
            ("2025-07-16", None, ""),
            ("2027-06-16", None, ""), // 731 days: the portal's two years
            ("2027-06-17", Some(Level::Info), "two years"),
            ("2028-06-15", Some(Level::Info), "two years"),
            (" 2025-12-12 ", None, ""),
        ];
        for (input, level, needle) in cases {
            let c = SecretExpiry::parse(input, today).unwrap();
            assert_eq!(c.notes.first().map(|n| n.level), *level, "{input}");
            if let Some(n) = c.notes.first() {
                assert!(n.text.contains(needle), "{input}: {}", n.text);
            }
        }
        for bad in [
            "2025-13-01",
            "15/06/2025",
            "2025-6-1",
            "2025-06-1",
            "2025-6-01",
            "+2025-06-01",
            "20250-06-01",
            "tomorrow",
            "2025-02-30",
        ] {
            let msg = SecretExpiry::parse(bad, today).unwrap_err().to_string();
            assert!(msg.contains("YYYY-MM-DD"), "{bad}: {msg}");
        }
        assert_eq!(
            SecretExpiry::parse("", today).unwrap_err(),
            FieldError::Empty
        );
        let e = SecretExpiry::parse("2025-12-01", today).unwrap().value;
        assert_eq!(e.to_string(), "2025-12-01");
        assert_eq!(e.date(), d("2025-12-01"));
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"2025-12-01\"");
        assert!(serde_json::from_str::<SecretExpiry>("\"12/01/2025\"").is_err());
    }
}
