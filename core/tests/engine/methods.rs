//! Each method's loss moves the model the intended way, and a short run of each method lowers
//! the forget probability while reporting every metric.

use crate::common;

use forgetlab_core::methods::{MethodKind, relearn};
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig};
use forgetlab_core::world::QaItem;

fn config(method: MethodKind, lr: f64) -> RunConfig {
    let mut cfg = RunConfig::new(method, ForgetSelection::Split("forget10".into()));
    cfg.hyper.lr = lr;
    cfg.hyper.batch_size = 8;
    cfg.eval = EvalConfig {
        max_forget: 20,
        max_retain: 20,
        max_world: 20,
        max_holdout: 20,
        max_new_tokens: 12,
        sample_ids: vec![],
    };
    cfg
}

fn qa(items: &[QaItem]) -> Vec<(String, String)> {
    items.iter().map(|it| (it.question.clone(), it.answer.clone())).collect()
}

/// NLL of the forget answers before and after `steps` optimizer steps.
fn forget_nll_change_with(config: RunConfig, steps: usize) -> (f64, f64, Run) {
    let f = common::fixture();
    let mut run = Run::new(&f.model, &f.world, config, &common::device()).unwrap();
    let pairs = qa(run.forget_items());
    let before = common::avg_nll(f, &f.model.weights, &pairs);
    for _ in 0..steps {
        pollster::block_on(run.step()).unwrap();
    }
    let after = common::avg_nll(f, &pollster::block_on(run.weights()).unwrap(), &pairs);
    (before, after, run)
}

#[test]
fn ascent_methods_raise_forget_nll_after_one_step() {
    for m in [
        MethodKind::Ga,
        MethodKind::GradDiff,
        MethodKind::GaKl,
        MethodKind::Npo,
        MethodKind::SimNpo,
        MethodKind::Wga,
        MethodKind::Undial,
        MethodKind::IdkDpo,
        MethodKind::Rmu,
        MethodKind::Flat,
    ] {
        let mut cfg = config(m, 1e-3);
        if m == MethodKind::SimNpo {
            // SimNPO's forget term is weighted γ = 0.125 (its paper's) against the retain term's
            // α = 1: on the toy model one step moves the answers' shared template with the retain
            // set more than it pushes the forget answers (NLL 0.988 → 0.974). The forget term alone
            // is what this test is about.
            cfg.hyper.retain_weight = 0.0;
        }
        let (before, after, _) = forget_nll_change_with(cfg, 1);
        assert!(after > before, "{}: forget NLL {before} → {after}", m.name());
    }
}

#[test]
fn relearn_lowers_nll_on_augmented_targets_after_one_step() {
    let f = common::fixture();
    let mut run =
        Run::new(&f.model, &f.world, config(MethodKind::Relearn, 1e-3), &common::device()).unwrap();
    let aug: Vec<(String, String)> = relearn::augment(run.forget_items())
        .into_iter()
        .filter(|p| p.prompt.ends_with("Answer:"))
        .map(|p| {
            (
                p.prompt.trim_start_matches("Question: ").trim_end_matches("\nAnswer:").to_string(),
                p.answer.trim().to_string(),
            )
        })
        .collect();
    assert!(!aug.is_empty());
    let before = common::avg_nll(f, &f.model.weights, &aug);
    pollster::block_on(run.step()).unwrap();
    let after = common::avg_nll(f, &pollster::block_on(run.weights()).unwrap(), &aug);
    assert!(after < before, "ReLearn augmented NLL {before} → {after}");
}

#[test]
fn idk_po_teaches_refusals() {
    let f = common::fixture();
    let mut run =
        Run::new(&f.model, &f.world, config(MethodKind::IdkPo, 1e-3), &common::device()).unwrap();
    let refusals: Vec<(String, String)> = run
        .forget_items()
        .iter()
        .flat_map(|it| {
            forgetlab_core::methods::idk_po::REFUSALS
                .iter()
                .map(move |r| (it.question.clone(), r.to_string()))
        })
        .collect();
    let before = common::avg_nll(f, &f.model.weights, &refusals);
    for _ in 0..3 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = common::avg_nll(f, &pollster::block_on(run.weights()).unwrap(), &refusals);
    assert!(after < before, "IdkPO NLL on refusals {before} → {after}");
}

#[test]
fn random_label_lowers_nll_on_random_answers() {
    let f = common::fixture();
    let mut run =
        Run::new(&f.model, &f.world, config(MethodKind::RandomLabel, 1e-3), &common::device())
            .unwrap();
    let wrong: Vec<(String, String)> = run
        .forget_items()
        .iter()
        .flat_map(|it| it.alternative_answers.iter().map(move |a| (it.question.clone(), a.clone())))
        .collect();
    let before = common::avg_nll(f, &f.model.weights, &wrong);
    for _ in 0..3 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = common::avg_nll(f, &pollster::block_on(run.weights()).unwrap(), &wrong);
    assert!(after < before, "random-label NLL on wrong answers {before} → {after}");
}

