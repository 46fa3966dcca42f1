//! Retain models on the command line: which one a run is judged against, and the per-item file
//! the playground downloads instead of the models (`forgetlab retain-reference`).

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::eval::{EvalSets, Evaluator, RetainReference, RetainReferences};
use forgetlab_core::model::{Gpt, LoadedModel};
use forgetlab_core::run::{EvalConfig, ForgetSelection, eval_sets, resolve_forget};
use forgetlab_core::world::{FactWorld, QaItem};

use crate::{DEFAULT_MODEL, RETAIN_MODELS, repo_path};

/// The file beside a model that holds its preset splits' retain-model values.
pub const FILE: &str = "retain_reference.json";
/// The preset splits that have retain models.
pub const SPLITS: [&str; 3] = ["forget01", "forget05", "forget10"];

/// Where a run's retain model comes from (the CLI flags).
pub struct Source<'a> {
    /// `--retain-model DIR`: compute the values from this model now.
    pub model: Option<&'a Path>,
    /// `--retain-reference FILE`: a file written by `forgetlab retain-reference`.
    pub file: Option<&'a Path>,
    /// `--no-retain-model`: none (forget quality null).
    pub none: bool,
}

fn read(path: &Path) -> Result<RetainReferences, ForgetError> {
    let text = std::fs::read_to_string(path).map_err(|e| ForgetError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    RetainReferences::from_json(&text)
}

/// The evaluation sets a retain model is scored on: every item of the forget selection, and the
/// default evaluation's other sets (smaller holdout subsets are prefixes of its holdout subset).
pub fn reference_sets(world: &FactWorld, forget: &[QaItem]) -> Result<EvalSets, ForgetError> {
    let all = EvalConfig { max_forget: usize::MAX, ..EvalConfig::default() };
    eval_sets(world, forget, &all)
}

/// `model` scored as the retain model of `forget`.
pub fn compute(
    model: &LoadedModel,
    world: &FactWorld,
    forget: &[QaItem],
    label: &str,
    device: &Device,
) -> Result<RetainReference, ForgetError> {
    let gpt = Gpt::from_weights(&model.config, &model.weights, device)?;
    let ev = Evaluator::new(
        &gpt,
        &gpt,
        &model.config,
        &model.tokenizer,
        device,
        EvalConfig::default().max_new_tokens,
    );
    pollster::block_on(ev.retain_reference(&reference_sets(world, forget)?, label))
}

/// The retain-model values for `forget`, or None (forget quality is then null):
/// `--retain-model`, else `--retain-reference`, else the file beside the model, else the default
/// model's file when the model shares its tokenizer (an unlearned copy of it, a retain model).
pub fn for_selection(
    src: &Source,
    model_dir: &Path,
    model: &LoadedModel,
    world: &FactWorld,
    forget: &[QaItem],
    device: &Device,
) -> Result<Option<RetainReference>, ForgetError> {
    if src.none {
        return Ok(None);
    }
    if let Some(dir) = src.model {
        let retain = LoadedModel::load_dir(dir)?;
        return compute(&retain, world, forget, &format!("retain model {}", dir.display()), device)
            .map(Some);
    }
    let refs = match src.file {
        Some(file) => read(file)?,
        None => {
            let beside = model_dir.join(FILE);
            let default_dir = repo_path(DEFAULT_MODEL);
            if beside.exists() {
                read(&beside)?
            } else if default_dir.join(FILE).exists()
                && LoadedModel::load_dir(&default_dir)?.tokenizer.to_json()?
                    == model.tokenizer.to_json()?
            {
                read(&default_dir.join(FILE))?
            } else {
                return Ok(None);
            }
        }
    };
    Ok(refs.for_selection(forget).cloned())
}

/// `forgetlab retain-reference`: score each preset split's retain model (`DIR/retain-SPLIT`) and
/// write the values the playground and the CLI compare with.
pub fn write_file(
    models: &Path,
    out: &Path,
    world: &FactWorld,
    device: &Device,
) -> Result<(), ForgetError> {
    let mut refs = RetainReferences {
        source: format!(
            "forgetlab retain-reference: each split's retain model ({RETAIN_MODELS}/retain-SPLIT, \
                `forgetlab pretrain --retain SPLIT`) scored on every forget item of its split and \
                the default evaluation's holdout items"
        ),
        ..Default::default()
    };
    for split in SPLITS {
        let dir: PathBuf = models.join(format!("retain-{split}"));
        let model = LoadedModel::load_dir(&dir)?;
        let forget = resolve_forget(world, &ForgetSelection::Split(split.into()))?;
        let r = compute(&model, world, &forget, &format!("retain model of {split}"), device)?;
        eprintln!(
            "{split}: {} forget items, {} holdout items from {}",
            r.forget.len(),
            r.holdout.len(),
            dir.display()
        );
        refs.splits.insert(split.to_string(), r);
    }
    let json = serde_json::to_string(&refs).expect("references serialise");
    std::fs::write(out, json)
        .map_err(|e| ForgetError::Io { path: out.display().to_string(), message: e.to_string() })?;
    eprintln!("→ {}", out.display());
    Ok(())
}
