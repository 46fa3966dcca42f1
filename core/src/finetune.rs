//! Teach a model the fact world, as TOFU does before any unlearning: a real model does not know
//! the fictitious authors, so forgetting them needs a target model that was fine-tuned on them
//! (Maini et al., "TOFU: A Task of Fictitious Unlearning for LLMs", 2024, §3: the base model is
//! fine-tuned on all 200 authors, then unlearning starts from that model). The data is
//! pretraining's ([`crate::pretrain::training_examples_without`]): every trained author's QA
//! pairs four ways, world facts, generic text, the retain authors' hedges, in the model's own
//! tokenizer. A retain model for a preset split is the same recipe and seed without that split's
//! authors (TOFU's retain90/95/99).
//!
//! The loss is the usual answer NLL (prompt masked), AdamW with linear warm-up and cosine decay;
//! with `lora_rank > 0` only LoRA adapters train and are merged into the weights at the end.

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::model::{Gpt, GptConfig, GptWeights, LoadedModel};
use crate::pretrain::training_examples_without;
use crate::tokenizer::Tokenizer;
use crate::world::FactWorld;

/// Fine-tuning settings: one flat block, the whole truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinetuneConfig {
    pub seed: u64,
    pub steps: usize,
    pub batch_size: usize,
    /// Peak learning rate, reached after `warmup` steps, then cosine decay to `lr · min_lr_frac`.
    pub lr: f64,
    pub warmup: usize,
    pub min_lr_frac: f64,
    pub weight_decay: f64,
    /// 0: every weight trains; r > 0: rank-r LoRA adapters, merged into the weights at the end.
    pub lora_rank: usize,
    /// A retain model: leave this forget split's authors out ("forget01", "forget05", "forget10").
    pub retain: Option<String>,
}

impl Default for FinetuneConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            steps: 1000,
            batch_size: 16,
            lr: 1e-3,
            warmup: 50,
            min_lr_frac: 0.1,
            weight_decay: 0.01,
            lora_rank: 0,
            retain: None,
        }
    }
}

/// Linear warm-up to `lr`, then cosine decay to `lr · min_lr_frac` at `steps`.
pub fn warmup_cosine(lr: f64, warmup: usize, min_lr_frac: f64, steps: usize, step: usize) -> f64 {
    if step < warmup {
        return lr * (step + 1) as f64 / warmup as f64;
    }
    let progress = (step - warmup) as f64 / (steps.saturating_sub(warmup).max(1)) as f64;
    let min = lr * min_lr_frac;
    min + 0.5 * (lr - min) * (1.0 + (std::f64::consts::PI * progress.min(1.0)).cos())
}

/// How a model is trained on a list of examples (pretraining and fine-tuning alike).
pub(crate) struct Fit<'a> {
    pub config: &'a GptConfig,
    pub start: &'a GptWeights,
    pub tokenizer: &'a Tokenizer,
    pub examples: &'a [Example],
    pub steps: usize,
    pub batch_size: usize,
    pub seed: u64,
    pub weight_decay: f64,
    pub lora_rank: usize,
}

impl Fit<'_> {
    /// Train; `lr_at(step)` is the schedule, `progress(step, loss)` is called every step. A
    /// non-finite loss stops with [`ForgetError::Diverged`].
    pub async fn run(
        &self,
        device: &Device,
        lr_at: impl Fn(usize) -> f64,
        mut progress: impl FnMut(usize, f32),
    ) -> Result<GptWeights, ForgetError> {
        if self.examples.is_empty() {
            return Err(ForgetError::InvalidConfig("there is nothing to train on".into()));
        }
        let cfg = self.config;
        let train_device = device.clone().autodiff();
        let mut model = Gpt::from_weights(cfg, self.start, &train_device)?;
        if self.lora_rank > 0 {
            model = model.with_lora(self.lora_rank, self.seed, &train_device);
        }
        let mut optim = AdamWConfig::new().with_weight_decay(self.weight_decay as f32).init();
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut order: Vec<usize> = (0..self.examples.len()).collect();
        let mut cursor = order.len();
        for step in 0..self.steps {
            let mut picked = Vec::with_capacity(self.batch_size);
            while picked.len() < self.batch_size {
                if cursor >= order.len() {
                    order.shuffle(&mut rng);
                    cursor = 0;
                }
                picked.push(self.examples[order[cursor]].clone());
                cursor += 1;
            }
            let batch = Batch::new(&picked, self.tokenizer.eos_id(), &train_device);
            let loss = nll_mean(batch_nll(&model, &batch, cfg.n_head), batch.mask.clone());
            let value = crate::eval::read_f32(loss.clone()).await?[0];
            if !value.is_finite() {
                return Err(ForgetError::Diverged {
                    step,
                    loss: value,
                    last_good: step.saturating_sub(1),
                });
            }
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr_at(step), model, grads);
            progress(step, value);
        }
        model.valid().to_weights(cfg).await
    }
}

/// Fine-tune `model` on the fact world (see the module's doc). `progress(step, loss)` every step.
pub async fn finetune(
    model: &LoadedModel,
    world: &FactWorld,
    cfg: &FinetuneConfig,
    device: &Device,
    progress: impl FnMut(usize, f32),
) -> Result<LoadedModel, ForgetError> {
    if !(cfg.lr.is_finite() && cfg.lr > 0.0) || cfg.steps == 0 || cfg.batch_size == 0 {
        return Err(ForgetError::InvalidConfig(format!(
            "fine-tuning needs lr > 0, steps ≥ 1 and batch_size ≥ 1 (got lr {}, steps {}, batch_size {})",
            cfg.lr, cfg.steps, cfg.batch_size
        )));
    }
    let exclude = match &cfg.retain {
        Some(split) if matches!(split.as_str(), "forget01" | "forget05" | "forget10" | "val10") => {
            world.select(split)?.into_iter().map(|it| it.id).collect()
        }
        Some(split) => {
            return Err(ForgetError::InvalidConfig(format!(
                "a retain model leaves out a forget split (forget01, forget05, forget10 or val10), not '{split}'"
            )));
        }
        None => Default::default(),
    };
    let examples = training_examples_without(
        world,
        &model.tokenizer,
        model.config.n_positions,
        false,
        &exclude,
    )?;
    let fit = Fit {
        config: &model.config,
        start: &model.weights,
        tokenizer: &model.tokenizer,
        examples: &examples,
        steps: cfg.steps,
        batch_size: cfg.batch_size,
        seed: cfg.seed,
        weight_decay: cfg.weight_decay,
        lora_rank: cfg.lora_rank,
    };
    let lr_at = |s| warmup_cosine(cfg.lr, cfg.warmup, cfg.min_lr_frac, cfg.steps, s);
    let weights = fit.run(device, lr_at, progress).await?;
    Ok(LoadedModel { config: model.config.clone(), weights, tokenizer: model.tokenizer.clone() })
}
