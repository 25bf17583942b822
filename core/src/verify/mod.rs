//! Verify every setup step live: one pure function per check, "API JSON in, verdict out".
//!
//! The app sends the requests described in [`requests`] (showing each one before it is sent),
//! then hands the response bodies to the checks here. Nothing in this module performs HTTP or
//! reads the clock: `today` is an input.
//!
//! Ten checks ([`CheckId`]), each giving a [`Verdict`]: verified (✓), a warning (⚠), wrong (✗)
//! or not checkable (?). A body that cannot be parsed, or a Graph permission the signed-in user
//! has not consented to, makes one check not checkable; the other checks still run.
//!
//! * Microsoft Graph (the app registration in Entra ID): [`check_app_registration`],
//!   [`check_redirects`], [`check_dynamics_permission`], [`check_admin_consent`],
//!   [`check_object_id`], [`check_client_secret`] (compared locally: the secret is never sent).
//! * Dataverse Web API (the environment): [`check_application_user`],
//!   [`check_security_roles`], [`table_access`] + [`check_table_privileges`],
//!   [`check_environment_access`].

use serde::{Deserialize, Serialize};

use crate::draft::Step;

mod dataverse;
mod dataverse_checks;
mod entra_checks;
mod grant;
mod graph;
pub mod reads;
mod report;
pub mod requests;
mod secret;
mod tables;

pub use dataverse::{
    entity_id, parse_roles, parse_root_business_unit, parse_who_am_i, BusinessUnit, PrivilegeDepth,
    Role, RolePrivilege, SystemUser, Team, UserPrivileges, WhoAmI,
};
pub use dataverse_checks::{
    application_user_id, check_application_user, check_environment_access, check_security_roles,
    existing_application_user, SYSTEM_ADMINISTRATOR,
};
pub use entra_checks::{
    check_admin_consent, check_app_registration, check_dynamics_permission, check_object_id,
    check_redirects,
};
pub use grant::{for_grant_type, NOT_NEEDED_FOR_CLIENT_CREDENTIALS};
pub use graph::{
    parse_add_password, Application, GraphError, GraphList, NewSecret, OAuth2PermissionGrant,
    PasswordCredential, PermissionScope, RedirectSettings, RequiredResourceAccess, ResourceAccess,
    ServicePrincipal,
};
pub use report::{combine, CarriedVerdicts};
pub use requests::{ApiRequest, GraphPermission, Method};
pub use secret::{check_client_secret, SecretCheck, SECRET_WARN_DAYS};
pub use tables::{
    check_table_privileges, no_table_chosen, table_access, TableAccess, TableDefinition,
    TablePrivilege,
};

/// The ten live checks, in the order the wizard runs and shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckId {
    /// The app registration exists for the Application (client) ID.
    AppRegistration,
    /// The wizard's SPA redirect URI (and the connector's Web redirect URI) are registered.
    RedirectUris,
    /// Dynamics CRM `user_impersonation` is under API permissions.
    DynamicsPermission,
    /// Admin consent was granted for Dynamics CRM.
    AdminConsent,
    /// The typed Object ID is the Enterprise application's (service principal's).
    ObjectId,
    /// The typed client secret is one of the app's secrets, and is not expired.
    ClientSecret,
    /// The application user exists in the environment, enabled and non-interactive.
    ApplicationUser,
    /// The application user has security roles.
    SecurityRoles,
    /// The security roles allow reading (and writing) the chosen table.
    TablePrivileges,
    /// The environment lets this app call the Web API.
    EnvironmentAccess,
}

impl CheckId {
    /// Every check, in order.
    pub const ALL: [CheckId; 10] = [
        CheckId::AppRegistration,
        CheckId::RedirectUris,
        CheckId::DynamicsPermission,
        CheckId::AdminConsent,
        CheckId::ObjectId,
        CheckId::ClientSecret,
        CheckId::ApplicationUser,
        CheckId::SecurityRoles,
        CheckId::TablePrivileges,
        CheckId::EnvironmentAccess,
    ];

    /// Whether the check reads Microsoft Graph (the app registration and its service principal;
    /// it needs a Graph token), else the Dataverse Web API (it needs the sign-in's token).
    pub fn reads_graph(self) -> bool {
        match self {
            CheckId::AppRegistration
            | CheckId::RedirectUris
            | CheckId::DynamicsPermission
            | CheckId::AdminConsent
            | CheckId::ObjectId
            | CheckId::ClientSecret => true,
            CheckId::ApplicationUser
            | CheckId::SecurityRoles
            | CheckId::TablePrivileges
            | CheckId::EnvironmentAccess => false,
        }
    }

