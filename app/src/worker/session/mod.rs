//! The worker's state: what is loaded, on which device, and the run being driven.

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::eval::{RetainReference, RetainReferences, Snapshot};
use forgetlab_core::methods::MethodKind;
use forgetlab_core::model::LoadedModel;
use forgetlab_core::run::{Checkpoint, Run, RunConfig, RunState};
use forgetlab_core::world::imported::ImportedFile;
use forgetlab_core::world::{FactWorld, QaItem};

use super::store::OwnFact;
use super::{backend, post};
use crate::protocol::{Backend, BenchReport, Command, Event, FactRow, Fault, Phase};

mod device;
mod fact_files;
mod learn;
mod load;
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
    run: Option<Run>,
    /// Learn mode's continual run (learn.rs); None while an unlearning run is configured.
    learn: Option<forgetlab_core::continual::ContinualRun>,
    /// How often the continual run evaluates (and at every stage end).
    learn_eval_every: usize,
    steps: usize,
    eval_every: usize,
    playing: bool,
    custom_count: usize,
    /// The page has just opened: its first run may be the one kept from the last visit
    /// (resume.rs).
    resume_pending: bool,
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
                self.learn_eval_every = eval_every.max(1);
                self.configure_continual(config).await
            }
            Command::Edit(config) => self.edit(config).await,
            Command::Play if self.learn.is_some() => self.play_continual(),
            Command::Play => self.play(),
            Command::Pause => {
                if self.playing {
                    self.playing = false;
                    post(Event::Phase(Phase::Idle));
                }
                Ok(())
            }
            Command::Step if self.learn.is_some() => {
                self.playing = false;
                let stepped = self.step_continual(true).await;
                post(Event::Phase(self.idle_phase()));
                stepped
            }
            Command::Step => self.step_once().await,
            Command::Stop => {
                self.playing = false;
                if let Some(run) = self.learn.as_mut() {
                    run.stop();
                    post(Event::Phase(Phase::Stopped));
                }
                if let Some(run) = self.run.as_mut() {
                    run.stop();
                    post(Event::Phase(Phase::Stopped));
                }
                Ok(())
            }
            Command::Reset if self.learn.is_some() => self.reset_continual().await,
            Command::Reset => self.reset().await,
            Command::SetLearningRate(lr) => match self.run.as_mut() {
                Some(run) => run.set_learning_rate(lr).map_err(|e| e.to_string()),
                None => Ok(()),
            },
            Command::SetSchedule { steps, eval_every } if self.learn.is_some() => {
                self.steps = steps;
                self.learn_eval_every = eval_every.max(1);
                Ok(())
            }
            Command::SetSchedule { steps, eval_every } => {
                self.steps = steps;
                self.eval_every = eval_every.max(1);
                Ok(())
            }
            Command::Watch(ids) => match self.run.as_mut() {
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
        };
        if let Err(message) = result {
            self.playing = false;
            post(Event::Error(message));
            post(Event::Phase(self.idle_phase()));
        }
    }

    /// The relearning attack on the current weights; the phase returns to what it was.
    async fn attack(&mut self, config: forgetlab_core::run::AttackConfig) -> Result<(), String> {
        self.playing = false;
        let run = self.run.as_ref().ok_or("configure a run first")?;
        post(Event::Phase(Phase::Busy));
        let report = run
            .relearning_attack(&config)
            .await
            .map_err(|e| format!("the relearning attack failed: {e}"))?;
        post(Event::Attacked(report));
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    async fn export_model(&mut self) -> Result<(), String> {
        if self.learn.is_some() {
            post(Event::ModelFiles(self.export_continual().await?));
            return Ok(());
        }
        let run = self.run.as_ref().ok_or("configure a run first")?;
        let model = run.export().await.map_err(|e| e.to_string())?;
        let files = model.to_files().map_err(|e| e.to_string())?;
        post(Event::ModelFiles(
            files.into_iter().map(|(name, bytes)| (name.to_string(), bytes)).collect(),
        ));
        Ok(())
    }

    /// The in-page benchmark on a copy of the current run: one warm-up step, `steps` timed
    /// steps, one evaluation.
    async fn benchmark(&mut self, steps: usize) -> Result<(), String> {
        self.playing = false;
        let config = self.run.as_ref().ok_or("configure a run first")?.config.clone();
        post(Event::Phase(Phase::Busy));
        let mut copy = self.build_run(config)?;
        let failed = |e: ForgetError| format!("the benchmark stopped: {e}; your run is unchanged");
        copy.step().await.map_err(failed)?;
        let (start, mut tokens) = (now(), 0);
        for _ in 0..steps.max(1) {
            tokens += copy.step().await.map_err(failed)?.tokens;
        }
        let train_ms = now() - start;
        let start = now();
        copy.evaluate().await.map_err(failed)?;
        let eval_ms = now() - start;
        let steps = steps.max(1);
        post(Event::Benchmarked(BenchReport {
            backend: self.backend,
            method: copy.config.method.spec().name.to_string(),
            batch_size: copy.config.hyper.batch_size,
            steps,
            ms_per_step: train_ms / steps as f64,
            tokens_per_s: tokens as f64 / (train_ms / 1000.0).max(1e-9),
            eval_s: eval_ms / 1000.0,
        }));
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    fn idle_phase(&self) -> Phase {
        if self.learn.is_some() {
            return self.continual_phase();
        }
        match self.run.as_ref().map(|r| r.state()) {
            Some(RunState::Stopped) => Phase::Stopped,
            Some(RunState::Diverged(_)) => Phase::Diverged,
            Some(RunState::Ready)
                if self.run.as_ref().is_some_and(|r| r.step_count() >= self.steps) =>
            {
                Phase::Finished
            }
            _ => Phase::Idle,
        }
    }

    /// A run of `config` on the current device, with the fluency scorer and the retain model of
    /// its selection (a preset split's, or one retrained in this tab).
    fn build_run(&self, config: RunConfig) -> Result<Run, String> {
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let device = self.device.as_ref().ok_or("no backend yet")?;
        // The upload bar, for models whose weights take a while to place (not the built-in one).
        let file = format!("weights onto {}", self.backend.label());
        let shown = std::cell::Cell::new(0u64);
        let uploaded = |done: u64, total: u64| {
            if total >= UPLOAD_BAR_BYTES && (done - shown.get() >= total / 50 || done == total) {
                shown.set(done);
                post(Event::Progress {
                    file: file.clone(),
                    index: 0,
                    count: 1,
                    loaded: done,
                    total,
                });
            }
        };
        let mut run = Run::new_observed(&loaded.model, &loaded.world, config, device, &uploaded)
            .map_err(|e| e.to_string())?;
        if let Some(scorer) = &loaded.fluency {
            run.set_fluency_model(scorer).map_err(|e| e.to_string())?;
        }
        // The retain model: a preset split's, or a model retrained on exactly this selection here.
        if !run.use_retain_references(&loaded.retain)
            && let Some(r) = loaded.retrained.clone()
        {
            let _ = run.set_retain_reference(r); // another selection's: forget quality stays null
        }
        Ok(run)
    }

    async fn configure(&mut self, mut config: RunConfig) -> Result<(), String> {
        self.playing = false;
        post(Event::Phase(Phase::Busy));
        let watch = std::mem::take(&mut config.eval.sample_ids);
        self.run = None;
        self.learn = None;
        self.checkpoint = None;
        let mut run = self.build_run(config)?;
        let sets = run.eval_sets();
        let watch = if watch.is_empty() {
            // Default: three forget questions, two retained ones, one world fact.
            sets.forget
                .iter()
                .take(3)
                .chain(sets.retain.iter().take(2))
                .chain(sets.world.iter().take(1))
                .map(|it| it.id.clone())
                .collect()
        } else {
            watch
        };
        let watchable =
            sets.forget.iter().chain(&sets.retain).chain(&sets.world).map(fact_row).collect();
        post(Event::Configured {
            forget_items: run.forget_items().len(),
            trainable: run.trainable_parameters(),
            eval_sizes: [
                sets.forget.len(),
                sets.retain.len(),
                sets.world.len(),
                sets.holdout.len(),
            ],
            watchable,
        });
        run.set_sample_ids(watch);
        self.run = Some(run);
        self.inject_fault(0).await;
        if !self.startup.is_empty() {
            self.first_look().await;
        }
        self.evaluate().await?;
        if std::mem::take(&mut self.resume_pending) {
            self.resume_kept_run().await?;
        } else {
            self.keep_run().await;
        }
        // Idle even when a resumed run has reached its steps: Finished would keep it in the run
        // history a second time.
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    /// When the page has just opened: numbers on a few items first (core's `first_look`), then
    /// the full evaluation replaces them. A failure here is only a missed first look.
    async fn first_look(&mut self) {
        let Some(run) = self.run.as_ref() else { return };
        let t = now();
        if let Ok(snapshot) = run.evaluate_first_look(FIRST_LOOK_ITEMS).await {
            post(Event::Evaluated { snapshot, millis: now() - t });
            post(Event::Notice(format!(
                "A first look on {FIRST_LOOK_ITEMS} items per set; the full evaluation follows."
            )));
            self.startup.push(("first look".into(), now()));
        }
    }

    /// Evaluate and show the current weights; on WebGPU, keep them on the host too. A failed
    /// WebGPU device moves the run to the CPU (device.rs).
    async fn evaluate(&mut self) -> Result<(), String> {
        match self.try_evaluate().await {
            Err(e) if self.device_failed(&e) => self.fall_back_to_cpu(e.to_string()).await,
            result => result.map_err(|e| e.to_string()),
        }
    }

    async fn try_evaluate(&mut self) -> Result<(), ForgetError> {
        let run =
            self.run.as_ref().ok_or(ForgetError::InvalidConfig("no run is configured".into()))?;
        let t = now();
        let snapshot: Snapshot = run.evaluate().await?;
        post(Event::Evaluated { snapshot, millis: now() - t });
        post(super::memory::engine_memory());
        if !self.startup.is_empty() {
            let mut phases = std::mem::take(&mut self.startup);
            phases.push(("first evaluation".into(), now()));
            post(Event::Startup(phases));
        }
        if self.backend == Backend::Webgpu {
            self.checkpoint = Some(run.checkpoint().await?);
        }
        Ok(())
    }

    fn play(&mut self) -> Result<(), String> {
        let run = self.run.as_ref().ok_or("no run is configured")?;
        match run.state() {
            RunState::Ready if run.step_count() < self.steps => {
                self.playing = true;
                post(Event::Phase(Phase::Running));
                Ok(())
            }
            RunState::Ready => Err(format!(
                "the run has reached its {} steps: raise Steps to go on, or Reset",
                self.steps
            )),
            RunState::Stopped => Err("the run was stopped: Reset to start over".into()),
            RunState::Diverged(why) => Err(format!("{why}: Reset to start over")),
        }
    }

    /// One step, and an evaluation when the schedule says so. Ends Play at the step count.
    pub async fn play_one(&mut self) {
        if self.learn.is_some() {
            if let Err(e) = self.step_continual(false).await {
                self.playing = false;
                post(Event::Error(e));
                post(Event::Phase(self.idle_phase()));
            }
            return;
        }
        match self.train_step().await {
            Err(e) if self.device_failed(&e) => {
                if let Err(e) = self.fall_back_to_cpu(e.to_string()).await {
                    self.playing = false;
                    post(Event::Error(e));
                    post(Event::Phase(self.idle_phase()));
                }
            }
            Ok(step) => {
                self.keep_run().await;
                let last = step >= self.steps;
                if (step % self.eval_every == 0 || last)
                    && let Err(e) = self.evaluate().await
                {
                    self.playing = false;
                    post(Event::Error(e));
                }
                if last && self.playing {
                    self.playing = false;
                    if let Err(e) = self.keep_retrained().await {
                        post(Event::Error(e));
                    }
                    post(Event::Phase(Phase::Finished));
                }
            }
            Err(e) => {
                self.playing = false;
                post(Event::Error(e.to_string()));
                // The run restored its last good weights: show them.
                let _ = self.evaluate().await;
                post(Event::Phase(self.idle_phase()));
            }
        }
    }

    /// After a Retrain run reaches its steps, its model is the retain model of its selection:
    /// later runs on the same facts compute forget quality against it.
    async fn keep_retrained(&mut self) -> Result<(), String> {
        let Some(run) = self.run.as_ref().filter(|r| r.config.method == MethodKind::Retrain) else {
            return Ok(());
        };
        let label =
            format!("model retrained from scratch in this tab ({} steps)", run.step_count());
        let reference = run
            .as_retain_reference(&label)
            .await
            .map_err(|e| format!("keeping the retrained model as a retain model failed: {e}"))?;
        if let Some(loaded) = self.loaded.as_mut() {
            loaded.retrained = Some(reference);
            post(Event::Notice("This selection now has a retain model: the model you retrained. Forget quality of other methods on the same facts compares with it.".into()));
        }
        Ok(())
    }

    async fn train_step(&mut self) -> Result<usize, ForgetError> {
        let next = self.run.as_ref().map_or(1, |r| r.step_count() + 1);
        self.inject_fault(next).await;
        let run =
            self.run.as_mut().ok_or(ForgetError::InvalidConfig("no run is configured".into()))?;
        let t = now();
        let report = run.step().await?;
        post(Event::Stepped { step: report.step, loss: report.loss, millis: now() - t });
        Ok(report.step)
    }

    async fn step_once(&mut self) -> Result<(), String> {
        self.playing = false;
        match self.train_step().await {
            Err(e) if self.device_failed(&e) => self.fall_back_to_cpu(e.to_string()).await?,
            result => {
                result.map_err(|e| e.to_string())?;
                self.keep_run().await;
                self.evaluate().await?;
            }
        }
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    async fn reset(&mut self) -> Result<(), String> {
        self.playing = false;
        let run = self.run.as_mut().ok_or("no run is configured")?;
        run.reset().map_err(|e| e.to_string())?;
        self.keep_run().await;
        self.evaluate().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }
}
