//! What the tab keeps across reloads, in IndexedDB (origin-private; nothing leaves the tab):
//! one object store of JSON text by key. The worker writes it as things happen and reads it when
//! the page loads; "Start over" clears it.
//!
//! Keys: [`IMPORTS`] (the fact files the user imported, `Vec<ImportedFile>`) and [`OWN_FACTS`]
//! (the facts the user taught, `Vec<OwnFact>`, taught again in the same order on reload so the
//! model and the facts' ids come back the same).

use js_sys::{Function, Promise};
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode, WorkerGlobalScope};

const DATABASE: &str = "forgetlab";
const STORE: &str = "session";
pub const IMPORTS: &str = "imports";
pub const OWN_FACTS: &str = "own-facts";

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
            if let Ok(db) =
                request.result().and_then(|r| r.dyn_into::<IdbDatabase>().map_err(JsValue::from))
            {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    done(&request, "open").await?.dyn_into::<IdbDatabase>().map_err(|e| js_err("open", e))
}

/// The value kept under `key`, if any.
pub async fn get<T: for<'de> Deserialize<'de>>(key: &str) -> Result<Option<T>, String> {
    let db = open().await?;
    let tx = db.transaction_with_str(STORE).map_err(|e| js_err("read", e))?;
    let store = tx.object_store(STORE).map_err(|e| js_err("read", e))?;
    let request = store.get(&JsValue::from_str(key)).map_err(|e| js_err("read", e))?;
    let value = done(&request, "read").await?;
    db.close();
    match value.as_string() {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            format!("the tab's saved {key} could not be read ({e}); they were left out")
        }),
    }
}

/// Keep `value` under `key`.
pub async fn put<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| js_err("write", e))?;
    let store = tx.object_store(STORE).map_err(|e| js_err("write", e))?;
    let request = store
        .put_with_key(&JsValue::from_str(&text), &JsValue::from_str(key))
        .map_err(|e| js_err("write", e))?;
    done(&request, "write").await?;
    db.close();
    Ok(())
}

/// Forget everything kept ("Start over").
pub async fn clear() -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| js_err("clear", e))?;
    let store = tx.object_store(STORE).map_err(|e| js_err("clear", e))?;
    done(&store.clear().map_err(|e| js_err("clear", e))?, "clear").await?;
    db.close();
    Ok(())
}
