//! What a drop onto the model panel carries: files as they are, or a folder's files (a Hugging
//! Face model folder is flat: its files, not its subfolders). Browsers give a dropped folder only
//! as a file-system entry read through callbacks; here they become futures.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

/// The drop's entries. Read at once: a drop's items cannot be read after its event returns.
pub fn entries(drop: &DataTransfer) -> Vec<FileSystemEntry> {
    let items = drop.items();
    (0..items.length()).filter_map(|i| items.get(i)?.webkit_get_as_entry().ok().flatten()).collect()
}

fn failed(what: &str, e: JsValue) -> String {
    format!(
        "the dropped {what} could not be read: {}",
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    )
}

async fn file_of(entry: &FileSystemFileEntry) -> Result<File, String> {
    let promise = Promise::new(&mut |ok: Function, err: Function| {
        entry.file_with_callback_and_callback(&ok, &err)
    });
    let file = JsFuture::from(promise).await.map_err(|e| failed("file", e))?;
    file.dyn_into().map_err(|e| failed("file", e))
}

/// Every entry of a folder (readEntries gives them in batches, then an empty one).
async fn children(dir: &FileSystemDirectoryEntry) -> Result<Vec<FileSystemEntry>, String> {
    let reader = dir.create_reader();
    let mut all = Vec::new();
    loop {
        let promise = Promise::new(&mut |ok: Function, err: Function| {
            if let Err(e) = reader.read_entries_with_callback_and_callback(&ok, &err) {
                let _ = err.call1(&JsValue::NULL, &e);
            }
        });
        let batch: Array = JsFuture::from(promise)
            .await
            .map_err(|e| failed("folder", e))?
            .dyn_into()
            .map_err(|e| failed("folder", e))?;
        if batch.length() == 0 {
            return Ok(all);
        }
        all.extend(batch.iter().filter_map(|e| e.dyn_into::<FileSystemEntry>().ok()));
    }
}

/// The files of `entries`, and the name of the folder they came in (if one was dropped).
pub async fn files(entries: Vec<FileSystemEntry>) -> Result<(Option<String>, Vec<File>), String> {
    let mut folder = None;
    let mut files = Vec::new();
    for entry in entries {
        if entry.is_directory() {
            folder.get_or_insert_with(|| entry.name());
            let dir: FileSystemDirectoryEntry = entry.unchecked_into();
            for child in children(&dir).await? {
                if child.is_file() {
                    files.push(file_of(child.unchecked_ref()).await?);
                }
            }
        } else if entry.is_file() {
            files.push(file_of(entry.unchecked_ref()).await?);
        }
    }
    Ok((folder, files))
}
