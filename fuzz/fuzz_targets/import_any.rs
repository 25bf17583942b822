//! Arbitrary text → the connection-string parser and the import detector
//! (`targets::parse_connection_string`, `targets::detect`, `targets::import_any`): `Ok` or an
//! error, never a panic.
//!
//! Two properties on what is accepted: a parsed connection string, written again with
//! `build_connection_string`, parses to the same pairs; and an import that gives a complete
//! connection renders in every importable format, each of which imports back to the same
//! connection (its export JSON with the secret equal).
#![no_main]

use chrono::{DateTime, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use wizard_core::draft::{sandbox, Draft};
use wizard_core::export::export_json;
use wizard_core::targets::{
    build_connection_string, detect, import_any, parse_connection_string, render, Format,
    SecretMode,
};

const IMPORTABLE: [Format; 5] = [
    Format::ConnectionJson,
    Format::ConnectionString,
    Format::DataFactory,
    Format::Postman,
    Format::DotEnv,
];

fuzz_target!(|text: &str| {
    if let Ok(pairs) = parse_connection_string(text) {
        let kv: Vec<(&str, &str)> = pairs
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect();
        let rebuilt = build_connection_string(&kv);
        let again = parse_connection_string(&rebuilt)
            .unwrap_or_else(|e| panic!("a rebuilt connection string does not parse: {e}"));
        let again: Vec<(&str, &str)> = again
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(again, kv, "build → parse changed the pairs");
    }
    let _ = detect(text);
    let today = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    let at = DateTime::<Utc>::from_timestamp(1_750_000_000, 0).unwrap();
    for current in [Draft::default(), sandbox::draft(today)] {
        let merged = match import_any(text, &current, today) {
            Ok(m) => m,
            Err(e) => {
                let _ = e.to_string();
                continue;
            }
        };
        let _ = merged.report.summary();
        let Ok(conn) = merged.draft.validate(today) else {
            continue;
        };
        let want = export_json(&conn, true, at);
        for format in IMPORTABLE {
            let out = render(format, &conn, SecretMode::Real, at).text;
            let back = import_any(&out, &merged.draft, today)
                .unwrap_or_else(|e| panic!("{format:?} of an accepted import does not import: {e}"));
            let conn2 = back
                .draft
                .validate(today)
                .unwrap_or_else(|p| panic!("{format:?} re-import does not validate: {p:?}"));
            assert_eq!(export_json(&conn2, true, at), want, "{format:?} round trip");
        }
    }
});
