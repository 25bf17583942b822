//! Arbitrary bytes → `csdl::parse_bytes`: any input must give `Ok` or a `CsdlError`, never a
//! panic. On `Ok`, the model's accessors (the entity picker's inputs) must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wizard_core::csdl;

fuzz_target!(|data: &[u8]| {
    match csdl::parse_bytes(data) {
        Ok(schema) => {
            let summaries = schema.set_summaries();
            for set in &schema.entity_sets {
                let _ = schema.key_of(set);
                let _ =
                    schema.record_url("https://contoso.crm.dynamics.com/api/data/v9.2", &set.name);
            }
            for t in &schema.entity_types {
                let _ = schema.key_of_type(&t.qualified_name());
            }
            let _ = schema.navigation_count();
            for q in ["", "a", "ACC", " x ", "é"] {
                let _ = csdl::filter_sets(&summaries, q);
            }
        }
        Err(e) => {
            // Error messages are shown to the user: formatting them must not panic.
            let _ = e.to_string();
        }
    }
});
