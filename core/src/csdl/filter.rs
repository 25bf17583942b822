//! The picker's filter over the parsed entity sets.

use super::SetSummary;

/// Filters the picker's entity sets as the user types: case-insensitive, on the set name or its
/// key; sets whose name starts with the query come first, each group in its original order.
pub fn filter_sets<'a>(sets: &'a [SetSummary], query: &str) -> Vec<&'a SetSummary> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return sets.iter().collect();
    }
    let mut prefix = Vec::new();
    let mut inner = Vec::new();
    for s in sets {
        let name = s.name.to_lowercase();
        if name.starts_with(&q) {
            prefix.push(s);
        } else if name.contains(&q) || s.key.iter().any(|k| k.to_lowercase().contains(&q)) {
            inner.push(s);
        }
    }
    prefix.extend(inner);
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, key: &str) -> SetSummary {
        SetSummary {
            name: name.into(),
            entity_type: format!("ns.{name}"),
            key: vec![key.into()],
        }
    }

    /// The names the filter shows for `query`, in order.
    fn names<'a>(sets: &'a [SetSummary], query: &str) -> Vec<&'a str> {
        filter_sets(sets, query)
            .iter()
            .map(|s| s.name.as_str())
            .collect()
    }

    #[test]
    fn prefix_matches_come_first_and_case_is_ignored() {
        let sets = vec![
            set("contacts", "contactid"),
            set("accounts", "accountid"),
            set("accountleads", "accountleadid"),
        ];
        assert_eq!(names(&sets, "ACC"), ["accounts", "accountleads"]);
        assert_eq!(names(&sets, "count"), ["accounts", "accountleads"]);
        // Inside the name alone, or in the key alone, is a match too.
        assert_eq!(names(&sets, "tacts"), ["contacts"]);
        assert_eq!(names(&sets, "leadid"), ["accountleads"]);
        assert_eq!(filter_sets(&sets, "").len(), 3);
        assert!(filter_sets(&sets, "zzz").is_empty());
    }
}
