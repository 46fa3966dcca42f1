//! IdkPO ("I don't know" preference optimisation, TOFU's `idk`): fine-tune the forget questions
//! toward a refusal, keep the retain answers.
//!
//! L(θ) = γ · NLL_mean({(x_i, r_i)}) + α · NLL_mean(D_r),   r_i ~ Uniform(refusals), redrawn
//! every step
//!
//! Maini, Feng, Schwarzschild, Lipton, Kolter, 2024, "TOFU: A Task of Fictitious Unlearning for
//! LLMs" (`idk` forget loss; `tofu:dataloader.py`), open-unlearning's `QAwithIdkDataset` and its
//! IDK lines. The model learns to say it does not know — it forgets the fact's
//! *expression*, which the metrics of hidden states and the relearning attack can tell apart from
//! forgetting the fact.

use burn::tensor::Tensor;
use rand::Rng;
use rand::rngs::StdRng;

use super::data::{Draw, Pair, StepData};
use super::{LossInputs, retain_nll};
use crate::loss::{batch_nll, nll_mean};

pub use crate::world::templates::REFUSALS;

/// A random refusal for each question.
pub fn refusals<'a>(questions: impl IntoIterator<Item = &'a str>, rng: &mut StdRng) -> Vec<Pair> {
    questions
        .into_iter()
        .map(|q| Pair::qa(q, REFUSALS[rng.random_range(0..REFUSALS.len())]))
        .collect()
}

/// IdkPO's step: the picked forget questions with a fresh refusal each, and retain items.
pub fn draw(d: &mut Draw) -> StepData {
    let forget = refusals(d.picked.iter().map(|&i| d.forget[i].question.as_str()), d.rng);
    let retain = d.retain_sample();
    StepData { forget, retain, ..StepData::default() }
}

/// The plain step plus a refusal for each forget question, row for row: the preferred answers
/// of IdkDPO and FLAT.
pub fn draw_with_refusals(d: &mut Draw) -> StepData {
    let mut step = super::data::draw_plain(d);
    step.preferred = Some(refusals(step.forget.iter().map(|p| p.prompt.as_str()), d.rng));
    step
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let forget = nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone());
    forget * x.hp.forget_weight + retain_nll(x) * x.hp.retain_weight
}

#[cfg(test)]
mod tests {
    use crate::pretrain::{tokenizer_corpus, training_examples_without};
    use crate::tokenizer::Tokenizer;
    use crate::world::{FactWorld, WorldConfig};

    #[test]
    fn no_refusal_is_in_pretraining() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let tok = Tokenizer::train(&tokenizer_corpus(&world), 400).unwrap();
        let examples =
            training_examples_without(&world, &tok, 128, false, &Default::default()).unwrap();
        let texts: Vec<String> = examples
            .iter()
            .map(|ex| tok.decode(&[ex.prompt.clone(), ex.answer.clone()].concat()).unwrap())
            .collect();
        assert!(!texts.is_empty());
        for refusal in super::REFUSALS {
            assert!(
                !texts.iter().any(|t| t.contains(refusal)),
                "IdkPO's refusal '{refusal}' is in pretraining"
            );
        }
    }
}
