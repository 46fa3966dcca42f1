//! UNDIAL: self-distillation with adjusted logits — the model is trained toward the original
//! model's own distribution with the true next token's logit lowered by β, so it unlearns the
//! fact by moving probability to what the original model thought next-most likely, without the
//! unbounded push of gradient ascent.
//!
//! q_t = softmax(z_ref,t − β · onehot(y_t))        (teacher: the frozen original model)
//! L_f(θ) = (1/(B·T)) · Σ_{b,t} CE(softmax(z_θ,t), q_t) = −(1/(B·T)) Σ_{b,t} Σ_v q_t,v log p_θ,t,v
//! L(θ)   = γ·L_f + α·NLL_mean(D_r)
//!
//! As in open-unlearning, every position of the batch is distilled (prompt and padding too). OU's
//! prompt labels are −100, which index the one-hot at vocabulary id V−100 by negative wrap-around
//! (a quirk); ForgetLab lowers the actual next token's logit there instead.
//! Dong, Lin, Belinkov, Hu, 2025, "UNDIAL: Self-Distillation with Adjusted Logits for Robust
//! Unlearning in Large Language Models", NAACL 2025, arXiv 2402.10052; open-unlearning
//! `undial.py`, `compute_undial_loss`. Defaults β = 10, γ = 1, α = 0.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_softmax, softmax};

use super::{LossInputs, retain_nll};

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let logits = x.model.forward(x.forget.inputs.clone(), x.n_head);
    let [b, t, v] = logits.dims();
    let teacher = x.reference.forward(x.forget.inputs.clone(), x.n_head).detach();
    let onehot = x.forget.targets.clone().one_hot::<3>(v).float();
    let target = softmax(teacher - onehot * x.hp.beta, 2).detach();
    let forget = (target * log_softmax(logits, 2)).sum().neg() / ((b * t) as f64);
    let retain = if x.hp.retain_weight > 0.0 {
        retain_nll(x) * x.hp.retain_weight
    } else {
        forget.zeros_like()
    };
    forget * x.hp.forget_weight + retain
}
