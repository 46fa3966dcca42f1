//! Random-label fine-tuning: fine-tune on the forget questions with their answers replaced by
//! random answers of the same type.
//!
//! L(θ) = NLL_mean({(x_i, ỹ_i)}),  ỹ_i ~ Uniform(alternative answers of x_i's kind), redrawn
//! every step
//!
//! Zhang, Choshen, Andreas, 2024, "Unforgettable Generalization in Language Models", COLM 2024,
//! arXiv 2409.02228: random-label fine-tuning on one task, then measuring how far forgetting
//! spreads to held-out examples of the same kind and to other kinds. In the fact world the
//! "kind" is the attribute (birthplace, birth year, books, …); the replacement answers are the
//! same sentence with another entity of that kind.

use burn::tensor::Tensor;
use rand::Rng;
use rand::rngs::StdRng;

use super::LossInputs;
use super::data::{Draw, Pair, StepData};
use crate::loss::{batch_nll, nll_mean};
use crate::world::QaItem;

/// The forget questions paired with a random same-kind answer (falls back to the perturbed
/// answers, then to the answer itself for items imported without alternatives).
pub fn relabel(items: &[QaItem], rng: &mut StdRng) -> Vec<Pair> {
    items
        .iter()
        .map(|it| {
            let pool = if !it.alternative_answers.is_empty() {
                &it.alternative_answers
            } else {
                &it.perturbed_answer
            };
            // A user's own fact has no same-kind wrong answers: borrow another item's answer, and
            // with nothing to borrow, a fixed wrong answer (never the true one: that would teach
            // it).
            let others: Vec<&String> =
                items.iter().map(|o| &o.answer).filter(|a| **a != it.answer).collect();
            let answer = if !pool.is_empty() {
                pool[rng.random_range(0..pool.len())].clone()
            } else if !others.is_empty() {
                others[rng.random_range(0..others.len())].clone()
            } else {
                "Nobody knows.".to_string()
            };
            Pair::qa(it.question.clone(), answer)
        })
        .collect()
}

/// A step: the picked forget questions with fresh random answers (no retain term: the retain
/// sample is drawn only to keep a seed's data order method-independent).
pub fn draw(d: &mut Draw) -> StepData {
    let forget = relabel(&d.picked_items(), d.rng);
    let retain = d.retain_sample();
    StepData { forget, retain, ..StepData::default() }
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone())
}
