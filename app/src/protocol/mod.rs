//! The typed messages between the page and the worker. Data flows one way:
//! UI → [`Command`] → worker → engine → [`Event`] → UI.
//!
//! Both sides serialize these enums with serde as JSON text for `postMessage` (metrics that can be
//! NaN travel as `null`, see `forgetlab_core::eval`); nothing else crosses the boundary, so a
//! message the other side cannot parse is a bug, reported as an error. (JSON, not
//! serde-wasm-bindgen: the latter took 25 s to decode the 2,300-row fact list in Chromium;
//! serde_json takes milliseconds.)

use forgetlab_core::continual::{ContinualConfig, ContinualSnapshot};
use forgetlab_core::edit::{EditConfig, EditReport};
use forgetlab_core::eval::Snapshot;
use forgetlab_core::run::RunConfig;
use serde::{Deserialize, Serialize};

mod rows;
pub use rows::{
    BenchReport, EditRow, FactRow, LocalFile, ModelInfo, RequestRow, StageInfo, WorstCaseRow,
};

/// Where the engine computes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// burn's `flex` CPU backend compiled to wasm: works everywhere.
    #[default]
    Cpu,
    /// burn-wgpu on the browser's WebGPU.
    Webgpu,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Cpu => "CPU (wasm)",
            Backend::Webgpu => "WebGPU",
        }
    }

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "cpu",
            Backend::Webgpu => "webgpu",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cpu" => Some(Backend::Cpu),
            "webgpu" => Some(Backend::Webgpu),
            _ => None,
        }
    }
}

/// Faults the tests inject to exercise the fail-safe paths (the page's `?fault=` switch, read
/// once at start and never passed to a restarted worker).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// `fault=webgpu-device`: creating the WebGPU device fails.
    WebgpuDevice,
    /// `fault=device-lost@N`: the WebGPU device is destroyed (a real `device.lost`) before step N
    /// (N = 0: once the run is configured, before its first evaluation).
    DeviceLost { at_step: usize },
    /// `fault=panic@N`: the worker panics before step N (N = 0: before the run's first
    /// evaluation), as a bug or an out-of-memory would.
    Panic { at_step: usize },
}

impl Fault {
    pub fn parse(s: &str) -> Option<Self> {
        let at = |name: &str| s.strip_prefix(name)?.strip_prefix('@')?.parse().ok();
        match s {
            "webgpu-device" => Some(Fault::WebgpuDevice),
            _ => at("device-lost")
                .map(|at_step| Fault::DeviceLost { at_step })
                .or_else(|| at("panic").map(|at_step| Fault::Panic { at_step })),
        }
    }
}

