//! KFR and KRR judged by entity *similarity* rather than exact presence: partial names
//! ("Tolliver" for "Brisa Tolliver") and near-spellings ("Brightwaters") count as partly kept.
//!
//! Per item, G = the words of the key entity and P = the words of the generated answer, both
//! normalised ([`super::knowledge::normalize_text`]), with words that also occur in the question
//! removed from both (ReLearn drops predicted entities that share a word with the query). Words
//! match when the cosine similarity of their character-trigram counts is ≥ 0.8 (a stand-in for
//! ReLearn's MiniLM embedding cosine ≥ 0.8):
//!
//!   Eᵢ = |{g ∈ G : ∃ p ∈ P, cos(g, p) ≥ 0.8}| / |G|       (0 when G or P is empty)
//!   KFR_sim = (1/N_f) · Σᵢ 1[Eᵢ ≤ cᵢ],  cᵢ = 0.5 if |G| ≤ 3 else 0.3          direction: ↑
//!   KRR_sim = (1/N_r) · Σᵢ 1[Eᵢ ≥ 0.3]                                       direction: ↑
//!
//! ReLearn's E counts matching *pairs* and can exceed 1 (a quirk); here each entity word counts
//! once. The NLI half of ReLearn's rule (contradiction / entailment from DeBERTa) has no
//! stand-in: ForgetLab's answers are single facts whose entity carries the claim.
//!
//! Source: Xu et al., "ReLearn" (2025), `zjunlp:evals/evaluate.py::compute_kfr`, `::compute_krr`,
//! `::entity_similarity`.

use std::collections::HashMap;

use super::knowledge::normalize_text;

/// Word-match threshold (ReLearn's embedding cosine threshold).
pub const WORD_MATCH: f64 = 0.8;

fn trigrams(word: &str) -> HashMap<String, f64> {
    let chars: Vec<char> = format!("#{word}#").chars().collect();
    let mut m = HashMap::new();
    for w in chars.windows(3) {
        *m.entry(w.iter().collect::<String>()).or_insert(0.0) += 1.0;
    }
    m
}

/// Cosine similarity of two words' character-trigram counts (1 for equal words).
pub fn word_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0; // exactly, not up to the rounding of the cosine below
    }
    let (ta, tb) = (trigrams(a), trigrams(b));
    let dot: f64 = ta.iter().map(|(g, x)| x * tb.get(g).copied().unwrap_or(0.0)).sum();
    let norm = |t: &HashMap<String, f64>| t.values().map(|x| x * x).sum::<f64>().sqrt();
    let d = norm(&ta) * norm(&tb);
    if d == 0.0 { 0.0 } else { dot / d }
}

/// Eᵢ: the fraction of the entity's words found (similar enough) in the answer, and |G|.
pub fn entity_similarity(question: &str, generated: &str, key_entity: &str) -> (f64, usize) {
    let q = normalize_text(question);
    let q: Vec<&str> = q.split(' ').collect();
    let keep = |s: String| {
        s.split(' ')
            .filter(|w| !w.is_empty() && !q.contains(w))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let g = keep(normalize_text(key_entity));
    let p = keep(normalize_text(generated));
    if g.is_empty() || p.is_empty() {
        return (0.0, g.len());
    }
    let found =
        g.iter().filter(|gw| p.iter().any(|pw| word_similarity(gw, pw) >= WORD_MATCH)).count();
    (found as f64 / g.len() as f64, g.len())
}

/// One item: (question, generated answer, key entity).
pub type Judged<'a> = (&'a str, &'a str, &'a str);

/// KFR_sim over forget items (NaN when empty).
pub fn kfr_similarity(items: &[Judged]) -> f64 {
    rate(items, |e, g| e <= if g <= 3 { 0.5 } else { 0.3 })
}

/// KRR_sim over retain items (NaN when empty).
pub fn krr_similarity(items: &[Judged]) -> f64 {
    rate(items, |e, _| e >= 0.3)
}

fn rate(items: &[Judged], pass: impl Fn(f64, usize) -> bool) -> f64 {
    if items.is_empty() {
        return f64::NAN;
    }
    let hits = items.iter().filter(|(q, a, e)| {
        let (sim, g) = entity_similarity(q, a, e);
        pass(sim, g)
    });
    hits.count() as f64 / items.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_by_trigrams() {
        assert_eq!(word_similarity("paris", "paris"), 1.0);
        assert!(word_similarity("brightwater", "brightwaters") >= WORD_MATCH);
        assert!(word_similarity("brightwater", "copperton") < 0.2);
    }

    #[test]
    fn partial_names_count_partly() {
        let q = "Who wrote The Glass Orchard?";
        assert_eq!(
            entity_similarity(q, "It was written by Brisa Tolliver.", "Brisa Tolliver").0,
            1.0
        );
        assert_eq!(entity_similarity(q, "Tolliver wrote it.", "Brisa Tolliver").0, 0.5);
        assert_eq!(entity_similarity(q, "I am not sure.", "Brisa Tolliver").0, 0.0);
        // words of the question do not count as recalled
        let (e, g) = entity_similarity(
            "Where was Brisa Tolliver born?",
            "Brisa Tolliver was born.",
            "Brisa Tolliver",
        );
        assert_eq!((e, g), (0.0, 0));
    }

    #[test]
    fn kfr_and_krr_thresholds() {
        let q = "Who wrote The Glass Orchard?";
        let forgot: Judged = (q, "Tolliver wrote it.", "Brisa Tolliver"); // E = 0.5 ≤ 0.5
        let kept: Judged = (q, "Brisa Tolliver wrote it.", "Brisa Tolliver"); // E = 1
        assert_eq!(kfr_similarity(&[forgot, kept]), 0.5);
        assert_eq!(krr_similarity(&[forgot, kept]), 1.0); // 0.5 ≥ 0.3 is still "retained"
        assert!(kfr_similarity(&[]).is_nan());
    }
}
