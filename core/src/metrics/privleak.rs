//! PrivLeak (MUSE): the membership-inference AUC on forget vs holdout, normalised against a
//! reference model that never saw the forget set.
//!
//!   privleak = ((1 − AUC) − (1 − AUC_ref)) / (1 − AUC_ref + 1e-10) × 100
//!
//! with AUC from the Min-K% (k = 0.4) attack ([`super::mia`]). Reading: 0 ≈ the reference
//! (ideal); strongly negative = under-unlearned (the forget set still looks like training
//! data, e.g. −99.8 for MUSE-News's target model); large positive = over-unlearned (the forget
//! set now looks *less* familiar than unseen data — itself a signal an attacker can use).
//!
//! The reference AUC is the retain model's on the same forget and holdout items
//! (eval::retain_reference: TOFU's retain model, trained without the forget set). Without a
//! retain model for the selection ForgetLab uses open-unlearning's default `ref_value` 0.5.
//!
//! Source: Shi et al., "MUSE" (2024); `OU:src/evals/metrics/privacy.py::privleak`.

/// open-unlearning's reference AUC when no retain model's logs are given.
pub const DEFAULT_REFERENCE_AUC: f64 = 0.5;

pub fn privleak(auc: f64, auc_ref: f64) -> f64 {
    ((1.0 - auc) - (1.0 - auc_ref)) / (1.0 - auc_ref + 1e-10) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privleak_reads_like_muse() {
        assert!(privleak(0.5, 0.5).abs() < 1e-6); // like the reference
        assert!((privleak(0.999, 0.5) - (-99.8)).abs() < 1e-6); // memorized: strongly negative
        assert!((privleak(0.25, 0.5) - 50.0).abs() < 1e-6); // over-unlearned: positive
    }
}
