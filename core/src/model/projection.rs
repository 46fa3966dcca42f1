//! A linear projection with an optional LoRA adapter: the unit every block's attention and MLP
//! are made of.

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::Tensor;

use super::lora::Lora;

/// One of GPT-2's projections (Conv1D: y = x·W + b, W `[in, out]`), optionally with a LoRA
/// adapter whose output is added ([`super::lora`]).
#[derive(Module, Debug)]
pub struct Projection {
    pub linear: Linear,
    pub lora: Option<Lora>,
}

impl Projection {
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match &self.lora {
            Some(lora) => self.linear.forward(x.clone()) + lora.forward(x),
            None => self.linear.forward(x),
        }
    }

    /// W with the adapter's update merged in (W itself without one).
    pub(super) fn merged_weight(&self) -> Tensor<2> {
        let w = self.linear.weight.val();
        match &self.lora {
            Some(lora) => w + lora.delta(),
            None => w,
        }
    }
}
