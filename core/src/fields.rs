//! Field newtypes that can only hold valid values, and the errors that explain what is wrong.
//!
//! "Parse, don't validate": every type here is built by a `parse` function that either returns
//! the value (with [`Note`]s: warnings and information the user should see) or a [`FieldError`]
//! whose `Display` text says what is wrong and how to fix it, in the Azure portal's own words.
//! Types that are (de)serialised go through the same parser (`#[serde(try_from = "String")]`),
//! so a stored or imported value can never bypass the checks.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cloud::{classify_dataverse_host, cloud_of_login_authority, Cloud, SANDBOX_PORT};

// ---------------------------------------------------------------------------------------------
// Notes and errors
// ---------------------------------------------------------------------------------------------

/// How much a [`Note`] matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The value is accepted but is probably going to cause trouble.
    Warning,
    /// The value is accepted; something was normalised or is worth knowing.
    Info,
}

/// A remark about an accepted value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// How much it matters.
    pub level: Level,
    /// The plain-language text, ready to show.
    pub text: String,
}

impl Note {
    /// A [`Level::Warning`] note.
    pub fn warning(text: impl Into<String>) -> Note {
        Note {
            level: Level::Warning,
            text: text.into(),
        }
    }

    /// A [`Level::Info`] note.
    pub fn info(text: impl Into<String>) -> Note {
        Note {
            level: Level::Info,
            text: text.into(),
        }
    }
}

/// A parsed value with the notes gathered while parsing it.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked<T> {
    /// The valid value.
    pub value: T,
    /// Warnings and information about it, in the order found.
    pub notes: Vec<Note>,
}

impl<T> Checked<T> {
    /// A value without notes.
    pub fn clean(value: T) -> Checked<T> {
        Checked {
            value,
            notes: Vec::new(),
        }
    }

    /// Transform the value, keeping the notes.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Checked<U> {
        Checked {
            value: f(self.value),
            notes: self.notes,
        }
    }

    /// Whether any note is a [`Level::Warning`].
    pub fn has_warnings(&self) -> bool {
        self.notes.iter().any(|n| n.level == Level::Warning)
    }
}

fn token_host_message(found: &str, expected: &str, other: &Option<Cloud>) -> String {
    // GCC High and DoD share their sign-in host.
    let other = other.map(|c| match c {
        Cloud::UsGov | Cloud::UsGovDod => "US Government (GCC High or DoD)",
        c => c.label(),
    });
    match other {
        Some(c) => format!(
            "This token endpoint is on {found}, which is the sign-in host of the {c} cloud, but the \
             chosen cloud signs in on {expected}. Either pick the {c} cloud at the top of the wizard, \
             or copy the OAuth 2.0 token endpoint from the app's Endpoints page again."
        ),
        None => format!(
            "This token endpoint is on {found}, which is not a Microsoft sign-in host. It must be on \
             {expected}. In the app registration's Overview, click Endpoints and copy \
             \"OAuth 2.0 token endpoint (v2)\", or leave this field blank and the wizard builds it \
             from the Directory (tenant) ID."
        ),
    }
}

