//! Verdicts that know the grant type. Microsoft's server-to-server page ("Use single-tenant
//! server-to-server authentication"): "Delegated permissions are not required for this
//! server-to-server scenario". Dynamics CRM `user_impersonation` and its admin consent are needed
//! for `authorization_code`, and to sign in to this wizard with the app, not for
//! `client_credentials`.

use super::{CheckId, Outcome, Verdict};
use crate::fields::GrantType;

/// What a ⚠ says when client_credentials does not need the delegated permission.
pub const NOT_NEEDED_FOR_CLIENT_CREDENTIALS: &str = "Data Sync's client_credentials connection \
    does not need it: the delegated permission and its consent are needed only to sign in to \
    this wizard with this app and for authorization_code.";

/// Whether `check` is about the delegated Dynamics CRM permission.
fn about_delegated_permission(check: CheckId) -> bool {
    matches!(check, CheckId::DynamicsPermission | CheckId::AdminConsent)
}

/// `verdict` weighed for `grant`: with client_credentials, a ✗ or ⚠ of the Dynamics CRM
/// permission or its admin consent becomes ⚠ saying it is not needed for that grant; every
/// other verdict (and every verdict with authorization_code) is returned as it is.
pub fn for_grant_type(verdict: Verdict, grant: GrantType) -> Verdict {
    if grant != GrantType::ClientCredentials || !about_delegated_permission(verdict.check) {
        return verdict;
    }
    let Verdict {
        check,
        outcome,
        action,
    } = verdict;
    let outcome = match outcome {
        Outcome::Wrong {
            cause,
            evidence,
            fix,
        }
        | Outcome::Warning {
            cause,
            evidence,
            fix,
        } => Outcome::Warning {
            cause: format!("{cause} {NOT_NEEDED_FOR_CLIENT_CREDENTIALS}"),
            evidence,
            fix,
        },
        other => other,
    };
    Verdict {
        check,
        outcome,
        action,
    }
}
