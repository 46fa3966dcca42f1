//! GPT-2 in burn: learned positions, pre-LayerNorm blocks, an MLP with the config's activation
//! (GPT-2's is GELU's tanh approximation), causal self-attention, and an LM head tied to the
//! token embedding or its own (`tie_word_embeddings`). Field names follow GPT-2's checkpoint keys
//! so [`super::weights`] maps them one to one.
//!
//! No backend is named here: every tensor lives on the runtime [`Device`] it was built on
//! (CPU or WebGPU, with or without autodiff).
//!
//! # Shapes
//! - input ids: `[batch, seq]` (Int), `seq ≤ n_positions`
//! - hidden states: `[batch, seq, n_embd]`
//! - logits: `[batch, seq, vocab_size]`

use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig, Linear};
use burn::tensor::activation::softmax;
use burn::tensor::module::embedding;
use burn::tensor::{Bool, Device, Int, Tensor, TensorData, Transaction};

use super::activation::Activation;
use super::config::GptConfig;
use super::lora::Lora;
use super::weights::{GptWeights, HostTensor, LM_HEAD, expected_shapes};
use crate::error::ForgetError;

/// One of GPT-2's projections (Conv1D: y = x·W + b, W `[in, out]`), optionally with a LoRA
/// adapter whose output is added ([`super::lora`]).
#[derive(Module, Debug)]
pub struct Projection {
    pub linear: Linear,
    pub lora: Option<Lora>,
}

impl Projection {
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match &self.lora {
            Some(lora) => self.linear.forward(x.clone()) + lora.forward(x),
            None => self.linear.forward(x),
        }
    }

    /// W with the adapter's update merged in (W itself without one).
    fn merged_weight(&self) -> Tensor<2> {
        let w = self.linear.weight.val();
        match &self.lora {
            Some(lora) => w + lora.delta(),
            None => w,
        }
    }
}

/// Causal multi-head self-attention with GPT-2's fused `c_attn` (q, k, v side by side).
#[derive(Module, Debug)]
pub struct Attention {
    pub c_attn: Projection,
    pub c_proj: Projection,
    /// What the scores q·kᵀ are multiplied by ([`GptConfig::attn_scale`]: 1/√head_dim, and
    /// 1/(layer + 1) with `scale_attn_by_inverse_layer_idx`).
    pub scale: f64,
}

/// The position-wise feed-forward network: n_embd → n_inner (4·n_embd) → n_embd.
#[derive(Module, Debug)]
pub struct Mlp {
    pub c_fc: Projection,
    pub c_proj: Projection,
    #[module(skip)]
    pub activation: Activation,
}

/// One pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)).
#[derive(Module, Debug)]
pub struct Block {
    pub ln_1: LayerNorm,
    pub attn: Attention,
    pub ln_2: LayerNorm,
    pub mlp: Mlp,
}

/// The whole language model.
#[derive(Module, Debug)]
pub struct Gpt {
    pub wte: Param<Tensor<2>>,
    pub wpe: Param<Tensor<2>>,
    pub h: Vec<Block>,
    pub ln_f: LayerNorm,
    /// An untied LM head, `[vocab, n_embd]`; `None`: the head is `wte`.
    pub lm_head: Option<Param<Tensor<2>>>,
}

