//! What the user's gestures and the worker's events lead to. Components and keys call these;
//! they send [`Command`]s through the bridge and change the page only through
//! [`AppState::apply`].

use forgetlab_core::run::AttackConfig;
use leptos::prelude::{GetUntracked, WithUntracked};

mod files;
mod settings;

pub use files::{
    benchmark, chart_png, copy, download_history, download_run, export_facts, export_model,
    find_worst_case, import_facts, load_model, start_over, teach_world,
};
pub use settings::{choose_method, edit_settings, select, set_mode, toggle_watch};
use settings::{configure, learn_follows, sync_settings};

use super::bridge::send;
use super::downloads::download_bytes;
use super::state::{AppState, Change, Level};
use crate::lab_file::{LabAction, LabStep};
use crate::protocol::{Backend, Command, Event, Fault, Phase};
use crate::run_store::{self, LearnPoint, LocalStorage, RunPoint, RunRecord};
use crate::settings::{Mode, UrlState, apply_query};

/// A worker's event: the state's change, then what follows from it (the first run is configured
/// when a backend is ready, a finished run is kept, model files are downloaded).
pub fn on_event(state: AppState, event: Event) {
    match &event {
        Event::Phase(Phase::Finished | Phase::Stopped) => keep_run(state),
        Event::ModelFiles(files) => {
            for (name, bytes) in files {
                download_bytes(name, "application/octet-stream", bytes);
            }
        }
        Event::FactsFile { name, text } => {
            download_bytes(name, "application/json", text.as_bytes())
        }
        Event::StoreCleared => {
            // The kept runs and settings go too, and the page opens afresh, without a link.
            run_store::save(&LocalStorage, Vec::new());
            crate::run_store::Storage::save(&LocalStorage, super::SETTINGS_KEY, "");
            if let Some(location) = web_sys::window().map(|w| w.location()) {
                let page = location.pathname().unwrap_or_else(|_| "./".into());
                let _ = location.assign(&page);
            }
            return;
        }
        Event::Crashed(why) => {
            restart_engine(state, why.clone());
            return;
        }
        _ => {}
    }
    let first_backend = matches!(event, Event::BackendReady { .. });
    state.apply(Change::Worker(event));
    if first_backend && state.applied.get_untracked().is_none() {
        configure(state);
    }
}

/// Fetch the model and the fact world from `base_url` and start the engine on the wanted backend
/// (with a test-only `fault` to inject, from the link's `fault=` switch).
pub fn load(state: AppState, base_url: String, fault: Option<Fault>) {
    send(Command::Load {
        base_url,
        backend: state.wanted_backend.get_untracked(),
        fault,
        built_in: false,
    });
}

/// Back to the built-in model (the model panel's button): it and the fact world are read again
/// and the run is set up on them.
pub fn reload_built_in(state: AppState) {
    state.apply(Change::Pending(Some("Loading the built-in model…")));
    super::bridge::load_built_in(state.wanted_backend.get_untracked());
}

thread_local! {
    /// When the worker was restarted (ms since the epoch), to stop a crash loop.
    static RESTARTS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The worker died: start a fresh one with the same files; the run is configured again with the
/// page's settings when it is ready. A worker that died on WebGPU (a shader or pipeline error
/// makes cubecl panic) comes back on the CPU. More than three crashes a minute stop there, with
/// a message.
fn restart_engine(state: AppState, why: String) {
    let now = js_sys::Date::now();
    let recent = RESTARTS.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|t| now - t < 60_000.0);
        r.push(now);
        r.len()
    });
    if recent > 3 {
        state.apply(Change::Worker(Event::Phase(Phase::Busy)));
        state.say(
            Level::Error,
            format!("The engine crashed again ({why}). Reload the page to start over."),
        );
        return;
    }
    let on_webgpu = state.backend.get_untracked().is_some_and(|(b, _)| b == Backend::Webgpu);
    if on_webgpu {
        state.apply(Change::WantedBackend(Backend::Cpu));
    }
    match super::bridge::restart(state.wanted_backend.get_untracked()) {
        Ok(()) => {
            state.apply(Change::EngineRestarted);
            let place = if on_webgpu { " on WebGPU" } else { "" };
            let again = if on_webgpu { " on the CPU" } else { "" };
            state.say(
                Level::Error,
                format!(
                    "The engine crashed{place} ({why}). It was restarted{again} with your \
                        settings; the run comes back to its last step (its steps are taken again)."
                ),
            );
        }
        Err(e) => state.say(Level::Error, e),
    }
}

