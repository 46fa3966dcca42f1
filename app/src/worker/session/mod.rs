//! The worker's state: what is loaded, on which device, and the run being driven.

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::continual::ContinualRun;
use forgetlab_core::eval::{RetainReference, RetainReferences};
use forgetlab_core::model::LoadedModel;
use forgetlab_core::run::{Checkpoint, Run, RunState};
use forgetlab_core::world::imported::ImportedFile;
use forgetlab_core::world::{FactWorld, QaItem};

use super::store::OwnFact;
use super::{backend, post};
use crate::protocol::{Backend, Command, Event, FactRow, Fault, Phase};

mod device;
mod fact_files;
mod forget;
mod learn;
mod load;
mod requests;
mod resume;
mod teach;
mod teach_world;
mod user_model;

/// What was fetched.
struct Loaded {
    /// The model runs start from: the default model, or it after learning the user's facts.
    model: LoadedModel,
    /// The Linguistic Score's scorer (absent if the files are).
    fluency: Option<LoadedModel>,
    world: FactWorld,
    /// The preset splits' retain models, as per-item values (absent if the file is).
    retain: RetainReferences,
    /// A model retrained from scratch in this tab: the retain model of its forget selection.
    retrained: Option<RetainReference>,
    /// The fact files the user imported (their items are in `world`).
    imports: Vec<ImportedFile>,
}

/// The run the session drives: an unlearning run (Forget mode, forget.rs) or a continual one
/// (Learn mode, learn.rs), never both. Play, Pause, Step, Stop, Reset and the model export act on
/// whichever it is; every change of model or device sets it up again ([`Session::reconfigure`]).
#[allow(clippy::large_enum_variant)] // one value, held by the session for its whole life
enum ActiveRun {
    Forget(Run),
    Learn(ContinualRun),
}

impl ActiveRun {
    fn state(&self) -> &RunState {
        match self {
            Self::Forget(run) => run.state(),
            Self::Learn(run) => run.state(),
        }
    }

    fn step_count(&self) -> usize {
        match self {
            Self::Forget(run) => run.step_count(),
            Self::Learn(run) => run.step_count(),
        }
    }

    fn stop(&mut self) {
        match self {
            Self::Forget(run) => run.stop(),
            Self::Learn(run) => run.stop(),
        }
    }

    fn reset(&mut self) -> Result<(), ForgetError> {
        match self {
            Self::Forget(run) => run.reset(),
            Self::Learn(run) => run.reset(),
        }
    }

    async fn export(&self) -> Result<LoadedModel, ForgetError> {
        match self {
            Self::Forget(run) => run.export().await,
            Self::Learn(run) => run.export().await,
        }
    }
}

#[derive(Default)]
pub struct Session {
    loaded: Option<Loaded>,
    backend: Backend,
    device: Option<Device>,
    /// burn initialises WebGPU once per worker; kept for switching back and forth.
    webgpu: Option<backend::WebGpu>,
    /// Why WebGPU was lost, if it was: it is not tried again in this worker.
    webgpu_lost: Option<String>,
    /// The run's state on the host after its last evaluation on WebGPU: where it continues on
    /// the CPU if the device is lost (device.rs).
    checkpoint: Option<Checkpoint>,
    /// A test-only fault to inject (protocol::Fault).
    fault: Option<Fault>,
    /// When each start-up phase ended (ms since the epoch), posted once after the first
    /// evaluation as [`Event::Startup`].
    startup: Vec<(String, f64)>,
    /// The run the page drives, if one is configured.
    active: Option<ActiveRun>,
    /// The steps an unlearning run plays to (a continual run's come from its stages).
    steps: usize,
    /// How often the run evaluates (a continual run also at every stage end).
    eval_every: usize,
    playing: bool,
    custom_count: usize,
    /// The page has just opened: its first run may be the one kept from the last visit
    /// (resume.rs).
    resume_pending: bool,
    /// Whether the training code has run once in this worker (forget.rs, `warm_up`).
    warmed_up: bool,
}

