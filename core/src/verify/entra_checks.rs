//! Checks 1–5: the app registration in Entra ID, read through Microsoft Graph.

use super::graph::{
    parse_list, parse_one_or_list, Application, OAuth2PermissionGrant, ServicePrincipal,
};
use super::{list_words, CheckId, Verdict};
use crate::entra::{spa_redirect_uri, DYNAMICS_CRM_APP_ID, USER_IMPERSONATION};
use crate::fields::GrantType;

/// The single-tenant sign-in audience.
const MY_ORG: &str = "AzureADMyOrg";

pub(super) fn same_id(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The app registration for `client_id` in a `GET /applications?$filter=appId eq '…'` answer,
/// or the verdict to give when there is not exactly one.
pub(super) fn the_application(
    check: CheckId,
    body: &str,
    client_id: &str,
) -> Result<Application, Verdict> {
    let apps: Vec<Application> =
        parse_list(body).map_err(|e| Verdict::unreadable(check, "app registration", e))?;
    let mut found: Vec<Application> = apps
        .into_iter()
        .filter(|a| a.app_id.is_empty() || same_id(&a.app_id, client_id))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 if check == CheckId::AppRegistration => Err(Verdict::wrong(
            check,
            format!(
                "No app registration in this tenant has the Application (client) ID {client_id}."
            ),
            "Microsoft Graph returned no application with this appId.",
            "Copy the Application (client) ID from the app registration's Overview page. If the \
             app was registered in another tenant, sign in to that tenant (and use its Tenant ID).",
        )),
        0 => Err(Verdict::not_checkable(
            check,
            "No app registration was found for the Application (client) ID (see the App \
             registration check), so this was not checked.",
        )),
        n => Err(Verdict::not_checkable(
            check,
            format!("Microsoft Graph returned {n} app registrations for one Application (client) ID, so this was not checked."),
        )),
    }
}

fn name_of(app: &Application) -> String {
    app.display_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(no name)".to_string())
}

/// Check 1. `applications` is the answer to [`super::requests::graph_application`]. Exactly one
/// app registration for `client_id`; its display name compared with the typed `app_name`
/// (warning if different; not compared when blank); sign-in audience `AzureADMyOrg`, else a
/// warning (multi-tenant).
pub fn check_app_registration(applications: &str, client_id: &str, app_name: &str) -> Verdict {
    let check = CheckId::AppRegistration;
    let app = match the_application(check, applications, client_id) {
        Ok(a) => a,
        Err(v) => return v,
    };
    let name = name_of(&app);
    let audience = app.sign_in_audience.clone().unwrap_or_default();
    let evidence = format!(
        "App registration \u{201c}{name}\u{201d} (Object ID {}), supported account types {}.",
        app.id,
        if audience.is_empty() {
            "not given"
        } else {
            &audience
        }
    );
    let mut causes = Vec::new();
    let mut fixes = Vec::new();
    let typed = app_name.trim();
    if !typed.is_empty() && typed != name {
        causes.push(format!(
            "The app registration is named \u{201c}{name}\u{201d}, but you typed \u{201c}{typed}\u{201d}."
        ));
        fixes.push(format!(
            "Type the name as registered (\u{201c}{name}\u{201d}), or check that the client ID is the app you mean."
        ));
    }
    if !audience.is_empty() && audience != MY_ORG {
        causes.push(format!(
            "The app accepts sign-ins from other organisations ({audience}); a Data Sync \
             connection only needs your own tenant."
        ));
        fixes.push(
            "Authentication → Supported account types → \u{201c}Accounts in this organizational \
             directory only\u{201d} (single tenant)."
                .to_string(),
        );
    }
    if causes.is_empty() {
        Verdict::verified(check, evidence)
    } else {
        Verdict::warning(check, causes.join(" "), evidence, fixes.join(" "))
    }
}

