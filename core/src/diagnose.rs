//! Every failure → a cause and a fix in plain words, with the raw answer kept.
//!
//! The strings here are UI copy: full sentences, addressed to the person setting up the
//! connection. Each [`Diagnosis`] carries a stable `code` (`AADSTS50011`, `HTTP 403 / 0x80072560`,
//! `CORS`, `STATE_MISMATCH`, …) that the UI may show and tests can match on.

use serde::{Deserialize, Serialize};

use crate::auth::AuthError;
use crate::csdl::CsdlError;
use crate::jwt::{ClaimCheck, JwtError};

/// A failure explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// Stable code: `AADSTS50011`, `access_denied`, `HTTP 403 / 0x80072560`, `CORS`, …
    pub code: String,
    /// One-line headline.
    pub title: String,
    /// Why it happened.
    pub cause: String,
    /// What to do.
    pub fix: String,
    /// The raw answer (response body, query, error text), for support and copy-paste.
    pub raw: String,
    /// A page that explains the code further (Entra ID's error lookup), when there is one.
    pub link: Option<String>,
}

impl Diagnosis {
    fn new(
        code: impl Into<String>,
        title: impl Into<String>,
        cause: impl Into<String>,
        fix: impl Into<String>,
        raw: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            title: title.into(),
            cause: cause.into(),
            fix: fix.into(),
            raw: raw.into(),
            link: None,
        }
    }

    fn with_link(mut self, link: Option<String>) -> Self {
        self.link = link;
        self
    }
}

/// Which step a network failure happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Fetching the tenant's OpenID configuration.
    Discovery,
    /// Posting the code to the token endpoint.
    Token,
    /// Calling the Dataverse Web API (`WhoAmI`, …).
    Dataverse,
    /// Downloading `$metadata`.
    Metadata,
}

/// Entra ID's page for an AADSTS code.
pub fn error_lookup_url(code: u32) -> String {
    format!("https://login.microsoftonline.com/error?code={code}")
}

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
    }
}

