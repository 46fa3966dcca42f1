//! FLAT: Forget-data-only Loss AdjusTment — raise a template answer's probability and lower the
//! forget answer's, through an f-divergence, with no retain data and no reference model.
//!
//! With P̄_e the mean probability p_θ(y_t | x, y_<t) over the answer tokens of the template
//! answers (a refusal, "I don't know.") and P̄_f the same over the forget answers, the Total
//! Variation form (FLAT's default) is
//!
//! L(θ) = −½·tanh(P̄_e) + ½·tanh(P̄_f)
//!
//! Wang, Wei, Liu, et al., ICLR 2025, "LLM Unlearning via Loss Adjustment with Only Forget Data"
//! (arXiv 2410.11143); `UCSC-REAL/FLAT: dataloader.py::get_contrastive_loss`.
//! [quirk] The reference code averages over every padded position (label −100 adds 0), so P̄
//! shrinks with padding; ForgetLab averages over answer tokens, which does not depend on how a
//! batch happens to be padded. Learning rate scaled to the default model like NPO's.

use burn::tensor::Tensor;

use super::LossInputs;
use crate::batch::Batch;
use crate::loss::batch_nll;
use crate::model::Gpt;

/// Mean answer-token probability of a batch (differentiable).
fn mean_token_prob(model: &Gpt, batch: &Batch, n_head: usize) -> Tensor<1> {
    let p = batch_nll(model, batch, n_head).neg().exp();
    (p * batch.mask.clone()).sum() / batch.mask.clone().sum().clamp_min(1.0)
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let template = x.preferred.expect("the run builds FLAT's template (refusal) batch");
    let p_e = mean_token_prob(x.model, template, x.n_head);
    let p_f = mean_token_prob(x.model, x.forget, x.n_head);
    p_e.tanh() * -0.5 + p_f.tanh() * 0.5
}
