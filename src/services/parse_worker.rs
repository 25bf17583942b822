//! The `$metadata` parse worker's client: hands the bytes to the Web Worker built from
//! `src/bin/parse-worker.rs`, and parses on the page instead when that is quicker or the worker
//! cannot be used. The caller ([`super::metadata`]) decides what the schema is for.
//!
//! Either way the result carries the schema's cache record
//! ([`wizard_core::cache_record::parse_to_payload`]): the worker builds it, the page decodes it
//! once and stores the same bytes, so a large document's record is never encoded on the main thread.

use wizard_core::{
    cache_record,
    csdl::{self, Schema},
};

/// A parsed document, its cache record, and the time it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The parsed model.
    pub schema: Schema,
    /// The schema's cache record (`cache_record::encode_payload`), ready to store.
    pub record: Vec<u8>,
    /// Parse time in milliseconds; off the thread it covers the whole round trip.
    pub ms: f64,
}

/// Parses `$metadata` bytes on this thread and encodes the record, timing both.
pub fn parse_here(bytes: &[u8]) -> Result<Parsed, csdl::CsdlError> {
    let start = js_sys::Date::now();
    let (schema, record) = cache_record::parse_to_payload(bytes)?;
    Ok(Parsed {
        schema,
        record,
        ms: js_sys::Date::now() - start,
    })
}

/// Documents smaller than this are parsed on the main thread: well under one frame, and no worker
/// start-up.
const OFF_THREAD_MIN_BYTES: usize = 256 * 1024;

/// The worker script trunk emits for `src/bin/parse-worker.rs` (workers are not file-hashed).
const WORKER_URL: &str = "/parse-worker_loader.js";

/// Parses `$metadata` bytes in the parse worker, so the page stays responsive; the time covers the
/// whole round trip (transfer, parse, and reading the result back). Falls back to [`parse_here`]
/// when the document is small, when workers are unavailable, or when the worker reports a failure
/// (which gives the exact [`csdl::CsdlError`]).
pub async fn parse_off_thread(bytes: &[u8]) -> Result<Parsed, csdl::CsdlError> {
    if bytes.len() < OFF_THREAD_MIN_BYTES || bytes.len() > csdl::MAX_METADATA_BYTES {
        return parse_here(bytes);
    }
    let start = js_sys::Date::now();
    // A record that does not decode cannot come from this build's worker; parse here instead.
    let answer = worker::parse(bytes).await.and_then(|record| {
        let schema = cache_record::decode_payload(&record).ok()?;
        Some((schema, record))
    });
    match answer {
        Some((schema, record)) => Ok(Parsed {
            schema,
            record,
            ms: js_sys::Date::now() - start,
        }),
        None => parse_here(bytes),
    }
}