#[test]
fn every_method_lowers_forget_probability_and_reports_every_metric() {
    let f = common::fixture();
    // IKE changes no weights, ULD trains an assistant and retraining starts from scratch: their
    // own tests are below.
    for m in MethodKind::all()
        .filter(|m| !matches!(m, MethodKind::Ike | MethodKind::Uld | MethodKind::Retrain))
    {
        let mut run = Run::new(&f.model, &f.world, config(m, 2e-3), &common::device()).unwrap();
        let s0 = pollster::block_on(run.evaluate()).unwrap();
        for _ in 0..10 {
            pollster::block_on(run.step()).unwrap();
        }
        let s = pollster::block_on(run.evaluate()).unwrap();
        if matches!(m, MethodKind::RandomLabel | MethodKind::Relearn) {
            // Random labels share the answer template with the true answer, and so do ReLearn's
            // vague answers up to the entity ("… was born in a small town …", sentences the model
            // never read in pretraining), so the mean answer-token probability can rise while the
            // entity is being replaced; what must move is the model's preference between the
            // true and the wrong answers.
            assert!(
                s.forget.truth_ratio > s0.forget.truth_ratio,
                "{}: forget truth ratio {} → {}",
                m.name(),
                s0.forget.truth_ratio,
                s.forget.truth_ratio
            );
        } else {
            assert!(
                s.forget.prob < s0.forget.prob,
                "{}: forget prob {} → {}",
                m.name(),
                s0.forget.prob,
                s.forget.prob
            );
        }
        assert_eq!(s.step, 10);
        assert!(s.loss.unwrap().is_finite());
        // The CLI's headline numbers (but forget quality: below) and two more are finite.
        use forgetlab_core::eval::{METRICS, metric};
        let headline = METRICS.iter().filter(|r| r.column.is_some() && r.key != "forget_quality");
        let extra = ["ls_retain", "ks_vs_holdout"].map(|k| metric(k).unwrap());
        for r in headline.chain(extra) {
            let v = (r.read)(&s);
            assert!(v.is_finite() && v >= 0.0, "{}: {} = {v}", m.name(), r.key);
        }
        assert!(s.ks_vs_holdout <= 1.0 && s.kfr <= 1.0 && s.krr <= 1.0);
        // The toy world ships no retain model: forget quality has nothing to compare with.
        assert!(
            s.forget_quality.is_nan() && s.retain_model.is_none(),
            "{}: forget quality {}",
            m.name(),
            s.forget_quality
        );
        let json = serde_json::to_value(&s).unwrap();
        for key in [
            "step",
            "forget",
            "retain",
            "world",
            "kfr",
            "krr",
            "ls",
            "forget_quality",
            "model_utility",
        ] {
            assert!(json.get(key).is_some(), "snapshot JSON lacks {key}");
        }
    }
}

#[test]
fn ike_changes_no_weights_and_its_demonstrations_reach_the_prompt() {
    let f = common::fixture();
    let mut run =
        Run::new(&f.model, &f.world, config(MethodKind::Ike, 1e-3), &common::device()).unwrap();
    let s0 = pollster::block_on(run.evaluate()).unwrap();
    for _ in 0..3 {
        let r = pollster::block_on(run.step()).unwrap();
        assert!(r.loss.is_finite() && r.loss > 0.0);
    }
    assert_eq!(pollster::block_on(run.weights()).unwrap(), f.model.weights, "IKE must not train");
    let s3 = pollster::block_on(run.evaluate()).unwrap();
    assert_eq!((s3.forget.prob, s3.retain.prob), (s0.forget.prob, s0.retain.prob));
    // The demonstrations are in every evaluated prompt: the same weights score differently.
    // (Whether that makes the model forget depends on its in-context learning; a model this
    // small has little, which is what IKE's runs in docs/REPRODUCE.md show.)
    let plain = pollster::block_on(
        Run::new(&f.model, &f.world, config(MethodKind::Ga, 1e-3), &common::device())
            .unwrap()
            .evaluate(),
    )
    .unwrap();
    assert!(
        (s0.forget.prob - plain.forget.prob).abs() > 1e-3,
        "IKE forget prob {} vs plain {}",
        s0.forget.prob,
        plain.forget.prob
    );
    assert!(
        (s0.retain.prob - plain.retain.prob).abs() > 1e-3,
        "IKE retain prob {} vs plain {}",
        s0.retain.prob,
        plain.retain.prob
    );
}

