//! The deployment's optional `config.json` (beside `index.html`; see `docs/DEPLOY.md`), read once
//! at start. Absent (a 404, or a static host's SPA fallback answering with `index.html`), the
//! wizard works as without it.

use super::{browser, http};
use wizard_core::deploy::DeployConfig;

/// The configuration, `Ok(None)` when the deployment has none, `Err` when it is not valid.
pub async fn load() -> Result<Option<DeployConfig>, String> {
    let headers = web_sys::Headers::new().map_err(|e| browser::js_message(&e))?;
    let _ = headers.append("Accept", "application/json");
    let Ok(response) = http::fetch("GET", "/config.json", &headers, None, None).await else {
        return Ok(None);
    };
    if !response.ok() {
        return Ok(None);
    }
    let text = http::text(&response).await;
    // A host's SPA fallback answers every path with index.html: that is "no config.json".
    if text.trim_start().starts_with('<') {
        return Ok(None);
    }
    DeployConfig::parse(&text)
        .map(Some)
        .map_err(|e| e.to_string())
}
