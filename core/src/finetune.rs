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

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::error::ForgetError;
use crate::model::LoadedModel;
use crate::pretrain::training_examples_without;
use crate::train::fit::Fit;
use crate::train::{Schedule, TrainSettings};
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

impl FinetuneConfig {
    /// Linear warm-up to `lr`, then cosine decay to `lr · min_lr_frac` at `steps`.
    pub fn train_settings(&self) -> TrainSettings {
        TrainSettings {
            schedule: Schedule::WarmupCosine {
                warmup: self.warmup,
                steps: self.steps,
                min_ratio: self.min_lr_frac,
            },
            weight_decay: self.weight_decay,
            lora_rank: self.lora_rank,
            ..TrainSettings::new("fine-tuning", self.lr, self.seed)
        }
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
    let exclude = match &cfg.retain {
        Some(split) if matches!(split.as_str(), "forget01" | "forget05" | "forget10" | "val10") => {
            world.select(split)?.into_iter().map(|it| it.id).collect()
        }
        Some(split) => {
            return Err(ForgetError::InvalidConfig(format!(
                "a retain model leaves out a forget split (forget01, forget05, forget10 or val10), \
                    not '{split}'"
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
    let weights = Fit {
        config: &model.config,
        start: model.weights.clone(),
        eos_id: model.tokenizer.eos_id(),
        examples: &examples,
        steps: cfg.steps,
        batch_size: cfg.batch_size,
        settings: cfg.train_settings(),
    }
    .run(device, progress)
    .await?;
    Ok(LoadedModel { config: model.config.clone(), weights, tokenizer: model.tokenizer.clone() })
}
