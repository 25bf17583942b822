//! Benchmark hooks for `make bench` (e2e/bench.mjs), built only with `--features bench` into a
//! separate dist (target/bench-dist) so the shipped bundle carries none of this.

use wasm_bindgen::prelude::*;
use wizard_core::{cache_record, csdl};

/// Parses a `$metadata` document on this thread the way the app's fallback does
/// (`csdl::parse_for_app`), then lists its
/// entity sets with their keys (what the picker needs). Returns `[entity sets, sets with a key]`,
/// or `[-1, -1]` when the document does not parse.
#[wasm_bindgen]
pub fn bench_parse(bytes: &[u8]) -> Vec<i32> {
    match csdl::parse_for_app(bytes) {
        Ok(schema) => {
            let sets = schema.set_summaries();
            let keyed = sets.iter().filter(|s| !s.key.is_empty()).count();
            vec![sets.len() as i32, keyed as i32]
        }
        Err(_) => vec![-1, -1],
    }
}

/// A document parsed the way the app keeps it, held so that the cache row times the record's
/// encoding alone (the parse worker encodes the schema it has just parsed).
#[wasm_bindgen]
pub struct BenchSchema(csdl::Schema);

#[wasm_bindgen]
impl BenchSchema {
    /// Parses with `csdl::parse_for_app`; fails when the document does not parse.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<BenchSchema, JsError> {
        csdl::parse_for_app(bytes)
            .map(BenchSchema)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The cache record the parse worker builds for it (`cache_record::encode_payload`).
    pub fn encode_record(&self) -> Vec<u8> {
        cache_record::encode_payload(&self.0)
    }
}

/// What the app does with a cached record before the picker shows: decode it and list the entity
/// sets with their keys. Returns the number of sets, or -1 when the record does not decode.
#[wasm_bindgen]
pub fn bench_picker_from_record(payload: &[u8]) -> i32 {
    cache_record::decode_payload(payload).map_or(-1, |schema| schema.set_summaries().len() as i32)
}

fn main() {}
