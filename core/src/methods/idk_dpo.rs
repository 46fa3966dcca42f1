//! IdkDPO: direct preference optimisation with a refusal as the preferred answer and the true
//! answer as the rejected one, plus NLL on the retain set.
//!
//! With log π = −NLL_sum over answer tokens, y_w a refusal ("I don't know.") and y_l the true
//! forget answer:
//!
//! L_f(θ) = −(2/β) · mean_i log σ(β · [(log π_θ(y_w|x_i) − log π_ref(y_w|x_i))
//!                                   − (log π_θ(y_l|x_i) − log π_ref(y_l|x_i))])
//! L(θ)   = γ·L_f + α·NLL_mean(D_r)
//!
//! Unlike IdkPO it pushes the true answer down *relative to* the refusal, and the reference
//! ratios keep the model from drifting where the two answers agree.
//! Rafailov et al., 2023, "Direct Preference Optimization" (arXiv 2305.18290); the TOFU
//! refusal variant (Maini et al. 2024; named IdkDPO in open-unlearning, OU#110); open-unlearning
//! `dpo.py` → `compute_dpo_loss`, experiment `unlearn/tofu/idk.yaml`.
//! Defaults β = 0.1, γ = α = 1.

use burn::tensor::Tensor;
use burn::tensor::activation::log_sigmoid;

use super::{LossInputs, retain_nll};
use crate::batch::Batch;
use crate::loss::{batch_nll, nll_sum_per_row};
use crate::model::Gpt;

fn log_pi(model: &Gpt, batch: &Batch, n_head: usize) -> Tensor<1> {
    nll_sum_per_row(batch_nll(model, batch, n_head), batch.mask.clone()).neg()
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let preferred = x.preferred.expect("the run builds IdkDPO's refusal batch");
    let beta = x.hp.beta;
    let win =
        log_pi(x.model, preferred, x.n_head) - log_pi(x.reference, preferred, x.n_head).detach();
    let lose =
        log_pi(x.model, x.forget, x.n_head) - log_pi(x.reference, x.forget, x.n_head).detach();
    let forget = log_sigmoid((win - lose) * beta).mean() * (-2.0 / beta);
    forget * x.hp.forget_weight + retain_nll(x) * x.hp.retain_weight
}
