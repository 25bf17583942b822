//! Browser glue, no views: storage, clipboard and downloads ([`browser`]), the IndexedDB schema
//! cache ([`cache`]), the Dataverse Web API ([`dataverse`]), the sign-in redirect ([`signin`]),
//! the parse worker's client ([`parse_worker`]), and the one `$metadata` loader that ties the last
//! four together and publishes into the app state ([`metadata`]). Browser failures are one type,
//! [`BrowserError`].

pub mod browser;
pub mod cache;
pub mod dataverse;
pub mod deploy;
pub mod discovery;
pub mod error;
pub mod http;
pub mod metadata;
pub mod parse_worker;
pub mod setup;
pub mod signin;
pub mod tenant;
pub mod verify;

pub use error::BrowserError;
