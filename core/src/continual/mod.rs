//! Learning in stages, and the forgetting it causes (the other half of forgetting).
//!
//! A continual run trains the model on a sequence of stages. Each stage has a dataset
//! ([`datasets`]), a number of steps, and a mixing recipe ([`mixing`]: none, replay, REMIX); the
//! learning rate follows one schedule over all stages ([`schedule`]). Every step minimises the
//! mean answer-token NLL of a batch drawn from the current stage's items and mixing items,
//!
//!   L(θ) = −(1/|B|) Σ_{(q,a)∈B} (1/|a|) Σ_t log p_θ(a_t | q, a_<t),
//!
//! as both stages do in Chen et al. 2024 ("Continual Memorization of Factoids in Language
//! Models", REMIX). An evaluation scores every stage's items ([`scores`]: exact-match accuracy,
//! key-entity accuracy, answer probability, ROUGE-L), the general knowledge the model started
//! with (world facts and trained authors), and the logit lens of the first stage's facts — and at
//! stage ends a per-layer linear probe of them: where in the model they live.
//!
//! Like [`crate::run::Run`], the run is driven a step at a time: [`ContinualRun::step`],
//! [`ContinualRun::evaluate`], [`ContinualRun::stop`], [`ContinualRun::reset`]. The training is
//! [`crate::train::Trainer`]'s: reset is bit for bit, a non-finite loss stops the run and keeps
//! the last good weights; each stage draws its pool in a fresh seeded shuffle ([`Batches`]).

mod config;
pub mod datasets;
pub mod mixing;
pub mod scores;

use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

pub use config::{ContinualConfig, OWN_NEEDS_ITEMS, StageConfig};
pub use datasets::StageData;
pub use mixing::Mixing;
pub use scores::{Scorer, Scores};

pub use crate::train::Schedule;

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::model::{Gpt, GptConfig, GptWeights, LoadedModel};
use crate::run::RunState;
use crate::train::{Batches, TrainSettings, Trainer};
use crate::world::{FactWorld, QaItem};

/// A stage's items and everything it trains on (items and mixing, tokenized).
struct Stage {
    name: String,
    items: Vec<QaItem>,
    pool: Vec<Example>,
}

/// What one step reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinualStep {
    pub step: usize,
    /// 0-based index of the stage the step belonged to.
    pub stage: usize,
    pub lr: f64,
    pub loss: f64,
}

/// One stage's items, scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageScores {
    pub name: String,
    pub scores: Scores,
}

/// One evaluation of a continual run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinualSnapshot {
    pub step: usize,
    /// The stage the last step belonged to (0 before any step).
    pub stage: usize,
    /// Whether this is the infinite schedule's anneal branch (see [`Schedule`]).
    pub annealed: bool,
    /// Every stage's items, in stage order (stages not reached yet too).
    pub stages: Vec<StageScores>,
    /// General knowledge: the world facts and the trained authors the model started with.
    pub world: Scores,
    pub trained: Scores,
    /// The logit lens of the first stage's key entities, one value per block.
    #[serde(with = "crate::host::nan_as_null_each")]
    pub first_stage_lens: Vec<f64>,
    /// A linear probe per block (metrics::probe), fitted on this model's states of trained
    /// authors' facts, picking the first stage's key entities among their candidates: scored at
    /// stage ends only (empty elsewhere), where REMIX compares where facts sit.
    #[serde(default, with = "crate::host::nan_as_null_each")]
    pub first_stage_probe: Vec<f64>,
    /// The probe's chance level on those items (mean 1 / candidates; NaN without a probe).
    #[serde(default, with = "crate::host::nan_as_null")]
    pub first_stage_probe_chance: f64,
}

/// Trained authors' facts the stage-end probe is fitted on (the evaluated ones excluded).
const PROBE_FIT_ITEMS: usize = 200;

pub struct ContinualRun {
    pub config: ContinualConfig,
    model_config: GptConfig,
    tokenizer: crate::tokenizer::Tokenizer,
    device: Device,
    trainer: Trainer,
    /// The current stage's pool, drawn epoch-wise in a seeded shuffle.
    batches: Batches,
    stages: Vec<Stage>,
    world_items: Vec<QaItem>,
    trained_items: Vec<QaItem>,
    /// What the stage-end probe is fitted on: trained authors' facts not in `trained_items`.
    probe_fit: Vec<QaItem>,
    state: RunState,
}

