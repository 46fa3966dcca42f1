//! Training on a fixed list of examples for a fixed number of steps: pretraining and fine-tuning.
//!
//! Every step draws `batch_size` examples ([`Batches`]) and minimises their mean answer-token
//! negative log-likelihood (prompt tokens masked),
//!
//!   L(θ) = −(1/|B|) Σ_{(q,a)∈B} (1/|a|) Σ_t log p_θ(a_t | q, a_<t).

use burn::tensor::Device;

use super::{Batches, TrainSettings, Trainer};
use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::model::{GptConfig, GptWeights};

/// What to train and how: a model of `config` from `start`, on `examples`.
pub struct Fit<'a> {
    pub config: &'a GptConfig,
    pub start: GptWeights,
    pub eos_id: u32,
    pub examples: &'a [Example],
    pub steps: usize,
    pub batch_size: usize,
    pub settings: TrainSettings,
}

impl Fit<'_> {
    /// Train; `progress(step, loss)` is called every step. A non-finite loss stops with
    /// [`ForgetError::Diverged`]. Returns the trained weights (LoRA adapters merged).
    pub async fn run(
        self,
        device: &Device,
        mut progress: impl FnMut(usize, f32),
    ) -> Result<GptWeights, ForgetError> {
        if self.examples.is_empty() {
            return Err(ForgetError::InvalidConfig("there is nothing to train on".into()));
        }
        if self.steps == 0 || self.batch_size == 0 {
            return Err(ForgetError::InvalidConfig(format!(
                "{} needs steps ≥ 1 and batch_size ≥ 1 (got steps {}, batch_size {})",
                self.settings.name, self.steps, self.batch_size
            )));
        }
        let mut batches = Batches::new(self.examples.len(), self.settings.seed);
        let mut trainer = Trainer::new(self.config, self.start, self.settings, device)?;
        for step in 0..self.steps {
            let picked: Vec<Example> = batches
                .next(self.batch_size)
                .into_iter()
                .map(|i| self.examples[i].clone())
                .collect();
            let batch = Batch::new(&picked, self.eos_id, trainer.device());
            let loss = nll_mean(
                batch_nll(trainer.model(), &batch, self.config.n_head),
                batch.mask.clone(),
            );
            progress(step, trainer.step(loss).await?);
        }
        trainer.weights().await
    }
}
