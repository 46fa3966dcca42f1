//! The page's state: signals the components read, and [`AppState::apply`], the one place that
//! changes them. Components hold read-only signals; the write ends live in a private field of
//! [`AppState`], so a [`Change`] — a worker's [`Event`] or a user's intent, sent by `actions.rs`
//! — is the only way to change what the page shows.

use std::collections::{BTreeSet, HashMap};

use forgetlab_core::continual::ContinualSnapshot;
use forgetlab_core::edit::EditReport;
use forgetlab_core::eval::quality_bar::QualityBar;
use forgetlab_core::eval::{GeneratedAnswer, Snapshot};
use forgetlab_core::run::{AttackReport, Estimate};
use leptos::prelude::*;

use crate::protocol::{
    Backend, BenchReport, EditRow, Event, FactRow, ModelInfo, Phase, RequestRow, RunSetup,
    RunSnapshot, StageInfo, WorstCaseRow,
};
use crate::run_store::RunRecord;
use crate::settings::{Selection, Settings, UrlState};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    Notice,
    Error,
}

/// Progress of "add your own fact".
#[derive(Clone, Debug, PartialEq)]
pub struct LearnProgress {
    pub step: usize,
    pub steps: usize,
    pub loss: Option<f64>,
    pub probability: f64,
}

/// Everything that changes the page's state.
// A change is made and applied at once, never stored, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// What the worker said.
    Worker(Event),
    /// A message under the status line.
    Say(Level, String),
    /// The settings the controls show (a field, the method, the evaluation size).
    Settings(Settings),
    /// The facts to forget.
    Select(Selection),
    /// A link's (or a lab step's) settings, hidden controls and lab; its backend if it names one.
    Link(UrlState),
    /// The backend the page asks for.
    WantedBackend(Backend),
    /// A command was sent: the controls say so until the worker's next phase (None: nothing
    /// pending).
    Pending(Option<&'static str>),
    /// The settings the worker's run now has.
    Applied(Settings),
    /// The items whose answers the evaluations show.
    Watched(Vec<String>),
    /// "Add your own fact" starts: its progress so far is cleared.
    Teaching,
    /// The editing comparison starts: the last one's results are cleared.
    Editing,
    /// The guided lab that is open.
    Lab(Option<String>),
    /// A panel opened or closed by its reader.
    Panel(String, bool),
    /// The kept runs.
    Runs(Vec<RunRecord>),
    /// The worker crashed and a fresh one is loading: the run is configured again when it is
    /// ready.
    EngineRestarted,
}

