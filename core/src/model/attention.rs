//! Causal self-attention for every family: GPT-2's (all heads their own keys and values) and
//! grouped-query attention (Ainslie et al. 2023: n_kv_head ≤ n_head key/value heads, each shared
//! by n_head / n_kv_head query heads), with rotary positions applied to queries and keys when the
//! model has them ([`super::rope`]), and the masks the forward passes use.
//!
//!   attention(x) = softmax(scale · q kᵀ + mask) v,  q, k, v from `c_attn` side by side
//!
//! # Shapes
//! - x: `[batch, seq, n_embd]`
//! - q: `[batch, n_head, seq, head_dim]`; k, v: `[batch, n_kv_head, seq, head_dim]`
//! - mask: `[batch, n_head, seq_q, seq_kv]`, true = hidden

use burn::module::Module;
use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Device, Tensor, TensorData};

use super::projection::Projection;
use super::rope::Rope;

/// Causal multi-head self-attention with GPT-2's fused `c_attn` (q, k, v side by side).
#[derive(Module, Debug)]
pub struct Attention {
    pub c_attn: Projection,
    pub c_proj: Projection,
    /// What the scores q·kᵀ are multiplied by ([`GptConfig::attn_scale`]: 1/√head_dim, and
    /// 1/(layer + 1) with `scale_attn_by_inverse_layer_idx`).
    pub scale: f64,
    /// Key/value heads (n_head in GPT-2; fewer with grouped-query attention).
    pub n_kv_head: usize,
    pub head_dim: usize,
}

impl Attention {
    /// `x`: `[batch, seq, n_embd]`, `mask`: `[batch, n_head, seq, seq]` (true = hidden) → same
    /// shape as x.
    pub(crate) fn forward(
        &self,
        x: Tensor<3>,
        n_head: usize,
        mask: Tensor<4, Bool>,
        rope: Option<&Rope>,
    ) -> Tensor<3> {
        let [b, t, _] = x.dims();
        let (q, k, v) = self.qkv(x, n_head, rope);
        let (k, v) = (self.repeat_kv(k, n_head), self.repeat_kv(v, n_head));
        let y = scaled_dot_product(q, k, v, mask, self.scale).swap_dims(1, 2).reshape([
            b,
            t,
            n_head * self.head_dim,
        ]);
        self.c_proj.forward(y)
    }

    /// Queries `[batch, n_head, seq, head_dim]`, keys and values `[batch, n_kv_head, seq,
    /// head_dim]` of `x` `[batch, seq, n_embd]`, rotated by `rope` when the model has one.
    pub(crate) fn qkv(
        &self,
        x: Tensor<3>,
        n_head: usize,
        rope: Option<&Rope>,
    ) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let [b, t, _] = x.dims();
        let (hd, kv) = (self.head_dim, self.n_kv_head);
        let qkv = self.c_attn.forward(x);
        let part = |start: usize, heads: usize| {
            qkv.clone().narrow(2, start * hd, heads * hd).reshape([b, t, heads, hd]).swap_dims(1, 2)
        };
        let (q, k, v) = (part(0, n_head), part(n_head, kv), part(n_head + kv, kv));
        match rope {
            Some(rope) => (rope.apply(q), rope.apply(k), v),
            None => (q, k, v),
        }
    }

    /// Each key/value head repeated for the n_head / n_kv_head query heads that share it:
    /// `[batch, n_kv_head, seq, head_dim]` → `[batch, n_head, seq, head_dim]` (transformers'
    /// `repeat_kv`: head h reads kv head h / group).
    pub(crate) fn repeat_kv(&self, x: Tensor<4>, n_head: usize) -> Tensor<4> {
        if self.n_kv_head == n_head {
            return x;
        }
        let [b, kv, t, hd] = x.dims();
        x.unsqueeze_dim::<5>(2).expand([b, kv, n_head / kv, t, hd]).reshape([b, n_head, t, hd])
    }
}

/// softmax(scale·q·kᵀ with hidden keys masked)·v per head (scale is 1/√d in GPT-2):
/// `[batch, n_head, seq, head_dim]` each
/// (keys and values may be longer than the queries: a KV cache), `mask`
/// `[batch, n_head, seq_q, seq_kv]` (true = hidden). Shared by every forward pass and the cache.
pub(crate) fn scaled_dot_product(
    q: Tensor<4>,
    k: Tensor<4>,
    v: Tensor<4>,
    mask: Tensor<4, Bool>,
    scale: f64,
) -> Tensor<4> {
    let att = q.matmul(k.swap_dims(2, 3)) * scale;
    softmax(att.mask_fill(mask, MASKED_SCORE), 3).matmul(v)
}

/// The score of a hidden key: its softmax weight is exactly 0 either way. Natively −∞, because
/// the C library's `expf` of a huge negative finite number takes a slow underflow path (with
/// `errno`) — a tenth of an evaluation pass, where most keys of an answer tree are hidden —
/// while `expf(−∞)` returns 0 at once. In the browser −1e9, so no infinity reaches a WGSL
/// shader (WGSL lets implementations assume there are none). Every row sees at least its own
/// position, so no row is all −∞.
#[cfg(not(target_arch = "wasm32"))]
const MASKED_SCORE: f64 = f64::NEG_INFINITY;
#[cfg(target_arch = "wasm32")]
const MASKED_SCORE: f64 = -1.0e9;

/// `[1, 1, seq, seq]`-shaped upper-triangular mask broadcast to `[batch, n_head, seq, seq]`.
pub(crate) fn causal_mask(b: usize, n_head: usize, t: usize, device: &Device) -> Tensor<4, Bool> {
    let data: Vec<bool> = (0..t * t).map(|i| (i % t) > (i / t)).collect();
    Tensor::<2, Bool>::from_data(TensorData::new(data, [t, t]), device)
        .reshape([1, 1, t, t])
        .expand([b, n_head, t, t])
}

/// The attention mask `[batch, seq, seq]` (row-major, true = key j hidden from query i) of
/// left-padded rows: causal, and no real position sees a padding key. A padding position sees
/// itself only — it needs one visible key, or its softmax would be over nothing (NaN with a −∞
/// mask, and 0 · NaN poisons the rows that give it weight 0).
pub(crate) fn left_padded_mask(b: usize, t: usize, pad: &[usize]) -> Vec<bool> {
    (0..b * t * t)
        .map(|k| {
            let (r, i, j) = (k / (t * t), (k / t) % t, k % t);
            j > i || (j < pad[r] && j != i)
        })
        .collect()
}
