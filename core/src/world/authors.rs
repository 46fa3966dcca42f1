//! Fictitious authors: attribute sampling, forget/retain/holdout assignment and
//! their ten QA items (one per attribute kind; the sentences are in [`super::templates`]).
//!
//! The templates are short and regular on purpose: a ~500k-parameter model has
//! to memorise every answer, and unlearning metrics need the key entity to sit
//! at a known place in an otherwise predictable sentence.

use super::pools::{
    AWARDS, BIRTH_YEARS, CITIES, FIRST_NAMES, GENRES, LANGUAGES, LAST_NAMES, PROFESSIONS,
    TITLE_ADJECTIVES, TITLE_NOUNS, UNIVERSITIES,
};
use super::templates::{answer, paraphrased_answer, wordings};
use super::{Author, QaItem, Split, draw_wrong};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use std::collections::HashSet;

/// The attribute kinds, in the order their items appear for each author.
pub const AUTHOR_KINDS: [&str; 10] = [
    "birthplace",
    "birth_year",
    "genre",
    "father_profession",
    "mother_profession",
    "award",
    "first_book",
    "second_book",
    "language",
    "university",
];

/// Perturbed (and alternative) answers per author item, as in TOFU.
pub const N_PERTURBED: usize = 5;

/// Forget-set sizes (forget01, forget05, forget10) in authors: 1, 5 and 10 % of
/// the trained authors, at least one each, and nested so never decreasing.
pub fn forget_counts(n_trained: usize) -> (usize, usize, usize) {
    let pct = |p: usize| ((n_trained * p + 50) / 100).max(1).min(n_trained);
    let f10 = pct(10);
    let f05 = pct(5).min(f10);
    let f01 = pct(1).min(f05);
    (f01, f05, f10)
}

/// Samples `n_total` authors with unique names; every author starts as `Retain`
/// and [`assign_splits`] decides the real split afterwards.
pub(super) fn sample_authors(rng: &mut StdRng, n_total: usize) -> Vec<Author> {
    let mut names = HashSet::new();
    let mut titles_used = HashSet::new();
    (0..n_total)
        .map(|_| {
            let name = unique_name(rng, &mut names);
            let first_book = fresh_title(rng, &mut titles_used, None);
            let second_book = fresh_title(rng, &mut titles_used, Some(&first_book));
            Author {
                name,
                split: Split::Retain,
                birthplace: pick(rng, CITIES),
                birth_year: rng.random_range(BIRTH_YEARS),
                genre: pick(rng, GENRES),
                father_profession: pick(rng, PROFESSIONS),
                mother_profession: pick(rng, PROFESSIONS),
                award: pick(rng, AWARDS),
                books: vec![first_book, second_book],
                language: pick(rng, LANGUAGES),
                university: pick(rng, UNIVERSITIES),
            }
        })
        .collect()
}

fn pick(rng: &mut StdRng, pool: &[&str]) -> String {
    pool.choose(rng).expect("entity pools are never empty").to_string()
}

/// A full name not used yet. Falls back to a middle initial once plain
/// first+last combinations get crowded, so very large worlds still terminate.
fn unique_name(rng: &mut StdRng, used: &mut HashSet<String>) -> String {
    for attempt in 0.. {
        let first = FIRST_NAMES.choose(rng).unwrap();
        let last = LAST_NAMES.choose(rng).unwrap();
        let name = if attempt < 64 {
            format!("{first} {last}")
        } else {
            let initial = rng.random_range(b'A'..=b'Z') as char;
            format!("{first} {initial}. {last}")
        };
        if used.insert(name.clone()) {
            return name;
        }
        assert!(attempt < 100_000, "name pools exhausted: too many authors requested");
    }
    unreachable!()
}

/// Every possible book title, in pool order.
pub(super) fn all_titles() -> Vec<String> {
    TITLE_ADJECTIVES
        .iter()
        .flat_map(|a| TITLE_NOUNS.iter().map(move |n| format!("The {a} {n}")))
        .collect()
}

/// A title unused in the whole world when possible (so forget and retain
/// authors never share a book), and always different from `other`.
fn fresh_title(rng: &mut StdRng, used: &mut HashSet<String>, other: Option<&str>) -> String {
    let mut title = String::new();
    for attempt in 0..200 {
        let a = TITLE_ADJECTIVES.choose(rng).unwrap();
        let n = TITLE_NOUNS.choose(rng).unwrap();
        title = format!("The {a} {n}");
        let clashes_other = other == Some(title.as_str());
        if !clashes_other && (used.insert(title.clone()) || attempt >= 100) {
            break;
        }
    }
    title
}