impl ContinualRun {
    pub fn new(
        model: &LoadedModel,
        world: &FactWorld,
        config: ContinualConfig,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        config.validate()?;
        let max = model.config.n_positions;
        let mut stages: Vec<Stage> = Vec::new();
        for (k, s) in config.stages.iter().enumerate() {
            let items = s.data.items(world, config.items_per_stage, config.seed + k as u64);
            if items.is_empty() {
                return Err(ForgetError::InvalidConfig(format!(
                    "stage {} ({}) has no items",
                    k + 1,
                    s.data.name()
                )));
            }
            let earlier: Vec<QaItem> = stages.iter().flat_map(|st| st.items.clone()).collect();
            let mut rng = StdRng::seed_from_u64(config.seed ^ (0x313 + k as u64));
            let mixed =
                s.mixing.items(s.mix_ratio, items.len(), &earlier, &world.generic, &mut rng);
            let pool = items
                .iter()
                .chain(&mixed)
                .map(|it| Example::qa(&model.tokenizer, &it.question, &it.answer, max))
                .collect::<Result<Vec<_>, _>>()?;
            stages.push(Stage { name: s.data.name(), items, pool });
        }
        let sample = |split: &str| -> Result<Vec<QaItem>, ForgetError> {
            let mut items = world.select(split)?;
            items.shuffle(&mut StdRng::seed_from_u64(config.seed ^ 0x6E));
            items.truncate(config.eval_items);
            Ok(items)
        };
        let trained_items = sample("retain")?;
        let probe_fit: Vec<QaItem> = world
            .select("retain")?
            .into_iter()
            .filter(|it| !trained_items.iter().any(|t| t.id == it.id))
            .take(PROBE_FIT_ITEMS)
            .collect();
        let settings = config.train_settings();
        Ok(Self {
            trainer: Trainer::new(&model.config, model.weights.clone(), settings, device)?,
            batches: Batches::new(0, config.seed),
            world_items: sample("world")?,
            trained_items,
            probe_fit,
            state: RunState::Ready,
            model_config: model.config.clone(),
            tokenizer: model.tokenizer.clone(),
            device: device.clone(),
            stages,
            config,
        })
    }

    pub fn step_count(&self) -> usize {
        self.trainer.step_count()
    }

    pub fn total_steps(&self) -> usize {
        self.config.stages.iter().map(|s| s.steps).sum()
    }

    pub fn state(&self) -> &RunState {
        &self.state
    }

    /// Each stage's items (what its scores are computed on, before `eval_items` caps them).
    pub fn stage_items(&self, stage: usize) -> &[QaItem] {
        self.stages.get(stage).map_or(&[], |s| &s.items)
    }

    /// The stage step `n` (0-based) belongs to.
    fn stage_of(&self, n: usize) -> usize {
        let mut end = 0;
        for (k, s) in self.config.stages.iter().enumerate() {
            end += s.steps;
            if n < end {
                return k;
            }
        }
        self.config.stages.len() - 1
    }

    /// Whether the run sits at the end of a stage (where checkpoints are evaluated).
    pub fn at_stage_end(&self) -> bool {
        let mut end = 0;
        self.config.stages.iter().any(|s| {
            end += s.steps;
            end == self.step_count()
        })
    }

    /// `n` examples of `pool` (at most one epoch's worth), drawn by `batches`.
    fn draw(batches: &mut Batches, pool: &[Example], n: usize) -> Vec<Example> {
        batches.next(n.min(pool.len())).into_iter().map(|i| pool[i].clone()).collect()
    }

    /// One optimizer step on the current stage. Returns the loss measured before the update.
    pub async fn step(&mut self) -> Result<ContinualStep, ForgetError> {
        if self.state != RunState::Ready {
            return Err(ForgetError::RunStopped);
        }
        if self.step_count() >= self.total_steps() {
            return Err(ForgetError::InvalidConfig(format!(
                "the run has done all its {} steps: reset it to start again",
                self.total_steps()
            )));
        }
        let step = self.step_count();
        let stage = self.stage_of(step);
        if step == 0 || self.stage_of(step - 1) != stage {
            self.batches.restart(self.stages[stage].pool.len()); // a new stage, a new shuffle
        }
        let examples =
            Self::draw(&mut self.batches, &self.stages[stage].pool, self.config.batch_size);
        let batch = Batch::new(&examples, self.tokenizer.eos_id(), self.trainer.device());
        let loss = nll_mean(
            batch_nll(self.trainer.model(), &batch, self.model_config.n_head),
            batch.mask.clone(),
        );
        let lr = self.trainer.lr();
        let value = match self.trainer.step(loss).await {
            Ok(value) => value,
            Err(err) => {
                if matches!(err, ForgetError::Diverged { .. }) {
                    self.state = RunState::Diverged(err.to_string());
                }
                return Err(err);
            }
        };
        Ok(ContinualStep { step: step + 1, stage, lr, loss: value as f64 })
    }

