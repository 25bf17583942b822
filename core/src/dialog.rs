//! Data Sync's own connection dialog, step by step in the order a person meets it (the OData 4.0
//! connector, "Connecting to Dynamics 365"): choose the connector, ServiceURL, the OAuth2
//! property's "…" window with its fields in the reference order, Get Access Token (only for
//! authorization_code), Windows left empty, EntityURLItemConvention, Entity, then Connect &
//! Create Library Connection. The values come from [`crate::connector::connector_values`]:
//! this module only orders and explains them.

use crate::connector::ConnectorField;
use crate::fields::GrantType;

/// Simego's OAuth helper page: the reference page's Redirect URL for authorization_code. It
/// shows the authorization code after the sign-in, for Data Sync to use.
pub const SIMEGO_OAUTH_HELPER: &str = "https://www.simego.com/oauth/code";

/// Data Sync's own schema cache, and when to clear it: said on the review page and whenever a
/// Refresh finds added tables.
pub const DATA_SYNC_SCHEMA_CACHE: &str = "Data Sync caches each connection's schema too. A table \
    added in Dynamics after Data Sync first connected shows in this wizard after Refresh, but not \
    in Data Sync's Entity list until you clear Data Sync's cache: in Data Sync, Tools → Open Schema \
    Cache Folder, delete the metadata folder of this connection, then connect again. Do it \
    whenever you add a table (or columns) that a sync needs.";

/// How the wizard's schema cache relates to Data Sync's (the Settings page).
pub const CACHES_COMPARED: &str = "This cache lives in this browser only and makes the wizard's \
    entity picker fast. Data Sync keeps a schema cache of its own on the machine where it runs \
    (Tools → Open Schema Cache Folder). Clearing one never clears the other: after adding a \
    table in Dynamics, Refresh here, and delete the connection's metadata folder there.";

/// Why User Name is the Primary Email (the reference page's wording).
pub const USER_NAME_IS_PRIMARY_EMAIL: &str = "Dynamics names a user by its Primary Email: for an \
    application user the reference page fills User Name with the same address, so that the \
    record is found under that name in Users and in audit history. It need not be a real \
    mailbox.";

/// The reference page's older path in Dynamics, with its view switch.
pub const OLD_DYNAMICS_PATH: &str = "On older Dynamics 365 environments (the reference page's \
    path): Settings → Security → Users, then switch the view from User to Application User, and \
    New. The Power Platform admin center above is today's way.";

/// The reference page's "never expires" secret, as today's portal has it.
pub const SECRETS_EXPIRE: &str = "The reference page picks a secret that never expires; today's \
    Entra admin center offers 24 months at most (180 days recommended), so every secret expires. \
    Put the date in your calendar (Add a reminder) and renew it before then.";

/// One step in Data Sync's dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogStep {
    /// Connection → OData → OData 4.0 Data Source.
    ChooseConnector,
    /// A property in the connector's property grid.
    Property(ConnectorField),
    /// The OAuth2 property's "…" button, which opens the OAuth window.
    OpenOAuthWindow,
    /// A field of the OAuth window.
    OAuthField(ConnectorField),
    /// Get Access Token (authorization_code only).
    GetAccessToken,
    /// The Windows property: left empty with OAuth.
    LeaveWindowsEmpty,
    /// Connect & Create Library Connection.
    ConnectAndSave,
}

impl DialogStep {
    /// The step's heading, as Data Sync names what to click or fill.
    pub fn title(self) -> &'static str {
        match self {
            DialogStep::ChooseConnector => "Connection → OData → OData 4.0 Data Source",
            DialogStep::Property(f) | DialogStep::OAuthField(f) => f.label(),
            DialogStep::OpenOAuthWindow => "OAuth2 → \u{201c}…\u{201d}",
            DialogStep::GetAccessToken => "Get Access Token",
            DialogStep::LeaveWindowsEmpty => "Windows",
            DialogStep::ConnectAndSave => "Connect & Create Library Connection",
        }
    }

    /// What to do at this step, in plain words (`None` for a field whose value says it all).
    pub fn instruction(self, grant: GrantType) -> Option<&'static str> {
        Some(match self {
            DialogStep::ChooseConnector => {
                "In Data Sync, open Connect Data Source (the Source or the Target side), then in \
                 the tree: OData → OData 4.0 Data Source. Its properties appear on the right."
            }
            DialogStep::Property(ConnectorField::ServiceUrl) => {
                "Paste into ServiceURL: the environment's Web API root, ending in a slash."
            }
            DialogStep::OpenOAuthWindow => {
                "Click the OAuth2 property, then its \u{201c}…\u{201d} button: the OAuth window \
                 opens. Fill its fields in this order."
            }
            DialogStep::GetAccessToken => match grant {
                GrantType::AuthorizationCode => {
                    "Press Get Access Token: Data Sync opens the Microsoft sign-in in a browser. \
                     Sign in as the person the sync runs as and accept. Entra ID then sends the \
                     browser to the Redirect URL with the code: Simego's OAuth helper page shows \
                     it for you to copy into Data Sync; with your own redirect (or \
                     http://localhost, where the page does not load), copy the value after \
                     code= from the browser's address bar and type it into Data Sync. Data Sync \
                     redeems it for the token and keeps the refresh token."
                }
                GrantType::ClientCredentials => return None,
            },
            DialogStep::LeaveWindowsEmpty => {
                "Leave the Windows property empty: it is for Windows authentication, and with \
                 OAuth2 filled it must stay unused."
            }
            DialogStep::Property(ConnectorField::EntityUrlItemConvention) => {
                "Dynamics addresses a row as {entity}({key}): paste this as it is."
            }
            DialogStep::Property(ConnectorField::Entity) => {
                "Open the Entity drop-down: Data Sync lists the environment's entity sets once \
                 the connection works. Pick this one."
            }
            DialogStep::ConnectAndSave => {
                "Press Connect & Create Library Connection: Data Sync connects with these values \
                 (client_credentials tests the secret and the application user here) and saves \
                 the connection in its Connection Library for every project."
            }
            DialogStep::Property(_) | DialogStep::OAuthField(_) => return None,
        })
    }
}

