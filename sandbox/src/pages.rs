//! Small, accessible HTML pages: sign-in, consent, errors Entra shows instead of redirecting,
//! and informational pages.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}\
main{max-width:30rem;margin:3rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:1.5rem;margin-top:0}.badge{display:inline-block;background:#fff4ce;border:1px solid #c8a600;\
padding:.1rem .4rem;font-size:.8rem;margin-bottom:1rem}button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;\
cursor:pointer}button.user{display:block;width:100%;text-align:left;background:#fff;border:1px solid #8a8886}\
button.primary{background:#0067b8;color:#fff;border:1px solid #0067b8}fieldset{border:none;padding:0;margin:0 0 1rem}\
legend{font-weight:600;margin-bottom:.5rem}ul.accounts{list-style:none;padding:0;margin:0}\
ul.accounts li{margin-bottom:.5rem}.upn{display:block;font-size:.85rem;color:#505050}\
.details{font-family:monospace;font-size:.85rem;background:#f8f8f8;padding:.75rem;white-space:pre-wrap;word-break:break-all}\
.error{color:#a4262c}";

/// A full HTML document.
pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main>\
<p class=\"badge\">Local sandbox — not Microsoft</p>{body}</main></body></html>\n",
        esc(title)
    )
}

pub fn html(status: StatusCode, doc: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        doc,
    )
        .into_response()
}

/// Hidden inputs carrying the original authorize parameters through the form post.
pub fn hidden_fields(fields: &[(&str, &Option<String>)]) -> String {
    fields
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref().map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                    esc(k),
                    esc(v)
                )
            })
        })
        .collect()
}

pub struct SignInPage<'a> {
    pub tenant_name: &'a str,
    pub app_name: &'a str,
    pub client_id: &'a str,
    pub permission: &'a str,
    pub action: &'a str,
    pub hidden: String,
    pub users: Vec<(&'a str, &'a str, &'a str)>,
}

pub fn sign_in(p: &SignInPage) -> String {
    let mut users = String::new();
    for (oid, name, upn) in &p.users {
        users.push_str(&format!(
            "<li><button type=\"submit\" class=\"user\" name=\"user\" value=\"{}\">Sign in as {}</button>\
<span class=\"upn\">{}</span></li>",
            esc(oid),
            esc(name),
            esc(upn)
        ));
    }
    let body = format!(
        "<h1>Sign in to {tenant}</h1>\
<p><strong>{app}</strong> <span class=\"upn\">Application (client) ID {client}</span></p>\
<p>This application will be able to:</p><ul><li>{perm}</li></ul>\
<form method=\"post\" action=\"{action}\">{hidden}\
<fieldset><legend>Pick an account</legend><ul class=\"accounts\">{users}</ul></fieldset>\
<button type=\"submit\" name=\"cancel\" value=\"1\">Cancel</button></form>",
        tenant = esc(p.tenant_name),
        app = esc(p.app_name),
        client = esc(p.client_id),
        perm = esc(p.permission),
        action = esc(p.action),
        hidden = p.hidden,
    );
    layout(&format!("Sign in to {}", p.tenant_name), &body)
}

pub struct ConsentPage<'a> {
    pub app_name: &'a str,
    pub client_id: &'a str,
    pub user_name: &'a str,
    pub user_upn: &'a str,
    /// The permissions asked for, one line each.
    pub permissions: Vec<String>,
    /// May tick "Consent on behalf of your organization" (a consent admin).
    pub org_consent: bool,
    pub action: &'a str,
    pub hidden: String,
}

