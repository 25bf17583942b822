//! The one way a `$metadata` schema gets into the app:
//!
//! * [`MetadataService::download`]: download (progress, Cancel, size limit) → parse off the main
//!   thread → publish into [`SchemaState`] → write the cache; or, for a refresh of the cached copy,
//!   first hand back what changed ([`Downloaded::Changed`]) and replace only on
//!   [`MetadataService::accept`];
//! * [`MetadataService::open_file`]: a `$metadata` file the user chose (never cached);
//! * [`MetadataService::restore`] and [`MetadataService::follow_environment`]: the cached schema of
//!   the environment typed in, shown at once.
//!
//! Nothing here renders: the pages pass what to load, show [`LoadProgress`], and turn a
//! [`LoadError`] into its diagnosis. A failed or cancelled load changes nothing in memory or in
//! the cache; a cache that cannot be written only adds a notice.
// A `Diagnosis` (cause, fix, raw answer) is the error the user sees; failures are rare and cold,
// so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

use super::{
    browser,
    cache::Lookup,
    dataverse::{self, Progress},
    parse_worker,
    signin::AccessToken,
    BrowserError,
};
use crate::state::{CacheState, Loaded, SchemaOrigin, SchemaState, Wizard};
use leptos::{prelude::*, task::spawn_local};
use std::sync::Arc;
use wizard_core::{
    cache_record::{self, SchemaDiff},
    csdl::{self, CsdlError, Schema},
    diagnose::{self, Diagnosis, Stage},
    draft::Draft,
};

/// Cancels a download. The page makes one per download and keeps it for its Cancel button.
#[derive(Clone, Debug)]
pub struct Cancel(web_sys::AbortController);

impl Cancel {
    /// A new, unused handle.
    pub fn new() -> Result<Self, BrowserError> {
        Ok(Cancel(web_sys::AbortController::new()?))
    }

    /// Stops the download it was given to (nothing once the download is over).
    pub fn cancel(&self) {
        self.0.abort();
    }
}

/// Whether a download replaces the schema at once, or first shows what changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Publish and cache at once.
    Load,
    /// When the schema in memory is this environment's cached copy, compare first
    /// ([`Downloaded::Changed`]); otherwise like [`Mode::Load`].
    Refresh,
}

/// How far a download is, for the page's progress bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LoadProgress {
    /// Bytes are arriving.
    Downloading(Progress),
    /// The download is over (it can no longer be cancelled); parsing and caching follow.
    Downloaded,
}

/// What a successful download ended with.
#[derive(Clone, Debug, PartialEq)]
pub enum Downloaded {
    /// The schema is in memory now, and in the cache when it could be written.
    Published,
    /// A refresh of the cached copy: nothing is replaced until [`MetadataService::accept`].
    Changed(Refreshed),
}

/// A refreshed schema waiting for the user's decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Refreshed {
    service_url: String,
    loaded: Loaded,
    /// Its cache record, stored if the user accepts it.
    record: Vec<u8>,
    /// What changed since the cached copy.
    pub diff: SchemaDiff,
}

/// Why no schema was loaded. Nothing in memory or in the cache changed.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// The user pressed Cancel.
    Cancelled,
    /// The download failed (HTTP, CORS, network, size limit), already diagnosed.
    Download(Diagnosis),
    /// The document is too large or not valid CSDL.
    Parse(CsdlError),
    /// The chosen file could not be read.
    File(BrowserError),
}

impl LoadError {
    /// The cause and fix to show.
    pub fn diagnosis(&self) -> Diagnosis {
        match self {
            LoadError::Cancelled => Diagnosis {
                code: "CANCELLED".into(),
                title: "Download cancelled".into(),
                cause: "You cancelled the $metadata download.".into(),
                fix: "Press Load $metadata to start again. Nothing you loaded before was changed."
                    .into(),
                raw: String::new(),
                link: None,
            },
            LoadError::Download(d) => d.clone(),
            LoadError::Parse(e) => diagnose::csdl_error(e),
            LoadError::File(e) => diagnose::network_error(Stage::Metadata, &e.to_string()),
        }
    }
}

