//! `EntityDefinitions`: table definitions with their privileges, so a client can learn which
//! privilege guards a table instead of guessing `prvRead{Name}` (Microsoft's names follow the
//! schema name, with exceptions such as `annotation` → `prvReadNote`).
//!
//! The known system tables come first ([`KNOWN_TABLES`]); any other entity set of the served
//! `$metadata` is a user-owned table whose schema name is its entity type's name capitalised.

use super::{does_not_exist, odata_error, odata_json, ODataQuery};
use crate::paging::Paging;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

/// `OwnershipType` of a table: which depths and privileges it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    User,
    Business,
    Organization,
}

/// A table definition (the properties the sandbox answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub logical: String,
    pub schema: String,
    pub set: String,
    pub ownership: Ownership,
    pub otc: u32,
    /// What privilege names end with (`Note` for `annotation`).
    pub suffix: String,
}

/// A known table: (logical name, schema name, entity set, ownership, object type code, suffix).
pub struct KnownTable(
    &'static str,
    &'static str,
    &'static str,
    Ownership,
    u32,
    &'static str,
);

pub const KNOWN_TABLES: &[KnownTable] = &[
    KnownTable(
        "account",
        "Account",
        "accounts",
        Ownership::User,
        1,
        "Account",
    ),
    KnownTable(
        "contact",
        "Contact",
        "contacts",
        Ownership::User,
        2,
        "Contact",
    ),
    KnownTable(
        "annotation",
        "Annotation",
        "annotations",
        Ownership::User,
        5,
        "Note",
    ),
    KnownTable(
        "activitypointer",
        "ActivityPointer",
        "activitypointers",
        Ownership::User,
        4200,
        "Activity",
    ),
    KnownTable(
        "savedquery",
        "SavedQuery",
        "savedqueries",
        Ownership::Organization,
        1039,
        "Query",
    ),
    KnownTable(
        "userquery",
        "UserQuery",
        "userqueries",
        Ownership::User,
        4230,
        "UserQuery",
    ),
    KnownTable(
        "systemuser",
        "SystemUser",
        "systemusers",
        Ownership::Business,
        8,
        "User",
    ),
    KnownTable("role", "Role", "roles", Ownership::Business, 1036, "Role"),
    KnownTable(
        "businessunit",
        "BusinessUnit",
        "businessunits",
        Ownership::Business,
        10,
        "BusinessUnit",
    ),
    KnownTable("team", "Team", "teams", Ownership::Business, 9, "Team"),
];

impl KnownTable {
    pub fn table(&self) -> Table {
        Table {
            logical: self.0.into(),
            schema: self.1.into(),
            set: self.2.into(),
            ownership: self.3,
            otc: self.4,
            suffix: self.5.into(),
        }
    }
    pub fn privileges(&self) -> Vec<Privilege> {
        self.table().privileges()
    }
}

/// One entry of a table's `Privileges`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privilege {
    pub name: String,
    pub kind: &'static str,
}

impl Table {
    pub fn privileges(&self) -> Vec<Privilege> {
        let mut kinds = vec!["Create", "Read", "Write", "Delete", "Append", "AppendTo"];
        match self.ownership {
            Ownership::User => kinds.extend(["Assign", "Share"]),
            // prvAssignRole: giving the role to a user.
            Ownership::Business if self.logical == "role" => kinds.push("Assign"),
            _ => {}
        }
        kinds
            .into_iter()
            .map(|kind| Privilege {
                name: format!("prv{kind}{}", self.suffix),
                kind,
            })
            .collect()
    }

    fn json(&self) -> Value {
        let (basic, local) = match self.ownership {
            Ownership::User => (true, true),
            Ownership::Business => (false, true),
            Ownership::Organization => (false, false),
        };
        let privileges: Vec<Value> = self
            .privileges()
            .into_iter()
            .map(|p| {
                json!({
                    "CanBeBasic": basic,
                    "CanBeLocal": local,
                    "CanBeDeep": local,
                    "CanBeGlobal": true,
                    "CanBeEntityReference": false,
                    "CanBeParentEntityReference": false,
                    "Name": p.name,
                    "PrivilegeId": super::roles::privilege_id(&p.name),
                    "PrivilegeType": p.kind,
                })
            })
            .collect();
        json!({
            "MetadataId": metadata_id(&self.logical),
            "LogicalName": self.logical,
            "SchemaName": self.schema,
            "EntitySetName": self.set,
            "ObjectTypeCode": self.otc,
            "OwnershipType": match self.ownership {
                Ownership::User => "UserOwned",
                Ownership::Business => "BusinessOwned",
                Ownership::Organization => "OrganizationOwned",
            },
            "Privileges": privileges,
        })
    }
}

/// A table's MetadataId: the same in every environment, as system tables' are.
fn metadata_id(logical: &str) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"metadata.crm.localhost");
    uuid::Uuid::new_v5(&ns, logical.as_bytes()).to_string()
}

