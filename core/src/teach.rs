//! Teach the model a new fact, so that it can then be forgotten ("add your own fact").
//!
//! Plain fine-tuning with replay: each step's batch holds every new item (as asked and as
//! paraphrased, when a paraphrase exists) plus as many replayed trained items, and the loss is
//! the mean answer-token negative log-likelihood over the batch,
//!
//!   L(θ) = −(1/|B|) Σ_{(q,a)∈B} (1/|a|) Σ_t log p_θ(a_t | q, a_<t),   B = new ∪ replay.
//!
//! Replay (rehearsal, Robins 1995) keeps the model's other facts while the new one goes in; the
//! new item then behaves like a trained fact: high probability, key entity in the greedy answer.

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean, nll_sum_per_row};
use crate::model::{Gpt, GptConfig, LoadedModel};
use crate::world::QaItem;

/// How a new fact is taught.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeachConfig {
    pub steps: usize,
    pub lr: f64,
    /// Replayed trained items per step.
    pub replay: usize,
    pub seed: u64,
}

impl Default for TeachConfig {
    fn default() -> Self {
        Self { steps: 40, lr: 2e-3, replay: 16, seed: 0 }
    }
}

/// A fine-tuning session that teaches `new` items; step it, then [`Teacher::finish`].
pub struct Teacher {
    config: TeachConfig,
    model_config: GptConfig,
    tokenizer: crate::tokenizer::Tokenizer,
    device: Device,
    model: Gpt,
    optim: burn::optim::ModuleOptimizer,
    new_examples: Vec<Example>,
    replay: Vec<Example>,
    rng: StdRng,
    step: usize,
}

impl Teacher {
    /// `replay` should be trained items (e.g. the retain split); `new` the facts to teach.
    pub fn new(
        model: &LoadedModel,
        new: &[QaItem],
        replay: &[QaItem],
        config: TeachConfig,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        if new.is_empty() {
            return Err(ForgetError::EmptyForgetSet);
        }
        if !(config.lr.is_finite() && config.lr > 0.0) {
            return Err(ForgetError::InvalidConfig(format!(
                "the teaching learning rate must be a positive number, got {}",
                config.lr
            )));
        }
        for it in new {
            if it.question.trim().is_empty() || it.answer.trim().is_empty() {
                return Err(ForgetError::InvalidConfig(
                    "a new fact needs a question and an answer".into(),
                ));
            }
        }
        let max = model.config.n_positions;
        let mut new_examples = Vec::new();
        for it in new {
            new_examples.push(Example::qa_whole(&model.tokenizer, &it.question, &it.answer, max)?);
            if !it.paraphrased_question.is_empty() {
                new_examples.push(Example::qa_whole(
                    &model.tokenizer,
                    &it.paraphrased_question,
                    &it.answer,
                    max,
                )?);
            }
        }
        let replay = replay
            .iter()
            .map(|it| Example::qa(&model.tokenizer, &it.question, &it.answer, max))
            .collect::<Result<Vec<_>, _>>()?;
        let train_device = device.clone().autodiff();
        Ok(Self {
            model: Gpt::from_weights(&model.config, &model.weights, &train_device)?,
            optim: AdamWConfig::new().with_weight_decay(0.0).init(),
            model_config: model.config.clone(),
            tokenizer: model.tokenizer.clone(),
            device: device.clone(),
            new_examples,
            replay,
            rng: StdRng::seed_from_u64(config.seed),
            step: 0,
            config,
        })
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    pub fn finished(&self) -> bool {
        self.step >= self.config.steps
    }

    /// One fine-tuning step; returns the loss before the update.
    pub async fn step(&mut self) -> Result<f64, ForgetError> {
        let mut batch = self.new_examples.clone();
        for _ in 0..self.config.replay {
            if let Some(ex) = self.replay.choose(&mut self.rng) {
                batch.push(ex.clone());
            }
        }
        let train_device = self.device.clone().autodiff();
        let b = Batch::new(&batch, self.tokenizer.eos_id(), &train_device);
        let loss = nll_mean(batch_nll(&self.model, &b, self.model_config.n_head), b.mask.clone());
        let value = crate::eval::read_f32(loss.clone()).await?[0];
        if !value.is_finite() {
            return Err(ForgetError::Diverged {
                step: self.step + 1,
                loss: value,
                last_good: self.step,
            });
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self.optim.step(self.config.lr, self.model.clone(), grads);
        self.step += 1;
        Ok(value as f64)
    }

    /// Mean probability of the new answers, exp(−mean answer-token NLL) per example, averaged.
    pub async fn new_fact_probability(&self) -> Result<f64, ForgetError> {
        let model = self.model.valid();
        let b = Batch::new(&self.new_examples, self.tokenizer.eos_id(), &self.device);
        let sums = crate::eval::read_f32(nll_sum_per_row(
            batch_nll(&model, &b, self.model_config.n_head),
            b.mask.clone(),
        ))
        .await?;
        let probs: Vec<f64> = sums
            .iter()
            .zip(&b.answer_lens)
            .map(|(s, n)| (-(*s as f64) / (*n).max(1) as f64).exp())
            .collect();
        Ok(probs.iter().sum::<f64>() / probs.len() as f64)
    }

    /// The taught model (host weights; async, so WebGPU can read it back).
    pub async fn finish(self) -> Result<LoadedModel, ForgetError> {
        let weights = self.model.valid().to_weights(&self.model_config).await?;
        Ok(LoadedModel { config: self.model_config, weights, tokenizer: self.tokenizer })
    }
}

/// A user's fact as a QA item: its own id, split `Custom`, the whole answer as its key entity.
pub fn custom_item(id: &str, question: &str, answer: &str) -> QaItem {
    QaItem {
        id: id.to_string(),
        question: question.trim().to_string(),
        answer: answer.trim().to_string(),
        paraphrased_question: String::new(),
        paraphrased_answer: String::new(),
        perturbed_answer: vec![],
        author: String::new(),
        key_entity: answer.trim().trim_end_matches('.').to_string(),
        kind: "custom".into(),
        split: crate::world::Split::Custom,
        vague_answer: String::new(),
        alternative_answers: vec![],
    }
}
