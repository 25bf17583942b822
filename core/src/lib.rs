//! Pure logic of the Dataverse connection wizard.
//!
//! Nothing in this crate touches the browser: every module is tested natively with `cargo test`.
//! See `docs/ARCHITECTURE.md` for the module map.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod cache_record;
pub mod checked;
pub mod cloud;
pub mod connector;
pub mod csdl;
pub mod deploy;
pub mod derive;
pub mod diagnose;
pub mod dialog;
pub mod discovery;
pub mod draft;
pub mod entra;
pub mod export;
pub mod fields;
pub mod jwt;
pub mod reminder;
pub mod setup;
pub mod sync;
pub mod targets;
pub mod verify;
pub mod webapi;
