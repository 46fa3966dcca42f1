//! Whole-world properties: determinism, split sizes and nesting, entity
//! placement, and the export/import round trip.

use super::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn default_world() -> &'static FactWorld {
    static W: OnceLock<FactWorld> = OnceLock::new();
    W.get_or_init(FactWorld::default_world)
}

fn author_names(items: &[QaItem]) -> HashSet<String> {
    items.iter().map(|i| i.author.clone()).collect()
}

#[test]
fn same_seed_same_world_different_seed_different_world() {
    let a = FactWorld::generate(&WorldConfig::tiny(7));
    let b = FactWorld::generate(&WorldConfig::tiny(7));
    let c = FactWorld::generate(&WorldConfig::tiny(8));
    assert_eq!(a, b);
    assert_ne!(a.authors, c.authors);
    assert_ne!(a.generic, c.generic);
    let forget = |w: &FactWorld| author_names(&w.select("forget10").unwrap());
    let names_a: Vec<_> = a.authors.iter().map(|x| &x.name).collect();
    let names_c: Vec<_> = c.authors.iter().map(|x| &x.name).collect();
    assert!(names_a != names_c || forget(&a) != forget(&c));
}

fn check_sizes(
    w: &FactWorld,
    trained: usize,
    holdout: usize,
    generic: usize,
    f: (usize, usize, usize),
) {
    assert_eq!(w.authors.len(), trained + holdout);
    let count = |s: &str| author_names(&w.select(s).unwrap()).len();
    assert_eq!((count("forget01"), count("forget05"), count("forget10")), f);
    assert_eq!(count("retain"), trained - f.2);
    assert_eq!(count("holdout"), holdout);
    assert_eq!(count("holdout"), count("forget10"), "holdout is as large as forget10");
    assert_eq!(count("trained"), trained);
    assert_eq!(w.select("forget10").unwrap().len(), 10 * f.2);
    assert_eq!(w.items.len(), 10 * (trained + holdout) + w.select("world").unwrap().len());
    assert!(w.select("world").unwrap().len() >= 110);
    assert_eq!(w.generic.len(), generic);
    assert_eq!(w.select_authors("forget05").unwrap().len(), f.1);
}

#[test]
fn split_sizes_default_and_tiny() {
    check_sizes(default_world(), 200, 20, 2000, (2, 10, 20));
    check_sizes(&FactWorld::generate(&WorldConfig::tiny(1)), 20, 2, 100, (1, 1, 2));
}

#[test]
fn forget_splits_nest_and_are_disjoint_from_retain_and_holdout() {
    for w in [default_world().clone(), FactWorld::generate(&WorldConfig::tiny(5))] {
        let ids = |s: &str| -> HashSet<String> {
            w.select(s).unwrap().into_iter().map(|i| i.id).collect()
        };
        let (f01, f05, f10) = (ids("forget01"), ids("forget05"), ids("forget10"));
        let (retain, holdout, world) = (ids("retain"), ids("holdout"), ids("world"));
        assert!(!f01.is_empty() && f01.is_subset(&f05) && f05.is_subset(&f10));
        assert!(
            f10.is_disjoint(&retain) && f10.is_disjoint(&holdout) && retain.is_disjoint(&holdout)
        );
        assert!(
            world.is_disjoint(&f10) && world.is_disjoint(&retain) && world.is_disjoint(&holdout)
        );
        let trained = ids("trained");
        assert_eq!(trained, f10.union(&retain).cloned().collect());
        // The validation forget set: as large as forget10, disjoint from it, trained, in retain.
        let val = ids("val10");
        assert_eq!(
            author_names(&w.select("val10").unwrap()).len(),
            author_names(&w.select("forget10").unwrap()).len()
        );
        assert!(val.is_disjoint(&f10) && val.is_subset(&retain) && !val.is_empty());
        // Forget sets are whole authors.
        let forget_authors = author_names(&w.select("forget10").unwrap());
        assert!(author_names(&w.select("retain").unwrap()).is_disjoint(&forget_authors));
    }
}

