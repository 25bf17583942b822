//! Reads that hold up against the real services, decided here and carried out by the app:
//!
//! * **paging**: a list answer may end with `@odata.nextLink` (Dataverse: "Page results using
//!   OData"; Graph: "Paging Microsoft Graph data in your app"): [`Pages`] gathers every page,
//!   and follows a link only to the origin the first request went to, so the bearer token never
//!   leaves for another host;
//! * **throttling**: `429` or `503` with `Retry-After` (Dataverse "Service protection API
//!   limits", Graph "Microsoft Graph throttling guidance"): [`throttle_wait`], at most
//!   [`MAX_TRIES`] tries, the wait said in plain words for the page to show;
//! * **replication**: right after a create or a new secret, a read can miss it for seconds
//!   (directory writes replicate): [`VISIBILITY_DELAYS_MS`] retries for up to 30 s, then
//!   [`not_visible_yet`], which is ? and not ✗.

use serde_json::{Map, Value};

use super::graph::{parse_list, Application};
use super::{CheckId, Verdict};

/// Tries of one request when the service says it is busy (the first and two retries).
pub const MAX_TRIES: u32 = 3;

/// The longest `Retry-After` the wizard waits for; a longer one ends the tries at once.
pub const MAX_RETRY_AFTER_SECS: u64 = 60;

/// The most pages one list is read to (a runaway `nextLink` loop stops here).
pub const MAX_PAGES: usize = 50;

/// The waits between reads while a change is not visible yet: 0.5 s doubling to 8 s, 30 s in
/// all.
pub const VISIBILITY_DELAYS_MS: [u32; 7] = [500, 1_000, 2_000, 4_000, 8_000, 8_000, 6_500];

/// A wait before trying a throttled request again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleWait {
    /// How long to wait, in milliseconds.
    pub wait_ms: u32,
    /// What the page shows meanwhile.
    pub notice: String,
}

/// Whether to try a request again after an answer with `status` and `Retry-After` header
/// `retry_after`, when `tries` tries were made so far: `429`/`503` and fewer than [`MAX_TRIES`]
/// tries → wait the seconds the service asked for (1 s, then 2 s, when it named none); a wait
/// over [`MAX_RETRY_AFTER_SECS`] or any other status → `None`. `service` names the service in
/// the notice ("Dataverse", "Microsoft Graph").
pub fn throttle_wait(
    service: &str,
    status: u16,
    retry_after: Option<&str>,
    tries: u32,
) -> Option<ThrottleWait> {
    if !matches!(status, 429 | 503) || tries >= MAX_TRIES {
        return None;
    }
    let asked = retry_after.and_then(|s| s.trim().parse::<u64>().ok());
    let secs = asked.unwrap_or(1 << tries.saturating_sub(1).min(4));
    if secs > MAX_RETRY_AFTER_SECS {
        return None;
    }
    let wait_ms = u32::try_from(secs * 1000).ok()?;
    let why = if status == 429 {
        "too many requests"
    } else {
        "busy"
    };
    let asked_words = if asked.is_some() {
        " (it asked for this wait in Retry-After)"
    } else {
        ""
    };
    Some(ThrottleWait {
        wait_ms,
        notice: format!(
            "{service} answered HTTP {status} ({why}): waiting {secs} s{asked_words}, then \
             trying again (try {} of {MAX_TRIES}).",
            tries + 1
        ),
    })
}

/// The pages of one list answer, gathered into one `{"value": […]}`.
#[derive(Debug)]
pub struct Pages {
    origin: String,
    values: Vec<Value>,
    pages: usize,
}

impl Pages {
    /// A list read that started at `first_url`.
    pub fn new(first_url: &str) -> Pages {
        Pages {
            origin: origin(first_url).unwrap_or_default(),
            values: Vec::new(),
            pages: 0,
        }
    }

    /// Adds one page (`body`); the next page's URL when there is one to follow. `Err` when the
    /// page is not a list, when the next link points to another origin than the first request
    /// (the token is never sent there), or past [`MAX_PAGES`].
    pub fn add(&mut self, body: &str) -> Result<Option<String>, String> {
        let mut page: Map<String, Value> = serde_json::from_str(body.trim())
            .map_err(|e| format!("a page of the list could not be read: {e}"))?;
        let Some(Value::Array(values)) = page.remove("value") else {
            return Err("a page of the list has no value array".to_string());
        };
        self.values.extend(values);
        self.pages += 1;
        let Some(next) = page.get("@odata.nextLink").and_then(Value::as_str) else {
            return Ok(None);
        };
        if origin(next).is_none_or(|o| o != self.origin) {
            return Err(format!(
                "the list's next page is on another host ({next}); the wizard sends its sign-in \
                 only to the service it asked"
            ));
        }
        if self.pages >= MAX_PAGES {
            return Err(format!(
                "the list goes on past {MAX_PAGES} pages; the wizard stopped reading it"
            ));
        }
        Ok(Some(next.to_string()))
    }

    /// How many pages were read.
    pub fn count(&self) -> usize {
        self.pages
    }

    /// Every row of every page, as one list answer.
    pub fn body(&self) -> String {
        serde_json::json!({ "value": self.values }).to_string()
    }
}

fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.origin().ascii_serialization())
}

/// A change the wizard just made and the next reads should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Awaited {
    /// A client secret with this Secret ID (`keyId`) was added to the app registration.
    Secret {
        /// The new secret's `keyId`.
        key_id: String,
    },
    /// The application user was created in the environment.
    ApplicationUser,
}

impl Awaited {
    /// The check whose read shows the change.
    pub fn check(&self) -> CheckId {
        match self {
            Awaited::Secret { .. } => CheckId::ClientSecret,
            Awaited::ApplicationUser => CheckId::ApplicationUser,
        }
    }

    /// Whether `body` (the read of [`Awaited::check`]: the applications answer, or the
    /// application-user answer) shows the change for `client_id`.
    pub fn is_visible(&self, body: &str, client_id: &str) -> bool {
        match self {
            Awaited::Secret { key_id } => parse_list::<Application>(body).is_ok_and(|apps| {
                apps.iter()
                    .filter(|a| a.app_id.eq_ignore_ascii_case(client_id.trim()))
                    .flat_map(|a| &a.password_credentials)
                    .any(|p| p.key_id.eq_ignore_ascii_case(key_id))
            }),
            Awaited::ApplicationUser => super::application_user_id(body, client_id).is_some(),
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Awaited::Secret { .. } => "The new client secret",
            Awaited::ApplicationUser => "The new application user",
        }
    }
}

/// The verdict for a change that did not show within [`VISIBILITY_DELAYS_MS`]: not checkable
/// ("not visible yet"), never wrong.
pub fn not_visible_yet(awaited: &Awaited) -> Verdict {
    let waited: u32 = VISIBILITY_DELAYS_MS.iter().sum::<u32>() / 1000;
    Verdict::not_checkable(
        awaited.check(),
        format!(
            "{} is not visible yet: the wizard read again for {waited} s. Microsoft's services \
             take a moment to show a change everywhere; Verify again in a minute.",
            awaited.what()
        ),
    )
}
