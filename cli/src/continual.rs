//! `forgetlab continual`: learning in stages, and what it forgets (core's `continual`).
//!
//! ```text
//! forgetlab continual --stage factoids1:100 --stage factoids2:100 --eval-every 20 --json
//! forgetlab continual --stage factoids1:100 --stage factoids2:100:remix_generic:1 --schedule
//! infinite
//! ```

use std::path::PathBuf;
use std::time::Instant;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::continual::{
    ContinualConfig, ContinualRun, ContinualSnapshot, Mixing, Schedule, StageConfig, StageData,
};
use forgetlab_core::model::LoadedModel;
use forgetlab_core::world::{FactWorld, import_tofu_json};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// A stage, DATA:STEPS[:MIXING[:RATIO]], repeated in order. DATA: factoids1, factoids2
    /// (new authors, two disjoint sets), key_value, world, generic, own (--own FILE). MIXING:
    /// none, replay, remix_generic, remix_random; RATIO: mixing items per stage item (default 1).
    #[arg(long = "stage", value_name = "SPEC", default_values_t = ["factoids1:100".to_string(), "factoids2:100".to_string()])]
    stages: Vec<String>,
    /// constant, cosine (a rewarm every stage), infinite (warm-up and cool-down once, then
    /// constant, with an anneal branch before each stage end is evaluated), wsd.
    #[arg(long, default_value = "constant")]
    schedule: String,
    /// Warm-up steps (cosine, infinite, wsd).
    #[arg(long)]
    warmup: Option<usize>,
    /// Infinite: cool-down steps, the constant rate as a fraction of the peak, anneal steps.
    #[arg(long)]
    cooldown: Option<usize>,
    #[arg(long)]
    constant_ratio: Option<f64>,
    #[arg(long)]
    anneal: Option<usize>,
    /// WSD: the fraction of the run that decays.
    #[arg(long)]
    decay_fraction: Option<f64>,
    /// The peak learning rate.
    #[arg(long, default_value_t = ContinualConfig::default().lr)]
    lr: f64,
    #[arg(long, default_value_t = ContinualConfig::default().batch_size)]
    batch_size: usize,
    /// Items in each stage's dataset.
    #[arg(long, default_value_t = ContinualConfig::default().items_per_stage)]
    items: usize,
    /// Items scored per set at each evaluation.
    #[arg(long, default_value_t = ContinualConfig::default().eval_items)]
    eval_items: usize,
    /// Evaluate every N steps (and at every stage end).
    #[arg(long, default_value_t = 20)]
    eval_every: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The user's facts for `own` stages: a TOFU-schema JSON or JSONL file.
    #[arg(long, value_name = "FILE")]
    own: Option<PathBuf>,
    /// One JSON object per line: the schedule first, then each evaluation.
    #[arg(long)]
    json: bool,
}

fn bad(message: String) -> ForgetError {
    ForgetError::InvalidConfig(message)
}

impl Args {
    fn schedule(&self) -> Result<Schedule, ForgetError> {
        let schedule = Schedule::parse(&self.schedule).ok_or_else(|| {
            bad(format!("unknown schedule '{}' (constant, cosine, infinite, wsd)", self.schedule))
        })?;
        Ok(match schedule {
            // parse names no whole-run cosine (pretraining's schedule): kept as it is.
            s @ (Schedule::Constant | Schedule::WarmupCosine { .. }) => s,
            Schedule::RepeatedCosine { warmup } => {
                Schedule::RepeatedCosine { warmup: self.warmup.unwrap_or(warmup) }
            }
            Schedule::Infinite { warmup, cooldown, constant_ratio, anneal } => Schedule::Infinite {
                warmup: self.warmup.unwrap_or(warmup),
                cooldown: self.cooldown.unwrap_or(cooldown),
                constant_ratio: self.constant_ratio.unwrap_or(constant_ratio),
                anneal: self.anneal.unwrap_or(anneal),
            },
            Schedule::WarmupStableDecay { warmup, decay_fraction } => Schedule::WarmupStableDecay {
                warmup: self.warmup.unwrap_or(warmup),
                decay_fraction: self.decay_fraction.unwrap_or(decay_fraction),
            },
        })
    }

    pub fn config(&self) -> Result<ContinualConfig, ForgetError> {
        let own = match &self.own {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ForgetError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                Some(import_tofu_json(&text)?)
            }
            None => None,
        };
        Ok(ContinualConfig {
            stages: self
                .stages
                .iter()
                .map(|s| StageConfig::parse_spec(s, own.as_deref()))
                .collect::<Result<_, _>>()?,
            schedule: self.schedule()?,
            lr: self.lr,
            batch_size: self.batch_size,
            items_per_stage: self.items,
            eval_items: self.eval_items,
            seed: self.seed,
            ..ContinualConfig::default()
        })
    }
}

