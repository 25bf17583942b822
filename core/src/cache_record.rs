//! The cached schema record (one per environment) and the diff shown on refresh.
//!
//! The browser cache (`src/services/cache.rs` in the app) stores, per environment service URL, a small
//! [`RecordMeta`] plus a **payload**: the [`Schema`] in a compact, string-interned form
//! ([`CompactSchema`]), serialised as JSON and compressed with DEFLATE. The round trip is lossless
//! (`decode_payload(encode_payload(s)) == s`), so a cached schema behaves exactly like a freshly
//! parsed one. For the real Dataverse documents the payload is about 3–4 % of the source XML
//! (budget: 10 %).
//!
//! Decoding never panics: a truncated, corrupted or foreign payload, an index out of range, or a
//! payload that would inflate past [`MAX_INFLATED_BYTES`] gives a [`RecordError`].

use crate::csdl::{EntitySet, EntityType, Namespace, NavigationProperty, Property, Schema};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The record format this build writes and reads. Records of any other format are discarded.
pub const FORMAT_VERSION: u32 = 2;

/// The first bytes of every payload: `DVWZ` and the format version.
const MAGIC: &[u8; 4] = b"DVWZ";

/// A payload never inflates past this (64 MB): protects against a corrupted or hostile record.
pub const MAX_INFLATED_BYTES: usize = 64 * 1024 * 1024;

/// DEFLATE level: 6 is zlib's default (good ratio, fast).
const LEVEL: u8 = 6;

/// Why a cached record cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The record was written by another format version.
    #[error("cached record has format {found}, this version reads format {expected}")]
    OldFormat {
        /// The format found in the record (0 when absent).
        found: u32,
        /// [`FORMAT_VERSION`].
        expected: u32,
    },
    /// The payload does not start with the expected header.
    #[error("cached record payload has no valid header")]
    BadHeader,
    /// DEFLATE data is corrupt or inflates past the limit.
    #[error("cached record payload cannot be decompressed: {0}")]
    Inflate(String),
    /// The inflated JSON does not have the compact schema's shape.
    #[error("cached record payload is not a compact schema: {0}")]
    Shape(String),
    /// A string index points outside the string table.
    #[error("cached record refers to string {index}, but only {len} are stored")]
    BadIndex {
        /// The index found.
        index: u32,
        /// Length of the string table.
        len: usize,
    },
    /// A record field other than the payload is missing or has the wrong type.
    #[error("cached record field `{0}` is missing or invalid")]
    Field(&'static str),
}

/// What is stored beside the payload: enough for the settings page without decoding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordMeta {
    /// The environment's service URL (`https://org.crm.dynamics.com/api/data/v9.2/`): the key.
    pub url: String,
    /// [`FORMAT_VERSION`] at the time of writing.
    pub format: u32,
    /// When the `$metadata` was fetched, in milliseconds since the Unix epoch.
    pub fetched_at_ms: f64,
    /// Size of the source XML in bytes.
    pub source_bytes: u64,
    /// Number of entity sets.
    pub entity_sets: u32,
    /// Size of the payload in bytes.
    pub record_bytes: u64,
}

impl RecordMeta {
    /// The metadata of a record for `schema`, whose payload is `payload`.
    pub fn new(
        url: &str,
        schema: &Schema,
        source_bytes: u64,
        payload: &[u8],
        fetched_at_ms: f64,
    ) -> Self {
        RecordMeta {
            url: url.to_string(),
            format: FORMAT_VERSION,
            fetched_at_ms,
            source_bytes,
            entity_sets: u32::try_from(schema.entity_sets.len()).unwrap_or(u32::MAX),
            record_bytes: payload.len() as u64,
        }
    }

    /// `Err(OldFormat)` unless the record is of this build's format.
    pub fn check_format(&self) -> Result<(), RecordError> {
        if self.format == FORMAT_VERSION {
            Ok(())
        } else {
            Err(RecordError::OldFormat {
                found: self.format,
                expected: FORMAT_VERSION,
            })
        }
    }
}

