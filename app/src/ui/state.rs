//! The page's state: signals the components read, and [`AppState::apply`], the one place where
//! worker events change them.

use std::collections::{BTreeSet, HashMap};

use forgetlab::eval::{GeneratedAnswer, Snapshot};
use forgetlab::methods::{Hyper, MethodKind};
use forgetlab::run::{EvalConfig, ForgetSelection, RunConfig};
use leptos::prelude::*;

use super::history::{RunPoint, RunRecord};
use super::url_state::UrlState;
use crate::protocol::{Backend, Command, Event, FactRow, ModelInfo, Phase};
use forgetlab::run::AttackReport;

/// Which facts to forget.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// A named split: forget01, forget05, forget10.
    Preset(String),
    /// Hand-picked item ids.
    Items(BTreeSet<String>),
}

/// How much an evaluation looks at: a trade of precision for speed (WebGPU on a software adapter
/// or a slow laptop wants Quick; a lecture demo on a fast machine can afford Thorough).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalSize {
    Quick,
    Standard,
    Thorough,
}

impl EvalSize {
    pub const ALL: [EvalSize; 3] = [EvalSize::Quick, EvalSize::Standard, EvalSize::Thorough];

    pub fn name(self) -> &'static str {
        match self {
            EvalSize::Quick => "quick",
            EvalSize::Standard => "standard",
            EvalSize::Thorough => "thorough",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EvalSize::Quick => "quick (8 items per split, 12 tokens)",
            EvalSize::Standard => "standard (32 per split, 16 tokens)",
            EvalSize::Thorough => "thorough (100 per split, 24 tokens)",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == s)
    }

    /// Evaluation sizes. Standard is small enough that an evaluation takes about as long as a few
    /// training steps in a browser tab, large enough for the forget-quality KS test to mean something.
    pub fn config(self) -> EvalConfig {
        let (n, world, tokens) = match self {
            EvalSize::Quick => (8, 8, 12),
            EvalSize::Standard => (32, 24, 16),
            EvalSize::Thorough => (100, 100, 24),
        };
        EvalConfig {
            max_forget: n,
            max_retain: n,
            max_world: world,
            max_holdout: n,
            max_new_tokens: tokens,
            sample_ids: vec![],
        }
    }
}

/// Every setting that defines a run (what Configure sends).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub method: MethodKind,
    pub hyper: Hyper,
    pub seed: u64,
    /// Play stops here.
    pub steps: usize,
    pub eval_every: usize,
    pub selection: Selection,
    pub eval_size: EvalSize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            method: MethodKind::Ga,
            hyper: MethodKind::Ga.default_hyper(),
            seed: 0,
            steps: 30,
            eval_every: 5,
            selection: Selection::Preset("forget05".into()),
            eval_size: EvalSize::Standard,
        }
    }
}

impl Settings {
    pub fn run_config(&self) -> Result<RunConfig, String> {
        let forget = match &self.selection {
            Selection::Preset(name) => ForgetSelection::Split(name.clone()),
            Selection::Items(ids) if ids.is_empty() => {
                return Err("Select at least one fact to forget (or pick a preset split).".into());
            }
            Selection::Items(ids) => ForgetSelection::Ids(ids.iter().cloned().collect()),
        };
        if self.steps == 0 {
            return Err("Steps must be at least 1.".into());
        }
        self.hyper.validate().map_err(|e| e.to_string())?;
        Ok(RunConfig {
            method: self.method,
            forget,
            hyper: self.hyper.clone(),
            seed: self.seed,
            eval: self.eval_size.config(),
        })
    }

    /// Whether going from `self` to `other` needs a fresh run (anything but lr and the schedule).
    pub fn needs_reset(&self, other: &Settings) -> bool {
        let strip = |s: &Settings| Settings {
            hyper: Hyper { lr: 0.0, ..s.hyper.clone() },
            steps: 0,
            eval_every: 0,
            ..s.clone()
        };
        strip(self) != strip(other)
    }
}

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

