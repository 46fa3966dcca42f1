//! `config.json`: the model's hyper-parameters, in Hugging Face's `GPT2Config` schema so that
//! `transformers.GPT2LMHeadModel.from_pretrained(dir)` reads what we write.

use serde::{Deserialize, Serialize};

use crate::error::ForgetError;

/// GPT-2 hyper-parameters. Field names are GPT2Config's; the extra fields transformers needs
/// (model_type, activation_function, …) are written with fixed values by [`GptConfig::to_hf_json`].
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
}

/// Limits that catch corrupt files: far beyond any model a browser tab (4 GB of wasm memory) or
/// this CLI trains.
pub const MAX_LAYERS: usize = 1024;
pub const MAX_PARAMS: u64 = 10_000_000_000;

fn default_eps() -> f64 {
    1e-5
}

impl GptConfig {
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
        }
    }

    pub fn head_dim(&self) -> usize {
        self.n_embd / self.n_head
    }

    /// Parameter count (tied embeddings counted once).
    pub fn num_params(&self) -> usize {
        let c = self.n_embd;
        let per_layer =
            2 * 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
        self.vocab_size * c + self.n_positions * c + self.n_layer * per_layer + 2 * c
    }

    /// [`Self::num_params`] in 64 bits (wasm's usize has 32), or None when it overflows.
    fn checked_num_params(&self) -> Option<u64> {
        let [v, p, c, l] =
            [self.vocab_size, self.n_positions, self.n_embd, self.n_layer].map(|x| x as u64);
        let per_layer = c.checked_mul(c)?.checked_mul(12)?.checked_add(c.checked_mul(13)?)?;
        v.checked_add(p)?
            .checked_mul(c)?
            .checked_add(l.checked_mul(per_layer)?)?
            .checked_add(c.checked_mul(2)?)
    }

    pub fn validate(&self) -> Result<(), ForgetError> {
        let bad = |m: String| Err(ForgetError::InvalidConfig(m));
        if self.vocab_size == 0 || self.n_positions == 0 || self.n_embd == 0 || self.n_layer == 0 {
            return bad(format!("config.json has a zero size: {self:?}"));
        }
        if self.n_head == 0 || !self.n_embd.is_multiple_of(self.n_head) {
            return bad(format!(
                "n_embd ({}) must be a multiple of n_head ({})",
                self.n_embd, self.n_head
            ));
        }
        // Also refuses NaN: the epsilon must be a positive number.
        if self.layer_norm_epsilon.is_nan() || self.layer_norm_epsilon <= 0.0 {
            return bad("layer_norm_epsilon must be positive".into());
        }
        // A typo like n_layer: 10000000000 must be an error, not an out-of-memory crash while
        // listing the tensors such a model would have (found by the fuzz test, app/tests/fuzz).
        if self.n_layer > MAX_LAYERS || self.checked_num_params().is_none_or(|n| n > MAX_PARAMS) {
            return bad(format!(
                "config.json describes a model larger than ForgetLab can hold (at most {MAX_LAYERS} layers and {MAX_PARAMS} parameters): {self:?}"
            ));
        }
        if self.eos_token_id as usize >= self.vocab_size {
            return bad(format!("eos_token_id {} is outside the vocabulary", self.eos_token_id));
        }
        Ok(())
    }

    /// `config.json` text with every field transformers needs to build a `GPT2LMHeadModel`.
    pub fn to_hf_json(&self) -> String {
        let v = serde_json::json!({
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            "vocab_size": self.vocab_size,
            "n_positions": self.n_positions,
            "n_ctx": self.n_positions,
            "n_embd": self.n_embd,
            "n_layer": self.n_layer,
            "n_head": self.n_head,
            "n_inner": null,
            "activation_function": "gelu_new",
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "resid_pdrop": 0.0,
            "embd_pdrop": 0.0,
            "attn_pdrop": 0.0,
            "initializer_range": 0.02,
            "scale_attn_weights": true,
            "scale_attn_by_inverse_layer_idx": false,
            "reorder_and_upcast_attn": false,
            "tie_word_embeddings": true,
            "bos_token_id": self.eos_token_id,
            "eos_token_id": self.eos_token_id,
            "torch_dtype": "float32",
        });
        serde_json::to_string_pretty(&v).expect("a json! value always serialises")
    }

    pub fn from_hf_json(text: &str) -> Result<Self, ForgetError> {
        let cfg: GptConfig = serde_json::from_str(text)
            .map_err(|e| ForgetError::ModelFile(format!("config.json: {e}")))?;
        cfg.validate()?;
        let all: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ForgetError::ModelFile(format!("config.json: {e}")))?;
        cfg.refuse_unsupported(&all)?;
        Ok(cfg)
    }

    /// A setting of GPT2Config that the engine does not implement is an error that names it,
    /// never a silent approximation (absent keys take transformers' defaults, which are ours).
    fn refuse_unsupported(&self, all: &serde_json::Value) -> Result<(), ForgetError> {
        use serde_json::Value;
        let inner = Value::from(4 * self.n_embd);
        let checks: [(&str, &[Value], &str); 7] = [
            ("model_type", &[Value::from("gpt2")], "ForgetLab reads GPT-2 checkpoints"),
            ("tie_word_embeddings", &[Value::Bool(true)], "an untied lm_head is not supported yet"),
            ("n_inner", &[Value::Null, inner], "the MLP's width must be 4·n_embd"),
            (
                "activation_function",
                &[Value::from("gelu_new"), Value::from("gelu_pytorch_tanh")],
                "the MLP uses GELU's tanh approximation (gelu_new)",
            ),
            ("scale_attn_weights", &[Value::Bool(true)], "attention scores are scaled by 1/√d"),
            (
                "scale_attn_by_inverse_layer_idx",
                &[Value::Bool(false)],
                "attention is not scaled by the layer index",
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
