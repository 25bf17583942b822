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

    #[test]
    fn prefix_matches_come_first_and_case_is_ignored() {
        let sets = vec![
            set("contacts", "contactid"),
            set("accounts", "accountid"),
            set("accountleads", "accountleadid"),
        ];
        let names: Vec<_> = filter_sets(&sets, "ACC")
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["accounts", "accountleads"]);
        let names: Vec<_> = filter_sets(&sets, "count")
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["accounts", "accountleads"]);
        // Inside the name alone, or in the key alone, is a match too.
        let names: Vec<_> = filter_sets(&sets, "tacts")
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["contacts"]);
        let names: Vec<_> = filter_sets(&sets, "leadid")
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["accountleads"]);
        assert_eq!(filter_sets(&sets, "").len(), 3);
        assert!(filter_sets(&sets, "zzz").is_empty());
    }
}
