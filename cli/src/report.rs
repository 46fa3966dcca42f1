//! What the CLI prints: tables for people, one JSON object per line for programs.

use std::path::Path;
use std::time::Instant;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::eval::{Evaluator, METRICS, MetricRow, RetainReference, Snapshot};
use forgetlab_core::methods::MethodKind;
use forgetlab_core::model::{Gpt, LoadedModel};
use forgetlab_core::run::{EvalConfig, Run, eval_sets};
use forgetlab_core::world::{FactWorld, QaItem};

/// The headline columns: the rows of the engine's metric list that name a CLI column.
fn columns() -> impl Iterator<Item = &'static MetricRow> {
    METRICS.iter().filter(|m| m.column.is_some())
}

fn header() -> String {
    let cols: String = columns().map(|m| format!(" {:>9}", m.column.unwrap_or_default())).collect();
    format!("{:<6} {:>8}{cols}", "step", "loss")
}

fn row(s: &Snapshot) -> String {
    let loss = s.loss.map(|l| format!("{l:>8.4}")).unwrap_or_else(|| format!("{:>8}", "-"));
    let values: String = columns()
        .map(|m| match m.needs_retain_model && s.retain_model.is_none() {
            true => format!(" {:>9}", "-"),
            false => format!(" {:>9}", m.text(s, 4)),
        })
        .collect();
    format!("{:<6} {loss}{values}", s.step)
}

fn print_snapshot(s: &Snapshot, json: bool) {
    if json {
        println!("{}", serde_json::to_string(s).expect("snapshots serialise"));
    } else {
        println!("{}", row(s));
    }
}

/// Where a run stops early (matched forgetting): the first evaluation that meets every bar given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Until {
    /// KFR at least this.
    pub kfr: Option<f64>,
    /// The forget key-entity probability (the metric table's `forget.entity_prob`) at most this.
    pub entity_prob: Option<f64>,
}

impl Until {
    fn reached(&self, s: &Snapshot) -> bool {
        let entity = forgetlab_core::eval::metric("forget.entity_prob").map(|m| (m.read)(s));
        (self.kfr.is_some() || self.entity_prob.is_some())
            && self.kfr.is_none_or(|k| s.kfr >= k)
            && self.entity_prob.is_none_or(|p| entity.is_some_and(|e| e <= p))
    }

    fn describe(&self) -> String {
        let kfr = self.kfr.map(|k| format!("KFR ≥ {k}"));
        let entity = self.entity_prob.map(|p| format!("key-entity probability ≤ {p}"));
        [kfr, entity].into_iter().flatten().collect::<Vec<_>>().join(" and ")
    }
}

/// Run `steps` steps, evaluating at step 0, every `eval_every` steps and at the end; stop after
/// the first evaluation that reaches `until` (when it sets a bar).
pub fn unlearn(
    run: &mut Run,
    steps: usize,
    eval_every: usize,
    until: Until,
    json: bool,
) -> Result<(), ForgetError> {
    if !json {
        let lora = match run.config.hyper.lora_rank {
            0 => String::new(),
            r => format!(" · LoRA rank {r}"),
        };
        println!(
            "method {} · {} forget items · lr {} · batch {} · seed {}{lora} · {} trainable \
                parameters",
            run.config.method.name(),
            run.forget_items().len(),
            run.config.hyper.lr,
            run.config.hyper.batch_size,
            run.config.seed,
            run.trainable_parameters()
        );
        println!("{}", header());
    }
    let first = pollster::block_on(run.evaluate())?;
    print_snapshot(&first, json);
    let mut last = None;
    // The method's cost: training time only, evaluations excluded.
    let mut training = std::time::Duration::ZERO;
    let mut matched = None;
    let mut ran = 0;
    for step in 1..=steps {
        let start = Instant::now();
        pollster::block_on(run.step())?;
        training += start.elapsed();
        ran = step;
        if step % eval_every == 0 || step == steps {
            let s = pollster::block_on(run.evaluate())?;
            print_snapshot(&s, json);
            let reached = until.reached(&s);
            last = Some(s);
            if reached {
                matched = Some(step);
                break;
            }
        }
    }
    let steps = ran;
    if !json {
        print_by_kind(&first, last.as_ref().unwrap_or(&first));
    }
    let secs = training.as_secs_f64();
    // A term's weight when the method's loss has that term, else 0 (the table shows both).
    let weight =
        |key: &str, value: f64| if run.config.method.spec().reads(key) { value } else { 0.0 };
    if json {
        println!(
            "{}",
            serde_json::json!({ "cost": { "steps": steps, "training_seconds": secs, "trainable_parameters": run.trainable_parameters(), "retain_weight": weight("retain_weight", run.config.hyper.retain_weight), "kl_weight": weight("kl_weight", run.config.hyper.kl_weight) }, "until_kfr": until.kfr, "until_entity_prob": until.entity_prob, "matched_at": matched })
        );
    } else {
        if until.kfr.is_some() || until.entity_prob.is_some() {
            match matched {
                Some(step) => println!("{} reached at step {step}", until.describe()),
                None => println!("{} never reached in {steps} steps", until.describe()),
            }
        }
        println!("cost: {steps} steps, {secs:.1} s of training (evaluations excluded)");
        if run.config.method == MethodKind::Retrain
            && steps < forgetlab_core::methods::retrain::recipe_steps()
        {
            println!(
                "(a full retrain is {} steps: ≈ {:.0} s at this pace)",
                forgetlab_core::methods::retrain::recipe_steps(),
                secs / steps.max(1) as f64
                    * forgetlab_core::methods::retrain::recipe_steps() as f64
            );
        }
    }
    Ok(())
}

