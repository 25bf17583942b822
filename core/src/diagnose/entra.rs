//! Entra ID's error answers: the token and discovery endpoints' JSON bodies, the error redirect
//! to the callback, and error text pasted from Entra ID's own error page.

use serde::Deserialize;

use super::aadsts::aadsts;
use super::{quote, Diagnosis};

/// The body of an Entra ID error response (token endpoint or discovery).
#[derive(Debug, Clone, Default, Deserialize)]
struct EntraErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
}

/// Diagnoses an Entra ID error response (`{"error": …, "error_description": "AADSTS…", "error_codes": […]}`)
/// from the token or discovery endpoint. A body that is not such JSON is diagnosed by status.
pub fn entra_error(status: u16, body: &str) -> Diagnosis {
    let parsed: Option<EntraErrorBody> = serde_json::from_str(body.trim()).ok();
    match parsed {
        Some(EntraErrorBody {
            error: Some(error),
            error_description,
            error_codes,
        }) => {
            let description = error_description.unwrap_or_default();
            let code = error_codes
                .first()
                .copied()
                .or_else(|| aadsts_code(&description));
            match code {
                Some(n) => aadsts(n, &error, &description, body),
                None => oauth_error(&error, &description, body),
            }
        }
        _ => Diagnosis::new(
            format!("HTTP {status}"),
            "The sign-in service gave an unexpected answer",
            format!(
                "The sign-in service answered with HTTP status {status} and a body that is not an \
                 Entra ID error. The login address may be wrong (another cloud, a proxy or a typo)."
            ),
            "Check the sign-in cloud and the Tenant ID, then try again. If a proxy or firewall \
             sits between you and login.microsoftonline.com, ask your network team.",
            body,
        ),
    }
}

/// Diagnoses an error redirect to the callback (`?error=access_denied&error_description=AADSTS65004…`).
pub fn callback_error(error: &str, description: &str) -> Diagnosis {
    let raw = format!("error={error}\nerror_description={description}");
    match aadsts_code(description) {
        Some(n) => aadsts(n, error, description, &raw),
        None => oauth_error(error, description, &raw),
    }
}

/// Diagnoses error text the user copied from Entra ID's own error page (errors such as
/// AADSTS50011 or AADSTS700016 are shown on login.microsoftonline.com and never reach the
/// redirect URI). `None` when the text has no AADSTS code.
pub fn pasted_error(text: &str) -> Option<Diagnosis> {
    let n = aadsts_code(text)?;
    let from = text.find("AADSTS").unwrap_or(0);
    Some(aadsts(n, "", &text[from..], text))
}

/// The number after the first `AADSTS` in a description.
pub fn aadsts_code(description: &str) -> Option<u32> {
    let at = description.find("AADSTS")?;
    let digits: String = description[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The description without the `AADSTSn: ` prefix and the trailing trace/correlation lines.
pub(super) fn clean_description(description: &str) -> String {
    let mut d = description.trim();
    if let Some(n) = aadsts_code(d) {
        let prefix = format!("AADSTS{n}:");
        if let Some(rest) = d.strip_prefix(&prefix) {
            d = rest.trim_start();
        }
    }
    let cut = ["\r\n", "\n", " Trace ID:"]
        .iter()
        .filter_map(|m| d.find(m))
        .min()
        .unwrap_or(d.len());
    d[..cut].trim().to_string()
}

/// Standard OAuth error values without an AADSTS code.
pub(super) fn oauth_error(error: &str, description: &str, raw: &str) -> Diagnosis {
    let cleaned = clean_description(description);
    let says = quote(&cleaned);
    let says_sentence = if cleaned.is_empty() {
        String::new()
    } else {
        format!(" Entra ID says: {says}")
    };
    let (title, cause, fix): (&str, String, &str) = match error {
        "access_denied" => (
            "Sign-in cancelled or permission declined",
            format!(
                "The sign-in was cancelled, or the permission request was declined on the consent \
                 screen.{says_sentence}"
            ),
            "Start the sign-in again and accept the permission request. If you may not consent \
             yourself, ask an administrator to grant admin consent for the app.",
        ),
        "consent_required" => (
            "Permission not granted yet (consent required)",
            format!("The app needs consent before it can access Dataverse.{says_sentence}"),
            "Ask an administrator to grant admin consent (API permissions → Grant admin consent).",
        ),
        "interaction_required" | "login_required" => (
            "You need to sign in again",
            format!("Entra ID needs you to sign in interactively.{says_sentence}"),
            "Start the sign-in again.",
        ),
        "invalid_grant" => (
            "The sign-in code was rejected",
            format!(
                "Entra ID refused to exchange the code for a token: it expired or was already used, \
                 the redirect URI differs from the one used to sign in, or the PKCE verifier does \
                 not match.{says_sentence}"
            ),
            "Start the sign-in again, in one tab, and let it finish.",
        ),
        "invalid_client" => (
            "The app's credentials were rejected",
            format!("Entra ID did not accept the client.{says_sentence}"),
            "Check the Application (client) ID; for Simego check the client secret Value and its \
             expiry.",
        ),
        "unauthorized_client" => (
            "The app may not sign in this way",
            format!(
                "The app registration is not found or not allowed to use this flow.{says_sentence}"
            ),
            "Check the Application (client) ID and Tenant ID, and that the redirect URI is \
             registered under Single-page application.",
        ),
        "invalid_scope" => (
            "Invalid scope",
            format!("Entra ID rejected the requested scope.{says_sentence}"),
            "Check the environment URL.",
        ),
        "invalid_tenant" => (
            "Tenant not found",
            format!("Entra ID does not know this tenant.{says_sentence}"),
            "Check the Tenant ID and the selected cloud.",
        ),
        "invalid_resource" => (
            "Dataverse environment not found in this tenant",
            format!("Entra ID does not know this resource.{says_sentence}"),
            "Check the environment URL and that it belongs to this tenant.",
        ),
        "temporarily_unavailable" | "server_error" => (
            "The sign-in service had a problem",
            format!("Entra ID reported a temporary error.{says_sentence}"),
            "Wait a moment and try again.",
        ),
        _ => (
            "Sign-in failed",
            format!("Entra ID returned the error '{error}'.{says_sentence}"),
            "Check the values entered in the earlier steps and try again.",
        ),
    };
    let code = if error.is_empty() {
        "OAUTH_ERROR"
    } else {
        error
    };
    Diagnosis::new(code, title, cause, fix, raw)
}

pub(super) fn is_known_oauth_error(error: &str) -> bool {
    matches!(
        error,
        "access_denied"
            | "consent_required"
            | "interaction_required"
            | "login_required"
            | "invalid_grant"
            | "invalid_client"
            | "unauthorized_client"
            | "invalid_scope"
            | "invalid_tenant"
            | "invalid_resource"
            | "temporarily_unavailable"
            | "server_error"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_code_table() {
        let table = [
            ("AADSTS50011: The redirect URI", Some(50011)),
            ("prefix AADSTS9002326: x", Some(9002326)),
            ("AADSTS: nothing", None),
            ("no code", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(aadsts_code(text), want, "{text}");
        }
    }

    #[test]
    fn clean_description_table() {
        let table = [
            (
                "AADSTS1: Hello.\r\nTrace ID: x\r\nCorrelation ID: y",
                "Hello.",
            ),
            ("AADSTS1: Hello. Trace ID: x Correlation ID: y", "Hello."),
            ("Plain text", "Plain text"),
            ("", ""),
        ];
        for (text, want) in table {
            assert_eq!(clean_description(text), want, "{text}");
        }
    }
}