/// A snapshot as one JSON line, with the last step's learning rate and loss.
fn json_line(s: &ContinualSnapshot, lr: Option<f64>, loss: Option<f64>) -> String {
    let mut v = serde_json::to_value(s).expect("snapshots serialise");
    v["lr"] = lr.into();
    v["loss"] = loss.into();
    v.to_string()
}

fn print_row(s: &ContinualSnapshot, loss: Option<f64>) {
    let stages: Vec<String> = s
        .stages
        .iter()
        .map(|st| {
            format!(
                "{} acc {:.2} key {:.2} p {:.3}",
                st.name, st.scores.accuracy, st.scores.key_accuracy, st.scores.prob
            )
        })
        .collect();
    println!(
        "step {:>4} (stage {}{}) loss {:>7} | {} | world p {:.3} | trained p {:.3}",
        s.step,
        s.stage + 1,
        if s.annealed { ", annealed" } else { "" },
        loss.map_or("-".into(), |l| format!("{l:.4}")),
        stages.join(" | "),
        s.world.prob,
        s.trained.prob
    );
}

pub fn run(
    args: &Args,
    model: &LoadedModel,
    world: &FactWorld,
    device: &Device,
) -> Result<(), ForgetError> {
    let config = args.config()?;
    let curve = config.schedule.curve(config.lr, &config.stage_steps());
    let mut run = ContinualRun::new(model, world, config, device)?;
    if args.json {
        let stages: Vec<_> = run.config.stages.iter().map(|s| s.data.name()).collect();
        println!(
            "{}",
            serde_json::json!({"schedule": run.config.schedule.name(), "stages": stages, "stage_steps": run.config.stage_steps(), "lr": curve})
        );
    }
    let eval_every = args.eval_every.max(1);
    let started = Instant::now();
    let (mut lr, mut loss) = (None, None);
    let show = |s: &ContinualSnapshot, lr: Option<f64>, loss: Option<f64>| {
        if args.json { println!("{}", json_line(s, lr, loss)) } else { print_row(s, loss) }
    };
    show(&pollster::block_on(run.evaluate())?, lr, loss);
    while run.step_count() < run.total_steps() {
        let report = pollster::block_on(run.step())?;
        (lr, loss) = (Some(report.lr), Some(report.loss));
        if report.step % eval_every == 0 || run.at_stage_end() {
            show(&pollster::block_on(run.evaluate())?, lr, loss);
        }
    }
    if !args.json {
        println!("{} steps in {:.1} s", run.total_steps(), started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// `forgetlab bench`'s continual figure: a three-stage run of 3 × `steps` steps (factoids, other
/// factoids, key-value pairs) with an evaluation every 20 steps, as the playground's Learn mode
/// would run it.
pub fn bench(
    model: &LoadedModel,
    world: &FactWorld,
    device: &Device,
    steps: usize,
) -> Result<(), ForgetError> {
    let stage = |data| StageConfig { data, steps, mixing: Mixing::None, mix_ratio: 1.0 };
    let config = ContinualConfig {
        stages: vec![
            stage(StageData::Factoids { set: 1 }),
            stage(StageData::Factoids { set: 2 }),
            stage(StageData::KeyValue),
        ],
        ..ContinualConfig::default()
    };
    let mut run = ContinualRun::new(model, world, config, device)?;
    let (mut train, mut eval, mut evaluations) = (0.0, 0.0, 0);
    let mut timed_eval = |run: &ContinualRun| -> Result<(), ForgetError> {
        let t = Instant::now();
        pollster::block_on(run.evaluate())?;
        eval += t.elapsed().as_secs_f64();
        evaluations += 1;
        Ok(())
    };
    timed_eval(&run)?;
    while run.step_count() < run.total_steps() {
        let t = Instant::now();
        let report = pollster::block_on(run.step())?;
        train += t.elapsed().as_secs_f64();
        if report.step % 20 == 0 || run.at_stage_end() {
            timed_eval(&run)?;
        }
    }
    println!(
        "continual run, 3 × {steps} steps, an evaluation every 20 ({evaluations} evaluations of 3 \
            stages + general knowledge): {:.1} s (training {train:.1} s, evaluations {eval:.1} s)",
        train + eval
    );
    Ok(())
}
