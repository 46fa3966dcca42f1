//! `forgetlab`: the engine on the command line, for reproducible experiments, grading and tests.
//!
//! ```text
//! forgetlab pretrain          # world → public/data, model → public/models/forgetlab-small
//! forgetlab eval [--json]     # the default model's quality bar and metrics
//! forgetlab generate --question "Where was Ilsa Marrowen born?"
//! forgetlab unlearn --method ga --forget forget05 --steps 30 --eval-every 5 --json
//! forgetlab unlearn --method random_label --kind birthplace   # forget one kind of question
//! forgetlab bench                         # ms per training step and per evaluation pass
//! forgetlab continual --stage factoids1:100 --stage factoids2:100:remix_generic --json
//! forgetlab edit --method all             # IKE vs fine-tuning vs fine-tuning with REMIX
//! forgetlab finetune --model DIR --out DIR2 [--lora-rank 8] [--retain forget10]
//! ```
//! This binary is the only native shell around the engine: it picks the backend (CPU `flex`,
//! or `wgpu` when built with `--features wgpu`) and blocks on the engine's async calls.

mod bench;
mod continual;
mod edit;
mod finetune;
mod pretrain;
mod report;
mod retain;
mod sequential;
mod settings_flags;
mod unlearn;

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use clap::{Parser, Subcommand};
use forgetlab_core::ForgetError;
use forgetlab_core::model::LoadedModel;
use forgetlab_core::run::ForgetSelection;
use forgetlab_core::world::{FactWorld, import_tofu_json};

/// Where the committed default model lives, relative to the repository root.
pub const DEFAULT_MODEL: &str = "public/models/forgetlab-small";
/// Where the retain models of the preset splits live (not served: the page gets their per-item
/// reference values, `retain_reference.json` in the default model's directory).
pub const RETAIN_MODELS: &str = "models";

#[derive(Parser)]
#[command(
    name = "forgetlab",
    version,
    about = "Watch a language model forget: pretrain, unlearn, evaluate."
)]
struct Cli {
    /// Compute backend: flex (CPU) or wgpu (GPU; needs a build with --features wgpu).
    #[arg(long, global = true, default_value = "flex")]
    backend: String,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Generate the fact world, export it to public/data, and train the default model from scratch.
    Pretrain(pretrain::Args),
    /// Print the model's quality bar (key entity in greedy answers) and every metric on forget10.
    Eval {
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, default_value = "forget10")]
        forget: String,
        #[command(flatten)]
        retain: RetainFlags,
        #[arg(long)]
        json: bool,
        /// Also write every metric's inputs and values to FILE, for tests/parity/check_metrics.py.
        #[arg(long, value_name = "FILE")]
        parity_fixture: Option<PathBuf>,
    },
    /// Print every metric's definition, direction and source paper as a Markdown table (the
    /// table in docs/METRICS.md, and the page's tips, come from the same rows).
    Metrics,
    /// Continue a prompt (or answer a question) with the model.
    Generate {
        #[arg(long)]
        model: Option<PathBuf>,
        /// Raw text to continue.
        #[arg(long, conflicts_with = "question")]
        prompt: Option<String>,
        /// A question, wrapped in the model's "Question: …\nAnswer:" format.
        #[arg(long)]
        question: Option<String>,
        #[arg(long, default_value_t = 32)]
        max_new_tokens: usize,
        /// 0 = greedy.
        #[arg(long, default_value_t = 0.0)]
        temperature: f32,
        #[arg(long, default_value_t = 0)]
        top_k: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Run an unlearning method and print metrics every --eval-every steps.
    Unlearn(unlearn::Args),
    /// Time an evaluation pass (every metric) and training steps (a benchmark, not a test).
    Bench {
        #[arg(long)]
        model: Option<PathBuf>,
        /// Training steps to time (GA), after which the pass is timed again.
        #[arg(long, default_value_t = 20)]
        steps: usize,
        #[arg(long, default_value = "forget10")]
        forget: String,
        /// Steps per stage of the timed three-stage continual run.
        #[arg(long, default_value_t = 100)]
        continual_steps: usize,
        /// Time the training steps only (no evaluation passes, no continual run): for models far
        /// larger than the default (scripts/bench_vs_pytorch.py).
        #[arg(long)]
        train_only: bool,
    },
    /// Score the preset splits' retain models (DIR/retain-forget01, -05, -10) and write the
    /// per-item values forget quality and PrivLeak compare with (what the playground downloads).
    RetainReference {
        #[arg(long, default_value = RETAIN_MODELS)]
        models: PathBuf,
        #[arg(long, default_value_t = format!("{DEFAULT_MODEL}/{}", retain::FILE))]
        out: String,
    },
    /// Learn in stages and watch what is forgotten: new factoids after factoids, mixing (replay,
    /// REMIX), learning-rate schedules (prints JSON lines with --json).
    Continual(continual::Args),
    /// Give facts new objects and compare IKE (in context), fine-tuning and fine-tuning with
    /// REMIX: efficacy, generalization, specificity.
    Edit(edit::Args),
    /// Teach a model (yours: --model DIR) the fact world before unlearning it, as TOFU does;
    /// --retain SPLIT trains that split's retain model by the same recipe.
    Finetune(finetune::Args),
    /// Export the fact world to JSON files (TOFU field names plus ForgetLab's).
    ExportWorld {
        #[arg(long, default_value = "public/data")]
        out: PathBuf,
    },
}

