//! The whole engine on a Llama-family model: a tiny Llama (rotary positions, RMSNorm,
//! grouped-query attention, SwiGLU) pretrained on the tiny world, then every method — with and
//! without LoRA — for a few steps, the full metric suite, greedy generation through the KV cache,
//! and the files it exports.

use crate::common;

use forgetlab_core::methods::MethodKind;
use forgetlab_core::model::LoadedModel;
use forgetlab_core::pretrain::PretrainConfig;
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig};

fn tiny_llama() -> LoadedModel {
    let f = common::fixture();
    let cfg = PretrainConfig { llama: true, ..PretrainConfig::tiny() };
    let model = common::pretrained(&f.world, &cfg);
    let l = model.config.llama.as_ref().expect("a Llama-family config");
    assert!(l.n_kv_head < model.config.n_head, "grouped-query attention");
    model
}

fn config(method: MethodKind, lora_rank: usize) -> RunConfig {
    let mut cfg = RunConfig::new(method, ForgetSelection::Split("forget10".into()));
    cfg.hyper.lr = 2e-3;
    cfg.hyper.batch_size = 8;
    cfg.hyper.lora_rank = lora_rank;
    cfg.eval = EvalConfig {
        max_forget: 12,
        max_retain: 12,
        max_world: 12,
        max_holdout: 12,
        max_new_tokens: 10,
        sample_ids: vec![],
    };
    cfg
}

#[test]
fn every_method_and_metric_runs_on_a_llama_model() {
    let f = common::fixture();
    let model = tiny_llama();
    // Pretraining taught it the world: the forget answers are likely (each evaluation below also
    // decodes greedy answers through the KV cache for KFR/KRR and ROUGE).
    let run = Run::new(&model, &f.world, config(MethodKind::Ga, 0), &common::device()).unwrap();
    let s0 = pollster::block_on(run.evaluate()).unwrap();
    assert!(s0.forget.prob > 0.3, "the tiny Llama learned the forget answers: {}", s0.forget.prob);
    for m in MethodKind::all() {
        // Retraining from scratch has no trained model for adapters to adapt.
        let ranks: &[usize] = if m == MethodKind::Retrain { &[0] } else { &[0, 4] };
        for &lora_rank in ranks {
            let mut run =
                Run::new(&model, &f.world, config(m, lora_rank), &common::device()).unwrap();
            let before = pollster::block_on(run.evaluate()).unwrap();
            for _ in 0..4 {
                pollster::block_on(run.step())
                    .unwrap_or_else(|e| panic!("{} (LoRA {lora_rank}): {e}", m.name()));
            }
            let s = pollster::block_on(run.evaluate()).unwrap();
            use forgetlab_core::eval::METRICS;
            for r in METRICS.iter().filter(|r| r.column.is_some() && r.key != "forget_quality") {
                let v = (r.read)(&s);
                assert!(v.is_finite(), "{} (LoRA {lora_rank}): {} = {v}", m.name(), r.key);
            }
            if matches!(m, MethodKind::Ga | MethodKind::Npo | MethodKind::GradDiff) {
                assert!(
                    s.forget.prob < before.forget.prob,
                    "{} (LoRA {lora_rank}): forget prob {} → {}",
                    m.name(),
                    before.forget.prob,
                    s.forget.prob
                );
            }
        }
    }
}

/// The unlearned model exports in Llama's layout and reads back as the same weights.
#[test]
fn an_unlearned_llama_exports_and_reads_back() {
    let f = common::fixture();
    let model = tiny_llama();
    let mut run = Run::new(&model, &f.world, config(MethodKind::Ga, 4), &common::device()).unwrap();
    pollster::block_on(run.step()).unwrap();
    let weights = pollster::block_on(run.weights()).unwrap();
    let exported = LoadedModel { weights, ..model.clone() };
    let dir = std::env::temp_dir().join(format!("forgetlab-llama-run-{}", std::process::id()));
    exported.save_dir(&dir).unwrap();
    let back = LoadedModel::load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(back.config, exported.config);
    assert_eq!(back.weights, exported.weights);
    assert_ne!(back.weights, model.weights, "the step changed the weights (LoRA merged in)");
}