/// Why a typed value was rejected. `Display` is the message for the user: what is wrong and how
/// to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldError {
    /// Nothing was typed.
    #[error("This is empty. Paste the value from the portal.")]
    Empty,
    /// Not a GUID; `problem` says which part is wrong.
    #[error(
        "This is not a valid ID: {problem}. IDs in the Azure portal look like \
         1a2b3c4d-1234-5678-9abc-def012345678 (digits and letters a to f in groups of 8-4-4-4-12). \
         Use the copy button next to the value in the portal."
    )]
    NotAGuid {
        /// What is wrong with the text.
        problem: String,
    },
    /// A URL was pasted where an ID belongs.
    #[error("This is a web address, not an ID. Paste just the ID{hint}.")]
    UrlInsteadOfId {
        /// Either empty or `": the ID in this address is …"`.
        hint: String,
    },
    /// `consumers` as the tenant.
    #[error(
        "\"consumers\" means personal Microsoft accounts, which cannot use Dataverse. Paste the \
         Directory (tenant) ID from the app registration's Overview page instead."
    )]
    ConsumersTenant,
    /// `common` / `organizations` with client credentials.
    #[error(
        "\"{keyword}\" is not a tenant: client credentials need your own directory. Paste the \
         Directory (tenant) ID from the app registration's Overview page."
    )]
    MultiTenantKeyword {
        /// `common` or `organizations`.
        keyword: String,
    },
    /// Neither a GUID nor a domain name.
    #[error(
        "This is not a tenant ID: {problem}. Paste the Directory (tenant) ID from the app \
         registration's Overview page (a GUID), or a verified domain such as \
         contoso.onmicrosoft.com."
    )]
    NotATenant {
        /// What is wrong with the text.
        problem: String,
    },
    /// An e-mail address where a tenant belongs.
    #[error(
        "This is an e-mail address, not a tenant. Use the Directory (tenant) ID from the app \
         registration's Overview page, or just the domain part ({domain})."
    )]
    EmailInsteadOfDomain {
        /// The part after `@`.
        domain: String,
    },
    /// `https://https://…`.
    #[error("The address has its scheme twice (https:// https://). Remove one: {suggestion}")]
    DoubleScheme {
        /// The address with one scheme removed.
        suggestion: String,
    },
    /// `https%3A%2F%2F…`.
    #[error(
        "This address is percent-encoded (%3A%2F%2F stands for ://), probably copied out of \
         another link. Paste the plain address: {decoded}"
    )]
    PercentEncoded {
        /// The decoded text.
        decoded: String,
    },
    /// Not parseable as an absolute http(s) URL.
    #[error("This is not a usable web address: {problem}.")]
    NotAUrl {
        /// What is wrong, with the fix.
        problem: String,
    },
    /// `http://` for a real cloud.
    #[error("Microsoft's services only answer on https://, not http://. Use {suggestion}")]
    HttpNotAllowed {
        /// The https form.
        suggestion: String,
    },
    /// A known site that is not a Dataverse environment.
    #[error("This is the address of {site}, not of a Dataverse environment. {fix}")]
    WrongSite {
        /// What the address is.
        site: &'static str,
        /// Where to find the right one.
        fix: &'static str,
    },
    /// Some other host.
    #[error(
        "{host} is not a Dataverse environment address. It should look like {expected}. Copy the \
         Environment URL from the Power Platform admin center (Environments, then your \
         environment, Details)."
    )]
    NotDataverseHost {
        /// The host typed.
        host: String,
        /// The accepted patterns.
        expected: String,
    },
    /// A Dataverse host with a port it does not use.
    #[error("Dataverse environments do not use port {port}. Remove \":{port}\" from the address.")]
    UnexpectedPort {
        /// The port typed.
        port: u16,
    },
    /// The environment belongs to another cloud than the one chosen.
    #[error(
        "This environment is in the {url_cloud} cloud, but the wizard is set to the {chosen} cloud. \
         Change the cloud at the top of the wizard to {url_cloud}, or check the Environment URL."
    )]
    CloudMismatch {
        /// The environment's cloud.
        url_cloud: Cloud,
        /// The cloud picked in the wizard.
        chosen: Cloud,
    },
    /// The token endpoint is on the wrong host.
    #[error("{}", token_host_message(.found, .expected, .other))]
    TokenEndpointHost {
        /// The host typed.
        found: String,
        /// The chosen cloud's login host.
        expected: String,
        /// The cloud whose login host was typed, if any.
        other: Option<Cloud>,
    },
    /// The authorize endpoint was pasted.
    #[error(
        "This is the authorization endpoint. Copy the OAuth 2.0 token endpoint (the one ending in \
         /token) from the app's Endpoints page, or leave this field blank."
    )]
    TokenEndpointAuthorize,
    /// Some other path on the login host.
    #[error(
        "This is not a token endpoint. It should look like {expected} (or …/oauth2/token for v1). \
         Copy \"OAuth 2.0 token endpoint\" from the app's Endpoints page, or leave this field blank."
    )]
    TokenEndpointPath {
        /// An example of the right form.
        expected: String,
    },
    /// The tenant in the token endpoint differs from the Directory (tenant) ID.
    #[error(
        "This token endpoint is for tenant {in_url}, but the Directory (tenant) ID is {tenant}. \
         Both must be the tenant where the app is registered: copy the token endpoint from that \
         app's Endpoints page, or leave this field blank."
    )]
    TokenEndpointTenantMismatch {
        /// The tenant segment of the URL.
        in_url: String,
        /// The Directory (tenant) ID typed.
        tenant: String,
    },
    /// A GUID was pasted as the secret: that is the Secret ID.
    #[error(
        "This looks like the Secret ID. In Certificates & secrets, copy the Value column instead \
         (it is shown only once; if it is hidden, create a new secret)."
    )]
    SecretIsGuid,
    /// The masked value (`abc*****`) was copied.
    #[error(
        "This is the hidden form of the secret (the portal masks it after you leave the page). \
         The Value is shown only once: in Certificates & secrets, create a new client secret and \
         copy its Value straight away."
    )]
    SecretMasked,
    /// Whitespace inside the secret.
    #[error(
        "The secret contains spaces or line breaks, which client secret values never do. Copy the \
         Value again with the copy button in Certificates & secrets."
    )]
    SecretWhitespace,
    /// Not a `YYYY-MM-DD` date.
    #[error(
        "\"{found}\" is not a date. Pick it in the date box or type it as YYYY-MM-DD, from the \
         Expires column in Certificates & secrets."
    )]
    BadDate {
        /// The text typed.
        found: String,
    },
    /// Not an e-mail address.
    #[error("This is not an e-mail address: {problem}. Type it like name@contoso.com.")]
    BadEmail {
        /// What is wrong.
        problem: String,
    },
    /// Not a usable redirect URL.
    #[error("This redirect URL cannot be used: {problem}.")]
    BadRedirect {
        /// What is wrong, with the fix.
        problem: String,
    },
    /// The Object ID equals the Application (client) ID.
    #[error(
        "This is the app's Application (client) ID, not the Enterprise application's Object ID. \
         Open Enterprise applications, search for your app, and copy Object ID from its Overview \
         page."
    )]
    ObjectIdIsClientId,
    /// The Object ID equals the tenant ID.
    #[error(
        "This is the Directory (tenant) ID, not the Enterprise application's Object ID. Open \
         Enterprise applications, search for your app, and copy Object ID from its Overview page."
    )]
    ObjectIdIsTenantId,
    /// The tenant ID equals the client ID.
    #[error(
        "This is the same as the Application (client) ID. On the app registration's Overview page \
         the Directory (tenant) ID is a different value: copy that one."
    )]
    TenantIsClientId,
    /// The Dynamics CRM first-party app ID was pasted as the client ID.
    #[error(
        "00000007-0000-0000-c000-000000000000 is Microsoft's Dynamics CRM API, not your app. Copy \
         the Application (client) ID from your own app registration's Overview page."
    )]
    ClientIdIsDynamics,
    /// Not an entity set name.
    #[error("This is not an entity set name: {problem}. Type just the name, e.g. accounts.")]
    BadEntity {
        /// What is wrong.
        problem: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Small hand-written matchers (no regex crate: bundle size)
// ---------------------------------------------------------------------------------------------

/// Why `s` is not a DNS name, or `None` when it is one (lowercase expected).
fn dns_problem(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some("it is longer than 253 characters".into());
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Some(format!("\"{s}\" has no dot, so it is not a domain name"));
    }
    for l in &labels {
        if l.is_empty() {
            return Some("it has an empty part between dots".into());
        }
        if l.len() > 63 {
            return Some("a part between dots is longer than 63 characters".into());
        }
        if let Some(c) = l
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Some(format!(
                "it contains '{c}', which domain names cannot contain"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some("a part between dots starts or ends with '-'".into());
        }
    }
    if labels
        .last()
        .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
    {
        return Some("it ends in a number, so it is not a domain name".into());
    }
    None
}

/// Percent-decodes once (invalid escapes are kept as they are; invalid UTF-8 is replaced).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Reject garbled URL text (percent-encoded, double scheme, missing colon); returns the trimmed
/// text.
fn url_prechecks(raw: &str) -> Result<&str, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let lower = s.to_ascii_lowercase();
    if !lower.contains("://") && lower.contains('%') {
        // Decode up to three layers (`%253A` is a doubly encoded `:`).
        let mut decoded = s.to_string();
        for _ in 0..3 {
            let next = percent_decode(&decoded);
            if next == decoded {
                break;
            }
            decoded = next;
        }
        if decoded.contains("://") {
            return Err(FieldError::PercentEncoded { decoded });
        }
    }
    for scheme in ["https://", "http://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            let rest_trim = rest.trim_start_matches('/');
            for again in ["https:", "http:", "https//", "http//"] {
                if let Some(after) = rest_trim.strip_prefix(again) {
                    let host_part = after.trim_start_matches('/');
                    let keep = &s[s.len() - host_part.len()..];
                    return Err(FieldError::DoubleScheme {
                        suggestion: format!("{scheme}{keep}"),
                    });
                }
            }
        }
    }
    for broken in ["https//", "http//"] {
        if lower.starts_with(broken) {
            let scheme = &broken[..broken.len() - 2];
            return Err(FieldError::NotAUrl {
                problem: format!(
                    "it starts with \"{broken}\" (the colon is missing). Write {scheme}://{}",
                    &s[broken.len()..]
                ),
            });
        }
    }
    if s.chars().any(char::is_whitespace) {
        return Err(FieldError::NotAUrl {
            problem: "it contains spaces. Paste the address again without them".into(),
        });
    }
    Ok(s)
}

/// The first GUID found anywhere in `s`.
fn find_guid(s: &str) -> Option<Guid> {
    let b = s.as_bytes();
    if b.len() < 36 {
        return None;
    }
    (0..=b.len() - 36).find_map(|i| {
        let w = s.get(i..i + 36)?;
        Guid::parse_strict(w)
    })
}

// ---------------------------------------------------------------------------------------------
// Guid
// ---------------------------------------------------------------------------------------------

/// A GUID in canonical form: lowercase, hyphenated (`1a2b3c4d-1234-5678-9abc-def012345678`).
///
/// [`Guid::parse`] accepts surrounding whitespace, `{braces}`, uppercase and the 32-digit form
/// without hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Guid(String);

impl Guid {
    /// Exactly 36 chars 8-4-4-4-12 hex, any case.
    fn parse_strict(s: &str) -> Option<Guid> {
        let b = s.as_bytes();
        if b.len() != 36 {
            return None;
        }
        for (i, c) in b.iter().enumerate() {
            let ok = if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            };
            if !ok {
                return None;
            }
        }
        Some(Guid(s.to_ascii_lowercase()))
    }

    /// Parse a GUID, explaining what is wrong when it is not one.
    pub fn parse(raw: &str) -> Result<Guid, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        if s.contains("://") || s.to_ascii_lowercase().starts_with("www.") {
            let hint = find_guid(s)
                .map(|g| format!(": the ID in this address is {g}"))
                .unwrap_or_default();
            return Err(FieldError::UrlInsteadOfId { hint });
        }
        let inner = s
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .or_else(|| s.strip_prefix('(').and_then(|x| x.strip_suffix(')')))
            .unwrap_or(s)
            .trim();
        if let Some(g) = Guid::parse_strict(inner) {
            return Ok(g);
        }
        if inner.len() == 32 && inner.bytes().all(|c| c.is_ascii_hexdigit()) {
            let l = inner.to_ascii_lowercase();
            return Ok(Guid(format!(
                "{}-{}-{}-{}-{}",
                &l[..8],
                &l[8..12],
                &l[12..16],
                &l[16..20],
                &l[20..]
            )));
        }
        let problem = if inner.contains('@') {
            "it looks like an e-mail address".to_string()
        } else if let Some((i, c)) = inner
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
        {
            if c.is_whitespace() {
                format!("it contains a space at position {}", i + 1)
            } else {
                format!(
                    "'{c}' at position {} is not a digit or a letter from a to f",
                    i + 1
                )
            }
        } else {
            let hex = inner.chars().filter(char::is_ascii_hexdigit).count();
            if hex != 32 {
                format!("it has {hex} digits and letters instead of 32: part of it is missing or doubled")
            } else {
                "the hyphens are in the wrong places".to_string()
            }
        };
        Err(FieldError::NotAGuid { problem })
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Guid {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Guid::parse(s)
    }
}

