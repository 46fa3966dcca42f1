//! "Load a model": the user's Hugging Face folder replaces the model for every panel.
//!
//! The order matters for "nothing is lost": config.json is read and checked (its settings, then
//! the memory a run needs against wasm's 4 GB and the WebGPU adapter's limits) before the
//! weights are read; the files are parsed with the CLI's errors; only a model that loaded
//! completely replaces the current one, and the current run is then set up again on it.

use forgetlab_core::eval::RetainReferences;
use forgetlab_core::model::hf::{SHARD_INDEX, shard_files};
use forgetlab_core::model::memory::{self, DeviceLimits, TrainingShape, WASM_MEMORY_LIMIT};
use forgetlab_core::model::{GptConfig, LoadedModel};

use super::{Session, fact_row};
use crate::protocol::{Backend, Event, LocalFile, ModelInfo, Phase};
use crate::worker::{backend, files, post};

/// What the model panel shows about `model`.
pub(super) fn model_info(name: &str, model: &LoadedModel, bytes: u64, built_in: bool) -> ModelInfo {
    let batch = forgetlab_core::methods::Hyper::default().batch_size;
    ModelInfo {
        name: name.into(),
        parameters: model.config.num_params(),
        layers: model.config.n_layer,
        width: model.config.n_embd,
        bytes,
        family: family(&model.config),
        memory: memory::describe(&model.config, batch, bytes),
        built_in,
    }
}

fn family(cfg: &GptConfig) -> String {
    cfg.llama.as_ref().map_or("gpt2".into(), |l| l.model_type.clone())
}

/// A picked file's bytes (its blob: URL), with progress as file `i` of `n`.
async fn read(f: &LocalFile, i: usize, n: usize) -> Result<Vec<u8>, String> {
    files::fetch_bytes(f.url.clone(), &f.name, i, n, &post).await
}

/// The file called `name` among `files` (a folder's files come with their folder's path cut).
fn find<'a>(files: &'a [LocalFile], name: &str) -> Option<&'a LocalFile> {
    files.iter().find(|f| f.name == name)
}

const NEEDED: &str = "pick the model's folder, or its config.json, tokenizer.json and \
    model.safetensors (or model.safetensors.index.json and its shards)";

impl Session {
    pub(super) async fn load_user_model(
        &mut self,
        name: &str,
        picked: &[LocalFile],
        batch_size: usize,
        lora_rank: usize,
    ) -> Result<(), String> {
        if self.loaded.is_none() {
            return Err("wait until the built-in model has loaded, then load yours".into());
        }
        post(Event::Phase(Phase::Busy));
        let kept = "the current model stays";
        let missing = |file: &str| format!("{name}: no {file} among the files: {NEEDED}; {kept}");
        let config_file = find(picked, "config.json").ok_or_else(|| missing("config.json"))?;
        let tokenizer_file =
            find(picked, "tokenizer.json").ok_or_else(|| missing("tokenizer.json"))?;
        let config_json = read(config_file, 0, 1).await?;
        let config = std::str::from_utf8(&config_json)
            .map_err(|_| "config.json is not UTF-8".to_string())
            .and_then(|text| GptConfig::from_hf_json(text).map_err(|e| e.to_string()))
            .map_err(|e| format!("{name}: {e}; {kept}"))?;
        // The weights: one file, or the shards an index names.
        let weight_files: Vec<&LocalFile> = match find(picked, SHARD_INDEX) {
            Some(index) => {
                let names = shard_files(&read(index, 0, 1).await?)
                    .map_err(|e| format!("{name}: {e}; {kept}"))?;
                names
                    .iter()
                    .map(|n| {
                        find(picked, n).ok_or_else(|| {
                            format!(
                                "{name}: {SHARD_INDEX} names {n}, which is not among the \
                                files; {kept}"
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
            None => vec![
                find(picked, "model.safetensors").ok_or_else(|| missing("model.safetensors"))?,
            ],
        };
        let file_bytes: u64 =
            weight_files.iter().map(|f| f.size).sum::<u64>() + tokenizer_file.size;
        // Before a byte of the weights is read: does a run fit here?
        let webgpu = match self.backend {
            Backend::Webgpu => backend::webgpu_limits().await.ok(),
            Backend::Cpu => None,
        };
        let limits = DeviceLimits { webgpu, host: Some(WASM_MEMORY_LIMIT) };
        let shape = TrainingShape { batch: batch_size.max(1), lora_rank, file_bytes };
        memory::check(&config, shape, limits)
            .map_err(|e| format!("{name} was not loaded: {e}; {kept}"))?;
        // Read the rest (progress bars), then parse with the CLI's checks.
        let count = weight_files.len() + 1;
        let tokenizer_json = read(tokenizer_file, 0, count).await?;
        let mut shards = Vec::with_capacity(weight_files.len());
        for (i, f) in weight_files.iter().enumerate() {
            shards.push(read(f, i + 1, count).await?);
        }
        let shard_refs: Vec<&[u8]> = shards.iter().map(Vec::as_slice).collect();
        self.install_user_model(name, &config_json, &shard_refs, &tokenizer_json, true).await
    }

    /// Parse the files with the CLI's checks and make the model the one runs start from; the
    /// current run is set up again on it. `keep`: keep the files for the next visit
    /// (resume.rs; false when they are the last visit's).
    pub(super) async fn install_user_model(
        &mut self,
        name: &str,
        config_json: &[u8],
        shards: &[&[u8]],
        tokenizer_json: &[u8],
        keep: bool,
    ) -> Result<(), String> {
        let kept = "the current model stays";
        let model = LoadedModel::from_shards(config_json, shards, tokenizer_json)
            .map_err(|e| format!("{name}: {e}; {kept}"))?;
        let loaded = self.loaded.as_mut().ok_or("the built-in model is still loading")?;
        // The built-in fluency scorer reads the built-in tokenizer's ids and runs with the model's
        // head count: only a model with both the same can use it. The shipped retain models
        // describe the built-in model only.
        let same_tokenizer =
            model.tokenizer.to_json().ok() == loaded.model.tokenizer.to_json().ok();
        let same_heads =
            loaded.fluency.as_ref().is_some_and(|f| f.config.n_head == model.config.n_head);
        if !(same_tokenizer && same_heads) && loaded.fluency.take().is_some() {
            post(Event::Notice(format!(
                "{name} has its own tokenizer or shape: the Linguistic Score's fluency is scored \
                    by the original model"
            )));
        }
        loaded.retain = RetainReferences::default();
        loaded.retrained = None;
        loaded.model = model;
        let bytes = (config_json.len() + tokenizer_json.len()) as u64
            + shards.iter().map(|s| s.len() as u64).sum::<u64>();
        let info = model_info(name, &loaded.model, bytes, false);
        post(Event::Loaded {
            model: info,
            facts: loaded.world.items.iter().map(fact_row).collect(),
        });
        post(Event::Notice(format!(
            "{name} is loaded: every panel uses it. Forget quality needs a retain model of it, so \
                it stays empty unless you retrain one here (method Retrain)."
        )));
        if keep {
            let mut files: Vec<(String, &[u8])> = vec![
                ("config.json".into(), config_json),
                ("tokenizer.json".into(), tokenizer_json),
            ];
            files.extend(
                shards.iter().enumerate().map(|(i, s)| (format!("shard-{i:05}.safetensors"), *s)),
            );
            let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
            self.remember_user_model(name, &refs).await;
        }
        self.reconfigure().await
    }
}
