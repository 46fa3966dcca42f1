//! The step-wise run: reset, determinism, divergence, and bad input.

use crate::common;

use forgetlab_core::ForgetError;
use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig, RunState};
use forgetlab_core::world::import_tofu_json;

fn small(method: MethodKind, forget: ForgetSelection) -> RunConfig {
    let mut cfg = RunConfig::new(method, forget);
    cfg.hyper.batch_size = 8;
    cfg.eval = EvalConfig {
        max_forget: 10,
        max_retain: 10,
        max_world: 10,
        max_holdout: 10,
        max_new_tokens: 8,
        sample_ids: vec![],
    };
    cfg
}

fn new_run(cfg: RunConfig) -> Result<Run, ForgetError> {
    let f = common::fixture();
    Run::new(&f.model, &f.world, cfg, &common::device())
}

#[test]
fn reset_restores_original_weights_bit_identically() {
    let f = common::fixture();
    let mut run =
        new_run(small(MethodKind::Npo, ForgetSelection::Split("forget05".into()))).unwrap();
    let s0 = pollster::block_on(run.evaluate()).unwrap();
    for _ in 0..3 {
        pollster::block_on(run.step()).unwrap();
    }
    assert_ne!(pollster::block_on(run.weights()).unwrap(), f.model.weights);
    run.stop();
    assert_eq!(run.state(), &RunState::Stopped);
    assert!(matches!(pollster::block_on(run.step()), Err(ForgetError::RunStopped)));
    run.reset().unwrap();
    assert_eq!(pollster::block_on(run.weights()).unwrap(), f.model.weights);
    // Compared as JSON: forget quality is NaN (no retain model for this test world), and NaN !=
    // NaN.
    let json = |s| serde_json::to_value(s).unwrap();
    assert_eq!(json(pollster::block_on(run.evaluate()).unwrap()), json(s0));
}

#[test]
fn same_seed_same_losses_different_seed_different_batches() {
    let losses = |seed: u64| {
        let mut cfg = small(MethodKind::GradDiff, ForgetSelection::Split("forget10".into()));
        cfg.seed = seed;
        let mut run = new_run(cfg).unwrap();
        (0..4).map(|_| pollster::block_on(run.step()).unwrap().loss).collect::<Vec<_>>()
    };
    assert_eq!(losses(5), losses(5));
    assert_ne!(losses(5), losses(6));
}