/// All of the page's signals. `Copy`: components take it from context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub phase: RwSignal<Phase>,
    /// Set on a click, cleared by the next Phase event: the controls answer at once.
    pub pending: RwSignal<Option<&'static str>>,
    pub backend: RwSignal<Option<(Backend, String)>>,
    pub wanted_backend: RwSignal<Backend>,
    /// (file, index, count, loaded, total) while loading.
    pub progress: RwSignal<Option<(String, usize, usize, u64, u64)>>,
    pub model: RwSignal<Option<ModelInfo>>,
    pub facts: RwSignal<Vec<FactRow>>,
    pub watchable: RwSignal<Vec<FactRow>>,
    pub watched: RwSignal<Vec<String>>,
    pub forget_count: RwSignal<usize>,
    /// Numbers a step trains: every weight, or only the LoRA adapters'.
    pub trainable: RwSignal<usize>,
    pub eval_sizes: RwSignal<[usize; 4]>,
    /// This run's evaluations, in step order (cleared when it starts over).
    pub history: RwSignal<Vec<Snapshot>>,
    pub losses: RwSignal<Vec<(usize, f64)>>,
    /// Step-0 answers, by item id: "the original model's answer".
    pub original: RwSignal<HashMap<String, GeneratedAnswer>>,
    pub step_millis: RwSignal<Vec<f64>>,
    /// Training time of the current run so far (evaluations excluded): a method's cost.
    pub train_millis: RwSignal<f64>,
    pub eval_millis: RwSignal<Option<f64>>,
    pub messages: RwSignal<Vec<(Level, String)>>,
    pub learning: RwSignal<Option<LearnProgress>>,
    pub settings: RwSignal<Settings>,
    /// The settings the worker's run was configured with.
    pub applied: RwSignal<Option<Settings>>,
    /// Teacher mode: panels and controls hidden by the link (see `share.rs`).
    pub hidden: RwSignal<BTreeSet<String>>,
    /// The open guided lab (file name without `.toml`).
    pub lab: RwSignal<Option<String>>,
    /// Kept runs (see `history.rs`).
    pub runs: RwSignal<Vec<RunRecord>>,
    /// The last relearning attack on this run.
    pub attack: RwSignal<Option<AttackReport>>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Busy),
            pending: RwSignal::new(None),
            backend: RwSignal::new(None),
            wanted_backend: RwSignal::new(Backend::Cpu),
            progress: RwSignal::new(None),
            model: RwSignal::new(None),
            facts: RwSignal::new(vec![]),
            watchable: RwSignal::new(vec![]),
            watched: RwSignal::new(vec![]),
            forget_count: RwSignal::new(0),
            trainable: RwSignal::new(0),
            eval_sizes: RwSignal::new([0; 4]),
            history: RwSignal::new(vec![]),
            losses: RwSignal::new(vec![]),
            original: RwSignal::new(HashMap::new()),
            step_millis: RwSignal::new(vec![]),
            train_millis: RwSignal::new(0.0),
            eval_millis: RwSignal::new(None),
            messages: RwSignal::new(vec![]),
            learning: RwSignal::new(None),
            settings: RwSignal::new(Settings::default()),
            applied: RwSignal::new(None),
            hidden: RwSignal::new(BTreeSet::new()),
            lab: RwSignal::new(None),
            runs: RwSignal::new(vec![]),
            attack: RwSignal::new(None),
        }
    }

    /// What the URL says now.
    pub fn url_state(&self) -> UrlState {
        UrlState {
            settings: self.settings.get_untracked(),
            backend: Some(self.wanted_backend.get_untracked()),
            hidden: self.hidden.get_untracked(),
            lab: self.lab.get_untracked(),
        }
    }

    /// Apply a link's (or a lab step's) settings on top of the current ones; invalid keys keep
    /// their values and are listed in a notice. Returns whether the backend changed.
    pub fn load_query(&self, query: &str) -> bool {
        let before = self.url_state();
        let (after, problems) = super::url_state::apply_query(&before, query);
        if !problems.is_empty() {
            self.say(
                Level::Error,
                format!(
                    "Some settings were not valid and keep their previous values: {}.",
                    problems.join("; ")
                ),
            );
        }
        self.settings.set(after.settings);
        self.hidden.set(after.hidden);
        self.lab.set(after.lab);
        let switch = after.backend.filter(|b| Some(*b) != before.backend);
        if let Some(b) = switch {
            self.wanted_backend.set(b);
        }
        switch.is_some()
    }

    /// Whether the controls accept a command now (not loading, learning or unconfigured).
    pub fn controls_ready(&self) -> bool {
        !matches!(self.phase.get_untracked(), Phase::Busy | Phase::Learning)
            && self.applied.get_untracked().is_some()
    }

    /// Run, or pause a running run (the Run/Pause button and the Space key).
    pub fn play_pause(&self) {
        if !self.controls_ready() {
            return;
        }
        if self.phase.get_untracked() == Phase::Running {
            self.pending.set(Some("Pausing…"));
            super::bridge::send(Command::Pause);
        } else if self.sync_settings() {
            self.pending.set(Some("Starting…"));
            super::bridge::send(Command::Play);
        }
    }

    /// One step (the Step button and the S key); not while running.
    pub fn step(&self) {
        if !self.controls_ready() || self.phase.get_untracked() == Phase::Running {
            return;
        }
        if self.sync_settings() {
            self.pending.set(Some("Stepping…"));
            super::bridge::send(Command::Step);
        }
    }

    /// Back to step 0 (the Reset button and the R key): a fresh run if the settings changed.
    pub fn reset(&self) {
        if !self.controls_ready() || self.phase.get_untracked() == Phase::Running {
            return;
        }
        self.pending.set(Some("Resetting…"));
        let fresh = self
            .applied
            .get_untracked()
            .is_some_and(|a| a.needs_reset(&self.settings.get_untracked()));
        if fresh {
            self.configure();
        } else {
            super::bridge::send(Command::Reset);
        }
    }

    /// [`AppState::load_query`], moving the engine to the link's backend if it differs.
    pub fn follow_link(&self, query: &str) {
        if self.load_query(query) {
            super::bridge::send(Command::SwitchBackend(self.wanted_backend.get_untracked()));
        }
    }

    /// Keep the run that just finished or stopped in the history (once per run and step).
    fn keep_run(&self) {
        let points: Vec<RunPoint> =
            self.history.with_untracked(|h| h.iter().map(RunPoint::from_snapshot).collect());
        let Some(last) = points.last() else { return };
        if last.step == 0 {
            return;
        }
        let Some(applied) = self.applied.get_untracked() else { return };
        let url = UrlState {
            settings: applied.clone(),
            backend: self.backend.get_untracked().map(|(b, _)| b),
            hidden: BTreeSet::new(),
            lab: None,
        };
        let query = super::url_state::to_query(&url);
        let mut runs = self.runs.get_untracked();
        if runs
            .last()
            .is_some_and(|r| r.query == query && r.last().map(|p| p.step) == Some(last.step))
        {
            return;
        }
        let forget = match &applied.selection {
            Selection::Preset(name) => name.clone(),
            Selection::Items(ids) => format!("{} facts", ids.len()),
        };
        let label = format!(
            "{} · lr {} · seed {} · {forget}",
            applied.method.name(),
            applied.hyper.lr,
            applied.seed
        );
        let backend =
            self.backend.get_untracked().map(|(b, _)| b.name().to_string()).unwrap_or_default();
        runs.push(RunRecord { id: js_sys::Date::now() as u64, label, query, backend, points });
        self.runs.set(super::history::save(runs));
    }

    pub fn say(&self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.messages.update(|m| {
            m.push((level, text));
            let n = m.len();
            if n > 6 {
                m.drain(..n - 6);
            }
        });
    }

    /// Start a fresh run with the current settings (the worker evaluates step 0).
    pub fn configure(&self) -> bool {
        let settings = self.settings.get_untracked();
        match settings.run_config() {
            Ok(mut config) => {
                config.eval.sample_ids = self.watched.get_untracked();
                super::bridge::send(Command::Configure {
                    config,
                    steps: settings.steps,
                    eval_every: settings.eval_every,
                });
                self.applied.set(Some(settings));
                true
            }
            Err(e) => {
                self.say(Level::Error, e);
                false
            }
        }
    }

    /// Bring the worker's run up to date with the settings: a fresh run if anything but the
    /// learning rate or the schedule changed. Returns false when the settings are invalid.
    pub fn sync_settings(&self) -> bool {
        let settings = self.settings.get_untracked();
        match self.applied.get_untracked() {
            Some(applied) if !applied.needs_reset(&settings) => {
                if let Err(e) = settings.hyper.validate() {
                    self.say(Level::Error, e.to_string());
                    return false;
                }
                if applied.hyper.lr != settings.hyper.lr {
                    super::bridge::send(Command::SetLearningRate(settings.hyper.lr));
                }
                if (applied.steps, applied.eval_every) != (settings.steps, settings.eval_every) {
                    super::bridge::send(Command::SetSchedule {
                        steps: settings.steps,
                        eval_every: settings.eval_every,
                    });
                }
                self.applied.set(Some(settings));
                true
            }
            _ => self.configure(),
        }
    }

    /// The one place where worker events change the page.
    pub fn apply(&self, event: Event) {
        match event {
            Event::Progress { file, index, count, loaded, total } => {
                self.progress.set(Some((file, index, count, loaded, total)))
            }
            Event::Loaded { model, facts } => {
                self.progress.set(None);
                self.model.set(Some(model));
                self.facts.set(facts);
            }
            Event::BackendReady { backend, detail } => {
                self.backend.set(Some((backend, detail)));
                self.wanted_backend.set(backend);
                self.step_millis.set(vec![]);
                if self.applied.get_untracked().is_none() {
                    self.configure();
                }
            }
            Event::Configured { forget_items, trainable, eval_sizes, watchable } => {
                self.forget_count.set(forget_items);
                self.trainable.set(trainable);
                self.eval_sizes.set(eval_sizes);
                self.watchable.set(watchable);
                self.history.set(vec![]);
                self.losses.set(vec![]);
                self.original.set(HashMap::new());
                self.attack.set(None);
            }
            Event::Phase(p) => {
                self.pending.set(None);
                if matches!(p, Phase::Finished | Phase::Stopped) {
                    self.keep_run();
                }
                self.phase.set(p);
            }
            Event::Attacked(report) => self.attack.set(Some(report)),
            Event::ModelFiles(files) => {
                for (name, bytes) in files {
                    super::downloads::download_bytes(&name, "application/octet-stream", &bytes);
                }
            }
            Event::Stepped { step, loss, millis } => {
                self.losses.update(|l| l.push((step, loss)));
                self.train_millis.update(|t| *t += millis);
                self.step_millis.update(|m| {
                    m.push(millis);
                    let n = m.len();
                    if n > 10 {
                        m.drain(..n - 10);
                    }
                });
            }
            Event::Evaluated { snapshot, millis } => {
                self.eval_millis.set(Some(millis));
                self.watched.set(snapshot.samples.iter().map(|s| s.id.clone()).collect());
                if snapshot.step == 0 {
                    // A fresh start (configure or reset): the curves start over.
                    self.losses.set(vec![]);
                    self.history.set(vec![]);
                    self.train_millis.set(0.0);
                    self.original.update(|o| {
                        for s in &snapshot.samples {
                            o.insert(s.id.clone(), s.clone());
                        }
                    });
                }
                self.history.update(|h| {
                    if h.last().is_some_and(|last| last.step == snapshot.step) {
                        h.pop();
                    }
                    h.push(snapshot);
                });
            }
            Event::Learning { step, steps, loss, probability } => {
                self.learning.set(Some(LearnProgress { step, steps, loss, probability }))
            }
            Event::FactLearned { fact, probability } => {
                self.say(
                    Level::Notice,
                    format!(
                        "Learned “{}” (answer probability {:.2}). Select it to forget it.",
                        fact.question, probability
                    ),
                );
                self.facts.update(|f| f.push(fact));
            }
            Event::Error(e) => {
                self.pending.set(None);
                self.say(Level::Error, e);
            }
            Event::Notice(n) => self.say(Level::Notice, n),
            Event::Started => {}
        }
    }
}
