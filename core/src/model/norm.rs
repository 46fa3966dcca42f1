//! The two normalisations of the model families:
//!
//! - LayerNorm (Ba et al. 2016), GPT-2's: y = (x − mean(x)) / √(var(x) + ε) · γ + β, with the
//!   biased variance over the last dimension;
//! - RMSNorm (Zhang & Sennrich 2019), Llama's: y = x / √(mean(x²) + ε) · γ, no bias.
//!
//! # Shapes
//! - x: `[batch, seq, n_embd]` → y: the same

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

/// A normalisation over the last dimension: LayerNorm when it has a bias β, RMSNorm without.
#[derive(Module, Debug)]
pub struct Norm {
    pub gamma: Param<Tensor<1>>,
    pub beta: Option<Param<Tensor<1>>>,
    pub epsilon: f64,
}

impl Norm {
    /// A LayerNorm (`rms` false) or an RMSNorm (true) of width `d` with unit gains, zero biases.
    pub fn new(d: usize, rms: bool, epsilon: f64, device: &Device) -> Self {
        Self {
            gamma: Param::from_tensor(Tensor::ones([d], device)),
            beta: (!rms).then(|| Param::from_tensor(Tensor::zeros([d], device))),
            epsilon,
        }
    }

    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let last = D - 1;
        let gamma = self.gamma.val().unsqueeze();
        match &self.beta {
            // burn's LayerNorm, operation for operation (the default model's golden logits).
            Some(beta) => {
                let (var, mean) = x.clone().var_mean_bias(last);
                (x - mean) / (var + self.epsilon).sqrt() * gamma + beta.val().unsqueeze()
            }
            // transformers' LlamaRMSNorm: x · rsqrt(mean(x²) + ε), then the gain.
            None => {
                let inv_rms = (x.clone().square().mean_dim(last) + self.epsilon).sqrt().recip();
                x * inv_rms * gamma
            }
        }
    }
}
