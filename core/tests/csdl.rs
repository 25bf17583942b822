//! `csdl` against the real `$metadata` fixtures in `shared/fixtures/csdl` and small synthetic
//! documents.
//!
//! The fixtures live outside the repository: `$FIXTURES_DIR` (the `fixtures` folder, holding
//! `csdl/` and `entra/`) when set, else `../shared/fixtures` beside the workspace.

use std::path::PathBuf;
use std::time::Instant;

use wizard_core::csdl::{self, CsdlError, EntitySet, Schema, MAX_METADATA_BYTES};

mod common;
use common::fixtures_dir;

fn csdl_dir() -> PathBuf {
    fixtures_dir().join("csdl")
}

fn load(name: &str) -> Schema {
    let bytes = std::fs::read(csdl_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    csdl::parse_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One row of PROVENANCE.md's table.
#[derive(Debug)]
struct Expected {
    file: String,
    bytes: usize,
    entity_types: usize,
    entity_sets: usize,
    navigation: usize,
    complex_types: usize,
    enum_types: usize,
    actions: usize,
    functions: usize,
}

/// Parses the markdown table of PROVENANCE.md by its header names, so that new fixtures and
/// reordered columns are picked up.
fn provenance() -> Vec<Expected> {
    let text = std::fs::read_to_string(csdl_dir().join("PROVENANCE.md")).expect("PROVENANCE.md");
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut lines = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("| file"));
    let header = cells(lines.next().expect("table header"));
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {header:?}"))
    };
    let (file, bytes, et, es, nav, ct, en, ac, fu) = (
        col("file"),
        col("bytes"),
        col("EntityType"),
        col("EntitySet"),
        col("NavigationProperty"),
        col("ComplexType"),
        col("EnumType"),
        col("Action"),
        col("Function"),
    );
    lines
        .skip(1) // |---|
        .take_while(|l| l.trim_start().starts_with('|'))
        .map(|l| {
            let c = cells(l);
            let n = |i: usize| -> usize {
                c[i].parse()
                    .unwrap_or_else(|e| panic!("{:?} column {i}: {e}", c[file]))
            };
            Expected {
                file: c[file].clone(),
                bytes: n(bytes),
                entity_types: n(et),
                entity_sets: n(es),
                navigation: n(nav),
                complex_types: n(ct),
                enum_types: n(en),
                actions: n(ac),
                functions: n(fu),
            }
        })
        .collect()
}

