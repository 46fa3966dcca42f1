//! `forgetlab pretrain`: the fact world's files, then the default model (or the fluency scorer,
//! a retain model, the Llama-family twin) trained from scratch.

use std::path::PathBuf;
use std::time::Instant;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::pretrain::{PretrainConfig, pretrain};
use forgetlab_core::world::FactWorld;

use crate::{DEFAULT_MODEL, RETAIN_MODELS};

#[derive(clap::Args)]
pub struct Args {
    /// Default: public/models/forgetlab-small (models/retain-SPLIT with --retain).
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, default_value = "public/data")]
    data_out: PathBuf,
    #[arg(long)]
    steps: Option<usize>,
    #[arg(long)]
    seed: Option<u64>,
    /// Train the Linguistic Score's fluency scorer (no forget10 or holdout authors) instead.
    #[arg(long, conflicts_with = "retain")]
    fluency: bool,
    /// Train the retain model of a forget split instead (TOFU's retain90/95/99): the same
    /// recipe and seed without that split's authors. Written to models/retain-SPLIT unless
    /// --out says otherwise.
    #[arg(long, value_name = "SPLIT", value_parser = ["forget01", "forget05", "forget10", "val10"])]
    retain: Option<String>,
    /// Train the Llama-family twin of the default shape (rotary positions, RMSNorm,
    /// grouped-query attention, SwiGLU) instead of GPT-2; give --out.
    #[arg(long, requires = "out")]
    llama: bool,
}

pub fn run(args: Args, world: &FactWorld, device: &Device) -> Result<(), ForgetError> {
    let Args { out, data_out, steps, seed, fluency, retain, llama } = args;
    let out = match (&retain, out) {
        (Some(split), None) => PathBuf::from(format!("{RETAIN_MODELS}/retain-{split}")),
        (_, out) => out.unwrap_or_else(|| PathBuf::from(DEFAULT_MODEL)),
    };
    let mut cfg = PretrainConfig { fluency, retain, llama, ..PretrainConfig::default() };
    // The fluency scorer (public/models/fluency) trains as long as the default model: it reads
    // every retain question answered in four styles (core::pretrain), four times the QA text.
    cfg.steps = steps.unwrap_or(cfg.steps);
    cfg.seed = seed.unwrap_or(cfg.seed);
    world.export_dir(&data_out)?;
    println!("fact world → {} ({} items)", data_out.display(), world.items.len());
    let start = Instant::now();
    let mut recent = Vec::new();
    let total = cfg.steps;
    let model = pollster::block_on(pretrain(world, &cfg, device, |step, loss| {
        recent.push(loss);
        if (step + 1) % 200 == 0 || step + 1 == total {
            let avg = recent.iter().sum::<f32>() / recent.len() as f32;
            println!(
                "step {:>5}/{total}  loss {avg:.4}  {:.0}s",
                step + 1,
                start.elapsed().as_secs_f64()
            );
            recent.clear();
        }
    }))?;
    model.save_dir(&out)?;
    println!(
        "model ({} parameters) → {} in {:.0}s",
        model.config.num_params(),
        out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
