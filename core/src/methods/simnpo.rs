//! SimNPO: NPO without a reference model — the forget term compares the length-normalised NLL
//! to a margin δ instead of to the original model's NLL.
//!
//! L_f(θ) = −(2/β) · mean_i log σ(β · (NLL_θ(y_i|x_i) / |y_i| − δ)),
//! L(θ)   = γ·L_f + α·NLL_mean(D_r)
//!
//! with NLL the per-sequence sum over answer tokens. Normalising by |y_i| stops long answers from
//! dominating (NPO's reference ratio favours them); like NPO the forget term saturates once an
//! answer is unlikely.
//! Fan, Liu, Lin, Jia, Zhang, Mei, Liu, 2024, "Simplicity Prevails: Rethinking Negative Preference
//! Optimization for LLM Unlearning", arXiv 2410.07163; open-unlearning `simnpo.py`.
//! Defaults (OU): β = 4.5, δ = 0, γ = 0.125, α = 1.

use burn::tensor::activation::log_sigmoid;
use burn::tensor::{Tensor, TensorData};

use super::{LossInputs, retain_nll};
use crate::loss::{batch_nll, nll_sum_per_row};

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let beta = x.hp.beta;
    let nll_sum = nll_sum_per_row(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone());
    let lens: Vec<f32> = x.forget.answer_lens.iter().map(|&n| n.max(1) as f32).collect();
    let lens = Tensor::<1>::from_data(TensorData::new(lens, [x.forget.rows()]), &nll_sum.device());
    let forget = log_sigmoid((nll_sum / lens - x.hp.delta) * beta).mean() * (-2.0 / beta);
    forget * x.hp.forget_weight + retain_nll(x) * x.hp.retain_weight
}
