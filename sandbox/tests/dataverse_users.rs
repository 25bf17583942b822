//! Application users as Dataverse answers them: creating one ("Create a table row using the Web
//! API"), business units, roles and teams through nested `$expand`, and the cache of expanded
//! collections that `If-None-Match: null` bypasses.

mod common;

use common::*;
use reqwest::StatusCode;
use sandbox::Config;
use serde_json::{json, Value};
use std::time::Duration;

fn rows(a: &Answer) -> Vec<Value> {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn create_answers_204_with_the_entity_id_and_refuses_duplicates() {
    let sb = start().await;
    let (alex, _) = sb.sign_in(&app("10"), ALEX, "contoso").await;
    let (uma, _) = sb.sign_in(&app("10"), UMA, "contoso").await;
    let users = sb.api("contoso", "systemusers");

    // Only a System Administrator may create.
    let a = sb.post(&users, &uma, create_body(&app("10"), BU)).await;
    assert_dataverse_error(&a, StatusCode::FORBIDDEN, "0x80040220");

    // Validation: a GUID, known columns, a business unit of this environment.
    let mut bad = create_body(&app("10"), BU);
    bad["applicationid"] = json!("not-a-guid");
    let a = sb.post(&users, &alex, bad).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    let mut bad = create_body(&app("10"), BU);
    bad["nosuchcolumn"] = json!(1);
    let a = sb.post(&users, &alex, bad).await;
    assert_dataverse_error(&a, StatusCode::BAD_REQUEST, "0x80060888");
    let a = sb
        .post(
            &users,
            &alex,
            create_body(&app("10"), "12345678-1234-4234-8234-123456789012"),
        )
        .await;
    assert_dataverse_error(&a, StatusCode::BAD_REQUEST, "0x80040217");

    // Created: 204, OData-EntityId, no body.
    let a = sb.post(&users, &alex, create_body(&app("10"), BU)).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert_eq!(a.text, "");
    let id = user_id("contoso", &app("10"));
    assert_eq!(
        a.headers["odata-entityid"],
        sb.api("contoso", &format!("systemusers({id})")).as_str()
    );
    assert!(a.headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("OData-EntityId"));

    // Again, while lists do not show it yet → duplicate key; so for existing ones, even disabled.
    for client in [app("10"), app("01"), app("11")] {
        let a = sb.post(&users, &alex, create_body(&client, BU)).await;
        assert_eq!(
            a.body,
            json!({"error": {"code": "0x80040237", "message": "Cannot insert duplicate key."}})
        );
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
    }

    // Lists miss it for replication_lag_ms; operations by id see it at once.
    assert!(rows(
        &sb.get(&sb.api("contoso", &app_user_query(&app("10"))), &alex)
            .await
    )
    .is_empty());
    let a = sb
        .get(&sb.api("contoso", &format!("systemusers({id})")), &alex)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["applicationid"], app("10"));
    let p = sb.get(&own_url(&sb, &id), &alex).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    let roles = sb
        .get(
            &sb.api("contoso", "roles?$filter=name eq 'Sync reader (sandbox)'"),
            &alex,
        )
        .await;
    let role_id = rows(&roles)[0]["roleid"].as_str().unwrap().to_string();
    let a = sb.add_role("contoso", &alex, &id, &role_id).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let by_names = sb
        .get(&by_names_url(&sb, &id, &["prvReadAccount"]), &alex)
        .await;
    assert_eq!(
        by_names.body["RolePrivileges"][0]["PrivilegeName"],
        "prvReadAccount"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let listed = rows(
        &sb.get(&sb.api("contoso", &app_user_query(&app("10"))), &alex)
            .await,
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["systemuserid"], id.as_str());
}

#[tokio::test]
async fn create_with_return_representation_and_into_the_child_business_unit() {
    let sb = start().await;
    let (alex, _) = sb.sign_in(&app("10"), ALEX, "contoso").await;
    let units = rows(&sb.get(&sb.api("contoso", "businessunits"), &alex).await);
    let child = units[1]["businessunitid"].as_str().unwrap().to_string();
    let a = sb
        .call_with(
            reqwest::Method::POST,
            &sb.api(
                "contoso",
                "systemusers?$select=systemuserid,applicationid,_businessunitid_value",
            ),
            Some(&alex),
            &[("Prefer", "return=representation")],
            Some(create_body(&app("03"), &child)),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.headers["preference-applied"], "return=representation");
    assert_eq!(a.body["applicationid"], app("03"));
    assert_eq!(
        a.body["systemuserid"],
        user_id("contoso", &app("03")).as_str()
    );
    assert_eq!(a.body["_businessunitid_value"], child.as_str());
    assert!(a.body.get("fullname").is_none(), "$select: {}", a.text);
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with(
        "$metadata#systemusers(systemuserid,applicationid,_businessunitid_value)/$entity"
    ));
}

