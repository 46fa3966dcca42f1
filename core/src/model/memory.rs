//! What training a model will need, estimated from its `config.json` alone, before a byte of its
//! weights is read: so a model too large for the browser is refused with numbers and a way out,
//! and nothing already loaded is lost.
//!
//! A run keeps, on its device (f32, 4 bytes a number; P parameters, P_t of them trained):
//!
//! ```text
//! weights      4·P   the trained model
//! copies       8·P   the reference model (KL, NPO, the answers of step 0) and the last good
//!                    weights (restored when a loss diverges); with LoRA the last good copy is
//!                    the adapters only (the frozen weights are shared)
//! gradients    4·P_t
//! optimizer    8·P_t AdamW's first and second moments (Loshchilov & Hutter, ICLR 2019)
//! activations  4·N·(L·(12·d + 2·h·T + k·f) + 3·V)   kept for the backward pass, N = B·T tokens
//!                    (forget and retain examples: B = 2·batch), k = 3 for GPT-2's MLP, 4 for a
//!                    gated one; the last term is the logits, their log-softmax and its gradient
//! ```
//!
//! and on the host (wasm memory even when WebGPU trains): the files as read and the f32
//! weights parsed from them, `file bytes + 4·P`. The activation term is the usual count of the
//! tensors autodiff saves (Korthikanti et al., "Reducing Activation Recomputation in Large
//! Transformer Models", 2022, §4, in f32 and without dropout masks). It is an estimate of the
//! order of what is allocated, not a measurement: burn frees and reuses buffers as it goes.
//!
//! Limits: a wasm32 program addresses at most 4 GiB, and WebGPU refuses a buffer larger than the
//! adapter's `maxBufferSize` or a storage binding larger than `maxStorageBufferBindingSize`; the
//! largest single buffer is the largest of a weight matrix, the logits and the attention scores.

use super::config::GptConfig;
use super::lora;

/// wasm32's address space: 65,536 pages of 64 KiB.
pub const WASM_MEMORY_LIMIT: u64 = 4 << 30;

/// Tokens in one training example at most: the longest question and answer of the fact world,
/// with room to spare (or the model's context, when shorter).
pub const EXAMPLE_TOKENS: usize = 128;

/// The estimate, in bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrainingMemory {
    pub parameters: u64,
    pub trained: u64,
    pub weights: u64,
    pub copies: u64,
    pub gradients: u64,
    pub optimizer: u64,
    pub activations: u64,
    /// The files as read and the host's f32 weights.
    pub host: u64,
    /// The largest single buffer on the device.
    pub largest_buffer: u64,
}

impl TrainingMemory {
    /// What the training device holds.
    pub fn device(&self) -> u64 {
        self.weights + self.copies + self.gradients + self.optimizer + self.activations
    }
}

/// The settings the estimate depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainingShape {
    /// Forget examples per step (as many retain examples come with them).
    pub batch: usize,
    /// 0: every weight trains.
    pub lora_rank: usize,
    /// Bytes of the files that hold the weights.
    pub file_bytes: u64,
}

/// Where the model would train, and what that place allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceLimits {
    /// The WebGPU adapter's `maxBufferSize` and `maxStorageBufferBindingSize`; None on the CPU,
    /// whose device memory is the wasm memory.
    pub webgpu: Option<(u64, u64)>,
    /// The host's memory limit (wasm: [`WASM_MEMORY_LIMIT`]); None natively.
    pub host: Option<u64>,
}

/// Estimate the memory a run of `shape` needs on a model of `cfg`.
pub fn estimate(cfg: &GptConfig, shape: TrainingShape) -> TrainingMemory {
    let u = |x: usize| x as u64;
    let p = cfg.checked_num_params().unwrap_or(u64::MAX / 64);
    let trained = match shape.lora_rank {
        0 => p,
        r => u(lora::num_params(cfg, r)),
    };
    let t = u(cfg.n_positions.min(EXAMPLE_TOKENS));
    let tokens = 2 * u(shape.batch) * t;
    let (d, f, v, h, l) =
        (u(cfg.n_embd), u(cfg.mlp_width()), u(cfg.vocab_size), u(cfg.n_head), u(cfg.n_layer));
    let k = if cfg.llama.is_some() { 4 } else { 3 };
    let per_token = l.saturating_mul(12 * d + 2 * h * t + k * f).saturating_add(3 * v);
    let last_good = if shape.lora_rank == 0 { p } else { trained };
    let largest_weight = v.max(f).saturating_mul(d).max(u(cfg.n_positions) * d);
    let largest_buffer =
        4 * largest_weight.max(tokens.saturating_mul(v)).max(2 * u(shape.batch) * h * t * t);
    TrainingMemory {
        parameters: p,
        trained,
        weights: 4 * p,
        copies: 4 * (p + last_good),
        gradients: 4 * trained,
        optimizer: 8 * trained,
        activations: 4u64.saturating_mul(tokens).saturating_mul(per_token),
        host: shape.file_bytes.saturating_add(4 * p),
        largest_buffer,
    }
}

