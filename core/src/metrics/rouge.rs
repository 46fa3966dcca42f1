//! ROUGE-L, exactly as Google's `rouge_score` computes it with
//! `RougeScorer(['rougeL'], use_stemmer=True).score(target, prediction)`.
//!
//! Tokens (`rouge_score/tokenize.py`): lower-case; replace every run of characters outside
//! [a-z0-9] with a space; split on whitespace; Porter-stem (NLTK_EXTENSIONS, [`super::porter`])
//! every token longer than 3 characters; drop empty tokens. With r = target (reference) tokens,
//! c = prediction (candidate) tokens and LCS their longest common subsequence length:
//!
//!   precision = LCS / |c|,   recall = LCS / |r|,   F1 = 2·P·R / (P + R)   (0 when P + R = 0)
//!
//! and all three are 0 when either token list is empty.
//!
//! ROUGE-1 ([`rouge_1`]) counts clipped unigram overlap instead of the LCS:
//! overlap = Σ_w min(count_r(w), count_c(w)), recall = overlap / |r|, precision = overlap / |c|.
//!
//! Direction: forget ↓, retain / world ↑. TOFU and ReLearn report ROUGE-L **recall**
//! (LCS(gen, gt)/|gt|); MUSE reports ROUGE-L F1; open-unlearning also logs ROUGE-1 recall.
//!
//! Source: Lin (2004), "ROUGE"; `rouge_score/rouge_scorer.py::_score_lcs`, used by
//! `OU:src/evals/metrics/utils.py::eval_text_similarity` and `zjunlp:evals/evaluate.py::
//! eval_rouge_recall`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::porter;

/// Bound on the stem cache: the fact world has a few thousand distinct words; gibberish
/// generations can add more, so the cache starts over when it is full.
const STEM_CACHE_ENTRIES: usize = 65_536;

/// Porter stemming is most of ROUGE's cost, and every evaluation stems the same references and
/// mostly the same generated words again: each distinct word is stemmed once per process.
fn stem_cached(word: &str) -> String {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(word) {
        return s.clone();
    }
    let stemmed = porter::stem(word);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= STEM_CACHE_ENTRIES {
        cache.clear();
    }
    cache.insert(word.to_string(), stemmed.clone());
    stemmed
}

/// Precision, recall and F1 (`rouge_score`'s `Score(precision, recall, fmeasure)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RougeL {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// `rouge_score.tokenize.tokenize(text, PorterStemmer())`.
pub fn tokenize(text: &str) -> Vec<String> {
    let lowered = text.to_lowercase();
    let cleaned: String = lowered
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { ' ' })
        .collect();
    cleaned
        .split_whitespace()
        .map(|t| if t.len() > 3 { stem_cached(t) } else { t.to_string() })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Length of the longest common subsequence (the last cell of `_lcs_table`).
pub fn lcs_len<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y { prev[j] + 1 } else { prev[j + 1].max(cur[j]) };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// ROUGE-L of `candidate` (the generation) against `reference` (the ground truth) —
/// `scorer.score(target=reference, prediction=candidate)['rougeL']`.
pub fn rouge_l(reference: &str, candidate: &str) -> RougeL {
    rouge_l_tokens(&tokenize(reference), &tokenize(candidate))
}

/// [`rouge_l`] of already tokenized texts ([`tokenize`]).
pub fn rouge_l_tokens(r: &[String], c: &[String]) -> RougeL {
    score(lcs_len(r, c) as f64, r.len(), c.len())
}

fn score(overlap: f64, reference_len: usize, candidate_len: usize) -> RougeL {
    if reference_len == 0 || candidate_len == 0 {
        return RougeL { precision: 0.0, recall: 0.0, f1: 0.0 };
    }
    let precision = overlap / candidate_len as f64;
    let recall = overlap / reference_len as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    RougeL { precision, recall, f1 }
}

/// ROUGE-1 of `candidate` against `reference` — `rouge_score`'s `_score_ngrams` with n = 1.
pub fn rouge_1(reference: &str, candidate: &str) -> RougeL {
    rouge_1_tokens(&tokenize(reference), &tokenize(candidate))
}

