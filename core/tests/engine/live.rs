//! What the playground shows between full evaluations: the live estimate after each step, and
//! the fluency scorer's remembered values.

use crate::common;

use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{ESTIMATE_ITEMS, EvalConfig, ForgetSelection, Run, RunConfig};

fn ga_run() -> Run {
    let f = common::fixture();
    let mut config = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    config.hyper.batch_size = 8;
    // Small sets (the estimate takes the first 8 of each), short answers: a quick test.
    config.eval = EvalConfig {
        max_forget: 12,
        max_retain: 12,
        max_world: 12,
        max_holdout: 10,
        max_new_tokens: 8,
        sample_ids: vec![],
    };
    let mut run = Run::new(&f.model, &f.world, config, &common::device()).unwrap();
    let sets = run.eval_sets();
    let watch = vec![sets.forget[0].id.clone(), sets.world[1].id.clone()];
    run.set_sample_ids(watch);
    run
}

/// The estimate is the full evaluation's answer probability on its first items: on a sample as
/// large as the sets it equals the evaluation's means, and gradient ascent lowers its forget
/// number after a few steps.
#[test]
fn the_estimate_is_the_answer_probability_of_a_fixed_sample() {
    let mut run = ga_run();
    let est = pollster::block_on(run.estimate()).unwrap();
    let sets = run.eval_sets().clone();
    assert_eq!(
        est.sample,
        [
            ESTIMATE_ITEMS.min(sets.forget.len()),
            ESTIMATE_ITEMS.min(sets.retain.len()),
            ESTIMATE_ITEMS.min(sets.world.len())
        ]
    );
    // The first look on the same number of items computes the same probabilities.
    let look = pollster::block_on(run.evaluate_first_look(ESTIMATE_ITEMS)).unwrap();
    for (e, full) in [
        (est.forget_prob, look.forget.prob),
        (est.retain_prob, look.retain.prob),
        (est.world_prob, look.world.prob),
    ] {
        assert!((e - full).abs() < 1e-5, "estimate {e} vs evaluation {full}");
    }
    let ids: Vec<&str> = est.watched.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, [sets.forget[0].id.as_str(), sets.world[1].id.as_str()]);
    assert!(est.watched.iter().all(|(_, p)| (0.0..=1.0).contains(p)));
    for _ in 0..4 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = pollster::block_on(run.estimate()).unwrap();
    assert_eq!(after.step, 4);
    assert!(after.forget_prob < est.forget_prob, "{} → {}", est.forget_prob, after.forget_prob);
}

/// Two evaluations of the same weights agree exactly, the second with every fluency value from
/// the cache; after training, the changed answers are scored again and agree with a run that
/// never cached anything.
#[test]
fn remembered_fluency_values_change_no_number() {
    let mut run = ga_run();
    let json = |v| serde_json::to_value(v).unwrap();
    let first = pollster::block_on(run.evaluate()).unwrap();
    let second = pollster::block_on(run.evaluate()).unwrap();
    assert_eq!(json(&first), json(&second));
    for _ in 0..3 {
        pollster::block_on(run.step()).unwrap();
    }
    let cached = pollster::block_on(run.evaluate()).unwrap();
    let mut fresh = ga_run();
    for _ in 0..3 {
        pollster::block_on(fresh.step()).unwrap();
    }
    let uncached = pollster::block_on(fresh.evaluate()).unwrap();
    assert_eq!(json(&cached), json(&uncached));
}