/// Diagnoses an undecodable access token.
pub fn jwt_error(e: &JwtError) -> Diagnosis {
    Diagnosis::new(
        "TOKEN_FORMAT",
        "The access token cannot be read",
        "Entra ID returned an access token whose claims cannot be decoded, so the wizard cannot \
         check its audience, tenant and scope. Tokens for Dataverse are normally readable JWTs; \
         an unreadable one usually means the sign-in asked for a token for another service.",
        "Check that the environment URL is the Dataverse environment (https://yourorg.crm.dynamics.com) \
         and sign in again.",
        e.to_string(),
    )
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

/// Diagnoses a `$metadata` parse failure.
pub fn csdl_error(e: &CsdlError) -> Diagnosis {
    let raw = e.to_string();
    match e {
        CsdlError::TooLarge { bytes, limit } => Diagnosis::new(
            "METADATA_TOO_LARGE",
            "The metadata document is too large",
            format!(
                "The environment's $metadata is {} MB, more than the {} MB the wizard will parse in \
                 a browser tab. Typical Dataverse environments are 3 to 10 MB.",
                bytes / 1_000_000,
                limit / 1_000_000
            ),
            "Type the entity set name yourself (for example accounts), or check that the URL \
             points at the environment's /api/data/v9.2/$metadata and not at something else.",
            raw,
        ),
        CsdlError::NotUtf8 { .. } => Diagnosis::new(
            "METADATA_ENCODING",
            "The metadata document is not text",
            "The downloaded $metadata is not valid UTF-8 text. It may have been cut off, or a proxy \
             returned something else (for example a compressed or binary file).",
            "Reload the metadata. If it keeps failing, type the entity set name yourself.",
            raw,
        ),
        CsdlError::Dtd { .. } => Diagnosis::new(
            "METADATA_DTD",
            "The metadata document was refused",
            "The document contains a DOCTYPE declaration. Real OData services never send one, and \
             the wizard refuses them because they can be used to make the parser expand huge \
             amounts of text.",
            "Check that the Service URL points at the real Dataverse environment.",
            raw,
        ),
        CsdlError::Xml { .. } => Diagnosis::new(
            "METADATA_XML",
            "The metadata document is damaged",
            format!(
                "The $metadata is not well-formed XML ({raw}). The download was probably cut off, \
                 or an error page was returned instead."
            ),
            "Reload the metadata. If it keeps failing, type the entity set name yourself.",
            raw,
        ),
        CsdlError::NotCsdl { found } => Diagnosis::new(
            "METADATA_NOT_CSDL",
            "This is not an OData metadata document",
            format!(
                "The address returned XML, but not an OData $metadata document (found {found}). The \
                 Service URL probably points at the wrong place, for example a sign-in page."
            ),
            "Use the Web API root, like https://yourorg.crm.dynamics.com/api/data/v9.2/, and load \
             $metadata from there.",
            raw,
        ),
        CsdlError::UnsupportedVersion { version } => Diagnosis::new(
            "METADATA_VERSION",
            "This service is not OData version 4",
            format!(
                "The metadata says OData version {version}. Simego's OData 4.0 connector and this \
                 wizard need version 4 (Dataverse's /api/data/v9.x/ endpoint is version 4; the old \
                 /XRMServices/2011/OrganizationData.svc endpoint is version 2)."
            ),
            "Use the Web API address https://yourorg.crm.dynamics.com/api/data/v9.2/.",
            raw,
        ),
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

/// The Dataverse Web API error body `{"error": {"code": "0x…", "message": "…"}}`.
#[derive(Debug, Clone, Default, Deserialize)]
struct DataverseErrorBody {
    error: DataverseErrorInner,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct DataverseErrorInner {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Dataverse: the user is not a member of the organization.
pub const DV_NOT_MEMBER: &str = "0x80072560";
/// Dataverse: access to the Dataverse API is restricted for this application id.
pub const DV_API_RESTRICTED: &str = "0x80095ffc";
/// Dataverse: the principal is missing a privilege.
pub const DV_MISSING_PRIVILEGE: &str = "0x80040220";
/// Dataverse: the user is disabled.
pub const DV_USER_DISABLED: &str = "0x80040225";

/// Diagnoses a Dataverse Web API error answer (401, 403, 404, …). `www_authenticate` is the
/// `WWW-Authenticate` header when the browser exposes it.
pub fn dataverse_error(status: u16, body: &str, www_authenticate: Option<&str>) -> Diagnosis {
    let parsed: Option<DataverseErrorBody> = serde_json::from_str(body.trim()).ok();
    let (dv_code, message) = parsed
        .map(|b| (b.error.code.to_ascii_lowercase(), b.error.message))
        .unwrap_or_default();
    let mut raw = body.to_string();
    if let Some(h) = www_authenticate {
        if !raw.is_empty() {
            raw.push('\n');
        }
        raw.push_str("WWW-Authenticate: ");
        raw.push_str(h);
    }
    let code = if dv_code.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status} / {dv_code}")
    };
    let says = if message.is_empty() {
        String::new()
    } else {
        format!(" Dataverse says: {}", quote(&message))
    };

    let (title, cause, fix): (&str, String, String) = match (status, dv_code.as_str()) {
        (_, DV_NOT_MEMBER) => (
            "The account is not a user of this environment",
            format!(
                "The token is valid, but the identity behind it is not a user in this Dataverse \
                 environment.{says}"
            ),
            "In Power Platform admin center → Environments → your environment → Settings → Users + \
             permissions: for the app (Simego's client-credentials connection) open Application users \
             → New app user, pick the app registration and assign a security role; for a person, add \
             them under Users (they need a licence and must be in the environment's security group, \
             if one is set) and assign a security role."
                .to_string(),
        ),
        (_, DV_API_RESTRICTED) => (
            "This app may not use the Dataverse API",
            format!(
                "An administrator has restricted which applications may call the Dataverse Web API \
                 in this environment, and this Application (client) ID is not allowed.{says}"
            ),
            "Ask your Power Platform administrator to allow this Application (client) ID for the \
             environment, or use an app registration that is allowed."
                .to_string(),
        ),
        (_, DV_MISSING_PRIVILEGE) => (
            "A security role is missing a privilege",
            format!(
                "The user or application user exists in the environment, but its security roles \
                 lack a privilege this call needs.{says}"
            ),
            "Assign a security role that has the privilege named in the message (for the \
             application user: Application users → your app → Edit security roles)."
                .to_string(),
        ),
        (_, DV_USER_DISABLED) => (
            "The user is disabled in this environment",
            format!("The user or application user is disabled in Dataverse.{says}"),
            "In Power Platform admin center, enable the user (or activate the application user) and \
             try again."
                .to_string(),
        ),
        (401, _) => {
            let challenge = www_authenticate.map(parse_www_authenticate).unwrap_or_default();
            let mut cause = String::from(
                "Dataverse did not accept the access token: it expired, was issued for a different \
                 address than the one called (for example crm vs api.crm, or another environment), \
                 or was issued by a tenant that does not own the environment.",
            );
            if let Some(d) = &challenge.error_description {
                cause.push_str(&format!(" Dataverse says: {}", quote(d)));
            }
            if let Some(t) = &challenge.tenant {
                cause.push_str(&format!(" This environment belongs to tenant {t}."));
            }
            cause.push_str(&says);
            (
                "Dataverse rejected the sign-in",
                cause,
                "Sign in again. Make sure the environment URL you entered is exactly the address \
                 being called and that the Tenant ID is the tenant that owns the environment."
                    .to_string(),
            )
        }
        (403, _) => (
            "Access denied by Dataverse",
            format!(
                "The token is valid, but Dataverse refused the call: the user or application user \
                 has no security role that allows it, or is not set up in this environment.{says}"
            ),
            "In Power Platform admin center → your environment → Settings → Users + permissions, \
             give the user or application user a security role (for example a custom read role or \
             Basic User plus read access to the table you want to sync)."
                .to_string(),
        ),
        (404, _) => {
            let segment = quoted(&message, 0);
            let cause = match segment {
                Some(s) if message.contains("segment") => format!(
                    "Dataverse has no resource named '{s}'. Entity set names are plural, lower-case \
                     logical names such as accounts or contacts, and are case-sensitive.{says}"
                ),
                _ => format!(
                    "The address does not exist: the environment URL or the API version in the path \
                     is wrong (it should look like https://yourorg.crm.dynamics.com/api/data/v9.2/).{says}"
                ),
            };
            (
                "Not found",
                cause,
                "Check the environment URL and that the Service URL ends in /api/data/v9.2/; pick \
                 the entity set from the list loaded from $metadata."
                    .to_string(),
            )
        }
        (429, _) => (
            "Too many requests",
            format!("Dataverse is throttling requests from this user or app.{says}"),
            "Wait a minute and try again.".to_string(),
        ),
        (500..=599, _) => (
            "Dataverse is unavailable",
            format!(
                "The environment answered with a server error (HTTP {status}). It may be starting, \
                 disabled, being updated, or in administration mode.{says}"
            ),
            "Check the environment's state in Power Platform admin center and try again later."
                .to_string(),
        ),
        _ => (
            "Dataverse returned an error",
            format!("Dataverse answered with HTTP {status}.{says}"),
            "Read the message above; if it is unclear, copy the raw answer when asking for help."
                .to_string(),
        ),
    };
    Diagnosis::new(code, title, cause, fix, raw)
}

#[derive(Debug, Default)]
struct BearerChallenge {
    error_description: Option<String>,
    tenant: Option<String>,
}

/// Reads `error_description` and the tenant in `authorization_uri` from a `WWW-Authenticate:
/// Bearer …` header.
fn parse_www_authenticate(header: &str) -> BearerChallenge {
    let mut out = BearerChallenge::default();
    let rest = header.trim();
    let rest = rest
        .strip_prefix("Bearer")
        .or_else(|| rest.strip_prefix("bearer"))
        .unwrap_or(rest);
    for part in split_params(rest) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"');
        match k.trim() {
            "error_description" if !v.is_empty() => out.error_description = Some(v.to_string()),
            "authorization_uri" | "authorization" => {
                if let Ok(u) = url::Url::parse(v) {
                    out.tenant = u
                        .path_segments()
                        .and_then(|mut s| s.next())
                        .filter(|t| crate::jwt::is_guid(t))
                        .map(str::to_string);
                }
            }
            _ => {}
        }
    }
    out
}

/// Splits `a=1, b="x, y", c=3` at commas outside quotes.
fn split_params(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                parts.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(s[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
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
fn clean_description(description: &str) -> String {
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

/// `“text”` followed by a full stop unless the text already ends a sentence.
fn quote(text: &str) -> String {
    let text = text.trim();
    let stop = if text.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("\u{201c}{text}\u{201d}{stop}")
}

/// The `n`-th (0-based) single-quoted value in a message.
fn quoted(message: &str, n: usize) -> Option<String> {
    message
        .split('\'')
        .skip(1)
        .step_by(2)
        .nth(n)
        .map(str::to_string)
}

/// Percent-decodes once (invalid escapes are kept as they are; invalid UTF-8 is replaced).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn aadsts(n: u32, error: &str, description: &str, raw: &str) -> Diagnosis {
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
                    let mut decoded = percent_decode(n);
                    while decoded.contains('%') && decoded != percent_decode(&decoded) {
                        decoded = percent_decode(&decoded);
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

/// Standard OAuth error values without an AADSTS code.
fn oauth_error(error: &str, description: &str, raw: &str) -> Diagnosis {
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

fn is_known_oauth_error(error: &str) -> bool {
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

    #[test]
    fn quoted_and_quote() {
        assert_eq!(quoted("a 'b' c 'd'", 0).as_deref(), Some("b"));
        assert_eq!(quoted("a 'b' c 'd'", 1).as_deref(), Some("d"));
        assert_eq!(quoted("none", 0), None);
        assert_eq!(quote("Done."), "\u{201c}Done.\u{201d}");
        assert_eq!(quote("Done"), "\u{201c}Done\u{201d}.");
    }

    #[test]
    fn www_authenticate_parsing() {
        let h = "Bearer error=\"invalid_token\", error_description=\"The access token is expired, sorry\", authorization_uri=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize\", resource_id=https://x/";
        let c = parse_www_authenticate(h);
        assert_eq!(
            c.error_description.as_deref(),
            Some("The access token is expired, sorry")
        );
        assert_eq!(
            c.tenant.as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        let c = parse_www_authenticate(
            "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize",
        );
        assert_eq!(c.tenant, None);
        assert_eq!(parse_www_authenticate("").error_description, None);
    }
}
