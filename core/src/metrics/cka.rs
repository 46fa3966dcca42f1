//! Linear centered kernel alignment (CKA): how similar two sets of representations of the same
//! items are, layer by layer — here a model's and the original model's (or the retain model's)
//! mean answer hidden states on the forget items.
//!
//! For X (n × p) and Y (n × q), the representations of the same n items with every column
//! centered (mean over items subtracted):
//!
//! ```text
//! CKA(X, Y) = ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F · ‖Yᵀ Y‖_F)
//! ```
//!
//! It is 1 for representations equal up to an orthogonal transform and an isotropic scaling, and
//! falls as they diverge; it is HSIC with linear kernels, normalised (the Gram-matrix form gives
//! the same number). Source: Kornblith, Norouzi, Lee and Hinton, "Similarity of Neural Network
//! Representations Revisited", ICML 2019 (arXiv 1905.00414), eq. (5). "Are we truly forgetting?"
//! style analyses compare an unlearned model's layers with the original's and the retain model's
//! this way: a forget set that is still represented as before has not left the layer.

/// Linear CKA of two representations of the same items (rows). NaN when there are fewer than
/// two items, the row counts differ, or either representation is constant (no variance).
pub fn linear_cka(x: &[Vec<f32>], y: &[Vec<f32>]) -> f64 {
    if x.len() != y.len() || x.len() < 2 {
        return f64::NAN;
    }
    let (xc, yc) = (centered(x), centered(y));
    let cross = frobenius_sq_of_product(&yc, &xc);
    let (xx, yy) = (frobenius_sq_of_product(&xc, &xc), frobenius_sq_of_product(&yc, &yc));
    if xx == 0.0 || yy == 0.0 {
        return f64::NAN;
    }
    cross / (xx.sqrt() * yy.sqrt())
}

/// The rows with each column's mean subtracted, in f64.
fn centered(rows: &[Vec<f32>]) -> Vec<Vec<f64>> {
    let n = rows.len() as f64;
    let width = rows[0].len();
    let mean: Vec<f64> =
        (0..width).map(|j| rows.iter().map(|r| r[j] as f64).sum::<f64>() / n).collect();
    rows.iter().map(|r| r.iter().zip(&mean).map(|(&v, m)| v as f64 - m).collect()).collect()
}

/// ‖Aᵀ B‖²_F for A (n × p) and B (n × q).
fn frobenius_sq_of_product(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    let (p, q) = (a[0].len(), b[0].len());
    let mut sum = 0.0;
    for i in 0..p {
        for j in 0..q {
            let dot: f64 = a.iter().zip(b).map(|(ra, rb)| ra[i] * rb[j]).sum();
            sum += dot * dot;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[f32]]) -> Vec<Vec<f32>> {
        v.iter().map(|r| r.to_vec()).collect()
    }

    /// A value computed independently (Python, the Gram-matrix form with H = I − 11ᵀ/n).
    #[test]
    fn matches_the_gram_matrix_form() {
        let x = rows(&[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 1.0], &[2.0, 0.5]]);
        let y = rows(&[&[1.0, 2.0, 0.0], &[2.0, 1.0, 1.0], &[4.0, 0.0, 1.0], &[0.0, 1.0, 3.0]]);
        assert!((linear_cka(&x, &y) - 0.4493291381909536).abs() < 1e-6);
        assert!((linear_cka(&y, &x) - 0.4493291381909536).abs() < 1e-6, "symmetric");
    }

    #[test]
    fn one_up_to_rotation_scale_and_shift_and_less_for_a_stretch() {
        let x = rows(&[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 1.0], &[2.0, 0.5], &[-1.0, 3.0]]);
        let (c, s) = (0.6f32, 0.8f32); // a rotation
        let turned: Vec<Vec<f32>> = x
            .iter()
            .map(|r| vec![3.0 * (c * r[0] - s * r[1]) + 7.0, 3.0 * (s * r[0] + c * r[1]) - 2.0])
            .collect();
        assert!((linear_cka(&x, &x) - 1.0).abs() < 1e-9);
        assert!((linear_cka(&x, &turned) - 1.0).abs() < 1e-6);
        let stretched: Vec<Vec<f32>> = x.iter().map(|r| vec![r[0], 10.0 * r[1]]).collect();
        assert!(linear_cka(&x, &stretched) < 0.99);
    }

    #[test]
    fn undefined_without_items_or_variance() {
        let x = rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
        assert!(linear_cka(&x[..1], &x[..1]).is_nan());
        assert!(linear_cka(&x, &x[..1]).is_nan());
        assert!(linear_cka(&x, &rows(&[&[1.0, 1.0], &[1.0, 1.0]])).is_nan());
    }
}
