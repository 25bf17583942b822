//! The schema context: the `$metadata` model in memory, shared by the test step, the connector
//! step and the picker. Only [`crate::services::metadata`] puts a schema here.

use leptos::prelude::*;
use std::{fmt, sync::Arc};
use wizard_core::csdl::Schema;

/// Where the schema in memory came from.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaOrigin {
    /// Downloaded from the environment's `$metadata`.
    Network {
        /// The environment's Web API service URL (ends with `/`).
        service_url: String,
    },
    /// Read from this browser's cache.
    Cache {
        /// The environment's Web API service URL: the record's key.
        service_url: String,
        /// When the cached copy was downloaded (Unix milliseconds).
        saved_at_ms: f64,
    },
    /// A `$metadata` file the user chose.
    File {
        /// The file's name.
        name: String,
    },
}

impl SchemaOrigin {
    /// Whether this is the cached copy of `service_url`'s schema.
    pub fn is_cache_of(&self, service_url: &str) -> bool {
        matches!(self, SchemaOrigin::Cache { service_url: url, .. } if url == service_url)
    }

    /// Whether the schema came from a file rather than an environment.
    pub fn is_file(&self) -> bool {
        matches!(self, SchemaOrigin::File { .. })
    }
}

/// Where from, in the words of "Schema loaded from …" (the e2e tests match these texts).
impl fmt::Display for SchemaOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaOrigin::Network { service_url } => write!(f, "{service_url}$metadata"),
            SchemaOrigin::Cache { .. } => f.write_str("the cache"),
            SchemaOrigin::File { name } => write!(f, "file: {name}"),
        }
    }
}

/// A schema in memory and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The parsed model.
    pub schema: Arc<Schema>,
    /// Where it came from.
    pub origin: SchemaOrigin,
    /// Size of the `$metadata` XML in bytes.
    pub bytes: usize,
    /// Parse time in milliseconds (read and decode time for the cache).
    pub parse_ms: f64,
}

/// Context holding the loaded schema.
#[derive(Clone, Copy)]
pub struct SchemaState {
    /// The schema, once loaded.
    pub loaded: RwSignal<Option<Loaded>>,
}

impl SchemaState {
    /// Provides the context. Needs no other context.
    pub fn provide() -> Self {
        let s = SchemaState {
            loaded: RwSignal::new(None),
        };
        provide_context(s);
        s
    }

    /// The context.
    pub fn expect() -> Self {
        expect_context()
    }
}
