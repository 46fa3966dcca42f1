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
//! A chunk of groups goes through four steps: lay the rows out and index the positions and
//! tokens to read (layout.rs, host), one forward pass and one readback ([`Evaluator::tree_chunk`]
//! here, device), then per-group results (decode.rs, host).
//!
//! # Shapes
//! - rows `[groups, T]` (T: the longest question + tree; right-padded); mask `[groups, T, T]`
//! - source hidden states `[sources, n_embd]` → log-probs `[sources, vocab]`
//! - per (source, target) pair: log p `[pairs]`; detailed answers' tokens: `[tokens]` each

mod decode;
mod layout;

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData, Transaction};

use self::decode::{ChunkReadback, ChunkShape, decode};
use self::layout::{ChunkIndex, ChunkRows, TreeRow};
use super::Evaluator;
use super::token_stats::{StatsRequest, TokenStats, run_chunks};
use super::vocab::VocabSoftmax;
use crate::error::ForgetError;
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

    /// One chunk of groups: lay the rows out, index what to read, one forward pass and one
    /// readback, then decode on the host.
    async fn tree_chunk(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        groups: &[PromptGroup],
        rows: &[TreeRow],
        idx: &[usize],
        req: &StatsRequest,
    ) -> Result<(Vec<usize>, Vec<GroupScores>), ForgetError> {
        let eos = self.tokenizer.eos_id();
        let chunk = ChunkRows::new(rows, idx, eos);
        let index =
            ChunkIndex::new(groups, rows, idx, chunk.t, self.config.vocab_size, &req.lens_token);
        let t = chunk.t;
        let back = self.device_pass(model, contrast, chunk, &index, req).await?;
        let shape =
            ChunkShape { idx, rows, t, c: self.config.n_embd, n_layer: self.config.n_layer, eos };
        Ok((idx.to_vec(), decode(&shape, &index, &back)))
    }

    /// The forward pass over a chunk's rows, the LM head at its sources only (for ULD, the
    /// assistant's too, combined), and one asynchronous readback of everything `index` asks for.
    async fn device_pass(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        chunk: ChunkRows,
        index: &ChunkIndex,
        req: &StatsRequest,
    ) -> Result<ChunkReadback, ForgetError> {
        let (c, n_head) = (self.config.n_embd, self.config.n_head);
        let ChunkRows { b, t, ids, positions, hidden } = chunk;
        let device = self.device;
        let int1 = |x: Vec<i64>| {
            let n = x.len();
            Tensor::<1, Int>::from_data(TensorData::new(x, [n]), device)
        };
        let (n_src, n_detail) = (index.src_flat.len(), index.detail_src.len());
        let src_idx = int1(index.src_flat.clone());
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), device);

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
        // At every source, the argmax and its log-probability (greedy decoding's choice; token
        // ids are read back as f32, exact below 2²⁴); for the detailed answers, Min-K%++'s μ and
        // E_p[(log p)²].
        let best = logits.clone().argmax(1).reshape([n_src]).float();
        let vocab = VocabSoftmax::new(logits); // [n_src, V]
        let pair_logp =
            vocab.pair_log_probs(int1(index.pairs.clone()), int1(index.pair_src.clone()));
        let best_logp = vocab.log_p_max.clone().reshape([n_src]);
        let (mu, m2) = vocab.moments(int1(index.detail_src.clone()));
        debug_assert_eq!(mu.dims(), [n_detail]);
        let mut tx = Transaction::default()
            .register(pair_logp)
            .register(best)
            .register(best_logp)
            .register(mu)
            .register(m2);

        let n_layer = per_layer.len();
        if req.pooled_hidden {
            // Mean over each detailed answer's source positions, every layer: an averaging
            // matrix [groups, n_detail] times the gathered states [n_detail, n_embd].
            let mut avg = vec![0f32; b * n_detail];
            let mut start = 0;
            for (r, &n) in index.detail_len.iter().enumerate() {
                for k in start..start + n {
                    avg[r * n_detail + k] = 1.0 / n as f32;
                }
                start += n;
            }
            let avg = Tensor::<2>::from_data(TensorData::new(avg, [b, n_detail]), device);
            let at = int1(index.detail_flat());
            let pooled: Vec<Tensor<2>> = per_layer
                .iter()
                .map(|h| avg.clone().matmul(h.clone().reshape([b * t, c]).select(0, at.clone())))
                .collect();
            tx = tx.register(Tensor::stack::<3>(pooled, 0));
        }
        // Logit lens: the state predicting the detailed answer's lens token, read out per layer.
        let lens_rows = &index.lens_rows;
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
        debug_assert_eq!(pair_logp.len(), index.pairs.len());
        let pooled = if req.pooled_hidden { Some(next()?) } else { None };
        let has_lens = !lens_rows.is_empty();
        let lens_states = if has_lens && req.lens_hidden { Some(next()?) } else { None };
        let lens = if has_lens { next()? } else { vec![] };
        Ok(ChunkReadback { pair_logp, best, best_logp, mu, m2, pooled, lens_states, lens })
    }
}