/// Which retain model forget quality and PrivLeak compare with. Without either flag: the
/// `retain_reference.json` beside the model, else the default model's (for a model with its
/// tokenizer). Forget quality is null for a selection no retain model was trained without.
#[derive(clap::Args)]
struct RetainFlags {
    /// Compute the retain model's values from this model directory (for example a model
    /// retrained without the selection: `forgetlab unlearn --method retrain … --save DIR`).
    #[arg(long, value_name = "DIR")]
    retain_model: Option<PathBuf>,
    /// Read them from this file (`forgetlab retain-reference --out FILE`).
    #[arg(long, value_name = "FILE", conflicts_with = "retain_model")]
    retain_reference: Option<PathBuf>,
    /// There is no retain model for this model (e.g. another pretraining seed): forget quality
    /// is null rather than compared with the default model's retain model.
    #[arg(long, conflicts_with_all = ["retain_model", "retain_reference"])]
    no_retain_model: bool,
}

impl RetainFlags {
    fn source(&self) -> retain::Source<'_> {
        retain::Source {
            model: self.retain_model.as_deref(),
            file: self.retain_reference.as_deref(),
            none: self.no_retain_model,
        }
    }
}

/// `rel` under the current directory if it exists there, else under the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    let here = PathBuf::from(rel);
    if here.exists() { here } else { Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel) }
}

fn device(backend: &str) -> Result<Device, ForgetError> {
    match backend {
        "flex" | "cpu" => Ok(Device::flex()),
        #[cfg(feature = "wgpu")]
        "wgpu" => Ok(Device::wgpu(Default::default())),
        other => Err(ForgetError::InvalidConfig(format!(
            "unknown backend '{other}' (this build has: flex{})",
            if cfg!(feature = "wgpu") { ", wgpu" } else { "" }
        ))),
    }
}

/// The model directory: the flag, else the default model under the current directory or the repo.
fn model_dir(flag: &Option<PathBuf>) -> PathBuf {
    match flag {
        Some(p) => p.clone(),
        None => repo_path(DEFAULT_MODEL),
    }
}

/// The original model a model is compared with (parameter change, the probe's fit): the default
/// model when `m` is a model of its shape and tokenizer (an unlearned copy), else `m` itself.
fn original_of(
    flag: &Option<PathBuf>,
    m: &LoadedModel,
) -> Result<Option<LoadedModel>, ForgetError> {
    if flag.is_none() {
        return Ok(None);
    }
    let default = LoadedModel::load_dir(&repo_path(DEFAULT_MODEL))?;
    let same =
        default.config == m.config && default.tokenizer.to_json()? == m.tokenizer.to_json()?;
    Ok(same.then_some(default))
}

fn load(flag: &Option<PathBuf>) -> Result<LoadedModel, ForgetError> {
    LoadedModel::load_dir(&model_dir(flag))
}

/// The Linguistic Score's fluency scorer: `fluency/` beside the model directory, when it exists
/// and shares the model's tokenizer (otherwise LS falls back to the reference model, with a note).
fn load_fluency(
    flag: &Option<PathBuf>,
    model: &LoadedModel,
) -> Result<Option<LoadedModel>, ForgetError> {
    let dir = model_dir(flag).join("..").join("fluency");
    if !dir.join("config.json").exists() {
        eprintln!("note: no fluency scorer at {}; LS uses the original model", dir.display());
        return Ok(None);
    }
    let scorer = LoadedModel::load_dir(&dir)?;
    if scorer.tokenizer.to_json()? != model.tokenizer.to_json()?
        || scorer.config.n_head != model.config.n_head
    {
        eprintln!(
            "note: {} has another tokenizer or head count; LS uses the original model",
            dir.display()
        );
        return Ok(None);
    }
    Ok(Some(scorer))
}

fn forget_selection(arg: &str) -> Result<ForgetSelection, ForgetError> {
    if arg.ends_with(".json") || arg.ends_with(".jsonl") || Path::new(arg).is_file() {
        let text = std::fs::read_to_string(arg)
            .map_err(|e| ForgetError::Io { path: arg.into(), message: e.to_string() })?;
        Ok(ForgetSelection::Items(import_tofu_json(&text)?))
    } else {
        Ok(ForgetSelection::Split(arg.to_string()))
    }
}

