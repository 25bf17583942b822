//! The picker's filter over the parsed entity sets.

use super::SetSummary;

/// Filters the picker's entity sets as the user types: case-insensitive, on the set name or its
/// key; the set named exactly so first, then the sets whose name starts with the query (shorter
/// names first: "acc" finds `accounts` before `accountleadscollection`), then the rest in their
/// original order.
pub fn filter_sets<'a>(sets: &'a [SetSummary], query: &str) -> Vec<&'a SetSummary> {
    SetSearch::new(sets)
        .positions(query)
        .into_iter()
        .map(|i| &sets[i])
        .collect()
}

/// The picker's search index: each set's name and key, lower-cased once per schema rather than
/// on every keystroke. It answers with positions in the sets it was built from, which the
/// picker's rows show: two sets may share a name in a hostile document but never a position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetSearch {
    names: Vec<String>,
    keys: Vec<Vec<String>>,
}

impl SetSearch {
    /// The index of `sets`, in their order.
    pub fn new(sets: &[SetSummary]) -> Self {
        SetSearch {
            names: sets.iter().map(|s| s.name.to_lowercase()).collect(),
            keys: sets
                .iter()
                .map(|s| s.key.iter().map(|k| k.to_lowercase()).collect())
                .collect(),
        }
    }

    /// Positions of the sets matching `query` (case-insensitive, in the name or a key): an exact
    /// name first, then names that start with it, shorter first (ties in the original order),
    /// then names or keys that contain it, in the original order.
    pub fn positions(&self, query: &str) -> Vec<usize> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return (0..self.names.len()).collect();
        }
        let mut prefix = Vec::new();
        let mut inner = Vec::new();
        for (i, (name, keys)) in self.names.iter().zip(&self.keys).enumerate() {
            if name.starts_with(&q) {
                prefix.push(i);
            } else if name.contains(&q) || keys.iter().any(|k| k.contains(&q)) {
                inner.push(i);
            }
        }
        // Stable: equal lengths keep their order. An exact name is the shortest prefix match.
        prefix.sort_by_key(|&i| self.names[i].len());
        prefix.extend(inner);
        prefix
    }
}

/// `text` cut around the first case-insensitive (ASCII) occurrence of `query`, as the picker
/// highlights it: before, the match, after. No match, or a blank query: all of `text` before.
pub fn around_match<'a>(text: &'a str, query: &str) -> (&'a str, &'a str, &'a str) {
    let q = query.trim().to_ascii_lowercase();
    // ASCII lowercasing changes no byte outside ASCII, so a match in the lowercased copy starts and
    // ends on the same character boundaries in `text`.
    let at = (!q.is_empty())
        .then(|| text.to_ascii_lowercase().find(&q))
        .flatten();
    match at {
        Some(at) => {
            let (before, rest) = text.split_at(at);
            let (hit, after) = rest.split_at(q.len());
            (before, hit, after)
        }
        None => (text, "", ""),
    }
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

    /// The index lower-cases beyond ASCII too.
    #[test]
    fn the_search_index_matches_like_the_filter() {
        let sets = vec![
            set("ÄRGERnisse", "ÄrgerID"),
            set("accounts", "accountid"),
            set("Kontakte", "kontaktid"),
        ];
        let search = SetSearch::new(&sets);
        assert_eq!(search.positions("är"), [0]);
        assert_eq!(search.positions("  ÄRGERID "), [0]);
        assert_eq!(search.positions("kont"), [2]);
        assert_eq!(search.positions("t"), [1, 2]);
        assert_eq!(search.positions("k"), [2]);
        assert_eq!(search.positions(""), [0, 1, 2]);
        assert!(SetSearch::new(&[]).positions("a").is_empty());
    }

    #[test]
    fn prefix_matches_come_first_and_case_is_ignored() {
        let sets = vec![
            set("contacts", "contactid"),
            set("accounts", "accountid"),
            set("accountleads", "accountleadid"),
        ];
        assert_eq!(names(&sets, "ACC"), ["accounts", "accountleads"]);
        // Shorter prefix matches first, whatever the document's order; an exact name first of all.
        let long_first = vec![
            set("accountleadscollection", "id"),
            set("accountsy", "id"),
            set("accounts", "accountid"),
            set("subaccounts", "id"),
            set("accountsx", "id"),
        ];
        // Equal lengths keep the document's order (y before x).
        assert_eq!(
            names(&long_first, "acc"),
            [
                "accounts",
                "accountsy",
                "accountsx",
                "accountleadscollection",
                "subaccounts"
            ]
        );
        assert_eq!(names(&long_first, "Accounts")[0], "accounts");
        assert_eq!(names(&sets, "count"), ["accounts", "accountleads"]);
        // Inside the name alone, or in the key alone, is a match too.
        assert_eq!(names(&sets, "tacts"), ["contacts"]);
        assert_eq!(names(&sets, "leadid"), ["accountleads"]);
        assert_eq!(filter_sets(&sets, "").len(), 3);
        assert_eq!(SetSearch::new(&sets).positions("ACC"), [1, 2]);
        assert_eq!(SetSearch::new(&sets).positions(""), [0, 1, 2]);
        assert!(filter_sets(&sets, "zzz").is_empty());
    }

    #[test]
    fn the_match_is_cut_out_whatever_its_case() {
        assert_eq!(
            around_match("msdyn_Account", "acc"),
            ("msdyn_", "Acc", "ount")
        );
        assert_eq!(around_match("accounts", " ACC "), ("", "acc", "ounts"));
        assert_eq!(around_match("contacts", "tacts"), ("con", "tacts", ""));
        // Only the first occurrence.
        assert_eq!(around_match("aXaX", "x"), ("a", "X", "aX"));
    }

    #[test]
    fn no_match_or_a_blank_query_leaves_all_of_the_text_before() {
        assert_eq!(around_match("accounts", "zz"), ("accounts", "", ""));
        assert_eq!(around_match("accounts", "  "), ("accounts", "", ""));
        assert_eq!(around_match("accounts", "accountsx"), ("accounts", "", ""));
        // Non-ASCII text before the match keeps its bytes whole.
        assert_eq!(
            around_match("caf\u{e9}_accounts", "ACC"),
            ("caf\u{e9}_", "acc", "ounts")
        );
    }
}
