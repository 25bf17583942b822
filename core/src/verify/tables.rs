//! Check 9, table privileges, as Dataverse computes them:
//!
//! 1. the entity set typed on step 6 → its table and the table's own privilege names, from
//!    `EntityDefinitions` ([`super::requests::dataverse_table_definition`]): names follow the
//!    schema name and have exceptions (`annotation` → `prvReadNote`), so they are read, never
//!    built from the logical name;
//! 2. which of those the application user holds through its roles **and its teams' roles**
//!    (`RetrieveUserSetOfPrivilegesByNames`,
//!    [`super::requests::dataverse_user_privileges_by_names`]).
//!
//! No schema load is needed: a typed entity set is enough.

use serde::{Deserialize, Serialize};

use super::dataverse::{PrivilegeDepth, UserPrivileges};
use super::graph::GraphList;
use super::{list_words, CheckId, FixAction, Verdict};

/// One privilege of a table (`SecurityPrivilegeMetadata`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TablePrivilege {
    /// E.g. `prvReadNote`.
    #[serde(default)]
    pub name: String,
    /// `Create`, `Read`, `Write`, `Delete`, `Append`, `AppendTo`, `Assign`, `Share`.
    #[serde(default)]
    pub privilege_type: String,
}

/// An `EntityDefinitions` row, the columns check 9 selects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDefinition {
    /// E.g. `annotation`.
    #[serde(default)]
    pub logical_name: String,
    /// E.g. `Annotation`.
    #[serde(default)]
    pub schema_name: String,
    /// E.g. `annotations`.
    #[serde(default)]
    pub entity_set_name: String,
    /// The table's own privileges (`None` when the answer did not include them).
    #[serde(default)]
    pub privileges: Option<Vec<TablePrivilege>>,
}

/// What Data Sync does on the table: read it, or also create and update rows.
fn operations(writes: bool) -> &'static [&'static str] {
    if writes {
        &["Read", "Create", "Write"]
    } else {
        &["Read"]
    }
}

/// The table behind an entity set and the privilege names check 9 asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableAccess {
    /// The table's logical name.
    pub logical_name: String,
    /// The entity set typed on step 6.
    pub entity_set: String,
    /// `(operation, privilege name)` in [`operations`] order: `("Read", "prvReadNote")`.
    pub needed: Vec<(&'static str, String)>,
}

impl TableAccess {
    /// The privilege names to ask `RetrieveUserSetOfPrivilegesByNames` about.
    pub fn privilege_names(&self) -> Vec<String> {
        self.needed.iter().map(|(_, n)| n.clone()).collect()
    }
}

/// The table for `entity_set` (typed on step 6) from an `EntityDefinitions` answer, with the
/// privilege names Data Sync needs (Read; Create and Write too when it `writes`). `Err` is the
/// verdict to show: nothing typed (?), no such entity set (✗), an unreadable answer (?).
pub fn table_access(
    definitions: &str,
    entity_set: &str,
    writes: bool,
) -> Result<TableAccess, Verdict> {
    let check = CheckId::TablePrivileges;
    let set = entity_set.trim();
    if set.is_empty() {
        return Err(no_table_chosen());
    }
    let rows = serde_json::from_str::<GraphList<TableDefinition>>(definitions.trim())
        .map_err(|e| Verdict::unreadable(check, "table definition", e))?
        .value;
    let Some(table) = rows.into_iter().find(|t| t.entity_set_name == set) else {
        return Err(Verdict::wrong(
            check,
            format!("The environment has no table whose entity set is \u{201c}{set}\u{201d}."),
            format!("EntityDefinitions with EntitySetName eq '{set}' answered no table."),
            "Check Entity on the Connector step: it is the entity set name (usually the plural, \
             e.g. accounts), as the schema picker lists it.",
        ));
    };
    let Some(privileges) = &table.privileges else {
        return Err(Verdict::not_checkable(
            check,
            format!(
                "The definition of {} came without its privileges, so they were not checked.",
                table.logical_name
            ),
        ));
    };
    let mut needed = Vec::new();
    let mut absent = Vec::new();
    for op in operations(writes) {
        match privileges.iter().find(|p| p.privilege_type == *op) {
            Some(p) => needed.push((*op, p.name.clone())),
            None => absent.push(*op),
        }
    }
    if !absent.is_empty() {
        return Err(Verdict::not_checkable(
            check,
            format!(
                "The table {} has no {} privilege of its own (its access follows another table), \
                 so the wizard cannot check it.",
                table.logical_name,
                list_words(&absent)
            ),
        ));
    }
    Ok(TableAccess {
        logical_name: table.logical_name,
        entity_set: set.to_string(),
        needed,
    })
}

/// The verdict while no entity set is typed on step 6.
pub fn no_table_chosen() -> Verdict {
    Verdict::not_checkable(
        CheckId::TablePrivileges,
        "No table is chosen yet: type or pick the Entity on the Connector step, then Verify \
         again.",
    )
}

/// Check 9. From a `RetrieveUserSetOfPrivilegesByNames` answer (`privileges`) for
/// [`TableAccess::privilege_names`]: the application user holds every needed privilege (by
/// name, without regard to case; at its deepest depth). Missing → ✗ with the role fix; only at
/// User level → ⚠ (Data Sync sees only the rows the user owns).
pub fn check_table_privileges(table: &TableAccess, privileges: &str) -> Verdict {
    let check = CheckId::TablePrivileges;
    let parsed: UserPrivileges = match serde_json::from_str(privileges.trim()) {
        Ok(p) => p,
        Err(e) => return Verdict::unreadable(check, "RetrieveUserSetOfPrivilegesByNames", e),
    };
    let name = &table.logical_name;
    let found: Vec<(&str, &str, Option<PrivilegeDepth>)> = table
        .needed
        .iter()
        .map(|(op, privilege)| {
            let depth = parsed
                .role_privileges
                .iter()
                .filter(|p| p.privilege_name.eq_ignore_ascii_case(privilege))
                .map(|p| p.depth)
                .max();
            (*op, privilege.as_str(), depth)
        })
        .collect();
    let seen: Vec<String> = found
        .iter()
        .filter_map(|(op, p, d)| d.map(|d| format!("{op} ({p}, {})", d.label())))
        .collect();
    let evidence = format!(
        "On {name} (entity set {}) the application user may, through its roles and its teams' \
         roles: {}.",
        table.entity_set,
        list_words(&seen)
    );
    let missing: Vec<String> = found
        .iter()
        .filter(|(_, _, d)| d.is_none())
        .map(|(op, p, _)| format!("{op} ({p})"))
        .collect();
    if !missing.is_empty() {
        return Verdict::wrong(
            check,
            format!(
                "Neither the application user's security roles nor its teams' roles allow {} on \
                 the {name} table.",
                list_words(&missing)
            ),
            evidence,
            format!(
                "Give the application user (or a team it belongs to) a security role with \
                 Organization-level {} on {name} (Power Platform admin center → Security roles), \
                 or use the button to assign one.",
                list_words(&missing)
            ),
        )
        .with_action(FixAction::AssignRole);
    }
    if found
        .iter()
        .any(|(_, _, d)| *d == Some(PrivilegeDepth::Basic))
    {
        return Verdict::warning(
            check,
            format!(
                "Some privileges on {name} are only at User level: Data Sync then sees or changes \
                 only the rows the application user owns."
            ),
            evidence,
            format!("Raise them to Organization level on {name} in the security role."),
        );
    }
    Verdict::verified(check, evidence)
}
