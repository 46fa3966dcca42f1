//! A step-wise unlearning run: the object the CLI loops over and the playground's worker drives
//! one message at a time.
//!
//! configure ([`Run::new`]) → [`Run::step`] … → [`Run::evaluate`] (a serializable [`Snapshot`])
//! → [`Run::stop`] / [`Run::reset`]. The training itself is [`crate::train::Trainer`]'s: reset
//! is bit-identical to the start, a non-finite loss stops the run with [`ForgetError::Diverged`]
//! and a finite one past the method's `loss_limit` (the method table) with
//! [`ForgetError::LossExploded`]; both restore the last good weights.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::eval::{EvalSets, RetainReference, RetainReferences};
use crate::methods::data::{Draw, Pair, Prepared, Sources};
use crate::methods::{LossInputs, Start};
use crate::metrics::probe::LinearProbe;
use crate::model::{Gpt, GptConfig, GptWeights, LoadedModel};
use crate::train::{Batches, TrainSettings, Trainer};
use crate::world::{FactWorld, QaItem};

mod checkpoint;
mod config;
mod estimate;
mod evaluate;
mod first_look;
pub use checkpoint::Checkpoint;
use config::eval_sets_with;
pub use estimate::{ESTIMATE_ITEMS, Estimate};
pub mod relearning_attack;
mod sequential;
mod worst_case;
pub use config::{
    EvalConfig, ForgetSelection, PROBE_FIT_MAX, PROBE_FIT_PER_RETAIN, RunConfig, eval_sets,
    resolve_forget, retain_without,
};
pub use relearning_attack::{AttackConfig, AttackReport, Recall};
pub use sequential::{SequentialRun, split_requests};
pub use worst_case::{WorstCase, WorstCaseConfig, random_authors, worst_case_authors};

/// Why a run is not stepping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RunState {
    Ready,
    Stopped,
    Diverged(String),
}

/// What one step reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: usize,
    pub loss: f64,
    /// Input tokens the step's loss read (forget, retain and preferred rows; padding excluded).
    pub tokens: usize,
}

pub struct Run {
    pub config: RunConfig,
    model_config: GptConfig,
    tokenizer: crate::tokenizer::Tokenizer,
    /// What the method trains on (its pool of forget-side pairs, retraining's data, IKE's
    /// demonstrations), built once by the method's `prepare`.
    prepared: Prepared,
    eval_device: Device,
    /// The trained model, from the original model's weights, or for retraining a fresh seeded
    /// initialisation, or for ULD its assistant's (fewer blocks).
    trainer: Trainer,
    /// Which pool entries each step draws (and the method's random choices).
    batches: Batches,
    reference: Gpt,
    /// The Linguistic Score's scorer, when one is loaded (see [`Run::set_fluency_model`]).
    fluency: Option<Gpt>,
    /// The fluency scorer's values on answers already scored (it and the reference are frozen).
    fluency_cache: crate::eval::NllCache,
    forget_items: Vec<QaItem>,
    retain_items: Vec<QaItem>,
    last_loss: Option<f64>,
    state: RunState,
    eval_sets: EvalSets,
    /// The retain model's per-item values for this forget selection (forget quality, PrivLeak's
    /// reference, the retain model's answers); None: forget quality is null.
    retain_reference: Option<RetainReference>,
    /// The linear probe, fitted on the original model at the first evaluation (it depends only
    /// on the original model and the evaluation sets).
    probe: std::cell::OnceCell<Option<LinearProbe>>,
    /// The original model's hidden states on the forget items of the evaluation (CKA's other
    /// side), computed at the first evaluation.
    original_states: std::cell::OnceCell<Vec<Vec<Vec<f32>>>>,
    /// Fit the probe again on the evaluated model at each evaluation ([`Run::set_refit_probe`]).
    refit_probe: bool,
}

impl Run {
    /// Configure a run on `device` (CPU or WebGPU; autodiff is added here).
    pub fn new(
        model: &LoadedModel,
        world: &FactWorld,
        config: RunConfig,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        Self::new_observed(model, world, config, device, &|_, _| {})
    }