/// Check 2. The wizard's own redirect URI (`spa_redirect_uri(app_origin)`) must be registered
/// under Single-page application; with the `authorization_code` grant, the connector's Redirect
/// URL must be registered under Web.
pub fn check_redirects(
    applications: &str,
    client_id: &str,
    app_origin: &str,
    grant_type: GrantType,
    connector_redirect: Option<&str>,
) -> Verdict {
    let check = CheckId::RedirectUris;
    let app = match the_application(check, applications, client_id) {
        Ok(a) => a,
        Err(v) => return v,
    };
    let spa = Application::uris(&app.spa);
    let web = Application::uris(&app.web);
    let evidence = format!(
        "Single-page application: {}. Web: {}.",
        list_words(spa),
        list_words(web)
    );
    let near = |list: &[String], uri: &str| {
        list.iter()
            .find(|u| {
                u.trim_end_matches('/')
                    .eq_ignore_ascii_case(uri.trim_end_matches('/'))
            })
            .cloned()
    };
    let mut causes = Vec::new();
    let mut fixes = Vec::new();

    let wizard = spa_redirect_uri(app_origin);
    if spa.contains(&wizard) {
        // As it should be.
    } else if web.contains(&wizard) {
        causes.push(format!(
            "The wizard's redirect URI {wizard} is under Web, not Single-page application: the \
             wizard's sign-in fails with AADSTS9002326 (\u{201c}Cross-origin token redemption is \
             permitted only for the 'Single-Page Application' client-type\u{201d})."
        ));
        fixes.push(format!(
            "Authentication → delete {wizard} from Web, then Add a platform → Single-page \
             application → {wizard} → Configure."
        ));
    } else if let Some(close) = near(spa, &wizard) {
        causes.push(format!(
            "The Single-page application redirect URI {close} differs from the wizard's {wizard}; \
             redirect URIs must match exactly."
        ));
        fixes.push(format!(
            "Authentication → Single-page application: add {wizard} exactly."
        ));
    } else {
        causes.push(format!(
            "The wizard's redirect URI {wizard} is not registered, so the wizard cannot sign you in \
             (AADSTS50011)."
        ));
        fixes.push(format!(
            "Authentication → Add a platform → Single-page application → {wizard} → Configure."
        ));
    }

    if grant_type == GrantType::AuthorizationCode {
        match connector_redirect.map(str::trim).filter(|r| !r.is_empty()) {
            None => {
                causes.push(
                    "The connector's Redirect URL is not entered; the authorization_code grant \
                     needs one registered under Web."
                        .to_string(),
                );
                fixes.push(
                    "Enter the connector's Redirect URL (for example http://localhost) on the \
                     Connector step and register it under Web."
                        .to_string(),
                );
            }
            Some(r) if web.iter().any(|u| u == r) => {}
            Some(r) if spa.iter().any(|u| u == r) => {
                causes.push(format!(
                    "The connector's Redirect URL {r} is under Single-page application, not Web: \
                     Data Sync redeems the code outside a browser, which Entra ID refuses for \
                     single-page redirect URIs (AADSTS9002327)."
                ));
                fixes.push(format!(
                    "Authentication → delete {r} from Single-page application, then add it under \
                     Web (Add a platform → Web)."
                ));
            }
            Some(r) => {
                let hint = near(web, r)
                    .map(|c| format!(" (Web has {c}, which differs; they must match exactly)"))
                    .unwrap_or_default();
                causes.push(format!(
                    "The connector's Redirect URL {r} is not registered under Web{hint}: Data \
                     Sync's sign-in fails with AADSTS50011."
                ));
                fixes.push(format!(
                    "Authentication → Web → Add URI → {r} (Add a platform → Web if there is no Web \
                     platform yet)."
                ));
            }
        }
    }

    if causes.is_empty() {
        Verdict::verified(check, evidence)
    } else {
        Verdict::wrong(check, causes.join(" "), evidence, fixes.join(" "))
    }
}

/// The Dynamics CRM service principal in the answer to
/// [`super::requests::graph_dynamics_crm_service_principal`].
fn dynamics_sp(check: CheckId, body: &str) -> Result<ServicePrincipal, Verdict> {
    let sps: Vec<ServicePrincipal> = parse_one_or_list(body)
        .map_err(|e| Verdict::unreadable(check, "Dynamics CRM service principal", e))?;
    sps.into_iter()
        .find(|s| s.app_id.is_empty() || same_id(&s.app_id, DYNAMICS_CRM_APP_ID))
        .filter(|s| !s.id.is_empty())
        .ok_or_else(|| {
            Verdict::not_checkable(
                check,
                "Dynamics CRM (Dataverse) has no service principal in this tenant, so its \
                 permission cannot be looked up. A tenant that owns a Dataverse environment always \
                 has one: check the Tenant ID.",
            )
        })
}

/// The id of `user_impersonation` read from the Dynamics CRM service principal.
fn user_impersonation_id(check: CheckId, sp: &ServicePrincipal) -> Result<String, Verdict> {
    sp.oauth2_permission_scopes
        .iter()
        .find(|s| s.value.as_deref() == Some(USER_IMPERSONATION))
        .map(|s| s.id.clone())
        .ok_or_else(|| {
            Verdict::not_checkable(
                check,
                "The Dynamics CRM service principal lists no user_impersonation permission (its \
                 oauth2PermissionScopes were not returned), so this was not checked.",
            )
        })
}

