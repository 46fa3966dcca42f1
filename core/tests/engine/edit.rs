//! Editing facts: counterfactuals, and IKE vs fine-tuning vs fine-tuning with REMIX.

use crate::common;

use forgetlab_core::edit::{EditConfig, EditMethod, apply, counterfactuals};

#[test]
fn counterfactuals_replace_the_key_entity_and_have_neighbours() {
    let f = common::fixture();
    let edits = counterfactuals(&f.world, 6, 1).unwrap();
    assert_eq!(edits.len(), 6);
    for e in &edits {
        assert_ne!(e.new_object, e.item.key_entity);
        assert!(
            e.new_answer.contains(&e.new_object) && !e.new_answer.contains(&e.item.key_entity),
            "{e:?}"
        );
        assert!(e.same_subject.iter().all(|n| n.author == e.item.author && n.id != e.item.id));
        assert!(e.same_relation.iter().all(|n| n.kind == e.item.kind && n.author != e.item.author));
        assert!(!e.same_subject.is_empty() && !e.same_relation.is_empty());
    }
    assert_eq!(edits, counterfactuals(&f.world, 6, 1).unwrap(), "seeded");
}

#[test]
fn fine_tuning_makes_the_edits_and_every_method_is_measured_on_the_same_neighbours() {
    let f = common::fixture();
    let edits = counterfactuals(&f.world, 4, 2).unwrap();
    let config = EditConfig { edits: 4, steps: 40, lr: 3e-3, mix_ratio: 1.0, seed: 0 };
    let d = common::device();
    let reports: Vec<_> = EditMethod::ALL
        .iter()
        .map(|&m| pollster::block_on(apply(m, &edits, &f.model, &f.world, &config, &d)).unwrap())
        .collect();
    for r in &reports {
        for v in [r.efficacy, r.generalization, r.specificity, r.neighbour_prob_after] {
            assert!((0.0..=1.0).contains(&v), "{r:?}");
        }
        assert_eq!(
            r.neighbour_prob_before, reports[0].neighbour_prob_before,
            "same neighbours, same model before"
        );
    }
    let ft = &reports[1];
    assert!(ft.efficacy >= 0.75, "40 steps of fine-tuning make the edits: {ft:?}");
    assert!(
        ft.neighbour_prob_after < ft.neighbour_prob_before,
        "and cost the neighbours something: {ft:?}"
    );
    let bad = EditConfig { lr: f64::NAN, ..config };
    assert!(
        pollster::block_on(apply(EditMethod::FineTune, &edits, &f.model, &f.world, &bad, &d))
            .is_err()
    );
}
