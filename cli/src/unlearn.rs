//! `forgetlab unlearn`: one unlearning run on the default model (or another), its metrics every
//! few steps, and optionally the relearning attack and the unlearned model's files.

use std::path::PathBuf;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::methods::MethodKind;
use forgetlab_core::run::{
    EvalConfig, ForgetSelection, Run, RunConfig, WorstCaseConfig,
    random_authors as random_authors_of, resolve_forget, split_requests, worst_case_authors,
};
use forgetlab_core::world::FactWorld;

use crate::settings_flags::{MethodParser, SettingFlags};
use crate::{
    RetainFlags, forget_selection, load, load_fluency, model_dir, of_kind, report, retain,
    sequential,
};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    model: Option<PathBuf>,
    /// The unlearning method (the engine's method table).
    #[arg(long, value_parser = MethodParser)]
    method: MethodKind,
    /// forget01 | forget05 | forget10 | val10 | a TOFU-schema JSON/JSONL file
    #[arg(long, default_value = "forget05")]
    forget: String,
    #[command(flatten)]
    retain: RetainFlags,
    /// Forget only the items of this kind of question (birthplace, birth_year, genre,
    /// father_profession, mother_profession, award, first_book, second_book, language,
    /// university; world facts: capital, …). The per-kind table shows how far it spreads.
    #[arg(long)]
    kind: Option<String>,
    /// Retain items evaluated (a seeded subset of the retain split; more give steadier
    /// per-kind numbers).
    #[arg(long, default_value_t = EvalConfig::default().max_retain)]
    eval_retain: usize,
    #[arg(long, default_value_t = 30)]
    steps: usize,
    #[command(flatten)]
    settings: SettingFlags,
    #[arg(long, default_value_t = 5)]
    eval_every: usize,
    /// Stop at the first evaluation whose KFR reaches this value (matched forgetting: compare
    /// methods where they have forgotten as much, not after as many steps).
    #[arg(long, value_name = "KFR")]
    until_kfr: Option<f64>,
    /// Stop at the first evaluation whose forget key-entity probability (its first token where the
    /// true answer names it) is at most this (with
    /// --until-kfr: where both hold): matched on the fact itself, not only on the greedy answer.
    #[arg(long, value_name = "P")]
    until_entity_prob: Option<f64>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long)]
    json: bool,
    /// Write the unlearned model here (HF layout).
    #[arg(long)]
    save: Option<PathBuf>,
    /// After the run, relearn this many forget items (10 steps) and report what comes back.
    #[arg(long, value_name = "K")]
    relearn_attack: Option<usize>,
    /// With --relearn-attack: also run the same attack on K holdout items (never learned),
    /// the control for what the attack teaches by itself.
    #[arg(long, requires = "relearn_attack")]
    attack_control: bool,
    /// Forget the selection as N sequential requests (whole authors, in order), each one a run
    /// of --steps (or to --until-kfr) from the weights the previous one left; after each,
    /// every request's set is measured again: does an earlier one come back?
    #[arg(long, value_name = "N", conflicts_with = "relearn_attack")]
    requests: Option<usize>,
    /// Forget the N authors of the --forget pool that are hardest to unlearn, by a stated proxy:
    /// the N whose answers' log-probability falls least in 5 gradient-ascent steps on the whole
    /// pool (a one-shot greedy proxy of the bi-level worst-case forget sets of Fan et al. 2024).
    #[arg(long, value_name = "N", conflicts_with_all = ["random_authors", "kind"])]
    worst_case: Option<usize>,
    /// The worst-case selection's control: N authors of the --forget pool drawn with --seed.
    #[arg(long, value_name = "N", conflicts_with = "kind")]
    random_authors: Option<usize>,
    /// At every evaluation, also fit the linear probe again on the evaluated model's own states
    /// (`probe_refit_*`; the frozen probe fitted on the original model stays, as drift). About
    /// doubles an evaluation's time.
    #[arg(long)]
    refit_probe: bool,
}

pub fn run(args: Args, world: &FactWorld, device: &Device) -> Result<(), ForgetError> {
    let Args {
        model,
        method,
        forget,
        retain,
        kind,
        eval_retain,
        steps,
        settings,
        eval_every,
        until_kfr,
        until_entity_prob,
        seed,
        json,
        save,
        relearn_attack,
        attack_control,
        requests,
        worst_case,
        random_authors,
        refit_probe,
    } = args;
    if eval_every == 0 {
        return Err(ForgetError::InvalidConfig("--eval-every must be at least 1".into()));
    }
    if until_kfr.is_some_and(|k| !(0.0..=1.0).contains(&k)) {
        return Err(ForgetError::InvalidConfig("--until-kfr is a rate between 0 and 1".into()));
    }
    if until_entity_prob.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Err(ForgetError::InvalidConfig(
            "--until-entity-prob is a probability between 0 and 1".into(),
        ));
    }
    let until = report::Until { kfr: until_kfr, entity_prob: until_entity_prob };
    let m = load(&model)?;
    let mut selection = forget_selection(&forget)?;
    if let Some(kind) = &kind {
        selection = of_kind(world, &selection, kind)?;
    }
    if let Some(n) = worst_case {
        let pool = resolve_forget(world, &selection)?;
        let cfg = WorstCaseConfig { authors: n, seed, ..Default::default() };
        let found = pollster::block_on(worst_case_authors(&m, world, &pool, &cfg, device))?;
        report::worst_case(&found, n, json);
        selection = ForgetSelection::Items(found.items);
    } else if let Some(n) = random_authors {
        let items = random_authors_of(&resolve_forget(world, &selection)?, n, seed)?;
        if json {
            let authors: std::collections::BTreeSet<&str> =
                items.iter().map(|it| it.author.as_str()).collect();
            println!("{}", serde_json::json!({ "random_authors": authors }));
        }
        selection = ForgetSelection::Items(items);
    }
    let mut cfg = RunConfig::new(method, selection);
    cfg.seed = seed;
    cfg.hyper = settings.apply(method)?;
    cfg.eval = EvalConfig { max_retain: eval_retain, ..EvalConfig::default() };
    let fluency = load_fluency(&model, &m)?;
    if let Some(n) = requests {
        let sets = split_requests(&resolve_forget(world, &cfg.forget)?, n)?;
        let budget = sequential::Budget { steps, eval_every, until, json };
        let last = sequential::run(&m, fluency, world, cfg, sets, &budget, device)?;
        if let Some(dir) = save {
            last.save_dir(&dir)?;
            eprintln!("unlearned model → {}", dir.display());
        }
        return Ok(());
    }
    let mut run = Run::new(&m, world, cfg, device)?;
    if let Some(scorer) = &fluency {
        run.set_fluency_model(scorer)?;
    }
    run.set_refit_probe(refit_probe);
    if let Some(r) = retain::for_selection(
        &retain.source(),
        &model_dir(&model),
        &m,
        world,
        run.forget_items(),
        device,
    )? {
        run.set_retain_reference(r)?;
    }
    report::unlearn(&mut run, steps, eval_every, until, json)?;
    if let Some(k) = relearn_attack {
        let attack = forgetlab_core::run::AttackConfig { k, seed, ..Default::default() };
        report::attack(&pollster::block_on(run.relearning_attack(&attack))?, json, false);
        if attack_control {
            let control = forgetlab_core::run::AttackConfig { control: true, ..attack };
            report::attack(&pollster::block_on(run.relearning_attack(&control))?, json, true);
        }
    }
    if let Some(dir) = save {
        pollster::block_on(run.export())?.save_dir(&dir)?;
        eprintln!("unlearned model → {}", dir.display());
    }
    Ok(())
}
