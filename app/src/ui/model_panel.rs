//! The model panel: what is loaded, what training it needs, and "Load a model": a Hugging Face
//! folder (GPT-2, Llama, Qwen2) picked as a folder, as files, or dropped. The files become this
//! tab's `blob:` URLs, which the worker reads with progress; nothing leaves the tab.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement};

use super::actions;
use super::state::{AppState, Level};
use crate::protocol::{LocalFile, Phase};

thread_local! {
    /// The blob: URLs of the last files handed to the worker: revoked when others replace them.
    static URLS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Hand `files` to the worker as the model to load. The model's name is its folder's, when the
/// files came as a folder.
fn load_files(state: AppState, files: Vec<File>, folder: Option<String>) {
    if files.is_empty() {
        state.say(Level::Error, "No files were picked: nothing changed.");
        return;
    }
    if !state.controls_ready() && state.model.get_untracked().is_none() {
        state.say(Level::Error, "Wait until the built-in model has loaded, then load yours.");
        return;
    }
    // A folder's files carry their path in it (`webkitRelativePath`, "folder/config.json").
    let folder = folder.or_else(|| {
        files
            .iter()
            .filter_map(|f| js_sys::Reflect::get(f, &"webkitRelativePath".into()).ok()?.as_string())
            .find_map(|p| p.split_once('/').map(|(dir, _)| dir.to_string()))
    });
    let mut urls = Vec::new();
    let mut local = Vec::new();
    for f in &files {
        match web_sys::Url::create_object_url_with_blob(f) {
            Ok(url) => {
                urls.push(url.clone());
                local.push(LocalFile { name: f.name(), url, size: f.size() as u64 });
            }
            Err(e) => {
                state.say(Level::Error, format!("{} could not be opened: {e:?}", f.name()));
                return;
            }
        }
    }
    for old in URLS.with(|u| std::mem::replace(&mut *u.borrow_mut(), urls)) {
        let _ = web_sys::Url::revoke_object_url(&old);
    }
    actions::load_model(state, folder.unwrap_or_else(|| "your model".into()), local);
}

fn file_list(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return vec![] };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
pub fn ModelPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else {
            return;
        };
        load_files(state, file_list(input.files()), None);
        input.set_value(""); // the same folder can be picked again
    };
    // Dropped files, or a dropped folder's files.
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let Some(drop) = ev.data_transfer() else { return };
        let entries = super::dropped::entries(&drop);
        if entries.is_empty() {
            // No file-system entries (a drop made by a script, say): its files as they are.
            load_files(state, file_list(drop.files()), None);
            return;
        }
        leptos::task::spawn_local(async move {
            match super::dropped::files(entries).await {
                Ok((folder, files)) => load_files(state, files, folder),
                Err(e) => state.say(Level::Error, e),
            }
        });
    };
    let summary = move || {
        state.model.get().map(|m| {
            let origin = if m.built_in { "built in" } else { "your files" };
            format!(
                "{} ({}, {origin}): {} layers × {} wide, {} parameters, {:.1} MB",
                m.name,
                m.family,
                m.layers,
                m.width,
                m.parameters,
                m.bytes as f64 / 1e6
            )
        })
    };
    let memory = move || state.model.get().map(|m| format!("Memory: {}.", m.memory));
    let built_in = move || state.model.get().is_none_or(|m| m.built_in);
    view! {
        <section class="panel" data-testid="model-panel">
            <h2>"Model"</h2>
            <p data-testid="model-summary">{summary}</p>
            <p class="hint" data-testid="model-memory">
                {memory}
            </p>
            <details>
                <summary data-testid="load-model">"Load a model"</summary>
                <p class="hint">
                    "A Hugging Face folder: config.json, tokenizer.json and model.safetensors "
                    "(or model.safetensors.index.json and its shards), in f32, f16 or bf16. "
                    "GPT-2, Llama and Qwen2 models load; the memory a run needs is checked before "
                    "the weights are read. The files stay in this tab."
                </p>
                <label>
                    "A folder: "
                    <input
                        type="file"
                        data-testid="model-folder"
                        prop:webkitdirectory=true
                        multiple=true
                        on:change={on_pick}
                    />
                </label>
                <label>
                    " or files: "
                    <input
                        type="file"
                        data-testid="model-files"
                        multiple=true
                        accept=".json,.safetensors"
                        on:change={on_pick}
                    />
                </label>
                <div
                    class="drop"
                    data-testid="model-drop"
                    on:dragover={move |ev: leptos::ev::DragEvent| ev.prevent_default()}
                    on:drop={on_drop}
                >
                    "…or drop the folder or its files here"
                </div>
            </details>
            <Benchmark />
            <Show when={move || !built_in()}>
                <button
                    data-testid="model-built-in"
                    on:click={move |_| super::actions::reload_built_in(state)}
                >
                    "Back to the built-in model"
                </button>
                <TeachWorld />
            </Show>
        </section>
    }
}

