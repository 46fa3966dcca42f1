//! A step-wise unlearning run: the object the CLI loops over and the playground's worker drives
//! one message at a time.
//!
//! configure ([`Run::new`]) → [`Run::step`] … → [`Run::evaluate`] (a serializable [`Snapshot`])
//! → [`Run::stop`] / [`Run::reset`]. Reset rebuilds the model from the host copy of the original
//! weights, so it is bit-identical to the start. A non-finite loss stops the run with
//! [`ForgetError::Diverged`], and a finite one past the method's `loss_limit` (the method table)
//! with [`ForgetError::LossExploded`]; both restore the last good weights.

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::eval::{EvalSets, RetainReference, RetainReferences};
use crate::methods::data::{Draw, Pair, Prepared, Sources};
use crate::methods::{Hyper, LossInputs, Start};
use crate::metrics::probe::LinearProbe;
use crate::model::{Gpt, GptConfig, GptWeights, LoadedModel};
use crate::world::{FactWorld, QaItem};

mod checkpoint;
mod config;
mod evaluate;
mod first_look;
pub use checkpoint::Checkpoint;
use config::eval_sets_with;
pub mod relearning_attack;
pub use config::{
    EvalConfig, ForgetSelection, PROBE_FIT_MAX, PROBE_FIT_PER_RETAIN, RunConfig, eval_sets,
    resolve_forget, retain_without,
};
pub use relearning_attack::{AttackConfig, AttackReport, Recall};

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
    /// The trained model's config: the model's own, or for ULD its assistant's (fewer blocks).
    train_config: GptConfig,
    tokenizer: crate::tokenizer::Tokenizer,
    /// The weights a run starts from (and Reset returns to): the original model's, or for
    /// retraining a fresh seeded initialisation.
    start: GptWeights,
    /// What the method trains on (its pool of forget-side pairs, retraining's data, IKE's
    /// demonstrations), built once by the method's `prepare`.
    prepared: Prepared,
    /// Training device (autodiff on top of the caller's device).
    train_device: Device,
    eval_device: Device,
    model: Gpt,
    /// The model before the last step: restored if the next loss is not finite.
    previous: Option<Gpt>,
    reference: Gpt,
    /// The Linguistic Score's scorer, when one is loaded (see [`Run::set_fluency_model`]).
    fluency: Option<Gpt>,
    optim: burn::optim::ModuleOptimizer,
    forget_items: Vec<QaItem>,
    retain_items: Vec<QaItem>,
    /// The epoch-wise shuffled order of `prepared.pool`, and the position in it.
    order: Vec<usize>,
    cursor: usize,
    rng: StdRng,
    step: usize,
    last_loss: Option<f64>,
    state: RunState,
    eval_sets: EvalSets,
    /// The retain model's per-item values for this forget selection (forget quality, PrivLeak's
    /// reference, the retain model's answers); None: forget quality is null.
    retain_reference: Option<RetainReference>,
    /// The linear probe, fitted on the original model at the first evaluation (it depends only
    /// on the original model and the evaluation sets).
    probe: std::cell::OnceCell<Option<LinearProbe>>,
}

