//! Rotary position embeddings (RoPE; Su et al. 2021, RoFormer), as Llama and transformers apply
//! them: for head dimension d, frequencies θ_i = base^(−2i/d) for i < d/2, angles p·θ_i at position
//! p, each duplicated across the two halves of a head, and
//!
//!   rope(x) = x ⊙ cos + rotate_half(x) ⊙ sin,   rotate_half([x₁, x₂]) = [−x₂, x₁].
//!
//! The base is the config's `rope_theta`. Scaled variants (linear, dynamic, YaRN, Llama 3's) are
//! refused when the config is read.
//!
//! # Shapes
//! - positions: `[batch, seq]` (row-major host values)
//! - cos, sin: `[batch, 1, seq, head_dim]`, broadcast over the heads
//! - q or k: `[batch, heads, seq, head_dim]` → the same

use burn::tensor::{Device, Tensor, TensorData};

/// The cosines and sines of one batch's positions.
#[derive(Clone, Debug)]
pub struct Rope {
    cos: Tensor<4>,
    sin: Tensor<4>,
}

impl Rope {
    /// Angles computed on the host in f64 and rounded once, for `positions` of a `[b, t]` batch.
    pub fn new(
        positions: &[i64],
        b: usize,
        t: usize,
        head_dim: usize,
        base: f64,
        device: &Device,
    ) -> Self {
        let half = head_dim / 2;
        let inv_freq: Vec<f64> =
            (0..half).map(|i| 1.0 / base.powf((2 * i) as f64 / head_dim as f64)).collect();
        let mut cos = Vec::with_capacity(b * t * head_dim);
        let mut sin = Vec::with_capacity(b * t * head_dim);
        for &p in positions {
            for k in 0..head_dim {
                // transformers computes the angle in f32: inv_freq (f32) · position (f32).
                let angle = (inv_freq[k % half] as f32 * p as f32) as f64;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }
        let shape = [b, 1, t, head_dim];
        Self {
            cos: Tensor::from_data(TensorData::new(cos, shape), device),
            sin: Tensor::from_data(TensorData::new(sin, shape), device),
        }
    }

    /// Positions 0, 1, …, t − 1 in every row.
    pub fn causal(b: usize, t: usize, head_dim: usize, base: f64, device: &Device) -> Self {
        let positions: Vec<i64> = (0..b * t).map(|i| (i % t) as i64).collect();
        Self::new(&positions, b, t, head_dim, base, device)
    }

    /// Rotate queries or keys `[batch, heads, seq, head_dim]`.
    pub fn apply(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, t, d] = x.dims();
        let half = d / 2;
        let x1 = x.clone().narrow(3, 0, half);
        let x2 = x.clone().narrow(3, half, d - half);
        let rotated = Tensor::cat(vec![x2.neg(), x1], 3);
        let cos = self.cos.clone().expand([b, h, t, d]);
        let sin = self.sin.clone().expand([b, h, t, d]);
        x * cos + rotated * sin
    }
}