/// Models whose weights (both copies) reach this many bytes show an upload progress bar.
const UPLOAD_BAR_BYTES: u64 = 8 << 20;

/// Items per evaluation set in the first look at start-up: enough for every number to show.
const FIRST_LOOK_ITEMS: usize = 4;

fn now() -> f64 {
    js_sys::Date::now()
}

pub fn fact_row(it: &QaItem) -> FactRow {
    let split = serde_json::to_value(it.split)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    FactRow {
        id: it.id.clone(),
        author: it.author.clone(),
        question: it.question.clone(),
        answer: it.answer.clone(),
        split,
        kind: it.kind.clone(),
    }
}

impl Session {
    pub fn playing(&self) -> bool {
        self.playing
    }

    pub async fn handle(&mut self, cmd: Command) {
        let result = match cmd {
            Command::Load { base_url, backend, fault, built_in } => {
                self.fault = fault;
                if built_in {
                    self.forget_user_model().await;
                }
                self.load(&base_url, backend).await
            }
            Command::SwitchBackend(b) => self.switch_backend(b).await,
            Command::Configure { config, steps, eval_every } => {
                self.steps = steps;
                self.eval_every = eval_every.max(1);
                self.configure(config).await
            }
            Command::ConfigureContinual { config, eval_every } => {
                self.eval_every = eval_every.max(1);
                self.configure_continual(config).await
            }
            Command::Edit(config) => self.edit(config).await,
            Command::Play => self.play(),
            Command::Pause => {
                if self.playing {
                    self.playing = false;
                    post(Event::Phase(Phase::Idle));
                }
                Ok(())
            }
            Command::Step => self.step().await,
            Command::Stop => {
                self.playing = false;
                if let Some(run) = self.active.as_mut() {
                    run.stop();
                    post(Event::Phase(Phase::Stopped));
                }
                Ok(())
            }
            Command::Reset => self.reset().await,
            Command::SetLearningRate(lr) => match self.forget_run_mut() {
                Some(run) => run.set_learning_rate(lr).map_err(|e| e.to_string()),
                None => Ok(()),
            },
            Command::SetSchedule { steps, eval_every } => {
                self.steps = steps;
                self.eval_every = eval_every.max(1);
                Ok(())
            }
            Command::Watch(ids) => match self.forget_run_mut() {
                Some(run) => {
                    run.set_sample_ids(ids);
                    self.evaluate().await
                }
                None => Ok(()),
            },
            Command::LearnFact { question, answer, steps } => {
                self.teach_fact(&OwnFact { question, answer, steps }, true).await
            }
            Command::Attack(config) => self.attack(config).await,
            Command::ExportModel => self.export_model().await,
            Command::LoadModel { name, files, batch_size, lora_rank } => {
                self.playing = false;
                self.load_user_model(&name, &files, batch_size, lora_rank).await
            }
            Command::ImportFacts(file) => self.import_facts(file).await,
            Command::ExportFacts { ids, file_name } => self.export_facts(&ids, &file_name),
            Command::StartOver => self.start_over().await,
            Command::TeachWorld { steps, lr, lora_rank } => {
                self.teach_world(steps, lr, lora_rank, true).await
            }
            Command::Benchmark { steps } => self.benchmark(steps).await,
            Command::WorstCase { pool, authors } => self.worst_case(&pool, authors).await,
            Command::Requests { requests, steps } => self.requests(requests, steps).await,
        };
        if let Err(message) = result {
            self.playing = false;
            post(Event::Error(message));
            post(Event::Phase(self.idle_phase()));
        }
    }

    fn forget_run(&self) -> Option<&Run> {
        match &self.active {
            Some(ActiveRun::Forget(run)) => Some(run),
            _ => None,
        }
    }