#[test]
fn provenance_lists_every_fixture() {
    let rows = provenance();
    assert!(rows.len() >= 5, "{rows:?}");
    let mut on_disk: Vec<String> = std::fs::read_dir(csdl_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = rows.iter().map(|r| r.file.clone()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn every_fixture_matches_provenance_counts() {
    for row in provenance() {
        let bytes = std::fs::read(csdl_dir().join(&row.file)).unwrap();
        assert_eq!(bytes.len(), row.bytes, "{}: size", row.file);
        let started = Instant::now();
        let schema = csdl::parse_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let elapsed = started.elapsed();
        println!(
            "parsed {} ({} bytes) in {:.1} ms",
            row.file,
            bytes.len(),
            elapsed.as_secs_f64() * 1000.0
        );
        let got = (
            schema.entity_types.len(),
            schema.entity_sets.len(),
            schema.complex_type_count,
            schema.enum_type_count,
            schema.action_count,
            schema.function_count,
        );
        let want = (
            row.entity_types,
            row.entity_sets,
            row.complex_types,
            row.enum_types,
            row.actions,
            row.functions,
        );
        assert_eq!(
            got, want,
            "{}: (entity types, entity sets, complex, enum, actions, functions)",
            row.file
        );
        // PROVENANCE counts navigation properties of complex types too; the model keeps only
        // those of entity types.
        assert!(schema.navigation_count() <= row.navigation, "{}", row.file);
        assert_eq!(
            schema.navigation_count() == 0,
            row.navigation == 0,
            "{}",
            row.file
        );
        // Every set points at a known entity type.
        for set in &schema.entity_sets {
            assert!(
                schema.entity_type(&set.entity_type).is_some(),
                "{}: set {} → {}",
                row.file,
                set.name,
                set.entity_type
            );
        }
    }
}

#[test]
fn known_keys() {
    let table = [
        (
            "dataverse_v9_bcgov_embc_dfa_metadata_2022-07.xml",
            "accounts",
            &["accountid"][..],
        ),
        (
            "dataverse_v9_bcgov_embc_ess_2022-10.xml",
            "accounts",
            &["accountid"][..],
        ),
        (
            "dataverse_v9_bcgov_embc_ess_2022-10.xml",
            "contacts",
            &["contactid"][..],
        ),
        ("trippin_simpleodata.xml", "People", &["UserName"][..]),
        ("trippin_simpleodata.xml", "Airports", &["IcaoCode"][..]),
        (
            "northwind4_simpleodata.xml",
            "Customers",
            &["CustomerID"][..],
        ),
        (
            "northwind4_simpleodata.xml",
            "Order_Details",
            &["OrderID", "ProductID"][..],
        ),
    ];
    for (file, set, key) in table {
        let schema = load(file);
        let entity_set = schema
            .find_set(set)
            .unwrap_or_else(|| panic!("{file}: no set {set}"));
        assert_eq!(schema.key_of(entity_set), key, "{file} {set}");
    }
}

#[test]
fn dataverse_aliases_are_resolved() {
    let schema = load("dataverse_v9_bcgov_embc_ess_2022-10.xml");
    assert!(schema.namespaces.contains(&csdl::Namespace {
        namespace: "Microsoft.Dynamics.CRM".into(),
        alias: Some("mscrm".into()),
    }));
    let set = schema.find_set("accounts").unwrap();
    assert_eq!(set.entity_type, "Microsoft.Dynamics.CRM.account");
    let by_alias = schema.entity_type("mscrm.account").expect("alias lookup");
    let by_name = schema
        .entity_type("Microsoft.Dynamics.CRM.account")
        .unwrap();
    assert_eq!(by_alias, by_name);
    assert_eq!(
        by_name.base_type.as_deref(),
        Some("Microsoft.Dynamics.CRM.crmbaseentity")
    );
    assert_eq!(by_name.key, ["accountid"]);
    assert_eq!(by_name.property("accountid").unwrap().type_name, "Edm.Guid");
    assert!(by_name.property("accountid").unwrap().nullable);
    // No navigation target keeps the alias.
    for t in &schema.entity_types {
        for nav in &t.navigation {
            assert!(
                !nav.target_type.starts_with("mscrm."),
                "{}.{} → {}",
                t.name,
                nav.name,
                nav.target_type
            );
        }
        for p in &t.properties {
            assert!(!p.type_name.contains("mscrm."), "{}.{}", t.name, p.name);
        }
    }
    let base = schema.entity_type("mscrm.crmbaseentity").unwrap();
    assert!(base.is_abstract);
    assert!(base.key.is_empty());
    // Collection navigation into another type.
    let nav = by_name
        .navigation
        .iter()
        .find(|n| n.collection)
        .expect("a collection navigation property");
    assert!(nav.target_type.starts_with("Microsoft.Dynamics.CRM."));
}

#[test]
fn keys_are_inherited_from_base_types() {
    let schema = load("trippin_simpleodata.xml");
    let ns = "Microsoft.OData.SampleService.Models.TripPin";
    let flight = schema.entity_type(&format!("{ns}.Flight")).unwrap();
    assert!(flight.key.is_empty());
    assert_eq!(
        flight.base_type.as_deref(),
        Some(format!("{ns}.PublicTransportation").as_str())
    );
    assert_eq!(schema.key_of_type(&format!("{ns}.Flight")), ["PlanItemId"]);
    let set = EntitySet {
        name: "x".into(),
        entity_type: format!("{ns}.Flight"),
    };
    assert_eq!(schema.key_of(&set), ["PlanItemId"]);
    // Open types and collection property types.
    let person = schema.entity_type(&format!("{ns}.Person")).unwrap();
    assert!(person.open);
    assert_eq!(
        person.property("Emails").unwrap().type_name,
        "Collection(Edm.String)"
    );
    assert_eq!(
        person.property("AddressInfo").unwrap().type_name,
        format!("Collection({ns}.Location)")
    );
    assert!(!person.property("UserName").unwrap().nullable);
}

#[test]
fn set_summaries_are_sorted_with_keys() {
    let schema = load("northwind4_simpleodata.xml");
    let summaries = schema.set_summaries();
    assert_eq!(summaries.len(), schema.entity_sets.len());
    let names: Vec<String> = summaries.iter().map(|s| s.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let customers = summaries.iter().find(|s| s.name == "Customers").unwrap();
    assert_eq!(customers.entity_type, "NorthwindModel.Customer");
    assert_eq!(customers.key, ["CustomerID"]);
}

#[test]
fn record_url_templates() {
    let dv = load("dataverse_v9_bcgov_embc_dfa_metadata_2022-07.xml");
    let nw = load("northwind4_simpleodata.xml");
    let table: [(&Schema, &str, &str, Option<&str>); 5] = [
        (
            &dv,
            "https://x/api/data/v9.2/",
            "accounts",
            Some("https://x/api/data/v9.2/accounts({accountid})"),
        ),
        (
            &dv,
            "https://x/api/data/v9.2",
            "accounts",
            Some("https://x/api/data/v9.2/accounts({accountid})"),
        ),
        (&dv, "https://x/api/data/v9.2/", "nosuchset", None),
        (
            &nw,
            "https://n/",
            "Order_Details",
            Some("https://n/Order_Details(OrderID={OrderID},ProductID={ProductID})"),
        ),
        (&nw, "https://n/", "customers", None), // set names are case-sensitive
    ];
    for (schema, service, set, want) in table {
        assert_eq!(schema.record_url(service, set).as_deref(), want, "{set}");
    }
}

#[test]
fn the_app_keeps_everything_but_properties_and_a_tenth_of_the_size() {
    for name in [
        "dataverse_v9_bcgov_embc_ess_2022-10.xml",
        "northwind4_simpleodata.xml",
    ] {
        let bytes = std::fs::read(csdl_dir().join(name)).unwrap();
        let full = csdl::parse_bytes(&bytes).unwrap();
        let kept = csdl::parse_for_app(&bytes).unwrap();
        assert!(kept
            .entity_types
            .iter()
            .all(|t| t.properties.is_empty() && t.navigation.is_empty()));
        // What the screens read is the same: sets with keys, record URLs, counts.
        assert_eq!(kept.set_summaries(), full.set_summaries(), "{name}");
        for set in &full.entity_sets {
            let url = "https://contoso.crm.dynamics.com/api/data/v9.2/";
            assert_eq!(
                kept.record_url(url, &set.name),
                full.record_url(url, &set.name)
            );
        }
        assert_eq!(kept.entity_types.len(), full.entity_types.len());
        assert_eq!(kept.namespaces, full.namespaces);
        assert_eq!(
            (
                kept.complex_type_count,
                kept.enum_type_count,
                kept.action_count,
                kept.function_count
            ),
            (
                full.complex_type_count,
                full.enum_type_count,
                full.action_count,
                full.function_count
            )
        );
        let size = |s: &Schema| serde_json::to_string(s).unwrap().len();
        if name.starts_with("dataverse") {
            assert!(
                size(&kept) * 10 < size(&full),
                "{} vs {}",
                size(&kept),
                size(&full)
            );
        }
    }
}

#[test]
fn schema_round_trips_through_json() {
    let schema = load("trippin_simpleodata.xml");
    let json = serde_json::to_string(&schema).unwrap();
    let back: Schema = serde_json::from_str(&json).unwrap();
    assert_eq!(schema, back);
}

const EDMX: &str = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM: &str = "http://docs.oasis-open.org/odata/ns/edm";

fn minimal(schema_body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="{EDMX}">
  <edmx:DataServices>
    <Schema Namespace="Test.Model" Alias="t" xmlns="{EDM}">
{schema_body}
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#
    )
}

#[test]
fn unknown_elements_and_annotations_are_skipped() {
    let xml = minimal(
        r#"      <Annotations Target="t.Thing"><Annotation Term="Core.Description" String="x"/></Annotations>
      <Term Name="Flag" Type="Edm.Boolean"/>
      <TypeDefinition Name="Money" UnderlyingType="Edm.Decimal"/>
      <x:Whatever xmlns:x="urn:other"><x:Deep/></x:Whatever>
      <EntityType Name="Thing">
        <Key><PropertyRef Name="Id"/></Key>
        <Property Name="Id" Type="Edm.Int32" Nullable="false"><Annotation Term="Core.Computed" Bool="true"/></Property>
        <Property Name="Price" Type="t.Money"/>
        <Unknown/>
      </EntityType>
      <Function Name="F"><ReturnType Type="Edm.String"/></Function>
      <Function Name="F"><Parameter Name="a" Type="Edm.Int32"/><ReturnType Type="Edm.String"/></Function>
      <Action Name="A"/>
      <EntityContainer Name="C">
        <EntitySet Name="Things" EntityType="t.Thing"><NavigationPropertyBinding Path="x" Target="y"/></EntitySet>
        <Singleton Name="Me" Type="t.Thing"/>
        <FunctionImport Name="F" Function="t.F"/>
        <ActionImport Name="A" Action="t.A"/>
      </EntityContainer>"#,
    );
    let schema = csdl::parse(&xml).unwrap();
    assert_eq!(schema.entity_types.len(), 1);
    assert_eq!(schema.entity_sets[0].entity_type, "Test.Model.Thing");
    assert_eq!(schema.function_count, 2);
    assert_eq!(schema.action_count, 1);
    let thing = &schema.entity_types[0];
    assert_eq!(thing.properties.len(), 2);
    assert_eq!(thing.properties[1].type_name, "Test.Model.Money");
    assert!(!thing.properties[0].nullable);
}

#[test]
fn prefixes_do_not_matter_only_namespaces() {
    let xml = format!(
        r#"<Edmx Version="4.0" xmlns="{EDMX}"><DataServices><e:Schema Namespace="N" xmlns:e="{EDM}"><e:EntityType Name="T"><e:Key><e:PropertyRef Name="k"/></e:Key></e:EntityType><e:EntityContainer Name="C"><e:EntitySet Name="Ts" EntityType="N.T"/></e:EntityContainer></e:Schema></DataServices></Edmx>"#
    );
    let schema = csdl::parse(&xml).unwrap();
    assert_eq!(schema.key_of(schema.find_set("Ts").unwrap()), ["k"]);
    // Elements with the right local names in the wrong namespace are not CSDL.
    let wrong = xml.replace(EDM, "urn:not-edm");
    assert!(matches!(
        csdl::parse(&wrong),
        Err(CsdlError::NotCsdl { .. })
    ));
}

#[test]
fn bom_is_accepted_in_str_and_bytes() {
    let xml = minimal("");
    let with_bom = format!("\u{feff}{xml}");
    assert!(csdl::parse(&with_bom).is_ok());
    assert!(csdl::parse_bytes(with_bom.as_bytes()).is_ok());
}

#[test]
fn malformed_xml_reports_line_and_column() {
    let xml = format!(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"{EDMX}\">\n  <edmx:DataServices>\n    <Schema></edmx:DataServices>\n</edmx:Edmx>"
    );
    match csdl::parse(&xml) {
        Err(CsdlError::Xml {
            line,
            column,
            message,
        }) => {
            assert_eq!(line, 3, "{message}");
            assert!(column > 1, "{message}");
            assert!(!message.contains(" at 3:"), "position repeated: {message}");
        }
        other => panic!("{other:?}"),
    }
    // Truncated download.
    let full = minimal("<EntityType Name=\"T\"/>");
    let cut = &full[..full.len() / 2];
    assert!(matches!(csdl::parse(cut), Err(CsdlError::Xml { .. })));
    assert!(matches!(csdl::parse(""), Err(CsdlError::Xml { .. })));
}

#[test]
fn non_csdl_documents_are_refused() {
    type Check = fn(&CsdlError) -> bool;
    let table: [(&str, Check); 5] = [
        ("<html><body>Sign in</body></html>", |e| {
            matches!(e, CsdlError::NotCsdl { found } if found.contains("html"))
        }),
        (
            "<service xmlns=\"http://www.w3.org/2007/app\"><workspace/></service>",
            |e| matches!(e, CsdlError::NotCsdl { found } if found.contains("service")),
        ),
        (
            "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"/>",
            |e| matches!(e, CsdlError::NotCsdl { found } if found.contains("DataServices")),
        ),
        (
            "<edmx:Edmx Version=\"1.0\" xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\"><edmx:DataServices/></edmx:Edmx>",
            |e| matches!(e, CsdlError::UnsupportedVersion { version } if version == "1.0"),
        ),
        (
            "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices/></edmx:Edmx>",
            |e| matches!(e, CsdlError::NotCsdl { .. }),
        ),
    ];
    for (xml, check) in table {
        let err = csdl::parse(xml).expect_err(xml);
        assert!(check(&err), "{xml}: {err:?}");
    }
}

#[test]
fn too_large_input_is_refused_before_parsing() {
    // Not UTF-8 and not XML: any parsing attempt would report something else.
    let bytes = vec![0xFFu8; MAX_METADATA_BYTES + 1];
    assert_eq!(
        csdl::parse_bytes(&bytes),
        Err(CsdlError::TooLarge {
            bytes: MAX_METADATA_BYTES + 1,
            limit: MAX_METADATA_BYTES
        })
    );
    let text = "x".repeat(MAX_METADATA_BYTES + 1);
    assert!(matches!(
        csdl::parse(&text),
        Err(CsdlError::TooLarge { .. })
    ));
    let at_limit = vec![0xFFu8; MAX_METADATA_BYTES];
    assert!(matches!(
        csdl::parse_bytes(&at_limit),
        Err(CsdlError::NotUtf8 { valid_up_to: 0 })
    ));
}

#[test]
fn doctype_and_entity_expansion_are_refused() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">&lol3;</edmx:Edmx>"#;
    assert_eq!(
        csdl::parse(billion_laughs),
        Err(CsdlError::Dtd { line: 2, column: 1 })
    );
    let external = "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>";
    assert!(matches!(csdl::parse(external), Err(CsdlError::Dtd { .. })));
}

#[test]
fn invalid_utf8_is_reported() {
    let mut bytes = minimal("").into_bytes();
    bytes.insert(60, 0xC3);
    bytes.insert(61, 0x28);
    assert!(matches!(
        csdl::parse_bytes(&bytes),
        Err(CsdlError::NotUtf8 { .. })
    ));
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        CsdlError::TooLarge { bytes: 2, limit: 1 },
        CsdlError::NotUtf8 { valid_up_to: 3 },
        CsdlError::Dtd { line: 1, column: 1 },
        CsdlError::Xml {
            message: "x".into(),
            line: 1,
            column: 2,
        },
        CsdlError::NotCsdl { found: "x".into() },
        CsdlError::UnsupportedVersion {
            version: "1.0".into(),
        },
    ];
    for e in errors {
        let s = e.to_string();
        assert!(s.starts_with(|c: char| c.is_lowercase()), "{s}");
    }
}
