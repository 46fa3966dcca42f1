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
mod headline;
mod history;
mod keyboard;
mod labs;
mod layers;
mod learn;
mod learn_charts;
mod learn_headline;
mod method;
mod metric_tip;
mod metrics;
mod model_panel;
mod panel;
mod requests;
mod share;
pub mod state;
mod status;
mod worst_case;

use leptos::prelude::*;

use crate::protocol::Backend;
use crate::run_store::{self, LocalStorage, Storage};

/// Where the last settings are kept (localStorage), for a page opened without a link.
pub const SETTINGS_KEY: &str = "forgetlab.settings";
use crate::settings::{Mode, UrlState, to_query};
use panel::Panel;
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
            open: state.open.get(),
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
    // The first screen tells the story (facts, method, Run, the headline numbers, the answers,
    // one chart); everything else is a panel that opens on demand (panel.rs).
    let facts_title = Signal::derive(move || {
        let what = match state.settings.with(|s| s.selection.clone()) {
            crate::settings::Selection::Preset(name) => format!("the {name} split"),
            crate::settings::Selection::Items(_) => "facts you picked".into(),
        };
        format!("1. Forgetting {} facts: {what} — show the table", state.forget_count.get())
    });
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
                <div style:display={shown(Mode::Forget)}>
                    <Panel name="facts-panel" title={facts_title} testid="open-facts">
                        <facts::FactsPanel />
                    </Panel>
                    <method::MethodPanel />
                    <charts::MainChart />
                </div>
                <div style:display={shown(Mode::Learn)}>
                    <learn::LearnPanel />
                </div>
            </div>
            <div class="column wide">
                <div style:display={shown(Mode::Forget)}>
                    <headline::Headline />
                    <generation::GenerationPanel />
                </div>
                <div style:display={shown(Mode::Learn)}>
                    <learn_headline::LearnHeadline />
                    <learn_charts::LearnMainChart />
                </div>
            </div>
        </main>
        <section class="more" aria-label="More: panels that open on demand">
            <div style:display={shown(Mode::Forget)}>
                <Panel
                    name="charts-panel"
                    title="All metrics: charts, table, per kind, per layer"
                    testid="open-charts"
                >
                    <charts::ChartsPanel />
                </Panel>
                <Panel
                    name="attack-panel"
                    title="Is it really gone? The relearning attack"
                    testid="open-attack"
                >
                    <attack::AttackPanel />
                </Panel>
                <Panel
                    name="requests-panel"
                    title="Sequential requests: forget in turn"
                    testid="open-requests"
                >
                    <requests::RequestsPanel />
                </Panel>
                <Panel
                    name="fact-files"
                    title="Your own facts: import and export"
                    testid="open-fact-files"
                >
                    <fact_files::FactFiles />
                </Panel>
            </div>
            <div style:display={shown(Mode::Learn)}>
                <Panel name="learn-charts" title="All charts and scores" testid="open-learn-charts">
                    <learn_charts::LearnCharts />
                </Panel>
                <Panel
                    name="edit-panel"
                    title="Edit a fact: fine-tuning vs. editing in context"
                    testid="open-edit"
                >
                    <edit_panel::EditPanel />
                </Panel>
            </div>
            <Panel name="history-panel" title="Run history and comparison" testid="open-history">
                <history::HistoryPanel />
            </Panel>
            <Panel name="export-panel" title="Export" testid="open-export">
                <history::ExportPanel />
            </Panel>
            <Panel name="lab-panel" title="Guided labs" testid="open-labs">
                <labs::LabPanel />
            </Panel>
            <Panel
                name="model-panel"
                title="Model: size, memory, load your own"
                testid="open-model"
            >
                <model_panel::ModelPanel />
            </Panel>
        </section>
        <status::StatusLine />
    }
}