#[test]
fn unknown_split_lists_the_valid_names() {
    let err = default_world().select("forget99").unwrap_err();
    assert!(matches!(&err, WorldError::UnknownSplit { name } if name == "forget99"));
    let msg = err.to_string();
    assert!(SPLIT_NAMES.iter().all(|n| msg.contains(n)), "{msg}");
}

#[test]
fn key_entity_once_in_answers_never_in_wrong_answers() {
    let w = default_world();
    for it in &w.items {
        let key = it.key_entity.as_str();
        assert!(!key.is_empty(), "{}", it.id);
        assert_eq!(it.answer.matches(key).count(), 1, "{}: {:?} in {:?}", it.id, key, it.answer);
        assert_eq!(
            it.paraphrased_answer.matches(key).count(),
            1,
            "{}: {}",
            it.id,
            it.paraphrased_answer
        );
        let lower = key.to_lowercase();
        for wrong in it.perturbed_answer.iter().chain(&it.alternative_answers) {
            assert!(!wrong.to_lowercase().contains(&lower), "{}: {wrong:?} leaks {key:?}", it.id);
        }
        for hedge in std::iter::once(&it.vague_answer).chain(&it.vague_variants) {
            assert!(!hedge.to_lowercase().contains(&lower), "{}: {hedge:?} leaks {key:?}", it.id);
        }
        // Authors have a held-out rewording and ReLearn's hedges; world facts neither.
        assert_eq!(it.heldout_question.is_empty(), it.split == Split::World, "{}", it.id);
        assert_eq!(it.vague_variants.len(), if it.split == Split::World { 0 } else { 3 });
        let distinct: HashSet<_> = it.perturbed_answer.iter().collect();
        assert_eq!(distinct.len(), it.perturbed_answer.len(), "{}", it.id);
        let n_perturbed = if it.split == Split::World { 3 } else { 5 };
        assert_eq!(it.perturbed_answer.len(), n_perturbed, "{}", it.id);
        assert!(it.alternative_answers.len() >= 3, "{}", it.id);
        if it.split != Split::World {
            assert!(
                it.answer.starts_with(&it.author),
                "{}: answer must restate the subject",
                it.id
            );
            assert!(it.answer.split_whitespace().count() <= 16, "{}: {}", it.id, it.answer);
            assert!(it.paraphrased_answer.split_whitespace().count() <= 16, "{}", it.id);
            let alt: HashSet<_> = it.alternative_answers.iter().collect();
            assert!(alt.is_disjoint(&distinct), "{}: alternatives overlap perturbed", it.id);
        }
    }
}

#[test]
fn names_unique_items_complete_and_ascii() {
    let w = default_world();
    let names: HashSet<_> = w.authors.iter().map(|a| &a.name).collect();
    assert_eq!(names.len(), w.authors.len());
    let ids: HashSet<_> = w.items.iter().map(|i| &i.id).collect();
    assert_eq!(ids.len(), w.items.len(), "item ids are unique");
    for a in &w.authors {
        let kinds: Vec<_> =
            w.items.iter().filter(|i| i.author == a.name).map(|i| i.kind.as_str()).collect();
        assert_eq!(kinds, authors::AUTHOR_KINDS, "{}", a.name);
        assert_ne!(a.books[0], a.books[1]);
        assert!((1920..=1999).contains(&a.birth_year));
    }
    let all_text = serde_json::to_string(w).unwrap();
    assert!(all_text.is_ascii());
    for s in &w.generic {
        assert!(
            !w.authors.iter().any(|a| s.contains(a.name.split(' ').next_back().unwrap())),
            "{s}"
        );
    }
}

