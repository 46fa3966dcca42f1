//! The CPU backend's element-wise math as the engine relies on it. burn-flex is patched in
//! vendor/burn-flex (vendor/README.md): its `f32` exp is a vectorised polynomial instead of libm's
//! `expf`. These checks go through burn's public API, on every layout the engine produces.

use burn::tensor::{Tensor, TensorData, activation::softmax};
use forgetlab_core::host::read_f32;

use crate::common::device;

fn exp_of(xs: &[f32]) -> Vec<f32> {
    let t = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &device());
    pollster::block_on(read_f32(t.exp())).unwrap()
}

/// The distance from `got` to e^x in units in the last place of the f32 nearest e^x.
fn ulps(got: f32, x: f32) -> f64 {
    let want = (x as f64).exp();
    let ulp = (f32::from_bits((want as f32).to_bits() + 1) - want as f32) as f64;
    (got as f64 - want).abs() / ulp
}

#[test]
fn exp_is_within_two_ulp_over_the_normal_range() {
    let xs: Vec<f32> = (0..200_000).map(|i| -87.0 + i as f32 * 0.000_878).collect();
    let got = exp_of(&xs);
    let worst = xs.iter().zip(&got).map(|(&x, &e)| ulps(e, x)).fold(0.0, f64::max);
    assert!(worst < 2.0, "worst error {worst} ulp");
}

#[test]
fn exp_keeps_the_limits_masked_attention_needs() {
    let got = exp_of(&[f32::NEG_INFINITY, -1e9, 0.0, f32::INFINITY, 100.0, f32::NAN]);
    assert_eq!(&got[..5], &[0.0, 0.0, 1.0, f32::INFINITY, f32::INFINITY]);
    assert!(got[5].is_nan());
}

#[test]
fn exp_of_a_strided_view_equals_exp_of_the_same_values_contiguous() {
    let xs: Vec<f32> = (0..64).map(|i| (i as f32 - 32.0) * 0.37).collect();
    let t = Tensor::<2>::from_data(TensorData::new(xs.clone(), [8, 8]), &device());
    let transposed =
        pollster::block_on(read_f32(t.clone().transpose().exp().transpose().reshape([64])))
            .unwrap();
    let contiguous = exp_of(&xs);
    assert_eq!(transposed, contiguous, "the same bits whichever path the tensor takes");
}

#[test]
fn softmax_rows_sum_to_one_and_match_f64() {
    let row: Vec<f32> = (0..1024).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.11).collect();
    let mut rows = row.clone();
    rows.extend(row.iter().map(|x| x * 2.0));
    let t = Tensor::<2>::from_data(TensorData::new(rows.clone(), [2, 1024]), &device());
    let got = pollster::block_on(read_f32(softmax(t, 1).reshape([2048]))).unwrap();
    for (r, chunk) in rows.chunks(1024).enumerate() {
        let m = chunk.iter().cloned().fold(f32::NEG_INFINITY, f32::max) as f64;
        let z: f64 = chunk.iter().map(|&x| (x as f64 - m).exp()).sum();
        for (i, &x) in chunk.iter().enumerate() {
            let want = (x as f64 - m).exp() / z;
            let g = got[r * 1024 + i] as f64;
            assert!(
                (g - want).abs() <= 1e-6 * want.max(1e-30) + 1e-12,
                "row {r} col {i}: {g} vs {want}"
            );
        }
    }
}
