//! The page: small leptos components over one [`state::AppState`]. Components send commands
//! through [`bridge`]; only [`state::AppState::apply`] turns worker events into signal changes.

pub mod bridge;
mod charts;
mod controls;
mod facts;
mod generation;
mod method;
mod metrics;
pub mod state;
mod status;

use leptos::prelude::*;

use crate::protocol::{Backend, Command};
use state::{AppState, Level};

/// A query parameter of the page's URL (`?backend=webgpu&eval=quick`).
fn query_param(name: &str) -> Option<String> {
    let query = web_sys::window()?.location().search().ok()?;
    query.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')).map(String::from)
}

/// The page's backend choice at start: `?backend=webgpu` or `?backend=cpu`, else WebGPU when the
/// browser has it (the worker falls back to the CPU if no adapter answers).
fn initial_backend() -> Backend {
    if let Some(b) = query_param("backend").as_deref().and_then(Backend::parse) {
        return b;
    }
    let has_gpu = web_sys::window().and_then(|w| js_sys::Reflect::get(&w.navigator(), &"gpu".into()).ok()).is_some_and(|g| !g.is_undefined());
    if has_gpu { Backend::Webgpu } else { Backend::Cpu }
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    match bridge::start(state) {
        Ok(()) => {
            let backend = initial_backend();
            if let Some(size) = query_param("eval").as_deref().and_then(state::EvalSize::parse) {
                state.settings.update(|s| s.eval_size = size);
            }
            state.wanted_backend.set(backend);
            let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
            // The directory of the page: files are fetched relative to it, from its own origin.
            let base = base.split(['?', '#']).next().unwrap_or("").rsplit_once('/').map(|(dir, _)| dir.to_string()).unwrap_or_default();
            bridge::send(Command::Load { base_url: base, backend });
        }
        Err(e) => state.say(Level::Error, e),
    }
    view! {
        <header>
            <h1>"ForgetLab"</h1>
            <p class="tagline">"Watch a language model forget. Pick facts, pick a method, press Run — everything runs in this tab."</p>
        </header>
        <status::LoadingBar />
        <controls::Controls />
        <main class="layout">
            <div class="column">
                <facts::FactsPanel />
                <method::MethodPanel />
            </div>
            <div class="column wide">
                <charts::ChartsPanel />
                <generation::GenerationPanel />
            </div>
        </main>
        <status::StatusLine />
    }
}