#[test]
fn diverging_loss_stops_and_keeps_last_good_weights() {
    // Weights near f32's limit: the logits overflow, the very first loss is NaN.
    let f = common::fixture();
    let mut model = f.model.clone();
    for x in &mut model.weights.tensors.get_mut("wte.weight").unwrap().data {
        *x = if *x >= 0.0 { f32::MAX / 2.0 } else { -f32::MAX / 2.0 };
    }
    let cfg = small(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    let mut run = Run::new(&model, &f.world, cfg, &common::device()).unwrap();
    let err = pollster::block_on(run.step()).unwrap_err();
    assert!(matches!(err, ForgetError::Diverged { step: 1, last_good: 0, .. }), "{err}");
    assert!(err.to_string().contains("weights from step 0"), "{err}");
    assert!(matches!(run.state(), RunState::Diverged(_)));
    assert_eq!(pollster::block_on(run.weights()).unwrap(), model.weights);
    assert!(matches!(pollster::block_on(run.step()), Err(ForgetError::RunStopped)));
}

/// Gradient ascent's loss has no minimum: a run whose loss passes the method's limit while
/// still finite stops too, with the weights from before the step that took it there.
#[test]
fn a_finite_loss_past_the_methods_limit_stops_the_run() {
    let limit = MethodKind::Ga.spec().loss_limit;
    let mut cfg = small(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    cfg.hyper.lr = 0.05; // fast, so the loss leaves any sane range within a few dozen steps
    let mut run = new_run(cfg).unwrap();
    let mut losses = vec![];
    let err = loop {
        match pollster::block_on(run.step()) {
            Ok(report) => losses.push(report.loss),
            Err(e) => break e,
        }
        assert!(
            losses.len() < 200,
            "GA at lr 0.05 must pass ±{limit} within 200 steps: {losses:?}"
        );
    };
    let ForgetError::LossExploded { step, loss, method, last_good, .. } = err else {
        panic!("expected LossExploded, got {err} after {losses:?}");
    };
    assert!(loss.is_finite() && f64::from(loss.abs()) > limit, "{loss}");
    assert!(losses.iter().all(|l| l.abs() <= limit), "{losses:?}");
    assert_eq!((method, step, last_good), ("ga", losses.len() + 1, losses.len() - 1));
    assert_eq!(run.step_count(), last_good);
    assert!(matches!(run.state(), RunState::Diverged(_)));
    let s = pollster::block_on(run.evaluate()).unwrap();
    assert!(s.forget.prob.is_finite());
}

#[test]
fn bad_inputs_are_clear_errors() {
    let err = MethodKind::parse("forget_everything").unwrap_err();
    assert!(
        err.to_string().contains("unknown method") && err.to_string().contains("relearn"),
        "{err}"
    );

    let err = new_run(small(MethodKind::Ga, ForgetSelection::Ids(vec![]))).err().unwrap();
    assert!(matches!(err, ForgetError::EmptyForgetSet), "{err}");

    let err =
        new_run(small(MethodKind::Ga, ForgetSelection::Split("forget99".into()))).err().unwrap();
    assert!(err.to_string().contains("forget99"), "{err}");

    let err = new_run(small(MethodKind::Ga, ForgetSelection::Ids(vec!["no.such.item".into()])))
        .err()
        .unwrap();
    assert!(err.to_string().contains("no.such.item"), "{err}");

    for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0] {
        let mut cfg = small(MethodKind::Ga, ForgetSelection::Split("forget05".into()));
        cfg.hyper.lr = bad;
        let err = new_run(cfg).err().unwrap();
        assert!(matches!(err, ForgetError::InvalidConfig(_)), "lr {bad}: {err}");
    }
    let mut cfg = small(MethodKind::Npo, ForgetSelection::Split("forget05".into()));
    cfg.hyper.beta = f64::NAN;
    assert!(matches!(new_run(cfg).err().unwrap(), ForgetError::InvalidConfig(_)));

    assert!(import_tofu_json("{ this is not json").is_err());
    assert!(import_tofu_json("").is_err());
}

#[test]
fn user_supplied_facts_can_be_forgotten() {
    let items = import_tofu_json(
        r#"[{"question": "What is the favourite colour of Zorbin Quell?", "answer": "Zorbin Quell loves teal.", "key_entity": "teal"}]"#,
    )
    .unwrap();
    let mut run = new_run(small(MethodKind::Ga, ForgetSelection::Items(items))).unwrap();
    let s0 = pollster::block_on(run.evaluate()).unwrap();
    for _ in 0..5 {
        pollster::block_on(run.step()).unwrap();
    }
    let s = pollster::block_on(run.evaluate()).unwrap();
    assert!(s.forget.prob < s0.forget.prob);
    // The page reads snapshots back from the worker's JSON: a metric with no value (NaN, such as
    // forget quality without a retain model, or the probe on one item) must survive the trip.
    let text = serde_json::to_string(&s).unwrap();
    let back: forgetlab_core::eval::Snapshot = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a user-fact snapshot does not read back: {e}\n{text}"));
    // Every missing value stays missing and every number comes back (serde_json's default float
    // parser may miss the last bit, so numbers agree to 1e-12, not bit for bit).
    let (a, b) = (serde_json::to_value(&s).unwrap(), serde_json::to_value(back).unwrap());
    assert!(s.forget_quality.is_nan() && a["forget_quality"].is_null());
    assert_same_json(&a, &b, "snapshot");
}

/// `a` and `b` have the same shape, the same nulls and strings, and numbers equal to 1e-12.
fn assert_same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{at}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_same_json(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{at}");
            for (k, x) in x {
                assert_same_json(x, &y[k], &format!("{at}.{k}"));
            }
        }
        (x, y) => assert_eq!(x, y, "{at}"),
    }
}