/// The `$metadata` loader. `Copy`; it holds the two contexts it writes.
#[derive(Clone, Copy)]
pub struct MetadataService {
    schema: SchemaState,
    cache: CacheState,
}

impl MetadataService {
    /// The service writing into these contexts.
    pub fn new(schema: SchemaState, cache: CacheState) -> Self {
        MetadataService { schema, cache }
    }

    /// The service writing into the current component tree's contexts.
    pub fn expect() -> Self {
        Self::new(SchemaState::expect(), CacheState::expect())
    }

    /// Starts the parse worker now, so that its wasm loads while the user signs in and the
    /// download runs.
    pub fn warm_up(&self) {
        parse_worker::warm_up();
    }

    /// Shows the cached schema of the environment typed in, whenever the cache is ready and the
    /// schema in memory is none or another environment's cached copy (a download or a file the
    /// user chose is never replaced by this).
    pub fn follow_environment(self, wizard: Wizard) {
        Effect::new(move |_| {
            if !self.cache.is_ready() {
                return;
            }
            let Some(url) = wizard.draft.with(Draft::service_url) else {
                return;
            };
            let stale = self.schema.loaded.with_untracked(|l| match l {
                None => true,
                Some(l) => {
                    matches!(l.origin, SchemaOrigin::Cache { .. }) && !l.origin.is_cache_of(&url)
                }
            });
            if stale {
                spawn_local(async move { self.restore(&url).await });
            }
        });
    }

    /// Puts `service_url`'s cached schema in memory, when there is a usable one. A record that
    /// cannot be used is deleted; that, and a cache that cannot be read, become the cache notice.
    pub async fn restore(self, service_url: &str) {
        let Some(cache) = self.cache.cache() else {
            return;
        };
        match cache.get(service_url).await {
            Ok(Lookup::Hit {
                meta,
                schema,
                read_ms,
            }) => {
                self.cache.timings.update(|t| t.read_ms = Some(read_ms));
                self.schema.loaded.set(Some(Loaded {
                    schema: Arc::new(schema),
                    origin: SchemaOrigin::Cache {
                        service_url: service_url.to_string(),
                        saved_at_ms: meta.fetched_at_ms,
                    },
                    bytes: meta.source_bytes as usize,
                    parse_ms: read_ms,
                }));
                self.cache.current.set(Some(meta));
            }
            Ok(Lookup::Miss) => {}
            Ok(Lookup::Discarded(e)) => {
                self.cache.notice.set(Some(format!(
                    "The cached schema of {service_url} could not be used ({e}); it was discarded. Load $metadata to fetch it again."
                )));
                self.cache.changed();
            }
            Err(e) => self
                .cache
                .notice
                .set(Some(format!("Could not read the schema cache: {e}."))),
        }
    }

