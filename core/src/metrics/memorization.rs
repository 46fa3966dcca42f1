//! Exact Memorization (EM) and Extraction Strength (ES): how much of an answer the model
//! reproduces token by token when teacher-forced on the true answer.
//!
//! With ŷ_t = argmax_v p(v | x, y_<t) the model's top prediction at answer position t and
//! y_1 … y_n the answer tokens **without the final EOS target**:
//!
//!   EM = (1/n) · Σ_t 1[ŷ_t = y_t]                                          direction: forget ↓
//!   ES = 1 − k*/n,  k* = min{ k : ŷ_{k..n} = y_{k..n} }  (the longest correct suffix)
//!                                                                          direction: forget ↓
//!
//! [quirk, copied] open-unlearning's loop runs k = 0 … n−1 and stops at the first suffix that
//! matches; when none does (the last prediction is wrong too) it leaves k = n−1, so ES = 1/n
//! rather than 0. An empty answer gives EM = NaN (OU: None) and ES = 0.
//!
//! Source: Carlini et al. (2021) / Tirumala et al. (2022) for EM; Carlini et al., "Quantifying
//! memorization" (2023) for ES; `OU:src/evals/metrics/memorization.py::exact_memorization`,
//! `::extraction_strength`.

/// EM of one answer: `hits[t]` is 1[ŷ_t = y_t] over the answer positions, EOS excluded.
pub fn exact_memorization(hits: &[bool]) -> f64 {
    if hits.is_empty() {
        return f64::NAN;
    }
    hits.iter().filter(|h| **h).count() as f64 / hits.len() as f64
}

/// ES of one answer, with open-unlearning's no-match quirk (see the module docs).
pub fn extraction_strength(hits: &[bool]) -> f64 {
    let n = hits.len();
    if n == 0 {
        return 0.0;
    }
    let mut k = 0;
    while k < n {
        if hits[k..].iter().all(|h| *h) {
            break;
        }
        if k == n - 1 {
            break; // the reference loop ends here with k = n − 1
        }
        k += 1;
    }
    1.0 - k as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_counts_correct_positions() {
        assert_eq!(exact_memorization(&[true, false, true, true]), 0.75);
        assert!(exact_memorization(&[]).is_nan());
    }

    #[test]
    fn es_is_the_longest_correct_suffix() {
        assert_eq!(extraction_strength(&[true, true, true, true]), 1.0);
        // suffix from k = 2 matches: ES = 1 − 2/4
        assert_eq!(extraction_strength(&[true, false, true, true]), 0.5);
        // nothing matches, not even the last token: OU's loop leaves k = n − 1 → 1/n
        assert_eq!(extraction_strength(&[true, true, true, false]), 0.25);
        assert_eq!(extraction_strength(&[false]), 1.0);
        assert_eq!(extraction_strength(&[]), 0.0);
    }
}
