//! The MLP's activation function: every name `transformers` accepts in GPT2Config's
//! `activation_function` (its `ACT2FN` table, transformers/activations.py) that has no learned
//! parameter. The names, and the functions they stand for, are transformers':
//!
//! | name | f(x) |
//! |---|---|
//! | `gelu`, `gelu_python` | x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel 2016, GELU) |
//! | `gelu_new`, `gelu_fast`, `gelu_accurate`, `gelu_pytorch_tanh`, `gelu_python_tanh` | ½x(1 + tanh(√(2/π)(x + 0.044715x³))), GPT-2's tanh approximation |
//! | `gelu_10` | gelu(x) clipped to [−10, 10] |
//! | `quick_gelu` | x·σ(1.702x) |
//! | `laplace` | ½(1 + erf((x − μ)/(σ√2))), μ = 0.707107, σ = 0.282095 (MEGA, Ma et al. 2022) |
//! | `relu` | max(0, x) |
//! | `relu2` | max(0, x)² (So et al. 2021, Primer) |
//! | `relu6` | min(max(0, x), 6) |
//! | `leaky_relu` | x for x ≥ 0, 0.01x otherwise |
//! | `silu`, `swish` | x·σ(x) (Elfwing et al. 2017; Ramachandran et al. 2017) |
//! | `mish` | x·tanh(softplus(x)) (Misra 2019) |
//! | `hardswish` | x·min(max(x + 3, 0), 6)/6 (Howard et al. 2019, MobileNetV3) |
//! | `sqrtsoftplus` | √softplus(x) (DeepSeek V4's router score) |
//! | `sigmoid` | σ(x) |
//! | `tanh` | tanh(x) |
//! | `linear` | x |
//!
//! `prelu` and `xielu` learn their own parameters; a config that names them (or any other name)
//! is refused by serde with the name in the message, never approximated.

use serde::{Deserialize, Serialize};

use burn::tensor::Tensor;
use burn::tensor::activation;

/// An activation function by its transformers name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Gelu,
    GeluPython,
    /// GPT-2's own (GPT2Config's default).
    #[default]
    GeluNew,
    GeluFast,
    GeluAccurate,
    GeluPytorchTanh,
    GeluPythonTanh,
    #[serde(rename = "gelu_10")]
    Gelu10,
    QuickGelu,
    Laplace,
    Relu,
    Relu2,
    Relu6,
    LeakyRelu,
    Silu,
    Swish,
    Mish,
    Hardswish,
    Sqrtsoftplus,
    Sigmoid,
    Tanh,
    Linear,
}

impl Activation {
    /// Apply it elementwise.
    pub fn forward<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        use Activation::*;
        match self {
            Gelu | GeluPython => activation::gelu(x),
            GeluNew | GeluFast | GeluAccurate | GeluPytorchTanh | GeluPythonTanh => gelu_tanh(x),
            Gelu10 => activation::gelu(x).clamp(-10.0, 10.0),
            QuickGelu => x.clone() * activation::sigmoid(x * 1.702),
            Laplace => {
                // transformers' literals (rounded, not exactly 1/√2 and 1/(2√π)): the same
                // numbers, so the same function.
                #[allow(clippy::approx_constant)]
                const MU: f64 = 0.707107;
                const SIGMA: f64 = 0.282095;
                ((x - MU) * (1.0 / (SIGMA * core::f64::consts::SQRT_2))).erf() * 0.5 + 0.5
            }
            Relu => activation::relu(x),
            Relu2 => {
                let r = activation::relu(x);
                r.clone() * r
            }
            Relu6 => x.clamp(0.0, 6.0),
            LeakyRelu => activation::leaky_relu(x, 0.01),
            Silu | Swish => activation::silu(x),
            Mish => x.clone() * softplus(x).tanh(),
            Hardswish => x.clone() * (x + 3.0).clamp(0.0, 6.0) * (1.0 / 6.0),
            Sqrtsoftplus => softplus(x).sqrt(),
            Sigmoid => activation::sigmoid(x),
            Tanh => x.tanh(),
            Linear => x,
        }
    }
}

/// GPT-2's `gelu_new`, ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed through the identity
/// ½(1 + tanh u) = σ(2u) = 1 / (1 + e^(−2u)) as x / (1 + e^(−2u)). Same function; but on the CPU
/// backend one `exp` and a division replace a `tanh` and a `powf` per element (which took 45 % of
/// an evaluation pass), and unlike `sigmoid` (two branches per element, half of them
/// mispredicted) it has no branch: GELU runs in half the time of the sigmoid form.
/// −2u is clamped at 80 so e^(−2u) stays finite (WGSL may assume no infinities); there
/// σ(2u) < 2·10⁻³⁵, zero at f32 precision either way.
pub(crate) fn gelu_tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    const MINUS_TWO_SQRT_2_OVER_PI: f64 =
        -2.0 * core::f64::consts::FRAC_2_SQRT_PI * core::f64::consts::FRAC_1_SQRT_2;
    let cube = x.clone() * x.clone() * x.clone();
    let minus_two_u = (cube * 0.044715 + x.clone()) * MINUS_TWO_SQRT_2_OVER_PI;
    x / (minus_two_u.clamp_max(80.0).exp() + 1.0)
}

