//! The streaming reader behind [`super::parse`]: one pass of quick-xml's namespace-aware reader
//! over the document, keeping only what [`Schema`] holds. No tree is built (a DOM of a 4 MB
//! Dataverse document is ~40 MB and most of the parse time), and nothing recurses, so nesting
//! depth costs a small frame per open element and never the stack.
//!
//! The whole document is read even when its root already shows it is not CSDL, so a malformed
//! document always reports the XML error (with its line and column) first, as a full parser would.

use super::{
    CsdlError, EntitySet, EntityType, NavigationProperty, Property, Schema, EDMX_NS, EDM_NS,
};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// The namespace of an element, reduced to what the parser distinguishes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Edmx,
    Edm,
    Other,
}

/// What an open element is, for the elements its children are read in.
#[derive(Clone, Copy)]
enum Frame {
    /// `edmx:Edmx`.
    Root,
    /// `edmx:Reference` (its `edmx:Include`s declare namespaces and aliases).
    Reference,
    /// The first `edmx:DataServices`.
    DataServices,
    /// A `Schema`, by index into the schemas read so far.
    Schema(usize),
    /// An `EntityType`: the last one of [`Schema::entity_types`].
    EntityType,
    /// The `Key` of the current entity type.
    Key,
    /// An `EntityContainer`.
    Container,
    /// Anything else: its subtree is only checked for well-formedness.
    Skip,
}

/// A `Namespace`/`Alias` pair as written, before aliases are resolved.
struct Declared {
    namespace: Option<String>,
    alias: Option<String>,
}

/// The parse state between events.
#[derive(Default)]
struct Builder {
    frames: Vec<Frame>,
    scopes: Scopes,
    members: Members,
    root_seen: bool,
    data_services_seen: bool,
    references: Vec<Declared>,
    schemas: Vec<Declared>,
    /// A reason the document is not (supported) CSDL, kept until the end of the document so that
    /// a malformed document reports its XML error instead.
    refused: Option<CsdlError>,
    out: Schema,
}

/// Whether the properties and navigation properties of entity types are read.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Members {
    /// Read them ([`super::parse`]).
    #[default]
    Keep,
    /// Skip them like unknown elements ([`super::parse_for_app`]).
    Skip,
}

/// Reads a whole document (BOM already stripped, size already checked) into a [`Schema`].
pub(super) fn read(xml: &str, members: Members) -> Result<Schema, CsdlError> {
    let mut reader = Reader::from_str(xml);
    let mut b = Builder {
        members,
        ..Builder::default()
    };
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| xml_error(xml, reader.error_position(), &e.to_string()))?;
        let fail = |message: &str| xml_error(xml, at, message);
        match event {
            Event::Start(e) => {
                if b.frames.len() >= super::MAX_XML_DEPTH {
                    return Err(fail(&format!(
                        "elements nested deeper than {} levels",
                        super::MAX_XML_DEPTH
                    )));
                }
                let frame = b.open(&e).map_err(|m| fail(&m))?;
                b.frames.push(frame);
            }
            Event::Empty(e) => {
                b.open(&e).map_err(|m| fail(&m))?;
                b.scopes.leave(b.frames.len());
            }
            Event::End(_) => {
                b.frames.pop();
                b.scopes.leave(b.frames.len());
            }
            Event::Text(t)
                if b.frames.is_empty() && !t.bytes().all(|c| c.is_ascii_whitespace()) =>
            {
                return Err(fail("text outside the root element"));
            }
            Event::CData(_) if b.frames.is_empty() => {
                return Err(fail("cdata outside the root element"));
            }
            Event::GeneralRef(r) => {
                check_reference(&r, b.frames.is_empty()).map_err(|m| fail(&m))?;
            }
            Event::DocType(_) => {
                let (line, column) = super::line_column(xml, at);
                return Err(CsdlError::Dtd { line, column });
            }
            Event::Eof => break,
            _ => {} // text and CDATA inside elements, comments, processing instructions, the declaration
        }
    }
    if !b.root_seen {
        return Err(xml_error(
            xml,
            xml.len(),
            "the document has no root element",
        ));
    }
    if !b.frames.is_empty() {
        let open = b.frames.len();
        return Err(xml_error(
            xml,
            xml.len(),
            &format!("unexpected end of the document: {open} element(s) not closed"),
        ));
    }
    b.finish()
}

