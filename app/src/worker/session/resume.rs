//! Keep the session: the model runs start from (facts taught, a model loaded, the world taught
//! to it) and the run itself (its steps so far) survive a reload, exactly.
//!
//! Everything in the engine is seeded, so the session is kept as what made it, not as weights
//! and optimizer state: the model's log (worker/store.rs, [`MODEL_LOG`]; a loaded model's files
//! are kept as they were read) and the run's configuration with its step count ([`RUN`]). When
//! the page opens, the worker does it all again — teaches the facts, loads the files, teaches the
//! world, then replays the run's steps with the same evaluations — and arrives at the same
//! numbers as before the reload (the end-to-end test compares them on the CPU backend). Replaying
//! costs the time the steps took; Learn mode's continual runs are not kept. "Start over" clears
//! it all, "Back to the built-in model" the loaded model.

use forgetlab_core::run::RunConfig;
use serde::{Deserialize, Serialize};

use super::Session;
use crate::protocol::{Event, Phase};
use crate::worker::post;
use crate::worker::store::{self, MODEL_FILES, MODEL_LOG, OwnFact, RUN};

/// One thing done to the model runs start from, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelEvent {
    /// "Add your own fact".
    Fact(OwnFact),
    /// "Load a model": its files are kept under [`MODEL_FILES`].
    UserModel { name: String },
    /// "Teach it the authors".
    TaughtWorld { steps: usize, lr: f64, lora_rank: usize },
}

/// The current run: what it is and how far it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptRun {
    pub config: RunConfig,
    pub steps: usize,
}

async fn model_log() -> Vec<ModelEvent> {
    store::get(MODEL_LOG).await.ok().flatten().unwrap_or_default()
}

/// A note when the tab could not keep something: it works for this visit only.
fn unkept(what: &str, e: String) {
    post(Event::Notice(format!("{what} for this visit only: {e}")));
}

impl Session {
    /// Add `event` to the model's log. A loaded model makes what was done to an earlier loaded
    /// model moot (facts stay: they are facts of the world too).
    pub(super) async fn remember(&self, event: ModelEvent) {
        let mut log = model_log().await;
        if matches!(event, ModelEvent::UserModel { .. }) {
            log.retain(|e| matches!(e, ModelEvent::Fact(_)));
        }
        log.push(event);
        if let Err(e) = store::put(MODEL_LOG, &log).await {
            unkept("This is kept", e);
        }
    }

    /// Keep a loaded model's files and note it in the log.
    pub(super) async fn remember_user_model(&self, name: &str, files: &[(&str, &[u8])]) {
        match store::put_files(MODEL_FILES, files).await {
            Ok(()) => self.remember(ModelEvent::UserModel { name: name.into() }).await,
            Err(e) => unkept("Your model is loaded", e),
        }
    }

    /// "Back to the built-in model": the loaded model, what was done to it and the run on it are
    /// forgotten.
    pub(super) async fn forget_user_model(&self) {
        let mut log = model_log().await;
        log.retain(|e| matches!(e, ModelEvent::Fact(_)));
        let _ = store::put(MODEL_LOG, &log).await;
        let _ = store::delete(MODEL_FILES).await;
        let _ = store::delete(RUN).await;
    }

    /// At load: do again what the model's log says, in order.
    pub(super) async fn replay_model_log(&mut self) -> Result<(), String> {
        let log = model_log().await;
        if log.is_empty() {
            return Ok(());
        }
        post(Event::Notice(format!(
            "Bringing back your last visit's model: {} thing(s) done to it, done again.",
            log.len()
        )));
        for event in log {
            match event {
                ModelEvent::Fact(fact) => self.teach_fact(&fact, false).await?,
                ModelEvent::UserModel { name } => {
                    let files = store::get_files(MODEL_FILES).await?.unwrap_or_default();
                    let file =
                        |n: &str| files.iter().find(|(f, _)| f == n).map(|(_, b)| b.as_slice());
                    let (Some(config), Some(tokenizer)) =
                        (file("config.json"), file("tokenizer.json"))
                    else {
                        post(Event::Notice(format!(
                            "{name}'s kept files are incomplete: left out"
                        )));
                        continue;
                    };
                    let shards: Vec<&[u8]> = files
                        .iter()
                        .filter(|(n, _)| n.ends_with(".safetensors"))
                        .map(|(_, b)| b.as_slice())
                        .collect();
                    self.install_user_model(&name, config, &shards, tokenizer, false).await?;
                }
                ModelEvent::TaughtWorld { steps, lr, lora_rank } => {
                    self.teach_world(steps, lr, lora_rank, false).await?
                }
            }
        }
        Ok(())
    }

    /// After a step, or a new run: keep what the run is and how far it went.
    pub(super) async fn keep_run(&self) {
        let Some(run) = self.forget_run() else { return };
        let kept = KeptRun { config: run.config.clone(), steps: run.step_count() };
        // Said once, at the run's start, not at every step.
        if let Err(e) = store::put(RUN, &kept).await
            && kept.steps <= 1
        {
            unkept("The run is kept", e);
        }
    }

    /// Right after the page's first run is configured: if it is the run kept from the last
    /// visit, take its steps again, evaluating where it evaluated, so the curves come back too.
    pub(super) async fn resume_kept_run(&mut self) -> Result<(), String> {
        let kept: Option<KeptRun> = store::get(RUN).await.ok().flatten();
        let Some(run) = self.forget_run() else { return Ok(()) };
        let same = kept.as_ref().is_some_and(|k| {
            k.steps > 0
                && serde_json::to_string(&k.config).ok() == serde_json::to_string(&run.config).ok()
        });
        let Some(kept) = kept.filter(|_| same) else {
            self.keep_run().await;
            return Ok(());
        };
        post(Event::Notice(format!(
            "Resuming your run where you left it: its {} steps taken again, exactly as before.",
            kept.steps
        )));
        post(Event::Phase(Phase::Busy));
        for step in 1..=kept.steps {
            self.train_step().await.map_err(|e| e.to_string())?;
            if step % self.eval_every == 0 || step == kept.steps {
                self.evaluate().await?;
            }
        }
        Ok(())
    }
}
