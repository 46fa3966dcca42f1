//! The one training loop. Every way ForgetLab changes weights goes through [`Trainer`]: an
//! unlearning run ([`crate::run::Run`]), a continual run ([`crate::continual::ContinualRun`]),
//! pretraining and fine-tuning ([`crate::pretrain`], [`crate::finetune`]), teaching a fact
//! ([`crate::teach`]), the relearning attack and fact editing (through a continual run).
//!
//! The caller builds a loss from [`Trainer::model`]; [`Trainer::step`] reads it back, guards it,
//! and takes one AdamW step (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR
//! 2019) with β₁ = 0.9, β₂ = 0.999, ε = 1e-5 (burn's defaults) and decoupled weight decay λ:
//!
//!   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − η_t·(m̂/(√v̂ + ε) + λθ),
//!
//! at the rate η_t of the settings' [`Schedule`] at this step. The guard: a loss that is not
//! finite ([`ForgetError::Diverged`]) or whose size passes `loss_limit`
//! ([`ForgetError::LossExploded`]: the method table's limit for objectives that are unbounded
//! below) is not trained on; the weights go back to before the previous update (whose doing the
//! bad loss is) and the error says which step's weights are kept. [`Trainer::reset`] rebuilds the
//! model from the host copy of the starting weights: bit-identical, with a fresh optimizer.
//!
//! Which examples a step sees is [`Batches`]' job (epoch-wise seeded shuffles).

mod batches;
pub mod fit;
pub mod schedule;

use std::sync::Arc;

pub use batches::Batches;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Device, Tensor};
pub use schedule::Schedule;

use crate::error::ForgetError;
use crate::model::{Gpt, GptConfig, GptWeights};

/// How a model is trained: the settings every kind of training shares, validated once
/// ([`TrainSettings::validate`], called by [`Trainer::new`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainSettings {
    /// Who trains, for messages ("npo", "pretraining", "the relearning attack").
    pub name: &'static str,
    /// The peak learning rate η; the schedule scales it step by step.
    pub lr: f64,
    pub schedule: Schedule,
    /// Steps per stage, for the schedules that restart at stage boundaries (one entry, or none,
    /// for training in one go).
    pub stage_steps: Vec<usize>,
    /// AdamW's decoupled weight decay λ.
    pub weight_decay: f64,
    /// Seeds the data order ([`Batches`]) and the LoRA adapters' initialisation.
    pub seed: u64,
    /// 0: every weight trains; r > 0: the weights are frozen and rank-r LoRA adapters train.
    pub lora_rank: usize,
    /// A loss whose absolute value passes this stops training (∞: only a non-finite loss does).
    pub loss_limit: f64,
}

impl TrainSettings {
    /// Constant rate `lr`, no weight decay, every weight trained, no loss limit.
    pub fn new(name: &'static str, lr: f64, seed: u64) -> Self {
        Self {
            name,
            lr,
            schedule: Schedule::Constant,
            stage_steps: vec![],
            weight_decay: 0.0,
            seed,
            lora_rank: 0,
            loss_limit: f64::INFINITY,
        }
    }

    /// The one place the shared settings are checked.
    pub fn validate(&self) -> Result<(), ForgetError> {
        let bad = |what: String| Err(ForgetError::InvalidConfig(format!("{}: {what}", self.name)));
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!("the learning rate must be a positive number, got {}", self.lr));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!("weight decay must be ≥ 0, got {}", self.weight_decay));
        }
        if self.loss_limit.is_nan() || self.loss_limit <= 0.0 {
            return bad(format!("the loss limit must be positive, got {}", self.loss_limit));
        }
        Ok(())
    }

    /// The learning rate of step `n` (0-based).
    pub fn lr_at(&self, n: usize) -> f64 {
        self.schedule.lr_at(self.lr, n, &self.stage_steps)
    }
}

/// A model in training: the weights, the optimizer's state, the step count, and what the guard
/// and [`Trainer::reset`] need (the previous weights, the starting weights).
pub struct Trainer {
    settings: TrainSettings,
    config: GptConfig,
    /// The weights training starts from, on the host: reset rebuilds the model from them
    /// (shared with branches, never copied).
    start: Arc<GptWeights>,
    /// The caller's device with autodiff.
    device: Device,
    model: Gpt,
    /// The model before the last update: restored when the next loss fails the guard.
    previous: Option<Gpt>,
    optim: burn::optim::ModuleOptimizer,
    step: usize,
}

impl Trainer {
    /// Train a model of `config` from `start` on `device` (autodiff is added here).
    pub fn new(
        config: &GptConfig,
        start: GptWeights,
        settings: TrainSettings,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        Self::new_observed(config, start, settings, device, &|_| {})
    }

    /// [`Self::new`], calling `placed(bytes)` as each weight goes onto the device.
    pub fn new_observed(
        config: &GptConfig,
        start: GptWeights,
        settings: TrainSettings,
        device: &Device,
        placed: &dyn Fn(u64),
    ) -> Result<Self, ForgetError> {
        settings.validate()?;
        if settings.lora_rank > config.n_embd {
            return Err(ForgetError::InvalidConfig(format!(
                "lora_rank must be at most n_embd ({}), got {}",
                config.n_embd, settings.lora_rank
            )));
        }
        let device = device.clone().autodiff();
        let model = Self::build(config, &start, &settings, &device, placed)?;
        Ok(Self {
            optim: Self::optimizer(&settings),
            config: config.clone(),
            start: Arc::new(start),
            device,
            model,
            previous: None,
            step: 0,
            settings,
        })
    }