    /// The checks that read Microsoft Graph, in order.
    pub fn graph_checks() -> impl Iterator<Item = CheckId> {
        CheckId::ALL.into_iter().filter(|c| c.reads_graph())
    }

    /// A short human name.
    pub fn name(self) -> &'static str {
        match self {
            CheckId::AppRegistration => "App registration",
            CheckId::RedirectUris => "Redirect URIs",
            CheckId::DynamicsPermission => "Dynamics CRM permission",
            CheckId::AdminConsent => "Admin consent",
            CheckId::ObjectId => "Enterprise application Object ID",
            CheckId::ClientSecret => "Client secret",
            CheckId::ApplicationUser => "Application user",
            CheckId::SecurityRoles => "Security roles",
            CheckId::TablePrivileges => "Table privileges",
            CheckId::EnvironmentAccess => "Environment access",
        }
    }

    /// The wizard step where what this check looks at is set up (where to go to fix it).
    pub fn step(self) -> Step {
        match self {
            CheckId::AppRegistration | CheckId::RedirectUris => Step::Register,
            CheckId::DynamicsPermission | CheckId::AdminConsent => Step::Permissions,
            CheckId::ClientSecret => Step::Secret,
            CheckId::ObjectId => Step::Details,
            CheckId::ApplicationUser
            | CheckId::SecurityRoles
            | CheckId::TablePrivileges
            | CheckId::EnvironmentAccess => Step::AppUser,
        }
    }

    /// The Graph permission the check's request needs, for Graph checks (`None` for Dataverse
    /// checks and for the secret, whose data comes with the app registration).
    pub fn graph_permission(self) -> Option<GraphPermission> {
        match self {
            CheckId::AppRegistration
            | CheckId::RedirectUris
            | CheckId::DynamicsPermission
            | CheckId::ObjectId
            | CheckId::ClientSecret => Some(GraphPermission::ApplicationReadAll),
            CheckId::AdminConsent => Some(GraphPermission::DirectoryReadAll),
            _ => None,
        }
    }
}

/// A one-click fix the app offers next to a verdict (its requests are in [`requests`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FixAction {
    /// Create the application user ([`requests::dataverse_create_application_user`]).
    CreateApplicationUser,
    /// Assign a security role ([`requests::dataverse_assign_role`]).
    AssignRole,
    /// Add a new client secret ([`requests::graph_add_password`]).
    AddSecret,
}

/// What one check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// As it should be.
    Verified {
        /// What was seen, in plain words.
        evidence: String,
    },
    /// Works, but is worth changing.
    Warning {
        /// What is not ideal.
        cause: String,
        /// What was seen.
        evidence: String,
        /// What to do.
        fix: String,
    },
    /// Will not work as set up.
    Wrong {
        /// What is wrong.
        cause: String,
        /// What was seen.
        evidence: String,
        /// What to do.
        fix: String,
    },
    /// Could not be checked.
    NotCheckable {
        /// Why, and what would make it checkable.
        reason: String,
    },
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Which check.
    pub check: CheckId,
    /// What it found.
    pub outcome: Outcome,
    /// A fix the app can apply with a button, when there is one.
    pub action: Option<FixAction>,
}

impl Verdict {
    /// Verified.
    pub fn verified(check: CheckId, evidence: impl Into<String>) -> Verdict {
        Verdict::of(
            check,
            Outcome::Verified {
                evidence: evidence.into(),
            },
        )
    }

    /// A warning.
    pub fn warning(
        check: CheckId,
        cause: impl Into<String>,
        evidence: impl Into<String>,
        fix: impl Into<String>,
    ) -> Verdict {
        Verdict::of(
            check,
            Outcome::Warning {
                cause: cause.into(),
                evidence: evidence.into(),
                fix: fix.into(),
            },
        )
    }

    /// Wrong.
    pub fn wrong(
        check: CheckId,
        cause: impl Into<String>,
        evidence: impl Into<String>,
        fix: impl Into<String>,
    ) -> Verdict {
        Verdict::of(
            check,
            Outcome::Wrong {
                cause: cause.into(),
                evidence: evidence.into(),
                fix: fix.into(),
            },
        )
    }

    /// Not checkable.
    pub fn not_checkable(check: CheckId, reason: impl Into<String>) -> Verdict {
        Verdict::of(
            check,
            Outcome::NotCheckable {
                reason: reason.into(),
            },
        )
    }

