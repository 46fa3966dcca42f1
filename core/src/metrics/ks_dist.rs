//! `scipy.stats.kstwo.sf(x, n)`: the survival function of the one-sample two-sided
//! Kolmogorov–Smirnov statistic Dₙ, used by [`super::forget_quality`]'s asymptotic path
//! (`ks_2samp` with max(n₁, n₂) > 10000, or when its exact computation fails).
//!
//! Port of `scipy/stats/_ksstats.py::_kolmogn` (Simard & L'Ecuyer 2011 switching rules):
//! Ruben–Gambino closed forms near the ends, Durbin's matrix method (Marsaglia–Tsang–Wang),
//! the Pomeranz recursion, the Pelz–Good approximation and 2·smirnov(n, x) in the upper tail.
//! `scipy.special.smirnov` is ported in [`super::smirnov`].

use super::smirnov::smirnov_sf;

const E128: f64 = 3.402823669209385e38; // 2^128
const EM128: f64 = 2.938735877055719e-39; // 2^-128
const MIN_LOG: f64 = -708.0;
const PI2: f64 = std::f64::consts::PI * std::f64::consts::PI;

/// x·2^e, scaling in steps that stay inside f64's exponent range.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e.abs() > 1000 {
        let step = 1000 * e.signum();
        x *= 2f64.powi(step as i32);
        e -= step;
    }
    x * 2f64.powi(e as i32)
}

/// `kstwo.sf(x, n)`, including `rv_continuous`'s support handling (support (0.5/n, 1)).
pub fn kstwo_sf(x: f64, n: i64) -> f64 {
    if x.is_nan() || n < 1 {
        return f64::NAN;
    }
    match x {
        x if x <= 0.5 / n as f64 => 1.0,
        x if x >= 1.0 => 0.0,
        x => kolmogn_sf(n, x),
    }
}

fn clip(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

fn kolmogn_sf(n: i64, x: f64) -> f64 {
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        if t <= 0.5 {
            return 1.0;
        }
        let prob = if n <= 140 {
            (1..=n).map(|i| i as f64 * (1.0 / nf) * (2.0 * t - 1.0)).product::<f64>()
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return clip(1.0 - prob);
    }
    if t >= nf - 1.0 {
        return clip(2.0 * (1.0 - x).powf(nf));
    }
    if x >= 0.5 {
        return clip(2.0 * smirnov_sf(n, x));
    }
    let nxsquared = t * x;
    if n <= 140 {
        if nxsquared <= 0.754693 {
            return clip(1.0 - dmtw_cdf(n, x));
        }
        if nxsquared <= 4.0 {
            return clip(1.0 - pomeranz_cdf(n, x));
        }
        return clip(2.0 * smirnov_sf(n, x));
    }
    if nxsquared >= 370.0 {
        return 0.0;
    }
    if nxsquared >= 2.2 {
        return clip(2.0 * smirnov_sf(n, x));
    }
    let cdf =
        if n <= 100_000 && nf * x.powf(1.5) <= 1.4 { dmtw_cdf(n, x) } else { pelz_good_cdf(nf, x) };
    clip(1.0 - cdf)
}

fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    #[rustfmt::skip]
    #[allow(clippy::excessive_precision)] // SciPy's literals, verbatim
    const C: [f64; 8] = [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
        8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];
    let rn = 1.0 / n;
    let poly = C.iter().fold(0.0, |acc, c| acc * (rn / n) + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * poly
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            for j in 0..m {
                c[i * m + j] += aik * b[k * m + j];
            }
        }
    }
    c
}

/// `_kolmogn_DMTW`: Pr(Dₙ ≤ d) by Durbin's matrix method.
fn dmtw_cdf(n: i64, d: f64) -> f64 {
    if d >= 1.0 {
        return 1.0;
    }
    let nd = n as f64 * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;
    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut hpwr = vec![0.0; m * m];
    for i in 0..m {
        hpwr[i * m + i] = 1.0;
    }
    let (mut nn, mut expnt, mut hexpnt) = (n, 0i64, 0i64);
    while nn > 0 {
        if nn % 2 == 1 {
            hpwr = matmul(&hpwr, &hm, m);
            expnt += hexpnt;
        }
        hm = matmul(&hm, &hm, m);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > E128 {
            hm.iter_mut().for_each(|x| *x /= E128);
            hexpnt += 128;
        }
        nn /= 2;
    }
    let mut p = hpwr[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        p = i as f64 * p / n as f64;
        if p.abs() < EM128 {
            p *= E128;
            expnt -= 128;
        }
    }
    if expnt != 0 {
        p = ldexp(p, expnt);
    }
    clip(p)
}

fn pomeranz_j1j2(i: i64, n: i64, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let (ip1div2, ip1mod2) = ((i + 1) / 2, (i + 1) % 2);
        if ip1mod2 == 0 {
            if ip1div2 == n + 1 {
                (n - ll - ceilf - 1, n + ll + ceilf - 1)
            } else {
                (ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1)
            }
        } else {
            (ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n))
}

