//! Model Utility (TOFU): the harmonic mean of the retain/world utility metrics.
//!
//!   MU = H(v₁, …, v_k) = k / Σᵢ (1/vᵢ)        (any vᵢ = 0 ⇒ MU = 0)        direction: ↑
//!
//! Like TOFU/OU, ForgetLab's MU takes k = 9 values: retain probability, ROUGE-L recall and Truth
//! Ratio (`true_better`); then normalized probability, ROUGE-L recall and Truth Ratio on the
//! "real authors" stand-in (world facts about named entities: capitals, geography, elements,
//! planets) and on the remaining world facts (animals, colours, numbers).
//!
//! Source: Maini et al., "TOFU" (2024); `OU:src/evals/metrics/utility.py::hm_aggregate`
//! (`scipy.stats.hmean`), `OU:configs/eval/tofu_metrics/model_utility.yaml`.

/// Harmonic mean like `scipy.stats.hmean` (1-D, no weights): computed as 1 / mean(1/vᵢ).
/// Any 0 → 0; empty → NaN; any negative or NaN value → NaN (scipy warns and returns NaN);
/// +∞ values contribute 1/∞ = 0 as in numpy.
pub fn harmonic_mean(values: &[f64]) -> f64 {
    if values.is_empty() || values.iter().any(|v| v.is_nan() || *v < 0.0) {
        return f64::NAN;
    }
    let mean_recip = values.iter().map(|v| 1.0 / v).sum::<f64>() / values.len() as f64;
    1.0 / mean_recip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmonic_mean_hand_values() {
        // scipy.stats.hmean([1, 2, 4]) == 1.7142857142857142 (= 12/7)
        assert_eq!(harmonic_mean(&[1.0, 2.0, 4.0]), 1.7142857142857142);
        assert_eq!(harmonic_mean(&[0.5]), 0.5);
        assert_eq!(harmonic_mean(&[0.0, 1.0]), 0.0);
        assert_eq!(harmonic_mean(&[0.3, 0.0, 0.9]), 0.0);
        assert!(harmonic_mean(&[]).is_nan());
        assert!(harmonic_mean(&[-1.0, 2.0]).is_nan());
        assert!(harmonic_mean(&[f64::NAN, 1.0]).is_nan());
        // scipy.stats.hmean([inf, 1]) == 2.0
        assert_eq!(harmonic_mean(&[f64::INFINITY, 1.0]), 2.0);
        // H(a, a, …) = a
        assert!((harmonic_mean(&[0.37; 6]) - 0.37).abs() < 1e-15);
    }
}
