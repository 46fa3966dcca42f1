//! Answer-tree scoring: every answer an item is scored on — the true answer, the paraphrased one
//! and the perturbed ones of the truth ratio — continues the *same* question, and most of them
//! share their first tokens ("Brisa Tolliver was born in …" five times over, with a different
//! town at the end). So each item becomes one row: its question, then the prefix tree (trie) of
//! its answers' tokens, each distinct prefix computed once.
//!
//! ```text
//! row        Q₀ Q₁ … Q_P-1 │ Brisa Tolliver was born in │ Bright water . │ Ember Cove . │ …
//! position   0  1  … P-1   │ P     P+1    …              │ P+5    P+6 …   │ P+5   P+6 …  │
//! attends    causal        │ the question and its own ancestors in the tree, nothing else
//! ```
//!
//! A node sits at position P + depth and attends to the question and to its ancestors only
//! (tree attention, as in speculative decoding's token trees), so it gets exactly the hidden
//! state it would get in its answer's own row (tested against [`Evaluator::token_stats`] and
//! [`Evaluator::avg_nll`]). Answer token i is predicted from the node of its first i tokens (the
//! question's last position for i = 0); only those distinct *source* positions go through the LM
//! head and the vocabulary softmax. On the default model's forget10 item set this computes
//! about half the positions that one row per answer would.
//!
//! The first answer of a group is its *detailed* answer: besides its NLL it gets the per-token
//! statistics of [`TokenStats`] (memorization, membership inference, representation metrics).
//!
//! # Shapes
//! - rows `[groups, T]` (T: the longest question + tree; right-padded); mask `[groups, T, T]`
//! - source hidden states `[sources, n_embd]` → log-probs `[sources, vocab]`
//! - per (source, target) pair: log p `[pairs]`; detailed answers' tokens: `[tokens]` each

use std::collections::HashMap;

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData, Transaction};

use super::Evaluator;
use super::token_stats::{StatsRequest, TokenStats, run_chunks};
use super::vocab::VocabSoftmax;
use crate::error::ForgetError;
use crate::metrics::mia::min_k_pp_z;
use crate::model::{Gpt, LogitDifference};

/// Groups per forward pass: natively one chunk per thread at a time, and small — a chunk's
/// activations (≈ 250 positions × 256 floats) then stay in the core's L2 cache from op to op:
/// 4 groups per chunk score forget10's evaluation sets in ≈ 25 % less time than 16 or 32.
/// In the browser, chunks run one after the other, and fewer, larger ones amortise dispatch.
#[cfg(not(target_arch = "wasm32"))]
const GROUPS: usize = 4;
#[cfg(target_arch = "wasm32")]
const GROUPS: usize = 4;

/// One question and its answers, tokenized (each answer ends with EOS, as in `Example`).
/// `answers[0]` is the detailed answer.
#[derive(Clone, Debug)]
pub struct PromptGroup {
    pub prompt: Vec<u32>,
    pub answers: Vec<Vec<u32>>,
}

/// What one group's row yields.
#[derive(Clone, Debug, Default)]
pub struct GroupScores {
    /// Per-token statistics of `answers[0]`.
    pub detail: TokenStats,
    /// Mean answer-token NLL of every answer, in the group's order.
    pub nll: Vec<f64>,
    /// Greedy decoding as far as the tree knows it (see [`super::greedy`]): from the question's
    /// last position, the most likely token and its probability, then the same at that token's
    /// node, and so on — until the argmax is EOS or a token no answer continues with (the last
    /// pair then is that token, which greedy decoding continues after).
    pub greedy: Vec<(u32, f32)>,
}

/// A group laid out as one row: the question's tokens, then one token per trie node.
struct TreeRow {
    ids: Vec<u32>,
    positions: Vec<usize>,
    /// Per row index: the row index of its parent (prompt tokens: the previous one; first: none).
    parent: Vec<Option<usize>>,
    /// Per answer: the row index whose hidden state predicts each of its tokens.
    sources: Vec<Vec<usize>>,
    /// (row index, token) → the row index of that child node.
    children: HashMap<(usize, u32), usize>,
}

