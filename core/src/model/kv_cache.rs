//! Incremental decoding with a key/value cache: the prompt is run once ("prefill"), then each new
//! token costs one position's worth of compute instead of re-running the whole sequence.
//!
//! Rows are left-padded to a common length (see [`Gpt::forward_left_padded`]); padding keys are
//! masked and every row's positions start at its first real token, so a cached decode gives the
//! same logits as an unpadded, uncached forward of each row alone (tested).
//!
//! # Shapes
//! - cache per layer: keys and values `[batch, n_head, positions so far, head_dim]`
//! - prefill ids: `[batch, seq]`; decode input: one token per row
//! - returned logits: `[batch, vocab]` (the last position only)

use burn::tensor::{Bool, Device, Int, Tensor, TensorData};

use super::attention::{Attention, left_padded_mask, scaled_dot_product};
use super::gpt::Gpt;
use super::rope::Rope;

/// Keys and values of every layer for a batch being decoded.
pub struct KvCache {
    keys: Vec<Tensor<4>>,
    values: Vec<Tensor<4>>,
    pad: Vec<usize>,
    /// Positions held so far, padding included.
    len: usize,
}

impl KvCache {
    /// Row `r`'s real length: its tokens so far, padding excluded (the position its next token
    /// would take).
    pub fn row_len(&self, r: usize) -> usize {
        self.len - self.pad[r]
    }
}

/// Attention over the cached keys/values plus the new positions in `x` (`[batch, new, n_embd]`).
/// `mask`: `[batch, n_head, new, past + new]`, true = hidden.
/// The cache holds the keys and values of the key/value heads (rotated, for a rotary model), so
/// grouped-query attention caches n_kv_head heads, not n_head.
fn attend(
    attn: &Attention,
    x: Tensor<3>,
    n_head: usize,
    mask: Tensor<4, Bool>,
    past: Option<(Tensor<4>, Tensor<4>)>,
    rope: Option<&Rope>,
) -> (Tensor<3>, Tensor<4>, Tensor<4>) {
    let [b, s, _] = x.dims();
    let (q, k, v) = attn.qkv(x, n_head, rope);
    let (k, v) = match past {
        Some((pk, pv)) => (Tensor::cat(vec![pk, k], 2), Tensor::cat(vec![pv, v], 2)),
        None => (k, v),
    };
    let (k_all, v_all) = (attn.repeat_kv(k.clone(), n_head), attn.repeat_kv(v.clone(), n_head));
    let y = scaled_dot_product(q, k_all, v_all, mask, attn.scale).swap_dims(1, 2).reshape([
        b,
        s,
        n_head * attn.head_dim,
    ]);
    (attn.c_proj.forward(y), k, v)
}

fn bool_mask(
    hidden: Vec<bool>,
    b: usize,
    n_head: usize,
    s: usize,
    t: usize,
    device: &Device,
) -> Tensor<4, Bool> {
    Tensor::<3, Bool>::from_data(TensorData::new(hidden, [b, s, t]), device)
        .reshape([b, 1, s, t])
        .expand([b, n_head, s, t])
}

impl Gpt {
    /// Run left-padded prompts once; returns the last position's logits and the filled cache.
    pub fn prefill(
        &self,
        ids: Tensor<2, Int>,
        pad: &[usize],
        n_head: usize,
    ) -> (Tensor<2>, KvCache) {
        let (h, cache) = self.prefill_hidden(ids, pad, n_head);
        (self.last_logits(h), cache)
    }

    /// [`Gpt::prefill`] returning the last position's final hidden state `[batch, n_embd]`
    /// (after `ln_f`) instead of its logits.
    pub fn prefill_hidden(
        &self,
        ids: Tensor<2, Int>,
        pad: &[usize],
        n_head: usize,
    ) -> (Tensor<2>, KvCache) {
        let [b, t] = ids.dims();
        let device = ids.device();
        let pos: Vec<i64> = (0..b * t).map(|i| (i % t).saturating_sub(pad[i / t]) as i64).collect();
        let mask = bool_mask(left_padded_mask(b, t, pad), b, n_head, t, t, &device);
        let (x, rope) = self.embed(ids, pos);
        let mut cache = KvCache { keys: vec![], values: vec![], pad: pad.to_vec(), len: t };
        let x = self.run_blocks(x, n_head, mask, &mut cache, rope.as_ref());
        (self.last_hidden(x), cache)
    }

    /// Append one token per row and return the logits for the next one.
    pub fn decode_step(
        &self,
        next: &[u32],
        cache: &mut KvCache,
        n_head: usize,
        device: &Device,
    ) -> Tensor<2> {
        let b = next.len();
        let t = cache.len + 1;
        let ids = Tensor::<2, Int>::from_data(
            TensorData::new(next.iter().map(|&x| x as i64).collect::<Vec<_>>(), [b, 1]),
            device,
        );
        // Clamped to the learned positions: only a finished row (whose output is never read) can
        // run past them. Rotary positions have no table to run past.
        let last_position = self.wpe.as_ref().map_or(usize::MAX, |w| w.dims()[0] - 1);
        let pos: Vec<i64> =
            cache.pad.iter().map(|&p| (cache.len - p).min(last_position) as i64).collect();
        let hidden: Vec<bool> = (0..b * t).map(|k| k % t < cache.pad[k / t]).collect();
        let mask = bool_mask(hidden, b, n_head, 1, t, device);
        let (x, rope) = self.embed(ids, pos);
        let x = self.run_blocks(x, n_head, mask, cache, rope.as_ref());
        cache.len = t;
        self.last_logits(self.last_hidden(x))
    }

    /// The blocks, reading and extending the cache; returns the residual stream `[batch, new,
    /// n_embd]`.
    fn run_blocks(
        &self,
        mut x: Tensor<3>,
        n_head: usize,
        mask: Tensor<4, Bool>,
        cache: &mut KvCache,
        rope: Option<&Rope>,
    ) -> Tensor<3> {
        let first = cache.keys.is_empty();
        for (l, block) in self.h.iter().enumerate() {
            let past =
                if first { None } else { Some((cache.keys[l].clone(), cache.values[l].clone())) };
            let (a, k, v) = attend(
                &block.attn,
                block.ln_1.forward(x.clone()),
                n_head,
                mask.clone(),
                past,
                rope,
            );
            if first {
                cache.keys.push(k);
                cache.values.push(v);
            } else {
                cache.keys[l] = k;
                cache.values[l] = v;
            }
            x = x + a;
            x = x.clone() + block.mlp.forward(block.ln_2.forward(x));
        }
        x
    }

    /// The last position's final hidden state: `[batch, new, n_embd]` → `[batch, n_embd]`.
    fn last_hidden(&self, x: Tensor<3>) -> Tensor<2> {
        let [b, s, c] = x.dims();
        self.ln_f.forward(x.narrow(1, s - 1, 1)).reshape([b, c])
    }

    fn last_logits(&self, h: Tensor<2>) -> Tensor<2> {
        let [b, c] = h.dims();
        let logits = self.lm_head(h.reshape([1, b, c]));
        let [_, _, v] = logits.dims();
        logits.reshape([b, v])
    }
}
