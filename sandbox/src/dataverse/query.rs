//! The OData system query options the sandbox reads: `$filter` (`field eq value` clauses joined by
//! `and`), `$select` and `$expand` (navigation properties with nested `$select`/`$expand`).

use serde_json::{Map, Value};

#[derive(Debug, Default, Clone)]
pub struct ODataQuery {
    pub filter: Option<String>,
    pub select: Vec<String>,
    pub expand: Option<String>,
}

impl ODataQuery {
    /// Parse a raw query string (percent- and `+`-decoded).
    pub fn parse(query: &str) -> ODataQuery {
        let mut q = ODataQuery::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "$filter" => q.filter = Some(v.into_owned()),
                "$select" => q.select = list(&v),
                "$expand" => q.expand = Some(v.into_owned()),
                _ => {}
            }
        }
        q
    }

    /// The value compared with `field` by an `eq` clause of `$filter` (quotes removed).
    pub fn filter_value(&self, field: &str) -> Option<String> {
        let filter = self.filter.as_deref()?;
        filter_eq(filter, field)
    }

    /// The `$expand` items (empty without `$expand`).
    pub fn expand_items(&self) -> Vec<Expand> {
        self.expand.as_deref().map(parse_expand).unwrap_or_default()
    }

    /// Keep only the `$select`ed properties (and annotations), when there is a `$select`.
    pub fn select(&self, v: Value) -> Value {
        select_fields(v, &self.select)
    }

    /// `(a,b)` for `@odata.context` when there is a `$select`.
    pub fn select_suffix(&self) -> String {
        if self.select.is_empty() {
            String::new()
        } else {
            format!("({})", self.select.join(","))
        }
    }
}

/// One `$expand` item: `nav($select=a,b;$expand=other(…))`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expand {
    pub nav: String,
    pub select: Vec<String>,
    pub expand: Vec<Expand>,
}

/// Parse an `$expand` value: items separated by commas outside parentheses, each with options
/// separated by `;` inside its parentheses (OData's grammar; nesting to any depth).
pub fn parse_expand(text: &str) -> Vec<Expand> {
    split_top(text, ',')
        .into_iter()
        .filter(|item| !item.trim().is_empty())
        .map(|item| {
            let item = item.trim();
            let (nav, options) = match item.split_once('(') {
                Some((nav, rest)) => (nav, rest.strip_suffix(')').unwrap_or(rest)),
                None => (item, ""),
            };
            let mut e = Expand {
                nav: nav.trim().to_string(),
                ..Expand::default()
            };
            for option in split_top(options, ';') {
                let (key, value) = option.split_once('=').unwrap_or((option, ""));
                match key.trim() {
                    "$select" => e.select = list(value),
                    "$expand" => e.expand = parse_expand(value),
                    _ => {}
                }
            }
            e
        })
        .collect()
}

/// Split at `sep` where it is not inside parentheses.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Keep `fields` (plus `@odata.*` annotations); all when empty.
pub fn select_fields(v: Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return v;
    }
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| {
                    k.starts_with("@odata.") || fields.iter().any(|f| f.eq_ignore_ascii_case(k))
                })
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
}

/// `field eq value` in a `$filter` (clauses joined by ` and `; field names case-insensitive).
pub fn filter_eq(filter: &str, field: &str) -> Option<String> {
    let lower = filter.to_ascii_lowercase();
    let mut offset = 0;
    for clause in lower.split(" and ") {
        let start = offset;
        offset += clause.len() + " and ".len();
        let trimmed = clause.trim().trim_start_matches('(');
        let Some((name, _)) = trimmed.split_once(" eq ") else {
            continue;
        };
        if name.trim() != field.to_ascii_lowercase() {
            continue;
        }
        // Take the value from the original text (names can have upper case letters).
        let original = &filter[start..(start + clause.len()).min(filter.len())];
        let (_, value) = original.split_once(" eq ").or_else(|| {
            let i = original.to_ascii_lowercase().find(" eq ")?;
            Some((&original[..i], &original[i + 4..]))
        })?;
        let value = value.trim().trim_end_matches(')').trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or(value);
        return Some(value.replace("''", "'"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_selects() {
        let q = ODataQuery::parse(
            "%24filter=_businessunitid_value%20eq%20ABC%20and%20name%20eq%20%27Basic%20User%27&$select=roleid,name&$expand=systemuserroles_association($select=roleid,name)",
        );
        assert_eq!(
            q.filter_value("_businessunitid_value").as_deref(),
            Some("ABC")
        );
        assert_eq!(q.filter_value("name").as_deref(), Some("Basic User"));
        assert_eq!(q.filter_value("applicationid"), None);
        assert_eq!(
            q.expand_items(),
            [Expand {
                nav: "systemuserroles_association".into(),
                select: vec!["roleid".into(), "name".into()],
                expand: vec![],
            }]
        );
        assert_eq!(q.select_suffix(), "(roleid,name)");
        let v = q.select(serde_json::json!({"roleid": 1, "name": 2, "other": 3, "@odata.etag": 4}));
        assert_eq!(
            v,
            serde_json::json!({"roleid": 1, "name": 2, "@odata.etag": 4})
        );
        assert_eq!(filter_eq("appId eq 'X-Y'", "appid").as_deref(), Some("X-Y"));
        assert_eq!(
            filter_eq("(applicationid eq 1234)", "applicationid").as_deref(),
            Some("1234")
        );
    }

    #[test]
    fn nested_expand() {
        let e = parse_expand(
            "systemuserroles_association($select=roleid,name),teammembership_association($select=teamid,name;$expand=teamroles_association($select=roleid,name))",
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].nav, "systemuserroles_association");
        assert_eq!(e[1].nav, "teammembership_association");
        assert_eq!(e[1].select, ["teamid", "name"]);
        assert_eq!(e[1].expand.len(), 1);
        assert_eq!(e[1].expand[0].nav, "teamroles_association");
        assert_eq!(e[1].expand[0].select, ["roleid", "name"]);
        assert_eq!(parse_expand("a,b").len(), 2);
        assert!(parse_expand("").is_empty());
    }
}
