//! Shared-prompt scoring: the truth ratio needs the NLL of several answers (the paraphrased one
//! and 3–5 perturbed ones) to the *same* question. Instead of one row per answer, which runs the
//! question through the model once per answer, one row holds the question once followed by every
//! answer, and the attention mask keeps the answers from seeing each other:
//!
//! ```text
//! tokens     Question: … Answer:  | a₁ a₁ a₁ | a₂ a₂ | a₃ a₃ a₃ …     (answers without their EOS)
//! positions  0 1 … P−1            | P P+1 …  | P P+1 | P P+1 …       (each answer starts at P)
//! attends to the prompt (causal)  | prompt + its own earlier tokens
//! ```
//!
//! so each answer token gets exactly the logits it would get in its own row (tested against
//! [`Evaluator::avg_nll`]). The first token of every answer is predicted from the prompt's last
//! position, the others from the previous token of the same answer; only those positions go
//! through the LM head. For TOFU's 1 + 5 answers this is about 40 % fewer positions.
//!
//! # Shapes
//! - row: `[P + Σₖ (|aₖ| − 1)]` tokens; mask `[batch, seq, seq]`
//! - gathered hidden states `[predictions, n_embd]` → log-probs of the targets `[predictions]`

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData};

use super::Evaluator;
use super::token_stats::run_chunks;
use crate::error::ForgetError;
use crate::model::Gpt;

/// Items per forward pass (each row is a whole item: its prompt and all its answers).
const ROWS: usize = 48;

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
    pub async fn avg_nll_shared_prompt(&self, model: &Gpt, groups: &[PromptGroup]) -> Result<Vec<Vec<f64>>, ForgetError> {
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&g| groups[g].row_len());
        let chunks: Vec<Vec<usize>> = order.chunks(ROWS).map(<[usize]>::to_vec).collect();
        let mut out = vec![vec![]; groups.len()];
        let results = run_chunks!(self, chunks, |idx: &[usize]| self.shared_prompt_chunk(model, groups, idx));
        for (idx, nll) in results? {
            for (g, v) in idx.into_iter().zip(nll) {
                out[g] = v;
            }
        }
        Ok(out)
    }

    async fn shared_prompt_chunk(&self, model: &Gpt, groups: &[PromptGroup], idx: &[usize]) -> Result<(Vec<usize>, Vec<Vec<f64>>), ForgetError> {
        let t = idx.iter().map(|&g| groups[g].row_len()).max().unwrap_or(1).max(1);
        let b = idx.len();
        let pad = self.tokenizer.eos_id() as i64;
        let (mut ids, mut pos, mut hidden) = (vec![pad; b * t], vec![0i64; b * t], vec![true; b * t * t]);
        // (flat source position, target token, row, answer) for every scored token.
        let mut preds: Vec<(i64, i64, usize, usize)> = Vec::new();
        for (r, &g) in idx.iter().enumerate() {
            let group = &groups[g];
            let p = group.prompt.len();
            // segment[i]: 0 for the prompt, k + 1 for answer k, usize::MAX for padding.
            let mut segment = vec![usize::MAX; t];
            for (i, &tok) in group.prompt.iter().enumerate() {
                ids[r * t + i] = tok as i64;
                pos[r * t + i] = i as i64;
                segment[i] = 0;
            }
            let mut at = p;
            for (k, answer) in group.answers.iter().enumerate() {
                for (i, &tok) in answer.iter().enumerate() {
                    let source = if i == 0 { p - 1 } else { at + i - 1 };
                    preds.push(((r * t + source) as i64, tok as i64, r, k));
                }
                for (i, &tok) in answer[..answer.len() - 1].iter().enumerate() {
                    ids[r * t + at + i] = tok as i64;
                    pos[r * t + at + i] = (p + i) as i64;
                    segment[at + i] = k + 1;
                }
                at += answer.len() - 1;
            }
            for q in 0..t {
                for j in 0..=q {
                    // Padding queries see the prompt only (any non-empty set avoids a 0/0 softmax).
                    let visible = segment[j] == 0 || (segment[j] == segment[q] && segment[q] != usize::MAX);
                    hidden[(r * t + q) * t + j] = !visible;
                }
            }
        }
        let n = preds.len();
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), self.device);
        let h = model.forward_masked(ids, pos, hidden, self.config.n_head);
        let sources = Tensor::<1, Int>::from_data(TensorData::new(preds.iter().map(|p| p.0).collect::<Vec<_>>(), [n]), self.device);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(preds.iter().map(|p| p.1).collect::<Vec<_>>(), [n]), self.device);
        let picked = h.reshape([b * t, self.config.n_embd]).select(0, sources);
        let logits = model.lm_head(picked.unsqueeze_dim::<3>(0)).squeeze_dim::<2>(0);
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