impl Attention {
    /// `x`: `[batch, seq, n_embd]`, `mask`: `[batch, n_head, seq, seq]` (true = hidden) → same shape as x.
    fn forward(&self, x: Tensor<3>, n_head: usize, mask: Tensor<4, Bool>) -> Tensor<3> {
        let [b, t, c] = x.dims();
        let hd = c / n_head;
        let qkv = self.c_attn.forward(x);
        let heads =
            |i: usize| qkv.clone().narrow(2, i * c, c).reshape([b, t, n_head, hd]).swap_dims(1, 2);
        let (q, k, v) = (heads(0), heads(1), heads(2));
        let y = scaled_dot_product(q, k, v, mask, self.scale).swap_dims(1, 2).reshape([b, t, c]);
        self.c_proj.forward(y)
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

impl Mlp {
    pub(crate) fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.c_proj.forward(self.activation.forward(self.c_fc.forward(x)))
    }
}

impl Block {
    fn forward(&self, x: Tensor<3>, n_head: usize, mask: Tensor<4, Bool>) -> Tensor<3> {
        let x = x.clone() + self.attn.forward(self.ln_1.forward(x), n_head, mask);
        x.clone() + self.mlp.forward(self.ln_2.forward(x))
    }
}

/// `[1, 1, seq, seq]`-shaped upper-triangular mask broadcast to `[batch, n_head, seq, seq]`.
fn causal_mask(b: usize, n_head: usize, t: usize, device: &Device) -> Tensor<4, Bool> {
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

impl Gpt {
    /// Build a model on `device` from host weights (checked against `cfg` first).
    pub fn from_weights(
        cfg: &GptConfig,
        w: &GptWeights,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        w.validate(cfg)?;
        let p1 = |name: String| -> Param<Tensor<1>> {
            let t = &w.tensors[&name];
            Param::from_data(TensorData::new(t.data.clone(), [t.shape[0]]), device)
        };
        let p2 = |name: String| -> Param<Tensor<2>> {
            let t = &w.tensors[&name];
            Param::from_data(TensorData::new(t.data.clone(), [t.shape[0], t.shape[1]]), device)
        };
        let ln = |prefix: String| {
            let mut ln =
                LayerNormConfig::new(cfg.n_embd).with_epsilon(cfg.layer_norm_epsilon).init(device);
            ln.gamma = p1(format!("{prefix}.weight"));
            ln.beta = Some(p1(format!("{prefix}.bias")));
            ln
        };
        let linear = |prefix: String| Projection {
            linear: Linear {
                weight: p2(format!("{prefix}.weight")),
                bias: Some(p1(format!("{prefix}.bias"))),
            },
            lora: None,
        };
        let h = (0..cfg.n_layer)
            .map(|i| Block {
                ln_1: ln(format!("h.{i}.ln_1")),
                attn: Attention {
                    c_attn: linear(format!("h.{i}.attn.c_attn")),
                    c_proj: linear(format!("h.{i}.attn.c_proj")),
                    scale: cfg.attn_scale(i),
                },
                ln_2: ln(format!("h.{i}.ln_2")),
                mlp: Mlp {
                    c_fc: linear(format!("h.{i}.mlp.c_fc")),
                    c_proj: linear(format!("h.{i}.mlp.c_proj")),
                    activation: cfg.activation_function,
                },
            })
            .collect();
        Ok(Self {
            wte: p2("wte.weight".into()),
            wpe: p2("wpe.weight".into()),
            h,
            ln_f: ln("ln_f".into()),
            lm_head: (!cfg.tie_word_embeddings).then(|| p2(LM_HEAD.into())),
        })
    }

    /// Freeze every weight and put a fresh rank-`rank` LoRA adapter on each block's four
    /// projections ([`super::lora`]): training then moves the adapters only. Adapter k of block
    /// i draws its A from `seed`, i and k.
    pub fn with_lora(self, rank: usize, seed: u64, device: &Device) -> Self {
        let mut model = self.no_grad();
        for (i, block) in model.h.iter_mut().enumerate() {
            let projections = [
                &mut block.attn.c_attn,
                &mut block.attn.c_proj,
                &mut block.mlp.c_fc,
                &mut block.mlp.c_proj,
            ];
            for (k, p) in projections.into_iter().enumerate() {
                let [d_in, d_out] = p.linear.weight.dims();
                p.lora = Some(Lora::new(
                    d_in,
                    d_out,
                    rank,
                    seed.wrapping_mul(1_000_003).wrapping_add((i * 4 + k) as u64),
                    device,
                ));
            }
        }
        model
    }

    /// Every parameter with its GPT-2 name, in [`expected_shapes`] order (LoRA adapters merged
    /// into their weights: what a GPT-2 checkpoint of this model holds).
    pub(crate) fn named_params(&self) -> Vec<(String, Tensor<1>)> {
        let mut v: Vec<(String, Tensor<1>)> = Vec::new();
        let flat2 = |t: &Param<Tensor<2>>| t.val().flatten::<1>(0, 1);
        v.push(("wte.weight".into(), flat2(&self.wte)));
        v.push(("wpe.weight".into(), flat2(&self.wpe)));
        let ln = |v: &mut Vec<(String, Tensor<1>)>, p: String, l: &LayerNorm| {
            v.push((format!("{p}.weight"), l.gamma.val()));
            v.push((
                format!("{p}.bias"),
                l.beta.as_ref().expect("GPT-2 LayerNorms have a bias").val(),
            ));
        };
        let lin = |v: &mut Vec<(String, Tensor<1>)>, p: String, l: &Projection| {
            v.push((format!("{p}.weight"), l.merged_weight().flatten::<1>(0, 1)));
            v.push((
                format!("{p}.bias"),
                l.linear.bias.as_ref().expect("GPT-2 projections have a bias").val(),
            ));
        };
        for (i, b) in self.h.iter().enumerate() {
            ln(&mut v, format!("h.{i}.ln_1"), &b.ln_1);
            lin(&mut v, format!("h.{i}.attn.c_attn"), &b.attn.c_attn);
            lin(&mut v, format!("h.{i}.attn.c_proj"), &b.attn.c_proj);
            ln(&mut v, format!("h.{i}.ln_2"), &b.ln_2);
            lin(&mut v, format!("h.{i}.mlp.c_fc"), &b.mlp.c_fc);
            lin(&mut v, format!("h.{i}.mlp.c_proj"), &b.mlp.c_proj);
        }
        ln(&mut v, "ln_f".into(), &self.ln_f);
        if let Some(head) = &self.lm_head {
            v.push((LM_HEAD.into(), flat2(head)));
        }
        v
    }

    /// Read every parameter back to the host in one async transaction (the only readback that
    /// works on WebGPU; `into_record` would read synchronously and panic there).
    pub async fn to_weights(&self, cfg: &GptConfig) -> Result<GptWeights, ForgetError> {
        let params = self.named_params();
        let tx = params.iter().fold(Transaction::default(), |tx, (_, t)| tx.register(t.clone()));
        let data = tx.execute_async().await.map_err(|e| ForgetError::Readback(format!("{e:?}")))?;
        let shapes: std::collections::HashMap<String, Vec<usize>> =
            expected_shapes(cfg).into_iter().collect();
        let mut tensors = std::collections::BTreeMap::new();
        for ((name, _), d) in params.into_iter().zip(data) {
            let values =
                d.try_into_vec_as::<f32>().map_err(|e| ForgetError::Readback(format!("{e:?}")))?;
            let shape = shapes[&name].clone();
            tensors.insert(name, HostTensor { shape, data: values });
        }
        Ok(GptWeights { tensors })
    }

    /// Hidden state after the final LayerNorm, plus the residual stream after every block
    /// (`[batch, seq, n_embd]` each) — representation metrics and RMU read the latter.
    pub fn forward_hidden(
        &self,
        ids: Tensor<2, Int>,
        n_head: usize,
    ) -> (Tensor<3>, Vec<Tensor<3>>) {
        let [b, t] = ids.dims();
        let device = ids.device();
        let pos = self.wpe.val().narrow(0, 0, t).unsqueeze_dim::<3>(0);
        let mask = causal_mask(b, n_head, t, &device);
        self.blocks(embedding(self.wte.val(), ids) + pos, n_head, mask)
    }

    fn blocks(
        &self,
        mut x: Tensor<3>,
        n_head: usize,
        mask: Tensor<4, Bool>,
    ) -> (Tensor<3>, Vec<Tensor<3>>) {
        let mut per_layer = Vec::with_capacity(self.h.len());
        for block in &self.h {
            x = block.forward(x, n_head, mask.clone());
            per_layer.push(x.clone());
        }
        (self.ln_f.forward(x), per_layer)
    }

    /// Logits for a LEFT-padded batch: row `r` starts with `pad[r]` padding tokens, which no
    /// position attends to, and its real tokens get positions 0, 1, … as if unpadded — so each
    /// row's logits equal an unpadded forward of that row alone. Lets generation decode prompts
    /// of different lengths in one batch.
    pub fn forward_left_padded(
        &self,
        ids: Tensor<2, Int>,
        pad: &[usize],
        n_head: usize,
    ) -> Tensor<3> {
        let [b, t] = ids.dims();
        let pos: Vec<i64> = (0..b * t).map(|i| (i % t).saturating_sub(pad[i / t]) as i64).collect();
        self.lm_head(self.forward_masked(ids, pos, left_padded_mask(b, t, pad), n_head))
    }

    /// Final hidden states `[batch, seq, n_embd]` with explicit position ids (`[batch, seq]`,
    /// row-major) and attention mask (`[batch, seq, seq]` row-major, true = key j hidden from
    /// query i). The general form behind answer-tree scoring (tree attention, `eval::answer_tree`).
    pub fn forward_masked(
        &self,
        ids: Tensor<2, Int>,
        positions: Vec<i64>,
        hidden: Vec<bool>,
        n_head: usize,
    ) -> Tensor<3> {
        self.forward_masked_hidden(ids, positions, hidden, n_head).0
    }

    /// [`Gpt::forward_masked`], plus the residual stream after every block (as
    /// [`Gpt::forward_hidden`]): answer-tree scoring reads both.
    pub fn forward_masked_hidden(
        &self,
        ids: Tensor<2, Int>,
        positions: Vec<i64>,
        hidden: Vec<bool>,
        n_head: usize,
    ) -> (Tensor<3>, Vec<Tensor<3>>) {
        let [b, t] = ids.dims();
        let device = ids.device();
        let pos = Tensor::<2, Int>::from_data(TensorData::new(positions, [b, t]), &device);
        let mask = Tensor::<3, Bool>::from_data(TensorData::new(hidden, [b, t, t]), &device)
            .reshape([b, 1, t, t])
            .expand([b, n_head, t, t]);
        let x = embedding(self.wte.val(), ids) + embedding(self.wpe.val(), pos);
        self.blocks(x, n_head, mask)
    }

    /// Logits `[batch, seq, vocab]` for input ids `[batch, seq]`.
    pub fn forward(&self, ids: Tensor<2, Int>, n_head: usize) -> Tensor<3> {
        let (h, _) = self.forward_hidden(ids, n_head);
        self.lm_head(h)
    }

    /// The LM head (`wte`, or the untied `lm_head.weight`): hidden `[batch, seq, n_embd]` →
    /// logits `[batch, seq, vocab]`.
    pub fn lm_head(&self, h: Tensor<3>) -> Tensor<3> {
        let [b, t, c] = h.dims();
        let head = self.lm_head.as_ref().unwrap_or(&self.wte).val();
        let [v, _] = head.dims();
        h.reshape([b * t, c]).matmul(head.transpose()).reshape([b, t, v])
    }
}