/// The namespace declarations in scope (`xmlns`, `xmlns:p`), innermost last.
///
/// quick-xml's own resolver reads every attribute of every element to find them; CSDL declares
/// them on two or three elements, so attributes are only read where the raw text says `xmlns`
/// (half the parse time on Dataverse documents).
#[derive(Default)]
struct Scopes {
    /// (depth of the declaring element, prefix or "" for the default namespace, namespace).
    bindings: Vec<(usize, String, String)>,
}

/// The namespace bound to the `xml` prefix by the XML Namespaces recommendation.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

impl Scopes {
    /// Records the declarations of an element opened at `depth`.
    fn enter(&mut self, e: &BytesStart, depth: usize) -> Result<(), String> {
        if !e.attributes_raw().contains("xmlns") {
            return Ok(());
        }
        for attribute in e.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| e.to_string())?;
            let key = attribute.key.as_ref();
            let prefix = match key.strip_prefix("xmlns") {
                Some("") => "",
                Some(rest) => match rest.strip_prefix(':') {
                    Some(prefix) => prefix,
                    None => continue, // an attribute like `xmlnsfoo`
                },
                None => continue,
            };
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            self.bindings
                .push((depth, prefix.to_string(), value.into_owned()));
        }
        Ok(())
    }

    /// Drops the declarations of elements at `depth` and deeper (the element just closed).
    fn leave(&mut self, depth: usize) {
        while self.bindings.last().is_some_and(|(d, _, _)| *d >= depth) {
            self.bindings.pop();
        }
    }

    /// The namespace a prefix (`""` for none) stands for; `Ok(None)` for no namespace.
    fn resolve(&self, prefix: &str) -> Result<Option<&str>, String> {
        if prefix == "xml" {
            return Ok(Some(XML_NS));
        }
        match self.bindings.iter().rev().find(|(_, p, _)| p == prefix) {
            // `xmlns=""` undeclares the default namespace.
            Some((_, _, ns)) if ns.is_empty() && prefix.is_empty() => Ok(None),
            Some((_, _, ns)) => Ok(Some(ns)),
            None if prefix.is_empty() => Ok(None),
            None => Err(format!("unknown namespace prefix '{prefix}'")),
        }
    }

    /// The namespace of an element.
    fn element(&self, e: &BytesStart) -> Result<Option<&str>, String> {
        let name = e.name();
        self.resolve(name.prefix().as_ref().map_or("", |p| p.as_ref()))
    }
}

