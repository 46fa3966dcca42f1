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
use super::in_context::InContext;
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::world::{format_answer, format_prompt};

/// Retain demonstrations in the pool (a seeded sample is taken by the caller).
pub const RETAIN_DEMOS: usize = 32;

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
