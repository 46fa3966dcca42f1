//! The engine in a real browser: headless Chromium through wasm-bindgen-test, on burn's CPU
//! backend (flex compiled to wasm) and on WebGPU (Chromium's SwiftShader adapter when there is no
//! GPU). Run by scripts/test.sh:
//!
//! ```text
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test --profile wasm-release -p forgetlab-app --target wasm32-unknown-unknown \
//!   --test engine_in_browser
//! ```
//! Everything reads back with the async calls only (a synchronous readback panics on WebGPU).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use burn::tensor::{Device, Int, Tensor, TensorData};
use forgetlab_core::host::read_f32;
use forgetlab_core::methods::MethodKind;
use forgetlab_core::model::{Gpt, GptConfig, GptWeights, LoadedModel};
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig};
use forgetlab_core::tokenizer::Tokenizer;
use forgetlab_core::world::{FactWorld, WorldConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// burn's WebGPU device, initialised once (burn refuses a second initialisation).
async fn webgpu() -> Device {
    if let Some(d) = WEBGPU.with(|w| w.borrow().clone()) {
        return d;
    }
    let d = Device::wgpu_options()
        .init_async()
        .await
        .expect("headless Chromium with --enable-unsafe-webgpu has a WebGPU adapter");
    WEBGPU.with(|w| *w.borrow_mut() = Some(d.clone()));
    d
}

/// A tiny world and an untrained tiny model with a tokenizer trained in the browser.
fn tiny_model() -> (FactWorld, LoadedModel) {
    let world = FactWorld::generate(&WorldConfig::tiny(3));
    let tokenizer = Tokenizer::train(&forgetlab_core::pretrain::tokenizer_corpus(&world), 400)
        .expect("BPE training works on wasm");
    let config = GptConfig::tiny(tokenizer.vocab_size(), tokenizer.eos_id());
    let weights = GptWeights::init(&config, 11);
    (world, LoadedModel { config, weights, tokenizer })
}

async fn logits(m: &LoadedModel, device: &Device, ids: &[u32]) -> Vec<f32> {
    let gpt = Gpt::from_weights(&m.config, &m.weights, device).unwrap();
    let data = TensorData::new(ids.iter().map(|&i| i as i64).collect::<Vec<_>>(), [1, ids.len()]);
    let input = Tensor::<2, Int>::from_data(data, device);
    let out = gpt.forward(input, m.config.n_head);
    read_f32(out.reshape([-1])).await.unwrap()
}

#[wasm_bindgen_test]
async fn cpu_and_webgpu_compute_the_same_logits() {
    let (_, m) = tiny_model();
    let ids = m.tokenizer.encode("Question: Where was the author born?\nAnswer:").unwrap();
    let cpu = logits(&m, &Device::flex(), &ids).await;
    let gpu = logits(&m, &webgpu().await, &ids).await;
    assert_eq!(cpu.len(), gpu.len());
    let max = cpu.iter().zip(&gpu).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(max < 1e-4, "float32 logits agree across backends, max abs diff {max}");
}

/// Two GA steps and an evaluation on `device` (with LoRA adapters of `lora_rank` when > 0);
/// returns the losses and the forget probability before and after.
async fn short_run(device: &Device, lora_rank: usize) -> (Vec<f64>, f64, f64) {
    let (world, m) = tiny_model();
    let mut cfg = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget10".into()));
    cfg.hyper.batch_size = 4;
    cfg.hyper.lr = 5e-3;
    cfg.hyper.lora_rank = lora_rank;
    cfg.eval = EvalConfig {
        max_forget: 4,
        max_retain: 4,
        max_world: 4,
        max_holdout: 4,
        max_new_tokens: 3,
        sample_ids: vec![],
    };
    let mut run = Run::new(&m, &world, cfg, device).unwrap();
    let before = run.evaluate().await.unwrap();
    let mut losses = vec![];
    for _ in 0..2 {
        losses.push(run.step().await.unwrap().loss);
    }
    let after = run.evaluate().await.unwrap();
    // Saving reads every parameter back asynchronously (the WebGPU-safe way).
    let exported = run.export().await.unwrap();
    assert!(exported.weights.max_abs_diff(&m.weights) > 0.0, "the steps changed the weights");
    (losses, before.forget.prob, after.forget.prob)
}

/// A GA run with LoRA adapters (rank 4) on both backends. The same run on full weights is the
/// end-to-end suite's WebGPU session (tests/e2e/failsafe.test.mjs: the page's step 1 on WebGPU
/// against the CPU's), so it is not repeated here.
#[wasm_bindgen_test]
async fn a_lora_run_trains_its_adapters_alike_on_cpu_and_webgpu() {
    let (cpu_losses, cpu_before, cpu_after) = short_run(&Device::flex(), 4).await;
    let (gpu_losses, gpu_before, gpu_after) = short_run(&webgpu().await, 4).await;
    assert!(
        cpu_after < cpu_before,
        "GA lowers the forget probability on the CPU: {cpu_before} → {cpu_after}"
    );
    assert!(gpu_after < gpu_before, "and on WebGPU: {gpu_before} → {gpu_after}");
    for (c, g) in cpu_losses.iter().zip(&gpu_losses) {
        assert!(
            (c - g).abs() < 1e-3 * c.abs().max(1.0),
            "same seed, same losses: CPU {c} vs WebGPU {g}"
        );
    }
}

/// tests/golden/models/NAME's files, as the page would read them from a folder.
fn golden_family(name: &str) -> LoadedModel {
    macro_rules! golden_file {
        ($dir:literal, $file:literal) => {
            &include_bytes!(concat!("../../tests/golden/models/", $dir, "/", $file))[..]
        };
    }
    macro_rules! one_file {
        ($dir:literal) => {
            (
                golden_file!($dir, "config.json"),
                golden_file!($dir, "tokenizer.json"),
                vec![golden_file!($dir, "model.safetensors")],
            )
        };
    }
    let (config, tokenizer, shards): (&[u8], &[u8], Vec<&[u8]>) = match name {
        "gpt2-untied-gelu" => one_file!("gpt2-untied-gelu"),
        "gpt2-layer-scaled-relu2" => one_file!("gpt2-layer-scaled-relu2"),
        "llama-gqa-untied" => one_file!("llama-gqa-untied"),
        "llama-mqa-tied-bf16" => one_file!("llama-mqa-tied-bf16"),
        "qwen2-qkv-bias" => one_file!("qwen2-qkv-bias"),
        "gpt2-quick-gelu-sharded" => (
            golden_file!("gpt2-quick-gelu-sharded", "config.json"),
            golden_file!("gpt2-quick-gelu-sharded", "tokenizer.json"),
            vec![
                golden_file!("gpt2-quick-gelu-sharded", "model-00001-of-00002.safetensors"),
                golden_file!("gpt2-quick-gelu-sharded", "model-00002-of-00002.safetensors"),
            ],
        ),
        other => panic!("no golden model {other}"),
    };
    LoadedModel::from_shards(config, &shards, tokenizer).unwrap()
}

/// The golden checkpoints of every model family and setting (tests/golden/make_golden_families.py,
/// made by transformers) give transformers' logits on the CPU backend and on WebGPU.
#[wasm_bindgen_test]
async fn model_families_match_transformers_on_cpu_and_webgpu() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/golden/golden_families.json")).unwrap();
    let ids: Vec<Vec<u32>> = serde_json::from_value(golden["input_ids"].clone()).unwrap();
    let probe: Vec<usize> = serde_json::from_value(golden["probe_ids"].clone()).unwrap();
    let gpu = webgpu().await;
    for (name, g) in golden["models"].as_object().unwrap() {
        let m = golden_family(name);
        let v = m.config.vocab_size;
        for (backend, device) in [("cpu", Device::flex()), ("webgpu", gpu.clone())] {
            let mut worst = 0f64;
            for (r, row_ids) in ids.iter().enumerate() {
                let logits = logits(&m, &device, row_ids).await;
                for j in 0..row_ids.len() {
                    let row = &logits[j * v..(j + 1) * v];
                    let max = row.iter().cloned().fold(f32::MIN, f32::max) as f64;
                    let lse = max + row.iter().map(|x| (*x as f64 - max).exp()).sum::<f64>().ln();
                    worst = worst.max((lse - g["logsumexp"][r][j].as_f64().unwrap()).abs());
                    for (k, &id) in probe.iter().enumerate() {
                        let want = g["probe_logits"][r][j][k].as_f64().unwrap();
                        worst = worst.max((row[id] as f64 - want).abs());
                    }
                }
            }
            assert!(worst <= 1e-4, "{name} on {backend}: max |diff| to transformers = {worst}");
        }
    }
}