impl TryFrom<String> for Guid {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Guid::parse(&s)
    }
}

impl From<Guid> for String {
    fn from(g: Guid) -> String {
        g.0
    }
}

// ---------------------------------------------------------------------------------------------
// GrantType, ApiVersion
// ---------------------------------------------------------------------------------------------

/// The OAuth 2.0 grant the Simego connector uses (its Grant Type field).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// App-only: the connector signs in as the application user with the client secret.
    #[default]
    ClientCredentials,
    /// Delegated: the connector signs in a person through a Web redirect.
    AuthorizationCode,
}

impl GrantType {
    /// Both grants, default first.
    pub const ALL: [GrantType; 2] = [GrantType::ClientCredentials, GrantType::AuthorizationCode];

    /// The wire value: `client_credentials` / `authorization_code`.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "client_credentials",
            GrantType::AuthorizationCode => "authorization_code",
        }
    }

    /// A short human label for pickers.
    pub fn label(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "Client credentials (app signs in with its secret)",
            GrantType::AuthorizationCode => "Authorization code (a person signs in)",
        }
    }

    /// Inverse of [`GrantType::as_str`].
    pub fn parse(s: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }
}

/// Dataverse Web API version in the Service URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiVersion {
    /// `v9.0`.
    #[serde(rename = "v9.0")]
    V9_0,
    /// `v9.1`.
    #[serde(rename = "v9.1")]
    V9_1,
    /// `v9.2`, the current one.
    #[default]
    #[serde(rename = "v9.2")]
    V9_2,
}

impl ApiVersion {
    /// Every supported version, oldest first.
    pub const ALL: [ApiVersion; 3] = [ApiVersion::V9_0, ApiVersion::V9_1, ApiVersion::V9_2];

    /// `"v9.0"`, `"v9.1"` or `"v9.2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V9_0 => "v9.0",
            ApiVersion::V9_1 => "v9.1",
            ApiVersion::V9_2 => "v9.2",
        }
    }

    /// Accepts `v9.2`, `V9.2` or `9.2`.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        let s = s.trim();
        let s = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        ApiVersion::ALL.into_iter().find(|v| &v.as_str()[1..] == s)
    }
}

// ---------------------------------------------------------------------------------------------
// TenantId
// ---------------------------------------------------------------------------------------------

/// The tenant: the Directory (tenant) ID or a verified domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TenantId {
    /// The Directory (tenant) ID.
    Guid(Guid),
    /// A verified domain (lowercase), e.g. `contoso.onmicrosoft.com`; or — only accepted for the
    /// authorization-code grant — the keyword `common` or `organizations` (see
    /// [`TenantId::is_keyword`]).
    Domain(String),
}

