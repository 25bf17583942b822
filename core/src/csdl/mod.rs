//! OData v4 `$metadata` (CSDL XML) parser into an owned, compact [`Schema`].
//!
//! The parser reads the document in one streaming pass (quick-xml, see `read.rs`), matching every
//! element by its namespace-qualified name (EDMX `http://docs.oasis-open.org/odata/ns/edmx`, EDM
//! `http://docs.oasis-open.org/odata/ns/edm`), so prefixes do not matter. No tree is built. Only
//! what the wizard needs is kept: entity types with keys, properties and navigation properties,
//! entity sets, and counts of complex types, enum types, actions and functions. Every type
//! reference is stored fully qualified with aliases resolved (Dataverse writes `mscrm.account` for
//! `Microsoft.Dynamics.CRM.account`).
//!
//! Unknown elements and annotations are skipped, never fatal. Documents with a DTD are refused
//! (no entity expansion), inputs above [`MAX_METADATA_BYTES`] are refused before parsing, and
//! nesting deeper than [`MAX_XML_DEPTH`] is an error. The reader checks what a well-formed
//! document needs (matching end tags, one root, declared prefixes and entities) but, for speed,
//! not the attributes of elements it skips.

use serde::{Deserialize, Serialize};

mod filter;
mod read;
mod synthetic;
pub use filter::{around_match, filter_sets, SetSearch};
pub use synthetic::synthetic_document;

/// The EDMX (envelope) namespace of OData v4 CSDL.
pub const EDMX_NS: &str = "http://docs.oasis-open.org/odata/ns/edmx";
/// The EDM (schema) namespace of OData v4 CSDL.
pub const EDM_NS: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// EDMX namespaces of OData v1–v3 (`2007/06`) and of the v3 `2009/11` drafts: recognised only to
/// say that the service is not OData v4.
const OLD_EDMX_NS: &[&str] = &[
    "http://schemas.microsoft.com/ado/2007/06/edmx",
    "http://schemas.microsoft.com/ado/2009/11/edmx",
];

/// The largest `$metadata` document accepted: 32 MB.
///
/// Real Dataverse documents are 3–10 MB (about 4 MB for a fresh environment, 7–10 MB with
/// Dynamics 365 apps installed), so 32 MB leaves room for heavily customised environments while
/// refusing anything that would keep a browser tab (or its parse worker) busy for seconds.
pub const MAX_METADATA_BYTES: usize = 32 * 1024 * 1024;

/// How deeply elements may nest. Real `$metadata` documents nest about 10 levels (annotation
/// records inside annotations a few more); a document nesting thousands of levels is hostile and
/// is refused with an error, in constant stack (the reader does not recurse).
pub const MAX_XML_DEPTH: usize = 1024;

/// Why a `$metadata` document could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsdlError {
    /// The document is larger than the limit; it was not parsed.
    #[error("metadata document is {bytes} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit in force ([`MAX_METADATA_BYTES`]).
        limit: usize,
    },
    /// The bytes are not valid UTF-8.
    #[error("metadata document is not valid utf-8 (first bad byte at offset {valid_up_to})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        valid_up_to: usize,
    },
    /// The document contains a DTD (`<!DOCTYPE …>`), which is refused to rule out entity
    /// expansion attacks; real OData services never send one.
    #[error("metadata document contains a dtd (<!DOCTYPE …> at line {line}, column {column}), which is refused")]
    Dtd {
        /// 1-based line of the DOCTYPE (1 when unknown).
        line: u32,
        /// 1-based column of the DOCTYPE (1 when unknown).
        column: u32,
    },
    /// The text is not well-formed XML.
    #[error("malformed xml at line {line}, column {column}: {message}")]
    Xml {
        /// What the XML parser reported.
        message: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// Well-formed XML, but not an OData v4 CSDL document.
    #[error("not an odata csdl document: found {found}")]
    NotCsdl {
        /// What was found instead (the root element, or what is missing).
        found: String,
    },
    /// An EDMX document of an older OData version (v1–v3).
    #[error("odata version {version} metadata; only odata v4 is supported")]
    UnsupportedVersion {
        /// The `Version` attribute, or the envelope namespace when absent.
        version: String,
    },
}

/// A schema namespace declared by the document (or by an `edmx:Include` reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// The namespace, e.g. `Microsoft.Dynamics.CRM`.
    pub namespace: String,
    /// Its alias, e.g. `mscrm`.
    pub alias: Option<String>,
}

/// A structural property of an entity type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// Property name (case-sensitive).
    pub name: String,
    /// `Edm.Guid`, or a fully qualified type with alias resolved; `Collection(…)` is kept around
    /// the resolved element type.
    pub type_name: String,
    /// `Nullable` attribute; absent means `true`.
    pub nullable: bool,
}

