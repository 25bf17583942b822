//! The `$metadata` parse worker: a dedicated Web Worker that parses CSDL off the main thread, so a
//! 3–10 MB document never blocks the page (see `services::parse_worker::parse_off_thread`).
//!
//! Protocol: the worker first posts `"ready"`; then the page posts `[id, Uint8Array]` (the buffer
//! transferred, not copied); the worker answers `[id, Uint8Array]`, the schema's cache record
//! (`cache_record::parse_to_payload`: the schema the app keeps, compact and compressed, its buffer
//! transferred), or `[id, null]` when parsing failed (the page then parses on its own thread to
//! get the exact error). The page decodes the record once and stores the same bytes in its cache,
//! so encoding the record never runs on the main thread.
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
            let parsed = wizard_core::cache_record::parse_to_payload(&bytes);
            drop(bytes);
            match parsed {
                Ok((_, payload)) => {
                    let record = js_sys::Uint8Array::from(payload.as_slice());
                    let transfer = js_sys::Array::of1(&record.buffer());
                    let _ = reply
                        .post_message_with_transfer(&js_sys::Array::of2(&id, &record), &transfer);
                }
                Err(_) => {
                    let _ = reply.post_message(&js_sys::Array::of2(&id, &JsValue::NULL));
                }
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    warm_up();
    // Messages posted before this point (while the wasm was loading and warming up) were
    // dropped: the page holds its requests until it hears this.
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Parses a made-up document shaped like Dataverse's `$metadata` once, before saying "ready".
/// A fresh worker runs the parser in V8's baseline code; this makes its hot paths hot, so they are
/// optimised while the user is still choosing a file (a 3.5 MB document's round trip went from
/// about 110 to about 65 ms; the parse alone, optimised, is about 30 ms).
fn warm_up() {
    // About 0.8 MB of XML: 150 types gave most of the gain, 400 no more than noise.
    const WARM_UP_TYPES: usize = 250;
    let doc = wizard_core::csdl::synthetic_document(WARM_UP_TYPES);
    let _ = wizard_core::cache_record::parse_to_payload(doc.as_bytes());
}
