//! Answer probability and normalized (multiple-choice) probability.
//!
//! **Probability** (TOFU `Q_A_Prob`), per item, over the labeled answer tokens y₁…y_T
//! (EOS included when the caller includes it):
//!
//!   P(y | x) = exp( −(1/T) · Σₜ NLLₜ )        (geometric-mean per-token probability)
//!
//! Direction: forget ↓ (toward the retain/holdout level), retain ↑.
//!
//! **Normalized probability** (TOFU `Q_A_Prob_normalised`, used on world facts / real authors):
//!
//!   P_norm = P(a) / ( P(a) + Σⱼ P(pertⱼ) + 1e-10 )
//!
//! Direction: ↑.
//!
//! Source: open-unlearning (Dorna et al., "OpenUnlearning", 2025; Maini et al., "TOFU", 2024),
//! `OU:src/evals/metrics/memorization.py::probability`, `::probability_w_options` and
//! `OU:src/evals/metrics/utils.py::evaluate_probability`.
//! The aggregate over items is the plain mean (callers take it).

/// exp(−mean NLL) over the answer tokens. Empty input → `f64::NAN` (OU logs `None` when every
/// label is masked; callers skip NaN items).
pub fn answer_probability(token_nll: &[f64]) -> f64 {
    if token_nll.is_empty() {
        return f64::NAN;
    }
    let mean = token_nll.iter().sum::<f64>() / token_nll.len() as f64;
    (-mean).exp()
}

/// P / (P + Σⱼ Pⱼ + 1e-10): the correct answer's share of the probability mass among the
/// correct answer and its perturbed (wrong) alternatives.
pub fn normalized_probability(p_true: f64, p_perturbed: &[f64]) -> f64 {
    p_true / (p_true + p_perturbed.iter().sum::<f64>() + 1e-10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_is_exp_of_minus_mean_nll() {
        // mean NLL = (0.5 + 1.5) / 2 = 1 → e^-1
        let p = answer_probability(&[0.5, 1.5]);
        assert!((p - (-1.0f64).exp()).abs() < 1e-15);
        assert_eq!(answer_probability(&[0.0, 0.0, 0.0]), 1.0);
        // ln 2 per token → 1/2 (geometric mean, not product)
        let ln2 = std::f64::consts::LN_2;
        assert!((answer_probability(&[ln2; 7]) - 0.5).abs() < 1e-15);
        assert!(answer_probability(&[]).is_nan());
    }

    #[test]
    fn normalized_probability_hand_values() {
        // 0.6 / (0.6 + 0.1 + 0.2 + 0.1 + 1e-10)
        let p = normalized_probability(0.6, &[0.1, 0.2, 0.1]);
        assert!((p - 0.6 / (1.0 + 1e-10)).abs() < 1e-15);
        // no alternatives: P/(P+1e-10) ≈ 1
        assert!((normalized_probability(0.5, &[]) - 0.5 / (0.5 + 1e-10)).abs() < 1e-15);
        // all-zero probabilities → 0, not NaN (the epsilon guards the division)
        assert_eq!(normalized_probability(0.0, &[0.0, 0.0]), 0.0);
    }
}
