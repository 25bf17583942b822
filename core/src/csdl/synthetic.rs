//! A made-up `$metadata` document shaped like Dataverse's, for warming up the parser.

/// A document with `entity_types` entity types and one entity set per type, with what real
/// documents have around them: an XML declaration, references, indentation, an alias, a second
/// schema, per-element namespace declarations, composite keys, referential constraints, complex
/// and enum types, actions, functions, imports and annotations. Each type has a key, 40
/// properties and a navigation property, and derives from one abstract base, as Dataverse's do
/// (about 3.2 KB per type).
///
/// The app parses one when the metadata page opens, here and in the parse worker: V8 compiles a
/// wasm function the first time it runs, and optimises it once it is hot, so each path of the
/// parser a real document takes should have run before the user's document arrives.
pub fn synthetic_document(entity_types: usize) -> String {
    let mut doc = String::with_capacity(entity_types * 3300 + 2000);
    doc.push_str(concat!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">"#,
        "\n  ",
        r#"<edmx:Reference Uri="http://vocabularies.odata.org/OData.Community.Keys.V1.xml"><edmx:Include Namespace="OData.Community.Keys.V1" Alias="Keys" /><edmx:IncludeAnnotations TermNamespace="OData.Community.Keys.V1" /></edmx:Reference>"#,
        "\n  <edmx:DataServices>\n    ",
        r#"<Schema Namespace="W" Alias="w" xmlns="http://docs.oasis-open.org/odata/ns/edm">"#,
        "\n      ",
        r#"<Term Name="Label" Type="Edm.String" /><EntityType Name="base" Abstract="true" />"#,
        "\n      ",
        r#"<ComplexType Name="address"><Property Name="city" Type="Edm.String" /><Property Name="zip" Type="Edm.String" /></ComplexType>"#,
        "\n      ",
        r#"<EnumType Name="state" UnderlyingType="Edm.Int32"><Member Name="active" Value="0" /><Member Name="inactive" Value="1" /></EnumType>"#,
        "\n      ",
        r#"<Function Name="whoami"><ReturnType Type="w.address" Nullable="false" /></Function>"#,
        "\n      ",
        r#"<Action Name="assign" IsBound="true"><Parameter Name="entity" Type="w.base" Nullable="false" /><Parameter Name="target" Type="Edm.String" /></Action>"#,
        "\n",
    ));
    for t in 0..entity_types {
        doc.push_str(&format!(
            "      <EntityType Name=\"t{t}\" BaseType=\"w.base\">\n        <Key>\n          <PropertyRef Name=\"p0\" />\n"
        ));
        if t % 2 == 1 {
            doc.push_str("          <PropertyRef Name=\"p1\" />\n");
        }
        doc.push_str("        </Key>\n");
        doc.push_str(r#"        <Property Name="p0" Type="Edm.Int32" Nullable="false" p5:StoreGeneratedPattern="Identity" xmlns:p5="http://schemas.microsoft.com/ado/2009/02/edm/annotation" />"#);
        doc.push('\n');
        for p in 1..40 {
            doc.push_str(&format!(
                "        <Property Name=\"p{p}\" Type=\"Edm.String\" MaxLength=\"100\" />\n"
            ));
        }
        doc.push_str(&format!(
            "        <NavigationProperty Name=\"n{t}\" Type=\"w.t{t}\" Nullable=\"false\"><ReferentialConstraint Property=\"p0\" ReferencedProperty=\"p0\" /></NavigationProperty>\n      </EntityType>\n"
        ));
    }
    doc.push_str("      <EntityContainer Name=\"c\">\n");
    for t in 0..entity_types {
        doc.push_str(&format!(
            "        <EntitySet Name=\"s{t}\" EntityType=\"w.t{t}\"><NavigationPropertyBinding Path=\"n{t}\" Target=\"s{t}\" /></EntitySet>\n"
        ));
    }
    doc.push_str(concat!(
        r#"        <FunctionImport Name="whoami" Function="w.whoami" /><ActionImport Name="assign" Action="w.assign" />"#,
        "\n      </EntityContainer>\n      ",
        r#"<Annotations Target="w.base"><Annotation Term="w.Label"><Record><PropertyValue Property="Text" String="Base" /><PropertyValue Property="Tags"><Collection><String>a</String></Collection></PropertyValue></Record></Annotation></Annotations>"#,
        "\n    </Schema>\n    ",
        r#"<Schema Namespace="Extra" xmlns="http://docs.oasis-open.org/odata/ns/edm"><ComplexType Name="note" OpenType="true" /></Schema>"#,
        "\n  </edmx:DataServices>\n</edmx:Edmx>\n",
    ));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warm-up is only worth something if the whole document parses: an error would stop the
    /// parser early and leave most of it cold.
    #[test]
    fn parses_whole_with_what_real_documents_have() {
        let doc = synthetic_document(3);
        let schema = super::super::parse(&doc).unwrap();
        assert_eq!(schema.entity_sets.len(), 3);
        assert_eq!(schema.entity_types.len(), 4);
        let sets = schema.set_summaries();
        let keys: Vec<usize> = sets.iter().map(|s| s.key.len()).collect();
        assert_eq!(keys, [1, 2, 1], "composite keys on odd types: {sets:?}");
        assert_eq!(schema.complex_type_count, 2);
        assert_eq!(schema.enum_type_count, 1);
        assert_eq!((schema.function_count, schema.action_count), (1, 1));
        assert_eq!(schema.entity_types[1].properties.len(), 40);
        // The two schemas and the referenced Keys vocabulary.
        assert_eq!(schema.namespaces.len(), 3);
        assert_eq!(schema.entity_types[1].navigation.len(), 1);
        let big = synthetic_document(250);
        assert!((750_000..850_000).contains(&big.len()), "{}", big.len());
        assert_eq!(
            super::super::parse_for_app(big.as_bytes())
                .unwrap()
                .entity_sets
                .len(),
            250
        );
    }
}