    /// [`Self::new`], calling `uploaded(bytes so far, bytes in all)` as the trained model's and
    /// the reference model's weights go onto the device.
    pub fn new_observed(
        model: &LoadedModel,
        world: &FactWorld,
        config: RunConfig,
        device: &Device,
        uploaded: &dyn Fn(u64, u64),
    ) -> Result<Self, ForgetError> {
        config.hyper.validate()?;
        if config.eval.max_new_tokens == 0 {
            return Err(ForgetError::InvalidConfig("max_new_tokens must be at least 1".into()));
        }
        let spec = config.method.spec();
        let forget_items = resolve_forget(world, &config.forget)?;
        let retain_items = retain_without(world, &forget_items)?;
        if spec.uses_retain && retain_items.is_empty() {
            return Err(ForgetError::InvalidConfig(format!(
                "{} needs retain items, and the retain set is empty",
                spec.name
            )));
        }
        if config.hyper.lora_rank > 0 && spec.start == Start::Scratch {
            return Err(ForgetError::InvalidConfig(
                "retraining from scratch trains every weight: \
                LoRA (lora_rank > 0) has no trained model to adapt"
                    .into(),
            ));
        }
        let eval_sets = eval_sets_with(world, &forget_items, retain_items.clone(), &config.eval)?;
        let eval_device = device.clone();
        let prepared = (config.method.ops().prepare)(&Sources {
            forget: &forget_items,
            retain: &retain_items,
            world,
            tokenizer: &model.tokenizer,
            n_positions: model.config.n_positions,
            hyper: &config.hyper,
        })?;
        let (train_config, start) = match spec.start {
            Start::Original => (model.config.clone(), model.weights.clone()),
            Start::Scratch => (model.config.clone(), GptWeights::init(&model.config, config.seed)),
            Start::Assistant => {
                model.weights.first_blocks(&model.config, config.hyper.assistant_layers)?
            }
        };
        let n_pool = prepared.pool.len();
        let bytes =
            |w: &GptWeights| w.tensors.values().map(|t| 4 * t.data.len() as u64).sum::<u64>();
        let total = bytes(&start) + bytes(&model.weights);
        let done = std::cell::Cell::new(0u64);
        let placed = |n: u64| {
            done.set(done.get() + n);
            uploaded(done.get(), total);
        };
        let settings = TrainSettings {
            schedule: (config.method.ops().schedule)(&config.hyper),
            weight_decay: config.hyper.weight_decay,
            lora_rank: config.hyper.lora_rank,
            loss_limit: spec.loss_limit,
            ..TrainSettings::new(spec.name, config.hyper.lr, config.seed)
        };
        Ok(Self {
            model_config: model.config.clone(),
            tokenizer: model.tokenizer.clone(),
            trainer: Trainer::new_observed(&train_config, start, settings, device, &placed)?,
            batches: Batches::new(n_pool, config.seed),
            prepared,
            reference: Gpt::from_weights_observed(
                &model.config,
                &model.weights,
                &eval_device,
                &placed,
            )?,
            fluency: None,
            fluency_cache: Default::default(),
            forget_items,
            retain_items,
            last_loss: None,
            state: RunState::Ready,
            eval_sets,
            retain_reference: None,
            probe: std::cell::OnceCell::new(),
            original_states: std::cell::OnceCell::new(),
            refit_probe: false,
            eval_device,
            config,
        })
    }

    /// Score the Linguistic Score's perplexity with `scorer` (it must share the model's tokenizer:
    /// generated token ids are scored as they are).
    pub fn set_fluency_model(&mut self, scorer: &LoadedModel) -> Result<(), ForgetError> {
        if scorer.tokenizer.to_json()? != self.tokenizer.to_json()? {
            return Err(ForgetError::InvalidConfig(
                "the fluency model's tokenizer differs from the model's".into(),
            ));
        }
        // The evaluator runs every model with the model's head count (`Gpt::forward_hidden`).
        if scorer.config.n_head != self.model_config.n_head {
            return Err(ForgetError::InvalidConfig(format!(
                "the fluency model has {} attention heads, the model {}",
                scorer.config.n_head, self.model_config.n_head
            )));
        }
        self.fluency = Some(Gpt::from_weights(&scorer.config, &scorer.weights, &self.eval_device)?);
        self.fluency_cache = Default::default(); // its values were another scorer's
        Ok(())
    }

    /// Use the shipped retain model whose forget set is exactly this run's (the preset splits);
    /// returns whether there was one. Other selections keep forget quality null.
    pub fn use_retain_references(&mut self, refs: &RetainReferences) -> bool {
        self.retain_reference = refs.for_selection(&self.forget_items).cloned();
        self.retain_reference.is_some()
    }

    /// Compare with this retain model's values (for example those of a model retrained from
    /// scratch on this selection). It must cover every forget item.
    pub fn set_retain_reference(&mut self, reference: RetainReference) -> Result<(), ForgetError> {
        if !reference.is_for(&self.forget_items) {
            return Err(ForgetError::InvalidConfig(format!(
                "'{}' is the retain model of another forget selection",
                reference.label
            )));
        }
        self.retain_reference = Some(reference);
        Ok(())
    }

    /// Also refit the linear probe on the evaluated model's own states at each evaluation (Kim
    /// et al. 2025's protocol; one more forward pass over the probe's fitting items, about as
    /// long as the rest of an evaluation on the default model). The frozen probe stays.
    pub fn set_refit_probe(&mut self, on: bool) {
        self.refit_probe = on;
    }

    pub fn retain_reference(&self) -> Option<&RetainReference> {
        self.retain_reference.as_ref()
    }

