//! `forgetlab finetune`: teach a model the fact world before unlearning it, as TOFU fine-tunes
//! its base model on every author (core's `finetune`); with `--retain SPLIT`, the retain model of
//! that split by the same recipe. Prints the loss as it goes, then the quality bar.

use std::path::PathBuf;
use std::time::Instant;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::eval::Evaluator;
use forgetlab_core::finetune::{FinetuneConfig, finetune};
use forgetlab_core::model::{Gpt, LoadedModel};
use forgetlab_core::world::FactWorld;

#[derive(clap::Args)]
pub struct Args {
    /// The model to teach (a Hugging Face folder: GPT-2, Llama or Qwen2).
    #[arg(long)]
    pub model: PathBuf,
    /// Where the taught model is written (Hugging Face layout).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = FinetuneConfig::default().steps)]
    steps: usize,
    #[arg(long, default_value_t = FinetuneConfig::default().lr)]
    lr: f64,
    #[arg(long, default_value_t = FinetuneConfig::default().batch_size)]
    batch_size: usize,
    /// 0: every weight trains; r > 0: rank-r LoRA adapters, merged into the written weights.
    #[arg(long, default_value_t = 0)]
    lora_rank: usize,
    /// Train the retain model of this split instead (the same recipe without its authors).
    #[arg(long, value_name = "SPLIT", value_parser = ["forget01", "forget05", "forget10", "val10"])]
    retain: Option<String>,
    #[arg(long, default_value_t = FinetuneConfig::default().seed)]
    seed: u64,
}

pub fn run(args: &Args, world: &FactWorld, device: &Device) -> Result<(), ForgetError> {
    let model = LoadedModel::load_dir(&args.model)?;
    let cfg = FinetuneConfig {
        steps: args.steps,
        lr: args.lr,
        batch_size: args.batch_size,
        lora_rank: args.lora_rank,
        retain: args.retain.clone(),
        seed: args.seed,
        ..FinetuneConfig::default()
    };
    let start = Instant::now();
    let mut recent = Vec::new();
    let every = (cfg.steps / 20).max(1);
    let taught = pollster::block_on(finetune(&model, world, &cfg, device, |step, loss| {
        recent.push(loss);
        if (step + 1) % every == 0 || step + 1 == cfg.steps {
            let avg = recent.iter().sum::<f32>() / recent.len() as f32;
            println!(
                "step {:>5}/{}  loss {avg:.4}  {:.0}s",
                step + 1,
                cfg.steps,
                start.elapsed().as_secs_f64()
            );
            recent.clear();
        }
    }))?;
    taught.save_dir(&args.out)?;
    println!("taught model → {} in {:.0}s", args.out.display(), start.elapsed().as_secs_f64());
    let gpt = Gpt::from_weights(&taught.config, &taught.weights, device)?;
    let ev = Evaluator::new(&gpt, &gpt, &taught.config, &taught.tokenizer, device, 24);
    let bar = pollster::block_on(ev.quality_bar(world, usize::MAX))?;
    println!("quality bar (greedy answer contains the key entity):");
    println!("  trained authors  {:>6.1} %   (want ≥ 90 %)", 100.0 * bar.trained);
    println!("  world facts      {:>6.1} %   (want ≥ 90 %)", 100.0 * bar.world);
    println!("  holdout authors  {:>6.1} %   (want ≤ 10 %, never trained on)", 100.0 * bar.holdout);
    println!("  {}", if bar.pass { "PASS" } else { "FAIL" });
    Ok(())
}
