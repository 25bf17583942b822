//! The one error type of the browser layer: storage, clipboard, files, DOM calls and IndexedDB.
//!
//! Each message is shown to the user as it is (a banner, a status line, a notice), so the texts
//! are UI copy: the e2e tests match some of them.

use super::browser::js_message;
use indexed_db_futures::error::{DomException, Error as IdbError, OpenDbError};
use wasm_bindgen::JsValue;

/// What went wrong in the browser.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BrowserError {
    /// A global the page needs is missing (`window`, `document`, `body`): not a normal page.
    #[error("no {0}")]
    Missing(&'static str),
    /// localStorage or sessionStorage cannot be used.
    #[error(
        "the browser does not allow this page to store data (private mode or storage disabled)"
    )]
    StorageDisabled,
    /// Reading localStorage or sessionStorage failed.
    #[error("could not read saved data: {0}")]
    StorageRead(String),
    /// Writing localStorage or sessionStorage failed (often: the quota is full).
    #[error("could not save progress: {0}")]
    StorageWrite(String),
    /// The clipboard was refused (no permission, page not focused).
    #[error("the browser refused the clipboard: {0}")]
    Clipboard(String),
    /// A user-chosen file could not be read.
    #[error("could not read the file: {0}")]
    FileRead(String),
    /// A user-chosen file is not text.
    #[error("the file is not text")]
    NotText,
    /// Any other DOM call that threw; the JS message as it is.
    #[error("{0}")]
    Js(String),
    /// IndexedDB cannot be used in this browser (private mode, storage disabled, a newer database).
    #[error("indexeddb is unavailable: {0}")]
    CacheUnavailable(String),
    /// The browser refused to store more data in IndexedDB.
    #[error("the browser's storage quota is exceeded")]
    QuotaExceeded,
    /// Any other IndexedDB failure.
    #[error("indexeddb failed: {0}")]
    Idb(String),
    /// A split module (`crate::split`) could not be fetched.
    #[error("{0}")]
    NotLoaded(#[from] crate::split::LoadError),
}

impl From<JsValue> for BrowserError {
    fn from(value: JsValue) -> Self {
        BrowserError::Js(js_message(&value))
    }
}

fn is_quota(e: &IdbError) -> bool {
    matches!(e, IdbError::DomException(DomException::Other(d)) if d.name() == "QuotaExceededError")
}

impl From<IdbError> for BrowserError {
    fn from(e: IdbError) -> Self {
        let text = e.to_string();
        // Some browsers report the quota only in the message, not as a QuotaExceededError.
        if is_quota(&e) || text.to_lowercase().contains("quota") {
            BrowserError::QuotaExceeded
        } else {
            BrowserError::Idb(text)
        }
    }
}

impl From<OpenDbError> for BrowserError {
    fn from(e: OpenDbError) -> Self {
        match e {
            OpenDbError::Base(ref base) if is_quota(base) => BrowserError::QuotaExceeded,
            // Whatever else stops the open (no IndexedDB, a newer version): work without a cache.
            other => BrowserError::CacheUnavailable(other.to_string()),
        }
    }
}
