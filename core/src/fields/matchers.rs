//! Small hand-written matchers shared by the field parsers (no regex crate: bundle size).

use super::{FieldError, Guid};

/// Why `s` is not a DNS name, or `None` when it is one (lowercase expected).
pub(super) fn dns_problem(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some("it is longer than 253 characters".into());
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Some(format!("\"{s}\" has no dot, so it is not a domain name"));
    }
    for l in &labels {
        if l.is_empty() {
            return Some("it has an empty part between dots".into());
        }
        if l.len() > 63 {
            return Some("a part between dots is longer than 63 characters".into());
        }
        if let Some(c) = l
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Some(format!(
                "it contains '{c}', which domain names cannot contain"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some("a part between dots starts or ends with '-'".into());
        }
    }
    if labels
        .last()
        .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
    {
        return Some("it ends in a number, so it is not a domain name".into());
    }
    None
}

/// Percent-decodes once (invalid escapes are kept as they are; invalid UTF-8 is replaced).
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Reject garbled URL text (percent-encoded, double scheme, missing colon); returns the trimmed
/// text.
pub(super) fn url_prechecks(raw: &str) -> Result<&str, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let lower = s.to_ascii_lowercase();
    if !lower.contains("://") && lower.contains('%') {
        // Decode up to three layers (`%253A` is a doubly encoded `:`).
        let mut decoded = s.to_string();
        for _ in 0..3 {
            let next = percent_decode(&decoded);
            if next == decoded {
                break;
            }
            decoded = next;
        }
        if decoded.contains("://") {
            return Err(FieldError::PercentEncoded { decoded });
        }
    }
    for scheme in ["https://", "http://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            let rest_trim = rest.trim_start_matches('/');
            for again in ["https:", "http:", "https//", "http//"] {
                if let Some(after) = rest_trim.strip_prefix(again) {
                    let host_part = after.trim_start_matches('/');
                    let keep = &s[s.len() - host_part.len()..];
                    return Err(FieldError::DoubleScheme {
                        suggestion: format!("{scheme}{keep}"),
                    });
                }
            }
        }
    }
    for broken in ["https//", "http//"] {
        if lower.starts_with(broken) {
            let scheme = &broken[..broken.len() - 2];
            return Err(FieldError::NotAUrl {
                problem: format!(
                    "it starts with \"{broken}\" (the colon is missing). Write {scheme}://{}",
                    &s[broken.len()..]
                ),
            });
        }
    }
    if s.chars().any(char::is_whitespace) {
        return Err(FieldError::NotAUrl {
            problem: "it contains spaces. Paste the address again without them".into(),
        });
    }
    Ok(s)
}

/// The first GUID found anywhere in `s`.
pub(super) fn find_guid(s: &str) -> Option<Guid> {
    let b = s.as_bytes();
    if b.len() < 36 {
        return None;
    }
    (0..=b.len() - 36).find_map(|i| {
        let w = s.get(i..i + 36)?;
        Guid::parse_strict(w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_basics() {
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }
}
