//! The live checks against Microsoft's documented contracts (issue 20): table privileges read
//! from the table's definition and held through roles or teams, roles through teams, the grant
//! type's weight, `If-None-Match: null` on every read, the application user created as
//! Microsoft's tools create it, paging, throttling and replication lag.

use serde_json::{json, Value};
use wizard_core::fields::{ApiVersion, GrantType};
use wizard_core::verify::{
    self, check_security_roles, check_table_privileges,
    reads::{self, Awaited, Pages},
    requests::{self, Method},
    table_access, CheckId, FixAction, Verdict,
};

mod verify_support;
use verify_support::{env, guid, text};

const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
const USER: &str = "eeeeeeee-0000-4000-8000-000000000005";
const BU: &str = "dddddddd-0000-4000-8000-000000000004";
const ROOT: &str = "https://contoso.crm4.dynamics.com/api/data/v9.2/";

fn symbol(v: &Verdict) -> &'static str {
    v.symbol()
}

/// A privilege of `SecurityPrivilegeMetadata` as `EntityDefinitions` lists it.
fn privilege(name: &str, kind: &str) -> Value {
    json!({
        "CanBeBasic": true, "CanBeLocal": true, "CanBeDeep": true, "CanBeGlobal": true,
        "CanBeEntityReference": false, "CanBeParentEntityReference": false,
        "Name": name, "PrivilegeId": "886b280c-6396-4d56-a0a3-2c1b0a50ceb0", "PrivilegeType": kind
    })
}

/// `GET EntityDefinitions?$filter=EntitySetName eq '…'&$select=LogicalName,SchemaName,EntitySetName,Privileges`.
fn definitions(logical: &str, schema: &str, set: &str, privileges: Vec<Value>) -> String {
    json!({
        "@odata.context": format!("{ROOT}$metadata#EntityDefinitions(LogicalName,SchemaName,EntitySetName,Privileges)"),
        "value": [{
            "MetadataId": "70816501-edb9-4740-a16c-6a5efbc05d84",
            "LogicalName": logical, "SchemaName": schema, "EntitySetName": set,
            "Privileges": privileges
        }]
    })
    .to_string()
}

/// Notes: the table `annotation` whose privileges are named after "Note".
fn notes() -> String {
    definitions(
        "annotation",
        "Annotation",
        "annotations",
        [
            "Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share",
        ]
        .iter()
        .map(|k| privilege(&format!("prv{k}Note"), k))
        .collect(),
    )
}

/// `RetrieveUserSetOfPrivilegesByNamesResponse`.
fn held(list: &[(&str, Value)]) -> String {
    let rows: Vec<Value> = list
        .iter()
        .map(|(name, depth)| json!({"Depth": depth, "PrivilegeId": "a", "BusinessUnitId": BU, "PrivilegeName": name}))
        .collect();
    json!({
        "@odata.context": format!("{ROOT}$metadata#Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNamesResponse"),
        "RolePrivileges": rows
    })
    .to_string()
}

#[test]
fn privilege_names_come_from_the_table_definition_not_the_logical_name() {
    let t = table_access(&notes(), "annotations", false).unwrap();
    assert_eq!(t.logical_name, "annotation");
    assert_eq!(t.privilege_names(), ["prvReadNote"]);
    let t = table_access(&notes(), " annotations ", true).unwrap();
    assert_eq!(
        t.privilege_names(),
        ["prvReadNote", "prvCreateNote", "prvWriteNote"]
    );
    assert_eq!(t.entity_set, "annotations");
    // prvReadAnnotation is not a privilege: holding it proves nothing.
    let wrongly_named = held(&[("prvReadAnnotation", json!("Global"))]);
    let v = check_table_privileges(
        &table_access(&notes(), "annotations", false).unwrap(),
        &wrongly_named,
    );
    assert_eq!(symbol(&v), "✗", "{v:#?}");
    assert_eq!(v.action, Some(FixAction::AssignRole));
    assert!(text(&v).contains("Read (prvReadNote)"), "{}", text(&v));
    let v = check_table_privileges(
        &table_access(&notes(), "annotations", false).unwrap(),
        &held(&[("prvreadnote", json!("Global"))]),
    );
    assert_eq!(symbol(&v), "✓", "{v:#?}");
    assert!(
        text(&v).contains("On annotation (entity set annotations)"),
        "{}",
        text(&v)
    );
    assert!(
        text(&v).contains("Read (prvReadNote, Organization)"),
        "{}",
        text(&v)
    );
}