/// `_kolmogn_Pomeranz`: Pr(Dₙ ≤ x) by the Pomeranz recursion.
fn pomeranz_cdf(n: i64, x: f64) -> f64 {
    let nf = n as f64;
    let t = nf * x;
    let ll = t.floor() as i64;
    let f = t - ll as f64;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = (2 * (ll + 1)) as usize;
    let (mut gp, mut tgp, mut omp) = (vec![1.0; npwrs], vec![1.0; npwrs], vec![1.0; npwrs]);
    let (a, b, c) = (g / nf, 2.0 * g / nf, (1.0 - 2.0 * g) / nf);
    for m in 1..npwrs {
        gp[m] = gp[m - 1] * a / m as f64;
        tgp[m] = tgp[m - 1] * b / m as f64;
        omp[m] = omp[m - 1] * c / m as f64;
    }
    let mut v0 = vec![0.0; npwrs];
    let mut v1 = vec![0.0; npwrs];
    v1[0] = 1.0;
    let (mut v0s, mut v1s, mut expnt) = (0i64, 0i64, 0i64);
    let (mut j1, mut _j2) = pomeranz_j1j2(0, n, ll, ceilf, roundf);
    for i in 1..(2 * n + 2) {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.iter_mut().for_each(|x| *x = 0.0);
        let (nj1, j2) = pomeranz_j1j2(i, n, ll, ceilf, roundf);
        j1 = nj1;
        let pwrs = if i == 1 || i == 2 * n + 1 {
            &gp
        } else if i % 2 == 1 {
            &tgp
        } else {
            &omp
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            let start = (k1 - v0s) as usize;
            let seg = &v0[start.min(npwrs)..(start + ln2 as usize).min(npwrs)];
            let ker = &pwrs[..(ln2 as usize).min(npwrs)];
            let mut conv = vec![0.0; seg.len() + ker.len() - 1];
            for (p, sv) in seg.iter().enumerate() {
                for (q, kv) in ker.iter().enumerate() {
                    conv[p + q] += sv * kv;
                }
            }
            let conv_start = (j1 - k1) as usize;
            let conv_len = (j2 - j1 + 1) as usize;
            let src = &conv[conv_start.min(conv.len())..(conv_start + conv_len).min(conv.len())];
            v1[..src.len()].copy_from_slice(src);
            let mx = v1.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < mx && mx < EM128 {
                v1.iter_mut().for_each(|x| *x *= E128);
                expnt -= 128;
            }
            v1s = v0s + j1 - k1;
        }
    }
    let mut ans = v1[(n - v1s) as usize];
    for m in 1..=n {
        if ans.abs() > E128 {
            ans *= EM128;
            expnt += 128;
        }
        ans *= m as f64;
    }
    if expnt != 0 {
        ans = ldexp(ans, expnt);
    }
    clip(ans)
}

/// `_kolmogn_PelzGood`: the Pelz–Good approximation to Pr(Dₙ ≤ x).
fn pelz_good_cdf(n: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let z = n.sqrt() * x;
    let (z2, z3, z4, z6) = (z * z, z.powi(3), z.powi(4), z.powi(6));
    let qlog = -PI2 / 8.0 / z2;
    if qlog < MIN_LOG {
        return 0.0;
    }
    let q = qlog.exp();
    let (pi4, pi6) = (PI2 * PI2, PI2 * PI2 * PI2);
    let (k1a, k1b) = (-z2, PI2 / 4.0);
    let k2a = 6.0 * z6 + 2.0 * z4;
    let k2b = (2.0 * z4 - 5.0 * z2) * PI2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    let k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    let k3b = PI2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    let k3a = -30.0 * z6 - 90.0 * z.powi(8);
    let mut k = [0.0f64; 4];
    let maxk = (16.0 * z / std::f64::consts::PI).ceil() as i64;
    for kk in (1..=maxk).rev() {
        let m = (2 * kk - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let qp = q.powf((8 * kk) as f64);
        #[rustfmt::skip]
        let coeffs = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                      k3a + k3b * m2 + k3c * m4 + k3d * m6];
        for i in 0..4 {
            k[i] = k[i] * qp + coeffs[i];
        }
    }
    let s2pi = (2.0 * std::f64::consts::PI).sqrt();
    let div = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for i in 0..4 {
        k[i] = k[i] * q * s2pi / div[i];
    }
    let q2 = (-PI2 / 2.0 / z2).exp();
    let (mut k2x, mut k3x) = (0.0, 0.0);
    let sqrt3z = 3f64.sqrt() * z;
    for kk in (1..=maxk).rev() {
        let ks = (kk * kk) as f64;
        let qpw = q2.powf(ks);
        let kspi = std::f64::consts::PI * kk as f64;
        k2x += ks * qpw;
        k3x += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * qpw;
    }
    k[2] += k2x * PI2 * s2pi / (-36.0 * z3);
    k[3] += k3x * PI2 * s2pi / (216.0 * z6);
    (0..4).map(|i| k[i] / n.powf(i as f64 / 2.0)).sum()
}

#[cfg(test)]
#[path = "ks_dist_tests.rs"]
mod tests;
