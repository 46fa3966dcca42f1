//! What the tab keeps across reloads, in IndexedDB (origin-private; nothing leaves the tab):
//! one object store of values by key (JSON text, or a model's files as bytes). The worker writes
//! it as things happen and reads it when the page loads; "Start over" clears it.
//!
//! Keys: [`IMPORTS`] (the fact files the user imported, `Vec<ImportedFile>`), and what keeps the
//! session (session/resume.rs): [`MODEL_LOG`] (how the model runs start from was made: facts
//! taught, a model loaded, the world taught to it), [`MODEL_FILES`] (the loaded model's files)
//! and [`RUN`] (the run's configuration and the steps it took).

use js_sys::{Function, Promise};
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransactionMode,
    WorkerGlobalScope,
};

const DATABASE: &str = "forgetlab";
const STORE: &str = "session";
pub const IMPORTS: &str = "imports";
pub const MODEL_LOG: &str = "model-log";
pub const MODEL_FILES: &str = "model-files";
pub const RUN: &str = "run";

/// A fact the user taught: taught again, the same way, on reload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnFact {
    pub question: String,
    pub answer: String,
    pub steps: usize,
}

fn js_err(what: &str, e: JsValue) -> String {
    format!(
        "the tab's storage (IndexedDB) failed to {what}: {}",
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    )
}

/// Wait for an IndexedDB request's `success` (its result) or `error`.
async fn done(request: &IdbRequest, what: &str) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let req = request.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &req.result().unwrap_or(JsValue::UNDEFINED));
        });
        let req = request.clone();
        let err = Closure::once_into_js(move || {
            let why = req.error().ok().flatten().map(|e| JsValue::from(e.message()));
            let _ = reject.call1(&JsValue::NULL, &why.unwrap_or(JsValue::UNDEFINED));
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(err.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| js_err(what, e))
}

async fn open() -> Result<IdbDatabase, String> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let factory = scope
        .indexed_db()
        .map_err(|e| js_err("open", e))?
        .ok_or("this browser keeps no IndexedDB here (a private window?)")?;
    let request: IdbOpenDbRequest =
        factory.open_with_u32(DATABASE, 1).map_err(|e| js_err("open", e))?;
    let upgrade = Closure::once_into_js({
        let request = request.clone();
        move || {
            if let Ok(db) = request.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    done(&request, "open").await?.dyn_into::<IdbDatabase>().map_err(|e| js_err("open", e))
}

/// The value kept under `key`, if any.
pub async fn get<T: for<'de> Deserialize<'de>>(key: &str) -> Result<Option<T>, String> {
    match get_value(key).await?.as_string() {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("the tab's saved {key} could not be read ({e}); it was left out")),
    }
}

/// Keep `value` under `key`.
pub async fn put<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    put_value(key, &JsValue::from_str(&text)).await
}

/// Keep files (name, bytes) under `key`, as an array of [name, Uint8Array]: IndexedDB keeps
/// bytes as they are, where JSON would triple them.
pub async fn put_files(key: &str, files: &[(&str, &[u8])]) -> Result<(), String> {
    let array = js_sys::Array::new();
    for (name, bytes) in files {
        array
            .push(&js_sys::Array::of2(&JsValue::from_str(name), &js_sys::Uint8Array::from(*bytes)));
    }
    put_value(key, &array).await
}

/// The files kept under `key`, if any.
pub async fn get_files(key: &str) -> Result<Option<Vec<(String, Vec<u8>)>>, String> {
    let Ok(array) = get_value(key).await?.dyn_into::<js_sys::Array>() else { return Ok(None) };
    let damaged = || format!("the tab's saved {key} are damaged");
    let mut files = Vec::new();
    for pair in array.iter() {
        let pair: js_sys::Array = pair.dyn_into().map_err(|_| damaged())?;
        let name = pair.get(0).as_string().ok_or_else(damaged)?;
        let bytes: js_sys::Uint8Array = pair.get(1).dyn_into().map_err(|_| damaged())?;
        files.push((name, bytes.to_vec()));
    }
    Ok(Some(files))
}

/// Forget what is kept under `key`.
pub async fn delete(key: &str) -> Result<(), String> {
    let store = transaction(IdbTransactionMode::Readwrite, "write").await?;
    done(&store.delete(&JsValue::from_str(key)).map_err(|e| js_err("write", e))?, "write").await?;
    Ok(())
}

/// Forget everything kept ("Start over").
pub async fn clear() -> Result<(), String> {
    let store = transaction(IdbTransactionMode::Readwrite, "clear").await?;
    done(&store.clear().map_err(|e| js_err("clear", e))?, "clear").await?;
    Ok(())
}

async fn get_value(key: &str) -> Result<JsValue, String> {
    let store = transaction(IdbTransactionMode::Readonly, "read").await?;
    done(&store.get(&JsValue::from_str(key)).map_err(|e| js_err("read", e))?, "read").await
}

async fn put_value(key: &str, value: &JsValue) -> Result<(), String> {
    let store = transaction(IdbTransactionMode::Readwrite, "write").await?;
    let request =
        store.put_with_key(value, &JsValue::from_str(key)).map_err(|e| js_err("write", e))?;
    done(&request, "write").await?;
    Ok(())
}

/// The object store in a fresh transaction (the database closes once it is done).
async fn transaction(mode: IdbTransactionMode, what: &str) -> Result<IdbObjectStore, String> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(STORE, mode).map_err(|e| js_err(what, e))?;
    db.close(); // closes once its transactions are done
    tx.object_store(STORE).map_err(|e| js_err(what, e))
}
