//! Every model family and setting the engine implements, against transformers:
//! tests/golden/models/ holds tiny random checkpoints that tests/golden/make_golden_families.py
//! made with transformers — GPT-2 with an untied head, n_inner, exact GELU, ReLU², quick GELU,
//! layer-index scaling, no 1/√d scaling; Llama with grouped-query and multi-query attention,
//! tied and untied heads, two RoPE bases, head_dim ≠ hidden/heads; Qwen2 with q/k/v biases; f32,
//! f16 and bf16 weights; one checkpoint in shards — and golden_families.json the logits
//! transformers computed for them.

use crate::common;

use burn::tensor::{Int, Tensor, TensorData};
use forgetlab_core::model::{Gpt, GptConfig, LoadedModel};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn golden() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("tests/golden/golden_families.json"))
        .expect("tests/golden/golden_families.json is committed");
    serde_json::from_str(&text).unwrap()
}

fn load(name: &str) -> LoadedModel {
    LoadedModel::load_dir(&root().join("tests/golden/models").join(name))
        .unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

/// The full-sequence forward, and the KV-cache path (prefill + one decode step per position),
/// give transformers' logits at every position: the 16 probed ids, the log-sum-exp over the
/// vocabulary, the argmax, and the mean next-token loss.
#[test]
fn model_families_match_transformers() {
    let golden = golden();
    let ids: Vec<Vec<i64>> = serde_json::from_value(golden["input_ids"].clone()).unwrap();
    let probe: Vec<usize> = serde_json::from_value(golden["probe_ids"].clone()).unwrap();
    let models = golden["models"].as_object().unwrap();
    assert_eq!(models.len(), 6);
    let d = common::device();
    for (name, g) in models {
        let m = load(name);
        let gpt = Gpt::from_weights(&m.config, &m.weights, &d).unwrap();
        let (b, t, v) = (ids.len(), ids[0].len(), m.config.vocab_size);
        let input = Tensor::<2, Int>::from_data(TensorData::new(ids.concat(), [b, t]), &d);
        let full: Vec<f32> =
            gpt.forward(input, m.config.n_head).into_data().try_to_vec::<f32>().unwrap();
        // The same positions through the KV cache, one token at a time after the first.
        let mut cached = vec![0f32; b * t * v];
        let first = Tensor::<2, Int>::from_data(
            TensorData::new(ids.iter().map(|r| r[0]).collect::<Vec<_>>(), [b, 1]),
            &d,
        );
        let (logits, mut cache) = gpt.prefill(first, &vec![0; b], m.config.n_head);
        let mut put = |j: usize, logits: Tensor<2>| {
            let row = logits.into_data().try_to_vec::<f32>().unwrap();
            for r in 0..b {
                cached[(r * t + j) * v..(r * t + j + 1) * v]
                    .copy_from_slice(&row[r * v..(r + 1) * v]);
            }
        };
        put(0, logits);
        for j in 1..t {
            let next: Vec<u32> = ids.iter().map(|r| r[j] as u32).collect();
            put(j, gpt.decode_step(&next, &mut cache, m.config.n_head, &d));
        }
        for (path, logits) in [("forward", &full), ("kv cache", &cached)] {
            let mut worst = 0f32;
            let mut loss = 0f64;
            for r in 0..b {
                for j in 0..t {
                    let row = &logits[(r * t + j) * v..(r * t + j + 1) * v];
                    let max = row.iter().cloned().fold(f32::MIN, f32::max) as f64;
                    let lse = max + row.iter().map(|x| (*x as f64 - max).exp()).sum::<f64>().ln();
                    let want_lse = g["logsumexp"][r][j].as_f64().unwrap();
                    worst = worst.max((lse - want_lse).abs() as f32);
                    for (k, &id) in probe.iter().enumerate() {
                        let want = g["probe_logits"][r][j][k].as_f64().unwrap() as f32;
                        worst = worst.max((row[id] - want).abs());
                    }
                    let argmax = (0..v).max_by(|&a, &c| row[a].total_cmp(&row[c])).unwrap();
                    assert_eq!(argmax as u64, g["argmax"][r][j].as_u64().unwrap(), "{name} {path}");
                    if j + 1 < t {
                        loss += lse - row[ids[r][j + 1] as usize] as f64;
                    }
                }
            }
            assert!(worst <= 1e-4, "{name} ({path}): max |diff| to transformers = {worst}");
            let loss = loss / (b * (t - 1)) as f64;
            let want = g["loss"].as_f64().unwrap();
            assert!((loss - want).abs() < 1e-4, "{name} ({path}): loss {loss} vs {want}");
        }
    }
}

/// The settings that make each checkpoint what it is were read, not defaulted.
#[test]
fn checkpoints_are_read_with_their_settings() {
    use forgetlab_core::model::Activation;
    let untied = load("gpt2-untied-gelu").config;
    assert!(!untied.tie_word_embeddings);
    assert_eq!((untied.n_inner, untied.mlp_width()), (Some(48), 48));
    assert_eq!(untied.activation_function, Activation::Gelu);
    let scaled = load("gpt2-layer-scaled-relu2").config;
    assert!(scaled.scale_attn_by_inverse_layer_idx && !scaled.scale_attn_weights);
    assert_eq!(scaled.activation_function, Activation::Relu2);
    assert_eq!(scaled.attn_scale(1), 0.5);
    let sharded = root().join("tests/golden/models/gpt2-quick-gelu-sharded");
    assert!(!sharded.join("model.safetensors").exists(), "this one is sharded");
    assert_eq!(load("gpt2-quick-gelu-sharded").config.activation_function, Activation::QuickGelu);
}

/// The Llama-family settings were read, not defaulted.
#[test]
fn llama_checkpoints_are_read_with_their_settings() {
    use forgetlab_core::model::Activation;
    let gqa = load("llama-gqa-untied").config;
    let l = gqa.llama.as_ref().expect("a Llama config");
    assert_eq!((gqa.n_head, l.n_kv_head, l.head_dim, l.rope_theta), (4, 2, 4, 10_000.0));
    assert!(!gqa.tie_word_embeddings && !l.qkv_bias);
    assert_eq!((gqa.activation_function, gqa.mlp_width()), (Activation::Silu, 24));
    let mqa = load("llama-mqa-tied-bf16").config;
    let l = mqa.llama.as_ref().unwrap();
    assert_eq!((l.n_kv_head, l.head_dim, l.rope_theta), (1, 6, 100_000.0));
    assert!(mqa.tie_word_embeddings);
    let qwen = load("qwen2-qkv-bias").config;
    let l = qwen.llama.as_ref().unwrap();
    assert!(l.qkv_bias && !l.o_bias && !l.mlp_bias);
    assert_eq!(l.model_type, "qwen2");
}

/// Saved and read again, a model keeps its settings and its weights (the untied head with them),
/// and transformers' config keys are what we write; a Llama model is written under Llama's names.
#[test]
fn llama_models_round_trip_through_files() {
    for name in ["llama-gqa-untied", "llama-mqa-tied-bf16", "qwen2-qkv-bias"] {
        let m = load(name);
        let dir = std::env::temp_dir().join(format!("forgetlab-{name}-{}", std::process::id()));
        m.save_dir(&dir).unwrap();
        let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
        let back = LoadedModel::load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(back.config, m.config, "{name}");
        assert_eq!(back.weights, m.weights, "{name}");
        let names = forgetlab_core::model::GptWeights::from_safetensors(&bytes).unwrap();
        assert!(names.tensors.contains_key("model.layers.1.self_attn.k_proj.weight"), "{name}");
        assert!(names.tensors.contains_key("model.norm.weight"), "{name}");
        let json: serde_json::Value = serde_json::from_str(&m.config.to_hf_json()).unwrap();
        assert_eq!(json["num_key_value_heads"], m.config.n_kv_head(), "{name}");
        let d = common::device();
        let gpt = Gpt::from_weights(&m.config, &m.weights, &d).unwrap();
        assert_eq!(pollster::block_on(gpt.to_weights(&m.config)).unwrap(), m.weights, "{name}");
    }
}

/// Saved and read again, a model keeps its settings and its weights (the untied head with them),
/// and transformers' config keys are what we write.
#[test]
fn untied_models_round_trip_through_files() {
    let m = load("gpt2-untied-gelu");
    let dir = std::env::temp_dir().join(format!("forgetlab-untied-{}", std::process::id()));
    m.save_dir(&dir).unwrap();
    let back = LoadedModel::load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(back.config, m.config);
    assert_eq!(back.weights, m.weights);
    assert!(m.weights.tensors.contains_key("lm_head.weight"));
    let json: serde_json::Value = serde_json::from_str(&m.config.to_hf_json()).unwrap();
    assert_eq!(json["tie_word_embeddings"], false);
    assert_eq!(json["n_inner"], 48);
    assert_eq!(json["activation_function"], "gelu");
    // Through the device and back: the untied head comes back too.
    let d = common::device();
    let gpt = Gpt::from_weights(&m.config, &m.weights, &d).unwrap();
    assert_eq!(pollster::block_on(gpt.to_weights(&m.config)).unwrap(), m.weights);
}

/// What the engine does not implement is refused by name.
#[test]
fn unsupported_settings_are_named() {
    let base: serde_json::Value =
        serde_json::from_str(&GptConfig::tiny(300, 0).to_hf_json()).unwrap();
    for (key, value, named) in [
        ("activation_function", serde_json::json!("prelu"), "prelu"),
        ("activation_function", serde_json::json!("xielu"), "xielu"),
        ("model_type", serde_json::json!("gpt_neox"), "model_type"),
        ("add_cross_attention", serde_json::json!(true), "add_cross_attention"),
        ("n_inner", serde_json::json!(0), "n_inner"),
    ] {
        let mut cfg = base.clone();
        cfg[key] = value;
        let err = GptConfig::from_hf_json(&cfg.to_string()).unwrap_err().to_string();
        assert!(err.contains(named), "{key}: {err}");
    }
    // transformers' other spellings of GPT-2's GELU are read as it.
    let mut cfg = base.clone();
    cfg["activation_function"] = serde_json::json!("gelu_pytorch_tanh");
    cfg["n_inner"] = serde_json::json!(128);
    assert!(GptConfig::from_hf_json(&cfg.to_string()).is_ok());
}

/// Llama settings the engine does not implement are refused by name.
#[test]
fn unsupported_llama_settings_are_named() {
    let text =
        std::fs::read_to_string(root().join("tests/golden/models/llama-gqa-untied/config.json"))
            .unwrap();
    let base: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(GptConfig::from_hf_json(&text).is_ok());
    for (key, value, named) in [
        ("rope_parameters", serde_json::json!({"rope_type": "yarn", "factor": 4.0}), "yarn"),
        ("rope_scaling", serde_json::json!({"type": "linear", "factor": 2.0}), "linear"),
        ("use_sliding_window", serde_json::json!(true), "sliding"),
        ("num_key_value_heads", serde_json::json!(3), "num_key_value_heads"),
        ("hidden_act", serde_json::json!("prelu"), "prelu"),
    ] {
        let mut cfg = base.clone();
        cfg[key] = value;
        let err = GptConfig::from_hf_json(&cfg.to_string()).unwrap_err().to_string();
        assert!(err.contains(named), "{key}: {err}");
    }
}

/// A sharded index that points outside its folder, names nothing, or is not JSON is an error.
#[test]
fn bad_shard_indexes_are_errors() {
    use forgetlab_core::model::hf::shard_files;
    let ok = br#"{"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}}"#;
    assert_eq!(
        shard_files(ok).unwrap(),
        ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    );
    for bad in [
        &br#"{"weight_map": {"a": "../etc/passwd"}}"#[..],
        br#"{"weight_map": {}}"#,
        br#"{"metadata": {}}"#,
        b"not json",
    ] {
        assert!(shard_files(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
}
