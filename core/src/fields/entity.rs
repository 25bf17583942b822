//! [`check_entity_set`]: the entity set name typed for the test query.

use super::{Checked, FieldError, Note};

/// Check an entity set name (`accounts`, `new_projects`): letters, digits and `_`, not starting
/// with a digit. Returns notes (e.g. "usually plural").
pub fn check_entity_set(raw: &str) -> Result<Checked<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let bad = |p: String| FieldError::BadEntity { problem: p };
    if s.contains("://") || s.contains('/') {
        return Err(bad("it is a path or address".into()));
    }
    if s.contains('(') {
        return Err(bad(
            "it contains ( — that is a single record's address".into()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(bad(format!("'{c}' cannot be part of an entity set name")));
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(bad("it starts with a digit".into()));
    }
    let mut notes = Vec::new();
    if !s.ends_with('s') {
        notes.push(Note::info(
            "Entity set names are usually plural (accounts, contacts). If Connect cannot find it, \
             check the EntitySetName of the table.",
        ));
    }
    if s.chars().any(|c| c.is_ascii_uppercase()) {
        notes.push(Note::warning(
            "Entity set names are case-sensitive and almost always lowercase in Dataverse (e.g. \
             accounts, not Accounts).",
        ));
    }
    Ok(Checked {
        value: s.to_string(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_set_table() {
        assert!(check_entity_set("accounts").unwrap().notes.is_empty());
        assert!(check_entity_set("new_projects").unwrap().notes.is_empty());
        assert_eq!(check_entity_set("account").unwrap().notes.len(), 1);
        assert!(check_entity_set("Accounts").unwrap().has_warnings());
        for bad in [
            "accounts(1)",
            "/api/data/v9.2/accounts",
            "api/data/v9.2/accounts",
            "my accounts",
            "1accounts",
        ] {
            assert!(check_entity_set(bad).is_err(), "{bad}");
        }
        assert_eq!(check_entity_set(" ").unwrap_err(), FieldError::Empty);
        // A path says so, with or without an address around it.
        for path in ["api/data/v9.2/accounts", "https://contoso.crm.dynamics.com"] {
            let msg = check_entity_set(path).unwrap_err().to_string();
            assert!(msg.contains("path or address"), "{path}: {msg}");
        }
    }
}