/// [`rouge_1`] of already tokenized texts ([`tokenize`]).
pub fn rouge_1_tokens(r: &[String], c: &[String]) -> RougeL {
    let mut counts = HashMap::<&str, i64>::new();
    for t in r {
        *counts.entry(t).or_default() += 1;
    }
    let mut overlap = 0usize;
    for t in c {
        if let Some(n) = counts.get_mut(t.as_str()).filter(|n| **n > 0) {
            *n -= 1;
            overlap += 1;
        }
    }
    score(overlap as f64, r.len(), c.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_hand_cases() {
        assert_eq!(tokenize("The cats, running!"), ["the", "cat", "run"]);
        // short tokens (≤ 3 chars) are not stemmed; non-ASCII letters are separators
        assert_eq!(tokenize("is was has Zoë's café"), ["is", "was", "has", "zo", "s", "caf"]);
        assert_eq!(tokenize("  --  "), Vec::<String>::new());
        assert_eq!(tokenize("abc123def 4.5"), ["abc123def", "4", "5"]);
    }

    #[test]
    fn lcs_hand_cases() {
        assert_eq!(lcs_len(&[1, 2, 3, 4], &[2, 4, 3]), 2);
        assert_eq!(lcs_len(&[1, 2, 3], &[1, 2, 3]), 3);
        assert_eq!(lcs_len::<u8>(&[], &[1]), 0);
    }

    #[test]
    fn rouge_hand_cases() {
        // target: a b c d (4), prediction: a c d e f (5), LCS = 3 (a c d)
        let s = rouge_l("alpha beta gamma delta", "alpha gamma delta eps zeta");
        assert_eq!(s.recall, 0.75);
        assert_eq!(s.precision, 0.6);
        assert!((s.f1 - 2.0 * 0.75 * 0.6 / 1.35).abs() < 1e-15);
        // stemming makes "runs"/"running" match
        assert_eq!(rouge_l("He runs", "he running").f1, 1.0);
        let empty = rouge_l("", "something");
        assert_eq!((empty.precision, empty.recall, empty.f1), (0.0, 0.0, 0.0));
        assert_eq!(rouge_l("something", "!!!").recall, 0.0);
        assert_eq!(rouge_l("a b", "c d").f1, 0.0);
    }

    #[test]
    fn rouge_1_clips_repeated_words() {
        // reference "the the cat" (3), candidate "the the the dog" (4): overlap min(2,3) = 2
        let s = rouge_1("the the cat", "the the the dog");
        assert_eq!((s.recall, s.precision), (2.0 / 3.0, 0.5));
        // order does not matter for ROUGE-1, it does for ROUGE-L
        assert_eq!(rouge_1("a b c", "c b a").recall, 1.0);
        assert!(rouge_l("alpha beta gamma", "gamma beta alpha").recall < 0.5);
        assert_eq!(rouge_1("", "x").f1, 0.0);
    }

    #[test]
    fn matches_rouge_score_package() {
        // rouge-score 0.1.2 (NLTK 3.10.4 Porter stemmer):
        //   sc = rouge_scorer.RougeScorer(['rougeL'], use_stemmer=True)
        //   s = sc.score(target, prediction)['rougeL']; print(s.precision, s.recall, s.fmeasure)
        // rows: (target, prediction, precision, recall, fmeasure)
        #[rustfmt::skip]
        let rows: &[(&str, &str, f64, f64, f64)] = &[
            ("The author was born in Paris in 1975.", "The author was born in Paris, France in 1975.", 0.8888888888888888, 1.0, 0.9411764705882353),
            ("She writes generously detailed mystery novels.", "Her novels are mysteries written generously.", 0.16666666666666666, 0.16666666666666666, 0.16666666666666666),
            ("Running runners ran and are running happily.", "The runner runs happily; she ran.", 0.5, 0.42857142857142855, 0.4615384615384615),
            ("His father was a relational database engineer.", "His father engineered conditional relations.", 0.6, 0.42857142857142855, 0.5),
            ("", "anything at all", 0.0, 0.0, 0.0),
            ("something", "", 0.0, 0.0, 0.0),
            ("!!! ???", "words here", 0.0, 0.0, 0.0),
            ("a b c d e f g", "g f e d c b a", 0.14285714285714285, 0.14285714285714285, 0.14285714285714285),
            ("the the the the", "the", 1.0, 0.25, 0.4),
            ("Caresses, ponies and ties!", "caress pony tie", 1.0, 0.75, 0.8571428571428571),
            ("Zoë Ångström won the Nobel-prize (2021).", "Zoe Angstrom won a nobel prize in 2021", 0.5, 0.5, 0.5),
            ("I don't know the answer.", "I do not know the answer", 0.6666666666666666, 0.6666666666666666, 0.6666666666666666),
            ("Agreed: agreement agreeing agrees.", "They agreed to the agreements.", 0.4, 0.5, 0.4444444444444445),
            ("The universities' universal university rankings", "University rankings are universal", 0.5, 0.4, 0.4444444444444445),
            ("Her books have been translated into 12 languages.", "Translations of her book exist in twelve languages.", 0.375, 0.375, 0.375),
            ("X", "x", 1.0, 1.0, 1.0),
            ("abc", "abd", 0.0, 0.0, 0.0),
            ("The quick brown fox jumps over the lazy dog", "A quick brown dog jumps over the lazy fox", 0.6666666666666666, 0.6666666666666666, 0.6666666666666666),
            ("Mother's day, father's day & children's day", "mothers fathers children days", 1.0, 0.4444444444444444, 0.6153846153846153),
            ("happiness happily happy happier", "happy", 1.0, 0.25, 0.4),
            ("Generalizations about oscillators are hopeful.", "generalization oscillator hope", 1.0, 0.6, 0.7499999999999999),
            ("In 1990s Tokyo, she published 'Electric Dreams'.", "She published Electric Dreams in Tokyo in the 1990s.", 0.4444444444444444, 0.5714285714285714, 0.5),
            ("tab\tseparated\nnew line", "tab separated new line", 1.0, 1.0, 1.0),
            ("I'm not certain about that.", "I am not certain about that", 0.8333333333333334, 0.8333333333333334, 0.8333333333333334),
            ("The genre of his fiction is historical romance.", "He writes romantic historical fiction.", 0.2, 0.125, 0.15384615384615385),
        ];
        for &(target, prediction, p, r, f) in rows {
            let s = rouge_l(target, prediction);
            let ok = (s.precision - p).abs() <= 1e-9
                && (s.recall - r).abs() <= 1e-9
                && (s.f1 - f).abs() <= 1e-9;
            assert!(ok, "rouge_l({target:?}, {prediction:?}) = {s:?}, rouge_score ({p}, {r}, {f})");
        }
    }
}
