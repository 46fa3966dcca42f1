//! Continual learning in stages: learning, forgetting, schedules, mixing, reset and bad input.

use crate::common;

use forgetlab_core::ForgetError;
use forgetlab_core::continual::{
    ContinualConfig, ContinualRun, ContinualSnapshot, Mixing, Schedule, StageConfig, StageData,
};
use forgetlab_core::run::RunState;

fn stage(data: StageData, steps: usize, mixing: Mixing) -> StageConfig {
    StageConfig { data, steps, mixing, mix_ratio: 1.0 }
}

fn config(stages: Vec<StageConfig>, schedule: Schedule) -> ContinualConfig {
    ContinualConfig {
        stages,
        schedule,
        lr: 3e-3,
        batch_size: 8,
        items_per_stage: 8,
        eval_items: 8,
        max_new_tokens: 16,
        seed: 1,
    }
}

fn new_run(cfg: ContinualConfig) -> Result<ContinualRun, ForgetError> {
    let f = common::fixture();
    ContinualRun::new(&f.model, &f.world, cfg, &common::device())
}

fn steps(run: &mut ContinualRun, n: usize) -> Vec<f64> {
    (0..n).map(|_| pollster::block_on(run.step()).unwrap().loss).collect()
}

fn eval(run: &ContinualRun) -> ContinualSnapshot {
    pollster::block_on(run.evaluate()).unwrap()
}

/// REMIX's starting point: factoids learned in stage 1 are partly lost while stage 2 learns
/// other factoids.
#[test]
fn a_second_factoid_stage_learns_its_facts_and_forgets_the_first() {
    let f1 = StageData::Factoids { set: 1 };
    let f2 = StageData::Factoids { set: 2 };
    let mut run = new_run(config(
        vec![stage(f1, 60, Mixing::None), stage(f2, 60, Mixing::None)],
        Schedule::Constant,
    ))
    .unwrap();
    let start = eval(&run);
    steps(&mut run, 60);
    let after1 = eval(&run);
    steps(&mut run, 60);
    let after2 = eval(&run);
    let prob = |s: &ContinualSnapshot, k: usize| s.stages[k].scores.prob;
    assert!(
        prob(&after1, 0) > prob(&start, 0) + 0.2,
        "stage 1 learns: {} → {}",
        prob(&start, 0),
        prob(&after1, 0)
    );
    assert!(prob(&after2, 1) > prob(&after1, 1) + 0.2, "stage 2 learns its own facts");
    assert!(
        prob(&after2, 0) < prob(&after1, 0),
        "stage 2 makes stage 1's facts less likely: {} → {}",
        prob(&after1, 0),
        prob(&after2, 0)
    );
    assert_eq!((after1.stage, after2.stage, after2.step), (0, 1, 120));
    let n_layer = common::fixture().model.config.n_layer;
    assert_eq!(after2.first_stage_lens.len(), n_layer);
    // The probe is scored at stage ends only; after stage 1 the model's last block reads the
    // stage-1 entities better than chance.
    assert!(start.first_stage_probe.is_empty() && start.first_stage_probe_chance.is_nan());
    assert_eq!(
        (after1.first_stage_probe.len(), after2.first_stage_probe.len()),
        (n_layer, n_layer)
    );
    let chance = after1.first_stage_probe_chance;
    assert!(chance > 0.05 && chance < 0.5, "about 1 / 6: {chance}");
    assert!(
        after1.first_stage_probe[n_layer - 1] > chance,
        "probe {:?} vs chance {chance}",
        after1.first_stage_probe
    );
    assert!(after2.world.items > 0 && after2.trained.items > 0);
    assert!(
        matches!(pollster::block_on(run.step()), Err(ForgetError::InvalidConfig(_))),
        "all steps done"
    );
}

#[test]
fn reset_is_exact_and_the_same_seed_gives_the_same_losses() {
    let cfg = config(
        vec![
            stage(StageData::KeyValue, 4, Mixing::None),
            stage(StageData::Generic, 4, Mixing::RemixGeneric),
        ],
        Schedule::parse("cosine").unwrap(),
    );
    let mut run = new_run(cfg.clone()).unwrap();
    let start = pollster::block_on(run.weights()).unwrap();
    let first = steps(&mut run, 8);
    run.reset().unwrap();
    assert_eq!(pollster::block_on(run.weights()).unwrap(), start);
    assert_eq!(steps(&mut run, 8), first, "a reset run repeats itself");
    run.stop();
    assert_eq!(run.state(), &RunState::Stopped);
    assert!(matches!(pollster::block_on(run.step()), Err(ForgetError::RunStopped)));
    let mut other = new_run(ContinualConfig { seed: 2, ..cfg }).unwrap();
    assert_ne!(steps(&mut other, 8), first);
}

