//! The schema cache: one IndexedDB record per environment (keyed by its service URL).
//!
//! The record is [`RecordMeta`] plus the compact, compressed payload of
//! [`wizard_core::cache_record`]. Only the schema is stored: never the client secret or a token.
//!
//! Faults never lose data nor stop the app:
//! * a new record replaces the old one in a single committed transaction, written only after the
//!   download and parse have succeeded (a failed or cancelled fetch leaves the old copy);
//! * a record of another format, or one that cannot be read, is deleted and reported
//!   ([`Lookup::Discarded`]);
//! * quota exceeded is reported ([`BrowserError::QuotaExceeded`]); the old record stays;
//! * an upgrade blocked by another tab is reported through the `on_blocked` callback and the
//!   open completes once that tab lets go;
//! * IndexedDB unavailable (private mode, disabled storage) gives
//!   [`BrowserError::CacheUnavailable`]: the app then works without a cache and says so
//!   ([`crate::state::CacheState`]).
//!
//! IndexedDB failures become [`BrowserError`]s through its `From` impls (quota recognised there).
//!
//! Database versions and their upgrade steps ([`upgrade`]):
//! * v1 (early builds): store `schema-cache`, out-of-line keys, the full schema as JSON text;
//! * v2 (this build): store `environments`, in-line key `url`, [`RecordMeta`] fields + `payload`.

use super::BrowserError;
use indexed_db_futures::{
    database::{Database, VersionChangeEvent},
    error::Error as IdbError,
    internals::SystemRepr,
    prelude::*,
    transaction::TransactionMode,
};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wizard_core::{
    cache_record::{self, RecordError, RecordMeta},
    csdl::Schema,
};

/// The database name used by the app.
pub const DB_NAME: &str = "dataverse-wizard.cache";
/// The current database version.
pub const DB_VERSION: u32 = 2;
/// The v2 object store.
pub const STORE: &str = "environments";
/// The v1 object store (removed by the v1 → v2 step).
pub const V1_STORE: &str = "schema-cache";

/// The answer of [`Cache::get`].
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Nothing cached for this URL.
    Miss,
    /// The record and its schema; `read_ms` covers the IndexedDB read and the decoding.
    Hit {
        /// The record's metadata.
        meta: RecordMeta,
        /// The decoded schema.
        schema: Schema,
        /// Time to read and decode, in milliseconds.
        read_ms: f64,
    },
    /// A record was found but could not be used: it has been deleted.
    Discarded(RecordError),
}

/// An open cache database.
pub struct Cache {
    db: Database,
    _on_version_change: Closure<dyn FnMut(JsValue)>,
}

/// Upgrade steps, one per version; each takes the database from `version - 1` to `version`.
/// Returns a notice for the user when cached data had to be dropped.
fn upgrade(event: &VersionChangeEvent, db: &Database) -> Result<Option<String>, IdbError> {
    let old = event.old_version() as u32;
    let new = event.new_version().map(|v| v as u32).unwrap_or(DB_VERSION);
    let mut notice = None;
    for version in old + 1..=new {
        match version {
            1 => {
                db.create_object_store(V1_STORE).build()?;
            }
            2 => {
                if db.object_store_names().any(|n| n == V1_STORE) {
                    db.delete_object_store(V1_STORE)?;
                    if old >= 1 {
                        notice = Some(
                            "The schema cache was upgraded; schemas cached by an older version of the wizard were discarded and will be fetched again."
                                .to_string(),
                        );
                    }
                }
                db.create_object_store(STORE)
                    .with_key_path("url".into())
                    .build()?;
            }
            _ => {}
        }
    }
    Ok(notice)
}

impl Cache {
    /// Opens (creating or upgrading) the cache database `name` at [`DB_VERSION`].
    ///
    /// `on_blocked` runs when another connection at an older version (another tab) blocks the
    /// upgrade; the open then completes once that connection closes. Returns the cache and the
    /// upgrade's notice, if any.
    pub async fn open(
        name: &str,
        on_blocked: impl FnOnce() + 'static,
    ) -> Result<(Cache, Option<String>), BrowserError> {
        Self::open_version(name, DB_VERSION, on_blocked).await
    }

    /// Like [`Cache::open`] at another `version` (tests, and the next upgrade step's tests).
    pub async fn open_version(
        name: &str,
        version: u32,
        on_blocked: impl FnOnce() + 'static,
    ) -> Result<(Cache, Option<String>), BrowserError> {
        let notice = Rc::new(RefCell::new(None::<String>));
        let notice_in = notice.clone();
        let db = Database::open(name)
            .with_version(version)
            .with_on_blocked(move |_| {
                on_blocked();
                Ok(())
            })
            .with_on_upgrade_needed(move |event, db| {
                *notice_in.borrow_mut() = upgrade(&event, &db)?;
                Ok(())
            })
            .await?;
        // Let a newer version in another tab upgrade: close this connection when asked.
        let sys: &web_sys::IdbDatabase = db.as_sys();
        let to_close = sys.clone();
        let on_version_change = Closure::<dyn FnMut(JsValue)>::new(move |_| to_close.close());
        sys.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        let notice = notice.borrow_mut().take();
        Ok((
            Cache {
                db,
                _on_version_change: on_version_change,
            },
            notice,
        ))
    }

