//! GA + KL: gradient ascent on the forget set while the retain set's next-token distributions
//! are held to the original model's.
//!
//! L(θ) = γ·(−NLL_mean(D_f)) + α·KL(p_ref ‖ p_θ)(D_r),
//! KL(p_ref ‖ p_θ) = (1/(B·T)) Σ_{b,t} Σ_v p_ref(v | ·) (log p_ref(v | ·) − log p_θ(v | ·))
//!
//! TOFU's "KL" loss (Maini et al., 2024, arXiv 2401.06121; `tofu:dataloader.py`), open-unlearning
//! `grad_diff.py` with `retain_loss_type: KL`; the KL is averaged over every position,
//! prompt and padding included, as in `compute_kl_divergence`.

use burn::tensor::Tensor;

use super::{LossInputs, retain_kl};
use crate::loss::{batch_nll, nll_mean};

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let forget = nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone()).neg();
    forget * x.hp.forget_weight + retain_kl(x) * x.hp.retain_weight
}