    pub fn step_count(&self) -> usize {
        self.trainer.step_count()
    }

    pub fn state(&self) -> &RunState {
        &self.state
    }

    /// How many numbers a step trains: every weight, or only the LoRA adapters'.
    pub fn trainable_parameters(&self) -> usize {
        let trained = self.trainer.config();
        match self.config.hyper.lora_rank {
            0 => trained.num_params(),
            rank => crate::model::lora::num_params(trained, rank),
        }
    }

    pub fn forget_items(&self) -> &[QaItem] {
        &self.forget_items
    }

    pub fn eval_sets(&self) -> &EvalSets {
        &self.eval_sets
    }

    /// Which items' generations each snapshot carries (ids outside the evaluation sets are
    /// ignored).
    pub fn set_sample_ids(&mut self, ids: Vec<String>) {
        self.config.eval.sample_ids = ids.clone();
        self.eval_sets.sample_ids = ids;
    }

    /// Change the learning rate mid-run (TensorFlow Playground lets users do this without reset).
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), ForgetError> {
        self.trainer.set_lr(lr)?;
        self.config.hyper.lr = lr;
        Ok(())
    }

    fn batch(&self, pairs: &[Pair], tokenized: Vec<Example>) -> Result<Batch, ForgetError> {
        let max = self.model_config.n_positions;
        let mut examples = pairs
            .iter()
            .map(|p| p.tokenize(&self.tokenizer, max))
            .collect::<Result<Vec<_>, _>>()?;
        examples.extend(tokenized);
        Ok(Batch::new(&examples, self.tokenizer.eos_id(), self.trainer.device()))
    }

    /// One optimizer step. Returns the loss measured before the update.
    pub async fn step(&mut self) -> Result<StepReport, ForgetError> {
        if self.state != RunState::Ready {
            return Err(ForgetError::RunStopped);
        }
        let spec = self.config.method.spec();
        // `batch_size` pool entries, epoch-wise in a seeded shuffle.
        let picked = self.batches.next(self.config.hyper.batch_size.min(self.batches.len()));
        let mut data = (self.config.method.ops().draw)(&mut Draw {
            picked: &picked,
            forget: &self.forget_items,
            retain: &self.retain_items,
            prepared: &self.prepared,
            batch_size: self.config.hyper.batch_size,
            rng: self.batches.rng(),
        });
        if !spec.uses_retain {
            // The loss never reads the retain batch; a one-row placeholder keeps LossInputs simple.
            data.retain = data.forget[..1].to_vec();
            data.retain_examples.clear();
        }
        let forget = self.batch(&data.forget, vec![])?;
        let retain = self.batch(&data.retain, data.retain_examples)?;
        let preferred = data.preferred.map(|p| self.batch(&p, vec![])).transpose()?;
        let loss = self.config.method.loss(&LossInputs {
            model: self.trainer.model(),
            reference: &self.reference,
            forget: &forget,
            preferred: preferred.as_ref(),
            retain: &retain,
            hp: &self.config.hyper,
            n_head: self.model_config.n_head,
            seed: self.config.seed,
        });
        let tokens = forget.tokens
            + preferred.as_ref().map_or(0, |p| p.tokens)
            + if spec.uses_retain { retain.tokens } else { 0 };
        // Methods that train nothing (in-context unlearning) only measure their loss.
        let lr = spec.trains.then(|| self.trainer.lr());
        let value = match self.trainer.step_at(loss, lr).await {
            Ok(value) => f64::from(value),
            Err(err) => {
                if matches!(err, ForgetError::Diverged { .. } | ForgetError::LossExploded { .. }) {
                    self.state = RunState::Diverged(err.to_string());
                }
                return Err(err);
            }
        };
        self.last_loss = Some(value);
        Ok(StepReport { step: self.trainer.step_count(), loss: value, tokens })
    }

    /// Stop stepping (the weights stay as they are).
    pub fn stop(&mut self) {
        if self.state == RunState::Ready {
            self.state = RunState::Stopped;
        }
    }

    /// Back to the original weights (bit-identical), a fresh optimizer and the seed's data order.
    pub fn reset(&mut self) -> Result<(), ForgetError> {
        self.trainer.reset()?;
        self.batches.reset();
        self.last_loss = None;
        self.state = RunState::Ready;
        Ok(())
    }

    /// The trained weights on the host (async: the only readback WebGPU allows). For ULD, the
    /// assistant's.
    pub async fn weights(&self) -> Result<GptWeights, ForgetError> {
        self.trainer.weights().await
    }

    /// The trained model as a Hugging Face directory's contents (for ULD, the assistant: the
    /// target is the original model, unchanged).
    pub async fn export(&self) -> Result<LoadedModel, ForgetError> {
        Ok(LoadedModel {
            config: self.trainer.config().clone(),
            weights: self.weights().await?,
            tokenizer: self.tokenizer.clone(),
        })
    }
}
