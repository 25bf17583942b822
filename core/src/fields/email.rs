//! [`Email`]: an e-mail address (the application user's or a person's sign-in name).

use serde::{Deserialize, Serialize};

use super::matchers::dns_problem;
use super::{Checked, FieldError};

/// An e-mail address (`local@domain.tld`), trimmed; the domain is lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parse an address.
    pub fn parse(raw: &str) -> Result<Checked<Email>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        let bad = |p: &str| FieldError::BadEmail { problem: p.into() };
        if s.contains('<') || s.contains('>') {
            return Err(bad("it contains < or >; type only the address itself"));
        }
        if s.to_ascii_lowercase().starts_with("mailto:") {
            return Err(bad("it starts with mailto:; remove that"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(bad("it contains a space"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad("it has no @"));
        };
        if domain.contains('@') {
            return Err(bad("it has more than one @"));
        }
        if local.is_empty() {
            return Err(bad("there is nothing before the @"));
        }
        if local.len() > 64 {
            return Err(bad("the part before the @ is longer than 64 characters"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("the part before the @ has a misplaced dot"));
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(*c)))
        {
            return Err(FieldError::BadEmail {
                problem: format!("'{c}' cannot be used before the @"),
            });
        }
        let domain = domain.to_ascii_lowercase();
        if domain.is_empty() {
            return Err(bad("there is nothing after the @"));
        }
        if let Some(p) = dns_problem(&domain) {
            return Err(FieldError::BadEmail {
                problem: format!("the part after the @ is not a domain name ({p})"),
            });
        }
        Ok(Checked::clean(Email(format!("{local}@{domain}"))))
    }
}

text_type!(
    /// The address.
    Email.0,
    parse -> Checked
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_table() {
        let ok: &[(&str, &str)] = &[
            ("sync@contoso.com", "sync@contoso.com"),
            (
                " Sync.App+x@Contoso.OnMicrosoft.com ",
                "Sync.App+x@contoso.onmicrosoft.com",
            ),
        ];
        for (input, want) in ok {
            assert_eq!(Email::parse(input).unwrap().value.as_str(), *want);
        }
        let bad: &[(&str, &str)] = &[
            ("sync", "no @"),
            ("@contoso.com", "nothing before"),
            ("sync@", "nothing after"),
            ("sync@contoso", "no dot"),
            ("a@b@contoso.com", "more than one @"),
            ("Sync App <sync@contoso.com>", "< or >"),
            ("sync@contoso.com>", "< or >"),
            ("<sync@contoso.com", "< or >"),
            ("mailto:sync@contoso.com", "mailto"),
            ("sy nc@contoso.com", "space"),
            ("sync.@contoso.com", "misplaced dot"),
            ("sy(nc@contoso.com", "'('"),
        ];
        for (input, needle) in bad {
            let msg = Email::parse(input).unwrap_err().to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
            assert!(msg.contains("name@contoso.com"));
        }
        // 64 characters before the @ is the most allowed.
        let longest = format!("{}@contoso.com", "a".repeat(64));
        assert!(Email::parse(&longest).is_ok());
        let msg = Email::parse(&format!("a{longest}"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("longer than 64"), "{msg}");
    }
}
