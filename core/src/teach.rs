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

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean, nll_sum_per_row};
use crate::model::LoadedModel;
use crate::train::{Batches, TrainSettings, Trainer};
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

impl TeachConfig {
    /// A constant rate, no weight decay; the seed orders the replayed items.
    pub fn train_settings(&self) -> TrainSettings {
        TrainSettings::new("teaching", self.lr, self.seed)
    }
}

/// A fine-tuning session that teaches `new` items; step it, then [`Teacher::finish`].
pub struct Teacher {
    config: TeachConfig,
    tokenizer: crate::tokenizer::Tokenizer,
    device: Device,
    trainer: Trainer,
    new_examples: Vec<Example>,
    replay: Vec<Example>,
    /// Which replayed items each step adds (epoch-wise, seeded).
    batches: Batches,
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
        let settings = config.train_settings();
        Ok(Self {
            trainer: Trainer::new(&model.config, model.weights.clone(), settings, device)?,
            tokenizer: model.tokenizer.clone(),
            device: device.clone(),
            new_examples,
            batches: Batches::new(replay.len(), config.seed),
            replay,
            config,
        })
    }

    pub fn steps_done(&self) -> usize {
        self.trainer.step_count()
    }

    pub fn finished(&self) -> bool {
        self.steps_done() >= self.config.steps
    }

    /// One fine-tuning step; returns the loss before the update.
    pub async fn step(&mut self) -> Result<f64, ForgetError> {
        let mut batch = self.new_examples.clone();
        batch.extend(
            self.batches.next(self.config.replay).into_iter().map(|i| self.replay[i].clone()),
        );
        let b = Batch::new(&batch, self.tokenizer.eos_id(), self.trainer.device());
        let n_head = self.trainer.config().n_head;
        let loss = nll_mean(batch_nll(self.trainer.model(), &b, n_head), b.mask.clone());
        Ok(f64::from(self.trainer.step(loss).await?))
    }

    /// Mean probability of the new answers, exp(−mean answer-token NLL) per example, averaged.
    pub async fn new_fact_probability(&self) -> Result<f64, ForgetError> {
        let model = self.trainer.valid();
        let b = Batch::new(&self.new_examples, self.tokenizer.eos_id(), &self.device);
        let sums = crate::host::read_f32(nll_sum_per_row(
            batch_nll(&model, &b, self.trainer.config().n_head),
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
        let weights = self.trainer.weights().await?;
        Ok(LoadedModel {
            config: self.trainer.config().clone(),
            weights,
            tokenizer: self.tokenizer,
        })
    }
}

/// A user's fact as a QA item: its own id, split `Custom`, the whole answer as its key entity.
pub fn custom_item(id: &str, question: &str, answer: &str) -> QaItem {
    QaItem {
        id: id.to_string(),
        question: question.trim().to_string(),
        answer: answer.trim().to_string(),
        key_entity: answer.trim().trim_end_matches('.').to_string(),
        kind: "custom".into(),
        split: crate::world::Split::Custom,
        alternative_answers: vec![],
        ..QaItem::default()
    }
}
