//! Forget Quality: the two-sample Kolmogorov–Smirnov p-value between two sets of per-item
//! Truth Ratios.
//!
//!   D  = supₓ | F₁(x) − F₂(x) |          (F₁, F₂ the empirical CDFs of the two samples)
//!   FQ = Pr( D_{n₁,n₂} ≥ D_observed )    (two-sided KS p-value)       direction: ↑
//!
//! FQ = 1 means "indistinguishable". As TOFU/OU do, forget quality compares the unlearned model's
//! forget-set TRs with a retain model's TRs on the same forget items (eval::retain_reference);
//! without a retain model it is undefined (NaN). The same test against the model's own holdout
//! TRs is reported as `ks_vs_holdout`, never as forget quality: a collapsed model passes it.
//!
//! [`ks_2samp_pvalue`] equals `scipy.stats.ks_2samp(a, b).pvalue` with the defaults
//! (alternative='two-sided', method='auto'), ported from `scipy/stats/_stats_py.py` (SciPy 1.17):
//! - D from the sorted samples via `searchsorted(side='right')`, exactly as SciPy;
//! - 'auto' → exact when max(n₁, n₂) ≤ 10000 (`MAX_AUTO_N`), else asymptotic;
//! - exact: h = round(D·lcm(n₁,n₂)), D ← h/lcm; h = 0 → p = 1; n₁ = n₂ →
//!   `_compute_prob_outside_square(n, h)`, else `_compute_outer_prob_inside_method(n₁, n₂, g, h)`
//!   (SciPy's two-sided exact path; the lattice-path `_count_paths_outside_method` serves only
//!   the one-sided alternatives, which are not ported); a result outside [0, 1] falls back to
//!   asymptotic (this happens, e.g. 1.0000000000000002 for n₁ = n₂ = 5, D = 1/5);
//! - asymptotic: `kstwo.sf(D, round(n₁n₂/(n₁+n₂)))`, ported in [`super::ks_dist`];
//! - p clipped to [0, 1].
//!
//! Empty input or any NaN → `f64::NAN` (SciPy raises on empty input and propagates NaN); callers
//! must treat NaN as "not computable" (e.g. no holdout items yet).
//!
//! Source: Maini et al., "TOFU" (2024); `OU:src/evals/metrics/privacy.py::ks_test`,
//! `OU:configs/eval/tofu_metrics/forget_quality.yaml`; Hodges (1958); Viehmann (2021,
//! arXiv 2102.08037) for the inside-method recursion.

use super::ks_dist;

const MAX_AUTO_N: usize = 10000;

/// Statistic and p-value of the two-sided two-sample KS test, as `scipy.stats.ks_2samp`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    pub statistic: f64,
    pub pvalue: f64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `_compute_prob_outside_square(n, h)`: Pr(D_{n,n} ≥ h/n), Horner-like alternating sum.
fn prob_outside_square(n: i64, h: i64) -> f64 {
    let mut p = 0.0f64;
    let mut k = n / h;
    while k >= 0 {
        let mut p1 = 1.0f64;
        for j in 0..h {
            p1 = (n - k * h - j) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// `_compute_outer_prob_inside_method(m, n, g, h)` (SciPy's pythran kernel): the proportion of
/// lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm, computed directly as 1 − p.
fn outer_prob_inside(m: i64, n: i64, g: i64, h: i64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = m / g;
    let ng = n / g;
    let ceil_div = |a: i64, b: i64| -(-a).div_euclid(b);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((ng * i - h).div_euclid(mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            val = (a[(jj + minj - lastminj) as usize] * i as f64 + val * j as f64) / (i + j) as f64;
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            let end = (start + (lastlen - curlen) as usize).min(len_a);
            for v in &mut a[start.min(len_a)..end] {
                *v = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).expect("NaN filtered before sorting"));
    v
}

/// The observed D (before SciPy's exact-mode rounding to a multiple of 1/lcm).
fn raw_statistic(s1: &[f64], s2: &[f64]) -> f64 {
    let (n1, n2) = (s1.len() as f64, s2.len() as f64);
    let (mut min_diff, mut max_diff) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in s1.iter().chain(s2) {
        let c1 = s1.partition_point(|&v| v <= x) as f64 / n1;
        let c2 = s2.partition_point(|&v| v <= x) as f64 / n2;
        let d = c1 - c2;
        min_diff = min_diff.min(d);
        max_diff = max_diff.max(d);
    }
    let min_s = (-min_diff).clamp(0.0, 1.0);
    if min_s > max_diff { min_s } else { max_diff }
}

/// `scipy.stats.ks_2samp(a, b)` (two-sided, method='auto'): statistic and p-value.
/// Empty input or any NaN → both NaN.
pub fn ks_2samp(a: &[f64], b: &[f64]) -> KsResult {
    let nan = KsResult { statistic: f64::NAN, pvalue: f64::NAN };
    if a.is_empty() || b.is_empty() || a.iter().chain(b).any(|v| v.is_nan()) {
        return nan;
    }
    let (s1, s2) = (sorted(a), sorted(b));
    let (n1, n2) = (s1.len(), s2.len());
    let mut d = raw_statistic(&s1, &s2);
    if n1.max(n2) <= MAX_AUTO_N {
        let g = gcd(n1 as u64, n2 as u64) as i64;
        let lcm = (n1 as i64 / g) * n2 as i64;
        let h = (d * lcm as f64).round_ties_even() as i64;
        d = h as f64 / lcm as f64;
        if h == 0 {
            return KsResult { statistic: d, pvalue: 1.0 };
        }
        let prob = if n1 == n2 {
            prob_outside_square(n1 as i64, h)
        } else {
            outer_prob_inside(n1 as i64, n2 as i64, g, h)
        };
        if (0.0..=1.0).contains(&prob) {
            return KsResult { statistic: d, pvalue: prob };
        }
        // SciPy: "Exact calculation unsuccessful. Switching to method=asymp."
    }
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = m * n / (m + n);
    let prob = ks_dist::kstwo_sf(d, en.round_ties_even() as i64);
    KsResult { statistic: d, pvalue: prob.clamp(0.0, 1.0) }
}

/// `scipy.stats.ks_2samp(a, b).pvalue`. Empty input or NaN → NaN.
pub fn ks_2samp_pvalue(a: &[f64], b: &[f64]) -> f64 {
    ks_2samp(a, b).pvalue
}

/// `scipy.stats.ks_2samp(a, b).statistic` (in exact mode SciPy reports h/lcm, the observed D
/// rounded to the lattice; this returns the same). Empty input or NaN → NaN.
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    ks_2samp(a, b).statistic
}

#[cfg(test)]
#[path = "forget_quality_tests.rs"]
mod tests;
