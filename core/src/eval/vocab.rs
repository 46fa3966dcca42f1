//! Vocabulary-wide statistics of logit rows with one `exp` per logit.
//!
//! Every scored position needs log p(y) = z_y − log Σ_v e^{z_v} for a few tokens y, and the
//! detailed ones also Min-K%++'s μ = Σ_v p_v log p_v and E_p[(log p)²] = Σ_v p_v (log p_v)².
//! A full `log_softmax` is six passes over `[rows, vocab]` (max, subtract, exp, sum, log,
//! subtract) and μ then needs `exp(log p)` again. Here one exp serves both:
//!
//! ```text
//! e_v = exp(z_v − z_max),  S = Σ_v e_v,  p_v = e_v / S,  lse = z_max + log S,  log p_max = −log S
//! ```
//!
//! and log p of any token is z_y − lse, exact however small p_y is (no log of an underflowed
//! probability). The backend's fused softmax would save a pass, but on the CPU it splits the
//! rows of every small chunk across threads and measured slower (ARCHITECTURE.md, "Evaluation
//! speed").
//!
//! # Shapes
//! - logits, probabilities: `[rows, vocab]`; log-normalizer, log p_max: `[rows, 1]`

use burn::tensor::{Int, Tensor};

/// The softmax of logit rows and what its log needs.
pub(crate) struct VocabSoftmax {
    pub logits: Tensor<2>,
    pub probs: Tensor<2>,
    /// log Σ_v e^{z_v} per row, `[rows, 1]`.
    pub lse: Tensor<2>,
    /// log max_v p_v per row (the argmax token's log-probability), `[rows, 1]`.
    pub log_p_max: Tensor<2>,
}

impl VocabSoftmax {
    pub fn new(logits: Tensor<2>) -> Self {
        let z_max = logits.clone().max_dim(1);
        let e = (logits.clone() - z_max.clone()).exp();
        let sum = e.clone().sum_dim(1);
        let log_sum = sum.clone().log();
        let probs = e / sum;
        Self { logits, probs, lse: z_max + log_sum.clone(), log_p_max: log_sum.neg() }
    }

    /// log p of one token per row: `targets` `[rows]` → `[rows]`.
    pub fn target_log_probs(&self, targets: Tensor<1, Int>) -> Tensor<1> {
        let n = targets.dims()[0];
        (self.logits.clone().gather(1, targets.reshape([n, 1])) - self.lse.clone()).reshape([n])
    }

    /// log p of arbitrary (row, token) pairs, given as flat indices row·V + token and their rows.
    pub fn pair_log_probs(&self, flat: Tensor<1, Int>, rows: Tensor<1, Int>) -> Tensor<1> {
        let [n, v] = self.logits.dims();
        self.logits.clone().reshape([n * v]).select(0, flat)
            - self.lse.clone().reshape([n]).select(0, rows)
    }

    /// Min-K%++'s μ = Σ_v p_v log p_v and Σ_v p_v (log p_v)² of the chosen rows (`[k]` each).
    pub fn moments(&self, rows: Tensor<1, Int>) -> (Tensor<1>, Tensor<1>) {
        let (logits, lse, probs) = (
            self.logits.clone().select(0, rows.clone()),
            self.lse.clone().select(0, rows.clone()),
            self.probs.clone().select(0, rows),
        );
        moments_of(logits, lse, probs)
    }

    /// [`VocabSoftmax::moments`] of every row.
    pub fn moments_all(&self) -> (Tensor<1>, Tensor<1>) {
        moments_of(self.logits.clone(), self.lse.clone(), self.probs.clone())
    }
}

