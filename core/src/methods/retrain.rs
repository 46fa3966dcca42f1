//! Retraining from scratch without the forget set: exact unlearning, the gold standard every
//! approximate method is measured against — and its cost.
//!
//! θ₀ ~ the same seeded initialisation as the original model; then the original recipe on
//! D \ D_f (generic sentences, world facts and every trained author except the forget items):
//!
//! L(θ) = NLL_mean(D \ D_f),   lr(t) = linear warm-up, cosine decay (`pretrain::PretrainConfig`)
//!
//! The result never saw the forget items, so nothing of them can be extracted or relearned
//! faster than from any other unseen fact (TOFU's "retain model": forget quality compares against
//! it; Maini et al. 2024, arXiv 2401.06121; Bourtoule et al. 2021, "Machine Unlearning",
//! SISA). The cost is the point: the original model took 8000 steps of batch 32, and so does
//! this; the playground and the CLI show steps and seconds next to the approximate methods'.
//! The run feeds D \ D_f in as its retain batch, and schedules the learning rate by step.

use burn::tensor::Tensor;

use rand::seq::IndexedRandom;

use super::data::{Draw, Prepared, Sources, StepData};
use super::{Hyper, LossInputs, retain_nll};
use crate::error::ForgetError;
use crate::pretrain::PretrainConfig;
use crate::train::Schedule;

/// Steps of the original recipe (what "retrained" means here).
pub fn recipe_steps() -> usize {
    PretrainConfig::default().steps
}

/// The original recipe's schedule (with `hp.lr` as its peak).
pub fn schedule(_: &Hyper) -> Schedule {
    PretrainConfig::default().schedule()
}

/// Retraining's data: the original training set without the forget items (its "retain" batch).
pub fn prepare(s: &Sources) -> Result<Prepared, ForgetError> {
    let exclude = s.forget.iter().map(|it| it.id.clone()).collect();
    let retrain = crate::pretrain::training_examples_without(
        s.world,
        s.tokenizer,
        s.n_positions,
        false,
        &exclude,
    )?;
    Ok(Prepared { retrain, ..super::data::prepare_items(s)? })
}

/// A step: the picked forget pairs (unused by the loss) and `batch_size` training examples.
pub fn draw(d: &mut Draw) -> StepData {
    let forget = d.pool_pairs();
    let retain_examples =
        (0..d.batch_size).filter_map(|_| d.prepared.retrain.choose(d.rng).cloned()).collect();
    StepData { forget, retain_examples, ..StepData::default() }
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    retain_nll(x)
}