/// The model a run trains, from its starting weights: all of them trainable, or frozen behind
/// LoRA adapters when `lora_rank > 0`.
fn trainable(
    cfg: &GptConfig,
    start: &GptWeights,
    run: &RunConfig,
    device: &Device,
    placed: &dyn Fn(u64),
) -> Result<Gpt, ForgetError> {
    let model = Gpt::from_weights_observed(cfg, start, device, placed)?;
    Ok(match run.hyper.lora_rank {
        0 => model,
        rank => model.with_lora(rank, run.seed, device),
    })
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
        if config.hyper.lora_rank > model.config.n_embd {
            return Err(ForgetError::InvalidConfig(format!(
                "lora_rank must be at most n_embd ({}), got {}",
                model.config.n_embd, config.hyper.lora_rank
            )));
        }
        if config.hyper.lora_rank > 0 && spec.start == Start::Scratch {
            return Err(ForgetError::InvalidConfig("retraining from scratch trains every weight: LoRA (lora_rank > 0) has no trained model to adapt".into()));
        }
        let eval_sets = eval_sets_with(world, &forget_items, retain_items.clone(), &config.eval)?;
        let train_device = device.clone().autodiff();
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
        Ok(Self {
            model_config: model.config.clone(),
            tokenizer: model.tokenizer.clone(),
            model: trainable(&train_config, &start, &config, &train_device, &placed)?,
            train_config,
            start,
            prepared,
            previous: None,
            reference: Gpt::from_weights_observed(
                &model.config,
                &model.weights,
                &eval_device,
                &placed,
            )?,
            fluency: None,
            optim: Self::optimizer(&config.hyper),
            forget_items,
            retain_items,
            order: (0..n_pool).collect(),
            cursor: n_pool, // forces a shuffle before the first batch
            rng: StdRng::seed_from_u64(config.seed),
            step: 0,
            last_loss: None,
            state: RunState::Ready,
            eval_sets,
            retain_reference: None,
            probe: std::cell::OnceCell::new(),
            train_device,
            eval_device,
            config,
        })
    }

    fn optimizer(hp: &Hyper) -> burn::optim::ModuleOptimizer {
        AdamWConfig::new().with_weight_decay(hp.weight_decay as f32).init()
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

    pub fn retain_reference(&self) -> Option<&RetainReference> {
        self.retain_reference.as_ref()
    }

    pub fn step_count(&self) -> usize {
        self.step
    }

    pub fn state(&self) -> &RunState {
        &self.state
    }

    /// How many numbers a step trains: every weight, or only the LoRA adapters'.
    pub fn trainable_parameters(&self) -> usize {
        match self.config.hyper.lora_rank {
            0 => self.train_config.num_params(),
            rank => crate::model::lora::num_params(&self.train_config, rank),
        }
    }

    pub fn forget_items(&self) -> &[QaItem] {
        &self.forget_items
    }

    pub fn eval_sets(&self) -> &EvalSets {
        &self.eval_sets
    }

    /// Which items' generations each snapshot carries (ids outside the evaluation sets are ignored).
    pub fn set_sample_ids(&mut self, ids: Vec<String>) {
        self.config.eval.sample_ids = ids.clone();
        self.eval_sets.sample_ids = ids;
    }

    /// Change the learning rate mid-run (TensorFlow Playground lets users do this without reset).
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), ForgetError> {
        let hp = Hyper { lr, ..self.config.hyper.clone() };
        hp.validate()?;
        self.config.hyper = hp;
        Ok(())
    }

    /// The pool entries of the next step: `batch_size` of them, epoch-wise in a seeded shuffle.
    fn next_picked(&mut self) -> Vec<usize> {
        let bs = self.config.hyper.batch_size.min(self.order.len());
        let mut picked = Vec::with_capacity(bs);
        while picked.len() < bs {
            if self.cursor >= self.order.len() {
                self.order.shuffle(&mut self.rng);
                self.cursor = 0;
            }
            picked.push(self.order[self.cursor]);
            self.cursor += 1;
        }
        picked
    }

    fn batch(&self, pairs: &[Pair], tokenized: Vec<Example>) -> Result<Batch, ForgetError> {
        let max = self.model_config.n_positions;
        let mut examples = pairs
            .iter()
            .map(|p| p.tokenize(&self.tokenizer, max))
            .collect::<Result<Vec<_>, _>>()?;
        examples.extend(tokenized);
        Ok(Batch::new(&examples, self.tokenizer.eos_id(), &self.train_device))
    }

    /// One optimizer step. Returns the loss measured before the update.
    pub async fn step(&mut self) -> Result<StepReport, ForgetError> {
        if self.state != RunState::Ready {
            return Err(ForgetError::RunStopped);
        }
        let spec = self.config.method.spec();
        let picked = self.next_picked();
        let ops = self.config.method.ops();
        let mut data = (ops.draw)(&mut Draw {
            picked: &picked,
            forget: &self.forget_items,
            retain: &self.retain_items,
            prepared: &self.prepared,
            batch_size: self.config.hyper.batch_size,
            rng: &mut self.rng,
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
            model: &self.model,
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
        let value = crate::eval::read_f32(loss.clone()).await?[0];
        if !value.is_finite() || f64::from(value.abs()) > spec.loss_limit {
            // The loss measured at this step is the previous update's doing: undo that too.
            let last_good = if let Some(prev) = self.previous.take() {
                self.model = prev;
                self.step.saturating_sub(1)
            } else {
                self.step
            };
            let step = self.step + 1;
            let err = match value.is_finite() {
                false => ForgetError::Diverged { step, loss: value, last_good },
                true => ForgetError::LossExploded {
                    step,
                    loss: value,
                    method: spec.name,
                    limit: spec.loss_limit,
                    last_good,
                },
            };
            self.step = last_good;
            self.state = RunState::Diverged(err.to_string());
            return Err(err);
        }
        if spec.trains {
            let lr = (ops.lr_at)(&self.config.hyper, self.step);
            let grads = GradientsParams::from_grads(loss.backward(), &self.model);
            let before = self.model.clone();
            self.model = self.optim.step(lr, self.model.clone(), grads);
            self.previous = Some(before);
        }
        self.step += 1;
        self.last_loss = Some(value as f64);
        Ok(StepReport { step: self.step, loss: value as f64, tokens })
    }

    /// Stop stepping (the weights stay as they are).
    pub fn stop(&mut self) {
        if self.state == RunState::Ready {
            self.state = RunState::Stopped;
        }
    }

    /// Back to the original weights (bit-identical), a fresh optimizer and the seed's data order.
    pub fn reset(&mut self) -> Result<(), ForgetError> {
        self.model =
            trainable(&self.train_config, &self.start, &self.config, &self.train_device, &|_| {})?;
        self.previous = None;
        self.optim = Self::optimizer(&self.config.hyper);
        self.rng = StdRng::seed_from_u64(self.config.seed);
        self.cursor = self.order.len();
        self.order = (0..self.order.len()).collect();
        self.step = 0;
        self.last_loss = None;
        self.state = RunState::Ready;
        Ok(())
    }

    /// The trained weights on the host (async: the only readback WebGPU allows). For ULD, the
    /// assistant's.
    pub async fn weights(&self) -> Result<GptWeights, ForgetError> {
        self.model.valid().to_weights(&self.train_config).await
    }

    /// The trained model as a Hugging Face directory's contents (for ULD, the assistant: the
    /// target is the original model, unchanged).
    pub async fn export(&self) -> Result<LoadedModel, ForgetError> {
        Ok(LoadedModel {
            config: self.train_config.clone(),
            weights: self.weights().await?,
            tokenizer: self.tokenizer.clone(),
        })
    }
}
