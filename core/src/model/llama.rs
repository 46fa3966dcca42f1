//! The Llama family's files (Touvron et al. 2023; the layout of SmolLM, TinyLlama and Qwen2):
//! its `config.json` (transformers' `LlamaConfig` / `Qwen2Config`) and its tensor names.
//!
//! The engine holds one module for every family ([`super::gpt`]), with GPT-2's names; a Llama
//! checkpoint is mapped onto them when it is read and back when it is written:
//!
//! | Llama (`nn.Linear`: `[out, in]`) | the engine (`[in, out]`) |
//! |---|---|
//! | `model.embed_tokens.weight` | `wte.weight` |
//! | `model.layers.i.input_layernorm.weight` | `h.i.ln_1.weight` (RMSNorm: no bias) |
//! | `model.layers.i.self_attn.{q,k,v}_proj.{weight,bias}` | `h.i.attn.c_attn.*`, q, k, v side by side |
//! | `model.layers.i.self_attn.o_proj.*` | `h.i.attn.c_proj.*` |
//! | `model.layers.i.post_attention_layernorm.weight` | `h.i.ln_2.weight` |
//! | `model.layers.i.mlp.{gate,up}_proj.*` | `h.i.mlp.c_fc.*`, gate then up |
//! | `model.layers.i.mlp.down_proj.*` | `h.i.mlp.c_proj.*` |
//! | `model.norm.weight` | `ln_f.weight` |
//! | `lm_head.weight` | `lm_head.weight` (untied models) |
//!
//! What the engine does not implement — scaled RoPE (linear, dynamic, YaRN, Llama 3's), sliding
//! windows — is refused by name when the config is read.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::activation::Activation;
use super::config::{GptConfig, LlamaSettings};
use super::weights::{GptWeights, HostTensor, LM_HEAD};
use crate::error::ForgetError;

/// transformers' `LlamaConfig` and `Qwen2Config` fields (their defaults when absent).
#[derive(Deserialize)]
struct HfLlamaConfig {
    vocab_size: usize,
    hidden_size: usize,
    intermediate_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    #[serde(default)]
    num_key_value_heads: Option<usize>,
    #[serde(default = "silu")]
    hidden_act: Activation,
    #[serde(default = "context")]
    max_position_embeddings: usize,
    #[serde(default = "rms_eps")]
    rms_norm_eps: f64,
    #[serde(default)]
    tie_word_embeddings: bool,
    #[serde(default)]
    rope_theta: Option<f64>,
    #[serde(default)]
    rope_parameters: Option<Value>,
    #[serde(default)]
    rope_scaling: Option<Value>,
    #[serde(default)]
    attention_bias: bool,
    #[serde(default)]
    mlp_bias: bool,
    #[serde(default)]
    head_dim: Option<usize>,
    #[serde(default)]
    eos_token_id: Value,
    #[serde(default)]
    use_sliding_window: bool,
    #[serde(default)]
    layer_types: Option<Vec<String>>,
}

fn silu() -> Activation {
    Activation::Silu
}
fn context() -> usize {
    2048
}
fn rms_eps() -> f64 {
    1e-6
}

/// The model types read as Llama-family models.
pub const LLAMA_TYPES: [&str; 2] = ["llama", "qwen2"];

/// A Llama-family `config.json` (already parsed) as the engine's config.
pub fn config_from_hf(all: &Value, model_type: &str) -> Result<GptConfig, ForgetError> {
    let bad = |m: String| ForgetError::ModelFile(format!("config.json: {m}"));
    let hf: HfLlamaConfig = serde_json::from_value(all.clone()).map_err(|e| bad(e.to_string()))?;
    // Each of the two spellings (transformers 5's rope_parameters, 4's rope_scaling) must say
    // "default" if it is there at all.
    for (key, rope) in
        [("rope_parameters", &hf.rope_parameters), ("rope_scaling", &hf.rope_scaling)]
    {
        let Some(rope) = rope.as_ref().filter(|r| !r.is_null()) else { continue };
        let kind = rope.get("rope_type").or_else(|| rope.get("type")).and_then(Value::as_str);
        // rope_parameters without a type is the default; rope_scaling always names its kind.
        let plain = kind == Some("default") || (key == "rope_parameters" && kind.is_none());
        if !plain {
            return Err(bad(format!(
                "{key} with rope_type {} is not supported (ForgetLab implements RoPE without \
                    scaling)",
                kind.map_or("(none)".to_string(), |k| format!("\"{k}\""))
            )));
        }
    }
    let windowed = hf.layer_types.iter().flatten().any(|t| t != "full_attention");
    if hf.use_sliding_window || windowed {
        return Err(bad("a sliding attention window is not supported".into()));
    }
    let rope_theta = hf
        .rope_parameters
        .as_ref()
        .and_then(|r| r.get("rope_theta"))
        .and_then(Value::as_f64)
        .or(hf.rope_theta)
        .unwrap_or(10_000.0);
    let eos_token_id = match &hf.eos_token_id {
        Value::Number(n) => n.as_u64(),
        Value::Array(ids) => ids.first().and_then(Value::as_u64),
        _ => Some(0),
    }
    .and_then(|id| u32::try_from(id).ok())
    .ok_or_else(|| bad(format!("eos_token_id {} is not a token id", hf.eos_token_id)))?;
    let n_head = hf.num_attention_heads;
    let qwen = model_type == "qwen2";
    let cfg = GptConfig {
        vocab_size: hf.vocab_size,
        n_positions: hf.max_position_embeddings,
        n_embd: hf.hidden_size,
        n_layer: hf.num_hidden_layers,
        n_head,
        layer_norm_epsilon: hf.rms_norm_eps,
        eos_token_id,
        n_inner: Some(hf.intermediate_size),
        activation_function: hf.hidden_act,
        tie_word_embeddings: hf.tie_word_embeddings,
        scale_attn_weights: true,
        scale_attn_by_inverse_layer_idx: false,
        llama: Some(LlamaSettings {
            model_type: model_type.to_string(),
            n_kv_head: hf.num_key_value_heads.unwrap_or(n_head),
            head_dim: hf.head_dim.unwrap_or(hf.hidden_size.checked_div(n_head).unwrap_or(0)),
            rope_theta,
            qkv_bias: qwen || hf.attention_bias,
            o_bias: !qwen && hf.attention_bias,
            mlp_bias: !qwen && hf.mlp_bias,
        }),
    };
    cfg.validate()?;
    Ok(cfg)
}

