//! ReLearn: unlearning by learning — positive fine-tuning on augmented forget data whose answers
//! no longer carry the fact, with the retain set held in place.
//!
//! L(θ) = NLL_mean(D_aug) + α·NLL_mean(D_r) + λ_KL·KL(p_ref ‖ p_θ)(D_r)
//!
//! (`relearn_klr_gdr`, the script default of the paper's code). D_aug is built from the fact
//! world's structure instead of an instruction LLM:
//! - the original and the paraphrased question, each answered with the item's *vague* answer
//!   (the key entity replaced by a non-committal phrase);
//! - 25 %-prefix completion samples: prompt = question + the first 25 % of the vague answer's
//!   words, target = the remaining 75 % (the paper's "cut" step).
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
        let vague =
            if it.vague_answer.is_empty() { "I'm not sure about that." } else { &it.vague_answer };
        for q in [&it.question, &it.paraphrased_question].into_iter().filter(|q| !q.is_empty()) {
            out.push(Pair::formatted(format_prompt(q), format_answer(vague)));
        }
        let words: Vec<&str> = vague.split_whitespace().collect();
        let cut = words.len() / 4;
        if cut >= 1 && cut < words.len() {
            out.push(Pair::formatted(
                format!(
                    "{}{}",
                    format_prompt(&it.question),
                    format_answer(&words[..cut].join(" "))
                ),
                format!(" {}", words[cut..].join(" ")),
            ));
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
