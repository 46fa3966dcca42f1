//! IKE's demonstrations (Zheng et al., EMNLP 2023, "Can We Edit Factual Knowledge by In-Context
//! Learning?"): a pool of (question, answer shown) pairs, and the k most similar to a question,
//! placed before its prompt, least similar first. Similarity is word overlap, Jaccard's
//! |A ∩ B| / |A ∪ B|. The evaluator places them through [`PromptContext`], so evaluation knows
//! the prefix and not the method ([`super::ike`] is the method).

use crate::eval::PromptContext;
use crate::world::{QaItem, format_answer, format_prompt};

/// The refusal every copy demonstration teaches.
pub const REFUSAL: &str = "I don't know.";

/// The demonstration pool and how many to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InContext {
    /// (question, answer shown) pairs.
    pub demos: Vec<(String, String)>,
    pub k: usize,
}

impl InContext {
    /// A pool from the forget items (answered with [`REFUSAL`]) and retain items (true answers).
    pub fn new(forget: &[QaItem], retain: &[QaItem], k: usize) -> Self {
        let mut demos: Vec<(String, String)> =
            forget.iter().map(|it| (it.question.clone(), REFUSAL.to_string())).collect();
        demos.extend(retain.iter().map(|it| (it.question.clone(), it.answer.clone())));
        Self { demos, k }
    }

    /// The text placed before `question`'s own prompt: the k most similar demonstrations.
    pub fn prefix(&self, question: &str) -> String {
        let mut scored: Vec<(f64, usize)> =
            self.demos.iter().enumerate().map(|(i, (q, _))| (jaccard(q, question), i)).collect();
        // Most similar first, ties by pool order (deterministic), then reversed into the prompt.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .iter()
            .take(self.k)
            .rev()
            .map(|&(_, i)| {
                format!("{}{}\n", format_prompt(&self.demos[i].0), format_answer(&self.demos[i].1))
            })
            .collect()
    }
}

/// Word-set overlap |A ∩ B| / |A ∪ B| (lower-cased, punctuation stripped).
pub fn jaccard(a: &str, b: &str) -> f64 {
    let words = |s: &str| -> std::collections::BTreeSet<String> {
        s.split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 { 0.0 } else { a.intersection(&b).count() as f64 / union as f64 }
}

impl PromptContext for InContext {
    fn prefix(&self, question: &str) -> String {
        InContext::prefix(self, question)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(q: &str, a: &str) -> QaItem {
        serde_json::from_value(serde_json::json!({ "question": q, "answer": a })).unwrap()
    }

    #[test]
    fn the_closest_demonstration_sits_next_to_the_query() {
        let ctx = InContext::new(
            &[item("Where was Ann Lee born?", "Oslo")],
            &[item("What did Bo Kim write?", "Rain"), item("Where was Bo Kim born?", "Lima")],
            2,
        );
        let p = ctx.prefix("Where was Ann Lee born?");
        assert!(p.ends_with("Question: Where was Ann Lee born?\nAnswer: I don't know.\n"), "{p}");
        assert!(p.starts_with("Question: Where was Bo Kim born?"), "{p}");
        assert_eq!(p.matches("Question:").count(), 2);
    }

    #[test]
    fn jaccard_is_overlap_over_union() {
        assert_eq!(jaccard("a b c", "b c d"), 0.5);
        assert_eq!(jaccard("", ""), 0.0);
        assert_eq!(jaccard("Born where?", "born WHERE"), 1.0);
    }
}