/// The page asks the worker to do something.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Fetch the model and the fact world from `base_url` (the page's own origin) and start
    /// computing on `backend` (the worker falls back to the CPU when WebGPU has no adapter).
    Load {
        base_url: String,
        backend: Backend,
        /// A test-only fault to inject (the page's `?fault=` switch); None in normal use.
        #[serde(default)]
        fault: Option<Fault>,
        /// "Back to the built-in model": forget the model the user loaded (the tab keeps it
        /// otherwise, and brings it back).
        #[serde(default)]
        built_in: bool,
    },
    /// Move the run to another backend (it is configured afresh there, at step 0).
    SwitchBackend(Backend),
    /// A fresh run from the original weights; evaluates step 0. `steps` is where Play stops.
    Configure { config: RunConfig, steps: usize, eval_every: usize },
    /// Learn mode: a fresh continual run from the original weights, which Play, Pause, Step,
    /// Stop and Reset then drive; evaluates step 0, then every `eval_every` steps and at every
    /// stage end. An `own` stage with no items gets the facts the user taught in this tab.
    ConfigureContinual { config: ContinualConfig, eval_every: usize },
    /// Edit facts three ways (IKE, fine-tuning, fine-tuning with REMIX) on the original model
    /// and measure each ([`Event::EditsChosen`], then one [`Event::Edited`] per way).
    Edit(EditConfig),
    /// Step until `steps`, evaluating every `eval_every` steps.
    Play,
    /// Stop stepping after the current step; the run can continue with Play.
    Pause,
    /// One step, then an evaluation.
    Step,
    /// End the run (the weights stay; Reset starts over).
    Stop,
    /// Back to the original weights exactly, and the step-0 evaluation.
    Reset,
    /// Change the learning rate without resetting (as TensorFlow Playground does).
    SetLearningRate(f64),
    /// Change where Play stops and how often it evaluates, without resetting.
    SetSchedule { steps: usize, eval_every: usize },
    /// Which items' generations the snapshots carry; re-evaluates now.
    Watch(Vec<String>),
    /// Teach the model a new fact (a few fine-tuning steps, shown live); it then becomes part of
    /// the original model, so Reset keeps it, and it can be selected for forgetting.
    LearnFact { question: String, answer: String, steps: usize },
    /// The relearning attack on the run's current weights (the run itself is not changed).
    Attack(forgetlab_core::run::AttackConfig),
    /// The run's current model as Hugging Face files (for ULD, its assistant).
    ExportModel,
    /// Replace the model by the user's: a Hugging Face folder's files, given as this tab's
    /// `blob:` URLs (the bytes never leave the tab). `config.json` is read first and the memory a
    /// run at `batch_size` (and `lora_rank`) needs is checked before any weight is read; a model
    /// that does not fit, or malformed files, leave the current model as it was.
    LoadModel { name: String, files: Vec<LocalFile>, batch_size: usize, lora_rank: usize },
    /// Import a TOFU fact file (JSON array or JSON Lines): its items join the facts as the user's
    /// own, and the file is kept in the tab (IndexedDB) for the next visit. A file of the same
    /// name replaces the earlier one; a malformed file changes nothing.
    ImportFacts(forgetlab_core::world::imported::ImportedFile),
    /// These facts as a TOFU file ([`Event::FactsFile`]), in the fact list's order.
    ExportFacts { ids: Vec<String>, file_name: String },
    /// Forget what the tab keeps (imported files, facts taught); the page then reloads.
    StartOver,
    /// "Teach it the authors": fine-tune the loaded model on the fact world (core's `finetune`,
    /// live), make it the model runs start from, and measure its quality bar.
    TeachWorld { steps: usize, lr: f64, lora_rank: usize },
    /// The in-page benchmark: a copy of the current run (which is not changed) trains `steps`
    /// steps after one warm-up step, then evaluates once ([`Event::Benchmarked`]).
    Benchmark { steps: usize },
    /// Find the `authors` authors of the `pool` split hardest to unlearn, by core's stated proxy
    /// ([`Event::WorstCase`]); the page then selects them.
    WorstCase { pool: String, authors: usize },
    /// The current run's forget set as `requests` sequential requests of `steps` steps each, on
    /// copies ([`Event::Request`] before the first and after each).
    Requests { requests: usize, steps: usize },
}

/// The worker's run lifecycle, as the controls need it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Phase {
    /// Loading files or configuring.
    #[default]
    Busy,
    /// Configured, not stepping.
    Idle,
    Running,
    /// Play reached its step count.
    Finished,
    /// Stopped by the user: Reset to start over.
    Stopped,
    /// A non-finite loss stopped the run; the last good weights stay.
    Diverged,
    /// Learning a user's fact.
    Learning,
}

