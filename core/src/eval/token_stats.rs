//! The scoring passes: one forward pass per chunk of (prompt, answer) examples, reduced on the
//! device to the few numbers the metrics need, and read back asynchronously in one transaction.
//!
//! Two kinds of pass:
//! - [`Evaluator::avg_nll`]: one number per row, the mean answer-token NLL (probability, truth
//!   ratio, perplexity) — for paraphrased and perturbed answers, which need nothing else;
//! - [`Evaluator::token_stats`]: per answer token, log p(y_t), whether the argmax is y_t, and
//!   Min-K%++'s μ_t and E_p[(log p)²]; optionally each layer's mean answer hidden state and
//!   logit-lens readouts — for the true answers, which feed memorization, MIA and
//!   representation metrics too.
//!
//! # Shapes
//! - logits, log-probs: `[batch, seq, vocab]`; per-token reductions `[batch, seq]`
//! - pooled hidden states: `[n_layer, batch, n_embd]`

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData, Transaction};

use super::Evaluator;
use super::vocab::VocabSoftmax;
use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::model::{Gpt, LogitDifference};

/// Rows per forward pass when scoring. Natively, small enough that the chunks keep two cores
/// evenly busy; in the browser (one chunk after the other) large enough to amortise dispatch and
/// small enough for a tab's memory.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const SCORE_CHUNK: usize = 32;
#[cfg(target_arch = "wasm32")]
pub(crate) const SCORE_CHUNK: usize = 128;

/// Per answer token (labeled positions, EOS target last) of one example.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenStats {
    /// log p(y_t | x, y_<t).
    pub logp: Vec<f64>,
    /// argmax_v p(v | x, y_<t) == y_t.
    pub argmax_hit: Vec<bool>,
    /// Min-K%++ z-score of y_t (from `mu` and `second_moment`).
    pub z: Vec<f64>,
    /// μ_t = Σ_v p_v log p_v.
    pub mu: Vec<f64>,
    /// Σ_v p_v (log p_v)².
    pub second_moment: Vec<f64>,
    /// Mean answer hidden state after each block (when asked for): `[n_layer][n_embd]`.
    pub pooled_hidden: Vec<Vec<f32>>,
    /// Logit lens (when asked for): p(lens token) read out after each block.
    pub lens: Vec<f64>,
    /// The hidden state after each block at the lens position (when asked for: the linear
    /// probe's features, metrics::probe): `[n_layer][n_embd]`.
    pub lens_hidden: Vec<Vec<f32>>,
}

impl TokenStats {
    /// Mean answer-token NLL.
    pub fn avg_nll(&self) -> f64 {
        -self.logp.iter().sum::<f64>() / self.logp.len().max(1) as f64
    }
}

/// What to compute beyond the per-token numbers.
#[derive(Clone, Debug, Default)]
pub struct StatsRequest {
    pub pooled_hidden: bool,
    /// Per example: the answer-token index whose probability the logit lens reads (None: skip).
    pub lens_token: Vec<Option<usize>>,
    /// Also return the hidden states at the lens positions (answer trees only).
    pub lens_hidden: bool,
}

/// Score chunks: natively on every core at once, in the browser one after the other.
/// Evaluates to `Result<Vec<T>, ForgetError>` in chunk order.
///
/// Natively the chunks are tasks of rayon's pool — the pool the CPU backend already runs its
/// own parallel kernels on (matmuls, softmax, layer norm). A chunk's kernels then share the
/// cores with the other chunks by work stealing; with threads of our own beside that pool, both
/// pools' threads fought for two cores (a quarter of the evaluation time went to the scheduler).
/// One task per chunk (`with_max_len(1)`), so a core that finishes early takes the next chunk.
macro_rules! run_chunks {
    ($self:ident, $chunks:expr, |$idx:ident: &[usize]| $call:expr) => {{
        #[cfg(not(target_arch = "wasm32"))]
        let results = {
            use rayon::prelude::*;
            let chunks: Vec<Vec<usize>> = $chunks;
            let scored: Vec<Result<_, ForgetError>> = chunks
                .par_iter()
                .with_max_len(1)
                .map(|c| {
                    let $idx: &[usize] = c.as_slice();
                    pollster::block_on($call)
                })
                .collect();
            scored.into_iter().collect::<Result<Vec<_>, ForgetError>>()
        };
        #[cfg(target_arch = "wasm32")]
        let results = {
            let mut out = Vec::new();
            for c in $chunks {
                let $idx: &[usize] = &c;
                out.push($call.await);
            }
            out.into_iter().collect::<Result<Vec<_>, ForgetError>>()
        };
        results
    }};
}

pub(crate) use run_chunks;

/// Example indices in scoring chunks of similar length: sorted by length, so a chunk's rows pad
/// to nearly the same size (about a third fewer positions to compute than in input order).
fn length_sorted_chunks(examples: &[Example]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(examples[i].len())); // longest first: threads finish together
    order.chunks(SCORE_CHUNK).map(<[usize]>::to_vec).collect()
}

