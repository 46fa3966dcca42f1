//! Host-side weights with GPT-2's tensor names, and their `model.safetensors` form.
//!
//! Every model enters and leaves the device through [`GptWeights`]: initialisation (drawn on the
//! host from a seeded RNG, so the same seed gives bit-identical weights on every backend), loading
//! a Hugging Face file, saving, and resetting a run to its original weights.
//!
//! Names and layouts are GPT-2's (`openai-community/gpt2`'s `model.safetensors`): `wte.weight`,
//! `wpe.weight`, `h.{i}.ln_1.{weight,bias}`, `h.{i}.attn.c_attn.{weight,bias}`,
//! `h.{i}.attn.c_proj.*`, `h.{i}.ln_2.*`, `h.{i}.mlp.c_fc.*`, `h.{i}.mlp.c_proj.*`, `ln_f.*`.
//! GPT-2's `Conv1D` stores weights as `[in, out]`, which is also burn's `Linear` layout, so no
//! transpose is needed. The LM head is tied to `wte` and not stored, unless the config unties it
//! (`tie_word_embeddings: false`): then it is `lm_head.weight`, `[vocab, n_embd]` (PyTorch's
//! `nn.Linear` layout, `[out, in]`).

use std::collections::BTreeMap;

use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;
use safetensors::tensor::{Dtype, TensorView};

use super::config::GptConfig;
use crate::error::ForgetError;

/// One named f32 tensor on the host.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// All parameters of a GPT, by GPT-2 name. BTreeMap: a stable order for files and hashes.
#[derive(Clone, Debug, PartialEq)]
pub struct GptWeights {
    pub tensors: BTreeMap<String, HostTensor>,
}

/// Every (name, shape) a model with `cfg` has, in file order. GPT-2's names for every family
/// (a Llama model's q, k, v sit side by side in `c_attn`, its gate and up in `c_fc`; it has no
/// `wpe` and no norm biases: [`super::llama`]).
pub fn expected_shapes(cfg: &GptConfig) -> Vec<(String, Vec<usize>)> {
    let (c, m, hd) = (cfg.n_embd, cfg.mlp_width(), cfg.head_dim());
    let qkv = (cfg.n_head + 2 * cfg.n_kv_head()) * hd;
    let fc = if cfg.llama.is_some() { 2 * m } else { m };
    let (norm_bias, qkv_bias, o_bias, mlp_bias) = cfg.biases();
    let mut v = vec![("wte.weight".to_string(), vec![cfg.vocab_size, c])];
    if cfg.llama.is_none() {
        v.push(("wpe.weight".to_string(), vec![cfg.n_positions, c]));
    }
    let mut push = |name: String, shape: Vec<usize>, present: bool| {
        if present {
            v.push((name, shape));
        }
    };
    for i in 0..cfg.n_layer {
        let p = |s: &str| format!("h.{i}.{s}");
        push(p("ln_1.weight"), vec![c], true);
        push(p("ln_1.bias"), vec![c], norm_bias);
        push(p("attn.c_attn.weight"), vec![c, qkv], true);
        push(p("attn.c_attn.bias"), vec![qkv], qkv_bias);
        push(p("attn.c_proj.weight"), vec![cfg.n_head * hd, c], true);
        push(p("attn.c_proj.bias"), vec![c], o_bias);
        push(p("ln_2.weight"), vec![c], true);
        push(p("ln_2.bias"), vec![c], norm_bias);
        push(p("mlp.c_fc.weight"), vec![c, fc], true);
        push(p("mlp.c_fc.bias"), vec![fc], mlp_bias);
        push(p("mlp.c_proj.weight"), vec![m, c], true);
        push(p("mlp.c_proj.bias"), vec![c], mlp_bias);
    }
    push("ln_f.weight".to_string(), vec![c], true);
    push("ln_f.bias".to_string(), vec![c], norm_bias);
    push(LM_HEAD.to_string(), vec![cfg.vocab_size, c], !cfg.tie_word_embeddings);
    v
}

/// An untied LM head's name.
pub const LM_HEAD: &str = "lm_head.weight";

impl GptWeights {
    /// GPT-2's initialisation: N(0, 0.02) for matrices and embeddings, N(0, 0.02/√(2·n_layer))
    /// for the residual projections (`c_proj`), zero biases, unit LayerNorm gains.
    pub fn init(cfg: &GptConfig, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let resid_std = 0.02 / (2.0 * cfg.n_layer as f32).sqrt();
        let mut tensors = BTreeMap::new();
        for (name, shape) in expected_shapes(cfg) {
            let n: usize = shape.iter().product();
            let data = if name.ends_with(".bias") {
                vec![0.0; n]
            } else if name.contains("ln_") {
                vec![1.0; n]
            } else {
                let std = if name.ends_with("c_proj.weight") { resid_std } else { 0.02 };
                (0..n).map(|_| std * standard_normal(&mut rng)).collect()
            };
            tensors.insert(name, HostTensor { shape, data });
        }
        Self { tensors }
    }

