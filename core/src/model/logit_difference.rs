//! Logit difference with an assistant model: the inference rule of ULD
//! ([`crate::methods::uld`]). The target model stays as it is; a small assistant that *knows*
//! what must be forgotten is subtracted from it, token by token:
//!
//! ```text
//! log p_t   = log_softmax(z_t)                                  (the target's distribution)
//! τ         = min( max_v log p_t,v + ln f ,  the ⌊f·V⌋-th largest log p_t,v )
//! keep_v    = log p_t,v ≥ τ                                     ("relative top filter")
//! z_v       = z_t,v + w · z_a,v        where keep_v
//!           = −1000                    elsewhere
//! ```
//!
//! with w < 0 the assistant's weight (−0.8) and f the filter (1e-2): only tokens the target
//! itself finds plausible are re-ranked, so subtracting the assistant cannot promote garbage. On
//! text the assistant was trained to be uniform on (retain data) z_a is nearly constant and the
//! softmax of z is the target's own.
//!
//! Source: ULD's `ContrastGenerationMixin.relative_top_filter` and its greedy step
//! (`uld/model/gen_util.py`: the assistant's logits zeroed where filtered, the combined logits
//! set to −1e3 there). With f = 0 the filter is off and the rule is ULD's other
//! branch, log_softmax(z_t) + w·log_softmax(z_a).
//!
//! The ⌊f·V⌋-th largest value is found by bisection on the device, not by sorting: burn sorts on
//! the host with a synchronous readback, which WebGPU in the browser forbids. [`BISECTION_STEPS`]
//! halvings of the log-prob range leave an error far below f32's resolution of a log-prob.
//!
//! # Shapes
//! - target and assistant logits `[n, vocab]` → combined logits `[n, vocab]`

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;

use super::Gpt;

/// Halvings of the [min, max] log-prob interval when locating the ⌊f·V⌋-th largest log-prob.
pub const BISECTION_STEPS: usize = 30;

/// The logit given to filtered tokens (ULD's −1e3: effectively probability zero).
pub const FILTERED_LOGIT: f64 = -1000.0;

/// An assistant and how its logits are subtracted (see the module docs).
#[derive(Clone, Debug)]
pub struct LogitDifference {
    /// Same vocabulary and tokenizer as the target, usually fewer blocks.
    pub assistant: Gpt,
    /// w: the assistant's weight, negative to subtract (ULD: −0.8).
    pub weight: f64,
    /// f: the relative top filter, in [0, 1) (ULD: 1e-2; 0 turns the filter off).
    pub top_filter: f64,
}

impl LogitDifference {
    /// Combine the target's and the assistant's logits for the same positions.
    pub fn combine(&self, target: Tensor<2>, assistant: Tensor<2>) -> Tensor<2> {
        if self.top_filter <= 0.0 {
            return log_softmax(target, 1) + log_softmax(assistant, 1) * self.weight;
        }
        let [_, v] = target.dims();
        let logp = log_softmax(target.clone(), 1);
        let keep_at_least = ((self.top_filter * v as f64).floor() as usize).clamp(1, v);
        let relative = logp.clone().max_dim(1) + self.top_filter.ln();
        let threshold = relative.min_pair(kth_largest(logp.clone(), keep_at_least)); // [n, 1]
        let dropped = logp.lower(threshold.expand(target.dims()));
        let assistant = assistant.mask_fill(dropped.clone(), 0.0);
        (target + assistant * self.weight).mask_fill(dropped, FILTERED_LOGIT)
    }
}

/// Per row, the k-th largest value of `x` (`[n, v]` → `[n, 1]`), to within the interval left
/// after [`BISECTION_STEPS`] halvings. Invariant: at least k values of the row are ≥ `lo`.
fn kth_largest(x: Tensor<2>, k: usize) -> Tensor<2> {
    let mut lo = x.clone().min_dim(1);
    let mut hi = x.clone().max_dim(1);
    let dims = x.dims();
    for _ in 0..BISECTION_STEPS {
        let mid = (lo.clone() + hi.clone()) / 2.0;
        let count = x.clone().greater_equal(mid.clone().expand(dims)).float().sum_dim(1);
        let enough = count.greater_equal_elem(k as f64);
        lo = lo.mask_where(enough.clone(), mid.clone());
        hi = mid.mask_where(enough, hi);
    }
    lo
}