#[tokio::test]
async fn business_units_root_filter() {
    let sb = start().await;
    let (alex, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let all = rows(&sb.get(&sb.api("contoso", "businessunits"), &alex).await);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["businessunitid"], BU);
    assert_eq!(all[0]["_parentbusinessunitid_value"], Value::Null);
    assert_eq!(all[1]["name"], "Sales (sandbox)");
    assert_eq!(all[1]["_parentbusinessunitid_value"], BU);
    for filter in [
        "parentbusinessunitid%20eq%20null",
        "_parentbusinessunitid_value%20eq%20null",
    ] {
        let a = sb
            .get(
                &sb.api(
                    "contoso",
                    &format!("businessunits?$filter={filter}&$select=businessunitid,name"),
                ),
                &alex,
            )
            .await;
        let root = rows(&a);
        assert_eq!(root.len(), 1, "{filter}");
        assert_eq!(root[0]["businessunitid"], BU);
        assert_eq!(root[0]["name"], "contoso");
        assert!(root[0].get("_parentbusinessunitid_value").is_none());
    }
    let who = sb.get(&sb.api("contoso", "WhoAmI"), &alex).await;
    assert_eq!(who.body["BusinessUnitId"], BU);
}

#[tokio::test]
async fn nested_expand_of_roles_and_teams() {
    let sb = start().await;
    let (alex, _) = sb.sign_in(&app("01"), ALEX, "contoso").await;
    let config = Config::builtin();
    let env = config.environment("contoso").unwrap();
    let team = sandbox::dataverse::teams::team_id(env, "Data Sync team (sandbox)");
    let reader = sandbox::dataverse::roles::role_id(env, "Sync reader (sandbox)");

    let row = |a: &Answer| rows(a)[0].clone();
    let r = row(&sb
        .get(&sb.api("contoso", &app_user_query(&app("21"))), &alex)
        .await);
    assert_eq!(r["systemuserroles_association"], json!([]));
    assert_eq!(
        r["teammembership_association"],
        json!([{"teamid": team, "name": "Data Sync team (sandbox)",
                "teamroles_association": [{"roleid": reader, "name": "Sync reader (sandbox)"}]}])
    );
    let r = row(&sb
        .get(&sb.api("contoso", &app_user_query(&app("01"))), &alex)
        .await);
    assert_eq!(r["teammembership_association"], json!([]));
    assert_eq!(
        r["systemuserroles_association"],
        json!([{"roleid": reader, "name": "Sync reader (sandbox)"}])
    );

    // Only what is expanded; no nested $select → every team column, no nested roles.
    let q = format!(
        "systemusers?$filter=applicationid eq {}&$select=fullname&$expand=teammembership_association",
        app("21")
    );
    let r = row(&sb.get(&sb.api("contoso", &q), &alex).await);
    assert!(r.get("systemuserroles_association").is_none());
    assert!(r.get("isdisabled").is_none());
    let t = &r["teammembership_association"][0];
    assert_eq!(t["teamid"], team.as_str());
    assert_eq!(t["teamtype"], 0);
    assert!(t.get("teamroles_association").is_none());

    // A navigation property systemuser does not have → 400.
    let q = "systemusers?$expand=teamroles_association($select=name)";
    let a = sb.get(&sb.api("contoso", q), &alex).await;
    assert_dataverse_error(&a, StatusCode::BAD_REQUEST, "0x80060888");
}

#[tokio::test]
async fn expanded_collections_are_cached_unless_if_none_match_null() {
    let mut config = Config::builtin();
    let contoso = config
        .environments
        .iter_mut()
        .find(|e| e.org == "contoso")
        .unwrap();
    assert_eq!(contoso.expanded_cache_ms, 30_000, "the default");
    contoso.expanded_cache_ms = 2500;
    contoso.teams[0].members.push(app("10"));
    let sb = start_with(config).await;
    let (alex, _) = sb.sign_in(&app("10"), ALEX, "contoso").await;
    let a = sb
        .post(
            &sb.api("contoso", "systemusers"),
            &alex,
            create_body(&app("10"), BU),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let id = user_id("contoso", &app("10"));
    let by_id = sb.api(
        "contoso",
        &format!("systemusers({id})?$expand=systemuserroles_association($select=name),teammembership_association($select=name)"),
    );
    // Just created: expanded collections empty, though the app is a member of the team.
    let cached = sb.get(&by_id, &alex).await;
    assert_eq!(cached.body["teammembership_association"], json!([]));
    assert_eq!(
        cached.body["applicationid"],
        app("10"),
        "columns are current"
    );
    let fresh = sb.get_fresh(&by_id, &alex).await;
    assert_eq!(
        fresh.body["teammembership_association"],
        json!([{"name": "Data Sync team (sandbox)"}])
    );

    let basic = rows(
        &sb.get(
            &sb.api("contoso", "roles?$filter=name eq 'Basic User'"),
            &alex,
        )
        .await,
    )[0]["roleid"]
        .as_str()
        .unwrap()
        .to_string();
    let a = sb.add_role("contoso", &alex, &id, &basic).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let cached = sb.get(&by_id, &alex).await;
    assert_eq!(cached.body["systemuserroles_association"], json!([]));
    let fresh = sb.get_fresh(&by_id, &alex).await;
    assert_eq!(
        fresh.body["systemuserroles_association"],
        json!([{"name": "Basic User"}])
    );
    // The list answer too, once it shows the row.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let list = sb.api("contoso", &app_user_query(&app("10")));
    assert_eq!(
        rows(&sb.get(&list, &alex).await)[0]["systemuserroles_association"],
        json!([])
    );
    assert_eq!(
        rows(&sb.get_fresh(&list, &alex).await)[0]["systemuserroles_association"][0]["name"],
        "Basic User"
    );
    // Without expand nothing is cached; after the window everything is current.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(
        rows(&sb.get(&list, &alex).await)[0]["systemuserroles_association"][0]["name"],
        "Basic User"
    );
}
