//! The `forgetlab` binary end to end on the committed default model: the JSON line format the
//! issue fixes, and bad input that must be a clear error (exit code 1), never a panic.

mod common;

use common::{forgetlab, json_lines};

#[test]
fn unlearn_json_prints_one_object_per_evaluation_then_the_cost() {
    let out = forgetlab(&[
        "unlearn",
        "--method",
        "ga",
        "--forget",
        "forget01",
        "--steps",
        "2",
        "--eval-every",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    // The last line is the run's cost: training steps and seconds (evaluations excluded).
    let cost = lines.pop().expect("a cost line");
    assert_eq!(cost["cost"]["steps"], 2, "{cost}");
    assert!(cost["cost"]["training_seconds"].as_f64().is_some_and(|s| s > 0.0), "{cost}");
    assert_eq!(
        cost["cost"]["trainable_parameters"], 269_696,
        "GA trains every weight of the default model: {cost}"
    );
    assert_eq!(lines.len(), 3, "evaluations at steps 0, 1, 2");
    for (i, v) in lines.iter().enumerate() {
        assert_eq!(v["step"], i);
        for split in ["forget", "retain", "world"] {
            for key in ["prob", "rouge_l", "truth_ratio"] {
                assert!(v[split][key].is_number(), "{split}.{key} missing in {v}");
            }
        }
        for key in ["kfr", "krr", "ls", "forget_quality", "model_utility"] {
            assert!(v[key].is_number(), "{key} missing in {v}");
        }
    }
    assert!(lines[2]["forget"]["prob"].as_f64() < lines[0]["forget"]["prob"].as_f64());
}

#[test]
fn bad_input_is_a_clear_error() {
    let cases: [(&[&str], &str); 5] = [
        (&["unlearn", "--method", "forget_everything"], "unknown method"),
        (
            &["unlearn", "--method", "ga", "--kind", "shoe_size"],
            "kinds here: award, birth_year, birthplace",
        ),
        (&["unlearn", "--method", "ga", "--lr", "NaN"], "lr must be a finite number"),
        (&["unlearn", "--method", "ga", "--forget", "forget42"], "forget42"),
        (&["eval", "--model", "/nonexistent/model"], "config.json"),
    ];
    for (args, needle) in cases {
        let out = forgetlab(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let bad = std::env::temp_dir().join(format!("forgetlab-bad-{}.json", std::process::id()));
    std::fs::write(&bad, "[{\"question\": \"q\"}").unwrap();
    let out = forgetlab(&["unlearn", "--method", "ga", "--forget", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_file(&bad).ok();
}

#[test]
fn kind_forgets_one_kind_of_question_and_reports_every_kind() {
    let out = forgetlab(&[
        "unlearn",
        "--method",
        "random_label",
        "--forget",
        "forget01",
        "--kind",
        "genre",
        "--steps",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let kinds = first["by_kind"].as_array().expect("a by_kind array");
    // forget01 has 2 genre questions; every other kind of author question is retain-only.
    let with_forget: Vec<(&str, u64)> = kinds
        .iter()
        .filter(|k| k["forget_items"].as_u64() > Some(0))
        .map(|k| (k["kind"].as_str().unwrap(), k["forget_items"].as_u64().unwrap()))
        .collect();
    assert_eq!(with_forget, [("genre", 2)], "{}", first["by_kind"]);
    assert_eq!(kinds.len(), 10, "all ten kinds of author question appear among the retain items");
    let retained: u64 = kinds.iter().map(|k| k["retain_items"].as_u64().unwrap()).sum();
    assert_eq!(retained, 100, "the default 100 retain items, grouped by kind");
}

/// Forget quality is TOFU's: against the preset split's retain model (shipped as per-item values
/// beside the default model), and null for a selection no retain model was trained without.
#[test]
fn forget_quality_needs_the_selections_retain_model() {
    let preset = json_lines(&forgetlab(&[
        "unlearn",
        "--method",
        "ga",
        "--forget",
        "forget01",
        "--steps",
        "1",
        "--eval-every",
        "1",
        "--json",
    ]));
    assert_eq!(preset[0]["retain_model"], "retain model of forget01", "{}", preset[0]);
    let fq = preset[0]["forget_quality"].as_f64().expect("a number for a preset split");
    assert!((0.0..=1.0).contains(&fq));
    assert!(preset[0]["ks_vs_holdout"].is_number(), "the holdout comparison keeps its own name");
    // One kind of question of forget01 is another selection: no retain model, forget quality null.
    let kind = json_lines(&forgetlab(&[
        "unlearn", "--method", "ga", "--forget", "forget01", "--kind", "genre", "--steps", "1",
        "--json",
    ]));
    assert!(
        kind[0]["forget_quality"].is_null() && kind[0]["retain_model"].is_null(),
        "{}",
        kind[0]
    );
    assert!(kind[0]["ks_vs_holdout"].is_number());
}

/// The retain model evaluated against its own values is indistinguishable from itself.
#[test]
fn the_retain_model_has_forget_quality_one_against_itself() {
    let retain = json_lines(&forgetlab(&["eval", "--model", "models/retain-forget10", "--json"]));
    assert_eq!(
        retain[0]["metrics"]["forget_quality"], 1.0,
        "{}",
        retain[0]["metrics"]["forget_quality"]
    );
    let v = json_lines(&forgetlab(&["eval", "--json"]));
    assert!(
        v[0]["metrics"]["forget_quality"].as_f64().unwrap() < 1e-3,
        "the original model still knows forget10"
    );
    let m = &v[0]["metrics"];
    assert_eq!(
        m["representation"]["probe_forget"].as_array().map(Vec::len),
        Some(4),
        "{}",
        m["representation"]
    );
    assert!(m["paraphrase"]["kfr"].is_number() && m["paraphrase"]["forget_prob"].is_number());
    // `eval` also refits the probe on the evaluated model: for the default model that is the
    // model the frozen probe was fitted on, so the two agree.
    let r = &m["representation"];
    assert_eq!(r["probe_refit_forget"], r["probe_forget"], "{r}");
    assert_eq!(r["probe_refit_retain"], r["probe_retain"], "{r}");
    // The probe (fitted on the default model's states of other items) reads forget10's entities
    // in the default model's last block, and much less in the retain model, which never learned
    // them.
    let last =
        |v: &serde_json::Value| v["metrics"]["representation"]["probe_forget"][3].as_f64().unwrap();
    assert!(
        last(&v[0]) > 2.0 * last(&retain[0]),
        "probe, last block: original {} vs retain model {}",
        last(&v[0]),
        last(&retain[0])
    );
}

/// --until-kfr stops at the first evaluation that reaches it (matched forgetting).
#[test]
fn until_kfr_stops_at_the_match() {
    let lines = json_lines(&forgetlab(&[
        "unlearn",
        "--method",
        "ga",
        "--forget",
        "forget01",
        "--steps",
        "60",
        "--eval-every",
        "2",
        "--until-kfr",
        "0.5",
        "--json",
    ]));
    let end = lines.last().unwrap();
    let snaps: Vec<&serde_json::Value> = lines.iter().filter(|l| l.get("step").is_some()).collect();
    let at = end["matched_at"].as_u64().expect("GA reaches KFR 0.5 on forget01 within 60 steps");
    assert_eq!(snaps.last().unwrap()["step"].as_u64(), Some(at));
    assert!(snaps.last().unwrap()["kfr"].as_f64().unwrap() >= 0.5);
    assert!(
        snaps[..snaps.len() - 1].iter().all(|s| s["kfr"].as_f64().unwrap() < 0.5),
        "it stops at the first one"
    );
    assert_eq!(end["cost"]["steps"].as_u64(), Some(at));
    let out = forgetlab(&["unlearn", "--method", "ga", "--until-kfr", "2"]);
    assert_eq!(out.status.code(), Some(1));
}

/// The example: a learning rate that destroys the model must not look like perfect
/// unlearning. Forget quality compares with the retain model, which still answers.
#[test]
fn a_collapsed_model_gets_a_low_forget_quality() {
    let out = forgetlab(&[
        "unlearn",
        "--method",
        "ga",
        "--forget",
        "forget10",
        "--lr",
        "1e6",
        "--steps",
        "5",
        "--eval-every",
        "1",
        "--json",
    ]);
    // The loss passes GA's limit (or turns NaN) a step later: the run stops with a clear error,
    // after printing the snapshots it had.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("blew up") || stderr.contains("diverged"), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let step1 = lines.iter().find(|l| l["step"] == 1).expect("the step-1 snapshot");
    assert!(step1["retain"]["prob"].as_f64().unwrap() < 0.01, "collapsed: {}", step1["retain"]);
    let fq = step1["forget_quality"].as_f64().expect("forget10 has a retain model");
    assert!(fq < 1e-3, "a collapsed model gets forget quality {fq}");
}

/// `forgetlab continual --json`: the schedule first, then one line per evaluation (every
/// `--eval-every` steps and at each stage end), with every stage's scores.
#[test]
fn continual_json_prints_the_schedule_then_each_evaluation() {
    let out = forgetlab(&[
        "continual",
        "--stage",
        "factoids1:30",
        "--stage",
        "factoids2:30:remix_generic:1",
        "--schedule",
        "cosine",
        "--warmup",
        "5",
        "--items",
        "8",
        "--eval-items",
        "8",
        "--eval-every",
        "20",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let schedule = &lines[0];
    assert_eq!(schedule["schedule"], "cosine");
    assert_eq!(schedule["lr"].as_array().unwrap().len(), 60);
    let steps: Vec<u64> = lines[1..].iter().map(|l| l["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, [0, 20, 30, 40, 60], "every 20 steps and at the stage ends");
    let acc = |l: &serde_json::Value, k: usize| {
        l["stages"][k]["scores"]["key_accuracy"].as_f64().unwrap()
    };
    assert!(
        acc(&lines[3], 0) > acc(&lines[1], 0),
        "stage 1 learns its facts: {} → {}",
        acc(&lines[1], 0),
        acc(&lines[3], 0)
    );
    assert!(lines[5]["lr"].as_f64().unwrap() < 2e-3, "cosine decays by the stage's end");
    // Bad stage specs are clear errors.
    let out = forgetlab(&["continual", "--stage", "factoids3:10"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown data “factoids3”"));
    let out = forgetlab(&["continual", "--stage", "own:10"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--own FILE"));
}

/// `forgetlab edit --json`: one report per method, all on the same edits.
#[test]
fn edit_json_reports_each_method_on_the_same_edits() {
    let out = forgetlab(&["edit", "--edits", "4", "--steps", "20", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reports: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let methods: Vec<&str> = reports.iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["ike", "ft", "ft_remix"]);
    for r in &reports {
        assert_eq!(r["edits"], 4);
        assert_eq!(r["neighbour_prob_before"], reports[0]["neighbour_prob_before"]);
    }
    let ft = reports[1]["efficacy"].as_f64().unwrap();
    assert!(ft >= 0.75, "20 fine-tuning steps make most edits: {ft}");
    let out = forgetlab(&["edit", "--method", "rome"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown edit method 'rome'"));
}

/// docs/METRICS.md's table is `forgetlab metrics`' output: the docs, the CLI and the page's tips
/// read one table (core's METRICS).
#[test]
fn the_docs_metric_table_is_the_engines() {
    let out = forgetlab(&["metrics"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.lines().count() > 30, "{table}");
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/METRICS.md"))
        .unwrap();
    assert!(docs.contains(&table), "docs/METRICS.md is out of date: run `forgetlab metrics`");
}

/// public/data (what the page loads) is `forgetlab export-world`'s output: the page and the CLI
/// ask the same questions, in the same wordings, with the same hedges.
#[test]
fn the_shipped_world_is_the_engines() {
    let dir = std::env::temp_dir().join(format!("forgetlab-world-{}", std::process::id()));
    let out = forgetlab(&["export-world", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/data");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        let ours = std::fs::read(dir.join(&name)).unwrap();
        let theirs = std::fs::read(std::path::Path::new(shipped).join(&name))
            .unwrap_or_else(|e| panic!("public/data/{name:?}: {e}"));
        assert!(
            ours == theirs,
            "public/data/{name:?} is out of date: run `forgetlab export-world`"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