impl TenantId {
    /// Parse a tenant for the given grant. `consumers` is always rejected (Dataverse is work or
    /// school only); `common` / `organizations` are rejected for client credentials and accepted
    /// with a warning for the authorization-code grant.
    pub fn parse(raw: &str, grant: GrantType) -> Result<Checked<TenantId>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        let lower = s.to_ascii_lowercase();
        if s.contains("://") || lower.starts_with("login.") {
            let hint = find_guid(s)
                .map(|g| format!(": the tenant ID in this address is {g}"))
                .unwrap_or_default();
            return Err(FieldError::UrlInsteadOfId { hint });
        }
        if let Ok(g) = Guid::parse(s) {
            return Ok(Checked::clean(TenantId::Guid(g)));
        }
        match lower.as_str() {
            "consumers" => return Err(FieldError::ConsumersTenant),
            "common" | "organizations" => {
                return match grant {
                    GrantType::ClientCredentials => {
                        Err(FieldError::MultiTenantKeyword { keyword: lower })
                    }
                    GrantType::AuthorizationCode => Ok(Checked {
                        value: TenantId::Domain(lower.clone()),
                        notes: vec![Note::warning(format!(
                            "\"{lower}\" lets people from other directories sign in, and the wizard \
                             cannot check which tenant the app lives in. Prefer the Directory \
                             (tenant) ID from the app registration's Overview page."
                        ))],
                    }),
                };
            }
            _ => {}
        }
        if let Some((_, domain)) = lower.rsplit_once('@') {
            return Err(FieldError::EmailInsteadOfDomain {
                domain: domain.to_string(),
            });
        }
        let guidish = s.contains('-')
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, '-' | '{' | '}'));
        if guidish {
            // A GUID with a typo: explain it as a GUID, not as a domain.
            Guid::parse(s)?;
        }
        let domain = lower.trim_end_matches('.');
        if classify_dataverse_host(domain, None).is_some() {
            return Err(FieldError::NotATenant {
                problem: "this is your Dataverse environment's address; it goes in Environment URL"
                    .into(),
            });
        }
        if let Some(problem) = dns_problem(domain) {
            return Err(FieldError::NotATenant { problem });
        }
        Ok(Checked::clean(TenantId::Domain(domain.to_string())))
    }

    /// The text used in URLs: the GUID or the domain.
    pub fn as_str(&self) -> &str {
        match self {
            TenantId::Guid(g) => g.as_str(),
            TenantId::Domain(d) => d,
        }
    }

    /// Whether this is `common` or `organizations` rather than one directory.
    pub fn is_keyword(&self) -> bool {
        matches!(self, TenantId::Domain(d) if d == "common" || d == "organizations")
    }

    /// The GUID, when the tenant was given as one.
    pub fn guid(&self) -> Option<&Guid> {
        match self {
            TenantId::Guid(g) => Some(g),
            TenantId::Domain(_) => None,
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TenantId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// EnvironmentUrl
// ---------------------------------------------------------------------------------------------

/// Known sites that people paste instead of the environment URL: (host test, site, fix).
type SiteTest = fn(&str, &str) -> bool;
const WRONG_SITES: &[(SiteTest, &str, &str)] = &[
    (
        |h, _| {
            h.ends_with("powerapps.com")
                || h.ends_with("powerautomate.com")
                || h.ends_with("powerapps.us")
                || h.ends_with("powerapps.cn")
        },
        "the Power Apps maker portal",
        "In Power Apps, open Settings (the gear), Session details, and copy the Instance url; or \
         copy the Environment URL from the Power Platform admin center. It looks like \
         https://contoso.crm.dynamics.com.",
    ),
    (
        |h, _| h.contains(".operations."),
        "Dynamics 365 Finance and Operations (Finance, Supply Chain Management)",
        "Finance and Operations has a different API that this wizard does not set up. Use the \
         Dataverse environment URL (https://contoso.crm.dynamics.com) from the Power Platform \
         admin center.",
    ),
    (
        |h, p| {
            h.contains("businesscentral")
                || (h == "dynamics.microsoft.com" && p.contains("business-central"))
        },
        "Dynamics 365 Business Central",
        "Business Central is not Dataverse and needs its own connector. If you meant a Dataverse \
         environment, copy its Environment URL from the Power Platform admin center.",
    ),
    (
        |h, _| h.contains("admin.powerplatform"),
        "the Power Platform admin center",
        "In the admin center, open Environments, click your environment, and copy the Environment \
         URL shown under Details.",
    ),
    (
        |h, _| {
            h.starts_with("portal.azure.")
                || h == "entra.microsoft.com"
                || h == "aad.portal.azure.com"
        },
        "the Azure portal",
        "The Environment URL comes from the Power Platform admin center: Environments, your \
         environment, Details.",
    ),
    (
        |h, _| {
            h.starts_with("login.microsoftonline.")
                || h.starts_with("login.chinacloudapi.")
                || h.starts_with("login.windows.")
        },
        "the Microsoft sign-in service",
        "That address belongs in Token endpoint, if anywhere. The Environment URL comes from the \
         Power Platform admin center and looks like https://contoso.crm.dynamics.com.",
    ),
    (
        |h, _| h.starts_with("globaldisco."),
        "the Global Discovery Service (which lists environments)",
        "Use your own environment's address, e.g. https://contoso.crm.dynamics.com.",
    ),
    (
        |h, _| h.ends_with(".crm.microsoftdynamics.de"),
        "the Microsoft Cloud Deutschland, which closed in 2021",
        "Environments there were moved to the public cloud. Copy the current Environment URL from \
         the Power Platform admin center.",
    ),
    (
        |h, _| {
            h.ends_with("powerappsportals.com")
                || h.ends_with("powerpages.microsoft.com")
                || h.ends_with("microsoftcrmportals.com")
        },
        "a Power Pages website",
        "The website runs on top of an environment; copy that environment's Environment URL from \
         the Power Platform admin center.",
    ),
    (
        |h, _| {
            h == "home.dynamics.com" || h == "dynamics.microsoft.com" || h == "www.microsoft.com"
        },
        "a Microsoft start page",
        "Open your app and copy the start of its address (https://contoso.crm.dynamics.com), or \
         copy the Environment URL from the Power Platform admin center.",
    ),
];

/// A Dataverse environment URL: the origin only, e.g. `https://contoso.crm4.dynamics.com`
/// (sandbox: `http://contoso.crm.localhost:8081`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvironmentUrl {
    origin: String,
    host: String,
    cloud: Cloud,
    org: String,
    api_host: bool,
}

impl EnvironmentUrl {
    /// Parse what the user pasted. Paths (`/api/data/v9.2/`, `/main.aspx?…`), queries and
    /// fragments are stripped with an Info note; a missing scheme is added with a note; garbled
    /// and non-Dataverse addresses are rejected with the reason.
    pub fn parse(raw: &str) -> Result<Checked<EnvironmentUrl>, FieldError> {
        let s = url_prechecks(raw)?;
        let mut notes = Vec::new();
        let with_scheme;
        let text = if s.contains("://") {
            s
        } else {
            let authority = s
                .split(['/', '?', '#'])
                .next()
                .unwrap_or(s)
                .to_ascii_lowercase();
            let scheme = if authority.ends_with(&format!(".localhost:{SANDBOX_PORT}")) {
                "http"
            } else {
                "https"
            };
            with_scheme = format!("{scheme}://{s}");
            notes.push(Note::info(format!(
                "{scheme}:// was added in front of the address."
            )));
            &with_scheme
        };
        let url = url::Url::parse(text).map_err(|e| FieldError::NotAUrl {
            problem: format!("{e}. Paste the whole address, e.g. https://contoso.crm.dynamics.com"),
        })?;
        let scheme = url.scheme();
        if scheme != "https" && scheme != "http" {
            return Err(FieldError::NotAUrl {
                problem: format!(
                    "it starts with \"{scheme}:\". Environment URLs start with https://"
                ),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::NotAUrl {
                problem: "it contains a user name (the part before @). Remove it".into(),
            });
        }
        let host = url
            .host_str()
            .ok_or_else(|| FieldError::NotAUrl {
                problem: "it has no host name. Paste the whole address, e.g. https://contoso.crm.dynamics.com".into(),
            })?
            .trim_end_matches('.')
            .to_string();
        let path = url.path();
        if let Some((_, site, fix)) = WRONG_SITES.iter().find(|(t, _, _)| t(&host, path)) {
            return Err(FieldError::WrongSite { site, fix });
        }
        let port = url.port();
        let dv = match classify_dataverse_host(&host, port) {
            Some(dv) => dv,
            None => {
                if let Some(p) = port {
                    if classify_dataverse_host(&host, None).is_some()
                        || classify_dataverse_host(&host, Some(SANDBOX_PORT)).is_some()
                    {
                        return Err(FieldError::UnexpectedPort { port: p });
                    }
                }
                if port.is_none() && classify_dataverse_host(&host, Some(SANDBOX_PORT)).is_some() {
                    return Err(FieldError::NotAUrl {
                        problem: format!(
                            "the local sandbox listens on port {SANDBOX_PORT}. Write http://{host}:{SANDBOX_PORT}"
                        ),
                    });
                }
                let expected = Cloud::ALL
                    .iter()
                    .filter(|c| **c != Cloud::Sandbox)
                    .map(|c| c.dataverse_hosts_text())
                    .collect::<Vec<_>>()
                    .join(", or ");
                return Err(FieldError::NotDataverseHost { host, expected });
            }
        };
        match (scheme, dv.cloud == Cloud::Sandbox) {
            ("http", false) => {
                return Err(FieldError::HttpNotAllowed {
                    suggestion: format!("https://{host}"),
                })
            }
            ("https", true) => {
                return Err(FieldError::NotAUrl {
                    problem: format!(
                        "the local sandbox serves plain http. Write http://{host}:{SANDBOX_PORT}"
                    ),
                })
            }
            _ => {}
        }
        let rest = &text[text.find("://").map_or(0, |i| i + 3)..];
        let rest = rest.find(['/', '?', '#']).map_or("", |i| &rest[i..]);
        if !rest.is_empty() && rest != "/" {
            let lower = rest.to_ascii_lowercase();
            let text = if lower.starts_with("/api/data") {
                format!(
                    "The Web API path {rest} was removed: the wizard adds /api/data/<version>/ \
                     itself when it builds the Service URL."
                )
            } else if lower.starts_with("/main.aspx") || lower.starts_with("/apps/") {
                "The app page part of the address (/main.aspx…) was removed: only the \
                 environment address is needed."
                    .to_string()
            } else {
                format!("The part after the host ({rest}) was removed: only the environment address is needed.")
            };
            notes.push(Note::info(text));
        }
        if dv.region == "crm9" {
            notes.push(Note::info(
                "crm9 is the US Government Community Cloud (GCC). It signs in through the public \
                 cloud (login.microsoftonline.com), so keep the cloud set to Public.",
            ));
        }
        if dv.api_host {
            notes.push(Note::info(
                "This is the Web API host (.api.). That works; the Resource and scope will use this \
                 same host, so sign-in tokens match it.",
            ));
        }
        let origin = match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        Ok(Checked {
            value: EnvironmentUrl {
                origin,
                host,
                cloud: dv.cloud,
                org: dv.org,
                api_host: dv.api_host,
            },
            notes,
        })
    }

    /// The origin without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.origin
    }

    /// The cloud this environment is in.
    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// The organisation name (first host label).
    pub fn org(&self) -> &str {
        &self.org
    }

    /// The host without port.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether this is the `.api.` Web API host.
    pub fn is_api_host(&self) -> bool {
        self.api_host
    }
}

impl fmt::Display for EnvironmentUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

impl TryFrom<String> for EnvironmentUrl {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        EnvironmentUrl::parse(&s).map(|c| c.value)
    }
}

impl From<EnvironmentUrl> for String {
    fn from(e: EnvironmentUrl) -> String {
        e.origin
    }
}

// ---------------------------------------------------------------------------------------------
// TokenEndpoint
// ---------------------------------------------------------------------------------------------

/// Entra ID endpoint generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndpointVersion {
    /// `/oauth2/token` (Azure AD v1: `resource=` parameter).
    V1,
    /// `/oauth2/v2.0/token` (Microsoft identity platform: `scope=` parameter).
    V2,
}

/// A token endpoint of the chosen cloud, in canonical form
/// (`{login_base}/{tenant}/oauth2/token` or `…/oauth2/v2.0/token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenEndpoint {
    url: String,
    version: EndpointVersion,
    tenant: TenantId,
}

