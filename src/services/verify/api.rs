//! Sending the live checks' and fixes' requests as the real services want them read: with the
//! signed-in person's token, `429`/`503` tried again after `Retry-After` (at most three tries,
//! each wait told to the page), and lists read to their last page (`@odata.nextLink`, only to
//! the origin asked). The decisions are in [`wizard_core::verify::reads`].

use super::super::{browser, http};
use std::{cell::Cell, rc::Rc};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wizard_core::verify::{
    reads::{self, Pages},
    ApiRequest, Method,
};

/// An answer: status (0 when there was none), body (or the network error), and the headers the
/// wizard reads.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    /// HTTP status, 0 when the request failed before an answer.
    pub status: u16,
    /// The body text.
    pub body: String,
    /// `Retry-After`, when sent.
    pub retry_after: Option<String>,
    /// `OData-EntityId` (a create's new row), when sent.
    pub entity_id: Option<String>,
}

impl Answer {
    /// 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn failed(message: String) -> Answer {
        Answer {
            body: message,
            ..Answer::default()
        }
    }
}

/// What the page is told while a request waits (a throttled service's wait, in plain words).
pub type Notify = Rc<dyn Fn(Option<String>)>;

/// Sends requests with one bearer token (memory only, never logged) and says each wait.
#[derive(Clone)]
pub struct Caller {
    token: Rc<str>,
    notify: Notify,
    waits: Rc<Cell<u32>>,
}

impl Caller {
    /// A caller with `token` that tells `notify` about waits (`None` when a wait ends).
    pub fn new(token: &str, notify: Notify) -> Caller {
        Caller {
            token: Rc::from(token),
            notify,
            waits: Rc::default(),
        }
    }

    /// A caller with another token that tells the same page, and counts waits with this one.
    pub fn with_token(&self, token: &str) -> Caller {
        Caller {
            token: Rc::from(token),
            notify: self.notify.clone(),
            waits: self.waits.clone(),
        }
    }

    /// How many times a service asked to wait, so far.
    pub fn waits(&self) -> u32 {
        self.waits.get()
    }

    /// Sends `request`; a `429`/`503` is tried again as [`reads::throttle_wait`] decides.
    pub async fn send(&self, request: &ApiRequest) -> Answer {
        self.send_to(request, &request.url).await
    }

    /// Reads a list to its last page: the rows of every page in one `{"value": […]}`. A page
    /// that fails is the answer; a next link elsewhere, or a page that is not a list, is a
    /// failure without status (never followed).
    pub async fn list(&self, request: &ApiRequest) -> Answer {
        let mut pages = Pages::new(&request.url);
        let mut url = request.url.clone();
        loop {
            let answer = self.send_to(request, &url).await;
            if !answer.ok() {
                return answer;
            }
            match pages.add(&answer.body) {
                Ok(Some(next)) => url = next,
                // One page: the answer as the service gave it.
                Ok(None) if pages.count() == 1 => return answer,
                Ok(None) => {
                    return Answer {
                        body: pages.body(),
                        ..answer
                    }
                }
                // Not a list at all: the check's parser says what it is.
                Err(_) if pages.count() == 0 => return answer,
                Err(e) => return Answer::failed(e),
            }
        }
    }

    async fn send_to(&self, request: &ApiRequest, url: &str) -> Answer {
        let service = if request.permission.is_some() {
            "Microsoft Graph"
        } else {
            "Dataverse"
        };
        let mut tries = 0;
        loop {
            let answer = match try_send(request, url, &self.token).await {
                Ok(a) => a,
                Err(e) => Answer::failed(browser::js_message(&e)),
            };
            tries += 1;
            let Some(wait) =
                reads::throttle_wait(service, answer.status, answer.retry_after.as_deref(), tries)
            else {
                return answer;
            };
            self.waits.set(self.waits.get() + 1);
            (self.notify)(Some(wait.notice));
            sleep(wait.wait_ms).await;
            (self.notify)(None);
        }
    }
}

async fn try_send(request: &ApiRequest, url: &str, token: &str) -> Result<Answer, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.append("Authorization", &format!("Bearer {token}"))?;
    for (k, v) in &request.headers {
        headers.append(k, v)?;
    }
    let body = match request.method {
        Method::Get => None,
        Method::Post | Method::Patch => request.body_text(),
    };
    let response = http::fetch(
        request.method.as_str(),
        url,
        &headers,
        body.as_deref(),
        None,
    )
    .await?;
    let header = |name: &str| response.headers().get(name).ok().flatten();
    Ok(Answer {
        status: response.status(),
        retry_after: header("Retry-After"),
        entity_id: header("OData-EntityId"),
        body: http::text(&response).await,
    })
}

/// Waits `ms` milliseconds (at most `i32::MAX`, what `setTimeout` takes).
pub async fn sleep(ms: u32) {
    let ms = i32::try_from(ms).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
