//! Microsoft Entra directory roles the sandbox's users may hold, and the rights they give over
//! app registrations, service principals and delegated permission grants, as Microsoft's pages
//! state them ("Create application", "Update application", "Create servicePrincipal", "Create
//! oAuth2PermissionGrant", "Grant tenant-wide admin consent to an application").
//!
//! * Register an application: any member, unless the tenant turned "Users can register
//!   applications" off (`users_can_register_apps = false`); then Application Developer or an
//!   application admin. The creator becomes an owner.
//! * Change an application (`PATCH`, `addPassword`): its owners, Application Administrator,
//!   Cloud Application Administrator, Global Administrator.
//! * Create a single-tenant app's service principal: Application Administrator, Cloud
//!   Application Administrator or Global Administrator; a non-admin owner needs Application
//!   Developer.
//! * Grant tenant-wide (admin) consent, `POST`/`PATCH oauth2PermissionGrants`: Cloud
//!   Application Administrator, Application Administrator, Privileged Role Administrator, Global
//!   Administrator (Application Developer may read grants, not grant them).

use crate::config::{Tenant, User};
use serde_json::{json, Value};

pub const GLOBAL_ADMINISTRATOR: &str = "Global Administrator";
pub const APPLICATION_ADMINISTRATOR: &str = "Application Administrator";
pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "Cloud Application Administrator";
pub const APPLICATION_DEVELOPER: &str = "Application Developer";
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "Privileged Role Administrator";

/// A built-in directory role: display name, role template ID (the same in every tenant) and
/// Microsoft's description.
pub struct DirectoryRole {
    pub name: &'static str,
    pub template_id: &'static str,
    pub description: &'static str,
}

/// The roles the sandbox knows (real role template IDs).
pub const ROLES: &[DirectoryRole] = &[
    DirectoryRole {
        name: GLOBAL_ADMINISTRATOR,
        template_id: "62e90394-69f5-4237-9190-012177145e10",
        description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that \
                      use Microsoft Entra identities.",
    },
    DirectoryRole {
        name: APPLICATION_ADMINISTRATOR,
        template_id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        description: "Can create and manage all aspects of app registrations and enterprise apps.",
    },
    DirectoryRole {
        name: CLOUD_APPLICATION_ADMINISTRATOR,
        template_id: "158c047a-c907-4556-b7ef-446551a6b5f7",
        description: "Can create and manage all aspects of app registrations and enterprise apps \
                      except App Proxy.",
    },
    DirectoryRole {
        name: APPLICATION_DEVELOPER,
        template_id: "cf1c38e5-3621-4004-a7cb-879624dced7c",
        description: "Can create application registrations independent of the 'Users can \
                      register applications' setting.",
    },
    DirectoryRole {
        name: PRIVILEGED_ROLE_ADMINISTRATOR,
        template_id: "e8611ab8-c189-46e8-94e1-60213ab1f814",
        description: "Can manage role assignments in Microsoft Entra ID, and all aspects of \
                      Privileged Identity Management.",
    },
];

/// Roles that may manage every app registration and enterprise application.
const APP_ADMINS: [&str; 3] = [
    GLOBAL_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
];
/// Roles that may grant tenant-wide consent to delegated permissions.
const CONSENT_ADMINS: [&str; 4] = [
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
];

/// A role by display name (case-insensitive).
pub fn role(name: &str) -> Option<&'static DirectoryRole> {
    ROLES.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// The user's roles: Global Administrator when `is_admin`, then `directory_roles`, once each.
pub fn roles_of(user: &User) -> Vec<&'static DirectoryRole> {
    let mut out: Vec<&'static DirectoryRole> = Vec::new();
    let names = user
        .is_admin
        .then_some(GLOBAL_ADMINISTRATOR)
        .into_iter()
        .chain(user.directory_roles.iter().map(String::as_str));
    for r in names.filter_map(role) {
        if !out.iter().any(|o| o.name == r.name) {
            out.push(r);
        }
    }
    out
}

fn has_any(user: &User, names: &[&str]) -> bool {
    roles_of(user).iter().any(|r| names.contains(&r.name))
}

/// A Global Administrator (`is_admin`, or the role by name).
pub fn is_global_admin(user: &User) -> bool {
    has_any(user, &[GLOBAL_ADMINISTRATOR])
}

/// Holds any directory role (reading delegated permission grants needs one).
pub fn has_directory_role(user: &User) -> bool {
    !roles_of(user).is_empty()
}

/// Application Administrator, Cloud Application Administrator or Global Administrator.
pub fn is_app_admin(user: &User) -> bool {
    has_any(user, &APP_ADMINS)
}

/// May grant tenant-wide consent (the consent page's "on behalf of your organization", and
/// `oauth2PermissionGrants` writes).
pub fn can_grant_consent(user: &User) -> bool {
    has_any(user, &CONSENT_ADMINS)
}

/// May `POST /applications` in `tenant`.
pub fn can_register_apps(user: &User, tenant: &Tenant) -> bool {
    tenant.users_can_register_apps || has_any(user, &[APPLICATION_DEVELOPER]) || is_app_admin(user)
}

/// May change the application owned by `owners` (`PATCH`, `addPassword`).
pub fn can_change_app(user: &User, owners: &[String]) -> bool {
    owners.contains(&user.oid) || is_app_admin(user)
}

/// May create the service principal of the single-tenant application owned by `owners`.
pub fn can_create_service_principal(user: &User, owners: &[String]) -> bool {
    is_app_admin(user) || (owners.contains(&user.oid) && has_any(user, &[APPLICATION_DEVELOPER]))
}

/// A role's `directoryRole` object ID in a tenant (stable per tenant; not the template ID).
pub fn role_object_id(tenant: &Tenant, role: &DirectoryRole) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, tenant.id.as_bytes());
    uuid::Uuid::new_v5(
        &ns,
        format!("directoryRole:{}", role.template_id).as_bytes(),
    )
    .to_string()
}

/// The `directoryRole` object as `/me/memberOf` lists it.
pub fn role_json(tenant: &Tenant, role: &DirectoryRole) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": role_object_id(tenant, role),
        "deletedDateTime": Value::Null,
        "description": role.description,
        "displayName": role.name,
        "roleTemplateId": role.template_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(is_admin: bool, roles: &[&str]) -> User {
        User {
            oid: "u".into(),
            name: "U".into(),
            upn: "u@x".into(),
            is_admin,
            directory_roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn rights_follow_the_roles() {
        let alex = user(true, &[]);
        assert!(is_global_admin(&alex) && can_grant_consent(&alex) && is_app_admin(&alex));
        let dana = user(false, &[APPLICATION_DEVELOPER]);
        assert!(!can_grant_consent(&dana) && !is_app_admin(&dana));
        assert!(can_create_service_principal(&dana, &["u".into()]));
        assert!(!can_create_service_principal(&dana, &[]));
        let cody = user(false, &["cloud application administrator"]);
        assert!(can_grant_consent(&cody) && can_create_service_principal(&cody, &[]));
        let uma = user(false, &[]);
        assert!(!has_directory_role(&uma) && can_change_app(&uma, &["u".into()]));
        assert!(!can_create_service_principal(&uma, &["u".into()]));
        assert_eq!(roles_of(&user(true, &[GLOBAL_ADMINISTRATOR])).len(), 1);
    }
}