fn readback_err(e: impl std::fmt::Debug) -> ForgetError {
    ForgetError::Readback(format!("{e:?}"))
}

impl Evaluator<'_> {
    /// Mean answer-token NLL of `model` for each (prompt, continuation) example.
    pub async fn avg_nll(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        examples: &[Example],
    ) -> Result<Vec<f64>, ForgetError> {
        let mut out = vec![f64::NAN; examples.len()];
        let chunks = length_sorted_chunks(examples);
        let results = run_chunks!(self, chunks, |idx: &[usize]| self
            .chunk_nll(model, contrast, examples, idx));
        for (idx, nll) in results? {
            for (i, v) in idx.into_iter().zip(nll) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    async fn chunk_nll(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        examples: &[Example],
        idx: &[usize],
    ) -> Result<(Vec<usize>, Vec<f64>), ForgetError> {
        let chunk: Vec<Example> = idx.iter().map(|&i| examples[i].clone()).collect();
        let batch = Batch::new(&chunk, self.tokenizer.eos_id(), self.device);
        let (h, _) = model.forward_hidden(batch.inputs.clone(), self.config.n_head);
        let (positions, logits, targets) = self.labeled_logits(model, contrast, h, &chunk, &batch);
        let logp = VocabSoftmax::new(logits).target_log_probs(targets);
        let logp = crate::host::read_f32(logp).await?;
        let mut sums = vec![0.0f64; chunk.len()];
        for (&(r, _), lp) in positions.iter().zip(&logp) {
            sums[r] -= *lp as f64;
        }
        Ok((
            idx.to_vec(),
            sums.iter().zip(&chunk).map(|(s, e)| s / e.answer.len().max(1) as f64).collect(),
        ))
    }

    /// The LM head at the labeled (answer) positions only — about half of a batch's positions,
    /// and the vocabulary-wide softmax there is the costliest step of scoring.
    /// Returns ((row, position) per labeled token, logits `[n, vocab]`, targets `[n]`). With a
    /// `contrast` (ULD) the logits are its combination of the model's and the assistant's.
    fn labeled_logits(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        h: Tensor<3>,
        chunk: &[Example],
        batch: &Batch,
    ) -> (Vec<(usize, usize)>, Tensor<2>, Tensor<1, Int>) {
        let [b, t, c] = h.dims();
        let positions: Vec<(usize, usize)> = chunk
            .iter()
            .enumerate()
            .flat_map(|(r, e)| (e.prompt.len().saturating_sub(1)..e.len() - 1).map(move |j| (r, j)))
            .collect();
        let flat: Vec<i64> = positions.iter().map(|(r, j)| (r * t + j) as i64).collect();
        let idx =
            Tensor::<1, Int>::from_data(TensorData::new(flat, [positions.len()]), self.device);
        let picked = h.reshape([b * t, c]).select(0, idx.clone());
        let mut logits = model.lm_head(picked.unsqueeze_dim::<3>(0)).squeeze_dim::<2>(0);
        if let Some(contrast) = contrast {
            let (h_a, _) =
                contrast.assistant.forward_hidden(batch.inputs.clone(), self.config.n_head);
            let picked_a = h_a.reshape([b * t, c]).select(0, idx.clone());
            logits = contrast.combine(
                logits,
                contrast.assistant.lm_head(picked_a.unsqueeze_dim::<3>(0)).squeeze_dim::<2>(0),
            );
        }
        let targets = batch.targets.clone().reshape([b * t]).select(0, idx);
        (positions, logits, targets)
    }

    /// Per-token statistics of `model` on each example (see the module docs).
    pub async fn token_stats(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        examples: &[Example],
        req: &StatsRequest,
    ) -> Result<Vec<TokenStats>, ForgetError> {
        let mut out = vec![TokenStats::default(); examples.len()];
        let chunks = length_sorted_chunks(examples);
        let results = run_chunks!(self, chunks, |idx: &[usize]| self
            .chunk_stats(model, contrast, examples, idx, req));
        for (idx, stats) in results? {
            for (i, s) in idx.into_iter().zip(stats) {
                out[i] = s;
            }
        }
        Ok(out)
    }

    async fn chunk_stats(
        &self,
        model: &Gpt,
        contrast: Option<&LogitDifference>,
        examples: &[Example],
        idx: &[usize],
        req: &StatsRequest,
    ) -> Result<(Vec<usize>, Vec<TokenStats>), ForgetError> {
        let chunk: Vec<Example> = idx.iter().map(|&i| examples[i].clone()).collect();
        let lens: Vec<Option<usize>> =
            idx.iter().map(|&i| req.lens_token.get(i).copied().flatten()).collect();
        let (pooled, chunk) = (req.pooled_hidden, &chunk[..]);
        let batch = Batch::new(chunk, self.tokenizer.eos_id(), self.device);
        let [b, t] = batch.inputs.dims();
        let (h_final, per_layer) = model.forward_hidden(batch.inputs.clone(), self.config.n_head);
        let (positions, logits, targets) =
            self.labeled_logits(model, contrast, h_final, chunk, &batch);
        let n = positions.len();
        let hit = logits.clone().argmax(1).reshape([n]).equal(targets.clone()).float();
        let vocab = VocabSoftmax::new(logits);
        let logp = vocab.target_log_probs(targets);
        let (mu, m2) = vocab.moments_all();
        let mut tx = Transaction::default().register(logp).register(hit).register(mu).register(m2);

        let n_layer = per_layer.len();
        if pooled {
            // Mean over answer positions: Σ_t h·mask / Σ_t mask, for every layer at once.
            let mask = batch.mask.clone().unsqueeze_dim::<3>(2);
            let count = batch.mask.clone().sum_dim(1).clamp_min(1.0); // [b, 1]
            let pooled: Vec<Tensor<2>> = per_layer
                .iter()
                .map(|h| {
                    (h.clone() * mask.clone()).sum_dim(1).reshape([b, self.config.n_embd])
                        / count.clone()
                })
                .collect();
            tx = tx.register(Tensor::stack::<3>(pooled, 0));
        }
        // Logit lens: the hidden state at the position predicting the lens token, every layer.
        let lens_rows: Vec<(usize, usize, u32)> = lens
            .iter()
            .enumerate()
            .filter_map(|(r, k)| {
                let k = (*k)?;
                let e = &chunk[r];
                let pos = e.prompt.len() + k; // position whose target is answer token k
                (pos >= 1 && k < e.answer.len()).then(|| (r, pos - 1, e.answer[k]))
            })
            .collect();
        if !lens_rows.is_empty() {
            let idx: Vec<i64> = lens_rows.iter().map(|(r, pos, _)| (r * t + pos) as i64).collect();
            let idx =
                Tensor::<1, Int>::from_data(TensorData::new(idx, [lens_rows.len()]), self.device);
            let picked: Vec<Tensor<2>> = per_layer
                .iter()
                .map(|h| h.clone().reshape([b * t, self.config.n_embd]).select(0, idx.clone()))
                .collect();
            let n = lens_rows.len();
            let stacked = Tensor::cat(picked, 0).reshape([1, n_layer * n, self.config.n_embd]);
            let read = log_softmax(model.lm_head(model.ln_f.forward(stacked)), 2); // [1, L·n, V]
            let tok: Vec<i64> = (0..n_layer)
                .flat_map(|_| lens_rows.iter().map(|(_, _, tok)| *tok as i64))
                .collect();
            let tok = Tensor::<1, Int>::from_data(TensorData::new(tok, [n_layer * n]), self.device)
                .reshape([1, n_layer * n, 1]);
            tx = tx.register(read.gather(2, tok).reshape([n_layer * n]));
        }

        let mut data = tx.execute_async().await.map_err(readback_err)?.into_iter();
        let mut next = || -> Result<Vec<f32>, ForgetError> {
            data.next()
                .ok_or_else(|| readback_err("missing readback"))?
                .try_into_vec_as::<f32>()
                .map_err(readback_err)
        };
        let (logp, hit, mu, m2) = (next()?, next()?, next()?, next()?);
        let pooled_data = if pooled { next()? } else { vec![] };
        let lens_data = if lens_rows.is_empty() { vec![] } else { next()? };

        let mut out = Vec::with_capacity(chunk.len());
        let mut start = 0;
        for (r, e) in chunk.iter().enumerate() {
            // This row's labeled positions are the next `answer.len()` entries of `positions`.
            let rows = start..start + e.answer.len();
            start = rows.end;
            debug_assert!(positions[rows.clone()].iter().all(|(row, _)| *row == r));
            let at = |v: &[f32], k: usize| v[k] as f64;
            let mut s = TokenStats {
                logp: rows.clone().map(|k| at(&logp, k)).collect(),
                argmax_hit: rows.clone().map(|k| at(&hit, k) > 0.5).collect(),
                z: rows
                    .clone()
                    .map(|k| crate::metrics::mia::min_k_pp_z(at(&logp, k), at(&mu, k), at(&m2, k)))
                    .collect(),
                mu: rows.clone().map(|k| at(&mu, k)).collect(),
                second_moment: rows.map(|k| at(&m2, k)).collect(),
                ..Default::default()
            };
            if pooled {
                let c = self.config.n_embd;
                s.pooled_hidden = (0..n_layer)
                    .map(|l| pooled_data[(l * b + r) * c..(l * b + r + 1) * c].to_vec())
                    .collect();
            }
            if let Some(i) = lens_rows.iter().position(|(row, _, _)| *row == r) {
                let n = lens_rows.len();
                s.lens = (0..n_layer).map(|l| (lens_data[l * n + i] as f64).exp()).collect();
            }
            out.push(s);
        }
        Ok((idx.to_vec(), out))
    }
}
