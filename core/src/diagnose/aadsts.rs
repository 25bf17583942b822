//! One diagnosis per AADSTS code the wizard's users meet; other codes fall back to the OAuth
//! `error` value with a link to Entra ID's error lookup.

use super::entra::{clean_description, is_known_oauth_error, oauth_error};
use super::{error_lookup_url, quote, quoted, Diagnosis};
use crate::fields::matchers::percent_decode;

pub(super) fn aadsts(n: u32, error: &str, description: &str, raw: &str) -> Diagnosis {
    let code = format!("AADSTS{n}");
    let link = Some(error_lookup_url(n));
    let cleaned = clean_description(description);
    let says = quote(&cleaned);
    let q0 = quoted(description, 0);
    let q1 = quoted(description, 1);
    let spa_fix = "In Entra admin center → App registrations → your app → Authentication → Add a \
                   platform → Single-page application, add the wizard's redirect URI exactly as the \
                   wizard shows it. Keep Simego's own redirect URI under \"Web\"; it must be a \
                   different address.";
    let (title, cause, fix): (&str, String, String) = match n {
        90002 => (
            "Tenant not found",
            format!(
                "Entra ID does not know the tenant '{}'. The Tenant ID is mistyped, is still a \
                 placeholder, or belongs to another cloud (for example US Government or China).",
                q0.as_deref().unwrap_or("you entered")
            ),
            "Copy the Directory (tenant) ID (a GUID) from Entra admin center → Overview, or use the \
             organization's domain such as contoso.onmicrosoft.com, and check the selected cloud."
                .to_string(),
        ),
        700016 => (
            "App registration not found in this tenant",
            format!(
                "No application with ID '{}' exists in directory '{}'. Either the Application \
                 (client) ID is wrong — often the Object ID was copied instead — or the app is \
                 registered in a different tenant than the one you signed in to.",
                q0.as_deref().unwrap_or("?"),
                q1.as_deref().unwrap_or("?")
            ),
            "Open App registrations → your app → Overview and copy both the \"Application (client) \
             ID\" (not the Object ID) and the \"Directory (tenant) ID\" from that page."
                .to_string(),
        ),
        50011 => {
            let uri = q0.filter(|q| q.starts_with("http"));
            let cause = match &uri {
                Some(u) => format!(
                    "The redirect URI the wizard sent, '{u}', is not registered on the app. It must \
                     match exactly: http vs https, host, port, path, letter case and a trailing \
                     slash all count."
                ),
                None => "The redirect URI the wizard sent is not registered on the app. It must \
                         match exactly: http vs https, host, port, path, letter case and a trailing \
                         slash all count."
                    .to_string(),
            };
            let target = uri.map_or_else(
                || "the redirect URI shown in the wizard".to_string(),
                |u| format!("exactly {u}"),
            );
            (
                "Redirect URI not registered",
                cause,
                format!(
                    "In App registrations → your app → Authentication → Single-page application, \
                     add {target}. Register it under \"Single-page application\", not \"Web\"."
                ),
            )
        }
        500011 => {
            let name = cleaned
                .split("named ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .map(|n| n.trim_matches(['\'', '"']).to_string())
                .or(q0);
            let encoded = name.as_deref().filter(|n| n.contains('%'));
            let cause = match (encoded, name.as_deref()) {
                (Some(n), _) => {
                    // Decode until nothing changes (each round only shortens the text).
                    let mut decoded = percent_decode(n);
                    loop {
                        let next = percent_decode(&decoded);
                        if next == decoded {
                            break;
                        }
                        decoded = next;
                    }
                    format!(
                        "Entra ID could not find a resource named '{n}' in this tenant. That name \
                         is URL-encoded: the environment address was encoded twice before it was \
                         sent. It should read '{decoded}'."
                    )
                }
                (None, name) => format!(
                    "Entra ID could not find the Dataverse environment{} in this tenant. The \
                     environment URL is wrong (a typo, the wrong region such as crm vs crm4, or \
                     extra text after the host), or the environment belongs to a different tenant.",
                    name.map(|n| format!(" '{n}'")).unwrap_or_default()
                ),
            };
            (
                "Dataverse environment not found in this tenant",
                cause,
                "Copy the Environment URL from Power Platform admin center → Environments → your \
                 environment (like https://contoso.crm.dynamics.com, nothing after the host) and \
                 sign in to the tenant that owns it."
                    .to_string(),
            )
        }
        65001 => (
            "Permission not granted yet (consent required)",
            "The app has not been granted the Dynamics CRM permission user_impersonation for this \
             user, and the user could not or did not consent."
                .to_string(),
            "Ask an administrator to open API permissions → Grant admin consent for your \
             organization (or use the admin-consent link the wizard shows). Check that API \
             permissions lists Dynamics CRM → user_impersonation (Delegated)."
                .to_string(),
        ),
        65004 => (
            "Consent declined",
            "The permission request was declined on the consent screen.".to_string(),
            "Sign in again and accept, or ask an administrator to grant admin consent for the app."
                .to_string(),
        ),
        65005 | 650057 => (
            "The app's API permissions are incomplete",
            format!(
                "The sign-in asked for access to a service that is not listed in the app's API \
                 permissions. Entra ID says: {says}"
            ),
            "In App registrations → your app → API permissions → Add a permission → Dynamics CRM \
             → Delegated → user_impersonation, then Grant admin consent."
                .to_string(),
        ),
        9002326 => (
            "Redirect URI is registered as \"Web\", not \"Single-page application\"",
            "Entra ID lets a browser redeem the sign-in code only when the redirect URI is on the \
             Single-page application platform. The wizard's redirect URI is registered under Web \
             (or Mobile and desktop)."
                .to_string(),
            format!(
                "{spa_fix} In the manifest this is \"spa\": {{\"redirectUris\": [\"…\"]}}; \
                 remove the same URI from \"web\"."
            ),
        ),
        9002327 => (
            "A single-page-application code was redeemed by a server",
            "Codes issued for a Single-page application redirect URI can only be redeemed by a \
             browser (a cross-origin request). A server-side client — such as Simego's \
             authorization_code flow, Postman or a script — used the SPA redirect URI."
                .to_string(),
            "Give server-side tools their own redirect URI under \"Web\" (for example \
             http://localhost or https://www.simego.com/oauth/code) and keep the wizard's URI under \
             \"Single-page application\"."
                .to_string(),
        ),
        7000215 => (
            "Wrong client secret — probably the Secret ID instead of its Value",
            "A client secret was sent and Entra ID rejected it. The most common cause is copying the \
             secret's \"Secret ID\" (a GUID) instead of its \"Value\". The wizard's own browser \
             sign-in never sends a secret, so this comes from a client-credentials or server-side \
             flow."
                .to_string(),
            "In App registrations → your app → Certificates & secrets → New client secret, copy the \
             \"Value\" column right away (it is shown only once) and paste that into Simego."
                .to_string(),
        ),
        7000222 => (
            "The client secret has expired",
            "The secret sent for this app is past its expiry date.".to_string(),
            "Create a new client secret under Certificates & secrets, copy its Value into Simego, \
             and note the new expiry date so it can be renewed in time."
                .to_string(),
        ),
        7000218 => (
            "The app is treated as a confidential client",
            "Entra ID expects a client secret or certificate because the redirect URI used is \
             registered on the \"Web\" platform. A browser page must not hold a secret."
                .to_string(),
            spa_fix.to_string(),
        ),
        700025 => (
            "A secret was sent for a public client",
            "The app is a public client (single-page application), so the token request must not \
             contain a client secret or assertion."
                .to_string(),
            "Don't send a secret from the browser. If Simego needs a secret, use a Web redirect URI \
             (or client credentials) for Simego and keep the wizard's URI under Single-page \
             application."
                .to_string(),
        ),
        700054 | 700051 => (
            "Implicit flow is not enabled",
            "The request used the old implicit flow (response_type id_token or token), which the \
             app does not allow. Old adal.js samples for Dynamics use it."
                .to_string(),
            "Don't enable implicit grant. The wizard uses the authorization-code flow with PKCE; \
             register its redirect URI under Single-page application."
                .to_string(),
        ),
        50020 | 50034 => (
            "This account is not in the tenant",
            format!(
                "The account you signed in with does not exist in the app's tenant (and is not a guest \
                 there), or you picked an account from another organization. Entra ID says: \
                 {says}"
            ),
            "Sign in with an account of the tenant that owns the app registration and the \
             environment (use a private window or \"Use another account\"), or have that account \
             invited as a guest. Use the specific Tenant ID rather than common."
                .to_string(),
        ),
        50194 => (
            "The app is single-tenant",
            "The sign-in went to the common or organizations endpoint, but the app is registered \
             for one tenant only."
                .to_string(),
            "Enter the Directory (tenant) ID instead of common or organizations.".to_string(),
        ),
        54005 => (
            "The sign-in code was already used",
            "The same authorization code was sent to Entra ID twice, for example because the \
             callback page was reloaded or processed twice. A code works once."
                .to_string(),
            "Start the sign-in again.".to_string(),
        ),
        70008 => (
            "The sign-in code has expired",
            "The authorization code (or refresh token) is too old. Codes are valid for about 10 \
             minutes."
                .to_string(),
            "Start the sign-in again and finish it without a long pause.".to_string(),
        ),
        700082 | 700084 => (
            "The sign-in session has expired",
            "The refresh token has expired. For single-page applications Entra ID limits it to 24 \
             hours."
                .to_string(),
            "Sign in again.".to_string(),
        ),
        50148 | 501481 => (
            "PKCE check failed",
            "The code_verifier sent with the token request does not match the code_challenge sent \
             when the sign-in started. Usually the sign-in was started twice (two tabs, or the \
             button pressed twice) and the responses were mixed up."
                .to_string(),
            "Close other tabs of the wizard and start the sign-in again.".to_string(),
        ),
        50076 | 50079 | 50074 => (
            "Multi-factor authentication required",
            "Your organization requires multi-factor authentication for this sign-in.".to_string(),
            "Sign in again interactively and complete the MFA prompt.".to_string(),
        ),
        53003 => (
            "Blocked by Conditional Access",
            format!("A Conditional Access policy blocked this sign-in. Entra ID says: {says}"),
            "Ask your Entra administrator which policy applies (the sign-in logs show it), or \
             sign in from a compliant device or network."
                .to_string(),
        ),
        50105 => (
            "You are not assigned to this app",
            "The app requires user assignment and your account is not assigned to it.".to_string(),
            "Ask an administrator to assign you in Enterprise applications → the app → Users and \
             groups, or to turn off \"Assignment required\"."
                .to_string(),
        ),
        70011 => (
            "Invalid scope",
            format!("Entra ID rejected the requested scope. Entra ID says: {says}"),
            "Check the environment URL: the scope is built as {environment}/user_impersonation."
                .to_string(),
        ),
        500113 => (
            "No redirect URI registered",
            "The app registration has no redirect URI at all.".to_string(),
            spa_fix.to_string(),
        ),
        50001 => (
            "The resource is disabled or does not exist",
            format!("Entra ID says: {says}"),
            "Check the environment URL, and that the environment belongs to this tenant.".to_string(),
        ),
        50059 => (
            "Tenant could not be determined",
            "The sign-in did not say which tenant to use, and the account could not tell it either."
                .to_string(),
            "Enter the Directory (tenant) ID instead of common.".to_string(),
        ),
        50057 | 50053 | 50055 | 50126 => (
            "The account cannot sign in",
            format!("Entra ID refused the account. Entra ID says: {says}"),
            "Sign in with a working account, or ask your administrator to fix this one.".to_string(),
        ),
        _ => {
            let base = oauth_error(error, description, raw);
            return Diagnosis {
                code,
                title: if !is_known_oauth_error(error) {
                    format!("Sign-in error AADSTS{n}")
                } else {
                    base.title
                },
                cause: if cleaned.is_empty() {
                    base.cause
                } else {
                    format!("Entra ID says: {says}")
                },
                fix: format!(
                    "{} Look the code up at {}.",
                    base.fix,
                    error_lookup_url(n)
                ),
                raw: raw.to_string(),
                link,
            };
        }
    };
    Diagnosis::new(code, title, cause, fix, raw).with_link(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_table() {
        let table = [
            ("https%3A%2F%2Fx", "https://x"),
            ("https%253A%252F%252Fx", "https%3A%2F%2Fx"),
            ("100%", "100%"),
            ("%zz%4", "%zz%4"),
            ("plain", "plain"),
        ];
        for (text, want) in table {
            assert_eq!(percent_decode(text), want, "{text}");
        }
    }
}
