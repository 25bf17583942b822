//! Thin browser glue: storage, clipboard, downloads, clock, location. No wizard logic here.
//!
//! Every function returns a [`BrowserError`] whose message is fit for the UI: storage can be full
//! or disabled, the clipboard can be refused, and none of that may panic or lose what the user
//! typed.

use super::BrowserError;
use chrono::{DateTime, NaiveDate, Utc};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Storage;

/// Where one kind of state lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// Survives reloads and browser restarts: never holds a secret or a token.
    Local,
    /// Lives as long as the tab: the client secret and the pending sign-in.
    Session,
}

fn window() -> Result<web_sys::Window, BrowserError> {
    web_sys::window().ok_or(BrowserError::Missing("window"))
}

fn storage(store: Store) -> Result<Storage, BrowserError> {
    let window = window()?;
    let storage = match store {
        Store::Local => window.local_storage(),
        Store::Session => window.session_storage(),
    };
    match storage {
        Ok(Some(s)) => Ok(s),
        _ => Err(BrowserError::StorageDisabled),
    }
}

/// Reads one item; `Ok(None)` when absent.
pub fn get_item(store: Store, key: &str) -> Result<Option<String>, BrowserError> {
    storage(store)?
        .get_item(key)
        .map_err(|e| BrowserError::StorageRead(js_message(&e)))
}

/// Writes one item. Fails with a readable message when the quota is exceeded.
pub fn set_item(store: Store, key: &str, value: &str) -> Result<(), BrowserError> {
    storage(store)?
        .set_item(key, value)
        .map_err(|e| BrowserError::StorageWrite(js_message(&e)))
}

/// Removes one item (absent is fine).
pub fn remove_item(store: Store, key: &str) {
    if let Ok(s) = storage(store) {
        let _ = s.remove_item(key);
    }
}

/// Lists the keys of a store that start with `prefix`.
pub fn keys_with_prefix(store: Store, prefix: &str) -> Vec<String> {
    let Ok(s) = storage(store) else {
        return Vec::new();
    };
    let len = s.length().unwrap_or(0);
    (0..len)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(prefix))
        .collect()
}

/// The message of a JS exception (DOMException name and message when there is one).
pub fn js_message(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        let name: String = e.name().into();
        let msg: String = e.message().into();
        return if name == "QuotaExceededError" {
            "the browser's storage for this site is full".into()
        } else {
            format!("{name}: {msg}")
        };
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Today's date in the user's time zone.
pub fn today() -> NaiveDate {
    let d = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .unwrap_or_default()
}

/// The current time, UTC.
pub fn now_utc() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Runs `f` once the browser has painted the current frame: for work the first screen does not
/// show, so that it does not delay that screen.
pub fn after_next_paint(f: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(f, std::time::Duration::ZERO)
    });
}

/// Unix seconds.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// This page's origin, e.g. `http://localhost:8080`.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Copies text to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), BrowserError> {
    let promise = window()?.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| BrowserError::Clipboard(js_message(&e)))
}

/// Offers `text` as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), BrowserError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(BrowserError::Missing("document"))?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let body = document.body().ok_or(BrowserError::Missing("body"))?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Reads a user-chosen file as text.
pub async fn read_file_text(file: &web_sys::File) -> Result<String, BrowserError> {
    let promise = file.text();
    let value = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| BrowserError::FileRead(js_message(&e)))?;
    value.as_string().ok_or(BrowserError::NotText)
}

/// Reads a user-chosen file as bytes. The error carries the browser's message as it is.
pub async fn read_file_bytes(file: &web_sys::File) -> Result<Vec<u8>, BrowserError> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Asks the user to confirm a destructive action.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// Reloads the page (what a missing split module asks for; the draft is saved as it is typed).
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Calls `f` with the changed key (`None` when the whole store was cleared) whenever another tab
/// of this site changes `localStorage` (the `storage` event). Lives as long as the page.
pub fn on_storage_change(f: impl Fn(Option<String>) + 'static) -> Result<(), BrowserError> {
    use wasm_bindgen::closure::Closure;
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        let key = js_sys::Reflect::get(&ev, &JsValue::from_str("key"))
            .ok()
            .and_then(|k| k.as_string());
        f(key);
    });
    window()?.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref())?;
    listener.forget();
    Ok(())
}

/// Scrolls `item` into view inside its scrolling container `list`, as little as needed.
pub fn scroll_into_list_view(list: &web_sys::Element, item: &web_sys::Element) {
    let (Some(list), Some(item)) = (
        list.dyn_ref::<web_sys::HtmlElement>(),
        item.dyn_ref::<web_sys::HtmlElement>(),
    ) else {
        return;
    };
    let (top, bottom) = (item.offset_top(), item.offset_top() + item.offset_height());
    let (view_top, height) = (list.scroll_top(), list.client_height());
    if top < view_top {
        list.set_scroll_top(top);
    } else if bottom > view_top + height {
        list.set_scroll_top(bottom - height);
    }
}