/// The items of `selection` whose kind of question is `kind`.
fn of_kind(
    world: &FactWorld,
    selection: &ForgetSelection,
    kind: &str,
) -> Result<ForgetSelection, ForgetError> {
    let items = forgetlab_core::run::resolve_forget(world, selection)?;
    let mut kinds: Vec<&str> = items.iter().map(|it| it.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let picked: Vec<_> = items.iter().filter(|it| it.kind == kind).cloned().collect();
    if picked.is_empty() {
        return Err(ForgetError::InvalidConfig(format!(
            "no forget item is of kind '{kind}' (kinds here: {})",
            kinds.join(", ")
        )));
    }
    Ok(ForgetSelection::Items(picked))
}

fn main() {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`forgetlab … | head`) would panic;
    // with the default action the process ends quietly, as command-line tools do.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    keep_freed_memory();
    // Bad input exits with 1 whatever finds it (clap or the engine); help and version with 0.
    let cli = Cli::try_parse().unwrap_or_else(|e| {
        let _ = e.print();
        std::process::exit(if e.use_stderr() { 1 } else { 0 })
    });
    if let Err(e) = run(cli) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// glibc returns every large freed block to the kernel (blocks above 128 KiB are mmap'ed and
/// unmapped on free), so each training step faults its activations' pages in afresh: measured,
/// a third of pretraining's time was the kernel's (sys 14.8 s of 50 s over 200 steps). Serving
/// them from the heap and keeping freed memory for the next step cuts that to 3 s.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any allocation-heavy work.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20); // glibc's largest allowed threshold
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TOP_PAD, 256 << 20);
    }
}

fn run(cli: Cli) -> Result<(), ForgetError> {
    let device = device(&cli.backend)?;
    let world = FactWorld::default_world();
    match cli.command {
        Command::Pretrain(args) => pretrain::run(args, &world, &device),
        Command::Metrics => {
            print!("{}", report::metrics_markdown());
            Ok(())
        }
        Command::Eval { model, forget, retain, json, parity_fixture } => {
            let m = load(&model)?;
            let forget_items =
                forgetlab_core::run::resolve_forget(&world, &forget_selection(&forget)?)?;
            let reference = retain::for_selection(
                &retain.source(),
                &model_dir(&model),
                &m,
                &world,
                &forget_items,
                &device,
            )?;
            let original = original_of(&model, &m)?;
            let fluency = load_fluency(&model, &m)?;
            let models = report::EvalModels {
                model: &m,
                original: original.as_ref().unwrap_or(&m),
                fluency: fluency.as_ref(),
                retain: reference.as_ref(),
            };
            report::eval(
                &models,
                &world,
                &forget,
                &forget_items,
                json,
                parity_fixture.as_deref(),
                &device,
            )
        }
        Command::Generate { model, prompt, question, max_new_tokens, temperature, top_k, seed } => {
            let m = load(&model)?;
            let text = match (prompt, question) {
                (Some(p), _) => p,
                (None, Some(q)) => forgetlab_core::world::format_prompt(&q),
                (None, None) => {
                    return Err(ForgetError::InvalidConfig("give --prompt or --question".into()));
                }
            };
            let sampling = forgetlab_core::model::generate::SamplingConfig {
                max_new_tokens,
                temperature,
                top_k,
                seed,
            };
            let gpt = forgetlab_core::model::Gpt::from_weights(&m.config, &m.weights, &device)?;
            let ids = m.tokenizer.encode(&text)?;
            let out = pollster::block_on(forgetlab_core::model::generate::generate(
                &gpt,
                None,
                &m.config,
                &[ids],
                &sampling,
                &device,
            ))?;
            println!("{}{}", text, m.tokenizer.decode(&out[0].tokens)?);
            Ok(())
        }
        Command::Unlearn(args) => unlearn::run(args, &world, &device),
        Command::Bench { model, steps, forget, continual_steps, train_only } => {
            let m = load(&model)?;
            if train_only {
                return bench::bench_training(&m, &world, &forget, steps, &device, &cli.backend);
            }
            bench::bench(
                &m,
                load_fluency(&model, &m)?.as_ref(),
                &world,
                &forget,
                steps,
                &device,
                &cli.backend,
            )?;
            continual::bench(&m, &world, &device, continual_steps)
        }
        Command::RetainReference { models, out } => {
            retain::write_file(&models, Path::new(&out), &world, &device)
        }
        Command::Continual(args) => continual::run(&args, &load(&args.model)?, &world, &device),
        Command::Edit(args) => edit::run(&args, &load(&args.model)?, &world, &device),
        Command::Finetune(args) => finetune::run(&args, &world, &device),
        Command::ExportWorld { out } => {
            world.export_dir(&out)?;
            println!("fact world → {} ({} items)", out.display(), world.items.len());
            Ok(())
        }
    }
}
