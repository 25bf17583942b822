//! Failures found by the wizard itself around the sign-in: its settings, the callback's state,
//! a network failure before any answer, and the access token's claims.

use super::{callback_error, Diagnosis, Stage};
use crate::auth::AuthError;
use crate::jwt::ClaimCheck;

/// Diagnoses an [`AuthError`] from building the request or checking the callback.
pub fn auth_error(e: &AuthError) -> Diagnosis {
    match e {
        AuthError::InvalidConfig { field, message } => Diagnosis::new(
            "INVALID_CONFIG",
            "The sign-in settings are incomplete",
            format!("The value for {field} cannot be used: {message}."),
            "Go back to the earlier steps and correct that value.",
            e.to_string(),
        ),
        AuthError::NoCallback => Diagnosis::new(
            "NO_CALLBACK",
            "No sign-in response",
            "This page was opened without a response from Entra ID.",
            "Start the sign-in from the wizard's sign-in step.",
            e.to_string(),
        ),
        AuthError::Denied { error, description } => callback_error(error, description),
        AuthError::NoPendingRequest => no_pending_request(),
        AuthError::StateMismatch => state_mismatch(),
        AuthError::Expired { .. } => {
            let mut d = expired_request();
            d.raw = e.to_string();
            d
        }
        AuthError::IssuerMismatch { expected, found } => Diagnosis::new(
            "ISSUER_MISMATCH",
            "The sign-in response comes from another sign-in service",
            format!(
                "The response names {found} as the service that issued it, but the sign-in was \
                 sent to {expected}. The wizard does not use a response from a service it did not \
                 ask (RFC 9207), because another site could have swapped it in. This also happens \
                 when the chosen cloud or tenant does not match the service that answered."
            ),
            "Check the cloud and the Tenant ID (use the Directory (tenant) ID GUID), close other \
             sign-in tabs and start the sign-in again from this tab.",
            e.to_string(),
        ),
    }
}

/// The callback's `state` does not match the stored request.
pub fn state_mismatch() -> Diagnosis {
    Diagnosis::new(
        "STATE_MISMATCH",
        "The sign-in response does not belong to this sign-in",
        "The response from Entra ID carries a different state value than the sign-in this tab \
         started. This happens when a sign-in was started twice (two tabs, or the button pressed \
         twice), when an old sign-in link is reopened, or when the response was tampered with.",
        "Close other tabs of the wizard and start the sign-in again from this tab.",
        "state mismatch",
    )
}

/// A response arrived but no sign-in was started in this tab.
pub fn no_pending_request() -> Diagnosis {
    Diagnosis::new(
        "NO_PENDING_REQUEST",
        "No sign-in was started in this tab",
        "A sign-in response arrived, but this browser tab has no record of starting a sign-in. \
         The wizard keeps that record in the tab's session storage, so it is lost when the response \
         opens in another tab or window, after a private-window restart, or when the page was \
         reloaded after the response was already used.",
        "Start the sign-in again from the wizard, in the same tab, and let it finish.",
        "no pending sign-in request",
    )
}

/// The stored request is too old.
pub fn expired_request() -> Diagnosis {
    Diagnosis::new(
        "REQUEST_EXPIRED",
        "The sign-in took too long",
        "More than 10 minutes passed between starting the sign-in and coming back. Authorization \
         codes from Entra ID are only valid for about 10 minutes.",
        "Start the sign-in again and complete it without a long pause.",
        "pending sign-in request expired",
    )
}