/// The worker tells the page what happened.
// An event is made once per message and serialised at once, so boxing the snapshot would save
// nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's program is running and listening (messages sent before this are lost).
    Started,
    /// Bytes fetched so far of file `index` (of `count`); `total` is 0 when the server did not say.
    Progress {
        file: String,
        index: usize,
        count: usize,
        loaded: u64,
        total: u64,
    },
    /// Files are in; the facts panel can fill.
    Loaded {
        model: ModelInfo,
        facts: Vec<FactRow>,
    },
    /// The backend that computes now, and what the adapter says about itself.
    BackendReady {
        backend: Backend,
        detail: String,
    },
    /// A run was configured (Forget or Learn mode: one run at a time); its curves start over.
    Configured(RunSetup),
    Phase(Phase),
    /// One training step of the run finished.
    Stepped {
        step: usize,
        loss: f64,
        millis: f64,
    },
    /// The live estimate after a step between two evaluations (Forget mode; core's
    /// `run::estimate`): replaced by the next full evaluation.
    Estimated(forgetlab_core::run::Estimate),
    /// An evaluation of the run finished (step 0 right after Configure and Reset).
    Evaluated {
        snapshot: RunSnapshot,
        millis: f64,
    },
    /// The counterfactual edits the comparison makes.
    EditsChosen(Vec<EditRow>),
    /// One way of editing, measured.
    Edited {
        report: EditReport,
        millis: f64,
    },
    /// A step of "add your own fact": loss and the new fact's probability.
    Learning {
        step: usize,
        steps: usize,
        loss: Option<f64>,
        probability: f64,
    },
    /// The fact is learned and selectable.
    FactLearned {
        fact: FactRow,
        probability: f64,
    },
    /// The relearning attack's result.
    Attacked(forgetlab_core::run::AttackReport),
    /// The current model's files, (name, bytes): config.json, model.safetensors, tokenizer.json.
    ModelFiles(Vec<(String, Vec<u8>)>),
    /// The fact list changed (a file was imported): every row, in order.
    Facts(Vec<FactRow>),
    /// A TOFU file to save: its name and text.
    FactsFile {
        name: String,
        text: String,
    },
    /// What the tab kept is gone ([`Command::StartOver`]).
    StoreCleared,
    /// The worst-case forget set ([`Command::WorstCase`]).
    WorstCase(WorstCaseRow),
    /// Every request's set measured after request `after` (0: before the first).
    Request(RequestRow),
    /// A step of "Teach it the authors".
    TeachingWorld {
        step: usize,
        steps: usize,
        loss: f64,
    },
    /// The in-page benchmark's figures.
    Benchmarked(BenchReport),
    /// The model's quality bar (after "Teach it the authors", on a sample of each set).
    QualityBar(forgetlab_core::eval::quality_bar::QualityBar),
    /// Something went wrong; the message says what and what was kept.
    Error(String),
    /// A warning that does not stop anything (e.g. WebGPU unavailable, using the CPU).
    Notice(String),
    /// The worker's program crashed (a panic; the page restarts the worker).
    Crashed(String),
    /// The worker's memory after an evaluation, in bytes: its wasm memory (it only grows) and the
    /// bytes allocated in it and not freed (a leak shows here first).
    EngineMemory {
        reserved: u64,
        live: u64,
    },
    /// Where the first start-up went: when each phase ended (ms since the epoch), from the worker
    /// program starting to the first evaluation's metrics.
    Startup(Vec<(String, f64)>),
}

/// What a configured run is, as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RunSetup {
    /// An unlearning run: how many items it forgets, how many numbers a step trains (every
    /// weight, or LoRA's adapters), the evaluation sets' sizes and the items it can watch.
    Forget {
        forget_items: usize,
        trainable: usize,
        eval_sizes: [usize; 4],
        watchable: Vec<FactRow>,
    },
    /// A continual run: its stages and the learning rate of every step.
    Learn { stages: Vec<StageInfo>, lr: Vec<f64> },
}

/// An evaluation of the run, in its mode's terms.
#[allow(clippy::large_enum_variant)] // made once per message and serialised at once, as Event
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RunSnapshot {
    Forget(Snapshot),
    Learn(ContinualSnapshot),
}

/// Encode a message for `postMessage`.
#[cfg(target_arch = "wasm32")]
pub fn encode<T: Serialize>(message: &T) -> Result<wasm_bindgen::JsValue, String> {
    serde_json::to_string(message)
        .map(|text| wasm_bindgen::JsValue::from_str(&text))
        .map_err(|e| e.to_string())
}

/// Decode a message received from `postMessage`.
#[cfg(target_arch = "wasm32")]
pub fn decode<T: for<'de> Deserialize<'de>>(value: wasm_bindgen::JsValue) -> Result<T, String> {
    let text = value.as_string().ok_or("a message that is not text")?;
    decode_text(&text)
}

/// A message's JSON text as a [`Command`] or [`Event`], or what is wrong with it (the part of
/// [`decode`] the fuzz test drives natively).
pub fn decode_text<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_switches_parse() {
        assert_eq!(Fault::parse("webgpu-device"), Some(Fault::WebgpuDevice));
        assert_eq!(Fault::parse("device-lost@3"), Some(Fault::DeviceLost { at_step: 3 }));
        assert_eq!(Fault::parse("panic@0"), Some(Fault::Panic { at_step: 0 }));
        for bad in ["", "panic", "panic@", "panic@x", "device-lost@-1", "explode@2"] {
            assert_eq!(Fault::parse(bad), None, "{bad}");
        }
    }
}
