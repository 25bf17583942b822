//! Business units: the root one (WhoAmI's `BusinessUnitId`, `name` = the org) and one child,
//! "Sales (sandbox)", so that a client that takes the first row of an unfiltered list instead of
//! filtering on `parentbusinessunitid eq null` picks the wrong one some day.

use super::{business_unit_id, derived_guid, odata_json, ODataQuery};
use crate::config::Environment;
use crate::paging::Paging;
use axum::response::Response;
use serde_json::{json, Value};

/// The child business unit every environment has.
pub const CHILD_BUSINESS_UNIT: &str = "Sales (sandbox)";

/// One business unit: (id, name, parent id).
#[derive(Debug, Clone)]
pub struct BusinessUnit {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
}

/// The root business unit first, then the child.
pub fn business_units(env: &Environment) -> Vec<BusinessUnit> {
    let root = business_unit_id(env);
    vec![
        BusinessUnit {
            id: root.clone(),
            name: env.org.clone(),
            parent: None,
        },
        BusinessUnit {
            id: derived_guid(env, "businessunit:sales"),
            name: CHILD_BUSINESS_UNIT.into(),
            parent: Some(root),
        },
    ]
}

pub fn exists(env: &Environment, id: &str) -> bool {
    business_units(env)
        .iter()
        .any(|b| b.id.eq_ignore_ascii_case(id))
}

/// `GET businessunits[?$filter=parentbusinessunitid eq null | _parentbusinessunitid_value eq {id}
/// | businessunitid eq {id} | name eq '…']`.
pub fn list(env: &Environment, q: &ODataQuery, paging: &Paging, base: &str) -> Response {
    // Dataverse accepts the lookup by its logical name or by its `_…_value` property.
    let parent = q
        .filter_value("parentbusinessunitid")
        .or_else(|| q.filter_value("_parentbusinessunitid_value"));
    let id = q.filter_value("businessunitid");
    let name = q.filter_value("name");
    let rows: Vec<Value> = business_units(env)
        .into_iter()
        .filter(|b| match parent.as_deref() {
            None => true,
            Some(p) if p.eq_ignore_ascii_case("null") => b.parent.is_none(),
            Some(p) => b
                .parent
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(p)),
        })
        .filter(|b| id.as_deref().is_none_or(|i| i.eq_ignore_ascii_case(&b.id)))
        .filter(|b| {
            name.as_deref()
                .is_none_or(|n| n.eq_ignore_ascii_case(&b.name))
        })
        .map(|b| {
            q.select(json!({
                "@odata.etag": "W/\"1000\"",
                "businessunitid": b.id,
                "name": b.name,
                "_parentbusinessunitid_value": b.parent,
            }))
        })
        .collect();
    odata_json(paging.collection(
        format!("{base}/$metadata#businessunits{}", q.select_suffix()),
        rows,
    ))
}