/// An entity type in compact form: every string is an index into [`CompactSchema::s`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactType {
    /// Namespace, name.
    pub n: (u32, u32),
    /// Base type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<u32>,
    /// Key property names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub k: Vec<u32>,
    /// Properties: name, type, nullable (1) or not (0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub p: Vec<(u32, u32, u8)>,
    /// Navigation properties: name, target type, collection (1) or not (0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub v: Vec<(u32, u32, u8)>,
    /// Bit 0: open type; bit 1: abstract.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub f: u8,
}

fn is_zero(f: &u8) -> bool {
    *f == 0
}

/// [`Schema`] with every string interned once in `s`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactSchema {
    /// The string table.
    pub s: Vec<String>,
    /// Namespaces: namespace, alias.
    pub n: Vec<(u32, Option<u32>)>,
    /// Entity types.
    pub t: Vec<CompactType>,
    /// Entity sets: name, entity type.
    pub e: Vec<(u32, u32)>,
    /// Complex types, enum types, actions, functions.
    pub c: [u64; 4],
}

#[derive(Default)]
struct Interner {
    strings: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

impl CompactSchema {
    /// The compact form of `schema`.
    pub fn from_schema(schema: &Schema) -> Self {
        let mut i = Interner::default();
        let n = schema
            .namespaces
            .iter()
            .map(|ns| (i.id(&ns.namespace), ns.alias.as_deref().map(|a| i.id(a))))
            .collect();
        let t = schema
            .entity_types
            .iter()
            .map(|t| CompactType {
                n: (i.id(&t.namespace), i.id(&t.name)),
                b: t.base_type.as_deref().map(|b| i.id(b)),
                k: t.key.iter().map(|k| i.id(k)).collect(),
                p: t.properties
                    .iter()
                    .map(|p| (i.id(&p.name), i.id(&p.type_name), u8::from(p.nullable)))
                    .collect(),
                v: t.navigation
                    .iter()
                    .map(|v| (i.id(&v.name), i.id(&v.target_type), u8::from(v.collection)))
                    .collect(),
                f: u8::from(t.open) | (u8::from(t.is_abstract) << 1),
            })
            .collect();
        let e = schema
            .entity_sets
            .iter()
            .map(|s| (i.id(&s.name), i.id(&s.entity_type)))
            .collect();
        CompactSchema {
            s: i.strings,
            n,
            t,
            e,
            c: [
                schema.complex_type_count as u64,
                schema.enum_type_count as u64,
                schema.action_count as u64,
                schema.function_count as u64,
            ],
        }
    }