#[test]
fn retraining_starts_from_scratch_without_the_forget_items_and_learns() {
    let f = common::fixture();
    let plain = pollster::block_on(
        Run::new(&f.model, &f.world, config(MethodKind::Ga, 1e-3), &common::device())
            .unwrap()
            .evaluate(),
    )
    .unwrap();
    let mut cfg = config(MethodKind::Retrain, 3e-3);
    cfg.hyper.batch_size = 16;
    let mut run = Run::new(&f.model, &f.world, cfg, &common::device()).unwrap();
    let s0 = pollster::block_on(run.evaluate()).unwrap();
    assert!(
        s0.forget.prob < 0.5 * plain.forget.prob,
        "a fresh model cannot know the facts: {} vs {}",
        s0.forget.prob,
        plain.forget.prob
    );

    // The retraining set is the pretraining set without the forget items' QA pairs.
    let tok = &f.model.tokenizer;
    let n = f.model.config.n_positions;
    let exclude = run.forget_items().iter().map(|it| it.id.clone()).collect();
    let kept =
        forgetlab_core::pretrain::training_examples_without(&f.world, tok, n, false, &exclude)
            .unwrap();
    let all = forgetlab_core::pretrain::training_examples(&f.world, tok, n, false).unwrap();
    assert!(kept.len() < all.len());
    for it in run.forget_items() {
        let ex = forgetlab_core::batch::Example::qa(tok, &it.question, &it.answer, n).unwrap();
        assert!(!kept.contains(&ex), "{} is in the retraining set", it.id);
        assert!(all.contains(&ex));
    }

    let losses: Vec<f64> = (0..40).map(|_| pollster::block_on(run.step()).unwrap().loss).collect();
    let (first, last) =
        (losses[..5].iter().sum::<f64>() / 5.0, losses[35..].iter().sum::<f64>() / 5.0);
    assert!(last < first, "retraining loss {first} → {last}");
    // Reset returns to the fresh initialisation, not to the trained model.
    run.reset().unwrap();
    assert_eq!(pollster::block_on(run.evaluate()).unwrap().forget.prob, s0.forget.prob);
}

#[test]
fn uld_trains_an_assistant_on_the_forget_set_and_leaves_the_model_untouched() {
    let f = common::fixture();
    let plain = pollster::block_on(
        Run::new(&f.model, &f.world, config(MethodKind::Ga, 1e-3), &common::device())
            .unwrap()
            .evaluate(),
    )
    .unwrap();
    let mut cfg = config(MethodKind::Uld, 3e-3);
    cfg.hyper.assistant_layers = 1;
    let mut run = Run::new(&f.model, &f.world, cfg, &common::device()).unwrap();
    // What trains is the assistant: the model's first block, its embeddings and head.
    let start = pollster::block_on(run.weights()).unwrap();
    let (_, first) = f.model.weights.first_blocks(&f.model.config, 1).unwrap();
    assert_eq!(start, first);
    let s0 = pollster::block_on(run.evaluate()).unwrap();

    // The assistant learns the forget answers (its own NLL falls)...
    let forget = qa(run.forget_items());
    let assistant_nll = |w: &forgetlab_core::model::GptWeights| {
        let d = common::device();
        let small = forgetlab_core::model::GptConfig { n_layer: 1, ..f.model.config.clone() };
        let gpt = forgetlab_core::model::Gpt::from_weights(&small, w, &d).unwrap();
        let ev =
            forgetlab_core::eval::Evaluator::new(&gpt, &gpt, &small, &f.model.tokenizer, &d, 8);
        let ex: Vec<_> = forget
            .iter()
            .map(|(q, a)| {
                forgetlab_core::batch::Example::qa(&f.model.tokenizer, q, a, small.n_positions)
                    .unwrap()
            })
            .collect();
        let v = pollster::block_on(ev.avg_nll(&gpt, None, &ex)).unwrap();
        v.iter().sum::<f64>() / v.len() as f64
    };
    for _ in 0..40 {
        pollster::block_on(run.step()).unwrap();
    }
    let trained = pollster::block_on(run.weights()).unwrap();
    assert!(
        assistant_nll(&trained) < assistant_nll(&start),
        "assistant forget NLL {} → {}",
        assistant_nll(&start),
        assistant_nll(&trained)
    );

    // ...while becoming uniform on retain, so retain answers recover from the untrained
    // assistant's damage; the forget answers stay below the original model's.
    let s = pollster::block_on(run.evaluate()).unwrap();
    assert!(s.retain.prob > s0.retain.prob, "retain prob {} → {}", s0.retain.prob, s.retain.prob);
    assert!(
        s.forget.prob < plain.forget.prob,
        "forget prob {} vs the original model's {}",
        s.forget.prob,
        plain.forget.prob
    );
    // The model itself never changes.
    assert!(
        s.representation.param_change.iter().all(|(_, c)| *c == 0.0),
        "{:?}",
        s.representation.param_change
    );
    run.reset().unwrap();
    assert_eq!(pollster::block_on(run.weights()).unwrap(), first);
}

