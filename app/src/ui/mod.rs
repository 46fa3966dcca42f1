//! The page: small leptos components over one [`state::AppState`]. Components read its signals
//! and call [`actions`]; actions send commands through [`bridge`] and change the state only
//! through [`state::AppState::apply`]. Who uses whom (no cycles):
//!
//! ```text
//! crate::settings, crate::run_store, crate::lab_file, crate::protocol   (pure, tested natively)
//!   ← state (signals, apply)        bridge (the worker; protocol only)   downloads, charts
//!   ← actions (state, bridge, downloads)
//!   ← components (state, actions, charts, downloads)
//!   ← App (below: wires bridge events to actions::on_event)
//! ```

pub mod actions;
mod attack;
pub mod bridge;
mod by_kind;
mod charts;
mod controls;
mod downloads;
mod dropped;
mod edit_panel;
mod fact_files;
mod facts;
mod generation;
mod history;
mod keyboard;
mod labs;
mod layers;
mod learn;
mod learn_charts;
mod method;
mod metrics;
mod model_panel;
mod share;
pub mod state;
mod status;

use leptos::prelude::*;

use crate::protocol::Backend;
use crate::run_store::{self, LocalStorage, Storage};

/// Where the last settings are kept (localStorage), for a page opened without a link.
pub const SETTINGS_KEY: &str = "forgetlab.settings";
use crate::settings::{Mode, UrlState, to_query};
use state::{AppState, Change, Level};

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
    state.apply(Change::Runs(run_store::load(&LocalStorage)));
    // The link's settings (settings.rs); invalid keys keep their defaults, with a notice. A page
    // opened without any takes the last visit's (kept by the URL effect below).
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let query = match query.trim_start_matches('?') {
        "" => LocalStorage.load(SETTINGS_KEY).unwrap_or_default(),
        _ => query,
    };
    state.apply(Change::WantedBackend(default_backend()));
    actions::load_query(state, &query);
    // From now on the URL follows the settings, so the address bar is always a working link.
    Effect::new(move |_| {
        let url = UrlState {
            settings: state.settings.get(),
            backend: Some(state.wanted_backend.get()),
            hidden: state.hidden.get(),
            lab: state.lab.get(),
        };
        let query = format!("?{}", to_query(&url));
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
        }
        LocalStorage.save(SETTINGS_KEY, &query);
    });
    keyboard::install(state);
    match bridge::start(move |event| actions::on_event(state, event)) {
        Ok(()) => {
            let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
            // The directory of the page: files are fetched relative to it, from its own origin.
            let base = base
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .rsplit_once('/')
                .map(|(dir, _)| dir.to_string())
                .unwrap_or_default();
            actions::load(state, base, crate::settings::fault_switch(&query));
        }
        Err(e) => state.say(Level::Error, e),
    }
    let shown =
        move |mode: Mode| move || if state.settings.with(|s| s.mode) == mode { "" } else { "none" };
    view! {
        <share::HideStyle />
        <header>
            <h1>"ForgetLab"</h1>
            <learn::ModeSwitch />
            <p class="tagline">
                "Watch a language model forget. Pick facts, pick a method, press Run — everything \
                    runs in this tab."
            </p>
            <share::ShareDialog />
        </header>
        <status::LoadingBar />
        <controls::Controls />
        <main class="layout">
            <div class="column">
                <labs::LabPanel />
                <model_panel::ModelPanel />
                <div style:display={shown(Mode::Forget)}>
                    <facts::FactsPanel />
                    <fact_files::FactFiles />
                    <method::MethodPanel />
                </div>
                <div style:display={shown(Mode::Learn)}>
                    <learn::LearnPanel />
                    <edit_panel::EditPanel />
                </div>
            </div>
            <div class="column wide">
                <div style:display={shown(Mode::Forget)}>
                    <charts::ChartsPanel />
                    <generation::GenerationPanel />
                    <attack::AttackPanel />
                </div>
                <div style:display={shown(Mode::Learn)}>
                    <learn_charts::LearnCharts />
                </div>
                <history::HistoryPanel />
                <history::ExportPanel />
            </div>
        </main>
        <status::StatusLine />
    }
}
