//! ULD: Unlearning from Logit Difference — leave the target model alone; train a small
//! *assistant* to remember exactly what must be forgotten (and nothing else), then subtract it.
//!
//! The assistant a is the target's first K blocks (embeddings, blocks 0..K−1, final LayerNorm
//! and tied head copied). It is trained with the *reversed* objectives:
//!
//! L(a) = γ · NLL_mean(a; D_f′) + α · KL(U ‖ p_a; D_r′)
//! KL(U ‖ p_a) at an answer token = Σ_v (1/V)·(log(1/V) − log p_a,v) = −log V − mean_v log p_a,v
//!
//! D_f′ = the forget QAs and their paraphrases (each step picks one form per item); D_r′ = retain
//! QAs and forget questions with a perturbed (wrong) answer, half and half — so the assistant
//! learns the forget answers and is uniform, i.e. uninformative, everywhere else. Both terms are
//! means over answer tokens. Inference uses the target and the assistant together:
//! z = z_target + w·z_assistant behind ULD's relative top filter (see
//! [`crate::model::logit_difference`]): where the assistant is confident (the forget facts) its
//! answer is pushed down; where it is uniform nothing changes.
//!
//! Ji et al., 2024, "Reversing the Forget-Retain Objectives: An Efficient LLM Unlearning
//! Framework from Logit Difference", NeurIPS 2024, arXiv 2406.08607 (`UCSB-NLP-Chang/ULD`:
//! `model/utils.py::init_small_llm`, `forget_losses.py`, `contrastllm.py`).
//! The paper: K = 8 of 32 layers with LoRA (r = 16), w_r = 5, lr 1e-3, 10 epochs; at inference
//! w = −0.8, f = 1e-2. ForgetLab: K = 2 of 4 blocks (`Hyper::assistant_layers`), the whole
//! assistant trained (0.3 M parameters: LoRA buys nothing at this size), w = −0.8, f = 1e-2
//! (`logit_weight`, `top_filter`), and α = 0.5 with lr 3e-3: with the paper's w_r = 5 the
//! uniform term wins everywhere and the assistant forgets the forget answers too (forget05, 100
//! steps: KFR 0.08 at lr 1e-3); with α = 0.5, lr 3e-3 it reaches KFR 0.75, KRR 0.94, retain
//! probability 0.93 — but forget-set generations lose fluency (LS 0.31 → 0.05), because the
//! filtered, re-ranked logits leave odd second choices.
//!
//! Before any training the assistant is the target's first blocks read through the final head
//! (a logit lens), correlated with the target on *everything*: subtracting it at step 0 damages
//! every answer (forget and retain probability ≈ 0.22). Training makes it uniform outside the
//! forget set, and the retain answers come back.
//!
//! The target's weights never change: parameter change and the representation metrics stay at
//! the original model's — the method's point, and its weakness (the knowledge is still in the
//! weights, behind a filter).

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::LossInputs;
use super::data::{Draw, Pair, StepData};
use crate::loss::{batch_nll, nll_mean};
use crate::world::QaItem;

/// One (question, answer) of D_f′: the answer or, half the time, its paraphrase.
pub fn forget_pair(item: &QaItem, rng: &mut StdRng) -> Pair {
    let paraphrase = rng.random_bool(0.5) && !item.paraphrased_answer.is_empty();
    Pair::qa(
        item.question.clone(),
        if paraphrase { item.paraphrased_answer.clone() } else { item.answer.clone() },
    )
}

/// `n` (question, answer) pairs of D_r′: retain QAs and forget questions with a perturbed answer,
/// alternating (all retain when no forget item has perturbed answers).
pub fn retain_pairs(retain: &[QaItem], forget: &[QaItem], n: usize, rng: &mut StdRng) -> Vec<Pair> {
    let perturbed: Vec<(&QaItem, &String)> =
        forget.iter().flat_map(|it| it.perturbed_answer.iter().map(move |a| (it, a))).collect();
    (0..n)
        .filter_map(|i| {
            if i % 2 == 1
                && let Some((it, a)) = perturbed.choose(rng)
            {
                return Some(Pair::qa(it.question.clone(), (*a).clone()));
            }
            retain.choose(rng).map(Pair::of)
        })
        .collect()
}

/// A step: D_f′ pairs for the picked forget items, then D_r′.
pub fn draw(d: &mut Draw) -> StepData {
    let forget = d.picked.iter().map(|&i| forget_pair(&d.forget[i], d.rng)).collect();
    let retain = retain_pairs(d.retain, d.forget, d.batch_size, d.rng);
    StepData { forget, retain, ..StepData::default() }
}

pub fn loss(x: &LossInputs) -> Tensor<1> {
    let forget = nll_mean(batch_nll(x.model, x.forget, x.n_head), x.forget.mask.clone());
    let logits = x.model.forward(x.retain.inputs.clone(), x.n_head);
    let [rows, seq, vocab] = logits.dims();
    // −log V − mean_v log p_v at every position, then the mean over answer tokens.
    let kl = (log_softmax(logits, 2).mean_dim(2).reshape([rows, seq]) + (vocab as f64).ln()).neg();
    let mask = x.retain.mask.clone();
    let uniform = (kl * mask.clone()).sum() / mask.sum().clamp_min(1.0);
    forget * x.hp.forget_weight + uniform * x.hp.retain_weight
}
