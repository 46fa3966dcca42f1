//! Learn mode in the worker: a continual run (core's `continual`), the session's active run as
//! an unlearning run is in Forget mode (mod.rs drives Play, Pause, Step, Stop and Reset for
//! both), and the editing comparison (core's `edit`).

use forgetlab_core::continual::{ContinualConfig, ContinualRun, OWN_NEEDS_ITEMS, StageData};
use forgetlab_core::edit::{self, EditConfig, EditMethod};

use super::{ActiveRun, Session, now};
use crate::protocol::{EditRow, Event, Phase, RunSetup, RunSnapshot, StageInfo};
use crate::worker::post;

impl Session {
    /// A fresh continual run of `config` on the current device; evaluates step 0.
    pub(super) async fn configure_continual(
        &mut self,
        mut config: ContinualConfig,
    ) -> Result<(), String> {
        self.playing = false;
        post(Event::Phase(Phase::Busy));
        self.active = None;
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
        post(Event::Configured(RunSetup::Learn { stages, lr: curve }));
        self.active = Some(ActiveRun::Learn(run));
        self.evaluate_continual().await?;
        post(Event::Phase(Phase::Idle));
        Ok(())
    }

    /// Evaluate and show the continual run's weights. WebGPU failing starts the same run again
    /// on the CPU (device.rs).
    pub(super) async fn evaluate_continual(&mut self) -> Result<(), String> {
        let run = self.learn_run().ok_or("no continual run is configured")?;
        let t = now();
        match run.evaluate().await {
            Ok(snapshot) => {
                let snapshot = RunSnapshot::Learn(snapshot);
                post(Event::Evaluated { snapshot, millis: now() - t });
                post(crate::worker::memory::engine_memory());
                Ok(())
            }
            Err(e) if self.device_failed(&e) => {
                Box::pin(self.fall_back_to_cpu(e.to_string())).await
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// One step; an evaluation every `eval_every` steps, at every stage end and at the last
    /// step (`always`: after this step in any case, as Step does).
    pub(super) async fn step_continual(&mut self, always: bool) -> Result<(), String> {
        let next = self.learn_run().map_or(1, |r| r.step_count() + 1);
        self.inject_fault(next).await;
        let eval_every = self.eval_every;
        let Some(ActiveRun::Learn(run)) = self.active.as_mut() else {
            return Err("no continual run is configured".into());
        };
        let t = now();
        match run.step().await {
            Ok(step) => {
                post(Event::Stepped { step: step.step, loss: step.loss, millis: now() - t });
                let last = run.step_count() >= run.total_steps();
                if always
                    || last
                    || run.at_stage_end()
                    || run.step_count().is_multiple_of(eval_every)
                {
                    self.evaluate_continual().await?;
                }
                if last && self.playing {
                    self.playing = false;
                    post(Event::Phase(Phase::Finished));
                }
                Ok(())
            }
            Err(e) if self.device_failed(&e) => self.fall_back_to_cpu(e.to_string()).await,
            Err(e) => {
                let message = e.to_string();
                // A divergence restored the last good weights: show them.
                let _ = self.evaluate_continual().await;
                Err(message)
            }
        }
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
}