impl Gpt {
    /// Logits for `ids` through `contrast`'s rule when given, this model's own otherwise
    /// (`[batch, seq]` → `[batch · seq, vocab]`).
    pub fn forward_contrasted(
        &self,
        ids: burn::tensor::Tensor<2, burn::tensor::Int>,
        n_head: usize,
        contrast: Option<&LogitDifference>,
    ) -> Tensor<2> {
        let [b, t] = ids.dims();
        let logits = self.forward(ids.clone(), n_head);
        let v = logits.dims()[2];
        let logits = logits.reshape([b * t, v]);
        match contrast {
            Some(c) => c.combine(logits, c.assistant.forward(ids, n_head).reshape([b * t, v])),
            None => logits,
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;
    use crate::model::{GptConfig, GptWeights};

    fn tensor(rows: &[&[f32]], device: &Device) -> Tensor<2> {
        let v = rows[0].len();
        Tensor::from_data(TensorData::new(rows.concat(), [rows.len(), v]), device)
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    fn difference(weight: f64, top_filter: f64) -> LogitDifference {
        let cfg = GptConfig::tiny(4, 0);
        let device = Device::flex();
        LogitDifference {
            assistant: Gpt::from_weights(&cfg, &GptWeights::init(&cfg, 0), &device).unwrap(),
            weight,
            top_filter,
        }
    }

    #[test]
    fn kth_largest_finds_the_kth_value_of_each_row() {
        let d = Device::flex();
        let x = tensor(&[&[0.5, -3.0, 2.0, 1.0, -1.0], &[4.0, 4.0, 0.0, -2.0, 1.5]], &d);
        for (k, want) in [(1, [2.0, 4.0]), (2, [1.0, 4.0]), (3, [0.5, 1.5]), (5, [-3.0, -2.0])] {
            let got = values(kth_largest(x.clone(), k));
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-5, "k={k}: {got:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn filtered_tokens_get_the_floor_and_kept_ones_the_difference() {
        let d = Device::flex();
        // log p of the target: ≈ [-0.05, -3.05, -10, -20]; f = 0.25 keeps ⌊0.25·4⌋ = 1 token at
        // least and everything within ln 4 ≈ 1.39 of the best: only token 0.
        let target = tensor(&[&[10.0, 7.0, 0.05, -10.0]], &d);
        let assistant = tensor(&[&[2.0, 1.0, 1.0, 1.0]], &d);
        let got = values(difference(-0.8, 0.25).combine(target, assistant));
        assert!((got[0] - (10.0 - 0.8 * 2.0)).abs() < 1e-5, "{got:?}");
        assert_eq!(&got[1..], &[-1000.0; 3], "{got:?}");
    }

    #[test]
    fn the_minimum_token_count_widens_the_filter() {
        let d = Device::flex();
        // f = 0.5 of 4 tokens: at least 2 are kept, although only one is within ln 2 of the best.
        let target = tensor(&[&[10.0, 7.0, 0.0, -10.0]], &d);
        let assistant = tensor(&[&[1.0, 1.0, 1.0, 1.0]], &d);
        let got = values(difference(-1.0, 0.5).combine(target, assistant));
        assert!((got[0] - 9.0).abs() < 1e-5 && (got[1] - 6.0).abs() < 1e-5, "{got:?}");
        assert_eq!(&got[2..], &[-1000.0; 2], "{got:?}");
    }

    #[test]
    fn without_a_filter_log_probabilities_are_combined() {
        let d = Device::flex();
        let target = tensor(&[&[1.0, 0.0]], &d);
        let assistant = tensor(&[&[0.0, 0.0]], &d);
        let got = values(difference(-0.5, 0.0).combine(target, assistant));
        let lse = (1f32.exp() + 1.0).ln();
        let want = [1.0 - lse + 0.5 * 2f32.ln(), -lse + 0.5 * 2f32.ln()];
        assert!(
            (got[0] - want[0]).abs() < 1e-5 && (got[1] - want[1]).abs() < 1e-5,
            "{got:?} vs {want:?}"
        );
    }
}