    fn of(check: CheckId, outcome: Outcome) -> Verdict {
        Verdict {
            check,
            outcome,
            action: None,
        }
    }

    /// The same verdict with a fix button.
    pub fn with_action(mut self, action: FixAction) -> Verdict {
        self.action = Some(action);
        self
    }

    /// `✓` verified, `⚠` warning, `✗` wrong, `?` not checkable.
    pub fn symbol(&self) -> &'static str {
        match self.outcome {
            Outcome::Verified { .. } => "\u{2713}",
            Outcome::Warning { .. } => "\u{26a0}",
            Outcome::Wrong { .. } => "\u{2717}",
            Outcome::NotCheckable { .. } => "?",
        }
    }

    /// Whether the check passed (verified or only a warning).
    pub fn is_ok(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Verified { .. } | Outcome::Warning { .. }
        )
    }

    /// A NotCheckable verdict for a response that could not be parsed.
    pub(crate) fn unreadable(check: CheckId, what: &str, e: impl std::fmt::Display) -> Verdict {
        Verdict::not_checkable(
            check,
            format!(
                "The answer to the {what} request could not be read ({e}), so this was not \
                 checked. The other checks still run."
            ),
        )
    }
}

/// The Graph permission the signed-in user has not consented to (Graph answered 403
/// `Authorization_RequestDenied`): says which permission the check needs. The other checks still
/// run.
pub fn graph_permission_not_consented(check: CheckId) -> Verdict {
    let permission = check
        .graph_permission()
        .unwrap_or(GraphPermission::ApplicationReadAll);
    let what = match permission {
        GraphPermission::DirectoryReadAll => "read the app's consent grants",
        GraphPermission::ApplicationReadWriteAll => "change the app registration",
        GraphPermission::ApplicationReadAll => "read the app registration",
        GraphPermission::DelegatedPermissionGrantReadWriteAll => "grant consent",
    };
    Verdict::not_checkable(
        check,
        format!(
            "Microsoft Graph refused to {what}: the wizard's sign-in lacks the delegated permission \
             {name}, or your account's directory role does not allow it. {name} needs an \
             administrator's consent for the wizard (or check this by hand in Entra admin center). \
             The other checks still run.",
            name = permission.name()
        ),
    )
}

/// Turns a failed Graph answer (any non-2xx status) into a NotCheckable verdict: 403
/// `Authorization_RequestDenied` → [`graph_permission_not_consented`]; otherwise Graph's own
/// code and message.
pub fn graph_failure(check: CheckId, status: u16, body: &str) -> Verdict {
    let err = GraphError::parse(body);
    let code = err.as_ref().map(|e| e.code.as_str()).unwrap_or("");
    if status == 403 || code == "Authorization_RequestDenied" {
        return graph_permission_not_consented(check);
    }
    let says = match &err {
        Some(e) if !e.message.is_empty() => format!(" Graph says: {} ({}).", e.message, e.code),
        Some(e) => format!(" Graph says: {}.", e.code),
        None => String::new(),
    };
    let reason = match status {
        401 => format!(
            "Microsoft Graph did not accept the wizard's sign-in (HTTP 401): it expired or was for \
             another service. Sign in again to run this check.{says}"
        ),
        _ => format!(
            "Microsoft Graph answered HTTP {status}, so this was not checked.{says} The other \
             checks still run."
        ),
    };
    Verdict::not_checkable(check, reason)
}

/// `a, b and c` (`none` when empty).
pub(crate) fn list_words<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => "none".to_string(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_a_name_and_a_step() {
        for c in CheckId::ALL {
            assert!(!c.name().is_empty());
            assert!(Step::ALL.contains(&c.step()));
        }
        assert_eq!(CheckId::AdminConsent.step(), Step::Permissions);
        assert_eq!(CheckId::ClientSecret.step(), Step::Secret);
    }

    #[test]
    fn symbols() {
        let c = CheckId::AppRegistration;
        assert_eq!(Verdict::verified(c, "e").symbol(), "✓");
        assert_eq!(Verdict::warning(c, "a", "b", "c").symbol(), "⚠");
        assert_eq!(Verdict::wrong(c, "a", "b", "c").symbol(), "✗");
        assert_eq!(Verdict::not_checkable(c, "r").symbol(), "?");
    }

    #[test]
    fn words() {
        assert_eq!(list_words::<&str>(&[]), "none");
        assert_eq!(list_words(&["a"]), "a");
        assert_eq!(list_words(&["a", "b", "c"]), "a, b and c");
    }
}
