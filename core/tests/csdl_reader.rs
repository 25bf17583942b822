//! What the streaming `$metadata` reader decides itself, where a DOM parser used to: namespace
//! scopes, well-formedness outside and inside the root, where each element counts, and which
//! error a broken or foreign document gets. Fixture documents: `csdl.rs`; hostile input:
//! `hostile.rs`.

use wizard_core::csdl::{self, CsdlError, Schema};

const EDMX: &str = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// A v4 document: `before` inside edmx:Edmx ahead of DataServices, `schema` as the schema body.
fn doc(before: &str, schema: &str) -> String {
    format!(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="{EDMX}">{before}<edmx:DataServices><Schema Namespace="N" Alias="a" xmlns="{EDM}">{schema}</Schema></edmx:DataServices></edmx:Edmx>"#
    )
}

fn parse(xml: &str) -> Schema {
    csdl::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

/// The names of the schema's entity types, in document order.
fn type_names(schema: &Schema) -> Vec<&str> {
    schema
        .entity_types
        .iter()
        .map(|t| t.name.as_str())
        .collect()
}

/// The message and position of an XML error.
fn xml_error(xml: &str) -> (String, u32, u32) {
    match csdl::parse(xml) {
        Err(CsdlError::Xml {
            message,
            line,
            column,
        }) => (message, line, column),
        other => panic!("expected an XML error, got {other:?} for {xml}"),
    }
}

const THING: &str = r#"<EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid"/></EntityType>"#;

#[test]
fn a_namespace_declared_on_an_element_ends_with_it() {
    // The default namespace is EDM on Schema; an inner element redeclares it, and its sibling
    // after it is back in EDM.
    let body = format!(
        r#"<Annotations xmlns="urn:other"><EntityType Name="Hidden"/></Annotations>{THING}<EntityContainer Name="C"><EntitySet Name="ts" EntityType="a.T"/></EntityContainer>"#
    );
    let schema = parse(&doc("", &body));
    let types = type_names(&schema);
    assert_eq!(types, ["T"]);
    assert_eq!(schema.key_of(&schema.entity_sets[0]), ["id"]);

    // An empty element's declaration ends with it too.
    let body = format!(r#"<Term Name="x" xmlns="urn:other"/>{THING}"#);
    assert_eq!(parse(&doc("", &body)).entity_types.len(), 1);

    // xmlns="" takes the default namespace away: a Schema without one is not EDM.
    let xml = doc("", THING).replace(&format!(r#"xmlns="{EDM}""#), r#"xmlns="""#);
    assert!(matches!(
        csdl::parse(&xml),
        Err(CsdlError::NotCsdl { found }) if found.contains("without any Schema")
    ));
}

#[test]
fn prefixes_must_be_declared_except_xml() {
    let xml = doc("", "<x:Thing/>");
    let (message, line, column) = xml_error(&xml);
    assert!(
        message.contains("unknown namespace prefix 'x'"),
        "{message}"
    );
    // At the element (the document is one line).
    let at = xml.find("<x:Thing").map(|i| i as u32 + 1);
    assert_eq!((line, Some(column)), (1, at));
    // On an element the reader keeps (the attributes of skipped ones are not read, for speed).
    let (message, ..) = xml_error(&doc("", r#"<EntityType Name="t" y:z="1"/>"#));
    assert!(
        message.contains("unknown namespace prefix 'y'"),
        "{message}"
    );
    // xml: is always bound, and an attribute that only starts with "xmlns" declares nothing.
    let body = format!(r#"<Term Name="t" xml:lang="en" xmlnsfoo="x"/>{THING}"#);
    assert_eq!(parse(&doc("", &body)).entity_types.len(), 1);
}

#[test]
fn only_markup_may_stand_outside_the_root() {
    let good = doc("", THING);
    // Comments, processing instructions and blanks are fine around the root.
    assert!(csdl::parse(&format!("<!-- c -->\n<?pi x?>\n{good}\n<!-- end -->\n")).is_ok());
    // Inside the root, CDATA is just text.
    let cdata =
        format!("<Annotation Term=\"x\"><String><![CDATA[<a>]]></String></Annotation>{THING}");
    assert_eq!(parse(&doc("", &cdata)).entity_types.len(), 1);
    for (outside, problem) in [
        ("text", "text outside the root element"),
        ("<![CDATA[x]]>", "cdata outside the root element"),
        ("&amp;", "a reference outside the root element"),
        ("<again/>", "more than one root element"),
    ] {
        let (message, ..) = xml_error(&format!("{good}{outside}"));
        assert!(message.contains(problem), "{outside}: {message}");
    }
}

#[test]
fn references_in_text_must_be_xml_or_character_references() {
    let body = |text: &str| {
        format!(
            r#"<Annotation Term="Core.Description"><String>{text}</String></Annotation>{THING}"#
        )
    };
    for ok in ["a &lt; b &amp; c &gt; d &quot;&apos;", "&#65;&#x42;"] {
        assert_eq!(parse(&doc("", &body(ok))).entity_types.len(), 1, "{ok}");
    }
    let (message, ..) = xml_error(&doc("", &body("&nbsp;")));
    assert!(message.contains("unknown entity '&nbsp;'"), "{message}");
    let (message, ..) = xml_error(&doc("", &body("&#xZZ;")));
    assert!(!message.is_empty());
}

#[test]
fn an_attribute_the_reader_keeps_may_be_given_once() {
    let body = r#"<EntityType Name="T" Name="U"/>"#;
    let (message, ..) = xml_error(&doc("", body));
    assert!(message.contains("'Name' given twice"), "{message}");
    // Attribute values are normalised as XML says: references expanded, tabs and newlines
    // turned into spaces.
    let body = "<EntityType Name=\"A&amp;B\tC\"><Key><PropertyRef Name=\"k\"/></Key></EntityType>";
    assert_eq!(parse(&doc("", body)).entity_types[0].name, "A&B C");
}

#[test]
fn each_element_counts_only_where_csdl_puts_it() {
    let body = format!(
        r#"{THING}
        <EntityType><Property Name="orphan" Type="Edm.String"/></EntityType>
        <EntityType Name="Partial"><Property Name="no-type"/><Property Type="Edm.String"/><NavigationProperty Name="no-type"/><Key><PropertyRef/></Key></EntityType>
        <EntityType Name="Nav"><NavigationProperty Name="many" Type="Collection(a.T)"/><NavigationProperty Name="one" Type="a.T"/>
          <Annotation Term="x"><Record><PropertyValue Property="p"><EntityType Name="Nested"/></PropertyValue></Record></Annotation></EntityType>
        <ComplexType Name="C1"><ComplexType Name="Inner"/></ComplexType><EnumType Name="E1"/><EnumType Name="E2"/>
        <Action Name="A1"/><Function Name="F1"/><Function Name="F1"/>
        <EntityContainer Name="C"><EntitySet Name="ts" EntityType="a.T"/><EntitySet Name="no-type"/><EntitySet EntityType="a.T"/>
          <FunctionImport Name="F1" Function="a.F1"/></EntityContainer>"#
    );
    let schema = parse(&doc("", &body));
    let names = type_names(&schema);
    assert_eq!(
        names,
        ["T", "Partial", "Nav"],
        "a nameless type is dropped with its children"
    );
    let partial = &schema.entity_types[1];
    assert!(
        partial.properties.is_empty() && partial.navigation.is_empty() && partial.key.is_empty()
    );
    let nav = &schema.entity_types[2].navigation;
    assert_eq!(
        nav.iter()
            .map(|n| (n.name.as_str(), n.target_type.as_str(), n.collection))
            .collect::<Vec<_>>(),
        [("many", "N.T", true), ("one", "N.T", false)]
    );
    assert_eq!(schema.navigation_count(), 2);
    assert_eq!(
        (schema.complex_type_count, schema.enum_type_count),
        (1, 2),
        "a complex type inside another is not a schema's"
    );
    assert_eq!((schema.action_count, schema.function_count), (1, 2));
    assert_eq!(schema.entity_sets.len(), 1);
}

#[test]
fn only_the_first_data_services_is_read_and_references_count_wherever_they_stand() {
    let xml = format!(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="{EDMX}"><edmx:DataServices><Schema Namespace="N" xmlns="{EDM}">{THING}<EntityContainer Name="C"><EntitySet Name="ts" EntityType="m.T"/></EntityContainer></Schema></edmx:DataServices><edmx:DataServices><Schema Namespace="Second" xmlns="{EDM}">{THING}</Schema></edmx:DataServices><edmx:Reference Uri="x"><edmx:Include Namespace="N" Alias="m"/></edmx:Reference></edmx:Edmx>"#
    );
    let schema = parse(&xml);
    assert_eq!(schema.entity_types.len(), 1);
    assert_eq!(schema.entity_sets[0].entity_type, "N.T");
    assert_eq!(schema.namespaces.len(), 1, "{:?}", schema.namespaces);
    assert_eq!(schema.namespaces[0].alias.as_deref(), Some("m"));
}

#[test]
fn the_root_decides_between_csdl_an_older_odata_and_something_else() {
    let v = |version: &str| {
        doc("", THING).replacen(r#"Version="4.0""#, &format!(r#"Version="{version}""#), 1)
    };
    assert!(csdl::parse(&v("4.01")).is_ok());
    assert_eq!(
        csdl::parse(&v("3.0")),
        Err(CsdlError::UnsupportedVersion {
            version: "3.0".into()
        })
    );
    let old_ns = "http://schemas.microsoft.com/ado/2009/11/edmx";
    assert_eq!(
        csdl::parse(&format!(r#"<edmx:Edmx xmlns:edmx="{old_ns}"/>"#)),
        Err(CsdlError::UnsupportedVersion {
            version: old_ns.into()
        })
    );
    // xmlns="" is no namespace at all.
    assert_eq!(
        csdl::parse(r#"<html xmlns=""><body/></html>"#),
        Err(CsdlError::NotCsdl {
            found: "<html>".into()
        })
    );
    assert_eq!(
        csdl::parse("<html><body/></html>"),
        Err(CsdlError::NotCsdl {
            found: "<html>".into()
        })
    );
    assert_eq!(
        csdl::parse(&format!(r#"<Edmx xmlns="{EDM}"/>"#)),
        Err(CsdlError::NotCsdl {
            found: format!("<Edmx> in namespace {EDM}")
        })
    );
    // A broken document is reported as broken even when its root already shows it is not CSDL.
    let (message, ..) = xml_error("<html><body></html>");
    assert!(!message.is_empty());
}

#[test]
fn errors_point_at_the_line_and_character() {
    let xml = "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"urn:x\">\n  <a>\n    <b></a>\n</edmx:Edmx>";
    let (_, line, column) = xml_error(xml);
    assert_eq!(line, 3);
    assert!(column > 4, "{column}");
    // Counted in characters, not bytes.
    let (_, line, column) = xml_error("<é>\n<ü>&nope;</ü></é>");
    assert_eq!((line, column), (2, 4));
    // The end of a truncated document.
    let (message, line, column) = xml_error("<a>\n<b>");
    assert!(message.contains("2 element(s) not closed"), "{message}");
    assert_eq!((line, column), (2, 4));
    let (message, line, column) = xml_error("   ");
    assert!(message.contains("no root element"), "{message}");
    assert_eq!((line, column), (1, 4));
}
