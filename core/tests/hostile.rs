//! Hostile input (issue 6): what a malicious or broken server or file can send to the parsers.
//! Every case must end in a clear error (or a faithful model), never a panic, a stack overflow,
//! an entity expansion or a long parse. Inputs are built in memory: nothing is read from disk.
//!
//! The cargo-fuzz targets in `fuzz/` (`make fuzz`) cover the same parsers with arbitrary input.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use wizard_core::csdl::{self, CsdlError, MAX_METADATA_BYTES, MAX_XML_DEPTH};
use wizard_core::export::{self, ImportError};

const EDMX_OPEN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices>
<Schema Namespace="N" Alias="A" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid"/></EntityType>
"#;
const EDMX_CLOSE: &str = "</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n";

/// A well-formed CSDL document whose schema body is `body`.
fn csdl_with(body: &str) -> String {
    format!("{EDMX_OPEN}{body}{EDMX_CLOSE}")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

// ---------------------------------------------------------------------------------------------
// $metadata size
// ---------------------------------------------------------------------------------------------

/// A 60 MB document that *would* parse (well-formed CSDL with ~1.3 million entity sets), so only
/// the size check can refuse it.
fn sixty_megabytes_of_valid_csdl() -> String {
    const TARGET: usize = 60 * 1024 * 1024;
    let mut doc = String::with_capacity(TARGET + 4096);
    doc.push_str(EDMX_OPEN);
    doc.push_str("<EntityContainer Name=\"C\">\n");
    let mut i = 0u64;
    while doc.len() < TARGET {
        use std::fmt::Write;
        writeln!(doc, "<EntitySet Name=\"s{i}\" EntityType=\"A.T\"/>").unwrap();
        i += 1;
    }
    doc.push_str("</EntityContainer>\n");
    doc.push_str(EDMX_CLOSE);
    doc
}

#[test]
fn metadata_of_60_mb_is_refused_with_a_message_before_parsing() {
    let doc = sixty_megabytes_of_valid_csdl();
    assert!(doc.len() > 60 * 1024 * 1024 && doc.len() > MAX_METADATA_BYTES);

    let started = Instant::now();
    let from_bytes = csdl::parse_bytes(doc.as_bytes());
    let from_str = csdl::parse(&doc);
    let elapsed = started.elapsed();

    let expected = CsdlError::TooLarge {
        bytes: doc.len(),
        limit: MAX_METADATA_BYTES,
    };
    assert_eq!(from_bytes, Err(expected.clone()));
    assert_eq!(from_str, Err(expected.clone()));
    // Parsing 60 MB takes a second or more; refusing it takes
    // microseconds. A generous bound still proves nothing was parsed (or even UTF-8 checked).
    assert!(
        elapsed < Duration::from_secs(1),
        "the size check took {elapsed:?}: the document was parsed before being refused"
    );
    let message = expected.to_string();
    assert!(message.contains(&doc.len().to_string()), "{message}");
    assert!(
        message.contains(&MAX_METADATA_BYTES.to_string()),
        "{message}"
    );
    assert!(message.contains("limit"), "{message}");
}

#[test]
fn metadata_just_under_the_limit_is_still_parsed() {
    // The limit is on bytes, not on what they contain: a 1 MB document parses normally.
    let mut body = String::from("<EntityContainer Name=\"C\">");
    for i in 0..20_000 {
        body.push_str(&format!("<EntitySet Name=\"s{i}\" EntityType=\"A.T\"/>"));
    }
    body.push_str("</EntityContainer>");
    let schema = csdl::parse(&csdl_with(&body)).unwrap();
    assert_eq!(schema.entity_sets.len(), 20_000);
    assert_eq!(schema.key_of(&schema.entity_sets[19_999]), ["id"]);
}

// ---------------------------------------------------------------------------------------------
// Nesting
// ---------------------------------------------------------------------------------------------

fn nested(depth: usize, name: &str) -> String {
    let mut s = String::with_capacity(depth * (2 * name.len() + 5));
    for _ in 0..depth {
        s.push('<');
        s.push_str(name);
        s.push('>');
    }
    for _ in 0..depth {
        s.push_str("</");
        s.push_str(name);
        s.push('>');
    }
    s
}

#[test]
fn deeply_nested_xml_is_an_error_not_a_stack_overflow() {
    // The reader does not recurse and stops at MAX_XML_DEPTH open elements: 100 000 levels on a
    // test thread's 2 MB stack is a clear error that names the limit and where it was crossed.
    for doc in [nested(100_000, "a"), "<a>".repeat(100_000)] {
        let started = Instant::now();
        match csdl::parse(&doc) {
            Err(CsdlError::Xml {
                message,
                line,
                column,
            }) => {
                assert!(message.contains(&MAX_XML_DEPTH.to_string()), "{message}");
                assert_eq!((line, column), (1, 3 * MAX_XML_DEPTH as u32 + 1));
            }
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    // Well-formed and just within the limit: read to the end, then refused as not CSDL.
    let result = csdl::parse(&nested(MAX_XML_DEPTH, "a"));
    assert!(
        matches!(&result, Err(CsdlError::NotCsdl { found }) if found == "<a>"),
        "{result:?}"
    );
    // Unclosed within the limit: a truncated document.
    let unclosed = "<a>".repeat(1_000);
    assert!(
        matches!(csdl::parse(&unclosed), Err(CsdlError::Xml { ref message, .. }) if message.contains("1000 element(s) not closed"))
    );
}

#[test]
fn deeply_nested_annotations_inside_a_real_schema_are_skipped() {
    // Unknown elements are skipped; nesting inside them is only limited by MAX_XML_DEPTH
    // (the schema itself sits 4 levels deep).
    let body = format!(
        "<Annotations Target=\"A.T\">{}</Annotations>\
         <EntityContainer Name=\"C\"><EntitySet Name=\"ts\" EntityType=\"A.T\"/></EntityContainer>",
        nested(MAX_XML_DEPTH - 4, "Annotation")
    );
    let schema = csdl::parse(&csdl_with(&body)).unwrap();
    assert_eq!(schema.entity_sets.len(), 1);
    assert_eq!(schema.key_of(&schema.entity_sets[0]), ["id"]);
    let too_deep = body
        .replacen("<Annotation>", "<Annotation><Annotation>", 1)
        .replacen("</Annotation>", "</Annotation></Annotation>", 1);
    assert!(matches!(
        csdl::parse(&csdl_with(&too_deep)),
        Err(CsdlError::Xml { .. })
    ));
}

#[test]
fn base_type_cycles_and_long_chains_end() {
    // A → B → A, a type that is its own base, and a 20 000-long BaseType chain with 2 000 sets
    // at its end: key lookup follows at most MAX_BASE_DEPTH bases through an index, so the picker's
    // summaries stay fast instead of quadratic (a hostile document must not freeze the tab).
    let mut body = String::from(
        "<EntityType Name=\"X\" BaseType=\"A.Y\"/><EntityType Name=\"Y\" BaseType=\"N.X\"/>\
         <EntityType Name=\"Self\" BaseType=\"A.Self\"/>",
    );
    for i in 1..20_000 {
        body.push_str(&format!(
            "<EntityType Name=\"C{i}\" BaseType=\"A.C{}\"/>",
            i - 1
        ));
    }
    body.push_str("<EntityType Name=\"C0\" BaseType=\"A.T\"/>");
    body.push_str(
        "<EntityContainer Name=\"C\"><EntitySet Name=\"xs\" EntityType=\"A.X\"/>\
         <EntitySet Name=\"selves\" EntityType=\"A.Self\"/>\
         <EntitySet Name=\"chain\" EntityType=\"A.C999\"/>",
    );
    for i in 0..2_000 {
        body.push_str(&format!(
            "<EntitySet Name=\"deep{i}\" EntityType=\"A.C19999\"/>"
        ));
    }
    body.push_str("</EntityContainer>");
    let schema = csdl::parse(&csdl_with(&body)).unwrap();
    let started = Instant::now();
    let summaries = schema.set_summaries();
    assert_eq!(summaries.len(), 2_003);
    assert!(summaries.iter().all(|s| s.key.is_empty()));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    for set in schema.entity_sets.iter().take(3) {
        let _ = schema.key_of(set);
        let _ = schema.record_url("https://contoso.crm.dynamics.com/api/data/v9.2", &set.name);
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(schema.key_of(schema.find_set("xs").unwrap()).is_empty());
    assert!(schema.key_of(schema.find_set("selves").unwrap()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// DTDs and entities
// ---------------------------------------------------------------------------------------------

#[test]
fn billion_laughs_is_refused_as_a_dtd() {
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">\n");
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE edmx:Edmx [\n{dtd}]>\n\
         <edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\
         <edmx:DataServices><Schema Namespace=\"&lol9;\" \
         xmlns=\"http://docs.oasis-open.org/odata/ns/edm\"/></edmx:DataServices></edmx:Edmx>"
    );
    let started = Instant::now();
    let err = csdl::parse(&doc).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err, CsdlError::Dtd { line: 2, column: 1 });
    assert!(err.to_string().contains("dtd"), "{err}");
}

#[test]
fn every_kind_of_doctype_is_refused() {
    for doc in [
        // External entity (XXE).
        "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><x>&xxe;</x>",
        // External DTD.
        "<!DOCTYPE x SYSTEM \"http://evil.example/x.dtd\"><x/>",
        // Parameter entities.
        "<!DOCTYPE x [<!ENTITY % p \"<!ENTITY q 'z'>\"> %p;]><x>&q;</x>",
        // Quadratic blowup: one big entity used many times.
        &format!(
            "<!DOCTYPE x [<!ENTITY big \"{}\">]><x>{}</x>",
            "a".repeat(10_000),
            "&big;".repeat(10_000)
        ),
        // After a BOM, a comment and a processing instruction.
        "\u{feff}<?xml version=\"1.0\"?><!-- hi --><?pi x?><!DOCTYPE x><x/>",
    ] {
        let started = Instant::now();
        let result = csdl::parse(doc);
        assert!(
            matches!(result, Err(CsdlError::Dtd { .. })),
            "{result:?} for {}",
            &doc[..doc.len().min(60)]
        );
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(matches!(
            csdl::parse_bytes(doc.as_bytes()),
            Err(CsdlError::Dtd { .. })
        ));
    }
}

#[test]
fn undeclared_entities_are_malformed_xml() {
    let doc = csdl_with("<EntityContainer Name=\"C\"><EntitySet Name=\"&lol;\" EntityType=\"A.T\"/></EntityContainer>");
    assert!(matches!(csdl::parse(&doc), Err(CsdlError::Xml { .. })));
}

// ---------------------------------------------------------------------------------------------
// Markup in names
// ---------------------------------------------------------------------------------------------

#[test]
fn names_containing_markup_are_kept_as_literal_text() {
    let body = r#"<EntityType Name="x&lt;img src=x onerror=alert(1)&gt;">
  <Key><PropertyRef Name="&quot;&gt;&lt;script&gt;k"/></Key>
  <Property Name="&quot;&gt;&lt;script&gt;k" Type="Edm.String"/>
</EntityType>
<EntityContainer Name="C">
  <EntitySet Name="a&lt;script&gt;b" EntityType="A.T"/>
  <EntitySet Name="&#x3C;b&#x3E;bold&#60;/b&#62;" EntityType="A.T"/>
  <EntitySet Name="amp&amp;lt;" EntityType="A.x&lt;img src=x onerror=alert(1)&gt;"/>
</EntityContainer>"#;
    let schema = csdl::parse(&csdl_with(body)).unwrap();
    let names: Vec<&str> = schema.entity_sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a<script>b", "<b>bold</b>", "amp&lt;"]);
    // Not decoded twice, not escaped again: the model holds exactly the text of the document.
    let odd = schema.find_set("amp&lt;").unwrap();
    assert_eq!(odd.entity_type, "N.x<img src=x onerror=alert(1)>");
    assert_eq!(schema.key_of(odd), ["\"><script>k"]);
    let t = schema
        .entity_type("N.x<img src=x onerror=alert(1)>")
        .unwrap();
    assert_eq!(t.properties[0].name, "\"><script>k");
    let summaries = schema.set_summaries();
    assert!(summaries.iter().any(|s| s.name == "a<script>b"));
    // The picker's search matches the literal text, in the set name or in its key.
    let hits: Vec<&str> = csdl::filter_sets(&summaries, "<SCRIPT>")
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(hits, ["a<script>b", "amp&lt;"]);
}

/// Two containers may declare sets with the same name. The picker keys its options by position,
/// so both are listed, each once.
#[test]
fn sets_sharing_a_name_are_two_options() {
    let body = "<EntityContainer Name=\"C\"><EntitySet Name=\"twin\" EntityType=\"A.T\"/></EntityContainer>\
                <EntityContainer Name=\"D\"><EntitySet Name=\"twin\" EntityType=\"A.U\"/></EntityContainer>";
    let schema = csdl::parse(&csdl_with(body)).unwrap();
    let summaries = schema.set_summaries();
    assert_eq!(summaries.len(), 2);
    let search = csdl::SetSearch::new(&summaries);
    assert_eq!(search.positions("TWIN"), [0, 1]);
    assert_eq!(search.positions(""), [0, 1]);
}

#[test]
fn cdata_and_comments_do_not_become_names() {
    let body =
        "<EntityContainer Name=\"C\"><!-- <EntitySet Name=\"hidden\" EntityType=\"A.T\"/> -->\
                <![CDATA[<EntitySet Name=\"cdata\" EntityType=\"A.T\"/>]]>\
                <EntitySet Name=\"real\" EntityType=\"A.T\"/></EntityContainer>";
    let schema = csdl::parse(&csdl_with(body)).unwrap();
    let names: Vec<&str> = schema.entity_sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["real"]);
}

// ---------------------------------------------------------------------------------------------
// Import JSON
// ---------------------------------------------------------------------------------------------

fn assert_malformed(result: Result<impl std::fmt::Debug, ImportError>, needle: &str) -> String {
    match result {
        Err(e @ ImportError::Malformed { .. }) => {
            let message = e.to_string();
            assert!(message.contains("not valid JSON"), "{message}");
            assert!(message.contains(needle), "{message} lacks {needle:?}");
            message
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn import_of_deeply_nested_arrays_is_a_clear_error() {
    // serde_json stops at 128 levels: an error, not a stack overflow, at any depth.
    for depth in [129, 1_000, 100_000, 5_000_000] {
        let text = "[".repeat(depth) + &"]".repeat(depth);
        let started = Instant::now();
        assert_malformed(export::import_json(&text, today()), "recursion limit");
        assert!(started.elapsed() < Duration::from_secs(1), "depth {depth}");
    }
    // Objects too, and nesting under a key of an otherwise plausible file.
    let deep_object = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    assert_malformed(
        export::import_json(&deep_object, today()),
        "recursion limit",
    );
    let in_file = format!(
        "{{\"format\":\"dataverse-connection\",\"version\":1,\"connector\":{}1{}}}",
        "[".repeat(1_000),
        "]".repeat(1_000)
    );
    assert_malformed(export::import_json(&in_file, today()), "recursion limit");
}

#[test]
fn import_of_nesting_under_the_limit_is_refused_by_structure() {
    // 100 levels is valid JSON, but not a connection file.
    let text = format!(
        "{{\"format\":\"dataverse-connection\",\"version\":1,\"connector\":{}1{}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    match export::import_json(&text, today()) {
        Err(e @ ImportError::Structure { .. }) => {
            assert!(e.to_string().contains("damaged"), "{e}")
        }
        other => panic!("expected Structure, got {other:?}"),
    }
}

#[test]
fn import_of_10_mb_is_a_clear_error() {
    const TEN_MB: usize = 10 * 1024 * 1024;

    // 10 MB of JSON that is not a connection at all.
    let big_array = format!("[{}1]", "1,".repeat(TEN_MB / 2));
    let started = Instant::now();
    assert!(matches!(
        export::import_json(&big_array, today()),
        Err(ImportError::NotAConnection)
    ));

    // 10 MB of garbage, and 10 MB of an unterminated string.
    assert_malformed(export::import_json(&"x".repeat(TEN_MB), today()), "line 1");
    let unterminated = format!("{{\"format\":\"{}", "a".repeat(TEN_MB));
    assert_malformed(export::import_json(&unterminated, today()), "EOF");

    // A connection header with a 10 MB application name and a 10 MB unknown key.
    let huge_name = format!(
        "{{\"format\":\"dataverse-connection\",\"version\":1,\"exportedAt\":\"2025-06-15T10:30:00Z\",\
         \"azure\":{{\"applicationName\":\"{}\"}}}}",
        "n".repeat(TEN_MB)
    );
    assert!(matches!(
        export::import_json(&huge_name, today()),
        Err(ImportError::Structure { .. })
    ));
    let huge_key = format!(
        "{{\"format\":\"dataverse-connection\",\"version\":1,\"{}\":0}}",
        "k".repeat(TEN_MB)
    );
    match export::import_json(&huge_key, today()) {
        Err(e @ ImportError::Structure { .. }) => {
            // The message names the unknown key; it is the UI's job to shorten it for display.
            assert!(
                e.to_string().contains("unknown field"),
                "{}",
                &e.to_string()[..200]
            );
        }
        other => panic!("expected Structure, got {:?}", other.map(|_| ())),
    }
    // serde_json is linear: all of the above (50 MB of input) in well under a few seconds.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn import_of_odd_json_values_is_an_error_not_a_panic() {
    for text in [
        "",
        " ",
        "\u{feff}{}",
        "null",
        "1e999",
        "-0",
        "\"\\ud800\"",
        "{\"format\":\"dataverse-connection\",\"version\":1e999}",
        "{\"format\":\"dataverse-connection\",\"version\":-1}",
        "{\"format\":\"dataverse-connection\",\"version\":18446744073709551616}",
        "{\"format\":\"dataverse-connection\",\"version\":1.0}",
        "{\"format\":\"dataverse-connection\",\"version\":\"1\"}",
        "{\"format\":\"dataverse-connection\",\"version\":1,\"version\":2}",
        "{\"format\":[\"dataverse-connection\"],\"version\":1}",
        "{\"format\":\"dataverse-connection\u{0000}\",\"version\":1}",
        "{\"format\":\"dataverse-connection\",\"version\":1,\"exportedAt\":\"\\u0000\"}",
    ] {
        let result = export::import_json(text, today());
        let e = result.expect_err(text);
        assert!(!e.to_string().is_empty());
    }
}