const ADD_PERMISSION: &str = "API permissions → Add a permission → Dynamics CRM → Delegated \
                              permissions → user_impersonation → Add permissions, then Grant \
                              admin consent.";

/// Check 3. The app's API permissions (`requiredResourceAccess`) include Dynamics CRM
/// (`00000007-0000-0000-c000-000000000000`) with a delegated `Scope` whose id is the
/// `user_impersonation` id read from the Dynamics CRM service principal (`dynamics_sp`, the
/// answer to [`super::requests::graph_dynamics_crm_service_principal`]).
pub fn check_dynamics_permission(
    applications: &str,
    client_id: &str,
    dynamics_sp: &str,
) -> Verdict {
    let check = CheckId::DynamicsPermission;
    let app = match the_application(check, applications, client_id) {
        Ok(a) => a,
        Err(v) => return v,
    };
    let scope_id = match self::dynamics_sp(check, dynamics_sp)
        .and_then(|sp| user_impersonation_id(check, &sp))
    {
        Ok(id) => id,
        Err(v) => return v,
    };
    let Some(entry) = app
        .required_resource_access
        .iter()
        .find(|r| same_id(&r.resource_app_id, DYNAMICS_CRM_APP_ID))
    else {
        let apis: Vec<&str> = app
            .required_resource_access
            .iter()
            .map(|r| r.resource_app_id.as_str())
            .collect();
        return Verdict::wrong(
            check,
            "Dynamics CRM is not under the app's API permissions.",
            format!(
                "API permissions list these APIs (appId): {}.",
                list_words(&apis)
            ),
            ADD_PERMISSION,
        );
    };
    let listed: Vec<String> = entry
        .resource_access
        .iter()
        .map(|a| format!("{} ({})", a.id, a.kind))
        .collect();
    let evidence = format!(
        "Dynamics CRM permissions: {}; user_impersonation is {scope_id}.",
        list_words(&listed)
    );
    match entry
        .resource_access
        .iter()
        .find(|a| same_id(&a.id, &scope_id))
    {
        Some(a) if a.kind == "Scope" => Verdict::verified(
            check,
            format!(
                "Dynamics CRM user_impersonation (delegated, {scope_id}) is under API permissions."
            ),
        ),
        Some(a) => Verdict::wrong(
            check,
            format!(
                "Dynamics CRM user_impersonation is listed as type {}, not as a delegated \
                 permission (Scope).",
                a.kind
            ),
            evidence,
            format!("Remove it, then: {ADD_PERMISSION}"),
        ),
        None => Verdict::wrong(
            check,
            "Dynamics CRM is under API permissions, but without user_impersonation.",
            evidence,
            ADD_PERMISSION,
        ),
    }
}

/// Check 4. Among the app service principal's grants (`grants`, the answer to
/// [`super::requests::graph_permission_grants`]) one has `consentType` `AllPrincipals`,
/// `resourceId` = the Dynamics CRM service principal's `id` (from `dynamics_sp`) and a `scope`
/// containing `user_impersonation`.
pub fn check_admin_consent(grants: &str, dynamics_sp: &str) -> Verdict {
    let check = CheckId::AdminConsent;
    let sp = match self::dynamics_sp(check, dynamics_sp) {
        Ok(sp) => sp,
        Err(v) => return v,
    };
    let grants: Vec<OAuth2PermissionGrant> = match parse_list(grants) {
        Ok(g) => g,
        Err(e) => return Verdict::unreadable(check, "permission grants", e),
    };
    let for_dynamics: Vec<&OAuth2PermissionGrant> = grants
        .iter()
        .filter(|g| same_id(&g.resource_id, &sp.id))
        .collect();
    let describe = |g: &OAuth2PermissionGrant| {
        format!(
            "{} grant \u{201c}{}\u{201d}",
            g.consent_type,
            g.scope.as_deref().unwrap_or("").trim()
        )
    };
    let evidence = if for_dynamics.is_empty() {
        format!(
            "{} grant(s) in total, none for Dynamics CRM (service principal {}).",
            grants.len(),
            sp.id
        )
    } else {
        let d: Vec<String> = for_dynamics.iter().map(|g| describe(g)).collect();
        format!("Dynamics CRM grants: {}.", list_words(&d))
    };
    const GRANT: &str = "API permissions → Grant admin consent for your organisation (needs the \
                         Cloud Application Administrator, Application Administrator or Global \
                         Administrator role), or send an administrator the admin consent link.";
    let admin = for_dynamics
        .iter()
        .filter(|g| g.consent_type == "AllPrincipals");
    if admin.clone().any(|g| g.grants(USER_IMPERSONATION)) {
        return Verdict::verified(
            check,
            format!("An administrator consented to Dynamics CRM user_impersonation for everyone. {evidence}"),
        );
    }
    if admin.count() > 0 {
        return Verdict::wrong(
            check,
            "Admin consent for Dynamics CRM does not include user_impersonation (it was granted \
             before the permission was added).",
            evidence,
            GRANT,
        );
    }
    let users = for_dynamics
        .iter()
        .filter(|g| g.consent_type == "Principal" && g.grants(USER_IMPERSONATION))
        .count();
    if users > 0 {
        return Verdict::warning(
            check,
            format!(
                "Only {users} user{} consented for themselves; admin consent for the organisation \
                 is missing, so other people (and Data Sync runs as them) are asked or refused.",
                if users == 1 { "" } else { "s" }
            ),
            evidence,
            GRANT,
        );
    }
    Verdict::wrong(
        check,
        "Admin consent for Dynamics CRM user_impersonation has not been granted.",
        evidence,
        GRANT,
    )
}

