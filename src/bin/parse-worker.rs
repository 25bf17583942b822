//! The `$metadata` parse worker: a dedicated Web Worker that parses CSDL off the main thread, so a
//! 3–10 MB document never blocks the page (see `services::parse_worker::parse_off_thread`).
//!
//! Protocol: the worker first posts `"ready"`; then the page posts `[id, Uint8Array]` (the buffer
//! transferred, not copied); the worker answers `[id, json]` where `json` is the serde JSON of the
//! `Schema` the app keeps (`csdl::parse_for_app`: no properties), or `[id, null]`
//! when parsing failed (the page then parses on its own thread to get the exact error).
//!
//! It uses only `wizard-core`, not the app library, so its wasm carries no UI code.
//! trunk builds it from `index.html` (`data-type="worker"`), unhashed: `parse-worker_loader.js`.

use wasm_bindgen::{prelude::*, JsCast};

fn main() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let msg = js_sys::Array::from(&ev.data());
            let id = msg.get(0);
            let bytes = js_sys::Uint8Array::new(&msg.get(1)).to_vec();
            let answer = match wizard_core::csdl::parse_for_app(&bytes) {
                Ok(schema) => serde_json::to_string(&schema)
                    .map(|json| JsValue::from_str(&json))
                    .unwrap_or(JsValue::NULL),
                Err(_) => JsValue::NULL,
            };
            drop(bytes);
            let _ = reply.post_message(&js_sys::Array::of2(&id, &answer));
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages posted before this point (while the wasm was loading) were dropped: the page
    // holds its requests until it hears this.
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
