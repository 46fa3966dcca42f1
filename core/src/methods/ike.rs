//! IKE: In-context Knowledge Editing — no weight changes; the evaluated prompt is prefixed with
//! demonstrations retrieved for the question, which show the model the "edited" behaviour.
//!
//! For a query q the prompt is d_1 … d_k q, with d_1 … d_k the k demonstrations most similar to
//! q (least similar first, so the closest sits next to the query). The pool holds two kinds:
//! - **copy / update**: a forget question answered with a refusal ("I don't know.") — the edit;
//! - **retain**: a retain question with its true answer — what must not change.
//!
//! There is no training objective: a step changes nothing, and its reported loss is the forget
//! answers' mean NLL with the demonstrations in the prompt. IKE's own score,
//! 1[P(o*) > P(o_true)], is what the forget metrics measure with the prefix in place.
//! Zheng et al., EMNLP 2023, "Can We Edit Factual Knowledge by In-Context Learning?"
//! (`Zce1112zslx/IKE: icl.py`). Differences: demonstrations use the model's own
//! `Question: … Answer: …` format (the paper's "New Fact: … Prompt: …" means nothing to a model
//! that never saw it); retrieval is word overlap (Jaccard) instead of MiniLM embeddings; and k is
//! small (2 by default) because the default model's context is 64 tokens, not 1024. A model this
//! small has little in-context learning, which is what the method shows on it.

use burn::tensor::Tensor;

use super::LossInputs;
use super::data::{Pair, Prepared, Sources};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::world::{QaItem, format_answer, format_prompt};

/// The refusal every copy demonstration teaches.
pub const REFUSAL: &str = "I don't know.";

/// Retain demonstrations in the pool (a seeded sample is taken by the caller).
pub const RETAIN_DEMOS: usize = 32;

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

/// The forget answers' mean NLL with the demonstrations in the prompt (the run builds the forget
/// batch with the prefix). Nothing is trained.
/// IKE's pool: each forget question after its demonstrations (a seeded sample of
/// [`RETAIN_DEMOS`] retain items and the forget items' refusals), with its true answer — the
/// loss a step reports is the answer's NLL under the edited prompt.
pub fn prepare(s: &Sources) -> Result<Prepared, ForgetError> {
    let retain = super::data::seeded_subset(s.retain.to_vec(), RETAIN_DEMOS, 6);
    let ctx = InContext::new(s.forget, &retain, s.hyper.demos);
    let pool = s
        .forget
        .iter()
        .map(|it| {
            let prompt = format!("{}{}", ctx.prefix(&it.question), format_prompt(&it.question));
            Pair::formatted(prompt, format_answer(&it.answer))
        })
        .collect();
    Ok(Prepared { pool, in_context: Some(ctx), ..Prepared::default() })
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone())
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
