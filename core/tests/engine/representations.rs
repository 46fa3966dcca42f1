//! CKA against the original and the retain model, through a whole run.

use crate::common;

use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig};

fn ga_run() -> Run {
    let f = common::fixture();
    let mut config = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    config.hyper.batch_size = 8;
    config.hyper.lr = 5e-3;
    config.eval = EvalConfig {
        max_forget: 16,
        max_retain: 8,
        max_world: 8,
        max_holdout: 8,
        max_new_tokens: 8,
        sample_ids: vec![],
    };
    Run::new(&f.model, &f.world, config, &common::device()).unwrap()
}

/// At step 0 the model is the original: CKA 1 at every block. Gradient ascent moves the forget
/// items' representation (CKA below 1 at the last block). A retain model whose hidden states are
/// known (here: another run's model, kept in memory) gives CKA to it too; the references read
/// from a file carry no hidden states (none are written), so none is reported against them.
#[test]
fn cka_is_one_at_the_start_and_falls_as_gradient_ascent_moves_the_forget_items() {
    let mut run = ga_run();
    let start = pollster::block_on(run.evaluate()).unwrap();
    let layers = common::fixture().model.config.n_layer;
    assert_eq!(start.representation.cka_original.len(), layers);
    for c in &start.representation.cka_original {
        assert!((c - 1.0).abs() < 1e-4, "CKA of the original with itself: {c}");
    }
    assert!(start.representation.cka_retain.is_empty(), "no retain model in this run");
    for _ in 0..6 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = pollster::block_on(run.evaluate()).unwrap();
    let last = *after.representation.cka_original.last().unwrap();
    assert!(last < 0.999, "GA moved the last block's representation: CKA {last}");

    let reference = pollster::block_on(run.as_retain_reference("moved model")).unwrap();
    let mut other = ga_run();
    other.set_retain_reference(reference.clone()).unwrap();
    let judged = pollster::block_on(other.evaluate()).unwrap();
    assert_eq!(judged.representation.cka_retain.len(), layers);
    let to_moved = *judged.representation.cka_retain.last().unwrap();
    assert!(
        (to_moved - last).abs() < 1e-4,
        "the original against the moved model: {to_moved} vs {last}"
    );
    let from_file: forgetlab_core::eval::RetainReference =
        serde_json::from_str(&serde_json::to_string(&reference).unwrap()).unwrap();
    let mut read = ga_run();
    read.set_retain_reference(from_file).unwrap();
    assert!(pollster::block_on(read.evaluate()).unwrap().representation.cka_retain.is_empty());
}

/// The refitted probe is fitted on the evaluated model's own states: at step 0 that model is the
/// original, so it equals the frozen probe; it is only computed when asked for.
#[test]
fn the_refitted_probe_is_the_frozen_one_at_the_start_and_only_on_request() {
    let mut run = ga_run();
    let plain = pollster::block_on(run.evaluate()).unwrap();
    assert!(plain.representation.probe_refit_forget.is_empty());
    run.set_refit_probe(true);
    let start = pollster::block_on(run.evaluate()).unwrap().representation;
    assert!(!start.probe_forget.is_empty(), "the tiny world's items have probe candidates");
    assert_eq!(start.probe_refit_forget, start.probe_forget);
    assert_eq!(start.probe_refit_retain, start.probe_retain);
    for _ in 0..6 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = pollster::block_on(run.evaluate()).unwrap().representation;
    assert_eq!(after.probe_refit_forget.len(), after.probe_forget.len());
    assert!(after.probe_refit_forget.iter().all(|a| (0.0..=1.0).contains(a)));
}