impl TreeRow {
    fn new(g: &PromptGroup) -> Result<Self, ForgetError> {
        let p = g.prompt.len();
        if p == 0 {
            return Err(ForgetError::InvalidConfig("a question encodes to no tokens".into()));
        }
        let mut ids = g.prompt.clone();
        let mut positions: Vec<usize> = (0..p).collect();
        let mut parent: Vec<Option<usize>> = (0..p).map(|i| i.checked_sub(1)).collect();
        let mut children: HashMap<(usize, u32), usize> = HashMap::new();
        let mut sources = Vec::with_capacity(g.answers.len());
        for answer in &g.answers {
            let mut at = p - 1;
            let mut src = Vec::with_capacity(answer.len());
            for (i, &tok) in answer.iter().enumerate() {
                src.push(at);
                if i + 1 == answer.len() {
                    break; // the last token (EOS) is a target only
                }
                at = *children.entry((at, tok)).or_insert_with(|| {
                    ids.push(tok);
                    positions.push(positions[at] + 1);
                    parent.push(Some(at));
                    ids.len() - 1
                });
            }
            sources.push(src);
        }
        Ok(Self { ids, positions, parent, sources, children })
    }

    /// Row indices that row index `i` attends to: itself and its ancestors (for a prompt token,
    /// every earlier prompt token).
    fn visible(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(i), |&j| self.parent[j])
    }
}