impl TokenEndpoint {
    /// Parse a token endpoint. The host must be `cloud`'s login host; when `tenant` is given the
    /// tenant segment must be the same tenant.
    pub fn parse(
        raw: &str,
        tenant: Option<&TenantId>,
        cloud: Cloud,
    ) -> Result<Checked<TokenEndpoint>, FieldError> {
        let s = url_prechecks(raw)?;
        let base = cloud.profile().login_base;
        let example = format!("{base}/<tenant>/oauth2/v2.0/token");
        let with_scheme;
        let text = if s.contains("://") {
            s
        } else {
            with_scheme = format!(
                "{}://{s}",
                if cloud.allows_http() { "http" } else { "https" }
            );
            &with_scheme
        };
        let url = url::Url::parse(text).map_err(|e| FieldError::NotAUrl {
            problem: format!("{e}. Paste the whole address, e.g. {example}"),
        })?;
        let host = url.host_str().unwrap_or_default();
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let expected = cloud.login_authority();
        if authority != expected {
            return Err(FieldError::TokenEndpointHost {
                found: authority.clone(),
                expected: expected.to_string(),
                other: cloud_of_login_authority(&authority),
            });
        }
        match url.scheme() {
            "https" => {}
            "http" if cloud.allows_http() => {}
            "http" => {
                return Err(FieldError::HttpNotAllowed {
                    suggestion: text.replacen("http://", "https://", 1),
                })
            }
            other => {
                return Err(FieldError::NotAUrl {
                    problem: format!("it starts with \"{other}:\". Use {example}"),
                })
            }
        }
        let segs: Vec<&str> = url
            .path_segments()
            .map(|p| p.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        if segs
            .last()
            .is_some_and(|l| l.eq_ignore_ascii_case("authorize"))
        {
            return Err(FieldError::TokenEndpointAuthorize);
        }
        let version = match segs.as_slice() {
            [_, a, b] if a.eq_ignore_ascii_case("oauth2") && b.eq_ignore_ascii_case("token") => {
                EndpointVersion::V1
            }
            [_, a, v, b]
                if a.eq_ignore_ascii_case("oauth2")
                    && v.eq_ignore_ascii_case("v2.0")
                    && b.eq_ignore_ascii_case("token") =>
            {
                EndpointVersion::V2
            }
            _ => return Err(FieldError::TokenEndpointPath { expected: example }),
        };
        let mut notes = Vec::new();
        if url.query().is_some() || url.fragment().is_some() {
            notes.push(Note::info(
                "The part after ? was removed: the token endpoint needs no parameters in its address.",
            ));
        }
        let url_tenant = match TenantId::parse(segs[0], GrantType::AuthorizationCode) {
            Ok(t) => t.value,
            Err(FieldError::ConsumersTenant) => return Err(FieldError::ConsumersTenant),
            Err(_) => return Err(FieldError::TokenEndpointPath { expected: example }),
        };
        match tenant {
            Some(t) if t == &url_tenant => {}
            Some(t) => match (t, &url_tenant) {
                (TenantId::Guid(_), TenantId::Guid(_)) => {
                    return Err(FieldError::TokenEndpointTenantMismatch {
                        in_url: url_tenant.as_str().to_string(),
                        tenant: t.as_str().to_string(),
                    })
                }
                (_, u) if u.is_keyword() || t.is_keyword() => {
                    return Err(FieldError::TokenEndpointTenantMismatch {
                        in_url: url_tenant.as_str().to_string(),
                        tenant: t.as_str().to_string(),
                    })
                }
                _ => notes.push(Note::warning(format!(
                    "The token endpoint names tenant {url_tenant} and the Directory (tenant) ID is \
                     {t}. The wizard cannot tell whether they are the same directory: use the \
                     Directory (tenant) ID in both, or leave this field blank."
                ))),
            },
            None if url_tenant.is_keyword() => notes.push(Note::warning(format!(
                "\"{url_tenant}\" is not one directory. Use the token endpoint that contains your \
                 Directory (tenant) ID (the app's Endpoints page shows it)."
            ))),
            None => {}
        }
        let path = match version {
            EndpointVersion::V1 => "oauth2/token",
            EndpointVersion::V2 => "oauth2/v2.0/token",
        };
        Ok(Checked {
            value: TokenEndpoint {
                url: format!("{base}/{url_tenant}/{path}"),
                version,
                tenant: url_tenant,
            },
            notes,
        })
    }

    /// The canonical URL.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// v1 or v2.
    pub fn version(&self) -> EndpointVersion {
        self.version
    }

    /// The tenant named in the URL.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

impl fmt::Display for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

// ---------------------------------------------------------------------------------------------
// ClientSecret, SecretExpiry
// ---------------------------------------------------------------------------------------------

/// A client secret *value* (not its Secret ID). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Secrets from Certificates & secrets are about 40 characters; shorter ones get a warning.
    pub const USUAL_MIN_LEN: usize = 30;

    /// Parse a pasted secret value. Surrounding whitespace is trimmed.
    pub fn parse(raw: &str) -> Result<Checked<ClientSecret>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        if Guid::parse(s).is_ok() {
            return Err(FieldError::SecretIsGuid);
        }
        if s.contains("***") || s.contains('…') || s.contains('•') {
            return Err(FieldError::SecretMasked);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(FieldError::SecretWhitespace);
        }
        let mut notes = Vec::new();
        if s.starts_with(['"', '\'']) || s.ends_with(['"', '\'']) {
            notes.push(Note::warning(
                "The secret starts or ends with a quote mark. Secret values never contain quotes: \
                 remove them unless you are sure they belong to the Value.",
            ));
        }
        if s.chars().count() < Self::USUAL_MIN_LEN {
            notes.push(Note::warning(format!(
                "This is {} characters long; secret values from Certificates & secrets are about \
                 40. Check that you copied the whole Value.",
                s.chars().count()
            )));
        }
        Ok(Checked {
            value: ClientSecret(s.to_string()),
            notes,
        })
    }

    /// The secret text.
    ///
    /// Security: this is a credential. Only use it to put it where the user asked (the connector
    /// settings they copy, an export they opted into). Never log it, never store it in
    /// localStorage, never send it anywhere from the browser (Entra ID refuses client secrets from
    /// browsers anyway).
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// When the client secret expires (the Expires column in Certificates & secrets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SecretExpiry(NaiveDate);

impl SecretExpiry {
    /// Days before expiry from which a warning is shown.
    pub const WARN_DAYS: i64 = 30;

    /// Parse `YYYY-MM-DD`; notes compare it with `today`: past or within 30 days → Warning, more
    /// than two years away → Info (the portal's maximum is two years).
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Checked<SecretExpiry>, FieldError> {
        let value: SecretExpiry = raw.parse()?;
        let days = (value.0 - today).num_days();
        let mut notes = Vec::new();
        if days < 0 {
            let n = -days;
            notes.push(Note::warning(format!(
                "This secret expired {n} day{} ago: create a new secret in Certificates & secrets \
                 and paste its Value.",
                if n == 1 { "" } else { "s" }
            )));
        } else if days == 0 {
            notes.push(Note::warning(
                "This secret expires today: create a new secret in Certificates & secrets and \
                 paste its Value.",
            ));
        } else if days <= Self::WARN_DAYS {
            notes.push(Note::warning(format!(
                "This secret expires in {days} day{}: create a new one in Certificates & secrets \
                 before {value}, and update Data Sync with it.",
                if days == 1 { "" } else { "s" }
            )));
        } else if days > 731 {
            notes.push(Note::info(
                "This is more than two years away, but the portal allows at most two years. Check \
                 the Expires column in Certificates & secrets.",
            ));
        }
        Ok(Checked { value, notes })
    }

    /// A known date (no checks relative to today).
    pub fn from_date(date: NaiveDate) -> SecretExpiry {
        SecretExpiry(date)
    }

    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

impl FromStr for SecretExpiry {
    type Err = FieldError;
    /// Format check only (`YYYY-MM-DD`), no comparison with today.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        let bad = || FieldError::BadDate {
            found: s.to_string(),
        };
        // Exactly YYYY-MM-DD (chrono alone would accept e.g. "2026-1-5").
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(SecretExpiry)
            .map_err(|_| bad())
    }
}