/// Starts the parse worker now, ahead of the first large `$metadata` (see [`parse_off_thread`]),
/// and, in a task of its own, parses a made-up document here (`csdl::synthetic_document`, 30
/// types, about 100 KB, a few ms). V8 compiles a wasm function the first time it runs, on this
/// thread, and optimises it once hot: without this, that work fell in the moment a small document
/// was chosen, as a 50-100 ms task in about one load of three (none with V8's eager compilation).
/// A 2-type document was not enough (4 loads of 12 still had one); with 30 types, 1 of 32.
pub fn warm_up() {
    worker::warm_up();
    thread_local! {
        static WARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if WARMED.replace(true) {
        return;
    }
    if let Some(window) = web_sys::window() {
        let parse = wasm_bindgen::closure::Closure::once_into_js(|| {
            let _ = parse_here(csdl::synthetic_document(30).as_bytes());
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            wasm_bindgen::JsCast::unchecked_ref(&parse),
            0,
        );
    }
}

/// The long-lived parse worker and its pending requests.
mod worker {
    use super::WORKER_URL;
    use std::{cell::RefCell, collections::HashMap};
    use wasm_bindgen::{prelude::*, JsCast};

    struct Pool {
        worker: web_sys::Worker,
        next_id: u32,
        /// Request id → the `resolve` of the promise awaiting it.
        pending: HashMap<u32, js_sys::Function>,
        /// Requests (message, transfer list) held until the worker says it is ready: a message
        /// posted while its wasm is still loading would be lost.
        queued: Option<Vec<(js_sys::Array, js_sys::Array)>>,
        _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
        _on_error: Closure<dyn Fn(web_sys::Event)>,
    }

    thread_local! {
        static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
    }

    fn start() -> Option<Pool> {
        let worker = web_sys::Worker::new(WORKER_URL).ok()?;
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
                if ev.data().as_string().as_deref() == Some("ready") {
                    POOL.with(|p| {
                        if let Some(pool) = p.borrow_mut().as_mut() {
                            for (msg, transfer) in pool.queued.take().unwrap_or_default() {
                                let _ = pool.worker.post_message_with_transfer(&msg, &transfer);
                            }
                        }
                    });
                    return;
                }
                let msg = js_sys::Array::from(&ev.data());
                let id = msg.get(0).as_f64().unwrap_or(-1.0) as u32;
                let resolve = POOL.with(|p| p.borrow_mut().as_mut()?.pending.remove(&id));
                if let Some(resolve) = resolve {
                    let _ = resolve.call1(&JsValue::NULL, &msg.get(1));
                }
            });
        // A worker that cannot start (script missing, wasm refused): answer every pending request
        // with "no result" and forget the worker, so callers fall back to the main thread.
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(|_| fail());
        // The same when it has not said "ready" after a while (a wasm that fails to instantiate
        // inside the worker raises no error event here).
        if let Some(window) = web_sys::window() {
            let check = Closure::once_into_js(|| {
                let stuck = POOL.with(|p| p.borrow().as_ref().is_some_and(|p| p.queued.is_some()));
                if stuck {
                    fail();
                }
            });
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                check.unchecked_ref(),
                READY_TIMEOUT_MS,
            );
        }
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Pool {
            worker,
            next_id: 0,
            pending: HashMap::new(),
            queued: Some(Vec::new()),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Starts the worker ahead of the first parse (its wasm loads while the user signs in and the
    /// download runs), so the parse does not wait for it.
    pub fn warm_up() {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.is_none() {
                *p = start();
            }
        });
    }

    /// Drops the worker and answers its pending requests with "no result".
    fn fail() {
        let pool = POOL.with(|p| p.borrow_mut().take());
        if let Some(pool) = pool {
            pool.worker.terminate();
            for resolve in pool.pending.into_values() {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
        }
    }

    /// How long the worker may take to load before the main thread parses instead.
    const READY_TIMEOUT_MS: i32 = 10_000;

    /// The cache record of the schema the worker parsed; `None` when the worker failed or could
    /// not be used.
    pub async fn parse(bytes: &[u8]) -> Option<Vec<u8>> {
        let copy = js_sys::Uint8Array::new_with_length(bytes.len() as u32);
        copy.copy_from(bytes);
        let mut request = None;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            request = POOL.with(|p| {
                let mut p = p.borrow_mut();
                if p.is_none() {
                    *p = start();
                }
                let pool = p.as_mut()?;
                let id = pool.next_id;
                pool.next_id = pool.next_id.wrapping_add(1);
                let msg = js_sys::Array::of2(&JsValue::from(id), &copy);
                let transfer = js_sys::Array::of1(&copy.buffer());
                match pool.queued.as_mut() {
                    Some(queue) => queue.push((msg, transfer)),
                    None => pool
                        .worker
                        .post_message_with_transfer(&msg, &transfer)
                        .ok()?,
                }
                pool.pending.insert(id, resolve);
                Some(())
            });
        });
        request?;
        let record = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        Some(record.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec())
    }
}
