//! A verified domain typed as the tenant, resolved to the tenant's GUID through its OpenID
//! discovery document (a plain CORS GET, no sign-in). The reading is
//! [`wizard_core::entra::Authority::tenant_from_discovery`].

use super::{browser, http};
use wizard_core::{entra::Authority, fields::Guid};

/// The GUID of the tenant `domain` at the cloud's sign-in host `login_base`, or why not.
pub async fn tenant_of_domain(login_base: &str, domain: &str) -> Result<Guid, String> {
    let url = Authority::new(login_base, domain).openid_configuration_url();
    let headers = web_sys::Headers::new().map_err(|e| browser::js_message(&e))?;
    headers
        .append("Accept", "application/json")
        .map_err(|e| browser::js_message(&e))?;
    let response = http::fetch("GET", &url, &headers, None, None)
        .await
        .map_err(|e| {
            format!(
                "The tenant's discovery document could not be fetched ({}).",
                browser::js_message(&e)
            )
        })?;
    Authority::tenant_from_discovery(&http::text(&response).await)
}