/// `config.json` text transformers reads as `LlamaForCausalLM` / `Qwen2ForCausalLM`.
pub fn config_to_hf(cfg: &GptConfig, l: &LlamaSettings) -> String {
    let architecture =
        if l.model_type == "qwen2" { "Qwen2ForCausalLM" } else { "LlamaForCausalLM" };
    let v = serde_json::json!({
        "architectures": [architecture],
        "model_type": l.model_type,
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.n_embd,
        "intermediate_size": cfg.mlp_width(),
        "num_hidden_layers": cfg.n_layer,
        "num_attention_heads": cfg.n_head,
        "num_key_value_heads": l.n_kv_head,
        "head_dim": l.head_dim,
        "hidden_act": cfg.activation_function,
        "max_position_embeddings": cfg.n_positions,
        "rms_norm_eps": cfg.layer_norm_epsilon,
        "tie_word_embeddings": cfg.tie_word_embeddings,
        "rope_theta": l.rope_theta,
        "rope_parameters": { "rope_type": "default", "rope_theta": l.rope_theta },
        "attention_bias": l.o_bias,
        "mlp_bias": l.mlp_bias,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "bos_token_id": cfg.eos_token_id,
        "eos_token_id": cfg.eos_token_id,
        "torch_dtype": "float32",
    });
    serde_json::to_string_pretty(&v).expect("a json! value always serialises")
}

/// For each engine tensor of block `i`: its name and the Llama tensors it holds side by side.
fn block_parts(i: usize) -> [(String, Vec<String>); 5] {
    let p = |s: &str| format!("model.layers.{i}.{s}");
    [
        (format!("h.{i}.ln_1"), vec![p("input_layernorm")]),
        (
            format!("h.{i}.attn.c_attn"),
            vec![p("self_attn.q_proj"), p("self_attn.k_proj"), p("self_attn.v_proj")],
        ),
        (format!("h.{i}.attn.c_proj"), vec![p("self_attn.o_proj")]),
        (format!("h.{i}.ln_2"), vec![p("post_attention_layernorm")]),
        (format!("h.{i}.mlp.c_fc"), vec![p("mlp.gate_proj"), p("mlp.up_proj")]),
    ]
}

/// Every (engine name, Llama names) pair of `cfg`'s model, including the 1-to-1 ones.
fn name_map(cfg: &GptConfig) -> Vec<(String, Vec<String>)> {
    let mut map = vec![("wte".to_string(), vec!["model.embed_tokens".to_string()])];
    for i in 0..cfg.n_layer {
        map.extend(block_parts(i));
        map.push((format!("h.{i}.mlp.c_proj"), vec![format!("model.layers.{i}.mlp.down_proj")]));
    }
    map.push(("ln_f".to_string(), vec!["model.norm".to_string()]));
    map
}

/// Is this engine tensor a linear layer's weight (transposed between the layouts)?
fn is_matrix(engine: &str) -> bool {
    engine.ends_with(".weight") && !engine.contains("ln_") && engine != "wte.weight"
}

