//! Membership-inference attacks (MIA): can an attacker tell the forget set (members the model
//! was trained on) from the holdout set (never seen)? Each attack gives every sample a
//! loss-like score — higher means "less likely a member" — and the AUC measures how well it
//! separates the two sets.
//!
//! Per sample, over the answer tokens y_1 … y_n given the question (n includes the EOS target
//! for LOSS and ZLib; Min-K% and Min-K%++ drop the last labeled token, as OU's
//! `tokenwise_logprobs` does):
//!
//!   LOSS     = −(1/n) · Σ_t log p(y_t)                                  (the average NLL)
//!   ZLib     = LOSS / len(zlib.compress(utf-8 answer text))             (level 6, zlib-wrapped)
//!   Min-K%   = −mean of the m = ⌊max(1, n·k)⌋ smallest log p(y_t)        (k = 0.4)
//!   Min-K%++ = −mean of the m smallest z_t,  z_t = (log p(y_t) − μ_t) / √σ²_t,
//!              μ_t = Σ_v p_v log p_v,  σ²_t = max(Σ_v p_v (log p_v)² − μ_t², 1e-6)
//!
//!   AUC = roc_auc_score(labels, scores), forget = 0 and holdout = 1
//!       = P(score_holdout > score_forget) + ½·P(tie)
//!
//! Reading the AUC: ≈ 1 the forget set still looks memorized (lower loss than unseen data);
//! ≈ 0.5 indistinguishable, as for a model that never saw it. See [`super::privleak`] for the
//! score normalised against a reference model.
//!
//! Source: Yeom et al. (2018) LOSS; Carlini et al. (2021) ZLib; Shi et al., "Detecting
//! pretraining data" (2024) Min-K%; Zhang et al., "Min-K%++" (2024);
//! `OU:src/evals/metrics/mia/{loss,zlib,min_k,min_k_plus_plus,utils}.py`.
//! The ZLib text is the answer as formatted for the model (what its tokens decode to, without
//! EOS). Natively the length comes from the system zlib (byte-identical to Python's `zlib`); in
//! the browser from miniz_oxide, whose output can differ from zlib's by a few bytes.

use std::io::Write;

/// Min-K%'s k in open-unlearning's TOFU and MUSE configs.
pub const MIN_K: f64 = 0.4;

/// Per-sample scores of the four attacks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MiaScores {
    pub loss: f64,
    pub zlib: f64,
    pub min_k: f64,
    pub min_k_plus_plus: f64,
}

/// Length in bytes of `zlib.compress(text.encode("utf-8"))` (default level 6).
pub fn zlib_len(text: &str) -> usize {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(text.as_bytes()).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail").len()
}

/// −mean of the ⌊max(1, n·k)⌋ smallest values (0 for an empty slice, as OU returns).
pub fn min_k(values: &[f64], k: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let m = ((values.len() as f64 * k) as usize).max(1);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    -sorted[..m].iter().sum::<f64>() / m as f64
}

/// Min-K%++'s per-token z-score from log p(y_t), μ_t and E_p[(log p)²].
pub fn min_k_pp_z(logp_target: f64, mu: f64, second_moment: f64) -> f64 {
    let var = (second_moment - mu * mu).max(1e-6);
    (logp_target - mu) / var.sqrt()
}

/// All four scores for one sample. `logp` are log p(y_t) over every labeled answer token
/// (EOS last); `z` the Min-K%++ z-scores at the same positions; `text` the answer text.
pub fn scores(logp: &[f64], z: &[f64], text: &str) -> MiaScores {
    let n = logp.len();
    let loss = if n == 0 { f64::NAN } else { -logp.iter().sum::<f64>() / n as f64 };
    let drop_last = |v: &[f64]| v[..v.len().saturating_sub(1)].to_vec();
    MiaScores {
        loss,
        zlib: loss / zlib_len(text) as f64,
        min_k: min_k(&drop_last(logp), MIN_K),
        min_k_plus_plus: min_k(&drop_last(z), MIN_K),
    }
}

/// ROC AUC with forget = 0 and holdout = 1, from average ranks (Mann–Whitney U, ties count ½) —
/// equal to `sklearn.metrics.roc_auc_score`. Non-finite scores are skipped; NaN when either set
/// is empty.
pub fn auc(forget: &[f64], holdout: &[f64]) -> f64 {
    let f: Vec<f64> = forget.iter().copied().filter(|x| x.is_finite()).collect();
    let h: Vec<f64> = holdout.iter().copied().filter(|x| x.is_finite()).collect();
    if f.is_empty() || h.is_empty() {
        return f64::NAN;
    }
    let mut all: Vec<(f64, bool)> =
        f.iter().map(|&x| (x, false)).chain(h.iter().map(|&x| (x, true))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the holdout samples' 1-based ranks, ties sharing their average rank.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += avg_rank * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let (nf, nh) = (f.len() as f64, h.len() as f64);
    (rank_sum - nh * (nh + 1.0) / 2.0) / (nf * nh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_k_takes_the_smallest_fraction() {
        // n = 5, k = 0.4 → m = 2 smallest: −(−3 − 2)/2
        assert_eq!(min_k(&[-1.0, -3.0, -0.5, -2.0, -0.1], 0.4), 2.5);
        // n·k < 1 → m = 1
        assert_eq!(min_k(&[-1.0, -2.0], 0.4), 2.0);
        assert_eq!(min_k(&[], 0.4), 0.0);
    }

    #[test]
    fn z_score_clamps_the_variance() {
        assert_eq!(min_k_pp_z(-1.0, -1.0, 1.0), 0.0);
        // a one-hot distribution has zero variance: clamped to 1e-6
        assert!((min_k_pp_z(-2.0, 0.0, 0.0) - (-2.0 / 1e-3)).abs() < 1e-9);
    }

    #[test]
    fn scores_drop_the_last_token_for_min_k() {
        let s = scores(&[-1.0, -2.0, -9.0], &[0.5, 1.0, -7.0], "abc");
        assert_eq!(s.loss, 4.0);
        assert_eq!(s.min_k, 2.0); // from [-1, -2] only; the EOS's −9 is dropped
        assert_eq!(s.min_k_plus_plus, -0.5);
        assert_eq!(s.zlib, 4.0 / zlib_len("abc") as f64);
    }

    #[test]
    fn zlib_length_matches_python() {
        // python3 -c 'import zlib; print(len(zlib.compress(b"")), len(zlib.compress(b"abc")),
        // len(zlib.compress(b"a"*100)))'
        assert_eq!((zlib_len(""), zlib_len("abc"), zlib_len(&"a".repeat(100))), (8, 11, 12));
    }

    #[test]
    fn auc_hand_cases() {
        assert_eq!(auc(&[1.0, 2.0], &[3.0, 4.0]), 1.0); // holdout losses all higher
        assert_eq!(auc(&[3.0, 4.0], &[1.0, 2.0]), 0.0);
        assert_eq!(auc(&[1.0, 3.0], &[2.0, 4.0]), 0.75);
        assert_eq!(auc(&[1.0, 1.0], &[1.0]), 0.5); // ties count ½
        assert!(auc(&[], &[1.0]).is_nan());
    }
}
