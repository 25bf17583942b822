//! Checks 7, 8 and 10: the environment, read through the Dataverse Web API (check 9 is in
//! [`super::tables`]).

use super::dataverse::{Role, SystemUser};
use super::graph::parse_list;
use super::{list_words, CheckId, FixAction, Verdict};
use crate::diagnose::{dataverse_error, DV_API_RESTRICTED};
use crate::fields::Guid;

/// The name of Dataverse's all-powerful security role.
pub const SYSTEM_ADMINISTRATOR: &str = "System Administrator";

/// `accessmode` of application users.
const NON_INTERACTIVE: i64 = 4;

fn access_mode_label(mode: i64) -> &'static str {
    match mode {
        0 => "Read-Write",
        1 => "Administrative",
        2 => "Read",
        3 => "Support User",
        4 => "Non-interactive",
        5 => "Delegated Admin",
        _ => "unknown",
    }
}

/// The application users for `client_id` in a `systemusers?$filter=applicationid eq …` answer.
fn app_users(check: CheckId, body: &str, client_id: &str) -> Result<Vec<SystemUser>, Verdict> {
    let users: Vec<SystemUser> =
        parse_list(body).map_err(|e| Verdict::unreadable(check, "application user", e))?;
    Ok(users
        .into_iter()
        .filter(|u| {
            u.applicationid
                .as_deref()
                .is_none_or(|a| a.trim().eq_ignore_ascii_case(client_id.trim()))
        })
        .collect())
}

/// The `systemuserid` of THE application user for `client_id` in a systemusers answer: `None`
/// when there is none or more than one, or the answer is unreadable (check 7 says which). It is
/// whose privileges check 9 reads.
pub fn application_user_id(body: &str, client_id: &str) -> Option<Guid> {
    match app_users(CheckId::ApplicationUser, body, client_id)
        .ok()?
        .as_slice()
    {
        [one] => Guid::parse(&one.systemuserid).ok(),
        _ => None,
    }
}

/// The application user already there for `client_id` in a systemusers answer, in words that
/// name the record (the create fix says it instead of creating a second one). `None` when the
/// answer lists none or cannot be read.
pub fn existing_application_user(body: &str, client_id: &str) -> Option<String> {
    let users = app_users(CheckId::ApplicationUser, body, client_id).ok()?;
    let u = users.first()?;
    let disabled = u.isdisabled == Some(true);
    Some(format!(
        "An application user for this app already exists in the environment: {} ({}). Nothing \
         was created, so there is never a second one. {}",
        describe(u),
        if disabled { "disabled" } else { "enabled" },
        if disabled {
            "Activate it in the Power Platform admin center (Application users → the app → \
             Activate), then Verify again."
        } else {
            "Verify again: it may have just been created."
        }
    ))
}

fn describe(u: &SystemUser) -> String {
    format!(
        "Application user \u{201c}{}\u{201d} (systemuserid {}), business unit {}",
        u.fullname.as_deref().unwrap_or(""),
        u.systemuserid,
        u.business_unit_id.as_deref().unwrap_or("unknown")
    )
}

/// Check 7. `systemusers` is the answer to
/// [`super::requests::dataverse_application_user`]: exactly one application user for
/// `client_id`, enabled, access mode 4 (Non-interactive). None → wrong, with the
/// [`FixAction::CreateApplicationUser`] button.
pub fn check_application_user(systemusers: &str, client_id: &str) -> Verdict {
    let check = CheckId::ApplicationUser;
    let users = match app_users(check, systemusers, client_id) {
        Ok(u) => u,
        Err(v) => return v,
    };
    let user =
        match users.as_slice() {
            [] => return Verdict::wrong(
                check,
                "Application user missing: the environment has no application user for this app, \
                 so Data Sync's client-credentials connection is refused (HTTP 403).",
                format!("No systemuser has applicationid {client_id}."),
                "Create the application user: Power Platform admin center → your environment → \
                 Settings → Users + permissions → Application users → New app user → pick the app, \
                 a business unit and a security role (or use the button; it needs the System \
                 Administrator role in the environment).",
            )
            .with_action(FixAction::CreateApplicationUser),
            [one] => one,
            many => {
                let all: Vec<String> = many.iter().map(describe).collect();
                return Verdict::warning(
                    check,
                    format!(
                    "{} users carry this Application ID; an environment normally has exactly one.",
                    many.len()
                ),
                    format!("{}.", list_words(&all)),
                    "In Application users, keep one and deactivate the others.",
                );
            }
        };
    let mode = user.accessmode;
    let evidence = format!(
        "{}, access mode {}, {}.",
        describe(user),
        mode.map_or("not given".to_string(), |m| format!(
            "{m} ({})",
            access_mode_label(m)
        )),
        if user.isdisabled == Some(true) {
            "disabled"
        } else {
            "enabled"
        }
    );
    if user.isdisabled == Some(true) {
        return Verdict::wrong(
            check,
            "The application user is disabled, so every call as the app is refused.",
            evidence,
            "Power Platform admin center → your environment → Application users → select the app \
             → Activate.",
        );
    }
    match mode {
        Some(m) if m != NON_INTERACTIVE => Verdict::warning(
            check,
            format!(
                "The user's access mode is {m} ({}), not 4 (Non-interactive): it is probably an \
                 ordinary user with an Application ID set, not an application user.",
                access_mode_label(m)
            ),
            evidence,
            "Create the application user through Application users → New app user rather than \
             editing a person's user record.",
        ),
        _ => Verdict::verified(check, evidence),
    }
}