    /// The full [`Schema`]; fails on any index outside the string table.
    pub fn to_schema(&self) -> Result<Schema, RecordError> {
        let s = |index: u32| -> Result<String, RecordError> {
            self.s
                .get(index as usize)
                .cloned()
                .ok_or(RecordError::BadIndex {
                    index,
                    len: self.s.len(),
                })
        };
        let namespaces = self
            .n
            .iter()
            .map(|&(ns, alias)| {
                Ok(Namespace {
                    namespace: s(ns)?,
                    alias: alias.map(s).transpose()?,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        let entity_types = self
            .t
            .iter()
            .map(|t| {
                Ok(EntityType {
                    namespace: s(t.n.0)?,
                    name: s(t.n.1)?,
                    base_type: t.b.map(s).transpose()?,
                    key: t.k.iter().map(|&k| s(k)).collect::<Result<_, _>>()?,
                    properties: t
                        .p
                        .iter()
                        .map(|&(name, ty, nullable)| {
                            Ok(Property {
                                name: s(name)?,
                                type_name: s(ty)?,
                                nullable: nullable != 0,
                            })
                        })
                        .collect::<Result<_, RecordError>>()?,
                    navigation: t
                        .v
                        .iter()
                        .map(|&(name, target, collection)| {
                            Ok(NavigationProperty {
                                name: s(name)?,
                                target_type: s(target)?,
                                collection: collection != 0,
                            })
                        })
                        .collect::<Result<_, RecordError>>()?,
                    open: t.f & 1 != 0,
                    is_abstract: t.f & 2 != 0,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        let entity_sets = self
            .e
            .iter()
            .map(|&(name, ty)| {
                Ok(EntitySet {
                    name: s(name)?,
                    entity_type: s(ty)?,
                })
            })
            .collect::<Result<_, RecordError>>()?;
        let count = |c: u64| usize::try_from(c).unwrap_or(usize::MAX);
        Ok(Schema {
            namespaces,
            entity_types,
            entity_sets,
            complex_type_count: count(self.c[0]),
            enum_type_count: count(self.c[1]),
            action_count: count(self.c[2]),
            function_count: count(self.c[3]),
        })
    }
}

/// The payload of a record: header, then the DEFLATE-compressed JSON of [`CompactSchema`].
pub fn encode_payload(schema: &Schema) -> Vec<u8> {
    let json = serde_json::to_vec(&CompactSchema::from_schema(schema))
        .expect("serialising plain structs to JSON cannot fail");
    let mut out = Vec::with_capacity(json.len() / 8 + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&json, LEVEL));
    out
}

/// Parses `$metadata` the way the app keeps it ([`crate::csdl::parse_for_app`]) and encodes its record:
/// what the parse worker does, so the page only decodes the record and stores the same bytes.
pub fn parse_to_payload(bytes: &[u8]) -> Result<(Schema, Vec<u8>), crate::csdl::CsdlError> {
    let schema = crate::csdl::parse_for_app(bytes)?;
    let payload = encode_payload(&schema);
    Ok((schema, payload))
}

/// The schema in a payload written by [`encode_payload`].
pub fn decode_payload(payload: &[u8]) -> Result<Schema, RecordError> {
    let (magic, rest) = payload.split_at_checked(4).ok_or(RecordError::BadHeader)?;
    if magic != MAGIC {
        return Err(RecordError::BadHeader);
    }
    let (version, body) = rest.split_at_checked(4).ok_or(RecordError::BadHeader)?;
    let version = u32::from_le_bytes(version.try_into().map_err(|_| RecordError::BadHeader)?);
    if version != FORMAT_VERSION {
        return Err(RecordError::OldFormat {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(body, MAX_INFLATED_BYTES)
        .map_err(|e| RecordError::Inflate(format!("{:?}", e.status)))?;
    let compact: CompactSchema =
        serde_json::from_slice(&json).map_err(|e| RecordError::Shape(e.to_string()))?;
    compact.to_schema()
}

/// "cached just now", "cached 5 minutes ago", "cached 3 days ago".
pub fn age_text(now_ms: f64, fetched_at_ms: f64) -> String {
    let secs = ((now_ms - fetched_at_ms) / 1000.0).max(0.0) as u64;
    let (n, unit) = match secs {
        0..=59 => return "cached just now".to_string(),
        60..=3_599 => (secs / 60, "minute"),
        3_600..=86_399 => (secs / 3_600, "hour"),
        86_400..=2_591_999 => (secs / 86_400, "day"),
        2_592_000..=31_535_999 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("cached {n} {unit}{plural} ago")
}

/// A property whose type changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retyped {
    /// Property name.
    pub name: String,
    /// Type in the cached schema.
    pub old_type: String,
    /// Type in the new schema.
    pub new_type: String,
}

/// An entity type present in both schemas whose declared properties differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeChange {
    /// Qualified type name.
    pub entity_type: String,
    /// Properties only in the new schema.
    pub added: Vec<String>,
    /// Properties only in the cached schema.
    pub removed: Vec<String>,
    /// Properties whose type changed.
    pub retyped: Vec<Retyped>,
}

/// What changed between the cached schema and a fresh one. Every list is sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchemaDiff {
    /// Entity sets only in the new schema.
    pub sets_added: Vec<String>,
    /// Entity sets only in the cached schema.
    pub sets_removed: Vec<String>,
    /// Entity sets whose entity type changed: set name.
    pub sets_retyped: Vec<String>,
    /// Entity types in both whose properties changed.
    pub types_changed: Vec<TypeChange>,
}

impl SchemaDiff {
    /// Whether nothing the wizard uses changed.
    pub fn is_empty(&self) -> bool {
        self.sets_added.is_empty()
            && self.sets_removed.is_empty()
            && self.sets_retyped.is_empty()
            && self.types_changed.is_empty()
    }

    /// One line: "2 entity sets added, 1 removed, 3 entity types changed" or "No changes".
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "No changes: the cached schema is up to date.".to_string();
        }
        let mut parts = Vec::new();
        let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
        if !self.sets_added.is_empty() {
            parts.push(format!("{} added", n(self.sets_added.len(), "entity set")));
        }
        if !self.sets_removed.is_empty() {
            parts.push(format!(
                "{} removed",
                n(self.sets_removed.len(), "entity set")
            ));
        }
        if !self.sets_retyped.is_empty() {
            parts.push(format!(
                "{} with a new type",
                n(self.sets_retyped.len(), "entity set")
            ));
        }
        if !self.types_changed.is_empty() {
            parts.push(format!(
                "{} with changed properties",
                n(self.types_changed.len(), "entity type")
            ));
        }
        let mut s = parts.join(", ");
        s.push('.');
        let mut chars = s.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => s,
        }
    }
}

/// The differences from `old` (cached) to `new` (just fetched).
pub fn diff(old: &Schema, new: &Schema) -> SchemaDiff {
    let sets = |s: &Schema| -> BTreeMap<String, String> {
        s.entity_sets
            .iter()
            .map(|e| (e.name.clone(), e.entity_type.clone()))
            .collect()
    };
    let (old_sets, new_sets) = (sets(old), sets(new));
    let sets_added = new_sets
        .keys()
        .filter(|k| !old_sets.contains_key(*k))
        .cloned()
        .collect();
    let sets_removed = old_sets
        .keys()
        .filter(|k| !new_sets.contains_key(*k))
        .cloned()
        .collect();
    let sets_retyped = old_sets
        .iter()
        .filter(|(k, t)| new_sets.get(*k).is_some_and(|n| n != *t))
        .map(|(k, _)| k.clone())
        .collect();

    let types = |s: &Schema| -> BTreeMap<String, BTreeMap<String, String>> {
        s.entity_types
            .iter()
            .map(|t| {
                (
                    t.qualified_name(),
                    t.properties
                        .iter()
                        .map(|p| (p.name.clone(), p.type_name.clone()))
                        .collect(),
                )
            })
            .collect()
    };
    let (old_types, new_types) = (types(old), types(new));
    let types_changed = old_types
        .iter()
        .filter_map(|(name, old_props)| {
            let new_props = new_types.get(name)?;
            let change = TypeChange {
                entity_type: name.clone(),
                added: new_props
                    .keys()
                    .filter(|p| !old_props.contains_key(*p))
                    .cloned()
                    .collect(),
                removed: old_props
                    .keys()
                    .filter(|p| !new_props.contains_key(*p))
                    .cloned()
                    .collect(),
                retyped: old_props
                    .iter()
                    .filter_map(|(p, old_type)| {
                        let new_type = new_props.get(p)?;
                        (new_type != old_type).then(|| Retyped {
                            name: p.clone(),
                            old_type: old_type.clone(),
                            new_type: new_type.clone(),
                        })
                    })
                    .collect(),
            };
            let changed = !(change.added.is_empty()
                && change.removed.is_empty()
                && change.retyped.is_empty());
            changed.then_some(change)
        })
        .collect();
    SchemaDiff {
        sets_added,
        sets_removed,
        sets_retyped,
        types_changed,
    }
}
