//! `forgetlab bench`: the engine's speed on this machine, printed, never asserted (speed is not a
//! test): evaluation passes of the default model, training steps, and the training step alone
//! (the figure scripts/bench_vs_pytorch.py compares with PyTorch).

use std::time::Instant;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::methods::MethodKind;
use forgetlab_core::model::LoadedModel;
use forgetlab_core::run::{ForgetSelection, Run, RunConfig};
use forgetlab_core::world::FactWorld;

/// `forgetlab bench`: seconds per evaluation pass (every metric) of the default model, then ms
/// per training step (GA, batch 16) and an evaluation pass after those steps (a model that has
/// forgotten its answers must decode them: the slower case).
pub fn bench(
    m: &LoadedModel,
    fluency: Option<&LoadedModel>,
    world: &FactWorld,
    forget: &str,
    steps: usize,
    device: &Device,
    backend: &str,
) -> Result<(), ForgetError> {
    let mut run = Run::new(
        m,
        world,
        RunConfig::new(MethodKind::Ga, ForgetSelection::Split(forget.into())),
        device,
    )?;
    if let Some(scorer) = fluency {
        run.set_fluency_model(scorer)?;
    }
    let sets = run.eval_sets();
    println!(
        "backend {backend} · {} parameters · forget {forget} · {} cores",
        m.config.num_params(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "evaluation pass, every metric ({} forget + {} retain + {} real-entity + {} world + {} \
            holdout items):",
        sets.forget.len(),
        sets.retain.len(),
        sets.real_entities.len(),
        sets.world.len(),
        sets.holdout.len()
    );
    // The first pass also fits the linear probe on the original model (once per run) and warms
    // up allocations (and, on GPUs, compiles shaders).
    let first = timed(|| pollster::block_on(run.evaluate()).map(|_| ()))?;
    println!("  first pass of a run (adds the linear probe's fit, once per run): {first:.3} s");
    let default_model = timed_passes(&run, 5)?;
    println!("  default model (step 0): {}", default_model.summary());

    let step_s = timed_steps(&mut run, steps)?;
    let after = timed_passes(&run, 3)?;
    println!("  after {} GA steps: {}", steps + 1, after.summary());
    println!(
        "training step (GA, batch {}): {:.1} ms",
        run.config.hyper.batch_size,
        step_s * 1000.0 / steps.max(1) as f64
    );
    Ok(())
}

/// `forgetlab bench --train-only`: milliseconds per GA training step (batch 16 of the forget
/// split's answers, after one warm-up step) and training tokens per second (unpadded rows).
pub fn bench_training(
    m: &LoadedModel,
    world: &FactWorld,
    forget: &str,
    steps: usize,
    device: &Device,
    backend: &str,
) -> Result<(), ForgetError> {
    let config = RunConfig::new(MethodKind::Ga, ForgetSelection::Split(forget.into()));
    let batch = config.hyper.batch_size;
    let mut run = Run::new(m, world, config, device)?;
    let per_step = timed_steps(&mut run, steps)? / steps.max(1) as f64;
    // A GA row is a question and its answer: the mean real (unpadded) tokens a step trains on.
    let lengths = run
        .forget_items()
        .iter()
        .map(|it| {
            forgetlab_core::batch::Example::qa(
                &m.tokenizer,
                &it.question,
                &it.answer,
                m.config.n_positions,
            )
            .map(|e| e.len())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mean_len = lengths.iter().sum::<usize>() as f64 / lengths.len().max(1) as f64;
    println!(
        "backend {backend} · {} parameters · training step (GA, batch {batch}, {mean_len:.1} \
            tokens a row on average): {:.1} ms · {:.0} tokens/s",
        m.config.num_params(),
        per_step * 1000.0,
        batch as f64 * mean_len / per_step
    );
    Ok(())
}

/// Seconds `steps` training steps took, after one warm-up step.
fn timed_steps(run: &mut Run, steps: usize) -> Result<f64, ForgetError> {
    pollster::block_on(run.step())?;
    timed(|| {
        for _ in 0..steps {
            pollster::block_on(run.step())?;
        }
        Ok(())
    })
}

/// Seconds `f` took.
fn timed(f: impl FnOnce() -> Result<(), ForgetError>) -> Result<f64, ForgetError> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed().as_secs_f64())
}

/// Mean and fastest of repeated evaluation passes.
struct Passes {
    mean: f64,
    best: f64,
    n: usize,
}

impl Passes {
    fn summary(&self) -> String {
        format!("{:.3} s (mean of {}; fastest {:.3} s)", self.mean, self.n, self.best)
    }
}

fn timed_passes(run: &Run, n: usize) -> Result<Passes, ForgetError> {
    let times = (0..n)
        .map(|_| timed(|| pollster::block_on(run.evaluate()).map(|_| ())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Passes {
        mean: times.iter().sum::<f64>() / n as f64,
        best: times.iter().copied().fold(f64::INFINITY, f64::min),
        n,
    })
}
