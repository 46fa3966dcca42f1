//! LoRA: low-rank adapters on GPT-2's projections, so a method trains a few thousand numbers and
//! leaves the original weights untouched.
//!
//! For a projection y = x·W + b (GPT-2's Conv1D layout, W `[in, out]`), LoRA adds a trainable
//! rank-r update and freezes W and b (Hu et al., "LoRA: Low-Rank Adaptation of Large Language
//! Models", ICLR 2022, arXiv 2106.09685):
//!
//! ```text
//! y = x·W + b + (α/r)·(x·A)·B        A `[in, r]`, B `[r, out]`
//! ```
//!
//! A starts uniform in ±1/√in (PEFT's Kaiming-uniform default), B at zero, so the adapted model
//! starts exactly equal to the original. α = 2r here (scale 2), a common choice. Adapters sit on
//! every block's `c_attn`, `attn.c_proj`, `c_fc` and `mlp.c_proj` (ReLearn and ULD fine-tune
//! with LoRA in their papers); embeddings and LayerNorms stay frozen too. What the model exports
//! is plain GPT-2: W + (α/r)·A·B merged in ([`Lora::delta`]), so files stay in the Hugging Face
//! layout.
//!
//! # Shapes
//! - input `[..., in]` → output `[..., out]`; A `[in, r]`, B `[r, out]`, delta `[in, out]`

use burn::module::{Module, Param};
use burn::tensor::module::linear;
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::config::GptConfig;
use super::weights::expected_shapes;

/// α / r: the adapter's output scale.
const SCALE: f64 = 2.0;

/// Whether the GPT-2 tensor `name` gets an adapter: the projections' weights.
pub fn is_adapted(name: &str) -> bool {
    name.ends_with(".weight") && ["c_attn", "c_proj", "c_fc"].iter().any(|p| name.contains(p))
}

/// Numbers rank-`rank` adapters train on a model of `cfg`: r·(in + out) per adapted weight.
pub fn num_params(cfg: &GptConfig, rank: usize) -> usize {
    expected_shapes(cfg)
        .iter()
        .filter(|(name, _)| is_adapted(name))
        .map(|(_, shape)| rank * (shape[0] + shape[1]))
        .sum()
}

/// One projection's adapter.
#[derive(Module, Debug)]
pub struct Lora {
    pub a: Param<Tensor<2>>,
    pub b: Param<Tensor<2>>,
}

impl Lora {
    /// A fresh adapter of rank `rank` for an `[d_in, d_out]` projection; A is drawn from `seed`.
    pub fn new(d_in: usize, d_out: usize, rank: usize, seed: u64, device: &Device) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let bound = 1.0 / (d_in as f32).sqrt();
        let a: Vec<f32> = (0..d_in * rank).map(|_| rng.random_range(-bound..bound)).collect();
        Self {
            a: Param::from_data(TensorData::new(a, [d_in, rank]), device),
            b: Param::from_data(TensorData::new(vec![0f32; rank * d_out], [rank, d_out]), device),
        }
    }

    /// (α/r)·(x·A)·B for `x` `[..., in]`.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        linear(linear(x, self.a.val(), None), self.b.val(), None) * SCALE
    }

    /// The update it makes to W: (α/r)·A·B, `[in, out]`.
    pub fn delta(&self) -> Tensor<2> {
        self.a.val().matmul(self.b.val()) * SCALE
    }
}