/// Data Sync's dialog for `grant`, step by step: Get Access Token only for authorization_code.
/// Every connector property appears exactly once.
pub fn data_sync_dialog(grant: GrantType) -> Vec<DialogStep> {
    let mut steps = vec![
        DialogStep::ChooseConnector,
        DialogStep::Property(ConnectorField::ServiceUrl),
        DialogStep::OpenOAuthWindow,
    ];
    steps.extend(
        ConnectorField::ALL
            .into_iter()
            .filter(|f| f.is_oauth2())
            .map(DialogStep::OAuthField),
    );
    if grant == GrantType::AuthorizationCode {
        steps.push(DialogStep::GetAccessToken);
    }
    steps.extend([
        DialogStep::LeaveWindowsEmpty,
        DialogStep::Property(ConnectorField::EntityUrlItemConvention),
        DialogStep::Property(ConnectorField::Entity),
        DialogStep::ConnectAndSave,
    ]);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oauth_window_in_the_reference_order_and_every_property_once() {
        for grant in GrantType::ALL {
            let steps = data_sync_dialog(grant);
            let oauth: Vec<&str> = steps
                .iter()
                .filter_map(|s| match s {
                    DialogStep::OAuthField(f) => Some(f.label()),
                    _ => None,
                })
                .collect();
            assert_eq!(
                oauth,
                [
                    "Authorise URL",
                    "Token URL",
                    "Client ID",
                    "Client Secret",
                    "Resource",
                    "Redirect URL",
                    "State",
                    "Scope",
                    "Grant Type"
                ]
            );
            for f in ConnectorField::ALL {
                let n = steps
                    .iter()
                    .filter(|s| matches!(s, DialogStep::Property(p) | DialogStep::OAuthField(p) if *p == f))
                    .count();
                assert_eq!(n, 1, "{f:?}");
            }
            assert_eq!(steps[0], DialogStep::ChooseConnector);
            assert_eq!(steps[1], DialogStep::Property(ConnectorField::ServiceUrl));
            assert_eq!(steps[2], DialogStep::OpenOAuthWindow);
            assert_eq!(steps.last(), Some(&DialogStep::ConnectAndSave));
            let entity = steps
                .iter()
                .position(|s| *s == DialogStep::Property(ConnectorField::Entity));
            let convention = steps
                .iter()
                .position(|s| *s == DialogStep::Property(ConnectorField::EntityUrlItemConvention));
            let windows = steps
                .iter()
                .position(|s| *s == DialogStep::LeaveWindowsEmpty);
            assert!(windows < convention && convention < entity);
        }
    }

    #[test]
    fn get_access_token_only_for_authorization_code() {
        let code = data_sync_dialog(GrantType::AuthorizationCode);
        let cc = data_sync_dialog(GrantType::ClientCredentials);
        assert_eq!(code.len(), cc.len() + 1);
        let at = code
            .iter()
            .position(|s| *s == DialogStep::GetAccessToken)
            .unwrap();
        assert_eq!(
            code[at - 1],
            DialogStep::OAuthField(ConnectorField::GrantType)
        );
        assert!(!cc.contains(&DialogStep::GetAccessToken));
        let words = DialogStep::GetAccessToken
            .instruction(GrantType::AuthorizationCode)
            .unwrap();
        assert!(words.contains("Simego's OAuth helper page") && words.contains("code="));
        assert_eq!(
            DialogStep::GetAccessToken.instruction(GrantType::ClientCredentials),
            None
        );
    }

    #[test]
    fn titles_and_instructions() {
        assert_eq!(
            DialogStep::ConnectAndSave.title(),
            "Connect & Create Library Connection"
        );
        assert_eq!(DialogStep::LeaveWindowsEmpty.title(), "Windows");
        assert_eq!(
            DialogStep::OpenOAuthWindow.title(),
            "OAuth2 → \u{201c}…\u{201d}"
        );
        assert_eq!(
            DialogStep::OAuthField(ConnectorField::TokenUrl).title(),
            "Token URL"
        );
        assert_eq!(
            DialogStep::OAuthField(ConnectorField::TokenUrl)
                .instruction(GrantType::ClientCredentials),
            None
        );
        for s in data_sync_dialog(GrantType::AuthorizationCode) {
            assert!(!s.title().is_empty());
        }
        let windows = DialogStep::LeaveWindowsEmpty
            .instruction(GrantType::ClientCredentials)
            .unwrap();
        assert!(windows.contains("empty"));
        assert!(DialogStep::ConnectAndSave
            .instruction(GrantType::AuthorizationCode)
            .unwrap()
            .contains("Connection Library"));
    }
}