/// Bytes as the page shows them: "1.3 GB", "512 MB".
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.0} KB", b / 1e3)
    }
}

/// The estimate in a sentence, with and without LoRA (rank 8), for the page's model panel.
pub fn describe(cfg: &GptConfig, batch: usize, file_bytes: u64) -> String {
    let hb = human_bytes;
    let full = estimate(cfg, TrainingShape { batch, lora_rank: 0, file_bytes });
    let lora = estimate(cfg, TrainingShape { batch, lora_rank: 8, file_bytes });
    format!(
        "training at batch {batch} needs about {} (weights {}, reference and last-good copies {}, \
            gradients {}, AdamW {}, activations {}); with LoRA rank 8, {} ({} trained numbers); \
            host copy {}",
        hb(full.device()),
        hb(full.weights),
        hb(full.copies),
        hb(full.gradients),
        hb(full.optimizer),
        hb(full.activations),
        hb(lora.device()),
        lora.trained,
        hb(full.host),
    )
}

/// The first limit `m` breaks, as a sentence with the numbers; None when it fits.
pub fn exceeded(m: &TrainingMemory, limits: DeviceLimits) -> Option<String> {
    let hb = human_bytes;
    let host_total = match limits.webgpu {
        Some(_) => m.host,
        None => m.host.saturating_add(m.device()),
    };
    if let Some(host) = limits.host
        && host_total > host
    {
        let place =
            if limits.webgpu.is_some() { "its files and host copy" } else { "training on the CPU" };
        return Some(format!(
            "{place} need{} about {} of the tab's memory, more than wasm's {} (weights {}, copies \
                {}, gradients {}, optimizer {}, activations {}, files and host weights {})",
            if limits.webgpu.is_some() { "" } else { "s" },
            hb(host_total),
            hb(host),
            hb(m.weights),
            hb(m.copies),
            hb(m.gradients),
            hb(m.optimizer),
            hb(m.activations),
            hb(m.host),
        ));
    }
    if let Some((max_buffer, max_binding)) = limits.webgpu {
        let limit = max_buffer.min(max_binding);
        if m.largest_buffer > limit {
            return Some(format!(
                "its largest buffer ({}) is larger than this WebGPU adapter allows ({}: \
                    maxBufferSize {}, maxStorageBufferBindingSize {})",
                hb(m.largest_buffer),
                hb(limit),
                hb(max_buffer),
                hb(max_binding),
            ));
        }
    }
    None
}

