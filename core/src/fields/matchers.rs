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
    // Every 36-byte window that starts and ends on a character boundary.
    (0..s.len().saturating_sub(35)).find_map(|i| s.get(i..i + 36).and_then(Guid::parse_strict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_basics() {
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }

    const GUID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    #[test]
    fn a_guid_is_found_wherever_it_stands() {
        let found = |s: &str| find_guid(s).map(|g| g.to_string());
        assert_eq!(found(GUID).as_deref(), Some(GUID));
        assert_eq!(found(&format!("x{GUID}")).as_deref(), Some(GUID));
        assert_eq!(
            found(&format!("https://x/{GUID}/oauth2")).as_deref(),
            Some(GUID)
        );
        assert_eq!(found(&format!("é{GUID}é")).as_deref(), Some(GUID));
        assert_eq!(found(&GUID[1..]), None);
        assert_eq!(found(""), None);
        assert_eq!(found("ééééééééééééééééééééééééééééééééééé"), None);
    }

    #[test]
    fn domain_names_within_the_limits_pass_and_beyond_them_say_why() {
        let label = |n: usize| "a".repeat(n);
        // 253 characters in all, 63 in a part: the most DNS allows.
        let longest = format!("{}.{}.{}.{}", label(63), label(63), label(63), label(61));
        assert_eq!(longest.len(), 253);
        assert_eq!(dns_problem(&longest), None);
        let too_long = format!("{longest}a");
        assert!(dns_problem(&too_long).is_some_and(|p| p.contains("253")));
        assert_eq!(dns_problem(&format!("{}.com", label(63))), None);
        assert!(dns_problem(&format!("{}.com", label(64))).is_some_and(|p| p.contains("63")));
        // Digits and inner hyphens are fine; a hyphen at either end of a part is not.
        assert_eq!(dns_problem("contoso-2.onmicrosoft.com"), None);
        for bad in ["-contoso.com", "contoso-.com", "contoso.-com"] {
            assert!(
                dns_problem(bad).is_some_and(|p| p.contains("starts or ends with '-'")),
                "{bad}"
            );
        }
        assert!(dns_problem("con_toso.com").is_some_and(|p| p.contains("'_'")));
        assert!(dns_problem("contoso.123").is_some_and(|p| p.contains("number")));
    }

    #[test]
    fn a_missing_colon_is_named_with_the_fixed_address() {
        for (input, fixed) in [
            (
                "https//contoso.crm.dynamics.com",
                "Write https://contoso.crm.dynamics.com",
            ),
            (
                "http//contoso.crm.dynamics.com",
                "Write http://contoso.crm.dynamics.com",
            ),
        ] {
            let e = url_prechecks(input).unwrap_err().to_string();
            assert!(e.contains(fixed), "{e}");
        }
    }

    #[test]
    fn an_address_with_a_scheme_may_hold_percent_escapes() {
        // Only text without "://" is checked for a percent-encoded address.
        let s = "https://contoso.crm.dynamics.com/main.aspx?etn=a%20b";
        assert_eq!(url_prechecks(s), Ok(s));
    }
}
