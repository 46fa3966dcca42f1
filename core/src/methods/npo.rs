//! NPO: Negative Preference Optimization, plus NLL on the retain set.
//!
//! L_f(θ) = −(2/β) · mean_i log σ(β · (NLL_θ(y_i|x_i) − NLL_ref(y_i|x_i)))
//!        = (2/β) · mean_i log(1 + (π_θ(y_i|x_i) / π_ref(y_i|x_i))^β),
//! L(θ)   = γ·L_f + α·NLL_mean(D_r)
//!
//! with NLL the per-sequence SUM over answer tokens (log π = −NLL_sum). Unlike GA the forget term
//! is bounded below: once π_θ ≪ π_ref its gradient vanishes, so utility degrades more slowly.
//! Zhang, Lin, Bai, Mei, 2024, "Negative Preference Optimization: From Catastrophic Collapse to
//! Effective Unlearning", arXiv 2404.05868; open-unlearning `npo.py` → `compute_dpo_loss`.
//! Defaults β = 0.1, γ = α = 1.

use burn::tensor::Tensor;
use burn::tensor::activation::log_sigmoid;

use super::{LossInputs, retain_nll};
use crate::loss::{batch_nll, nll_sum_per_row};

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let beta = x.hp.beta;
    let nll_theta = nll_sum_per_row(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone());
    let nll_ref =
        nll_sum_per_row(batch_nll(x.reference, x.forget, x.n_head), x.forget.mask.clone()).detach();
    let forget = log_sigmoid((nll_theta - nll_ref) * beta).mean() * (-2.0 / beta);
    forget * x.hp.forget_weight + retain_nll(x) * x.hp.retain_weight
}
