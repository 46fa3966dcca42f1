//! Representation metrics: what changed *inside* the model, not just in its answers.
//!
//! 1. Total variance of hidden states, per layer l, on a split of N items:
//!    h̄ᵢ⁽ˡ⁾ = mean of the residual stream after block l over item i's answer positions
//!    TV⁽ˡ⁾ = Σ_d Var_i(h̄ᵢ,d⁽ˡ⁾) = trace of the covariance (population variance, ddof = 0)
//!    A larger spread on the forget data predicted how easily it is forgotten in the MIT
//!    random-label study. Source: Zhang, Choshen, Andreas, "Unforgettable Generalization in
//!    Language Models" (COLM 2024, arXiv 2409.02228).
//!
//! 2. Parameter change per layer, relative to the original model:
//!    Δ⁽ˡ⁾ = ‖θ⁽ˡ⁾ − θ₀⁽ˡ⁾‖₂ / ‖θ₀⁽ˡ⁾‖₂  over all of layer l's tensors together
//!    (embeddings and the final LayerNorm are reported as their own "layers").
//!
//! 3. Logit lens: the key entity's first token read out at every layer,
//!    p⁽ˡ⁾ = softmax(lm_head(ln_f(h⁽ˡ⁾_{t−1})))[e₁]
//!    at the position t−1 that predicts the entity's first token e₁, averaged over items. The
//!    last layer's value is the model's own probability; earlier layers show where the fact
//!    becomes readable. Logit-level forgetting that leaves early-layer readouts high is the
//!    "are we truly forgetting?" pattern. Source: nostalgebraist, "interpreting GPT: the logit
//!    lens" (2020); Hong et al., "Intrinsic evaluation of unlearning using parametric knowledge
//!    traces" (2024).

/// TV = Σ_d Var_i(x_i,d) with population variance, over equally long vectors (NaN if none).
pub fn total_variance(vectors: &[Vec<f32>]) -> f64 {
    let Some(first) = vectors.first() else { return f64::NAN };
    let n = vectors.len() as f64;
    (0..first.len())
        .map(|d| {
            let mean = vectors.iter().map(|v| v[d] as f64).sum::<f64>() / n;
            vectors.iter().map(|v| (v[d] as f64 - mean).powi(2)).sum::<f64>() / n
        })
        .sum()
}

/// ‖θ − θ₀‖ / ‖θ₀‖ from the two squared sums (0 when θ₀ is all zeros and nothing moved).
pub fn relative_change(diff_sq_sum: f64, original_sq_sum: f64) -> f64 {
    if original_sq_sum == 0.0 {
        if diff_sq_sum == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        (diff_sq_sum / original_sq_sum).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_variance_is_the_covariance_trace() {
        // numpy: np.var([[0,0],[2,0],[0,4]], axis=0).sum() = 8/9 + 32/9 = 40/9
        let v = vec![vec![0.0, 0.0], vec![2.0, 0.0], vec![0.0, 4.0]];
        assert!((total_variance(&v) - 40.0 / 9.0).abs() < 1e-12);
        assert_eq!(total_variance(&[vec![1.0, 2.0]]), 0.0);
        assert!(total_variance(&[]).is_nan());
    }

    #[test]
    fn relative_change_hand_cases() {
        assert_eq!(relative_change(1.0, 4.0), 0.5);
        assert_eq!(relative_change(0.0, 0.0), 0.0);
    }
}
