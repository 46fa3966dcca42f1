//! Shared-prompt scoring: the truth ratio needs the NLL of several answers (the paraphrased one
//! and 3–5 perturbed ones) to the *same* question. Instead of one row per answer, which runs the
//! question through the model once per answer, each question runs once and its keys and values
//! are cached ([`Gpt::prefill_hidden`]); then every answer is a short row continuing its question
//! from that cache ([`Gpt::continue_prompts`]):
//!
//! ```text
//! questions   Question: … Answer:            (left-padded; cached)
//! answer rows a₁ a₁ a₁ | a₂ a₂ | a₃ a₃ a₃ …  (without their EOS; positions P, P+1, …)
//! ```
//!
//! so each answer token gets exactly the logits it would get in its own row (tested against
//! [`Evaluator::avg_nll`]) while the question's positions are computed once and every answer
//! token attends over its question and its own answer only. The first token of every answer is
//! predicted from the question's last position, the others from the previous token of the same
//! answer; only those positions go through the LM head.
//!
//! # Shapes
//! - questions `[items, P]`; answer rows `[items · answers, s]`
//! - gathered hidden states `[predictions, n_embd]` → log-probs of the targets `[predictions]`

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData};

use super::Evaluator;
use super::token_stats::run_chunks;
use crate::error::ForgetError;
use crate::model::{Gpt, LogitDifference};

/// Questions per chunk: natively one chunk per thread at a time, small enough that two cores get
/// balanced work on a few hundred items; in the browser, chunks run one after the other.
#[cfg(not(target_arch = "wasm32"))]
const ROWS: usize = 16;
#[cfg(target_arch = "wasm32")]
const ROWS: usize = 48;

/// Answer rows per forward pass within a chunk: rows of similar length run together.
const ANSWER_ROWS: usize = 32;

/// One question and its answers, tokenized (each answer ends with EOS, as in `Example`).
#[derive(Clone, Debug)]
pub struct PromptGroup {
    pub prompt: Vec<u32>,
    pub answers: Vec<Vec<u32>>,
}

impl PromptGroup {
    fn row_len(&self) -> usize {
        self.prompt.len() + self.answers.iter().map(|a| a.len().saturating_sub(1)).sum::<usize>()
    }
}

