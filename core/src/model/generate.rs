//! Text generation: greedy or sampled (temperature, top-k), stopping at EOS.
//!
//! Prompts are grouped by token length so every row of a group decodes in lock-step without
//! padding (the fact world's prompts come in a handful of lengths, so groups are large). Each
//! decode step reads back only the last position's logits, asynchronously; the choice of the
//! next token happens on the host with a seeded RNG, so sampling is reproducible on every backend.

use std::collections::BTreeMap;

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Gpt, GptConfig};
use crate::error::ForgetError;

/// How to pick the next token.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SamplingConfig {
    pub max_new_tokens: usize,
    /// 0 = greedy (argmax); otherwise logits are divided by it before sampling.
    pub temperature: f32,
    /// Keep only the k most likely tokens when sampling (0 = all).
    pub top_k: usize,
    pub seed: u64,
}

impl SamplingConfig {
    pub fn greedy(max_new_tokens: usize) -> Self {
        Self { max_new_tokens, temperature: 0.0, top_k: 0, seed: 0 }
    }
}

/// One generated continuation: its tokens (EOS excluded) and each token's probability under the
/// model when it was chosen (what the playground colours tokens by).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Generation {
    pub tokens: Vec<u32>,
    pub probs: Vec<f32>,
}

/// Continue every prompt (token ids). Results come back in the prompts' order.
pub async fn generate(
    model: &Gpt,
    cfg: &GptConfig,
    prompts: &[Vec<u32>],
    sampling: &SamplingConfig,
    device: &Device,
) -> Result<Vec<Generation>, ForgetError> {
    if sampling.temperature.is_nan() || sampling.temperature < 0.0 {
        return Err(ForgetError::InvalidConfig("temperature must be ≥ 0".into()));
    }
    let mut rng = StdRng::seed_from_u64(sampling.seed);
    let mut out: Vec<Option<Generation>> = vec![None; prompts.len()];
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in prompts.iter().enumerate() {
        groups.entry(p.len()).or_default().push(i);
    }
    for (len, rows) in groups {
        // Prompts longer than the context keep their last tokens.
        let start = len.saturating_sub(cfg.n_positions - 1);
        let mut seqs: Vec<Vec<u32>> = rows.iter().map(|&i| prompts[i][start..].to_vec()).collect();
        let mut gens: Vec<Generation> = vec![Generation { tokens: vec![], probs: vec![] }; rows.len()];
        let mut done = vec![false; rows.len()];
        for _ in 0..sampling.max_new_tokens {
            if done.iter().all(|d| *d) || seqs[0].len() >= cfg.n_positions {
                break;
            }
            let t = seqs[0].len();
            let flat: Vec<i64> = seqs.iter().flat_map(|s| s.iter().map(|&x| x as i64)).collect();
            let ids = Tensor::<2, Int>::from_data(TensorData::new(flat, [seqs.len(), t]), device);
            let logits = model.forward(ids, cfg.n_head);
            let [b, _, v] = logits.dims();
            let last = logits.narrow(1, t - 1, 1).reshape([b, v]);
            let scaled = if sampling.temperature > 0.0 { last / sampling.temperature as f64 } else { last };
            let probs = softmax(scaled, 1)
                .into_data_async()
                .await
                .map_err(|e| ForgetError::Readback(format!("{e:?}")))?
                .try_into_vec_as::<f32>()
                .map_err(|e| ForgetError::Readback(format!("{e:?}")))?;
            for r in 0..b {
                let row = &probs[r * v..(r + 1) * v];
                let next = if done[r] {
                    cfg.eos_token_id
                } else if sampling.temperature == 0.0 {
                    argmax(row)
                } else {
                    sample_top_k(row, sampling.top_k, &mut rng)
                };
                if !done[r] {
                    if next == cfg.eos_token_id {
                        done[r] = true;
                    } else {
                        gens[r].tokens.push(next);
                        gens[r].probs.push(row[next as usize]);
                    }
                }
                seqs[r].push(next);
            }
        }
        for (g, &i) in gens.into_iter().zip(&rows) {
            out[i] = Some(g);
        }
    }
    Ok(out.into_iter().map(|g| g.expect("every prompt belongs to one group")).collect())
}

fn argmax(row: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &p) in row.iter().enumerate() {
        if p > row[best] {
            best = i;
        }
    }
    best as u32
}

fn sample_top_k(row: &[f32], top_k: usize, rng: &mut StdRng) -> u32 {
    let mut idx: Vec<usize> = (0..row.len()).collect();
    if top_k > 0 && top_k < row.len() {
        idx.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
        idx.truncate(top_k);
    }
    let total: f32 = idx.iter().map(|&i| row[i]).sum();
    let mut u = rng.random::<f32>() * total;
    for &i in &idx {
        u -= row[i];
        if u <= 0.0 {
            return i as u32;
        }
    }
    *idx.last().expect("vocabulary is not empty") as u32
}
