//! Shared fixture: a tiny world and a toy model pretrained on it, built once per process and
//! pretrained once per source tree (see [`pretrained`]).

#![allow(dead_code)]

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use burn::tensor::Device;
use forgetlab_core::eval::Evaluator;
use forgetlab_core::model::{Gpt, GptWeights, LoadedModel};
use forgetlab_core::pretrain::{PretrainConfig, pretrain};
use forgetlab_core::world::{FactWorld, WorldConfig};

pub fn device() -> Device {
    Device::flex()
}

pub struct Fixture {
    pub world: FactWorld,
    pub model: LoadedModel,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let model = pretrained(&world, &PretrainConfig::tiny());
        Fixture { world, model }
    })
}

/// The tiny world's model pretrained with `cfg`. Pretraining takes about 30 s on two cores and
/// each test run needs the same model, so the first run to pretrain it keeps it in the target
/// directory (Hugging Face files), keyed by everything that decides its weights: the engine's
/// source (core/src), Cargo.lock, the build profile and `cfg`. Any change to the engine makes a
/// new key, so a kept model is always what this code would pretrain.
pub fn pretrained(world: &FactWorld, cfg: &PretrainConfig) -> LoadedModel {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fixture-{:016x}", key(cfg)));
    if let Ok(model) = LoadedModel::load_dir(&dir) {
        return model;
    }
    let model = pollster::block_on(pretrain(world, cfg, &device(), |_, _| {}))
        .expect("tiny pretraining works");
    // Written aside, then renamed: a binary running beside this one never reads half a model.
    let tmp = dir.with_extension(format!("tmp{}", std::process::id()));
    if model.save_dir(&tmp).is_ok() && std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    model
}

fn key(cfg: &PretrainConfig) -> u64 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    files.sort();
    // SipHash with fixed keys: the same inputs give the same key in every process.
    let mut h = std::hash::DefaultHasher::new();
    for f in &files {
        f.strip_prefix(root).unwrap_or(f).hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    std::fs::read(root.join("../Cargo.lock")).unwrap_or_default().hash(&mut h);
    cfg!(debug_assertions).hash(&mut h);
    format!("{cfg:?}").hash(&mut h);
    h.finish()
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            source_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Mean answer NLL of `weights` on (question, answer) pairs.
pub fn avg_nll(f: &Fixture, weights: &GptWeights, pairs: &[(String, String)]) -> f64 {
    let d = device();
    let gpt = Gpt::from_weights(&f.model.config, weights, &d).unwrap();
    let ev = Evaluator::new(&gpt, &gpt, &f.model.config, &f.model.tokenizer, &d, 8);
    let examples: Vec<_> = pairs
        .iter()
        .map(|(q, a)| {
            forgetlab_core::batch::Example::qa(&f.model.tokenizer, q, a, f.model.config.n_positions)
                .unwrap()
        })
        .collect();
    let v = pollster::block_on(ev.avg_nll(&gpt, None, &examples)).unwrap();
    v.iter().sum::<f64>() / v.len() as f64
}
