//! Two tabs, one draft: the per-field merge rule.
//!
//! Every tab keeps, beside the draft, an [`EditStamps`] map: for each field (and each checklist
//! tick) the time of its last edit. When a tab saves, or learns that another tab saved, the two
//! drafts are merged field by field and the newer edit wins ([`merge`]). The client secret is not
//! part of the draft's JSON and is never merged: it stays in its own tab.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::draft::Draft;

/// Prefix of a checklist tick's entry in the flattened draft: `tick:register.create`.
const TICK: &str = "tick:";

/// The last edit time (ms since the Unix epoch) of each field of a draft, by field key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EditStamps(BTreeMap<String, u64>);

impl EditStamps {
    /// The last edit time of `key`, 0 when never edited.
    pub fn get(&self, key: &str) -> u64 {
        self.0.get(key).copied().unwrap_or(0)
    }

    /// The newest stamp, 0 when empty.
    pub fn newest(&self) -> u64 {
        self.0.values().copied().max().unwrap_or(0)
    }

    /// Records the local edits from `before` to `after` at `now_ms`; returns whether any field
    /// changed. Stamps only grow: an edit is stamped after every edit this map knows of.
    pub fn touch(&mut self, before: &Draft, after: &Draft, now_ms: u64) -> bool {
        let (a, b) = (flatten(before), flatten(after));
        let changed: Vec<String> = keys(&a, &b)
            .into_iter()
            .filter(|k| value(&a, k) != value(&b, k))
            .collect();
        let stamp = now_ms.max(self.newest() + 1);
        for k in &changed {
            self.0.insert(k.clone(), stamp);
        }
        !changed.is_empty()
    }
}

/// What a tab stores for the others, in ONE storage value so that it is read whole: a browser may
/// deliver two keys' changes to another tab one at a time, and stamps read without their draft
/// would make an edit look merged when it is not. The secret is not part of it (`Draft` never
/// serialises it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Synced {
    /// The draft as saved.
    pub draft: Draft,
    /// Its fields' last edit times.
    pub stamps: EditStamps,
}

/// Merges two tabs' drafts field by field: for every field the side whose stamp is newer wins
/// (on a tie, `ours`). The secret always comes from `ours`. Returns the merged draft and stamps.
pub fn merge(
    ours: &Draft,
    our_stamps: &EditStamps,
    theirs: &Draft,
    their_stamps: &EditStamps,
) -> (Draft, EditStamps) {
    let (a, b) = (flatten(ours), flatten(theirs));
    let mut merged = BTreeMap::new();
    let mut stamps = EditStamps::default();
    for k in keys(&a, &b) {
        let (mine, other) = (our_stamps.get(&k), their_stamps.get(&k));
        let v = if other > mine {
            value(&b, &k)
        } else {
            value(&a, &k)
        };
        merged.insert(k.clone(), v);
        let stamp = mine.max(other);
        if stamp > 0 {
            stamps.0.insert(k, stamp);
        }
    }
    let mut draft = unflatten(merged).unwrap_or_else(|| ours.clone());
    draft.client_secret = ours.client_secret.clone();
    (draft, stamps)
}

/// The draft as one entry per field, and one per ticked checklist item.
fn flatten(d: &Draft) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(d) {
        for (k, v) in map {
            if k != "ticks" {
                out.insert(k, v);
            }
        }
    }
    for t in &d.ticks {
        out.insert(format!("{TICK}{t}"), Value::Bool(true));
    }
    out
}

fn unflatten(map: BTreeMap<String, Value>) -> Option<Draft> {
    let mut ticks = BTreeSet::new();
    let mut obj = Map::new();
    for (k, v) in map {
        match k.strip_prefix(TICK) {
            Some(t) if v == Value::Bool(true) => {
                ticks.insert(t.to_string());
            }
            Some(_) => {}
            None => {
                obj.insert(k, v);
            }
        }
    }
    let mut d: Draft = serde_json::from_value(Value::Object(obj)).ok()?;
    d.ticks = ticks;
    Some(d)
}