/// "Teach it the authors": fine-tune the loaded model on the fact world first, as TOFU does, then
/// show its quality bar.
#[component]
fn TeachWorld() -> impl IntoView {
    let state = expect_context::<AppState>();
    let steps = RwSignal::new(300usize);
    let lr = RwSignal::new(1e-3f64);
    let busy = move || {
        state.applied.with(Option::is_none)
            || matches!(state.phase.get(), Phase::Busy | Phase::Learning | Phase::Running)
    };
    let teach = move |_| {
        actions::teach_world(state, steps.get_untracked(), lr.get_untracked());
    };
    let bar = move || {
        state.quality_bar.get().map(|b| {
            format!(
                "Quality bar (greedy answers with the key entity, 40 items a set): trained authors \
                    {:.0} % (want ≥ 90), world facts {:.0} % (want ≥ 90), holdout {:.0} % (want ≤ \
                    10): {}",
                100.0 * b.trained,
                100.0 * b.world,
                100.0 * b.holdout,
                if b.pass { "PASS" } else { "not yet: teach it longer" }
            )
        })
    };
    view! {
        <div class="teach-world">
            <p class="hint">
                "Your model does not know the fictitious authors: unlearning them means something \
                    only after it has learned them (TOFU fine-tunes first). Teach it here (your \
                    LoRA rank applies), or with `forgetlab finetune`."
            </p>
            <label>
                "steps "
                <input
                    type="number"
                    min="1"
                    class="num"
                    data-testid="teach-world-steps"
                    prop:value={move || steps.get().to_string()}
                    on:change={move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse() {
                            steps.set(v)
                        }
                    }}
                />
            </label>
            <label>
                " learning rate "
                <input
                    type="number"
                    data-testid="teach-world-lr"
                    step="any"
                    class="num"
                    prop:value={move || lr.get().to_string()}
                    on:change={move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse() {
                            lr.set(v)
                        }
                    }}
                />
            </label>
            <button data-testid="teach-world" disabled={busy} on:click={teach}>
                "Teach it the authors"
            </button>
            {move || {
                state
                    .teaching_world
                    .get()
                    .map(|(step, steps, loss)| {
                        view! {
                            <div data-testid="teach-world-progress">
                                <progress max={steps} value={step}></progress>
                                {format!(" step {step}/{steps} · loss {loss:.3}")}
                            </div>
                        }
                    })
            }}
            <p data-testid="quality-bar">{bar}</p>
        </div>
    }
}

/// The in-page benchmark: training tokens per second and evaluation seconds of this model, with
/// the current method and batch size, on this backend (a copy of the run; yours is unchanged).
#[component]
fn Benchmark() -> impl IntoView {
    let state = expect_context::<AppState>();
    let busy = move || {
        state.applied.with(Option::is_none)
            || matches!(state.phase.get(), Phase::Busy | Phase::Learning | Phase::Running)
    };
    let run = move |_| {
        actions::benchmark(state);
    };
    let figures = move || {
        state.bench.get().map(|b| {
            format!(
                "{}: {} at batch {}, {:.1} ms a step · {:.0} training tokens/s (10 steps after a \
                    warm-up) · evaluation {:.1} s",
                b.backend.label(),
                b.method,
                b.batch_size,
                b.ms_per_step,
                b.tokens_per_s,
                b.eval_s
            )
        })
    };
    view! {
        <div class="row">
            <button data-testid="benchmark" disabled={busy} on:click={run}>
                "Benchmark"
            </button>
            <span class="hint" data-testid="bench-figures">
                {figures}
            </span>
        </div>
    }
}