impl Builder {
    /// Handles an opening (or empty) element and says what it is.
    fn open(&mut self, e: &BytesStart) -> Result<Frame, String> {
        let depth = self.frames.len();
        self.scopes.enter(e, depth)?;
        let ns = match self.scopes.element(e)? {
            Some(EDMX_NS) => Ns::Edmx,
            Some(EDM_NS) => Ns::Edm,
            _ => Ns::Other,
        };
        let Some(&parent) = self.frames.last() else {
            return self.open_root(ns, e);
        };
        let scopes = &self.scopes;
        let name = e.local_name();
        let name = name.as_ref();
        let frame = match (parent, ns, name) {
            (Frame::Root, Ns::Edmx, "Reference") => {
                attributes(e, scopes, [])?;
                Frame::Reference
            }
            (Frame::Root, Ns::Edmx, "DataServices") if !self.data_services_seen => {
                attributes(e, scopes, [])?;
                self.data_services_seen = true;
                Frame::DataServices
            }
            (Frame::Reference, Ns::Edmx, "Include") => {
                let [namespace, alias] = attributes(e, scopes, ["Namespace", "Alias"])?;
                self.references.push(Declared { namespace, alias });
                Frame::Skip
            }
            (Frame::DataServices, Ns::Edm, "Schema") => {
                let [namespace, alias] = attributes(e, scopes, ["Namespace", "Alias"])?;
                self.schemas.push(Declared { namespace, alias });
                Frame::Schema(self.schemas.len() - 1)
            }
            (Frame::Schema(i), Ns::Edm, _) => self.open_in_schema(i, name, e)?,
            (Frame::EntityType, Ns::Edm, "Key") => {
                attributes(e, scopes, [])?;
                Frame::Key
            }
            (Frame::EntityType, Ns::Edm, "Property" | "NavigationProperty")
                if self.members == Members::Skip =>
            {
                Frame::Skip
            }
            (Frame::EntityType, Ns::Edm, "Property") => {
                let [name, ty, nullable] = attributes(e, scopes, ["Name", "Type", "Nullable"])?;
                if let (Some(name), Some(type_name), Some(t)) =
                    (name, ty, self.out.entity_types.last_mut())
                {
                    t.properties.push(Property {
                        name,
                        type_name,
                        nullable: nullable.as_deref() != Some("false"),
                    });
                }
                Frame::Skip
            }
            (Frame::EntityType, Ns::Edm, "NavigationProperty") => {
                let [name, ty] = attributes(e, scopes, ["Name", "Type"])?;
                if let (Some(name), Some(ty), Some(t)) =
                    (name, ty, self.out.entity_types.last_mut())
                {
                    let (target_type, collection) = match super::collection_element(&ty) {
                        Some(inner) => (inner.to_string(), true),
                        None => (ty, false),
                    };
                    t.navigation.push(NavigationProperty {
                        name,
                        target_type,
                        collection,
                    });
                }
                Frame::Skip
            }
            (Frame::Key, Ns::Edm, "PropertyRef") => {
                let [name] = attributes(e, scopes, ["Name"])?;
                if let (Some(name), Some(t)) = (name, self.out.entity_types.last_mut()) {
                    t.key.push(name);
                }
                Frame::Skip
            }
            (Frame::Container, Ns::Edm, "EntitySet") => {
                let [name, ty] = attributes(e, scopes, ["Name", "EntityType"])?;
                if let (Some(name), Some(entity_type)) = (name, ty) {
                    self.out.entity_sets.push(EntitySet { name, entity_type });
                }
                Frame::Skip
            }
            _ => Frame::Skip,
        };
        Ok(frame)
    }

    /// A direct child of a `Schema`.
    fn open_in_schema(
        &mut self,
        schema: usize,
        name: &str,
        e: &BytesStart,
    ) -> Result<Frame, String> {
        let scopes = &self.scopes;
        let counter = match name {
            "EntityType" => {
                let [name, base, open, is_abstract] =
                    attributes(e, scopes, ["Name", "BaseType", "OpenType", "Abstract"])?;
                let Some(name) = name else {
                    return Ok(Frame::Skip); // nameless: not a type anything can refer to
                };
                let namespace = self
                    .schemas
                    .get(schema)
                    .and_then(|s| s.namespace.clone())
                    .unwrap_or_default();
                self.out.entity_types.push(EntityType {
                    namespace,
                    name,
                    base_type: base,
                    key: Vec::new(),
                    properties: Vec::new(),
                    navigation: Vec::new(),
                    open: open.as_deref() == Some("true"),
                    is_abstract: is_abstract.as_deref() == Some("true"),
                });
                return Ok(Frame::EntityType);
            }
            "EntityContainer" => {
                attributes(e, scopes, [])?;
                return Ok(Frame::Container);
            }
            "ComplexType" => &mut self.out.complex_type_count,
            "EnumType" => &mut self.out.enum_type_count,
            "Action" => &mut self.out.action_count,
            "Function" => &mut self.out.function_count,
            _ => return Ok(Frame::Skip), // TypeDefinition, Term, Annotations, …: not needed
        };
        *counter += 1;
        Ok(Frame::Skip)
    }

    /// The root element: `edmx:Edmx` of OData v4, or the reason the document is refused.
    fn open_root(&mut self, ns: Ns, e: &BytesStart) -> Result<Frame, String> {
        if self.root_seen {
            return Err("more than one root element".to_string());
        }
        self.root_seen = true;
        let [version] = attributes(e, &self.scopes, ["Version"])?;
        let local = e.local_name().as_ref().to_string();
        let root_ns = self.scopes.element(e)?.map(str::to_string);
        self.refused = if super::OLD_EDMX_NS.contains(&root_ns.as_deref().unwrap_or("")) {
            Some(CsdlError::UnsupportedVersion {
                version: version.unwrap_or_else(|| root_ns.unwrap_or_default()),
            })
        } else if ns != Ns::Edmx || local != "Edmx" {
            Some(CsdlError::NotCsdl {
                found: match root_ns {
                    Some(ns) => format!("<{local}> in namespace {ns}"),
                    None => format!("<{local}>"),
                },
            })
        } else {
            version
                .filter(|v| !v.starts_with('4'))
                .map(|version| CsdlError::UnsupportedVersion { version })
        };
        Ok(if self.refused.is_some() {
            Frame::Skip
        } else {
            Frame::Root
        })
    }