    /// The infinite schedule's anneal branch at a stage end: a copy trained `A` more steps on
    /// the current stage at the annealed rate (the main line is untouched). None otherwise.
    async fn anneal_branch(&self) -> Result<Option<Gpt>, ForgetError> {
        let Some((_, steps)) = self.config.schedule.anneal_lr(self.config.lr, 0) else {
            return Ok(None);
        };
        let step = self.step_count();
        if step == 0 || !self.at_stage_end() {
            return Ok(None);
        }
        let pool = &self.stages[self.stage_of(step - 1)].pool;
        let seed = self.config.seed ^ (step as u64) << 8;
        let mut branch =
            self.trainer.branch(TrainSettings::new("the anneal branch", self.config.lr, seed))?;
        let mut batches = Batches::new(pool.len(), seed);
        for k in 0..steps {
            let (lr, _) = self.config.schedule.anneal_lr(self.config.lr, k).expect("an anneal");
            let examples = Self::draw(&mut batches, pool, self.config.batch_size);
            let batch = Batch::new(&examples, self.tokenizer.eos_id(), branch.device());
            let loss = nll_mean(
                batch_nll(branch.model(), &batch, self.model_config.n_head),
                batch.mask.clone(),
            );
            branch.step_at(loss, Some(lr)).await?;
        }
        Ok(Some(branch.valid()))
    }

    /// Score every stage's items, the general knowledge and the first stage's logit lens, on
    /// the current weights (at a stage end under the infinite schedule: on the anneal branch).
    pub async fn evaluate(&self) -> Result<ContinualSnapshot, ForgetError> {
        let branch = self.anneal_branch().await?;
        let annealed = branch.is_some();
        let model = branch.unwrap_or_else(|| self.trainer.valid());
        let scorer = Scorer::new(
            &model,
            &self.model_config,
            &self.tokenizer,
            &self.device,
            self.config.max_new_tokens,
        );
        let capped = |items: &[QaItem]| {
            items.iter().take(self.config.eval_items).cloned().collect::<Vec<_>>()
        };
        let mut stages = Vec::with_capacity(self.stages.len());
        for s in &self.stages {
            stages.push(StageScores {
                name: s.name.clone(),
                scores: scorer.scores(&capped(&s.items)).await?,
            });
        }
        let first = capped(&self.stages[0].items);
        let (first_stage_probe, first_stage_probe_chance) = if self.at_stage_end() {
            let chance = crate::metrics::mean(
                first
                    .iter()
                    .filter_map(crate::metrics::probe::candidates)
                    .map(|c| 1.0 / c.len() as f64),
            );
            (scorer.probe_accuracy(&self.probe_fit, &first).await?, chance)
        } else {
            (vec![], f64::NAN)
        };
        Ok(ContinualSnapshot {
            first_stage_probe,
            first_stage_probe_chance,
            step: self.step_count(),
            stage: self.step_count().checked_sub(1).map_or(0, |n| self.stage_of(n)),
            annealed,
            stages,
            world: scorer.scores(&self.world_items).await?,
            trained: scorer.scores(&self.trained_items).await?,
            first_stage_lens: scorer.logit_lens(&first).await?,
        })
    }

    /// Stop stepping (the weights stay as they are).
    pub fn stop(&mut self) {
        if self.state == RunState::Ready {
            self.state = RunState::Stopped;
        }
    }

    /// Back to the starting weights (bit-identical), a fresh optimizer and the seed's order.
    pub fn reset(&mut self) -> Result<(), ForgetError> {
        self.trainer.reset()?;
        self.batches = Batches::new(0, self.config.seed);
        self.state = RunState::Ready;
        Ok(())
    }

    /// The model as trained so far, without gradient tracking (to score with).
    pub fn current_model(&self) -> Gpt {
        self.trainer.valid()
    }

    /// The trained weights on the host.
    pub async fn weights(&self) -> Result<GptWeights, ForgetError> {
        self.trainer.weights().await
    }

    /// The trained model as Hugging Face files' contents (config, weights, tokenizer).
    pub async fn export(&self) -> Result<LoadedModel, ForgetError> {
        Ok(LoadedModel {
            config: self.model_config.clone(),
            weights: self.weights().await?,
            tokenizer: self.tokenizer.clone(),
        })
    }

    /// How many examples a stage trains on: its items and its mixing items.
    pub fn pool_len(&self, stage: usize) -> usize {
        self.stages.get(stage).map_or(0, |s| s.pool.len())
    }
}