#[test]
fn what_the_table_definition_answer_can_say() {
    let c = CheckId::TablePrivileges;
    let none = table_access(&notes(), "  ", false).unwrap_err();
    assert_eq!((none.check, symbol(&none)), (c, "?"));
    assert!(text(&none).contains("No table is chosen"));
    assert_eq!(none, verify::no_table_chosen());
    let empty = json!({"value": []}).to_string();
    let missing = table_access(&empty, "acounts", false).unwrap_err();
    assert_eq!((missing.check, symbol(&missing)), (c, "✗"));
    assert!(
        text(&missing).contains("\u{201c}acounts\u{201d}"),
        "{}",
        text(&missing)
    );
    // Another set's row is not this one.
    let other = table_access(&notes(), "accounts", false).unwrap_err();
    assert_eq!(symbol(&other), "✗");
    let unreadable = table_access("<html>", "accounts", false).unwrap_err();
    assert_eq!(symbol(&unreadable), "?");
    assert!(text(&unreadable).contains("could not be read"));
    let no_privileges =
        json!({"value": [{"LogicalName": "x", "SchemaName": "X", "EntitySetName": "xs"}]})
            .to_string();
    let v = table_access(&no_privileges, "xs", false).unwrap_err();
    assert_eq!(symbol(&v), "?");
    assert!(text(&v).contains("without its privileges"), "{}", text(&v));
    // A table with only Read of its own cannot be checked for writing.
    let read_only = definitions("x", "X", "xs", vec![privilege("prvReadX", "Read")]);
    assert!(table_access(&read_only, "xs", false).is_ok());
    let v = table_access(&read_only, "xs", true).unwrap_err();
    assert_eq!(symbol(&v), "?");
    assert!(
        text(&v).contains("no Create and Write privilege"),
        "{}",
        text(&v)
    );
}

#[test]
fn table_privileges_depth_and_missing_operations() {
    let accounts = definitions(
        "account",
        "Account",
        "accounts",
        vec![
            privilege("prvCreateAccount", "Create"),
            privilege("prvReadAccount", "Read"),
            privilege("prvWriteAccount", "Write"),
        ],
    );
    let read = table_access(&accounts, "accounts", false).unwrap();
    let write = table_access(&accounts, "accounts", true).unwrap();
    let v = check_table_privileges(&read, &held(&[("prvReadAccount", json!("Basic"))]));
    assert_eq!(symbol(&v), "⚠");
    assert!(text(&v).contains("User level"));
    // The deepest of two grants counts (a role and a team's role).
    let v = check_table_privileges(
        &read,
        &held(&[("prvReadAccount", json!(0)), ("prvReadAccount", json!(3))]),
    );
    assert_eq!(symbol(&v), "✓", "{v:#?}");
    let v = check_table_privileges(&write, &held(&[("prvReadAccount", json!("Global"))]));
    assert_eq!(symbol(&v), "✗");
    assert!(
        text(&v).contains("Create (prvCreateAccount) and Write (prvWriteAccount)"),
        "{}",
        text(&v)
    );
    let v = check_table_privileges(
        &write,
        &held(&[
            ("prvReadAccount", json!("Global")),
            ("prvCreateAccount", json!("Deep")),
            ("prvWriteAccount", json!("Local")),
        ]),
    );
    assert_eq!(symbol(&v), "✓", "{v:#?}");
    assert!(text(&v).contains("Write (prvWriteAccount, Business Unit)"));
    let v = check_table_privileges(&read, "nope");
    assert_eq!(symbol(&v), "?");
    assert!(text(&v).contains("RetrieveUserSetOfPrivilegesByNames"));
}

