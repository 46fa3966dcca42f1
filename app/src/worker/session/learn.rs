//! Learn mode in the worker: a continual run (core's `continual`) driven by the same Play,
//! Pause, Step, Stop and Reset as an unlearning run, and the editing comparison (core's `edit`).
//! While a continual run is configured the session has no unlearning run, and the other way
//! round.

use forgetlab_core::continual::{ContinualConfig, ContinualRun, StageData};
use forgetlab_core::edit::{self, EditConfig, EditMethod};
use forgetlab_core::run::RunState;
use forgetlab_core::{ForgetError, continual::OWN_NEEDS_ITEMS};

use super::{Session, now};
use crate::protocol::{EditRow, Event, Phase, StageInfo};
use crate::worker::post;

impl Session {
    /// A fresh continual run of `config` on the current device; evaluates step 0.
    pub(super) async fn configure_continual(
        &mut self,
        mut config: ContinualConfig,
    ) -> Result<(), String> {
        self.playing = false;
        post(Event::Phase(Phase::Busy));
        self.run = None;
        self.learn = None;
        self.checkpoint = None;
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let device = self.device.as_ref().ok_or("no backend yet")?;
        // `own` stages: the facts taught in this tab ("Add your own fact").
        let own: Vec<_> =
            loaded.world.items.iter().filter(|it| it.id.starts_with("custom-")).cloned().collect();
        for stage in &mut config.stages {
            if let StageData::Own { items } = &mut stage.data
                && items.is_empty()
            {
                if own.is_empty() {
                    return Err(format!(
                        "{OWN_NEEDS_ITEMS}: add one in Forget mode's facts panel first"
                    ));
                }
                *items = own.clone();
            }
        }
        let curve = config.schedule.curve(config.lr, &config.stage_steps());
        let run = ContinualRun::new(&loaded.model, &loaded.world, config, device)
            .map_err(|e| e.to_string())?;
        let stages = run
            .config
            .stages
            .iter()
            .enumerate()
            .map(|(k, s)| StageInfo {
                name: s.data.name(),
                steps: s.steps,
                items: run.stage_items(k).len(),
                pool: run.pool_len(k),
                mixing: s.mixing.name().to_string(),
            })
            .collect();
        post(Event::ContinualConfigured { stages, lr: curve });
        self.learn = Some(run);
        self.evaluate_continual().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    pub(super) async fn evaluate_continual(&mut self) -> Result<(), String> {
        let run = self.learn.as_ref().ok_or("no continual run is configured")?;
        let t = now();
        match run.evaluate().await {
            Ok(snapshot) => {
                post(Event::ContinualEvaluated { snapshot, millis: now() - t });
                post(crate::worker::memory::engine_memory());
                Ok(())
            }
            Err(e) if self.device_failed(&e) => self.continual_to_cpu(e).await,
            Err(e) => Err(e.to_string()),
        }
    }

    /// The continual run's phase when it is not stepping.
    pub(super) fn continual_phase(&self) -> Phase {
        match self.learn.as_ref() {
            Some(run) => match run.state() {
                RunState::Stopped => Phase::Stopped,
                RunState::Diverged(_) => Phase::Diverged,
                RunState::Ready if run.step_count() >= run.total_steps() => Phase::Finished,
                RunState::Ready => Phase::Idle,
            },
            None => Phase::Idle,
        }
    }

    pub(super) fn play_continual(&mut self) -> Result<(), String> {
        let run = self.learn.as_ref().ok_or("no continual run is configured")?;
        match run.state() {
            RunState::Ready if run.step_count() < run.total_steps() => {
                self.playing = true;
                post(Event::Phase(Phase::Running));
                Ok(())
            }
            RunState::Ready => Err(format!(
                "the run has done all its {} steps: Reset to start over",
                run.total_steps()
            )),
            RunState::Stopped => Err("the run was stopped: Reset to start over".into()),
            RunState::Diverged(why) => Err(format!("{why}: Reset to start over")),
        }
    }

    /// One step; an evaluation every `eval_every` steps, at every stage end and at the last
    /// step (`always`: after this step in any case, as Step does).
    pub(super) async fn step_continual(&mut self, always: bool) -> Result<(), String> {
        let next = self.learn.as_ref().map_or(1, |r| r.step_count() + 1);
        self.inject_fault(next).await;
        let run = self.learn.as_mut().ok_or("no continual run is configured")?;
        let t = now();
        match run.step().await {
            Ok(step) => {
                post(Event::ContinualStepped { step, millis: now() - t });
                let run = self.learn.as_ref().expect("stepped");
                let last = run.step_count() >= run.total_steps();
                if always
                    || last
                    || run.at_stage_end()
                    || run.step_count().is_multiple_of(self.learn_eval_every)
                {
                    self.evaluate_continual().await?;
                }
                if last && self.playing {
                    self.playing = false;
                    post(Event::Phase(Phase::Finished));
                }
                Ok(())
            }
            Err(e) if self.device_failed(&e) => self.continual_to_cpu(e).await,
            Err(e) => {
                self.playing = false;
                let message = e.to_string();
                // A divergence restored the last good weights: show them.
                let _ = self.evaluate_continual().await;
                Err(message)
            }
        }
    }

    /// WebGPU failed during a continual run: the same run starts again on the CPU, at step 0.
    async fn continual_to_cpu(&mut self, error: ForgetError) -> Result<(), String> {
        let why = error.to_string();
        let config = self.learn.take().map(|r| r.config.clone());
        self.fall_back_to_cpu(why.clone()).await?;
        if let Some(config) = config {
            post(Event::Notice(format!(
                "WebGPU failed ({why}). The continual run starts again on the CPU from step 0, with the same settings."
            )));
            let playing = self.playing;
            Box::pin(self.configure_continual(config)).await?;
            self.playing = playing;
            if playing {
                post(Event::Phase(Phase::Running));
            }
        }
        Ok(())
    }

    pub(super) async fn reset_continual(&mut self) -> Result<(), String> {
        self.playing = false;
        let run = self.learn.as_mut().ok_or("no continual run is configured")?;
        run.reset().map_err(|e| e.to_string())?;
        self.evaluate_continual().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    /// The editing comparison on the original model: the edits, then each way's measurements.
    pub(super) async fn edit(&mut self, config: EditConfig) -> Result<(), String> {
        self.playing = false;
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let device = self.device.clone().ok_or("no backend yet")?;
        if config.edits == 0 {
            return Err("choose at least one edit".into());
        }
        post(Event::Phase(Phase::Busy));
        let edits = edit::counterfactuals(&loaded.world, config.edits, config.seed)
            .map_err(|e| e.to_string())?;
        post(Event::EditsChosen(
            edits
                .iter()
                .map(|e| EditRow {
                    question: e.item.question.clone(),
                    old_answer: e.item.answer.clone(),
                    new_answer: e.new_answer.clone(),
                })
                .collect(),
        ));
        for method in EditMethod::ALL {
            let t = now();
            let report =
                edit::apply(method, &edits, &loaded.model, &loaded.world, &config, &device)
                    .await
                    .map_err(|e| format!("editing by {} failed: {e}", method.name()))?;
            post(Event::Edited { report, millis: now() - t });
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    /// The continual run's model as Hugging Face files.
    pub(super) async fn export_continual(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let run = self.learn.as_ref().ok_or("configure a run first")?;
        let model = run.export().await.map_err(|e| e.to_string())?;
        let files = model.to_files().map_err(|e| e.to_string())?;
        Ok(files.into_iter().map(|(name, bytes)| (name.to_string(), bytes)).collect())
    }
}
