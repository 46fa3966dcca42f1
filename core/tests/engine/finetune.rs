//! `finetune`: a model that does not know the fact world learns it (TOFU's first step); a retain
//! model's recipe leaves its split out; LoRA fine-tuning merges into plain weights.

use crate::common::{avg_nll, device, fixture};
use forgetlab_core::finetune::{FinetuneConfig, finetune};
use forgetlab_core::model::{GptWeights, LoadedModel};

fn pairs(items: &[forgetlab_core::world::QaItem]) -> Vec<(String, String)> {
    items.iter().map(|it| (it.question.clone(), it.answer.clone())).collect()
}

/// The fixture's shape and tokenizer with fresh random weights: it knows nothing of the world.
fn blank() -> LoadedModel {
    let f = fixture();
    LoadedModel {
        config: f.model.config.clone(),
        weights: GptWeights::init(&f.model.config, 99),
        tokenizer: f.model.tokenizer.clone(),
    }
}

#[test]
fn finetuning_teaches_the_trained_authors_and_a_retain_model_never_sees_its_split() {
    let f = fixture();
    let model = blank();
    let forget = pairs(&f.world.select("forget10").unwrap());
    let retain = pairs(&f.world.select("retain").unwrap());
    let cfg = FinetuneConfig { steps: 150, lr: 5e-3, warmup: 10, ..FinetuneConfig::default() };
    let mut losses = Vec::new();
    let taught =
        pollster::block_on(finetune(&model, &f.world, &cfg, &device(), |_, l| losses.push(l)))
            .unwrap();
    assert_eq!(losses.len(), 150);
    let before = (avg_nll(f, &model.weights, &forget), avg_nll(f, &model.weights, &retain));
    let after = (avg_nll(f, &taught.weights, &forget), avg_nll(f, &taught.weights, &retain));
    assert!(after.0 < before.0 - 1.0 && after.1 < before.1 - 1.0, "{before:?} → {after:?}");

    let retain_cfg = FinetuneConfig { retain: Some("forget10".into()), ..cfg.clone() };
    let without =
        pollster::block_on(finetune(&model, &f.world, &retain_cfg, &device(), |_, _| {})).unwrap();
    let forget_nll = avg_nll(f, &without.weights, &forget);
    assert!(
        forget_nll > after.0 + 0.5,
        "the retain model of forget10 did not learn forget10: NLL {forget_nll} vs the taught \
            model's {}",
        after.0
    );
    let bad = FinetuneConfig { retain: Some("retain".into()), ..cfg };
    assert!(pollster::block_on(finetune(&model, &f.world, &bad, &device(), |_, _| {})).is_err());
}

#[test]
fn lora_finetuning_trains_adapters_and_exports_plain_weights() {
    let f = fixture();
    let model = blank();
    let retain = pairs(&f.world.select("retain").unwrap());
    let cfg = FinetuneConfig {
        steps: 40,
        lr: 1e-2,
        warmup: 5,
        lora_rank: 4,
        ..FinetuneConfig::default()
    };
    let taught =
        pollster::block_on(finetune(&model, &f.world, &cfg, &device(), |_, _| {})).unwrap();
    assert_eq!(taught.weights.tensors.len(), model.weights.tensors.len());
    let wte = |m: &LoadedModel| m.weights.tensors["wte.weight"].data.clone();
    assert_eq!(wte(&taught), wte(&model), "LoRA leaves the embeddings as they were");
    assert!(avg_nll(f, &taught.weights, &retain) < avg_nll(f, &model.weights, &retain));
    let zero = FinetuneConfig { steps: 0, ..cfg };
    assert!(pollster::block_on(finetune(&model, &f.world, &zero, &device(), |_, _| {})).is_err());
}
