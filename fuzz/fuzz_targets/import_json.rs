//! Arbitrary text → `export::import_json`: any input must give `Ok` or an `ImportError`, never
//! a panic. When a file is accepted, exporting the draft again and importing that must give the
//! same draft back (the round trip the Review page promises).
#![no_main]

use chrono::{DateTime, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use wizard_core::export;

fuzz_target!(|text: &str| {
    let today = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    match export::import_json(text, today) {
        Ok(draft) => {
            if let Ok(conn) = draft.validate(today) {
                let at = DateTime::<Utc>::from_timestamp(1_750_000_000, 0).unwrap();
                let again = export::export_json(&conn, true, at);
                let back = export::import_json(&again, today)
                    .unwrap_or_else(|e| panic!("re-import of an accepted file failed: {e}"));
                assert_eq!(back, draft, "import → export → import changed the draft");
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
