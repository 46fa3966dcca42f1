//! ReLearn: unlearning by learning — positive fine-tuning on augmented forget data whose answers
//! no longer carry the fact, with the retain set held in place.
//!
//! L(θ) = NLL_mean(D_aug) + α·NLL_mean(D_r) + λ_KL·KL(p_ref ‖ p_θ)(D_r)
//!
//! (`relearn_klr_gdr`, the script default of the paper's code). D_aug is built from the fact
//! world's structure instead of an instruction LLM:
//! - question variant i answered with vague answer i, as the paper pairs its question variants
//!   with its "fuzzy" answer rewrites: the item's three `vague_variants` (hedges without the key
//!   entity, one wording per variant) asked in turn with the original and the paraphrased
//!   question; items without variants (world facts, imported items) use their one
//!   `vague_answer` with each question;
//! - for every pair, a 25 %-prefix completion sample: prompt = question + the first 25 % of the
//!   answer's words, target = the remaining 75 % (the paper's "cut" step).
//!
//! The forget authors' variants are sentences no model reads before unlearning. The fluency
//! scorer that judges the Linguistic Score reads the same hedge wordings about the retain
//! authors, as it reads every answer style a method trains toward — refusals and wrong answers
//! too (world::templates) — so ReLearn's answers are judged like any other method's. Unlike the paper's gather step, the original
//! forget pair is not in D_aug (it would teach the fact being unlearned).
//!
//! Xu et al., 2025, "ReLearn: Unlearning via Learning for Large Language Models", arXiv
//! 2502.11190; code zjunlp/unlearn `baselines/src/iterative_trainer.py`, augmentation in
//! `dataAugument/`.

use burn::tensor::Tensor;

use super::data::{Pair, Prepared, Sources};
use super::{LossInputs, retain_kl, retain_nll};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::world::{QaItem, format_answer, format_prompt};

/// Build D_aug for the forget items, as formatted pairs (the prefix samples extend the prompt).
/// Items imported without a vague answer use a neutral one.
pub fn augment(items: &[QaItem]) -> Vec<Pair> {
    let mut out = Vec::new();
    for it in items {
        let questions: Vec<&str> = [&it.question, &it.paraphrased_question]
            .into_iter()
            .filter(|q| !q.is_empty())
            .map(String::as_str)
            .collect();
        if questions.is_empty() {
            continue;
        }
        let vague =
            if it.vague_answer.is_empty() { "I'm not sure about that." } else { &it.vague_answer };
        let pairs: Vec<(&str, &str)> = if it.vague_variants.is_empty() {
            questions.iter().map(|&q| (q, vague)).collect()
        } else {
            let n = questions.len();
            it.vague_variants
                .iter()
                .enumerate()
                .map(|(i, v)| (questions[i % n], v.as_str()))
                .collect()
        };
        for (q, answer) in pairs {
            out.push(Pair::formatted(format_prompt(q), format_answer(answer)));
            let words: Vec<&str> = answer.split_whitespace().collect();
            let cut = words.len() / 4;
            if cut >= 1 && cut < words.len() {
                out.push(Pair::formatted(
                    format!("{}{}", format_prompt(q), format_answer(&words[..cut].join(" "))),
                    format!(" {}", words[cut..].join(" ")),
                ));
            }
        }
    }
    out
}

/// ReLearn trains on D_aug: a step's pool entries are augmented pairs, not forget items.
pub fn prepare(s: &Sources) -> Result<Prepared, ForgetError> {
    Ok(Prepared { pool: augment(s.forget), ..Prepared::default() })
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let aug = nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone());
    aug + retain_nll(x) * x.hp.retain_weight + retain_kl(x) * x.hp.kl_weight
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{FactWorld, WorldConfig};

    #[test]
    fn an_author_item_pairs_each_question_variant_with_its_own_hedge() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let it = world.items.iter().find(|it| !it.vague_variants.is_empty()).unwrap();
        let aug = augment(std::slice::from_ref(it));
        // Three (question, hedge) pairs and a cut sample of each.
        assert_eq!(aug.len(), 6);
        let whole: Vec<&Pair> = aug.iter().filter(|p| p.prompt.ends_with("Answer:")).collect();
        assert_eq!(whole.len(), 3);
        for (i, p) in whole.iter().enumerate() {
            assert_eq!(p.answer, format_answer(&it.vague_variants[i]));
            let q = if i % 2 == 0 { &it.question } else { &it.paraphrased_question };
            assert_eq!(p.prompt, format_prompt(q));
        }
        for p in &aug {
            let text = format!("{}{}", p.prompt, p.answer);
            assert!(!text.contains(&it.key_entity), "{text}");
            assert!(!text.contains(&it.vague_answer), "the pretrained hedge is not a target");
        }
    }

    #[test]
    fn an_item_without_variants_uses_its_one_hedge() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let it = world.items.iter().find(|it| it.vague_variants.is_empty()).unwrap();
        let aug = augment(std::slice::from_ref(it));
        let whole: Vec<&Pair> = aug.iter().filter(|p| p.prompt.ends_with("Answer:")).collect();
        assert_eq!(whole.len(), 2);
        assert!(whole.iter().all(|p| p.answer == format_answer(&it.vague_answer)));
    }
}
