//! The token-level losses every method is built from (open-unlearning's `src/trainer/utils.py`).
//!
//! # Shapes
//! - logits: `[batch, seq, vocab]`; targets, mask: `[batch, seq]`
//! - [`token_nll`]: `[batch, seq]`, −log p(target) at every position (mask applied by callers)

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor};

use crate::batch::Batch;
use crate::model::Gpt;

/// −log p_θ(y_t | x, y_<t) at every position: `[batch, seq]`.
pub fn token_nll(logits: Tensor<3>, targets: Tensor<2, Int>) -> Tensor<2> {
    let [b, t, _] = logits.dims();
    let logp = log_softmax(logits, 2);
    logp.gather(2, targets.unsqueeze_dim::<3>(2)).reshape([b, t]).neg()
}

/// NLL_mean: the mean over every answer token in the batch (HF's `outputs.loss`). Shape `[1]`.
pub fn nll_mean(nll: Tensor<2>, mask: Tensor<2>) -> Tensor<1> {
    (nll * mask.clone()).sum() / mask.sum().clamp_min(1.0)
}

/// NLL_sum per sequence: Σ_t over answer tokens (open-unlearning's `compute_batch_nll`). `[batch]`.
pub fn nll_sum_per_row(nll: Tensor<2>, mask: Tensor<2>) -> Tensor<1> {
    let [b, _] = nll.dims();
    (nll * mask).sum_dim(1).reshape([b])
}

/// Forward pass and masked per-token NLL for a batch.
pub fn batch_nll(model: &Gpt, batch: &Batch, n_head: usize) -> Tensor<2> {
    token_nll(model.forward(batch.inputs.clone(), n_head), batch.targets.clone())
}

/// KL(p_ref ‖ p_θ) summed over the vocabulary and averaged over all batch·seq positions —
/// open-unlearning's `compute_kl_divergence` (`F.kl_div(log p_θ, log p_ref, "batchmean",
/// log_target=True)`). Like the reference code, prompt and padding positions are included.
pub fn kl_ref_theta(logits_theta: Tensor<3>, logits_ref: Tensor<3>) -> Tensor<1> {
    let [b, t, _] = logits_theta.dims();
    let lp_theta = log_softmax(logits_theta, 2);
    let lp_ref = log_softmax(logits_ref, 2).detach();
    let p_ref = lp_ref.clone().exp();
    (p_ref * (lp_ref - lp_theta)).sum() / ((b * t) as f64)
}
