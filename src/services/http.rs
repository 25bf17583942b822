//! The one `fetch` wrapper of the app's Web API and Graph calls (the token endpoint goes through
//! the `oauth2` crate and gloo-net instead): CORS mode, the caller's headers, an optional body and
//! abort signal; the answer's text read without failing.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Sends one request through CORS and waits for the answer's head (status and headers). `Err`
/// is the browser's own failure (network, CORS, abort), never an HTTP status.
pub async fn fetch(
    method: &str,
    url: &str,
    headers: &web_sys::Headers,
    body: Option<&str>,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<web_sys::Response, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(headers);
    init.set_mode(web_sys::RequestMode::Cors);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    if let Some(signal) = signal {
        init.set_signal(Some(signal));
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await?;
    Ok(response.unchecked_into())
}

/// The answer's body as text; empty when it cannot be read (the status still tells the story).
pub async fn text(response: &web_sys::Response) -> String {
    match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}
