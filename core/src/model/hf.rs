//! A model directory in the Hugging Face layout: `config.json`, `model.safetensors` (or the
//! shards a `model.safetensors.index.json` lists), `tokenizer.json`. Bytes in, bytes out, so the
//! browser (which reads files) and the CLI (which reads them from disk) share the same code.

use std::path::Path;

use super::llama::{self, LLAMA_TYPES};
use super::{GptConfig, GptWeights};
use crate::error::ForgetError;
use crate::tokenizer::Tokenizer;

/// `config.json`, for every family: GPT-2's schema here, the Llama family's in [`super::llama`].
impl GptConfig {
    /// `config.json` text with every field transformers needs to build a `GPT2LMHeadModel` (or
    /// the Llama-family model).
    pub fn to_hf_json(&self) -> String {
        if let Some(l) = &self.llama {
            return llama::config_to_hf(self, l);
        }
        let v = serde_json::json!({
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            "vocab_size": self.vocab_size,
            "n_positions": self.n_positions,
            "n_ctx": self.n_positions,
            "n_embd": self.n_embd,
            "n_layer": self.n_layer,
            "n_head": self.n_head,
            "n_inner": self.n_inner,
            "activation_function": self.activation_function,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "resid_pdrop": 0.0,
            "embd_pdrop": 0.0,
            "attn_pdrop": 0.0,
            "initializer_range": 0.02,
            "scale_attn_weights": self.scale_attn_weights,
            "scale_attn_by_inverse_layer_idx": self.scale_attn_by_inverse_layer_idx,
            "reorder_and_upcast_attn": false,
            "tie_word_embeddings": self.tie_word_embeddings,
            "bos_token_id": self.eos_token_id,
            "eos_token_id": self.eos_token_id,
            "torch_dtype": "float32",
        });
        serde_json::to_string_pretty(&v).expect("a json! value always serialises")
    }

    pub fn from_hf_json(text: &str) -> Result<Self, ForgetError> {
        let all: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ForgetError::ModelFile(format!("config.json: {e}")))?;
        if let Some(kind) = all.get("model_type").and_then(|t| t.as_str())
            && LLAMA_TYPES.contains(&kind)
        {
            return llama::config_from_hf(&all, kind);
        }
        let mut cfg: GptConfig = serde_json::from_value(all.clone())
            .map_err(|e| ForgetError::ModelFile(format!("config.json: {e}")))?;
        cfg.llama = None;
        cfg.validate()?;
        cfg.refuse_unsupported(&all)?;
        Ok(cfg)
    }
}

/// A sharded checkpoint's index (what `save_pretrained(max_shard_size=…)` writes).
pub const SHARD_INDEX: &str = "model.safetensors.index.json";

/// The shard files a `model.safetensors.index.json` names (its `weight_map`'s values, each
/// once, in order). A name with a path in it is refused: shards sit beside the index.
pub fn shard_files(index_json: &[u8]) -> Result<Vec<String>, ForgetError> {
    let bad = |m: String| ForgetError::ModelFile(format!("{SHARD_INDEX}: {m}"));
    let index: serde_json::Value =
        serde_json::from_slice(index_json).map_err(|e| bad(e.to_string()))?;
    let map = index
        .get("weight_map")
        .and_then(|m| m.as_object())
        .ok_or_else(|| bad("no \"weight_map\" object".into()))?;
    let mut files: Vec<String> = Vec::new();
    for (tensor, file) in map {
        let file =
            file.as_str().ok_or_else(|| bad(format!("the file of '{tensor}' is not a string")))?;
        if file.contains('/') || file.contains('\\') || file == ".." {
            return Err(bad(format!("shard '{file}' is not a file name beside the index")));
        }
        if !files.iter().any(|f| f == file) {
            files.push(file.to_string());
        }
    }
    if files.is_empty() {
        return Err(bad("the weight_map is empty".into()));
    }
    Ok(files)
}

