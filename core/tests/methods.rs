//! Each method's loss moves the model the intended way, and a short run of each method lowers
//! the forget probability while reporting every metric.

mod common;

use forgetlab::methods::{MethodKind, relearn};
use forgetlab::run::{EvalConfig, ForgetSelection, Run, RunConfig};
use forgetlab::world::QaItem;

fn config(method: MethodKind, lr: f64) -> RunConfig {
    let mut cfg = RunConfig::new(method, ForgetSelection::Split("forget10".into()));
    cfg.hyper.lr = lr;
    cfg.hyper.batch_size = 8;
    cfg.eval = EvalConfig { max_forget: 20, max_retain: 20, max_world: 20, max_holdout: 20, max_new_tokens: 12, sample_ids: vec![] };
    cfg
}

fn qa(items: &[QaItem]) -> Vec<(String, String)> {
    items.iter().map(|it| (it.question.clone(), it.answer.clone())).collect()
}

/// NLL of the forget answers before and after `steps` optimizer steps.
fn forget_nll_change(method: MethodKind, lr: f64, steps: usize) -> (f64, f64, Run) {
    let f = common::fixture();
    let mut run = Run::new(&f.model, &f.world, config(method, lr), &common::device()).unwrap();
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
    for m in [MethodKind::Ga, MethodKind::GradDiff, MethodKind::GaKl, MethodKind::Npo, MethodKind::SimNpo, MethodKind::Wga, MethodKind::Undial, MethodKind::IdkDpo] {
        let (before, after, _) = forget_nll_change(m, 1e-3, 1);
        assert!(after > before, "{}: forget NLL {before} → {after}", m.name());
    }
}

#[test]
fn relearn_lowers_nll_on_augmented_targets_after_one_step() {
    let f = common::fixture();
    let mut run = Run::new(&f.model, &f.world, config(MethodKind::Relearn, 1e-3), &common::device()).unwrap();
    let aug: Vec<(String, String)> = relearn::augment(run.forget_items())
        .into_iter()
        .filter(|p| p.prompt.ends_with("Answer:"))
        .map(|p| (p.prompt.trim_start_matches("Question: ").trim_end_matches("\nAnswer:").to_string(), p.continuation.trim().to_string()))
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
    let mut run = Run::new(&f.model, &f.world, config(MethodKind::IdkPo, 1e-3), &common::device()).unwrap();
    let refusals: Vec<(String, String)> = run
        .forget_items()
        .iter()
        .flat_map(|it| forgetlab::methods::idk_po::REFUSALS.iter().map(move |r| (it.question.clone(), r.to_string())))
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
    let mut run = Run::new(&f.model, &f.world, config(MethodKind::RandomLabel, 1e-3), &common::device()).unwrap();
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
    for m in MethodKind::ALL {
        let mut run = Run::new(&f.model, &f.world, config(m, 2e-3), &common::device()).unwrap();
        let s0 = pollster::block_on(run.evaluate()).unwrap();
        for _ in 0..10 {
            pollster::block_on(run.step()).unwrap();
        }
        let s = pollster::block_on(run.evaluate()).unwrap();
        if m == MethodKind::RandomLabel {
            // Random labels share the answer template with the true answer, so the mean
            // answer-token probability can rise while the entity is being replaced; what must
            // move is the model's preference between the true and the wrong answers.
            assert!(
                s.forget.truth_ratio > s0.forget.truth_ratio,
                "random_label: forget truth ratio {} → {}",
                s0.forget.truth_ratio,
                s.forget.truth_ratio
            );
        } else {
            assert!(s.forget.prob < s0.forget.prob, "{}: forget prob {} → {}", m.name(), s0.forget.prob, s.forget.prob);
        }
        assert_eq!(s.step, 10);
        assert!(s.loss.unwrap().is_finite());
        let all = [
            s.forget.prob, s.forget.rouge_l, s.forget.truth_ratio, s.retain.prob, s.retain.rouge_l, s.retain.truth_ratio,
            s.world.prob, s.world.rouge_l, s.world.truth_ratio, s.kfr, s.krr, s.ls, s.ls_retain, s.forget_quality, s.model_utility,
        ];
        assert!(all.iter().all(|x| x.is_finite() && *x >= 0.0), "{}: {s:?}", m.name());
        assert!(s.forget_quality <= 1.0 && s.kfr <= 1.0 && s.krr <= 1.0);
        let json = serde_json::to_value(&s).unwrap();
        for key in ["step", "forget", "retain", "world", "kfr", "krr", "ls", "forget_quality", "model_utility"] {
            assert!(json.get(key).is_some(), "snapshot JSON lacks {key}");
        }
    }
}