fn moments_of(logits: Tensor<2>, lse: Tensor<2>, probs: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    let k = logits.dims()[0];
    let logp = logits - lse;
    let plogp = probs * logp.clone();
    (plogp.clone().sum_dim(1).reshape([k]), (plogp * logp).sum_dim(1).reshape([k]))
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    /// Rows with an ordinary spread, a near-tie, and a token 200 nats below the best (its
    /// probability underflows f32; its log-probability must not).
    const ROWS: [[f32; 4]; 3] =
        [[1.0, 2.0, 0.5, -1.0], [3.0, 3.0, 2.9, 0.0], [100.0, -100.0, 99.0, 0.0]];

    fn log_probs_f64(row: &[f32; 4]) -> Vec<f64> {
        let m = row.iter().fold(f64::NEG_INFINITY, |m, &z| m.max(z as f64));
        let lse = m + row.iter().map(|&z| (z as f64 - m).exp()).sum::<f64>().ln();
        row.iter().map(|&z| z as f64 - lse).collect()
    }

    fn softmax_of_rows(d: &Device) -> VocabSoftmax {
        VocabSoftmax::new(Tensor::from_data(TensorData::new(ROWS.concat(), [3, 4]), d))
    }

    fn ints(v: Vec<i64>, d: &Device) -> Tensor<1, Int> {
        let n = v.len();
        Tensor::from_data(TensorData::new(v, [n]), d)
    }

    fn values(t: Tensor<1>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn log_probs_equal_the_f64_log_softmax_even_where_p_underflows() {
        let d = Device::flex();
        let vocab = softmax_of_rows(&d);
        let want: Vec<Vec<f64>> = ROWS.iter().map(log_probs_f64).collect();
        // p of row 2, token 1 is e^-200: 0 in f32, yet its log is exact.
        assert_eq!(values(vocab.probs.clone().reshape([12]))[9], 0.0);
        let got = values(vocab.target_log_probs(ints(vec![3, 2, 1], &d)));
        for (g, w) in got.iter().zip([want[0][3], want[1][2], want[2][1]]) {
            assert!((*g as f64 - w).abs() < 1e-4 * w.abs().max(1.0), "{got:?} vs {w}");
        }
        // pairs: (row 0, token 1), (row 2, token 1), (row 1, token 0)
        let got =
            values(vocab.pair_log_probs(ints(vec![1, 2 * 4 + 1, 4], &d), ints(vec![0, 2, 1], &d)));
        for (g, w) in got.iter().zip([want[0][1], want[2][1], want[1][0]]) {
            assert!((*g as f64 - w).abs() < 1e-4 * w.abs().max(1.0), "{got:?} vs {w}");
        }
        let best: Vec<f64> =
            want.iter().map(|r| r.iter().copied().fold(f64::NEG_INFINITY, f64::max)).collect();
        let got = values(vocab.log_p_max.clone().reshape([3]));
        for (g, w) in got.iter().zip(&best) {
            assert!((*g as f64 - w).abs() < 1e-5, "{got:?} vs {best:?}");
        }
    }

    #[test]
    fn moments_are_min_k_plus_plus_mu_and_second_moment() {
        let d = Device::flex();
        let vocab = softmax_of_rows(&d);
        let (mu, m2) = vocab.moments(ints(vec![2, 0], &d));
        let (mu, m2) = (values(mu), values(m2));
        for (k, r) in [2usize, 0].into_iter().enumerate() {
            let lp = log_probs_f64(&ROWS[r]);
            let want_mu: f64 = lp.iter().map(|l| l.exp() * l).sum();
            let want_m2: f64 = lp.iter().map(|l| l.exp() * l * l).sum();
            assert!((mu[k] as f64 - want_mu).abs() < 1e-5, "row {r}: μ {} vs {want_mu}", mu[k]);
            assert!((m2[k] as f64 - want_m2).abs() < 1e-5, "row {r}: m2 {} vs {want_m2}", m2[k]);
        }
        let (all_mu, all_m2) = vocab.moments_all();
        let (all_mu, all_m2) = (values(all_mu), values(all_m2));
        assert_eq!((all_mu[2], all_mu[0], all_m2[2], all_m2[0]), (mu[0], mu[1], m2[0], m2[1]));
    }
}