/// Per kind of question, step 0 → the last evaluation: what was forgotten and what was kept.
fn print_by_kind(first: &Snapshot, last: &Snapshot) {
    println!("per kind of question (step {} → {}):", first.step, last.step);
    println!(
        "  {:<18} {:>6} {:>17} {:>13} {:>6} {:>17} {:>13}",
        "kind", "forget", "prob", "KFR", "retain", "prob", "KRR"
    );
    let arrow = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{a:.3} → {b:.3}"),
        _ => "-".to_string(),
    };
    for (a, b) in first.by_kind.iter().zip(&last.by_kind) {
        println!(
            "  {:<18} {:>6} {:>17} {:>13} {:>6} {:>17} {:>13}",
            a.kind,
            a.forget_items,
            arrow(a.forget_prob, b.forget_prob),
            arrow(a.kfr, b.kfr),
            a.retain_items,
            arrow(a.retain_prob, b.retain_prob),
            arrow(a.krr, b.krr)
        );
    }
}

/// The relearning attack's report: one JSON object, or a small table.
pub fn attack(r: &forgetlab_core::run::AttackReport, json: bool, control: bool) {
    if json {
        let key = if control { "relearning_attack_control" } else { "relearning_attack" };
        println!("{}", serde_json::json!({ key: r }));
        return;
    }
    let c = r.config.clone().unwrap_or_default();
    let what = if control { "holdout items (never learned: the control)" } else { "forget items" };
    println!("relearning attack: {} {what} relearned for {} steps (lr {})", c.k, c.steps, c.lr);
    println!(
        "                     answer prob before → after   key-entity prob before → after   \
            key entity named before → after"
    );
    for (name, b, a) in [
        ("relearned items", &r.relearned_before, &r.relearned_after),
        ("held-out items", &r.held_out_before, &r.held_out_after),
    ] {
        println!(
            "  {name:<16} ({:>3})  {:.4} → {:.4}              {:.4} → {:.4}                  \
                {:>5.1} % → {:>5.1} %",
            b.items,
            b.prob,
            a.prob,
            b.key_entity_prob,
            a.key_entity_prob,
            100.0 * b.key_entity_rate,
            100.0 * a.key_entity_rate
        );
    }
}

/// The worst-case selection: one JSON object, or the ranking with the chosen authors marked.
pub fn worst_case(found: &forgetlab_core::run::WorstCase, n: usize, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "worst_case": found }));
        return;
    }
    println!(
        "worst-case selection: the {n} of {} authors whose answers fell least in the proxy \
            (5 GA steps on the whole pool; change of mean answer log-probability)",
        found.ranking.len()
    );
    for (k, (author, r)) in found.ranking.iter().enumerate() {
        let mark = if k < n { "chosen" } else { "" };
        println!("  {author:<28} {r:>8.4}  {mark}");
    }
}

/// The models `forgetlab eval` reads.
pub struct EvalModels<'a> {
    pub model: &'a LoadedModel,
    /// The original model (parameter change, the probe's fit): `model` itself unless it is an
    /// unlearned copy of the default model.
    pub original: &'a LoadedModel,
    pub fluency: Option<&'a LoadedModel>,
    /// The retain model's values for this forget selection (None: forget quality is null).
    pub retain: Option<&'a RetainReference>,
}