/// A Llama checkpoint's tensors under the engine's names and layout. Unused buffers
/// (`rotary_emb.inv_freq`) are dropped; a missing tensor is an error that names it.
pub fn weights_from_hf(cfg: &GptConfig, mut hf: GptWeights) -> Result<GptWeights, ForgetError> {
    let expected: BTreeMap<String, Vec<usize>> =
        super::weights::expected_shapes(cfg).into_iter().collect();
    let mut out = BTreeMap::new();
    for (engine, sources) in name_map(cfg) {
        for suffix in ["weight", "bias"] {
            let name = format!("{engine}.{suffix}");
            if !expected.contains_key(&name) {
                continue;
            }
            let mut parts = Vec::new();
            for source in &sources {
                let key = format!("{source}.{suffix}");
                parts.push(hf.tensors.remove(&key).ok_or_else(|| {
                    ForgetError::ModelFile(format!("model.safetensors has no tensor '{key}'"))
                })?);
            }
            let tensor = if is_matrix(&name) {
                side_by_side(&name, &parts)?
            } else if parts.len() == 1 {
                parts.pop().expect("one part")
            } else {
                concat(&parts)
            };
            out.insert(name, tensor);
        }
    }
    if let Some(head) = hf.tensors.remove(LM_HEAD)
        && !cfg.tie_word_embeddings
    {
        out.insert(LM_HEAD.to_string(), head);
    }
    Ok(GptWeights { tensors: out })
}

/// The engine's weights of a Llama-family model under Llama's names and layout.
pub fn weights_to_hf(cfg: &GptConfig, w: &GptWeights) -> Result<GptWeights, ForgetError> {
    let l = cfg.llama.as_ref().expect("a Llama-family config");
    let (hd, nh, kv, m) = (l.head_dim, cfg.n_head, l.n_kv_head, cfg.mlp_width());
    let mut out = BTreeMap::new();
    for (engine, targets) in name_map(cfg) {
        for suffix in ["weight", "bias"] {
            let name = format!("{engine}.{suffix}");
            let Some(t) = w.tensors.get(&name) else { continue };
            if targets.len() == 1 && !is_matrix(&name) {
                out.insert(format!("{}.{suffix}", targets[0]), t.clone());
                continue;
            }
            // Each target's share of the fused width.
            let widths: Vec<usize> = match targets.len() {
                3 => vec![nh * hd, kv * hd, kv * hd],
                2 => vec![m, m],
                _ => vec![*t.shape.last().expect("a matrix has two dimensions")],
            };
            let pieces =
                if is_matrix(&name) { split_columns(t, &widths) } else { split(t, &widths) };
            for (target, piece) in targets.iter().zip(pieces) {
                out.insert(format!("{target}.{suffix}"), piece);
            }
        }
    }
    if let Some(head) = w.tensors.get(LM_HEAD) {
        out.insert(LM_HEAD.to_string(), head.clone());
    }
    Ok(GptWeights { tensors: out })
}

/// `[out_k, in]` matrices (PyTorch) → one `[in, Σ out_k]` matrix (the engine), side by side.
fn side_by_side(name: &str, parts: &[HostTensor]) -> Result<HostTensor, ForgetError> {
    let d_in = parts[0].shape.get(1).copied().unwrap_or(0);
    if parts.iter().any(|p| p.shape.len() != 2 || p.shape[1] != d_in) {
        let shapes: Vec<_> = parts.iter().map(|p| p.shape.clone()).collect();
        return Err(ForgetError::ModelFile(format!(
            "the tensors of '{name}' have shapes {shapes:?}, not [out, {d_in}] each"
        )));
    }
    let d_out: usize = parts.iter().map(|p| p.shape[0]).sum();
    let mut data = vec![0f32; d_in * d_out];
    let mut offset = 0;
    for p in parts {
        let rows = p.shape[0];
        for o in 0..rows {
            for i in 0..d_in {
                data[i * d_out + offset + o] = p.data[o * d_in + i];
            }
        }
        offset += rows;
    }
    Ok(HostTensor { shape: vec![d_in, d_out], data })
}

/// The inverse of [`side_by_side`]: `[in, Σ out_k]` → `[out_k, in]` for each width.
fn split_columns(t: &HostTensor, widths: &[usize]) -> Vec<HostTensor> {
    let (d_in, d_out) = (t.shape[0], t.shape[1]);
    let mut offset = 0;
    widths
        .iter()
        .map(|&rows| {
            let mut data = vec![0f32; rows * d_in];
            for o in 0..rows {
                for i in 0..d_in {
                    data[o * d_in + i] = t.data[i * d_out + offset + o];
                }
            }
            offset += rows;
            HostTensor { shape: vec![rows, d_in], data }
        })
        .collect()
}

fn concat(parts: &[HostTensor]) -> HostTensor {
    let data: Vec<f32> = parts.iter().flat_map(|p| p.data.iter().copied()).collect();
    HostTensor { shape: vec![data.len()], data }
}

fn split(t: &HostTensor, widths: &[usize]) -> Vec<HostTensor> {
    let mut offset = 0;
    widths
        .iter()
        .map(|&n| {
            let data = t.data[offset..offset + n].to_vec();
            offset += n;
            HostTensor { shape: vec![n], data }
        })
        .collect()
}
