//! Forget mode in the worker: an unlearning run (core's `run`) configured, stepped, evaluated,
//! attacked and benchmarked. What the run is and how far it went is kept for the next visit
//! (resume.rs); on WebGPU the last evaluated weights are kept on the host too (device.rs).

use forgetlab_core::ForgetError;
use forgetlab_core::eval::Snapshot;
use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{
    AttackConfig, ForgetSelection, Run, RunConfig, WorstCaseConfig, resolve_forget,
    worst_case_authors,
};

use super::{ActiveRun, FIRST_LOOK_ITEMS, Session, UPLOAD_BAR_BYTES, fact_row, now};
use crate::protocol::{Backend, BenchReport, Event, Phase, RunSetup, RunSnapshot, WorstCaseRow};
use crate::worker::post;

impl Session {
    /// A run of `config` on the current device, with the fluency scorer and the retain model of
    /// its selection (a preset split's, or one retrained in this tab).
    pub(super) fn build_run(&self, config: RunConfig) -> Result<Run, String> {
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

    pub(super) async fn configure(&mut self, mut config: RunConfig) -> Result<(), String> {
        self.playing = false;
        post(Event::Phase(Phase::Busy));
        let watch = std::mem::take(&mut config.eval.sample_ids);
        self.active = None;
        self.checkpoint = None;
        let mut run = self.build_run(config)?;
        if !self.startup.is_empty() {
            self.startup.push(("run built".into(), now()));
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
        post(Event::Configured(RunSetup::Forget {
            forget_items: run.forget_items().len(),
            trainable: run.trainable_parameters(),
            eval_sizes: [
                sets.forget.len(),
                sets.retain.len(),
                sets.world.len(),
                sets.holdout.len(),
            ],
            watchable,
        }));
        run.set_sample_ids(watch);
        self.active = Some(ActiveRun::Forget(run));
        self.inject_fault(0).await;
        if !self.startup.is_empty() {
            self.first_look().await;
        }
        self.evaluate_forget().await?;
        if std::mem::take(&mut self.resume_pending) {
            self.resume_kept_run().await?;
        } else {
            self.keep_run().await;
        }
        // Idle even when a resumed run has reached its steps: Finished would keep it in the run
        // history a second time.
        post(Event::Phase(Phase::Idle));
        self.warm_up().await;
        Ok(())
    }

    /// Once per worker, when the first run is ready: one training step of a throwaway copy of
    /// it. The browser compiles a wasm function's optimised code only once it has run, so the
    /// first step of a page took about twice a later one (≈300 ms against ≈160 ms on CPU),
    /// most of the wait between the first Run and its first number. The copy has its own
    /// weights and batch order: the run itself is untouched. A failure only skips the warm-up.
    async fn warm_up(&mut self) {
        if std::mem::replace(&mut self.warmed_up, true) {
            return;
        }
        // Not for a model large enough to show an upload bar: its copy would cost seconds.
        let small = self
            .loaded
            .as_ref()
            .is_some_and(|l| (l.model.config.num_params() as u64) * 4 < UPLOAD_BAR_BYTES);
        if !small {
            return;
        }
        let Some(config) = self.forget_run().map(|r| r.config.clone()) else { return };
        if let Ok(mut copy) = self.build_run(config) {
            let _ = copy.step().await;
        }
    }

    /// When the page has just opened: numbers on a few items first (core's `first_look`), then
    /// the full evaluation replaces them. A failure here is only a missed first look.
    async fn first_look(&mut self) {
        let Some(run) = self.forget_run() else { return };
        let t = now();
        if let Ok(snapshot) = run.evaluate_first_look(FIRST_LOOK_ITEMS).await {
            post(Event::Evaluated { snapshot: RunSnapshot::Forget(snapshot), millis: now() - t });
            post(Event::Notice(format!(
                "A first look on {FIRST_LOOK_ITEMS} items per set; the full evaluation follows."
            )));
            self.startup.push(("first look".into(), now()));
        }
    }

    /// Evaluate and show the current weights; on WebGPU, keep them on the host too. A failed
    /// WebGPU device moves the run to the CPU (device.rs).
    pub(super) async fn evaluate_forget(&mut self) -> Result<(), String> {
        match self.try_evaluate().await {
            Err(e) if self.device_failed(&e) => self.fall_back_to_cpu(e.to_string()).await,
            result => result.map_err(|e| e.to_string()),
        }
    }

    pub(super) async fn try_evaluate(&mut self) -> Result<(), ForgetError> {
        let no_run = || ForgetError::InvalidConfig("no run is configured".into());
        let run = self.forget_run().ok_or_else(no_run)?;
        let t = now();
        let snapshot: Snapshot = run.evaluate().await?;
        post(Event::Evaluated { snapshot: RunSnapshot::Forget(snapshot), millis: now() - t });
        post(crate::worker::memory::engine_memory());
        if !self.startup.is_empty() {
            let mut phases = std::mem::take(&mut self.startup);
            phases.push(("first evaluation".into(), now()));
            post(Event::Startup(phases));
        }
        if self.backend == Backend::Webgpu {
            let checkpoint = self.forget_run().ok_or_else(no_run)?.checkpoint().await?;
            self.checkpoint = Some(checkpoint);
        }
        Ok(())
    }

    /// Play's step: an evaluation when the schedule says so; at the last step, Finished.
    pub(super) async fn play_forget_step(&mut self) -> Result<(), String> {
        match self.train_step().await {
            Err(e) if self.device_failed(&e) => self.fall_back_to_cpu(e.to_string()).await,
            Ok(step) => {
                let last = step >= self.steps;
                let evaluate = step % self.eval_every == 0 || last;
                // The live estimate first: the page's next number comes within a step of Run.
                if !evaluate {
                    self.estimate().await;
                }
                self.keep_run().await;
                if evaluate {
                    self.evaluate_forget().await?;
                }
                if last && self.playing {
                    self.playing = false;
                    if let Err(e) = self.keep_retrained().await {
                        post(Event::Error(e));
                    }
                    post(Event::Phase(Phase::Finished));
                }
                Ok(())
            }
            Err(e) => {
                // The run restored its last good weights: show them.
                let _ = self.evaluate_forget().await;
                Err(e.to_string())
            }
        }
    }

    /// The live estimate between evaluations (core's `run::estimate`); a failure only misses it.
    async fn estimate(&mut self) {
        if let Some(run) = self.forget_run()
            && let Ok(estimate) = run.estimate().await
        {
            post(Event::Estimated(estimate));
        }
    }

    /// Step's step: the weights after it are evaluated whatever the schedule.
    pub(super) async fn step_forget(&mut self) -> Result<(), String> {
        match self.train_step().await {
            Err(e) if self.device_failed(&e) => self.fall_back_to_cpu(e.to_string()).await,
            result => {
                result.map_err(|e| e.to_string())?;
                self.keep_run().await;
                self.evaluate_forget().await
            }
        }
    }

    /// After a Retrain run reaches its steps, its model is the retain model of its selection:
    /// later runs on the same facts compute forget quality against it.
    async fn keep_retrained(&mut self) -> Result<(), String> {
        let Some(run) = self.forget_run().filter(|r| r.config.method == MethodKind::Retrain) else {
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
            post(Event::Notice(
                "This selection now has a retain model: the model you retrained. \
                Forget quality of other methods on the same facts compares with it."
                    .into(),
            ));
        }
        Ok(())
    }

    pub(super) async fn train_step(&mut self) -> Result<usize, ForgetError> {
        let next = self.forget_run().map_or(1, |r| r.step_count() + 1);
        self.inject_fault(next).await;
        let run = self
            .forget_run_mut()
            .ok_or(ForgetError::InvalidConfig("no run is configured".into()))?;
        let t = now();
        let report = run.step().await?;
        post(Event::Stepped { step: report.step, loss: report.loss, millis: now() - t });
        Ok(report.step)
    }

    /// The relearning attack on the current weights; the phase returns to what it was.
    pub(super) async fn attack(&mut self, config: AttackConfig) -> Result<(), String> {
        self.playing = false;
        let run = self.forget_run().ok_or("configure a run first")?;
        post(Event::Phase(Phase::Busy));
        let report = run
            .relearning_attack(&config)
            .await
            .map_err(|e| format!("the relearning attack failed: {e}"))?;
        post(Event::Attacked(report));
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    /// The in-page benchmark on a copy of the current run: one warm-up step, `steps` timed
    /// steps, one evaluation.
    pub(super) async fn benchmark(&mut self, steps: usize) -> Result<(), String> {
        self.playing = false;
        let config = self.forget_run().ok_or("configure a run first")?.config.clone();
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

    /// The `authors` authors of the `pool` split hardest to unlearn (core's proxy: a short
    /// gradient-ascent run of its own on the whole pool; the current run is untouched).
    pub(super) async fn worst_case(&mut self, pool: &str, authors: usize) -> Result<(), String> {
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let device = self.device.as_ref().ok_or("no backend yet")?;
        post(Event::Phase(Phase::Busy));
        let items = resolve_forget(&loaded.world, &ForgetSelection::Split(pool.into()))
            .map_err(|e| e.to_string())?;
        let cfg = WorstCaseConfig { authors, ..Default::default() };
        let found = worst_case_authors(&loaded.model, &loaded.world, &items, &cfg, device)
            .await
            .map_err(|e| e.to_string())?;
        post(Event::WorstCase(WorstCaseRow {
            pool: pool.into(),
            authors,
            ranking: found.ranking,
            ids: found.items.into_iter().map(|it| it.id).collect(),
        }));
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }
}
