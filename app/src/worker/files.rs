//! Fetching the model and the fact world from the page's own origin, with progress events.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response, WorkerGlobalScope};

use crate::protocol::Event;

/// Report progress at most every this many bytes (a progress event per network chunk would
/// flood the page for no visible gain).
const PROGRESS_EVERY: u64 = 128 * 1024;

fn js_err(context: &str, e: JsValue) -> String {
    let detail = e
        .as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_default();
    format!("{context}: {detail}")
}

/// Fetch `url` completely, calling `post` with progress. Errors say which file failed and why.
pub async fn fetch_bytes(
    url: String,
    name: &str,
    index: usize,
    count: usize,
    post: &dyn Fn(Event),
) -> Result<Vec<u8>, String> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let resp = JsFuture::from(scope.fetch_with_str(&url))
        .await
        .map_err(|e| js_err(&format!("could not fetch {name}"), e))?;
    let resp: Response =
        resp.dyn_into().map_err(|_| format!("fetching {name} gave no response"))?;
    if !resp.ok() {
        return Err(format!(
            "fetching {name} failed: HTTP {} {}",
            resp.status(),
            resp.status_text()
        ));
    }
    let total: u64 = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body = resp.body().ok_or_else(|| format!("{name} has no body"))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total as usize);
    let mut reported = 0u64;
    post(Event::Progress { file: name.into(), index, count, loaded: 0, total });
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| js_err(&format!("reading {name}"), e))?;
        let done = Reflect::get(&chunk, &"done".into()).map(|v| v.is_truthy()).unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into())
            .map_err(|e| js_err(&format!("reading {name}"), e))?;
        bytes.extend(Uint8Array::new(&value).to_vec());
        if bytes.len() as u64 - reported >= PROGRESS_EVERY {
            reported = bytes.len() as u64;
            post(Event::Progress { file: name.into(), index, count, loaded: reported, total });
        }
    }
    post(Event::Progress {
        file: name.into(),
        index,
        count,
        loaded: bytes.len() as u64,
        total: total.max(bytes.len() as u64),
    });
    Ok(bytes)
}