fn user_with(own: Value, teams: Option<Value>) -> String {
    let mut row = json!({
        "systemuserid": USER, "fullname": "# Data Sync", "isdisabled": false, "accessmode": 4,
        "applicationid": CLIENT, "_businessunitid_value": BU,
        "systemuserroles_association": own
    });
    if let Some(t) = teams {
        row["teammembership_association"] = t;
    }
    json!({"value": [row]}).to_string()
}

#[test]
fn a_role_through_a_team_counts() {
    let c = CheckId::SecurityRoles;
    let team = json!([{"teamid": "t1", "name": "Data Sync team",
        "teamroles_association": [{"roleid": "r1", "name": "Sync reader"}]}]);
    let v = check_security_roles(&user_with(json!([]), Some(team)), CLIENT);
    assert_eq!((v.check, symbol(&v)), (c, "✓"), "{v:#?}");
    assert!(
        text(&v).contains("Sync reader (through team Data Sync team); member of 1 team"),
        "{}",
        text(&v)
    );
    // A team without roles gives none.
    let bare = json!([{"teamid": "t1", "name": "A"}, {"teamid": "t2", "name": "B", "teamroles_association": []}]);
    let v = check_security_roles(&user_with(json!([]), Some(bare)), CLIENT);
    assert_eq!(symbol(&v), "✗");
    assert!(text(&v).contains("member of 2 teams"), "{}", text(&v));
    assert!(text(&v).contains("neither its own nor through a team"));
    assert_eq!(v.action, Some(FixAction::AssignRole));
    // System Administrator through a team is still far too much.
    let admin = json!([{"teamid": "t1", "name": "Admins",
        "teamroles_association": [{"roleid": "r9", "name": "system administrator"}]}]);
    let v = check_security_roles(
        &user_with(
            json!([{"roleid": "r1", "name": "Sync reader"}]),
            Some(admin),
        ),
        CLIENT,
    );
    assert_eq!(symbol(&v), "⚠");
    assert!(
        text(&v).contains("Sync reader and system administrator (through team Admins)"),
        "{}",
        text(&v)
    );
    // An own role, no teams expanded: as before.
    let v = check_security_roles(&user_with(json!([{"roleid": "r1"}]), None), CLIENT);
    assert_eq!(symbol(&v), "✓");
    assert!(text(&v).ends_with("Security roles: r1."), "{}", text(&v));
}

#[test]
fn the_delegated_permission_weighs_by_grant_type() {
    let wrong = Verdict::wrong(CheckId::DynamicsPermission, "Missing.", "e", "Add it.")
        .with_action(FixAction::AddSecret);
    let cc = verify::for_grant_type(wrong.clone(), GrantType::ClientCredentials);
    assert_eq!(symbol(&cc), "⚠");
    assert_eq!(cc.action, Some(FixAction::AddSecret));
    assert!(
        text(&cc).contains("needed only to sign in to this wizard"),
        "{}",
        text(&cc)
    );
    assert!(text(&cc).starts_with("Missing. "));
    assert_eq!(
        verify::for_grant_type(wrong.clone(), GrantType::AuthorizationCode),
        wrong
    );
    let consent = Verdict::warning(CheckId::AdminConsent, "Per user.", "e", "f");
    let cc = verify::for_grant_type(consent, GrantType::ClientCredentials);
    assert_eq!(symbol(&cc), "⚠");
    assert!(text(&cc).contains(verify::NOT_NEEDED_FOR_CLIENT_CREDENTIALS));
    let consent = Verdict::wrong(CheckId::AdminConsent, "None.", "e", "f");
    assert_eq!(
        symbol(&verify::for_grant_type(
            consent,
            GrantType::ClientCredentials
        )),
        "⚠"
    );
    // Other checks, and verdicts that are fine, are left alone.
    let user = Verdict::wrong(CheckId::ApplicationUser, "a", "b", "c");
    assert_eq!(
        verify::for_grant_type(user.clone(), GrantType::ClientCredentials),
        user
    );
    let ok = Verdict::verified(CheckId::DynamicsPermission, "e");
    assert_eq!(
        verify::for_grant_type(ok.clone(), GrantType::ClientCredentials),
        ok
    );
    let unknown = Verdict::not_checkable(CheckId::AdminConsent, "r");
    assert_eq!(
        verify::for_grant_type(unknown.clone(), GrantType::ClientCredentials),
        unknown
    );
}