    /// The model cut after its first `k` blocks (embeddings, blocks 0..k, final LayerNorm, tied
    /// head), with the config that describes it: ULD's assistant starts as this.
    pub fn first_blocks(
        &self,
        cfg: &GptConfig,
        k: usize,
    ) -> Result<(GptConfig, GptWeights), ForgetError> {
        if k == 0 || k > cfg.n_layer {
            return Err(ForgetError::InvalidConfig(format!(
                "a model of {} blocks has no first {k} blocks (1 ≤ k ≤ {})",
                cfg.n_layer, cfg.n_layer
            )));
        }
        let small = GptConfig { n_layer: k, ..cfg.clone() };
        let tensors = expected_shapes(&small)
            .into_iter()
            .map(|(name, _)| Ok((name.clone(), self.get(&name)?.clone())))
            .collect::<Result<_, ForgetError>>()?;
        Ok((small, GptWeights { tensors }))
    }

    pub fn get(&self, name: &str) -> Result<&HostTensor, ForgetError> {
        self.tensors.get(name).ok_or_else(|| {
            ForgetError::ModelFile(format!("model.safetensors has no tensor '{name}'"))
        })
    }

    /// Only the tensors `cfg` uses (a tied model's copy of `lm_head.weight` goes), so what is
    /// saved again is what the config describes.
    pub fn keep_expected(mut self, cfg: &GptConfig) -> Self {
        let names: std::collections::HashSet<String> =
            expected_shapes(cfg).into_iter().map(|(n, _)| n).collect();
        self.tensors.retain(|name, _| names.contains(name));
        self
    }

    /// Check that every tensor `cfg` needs is present with the right shape and finite values.
    pub fn validate(&self, cfg: &GptConfig) -> Result<(), ForgetError> {
        for (name, shape) in expected_shapes(cfg) {
            let t = self.get(&name)?;
            if t.shape != shape {
                return Err(ForgetError::ModelFile(format!(
                    "tensor '{name}' has shape {:?}, config.json implies {shape:?}",
                    t.shape
                )));
            }
            if t.data.iter().any(|x| !x.is_finite()) {
                return Err(ForgetError::ModelFile(format!(
                    "tensor '{name}' holds NaN or infinite values"
                )));
            }
        }
        Ok(())
    }

    /// `model.safetensors` bytes (f32, little-endian, metadata `format: pt` as transformers
    /// expects).
    pub fn to_safetensors(&self) -> Result<Vec<u8>, ForgetError> {
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = self
            .tensors
            .iter()
            .map(|(name, t)| {
                let b = t.data.iter().flat_map(|x| x.to_le_bytes()).collect();
                (name.clone(), t.shape.clone(), b)
            })
            .collect();
        let views = bytes
            .iter()
            .map(|(name, shape, b)| {
                TensorView::new(Dtype::F32, shape.clone(), b)
                    .map(|v| (name.clone(), v))
                    .map_err(|e| ForgetError::ModelFile(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let metadata = Some([("format".to_string(), "pt".to_string())].into_iter().collect());
        safetensors::serialize(views, metadata).map_err(|e| ForgetError::ModelFile(e.to_string()))
    }

    /// Read a `model.safetensors`. Accepts GPT-2 names with or without the `transformer.` prefix
    /// (what `GPT2LMHeadModel.save_pretrained` writes) and skips buffers we do not need
    /// (`attn.bias`, `attn.masked_bias`). f16/bf16 are widened to f32. A tied model's file may hold
    /// `lm_head.weight` too: [`GptWeights::keep_expected`] drops what the config does not use.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, ForgetError> {
        let st = safetensors::SafeTensors::deserialize(bytes)
            .map_err(|e| ForgetError::ModelFile(format!("not a valid safetensors file: {e}")))?;
        let mut tensors = BTreeMap::new();
        for (name, view) in st.tensors() {
            let name = name.strip_prefix("transformer.").unwrap_or(&name).to_string();
            if name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") {
                continue;
            }
            let raw = view.data();
            let data: Vec<f32> = match view.dtype() {
                Dtype::F32 => raw
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                Dtype::F16 => raw
                    .chunks_exact(2)
                    .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
                Dtype::BF16 => raw
                    .chunks_exact(2)
                    .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
                other => {
                    return Err(ForgetError::ModelFile(format!(
                        "tensor '{name}' has dtype {other:?}; only f32/f16/bf16 are supported"
                    )));
                }
            };
            tensors.insert(name, HostTensor { shape: view.shape().to_vec(), data });
        }
        Ok(Self { tensors })
    }

    /// Largest absolute difference to another set of weights (for tests and reset checks).
    pub fn max_abs_diff(&self, other: &GptWeights) -> f32 {
        let mut m = 0.0f32;
        for (name, t) in &self.tensors {
            match other.tensors.get(name) {
                Some(o) if o.shape == t.shape => {
                    for (a, b) in t.data.iter().zip(&o.data) {
                        m = m.max((a - b).abs());
                    }
                }
                _ => return f32::INFINITY,
            }
        }
        m
    }
}

/// Box–Muller: a standard normal from two uniforms (keeps us off rand_distr).
fn standard_normal(rng: &mut StdRng) -> f32 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}