/// A navigation property of an entity type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavigationProperty {
    /// Navigation property name.
    pub name: String,
    /// The fully qualified target entity type (without `Collection(…)`).
    pub target_type: String,
    /// Whether the type was `Collection(…)`.
    pub collection: bool,
}

/// An entity type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityType {
    /// The namespace of the schema that declares it.
    pub namespace: String,
    /// The unqualified name, e.g. `account`.
    pub name: String,
    /// Fully qualified base type, alias resolved.
    pub base_type: Option<String>,
    /// Names of the key properties declared on this type (empty when inherited).
    pub key: Vec<String>,
    /// Structural properties declared on this type (not inherited ones).
    pub properties: Vec<Property>,
    /// Navigation properties declared on this type.
    pub navigation: Vec<NavigationProperty>,
    /// `OpenType="true"`.
    pub open: bool,
    /// `Abstract="true"`.
    pub is_abstract: bool,
}

impl EntityType {
    /// `{namespace}.{name}`.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }

    /// The declared property with this name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// An entity set of the entity container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySet {
    /// The set name used in URLs, e.g. `accounts`.
    pub name: String,
    /// The fully qualified entity type, alias resolved.
    pub entity_type: String,
}

/// An entity set as shown in the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetSummary {
    /// The set name.
    pub name: String,
    /// Its fully qualified entity type.
    pub entity_type: String,
    /// Its key properties (walking base types).
    pub key: Vec<String>,
}

/// The parsed, owned model of a `$metadata` document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// Namespaces declared by the document's schemas and references.
    pub namespaces: Vec<Namespace>,
    /// All entity types, in document order.
    pub entity_types: Vec<EntityType>,
    /// All entity sets of all entity containers, in document order.
    pub entity_sets: Vec<EntitySet>,
    /// Number of `ComplexType` elements.
    pub complex_type_count: usize,
    /// Number of `EnumType` elements.
    pub enum_type_count: usize,
    /// Number of `Action` elements (overloads counted separately; imports not counted).
    pub action_count: usize,
    /// Number of `Function` elements (overloads counted separately; imports not counted).
    pub function_count: usize,
}

/// How many base types a key lookup follows before giving up (cycles, hostile chains); real
/// Dataverse chains are about 3 deep.
pub const MAX_BASE_DEPTH: usize = 64;

impl Schema {
    /// Replaces a leading alias in a qualified name by its namespace
    /// (`mscrm.account` → `Microsoft.Dynamics.CRM.account`); also inside `Collection(…)`.
    pub fn resolve_alias(&self, qualified: &str) -> String {
        resolve_with(&self.namespaces, qualified)
    }

    /// The entity type with this qualified name; alias-qualified names are accepted too.
    pub fn entity_type(&self, qualified: &str) -> Option<&EntityType> {
        let resolved = self.resolve_alias(qualified);
        let (ns, name) = split_qualified(&resolved)?;
        self.entity_types
            .iter()
            .find(|t| t.name == name && t.namespace == ns)
    }

    /// The key of a set's entity type, walking base types until a type declares a key.
    ///
    /// Dataverse declares keys on each derived type (`account` → `accountid`) under a key-less
    /// abstract `crmbaseentity`; other services declare the key on a base type. Both work.
    /// Empty when no key is found (unknown type, key-less hierarchy, or a base-type cycle).
    pub fn key_of(&self, set: &EntitySet) -> Vec<String> {
        self.key_of_type(&set.entity_type)
    }

    /// The key of an entity type (qualified or alias-qualified), walking base types.
    pub fn key_of_type(&self, qualified: &str) -> Vec<String> {
        self.walk_key(qualified, |q| self.entity_type(q))
    }