/// `forgetlab eval`: the quality bar on every item, then a full snapshot with `forget` as the
/// forget set.
pub fn eval(
    models: &EvalModels,
    world: &FactWorld,
    forget: &str,
    forget_items: &[QaItem],
    json: bool,
    fixture: Option<&Path>,
    device: &Device,
) -> Result<(), ForgetError> {
    let m = models.model;
    let gpt = Gpt::from_weights(&m.config, &m.weights, device)?;
    let original = Gpt::from_weights(&models.original.config, &models.original.weights, device)?;
    let scorer =
        models.fluency.map(|f| Gpt::from_weights(&f.config, &f.weights, device)).transpose()?;
    let ev = Evaluator {
        fluency: scorer.as_ref(),
        ..Evaluator::new(&gpt, &original, &m.config, &m.tokenizer, device, 24)
    };
    let start = Instant::now();
    let bar = pollster::block_on(ev.quality_bar(world, usize::MAX))?;
    let (trained, facts, holdout, pass) = (bar.trained, bar.world, bar.holdout, bar.pass);
    let bar_secs = start.elapsed().as_secs_f64();
    let sets = eval_sets(world, forget_items, &EvalConfig::default())?;
    let probe = pollster::block_on(ev.fit_probe(&sets))?;
    let original_states = pollster::block_on(ev.hidden_states(&original, &sets.forget))?;
    let ev = Evaluator {
        retain_reference: models.retain,
        original_states: Some(&original_states),
        probe: probe.as_ref(),
        refit_probe: true,
        ..ev
    };
    if let Some(path) = fixture {
        let value = pollster::block_on(ev.parity_fixture(&sets))?;
        std::fs::write(path, serde_json::to_string(&value).expect("the fixture serialises"))
            .map_err(|e| ForgetError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
    }
    let start = Instant::now();
    let snap = pollster::block_on(ev.evaluate(&sets, 0))?;
    let eval_secs = start.elapsed().as_secs_f64();
    if json {
        let v = serde_json::json!({
            "model": { "parameters": m.config.num_params(), "vocab_size": m.config.vocab_size },
            "quality_bar": { "trained_author_key_entity": trained, "world_fact_key_entity": facts, "holdout_key_entity": holdout, "pass": pass },
            "forget_split": forget,
            "metrics": snap,
        });
        println!("{v}");
    } else {
        println!("model: {} parameters, vocabulary {}", m.config.num_params(), m.config.vocab_size);
        println!("quality bar (greedy answer contains the key entity):");
        println!("  trained authors  {:>6.1} %   (want ≥ 90 %)", 100.0 * trained);
        println!("  world facts      {:>6.1} %   (want ≥ 90 %)", 100.0 * facts);
        println!("  holdout authors  {:>6.1} %   (want ≤ 10 %, never trained on)", 100.0 * holdout);
        println!("  {} ({bar_secs:.1}s)", if pass { "PASS" } else { "FAIL" });
        println!("metrics with {forget} as the forget set ({eval_secs:.2}s):");
        println!("{}", header());
        println!("{}", row(&snap));
        print_details(&snap);
    }
    Ok(())
}

/// Every metric beyond the headline columns: each split's numbers, the metric table's other rows,
/// and the per-layer readings.
fn print_details(s: &Snapshot) {
    println!(
        "TOFU, per split          prob   p.norm  rougeL.r rougeL.f1 \
            rouge1.r  TR(OU)  TR(paper)  EM     ES"
    );
    for (name, m) in [
        ("forget", &s.forget),
        ("retain", &s.retain),
        ("real entities", &s.real_entities),
        ("world facts", &s.world),
    ] {
        println!(
            "  {name:<22} {:>6.4} {:>7.4} {:>8.4} {:>9.4} {:>8.4} {:>7.4} {:>9.4} {:>6.3} {:>6.3}",
            m.prob,
            m.prob_normalized,
            m.rouge_l,
            m.rouge_l_f1,
            m.rouge1_recall,
            m.truth_ratio,
            m.truth_ratio_paper,
            m.exact_memorization,
            m.extraction_strength
        );
    }
    match &s.retain_model {
        Some(r) => println!("retain model: the {r} (forget quality and PrivLeak compare with it)"),
        None => println!("no retain model for this selection: forget quality needs one"),
    }
    // Every metric of the engine's table that is not a column of the headline table.
    for m in METRICS.iter().filter(|m| m.column.is_none()) {
        println!("  {:<42} {:>12}  {}", m.label, m.text(s, 4), m.better.arrow());
    }
    println!("  (PrivLeak's reference: Min-K% AUC {:.4})", s.privleak_reference_auc);
    let fmt = |v: &[f64]| v.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>().join(" ");
    let r = &s.representation;
    println!(
        "hidden-state total variance per layer: forget [{}] · retain [{}]",
        fmt(&r.hidden_variance_forget),
        fmt(&r.hidden_variance_retain)
    );
    println!(
        "logit lens (key entity's first token, forget) per layer: [{}]",
        fmt(&r.logit_lens_forget)
    );
    if !r.probe_forget.is_empty() {
        println!(
            "frozen linear probe (key entity among candidates, fitted once on the original model: \
                drift) per layer: forget [{}] · retain [{}] · chance {:.3}",
            fmt(&r.probe_forget),
            fmt(&r.probe_retain),
            r.probe_chance
        );
    }
    if !r.probe_refit_forget.is_empty() {
        println!(
            "refitted linear probe (fitted on this model's own states) per layer: forget [{}] · \
                retain [{}]",
            fmt(&r.probe_refit_forget),
            fmt(&r.probe_refit_retain)
        );
    }
    println!(
        "parameter change ‖θ−θ₀‖/‖θ₀‖: {}",
        r.param_change.iter().map(|(l, c)| format!("{l} {c:.2e}")).collect::<Vec<_>>().join(" · ")
    );
}

/// Every row of the metric table as Markdown: key, name, which way is better, definition,
/// source. docs/METRICS.md holds this output (a test checks it is current).
pub fn metrics_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out =
        String::from("| key | metric | better | definition | source |\n|---|---|---|---|---|\n");
    for m in forgetlab_core::eval::METRICS {
        out += &format!(
            "| `{}` | {} | {} | {} | {} |\n",
            m.key,
            cell(m.label),
            match m.better.arrow() {
                "" => "–",
                a => a,
            },
            cell(m.definition),
            cell(m.source)
        );
    }
    out
}
