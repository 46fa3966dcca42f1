//! The worker's state: what is loaded, on which device, and the run being driven.

use burn::tensor::Device;
use forgetlab::eval::{RetainReference, RetainReferences, Snapshot};
use forgetlab::methods::MethodKind;
use forgetlab::model::LoadedModel;
use forgetlab::run::{Run, RunConfig, RunState};
use forgetlab::teach::{TeachConfig, Teacher, custom_item};
use forgetlab::world::{FactWorld, QaItem};

use super::{backend, files, post};
use crate::protocol::{Backend, Command, Event, FactRow, ModelInfo, Phase};

/// Where the files live, relative to the page.
const MODEL_DIR: &str = "models/forgetlab-small";
const FLUENCY_DIR: &str = "models/fluency";
const WORLD_FILE: &str = "data/world.json";
/// The preset splits' retain-model values (eval::retain_reference), beside the default model.
const RETAIN_FILE: &str = "models/forgetlab-small/retain_reference.json";

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
}

#[derive(Default)]
pub struct Session {
    loaded: Option<Loaded>,
    backend: Backend,
    device: Option<Device>,
    /// burn initialises WebGPU once per worker; kept for switching back and forth.
    webgpu: Option<Device>,
    run: Option<Run>,
    steps: usize,
    eval_every: usize,
    playing: bool,
    custom_count: usize,
}

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
            Command::Load { base_url, backend } => self.load(&base_url, backend).await,
            Command::SwitchBackend(b) => self.switch_backend(b).await,
            Command::Configure { config, steps, eval_every } => {
                self.steps = steps;
                self.eval_every = eval_every.max(1);
                self.configure(config).await
            }
            Command::Play => self.play(),
            Command::Pause => {
                if self.playing {
                    self.playing = false;
                    post(Event::Phase(Phase::Idle));
                }
                Ok(())
            }
            Command::Step => self.step_once().await,
            Command::Stop => {
                self.playing = false;
                if let Some(run) = self.run.as_mut() {
                    run.stop();
                    post(Event::Phase(Phase::Stopped));
                }
                Ok(())
            }
            Command::Reset => self.reset().await,
            Command::SetLearningRate(lr) => match self.run.as_mut() {
                Some(run) => run.set_learning_rate(lr).map_err(|e| e.to_string()),
                None => Ok(()),
            },
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
                self.learn_fact(&question, &answer, steps).await
            }
            Command::Attack(config) => self.attack(config).await,
            Command::ExportModel => self.export_model().await,
        };
        if let Err(message) = result {
            self.playing = false;
            post(Event::Error(message));
            post(Event::Phase(self.idle_phase()));
        }
    }

    /// The relearning attack on the current weights; the phase returns to what it was.
    async fn attack(&mut self, config: forgetlab::run::AttackConfig) -> Result<(), String> {
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
        let run = self.run.as_ref().ok_or("configure a run first")?;
        let model = run.export().await.map_err(|e| e.to_string())?;
        let files = model.to_files().map_err(|e| e.to_string())?;
        post(Event::ModelFiles(
            files.into_iter().map(|(name, bytes)| (name.to_string(), bytes)).collect(),
        ));
        Ok(())
    }

    fn idle_phase(&self) -> Phase {
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

    async fn load(&mut self, base: &str, backend: Backend) -> Result<(), String> {
        post(Event::Phase(Phase::Busy));
        let base = base.trim_end_matches('/');
        let wanted = [
            (format!("{MODEL_DIR}/config.json"), true),
            (format!("{MODEL_DIR}/tokenizer.json"), true),
            (format!("{MODEL_DIR}/model.safetensors"), true),
            (format!("{FLUENCY_DIR}/config.json"), false),
            (format!("{FLUENCY_DIR}/model.safetensors"), false),
            (WORLD_FILE.to_string(), true),
            (RETAIN_FILE.to_string(), false),
        ];
        let mut got: Vec<Option<Vec<u8>>> = Vec::new();
        for (i, (path, required)) in wanted.iter().enumerate() {
            match files::fetch_bytes(&format!("{base}/{path}"), path, i, wanted.len(), &post).await
            {
                Ok(b) => got.push(Some(b)),
                Err(e) if *required => return Err(e),
                Err(e) => {
                    let lost = if path.as_str() == RETAIN_FILE {
                        "forget quality needs a retain model: it stays empty"
                    } else {
                        "the Linguistic Score will use the original model"
                    };
                    post(Event::Notice(format!("{e}; {lost}")));
                    got.push(None);
                }
            }
        }
        let bytes = |i: usize| got[i].as_deref().unwrap_or_default();
        let model = LoadedModel::from_bytes(bytes(0), bytes(2), bytes(1))
            .map_err(|e| format!("the default model could not be read: {e}"))?;
        let fluency = match (&got[3], &got[4]) {
            (Some(c), Some(w)) => match LoadedModel::from_bytes(c, w, bytes(1)) {
                Ok(m) => Some(m),
                Err(e) => {
                    post(Event::Notice(format!(
                        "the fluency model could not be read ({e}); LS uses the original model"
                    )));
                    None
                }
            },
            _ => None,
        };
        let world: FactWorld = serde_json::from_slice(bytes(5))
            .map_err(|e| format!("{WORLD_FILE} is not a fact world: {e}"))?;
        let retain = match &got[6] {
            Some(b) => {
                RetainReferences::from_json(&String::from_utf8_lossy(b)).unwrap_or_else(|e| {
                    post(Event::Notice(format!("{e}; forget quality stays empty")));
                    RetainReferences::default()
                })
            }
            None => RetainReferences::default(),
        };
        let info = ModelInfo {
            name: "forgetlab-small".into(),
            parameters: model.config.num_params(),
            layers: model.config.n_layer,
            width: model.config.n_embd,
            bytes: (bytes(0).len() + bytes(1).len() + bytes(2).len()) as u64,
        };
        post(Event::Loaded { model: info, facts: world.items.iter().map(fact_row).collect() });
        self.loaded = Some(Loaded { model, fluency, world, retain, retrained: None });
        self.switch_backend(backend).await
    }

    /// Use `wanted`, or the CPU (with a notice) when WebGPU cannot be had. The run, if any, is
    /// configured afresh on the new device.
    async fn switch_backend(&mut self, wanted: Backend) -> Result<(), String> {
        self.playing = false;
        let (backend, device, detail) = match wanted {
            Backend::Cpu => {
                (Backend::Cpu, Device::flex(), "burn flex, single-threaded wasm".to_string())
            }
            Backend::Webgpu => match backend::webgpu_adapter().await {
                Err(why) => {
                    post(Event::Notice(format!(
                        "WebGPU is not available: {why}. Running on the CPU."
                    )));
                    (Backend::Cpu, Device::flex(), "burn flex, single-threaded wasm".to_string())
                }
                Ok(adapter) => {
                    if self.webgpu.is_none() {
                        self.webgpu = Some(backend::init_webgpu().await?);
                    }
                    (Backend::Webgpu, self.webgpu.clone().expect("just set"), adapter)
                }
            },
        };
        self.backend = backend;
        self.device = Some(device);
        post(Event::BackendReady { backend, detail });
        if let Some(run) = self.run.take() {
            self.configure(run.config.clone()).await?;
        } else {
            post(Event::Phase(Phase::Idle));
        }
        Ok(())
    }

    async fn configure(&mut self, mut config: RunConfig) -> Result<(), String> {
        self.playing = false;
        post(Event::Phase(Phase::Busy));
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let device = self.device.as_ref().ok_or("no backend yet")?;
        let watch = std::mem::take(&mut config.eval.sample_ids);
        self.run = None;
        let mut run =
            Run::new(&loaded.model, &loaded.world, config, device).map_err(|e| e.to_string())?;
        if let Some(scorer) = &loaded.fluency {
            run.set_fluency_model(scorer).map_err(|e| e.to_string())?;
        }
        // The retain model: a preset split's, or a model retrained on exactly this selection here.
        if !run.use_retain_references(&loaded.retain)
            && let Some(r) = loaded.retrained.clone()
        {
            let _ = run.set_retain_reference(r); // another selection's: forget quality stays null
        }
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
        self.evaluate().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    async fn evaluate(&mut self) -> Result<(), String> {
        let run = self.run.as_ref().ok_or("no run is configured")?;
        let t = now();
        let snapshot: Snapshot = run.evaluate().await.map_err(|e| e.to_string())?;
        post(Event::Evaluated { snapshot, millis: now() - t });
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
        match self.train_step().await {
            Ok(step) => {
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
                post(Event::Error(e));
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

    async fn train_step(&mut self) -> Result<usize, String> {
        let run = self.run.as_mut().ok_or("no run is configured")?;
        let t = now();
        let report = run.step().await.map_err(|e| e.to_string())?;
        post(Event::Stepped { step: report.step, loss: report.loss, millis: now() - t });
        Ok(report.step)
    }

    async fn step_once(&mut self) -> Result<(), String> {
        self.playing = false;
        self.train_step().await?;
        self.evaluate().await?;
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    async fn reset(&mut self) -> Result<(), String> {
        self.playing = false;
        let run = self.run.as_mut().ok_or("no run is configured")?;
        run.reset().map_err(|e| e.to_string())?;
        self.evaluate().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    /// "Add your own fact": fine-tune the original model on it (with replay), live, then make the
    /// result the new original model and reconfigure the current run on it.
    async fn learn_fact(
        &mut self,
        question: &str,
        answer: &str,
        steps: usize,
    ) -> Result<(), String> {
        self.playing = false;
        let device = self.device.clone().ok_or("no backend yet")?;
        let loaded = self.loaded.as_mut().ok_or("the model is still loading")?;
        self.custom_count += 1;
        let item = custom_item(&format!("custom-{}", self.custom_count), question, answer);
        let replay = loaded.world.select("retain").map_err(|e| e.to_string())?;
        let steps = steps.clamp(1, 500);
        let mut teacher = Teacher::new(
            &loaded.model,
            std::slice::from_ref(&item),
            &replay,
            TeachConfig { steps, ..TeachConfig::default() },
            &device,
        )
        .map_err(|e| e.to_string())?;
        post(Event::Phase(Phase::Learning));
        let mut probability = teacher.new_fact_probability().await.map_err(|e| e.to_string())?;
        post(Event::Learning { step: 0, steps, loss: None, probability });
        while !teacher.finished() {
            let loss = teacher
                .step()
                .await
                .map_err(|e| format!("learning the fact failed: {e}; the model is unchanged"))?;
            probability = teacher.new_fact_probability().await.map_err(|e| e.to_string())?;
            post(Event::Learning {
                step: teacher.steps_done(),
                steps,
                loss: Some(loss),
                probability,
            });
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        loaded.model = teacher.finish().await.map_err(|e| e.to_string())?;
        loaded.world.items.push(item.clone());
        post(Event::FactLearned { fact: fact_row(&item), probability });
        if let Some(run) = self.run.take() {
            self.configure(run.config.clone()).await?;
        } else {
            post(Event::Phase(Phase::Idle));
        }
        Ok(())
    }
}