    /// Downloads `service_url`'s `$metadata` with `token`, parses it off the main thread, then
    /// publishes and caches it, or (see [`Mode::Refresh`]) hands back what changed.
    pub async fn download(
        self,
        service_url: &str,
        token: &AccessToken,
        mode: Mode,
        cancel: &Cancel,
        mut on_progress: impl FnMut(LoadProgress),
    ) -> Result<Downloaded, LoadError> {
        let signal = cancel.0.signal();
        let result = dataverse::metadata(
            service_url,
            token.secret(),
            &signal,
            csdl::MAX_METADATA_BYTES,
            |p| on_progress(LoadProgress::Downloading(p)),
        )
        .await;
        on_progress(LoadProgress::Downloaded);
        let bytes = match result {
            Ok(bytes) => bytes,
            // Aborting makes fetch fail with a bare AbortError: say what really happened.
            Err(_) if signal.aborted() => return Err(LoadError::Cancelled),
            Err(d) => return Err(LoadError::Download(d)),
        };
        let parsed = parse_worker::parse_off_thread(&bytes)
            .await
            .map_err(LoadError::Parse)?;
        let loaded = Loaded {
            schema: Arc::new(parsed.schema),
            origin: SchemaOrigin::Network {
                service_url: service_url.to_string(),
            },
            bytes: bytes.len(),
            parse_ms: parsed.ms,
        };
        let record = parsed.record;
        let cached = self.schema.loaded.with_untracked(|l| {
            l.as_ref()
                .filter(|l| l.origin.is_cache_of(service_url))
                .map(|l| l.schema.clone())
        });
        match cached {
            Some(old) if mode == Mode::Refresh => {
                let diff = cache_record::diff(&old, &loaded.schema);
                Ok(Downloaded::Changed(Refreshed {
                    service_url: service_url.to_string(),
                    loaded,
                    record,
                    diff,
                }))
            }
            _ => {
                self.publish_and_store(service_url, loaded, &record).await;
                Ok(Downloaded::Published)
            }
        }
    }

    /// Replaces the schema in memory and the cached copy with a refreshed schema.
    pub async fn accept(self, refreshed: Refreshed) {
        let Refreshed {
            service_url,
            loaded,
            record,
            ..
        } = refreshed;
        self.publish_and_store(&service_url, loaded, &record).await;
    }

    /// Reads and parses a `$metadata` file the user chose, and publishes it. Files are not
    /// cached: the cache holds what an environment answered.
    pub async fn open_file(self, file: &web_sys::File) -> Result<(), LoadError> {
        // Refused before reading: the size is known up front.
        let size = file.size() as usize;
        if size > csdl::MAX_METADATA_BYTES {
            return Err(LoadError::Parse(CsdlError::TooLarge {
                bytes: size,
                limit: csdl::MAX_METADATA_BYTES,
            }));
        }
        let name = file.name();
        let bytes = browser::read_file_bytes(file)
            .await
            .map_err(LoadError::File)?;
        let parsed = parse_worker::parse_off_thread(&bytes)
            .await
            .map_err(LoadError::Parse)?;
        self.schema.loaded.set(Some(Loaded {
            schema: Arc::new(parsed.schema),
            origin: SchemaOrigin::File { name },
            bytes: bytes.len(),
            parse_ms: parsed.ms,
        }));
        Ok(())
    }

    /// Shows `loaded` at once, then writes `record` (its encoded cache record) as `service_url`'s.
    async fn publish_and_store(self, service_url: &str, loaded: Loaded, record: &[u8]) {
        let (schema, bytes) = (loaded.schema.clone(), loaded.bytes as u64);
        self.schema.loaded.set(Some(loaded));
        self.store(service_url, &schema, record, bytes).await;
    }

    /// Stores `schema`'s `record` as `url`'s; a failure leaves the old record and sets a notice.
    async fn store(self, url: &str, schema: &Schema, record: &[u8], source_bytes: u64) {
        let Some(cache) = self.cache.cache() else {
            return;
        };
        let start = js_sys::Date::now();
        match cache.put(url, schema, record, source_bytes, start).await {
            Ok(meta) => {
                self.cache
                    .timings
                    .update(|t| t.write_ms = Some(js_sys::Date::now() - start));
                self.cache.current.set(Some(meta));
                self.cache.changed();
            }
            Err(BrowserError::QuotaExceeded) => self.cache.notice.set(Some(
                "The schema could not be cached: the browser's storage quota is exceeded. It is loaded for now and will be fetched again next time; any previously cached copy is kept.".to_string(),
            )),
            Err(e) => self.cache.notice.set(Some(format!(
                "The schema could not be cached ({e}). It is loaded for now; any previously cached copy is kept."
            ))),
        }
    }
}