impl Evaluator<'_> {
    /// Mean answer-token NLL of every answer of every group: `out[g][k]` for group g, answer k.
    /// With a `contrast` (ULD), through its combination of the model's and the assistant's logits.
    pub async fn avg_nll_shared_prompt(&self, model: &Gpt, contrast: Option<&LogitDifference>, groups: &[PromptGroup]) -> Result<Vec<Vec<f64>>, ForgetError> {
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&g| groups[g].row_len());
        let chunks: Vec<Vec<usize>> = order.chunks(ROWS).map(<[usize]>::to_vec).collect();
        let mut out = vec![vec![]; groups.len()];
        let results = run_chunks!(self, chunks, |idx: &[usize]| self.shared_prompt_chunk(model, contrast, groups, idx));
        for (idx, nll) in results? {
            for (g, v) in idx.into_iter().zip(nll) {
                out[g] = v;
            }
        }
        Ok(out)
    }

    async fn shared_prompt_chunk(&self, model: &Gpt, contrast: Option<&LogitDifference>, groups: &[PromptGroup], idx: &[usize]) -> Result<(Vec<usize>, Vec<Vec<f64>>), ForgetError> {
        let eos = self.tokenizer.eos_id() as i64;
        let c = self.config.n_embd;
        // 1. Every question once, left-padded: the last position predicts every answer's first token.
        let p = idx.iter().map(|&g| groups[g].prompt.len()).max().unwrap_or(1).max(1);
        let pad: Vec<usize> = idx.iter().map(|&g| p - groups[g].prompt.len()).collect();
        let prompts: Vec<i64> = idx.iter().zip(&pad).flat_map(|(&g, &k)| std::iter::repeat_n(eos, k).chain(groups[g].prompt.iter().map(|&x| x as i64))).collect();
        let prompts = Tensor::<2, Int>::from_data(TensorData::new(prompts, [idx.len(), p]), self.device);
        // 2. One row per answer (without its EOS), continuing its question from the cache; rows
        //    sorted by length and run in sub-batches of similar length, so little is padding.
        let b = idx.len();
        let mut rows: Vec<(usize, usize)> = idx.iter().enumerate().flat_map(|(r, &g)| (0..groups[g].answers.len()).map(move |k| (r, k))).collect();
        let fed = |&(r, k): &(usize, usize)| groups[idx[r]].answers[k].len().saturating_sub(1);
        rows.sort_by_key(fed);
        // (hidden-state index, target token, row in chunk, answer) for every scored token: index r
        // is question r's last position, the rest follow sub-batch by sub-batch, row-major.
        let mut preds: Vec<(i64, i64, usize, usize)> = Vec::new();
        // Per sub-batch: (question of each row, answer tokens fed `[rows, s]`).
        let mut subs: Vec<(Vec<usize>, Tensor<2, Int>)> = Vec::new();
        let mut offset = b;
        for sub in rows.chunks(ANSWER_ROWS) {
            let s = sub.iter().map(fed).max().unwrap_or(0).max(1);
            let mut ids = vec![eos; sub.len() * s];
            for (n, &(r, k)) in sub.iter().enumerate() {
                let answer = &groups[idx[r]].answers[k];
                for (i, &tok) in answer.iter().enumerate() {
                    let source = if i == 0 { r } else { offset + n * s + i - 1 };
                    preds.push((source as i64, tok as i64, r, k));
                    if i + 1 < answer.len() {
                        ids[n * s + i] = tok as i64;
                    }
                }
            }
            let prompt_of: Vec<usize> = sub.iter().map(|&(r, _)| r).collect();
            subs.push((prompt_of, Tensor::<2, Int>::from_data(TensorData::new(ids, [sub.len(), s]), self.device)));
            offset += sub.len() * s;
        }
        // 3. The LM head at the scored positions only (for ULD, the assistant's too, combined).
        let n = preds.len();
        let sources = Tensor::<1, Int>::from_data(TensorData::new(preds.iter().map(|p| p.0).collect::<Vec<_>>(), [n]), self.device);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(preds.iter().map(|p| p.1).collect::<Vec<_>>(), [n]), self.device);
        let scored_logits = |m: &Gpt| -> Tensor<2> {
            let (last, cache) = m.prefill_hidden(prompts.clone(), &pad, self.config.n_head);
            let mut hidden = vec![last];
            for (prompt_of, ids) in &subs {
                let [rows, s] = ids.dims();
                hidden.push(m.continue_prompts(&cache, prompt_of, ids.clone(), self.config.n_head).reshape([rows * s, c]));
            }
            m.lm_head(Tensor::cat(hidden, 0).select(0, sources.clone()).unsqueeze_dim::<3>(0)).squeeze_dim::<2>(0)
        };
        let logits = match contrast {
            Some(contrast) => contrast.combine(scored_logits(model), scored_logits(&contrast.assistant)),
            None => scored_logits(model),
        };
        let logp = log_softmax(logits, 1).gather(1, targets.unsqueeze_dim::<2>(1)).reshape([n]);
        let logp = super::read_f32(logp).await?;

        let mut sums: Vec<Vec<f64>> = idx.iter().map(|&g| vec![0.0; groups[g].answers.len()]).collect();
        for ((_, _, r, k), lp) in preds.iter().zip(&logp) {
            sums[*r][*k] -= *lp as f64;
        }
        let avg = sums.into_iter().zip(idx).map(|(s, &g)| s.into_iter().zip(&groups[g].answers).map(|(x, a)| x / a.len().max(1) as f64).collect()).collect();
        Ok((idx.to_vec(), avg))
    }
}