#[test]
fn relearning_attack_brings_facts_back_and_leaves_the_run_untouched() {
    use forgetlab_core::run::AttackConfig;
    let mut run =
        new_run(small(MethodKind::Ga, ForgetSelection::Split("forget10".into()))).unwrap();
    for _ in 0..10 {
        pollster::block_on(run.step()).unwrap();
    }
    let weights = pollster::block_on(run.weights()).unwrap();
    let cfg = AttackConfig { k: 3, steps: 10, lr: 2e-3, seed: 1, control: false };
    let r = pollster::block_on(run.relearning_attack(&cfg)).unwrap();
    assert!(
        r.relearned_after.prob > r.relearned_before.prob,
        "relearned prob {} → {}",
        r.relearned_before.prob,
        r.relearned_after.prob
    );
    assert_eq!(r.relearned_before.items, 3);
    assert_eq!(r.relearned_before.items + r.held_out_before.items, run.forget_items().len());
    assert!(r.held_out_after.prob.is_finite());
    assert_eq!(pollster::block_on(run.weights()).unwrap(), weights, "the attack works on a copy");
    // The key entity's probability, per item and on average, comes back on the relearned items.
    assert_eq!(r.held_out_before.entity_probs.len(), r.held_out_before.items);
    assert!(
        r.relearned_after.key_entity_prob > r.relearned_before.key_entity_prob,
        "relearned key-entity prob {} → {}",
        r.relearned_before.key_entity_prob,
        r.relearned_after.key_entity_prob
    );
    // Same seed, same attack (compared as JSON: an item without its key entity is NaN there).
    let again = pollster::block_on(run.relearning_attack(&cfg)).unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&r).unwrap());
    for bad in [
        AttackConfig { k: 0, ..cfg.clone() },
        AttackConfig { k: 10_000, ..cfg.clone() },
        AttackConfig { lr: f64::NAN, ..cfg.clone() },
    ] {
        assert!(matches!(
            pollster::block_on(run.relearning_attack(&bad)),
            Err(ForgetError::InvalidConfig(_))
        ));
    }
}

/// The playground's WebGPU fallback: a run moved to a fresh device from its host checkpoint
/// continues where it was — same weights, step, next batch, and evaluation.
#[test]
fn a_checkpoint_resumes_the_run_on_a_fresh_device() {
    let cfg = small(MethodKind::GradDiff, ForgetSelection::Split("forget10".into()));
    let mut run = new_run(cfg.clone()).unwrap();
    for _ in 0..3 {
        pollster::block_on(run.step()).unwrap();
    }
    let checkpoint = pollster::block_on(run.checkpoint()).unwrap();
    assert_eq!(checkpoint.step, 3);
    let mut moved = new_run(cfg.clone()).unwrap();
    moved.resume(checkpoint.clone()).unwrap();
    assert_eq!(moved.step_count(), 3);
    assert_eq!(pollster::block_on(moved.weights()).unwrap(), checkpoint.weights);
    let json = |s| serde_json::to_value(s).unwrap();
    assert_eq!(
        json(pollster::block_on(moved.evaluate()).unwrap()),
        json(pollster::block_on(run.evaluate()).unwrap())
    );
    // The next step draws the same batch: its loss (measured before the update) is the same.
    let next = pollster::block_on(run.step()).unwrap();
    assert_eq!(pollster::block_on(moved.step()).unwrap(), next);
    // A checkpoint of other training data is refused.
    let other = small(MethodKind::GradDiff, ForgetSelection::Split("forget01".into()));
    let mut wrong = new_run(other).unwrap();
    assert!(wrong.resume(checkpoint).is_err());
}

/// The playground's first look: the same numbers as the full evaluation on the same items, only
/// without the probe; on fewer items, an evaluation of those items.
#[test]
fn the_first_look_is_the_evaluation_on_fewer_items_without_the_probe() {
    let run = new_run(small(MethodKind::Ga, ForgetSelection::Split("forget10".into()))).unwrap();
    let full = pollster::block_on(run.evaluate()).unwrap();
    let all = pollster::block_on(run.evaluate_first_look(usize::MAX)).unwrap();
    assert!(!full.representation.probe_forget.is_empty());
    assert!(all.representation.probe_forget.is_empty(), "no probe in a first look");
    let json = |v| serde_json::to_value(v).unwrap();
    for (a, b) in
        [(&all.forget, &full.forget), (&all.retain, &full.retain), (&all.world, &full.world)]
    {
        assert_eq!(json(a), json(b));
    }
    let few = pollster::block_on(run.evaluate_first_look(3)).unwrap();
    assert_ne!(json(&few.forget), json(&full.forget), "3 of 10 forget items");
}

/// The evaluator runs the fluency scorer with the model's head count: a scorer of another head
/// count is refused with a message (in the page it panicked the worker before).
#[test]
fn a_fluency_scorer_of_another_head_count_is_refused() {
    let f = common::fixture();
    let cfg = forgetlab_core::model::GptConfig { n_head: 4, ..f.model.config.clone() };
    let scorer = forgetlab_core::model::LoadedModel {
        weights: forgetlab_core::model::GptWeights::init(&cfg, 3),
        config: cfg,
        tokenizer: f.model.tokenizer.clone(),
    };
    let config = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    let mut run = Run::new(&f.model, &f.world, config, &common::device()).unwrap();
    let err = run.set_fluency_model(&scorer).unwrap_err().to_string();
    assert!(err.contains("4 attention heads, the model 2"), "{err}");
    assert!(run.set_fluency_model(&f.model).is_ok(), "the same shape is accepted");
}