impl fmt::Display for SecretExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl TryFrom<String> for SecretExpiry {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<SecretExpiry> for String {
    fn from(e: SecretExpiry) -> String {
        e.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------

/// An e-mail address (`local@domain.tld`), trimmed; the domain is lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parse an address.
    pub fn parse(raw: &str) -> Result<Checked<Email>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        let bad = |p: &str| FieldError::BadEmail { problem: p.into() };
        if s.contains('<') || s.contains('>') {
            return Err(bad("it contains < or >; type only the address itself"));
        }
        if s.to_ascii_lowercase().starts_with("mailto:") {
            return Err(bad("it starts with mailto:; remove that"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(bad("it contains a space"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad("it has no @"));
        };
        if domain.contains('@') {
            return Err(bad("it has more than one @"));
        }
        if local.is_empty() {
            return Err(bad("there is nothing before the @"));
        }
        if local.len() > 64 {
            return Err(bad("the part before the @ is longer than 64 characters"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("the part before the @ has a misplaced dot"));
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(*c)))
        {
            return Err(FieldError::BadEmail {
                problem: format!("'{c}' cannot be used before the @"),
            });
        }
        let domain = domain.to_ascii_lowercase();
        if domain.is_empty() {
            return Err(bad("there is nothing after the @"));
        }
        if let Some(p) = dns_problem(&domain) {
            return Err(FieldError::BadEmail {
                problem: format!("the part after the @ is not a domain name ({p})"),
            });
        }
        Ok(Checked::clean(Email(format!("{local}@{domain}"))))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s).map(|c| c.value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

// ---------------------------------------------------------------------------------------------
// RedirectUrl
// ---------------------------------------------------------------------------------------------

/// The connector's *Web* redirect URI for the authorization-code grant (e.g. `http://localhost`
/// or `https://www.simego.com/oauth/code`).
///
/// Kept exactly as typed (trimmed): Entra ID compares redirect URIs character for character, so
/// `http://localhost` and `http://localhost/` are different registrations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUrl(String);

impl RedirectUrl {
    /// Parse an absolute `http(s)` URL. `http://` is only accepted for `localhost` (Entra ID's
    /// rule); fragments and wildcards are rejected.
    pub fn parse(raw: &str) -> Result<Checked<RedirectUrl>, FieldError> {
        let s = url_prechecks(raw)?;
        let bad = |p: String| FieldError::BadRedirect { problem: p };
        if !s.contains("://") {
            return Err(bad(format!(
                "it has no http:// or https:// in front. Write the whole address, e.g. http://{s}"
            )));
        }
        let url = url::Url::parse(s).map_err(|e| {
            bad(format!(
                "{e}. Write a whole address such as http://localhost or https://www.simego.com/oauth/code"
            ))
        })?;
        let host = url.host_str().unwrap_or_default();
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(bad(format!(
                    "Entra ID accepts http:// only for localhost. Use https://{}",
                    &s["http://".len()..]
                )))
            }
            other => {
                return Err(bad(format!(
                    "it starts with \"{other}:\"; the connector needs a Web redirect starting with \
                     http://localhost or https://"
                )))
            }
        }
        if s.contains('#') {
            return Err(bad(
                "it contains #, which Entra ID does not allow in redirect URIs. Remove the # and what follows it".into(),
            ));
        }
        if s.contains('*') {
            return Err(bad(
                "it contains *, and wildcards are not allowed in redirect URIs. Write the exact address".into(),
            ));
        }
        Ok(Checked {
            value: RedirectUrl(s.to_string()),
            notes: vec![Note::info(
                "Register exactly this address under Authentication, platform Web, character for \
                 character (a trailing / counts).",
            )],
        })
    }

    /// The URL exactly as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RedirectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RedirectUrl {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RedirectUrl::parse(&s).map(|c| c.value)
    }
}

impl From<RedirectUrl> for String {
    fn from(r: RedirectUrl) -> String {
        r.0
    }
}

/// Check an entity set name (`accounts`, `new_projects`): letters, digits and `_`, not starting
/// with a digit. Returns notes (e.g. "usually plural").
pub fn check_entity_set(raw: &str) -> Result<Checked<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let bad = |p: String| FieldError::BadEntity { problem: p };
    if s.contains("://") || s.contains('/') {
        return Err(bad("it is a path or address".into()));
    }
    if s.contains('(') {
        return Err(bad(
            "it contains ( — that is a single record's address".into()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(bad(format!("'{c}' cannot be part of an entity set name")));
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(bad("it starts with a digit".into()));
    }
    let mut notes = Vec::new();
    if !s.ends_with('s') {
        notes.push(Note::info(
            "Entity set names are usually plural (accounts, contacts). If Connect cannot find it, \
             check the EntitySetName of the table.",
        ));
    }
    if s.chars().any(|c| c.is_ascii_uppercase()) {
        notes.push(Note::warning(
            "Entity set names are case-sensitive and almost always lowercase in Dataverse (e.g. \
             accounts, not Accounts).",
        ));
    }
    Ok(Checked {
        value: s.to_string(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "1a2b3c4d-1234-5678-9abc-def012345678";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn guid_table() {
        let ok: &[(&str, &str)] = &[
            (G, G),
            ("1A2B3C4D-1234-5678-9ABC-DEF012345678", G),
            ("{1A2B3C4D-1234-5678-9abc-def012345678}", G),
            ("  1a2b3c4d-1234-5678-9abc-def012345678\n", G),
            ("(1a2b3c4d-1234-5678-9abc-def012345678)", G),
            ("1a2b3c4d123456789abcdef012345678", G),
        ];
        for (input, want) in ok {
            assert_eq!(Guid::parse(input).unwrap().as_str(), *want, "{input}");
        }
        let bad: &[(&str, &str)] = &[
            ("", "empty"),
            ("1a2b3c4d-1234-5678-9abc-def01234567", "31 digits"),
            ("1a2b3c4d-1234-5678-9abc-def0123456789", "33 digits"),
            ("1a2b3c4g-1234-5678-9abc-def012345678", "'g' at position 8"),
            ("1a2b3c4d-1234-5678-9abc def012345678", "space"),
            ("1a2b3c4d1-234-5678-9abc-def012345678", "hyphens"),
            ("me@contoso.com", "e-mail"),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token",
                "the ID in this address is 1a2b3c4d-1234-5678-9abc-def012345678",
            ),
        ];
        for (input, needle) in bad {
            let e = Guid::parse(input).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains(needle) || (*needle == "empty" && e == FieldError::Empty),
                "{input}: {msg}"
            );
        }
    }

    #[test]
    fn guid_serde_validates() {
        let g: Guid = serde_json::from_str(&format!("\"{{{}}}\"", G.to_uppercase())).unwrap();
        assert_eq!(g.as_str(), G);
        assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{G}\""));
        assert!(serde_json::from_str::<Guid>("\"nope\"").is_err());
        assert_eq!(G.parse::<Guid>().unwrap().to_string(), G);
    }

    #[test]
    fn tenant_table() {
        use GrantType::*;
        let ok: &[(&str, GrantType, &str, bool)] = &[
            (G, ClientCredentials, G, false),
            (
                "{1A2B3C4D-1234-5678-9ABC-DEF012345678}",
                ClientCredentials,
                G,
                false,
            ),
            (
                "Contoso.OnMicrosoft.com",
                ClientCredentials,
                "contoso.onmicrosoft.com",
                false,
            ),
            ("contoso.com", ClientCredentials, "contoso.com", false),
            ("common", AuthorizationCode, "common", true),
            ("Organizations", AuthorizationCode, "organizations", true),
        ];
        for (input, grant, want, warns) in ok {
            let c = TenantId::parse(input, *grant).unwrap();
            assert_eq!(c.value.as_str(), *want);
            assert_eq!(c.has_warnings(), *warns, "{input}");
        }
        assert!(TenantId::parse("common", AuthorizationCode)
            .unwrap()
            .value
            .is_keyword());
        let bad: &[(&str, GrantType, &str)] = &[
            (
                "consumers",
                AuthorizationCode,
                "personal Microsoft accounts",
            ),
            (
                "consumers",
                ClientCredentials,
                "personal Microsoft accounts",
            ),
            ("common", ClientCredentials, "\"common\" is not a tenant"),
            (
                "organizations",
                ClientCredentials,
                "\"organizations\" is not a tenant",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/v2.0",
                ClientCredentials,
                "tenant ID in this address is 1a2b3c4d",
            ),
            (
                "login.microsoftonline.com/contoso.com",
                ClientCredentials,
                "web address",
            ),
            (
                "admin@contoso.com",
                ClientCredentials,
                "just the domain part (contoso.com)",
            ),
            (
                "1a2b3c4d-1234-5678-9abc-def01234567",
                ClientCredentials,
                "31 digits",
            ),
            ("contoso", ClientCredentials, "has no dot"),
            ("contoso_ltd.com", ClientCredentials, "'_'"),
            (
                "contoso.crm.dynamics.com",
                ClientCredentials,
                "Environment URL",
            ),
            ("", ClientCredentials, "empty"),
        ];
        for (input, grant, needle) in bad {
            let msg = TenantId::parse(input, *grant).unwrap_err().to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
        }
    }

    fn env(s: &str) -> Result<Checked<EnvironmentUrl>, FieldError> {
        EnvironmentUrl::parse(s)
    }

    #[test]
    fn environment_url_accepts_and_normalises() {
        let cases: &[(&str, &str, Cloud, &str, bool, usize)] = &[
            (
                "https://contoso.crm.dynamics.com",
                "https://contoso.crm.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.crm4.dynamics.com/",
                "https://contoso.crm4.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
            (
                "  HTTPS://Contoso.CRM4.Dynamics.com  ",
                "https://contoso.crm4.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.api.crm4.dynamics.com/api/data/v9.2/",
                "https://contoso.api.crm4.dynamics.com",
                Cloud::Public,
                "contoso",
                true,
                2,
            ),
            (
                "https://contoso.crm.dynamics.com/main.aspx?appid=123&pagetype=entitylist",
                "https://contoso.crm.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                1,
            ),
            (
                "contoso.crm11.dynamics.com",
                "https://contoso.crm11.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                1,
            ),
            (
                "https://contoso.crm9.dynamics.com",
                "https://contoso.crm9.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                1,
            ),
            (
                "https://contoso.crm.microsoftdynamics.us",
                "https://contoso.crm.microsoftdynamics.us",
                Cloud::UsGov,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.crm.appsplatform.us",
                "https://contoso.crm.appsplatform.us",
                Cloud::UsGovDod,
                "contoso",
                false,
                0,
            ),
            (
                "https://contoso.crm.dynamics.cn",
                "https://contoso.crm.dynamics.cn",
                Cloud::China,
                "contoso",
                false,
                0,
            ),
            (
                "http://contoso.crm.localhost:8081",
                "http://contoso.crm.localhost:8081",
                Cloud::Sandbox,
                "contoso",
                false,
                0,
            ),
            (
                "contoso.crm.localhost:8081/api/data/v9.2",
                "http://contoso.crm.localhost:8081",
                Cloud::Sandbox,
                "contoso",
                false,
                2,
            ),
            (
                "https://contoso.crm.dynamics.com:443",
                "https://contoso.crm.dynamics.com",
                Cloud::Public,
                "contoso",
                false,
                0,
            ),
        ];
        for (input, origin, cloud, org, api, notes) in cases {
            let c = env(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(c.value.as_str(), *origin, "{input}");
            assert_eq!(c.value.cloud(), *cloud, "{input}");
            assert_eq!(c.value.org(), *org, "{input}");
            assert_eq!(c.value.is_api_host(), *api, "{input}");
            assert_eq!(c.notes.len(), *notes, "{input}: {:?}", c.notes);
            assert!(!c.has_warnings(), "{input}");
        }
        let c = env("https://contoso.crm.dynamics.com/api/data/v9.2/").unwrap();
        assert!(c.notes[0].text.contains("/api/data/v9.2/ was removed"));
        assert_eq!(c.value.host(), "contoso.crm.dynamics.com");
    }

    #[test]
    fn environment_url_rejects_with_reason() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            (
                "https://https://contoso.crm.dynamics.com",
                "Remove one: https://contoso.crm.dynamics.com",
            ),
            (
                "https://https//contoso.crm.dynamics.com/",
                "Remove one: https://contoso.crm.dynamics.com/",
            ),
            ("https//contoso.crm.dynamics.com", "colon is missing"),
            (
                "https%3A%2F%2Fcontoso.crm.dynamics.com%2F",
                "Paste the plain address: https://contoso.crm.dynamics.com/",
            ),
            (
                "https%253A%252F%252Fcontoso.crm.dynamics.com",
                "Paste the plain address: https://contoso.crm.dynamics.com",
            ),
            (
                "http://contoso.crm.dynamics.com",
                "Use https://contoso.crm.dynamics.com",
            ),
            (
                "https://make.powerapps.com/environments/abc/home",
                "Power Apps maker portal",
            ),
            (
                "https://contoso.operations.dynamics.com",
                "Finance and Operations",
            ),
            (
                "https://contoso.sandbox.operations.dynamics.com",
                "Finance and Operations",
            ),
            (
                "https://businesscentral.dynamics.com/tenant/Production",
                "Business Central",
            ),
            (
                "https://dynamics.microsoft.com/en-us/business-central/overview/",
                "Business Central",
            ),
            (
                "https://admin.powerplatform.microsoft.com/environments",
                "admin center",
            ),
            ("https://portal.azure.com/#home", "Azure portal"),
            (
                "https://login.microsoftonline.com/x/oauth2/token",
                "sign-in service",
            ),
            ("https://globaldisco.crm.dynamics.com", "Global Discovery"),
            (
                "https://contoso.crm.microsoftdynamics.de",
                "Cloud Deutschland",
            ),
            ("https://contoso.powerappsportals.com", "Power Pages"),
            (
                "https://contoso.example.com",
                "not a Dataverse environment address",
            ),
            ("https://contoso.crm.dynamics.com:8443", "port 8443"),
            ("http://contoso.crm.localhost:9999", "port 9999"),
            ("http://contoso.crm.localhost", "port 8081"),
            ("https://contoso.crm.localhost:8081", "plain http"),
            ("ftp://contoso.crm.dynamics.com", "\"ftp:\""),
            ("https://user:pw@contoso.crm.dynamics.com", "user name"),
            ("https://contoso .crm.dynamics.com", "spaces"),
        ];
        for (input, needle) in cases {
            let e = env(input).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains(needle) || (*needle == "empty" && e == FieldError::Empty),
                "{input}: {msg}"
            );
        }
    }

    #[test]
    fn environment_url_serde_goes_through_parse() {
        let e: EnvironmentUrl =
            serde_json::from_str("\"https://contoso.crm4.dynamics.com/\"").unwrap();
        assert_eq!(e.as_str(), "https://contoso.crm4.dynamics.com");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            "\"https://contoso.crm4.dynamics.com\""
        );
        assert!(serde_json::from_str::<EnvironmentUrl>("\"https://make.powerapps.com\"").is_err());
    }

