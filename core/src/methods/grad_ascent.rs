//! Gradient ascent (GA): push the forget answers' likelihood down.
//!
//! L(θ) = −NLL_mean(D_f) = (1/|T_f|) Σ_{(x,y)∈D_f} Σ_t log p_θ(y_t | x, y_<t)
//!
//! where T_f is the set of answer tokens in the batch (prompt masked). The baseline of TOFU
//! (Maini et al., 2024, "TOFU: A Task of Fictitious Unlearning for LLMs", arXiv 2401.06121) and
//! MUSE; open-unlearning `src/trainer/unlearn/grad_ascent.py`. Unbounded below, so it keeps
//! going after the answer is gone and damages fluency — the point of several later methods.

use burn::tensor::Tensor;

use super::LossInputs;
use crate::loss::{batch_nll, nll_mean};

pub fn loss(x: &LossInputs) -> Tensor<1> {
    nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone()).neg()
}
