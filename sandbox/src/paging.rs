//! Server-driven paging and service-protection throttling of collection answers, for Dataverse
//! ("Page results using OData", "Service protection API limits") and Microsoft Graph ("Paging
//! Microsoft Graph data", "Throttling guidance"): at most `size` rows per answer plus an absolute
//! `@odata.nextLink` carrying `$skiptoken`, and a 429 with `Retry-After` the first time a list is
//! asked for.

use crate::AppState;
use axum::http::Uri;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// Dataverse's default (and maximum) page size.
pub const DATAVERSE_MAX_PAGE: usize = 5000;

/// Which service's skip token to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A paging cookie, `<cookie pagenumber="2" istracking="False" />`, as Dataverse writes it.
    Dataverse,
    /// An opaque string, as Graph writes it.
    Graph,
}

/// The page one collection request asks for.
#[derive(Debug, Clone)]
pub struct Paging {
    size: usize,
    offset: usize,
    /// The request's absolute URL without `$skiptoken`, ready for `&$skiptoken=` (or `?`).
    link: String,
    flavor: Flavor,
}

/// A `$skiptoken` the sandbox did not write.
#[derive(Debug)]
pub struct BadSkipToken;

impl Paging {
    /// Everything in one answer (requests that are not lists).
    pub fn unpaged() -> Paging {
        Paging {
            size: usize::MAX,
            offset: 0,
            link: String::new(),
            flavor: Flavor::Graph,
        }
    }

    /// The page `uri` (on `origin`) asks for; `size` `None` = unpaged for Graph, 5000 for
    /// Dataverse.
    pub fn new(
        origin: &str,
        uri: &Uri,
        size: Option<usize>,
        flavor: Flavor,
    ) -> Result<Paging, BadSkipToken> {
        let size = match (size, flavor) {
            (Some(n), _) => n.max(1),
            (None, Flavor::Dataverse) => DATAVERSE_MAX_PAGE,
            (None, Flavor::Graph) => usize::MAX,
        };
        let query = uri.query().unwrap_or("");
        let mut token = None;
        let mut kept = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            match decoded_pair(part) {
                Some((k, v)) if k == "$skiptoken" => token = Some(v),
                _ => kept.push(part),
            }
        }
        let offset = match token {
            None => 0,
            Some(t) => parse_token(&t, flavor, size).ok_or(BadSkipToken)?,
        };
        let sep = if kept.is_empty() { "?" } else { "&" };
        let link = format!(
            "{origin}{}{}{}{sep}",
            uri.path(),
            if kept.is_empty() { "" } else { "?" },
            kept.join("&")
        );
        Ok(Paging {
            size,
            offset,
            link,
            flavor,
        })
    }

    /// This page of `rows`, and the next page's link when there are more.
    pub fn page(&self, rows: Vec<Value>) -> (Vec<Value>, Option<String>) {
        let total = rows.len();
        let end = self.offset.saturating_add(self.size).min(total);
        let page: Vec<Value> = rows
            .into_iter()
            .skip(self.offset)
            .take(end.saturating_sub(self.offset))
            .collect();
        let next = (end < total).then(|| format!("{}$skiptoken={}", self.link, self.token(end)));
        (page, next)
    }

    /// `{"@odata.context", "value", "@odata.nextLink"}` for this page of `rows`.
    pub fn collection(&self, context: String, rows: Vec<Value>) -> Value {
        let (rows, next) = self.page(rows);
        let mut m = Map::new();
        m.insert("@odata.context".into(), Value::String(context));
        m.insert("value".into(), Value::Array(rows));
        if let Some(n) = next {
            m.insert("@odata.nextLink".into(), Value::String(n));
        }
        Value::Object(m)
    }

    fn token(&self, offset: usize) -> String {
        match self.flavor {
            Flavor::Dataverse => {
                let page = offset / self.size.max(1) + 1;
                format!("%3Ccookie%20pagenumber=%22{page}%22%20istracking=%22False%22%20/%3E")
            }
            Flavor::Graph => URL_SAFE_NO_PAD.encode(format!("sandbox-skip:{offset}")),
        }
    }
}

fn decoded_pair(part: &str) -> Option<(String, String)> {
    url::form_urlencoded::parse(part.as_bytes())
        .next()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
}

fn parse_token(token: &str, flavor: Flavor, size: usize) -> Option<usize> {
    match flavor {
        Flavor::Dataverse => {
            let rest = token.split_once("pagenumber=\"")?.1;
            let page: usize = rest.split('"').next()?.parse().ok()?;
            page.checked_sub(1)?.checked_mul(size)
        }
        Flavor::Graph => {
            let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
            String::from_utf8(raw)
                .ok()?
                .strip_prefix("sandbox-skip:")?
                .parse()
                .ok()
        }
    }
}

/// A list's identity for throttling: its scope (environment or app), path and query without
/// `$skiptoken`, so every page of one list is one list.
pub fn list_key(scope: &str, uri: &Uri) -> String {
    let query: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| decoded_pair(p).is_none_or(|(k, _)| k != "$skiptoken"))
        .collect();
    format!("{scope} {}?{}", uri.path(), query.join("&"))
}

/// Is this the first request to the list `key` since the start or `/sandbox/reset`? (Records it.)
pub fn first_request(state: &AppState, key: String) -> bool {
    state.store().seen_lists.insert(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!(i)).collect()
    }

    #[test]
    fn pages_and_links_round_trip() {
        for flavor in [Flavor::Dataverse, Flavor::Graph] {
            let uri: Uri = "/api/data/v9.2/roles?$select=name".parse().unwrap();
            let p = Paging::new("http://o", &uri, Some(2), flavor).unwrap();
            let (page, next) = p.page(rows(5));
            assert_eq!(page, rows(2));
            let next = next.unwrap();
            assert!(next.starts_with("http://o/api/data/v9.2/roles?$select=name&$skiptoken="));
            let uri: Uri = next.strip_prefix("http://o").unwrap().parse().unwrap();
            let p = Paging::new("http://o", &uri, Some(2), flavor).unwrap();
            assert_eq!(p.page(rows(5)).0, vec![json!(2), json!(3)]);
            let uri: Uri = "/x?$skiptoken=nonsense".parse().unwrap();
            assert!(Paging::new("http://o", &uri, Some(2), flavor).is_err());
        }
        let uri: Uri = "/x".parse().unwrap();
        let p = Paging::new("http://o", &uri, None, Flavor::Graph).unwrap();
        assert_eq!(p.page(rows(3)), (rows(3), None));
        let p = Paging::new("http://o", &uri, Some(3), Flavor::Graph).unwrap();
        assert_eq!(p.page(rows(3)), (rows(3), None));
        let (_, next) = Paging::new("http://o", &uri, Some(1), Flavor::Graph)
            .unwrap()
            .page(rows(2));
        assert!(next.unwrap().starts_with("http://o/x?$skiptoken="));
    }

    #[test]
    fn list_key_ignores_the_skip_token() {
        let a: Uri = "/v1.0/x?$filter=a&$skiptoken=abc".parse().unwrap();
        let b: Uri = "/v1.0/x?$filter=a".parse().unwrap();
        let c: Uri = "/v1.0/x?%24skiptoken=abc&$filter=a".parse().unwrap();
        assert_eq!(list_key("s", &a), list_key("s", &b));
        assert_eq!(list_key("s", &c), list_key("s", &b));
        assert_ne!(list_key("s", &b), list_key("t", &b));
    }
}
