//! The model families in burn, as one module: pre-norm transformer blocks, causal
//! self-attention, an MLP, an LM head tied to the token embedding or its own
//! (`tie_word_embeddings`).
//!
//! - GPT-2 (Radford et al. 2019): learned positions, LayerNorm, q, k, v in one `c_attn`, an MLP
//!   with the config's activation (GELU's tanh approximation in GPT-2 itself).
//! - Llama (Touvron et al. 2023) and its kin (SmolLM, TinyLlama, Qwen2): rotary positions
//!   ([`super::rope`]), RMSNorm ([`super::norm`]), grouped-query attention (Ainslie et al. 2023:
//!   n_kv_head ≤ n_head key/value heads, each shared by n_head / n_kv_head query heads), and the
//!   gated MLP down(act(gate·x) ⊙ up·x) (SwiGLU, Shazeer 2020). Its q, k, v projections are held
//!   side by side in `c_attn` and gate, up in `c_fc` ([`super::llama`] maps the names).
//!
//! Field names follow GPT-2's checkpoint keys so [`super::weights`] maps them one to one.
//!
//! No backend is named here: every tensor lives on the runtime [`Device`] it was built on
//! (CPU or WebGPU, with or without autodiff).
//!
//! # Shapes
//! - input ids: `[batch, seq]` (Int), `seq ≤ n_positions`
//! - hidden states: `[batch, seq, n_embd]`
//! - logits: `[batch, seq, vocab_size]`

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::module::embedding;
use burn::tensor::{Bool, Device, Int, Tensor, TensorData, Transaction};

use super::activation::Activation;
use super::attention::{Attention, causal_mask, left_padded_mask};
use super::config::GptConfig;
use super::lora::Lora;
use super::norm::Norm;
use super::projection::Projection;
use super::rope::Rope;
use super::weights::{GptWeights, HostTensor, LM_HEAD, expected_shapes};
use crate::error::ForgetError;

/// The position-wise feed-forward network: n_embd → n_inner (4·n_embd) → n_embd.
#[derive(Module, Debug)]
pub struct Mlp {
    pub c_fc: Projection,
    pub c_proj: Projection,
    #[module(skip)]
    pub activation: Activation,
    /// Llama's gated MLP: `c_fc` holds gate and up side by side.
    pub gated: bool,
}

/// One pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)).
#[derive(Module, Debug)]
pub struct Block {
    pub ln_1: Norm,
    pub attn: Attention,
    pub ln_2: Norm,
    pub mlp: Mlp,
}

/// The whole language model.
#[derive(Module, Debug)]
pub struct Gpt {
    pub wte: Param<Tensor<2>>,
    /// GPT-2's learned positions; `None`: rotary positions at `rope_theta`.
    pub wpe: Option<Param<Tensor<2>>>,
    pub h: Vec<Block>,
    pub ln_f: Norm,
    /// An untied LM head, `[vocab, n_embd]`; `None`: the head is `wte`.
    pub lm_head: Option<Param<Tensor<2>>>,
    #[module(skip)]
    pub rope_theta: Option<f64>,
}

impl Mlp {
    pub(crate) fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let h = self.c_fc.forward(x);
        let h = if self.gated {
            let [b, t, two_m] = h.dims();
            let m = two_m / 2;
            let gate = h.clone().narrow(2, 0, m);
            self.activation.forward(gate) * h.narrow(2, m, m).reshape([b, t, m])
        } else {
            self.activation.forward(h)
        };
        self.c_proj.forward(h)
    }
}

impl Block {
    fn forward(
        &self,
        x: Tensor<3>,
        n_head: usize,
        mask: Tensor<4, Bool>,
        rope: Option<&Rope>,
    ) -> Tensor<3> {
        let x = x.clone() + self.attn.forward(self.ln_1.forward(x), n_head, mask, rope);
        x.clone() + self.mlp.forward(self.ln_2.forward(x))
    }
}

impl Gpt {
    /// Build a model on `device` from host weights (checked against `cfg` first).
    pub fn from_weights(
        cfg: &GptConfig,
        w: &GptWeights,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        Self::from_weights_observed(cfg, w, device, &|_| {})
    }