    /// Stores the record of `schema` for `url`, replacing the previous one in one transaction.
    /// `payload` is its encoded record (`cache_record::encode_payload(schema)`), built by the
    /// parse worker, so storing costs the main thread no encoding.
    pub async fn put(
        &self,
        url: &str,
        schema: &Schema,
        payload: &[u8],
        source_bytes: u64,
        fetched_at_ms: f64,
    ) -> Result<RecordMeta, BrowserError> {
        let meta = RecordMeta::new(url, schema, source_bytes, payload, fetched_at_ms);
        let value = to_js(&meta, payload);
        let tx = self
            .db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(STORE)?;
        store.put(value).await?;
        tx.commit().await?;
        Ok(meta)
    }

    /// The cached schema of `url`. A record that cannot be used is deleted.
    pub async fn get(&self, url: &str) -> Result<Lookup, BrowserError> {
        let start = js_sys::Date::now();
        let value: Option<JsValue> = {
            let tx = self.db.transaction(STORE).build()?;
            let store = tx.object_store(STORE)?;
            store.get(url.to_string()).primitive()?.await?
        };
        let Some(value) = value else {
            return Ok(Lookup::Miss);
        };
        let decoded = match from_js(&value).and_then(|(meta, payload)| {
            meta.check_format()?;
            Ok((meta, payload))
        }) {
            // The decoder is a split module: a failed fetch of it keeps the record.
            Ok((meta, payload)) => crate::split::decode_schema(payload)
                .await?
                .map(|schema| (meta, schema)),
            Err(e) => Err(e),
        };
        match decoded {
            Ok((meta, schema)) => Ok(Lookup::Hit {
                meta,
                schema,
                read_ms: js_sys::Date::now() - start,
            }),
            Err(e) => {
                self.delete(url).await?;
                Ok(Lookup::Discarded(e))
            }
        }
    }

    /// Every usable record's metadata, sorted by URL, and the URLs of records that could not be
    /// read (they are deleted).
    pub async fn list(&self) -> Result<(Vec<RecordMeta>, Vec<String>), BrowserError> {
        let values: Vec<JsValue> = {
            let tx = self.db.transaction(STORE).build()?;
            let store = tx.object_store(STORE)?;
            store
                .get_all::<JsValue>()
                .primitive()?
                .await?
                .filter_map(Result::ok)
                .collect()
        };
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for value in values {
            match from_js(&value).and_then(|(m, _)| m.check_format().map(|()| m)) {
                Ok(meta) => good.push(meta),
                Err(_) => {
                    let url = js_sys::Reflect::get(&value, &"url".into())
                        .ok()
                        .and_then(|u| u.as_string())
                        .unwrap_or_default();
                    self.delete(&url).await?;
                    bad.push(url);
                }
            }
        }
        good.sort_by(|a, b| a.url.cmp(&b.url));
        Ok((good, bad))
    }

    /// Deletes the record of `url` (nothing when there is none).
    pub async fn delete(&self, url: &str) -> Result<(), BrowserError> {
        let tx = self
            .db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(STORE)?;
        store.delete(url.to_string()).await?;
        Ok(tx.commit().await?)
    }

    /// Deletes every record.
    pub async fn clear(&self) -> Result<(), BrowserError> {
        let tx = self
            .db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(STORE)?;
        store.clear()?.await?;
        Ok(tx.commit().await?)
    }

    /// The object stores of the database (tests and diagnostics).
    pub fn store_names(&self) -> Vec<String> {
        self.db.object_store_names().collect()
    }

    /// The database version.
    pub fn version(&self) -> f64 {
        self.db.version()
    }

    /// Closes the connection.
    pub fn close(self) {
        self.db.close();
    }
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a plain new object cannot fail.
    let _ = js_sys::Reflect::set(obj, &key.into(), value);
}

/// The stored value: the metadata fields and `payload` as a `Uint8Array`.
pub fn to_js(meta: &RecordMeta, payload: &[u8]) -> JsValue {
    let obj = js_sys::Object::new();
    set(&obj, "url", &meta.url.as_str().into());
    set(&obj, "format", &meta.format.into());
    set(&obj, "fetched_at_ms", &meta.fetched_at_ms.into());
    set(&obj, "source_bytes", &(meta.source_bytes as f64).into());
    set(&obj, "entity_sets", &meta.entity_sets.into());
    set(&obj, "record_bytes", &(meta.record_bytes as f64).into());
    set(&obj, "payload", &js_sys::Uint8Array::from(payload).into());
    obj.into()
}

/// Reads a stored value; any missing or mistyped field is an error (format first).
pub fn from_js(value: &JsValue) -> Result<(RecordMeta, Vec<u8>), RecordError> {
    let get = |k: &'static str| js_sys::Reflect::get(value, &k.into()).ok();
    let num = |k: &'static str| get(k).and_then(|v| v.as_f64()).ok_or(RecordError::Field(k));
    if !value.is_object() {
        return Err(RecordError::Field("record"));
    }
    let format = get("format").and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
    if format != cache_record::FORMAT_VERSION {
        return Err(RecordError::OldFormat {
            found: format,
            expected: cache_record::FORMAT_VERSION,
        });
    }
    let url = get("url")
        .and_then(|v| v.as_string())
        .ok_or(RecordError::Field("url"))?;
    let payload = get("payload")
        .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
        .ok_or(RecordError::Field("payload"))?
        .to_vec();
    let meta = RecordMeta {
        url,
        format,
        fetched_at_ms: num("fetched_at_ms")?,
        source_bytes: num("source_bytes")? as u64,
        entity_sets: num("entity_sets")? as u32,
        record_bytes: num("record_bytes")? as u64,
    };
    Ok((meta, payload))
}
