//! Gestures that change the settings, and bringing the worker's run up to date with them: a
//! fresh run (Configure) when what the run is changed, or only its learning rate or schedule.

use forgetlab_core::methods::MethodKind;
use leptos::prelude::{GetUntracked, WithUntracked};

use crate::protocol::{Command, Phase};
use crate::settings::{Mode, Selection, Settings};
use crate::ui::bridge::send;
use crate::ui::state::{AppState, Change, Level};

/// Change the settings the controls show (a field, the evaluation size); in Forget mode the run
/// follows at the next Run, Step or Reset, in Learn mode at once ([`learn_follows`]).
pub fn edit_settings(state: AppState, edit: impl FnOnce(&mut Settings)) {
    let mut settings = state.settings.get_untracked();
    edit(&mut settings);
    state.apply(Change::Settings(settings));
    learn_follows(state);
}

/// In Learn mode a change that makes another run (stages, schedule, rate, seed) sets that run up
/// at once when none is under way, so the schedule plot, the stage bands and step 0 show what Run
/// will do before it starts. A paused run is left alone until Run, as in Forget mode.
pub(super) fn learn_follows(state: AppState) {
    let settings = state.settings.get_untracked();
    let Some(applied) = state.applied.get_untracked() else { return };
    if settings.mode == Mode::Learn
        && applied.mode == Mode::Learn
        && applied.needs_reset(&settings)
        && state.controls_ready()
        && matches!(state.phase.get_untracked(), Phase::Idle | Phase::Finished | Phase::Stopped)
    {
        state.apply(Change::Pending(Some("Setting up…")));
        configure(state);
    }
}

/// Another method, with its own defaults.
pub fn choose_method(state: AppState, method: MethodKind) {
    edit_settings(state, |s| s.choose_method(method));
}

/// Pick the facts to forget.
pub fn select(state: AppState, selection: Selection) {
    state.apply(Change::Select(selection));
}

/// Watch an item's answer, or stop watching it; the worker evaluates again.
pub fn toggle_watch(state: AppState, id: String) {
    let mut watched = state.watched.get_untracked();
    if let Some(i) = watched.iter().position(|x| *x == id) {
        watched.remove(i);
    } else {
        watched.push(id);
    }
    state.apply(Change::Watched(watched.clone()));
    send(Command::Watch(watched));
}

/// Start a fresh run with the current settings (the worker evaluates step 0): an unlearning
/// run in Forget mode, a continual run in Learn mode.
pub(super) fn configure(state: AppState) -> bool {
    let settings = state.settings.get_untracked();
    let command = match settings.mode {
        Mode::Forget => settings.run_config().map(|mut config| {
            config.eval.sample_ids = state.watched.get_untracked();
            Command::Configure { config, steps: settings.steps, eval_every: settings.eval_every }
        }),
        Mode::Learn => {
            settings.learn.continual_config(settings.seed, settings.eval_size).map(|config| {
                Command::ConfigureContinual { config, eval_every: settings.learn.eval_every }
            })
        }
    };
    match command {
        Ok(command) => {
            send(command);
            state.apply(Change::Applied(settings));
            true
        }
        Err(e) => {
            state.say(Level::Error, e);
            false
        }
    }
}

/// Bring the worker's run up to date with the settings: a fresh run if anything but the
/// learning rate or the schedule changed (Learn mode: how often it evaluates). Returns false when
/// the settings are invalid.
pub(super) fn sync_settings(state: AppState) -> bool {
    let settings = state.settings.get_untracked();
    match state.applied.get_untracked() {
        Some(applied) if !applied.needs_reset(&settings) => {
            if settings.mode == Mode::Forget {
                if let Err(e) = settings.hyper.validate() {
                    state.say(Level::Error, e.to_string());
                    return false;
                }
                if applied.hyper.lr != settings.hyper.lr {
                    send(Command::SetLearningRate(settings.hyper.lr));
                }
            }
            if applied.play_schedule() != settings.play_schedule() {
                let (steps, eval_every) = settings.play_schedule();
                send(Command::SetSchedule { steps, eval_every });
            }
            state.apply(Change::Applied(settings));
            true
        }
        _ => configure(state),
    }
}

/// Forget or Learn: the controls then drive that mode's run, configured at once.
pub fn set_mode(state: AppState, mode: Mode) {
    if state.settings.with_untracked(|s| s.mode) == mode {
        return;
    }
    let settings = Settings { mode, ..state.settings.get_untracked() };
    state.apply(Change::Settings(settings));
    if state.applied.get_untracked().is_some() {
        state.apply(Change::Pending(Some("Setting up…")));
        configure(state);
    }
}
