//! The gestures that move files in or out of the page: downloads (history, the current run, a
//! chart as PNG, the model), the clipboard, a model folder the user picked, the fact files, the
//! teaching and benchmark buttons of the model panel, and "Start over". Like every action, they
//! send [`Command`]s and change the page only through [`AppState::apply`].

use forgetlab_core::world::imported::ImportedFile;
use leptos::prelude::{GetUntracked, WithUntracked};

use super::super::bridge::send;
use super::super::downloads;
use super::super::state::{AppState, Change};
use crate::protocol::{Command, LocalFile};
use crate::run_store::{RunPoint, RunRecord, to_csv, to_json};
use crate::settings::to_query;

/// Every kept run, as CSV or JSON.
pub fn download_history(state: AppState, csv: bool) {
    let runs = state.runs.get_untracked();
    match csv {
        true => downloads::download_text("forgetlab-history.csv", "text/csv", &to_csv(&runs)),
        false => {
            downloads::download_text("forgetlab-history.json", "application/json", &to_json(&runs))
        }
    }
}

/// The current run: its kept metrics per evaluation as CSV, or every snapshot in full as JSON.
pub fn download_run(state: AppState, csv: bool) {
    if !csv {
        let json = serde_json::to_string_pretty(&state.history.get_untracked()).unwrap_or_default();
        downloads::download_text("forgetlab-run.json", "application/json", &json);
        return;
    }
    let points: Vec<RunPoint> =
        state.history.with_untracked(|h| h.iter().map(RunPoint::from_snapshot).collect());
    let run = RunRecord {
        id: 0,
        label: "current".into(),
        query: to_query(&state.url_state()),
        backend: state.wanted_backend.get_untracked().name().into(),
        points,
        learn: vec![],
    };
    downloads::download_text("forgetlab-run.csv", "text/csv", &to_csv(std::slice::from_ref(&run)));
}

/// A chart (`data-chart=id`) as a PNG file.
pub fn chart_png(id: &str) {
    downloads::chart_png(id, &format!("forgetlab-{id}.png"));
}

/// Text to the clipboard (the share dialog's link).
pub fn copy(text: &str) {
    downloads::copy_text(text);
}

/// The run's current model as Hugging Face files (they arrive as `Event::ModelFiles`).
pub fn export_model() {
    send(Command::ExportModel);
}

/// Load the model folder the user picked (its files as the tab's blob: URLs), with the run's
/// batch size and LoRA rank for the memory check.
pub fn load_model(state: AppState, name: String, files: Vec<LocalFile>) {
    let (batch_size, lora_rank) =
        state.settings.with_untracked(|s| (s.hyper.batch_size, s.hyper.lora_rank));
    state.apply(Change::Pending(Some("Loading your model…")));
    send(Command::LoadModel { name, files, batch_size, lora_rank });
}

/// Teach the loaded model the fact world ("Teach it the authors").
pub fn teach_world(state: AppState, steps: usize, lr: f64) {
    let lora_rank = state.settings.with_untracked(|s| s.hyper.lora_rank);
    state.apply(Change::Pending(Some("Teaching the authors…")));
    send(Command::TeachWorld { steps, lr, lora_rank });
}

/// The in-page benchmark.
/// Find the `authors` authors of `pool` hardest to unlearn; the worker's answer selects them.
pub fn find_worst_case(state: AppState, pool: &str, authors: usize) {
    state.apply(Change::Pending(Some("Finding the worst case…")));
    send(Command::WorstCase { pool: pool.into(), authors });
}

pub fn benchmark(state: AppState) {
    state.apply(Change::Pending(Some("Benchmarking…")));
    send(Command::Benchmark { steps: 10 });
}

/// A fact file the user picked, read: the worker parses and keeps it.
pub fn import_facts(file: ImportedFile) {
    send(Command::ImportFacts(file));
}

/// These facts as a TOFU file called `file_name`.
pub fn export_facts(ids: Vec<String>, file_name: &str) {
    send(Command::ExportFacts { ids, file_name: file_name.into() });
}

/// Forget what this browser keeps (imported files, facts taught, kept runs), once the user
/// confirms.
pub fn start_over() {
    let sure = web_sys::window()
        .and_then(|w| {
            w.confirm_with_message(
                "Forget your imported files, the facts you taught and \
            the kept runs, and start over?",
            )
            .ok()
        })
        .unwrap_or(false);
    if sure {
        send(Command::StartOver);
    }
}