    /// After the last event: the refusal kept for the end, the structure checks, and every type
    /// name with its alias resolved.
    fn finish(mut self) -> Result<Schema, CsdlError> {
        if let Some(refused) = self.refused {
            return Err(refused);
        }
        if !self.data_services_seen {
            return Err(CsdlError::NotCsdl {
                found: "edmx:Edmx without edmx:DataServices".to_string(),
            });
        }
        if self.schemas.is_empty() {
            return Err(CsdlError::NotCsdl {
                found: "edmx:DataServices without any Schema in the edm namespace".to_string(),
            });
        }
        // References first, then schemas, each namespace once: the first alias given wins.
        for declared in self.references.iter().chain(&self.schemas) {
            if let Some(ns) = &declared.namespace {
                super::push_namespace(&mut self.out.namespaces, ns, declared.alias.as_deref());
            }
        }
        let namespaces = &self.out.namespaces;
        for t in &mut self.out.entity_types {
            if let Some(base) = &mut t.base_type {
                super::resolve_in_place(namespaces, base);
            }
            for p in &mut t.properties {
                super::resolve_in_place(namespaces, &mut p.type_name);
            }
            for n in &mut t.navigation {
                super::resolve_in_place(namespaces, &mut n.target_type);
            }
        }
        for s in &mut self.out.entity_sets {
            super::resolve_in_place(namespaces, &mut s.entity_type);
        }
        Ok(self.out)
    }
}

/// Checks every attribute of an element (well-formed, no duplicate, every prefix declared) and
/// returns the values of the unprefixed attributes asked for, with references expanded and
/// whitespace normalised as XML requires.
fn attributes<const N: usize>(
    e: &BytesStart,
    scopes: &Scopes,
    wanted: [&str; N],
) -> Result<[Option<String>; N], String> {
    const NONE: Option<String> = None;
    let mut values = [NONE; N];
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = attribute.key;
        match key.prefix() {
            None => {
                if let Some(i) = wanted.iter().position(|w| *w == key.as_ref()) {
                    if values[i].is_some() {
                        return Err(format!("attribute '{}' given twice", wanted[i]));
                    }
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| e.to_string())?;
                    values[i] = Some(value.into_owned());
                }
            }
            Some(_) if key.as_namespace_binding().is_some() => {}
            Some(prefix) => {
                scopes.resolve(prefix.as_ref())?;
            }
        }
    }
    Ok(values)
}

/// A reference in text (`&name;`) must be one of XML's five or a character reference: a DTD
/// would be needed to declare any other, and DTDs are refused.
fn check_reference(r: &BytesRef, outside_root: bool) -> Result<(), String> {
    if outside_root {
        return Err("a reference outside the root element".to_string());
    }
    match r.resolve_char_ref() {
        Ok(Some(_)) => Ok(()),
        Ok(None) if matches!(r.as_ref(), "lt" | "gt" | "amp" | "apos" | "quot") => Ok(()),
        Ok(None) => Err(format!("unknown entity '&{};'", &**r)),
        Err(e) => Err(e.to_string()),
    }
}

fn xml_error(xml: &str, offset: impl TryInto<usize>, message: &str) -> CsdlError {
    let offset = offset.try_into().unwrap_or(usize::MAX).min(xml.len());
    // The offset can fall inside a multi-byte character: step back to its start.
    let offset = (0..=offset)
        .rev()
        .find(|&i| xml.is_char_boundary(i))
        .unwrap_or(0);
    let (line, column) = super::line_column(xml, offset);
    CsdlError::Xml {
        message: message.to_string(),
        line,
        column,
    }
}
