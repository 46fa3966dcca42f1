//! WGA: weighted gradient ascent — each forget token's ascent is weighted by how likely the model
//! still finds it, so tokens already forgotten stop pulling the model apart.
//!
//! ℓ_t = −log p_θ(y_t | x, y_<t),   w_t = p_θ(y_t | x, y_<t)^β   (detached)
//! L_f(θ) = −(1/N) · Σ_{answer tokens t} w_t · ℓ_t,   L(θ) = γ·L_f + α·NLL_mean(D_r)
//!
//! Wang, Zhang, Li, Xu, Han, Sugiyama, Liu, 2025, "Rethinking LLM Unlearning Objectives: A
//! Gradient Perspective and Go Beyond", ICLR 2025, arXiv 2502.19301; open-unlearning `wga.py`,
//! `compute_wga_loss`. Defaults β = 1, γ = α = 1.

use burn::tensor::Tensor;

use super::{LossInputs, retain_nll};
use crate::loss::batch_nll;

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let nll = batch_nll(x.model, x.forget, x.n_head);
    let weight = (nll.clone() * (-x.hp.beta)).exp().detach();
    let mask = x.forget.mask.clone();
    let forget = (weight * nll * mask.clone()).sum().neg() / mask.sum().clamp_min(1.0);
    forget * x.hp.forget_weight + retain_nll(x) * x.hp.retain_weight
}