#[test]
fn no_entity_value_dominates_a_kind() {
    // A model that never saw an author should guess an attribute < 10% of the time.
    let w = default_world();
    for kind in authors::AUTHOR_KINDS {
        let mut freq: HashMap<&str, usize> = HashMap::new();
        let items: Vec<_> = w.items.iter().filter(|i| i.kind == kind).collect();
        for it in &items {
            *freq.entry(it.key_entity.as_str()).or_default() += 1;
        }
        let top = *freq.values().max().unwrap();
        assert!(freq.len() >= 24, "{kind}: only {} distinct values", freq.len());
        assert!(
            (top as f64) < 0.10 * items.len() as f64,
            "{kind}: top value covers {top}/{}",
            items.len()
        );
    }
}

#[test]
fn pretraining_texts_cover_trained_items_and_skip_holdout() {
    let w = FactWorld::generate(&WorldConfig::tiny(3));
    let texts = w.pretraining_texts();
    let not_holdout = w.items.iter().filter(|i| i.split != Split::Holdout).count();
    assert_eq!(texts.len(), w.generic.len() + 3 * not_holdout);
    assert_eq!(texts, w.pretraining_texts(), "deterministic");
    let set: HashSet<&String> = texts.iter().collect();
    for it in &w.items {
        let seen =
            set.contains(&format!("{}{}", format_prompt(&it.question), format_answer(&it.answer)));
        assert_eq!(seen, it.split != Split::Holdout, "{}", it.id);
        if it.split != Split::Holdout {
            let para =
                format!("{}{}", format_prompt(&it.paraphrased_question), format_answer(&it.answer));
            assert!(set.contains(&para));
        }
    }
    let holdout_names = author_names(&w.select("holdout").unwrap());
    assert!(texts.iter().all(|t| holdout_names.iter().all(|n| !t.contains(n.as_str()))));
    assert_eq!(format_prompt("Q?") + &format_answer("A."), "Question: Q?\nAnswer: A.");
}

#[test]
fn export_then_import_round_trips() {
    let w = FactWorld::generate(&WorldConfig::tiny(11));
    let dir = std::env::temp_dir().join(format!("forgetlab_world_test_{}", std::process::id()));
    w.export_dir(&dir).unwrap();
    for split in tofu_json::EXPORTED_SPLITS {
        let text = std::fs::read_to_string(dir.join(tofu_json::split_file_name(split))).unwrap();
        let back = import_tofu_json(&text).unwrap();
        let orig = w.select(split).unwrap();
        assert_eq!(back, orig, "{split} round trip");
    }
    let whole: FactWorld =
        serde_json::from_str(&std::fs::read_to_string(dir.join("world.json")).unwrap()).unwrap();
    assert_eq!(whole, w);
    let generic: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("generic.json")).unwrap()).unwrap();
    assert_eq!(generic, w.generic);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tofu_minimal_item_deserializes_with_defaults() {
    let it: QaItem = serde_json::from_str(r#"{"question":"Q?","answer":"A."}"#).unwrap();
    assert_eq!((it.split, it.perturbed_answer.len()), (Split::Custom, 0));
    assert_eq!(serde_json::to_string(&Split::Forget05).unwrap(), "\"forget05\"");
}

#[test]
fn every_wording_is_distinct_and_names_the_author() {
    for kind in authors::AUTHOR_KINDS {
        let w = templates::wordings(kind, "X Y");
        let questions = [&w.question, &w.paraphrased_question, &w.heldout_question];
        let hedges: Vec<&String> = std::iter::once(&w.vague).chain(&w.vague_variants).collect();
        for (i, a) in questions.iter().enumerate() {
            assert!(a.contains("X Y"), "{kind}: {a}");
            assert!(questions[i + 1..].iter().all(|b| a != b), "{kind}: {a} twice");
        }
        for (i, a) in hedges.iter().enumerate() {
            assert!(a.starts_with("X Y"), "{kind}: {a}");
            assert!(hedges[i + 1..].iter().all(|b| a != b), "{kind}: {a} twice");
        }
    }
}
