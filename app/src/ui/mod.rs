//! The page: small leptos components over one [`state::AppState`]. Components send commands
//! through [`bridge`]; only [`state::AppState::apply`] turns worker events into signal changes.

mod attack;
pub mod bridge;
mod by_kind;
mod charts;
mod controls;
mod downloads;
mod facts;
mod generation;
pub mod history;
mod keyboard;
pub mod labs;
mod layers;
mod method;
mod metrics;
mod share;
pub mod state;
mod status;
pub mod url_state;

use leptos::prelude::*;

use crate::protocol::{Backend, Command};
use state::{AppState, Level};

/// The backend when the link names none: WebGPU when the browser has it (the worker falls back
/// to the CPU if no adapter answers).
fn default_backend() -> Backend {
    let has_gpu = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"gpu".into()).ok())
        .is_some_and(|g| !g.is_undefined());
    if has_gpu { Backend::Webgpu } else { Backend::Cpu }
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    state.runs.set(history::load());
    // The link's settings (url_state.rs); invalid keys keep their defaults, with a notice.
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    state.wanted_backend.set(default_backend());
    state.load_query(&query);
    // From now on the URL follows the settings, so the address bar is always a working link.
    Effect::new(move |_| {
        let url = url_state::UrlState {
            settings: state.settings.get(),
            backend: Some(state.wanted_backend.get()),
            hidden: state.hidden.get(),
            lab: state.lab.get(),
        };
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("?{}", url_state::to_query(&url))),
            );
        }
    });
    keyboard::install(state);
    match bridge::start(state) {
        Ok(()) => {
            let backend = state.wanted_backend.get_untracked();
            let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
            // The directory of the page: files are fetched relative to it, from its own origin.
            let base = base
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .rsplit_once('/')
                .map(|(dir, _)| dir.to_string())
                .unwrap_or_default();
            bridge::send(Command::Load { base_url: base, backend });
        }
        Err(e) => state.say(Level::Error, e),
    }
    view! {
        <share::HideStyle />
        <header>
            <h1>"ForgetLab"</h1>
            <p class="tagline">"Watch a language model forget. Pick facts, pick a method, press Run — everything runs in this tab."</p>
            <share::ShareDialog />
        </header>
        <status::LoadingBar />
        <controls::Controls />
        <main class="layout">
            <div class="column">
                <labs::LabPanel />
                <facts::FactsPanel />
                <method::MethodPanel />
            </div>
            <div class="column wide">
                <charts::ChartsPanel />
                <generation::GenerationPanel />
                <attack::AttackPanel />
                <history::HistoryPanel />
                <history::ExportPanel />
            </div>
        </main>
        <status::StatusLine />
    }
}