/// A role's name (its id when the answer has no name).
fn role_name(r: &Role) -> String {
    r.name.clone().unwrap_or_else(|| r.roleid.clone())
}

/// Check 8. The application user (same answer as [`check_application_user`], with the expanded
/// `systemuserroles_association` and `teammembership_association`) has at least one security
/// role, its own or through a team it belongs to (a member holds its teams' privileges); System
/// Administrator is a warning (least privilege). None → wrong, with the [`FixAction::AssignRole`]
/// button.
pub fn check_security_roles(systemusers: &str, client_id: &str) -> Verdict {
    let check = CheckId::SecurityRoles;
    let users = match app_users(check, systemusers, client_id) {
        Ok(u) => u,
        Err(v) => return v,
    };
    let [user] = users.as_slice() else {
        return Verdict::not_checkable(
            check,
            "There is not exactly one application user (see Application user), so its roles were \
             not checked.",
        );
    };
    let Some(own) = &user.systemuserroles_association else {
        return Verdict::not_checkable(
            check,
            "The answer did not include the user's security roles (systemuserroles_association), \
             so they were not checked.",
        );
    };
    // (role name, how it is held)
    let mut held: Vec<(String, String)> =
        own.iter().map(|r| (role_name(r), role_name(r))).collect();
    for team in user.teammembership_association.iter().flatten() {
        let team_name = team.name.clone().unwrap_or_else(|| team.teamid.clone());
        for r in team.teamroles_association.iter().flatten() {
            let name = role_name(r);
            held.push((name.clone(), format!("{name} (through team {team_name})")));
        }
    }
    let shown: Vec<&str> = held.iter().map(|(_, how)| how.as_str()).collect();
    let teams = user.teammembership_association.as_ref().map_or(0, Vec::len);
    let evidence = format!(
        "Security roles: {}{}.",
        list_words(&shown),
        match teams {
            0 => String::new(),
            1 => "; member of 1 team".to_string(),
            n => format!("; member of {n} teams"),
        }
    );
    if held.is_empty() {
        return Verdict::wrong(
            check,
            "The application user has no security role, neither its own nor through a team, so \
             Dataverse refuses every call as the app (HTTP 403).",
            evidence,
            "Application users → select the app → Edit security roles → pick a role that can read \
             (and, if Data Sync writes, create and update) your table (or use the button).",
        )
        .with_action(FixAction::AssignRole);
    }
    if held
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(SYSTEM_ADMINISTRATOR))
    {
        return Verdict::warning(
            check,
            "The application user is a System Administrator: it can read, change and delete \
             everything in the environment, far more than a sync needs.",
            evidence,
            "Give it a role with only the table privileges Data Sync needs, then remove System \
             Administrator (from the user, or from its team).",
        );
    }
    Verdict::verified(check, evidence)
}

/// Check 10. The HTTP status and body of a Dataverse call made with the app (for example
/// `WhoAmI`): 2xx → verified; 403 with `0x80095ffc` → wrong, "Environment restricts this app";
/// any other failure → wrong with the [`crate::diagnose::dataverse_error`] texts. Status 0 (no
/// answer at all, e.g. a network or CORS failure) → not checkable.
pub fn check_environment_access(status: u16, body: &str) -> Verdict {
    let check = CheckId::EnvironmentAccess;
    if (200..300).contains(&status) {
        return Verdict::verified(
            check,
            format!("The environment's Web API answered HTTP {status}."),
        );
    }
    if status == 0 {
        return Verdict::not_checkable(
            check,
            "The environment did not answer (network, CORS or a wrong environment URL), so access \
             was not checked.",
        );
    }
    let d = dataverse_error(status, body, None);
    let evidence = format!("Dataverse answered {}.", d.code);
    if d.code.ends_with(DV_API_RESTRICTED) {
        return Verdict::wrong(
            check,
            format!("Environment restricts this app. {}", d.cause),
            evidence,
            d.fix,
        );
    }
    Verdict::wrong(check, format!("{}. {}", d.title, d.cause), evidence, d.fix)
}