    fn build(
        config: &GptConfig,
        start: &GptWeights,
        settings: &TrainSettings,
        device: &Device,
        placed: &dyn Fn(u64),
    ) -> Result<Gpt, ForgetError> {
        let model = Gpt::from_weights_observed(config, start, device, placed)?;
        Ok(match settings.lora_rank {
            0 => model,
            rank => model.with_lora(rank, settings.seed, device),
        })
    }

    fn optimizer(settings: &TrainSettings) -> burn::optim::ModuleOptimizer {
        AdamWConfig::new().with_weight_decay(settings.weight_decay as f32).init()
    }

    /// The model in training (build the loss from it).
    pub fn model(&self) -> &Gpt {
        &self.model
    }

    /// The device the loss's batches go to (the caller's, with autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn config(&self) -> &GptConfig {
        &self.config
    }

    pub fn settings(&self) -> &TrainSettings {
        &self.settings
    }

    /// Steps taken since the start (or the last reset).
    pub fn step_count(&self) -> usize {
        self.step
    }

    /// The rate the next step trains at.
    pub fn lr(&self) -> f64 {
        self.settings.lr_at(self.step)
    }

    /// Change the peak learning rate mid-run (TensorFlow Playground lets users do this).
    pub fn set_lr(&mut self, lr: f64) -> Result<(), ForgetError> {
        let settings = TrainSettings { lr, ..self.settings.clone() };
        settings.validate()?;
        self.settings = settings;
        Ok(())
    }

    /// Guard `loss` (built from [`Self::model`]) and take one AdamW step on it at the schedule's
    /// rate. Returns the loss, measured before the update.
    pub async fn step(&mut self, loss: Tensor<1>) -> Result<f32, ForgetError> {
        let lr = self.lr();
        self.step_at(loss, Some(lr)).await
    }

    /// [`Self::step`] at rate `lr`; with `None` the loss is only guarded and counted (methods
    /// that train nothing, such as in-context unlearning).
    pub async fn step_at(&mut self, loss: Tensor<1>, lr: Option<f64>) -> Result<f32, ForgetError> {
        let value = crate::host::read_f32(loss.clone()).await?[0];
        let limit = self.settings.loss_limit;
        if !value.is_finite() || f64::from(value.abs()) > limit {
            // The loss measured at this step is the previous update's doing: undo that too.
            let last_good = match self.previous.take() {
                Some(prev) => {
                    self.model = prev;
                    self.step.saturating_sub(1)
                }
                None => self.step,
            };
            let step = self.step + 1;
            self.step = last_good;
            return Err(match value.is_finite() {
                false => ForgetError::Diverged { step, loss: value, last_good },
                true => ForgetError::LossExploded {
                    step,
                    loss: value,
                    method: self.settings.name,
                    limit,
                    last_good,
                },
            });
        }
        if let Some(lr) = lr {
            let grads = GradientsParams::from_grads(loss.backward(), &self.model);
            let before = self.model.clone();
            self.model = self.optim.step(lr, self.model.clone(), grads);
            self.previous = Some(before);
        }
        self.step += 1;
        Ok(value)
    }

    /// Back to the starting weights (bit-identical) with a fresh optimizer, at step 0.
    pub fn reset(&mut self) -> Result<(), ForgetError> {
        self.model = Self::build(&self.config, &self.start, &self.settings, &self.device, &|_| {})?;
        self.previous = None;
        self.optim = Self::optimizer(&self.settings);
        self.step = 0;
        Ok(())
    }

    /// Go on from `weights` (a checkpoint of this training, taken on any device) at step `step`:
    /// with LoRA the weights are the merged ones and fresh adapters start at B = 0, so the model
    /// is the same function; AdamW's moments start afresh, as after a warm restart.
    pub fn resume(&mut self, weights: &GptWeights, step: usize) -> Result<(), ForgetError> {
        self.model = Self::build(&self.config, weights, &self.settings, &self.device, &|_| {})?;
        self.previous = None;
        self.optim = Self::optimizer(&self.settings);
        self.step = step;
        Ok(())
    }

    /// The model as trained so far, without gradient tracking (to evaluate with).
    pub fn valid(&self) -> Gpt {
        self.model.valid()
    }

    /// The trained weights on the host (async: the only readback WebGPU allows); LoRA adapters
    /// merged.
    pub async fn weights(&self) -> Result<GptWeights, ForgetError> {
        self.model.valid().to_weights(&self.config).await
    }

    /// A second trainer from this one's current weights, with a fresh optimizer and `settings`
    /// (the continual run's anneal branch: a copy trained on, the main line untouched).
    pub fn branch(&self, settings: TrainSettings) -> Result<Self, ForgetError> {
        settings.validate()?;
        Ok(Self {
            optim: Self::optimizer(&settings),
            config: self.config.clone(),
            start: self.start.clone(),
            device: self.device.clone(),
            model: self.model.clone(),
            previous: None,
            step: 0,
            settings,
        })
    }
}