impl Evaluator<'_> {
    /// Score every group's answers (see the module docs): per group, the detailed answer's token
    /// statistics and every answer's mean NLL. With a `contrast` (ULD), through its combination
    /// of the model's and the assistant's logits. `req.lens_token` is indexed by group.
    pub async fn score_groups(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        groups: &[PromptGroup],
        req: &StatsRequest,
    ) -> Result<Vec<GroupScores>, ForgetError> {
        let rows = groups.iter().map(TreeRow::new).collect::<Result<Vec<_>, _>>()?;
        let mut order: Vec<usize> = (0..groups.len()).collect();
        // Longest rows first: the last chunks to start are the short ones, so threads finish
        // together.
        order.sort_by_key(|&g| std::cmp::Reverse(rows[g].ids.len()));
        let chunks: Vec<Vec<usize>> = order.chunks(GROUPS).map(<[usize]>::to_vec).collect();
        let mut out = vec![GroupScores::default(); groups.len()];
        let results = run_chunks!(self, chunks, |idx: &[usize]| self
            .tree_chunk(model, contrast, groups, &rows, idx, req));
        for (idx, scores) in results? {
            for (g, s) in idx.into_iter().zip(scores) {
                out[g] = s;
            }
        }
        Ok(out)
    }

    async fn tree_chunk(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        groups: &[PromptGroup],
        rows: &[TreeRow],
        idx: &[usize],
        req: &StatsRequest,
    ) -> Result<(Vec<usize>, Vec<GroupScores>), ForgetError> {
        let (c, v, n_head) = (self.config.n_embd, self.config.vocab_size, self.config.n_head);
        let eos = self.tokenizer.eos_id();
        let b = idx.len();
        let t = idx.iter().map(|&g| rows[g].ids.len()).max().unwrap_or(1);
        // 1. The rows: ids, positions and the tree mask (true = key hidden). Padding positions
        //    attend to themselves only and are never read.
        let mut ids = vec![eos as i64; b * t];
        let mut positions = vec![0i64; b * t];
        let mut hidden = vec![true; b * t * t];
        for (r, &g) in idx.iter().enumerate() {
            let row = &rows[g];
            for i in 0..t {
                if i < row.ids.len() {
                    ids[r * t + i] = row.ids[i] as i64;
                    positions[r * t + i] = row.positions[i] as i64;
                    for j in row.visible(i) {
                        hidden[(r * t + i) * t + j] = false;
                    }
                } else {
                    hidden[(r * t + i) * t + i] = false;
                }
            }
        }
        // 2. Distinct source positions, and distinct (source, target) pairs to read log p of.
        let mut src_flat: Vec<i64> = Vec::new();
        let mut src_id: HashMap<usize, usize> = HashMap::new();
        let mut pair_id: HashMap<(usize, u32), usize> = HashMap::new();
        let (mut pairs, mut pair_src): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
        // Per group, per answer: the pair of each token.
        let mut answer_pairs: Vec<Vec<Vec<usize>>> = Vec::with_capacity(b);
        // The detailed answers' tokens, chunk-wide: (source id, target), and each group's count.
        let (mut detail_src, mut detail_tgt, mut detail_len) =
            (Vec::new(), Vec::new(), Vec::with_capacity(b));
        for (r, &g) in idx.iter().enumerate() {
            let mut per_answer = Vec::with_capacity(groups[g].answers.len());
            for (k, (answer, sources)) in groups[g].answers.iter().zip(&rows[g].sources).enumerate()
            {
                let mut ps = Vec::with_capacity(answer.len());
                for (&tok, &i) in answer.iter().zip(sources) {
                    let flat = r * t + i;
                    let s = *src_id.entry(flat).or_insert_with(|| {
                        src_flat.push(flat as i64);
                        src_flat.len() - 1
                    });
                    ps.push(*pair_id.entry((s, tok)).or_insert_with(|| {
                        pairs.push((s * v + tok as usize) as i64);
                        pair_src.push(s as i64);
                        pairs.len() - 1
                    }));
                    if k == 0 {
                        detail_src.push(s as i64);
                        detail_tgt.push(tok as i64);
                    }
                }
                per_answer.push(ps);
            }
            detail_len.push(per_answer.first().map_or(0, Vec::len));
            answer_pairs.push(per_answer);
        }
        let device = self.device;
        let int1 = |x: Vec<i64>| {
            let n = x.len();
            Tensor::<1, Int>::from_data(TensorData::new(x, [n]), device)
        };
        let (n_src, n_pairs, n_detail) = (src_flat.len(), pairs.len(), detail_src.len());
        let src_idx = int1(src_flat.clone());
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), device);

        // 3. The forward pass, and the LM head at the source positions only (for ULD, the
        //    assistant's too, combined).
        let (h, per_layer) =
            model.forward_masked_hidden(ids.clone(), positions.clone(), hidden.clone(), n_head);
        let at_sources = |m: &Gpt, h: Tensor<3>| {
            m.lm_head(h.reshape([b * t, c]).select(0, src_idx.clone()).unsqueeze_dim::<3>(0))
                .squeeze_dim::<2>(0)
        };
        let mut logits = at_sources(model, h);
        if let Some(contrast) = contrast {
            let (h_a, _) = contrast.assistant.forward_masked_hidden(ids, positions, hidden, n_head);
            logits = contrast.combine(logits, at_sources(&contrast.assistant, h_a));
        }
        let best = logits.clone().argmax(1).reshape([n_src]).float();
        let vocab = VocabSoftmax::new(logits); // [n_src, V]
        let pair_logp = vocab.pair_log_probs(int1(pairs), int1(pair_src));

        // 4. At every source, the argmax and its log-probability (greedy decoding's choice;
        //    token ids are read back as f32, exact below 2²⁴); for the detailed answers,
        //    Min-K%++'s μ and E_p[(log p)²].
        let best_logp = vocab.log_p_max.clone().reshape([n_src]);
        let (mu, m2) = vocab.moments(int1(detail_src.clone()));
        debug_assert_eq!(mu.dims(), [n_detail]);
        let mut tx = Transaction::default()
            .register(pair_logp)
            .register(best)
            .register(best_logp)
            .register(mu)
            .register(m2);

        // The detailed answers' source positions in the flattened rows.
        let detail_flat: Vec<i64> = detail_src.iter().map(|&s| src_flat[s as usize]).collect();
        let n_layer = per_layer.len();
        if req.pooled_hidden {
            // Mean over each detailed answer's source positions, every layer: an averaging
            // matrix [groups, n_detail] times the gathered states [n_detail, n_embd].
            let mut avg = vec![0f32; b * n_detail];
            let mut start = 0;
            for (r, &n) in detail_len.iter().enumerate() {
                for k in start..start + n {
                    avg[r * n_detail + k] = 1.0 / n as f32;
                }
                start += n;
            }
            let avg = Tensor::<2>::from_data(TensorData::new(avg, [b, n_detail]), device);
            let at = int1(detail_flat.clone());
            let pooled: Vec<Tensor<2>> = per_layer
                .iter()
                .map(|h| avg.clone().matmul(h.clone().reshape([b * t, c]).select(0, at.clone())))
                .collect();
            tx = tx.register(Tensor::stack::<3>(pooled, 0));
        }
        // Logit lens: the state predicting the detailed answer's lens token, read out per layer.
        let mut lens_rows: Vec<(usize, i64, i64)> = Vec::new(); // (group in chunk, flat position, token)
        let mut start = 0;
        for (r, &g) in idx.iter().enumerate() {
            if let Some(k) = req.lens_token.get(g).copied().flatten()
                && k < detail_len[r]
            {
                lens_rows.push((r, detail_flat[start + k], detail_tgt[start + k]));
            }
            start += detail_len[r];
        }
        if !lens_rows.is_empty() {
            let n = lens_rows.len();
            let at = int1(lens_rows.iter().map(|l| l.1).collect());
            let picked: Vec<Tensor<2>> = per_layer
                .iter()
                .map(|h| h.clone().reshape([b * t, c]).select(0, at.clone()))
                .collect();
            let states = Tensor::cat(picked, 0); // [L·n, C]
            if req.lens_hidden {
                tx = tx.register(states.clone());
            }
            let stacked = states.reshape([1, n_layer * n, c]);
            let read = log_softmax(model.lm_head(model.ln_f.forward(stacked)), 2); // [1, L·n, V]
            let tok = int1((0..n_layer).flat_map(|_| lens_rows.iter().map(|l| l.2)).collect())
                .reshape([1, n_layer * n, 1]);
            tx = tx.register(read.gather(2, tok).reshape([n_layer * n]));
        }

        // 5. One asynchronous readback, then per-group results on the host.
        let mut data = tx
            .execute_async()
            .await
            .map_err(|e| ForgetError::Readback(format!("{e:?}")))?
            .into_iter();
        let mut next = || -> Result<Vec<f32>, ForgetError> {
            data.next()
                .ok_or_else(|| ForgetError::Readback("missing readback".into()))?
                .try_into_vec_as::<f32>()
                .map_err(|e| ForgetError::Readback(format!("{e:?}")))
        };
        let (pair_logp, best, best_logp, mu, m2) = (next()?, next()?, next()?, next()?, next()?);
        debug_assert_eq!(pair_logp.len(), n_pairs);
        let pooled = if req.pooled_hidden { next()? } else { vec![] };
        let lens_states = if !lens_rows.is_empty() && req.lens_hidden { next()? } else { vec![] };
        let lens = if lens_rows.is_empty() { vec![] } else { next()? };

        let mut out = Vec::with_capacity(b);
        let mut start = 0;
        for (r, per_answer) in answer_pairs.iter().enumerate() {
            let nll = per_answer
                .iter()
                .map(|ps| {
                    -ps.iter().map(|&p| pair_logp[p] as f64).sum::<f64>() / ps.len().max(1) as f64
                })
                .collect();
            let span = start..start + detail_len[r];
            start = span.end;
            let logp: Vec<f64> = per_answer
                .first()
                .map_or(vec![], |ps| ps.iter().map(|&p| pair_logp[p] as f64).collect());
            let mut detail = TokenStats {
                z: span
                    .clone()
                    .zip(&logp)
                    .map(|(k, &lp)| min_k_pp_z(lp, mu[k] as f64, m2[k] as f64))
                    .collect(),
                logp,
                argmax_hit: span
                    .clone()
                    .map(|k| best[detail_src[k] as usize] as i64 == detail_tgt[k])
                    .collect(),
                mu: span.clone().map(|k| mu[k] as f64).collect(),
                second_moment: span.map(|k| m2[k] as f64).collect(),
                ..Default::default()
            };
            if req.pooled_hidden {
                detail.pooled_hidden = (0..n_layer)
                    .map(|l| pooled[(l * b + r) * c..(l * b + r + 1) * c].to_vec())
                    .collect();
            }
            if let Some(i) = lens_rows.iter().position(|l| l.0 == r) {
                let n = lens_rows.len();
                detail.lens = (0..n_layer).map(|l| (lens[l * n + i] as f64).exp()).collect();
                if req.lens_hidden {
                    detail.lens_hidden = (0..n_layer)
                        .map(|l| lens_states[(l * n + i) * c..(l * n + i + 1) * c].to_vec())
                        .collect();
                }
            }
            // The greedy walk down this group's tree.
            let row = &rows[idx[r]];
            let mut greedy = Vec::new();
            let mut at = groups[idx[r]].prompt.len() - 1;
            while let Some(&s) = src_id.get(&(r * t + at)) {
                let tok = best[s] as u32;
                greedy.push((tok, best_logp[s].exp()));
                match row.children.get(&(at, tok)) {
                    Some(&child) if tok != eos && src_id.contains_key(&(r * t + child)) => {
                        at = child
                    }
                    _ => break,
                }
            }
            out.push(GroupScores { detail, nll, greedy });
        }
        Ok((idx.to_vec(), out))
    }
}