/// Check a run of `shape` on `cfg` against `limits`. The refusal says what was needed, what is
/// allowed, and the nearest settings that fit (a LoRA rank, a smaller batch), or that none does.
pub fn check(
    cfg: &GptConfig,
    shape: TrainingShape,
    limits: DeviceLimits,
) -> Result<TrainingMemory, String> {
    let m = estimate(cfg, shape);
    let Some(why) = exceeded(&m, limits) else { return Ok(m) };
    let fits = |s: TrainingShape| exceeded(&estimate(cfg, s), limits).is_none();
    let mut ways = Vec::new();
    if shape.lora_rank == 0
        && let Some(rank) =
            [8, 4, 1].into_iter().find(|&r| fits(TrainingShape { lora_rank: r, ..shape }))
    {
        ways.push(format!("LoRA rank {rank} (lora_rank = {rank})"));
    }
    if let Some(batch) = (1..shape.batch).rev().find(|&b| fits(TrainingShape { batch: b, ..shape }))
    {
        ways.push(format!("batch size {batch}"));
    }
    let suggestion = if ways.is_empty() {
        let small = TrainingShape { batch: 1, lora_rank: 1, ..shape };
        if fits(small) {
            "LoRA rank 1 with batch size 1".to_string()
        } else {
            "none in the browser: train it with the forgetlab CLI".to_string()
        }
    } else {
        ways.join(", or ")
    };
    Err(format!(
        "this model ({} parameters) does not fit: {why}. Settings that fit: {suggestion}",
        m.parameters
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpt2(n_embd: usize, n_layer: usize, vocab_size: usize) -> GptConfig {
        GptConfig {
            vocab_size,
            n_positions: 1024,
            n_embd,
            n_layer,
            n_head: 12,
            ..GptConfig::default_model(vocab_size, 0)
        }
    }

    const WASM: DeviceLimits = DeviceLimits { webgpu: None, host: Some(WASM_MEMORY_LIMIT) };

    #[test]
    fn full_training_counts_sixteen_bytes_a_parameter_before_activations() {
        let cfg = gpt2(768, 12, 50257);
        let m = estimate(&cfg, TrainingShape { batch: 4, lora_rank: 0, file_bytes: 0 });
        assert_eq!(m.parameters, 124_439_808); // GPT-2 small, as transformers counts it
        assert_eq!(m.weights + m.gradients + m.optimizer, 16 * m.parameters);
        assert_eq!(m.copies, 8 * m.parameters);
        // Logits alone: 2·4 examples × 128 tokens × 50257 × 3 tensors × 4 bytes.
        assert!(m.activations > 2 * 4 * 128 * 50257 * 3 * 4);
    }

    #[test]
    fn lora_trains_and_copies_only_the_adapters() {
        let cfg = gpt2(768, 12, 50257);
        let full = estimate(&cfg, TrainingShape { batch: 4, lora_rank: 0, file_bytes: 0 });
        let lora = estimate(&cfg, TrainingShape { batch: 4, lora_rank: 8, file_bytes: 0 });
        assert_eq!(lora.trained, lora::num_params(&cfg, 8) as u64);
        assert!(lora.gradients + lora.optimizer < (full.gradients + full.optimizer) / 50);
        assert_eq!(lora.copies, 4 * (lora.parameters + lora.trained));
        assert_eq!(lora.activations, full.activations);
    }

    #[test]
    fn gpt2_small_fits_with_lora_on_the_cpu_but_a_billion_parameters_do_not() {
        let cfg = gpt2(768, 12, 50257);
        let shape = TrainingShape { batch: 16, lora_rank: 0, file_bytes: 500_000_000 };
        let refusal = check(&cfg, shape, WASM).unwrap_err();
        assert!(refusal.contains("124439808 parameters"), "{refusal}");
        assert!(refusal.contains("more than wasm's 4.3 GB"), "{refusal}");
        assert!(refusal.contains("LoRA rank 8") || refusal.contains("batch size"), "{refusal}");
        let lora = TrainingShape { lora_rank: 8, batch: 4, ..shape };
        assert!(check(&cfg, lora, WASM).is_ok());
        let big = gpt2(2048, 24, 50257);
        let refusal =
            check(&big, TrainingShape { batch: 1, lora_rank: 1, file_bytes: 0 }, WASM).unwrap_err();
        assert!(refusal.contains("forgetlab CLI"), "{refusal}");
    }

    #[test]
    fn webgpu_keeps_training_off_the_host_but_checks_the_largest_buffer() {
        let cfg = gpt2(768, 12, 50257);
        let shape = TrainingShape { batch: 16, lora_rank: 0, file_bytes: 500_000_000 };
        // The logits of 2·16 rows of 128 tokens over 50,257 entries: 823 MB in one buffer.
        let gpu = DeviceLimits { webgpu: Some((1 << 30, 1 << 29)), host: Some(WASM_MEMORY_LIMIT) };
        let refusal = check(&cfg, shape, gpu).unwrap_err();
        assert!(refusal.contains("largest buffer (823 MB)"), "{refusal}");
        assert!(refusal.contains("maxStorageBufferBindingSize 537 MB"), "{refusal}");
        assert!(refusal.contains("Settings that fit: batch size 10"), "{refusal}");
        // WebGPU's default binding limit (128 MiB) is below GPT-2's embedding matrix (154 MB).
        let default = DeviceLimits { webgpu: Some((1 << 28, 1 << 27)), ..gpu };
        let refusal = check(&cfg, TrainingShape { batch: 1, ..shape }, default).unwrap_err();
        assert!(refusal.contains("none in the browser"), "{refusal}");
        let roomy = DeviceLimits { webgpu: Some((8 << 30, 8 << 30)), ..gpu };
        assert!(check(&cfg, shape, roomy).is_ok());
    }

    #[test]
    fn the_default_model_fits_everywhere() {
        let cfg = GptConfig::default_model(1024, 0);
        let shape = TrainingShape { batch: 16, lora_rank: 0, file_bytes: 2_000_000 };
        let m = check(&cfg, shape, WASM).unwrap();
        assert!(m.device() < 200_000_000, "{m:?}");
    }
}