fn keys(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> BTreeSet<String> {
    a.keys().chain(b.keys()).cloned().collect()
}

/// A field's value; an absent tick is an unticked one.
fn value(map: &BTreeMap<String, Value>, key: &str) -> Value {
    map.get(key).cloned().unwrap_or_else(|| {
        if key.starts_with(TICK) {
            Value::Bool(false)
        } else {
            Value::Null
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::SecretInput;

    fn edit(d: &Draft, stamps: &mut EditStamps, now: u64, f: impl FnOnce(&mut Draft)) -> Draft {
        let mut after = d.clone();
        f(&mut after);
        stamps.touch(d, &after, now);
        after
    }

    #[test]
    fn two_tabs_editing_different_fields_keep_both() {
        // Both tabs start from the same empty draft.
        let (mut sa, mut sb) = (EditStamps::default(), EditStamps::default());
        let a = edit(&Draft::default(), &mut sa, 100, |d| {
            d.tenant_id = "contoso.com".into()
        });
        let b = edit(&Draft::default(), &mut sb, 200, |d| {
            d.client_id = "abc".into()
        });
        let (m, ms) = merge(&b, &sb, &a, &sa);
        assert_eq!(m.tenant_id, "contoso.com");
        assert_eq!(m.client_id, "abc");
        assert_eq!(ms.get("tenant_id"), 100);
        assert_eq!(ms.get("client_id"), 200);
        // And the other way round: the same result.
        let (m2, ms2) = merge(&a, &sa, &b, &sb);
        assert_eq!(m2, m);
        assert_eq!(ms2, ms);
    }

    #[test]
    fn newest_edit_of_the_same_field_wins() {
        let (mut sa, mut sb) = (EditStamps::default(), EditStamps::default());
        let a = edit(&Draft::default(), &mut sa, 300, |d| {
            d.app_name = "new".into()
        });
        let b = edit(&Draft::default(), &mut sb, 200, |d| {
            d.app_name = "old".into()
        });
        assert_eq!(merge(&b, &sb, &a, &sa).0.app_name, "new");
        assert_eq!(merge(&a, &sa, &b, &sb).0.app_name, "new");
        // Clearing a field is an edit too.
        let cleared = edit(&a, &mut sa, 400, |d| d.app_name.clear());
        assert_eq!(merge(&b, &sb, &cleared, &sa).0.app_name, "");
    }

    #[test]
    fn ticks_merge_one_by_one() {
        let (mut sa, mut sb) = (EditStamps::default(), EditStamps::default());
        let base = Draft {
            ticks: ["x".to_string()].into(),
            ..Draft::default()
        };
        let a = edit(&base, &mut sa, 100, |d| {
            d.ticks.insert("a".into());
        });
        let b = edit(&base, &mut sb, 200, |d| {
            d.ticks.remove("x");
            d.ticks.insert("b".into());
        });
        let (m, _) = merge(&a, &sa, &b, &sb);
        assert_eq!(
            m.ticks,
            ["a", "b"]
                .iter()
                .map(|s| s.to_string())
                .collect::<BTreeSet<_>>()
        );
    }

    #[test]
    fn the_secret_stays_in_its_tab() {
        let a = Draft {
            client_secret: SecretInput::new("mine".into()),
            ..Draft::default()
        };
        let b = Draft {
            client_secret: SecretInput::new("theirs".into()),
            ..Draft::default()
        };
        let mut sb = EditStamps::default();
        let b = edit(&b, &mut sb, 500, |d| d.client_id = "x".into());
        let (m, _) = merge(&a, &EditStamps::default(), &b, &sb);
        assert_eq!(m.client_secret.expose(), "mine");
        assert_eq!(m.client_id, "x");
        let record = Synced {
            draft: b,
            stamps: sb,
        };
        assert!(!serde_json::to_string(&record).unwrap().contains("theirs"));
    }

    #[test]
    fn edits_made_at_the_same_instant_keep_this_tabs_value() {
        // Two tabs typing in the same field in the same millisecond: each keeps its own text
        // rather than both flipping to the other's (which would swap them back and forth).
        let (mut sa, mut sb) = (EditStamps::default(), EditStamps::default());
        let a = edit(&Draft::default(), &mut sa, 100, |d| {
            d.app_name = "ours".into()
        });
        let b = edit(&Draft::default(), &mut sb, 100, |d| {
            d.app_name = "theirs".into()
        });
        assert_eq!(merge(&a, &sa, &b, &sb).0.app_name, "ours");
        assert_eq!(merge(&b, &sb, &a, &sa).0.app_name, "theirs");
    }

    #[test]
    fn merged_stamps_name_only_edited_fields() {
        // What a tab stores for the others grows with the fields edited, not with every field.
        let (mut sa, sb) = (EditStamps::default(), EditStamps::default());
        let a = edit(&Draft::default(), &mut sa, 100, |d| {
            d.entity = "accounts".into()
        });
        let (_, ms) = merge(&a, &sa, &Draft::default(), &sb);
        assert_eq!(serde_json::to_string(&ms).unwrap(), r#"{"entity":100}"#);
    }

    #[test]
    fn touch_reports_changes_and_stamps_grow() {
        let mut s = EditStamps::default();
        let d = Draft::default();
        assert!(!s.touch(&d, &d, 10));
        let e = edit(&d, &mut s, 10, |d| d.entity = "accounts".into());
        // A clock that goes back still stamps after the last edit.
        let f = edit(&e, &mut s, 5, |d| d.entity = "contacts".into());
        assert_eq!(s.get("entity"), 11);
        assert_eq!(f.entity, "contacts");
        assert_eq!(s.get("tenant_id"), 0);
    }
}
