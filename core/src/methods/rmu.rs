//! RMU: Representation Misdirection for Unlearning — scramble a chosen layer's activations on
//! forget data, keep them unchanged on retain data.
//!
//! With h^ℓ the residual stream after block ℓ, m the answer-token mask, u a random unit vector
//! (entries U[0,1), normalised, drawn once per run from its seed) and c the steering coefficient:
//!
//! L_f(θ) = Σ_t m_t · mean_d (h^ℓ_θ(x)_td − c·u_d)² / Σ_t m_t            (forget batch)
//! L_r(θ) = Σ_t m_t · mean_d (h^ℓ_θ(x_r)_td − h^ℓ_ref(x_r)_td)² / Σ_t m_t  (retain batch)
//! L(θ)   = γ·L_f + α·L_r
//!
//! Later layers then read noise where the forgotten fact used to be. Li et al., 2024, "The WMDP
//! Benchmark: Measuring and Reducing Malicious Use With Unlearning" (arXiv 2403.03218);
//! open-unlearning `rmu.py` (answer-token masking, mean over d). OU's TOFU config
//! hooks layer 7 of 32 with c = 2 and trains every parameter; ForgetLab hooks block 2 of 4 (the
//! same relative depth) and uses c = 8, because this model's residual stream is larger relative
//! to a unit vector (per-token norm ≈ 8; with c = 2 the forget term barely moves it).

use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::LossInputs;
use crate::batch::Batch;
use crate::model::Gpt;

/// The run's fixed random direction u (`[n_embd]`, unit norm, non-negative entries).
pub fn direction(n_embd: usize, seed: u64, device: &Device) -> Tensor<1> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x524d55); // "RMU": independent of the data order
    let u: Vec<f32> = (0..n_embd).map(|_| rng.random::<f32>()).collect();
    let norm = u.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
    Tensor::from_data(
        TensorData::new(u.iter().map(|x| x / norm).collect::<Vec<_>>(), [n_embd]),
        device,
    )
}

/// The residual stream after block `layer` (clamped to the last block): `[batch, seq, n_embd]`.
fn activations(model: &Gpt, batch: &Batch, layer: usize, n_head: usize) -> Tensor<3> {
    let (_, mut per_layer) = model.forward_hidden(batch.inputs.clone(), n_head);
    let l = layer.min(per_layer.len() - 1);
    per_layer.swap_remove(l)
}

/// Σ_t m_t · mean_d (a − b)² / Σ_t m_t, with `b` broadcast over `a` (`[batch, seq, n_embd]`).
fn masked_mse(a: Tensor<3>, b: Tensor<3>, mask: Tensor<2>) -> Tensor<1> {
    let [rows, seq, _] = a.dims();
    let per_token = (a - b).powi_scalar(2).mean_dim(2).reshape([rows, seq]);
    (per_token * mask.clone()).sum() / mask.sum().clamp_min(1.0)
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let h = activations(x.model, x.forget, x.hp.layer, x.n_head);
    let [_, _, c] = h.dims();
    let target = (direction(c, x.seed, &h.device()) * x.hp.steering).reshape([1, 1, c]);
    let forget = masked_mse(h, target, x.forget.mask.clone());
    let h_r = activations(x.model, x.retain, x.hp.layer, x.n_head);
    let h_ref = activations(x.reference, x.retain, x.hp.layer, x.n_head).detach();
    let retain = masked_mse(h_r, h_ref, x.retain.mask.clone());
    forget * x.hp.forget_weight + retain * x.hp.retain_weight
}