#[test]
fn every_dataverse_read_asks_past_the_cache_and_no_write_does() {
    let (e, v, id) = (env(), ApiVersion::V9_2, guid(USER));
    let names = vec!["prvReadNote".to_string(), "prvCreateNote".to_string()];
    let reads = [
        requests::dataverse_who_am_i(&e, v),
        requests::dataverse_application_user(&e, v, &guid(CLIENT)),
        requests::dataverse_table_definition(&e, v, "annotations"),
        requests::dataverse_user_privileges_by_names(&e, v, &id, &names),
        requests::dataverse_root_business_unit(&e, v),
        requests::dataverse_roles_of_business_unit(&e, v, &guid(BU)),
        requests::dataverse_role_by_name(&e, v, "Basic User", &guid(BU)),
    ];
    for r in &reads {
        assert_eq!(r.method, Method::Get);
        assert!(r.headers.contains(&("If-None-Match", "null")), "{}", r.url);
        assert!(
            !r.headers.iter().any(|(k, _)| *k == "Content-Type"),
            "{}",
            r.url
        );
        assert!(r.url.starts_with(ROOT), "{}", r.url);
        assert!(!r.url.contains(' '), "{}", r.url);
    }
    let writes = [
        requests::dataverse_create_application_user(&e, v, &guid(CLIENT), &guid(BU)),
        requests::dataverse_assign_role(&e, v, &id, &guid(BU)),
    ];
    for w in &writes {
        assert_eq!(w.method, Method::Post);
        assert!(!w.headers.iter().any(|(k, _)| *k == "If-None-Match"));
        assert!(w.headers.contains(&("Content-Type", "application/json")));
    }
}

#[test]
fn the_real_tenant_requests() {
    let (e, v) = (env(), ApiVersion::V9_2);
    assert_eq!(
        requests::dataverse_table_definition(&e, v, " O'Neil ").display_url(),
        format!("{ROOT}EntityDefinitions?$filter=EntitySetName eq 'O''Neil'&$select=LogicalName,SchemaName,EntitySetName,Privileges")
    );
    let names = vec!["prvReadNote".to_string(), "prvWriteNote".to_string()];
    let r = requests::dataverse_user_privileges_by_names(&e, v, &guid(USER), &names);
    assert_eq!(
        r.url,
        format!("{ROOT}systemusers({USER})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)?@p=%5B%22prvReadNote%22%2C%22prvWriteNote%22%5D")
    );
    assert_eq!(
        requests::dataverse_root_business_unit(&e, v).display_url(),
        format!(
            "{ROOT}businessunits?$filter=parentbusinessunitid eq null&$select=businessunitid,name"
        )
    );
    assert_eq!(
        requests::dataverse_roles_of_business_unit(&e, v, &guid(BU)).display_url(),
        format!("{ROOT}roles?$filter=_businessunitid_value eq {BU}&$select=roleid,name,_businessunitid_value")
    );
}

