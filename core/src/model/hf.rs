//! A model directory in the Hugging Face layout: `config.json`, `model.safetensors`,
//! `tokenizer.json`. Bytes in, bytes out, so the browser (which fetches files) and the CLI
//! (which reads them from disk) share the same code.

use std::path::Path;

use super::{GptConfig, GptWeights};
use crate::error::ForgetError;
use crate::tokenizer::Tokenizer;

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
        let text = std::str::from_utf8(config_json)
            .map_err(|_| ForgetError::ModelFile("config.json is not UTF-8".into()))?;
        let config = GptConfig::from_hf_json(text)?;
        let weights = GptWeights::from_safetensors(safetensors)?;
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
        Self::from_bytes(
            &read("config.json")?,
            &read("model.safetensors")?,
            &read("tokenizer.json")?,
        )
    }

    /// The directory's three files, (name, contents): what `save_dir` writes and the playground
    /// downloads.
    pub fn to_files(&self) -> Result<[(&'static str, Vec<u8>); 3], ForgetError> {
        Ok([
            ("config.json", self.config.to_hf_json().into_bytes()),
            ("model.safetensors", self.weights.to_safetensors()?),
            ("tokenizer.json", self.tokenizer.to_json()?.into_bytes()),
        ])
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
