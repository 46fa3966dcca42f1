//! Your facts as files: import a TOFU file (JSON array or JSON Lines), export the selection or
//! your own facts in the same schema, and "Start over", which forgets what this browser keeps
//! (imported files, facts taught, kept runs). The worker parses, keeps and writes; this reads
//! the file the user picked and sends it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::actions;
use super::facts::selected_ids;
use super::state::{AppState, Level};
use forgetlab_core::world::imported::ImportedFile;

/// Read the picked file's text and hand it to the worker.
fn import(state: AppState, input: HtmlInputElement) {
    let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
    input.set_value("");
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => actions::import_facts(ImportedFile {
                name: file.name(),
                text: text.as_string().unwrap_or_default(),
            }),
            Err(e) => state.say(Level::Error, format!("{} could not be read: {e:?}", file.name())),
        }
    });
}

#[component]
pub fn FactFiles() -> impl IntoView {
    let state = expect_context::<AppState>();
    let export_selection = move |_| {
        let ids = state.settings.with_untracked(|s| selected_ids(&state, &s.selection));
        actions::export_facts(ids.into_iter().collect(), "selection.json");
    };
    let export_own = move |_| {
        let ids = state.facts.with_untracked(|f| {
            f.iter().filter(|r| r.split == "custom").map(|r| r.id.clone()).collect()
        });
        actions::export_facts(ids, "my_facts.json");
    };
    let start_over = move |_| actions::start_over();
    view! {
        <div class="fact-files">
            <label>
                "Import facts (TOFU JSON or JSON Lines): "
                <input
                    type="file"
                    data-testid="import-facts"
                    accept=".json,.jsonl,application/json"
                    on:change={move |ev: leptos::ev::Event| {
                        if let Some(input) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                        {
                            import(state, input);
                        }
                    }}
                />
            </label>
            <button data-testid="export-selection" on:click={export_selection}>
                "Export selection"
            </button>
            <button data-testid="export-own" on:click={export_own}>
                "Export your facts"
            </button>
            <button data-testid="start-over" on:click={start_over}>
                "Start over"
            </button>
            <p class="hint">
                "Imported files and the facts you teach stay in this browser (IndexedDB) and come \
                    back on your next visit, so links that name them keep working here; they never \
                    leave the tab."
            </p>
        </div>
    }
}
