//! Text generation: greedy or sampled (temperature, top-k), stopping at EOS.
//!
//! Prompts of different lengths decode together, left-padded (padding masked out, positions
//! per row), so one forward pass serves a whole chunk per new token. Each decode step reads back
//! only the last position's probabilities, asynchronously; the next token is chosen on the host
//! with a seeded RNG, so sampling is reproducible on every backend. A key/value cache
//! ([`super::kv_cache`]) makes each new token cost one position, not the whole sequence.
//!
//! With a [`LogitDifference`] (ULD) the assistant decodes in lock-step with its own cache and
//! every next token is chosen from the combined logits.

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Gpt, GptConfig, LogitDifference};
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
    contrast: Option<&LogitDifference>,
    cfg: &GptConfig,
    prompts: &[Vec<u32>],
    sampling: &SamplingConfig,
    device: &Device,
) -> Result<Vec<Generation>, ForgetError> {
    if sampling.temperature.is_nan() || sampling.temperature < 0.0 {
        return Err(ForgetError::InvalidConfig("temperature must be ≥ 0".into()));
    }
    #[cfg(not(target_arch = "wasm32"))]
    if sampling.temperature == 0.0 && prompts.len() > NATIVE_GREEDY_CHUNK {
        return generate_greedy_in_parallel(model, contrast, cfg, prompts, sampling, device);
    }
    let mut rng = StdRng::seed_from_u64(sampling.seed);
    let mut out = Vec::with_capacity(prompts.len());
    for chunk in prompts.chunks(GENERATE_CHUNK) {
        out.extend(generate_chunk(model, contrast, cfg, chunk, sampling, &mut rng, device).await?);
    }
    Ok(out)
}

/// Rows decoded together: one forward per new token for the whole chunk.
const GENERATE_CHUNK: usize = 256;

/// Natively, greedy decoding (no RNG, rows independent) runs in chunks of this size on every
/// core at once (tasks of rayon's pool). The chunk size is fixed, not derived from the core
/// count, so results do not depend on the machine.
#[cfg(not(target_arch = "wasm32"))]
const NATIVE_GREEDY_CHUNK: usize = 32;

#[cfg(not(target_arch = "wasm32"))]
fn generate_greedy_in_parallel(
    model: &Gpt,
    contrast: Option<&LogitDifference>,
    cfg: &GptConfig,
    prompts: &[Vec<u32>],
    sampling: &SamplingConfig,
    device: &Device,
) -> Result<Vec<Generation>, ForgetError> {
    use rayon::prelude::*;
    let chunks: Vec<&[Vec<u32>]> = prompts.chunks(NATIVE_GREEDY_CHUNK).collect();
    // Tasks of rayon's pool, as evaluation's scoring chunks (see `eval::token_stats::run_chunks`).
    let decoded: Vec<Result<Vec<Generation>, ForgetError>> = chunks
        .par_iter()
        .with_max_len(1)
        .map(|chunk| {
            let mut rng = StdRng::seed_from_u64(sampling.seed); // unused by greedy decoding
            pollster::block_on(generate_chunk(
                model, contrast, cfg, chunk, sampling, &mut rng, device,
            ))
        })
        .collect();
    let mut out = Vec::with_capacity(prompts.len());
    for r in decoded {
        out.extend(r?);
    }
    Ok(out)
}

/// Decode a chunk of prompts in lock-step, left-padded to a common length (padding is masked out
/// and positions restart at each row's first real token, see [`Gpt::prefill`]).
async fn generate_chunk(
    model: &Gpt,
    contrast: Option<&LogitDifference>,
    cfg: &GptConfig,
    prompts: &[Vec<u32>],
    sampling: &SamplingConfig,
    rng: &mut StdRng,
    device: &Device,
) -> Result<Vec<Generation>, ForgetError> {
    // Prompts longer than the context keep their last tokens.
    let seqs: Vec<Vec<u32>> =
        prompts.iter().map(|p| p[p.len().saturating_sub(cfg.n_positions)..].to_vec()).collect();
    let longest = seqs.iter().map(Vec::len).max().unwrap_or(0);
    let pad: Vec<usize> = seqs.iter().map(|s| longest - s.len()).collect();
    let mut gens = vec![Generation { tokens: vec![], probs: vec![] }; seqs.len()];
    let mut done = vec![false; seqs.len()];
    let flat: Vec<i64> = seqs
        .iter()
        .zip(&pad)
        .flat_map(|(s, &p)| {
            std::iter::repeat_n(cfg.eos_token_id as i64, p).chain(s.iter().map(|&x| x as i64))
        })
        .collect();
    let ids = Tensor::<2, Int>::from_data(TensorData::new(flat, [seqs.len(), longest]), device);
    let (mut logits, mut cache) = model.prefill(ids.clone(), &pad, cfg.n_head);
    // ULD's assistant: its rule, its latest logits and its own cache.
    let mut assistant = contrast.map(|c| {
        let (logits, cache) = c.assistant.prefill(ids, &pad, cfg.n_head);
        (c, logits, cache)
    });
    for step in 0..sampling.max_new_tokens {
        let [b, v] = logits.dims();
        if let Some((c, a, _)) = &assistant {
            logits = c.combine(logits, a.clone());
        }
        let scaled =
            if sampling.temperature > 0.0 { logits / sampling.temperature as f64 } else { logits };
        let probs = softmax(scaled, 1)
            .into_data_async()
            .await
            .map_err(|e| ForgetError::Readback(format!("{e:?}")))?
            .try_into_vec_as::<f32>()
            .map_err(|e| ForgetError::Readback(format!("{e:?}")))?;
        let mut next = vec![cfg.eos_token_id; b];
        for r in 0..b {
            if done[r] {
                continue;
            }
            let row = &probs[r * v..(r + 1) * v];
            next[r] = if sampling.temperature == 0.0 {
                argmax(row)
            } else {
                sample_top_k(row, sampling.top_k, rng)
            };
            if next[r] == cfg.eos_token_id {
                done[r] = true;
            } else {
                gens[r].tokens.push(next[r]);
                gens[r].probs.push(row[next[r] as usize]);
                // A row that fills the context keeps this token but cannot feed it.
                done[r] = cache.row_len(r) >= cfg.n_positions;
            }
        }
        // Stop when every row is finished or the budget is spent.
        if done.iter().all(|d| *d) || step + 1 == sampling.max_new_tokens {
            break;
        }
        logits = model.decode_step(&next, &mut cache, cfg.n_head, device);
        if let Some((c, a, a_cache)) = &mut assistant {
            *a = c.assistant.decode_step(&next, a_cache, cfg.n_head, device);
        }
    }
    Ok(gens)
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
