//! The cache context: where the IndexedDB schema cache stands, its notices, and the record behind
//! the schema in memory. The database itself is [`crate::services::cache`]; what goes in and out of
//! it is decided by [`crate::services::metadata`].

use crate::services::{
    cache::{Cache, DB_NAME},
    BrowserError,
};
use leptos::{prelude::*, task::spawn_local};
use std::rc::Rc;
use wizard_core::cache_record::RecordMeta;

/// Where the cache stands.
#[derive(Debug, Clone, PartialEq)]
pub enum CacheStatus {
    /// Opening the database.
    Opening,
    /// Another tab holds an older version open; waiting for it.
    Blocked,
    /// Ready.
    Ready,
    /// No cache in this browser; the app works without one.
    Unavailable(BrowserError),
}

/// How long the last cache read and write took, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CacheTimings {
    /// Reading and decoding the record shown last.
    pub read_ms: Option<f64>,
    /// Encoding and writing the record stored last.
    pub write_ms: Option<f64>,
}

/// The cache context: status, notices, and the record behind the schema in memory.
#[derive(Clone, Copy)]
pub struct CacheState {
    /// Where the cache stands.
    pub status: RwSignal<CacheStatus>,
    /// The latest notice (discarded record, quota, upgrade), shown near the schema and on the
    /// settings page.
    pub notice: RwSignal<Option<String>>,
    /// The record behind the schema in memory, when it came from (or went to) the cache.
    pub current: RwSignal<Option<RecordMeta>>,
    /// Bumped whenever records change, so lists reload.
    pub revision: RwSignal<u32>,
    /// How long the last cache read and write took.
    pub timings: RwSignal<CacheTimings>,
    cache: StoredValue<Option<Rc<Cache>>, LocalStorage>,
}

impl CacheState {
    /// Provides the context, [`CacheStatus::Opening`] until [`CacheState::open`]. Needs no other
    /// context.
    pub fn provide() -> Self {
        let state = CacheState {
            status: RwSignal::new(CacheStatus::Opening),
            notice: RwSignal::new(None),
            current: RwSignal::new(None),
            revision: RwSignal::new(0),
            timings: RwSignal::new(CacheTimings::default()),
            cache: StoredValue::new_local(None),
        };
        provide_context(state);
        state
    }

    /// Opens [`DB_NAME`]; the status says how that went.
    pub fn open(self) {
        let state = self;
        spawn_local(async move {
            let blocked = move || state.status.set(CacheStatus::Blocked);
            match Cache::open(DB_NAME, blocked).await {
                Ok((cache, notice)) => {
                    state.cache.set_value(Some(Rc::new(cache)));
                    if notice.is_some() {
                        state.notice.set(notice);
                    }
                    state.status.set(CacheStatus::Ready);
                }
                Err(e) => state.status.set(CacheStatus::Unavailable(e)),
            }
        });
    }

    /// The context.
    pub fn expect() -> Self {
        expect_context()
    }

    /// The open cache, if any.
    pub fn cache(&self) -> Option<Rc<Cache>> {
        self.cache.get_value()
    }

    /// Whether the cache can be used now (reactive).
    pub fn is_ready(&self) -> bool {
        self.status.with(|s| *s == CacheStatus::Ready)
    }

    /// Records that the stored records changed, so lists reload.
    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// A sentence about a cache that cannot be used, for notices near the schema.
    pub fn unavailable_text(&self) -> Option<String> {
        match self.status.get() {
            CacheStatus::Unavailable(why) => Some(format!(
                "The schema cache is not available in this browser ({why}), so the schema is fetched on every visit. Everything else works."
            )),
            CacheStatus::Blocked => Some(
                "The schema cache is waiting: another tab has an older version of this wizard open. Close or reload that tab to use the cache.".to_string(),
            ),
            _ => None,
        }
    }
}
