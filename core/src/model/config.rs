//! `config.json`: the model's hyper-parameters, in Hugging Face's `GPT2Config` schema so that
//! `transformers.GPT2LMHeadModel.from_pretrained(dir)` reads what we write, and we read every
//! GPT-2 setting transformers implements (or refuse it by name). A Llama-family config
//! (`LlamaConfig`, `Qwen2Config`) is read into the same struct with its own settings in
//! [`GptConfig::llama`] ([`super::llama`]). The file itself is read and written in [`super::hf`].

use serde::{Deserialize, Serialize};

use super::activation::Activation;
use crate::error::ForgetError;

/// GPT-2 hyper-parameters. Field names and defaults are GPT2Config's; the fields transformers
/// needs that do not change the function (model_type, dropout, …) are written with fixed values by
/// [`GptConfig::to_hf_json`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GptConfig {
    pub vocab_size: usize,
    /// Context length: the number of learned position embeddings.
    pub n_positions: usize,
    pub n_embd: usize,
    pub n_layer: usize,
    pub n_head: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_epsilon: f64,
    #[serde(default)]
    pub eos_token_id: u32,
    /// The MLP's hidden width; `None` is GPT-2's 4·n_embd.
    #[serde(default)]
    pub n_inner: Option<usize>,
    #[serde(default)]
    pub activation_function: Activation,
    /// The LM head is the token embedding (true, GPT-2's) or its own `lm_head.weight`.
    #[serde(default = "yes")]
    pub tie_word_embeddings: bool,
    /// Attention scores are divided by √head_dim.
    #[serde(default = "yes")]
    pub scale_attn_weights: bool,
    /// Block i's attention scores are also divided by i + 1 (GPT-2's Mistral-style option).
    #[serde(default)]
    pub scale_attn_by_inverse_layer_idx: bool,
    /// A Llama-family model (rotary positions, RMSNorm, grouped-query attention, a gated MLP);
    /// `None`: GPT-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llama: Option<LlamaSettings>,
}

fn yes() -> bool {
    true
}

/// Limits that catch corrupt files: far beyond any model a browser tab (4 GB of wasm memory) or
/// this CLI trains.
pub const MAX_LAYERS: usize = 1024;
pub const MAX_PARAMS: u64 = 10_000_000_000;

fn default_eps() -> f64 {
    1e-5
}

impl GptConfig {
    /// GPT2Config's defaults for the settings beyond the sizes (the sizes are zero: fill them).
    fn gpt2_defaults() -> Self {
        Self {
            vocab_size: 0,
            n_positions: 0,
            n_embd: 0,
            n_layer: 0,
            n_head: 0,
            layer_norm_epsilon: default_eps(),
            eos_token_id: 0,
            n_inner: None,
            activation_function: Activation::default(),
            tie_word_embeddings: true,
            scale_attn_weights: true,
            scale_attn_by_inverse_layer_idx: false,
            llama: None,
        }
    }

    /// ForgetLab's default model: small enough to train a step quickly on a 2-core laptop CPU
    /// (burn's CPU backend reaches ~10 GFLOP/s there), big enough to memorise the fact world
    /// (≈ 0.27 M parameters, 1 MB).
    pub fn default_model(vocab_size: usize, eos_token_id: u32) -> Self {
        Self {
            vocab_size,
            n_positions: 64,
            n_embd: 64,
            n_layer: 4,
            n_head: 2,
            layer_norm_epsilon: 1e-5,
            eos_token_id,
            ..Self::gpt2_defaults()
        }
    }

    /// A toy model for tests: trains in milliseconds.
    pub fn tiny(vocab_size: usize, eos_token_id: u32) -> Self {
        Self {
            vocab_size,
            n_positions: 48,
            n_embd: 32,
            n_layer: 2,
            n_head: 2,
            layer_norm_epsilon: 1e-5,
            eos_token_id,
            ..Self::gpt2_defaults()
        }
    }