/// Check 5. The typed Enterprise application Object ID equals the app's service principal `id`
/// (`service_principals`, the answer to [`super::requests::graph_service_principal`]);
/// `applications` tells the app registration's own object ID apart.
pub fn check_object_id(
    service_principals: &str,
    applications: &str,
    client_id: &str,
    typed_object_id: &str,
) -> Verdict {
    let check = CheckId::ObjectId;
    let sps: Vec<ServicePrincipal> = match parse_one_or_list(service_principals) {
        Ok(s) => s,
        Err(e) => return Verdict::unreadable(check, "service principal", e),
    };
    let Some(sp) = sps
        .into_iter()
        .find(|s| s.app_id.is_empty() || same_id(&s.app_id, client_id))
    else {
        return Verdict::wrong(
            check,
            "The app has no Enterprise application (service principal) in this tenant, so nobody \
             can sign in with it (AADSTS7000229) and Dataverse cannot add it as an application \
             user.",
            format!("Microsoft Graph returned no service principal with appId {client_id}."),
            "Grant admin consent on API permissions (that creates the Enterprise application), or \
             open the app registration's Overview → \u{201c}Managed application in local \
             directory\u{201d} → Create.",
        );
    };
    let sp_name = sp.display_name.clone().unwrap_or_default();
    let where_to = format!(
        "Enterprise applications → {} → Overview → Object ID ({}).",
        if sp_name.is_empty() {
            "your app"
        } else {
            &sp_name
        },
        sp.id
    );
    let typed = typed_object_id.trim();
    let evidence = format!("The Enterprise application's Object ID is {}.", sp.id);
    if typed.is_empty() {
        return Verdict::wrong(
            check,
            "The Enterprise application Object ID is not entered.",
            evidence,
            format!("Enter {}: {where_to}", sp.id),
        );
    }
    if same_id(typed, &sp.id) {
        return match sp.account_enabled {
            Some(false) => Verdict::warning(
                check,
                "The Enterprise application is disabled (\u{201c}Enabled for users to sign \
                 in?\u{201d} is No): no token can be issued for it.",
                evidence,
                format!("Enterprise applications → {sp_name} → Properties → Enabled for users to sign in? → Yes."),
            ),
            _ => Verdict::verified(check, evidence),
        };
    }
    let app_object_id = parse_list::<Application>(applications)
        .ok()
        .and_then(|apps| {
            apps.into_iter()
                .find(|a| a.app_id.is_empty() || same_id(&a.app_id, client_id))
        })
        .map(|a| a.id)
        .filter(|id| !id.is_empty());
    let cause = if app_object_id.is_some_and(|id| same_id(typed, &id)) {
        "You typed the app registration's Object ID, not the Enterprise application's. Dataverse \
         matches the application user by the Enterprise application (service principal) Object ID."
            .to_string()
    } else if same_id(typed, client_id) {
        "You typed the Application (client) ID, not the Enterprise application's Object ID."
            .to_string()
    } else {
        format!(
            "{typed} is not this app's Enterprise application Object ID (nor its app registration's \
             Object ID or client ID)."
        )
    };
    Verdict::wrong(check, cause, evidence, format!("Use {}: {where_to}", sp.id))
}