/// `(entity set, entity type name)` of every `<EntitySet …>` of a CSDL document, in order.
pub fn entity_set_types(csdl: &str) -> Vec<(String, String)> {
    let attr = |element: &str, name: &str| -> Option<String> {
        let needle = format!(" {name}=\"");
        let start = element.find(&needle)? + needle.len();
        let len = element[start..].find('"')?;
        Some(element[start..start + len].to_string())
    };
    let mut out = Vec::new();
    let mut rest = csdl;
    while let Some(i) = rest.find("<EntitySet ") {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        let element = &rest[..end];
        if let (Some(set), Some(ty)) = (attr(element, "Name"), attr(element, "EntityType")) {
            let ty = ty.rsplit('.').next().unwrap_or(&ty).to_string();
            out.push((set, ty));
        }
        rest = &rest[end..];
    }
    out
}

/// The known tables, then the other entity sets of `csdl` (custom and other system tables).
pub fn tables(csdl: &str) -> Vec<Table> {
    let mut out: Vec<Table> = KNOWN_TABLES.iter().map(KnownTable::table).collect();
    let mut next_otc = 10000;
    for (set, logical) in entity_set_types(csdl) {
        if out.iter().any(|t| t.set == set || t.logical == logical) {
            continue;
        }
        let mut chars = logical.chars();
        let schema = chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default();
        out.push(Table {
            logical,
            suffix: schema.clone(),
            schema,
            set,
            ownership: Ownership::User,
            otc: next_otc,
        });
        next_otc += 1;
    }
    out
}

/// `$select` on a definition: MetadataId is always returned, as Dataverse does.
fn select(q: &ODataQuery, v: Value) -> Value {
    if q.select.is_empty() {
        return v;
    }
    let mut fields = q.select.clone();
    fields.push("MetadataId".into());
    super::query::select_fields(v, &fields)
}

/// `GET EntityDefinitions[?$filter=EntitySetName eq 'accounts' | LogicalName eq 'account']`.
pub fn list(csdl: &str, q: &ODataQuery, paging: &Paging, base: &str) -> Response {
    let set = q.filter_value("EntitySetName");
    let logical = q.filter_value("LogicalName");
    let schema = q.filter_value("SchemaName");
    let rows: Vec<Value> = tables(csdl)
        .into_iter()
        .filter(|t| {
            set.as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&t.set))
        })
        .filter(|t| {
            logical
                .as_deref()
                .is_none_or(|l| l.eq_ignore_ascii_case(&t.logical))
        })
        .filter(|t| {
            schema
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&t.schema))
        })
        .map(|t| select(q, t.json()))
        .collect();
    odata_json(paging.collection(
        format!("{base}/$metadata#EntityDefinitions{}", q.select_suffix()),
        rows,
    ))
}

/// `GET EntityDefinitions(LogicalName='account')` or `EntityDefinitions({MetadataId})`.
pub fn get(csdl: &str, key: &str, q: &ODataQuery, base: &str) -> Response {
    let logical = key
        .strip_prefix("LogicalName=")
        .map(|v| v.trim_matches('\'').to_string());
    let table = tables(csdl).into_iter().find(|t| match &logical {
        Some(l) => l.eq_ignore_ascii_case(&t.logical),
        None => metadata_id(&t.logical).eq_ignore_ascii_case(key),
    });
    match table {
        Some(t) => {
            let mut v = select(q, t.json());
            if let Some(m) = v.as_object_mut() {
                m.insert(
                    "@odata.context".into(),
                    json!(format!(
                        "{base}/$metadata#EntityDefinitions{}/$entity",
                        q.select_suffix()
                    )),
                );
            }
            odata_json(v)
        }
        None if logical.is_some() => odata_error(
            StatusCode::NOT_FOUND,
            "0x80040217",
            &format!(
                "Could not find an entity with the name {}.",
                logical.unwrap_or_default()
            ),
        ),
        None => does_not_exist("EntityDefinition", key),
    }
}

/// Every privilege name of the tables of `csdl` (known tables included).
pub fn privilege_names(csdl: &str) -> Vec<String> {
    tables(csdl)
        .iter()
        .flat_map(Table::privileges)
        .map(|p| p.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_schema_name_with_microsofts_exceptions() {
        let csdl = r#"<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>
            <EntitySet EntityType="Microsoft.Dynamics.CRM.cr123_widget" Name="cr123_widgets"/>"#;
        let t = tables(csdl);
        let by_set = |s: &str| t.iter().find(|t| t.set == s).unwrap();
        assert_eq!(by_set("annotations").privileges()[1].name, "prvReadNote");
        assert_eq!(
            by_set("activitypointers").privileges()[1].name,
            "prvReadActivity"
        );
        assert_eq!(by_set("savedqueries").privileges()[1].name, "prvReadQuery");
        assert_eq!(
            by_set("userqueries").privileges()[1].name,
            "prvReadUserQuery"
        );
        assert_eq!(by_set("systemusers").privileges()[0].name, "prvCreateUser");
        let w = by_set("cr123_widgets");
        assert_eq!(
            (w.logical.as_str(), w.schema.as_str()),
            ("cr123_widget", "Cr123_widget")
        );
        assert_eq!(w.privileges()[1].name, "prvReadCr123_widget");
        assert_eq!(t.iter().filter(|t| t.set == "accounts").count(), 1);
    }
}