/// Declares [`AppState`] (the read ends, public) and its private write ends from one list.
macro_rules! signals {
    ($( $(#[doc = $doc:literal])* $name:ident : $ty:ty = $init:expr; )*) => {
        /// All of the page's signals, read-only. `Copy`: components take it from context.
        #[derive(Clone, Copy)]
        pub struct AppState {
            $( $(#[doc = $doc])* pub $name: ReadSignal<$ty>, )*
            write: Writers,
        }

        /// The write ends: only [`AppState::apply`] uses them.
        #[derive(Clone, Copy)]
        struct Writers {
            $( $name: WriteSignal<$ty>, )*
        }

        impl Default for AppState {
            fn default() -> Self {
                Self::new()
            }
        }

        impl AppState {
            pub fn new() -> Self {
                $( let $name = signal::<$ty>($init); )*
                Self { $( $name: $name.0, )* write: Writers { $( $name: $name.1, )* } }
            }
        }
    };
}

signals! {
    phase: Phase = Phase::Busy;
    /// Set on a click, cleared by the next Phase event: the controls answer at once.
    pending: Option<&'static str> = None;
    backend: Option<(Backend, String)> = None;
    wanted_backend: Backend = Backend::Cpu;
    /// (file, index, count, loaded, total) while loading.
    progress: Option<(String, usize, usize, u64, u64)> = None;
    model: Option<ModelInfo> = None;
    /// "Teach it the authors": (step, steps, loss) so far.
    teaching_world: Option<(usize, usize, f64)> = None;
    /// The loaded model's quality bar, once measured after teaching it.
    quality_bar: Option<QualityBar> = None;
    /// The in-page benchmark's last figures.
    bench: Option<BenchReport> = None;
    /// The last worst-case forget set found (its facts are then the selection).
    worst_case: Option<WorstCaseRow> = None;
    /// The last sequential requests, before the first and after each one so far.
    requests: Vec<RequestRow> = vec![];
    facts: Vec<FactRow> = vec![];
    watchable: Vec<FactRow> = vec![];
    watched: Vec<String> = vec![];
    forget_count: usize = 0;
    /// Numbers a step trains: every weight, or only the LoRA adapters'.
    trainable: usize = 0;
    eval_sizes: [usize; 4] = [0; 4];
    /// This run's evaluations, in step order (cleared when it starts over).
    history: Vec<Snapshot> = vec![];
    /// The run's (step, loss), Forget or Learn mode alike (cleared when it starts over).
    losses: Vec<(usize, f64)> = vec![];
    /// The live estimate since the last full evaluation (None: the evaluation is current).
    estimate: Option<Estimate> = None;
    /// Step-0 answers, by item id: "the original model's answer".
    original: HashMap<String, GeneratedAnswer> = HashMap::new();
    step_millis: Vec<f64> = vec![];
    /// Training time of the current run so far (evaluations excluded): a method's cost.
    train_millis: f64 = 0.0;
    eval_millis: Option<f64> = None;
    /// The worker's wasm memory in bytes, as of its last evaluation (0: not yet known).
    engine_memory: u64 = 0;
    /// The bytes allocated in it and not freed, as of its last evaluation.
    engine_live: u64 = 0;
    /// When each start-up phase ended (ms since the epoch; Event::Startup).
    startup: Vec<(String, f64)> = vec![];
    messages: Vec<(Level, String)> = vec![];
    learning: Option<LearnProgress> = None;
    settings: Settings = Settings::default();
    /// The settings the worker's run was configured with.
    applied: Option<Settings> = None;
    /// Teacher mode: panels and controls hidden by the link (see `share.rs`).
    hidden: BTreeSet<String> = BTreeSet::new();
    /// The panels opened on demand, by name (kept in the URL, see `panel.rs`).
    open: BTreeSet<String> = BTreeSet::new();
    /// The open guided lab (file name without `.toml`).
    lab: Option<String> = None;
    /// Kept runs (see `run_store.rs`).
    runs: Vec<RunRecord> = vec![];
    /// The last relearning attack on this run.
    attack: Option<AttackReport> = None;
    /// Learn mode: the continual run's stages and every step's learning rate.
    stages: Vec<StageInfo> = vec![];
    lr_curve: Vec<f64> = vec![];
    /// The continual run's evaluations in step order (cleared when it starts over).
    learn_history: Vec<ContinualSnapshot> = vec![];
    /// The editing comparison: the edits, and each way's measurements with its time in ms.
    edit_rows: Vec<EditRow> = vec![];
    edit_reports: Vec<(EditReport, f64)> = vec![];
}

/// The last `n` entries of `v`.
fn keep_last<T>(v: &mut Vec<T>, n: usize) {
    if v.len() > n {
        v.drain(..v.len() - n);
    }
}

impl AppState {
    /// What the URL says now.
    pub fn url_state(&self) -> UrlState {
        UrlState {
            settings: self.settings.get_untracked(),
            backend: Some(self.wanted_backend.get_untracked()),
            hidden: self.hidden.get_untracked(),
            lab: self.lab.get_untracked(),
            open: self.open.get_untracked(),
        }
    }

    /// Whether the controls accept a command now (not loading, learning or unconfigured).
    pub fn controls_ready(&self) -> bool {
        !matches!(self.phase.get_untracked(), Phase::Busy | Phase::Learning)
            && self.applied.get_untracked().is_some()
    }

    /// Whether the run's controls that need a stopped run (Step, Reset, the attack) accept a
    /// command now.
    pub fn idle_ready(&self) -> bool {
        self.controls_ready() && self.phase.get_untracked() != Phase::Running
    }

    /// A message under the status line.
    pub fn say(&self, level: Level, text: impl Into<String>) {
        self.apply(Change::Say(level, text.into()));
    }

    /// The one place where the page's state changes.
    pub fn apply(&self, change: Change) {
        let w = &self.write;
        match change {
            Change::Worker(event) => self.apply_event(event),
            Change::Say(level, text) => w.messages.update(|m| {
                m.push((level, text));
                keep_last(m, 6);
            }),
            Change::Settings(s) => w.settings.set(s),
            Change::Select(selection) => w.settings.update(|s| s.selection = selection),
            Change::Link(url) => {
                w.settings.set(url.settings);
                w.hidden.set(url.hidden);
                w.lab.set(url.lab);
                w.open.set(url.open);
                if let Some(b) = url.backend {
                    w.wanted_backend.set(b);
                }
            }
            Change::WantedBackend(b) => w.wanted_backend.set(b),
            Change::Pending(p) => w.pending.set(p),
            Change::Applied(s) => w.applied.set(Some(s)),
            Change::Watched(ids) => w.watched.set(ids),
            Change::Panel(name, open) => w.open.update(|o| {
                if open {
                    o.insert(name);
                } else {
                    o.remove(&name);
                }
            }),
            Change::Teaching => w.learning.set(None),
            Change::Editing => {
                w.edit_rows.set(vec![]);
                w.edit_reports.set(vec![]);
            }
            Change::Lab(lab) => w.lab.set(lab),
            Change::Runs(runs) => w.runs.set(runs),
            Change::EngineRestarted => {
                w.applied.set(None);
                w.pending.set(None);
                w.phase.set(Phase::Busy);
            }
        }
    }

    fn apply_event(&self, event: Event) {
        let w = &self.write;
        match event {
            Event::Progress { file, index, count, loaded, total } => {
                w.progress.set(Some((file, index, count, loaded, total)))
            }
            Event::Loaded { model, facts } => {
                w.progress.set(None);
                w.teaching_world.set(None);
                w.quality_bar.set(None);
                w.model.set(Some(model));
                w.facts.set(facts);
            }
            Event::BackendReady { backend, detail } => {
                w.backend.set(Some((backend, detail)));
                w.wanted_backend.set(backend);
                w.step_millis.set(vec![]);
            }
            Event::Configured(setup) => {
                w.progress.set(None);
                w.losses.set(vec![]);
                w.estimate.set(None);
                match setup {
                    RunSetup::Forget { forget_items, trainable, eval_sizes, watchable } => {
                        w.forget_count.set(forget_items);
                        w.trainable.set(trainable);
                        w.eval_sizes.set(eval_sizes);
                        w.watchable.set(watchable);
                        w.history.set(vec![]);
                        w.original.set(HashMap::new());
                        w.attack.set(None);
                    }
                    RunSetup::Learn { stages, lr } => {
                        w.stages.set(stages);
                        w.lr_curve.set(lr);
                        w.learn_history.set(vec![]);
                    }
                }
            }
            Event::Phase(p) => {
                if p != Phase::Busy {
                    w.progress.set(None);
                }
                w.pending.set(None);
                w.phase.set(p);
            }
            Event::Attacked(report) => w.attack.set(Some(report)),
            Event::Stepped { step, loss, millis } => {
                w.losses.update(|l| l.push((step, loss)));
                w.train_millis.update(|t| *t += millis);
                w.step_millis.update(|m| {
                    m.push(millis);
                    keep_last(m, 10);
                });
            }
            Event::Estimated(estimate) => w.estimate.set(Some(estimate)),
            Event::Evaluated { snapshot, millis } => {
                w.eval_millis.set(Some(millis));
                w.estimate.set(None);
                let step = match &snapshot {
                    RunSnapshot::Forget(s) => s.step,
                    RunSnapshot::Learn(s) => s.step,
                };
                if step == 0 {
                    // A fresh start (configure or reset): the curves start over.
                    w.losses.set(vec![]);
                    w.train_millis.set(0.0);
                }
                // Steps after this one are gone: the same step evaluated again (Watch), a reset,
                // or a run that continues from an earlier checkpoint (WebGPU lost, see the worker).
                w.losses.update(|l| l.retain(|(s, _)| *s <= step));
                match snapshot {
                    RunSnapshot::Forget(snapshot) => {
                        w.watched.set(snapshot.samples.iter().map(|s| s.id.clone()).collect());
                        if step == 0 {
                            w.history.set(vec![]);
                            w.original.update(|o| {
                                for s in &snapshot.samples {
                                    o.insert(s.id.clone(), s.clone());
                                }
                            });
                        }
                        w.history.update(|h| {
                            h.retain(|s| s.step < step);
                            h.push(snapshot);
                        });
                    }
                    RunSnapshot::Learn(snapshot) => w.learn_history.update(|h| {
                        h.retain(|s| s.step < step);
                        h.push(snapshot);
                    }),
                }
            }
            Event::EditsChosen(rows) => w.edit_rows.set(rows),
            Event::Edited { report, millis } => w.edit_reports.update(|r| r.push((report, millis))),
            Event::Learning { step, steps, loss, probability } => {
                w.learning.set(Some(LearnProgress { step, steps, loss, probability }))
            }
            Event::FactLearned { fact, probability } => {
                self.say(
                    Level::Notice,
                    format!(
                        "Learned “{}” (answer probability {:.2}). Select it to forget it.",
                        fact.question, probability
                    ),
                );
                w.facts.update(|f| f.push(fact));
            }
            Event::Error(e) => {
                w.pending.set(None);
                w.progress.set(None);
                self.say(Level::Error, e);
            }
            Event::Notice(n) => self.say(Level::Notice, n),
            Event::EngineMemory { reserved, live } => {
                w.engine_memory.set(reserved);
                w.engine_live.set(live);
            }
            Event::Startup(phases) => w.startup.set(phases),
            Event::Facts(facts) => w.facts.set(facts),
            Event::TeachingWorld { step, steps, loss } => {
                w.teaching_world.set(Some((step, steps, loss)))
            }
            Event::QualityBar(bar) => w.quality_bar.set(Some(bar)),
            Event::Benchmarked(report) => w.bench.set(Some(report)),
            Event::Request(row) => w.requests.update(|r| {
                r.retain(|x| x.after < row.after);
                r.push(row);
            }),
            Event::WorstCase(row) => {
                let ids = row.ids.iter().cloned().collect();
                w.settings.update(|s| s.selection = Selection::Items(ids));
                w.worst_case.set(Some(row));
            }
            // Files go to the user, a crash restarts the worker, a cleared store reloads the page
            // (see `actions::on_event`).
            Event::ModelFiles(_)
            | Event::FactsFile { .. }
            | Event::StoreCleared
            | Event::Started
            | Event::Crashed(_) => {}
        }
    }
}