    fn forget_run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.active {
            Some(ActiveRun::Forget(run)) => Some(run),
            _ => None,
        }
    }

    fn learn_run(&self) -> Option<&ContinualRun> {
        match &self.active {
            Some(ActiveRun::Learn(run)) => Some(run),
            _ => None,
        }
    }

    /// The step the active run plays to.
    fn total_steps(&self) -> usize {
        match &self.active {
            Some(ActiveRun::Learn(run)) => run.total_steps(),
            _ => self.steps,
        }
    }

    /// The active run set up afresh from its settings on the current model and device, or Idle
    /// when there is none: what a backend switch, a taught fact, the taught authors and a loaded
    /// model all end with. The old run is dropped first, so two copies never share the memory.
    async fn reconfigure(&mut self) -> Result<(), String> {
        match self.active.take() {
            Some(ActiveRun::Forget(run)) => {
                let config = run.config.clone();
                drop(run);
                self.configure(config).await
            }
            Some(ActiveRun::Learn(run)) => {
                let config = run.config.clone();
                drop(run);
                self.configure_continual(config).await
            }
            None => {
                post(Event::Phase(Phase::Idle));
                Ok(())
            }
        }
    }

    fn idle_phase(&self) -> Phase {
        match self.active.as_ref().map(|run| (run.state(), run.step_count())) {
            Some((RunState::Stopped, _)) => Phase::Stopped,
            Some((RunState::Diverged(_), _)) => Phase::Diverged,
            Some((RunState::Ready, done)) if done >= self.total_steps() => Phase::Finished,
            _ => Phase::Idle,
        }
    }

    fn play(&mut self) -> Result<(), String> {
        let run = self.active.as_ref().ok_or("no run is configured")?;
        let total = self.total_steps();
        match run.state() {
            RunState::Ready if run.step_count() < total => {
                self.playing = true;
                post(Event::Phase(Phase::Running));
                Ok(())
            }
            RunState::Ready => Err(match run {
                ActiveRun::Forget(_) => {
                    format!("the run has reached its {total} steps: raise Steps to go on, or Reset")
                }
                ActiveRun::Learn(_) => {
                    format!("the run has done all its {total} steps: Reset to start over")
                }
            }),
            RunState::Stopped => Err("the run was stopped: Reset to start over".into()),
            RunState::Diverged(why) => Err(format!("{why}: Reset to start over")),
        }
    }

    /// While playing: one step, and an evaluation when the schedule says so; Play ends at the
    /// last step or at an error.
    pub async fn play_one(&mut self) {
        let result = match self.active {
            Some(ActiveRun::Learn(_)) => self.step_continual(false).await,
            _ => self.play_forget_step().await,
        };
        if let Err(e) = result {
            self.playing = false;
            post(Event::Error(e));
            post(Event::Phase(self.idle_phase()));
        }
    }

    /// Step: one step, then an evaluation whatever the schedule.
    async fn step(&mut self) -> Result<(), String> {
        self.playing = false;
        match self.active {
            Some(ActiveRun::Learn(_)) => self.step_continual(true).await?,
            _ => self.step_forget().await?,
        }
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    /// Evaluate and show the current weights (a failed WebGPU device moves the run to the CPU).
    async fn evaluate(&mut self) -> Result<(), String> {
        match self.active {
            Some(ActiveRun::Learn(_)) => self.evaluate_continual().await,
            _ => self.evaluate_forget().await,
        }
    }

    async fn reset(&mut self) -> Result<(), String> {
        self.playing = false;
        let run = self.active.as_mut().ok_or("no run is configured")?;
        run.reset().map_err(|e| e.to_string())?;
        self.keep_run().await;
        self.evaluate().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    /// The run's model as Hugging Face files.
    async fn export_model(&mut self) -> Result<(), String> {
        let run = self.active.as_ref().ok_or("configure a run first")?;
        let model = run.export().await.map_err(|e| e.to_string())?;
        let files = model.to_files().map_err(|e| e.to_string())?;
        post(Event::ModelFiles(
            files.into_iter().map(|(name, bytes)| (name.to_string(), bytes)).collect(),
        ));
        Ok(())
    }
}