#[test]
fn mixing_adds_its_items_to_the_stage_pool() {
    let cfg = config(
        vec![
            stage(StageData::Factoids { set: 1 }, 2, Mixing::None),
            StageConfig {
                mix_ratio: 2.0,
                ..stage(StageData::Factoids { set: 2 }, 2, Mixing::Replay)
            },
            stage(StageData::KeyValue, 2, Mixing::RemixRandom),
        ],
        Schedule::Constant,
    );
    let run = new_run(cfg).unwrap();
    assert_eq!((run.pool_len(0), run.pool_len(1), run.pool_len(2)), (8, 24, 16));
}

/// The infinite schedule evaluates a stage end on an anneal branch; the main line goes on from
/// before the anneal.
#[test]
fn the_anneal_branch_is_evaluated_and_leaves_the_main_line_alone() {
    let schedule = Schedule::Infinite { warmup: 2, cooldown: 2, constant_ratio: 0.5, anneal: 3 };
    let mut run = new_run(config(
        vec![
            stage(StageData::KeyValue, 6, Mixing::None),
            stage(StageData::Generic, 6, Mixing::None),
        ],
        schedule,
    ))
    .unwrap();
    steps(&mut run, 3);
    assert!(!eval(&run).annealed, "mid-stage: the main line");
    steps(&mut run, 3);
    let before = pollster::block_on(run.weights()).unwrap();
    let at_end = eval(&run);
    assert!(at_end.annealed, "a stage end: the anneal branch");
    assert_eq!(
        pollster::block_on(run.weights()).unwrap(),
        before,
        "evaluating does not train the run"
    );
    assert_ne!(serde_json::to_value(&at_end).unwrap(), serde_json::Value::Null);
}

#[test]
fn bad_configs_and_a_diverging_loss_are_clear_errors() {
    let ok = config(vec![stage(StageData::KeyValue, 3, Mixing::None)], Schedule::Constant);
    assert!(new_run(ContinualConfig { stages: vec![], ..ok.clone() }).is_err());
    assert!(new_run(ContinualConfig { lr: f64::NAN, ..ok.clone() }).is_err());
    assert!(
        new_run(config(vec![stage(StageData::KeyValue, 0, Mixing::None)], Schedule::Constant))
            .is_err()
    );
    let empty = StageData::Own { items: vec![] };
    let err =
        new_run(config(vec![stage(empty, 3, Mixing::None)], Schedule::Constant)).err().unwrap();
    assert!(err.to_string().contains("no items"), "{err}");
    let mut run = new_run(ContinualConfig { lr: 1e12, ..ok }).unwrap();
    let err =
        (0..3).find_map(|_| pollster::block_on(run.step()).err()).expect("an lr of 1e12 diverges");
    assert!(matches!(err, ForgetError::Diverged { .. }), "{err}");
    assert!(matches!(run.state(), RunState::Diverged(_)));
}

#[test]
fn stage_specs_round_trip_and_name_what_is_wrong() {
    let stage = StageConfig::parse_spec("factoids2:100:remix_generic:1.5", None).unwrap();
    assert_eq!(stage.data, StageData::Factoids { set: 2 });
    assert_eq!((stage.steps, stage.mixing, stage.mix_ratio), (100, Mixing::RemixGeneric, 1.5));
    assert_eq!(StageConfig::parse_spec(&stage.spec(), None).unwrap(), stage);
    let short = StageConfig::parse_spec("generic:7", None).unwrap();
    assert_eq!((short.mixing, short.mix_ratio), (Mixing::None, 1.0));
    for (spec, says) in [
        ("factoids3:10", "unknown data “factoids3”"),
        ("generic:0", "expected DATA:STEPS"),
        ("generic:ten", "expected DATA:STEPS"),
        ("generic:10:blend", "unknown mixing “blend”"),
        ("generic:10:replay:NaN", "expected DATA:STEPS"),
        ("generic:10:replay:-1", "expected DATA:STEPS"),
        ("generic", "expected DATA:STEPS"),
        ("own:10", "your own facts"),
    ] {
        let err = StageConfig::parse_spec(spec, None).unwrap_err().to_string();
        assert!(err.contains(says), "{spec}: {err}");
    }
}
