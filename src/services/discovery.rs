//! "Your environments": the Global Discovery Service's list, read with a discovery token — the
//! discovery sign-in's own, or the sign-in's refresh token exchanged for one. The reading is
//! [`wizard_core::discovery`].

use super::signin::{self, SignedIn};
use super::verify::{Caller, Notify};
use wizard_core::{
    cloud::Cloud,
    discovery::{self, DiscoveredEnvironment},
};

/// The environments the signed-in person can reach in `cloud`, or why not (in plain words).
/// `discovery` is a sign-in for discovery alone; `signed` the sign-in of step 7.
pub async fn environments(
    cloud: Cloud,
    discovery_sign_in: Option<SignedIn>,
    signed: Option<SignedIn>,
    notify: Notify,
) -> Result<Vec<DiscoveredEnvironment>, String> {
    let token = match (discovery_sign_in, signed) {
        (Some(d), _) => d.token.secret().to_string(),
        (None, Some(s)) => {
            let Some(refresh) = &s.refresh else {
                return Err(
                    "The sign-in gave no refresh token, so the wizard cannot ask for a \
                            discovery token: use Sign in to list your environments."
                        .to_string(),
                );
            };
            signin::resource_token(&s.config, refresh, &discovery::scope(cloud))
                .await
                .map_err(|e| {
                    let code = wizard_core::diagnose::aadsts_code(&e.body)
                        .map(|c| format!(" AADSTS{c}"))
                        .unwrap_or_default();
                    format!(
                        "Entra ID gave no token for the Global Discovery Service (HTTP {}{code}). \
                         The app needs the Dynamics CRM user_impersonation permission, consented \
                         (step 2). Type the Environment URL instead.",
                        e.status
                    )
                })?
                .secret()
                .to_string()
        }
        (None, None) => return Err("Sign in first.".to_string()),
    };
    let request = discovery::instances_request(cloud);
    let answer = Caller::new(&token, notify).send(&request).await;
    if !answer.ok() {
        return Err(format!(
            "The Global Discovery Service answered HTTP {} to {}. Type the Environment URL \
             instead.",
            answer.status,
            request.display_url()
        ));
    }
    discovery::parse_instances(&answer.body, cloud).map_err(|e| e.to_string())
}
