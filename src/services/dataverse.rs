//! Dataverse Web API glue: WhoAmI and a streaming `$metadata` download with progress and cancel.
// A `Diagnosis` (cause, fix, raw answer) is the error the user sees; failures are rare and cold,
// so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

use super::{browser, http};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wizard_core::diagnose::{self, Diagnosis, Stage};
use wizard_core::verify::requests;

/// What `WhoAmI` answers.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WhoAmI {
    /// The systemuser the token acts as.
    pub user_id: String,
    /// Its business unit.
    pub business_unit_id: String,
    /// The organization (environment).
    pub organization_id: String,
}

/// The headers of a Dataverse read (WhoAmI, `$metadata`): the same list as the live checks'
/// reads, `If-None-Match: null` included.
fn odata_headers(token: &str) -> Result<web_sys::Headers, Diagnosis> {
    let headers = web_sys::Headers::new().map_err(|e| net(Stage::Dataverse, &e))?;
    let auth = format!("Bearer {token}");
    let read = requests::DATAVERSE_HEADERS
        .into_iter()
        .chain([requests::NO_CACHE]);
    for (k, v) in [("Authorization", auth.as_str())].into_iter().chain(read) {
        headers
            .append(k, v)
            .map_err(|e| net(Stage::Dataverse, &e))?;
    }
    Ok(headers)
}

fn net(stage: Stage, e: &JsValue) -> Diagnosis {
    diagnose::network_error(stage, &browser::js_message(e))
}

async fn fetch(
    url: &str,
    headers: web_sys::Headers,
    signal: Option<&web_sys::AbortSignal>,
    stage: Stage,
) -> Result<web_sys::Response, Diagnosis> {
    http::fetch("GET", url, &headers, None, signal)
        .await
        .map_err(|e| net(stage, &e))
}

/// Turns a non-2xx Dataverse answer into a diagnosis (with the raw body and WWW-Authenticate).
async fn failure(response: &web_sys::Response) -> Diagnosis {
    let www = response.headers().get("www-authenticate").ok().flatten();
    let body = http::text(response).await;
    diagnose::dataverse_error(response.status(), &body, www.as_deref())
}

/// Calls `{service_url}WhoAmI` with the bearer token.
pub async fn who_am_i(service_url: &str, token: &str) -> Result<WhoAmI, Diagnosis> {
    let url = format!("{service_url}WhoAmI");
    let response = fetch(&url, odata_headers(token)?, None, Stage::Dataverse).await?;
    if !response.ok() {
        return Err(failure(&response).await);
    }
    let body = http::text(&response).await;
    serde_json::from_str(&body).map_err(|e| Diagnosis {
        code: "WHOAMI".into(),
        title: "WhoAmI answered something unexpected".into(),
        cause: format!("The answer is not the WhoAmI JSON: {e}."),
        fix: "Check that the Environment URL points at a Dataverse environment (not a portal or another app).".into(),
        raw: body,
        link: None,
    })
}

/// Progress of a download: bytes received, and the total when the server sent a length.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Bytes received so far.
    pub received: u64,
    /// Content-Length, if sent.
    pub total: Option<u64>,
}

/// Downloads `$metadata` as bytes, reporting progress per chunk. Stops (and refuses) as soon as
/// the size passes `limit`. `signal` cancels it.
pub async fn metadata(
    service_url: &str,
    token: &str,
    signal: &web_sys::AbortSignal,
    limit: usize,
    mut on_progress: impl FnMut(Progress),
) -> Result<Vec<u8>, Diagnosis> {
    let url = format!("{service_url}$metadata");
    let headers = odata_headers(token)?;
    headers
        .set("Accept", "application/xml")
        .map_err(|e| net(Stage::Metadata, &e))?;
    let response = fetch(&url, headers, Some(signal), Stage::Metadata).await?;
    if !response.ok() {
        return Err(failure(&response).await);
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(total) = total {
        if total as usize > limit {
            return Err(diagnose::csdl_error(
                &wizard_core::csdl::CsdlError::TooLarge {
                    bytes: total as usize,
                    limit,
                },
            ));
        }
    }
    let body = response
        .body()
        .ok_or_else(|| diagnose::network_error(Stage::Metadata, "the response has no body"))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    on_progress(Progress { received: 0, total });
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| net(Stage::Metadata, &e))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value =
            js_sys::Reflect::get(&chunk, &"value".into()).map_err(|e| net(Stage::Metadata, &e))?;
        let array: js_sys::Uint8Array = value.unchecked_into();
        let start = bytes.len();
        bytes.resize(start + array.length() as usize, 0);
        array.copy_to(&mut bytes[start..]);
        if bytes.len() > limit {
            let _ = reader.cancel();
            return Err(diagnose::csdl_error(
                &wizard_core::csdl::CsdlError::TooLarge {
                    bytes: bytes.len(),
                    limit,
                },
            ));
        }
        on_progress(Progress {
            received: bytes.len() as u64,
            total,
        });
    }
    Ok(bytes)
}