    fn tg() -> TenantId {
        TenantId::Guid(Guid::parse(G).unwrap())
    }

    #[test]
    fn token_endpoint_table() {
        let t = tg();
        type Case<'a> = (
            &'a str,
            Option<&'a TenantId>,
            Cloud,
            &'a str,
            EndpointVersion,
            bool,
        );
        let ok: &[Case] = &[
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public,
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                EndpointVersion::V2, false,
            ),
            (
                "https://login.microsoftonline.com/1A2B3C4D-1234-5678-9ABC-DEF012345678/oauth2/token/",
                Some(&t), Cloud::Public,
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token",
                EndpointVersion::V1, false,
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token?api-version=1.0",
                None, Cloud::Public,
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/token",
                EndpointVersion::V1, false,
            ),
            (
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
                Some(&t), Cloud::Public,
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
                EndpointVersion::V2, true,
            ),
            (
                "https://login.microsoftonline.us/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::UsGovDod,
                "https://login.microsoftonline.us/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                EndpointVersion::V2, false,
            ),
            (
                "http://localhost:8081/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Sandbox,
                "http://localhost:8081/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                EndpointVersion::V2, false,
            ),
            (
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
                None, Cloud::Public,
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
                EndpointVersion::V2, true,
            ),
        ];
        for (input, tenant, cloud, want, version, warns) in ok {
            let c = TokenEndpoint::parse(input, *tenant, *cloud)
                .unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(c.value.as_str(), *want);
            assert_eq!(c.value.version(), *version);
            assert_eq!(c.has_warnings(), *warns, "{input}");
        }
        let other = TenantId::Guid(Guid::parse("99999999-1234-5678-9abc-def012345678").unwrap());
        let bad: &[(&str, Option<&TenantId>, Cloud, &str)] = &[
            (
                "https://login.microsoftonline.com/99999999-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "is for tenant 99999999-1234-5678-9abc-def012345678, but the Directory (tenant) ID is 1a2b3c4d",
            ),
            (
                "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                Some(&other), Cloud::Public, "is for tenant common",
            ),
            (
                "https://login.microsoftonline.com/consumers/oauth2/v2.0/token",
                None, Cloud::Public, "personal Microsoft accounts",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/authorize",
                Some(&t), Cloud::Public, "authorization endpoint",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/v2.0/.well-known/openid-configuration",
                Some(&t), Cloud::Public, "not a token endpoint",
            ),
            (
                "https://login.microsoftonline.us/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "US Government (GCC High or DoD) cloud",
            ),
            (
                "https://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::China, "login.chinacloudapi.cn",
            ),
            (
                "https://example.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "not a Microsoft sign-in host",
            ),
            (
                "http://login.microsoftonline.com/1a2b3c4d-1234-5678-9abc-def012345678/oauth2/v2.0/token",
                Some(&t), Cloud::Public, "only answer on https://",
            ),
            (
                "https://https://login.microsoftonline.com/x/oauth2/token",
                None, Cloud::Public, "twice",
            ),
            (
                "https%3A%2F%2Flogin.microsoftonline.com%2Fx%2Foauth2%2Ftoken",
                None, Cloud::Public, "percent-encoded",
            ),
        ];
        for (input, tenant, cloud, needle) in bad {
            let msg = TokenEndpoint::parse(input, *tenant, *cloud)
                .unwrap_err()
                .to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
        }
    }

    #[test]
    fn client_secret_table() {
        let good = "abc8Q~Zk3pN4vR5sT6uW7xY8zA9bC0dE1fG2hI3j";
        let c = ClientSecret::parse(&format!("  {good}\n")).unwrap();
        assert_eq!(c.value.secret(), good);
        assert!(c.notes.is_empty());
        assert_eq!(format!("{:?}", c.value), "ClientSecret([redacted])");
        assert!(!format!("{c:?}").contains(good));
        let quoted = ClientSecret::parse(&format!("\"{good}\"")).unwrap();
        assert!(quoted.notes[0].text.contains("quote mark"));
        let short = ClientSecret::parse("abc~123").unwrap();
        assert!(short.has_warnings());
        let bad: &[(&str, FieldError)] = &[
            ("", FieldError::Empty),
            (G, FieldError::SecretIsGuid),
            (
                "{1A2B3C4D-1234-5678-9ABC-DEF012345678}",
                FieldError::SecretIsGuid,
            ),
            ("abc8Q~**************", FieldError::SecretMasked),
            (
                "abc8Q~Zk3pN4vR5 sT6uW7xY8zA9bC0dE1fG2hI3j",
                FieldError::SecretWhitespace,
            ),
        ];
        for (input, want) in bad {
            assert_eq!(ClientSecret::parse(input).unwrap_err(), *want, "{input}");
        }
        assert!(FieldError::SecretIsGuid
            .to_string()
            .contains("copy the Value column instead"));
    }

    #[test]
    fn secret_expiry_table() {
        let today = d("2025-06-15");
        let cases: &[(&str, Option<Level>, &str)] = &[
            ("2025-06-10", Some(Level::Warning), "expired 5 days ago"),
            ("2025-06-14", Some(Level::Warning), "expired 1 day ago"),
            ("2025-06-15", Some(Level::Warning), "expires today"),
            ("2025-06-16", Some(Level::Warning), "expires in 1 day"),
            ("2025-07-15", Some(Level::Warning), "expires in 30 days"),
            ("2025-07-16", None, ""),
            ("2027-06-15", None, ""),
            ("2028-06-15", Some(Level::Info), "two years"),
            (" 2025-12-12 ", None, ""),
        ];
        for (input, level, needle) in cases {
            let c = SecretExpiry::parse(input, today).unwrap();
            assert_eq!(c.notes.first().map(|n| n.level), *level, "{input}");
            if let Some(n) = c.notes.first() {
                assert!(n.text.contains(needle), "{input}: {}", n.text);
            }
        }
        for bad in [
            "2025-13-01",
            "15/06/2025",
            "2025-6-1",
            "tomorrow",
            "2025-02-30",
        ] {
            let msg = SecretExpiry::parse(bad, today).unwrap_err().to_string();
            assert!(msg.contains("YYYY-MM-DD"), "{bad}: {msg}");
        }
        assert_eq!(
            SecretExpiry::parse("", today).unwrap_err(),
            FieldError::Empty
        );
        let e = SecretExpiry::parse("2025-12-01", today).unwrap().value;
        assert_eq!(e.to_string(), "2025-12-01");
        assert_eq!(e.date(), d("2025-12-01"));
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"2025-12-01\"");
        assert!(serde_json::from_str::<SecretExpiry>("\"12/01/2025\"").is_err());
    }

    #[test]
    fn email_table() {
        let ok: &[(&str, &str)] = &[
            ("sync@contoso.com", "sync@contoso.com"),
            (
                " Sync.App+x@Contoso.OnMicrosoft.com ",
                "Sync.App+x@contoso.onmicrosoft.com",
            ),
        ];
        for (input, want) in ok {
            assert_eq!(Email::parse(input).unwrap().value.as_str(), *want);
        }
        let bad: &[(&str, &str)] = &[
            ("sync", "no @"),
            ("@contoso.com", "nothing before"),
            ("sync@", "nothing after"),
            ("sync@contoso", "no dot"),
            ("a@b@contoso.com", "more than one @"),
            ("Sync App <sync@contoso.com>", "< or >"),
            ("mailto:sync@contoso.com", "mailto"),
            ("sy nc@contoso.com", "space"),
            ("sync.@contoso.com", "misplaced dot"),
            ("sy(nc@contoso.com", "'('"),
        ];
        for (input, needle) in bad {
            let msg = Email::parse(input).unwrap_err().to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
            assert!(msg.contains("name@contoso.com"));
        }
    }

    #[test]
    fn redirect_table() {
        for ok in [
            "http://localhost",
            "http://localhost/",
            "http://localhost:8080/cb",
            "http://127.0.0.1:5000",
            "https://www.simego.com/oauth/code",
        ] {
            let c = RedirectUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(c.value.as_str(), ok, "kept exactly as typed");
        }
        let bad: &[(&str, &str)] = &[
            ("localhost", "no http://"),
            ("http://www.simego.com/oauth/code", "only for localhost"),
            ("https://example.com/cb#frag", "#"),
            ("https://*.example.com/cb", "wildcards"),
            ("ftp://example.com", "\"ftp:\""),
            ("https://https://www.simego.com/oauth/code", "twice"),
        ];
        for (input, needle) in bad {
            let msg = RedirectUrl::parse(input).unwrap_err().to_string();
            assert!(msg.contains(needle), "{input}: {msg}");
        }
    }

    #[test]
    fn api_version_and_grant() {
        assert_eq!(ApiVersion::parse("9.2"), Some(ApiVersion::V9_2));
        assert_eq!(ApiVersion::parse("v9.0"), Some(ApiVersion::V9_0));
        assert_eq!(ApiVersion::parse("V9.1"), Some(ApiVersion::V9_1));
        assert_eq!(ApiVersion::parse("v8.2"), None);
        for v in ApiVersion::ALL {
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
        }
        assert_eq!(ApiVersion::default(), ApiVersion::V9_2);
        for g in GrantType::ALL {
            assert_eq!(
                serde_json::to_string(&g).unwrap(),
                format!("\"{}\"", g.as_str())
            );
            assert_eq!(GrantType::parse(g.as_str()), Some(g));
        }
    }

    #[test]
    fn entity_set_table() {
        assert!(check_entity_set("accounts").unwrap().notes.is_empty());
        assert!(check_entity_set("new_projects").unwrap().notes.is_empty());
        assert_eq!(check_entity_set("account").unwrap().notes.len(), 1);
        assert!(check_entity_set("Accounts").unwrap().has_warnings());
        for bad in [
            "accounts(1)",
            "/api/data/v9.2/accounts",
            "my accounts",
            "1accounts",
        ] {
            assert!(check_entity_set(bad).is_err(), "{bad}");
        }
        assert_eq!(check_entity_set(" ").unwrap_err(), FieldError::Empty);
    }

    #[test]
    fn percent_decode_basics() {
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }
}
