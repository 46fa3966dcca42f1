//! A vectorisable `exp` for `f32` (ForgetLab's patch; see vendor/README.md).
//!
//! Upstream computes every `f32` exponential with libm's scalar `expf`, one call per element:
//! a fifth of a small GPT's evaluation on the CPU (GELU, attention and vocabulary softmaxes).
//! `exp_f32` is branch-free arithmetic on the float's bits, so a plain loop over a slice
//! compiles to the widest SIMD the dispatched target has (AVX-512, AVX2, NEON, wasm SIMD128).
//!
//! Method (Cephes `expf`, S. L. Moshier): with n = round(x·log₂e) and r = x − n·ln 2 (ln 2 split
//! in two, Cody–Waite, so r is exact), e^x = 2ⁿ·e^r, and e^r on |r| ≤ ln 2 / 2 is Cephes'
//! degree-7 polynomial 1 + r + r²·P(r). Relative error below 2 ulp against the correctly
//! rounded value (tested below against f64's `exp`). 2ⁿ is built as two powers of two so
//! results that overflow give +∞ and results below the smallest subnormal give 0, as libm does:
//! e^(−∞) = 0 exactly (masked attention keys), e^(+∞) = +∞, NaN stays NaN.
//!
//! The result does not depend on the SIMD width: no fused multiply-add is formed (Rust does not
//! contract `a * b + c`), so every lane computes the same bits as the scalar code.

/// 1.5 · 2²³: adding it to a float of magnitude below 2²² rounds it to an integer (to nearest,
/// ties to even) held in the low mantissa bits.
const SHIFTER: f32 = 12_582_912.0;
const LOG2E: f32 = core::f32::consts::LOG2_E;
/// ln 2 = LN2_HI + LN2_LO, LN2_HI with few enough bits that n · LN2_HI is exact.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;

/// e^x for one `f32`; inlined into loops that the compiler vectorises.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Beyond these, e^x is +∞ or rounds to 0 anyway; the clamp keeps n's bits in range.
    // `clamp` passes NaN through.
    let x = x.clamp(-110.0, 89.0);
    let t = x * LOG2E + SHIFTER;
    let n = (t.to_bits() as i32).wrapping_sub(SHIFTER.to_bits() as i32);
    let nf = t - SHIFTER;
    let r = (x - nf * LN2_HI) - nf * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * (r * r) + r + 1.0;
    // 2ⁿ as 2^(n/2) · 2^(n − n/2): each factor's exponent stays normal for n in [−160, 129].
    let n1 = n >> 1;
    let n2 = n - n1;
    let s1 = f32::from_bits(((n1 + 127) as u32) << 23);
    let s2 = f32::from_bits(((n2 + 127) as u32) << 23);
    y * s1 * s2
}

/// `xs[i] = e^xs[i]`, vectorised.
pub fn exp_inplace_f32(xs: &mut [f32]) {
    #[cfg(feature = "simd")]
    exp_inplace_simd(xs);
    #[cfg(not(feature = "simd"))]
    for x in xs.iter_mut() {
        *x = exp_f32(*x);
    }
}

#[cfg(feature = "simd")]
#[macerator::with_simd]
fn exp_inplace_simd<S: macerator::Simd>(xs: &mut [f32]) {
    for x in xs.iter_mut() {
        *x = exp_f32(*x);
    }
}

/// `dst[i] = e^(src[i] − shift)`, vectorised; returns nothing (sum with `kernels::sum_f32`).
pub fn exp_shifted_into_f32(src: &[f32], shift: f32, dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len());
    #[cfg(feature = "simd")]
    exp_shifted_simd(src, shift, dst);
    #[cfg(not(feature = "simd"))]
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = exp_f32(s - shift);
    }
}

#[cfg(feature = "simd")]
#[macerator::with_simd]
fn exp_shifted_simd<S: macerator::Simd>(src: &[f32], shift: f32, dst: &mut [f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = exp_f32(s - shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(got: f32, want: f64) -> f64 {
        let want32 = want as f32;
        if want32 == 0.0 || want32.is_infinite() {
            return if got == want32 { 0.0 } else { f64::INFINITY };
        }
        let ulp = (f32::from_bits(want32.abs().to_bits() + 1) - want32.abs()) as f64;
        ((got as f64) - want).abs() / ulp
    }

    #[test]
    fn within_two_ulp_of_f64_exp_across_the_normal_range() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.7 {
            let e = ulps(exp_f32(x), (x as f64).exp());
            assert!(e < 2.0, "exp({x}) = {} vs {} ({e} ulp)", exp_f32(x), (x as f64).exp());
            worst = worst.max(e);
            x += 0.000_731;
        }
        assert!(worst > 0.0, "the sweep compared something");
    }

    #[test]
    fn limits_and_specials_match_libm() {
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(-1e9), 0.0);
        assert_eq!(exp_f32(-104.0), 0.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(89.0), f32::INFINITY);
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(exp_f32(f32::NAN).is_nan());
        // Subnormal results: close to libm's (which rounds them the same way at this size).
        let sub = exp_f32(-95.0);
        assert!(sub > 0.0 && (sub as f64 / (-95f64).exp() - 1.0).abs() < 1e-3);
        let big = exp_f32(88.5);
        assert!((big as f64 / 88.5f64.exp() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_slice_kernels_equal_the_scalar_bits() {
        let xs: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.173).collect();
        let mut inplace = xs.clone();
        exp_inplace_f32(&mut inplace);
        let mut shifted = vec![0.0; xs.len()];
        exp_shifted_into_f32(&xs, 1.5, &mut shifted);
        for (i, &x) in xs.iter().enumerate() {
            assert_eq!(inplace[i].to_bits(), exp_f32(x).to_bits());
            assert_eq!(shifted[i].to_bits(), exp_f32(x - 1.5).to_bits());
        }
    }
}