    /// The Llama-family model of the same widths: rotary positions (θ = 10,000), RMSNorm,
    /// half as many key/value heads as query heads, a SwiGLU MLP of width (8/3)·n_embd rounded
    /// up to a multiple of 8 (Llama's sizing: as many weights as a 4·n_embd MLP), embeddings
    /// tied as before.
    pub fn llama_like(&self) -> Self {
        let hidden = (8 * self.n_embd).div_ceil(3).div_ceil(8) * 8;
        Self {
            n_inner: Some(hidden),
            activation_function: Activation::Silu,
            scale_attn_weights: true,
            scale_attn_by_inverse_layer_idx: false,
            llama: Some(LlamaSettings {
                model_type: "llama".into(),
                n_kv_head: (self.n_head / 2).max(1),
                head_dim: self.n_embd / self.n_head,
                rope_theta: 10_000.0,
                qkv_bias: false,
                o_bias: false,
                mlp_bias: false,
            }),
            ..self.clone()
        }
    }

    pub fn head_dim(&self) -> usize {
        match &self.llama {
            Some(l) => l.head_dim,
            None => self.n_embd / self.n_head.max(1),
        }
    }

    /// Key/value heads: n_head, or fewer with grouped-query attention.
    pub fn n_kv_head(&self) -> usize {
        self.llama.as_ref().map_or(self.n_head, |l| l.n_kv_head)
    }

    /// Which tensors have biases: (norms, q/k/v, attention output, MLP).
    pub(crate) fn biases(&self) -> (bool, bool, bool, bool) {
        match &self.llama {
            None => (true, true, true, true),
            Some(l) => (false, l.qkv_bias, l.o_bias, l.mlp_bias),
        }
    }

    /// The MLP's hidden width.
    pub fn mlp_width(&self) -> usize {
        self.n_inner.unwrap_or(4 * self.n_embd)
    }

    /// What block `layer`'s attention multiplies its scores q·kᵀ by.
    pub fn attn_scale(&self, layer: usize) -> f64 {
        let by_dim = if self.scale_attn_weights { (self.head_dim() as f64).sqrt() } else { 1.0 };
        let by_layer = if self.scale_attn_by_inverse_layer_idx { (layer + 1) as f64 } else { 1.0 };
        1.0 / (by_dim * by_layer)
    }

    /// Parameter count (tied embeddings counted once).
    pub fn num_params(&self) -> usize {
        self.checked_num_params().map_or(usize::MAX, |n| n as usize)
    }

    /// [`Self::num_params`] in 64 bits (wasm's usize has 32), or None when it overflows. The
    /// same count as the shapes [`super::weights::expected_shapes`] lists.
    pub(crate) fn checked_num_params(&self) -> Option<u64> {
        let u = |x: usize| x as u64;
        let (v, c, l, m, hd) = (
            u(self.vocab_size),
            u(self.n_embd),
            u(self.n_layer),
            u(self.mlp_width()),
            u(self.head_dim()),
        );
        let (nh, kv) = (u(self.n_head), u(self.n_kv_head()));
        let (norm_bias, qkv_bias, o_bias, mlp_bias) = self.biases();
        let qkv = nh.checked_add(kv.checked_mul(2)?)?.checked_mul(hd)?;
        let fc = if self.llama.is_some() { m.checked_mul(2)? } else { m };
        let with = |yes: bool, n: u64| if yes { n } else { 0 };
        let norm = c + with(norm_bias, c);
        let sum = |xs: &[u64]| xs.iter().try_fold(0u64, |a, &x| a.checked_add(x));
        let per_layer = sum(&[
            norm.checked_mul(2)?,
            c.checked_mul(qkv)?,
            with(qkv_bias, qkv),
            nh.checked_mul(hd)?.checked_mul(c)?,
            with(o_bias, c),
            c.checked_mul(fc)?,
            with(mlp_bias, fc),
            m.checked_mul(c)?,
            with(mlp_bias, c),
        ])?;
        let positions = if self.llama.is_none() { u(self.n_positions).checked_mul(c)? } else { 0 };
        let head = if self.tie_word_embeddings { 0 } else { v.checked_mul(c)? };
        sum(&[v.checked_mul(c)?, positions, l.checked_mul(per_layer)?, norm, head])
    }

