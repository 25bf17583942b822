//! One run's verdicts, put together: the Graph checks and the Dataverse checks may come from two
//! sign-ins (when the first sign-in gave no refresh token, the Graph token needs a second,
//! full-page sign-in, and the Dataverse token does not survive it). The Dataverse verdicts are
//! then carried across that redirect as [`CarriedVerdicts`]: plain text, no token.

use serde::{Deserialize, Serialize};

use super::{CheckId, Verdict};

/// Every check once, in [`CheckId::ALL`] order: the Graph checks from `graph`, the Dataverse
/// checks from `dataverse`; a check found in neither is "not checkable" with `missing`.
pub fn combine(graph: Vec<Verdict>, dataverse: Vec<Verdict>, missing: &str) -> Vec<Verdict> {
    let mut all: Vec<Verdict> = graph
        .into_iter()
        .filter(|v| v.check.reads_graph())
        .chain(dataverse.into_iter().filter(|v| !v.check.reads_graph()))
        .collect();
    CheckId::ALL
        .iter()
        .map(|&c| match all.iter().position(|v| v.check == c) {
            Some(i) => all.swap_remove(i),
            None => Verdict::not_checkable(c, missing),
        })
        .collect()
}

/// The Dataverse checks' verdicts kept (in the tab's sessionStorage) while the browser goes to
/// Entra ID for a Microsoft Graph token, with what they were checked for: they are used again
/// only for the same app and environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarriedVerdicts {
    /// The Application (client) ID the checks ran for.
    pub client_id: String,
    /// The environment origin they ran against.
    pub environment: String,
    /// The Dataverse checks' verdicts.
    pub verdicts: Vec<Verdict>,
}

/// A client ID and an environment origin as compared: trimmed, lower case, no trailing slash.
fn connection_key(client_id: &str, environment: &str) -> (String, String) {
    (
        client_id.trim().to_ascii_lowercase(),
        environment
            .trim()
            .trim_end_matches('/')
            .to_ascii_lowercase(),
    )
}

impl CarriedVerdicts {
    /// Keeps the Dataverse verdicts of `verdicts` for `client_id` and `environment`.
    pub fn new(client_id: &str, environment: &str, verdicts: &[Verdict]) -> CarriedVerdicts {
        let (client_id, environment) = connection_key(client_id, environment);
        CarriedVerdicts {
            client_id,
            environment,
            verdicts: verdicts
                .iter()
                .filter(|v| !v.check.reads_graph())
                .cloned()
                .collect(),
        }
    }

    /// The verdicts, when they were checked for this `client_id` and `environment` (an edit in
    /// between makes them stale: then none).
    pub fn for_connection(self, client_id: &str, environment: &str) -> Option<Vec<Verdict>> {
        (connection_key(client_id, environment) == (self.client_id, self.environment))
            .then_some(self.verdicts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(c: CheckId) -> Verdict {
        Verdict::verified(c, format!("{} seen", c.name()))
    }

    #[test]
    fn a_report_has_every_check_once_in_order_each_from_its_own_source() {
        // Graph verdicts that claim a Dataverse check are ignored, and the reverse.
        let graph = vec![
            v(CheckId::ClientSecret),
            Verdict::wrong(CheckId::ApplicationUser, "from graph", "", ""),
            v(CheckId::AppRegistration),
        ];
        let dataverse = vec![
            v(CheckId::EnvironmentAccess),
            v(CheckId::ApplicationUser),
            Verdict::wrong(CheckId::ObjectId, "from dataverse", "", ""),
        ];
        let all = combine(graph, dataverse, "not run");
        let order: Vec<CheckId> = all.iter().map(|v| v.check).collect();
        assert_eq!(order, CheckId::ALL.to_vec());
        assert!(all.iter().all(|v| !matches!(
            &v.outcome,
            super::super::Outcome::Wrong { cause, .. } if cause.starts_with("from")
        )));
        let missing: Vec<CheckId> = all.iter().filter(|v| !v.is_ok()).map(|v| v.check).collect();
        assert_eq!(
            missing,
            [
                CheckId::RedirectUris,
                CheckId::DynamicsPermission,
                CheckId::AdminConsent,
                CheckId::ObjectId,
                CheckId::SecurityRoles,
                CheckId::TablePrivileges
            ]
        );
        assert_eq!(
            all[1].symbol(),
            "?",
            "a check nobody ran is not checkable, not ✓"
        );
    }

    #[test]
    fn carried_verdicts_are_reused_only_for_the_same_app_and_environment() {
        let run = [
            v(CheckId::AppRegistration),
            Verdict::wrong(CheckId::ApplicationUser, "missing", "none", "create it"),
        ];
        let carried = CarriedVerdicts::new(
            "AAAAAAAA-0000-4000-8000-000000000010",
            "https://contoso.crm.dynamics.com/",
            &run,
        );
        assert_eq!(
            carried.verdicts,
            vec![run[1].clone()],
            "only Dataverse checks"
        );
        let json = serde_json::to_string(&carried).unwrap();
        let back: CarriedVerdicts = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.clone().for_connection(
                " aaaaaaaa-0000-4000-8000-000000000010",
                "https://Contoso.crm.dynamics.com"
            ),
            Some(vec![run[1].clone()])
        );
        assert_eq!(
            back.clone().for_connection(
                "aaaaaaaa-0000-4000-8000-000000000011",
                "https://contoso.crm.dynamics.com"
            ),
            None,
            "another app's verdicts are stale"
        );
        assert_eq!(
            back.for_connection(
                "aaaaaaaa-0000-4000-8000-000000000010",
                "https://fabrikam.crm.dynamics.com"
            ),
            None,
            "another environment's verdicts are stale"
        );
    }
}