#[test]
fn the_new_rows_id_comes_from_the_odata_entityid_header() {
    let h = format!("{ROOT}systemusers({USER})");
    assert_eq!(verify::entity_id(&h), Some(guid(USER)));
    assert_eq!(verify::entity_id(&format!(" {h} ")), Some(guid(USER)));
    assert_eq!(verify::entity_id(&format!("{ROOT}systemusers")), None);
    assert_eq!(verify::entity_id(&format!("{ROOT}systemusers(nope)")), None);
    assert_eq!(verify::entity_id(""), None);
}

#[test]
fn the_root_business_unit_is_exactly_one() {
    let one = json!({"value": [{"businessunitid": BU, "name": "contoso"}]}).to_string();
    let (id, unit) = verify::parse_root_business_unit(&one).unwrap();
    assert_eq!(id, guid(BU));
    assert_eq!(unit.name.as_deref(), Some("contoso"));
    let two = json!({"value": [{"businessunitid": BU}, {"businessunitid": USER}]}).to_string();
    assert!(verify::parse_root_business_unit(&two)
        .unwrap_err()
        .contains("2 root"));
    assert!(verify::parse_root_business_unit(r#"{"value":[]}"#)
        .unwrap_err()
        .contains("no root"));
    assert!(verify::parse_root_business_unit(r#"{"value":[{"businessunitid":"x"}]}"#).is_err());
    assert!(verify::parse_root_business_unit("[").is_err());
}

#[test]
fn throttled_reads_wait_as_asked_three_tries_at_most() {
    let w = reads::throttle_wait("Dataverse", 429, Some(" 1 "), 1).unwrap();
    assert_eq!(w.wait_ms, 1000);
    assert!(
        w.notice
            .contains("Dataverse answered HTTP 429 (too many requests): waiting 1 s"),
        "{}",
        w.notice
    );
    assert!(w.notice.contains("Retry-After"));
    assert!(w.notice.contains("try 2 of 3"), "{}", w.notice);
    let w = reads::throttle_wait("Microsoft Graph", 503, None, 2).unwrap();
    assert_eq!(w.wait_ms, 2000);
    assert!(
        w.notice.contains("(busy)") && w.notice.contains("try 3 of 3"),
        "{}",
        w.notice
    );
    assert!(!w.notice.contains("Retry-After"));
    assert_eq!(
        reads::throttle_wait("D", 429, None, 1).unwrap().wait_ms,
        1000
    );
    assert_eq!(
        reads::throttle_wait("D", 429, Some("60"), 1)
            .unwrap()
            .wait_ms,
        60_000
    );
    assert_eq!(reads::throttle_wait("D", 429, Some("61"), 1), None);
    assert_eq!(
        reads::throttle_wait("D", 429, Some("1"), reads::MAX_TRIES),
        None
    );
    for status in [200, 204, 400, 401, 403, 404, 500, 502] {
        assert_eq!(
            reads::throttle_wait("D", status, Some("1"), 1),
            None,
            "{status}"
        );
    }
}

#[test]
fn pages_are_gathered_and_followed_only_to_the_same_origin() {
    let first = "https://graph.microsoft.com/v1.0/servicePrincipals/x/oauth2PermissionGrants";
    let mut p = Pages::new(first);
    let next = p
        .add(
            &json!({"value": [1, 2], "@odata.nextLink": format!("{first}?$skiptoken=abc")})
                .to_string(),
        )
        .unwrap();
    assert_eq!(next.as_deref(), Some(&*format!("{first}?$skiptoken=abc")));
    assert_eq!(p.add(&json!({"value": [3]}).to_string()).unwrap(), None);
    assert_eq!(p.count(), 2);
    assert_eq!(
        serde_json::from_str::<Value>(&p.body()).unwrap(),
        json!({"value": [1, 2, 3]})
    );
    // A next link to another host would carry the bearer token there.
    let mut p = Pages::new(first);
    let e = p
        .add(&json!({"value": [], "@odata.nextLink": "https://evil.example/steal"}).to_string())
        .unwrap_err();
    assert!(e.contains("another host"), "{e}");
    let mut p = Pages::new(first);
    assert!(p
        .add(&json!({"value": [], "@odata.nextLink": "not a url"}).to_string())
        .is_err());
    assert!(Pages::new(first)
        .add(r#"{"error":{}}"#)
        .unwrap_err()
        .contains("no value"));
    assert!(Pages::new(first).add("<").is_err());
    // A loop of next links ends.
    let mut p = Pages::new(first);
    let page = json!({"value": [0], "@odata.nextLink": first}).to_string();
    let mut followed = 0;
    let err = loop {
        match p.add(&page) {
            Ok(Some(_)) => followed += 1,
            Ok(None) => unreachable!(),
            Err(e) => break e,
        }
    };
    assert_eq!(followed, reads::MAX_PAGES - 1);
    assert!(err.contains("50 pages"), "{err}");
}

#[test]
fn a_fresh_change_is_awaited_then_not_visible_yet_never_wrong() {
    let key = "f0b0b335-1d71-4883-8f98-567911bfdca6";
    let apps = |keys: &[&str]| {
        json!({"value": [{"id": "o", "appId": CLIENT, "passwordCredentials":
            keys.iter().map(|k| json!({"keyId": k})).collect::<Vec<_>>()}]})
        .to_string()
    };
    let secret = Awaited::Secret {
        key_id: key.to_uppercase(),
    };
    assert_eq!(secret.check(), CheckId::ClientSecret);
    assert!(secret.is_visible(&apps(&["x", key]), CLIENT));
    assert!(!secret.is_visible(&apps(&["x"]), CLIENT));
    assert!(
        !secret.is_visible(&apps(&[key]), USER),
        "another app's secret"
    );
    assert!(!secret.is_visible("nope", CLIENT));
    let user = Awaited::ApplicationUser;
    assert_eq!(user.check(), CheckId::ApplicationUser);
    assert!(user.is_visible(&user_with(json!([]), None), CLIENT));
    assert!(!user.is_visible(r#"{"value":[]}"#, CLIENT));
    let v = reads::not_visible_yet(&secret);
    assert_eq!((v.check, symbol(&v)), (CheckId::ClientSecret, "?"));
    assert!(
        text(&v).contains("The new client secret is not visible yet"),
        "{}",
        text(&v)
    );
    assert!(text(&v).contains("for 30 s"), "{}", text(&v));
    let v = reads::not_visible_yet(&user);
    assert_eq!((v.check, symbol(&v)), (CheckId::ApplicationUser, "?"));
    assert!(text(&v).contains("The new application user"));
    assert_eq!(reads::VISIBILITY_DELAYS_MS.iter().sum::<u32>(), 30_000);
}

#[test]
fn an_application_user_already_there_is_named_not_created_again() {
    let there = verify::existing_application_user(&user_with(json!([]), None), CLIENT).unwrap();
    assert!(there.contains(&format!("(systemuserid {USER})")), "{there}");
    assert!(
        there.contains("“# Data Sync”") && there.contains("(enabled)"),
        "{there}"
    );
    assert!(there.contains("Nothing was created") && there.contains("may have just been created"));
    let disabled =
        user_with(json!([]), None).replace("\"isdisabled\":false", "\"isdisabled\":true");
    let there = verify::existing_application_user(&disabled, CLIENT).unwrap();
    assert!(
        there.contains("(disabled)") && there.contains("Activate"),
        "{there}"
    );
    assert_eq!(
        verify::existing_application_user(r#"{"value":[]}"#, CLIENT),
        None
    );
    assert_eq!(verify::existing_application_user("nope", CLIENT), None);
    assert_eq!(
        verify::existing_application_user(&user_with(json!([]), None), USER),
        None
    );
}