pub fn consent(p: &ConsentPage) -> String {
    let org = if p.org_consent {
        "<p><input type=\"checkbox\" id=\"consent_org\" name=\"consent_org\" value=\"on\">\
<label for=\"consent_org\">Consent on behalf of your organization</label></p>"
    } else {
        ""
    };
    let body = format!(
        "<h1>Permissions requested</h1>\
<p>Signed in as {user} <span class=\"upn\">{upn}</span></p>\
<p><strong>{app}</strong> <span class=\"upn\">Application (client) ID {client}</span></p>\
<p>This app would like to:</p><ul>{perms}<li>Maintain access to data you have given it access to</li>\
<li>View your basic profile</li></ul>\
<form method=\"post\" action=\"{action}\">{hidden}{org}\
<button type=\"submit\" class=\"primary\" name=\"consent\" value=\"accept\">Accept</button> \
<button type=\"submit\" name=\"consent\" value=\"decline\">Cancel</button></form>",
        user = esc(p.user_name),
        upn = esc(p.user_upn),
        app = esc(p.app_name),
        client = esc(p.client_id),
        perms = p
            .permissions
            .iter()
            .map(|t| format!("<li>{}</li>", esc(t)))
            .collect::<String>(),
        action = esc(p.action),
        hidden = p.hidden,
    );
    layout("Permissions requested", &body)
}

/// The page Entra shows when it cannot (or must not) redirect back to the app.
pub fn sign_in_error(description: &str, trace: &str, correlation: &str, timestamp: &str) -> String {
    let body = format!(
        "<h1>Sign in</h1><p>Sorry, but we’re having trouble signing you in.</p>\
<p class=\"error\" role=\"alert\">{desc}</p>\
<h2>Troubleshooting details</h2>\
<p class=\"details\">Request Id: {trace}\nCorrelation Id: {corr}\nTimestamp: {ts}\nMessage: {desc}</p>",
        desc = esc(description),
        trace = esc(trace),
        corr = esc(correlation),
        ts = esc(timestamp),
    );
    layout("Sign in to your account", &body)
}

/// `response_mode=form_post`: an auto-submitting form to the redirect URI.
pub fn form_post(redirect_uri: &str, params: &[(String, String)]) -> String {
    let inputs: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let body = format!(
        "<h1>Working…</h1><form method=\"post\" action=\"{}\" id=\"f\">{inputs}\
<noscript><button type=\"submit\">Continue</button></noscript></form>\
<script>document.getElementById('f').submit()</script>",
        esc(redirect_uri)
    );
    layout("Working...", &body)
}

/// Generic informational page.
pub fn info(title: &str, paragraphs: &[&str]) -> String {
    let mut body = format!("<h1>{}</h1>", esc(title));
    for p in paragraphs {
        body.push_str(&format!("<p>{}</p>", esc(p)));
    }
    layout(title, &body)
}

/// Short meanings for `/error?code=N`.
pub fn error_code_text(code: u32) -> &'static str {
    match code {
        50011 => "The redirect URI in the request does not match a redirect URI registered on the app.",
        50058 => "A silent sign-in request was sent but no user is signed in.",
        50148 | 501481 => "The PKCE code_verifier does not match the code_challenge of the authorization request.",
        50149 => "Invalid code_challenge_method parameter.",
        54005 => "The authorization code was already redeemed.",
        65001 => "The user or administrator has not consented to use the application.",
        65004 => "The user declined to consent to access the app.",
        70000 => "The provided grant is invalid or malformed.",
        70003 => "The app requested an unsupported grant type.",
        70008 => "The authorization code or refresh token has expired.",
        700016 => "The application was not found in the directory (tenant).",
        700025 => "A public client (SPA) must not send a client secret.",
        700051 | 700054 | 70005 => "The response_type is not enabled or not supported for the application.",
        700084 => "The SPA refresh token has expired (24 hour limit).",
        7000215 => "Invalid client secret: send the secret's Value, not its Secret ID.",
        7000216 => "A client secret is required for the client_credentials grant.",
        7000218 => "The request body must contain client_secret or client_assertion (confidential client).",
        90002 => "The tenant was not found.",
        900144 => "A required parameter is missing.",
        9002313 => "Invalid request: the request is malformed or invalid.",
        9002325 => "PKCE is required for cross-origin authorization code redemption (SPA redirect URI).",
        9002326 => "Cross-origin token redemption is permitted only for the Single-Page Application platform.",
        9002327 => "Tokens issued for the Single-Page Application platform may only be redeemed cross-origin.",
        500011 => "The resource principal (the Dataverse environment URL) was not found in the tenant.",
        650053 => "The app asked for a scope that does not exist on the resource.",
        28000 => "The scope parameter contains more than one resource.",
        1002012 => "Client credential flows need a scope ending in /.default.",
        _ => "This error code is not emulated by the sandbox.",
    }
}
