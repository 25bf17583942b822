//! Privileges as Dataverse computes them ("Security and data access", "Verifying access in
//! code"): `RetrieveUserPrivileges` counts only the user's own roles,
//! `RetrieveUserSetOfPrivilegesByNames` also the roles of its teams; and the table definitions
//! (`EntityDefinitions`) that name each table's privileges.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

const CSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices><Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityContainer Name="System"><EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>
<EntitySet Name="cr123_widgets" EntityType="Microsoft.Dynamics.CRM.cr123_widget"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>
"#;

#[tokio::test]
async fn privileges_by_names_include_teams_own_privileges_do_not() {
    let mut config = config_with_csdl(CSDL, "privileges");
    let contoso = config
        .environments
        .iter_mut()
        .find(|e| e.org == "contoso")
        .unwrap();
    // Uma (Basic User: prvReadAccount at Basic) joins the team whose role reads at Global.
    contoso.teams[0].members.push(UMA.into());
    let sb = start_with(config).await;
    let (alex, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let team_app = user_id("contoso", &app("21"));

    assert_eq!(
        held(&sb.get(&own_url(&sb, &team_app), &alex).await),
        Vec::<String>::new()
    );
    let a = sb
        .get(
            &by_names_url(&sb, &team_app, &["prvReadAccount", "prvCreateAccount"]),
            &alex,
        )
        .await;
    assert_eq!(
        held(&a),
        ["prvReadAccount:Global", "prvCreateAccount:Global"]
    );
    assert_eq!(
        a.body["@odata.context"],
        format!(
            "{}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNamesResponse",
            sb.api("contoso", "").trim_end_matches('/')
        )
    );
    let first = &a.body["RolePrivileges"][0];
    assert_eq!(first["BusinessUnitId"], BU);
    let own_ids = sb
        .get(&own_url(&sb, &user_id("contoso", &app("01"))), &alex)
        .await;
    let read_id = own_ids.body["RolePrivileges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["PrivilegeName"] == "prvReadAccount")
        .unwrap()["PrivilegeId"]
        .clone();
    assert_eq!(first["PrivilegeId"], read_id);

    // Without regard to case, once, canonical; privileges not held are left out.
    let a = sb
        .get(
            &by_names_url(
                &sb,
                &team_app,
                &["PRVREADACCOUNT", "prvreadaccount", "prvDeleteAccount"],
            ),
            &alex,
        )
        .await;
    assert_eq!(held(&a), ["prvReadAccount:Global"]);
    // The literal written inline.
    let inline = sb.api(
        "contoso",
        &format!("systemusers({team_app})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=%5B%22prvReadContact%22%5D)"),
    );
    assert_eq!(
        held(&sb.get(&inline, &alex).await),
        ["prvReadContact:Global"]
    );

    // The deepest depth of own and team roles.
    let uma = user_id("contoso", UMA);
    assert_eq!(
        held(
            &sb.get(&by_names_url(&sb, &uma, &["prvReadAccount"]), &alex)
                .await
        ),
        ["prvReadAccount:Global"]
    );
    assert!(
        held(&sb.get(&own_url(&sb, &uma), &alex).await).contains(&"prvReadAccount:Basic".into())
    );

    // System Administrator holds every table's privileges, those of the served $metadata too.
    let a = sb
        .get(
            &by_names_url(
                &sb,
                &user_id("contoso", ALEX),
                &["prvReadNote", "prvReadCr123_widget", "prvNoSuchThing"],
            ),
            &alex,
        )
        .await;
    assert_eq!(
        held(&a),
        ["prvReadNote:Global", "prvReadCr123_widget:Global"]
    );

    // Unknown user; a missing alias value.
    let a = sb
        .get(
            &by_names_url(
                &sb,
                "00000000-0000-0000-0000-000000000001",
                &["prvReadAccount"],
            ),
            &alex,
        )
        .await;
    assert_dataverse_error(&a, StatusCode::NOT_FOUND, "0x80040217");
    let a = sb
        .get(
            &sb.api(
                "contoso",
                &format!("systemusers({team_app})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)"),
            ),
            &alex,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
}

#[tokio::test]
async fn the_sync_reader_reads_notes_and_activities() {
    let sb = start().await;
    let (alex, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let p = held(
        &sb.get(&own_url(&sb, &user_id("contoso", &app("01"))), &alex)
            .await,
    );
    for want in [
        "prvReadAccount:Global",
        "prvReadNote:Global",
        "prvReadActivity:Global",
    ] {
        assert!(p.contains(&want.to_string()), "{want} in {p:?}");
    }
}

#[tokio::test]
async fn entity_definitions_name_each_tables_privileges() {
    let sb = start_with(config_with_csdl(CSDL, "entitydefs")).await;
    let (alex, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let select = "$select=LogicalName,SchemaName,EntitySetName,Privileges";
    let query = |set: &str| {
        sb.api(
            "contoso",
            &format!("EntityDefinitions?$filter=EntitySetName eq '{set}'&{select}"),
        )
    };
    let a = sb.get(&query("accounts"), &alex).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body["@odata.context"],
        format!(
            "{}$metadata#EntityDefinitions(LogicalName,SchemaName,EntitySetName,Privileges)",
            sb.api("contoso", "")
        )
    );
    let defs = a.body["value"].as_array().unwrap();
    assert_eq!(defs.len(), 1);
    let account = &defs[0];
    assert!(account["MetadataId"].is_string());
    assert_eq!(account["LogicalName"], "account");
    assert_eq!(account["SchemaName"], "Account");
    assert_eq!(account["EntitySetName"], "accounts");
    assert!(account.get("ObjectTypeCode").is_none(), "$select");
    let privileges = account["Privileges"].as_array().unwrap();
    let types: Vec<&str> = privileges
        .iter()
        .map(|p| p["PrivilegeType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share"]
    );
    let create = &privileges[0];
    assert_eq!(create["Name"], "prvCreateAccount");
    for k in ["CanBeBasic", "CanBeLocal", "CanBeDeep", "CanBeGlobal"] {
        assert_eq!(create[k], true, "{k}");
    }
    assert_eq!(create["CanBeEntityReference"], false);
    assert_eq!(create["CanBeParentEntityReference"], false);
    assert!(create["PrivilegeId"].is_string());

    // Read privilege names: schema name, with Microsoft's exceptions.
    for (set, read) in [
        ("contacts", "prvReadContact"),
        ("annotations", "prvReadNote"),
        ("activitypointers", "prvReadActivity"),
        ("savedqueries", "prvReadQuery"),
        ("userqueries", "prvReadUserQuery"),
        ("systemusers", "prvReadUser"),
        ("roles", "prvReadRole"),
        ("businessunits", "prvReadBusinessUnit"),
        ("teams", "prvReadTeam"),
        ("cr123_widgets", "prvReadCr123_widget"),
    ] {
        let a = sb.get(&query(set), &alex).await;
        let privileges = a.body["value"][0]["Privileges"].as_array().unwrap().clone();
        let names: Vec<&Value> = privileges
            .iter()
            .filter(|p| p["PrivilegeType"] == "Read")
            .map(|p| &p["Name"])
            .collect();
        assert_eq!(names, [read], "{set}");
    }
    let a = sb.get(&query("cr123_widgets"), &alex).await;
    assert_eq!(a.body["value"][0]["LogicalName"], "cr123_widget");
    assert_eq!(a.body["value"][0]["SchemaName"], "Cr123_widget");
    let a = sb.get(&query("nosuchthings"), &alex).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["value"], serde_json::json!([]));

    // One definition by key.
    let a = sb
        .get(
            &sb.api(
                "contoso",
                "EntityDefinitions(LogicalName='account')?$select=LogicalName",
            ),
            &alex,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["LogicalName"], "account");
    assert!(a.body["MetadataId"].is_string());
    assert!(a.body.get("Privileges").is_none());
    assert!(a.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/$entity"));
    let a = sb
        .get(
            &sb.api("contoso", "EntityDefinitions(LogicalName='nosuch')"),
            &alex,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}
