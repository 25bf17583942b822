//! `cache_record`: the compact cached record (size budget, lossless round trip, bad input) and
//! the refresh diff, against the real Dataverse fixtures and small synthetic schemas.

use std::path::PathBuf;
use std::time::Instant;

use wizard_core::cache_record::{
    age_text, decode_payload, diff, encode_payload, parse_to_payload, CompactSchema, RecordError,
    RecordMeta, Retyped, SchemaDiff, TypeChange, FORMAT_VERSION,
};
use wizard_core::csdl::{self, EntitySet, EntityType, Property, Schema};

mod common;

fn csdl_dir() -> PathBuf {
    common::fixtures_dir().join("csdl")
}

const DATAVERSE: [&str; 2] = [
    "dataverse_v9_bcgov_embc_ess_2022-10.xml",
    "dataverse_v9_bcgov_embc_dfa_metadata_2022-07.xml",
];

/// Issue 5's budget: the cached record is at most 10 % of the source XML; and it is lossless.
#[test]
fn dataverse_records_are_under_ten_percent_and_lossless() {
    for name in DATAVERSE {
        let bytes = std::fs::read(csdl_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let schema = csdl::parse_bytes(&bytes).unwrap();
        let start = Instant::now();
        let payload = encode_payload(&schema);
        let encode = start.elapsed();
        let start = Instant::now();
        let back = decode_payload(&payload).unwrap();
        let decode = start.elapsed();
        let ratio = payload.len() as f64 / bytes.len() as f64;
        println!(
            "{name}: source {} bytes, record {} bytes ({:.2} %), encode {encode:?}, decode {decode:?}",
            bytes.len(),
            payload.len(),
            ratio * 100.0
        );
        assert!(
            ratio <= 0.10,
            "{name}: record is {:.2} % of the source",
            ratio * 100.0
        );
        assert_eq!(back, schema, "{name}: round trip changed the schema");
        let meta = RecordMeta::new(
            "https://x/api/data/v9.2/",
            &schema,
            bytes.len() as u64,
            &payload,
            1.0,
        );
        assert_eq!(meta.entity_sets as usize, schema.entity_sets.len());
        assert_eq!(meta.record_bytes as usize, payload.len());
        assert_eq!(meta.check_format(), Ok(()));
    }
}

/// What the parse worker hands the page: the schema the app keeps, and its record, which decodes
/// to exactly that schema (the page shows the decoded one and stores the bytes).
#[test]
fn the_workers_record_is_the_apps_schema() {
    for name in DATAVERSE {
        let bytes = std::fs::read(csdl_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (schema, payload) = parse_to_payload(&bytes).unwrap();
        assert_eq!(schema, csdl::parse_for_app(&bytes).unwrap(), "{name}");
        assert_eq!(payload, encode_payload(&schema), "{name}");
        assert_eq!(decode_payload(&payload).unwrap(), schema, "{name}");
    }
    assert_eq!(
        parse_to_payload(b"<html/>").unwrap_err(),
        csdl::parse_for_app(b"<html/>").unwrap_err(),
        "a document that is not CSDL gives the parser's own error"
    );
}

fn ty(name: &str, props: &[(&str, &str)]) -> EntityType {
    EntityType {
        namespace: "NS".into(),
        name: name.into(),
        base_type: None,
        key: vec![format!("{name}id")],
        properties: props
            .iter()
            .map(|(n, t)| Property {
                name: (*n).into(),
                type_name: (*t).into(),
                nullable: true,
            })
            .collect(),
        navigation: vec![],
        open: false,
        is_abstract: false,
    }
}

fn schema(sets: &[(&str, &str)], types: Vec<EntityType>) -> Schema {
    Schema {
        entity_sets: sets
            .iter()
            .map(|(n, t)| EntitySet {
                name: (*n).into(),
                entity_type: format!("NS.{t}"),
            })
            .collect(),
        entity_types: types,
        ..Schema::default()
    }
}

#[test]
fn synthetic_round_trip_keeps_flags_aliases_and_counts() {
    let mut s = schema(
        &[("accounts", "account")],
        vec![ty("account", &[("name", "Edm.String")])],
    );
    s.entity_types[0].open = true;
    s.entity_types[0].is_abstract = true;
    s.entity_types[0].base_type = Some("NS.base".into());
    s.entity_types[0].properties[0].nullable = false;
    s.namespaces.push(csdl::Namespace {
        namespace: "NS".into(),
        alias: Some("ns".into()),
    });
    s.action_count = 7;
    s.function_count = 3;
    s.complex_type_count = 2;
    s.enum_type_count = 1;
    assert_eq!(decode_payload(&encode_payload(&s)), Ok(s.clone()));
    assert_eq!(
        decode_payload(&encode_payload(&Schema::default())),
        Ok(Schema::default())
    );
}

/// Checks the error a bad payload gives.
type Expect = fn(&RecordError) -> bool;

#[test]
fn bad_payloads_are_errors_not_panics() {
    let good = encode_payload(&schema(&[("a", "a")], vec![ty("a", &[])]));
    let mut old = good.clone();
    old[4..8].copy_from_slice(&1u32.to_le_bytes());
    let mut corrupt = good.clone();
    let last = corrupt.len() - 1;
    corrupt.truncate(last - 2);
    let not_json = {
        let mut v = good[..8].to_vec();
        v.extend(deflate(b"[1,2,3]"));
        v
    };
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("empty", vec![], |e| *e == RecordError::BadHeader),
        ("short", b"DVW".to_vec(), |e| *e == RecordError::BadHeader),
        ("foreign magic", b"PK\x03\x04\x02\0\0\0xx".to_vec(), |e| {
            *e == RecordError::BadHeader
        }),
        ("magic only", b"DVWZ".to_vec(), |e| {
            *e == RecordError::BadHeader
        }),
        ("old format", old, |e| {
            *e == RecordError::OldFormat {
                found: 1,
                expected: FORMAT_VERSION,
            }
        }),
        ("truncated deflate", corrupt, |e| {
            matches!(e, RecordError::Inflate(_))
        }),
        ("wrong shape", not_json, |e| {
            matches!(e, RecordError::Shape(_))
        }),
    ];
    for (name, bytes, expected) in cases {
        let err = decode_payload(&bytes).expect_err(name);
        assert!(expected(&err), "{name}: {err:?}");
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    // A stored (uncompressed) DEFLATE block: BFINAL=1, BTYPE=00, then LEN/NLEN and the bytes.
    let len = data.len() as u16;
    let mut out = vec![0b0000_0001];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn out_of_range_string_index_is_an_error() {
    let mut compact = CompactSchema::from_schema(&schema(&[("a", "a")], vec![ty("a", &[])]));
    compact.e[0].0 = 99;
    assert_eq!(
        compact.to_schema(),
        Err(RecordError::BadIndex {
            index: 99,
            len: compact.s.len()
        })
    );
}

#[test]
fn meta_of_another_format_is_refused() {
    let mut meta = RecordMeta::new("u", &Schema::default(), 1, &[], 0.0);
    meta.format = 1;
    assert_eq!(
        meta.check_format(),
        Err(RecordError::OldFormat {
            found: 1,
            expected: FORMAT_VERSION
        })
    );
}

#[test]
fn age_texts() {
    let day = 86_400_000.0;
    let cases = [
        (0.0, "cached just now"),
        (59_000.0, "cached just now"),
        (-5_000.0, "cached just now"), // clock skew
        (60_000.0, "cached 1 minute ago"),
        (5.0 * 60_000.0, "cached 5 minutes ago"),
        (3_600_000.0, "cached 1 hour ago"),
        (3.0 * day, "cached 3 days ago"),
        (45.0 * day, "cached 1 month ago"),
        (800.0 * day, "cached 2 years ago"),
    ];
    for (age, expected) in cases {
        assert_eq!(age_text(1e12 + age, 1e12), expected, "age {age}");
    }
}

#[test]
fn diff_table() {
    let base = || {
        schema(
            &[("accounts", "account"), ("contacts", "contact")],
            vec![
                ty(
                    "account",
                    &[("name", "Edm.String"), ("revenue", "Edm.Decimal")],
                ),
                ty("contact", &[("fullname", "Edm.String")]),
            ],
        )
    };
    struct Case {
        name: &'static str,
        change: fn(&mut Schema),
        expected: SchemaDiff,
    }
    let cases = [
        Case {
            name: "identical",
            change: |_| {},
            expected: SchemaDiff::default(),
        },
        Case {
            name: "set added",
            change: |s| {
                s.entity_sets.push(EntitySet {
                    name: "leads".into(),
                    entity_type: "NS.lead".into(),
                });
                s.entity_types
                    .push(ty("lead", &[("subject", "Edm.String")]));
            },
            expected: SchemaDiff {
                sets_added: vec!["leads".into()],
                ..Default::default()
            },
        },
        Case {
            name: "set removed",
            change: |s| s.entity_sets.retain(|e| e.name != "contacts"),
            expected: SchemaDiff {
                sets_removed: vec!["contacts".into()],
                ..Default::default()
            },
        },
        Case {
            name: "set retyped",
            change: |s| s.entity_sets[1].entity_type = "NS.account".into(),
            expected: SchemaDiff {
                sets_retyped: vec!["contacts".into()],
                ..Default::default()
            },
        },
        Case {
            name: "property added, removed and retyped",
            change: |s| {
                let a = &mut s.entity_types[0];
                a.properties.retain(|p| p.name != "name");
                a.properties[0].type_name = "Edm.Double".into();
                a.properties.push(Property {
                    name: "new_score".into(),
                    type_name: "Edm.Int32".into(),
                    nullable: true,
                });
            },
            expected: SchemaDiff {
                types_changed: vec![TypeChange {
                    entity_type: "NS.account".into(),
                    added: vec!["new_score".into()],
                    removed: vec!["name".into()],
                    retyped: vec![Retyped {
                        name: "revenue".into(),
                        old_type: "Edm.Decimal".into(),
                        new_type: "Edm.Double".into(),
                    }],
                }],
                ..Default::default()
            },
        },
        Case {
            name: "nullability and order alone are not changes",
            change: |s| {
                s.entity_types[0].properties.reverse();
                s.entity_types[0].properties[0].nullable = false;
                s.entity_sets.reverse();
            },
            expected: SchemaDiff::default(),
        },
    ];
    for case in cases {
        let old = base();
        let mut new = base();
        (case.change)(&mut new);
        let d = diff(&old, &new);
        assert_eq!(d, case.expected, "{}", case.name);
        assert_eq!(
            d.is_empty(),
            case.expected == SchemaDiff::default(),
            "{}",
            case.name
        );
    }
}

#[test]
fn diff_summaries() {
    assert_eq!(
        SchemaDiff::default().summary(),
        "No changes: the cached schema is up to date."
    );
    let d = SchemaDiff {
        sets_added: vec!["a".into(), "b".into()],
        sets_removed: vec!["c".into()],
        types_changed: vec![TypeChange {
            entity_type: "NS.x".into(),
            added: vec![],
            removed: vec![],
            retyped: vec![],
        }],
        ..Default::default()
    };
    assert_eq!(
        d.summary(),
        "2 entity sets added, 1 entity set removed, 1 entity type with changed properties."
    );
}

#[test]
fn diff_of_real_fixture_against_itself_with_one_set_more_is_exactly_that_set() {
    let bytes = std::fs::read(csdl_dir().join(DATAVERSE[1])).unwrap();
    let old = csdl::parse_bytes(&bytes).unwrap();
    let mut new = old.clone();
    new.entity_sets.push(EntitySet {
        name: "new_widgets".into(),
        entity_type: "Microsoft.Dynamics.CRM.account".into(),
    });
    let d = diff(&old, &new);
    assert_eq!(d.sets_added, vec!["new_widgets".to_string()]);
    assert!(d.sets_removed.is_empty() && d.types_changed.is_empty() && d.sets_retyped.is_empty());
}

/// A header for the current format followed by `body`.
fn payload_with(body: &[u8]) -> Vec<u8> {
    let mut v = b"DVWZ".to_vec();
    v.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    v.extend_from_slice(body);
    v
}

#[test]
fn a_record_may_inflate_to_64_mb_and_not_one_byte_more() {
    // A corrupted or hostile record (a "zip bomb": a few KB of DEFLATE that inflate to gigabytes)
    // must not exhaust the tab's memory; a genuine large schema of up to 64 MB still loads.
    const LIMIT: usize = 64 * 1024 * 1024;
    assert_eq!(wizard_core::cache_record::MAX_INFLATED_BYTES, LIMIT);
    let zeros = vec![0u8; LIMIT + 1];
    // Exactly the limit inflates (and is then refused as not being a schema).
    let compress = |data: &[u8]| miniz_oxide::deflate::compress_to_vec(data, 1);
    let at_limit = payload_with(&compress(&zeros[..LIMIT]));
    assert!(at_limit.len() < 1024 * 1024, "{}", at_limit.len());
    assert!(matches!(
        decode_payload(&at_limit),
        Err(RecordError::Shape(_))
    ));
    // One byte more is refused before it is all in memory.
    let over = payload_with(&compress(&zeros));
    assert!(matches!(
        decode_payload(&over),
        Err(RecordError::Inflate(_))
    ));
}

/// The cached record stays small: a plain entity type (not open, not abstract, no base type)
/// stores no flags, no base type and nothing empty, only what it has.
#[test]
fn a_plain_entity_type_stores_only_what_it_has() {
    let s = schema(&[], vec![ty("account", &[])]);
    let compact = serde_json::to_value(CompactSchema::from_schema(&s)).unwrap();
    assert_eq!(
        compact["t"][0],
        serde_json::json!({ "n": [0, 1], "k": [2] }),
        "{compact}"
    );
    // Only open (bit 0) or abstract (bit 1) sets the flags.
    let mut open = s.clone();
    open.entity_types[0].open = true;
    let compact = serde_json::to_value(CompactSchema::from_schema(&open)).unwrap();
    assert_eq!(compact["t"][0]["f"], 1, "{compact}");
}

/// Refresh reports a table whose only change is one added, one removed or one retyped column.
#[test]
fn refresh_reports_a_table_with_a_single_kind_of_change() {
    let old = schema(
        &[("accounts", "account")],
        vec![ty(
            "account",
            &[("name", "Edm.String"), ("revenue", "Edm.Decimal")],
        )],
    );
    type Edit = fn(&mut EntityType);
    let edits: [(&str, Edit); 3] = [
        ("added", |t| {
            t.properties.push(Property {
                name: "city".into(),
                type_name: "Edm.String".into(),
                nullable: true,
            })
        }),
        ("removed", |t| {
            t.properties.pop();
        }),
        ("retyped", |t| {
            t.properties[1].type_name = "Edm.Double".into()
        }),
    ];
    for (what, edit) in edits {
        let mut new = old.clone();
        edit(&mut new.entity_types[0]);
        let d = diff(&old, &new);
        assert_eq!(d.types_changed.len(), 1, "{what}: {d:?}");
        assert!(!d.is_empty(), "{what}");
    }
}
