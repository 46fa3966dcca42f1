//! GradDiff: gradient ascent on the forget set, gradient descent on the retain set.
//!
//! L(θ) = γ·(−NLL_mean(D_f)) + α·NLL_mean(D_r)
//!
//! Liu et al., 2022, "Continual Learning and Private Unlearning" (CoLLAs); used as a baseline in
//! TOFU (arXiv 2401.06121). open-unlearning `grad_diff.py` with `retain_loss_type: NLL`,
//! defaults γ = α = 1.

use burn::tensor::Tensor;

use super::{LossInputs, retain_nll};
use crate::loss::{batch_nll, nll_mean};

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let forget = nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone()).neg();
    forget * x.hp.forget_weight + retain_nll(x) * x.hp.retain_weight
}