    /// Walks at most [`MAX_BASE_DEPTH`] base types (real chains are about 3 deep), so a cycle or
    /// a hostile chain costs a bounded number of lookups.
    fn walk_key<'a>(
        &'a self,
        qualified: &str,
        lookup: impl Fn(&str) -> Option<&'a EntityType>,
    ) -> Vec<String> {
        let mut current = lookup(qualified);
        for _ in 0..MAX_BASE_DEPTH {
            match current {
                Some(t) if !t.key.is_empty() => return t.key.clone(),
                Some(t) => current = t.base_type.as_deref().and_then(&lookup),
                None => break,
            }
        }
        Vec::new()
    }

    /// The entity set with exactly this name (set names are case-sensitive).
    pub fn find_set(&self, name: &str) -> Option<&EntitySet> {
        self.entity_sets.iter().find(|s| s.name == name)
    }

    /// Entity sets sorted by name with their keys, for the picker.
    pub fn set_summaries(&self) -> Vec<SetSummary> {
        // One index for all sets: linear lookups per set would make this quadratic.
        let index: std::collections::HashMap<String, &EntityType> = self
            .entity_types
            .iter()
            .map(|t| (t.qualified_name(), t))
            .collect();
        let lookup = |q: &str| index.get(self.resolve_alias(q).as_str()).copied();
        let mut out: Vec<SetSummary> = self
            .entity_sets
            .iter()
            .map(|s| SetSummary {
                name: s.name.clone(),
                entity_type: s.entity_type.clone(),
                key: self.walk_key(&s.entity_type, lookup),
            })
            .collect();
        out.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }

    /// A record URL template `{service_url}{set}({key})` with the key as a placeholder, e.g.
    /// `https://x/api/data/v9.2/accounts({accountid})`. A composite key gives
    /// `Order_Details(OrderID={OrderID},ProductID={ProductID})`. A missing trailing slash on
    /// `service_url` is added. `None` when the set is unknown or has no key.
    pub fn record_url(&self, service_url: &str, set: &str) -> Option<String> {
        let entity_set = self.find_set(set)?;
        let key = self.key_of(entity_set);
        let key_part = match key.as_slice() {
            [] => return None,
            [single] => format!("{{{single}}}"),
            many => many
                .iter()
                .map(|k| format!("{k}={{{k}}}"))
                .collect::<Vec<_>>()
                .join(","),
        };
        let sep = if service_url.ends_with('/') { "" } else { "/" };
        Some(format!("{service_url}{sep}{}({key_part})", entity_set.name))
    }

    /// Total number of navigation properties over all entity types.
    pub fn navigation_count(&self) -> usize {
        self.entity_types.iter().map(|t| t.navigation.len()).sum()
    }
}

/// Parses a document into what the app keeps: sets, types with their keys and base types,
/// namespaces and counts, but no properties or navigation properties (they are not read). No
/// screen shows them, and they are nine tenths of a Dataverse schema: the parse itself, the
/// worker's answer, its decoding on the page, and the cache record all shrink by as much.
pub fn parse_for_app(bytes: &[u8]) -> Result<Schema, CsdlError> {
    read::read(text_of(bytes)?, read::Members::Skip)
}

/// Parses a `$metadata` document from bytes: size check first, then UTF-8 (a BOM is accepted).
pub fn parse_bytes(bytes: &[u8]) -> Result<Schema, CsdlError> {
    read::read(text_of(bytes)?, read::Members::Keep)
}

/// Parses a `$metadata` document (a leading BOM is accepted).
pub fn parse(xml: &str) -> Result<Schema, CsdlError> {
    check_size(xml.len())?;
    read::read(without_bom(xml), read::Members::Keep)
}

/// The document's text: size check first, then UTF-8, without a leading BOM.
fn text_of(bytes: &[u8]) -> Result<&str, CsdlError> {
    check_size(bytes.len())?;
    let text = std::str::from_utf8(bytes).map_err(|e| CsdlError::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    Ok(without_bom(text))
}

fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn check_size(bytes: usize) -> Result<(), CsdlError> {
    if bytes > MAX_METADATA_BYTES {
        Err(CsdlError::TooLarge {
            bytes,
            limit: MAX_METADATA_BYTES,
        })
    } else {
        Ok(())
    }
}

fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map(|i| before[i + 1..].chars().count())
        .unwrap_or_else(|| before.chars().count())
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

fn push_namespace(list: &mut Vec<Namespace>, ns: &str, alias: Option<&str>) {
    if list.iter().any(|n| n.namespace == ns) {
        return;
    }
    list.push(Namespace {
        namespace: ns.to_string(),
        alias: alias.filter(|a| !a.is_empty()).map(str::to_string),
    });
}

fn split_qualified(qualified: &str) -> Option<(&str, &str)> {
    qualified.rsplit_once('.')
}

fn resolve_with(namespaces: &[Namespace], qualified: &str) -> String {
    resolved(namespaces, qualified).unwrap_or_else(|| qualified.to_string())
}

/// Resolves a leading alias in place; the string is left untouched (no allocation) when it has none.
fn resolve_in_place(namespaces: &[Namespace], qualified: &mut String) {
    if let Some(r) = resolved(namespaces, qualified) {
        *qualified = r;
    }
}

/// The element type inside `Collection(…)`, or `None` when `ty` is not a collection.
fn collection_element(ty: &str) -> Option<&str> {
    ty.strip_prefix("Collection(")
        .and_then(|s| s.strip_suffix(')'))
}

/// `qualified` with a leading alias replaced by its namespace (also inside `Collection(…)`), or
/// `None` when no alias applies.
fn resolved(namespaces: &[Namespace], qualified: &str) -> Option<String> {
    if let Some(inner) = collection_element(qualified) {
        return resolved(namespaces, inner).map(|inner| format!("Collection({inner})"));
    }
    let (prefix, name) = split_qualified(qualified)?;
    let ns = namespaces
        .iter()
        .find(|n| n.alias.as_deref() == Some(prefix))?;
    Some(format!("{}.{name}", ns.namespace))
}