/// A fetch that failed before any HTTP answer (a `TypeError` in the browser). Browsers hide the
/// reason, which is almost always CORS, a wrong host, or the server not running.
pub fn network_error(stage: Stage, detail: &str) -> Diagnosis {
    match stage {
        Stage::Discovery => Diagnosis::new(
            "NETWORK",
            "The sign-in service could not be reached",
            "The browser could not load the tenant's sign-in configuration. You may be offline, the \
             sign-in address may be wrong for your cloud, or a proxy or browser extension blocks it.",
            "Check your connection and the selected cloud, then try again.",
            detail,
        ),
        Stage::Token => Diagnosis::new(
            "CORS",
            "The browser was not allowed to redeem the sign-in code",
            "Entra ID only answers token requests from a web page when all of these hold: the \
             redirect URI is registered under the \"Single-page application\" platform (not \"Web\"), \
             the request goes to the v2.0 endpoint (…/oauth2/v2.0/token), and no client secret is \
             sent. Otherwise the answer lacks the CORS header and the browser blocks it without \
             telling the page why.",
            "In Entra admin center → App registrations → your app → Authentication, add the \
             wizard's redirect URI under \"Single-page application\" (remove it from \"Web\" if it is \
             there), save, wait a minute and sign in again. Simego's own redirect URI stays under \
             \"Web\"; it must be a different address.",
            detail,
        ),
        Stage::Dataverse | Stage::Metadata => {
            let what = if stage == Stage::Metadata {
                "the environment's $metadata document"
            } else {
                "the Dataverse Web API"
            };
            Diagnosis::new(
                "CORS",
                "The Dataverse environment could not be reached",
                format!(
                    "The browser could not load {what}. The browser hides the exact reason; the usual \
                     ones are a wrong environment URL (a typo, the wrong region such as crm vs crm4, \
                     or a URL that is not a Dataverse environment, which then has no CORS support), \
                     the environment being disabled or in administration mode, a proxy or extension \
                     blocking the call, or — when testing locally — the sandbox server not running."
                ),
                "Open the environment URL in a new tab to check that it exists, compare it with the \
                 Environment URL in Power Platform admin center, and try again. For the local \
                 sandbox, start it and retry.",
                detail,
            )
        }
    }
}

/// Turns failing token checks into one diagnosis (the first failure decides the headline; all
/// checks are listed in `raw`). `None` when every check passed.
pub fn token_claims_mismatch(checks: &[ClaimCheck]) -> Option<Diagnosis> {
    let first = checks.iter().find(|c| !c.ok)?;
    let raw = checks
        .iter()
        .map(|c| {
            format!(
                "{} {}: {}",
                if c.ok { "ok  " } else { "FAIL" },
                c.label,
                c.detail
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let d = match first.label {
        crate::jwt::AUDIENCE => Diagnosis::new(
            "TOKEN_AUDIENCE",
            "The token is for a different address",
            format!(
                "{} Dataverse only accepts tokens issued for its own address, so calls would fail \
                 with HTTP 401.",
                first.detail
            ),
            "Enter the environment URL exactly as Power Platform admin center shows it (for example \
             https://contoso.crm.dynamics.com — same host you call, no path) and sign in again.",
            raw,
        ),
        crate::jwt::TENANT if first.detail == crate::jwt::NO_TENANT_CLAIM => Diagnosis::new(
            "TOKEN_NO_TENANT",
            "The token names no tenant",
            format!(
                "{} Every token Entra ID issues for a work or school account names its tenant, so \
                 this token was not issued by Entra ID for an organisation: the sign-in address \
                 (cloud) is not Entra ID, or a personal account was used.",
                first.detail
            ),
            "Pick the right cloud, enter the Directory (tenant) ID GUID as the Tenant ID, and sign \
             in with a work or school account of that tenant.",
            raw,
        ),
        crate::jwt::TENANT => Diagnosis::new(
            "TOKEN_TENANT",
            "The token comes from a different tenant",
            format!(
                "{} The Tenant ID you entered and the tenant you signed in to must be the same one \
                 that owns the app registration and the environment.",
                first.detail
            ),
            "Copy the Directory (tenant) ID from the app registration's Overview page, or sign in \
             with an account of that tenant.",
            raw,
        ),
        crate::jwt::SCOPE => Diagnosis::new(
            "TOKEN_SCOPE",
            "The token does not allow access to Dataverse",
            format!(
                "{} Without the delegated Dynamics CRM permission user_impersonation the token \
                 cannot be used against the Web API.",
                first.detail
            ),
            "In the app registration: API permissions → Add a permission → Dynamics CRM → \
             Delegated → user_impersonation, then Grant admin consent, and sign in again.",
            raw,
        ),
        _ => Diagnosis::new(
            "TOKEN_EXPIRED",
            "The token has expired",
            format!(
                "{} Access tokens are valid for 60 to 90 minutes. If it expired right away, your \
                 computer's clock may be wrong.",
                first.detail
            ),
            "Sign in again. If this repeats immediately, check the computer's date and time.",
            raw,
        ),
    };
    Some(d)
}