    /// [`Self::from_weights`], calling `placed` with each tensor's size in bytes once it is on
    /// the device (the page's upload progress bar).
    pub fn from_weights_observed(
        cfg: &GptConfig,
        w: &GptWeights,
        device: &Device,
        placed: &dyn Fn(u64),
    ) -> Result<Self, ForgetError> {
        w.validate(cfg)?;
        let p1 = |name: String| -> Param<Tensor<1>> {
            let t = &w.tensors[&name];
            let p = Param::from_data(TensorData::new(t.data.clone(), [t.shape[0]]), device);
            placed(4 * t.data.len() as u64);
            p
        };
        let p2 = |name: String| -> Param<Tensor<2>> {
            let t = &w.tensors[&name];
            let p =
                Param::from_data(TensorData::new(t.data.clone(), [t.shape[0], t.shape[1]]), device);
            placed(4 * t.data.len() as u64);
            p
        };
        // A bias is there when the config's family has it (expected_shapes lists it).
        let bias = |name: String| w.tensors.contains_key(&name).then(|| p1(name));
        let ln = |prefix: String| Norm {
            gamma: p1(format!("{prefix}.weight")),
            beta: bias(format!("{prefix}.bias")),
            epsilon: cfg.layer_norm_epsilon,
        };
        let linear = |prefix: String| Projection {
            linear: Linear {
                weight: p2(format!("{prefix}.weight")),
                bias: bias(format!("{prefix}.bias")),
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
                    n_kv_head: cfg.n_kv_head(),
                    head_dim: cfg.head_dim(),
                },
                ln_2: ln(format!("h.{i}.ln_2")),
                mlp: Mlp {
                    c_fc: linear(format!("h.{i}.mlp.c_fc")),
                    c_proj: linear(format!("h.{i}.mlp.c_proj")),
                    activation: cfg.activation_function,
                    gated: cfg.llama.is_some(),
                },
            })
            .collect();
        Ok(Self {
            wte: p2("wte.weight".into()),
            wpe: cfg.llama.is_none().then(|| p2("wpe.weight".into())),
            h,
            ln_f: ln("ln_f".into()),
            lm_head: (!cfg.tie_word_embeddings).then(|| p2(LM_HEAD.into())),
            rope_theta: cfg.llama.as_ref().map(|l| l.rope_theta),
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
        if let Some(wpe) = &self.wpe {
            v.push(("wpe.weight".into(), flat2(wpe)));
        }
        let ln = |v: &mut Vec<(String, Tensor<1>)>, p: String, l: &Norm| {
            v.push((format!("{p}.weight"), l.gamma.val()));
            if let Some(beta) = &l.beta {
                v.push((format!("{p}.bias"), beta.val()));
            }
        };
        let lin = |v: &mut Vec<(String, Tensor<1>)>, p: String, l: &Projection| {
            v.push((format!("{p}.weight"), l.merged_weight().flatten::<1>(0, 1)));
            if let Some(bias) = &l.linear.bias {
                v.push((format!("{p}.bias"), bias.val()));
            }
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
        let mask = causal_mask(b, n_head, t, &device);
        let tokens = embedding(self.wte.val(), ids);
        match (&self.wpe, self.rope_theta) {
            (Some(wpe), _) => {
                let pos = wpe.val().narrow(0, 0, t).unsqueeze_dim::<3>(0);
                self.blocks(tokens + pos, n_head, mask, None)
            }
            (None, theta) => {
                let rope = Rope::causal(b, t, self.head_dim(), theta.unwrap_or(1e4), &device);
                self.blocks(tokens, n_head, mask, Some(&rope))
            }
        }
    }

    fn head_dim(&self) -> usize {
        self.h.first().map_or(1, |b| b.attn.head_dim)
    }

    /// The input of the first block for `ids` at `positions` (`[batch, seq]` row-major): the
    /// token embedding plus GPT-2's learned position, or the token embedding and the rotary
    /// angles of those positions for the attention to apply.
    pub(crate) fn embed(
        &self,
        ids: Tensor<2, Int>,
        positions: Vec<i64>,
    ) -> (Tensor<3>, Option<Rope>) {
        let [b, t] = ids.dims();
        let device = ids.device();
        let tokens = embedding(self.wte.val(), ids);
        match &self.wpe {
            Some(wpe) => {
                let pos = Tensor::<2, Int>::from_data(TensorData::new(positions, [b, t]), &device);
                (tokens + embedding(wpe.val(), pos), None)
            }
            None => {
                let theta = self.rope_theta.unwrap_or(1e4);
                (tokens, Some(Rope::new(&positions, b, t, self.head_dim(), theta, &device)))
            }
        }
    }

    fn blocks(
        &self,
        mut x: Tensor<3>,
        n_head: usize,
        mask: Tensor<4, Bool>,
        rope: Option<&Rope>,
    ) -> (Tensor<3>, Vec<Tensor<3>>) {
        let mut per_layer = Vec::with_capacity(self.h.len());
        for block in &self.h {
            x = block.forward(x, n_head, mask.clone(), rope);
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
        let mask = Tensor::<3, Bool>::from_data(TensorData::new(hidden, [b, t, t]), &device)
            .reshape([b, 1, t, t])
            .expand([b, n_head, t, t]);
        let (x, rope) = self.embed(ids, positions);
        self.blocks(x, n_head, mask, rope.as_ref())
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