/// PyTorch's softplus (β = 1, threshold 20): ln(1 + eˣ), and x itself above 20 (where they agree
/// in f32), so eˣ never overflows.
fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let above = x.clone().greater_elem(20.0);
    let small = x.clone().clamp_max(20.0).exp().log1p();
    small.mask_where(above, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn apply(act: Activation, xs: &[f32]) -> Vec<f32> {
        let d = Device::flex();
        let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &d);
        act.forward(x).into_data().try_to_vec::<f32>().unwrap()
    }

    /// Each function against its formula evaluated in f64 (values from the table above).
    #[test]
    #[allow(clippy::approx_constant)] // laplace's μ is transformers' literal 0.707107
    fn every_activation_is_its_formula() {
        let xs = [-30.0f32, -6.5, -2.0, -0.3, 0.0, 0.4, 1.5, 7.0, 25.0];
        let erf_gelu = |x: f64| 0.5 * x * (1.0 + libm_erf(x / 2f64.sqrt()));
        let tanh_gelu = |x: f64| {
            0.5 * x
                * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x.powi(3))).tanh())
        };
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        let softplus = |x: f64| if x > 20.0 { x } else { x.exp().ln_1p() };
        let cases: [(Activation, &dyn Fn(f64) -> f64); 22] = [
            (Activation::Gelu, &erf_gelu),
            (Activation::GeluPython, &erf_gelu),
            (Activation::GeluNew, &tanh_gelu),
            (Activation::GeluFast, &tanh_gelu),
            (Activation::GeluAccurate, &tanh_gelu),
            (Activation::GeluPytorchTanh, &tanh_gelu),
            (Activation::GeluPythonTanh, &tanh_gelu),
            (Activation::Gelu10, &|x| erf_gelu(x).clamp(-10.0, 10.0)),
            (Activation::QuickGelu, &|x| x * sigmoid(1.702 * x)),
            (Activation::Laplace, &|x| {
                0.5 * (1.0 + libm_erf((x - 0.707107) / (0.282095 * 2f64.sqrt())))
            }),
            (Activation::Relu, &|x| x.max(0.0)),
            (Activation::Relu2, &|x| x.max(0.0).powi(2)),
            (Activation::Relu6, &|x| x.clamp(0.0, 6.0)),
            (Activation::LeakyRelu, &|x| if x >= 0.0 { x } else { 0.01 * x }),
            (Activation::Silu, &|x| x * sigmoid(x)),
            (Activation::Swish, &|x| x * sigmoid(x)),
            (Activation::Mish, &|x| x * softplus(x).tanh()),
            (Activation::Hardswish, &|x| x * (x + 3.0).clamp(0.0, 6.0) / 6.0),
            (Activation::Sqrtsoftplus, &|x| softplus(x).sqrt()),
            (Activation::Sigmoid, &sigmoid),
            (Activation::Tanh, &|x| x.tanh()),
            (Activation::Linear, &|x| x),
        ];
        for (act, f) in cases {
            for (x, got) in xs.iter().zip(apply(act, &xs)) {
                let want = f(*x as f64);
                assert!(
                    (got as f64 - want).abs() <= 1e-5 * want.abs().max(1.0),
                    "{act:?}({x}) = {got}, want {want}"
                );
            }
        }
    }

    #[test]
    fn names_are_transformers_names() {
        for (name, act) in [
            ("\"gelu_new\"", Activation::GeluNew),
            ("\"gelu_10\"", Activation::Gelu10),
            ("\"gelu_pytorch_tanh\"", Activation::GeluPytorchTanh),
            ("\"quick_gelu\"", Activation::QuickGelu),
            ("\"relu2\"", Activation::Relu2),
            ("\"relu6\"", Activation::Relu6),
        ] {
            assert_eq!(serde_json::from_str::<Activation>(name).unwrap(), act);
            assert_eq!(serde_json::to_string(&act).unwrap(), name);
        }
        let err = serde_json::from_str::<Activation>("\"prelu\"").unwrap_err().to_string();
        assert!(err.contains("prelu"), "{err}");
    }

    /// erf in f64 (Abramowitz & Stegun 7.1.26 is too coarse for a 1e-5 check): the series
    /// erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)) for |x| < 3, and 1 − tiny beyond.
    fn libm_erf(x: f64) -> f64 {
        if x.abs() >= 6.0 {
            return x.signum();
        }
        let (mut sum, mut term, mut n) = (0.0f64, x, 0.0f64);
        while term.abs() > 1e-17 * sum.abs().max(1e-300) || n < 3.0 {
            sum += term / (2.0 * n + 1.0);
            n += 1.0;
            term *= -x * x / n;
            if n > 400.0 {
                break;
            }
        }
        2.0 / std::f64::consts::PI.sqrt() * sum
    }
}