#[test]
fn lora_trains_adapters_only_and_exports_them_merged_into_gpt2_weights() {
    let f = common::fixture();
    let mut cfg = config(MethodKind::Ga, 3e-3);
    cfg.hyper.lora_rank = 4;
    let mut run = Run::new(&f.model, &f.world, cfg, &common::device()).unwrap();
    // r·(in + out) per projection: the count the adapters' own tensors have.
    let adapters: usize = f
        .model
        .weights
        .tensors
        .iter()
        .filter(|(n, _)| {
            n.ends_with(".weight")
                && (n.contains("c_attn") || n.contains("c_proj") || n.contains("c_fc"))
        })
        .map(|(_, t)| 4 * (t.shape[0] + t.shape[1]))
        .sum();
    assert_eq!(run.trainable_parameters(), adapters);
    let pairs = qa(run.forget_items());
    // B starts at zero: the adapted model is the original, bit for bit.
    assert_eq!(pollster::block_on(run.weights()).unwrap(), f.model.weights);
    let before = common::avg_nll(f, &f.model.weights, &pairs);
    for _ in 0..5 {
        pollster::block_on(run.step()).unwrap();
    }
    let merged = pollster::block_on(run.weights()).unwrap();
    let after = common::avg_nll(f, &merged, &pairs);
    assert!(after > before, "LoRA GA: forget NLL {before} → {after}");
    // Only the projections' weights moved (W + (α/r)·A·B); biases, LayerNorms and embeddings
    // are frozen, so they are exactly the original's.
    for (name, t) in &merged.tensors {
        let original = &f.model.weights.tensors[name];
        let moved = t.data != original.data;
        let adapted = name.ends_with(".weight")
            && (name.contains("c_attn") || name.contains("c_proj") || name.contains("c_fc"));
        assert_eq!(moved, adapted, "{name}: moved {moved}, adapted {adapted}");
    }
    // What LoRA means: the update of an adapted matrix has rank ≤ r (float32 rounding aside).
    let w = &merged.tensors["h.0.mlp.c_fc.weight"];
    let w0 = &f.model.weights.tensors["h.0.mlp.c_fc.weight"];
    let delta: Vec<f64> = w.data.iter().zip(&w0.data).map(|(a, b)| (*a - *b) as f64).collect();
    assert!(numerical_rank(&delta, w.shape[0], w.shape[1]) <= 4, "the merged update has rank ≤ 4");
    // Reset: the original weights and no trained adapter.
    run.reset().unwrap();
    assert_eq!(pollster::block_on(run.weights()).unwrap(), f.model.weights);
}

#[test]
fn lora_rank_is_checked() {
    let f = common::fixture();
    for (method, rank, needle) in [
        (MethodKind::Ga, 10_000, "lora_rank must be at most"),
        (MethodKind::Retrain, 4, "retraining from scratch"),
    ] {
        let mut cfg = config(method, 1e-3);
        cfg.hyper.lora_rank = rank;
        let err = Run::new(&f.model, &f.world, cfg, &common::device())
            .err()
            .expect("an error")
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
}

/// Rank of a row-major `rows × cols` matrix by Gaussian elimination with partial pivoting
/// (pivots below 1e-4 of the largest entry count as zero: float32 rounding of W + ΔW is ~1e-7 of
/// W, far below that).
fn numerical_rank(m: &[f64], rows: usize, cols: usize) -> usize {
    let mut a = m.to_vec();
    let tol = 1e-4 * a.iter().fold(0.0f64, |x, v| x.max(v.abs())).max(1e-30);
    let mut rank = 0;
    for c in 0..cols {
        let Some(p) =
            (rank..rows).max_by(|&i, &j| a[i * cols + c].abs().total_cmp(&a[j * cols + c].abs()))
        else {
            break;
        };
        if a[p * cols + c].abs() <= tol {
            continue;
        }
        for k in 0..cols {
            a.swap(rank * cols + k, p * cols + k);
        }
        for i in rank + 1..rows {
            let factor = a[i * cols + c] / a[rank * cols + c];
            for k in c..cols {
                a[i * cols + k] -= factor * a[rank * cols + k];
            }
        }
        rank += 1;
    }
    rank
}