/// Apply a link's (or a lab step's) settings on top of the current ones; invalid keys keep
/// their values and are listed in a notice. Returns whether the backend changed.
pub fn load_query(state: AppState, query: &str) -> bool {
    let before = state.url_state();
    let (after, problems) = apply_query(&before, query);
    if !problems.is_empty() {
        state.say(
            Level::Error,
            format!(
                "Some settings were not valid and keep their previous values: {}.",
                problems.join("; ")
            ),
        );
    }
    let switch = after.backend.filter(|b| Some(*b) != before.backend);
    state.apply(Change::Link(UrlState { backend: switch, ..after }));
    switch.is_some()
}

/// [`load_query`], moving the engine to the link's backend if it differs; a link to the other
/// mode sets up that mode's run at once.
pub fn follow_link(state: AppState, query: &str) {
    let mode = state.settings.with_untracked(|s| s.mode);
    if load_query(state, query) {
        send(Command::SwitchBackend(state.wanted_backend.get_untracked()));
    }
    if state.settings.with_untracked(|s| s.mode) != mode && state.applied.get_untracked().is_some()
    {
        state.apply(Change::Pending(Some("Setting up…")));
        configure(state);
    } else {
        learn_follows(state);
    }
}

/// Run, or pause a running run (the Run/Pause button and the Space key).
pub fn play_pause(state: AppState) {
    if !state.controls_ready() {
        return;
    }
    if state.phase.get_untracked() == Phase::Running {
        state.apply(Change::Pending(Some("Pausing…")));
        send(Command::Pause);
    } else if sync_settings(state) {
        state.apply(Change::Pending(Some("Starting…")));
        send(Command::Play);
    }
}

/// One step (the Step button and the S key); not while running.
pub fn step(state: AppState) {
    if state.idle_ready() && sync_settings(state) {
        state.apply(Change::Pending(Some("Stepping…")));
        send(Command::Step);
    }
}

/// End the run (the Stop button).
pub fn stop(state: AppState) {
    state.apply(Change::Pending(Some("Stopping…")));
    send(Command::Stop);
}

/// Back to step 0 (the Reset button and the R key): a fresh run if the settings changed.
pub fn reset(state: AppState) {
    if !state.idle_ready() {
        return;
    }
    state.apply(Change::Pending(Some("Resetting…")));
    let fresh = state
        .applied
        .get_untracked()
        .is_some_and(|a| a.needs_reset(&state.settings.get_untracked()));
    if fresh {
        configure(state);
    } else {
        send(Command::Reset);
    }
}

/// Move the engine to another backend (the backend switch).
pub fn switch_backend(state: AppState, backend: Backend) {
    state.apply(Change::WantedBackend(backend));
    state.apply(Change::Pending(Some("Switching…")));
    send(Command::SwitchBackend(backend));
}

/// The relearning attack the panel (and a lab's `action = "attack"`) runs: 4 facts, 10 steps,
/// lr 1e-3, the run's seed.
pub fn attack(state: AppState) {
    if !state.idle_ready() {
        return;
    }
    let seed = state.settings.with_untracked(|s| s.seed);
    state.apply(Change::Pending(Some("Attacking…")));
    send(Command::Attack(AttackConfig { seed, ..AttackConfig::default() }));
}

