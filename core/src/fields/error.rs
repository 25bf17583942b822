//! [`FieldError`]: why a typed value was rejected, worded for the user.

use crate::cloud::Cloud;

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
             \"OAuth 2.0 token endpoint (v1)\" (the form the Simego page uses: Resource filled, \
             Scope blank), or leave this field blank and the wizard builds it from the Directory \
             (tenant) ID."
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
        "This is the authorization endpoint. Copy \"OAuth 2.0 token endpoint (v1)\" (the one ending \
         in /token) from the app's Endpoints page, or leave this field blank."
    )]
    TokenEndpointAuthorize,
    /// Some other path on the login host.
    #[error(
        "This is not a token endpoint. It should look like {expected} (or …/oauth2/token for v1). \
         Copy \"OAuth 2.0 token endpoint (v1)\" from the app's Endpoints page, or leave this field \
         blank."
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
