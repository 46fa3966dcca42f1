//! Choosing and ordering what is forgotten: sequential requests (each from the weights the last
//! one left) and worst-case forget sets (the authors hardest to unlearn, by a proxy run).

use std::collections::HashSet;

use crate::common;

use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{
    EvalConfig, ForgetSelection, Run, RunConfig, SequentialRun, WorstCaseConfig, random_authors,
    resolve_forget, split_requests, worst_case_authors,
};
use forgetlab_core::world::QaItem;

fn authors(items: &[QaItem]) -> HashSet<&str> {
    items.iter().map(|it| it.author.as_str()).collect()
}

fn pool() -> Vec<QaItem> {
    let f = common::fixture();
    resolve_forget(&f.world, &ForgetSelection::Split("forget10".into())).unwrap()
}

fn small_eval() -> EvalConfig {
    EvalConfig {
        max_forget: 12,
        max_retain: 8,
        max_world: 8,
        max_holdout: 8,
        max_new_tokens: 8,
        sample_ids: vec![],
    }
}

#[test]
fn requests_are_disjoint_whole_authors_covering_the_selection() {
    let pool = pool();
    let n_authors = authors(&pool).len();
    assert!(n_authors >= 2, "the tiny world's forget10 has {n_authors} authors");
    let sets = split_requests(&pool, 2).unwrap();
    assert_eq!(sets.len(), 2);
    let (a, b) = (authors(&sets[0]), authors(&sets[1]));
    assert!(a.is_disjoint(&b), "an author in two requests");
    assert_eq!(sets[0].len() + sets[1].len(), pool.len());
    assert!(a.len().abs_diff(b.len()) <= 1);
    // Each request holds all of its authors' items.
    for set in &sets {
        let names = authors(set);
        assert_eq!(set.len(), pool.iter().filter(|it| names.contains(it.author.as_str())).count());
    }
    for bad in [0, 1, n_authors + 1] {
        assert!(split_requests(&pool, bad).is_err(), "{bad} requests accepted");
    }
    let one_author = sets[0].iter().filter(|it| it.author == sets[0][0].author).cloned();
    let err = split_requests(&one_author.collect::<Vec<_>>(), 2).unwrap_err().to_string();
    assert!(err.contains("at least two authors"), "{err}");
}

/// Request 2 starts from the weights request 1 left (its first measurement equals the last one
/// of request 1), and gradient ascent on request 1's set lowered that set's probability.
#[test]
fn each_request_continues_from_the_last_ones_weights() {
    let f = common::fixture();
    let sets = split_requests(&pool(), 2).unwrap();
    let mut template = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    template.hyper.batch_size = 8;
    template.eval = small_eval();
    let device = common::device();
    let mut seq =
        SequentialRun::new(&f.model, &f.world, template, sets.clone(), None, &device).unwrap();
    assert_eq!(seq.request(), (1, 2));
    let before = pollster::block_on(seq.recall()).unwrap();
    for _ in 0..6 {
        pollster::block_on(seq.run().step()).unwrap();
    }
    let after_first = pollster::block_on(seq.recall()).unwrap();
    assert!(
        after_first[0].prob < before[0].prob,
        "GA on set 1: {} → {}",
        before[0].prob,
        after_first[0].prob
    );
    assert!(pollster::block_on(seq.next_request(&f.world)).unwrap());
    assert_eq!(seq.request(), (2, 2));
    assert_eq!(seq.run().step_count(), 0, "a fresh run for each request");
    let ids: HashSet<&str> = seq.run().forget_items().iter().map(|it| it.id.as_str()).collect();
    assert!(sets[1].iter().all(|it| ids.contains(it.id.as_str())) && ids.len() == sets[1].len());
    let start_second = pollster::block_on(seq.recall()).unwrap();
    for (a, b) in after_first.iter().zip(&start_second) {
        assert!((a.prob - b.prob).abs() < 1e-6, "request 2 did not start where 1 ended");
    }
    assert!(!pollster::block_on(seq.next_request(&f.world)).unwrap(), "only two requests");
}

#[test]
fn requests_refuse_retain_items_and_methods_without_trained_weights() {
    let f = common::fixture();
    let device = common::device();
    let retain = resolve_forget(&f.world, &ForgetSelection::Split("retain".into())).unwrap();
    let mut sets = split_requests(&pool(), 2).unwrap();
    let template = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    sets[1].push(retain[0].clone());
    let err = SequentialRun::new(&f.model, &f.world, template.clone(), sets, None, &device);
    assert!(err.is_err(), "a retain item as a request");
    let uld = RunConfig { method: MethodKind::Uld, ..template };
    let sets = split_requests(&pool(), 2).unwrap();
    assert!(SequentialRun::new(&f.model, &f.world, uld, sets, None, &device).is_err());
}

/// The ranking is the stated proxy: each author's mean change of answer log-probability over the
/// proxy's GA steps, recomputed here with a run of the same settings; the chosen set is the top
/// of the ranking, whole authors.
#[test]
fn the_worst_case_set_is_the_top_of_the_proxy_ranking() {
    let f = common::fixture();
    let device = common::device();
    let pool = pool();
    let cfg = WorstCaseConfig { authors: 1, proxy_steps: 3, seed: 5 };
    let found =
        pollster::block_on(worst_case_authors(&f.model, &f.world, &pool, &cfg, &device)).unwrap();
    assert_eq!(found.ranking.len(), authors(&pool).len());
    assert!(found.ranking.windows(2).all(|w| w[0].1 >= w[1].1), "sorted, most resistant first");
    assert_eq!(authors(&found.items), HashSet::from([found.ranking[0].0.as_str()]));
    assert_eq!(found.items.len(), pool.iter().filter(|it| it.author == found.ranking[0].0).count());

    let mut proxy = RunConfig::new(MethodKind::Ga, ForgetSelection::Items(pool.clone()));
    proxy.seed = 5;
    let mut run = Run::new(&f.model, &f.world, proxy, &device).unwrap();
    let before = pollster::block_on(run.answer_nll(&pool)).unwrap();
    for _ in 0..3 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = pollster::block_on(run.answer_nll(&pool)).unwrap();
    for (author, r) in &found.ranking {
        let mine: Vec<f64> = pool
            .iter()
            .zip(before.iter().zip(&after))
            .filter(|(it, _)| &it.author == author)
            .map(|(_, (b, a))| b - a)
            .collect();
        let expected = mine.iter().sum::<f64>() / mine.len() as f64;
        assert!((expected - r).abs() < 1e-6, "{author}: {r} vs {expected}");
    }
    // Log-probabilities fell under gradient ascent: resistance is at most 0 on average.
    assert!(found.ranking.iter().map(|(_, r)| r).sum::<f64>() < 0.0);
}

#[test]
fn the_control_draws_whole_authors_with_the_seed() {
    let pool = pool();
    let n = authors(&pool).len();
    let a = random_authors(&pool, 1, 3).unwrap();
    assert_eq!(a, random_authors(&pool, 1, 3).unwrap(), "seeded");
    assert_eq!(authors(&a).len(), 1);
    let name = a[0].author.clone();
    assert_eq!(a.len(), pool.iter().filter(|it| it.author == name).count());
    assert!(random_authors(&pool, n, 3).is_err(), "all authors is no selection");
    assert!(random_authors(&pool, 0, 3).is_err());
    let f = common::fixture();
    let world_facts = resolve_forget(&f.world, &ForgetSelection::Split("world".into())).unwrap();
    assert!(random_authors(&world_facts, 1, 0).is_err(), "world facts have no author");
}