/// The run's forget set as `requests` sequential requests of `steps` steps each, on copies.
pub fn run_requests(state: AppState, requests: usize, steps: usize) {
    if !state.idle_ready() {
        return;
    }
    state.apply(Change::Pending(Some("Forgetting in turn…")));
    send(Command::Requests { requests, steps });
}

/// Teach the model a fact of the user's own ("Add your own fact").
pub fn teach(state: AppState, question: String, answer: String, steps: usize) {
    if question.trim().is_empty() || answer.trim().is_empty() {
        state.say(Level::Error, "Write a question and its answer first.");
        return;
    }
    state.apply(Change::Teaching);
    send(Command::LearnFact { question, answer, steps });
}

/// Open a guided lab (None: close it).
/// A panel opened or closed by its reader (kept in the URL with the settings).
pub fn open_panel(state: AppState, name: &str, open: bool) {
    if state.open.with_untracked(|o| o.contains(name)) != open {
        state.apply(Change::Panel(name.to_string(), open));
    }
}

pub fn open_lab(state: AppState, lab: Option<String>) {
    state.apply(Change::Lab(lab));
}

/// Carry out a lab's step: its settings, then its action.
pub fn lab_step(state: AppState, lab_step: &LabStep) {
    if let Some(set) = &lab_step.set {
        follow_link(state, set);
    }
    match lab_step.action {
        Some(LabAction::Run) if state.phase.get_untracked() != Phase::Running => play_pause(state),
        Some(LabAction::Run) => {}
        Some(LabAction::Step) => step(state),
        Some(LabAction::Reset) => reset(state),
        Some(LabAction::Attack) => attack(state),
        Some(LabAction::Edit) => run_edits(state),
        None => {}
    }
}

/// Forget every kept run.
pub fn clear_history(state: AppState) {
    state.apply(Change::Runs(run_store::save(&LocalStorage, vec![])));
}

/// Compare the three ways of editing facts (the editing panel, and a lab's `action = "edit"`).
pub fn run_edits(state: AppState) {
    if !state.idle_ready() {
        return;
    }
    let config = state.settings.with_untracked(|s| s.learn.edit_config(s.seed));
    state.apply(Change::Editing);
    state.apply(Change::Pending(Some("Editing…")));
    send(Command::Edit(config));
}

/// Keep the run that just finished or stopped in the history (once per run and step).
fn keep_run(state: AppState) {
    let Some(applied) = state.applied.get_untracked() else { return };
    let (points, learn) = match applied.mode {
        Mode::Forget => (
            state.history.with_untracked(|h| h.iter().map(RunPoint::from_snapshot).collect()),
            vec![],
        ),
        Mode::Learn => (
            vec![],
            state
                .learn_history
                .with_untracked(|h| h.iter().map(LearnPoint::from_snapshot).collect::<Vec<_>>()),
        ),
    };
    let last_step = points
        .last()
        .map(|p: &RunPoint| p.step)
        .or_else(|| learn.last().map(|p: &LearnPoint| p.step));
    if last_step.is_none_or(|s| s == 0) {
        return;
    }
    let backend = state.backend.get_untracked().map(|(b, _)| b);
    let query = crate::settings::to_query(&UrlState { backend, ..UrlState::of(applied.clone()) });
    let mut runs = state.runs.get_untracked();
    let kept_step =
        |r: &RunRecord| r.last().map(|p| p.step).or_else(|| r.learn.last().map(|p| p.step));
    if runs.last().is_some_and(|r| r.query == query && kept_step(r) == last_step) {
        return;
    }
    runs.push(RunRecord {
        id: js_sys::Date::now() as u64,
        label: applied.label(),
        query,
        backend: backend.map(|b| b.name().to_string()).unwrap_or_default(),
        points,
        learn,
    });
    state.apply(Change::Runs(run_store::save(&LocalStorage, runs)));
}
