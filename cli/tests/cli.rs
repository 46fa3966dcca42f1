//! The `forgetlab` binary end to end on the committed default model: the JSON line format the
//! issue fixes, and bad input that must be a clear error (exit code 1), never a panic.

use std::process::Command;

fn forgetlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_forgetlab"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("the binary runs")
}

#[test]
fn unlearn_json_prints_one_object_per_evaluation_then_the_cost() {
    let out = forgetlab(&["unlearn", "--method", "ga", "--forget", "forget01", "--steps", "2", "--eval-every", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    // The last line is the run's cost: training steps and seconds (evaluations excluded).
    let cost = lines.pop().expect("a cost line");
    assert_eq!(cost["cost"]["steps"], 2, "{cost}");
    assert!(cost["cost"]["training_seconds"].as_f64().is_some_and(|s| s > 0.0), "{cost}");
    assert_eq!(cost["cost"]["trainable_parameters"], 269_696, "GA trains every weight of the default model: {cost}");
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
        (&["unlearn", "--method", "ga", "--kind", "shoe_size"], "kinds here: award, birth_year, birthplace"),
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
    let out = forgetlab(&["unlearn", "--method", "random_label", "--forget", "forget01", "--kind", "genre", "--steps", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let kinds = first["by_kind"].as_array().expect("a by_kind array");
    // forget01 has 2 genre questions; every other kind of author question is retain-only.
    let with_forget: Vec<(&str, u64)> = kinds.iter().filter(|k| k["forget_items"].as_u64() > Some(0)).map(|k| (k["kind"].as_str().unwrap(), k["forget_items"].as_u64().unwrap())).collect();
    assert_eq!(with_forget, [("genre", 2)], "{}", first["by_kind"]);
    assert_eq!(kinds.len(), 10, "all ten kinds of author question appear among the retain items");
    let retained: u64 = kinds.iter().map(|k| k["retain_items"].as_u64().unwrap()).sum();
    assert_eq!(retained, 100, "the default 100 retain items, grouped by kind");
}
