//! "Add your own fact": the model learns a new fact (its probability rises far above where it
//! started) without losing the facts it had, and a run can then forget it.

use crate::common;

use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig};
use forgetlab_core::teach::{TeachConfig, Teacher, custom_item};

#[test]
fn a_new_fact_is_learned_then_forgotten() {
    let f = common::fixture();
    let d = common::device();
    let fact = custom_item(
        "custom-1",
        "What is the name of Lena's cat?",
        "Her cat is called Pumpernickel.",
    );
    let retain = f.world.select("retain").unwrap();
    let retain_pairs: Vec<(String, String)> =
        retain.iter().map(|it| (it.question.clone(), it.answer.clone())).collect();
    let before_retain = common::avg_nll(f, &f.model.weights, &retain_pairs);

    let mut teacher = Teacher::new(
        &f.model,
        std::slice::from_ref(&fact),
        &retain,
        TeachConfig { steps: 40, ..TeachConfig::default() },
        &d,
    )
    .unwrap();
    let p0 = pollster::block_on(teacher.new_fact_probability()).unwrap();
    while !teacher.finished() {
        pollster::block_on(teacher.step()).unwrap();
    }
    let p1 = pollster::block_on(teacher.new_fact_probability()).unwrap();
    assert!(p0 < 0.2, "an unseen fact starts unlikely, got {p0}");
    assert!(p1 > 0.8, "after teaching the fact is likely, got {p1} (from {p0})");
    let taught = pollster::block_on(teacher.finish()).unwrap();
    let after_retain = common::avg_nll(f, &taught.weights, &retain_pairs);
    assert!(
        after_retain < before_retain + 0.3,
        "replay keeps the old facts: retain NLL {before_retain} → {after_retain}"
    );

    // Now forget it with gradient ascent; its probability falls.
    let mut cfg = RunConfig::new(MethodKind::Ga, ForgetSelection::Items(vec![fact.clone()]));
    cfg.hyper.lr = 2e-3;
    cfg.eval = EvalConfig {
        max_forget: 4,
        max_retain: 8,
        max_world: 4,
        max_holdout: 4,
        max_new_tokens: 10,
        sample_ids: vec!["custom-1".into()],
    };
    let mut run = Run::new(&taught, &f.world, cfg, &d).unwrap();
    let s0 = pollster::block_on(run.evaluate()).unwrap();
    for _ in 0..10 {
        pollster::block_on(run.step()).unwrap();
    }
    let s1 = pollster::block_on(run.evaluate()).unwrap();
    assert_eq!(s0.samples.len(), 1, "the custom item's generation is reported");
    assert!(
        s1.forget.prob < s0.forget.prob * 0.2,
        "GA forgets the new fact: {} → {}",
        s0.forget.prob,
        s1.forget.prob
    );
}

#[test]
fn teaching_rejects_empty_facts_and_bad_rates() {
    let f = common::fixture();
    let d = common::device();
    let empty = custom_item("c", "  ", "x");
    assert!(Teacher::new(&f.model, &[empty], &[], TeachConfig::default(), &d).is_err());
    assert!(Teacher::new(&f.model, &[], &[], TeachConfig::default(), &d).is_err());
    let ok = custom_item("c", "Q?", "A.");
    let nan = TeachConfig { lr: f64::NAN, ..TeachConfig::default() };
    assert!(Teacher::new(&f.model, &[ok], &[], nan, &d).is_err());
}

/// A typed fact longer than the model's context is refused with a message that gives both
/// lengths, not cut; one that fits is taken whole.
#[test]
fn a_fact_longer_than_the_context_is_refused_not_cut() {
    let f = common::fixture();
    let d = common::device();
    let context = f.model.config.n_positions;
    let long = custom_item("c", "Who wrote the book?", &"a very long answer ".repeat(context));
    let err = Teacher::new(&f.model, &[long], &[], TeachConfig::default(), &d).err().unwrap();
    let msg = err.to_string();
    assert!(msg.contains(&format!("at most {context}")) && msg.contains("shorten"), "{msg}");
    let short = custom_item("c", "Who wrote the book?", "Ada Vance.");
    assert!(Teacher::new(&f.model, &[short], &[], TeachConfig::default(), &d).is_ok());
}
