//! The loaded schema (in memory) shared by the test step, the connector step and the picker.

use leptos::prelude::*;
use std::sync::Arc;
use wizard_core::csdl::{self, Schema};

/// Where the schema in memory came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The parsed model.
    pub schema: Arc<Schema>,
    /// "https://…/api/data/v9.2/$metadata" or "file: name.xml".
    pub source: String,
    /// Size of the XML in bytes.
    pub bytes: usize,
    /// Parse time in milliseconds.
    pub parse_ms: f64,
}

/// Context holding the loaded schema.
#[derive(Clone, Copy)]
pub struct SchemaState {
    /// The schema, once loaded.
    pub loaded: RwSignal<Option<Loaded>>,
}

impl SchemaState {
    /// Provides the context.
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

/// Parses `$metadata` bytes, timing it.
pub fn parse(bytes: &[u8], source: String) -> Result<Loaded, csdl::CsdlError> {
    let start = js_sys::Date::now();
    let schema = csdl::parse_bytes(bytes)?;
    Ok(Loaded {
        schema: Arc::new(schema),
        source,
        bytes: bytes.len(),
        parse_ms: js_sys::Date::now() - start,
    })
}

/// Human-readable size: "3.5 MB", "812 KB".
pub fn human_bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    } else if n >= 1_000 {
        format!("{} KB", n / 1_000)
    } else {
        format!("{n} bytes")
    }
}