    pub fn validate(&self) -> Result<(), ForgetError> {
        let bad = |m: String| Err(ForgetError::InvalidConfig(m));
        if self.vocab_size == 0 || self.n_positions == 0 || self.n_embd == 0 || self.n_layer == 0 {
            return bad(format!("config.json has a zero size: {self:?}"));
        }
        if self.n_inner == Some(0) {
            return bad("n_inner must be positive (or null for 4·n_embd)".into());
        }
        if self.n_head == 0 || !self.n_embd.is_multiple_of(self.n_head) {
            return bad(format!(
                "n_embd ({}) must be a multiple of n_head ({})",
                self.n_embd, self.n_head
            ));
        }
        if let Some(l) = &self.llama {
            if l.n_kv_head == 0 || !self.n_head.is_multiple_of(l.n_kv_head) {
                return bad(format!(
                    "num_attention_heads ({}) must be a multiple of num_key_value_heads ({})",
                    self.n_head, l.n_kv_head
                ));
            }
            if l.head_dim == 0 || !l.head_dim.is_multiple_of(2) {
                return bad(format!(
                    "head_dim ({}) must be even and positive for RoPE",
                    l.head_dim
                ));
            }
            if !(l.rope_theta.is_finite() && l.rope_theta > 0.0) {
                return bad(format!("rope_theta must be a positive number, got {}", l.rope_theta));
            }
        }
        // Also refuses NaN: the epsilon must be a positive number.
        if self.layer_norm_epsilon.is_nan() || self.layer_norm_epsilon <= 0.0 {
            return bad("layer_norm_epsilon must be positive".into());
        }
        // A typo like n_layer: 10000000000 must be an error, not an out-of-memory crash while
        // listing the tensors such a model would have (found by the fuzz test, app/tests/fuzz).
        if self.n_layer > MAX_LAYERS || self.checked_num_params().is_none_or(|n| n > MAX_PARAMS) {
            return bad(format!(
                "config.json describes a model larger than ForgetLab can hold (at most \
                    {MAX_LAYERS} layers and {MAX_PARAMS} parameters): {self:?}"
            ));
        }
        if self.eos_token_id as usize >= self.vocab_size {
            return bad(format!("eos_token_id {} is outside the vocabulary", self.eos_token_id));
        }
        Ok(())
    }

    /// A setting of GPT2Config that the engine does not implement is an error that names it,
    /// never a silent approximation (absent keys take transformers' defaults). The activation's
    /// name is checked by serde ([`Activation`]). `reorder_and_upcast_attn` is accepted either
    /// way: it changes only the order of the same f32 operations.
    pub(super) fn refuse_unsupported(&self, all: &serde_json::Value) -> Result<(), ForgetError> {
        use serde_json::Value;
        let checks: [(&str, &[Value], &str); 2] = [
            (
                "model_type",
                &[Value::from("gpt2")],
                "ForgetLab reads the gpt2, llama and qwen2 model types",
            ),
            (
                "add_cross_attention",
                &[Value::Bool(false)],
                "a decoder-only model has no cross-attention",
            ),
        ];
        for (key, accepted, why) in checks {
            if let Some(v) = all.get(key)
                && !accepted.contains(v)
            {
                return Err(ForgetError::ModelFile(format!(
                    "config.json: {key} = {v} is not supported ({why})"
                )));
            }
        }
        Ok(())
    }
}

/// What a Llama-family model has beyond the settings GPT-2 shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlamaSettings {
    /// `llama` or `qwen2`: written back as it was read.
    pub model_type: String,
    /// Key/value heads (grouped-query attention; n_head when every head has its own).
    pub n_kv_head: usize,
    pub head_dim: usize,
    /// RoPE's base.
    pub rope_theta: f64,
    /// Biases on q, k, v (Qwen2 always; Llama with `attention_bias`), on o (Llama with
    /// `attention_bias`), on the MLP (`mlp_bias`).
    pub qkv_bias: bool,
    pub o_bias: bool,
    pub mlp_bias: bool,
}
