//! The wizard's pages.

use serde::{Deserialize, Serialize};

use super::FieldId;

/// The wizard's pages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    /// Register the app in Entra ID.
    Register,
    /// Add Dynamics CRM `user_impersonation` and grant admin consent.
    Permissions,
    /// Create the client secret.
    Secret,
    /// Collect object ID, environment URL, token endpoint.
    Details,
    /// Add the application user in Dynamics.
    AppUser,
    /// The Simego connector settings.
    Connector,
    /// Test sign-in and Dataverse access from the browser (delegated).
    Test,
    /// Review and export.
    Review,
}

impl Step {
    /// Every step in order.
    pub const ALL: [Step; 8] = [
        Step::Register,
        Step::Permissions,
        Step::Secret,
        Step::Details,
        Step::AppUser,
        Step::Connector,
        Step::Test,
        Step::Review,
    ];

    /// URL slug: `"register"`, `"permissions"`, `"secret"`, `"details"`, `"app-user"`,
    /// `"connector"`, `"test"`, `"review"`.
    pub fn slug(self) -> &'static str {
        match self {
            Step::Register => "register",
            Step::Permissions => "permissions",
            Step::Secret => "secret",
            Step::Details => "details",
            Step::AppUser => "app-user",
            Step::Connector => "connector",
            Step::Test => "test",
            Step::Review => "review",
        }
    }

    /// Page title.
    pub fn title(self) -> &'static str {
        match self {
            Step::Register => "Register the app",
            Step::Permissions => "API permissions",
            Step::Secret => "Client secret",
            Step::Details => "Gather the details",
            Step::AppUser => "Add the application user",
            Step::Connector => "Connector settings",
            Step::Test => "Test the connection",
            Step::Review => "Review and export",
        }
    }

    /// Inverse of [`Step::slug`].
    pub fn from_slug(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|st| st.slug() == s)
    }

    /// 1-based position.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// The following step.
    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self as usize + 1).copied()
    }

    /// The preceding step.
    pub fn prev(self) -> Option<Step> {
        (self as usize).checked_sub(1).map(|i| Step::ALL[i])
    }

    /// The fields entered on this step, in display order.
    pub fn fields(self) -> Vec<FieldId> {
        FieldId::ALL
            .into_iter()
            .filter(|f| f.step() == self)
            .collect()
    }
}