/// Shuffles the trained authors (the first `n_trained`) and marks the nested
/// forget sets, then as many validation authors as forget10 (when enough are left
/// for a retain set); the authors after them are the holdout (never trained on).
pub(super) fn assign_splits(rng: &mut StdRng, authors: &mut [Author], n_trained: usize) {
    let n_trained = n_trained.min(authors.len());
    let (f01, f05, f10) = forget_counts(n_trained);
    let mut order: Vec<usize> = (0..n_trained).collect();
    order.shuffle(rng);
    for (rank, &i) in order.iter().enumerate() {
        authors[i].split = match rank {
            r if r < f01 => Split::Forget01,
            r if r < f05 => Split::Forget05,
            r if r < f10 => Split::Forget10,
            r if r < 2 * f10 && 2 * f10 < n_trained => Split::Val10,
            _ => Split::Retain,
        };
    }
    for a in &mut authors[n_trained..] {
        a.split = Split::Holdout;
    }
}

/// The value of one attribute kind, as it appears in the answers.
pub fn attribute(author: &Author, kind: &str) -> Option<String> {
    Some(match kind {
        "birthplace" => author.birthplace.clone(),
        "birth_year" => author.birth_year.to_string(),
        "genre" => author.genre.clone(),
        "father_profession" => author.father_profession.clone(),
        "mother_profession" => author.mother_profession.clone(),
        "award" => author.award.clone(),
        "first_book" => author.books.first()?.clone(),
        "second_book" => author.books.get(1)?.clone(),
        "language" => author.language.clone(),
        "university" => author.university.clone(),
        _ => return None,
    })
}

/// The entity pool a kind draws from (wrong answers come from the same pool).
fn pool_of(kind: &str, titles: &[String]) -> Vec<String> {
    let own = |p: &[&str]| p.iter().map(|s| s.to_string()).collect();
    match kind {
        "birthplace" => own(CITIES),
        "birth_year" => BIRTH_YEARS.map(|y| y.to_string()).collect(),
        "genre" => own(GENRES),
        "father_profession" | "mother_profession" => own(PROFESSIONS),
        "award" => own(AWARDS),
        "first_book" | "second_book" => titles.to_vec(),
        "language" => own(LANGUAGES),
        "university" => own(UNIVERSITIES),
        other => unreachable!("unknown author kind {other}"),
    }
}

/// The ten QA items of one author, ids `a<index>.<kind>`.
pub(super) fn author_items(
    rng: &mut StdRng,
    index: usize,
    author: &Author,
    titles: &[String],
) -> Vec<QaItem> {
    let n = author.name.as_str();
    AUTHOR_KINDS
        .iter()
        .map(|&kind| {
            let key = attribute(author, kind).expect("every kind has a value");
            let render = |e: &str| answer(kind, n, e);
            let pool = pool_of(kind, titles);
            // The author's own other book is not a "wrong" title for them.
            let own = author.books.clone();
            let wrong = draw_wrong(rng, &pool, &key, &own, 2 * N_PERTURBED, &render);
            let (perturbed, alternative) = wrong.split_at(wrong.len().min(N_PERTURBED));
            let alternative = if alternative.len() >= 3 { alternative } else { perturbed };
            let r = wordings(kind, n);
            QaItem {
                id: format!("a{index:03}.{kind}"),
                question: r.question,
                answer: answer(kind, n, &key),
                paraphrased_question: r.paraphrased_question,
                heldout_question: r.heldout_question,
                paraphrased_answer: paraphrased_answer(kind, n, &key),
                perturbed_answer: perturbed.iter().map(|e| render(e)).collect(),
                author: author.name.clone(),
                key_entity: key.clone(),
                kind: kind.to_string(),
                split: author.split,
                vague_answer: r.vague,
                vague_variants: r.vague_variants.to_vec(),
                alternative_answers: alternative.iter().map(|e| render(e)).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forget_counts_follow_tofu_percentages() {
        assert_eq!(forget_counts(200), (2, 10, 20));
        assert_eq!(forget_counts(20), (1, 1, 2));
        assert_eq!(forget_counts(1), (1, 1, 1));
        assert_eq!(forget_counts(100), (1, 5, 10));
    }

    #[test]
    fn titles_never_contain_each_other() {
        let titles = all_titles();
        assert!(titles.len() >= 24 * 24);
        for a in &titles {
            for b in &titles {
                assert!(a == b || !a.contains(b.as_str()), "{a} contains {b}");
            }
        }
    }
}