/// Everything needed to rebuild a model on any device.
#[derive(Clone)]
pub struct LoadedModel {
    pub config: GptConfig,
    pub weights: GptWeights,
    pub tokenizer: Tokenizer,
}

impl LoadedModel {
    pub fn from_bytes(
        config_json: &[u8],
        safetensors: &[u8],
        tokenizer_json: &[u8],
    ) -> Result<Self, ForgetError> {
        Self::from_shards(config_json, &[safetensors], tokenizer_json)
    }

    /// [`Self::from_bytes`] with the weights in one or more safetensors files (a sharded
    /// checkpoint's shards, in any order; a tensor must not be in two).
    pub fn from_shards(
        config_json: &[u8],
        shards: &[&[u8]],
        tokenizer_json: &[u8],
    ) -> Result<Self, ForgetError> {
        let text = std::str::from_utf8(config_json)
            .map_err(|_| ForgetError::ModelFile("config.json is not UTF-8".into()))?;
        let config = GptConfig::from_hf_json(text)?;
        let mut weights = GptWeights { tensors: Default::default() };
        for shard in shards {
            for (name, t) in GptWeights::from_safetensors(shard)?.tensors {
                if weights.tensors.insert(name.clone(), t).is_some() {
                    return Err(ForgetError::ModelFile(format!(
                        "tensor '{name}' is in two safetensors shards"
                    )));
                }
            }
        }
        let weights = match &config.llama {
            Some(_) => super::llama::weights_from_hf(&config, weights)?,
            None => weights.keep_expected(&config),
        };
        weights.validate(&config)?;
        let tokenizer = Tokenizer::from_json(tokenizer_json)?;
        if tokenizer.vocab_size() > config.vocab_size {
            return Err(ForgetError::ModelFile(format!(
                "tokenizer.json has {} tokens but config.json's vocab_size is {}",
                tokenizer.vocab_size(),
                config.vocab_size
            )));
        }
        Ok(Self { config, weights, tokenizer })
    }

    pub fn load_dir(dir: &Path) -> Result<Self, ForgetError> {
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read(&p).map_err(|e| ForgetError::Io {
                path: p.display().to_string(),
                message: e.to_string(),
            })
        };
        // config.json first: a folder that is not a model at all says so by its first file.
        let config = read("config.json")?;
        let shards = if dir.join(SHARD_INDEX).exists() && !dir.join("model.safetensors").exists() {
            let index = read(SHARD_INDEX)?;
            shard_files(&index)?.iter().map(|f| read(f)).collect::<Result<Vec<_>, _>>()?
        } else {
            vec![read("model.safetensors")?]
        };
        let shards: Vec<&[u8]> = shards.iter().map(Vec::as_slice).collect();
        Self::from_shards(&config, &shards, &read("tokenizer.json")?)
    }

    /// The directory's three files, (name, contents): what `save_dir` writes and the playground
    /// downloads.
    pub fn to_files(&self) -> Result<[(&'static str, Vec<u8>); 3], ForgetError> {
        Ok([
            ("config.json", self.config.to_hf_json().into_bytes()),
            ("model.safetensors", self.hf_weights()?.to_safetensors()?),
            ("tokenizer.json", self.tokenizer.to_json()?.into_bytes()),
        ])
    }

    /// The weights under the names and in the layout of the model's family on the Hub.
    fn hf_weights(&self) -> Result<std::borrow::Cow<'_, GptWeights>, ForgetError> {
        Ok(match &self.config.llama {
            Some(_) => {
                std::borrow::Cow::Owned(super::llama::weights_to_hf(&self.config, &self.weights)?)
            }
            None => std::borrow::Cow::Borrowed(&self.weights),
        })
    }

    pub fn save_dir(&self, dir: &Path) -> Result<(), ForgetError> {
        let io = |p: &Path, e: std::io::Error| ForgetError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        for (name, bytes) in self.to_files()? {
            let p = dir.join(name);
            std::fs::write(&p, bytes).map_err(|e| io(&p, e))?;
        }
        Ok(())
    }
}
