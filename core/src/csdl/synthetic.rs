//! A made-up `$metadata` document shaped like Dataverse's, for warming up the parse worker.

/// A document with `entity_types` entity types (a key, 40 properties and a navigation property
/// each, all deriving from one abstract base, as Dataverse's do) and one entity set per type,
/// about 2.5 KB per type. The parse worker parses one when it starts, so the parser's hot paths
/// are optimised before the user's document arrives.
pub fn synthetic_document(entity_types: usize) -> String {
    let mut doc = String::with_capacity(entity_types * 2600 + 400);
    doc.push_str(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="W" Alias="w" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="base" Abstract="true" />"#,
    );
    for t in 0..entity_types {
        doc.push_str(&format!(
            r#"<EntityType Name="t{t}" BaseType="w.base"><Key><PropertyRef Name="p0" /></Key>"#
        ));
        for p in 0..40 {
            doc.push_str(&format!(
                r#"<Property Name="p{p}" Type="Edm.String" MaxLength="100" />"#
            ));
        }
        doc.push_str(&format!(
            r#"<NavigationProperty Name="n{t}" Type="w.t{t}" Nullable="false" /></EntityType>"#
        ));
    }
    doc.push_str(r#"<EntityContainer Name="c">"#);
    for t in 0..entity_types {
        doc.push_str(&format!(
            r#"<EntitySet Name="s{t}" EntityType="w.t{t}"><NavigationPropertyBinding Path="n{t}" Target="s{t}" /></EntitySet>"#
        ));
    }
    doc.push_str("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warm-up is only worth something if the whole document parses: an error would stop the
    /// parser early and leave most of it cold.
    #[test]
    fn parses_whole_with_every_set_keyed() {
        let doc = synthetic_document(3);
        let schema = super::super::parse(&doc).unwrap();
        assert_eq!(schema.entity_sets.len(), 3);
        assert_eq!(schema.entity_types.len(), 4);
        let sets = schema.set_summaries();
        assert!(sets.iter().all(|s| s.key == vec!["p0".to_string()]), "{sets:?}");
        assert_eq!(schema.entity_types[1].properties.len(), 40);
        assert_eq!(schema.entity_types[1].navigation.len(), 1);
        let big = synthetic_document(250);
        assert!((600_000..700_000).contains(&big.len()), "{}", big.len());
        assert_eq!(
            super::super::parse_for_app(big.as_bytes())
                .unwrap()
                .entity_sets
                .len(),
            250
        );
    }
}
