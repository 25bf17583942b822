//! The Dataverse Web API's error answers (with the `WWW-Authenticate` challenge) and `$metadata`
//! documents that cannot be parsed.

use serde::Deserialize;

use super::{quote, quoted, Diagnosis};
use crate::csdl::CsdlError;

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

#[cfg(test)]
mod tests {
    use super::*;

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
